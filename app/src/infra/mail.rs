use uuid::Uuid;

use super::db::{Queries, TenantTx};
use crate::error::AppError;

/// NOTIFY channel: payload is the slug of the tenant that has new mail in its outbox.
pub const OUTBOX_CHANNEL: &str = "guichet_outbox";
/// NOTIFY channel: a tenant was created, suspended, reactivated or rebranded.
pub const TENANTS_CHANNEL: &str = "guichet_tenants";

/// A mail to queue. Build it with [`OutgoingMail::new`] and the builder methods.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    /// The text body (also the source of the branded HTML body when `html` is `None`).
    pub body: String,
    /// The dossier this mail is about: agents see it on that dossier's page.
    pub dossier_id: Option<Uuid>,
    /// An explicit HTML body; `None` wraps `body` in the tenant's branded layout.
    pub html: Option<String>,
    pub attachments: Vec<MailAttachment>,
}

#[derive(Debug, Clone)]
pub struct MailAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl OutgoingMail {
    pub fn new(to: impl Into<String>, subject: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            subject: subject.into(),
            body: body.into(),
            dossier_id: None,
            html: None,
            attachments: Vec::new(),
        }
    }

    pub fn for_dossier(mut self, dossier_id: Uuid) -> Self {
        self.dossier_id = Some(dossier_id);
        self
    }

    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    pub fn with_attachment(
        mut self,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Self {
        self.attachments.push(MailAttachment {
            filename: filename.into(),
            content_type: content_type.into(),
            bytes,
        });
        self
    }
}

/// How the commune signs its mail: the sender's name (From stays the platform's address) and
/// where replies go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderIdentity {
    pub name: String,
    pub reply_to: Option<String>,
}

/// The commune's sender identity: its settings, the name defaulting to the branding's
/// displayed name.
pub async fn sender_identity(tx: &TenantTx) -> Result<SenderIdentity, AppError> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        sender_name: Option<String>,
        reply_to: Option<String>,
    }
    let row: Option<Row> = tx
        .fetch_optional("SELECT sender_name, reply_to FROM mail_settings", vec![])
        .await?;
    let (name, reply_to) = row.map_or((None, None), |r| (r.sender_name, r.reply_to));
    let tenant = tx.tenant();
    Ok(SenderIdentity {
        name: name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| tenant.branding.name_or(&tenant.name).to_owned()),
        reply_to: reply_to.filter(|r| !r.trim().is_empty()),
    })
}

/// The Message-ID a queued mail keeps for all its delivery attempts: `<uuid@slug.guichet>`
/// (a valid RFC 5322 msg-id: both sides are dot-atoms; slugs are lowercase letters, digits
/// and hyphens).
pub fn message_id(mail_id: Uuid, tenant_slug: &str) -> String {
    format!("<{}@{tenant_slug}.guichet>", mail_id.simple())
}

/// Queues a mail in the tenant's outbox, in the caller's transaction, and returns its id. The
/// notification is delivered by PostgreSQL only if that transaction commits.
pub async fn enqueue(tx: &TenantTx, mail: OutgoingMail) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    let slug = tx.tenant().slug.as_str().to_owned();
    tx.execute(
        "INSERT INTO mail_outbox (id, recipient, subject, body_text, html_body, dossier_id, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            id.into(),
            mail.to.into(),
            mail.subject.into(),
            mail.body.into(),
            mail.html.into(),
            mail.dossier_id.into(),
            message_id(id, &slug).into(),
        ],
    )
    .await?;
    for (position, attachment) in mail.attachments.into_iter().enumerate() {
        tx.execute(
            "INSERT INTO mail_attachments (mail_id, position, filename, content_type, bytes)
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                id.into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                attachment.filename.into(),
                attachment.content_type.into(),
                attachment.bytes.into(),
            ],
        )
        .await?;
    }
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![OUTBOX_CHANNEL.into(), slug.into()],
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_valid_msg_ids() {
        let id = message_id(Uuid::nil(), "saint-herblain");
        assert_eq!(
            id,
            "<00000000000000000000000000000000@saint-herblain.guichet>"
        );
    }
}
