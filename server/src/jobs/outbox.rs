//! Delivers queued mail, tenant by tenant, with retries and exponential backoff.

use std::sync::Arc;

use app::error::AppError;
use app::infra::{AppState, Queries, TenantStatus, TenantTx};
use app::platform::service::tenant_by_slug;
use guichet_migrations::{SchemaName, schema_versions};
use sea_orm::{DbBackend, FromQueryResult, Statement};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::mail::MailTransport;

pub const MAX_ATTEMPTS: i32 = 8;
/// The tenant migration that creates `mail_outbox`.
const OUTBOX_VERSION: u32 = 2;
const BATCH: i64 = 20;

/// 30 s, 1 min, 2 min, … capped at 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exponent).min(3600))
}

#[derive(FromQueryResult)]
struct PendingMail {
    id: Uuid,
    recipient: String,
    subject: String,
    body_text: String,
    attempts: i32,
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
        loop {
            let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
            // SKIP LOCKED: several server processes can share the work without sending twice.
            let batch: Vec<PendingMail> = tx
                .fetch_all(
                    "SELECT id, recipient, subject, body_text, attempts FROM mail_outbox
                     WHERE status = 'pending' AND next_attempt_at <= now()
                     ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                    vec![BATCH.into()],
                )
                .await?;
            let origin = self.state.settings().tenant_origin(&tenant);
            for mail in &batch {
                let html = app::branding::mail::html_body(
                    &tenant.branding,
                    &tenant.name,
                    &origin,
                    &mail.body_text,
                );
                let result = self
                    .transport
                    .send(
                        &tenant,
                        &self.from,
                        &mail.recipient,
                        &mail.subject,
                        &mail.body_text,
                        &html,
                    )
                    .await;
                let attempts = mail.attempts + 1;
                match result {
                    Ok(()) => {
                        tx.execute(
                            "UPDATE mail_outbox SET status = 'sent', attempts = $2, sent_at = now(), last_error = NULL WHERE id = $1",
                            vec![mail.id.into(), attempts.into()],
                        )
                        .await?;
                        tracing::info!(tenant = %slug, mail = %mail.id, "mail sent");
                    }
                    Err(error) => {
                        let status = if attempts >= MAX_ATTEMPTS {
                            "failed"
                        } else {
                            "pending"
                        };
                        tracing::warn!(tenant = %slug, mail = %mail.id, attempts, %error, "mail delivery failed");
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
                    }
                }
            }
            tx.commit().await?;
            if (batch.len() as i64) < BATCH {
                break;
            }
        }
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
        let ready: Vec<&(String, SchemaName)> = tenants
            .iter()
            .filter(|(_, s)| versions.get(s).is_some_and(|v| *v >= OUTBOX_VERSION))
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
