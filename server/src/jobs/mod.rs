//! Background jobs. One PostgreSQL listener drives them:
//! - `guichet_outbox` (payload: tenant slug) → deliver that tenant's outbox;
//! - `guichet_tenants` → sweep, since a reactivated tenant may have mail waiting (every node
//!   forgets the tenant's cached resolution in [`live`], which runs with HTTP).
//!
//! Mail merges run in their own task (`mail_merge`: its own listener on `guichet_merges`), so a
//! long merge never delays mail delivery.
//!
//! Notifications can be missed (listener reconnect), so the outbox is also swept: all tenants
//! at start and every [`SWEEP_INTERVAL`], and tenants with mail waiting for a retry when due.
//! Each sweep also removes the communes whose scheduled deletion is due.

pub mod digest;
pub mod duplicates;
pub mod indexer;
pub mod live;
pub mod mail_merge;
pub mod outbox;
pub mod store;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::infra::AppState;
use app::infra::mail::{OUTBOX_CHANNEL, TENANTS_CHANNEL};
use sqlx::postgres::PgListener;
use time::OffsetDateTime;
use tokio::time::Instant;

use crate::mail::MailTransport;

const SWEEP_INTERVAL: Duration = Duration::from_secs(300);

pub struct Jobs {
    state: AppState,
    outbox: outbox::Outbox,
    /// Tenant slug → when its next retry is due.
    retries: HashMap<String, OffsetDateTime>,
}

pub fn spawn(
    state: AppState,
    transport: MailTransport,
    mail_from: String,
) -> tokio::task::JoinHandle<()> {
    let outbox = outbox::Outbox::new(state.clone(), Arc::new(transport), mail_from);
    let mut jobs = Jobs {
        state,
        outbox,
        retries: HashMap::new(),
    };
    tokio::spawn(async move {
        loop {
            if let Err(error) = jobs.run().await {
                tracing::error!(%error, "background jobs stopped; restarting in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    })
}

impl Jobs {
    async fn run(&mut self) -> anyhow::Result<()> {
        let mut listener =
            PgListener::connect_with(self.state.pool().get_postgres_connection_pool()).await?;
        listener
            .listen_all([OUTBOX_CHANNEL, TENANTS_CHANNEL])
            .await?;
        self.sweep_all().await;
        let mut next_sweep = Instant::now() + SWEEP_INTERVAL;
        loop {
            let now = OffsetDateTime::now_utc();
            let next_retry = self.retries.values().min().map(|due| {
                Instant::now() + Duration::try_from(*due - now).unwrap_or(Duration::ZERO)
            });
            let wake = next_retry.map_or(next_sweep, |retry| retry.min(next_sweep));
            tokio::select! {
                notification = listener.try_recv() => match notification? {
                    Some(n) if n.channel() == OUTBOX_CHANNEL => self.deliver(n.payload()).await,
                    // A tenant changed (a reactivation may release queued mail), or the
                    // connection was lost and re-established: catch up on what we missed.
                    Some(_) | None => self.sweep_all().await,
                },
                _ = tokio::time::sleep_until(wake) => {
                    if Instant::now() >= next_sweep {
                        self.sweep_all().await;
                        next_sweep = Instant::now() + SWEEP_INTERVAL;
                    } else {
                        let now = OffsetDateTime::now_utc();
                        let due: Vec<String> = self.retries.iter().filter(|(_, at)| **at <= now).map(|(s, _)| s.clone()).collect();
                        for slug in due {
                            self.deliver(&slug).await;
                        }
                    }
                }
            }
        }
    }

    async fn deliver(&mut self, slug: &str) {
        match self.outbox.deliver_tenant(slug).await {
            Ok(Some(next)) => {
                self.retries.insert(slug.to_owned(), next);
            }
            Ok(None) => {
                self.retries.remove(slug);
            }
            Err(error) => tracing::error!(tenant = %slug, ?error, "outbox delivery failed"),
        }
    }

    async fn sweep_all(&mut self) {
        // Ended windows of the login limiter: any node may remove them, as often as it likes.
        if let Err(error) = self.state.login_limiter().purge_expired().await {
            tracing::error!(?error, "login failures purge failed");
        }
        // Communes whose deletion is due (row-locked: one node removes each).
        match app::platform::deletion::purge_due(&self.state).await {
            Ok(purged) => {
                for slug in purged {
                    self.retries.remove(&slug);
                }
            }
            Err(error) => tracing::error!(?error, "commune deletion failed"),
        }
        match self.outbox.tenants_with_pending_mail().await {
            Ok(slugs) => {
                for slug in slugs {
                    self.deliver(&slug).await;
                }
            }
            Err(error) => tracing::error!(?error, "outbox sweep failed"),
        }
    }
}
