use uuid::Uuid;

use super::db::{Queries, TenantTx};
use crate::error::AppError;

/// NOTIFY channel: payload is the slug of the tenant that has new mail in its outbox.
pub const OUTBOX_CHANNEL: &str = "guichet_outbox";
/// NOTIFY channel: a tenant was created, suspended, reactivated or rebranded.
pub const TENANTS_CHANNEL: &str = "guichet_tenants";

pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues a mail in the tenant's outbox, in the caller's transaction. The notification is
/// delivered by PostgreSQL only if that transaction commits.
pub async fn enqueue(tx: &TenantTx, mail: OutgoingMail) -> Result<(), AppError> {
    tx.execute(
        "INSERT INTO mail_outbox (id, recipient, subject, body_text) VALUES ($1, $2, $3, $4)",
        vec![
            Uuid::new_v4().into(),
            mail.to.into(),
            mail.subject.into(),
            mail.body.into(),
        ],
    )
    .await?;
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![OUTBOX_CHANNEL.into(), tx.tenant().slug.as_str().into()],
    )
    .await?;
    Ok(())
}
