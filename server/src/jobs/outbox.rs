//! Delivers queued mail, tenant by tenant, with retries and exponential backoff.

use std::sync::Arc;

use app::error::AppError;
use app::infra::mail::{MailAttachment, SenderIdentity, sender_identity};
use app::infra::{AppState, Queries, Tenant, TenantStatus, TenantTx};
use app::platform::service::tenant_by_slug;
use guichet_migrations::{SchemaName, schema_versions, tenant_migrations};
use sea_orm::{DbBackend, FromQueryResult, Statement};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::mail::{MailTransport, Outgoing};

pub const MAX_ATTEMPTS: i32 = 8;
/// The tenant migration that gives `mail_outbox` its current shape (Message-ID, attachments).
const OUTBOX_MIGRATION: &str = "m0011_outbox";

/// Its version in this build (versions are positions in the list).
fn outbox_version() -> u32 {
    tenant_migrations()
        .iter()
        .position(|m| m.name() == OUTBOX_MIGRATION)
        .map_or(u32::MAX, |i| i as u32 + 1)
}

/// 30 s, 1 min, 2 min, … capped at 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exponent).min(3600))
}

#[derive(FromQueryResult)]
struct PendingMail {
    id: Uuid,
    message_id: String,
    recipient: String,
    subject: String,
    body_text: String,
    html_body: Option<String>,
    attempts: i32,
}

#[derive(FromQueryResult)]
struct AttachmentRow {
    filename: String,
    content_type: String,
    bytes: Vec<u8>,
}

#[derive(FromQueryResult)]
struct NextDue {
    next: Option<OffsetDateTime>,
}

pub struct Outbox {
    state: AppState,
    transport: Arc<MailTransport>,
    from: String,
}

impl Outbox {
    pub fn new(state: AppState, transport: Arc<MailTransport>, from: String) -> Self {
        Self {
            state,
            transport,
            from,
        }
    }

    /// Sends what is due in one tenant's outbox. Returns when its next retry is due, if any.
    pub async fn deliver_tenant(&self, slug: &str) -> Result<Option<OffsetDateTime>, AppError> {
        let tenant = tenant_by_slug(&self.state, slug).await?;
        if tenant.status == TenantStatus::Suspended {
            // A suspended tenant's mail stays queued; the sweep sends it once it is reactivated.
            return Ok(None);
        }
        let identity = {
            let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
            let identity = sender_identity(&tx).await?;
            tx.commit().await?;
            identity
        };
        while self.deliver_one(&tenant, &identity).await? {}
        let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
        let next: Option<NextDue> = tx
            .fetch_optional(
                "SELECT min(next_attempt_at) AS next FROM mail_outbox WHERE status = 'pending'",
                vec![],
            )
            .await?;
        tx.commit().await?;
        Ok(next.and_then(|n| n.next))
    }

