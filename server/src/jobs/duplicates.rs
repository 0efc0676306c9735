//! The nightly duplicate detection: every tenant is looked at every quarter of an hour from
//! 01:00 UTC; `duplicates::service::detect_all` claims the tenant's day, so the run happens
//! once a day whichever process gets there first. Each tenant runs in its own transaction: one
//! commune's failure does not stop the others'.

use std::time::{Duration, Instant};

use app::duplicates::service::DetectionReport;
use app::infra::{AppState, TenantTx};

const EVERY: Duration = Duration::from_secs(15 * 60);
/// Quiet hours in France (02:00 or 03:00 in Paris).
const FROM_HOUR_UTC: u8 = 1;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if time::OffsetDateTime::now_utc().hour() >= FROM_HOUR_UTC
                && let Err(error) = run_all(&state, None, Run::Nightly).await
            {
                tracing::error!(%error, "duplicate detection failed");
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}

/// Whether a run is the day's (claimed once) or asked for by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    Nightly,
    Now,
}

/// One tenant's detection: what it did and how long it took.
#[derive(Clone, Debug)]
pub struct TenantDetection {
    pub slug: String,
    pub report: DetectionReport,
    pub elapsed: Duration,
}

/// Runs the detection in every active tenant (or one); tenants whose nightly run was already
/// claimed are left out of the result.
pub async fn run_all(
    state: &AppState,
    only: Option<&str>,
    run: Run,
) -> anyhow::Result<Vec<TenantDetection>> {
    let mut done = Vec::new();
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
        let started = Instant::now();
        let outcome = async {
            let tx = TenantTx::begin(state, found).await?;
            let report = app::duplicates::service::detect_all(&tx, run == Run::Nightly).await?;
            tx.commit().await?;
            Ok::<_, app::error::AppError>(report)
        }
        .await;
        match outcome {
            Ok(Some(report)) => {
                tracing::info!(tenant = %tenant.slug, people = report.people, compared = report.compared, new = report.new, "duplicate detection done");
                done.push(TenantDetection {
                    slug: tenant.slug,
                    report,
                    elapsed: started.elapsed(),
                });
            }
            Ok(None) => {}
            Err(error) => {
                tracing::error!(tenant = %tenant.slug, %error, "duplicate detection failed")
            }
        }
    }
    Ok(done)
}
