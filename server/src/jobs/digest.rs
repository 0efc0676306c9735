//! The agents' daily digest of urgent and late dossiers: every tenant is looked at every
//! quarter of an hour from 07:00 (Paris); `backoffice::service::send_digests` claims each
//! agent's day, so the mail goes once a day whichever process gets there first.

use std::time::Duration;

use app::infra::{AppState, TenantTx};

const EVERY: Duration = Duration::from_secs(15 * 60);
/// 06:00 UTC is 07:00 in Paris in winter, 08:00 in summer: before agents start, after the night.
const FROM_HOUR_UTC: u8 = 6;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if time::OffsetDateTime::now_utc().hour() >= FROM_HOUR_UTC
                && let Err(error) = run_all(&state, None).await
            {
                tracing::error!(%error, "daily digests failed");
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}

/// Sends the digests due in every active tenant (or one), returning `(slug, mails)`.
pub async fn run_all(state: &AppState, only: Option<&str>) -> anyhow::Result<Vec<(String, usize)>> {
    let mut report = Vec::new();
    for tenant in app::platform::service::list_tenants(state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        if !tenant.active || only.is_some_and(|slug| slug != tenant.slug) {
            continue;
        }
        let found = app::platform::service::tenant_by_slug(state, &tenant.slug)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let sent = async {
            let tx = TenantTx::begin(state, found).await?;
            let sent = app::backoffice::service::send_digests(&tx, state.settings()).await?;
            tx.commit().await?;
            Ok::<_, app::error::AppError>(sent)
        }
        .await;
        match sent {
            Ok(sent) => report.push((tenant.slug, sent)),
            Err(error) => tracing::error!(tenant = %tenant.slug, %error, "daily digest failed"),
        }
    }
    Ok(report)
}