    /// Claims, sends and records ONE due message, in its own transaction; false when none is
    /// due. One message per transaction keeps the duplicate window minimal: the only way a
    /// message goes out twice is a crash between the SMTP server's final 250 and this commit,
    /// which can hit at most the one message in flight. A killed worker's row lock dies with
    /// its connection, so the row is simply due again, with the same Message-ID.
    async fn deliver_one(
        &self,
        tenant: &Arc<Tenant>,
        identity: &SenderIdentity,
    ) -> Result<bool, AppError> {
        let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
        // SKIP LOCKED: several workers share the work; a row being sent is not sent again.
        let Some(mail): Option<PendingMail> = tx
            .fetch_optional(
                "SELECT id, message_id, recipient, subject, body_text, html_body, attempts
                 FROM mail_outbox
                 WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED",
                vec![],
            )
            .await?
        else {
            tx.commit().await?;
            return Ok(false);
        };
        let attachments: Vec<MailAttachment> = tx
            .fetch_all::<AttachmentRow>(
                "SELECT filename, content_type, bytes FROM mail_attachments
                 WHERE mail_id = $1 ORDER BY position",
                vec![mail.id.into()],
            )
            .await?
            .into_iter()
            .map(|a| MailAttachment {
                filename: a.filename,
                content_type: a.content_type,
                bytes: a.bytes,
            })
            .collect();
        let html = match &mail.html_body {
            Some(html) => html.clone(),
            None => app::branding::mail::html_body(
                &tenant.branding,
                &tenant.name,
                &self.state.settings().tenant_origin(tenant),
                &mail.body_text,
            ),
        };
        let outgoing = Outgoing {
            message_id: &mail.message_id,
            from: &self.from,
            sender_name: &identity.name,
            reply_to: identity.reply_to.as_deref(),
            to: &mail.recipient,
            subject: &mail.subject,
            text: &mail.body_text,
            html: &html,
            attachments: &attachments,
        };
        let result = self.transport.send(tenant, &outgoing).await;
        let attempts = mail.attempts + 1;
        let slug = tenant.slug.as_str();
        match result {
            Ok(()) => {
                tx.execute(
                    "UPDATE mail_outbox SET status = 'sent', attempts = $2, sent_at = now(), last_error = NULL WHERE id = $1",
                    vec![mail.id.into(), attempts.into()],
                )
                .await?;
                tx.commit().await?;
                tracing::info!(tenant = %slug, mail = %mail.id, message_id = %mail.message_id, "mail sent");
            }
            Err(error) => {
                let status = if error.permanent || attempts >= MAX_ATTEMPTS {
                    "failed"
                } else {
                    "pending"
                };
                let error = error.message;
                tracing::warn!(tenant = %slug, mail = %mail.id, attempts, %error, status, "mail delivery failed");
                tx.execute(
                    "UPDATE mail_outbox SET status = $2, attempts = $3, last_error = $4,
                            next_attempt_at = now() + $5 * interval '1 second' WHERE id = $1",
                    vec![
                        mail.id.into(),
                        status.into(),
                        attempts.into(),
                        error.into(),
                        backoff(attempts).whole_seconds().into(),
                    ],
                )
                .await?;
                tx.commit().await?;
            }
        }
        Ok(true)
    }

    /// Delivers every active tenant's due mail, then returns how many tenants had some
    /// (`guichet deliver-mail`).
    pub async fn drain(&self) -> Result<usize, AppError> {
        let slugs = self.tenants_with_pending_mail().await?;
        for slug in &slugs {
            self.deliver_tenant(slug).await?;
        }
        Ok(slugs.len())
    }

    /// Slugs of active tenants that have mail waiting, found with a few statements overall.
    pub async fn tenants_with_pending_mail(&self) -> Result<Vec<String>, AppError> {
        #[derive(FromQueryResult)]
        struct Row {
            slug: String,
            schema_name: String,
        }
        let rows = Row::find_by_statement(Statement::from_string(
            DbBackend::Postgres,
            "SELECT slug, schema_name FROM platform.tenants WHERE status = 'active'",
        ))
        .all(self.state.pool())
        .await?;
        // Only schemas whose outbox table exists (migrated) can be asked.
        let tenants: Vec<(String, SchemaName)> = rows
            .into_iter()
            .filter_map(|r| SchemaName::parse(&r.schema_name).ok().map(|s| (r.slug, s)))
            .collect();
        let schemas: Vec<SchemaName> = tenants.iter().map(|(_, s)| s.clone()).collect();
        let versions = schema_versions(self.state.pool(), &schemas).await?;
        let outbox_version = outbox_version();
        let ready: Vec<&(String, SchemaName)> = tenants
            .iter()
            .filter(|(_, s)| versions.get(s).is_some_and(|v| *v >= outbox_version))
            .collect();
        let mut pending = Vec::new();
        for chunk in ready.chunks(250) {
            let sql = chunk
                .iter()
                .enumerate()
                .map(|(i, (_, schema))| {
                    format!(
                        "SELECT {i}::int4 AS i WHERE EXISTS (SELECT 1 FROM {}.mail_outbox WHERE status = 'pending')",
                        schema.quoted()
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            #[derive(FromQueryResult)]
            struct Hit {
                i: i32,
            }
            let hits = Hit::find_by_statement(Statement::from_string(DbBackend::Postgres, sql))
                .all(self.state.pool())
                .await?;
            pending.extend(
                hits.into_iter()
                    .filter_map(|h| chunk.get(h.i as usize).map(|(slug, _)| slug.clone())),
            );
        }
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(8), Duration::seconds(3600));
    }
}
