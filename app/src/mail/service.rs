//! Reading the outbox for agents, re-sending failed mail, the sender identity settings.

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{MailLine, MailSettingsView, MailStatus, OutboxPage};
use super::strings as s;
use crate::error::AppError;
use crate::infra::dates::french_date_time;
use crate::infra::mail::OUTBOX_CHANNEL;
use crate::infra::{Queries, TenantTx};

type AppResult<T> = Result<T, AppError>;

/// The admin page lists at most this many mails (the most recent).
pub const LIST_LIMIT: i64 = 200;
const MAX_SENDER_NAME: usize = 100;

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    recipient: String,
    subject: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: OffsetDateTime,
    sent_at: Option<OffsetDateTime>,
    reference: Option<String>,
}

const SELECT: &str = "SELECT m.id, m.recipient, m.subject, m.status, m.attempts, m.last_error,
        m.created_at, m.sent_at, d.reference
    FROM mail_outbox m LEFT JOIN dossiers d ON d.id = m.dossier_id";

fn line(row: Row) -> MailLine {
    let status = MailStatus::parse(&row.status).unwrap_or(MailStatus::Pending);
    let reason = row.last_error.as_deref().unwrap_or_default();
    let state = match status {
        MailStatus::Sent => s::sent_on(&row.sent_at.map(french_date_time).unwrap_or_default()),
        MailStatus::Failed => s::failed(reason),
        MailStatus::Pending if reason.is_empty() => MailStatus::Pending.label().to_owned(),
        MailStatus::Pending => s::retrying(reason),
    };
    MailLine {
        id: row.id.to_string(),
        recipient: row.recipient,
        subject: row.subject,
        status,
        state,
        attempts: row.attempts,
        queued_at: french_date_time(row.created_at),
        dossier: row.reference,
    }
}

/// The mails about one dossier, oldest first. The caller has checked the agent may read it.
pub async fn dossier_mails(tx: &TenantTx, dossier_id: Uuid) -> AppResult<Vec<MailLine>> {
    let rows: Vec<Row> = tx
        .fetch_all(
            &format!("{SELECT} WHERE m.dossier_id = $1 ORDER BY m.created_at, m.id"),
            vec![dossier_id.into()],
        )
        .await?;
    Ok(rows.into_iter().map(line).collect())
}

/// The admin page: settings, counts, and the most recent mails (of one status, if given).
pub async fn outbox(tx: &TenantTx, only: Option<MailStatus>) -> AppResult<OutboxPage> {
    let rows: Vec<Row> = tx
        .fetch_all(
            &format!(
                "{SELECT} WHERE ($1::text IS NULL OR m.status = $1)
                 ORDER BY m.created_at DESC, m.id LIMIT $2"
            ),
            vec![
                only.map(|st| st.as_str().to_owned()).into(),
                LIST_LIMIT.into(),
            ],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Count {
        status: String,
        n: i64,
    }
    let counts: Vec<Count> = tx
        .fetch_all(
            "SELECT status, count(*) AS n FROM mail_outbox GROUP BY status",
            vec![],
        )
        .await?;
    Ok(OutboxPage {
        settings: settings(tx).await?,
        mails: rows.into_iter().map(line).collect(),
        counts: MailStatus::ALL
            .into_iter()
            .map(|st| {
                let n = counts
                    .iter()
                    .find(|c| c.status == st.as_str())
                    .map_or(0, |c| c.n);
                (st, n)
            })
            .collect(),
        limit: LIST_LIMIT,
    })
}

/// Queues a failed mail again: same row, so the same Message-ID; attempts start over.
pub async fn resend(tx: &TenantTx, id: &str) -> AppResult<()> {
    let not_found = || AppError::NotFound(s::NOT_RESENDABLE.to_owned());
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let updated = tx
        .execute(
            "UPDATE mail_outbox SET status = 'pending', attempts = 0, last_error = NULL,
                    next_attempt_at = now()
             WHERE id = $1 AND status = 'failed'",
            vec![id.into()],
        )
        .await?;
    if updated == 0 {
        return Err(not_found());
    }
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![OUTBOX_CHANNEL.into(), tx.tenant().slug.as_str().into()],
    )
    .await?;
    tracing::info!(tenant = %tx.tenant().slug, mail = %id, "failed mail queued again");
    Ok(())
}

pub async fn settings(tx: &TenantTx) -> AppResult<MailSettingsView> {
    #[derive(FromQueryResult)]
    struct Settings {
        sender_name: Option<String>,
        reply_to: Option<String>,
    }
    let saved: Option<Settings> = tx
        .fetch_optional("SELECT sender_name, reply_to FROM mail_settings", vec![])
        .await?;
    let tenant = tx.tenant();
    Ok(MailSettingsView {
        sender_name: saved
            .as_ref()
            .and_then(|r| r.sender_name.clone())
            .unwrap_or_default(),
        default_sender_name: tenant.branding.name_or(&tenant.name).to_owned(),
        reply_to: saved.and_then(|r| r.reply_to).unwrap_or_default(),
    })
}

/// The sender name: empty means the default; otherwise one plain line (it goes into the From
/// header, where a newline or an angle bracket would change the header's meaning).
pub fn validate_sender_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.chars().count() > MAX_SENDER_NAME {
        return Err(AppError::invalid("sender_name", s::SENDER_NAME_TOO_LONG));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
    {
        return Err(AppError::invalid("sender_name", s::SENDER_NAME_CHARACTERS));
    }
    Ok(name.to_owned())
}

/// The Reply-To address: empty means none; otherwise a real address (same rule as accounts').
pub fn validate_reply_to(raw: &str) -> AppResult<String> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    crate::account::validate::email("reply_to", raw)
        .map_err(|error| AppError::invalid("reply_to", s::reply_to_invalid(&error.to_string())))
}

pub async fn save_settings(
    tx: &TenantTx,
    sender_name: &str,
    reply_to: &str,
) -> AppResult<MailSettingsView> {
    let name = validate_sender_name(sender_name)?;
    let reply_to = validate_reply_to(reply_to)?;
    tx.execute(
        "INSERT INTO mail_settings (singleton, sender_name, reply_to) VALUES (true, NULLIF($1, ''), NULLIF($2, ''))
         ON CONFLICT (singleton) DO UPDATE SET sender_name = EXCLUDED.sender_name,
             reply_to = EXCLUDED.reply_to, updated_at = EXCLUDED.updated_at",
        vec![name.into(), reply_to.into()],
    )
    .await?;
    settings(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_names_are_one_plain_line() {
        assert_eq!(
            validate_sender_name("  Mairie de Rezé ").unwrap(),
            "Mairie de Rezé"
        );
        assert_eq!(validate_sender_name("").unwrap(), "");
        for bad in ["Mairie\r\nBcc: x@y.fr", "Mairie <x@y.fr>", "a\"b"] {
            assert!(validate_sender_name(bad).is_err(), "{bad}");
        }
        assert!(validate_sender_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn reply_to_is_empty_or_a_real_address() {
        assert_eq!(validate_reply_to(" ").unwrap(), "");
        assert_eq!(
            validate_reply_to(" Accueil@Reze.fr ").unwrap(),
            "accueil@reze.fr"
        );
        let error = validate_reply_to("accueil@reze").unwrap_err();
        assert_eq!(error.field(), Some("reply_to"));
        assert!(
            error
                .to_string()
                .starts_with("L'adresse de réponse n'est pas valide")
        );
    }
}
