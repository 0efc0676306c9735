//! The notifications every node must hear while it serves HTTP, on a listener of its own (so
//! live updates never wait behind a slow mail delivery):
//! - `guichet_dossiers` → relayed to this process's open event streams and search indexer;
//! - `guichet_tenants` (payload: the slug) → this process forgets the tenant's cached
//!   resolution (its look, its status), so the next load on any node shows the change.

use std::time::Duration;

use app::infra::AppState;
use app::infra::live::{DOSSIERS_CHANNEL, DossierChanged};
use app::infra::mail::TENANTS_CHANNEL;
use sqlx::postgres::PgListener;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut reconnected = false;
        loop {
            if let Err(error) = relay(&state, reconnected).await {
                state.set_listening(false);
                tracing::error!(%error, "live notifications stopped; restarting in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            reconnected = true;
        }
    })
}

/// Something may have been missed: watchers re-read, the indexer catches up, and every cached
/// tenant is forgotten.
fn missed(state: &AppState) {
    state.directory().invalidate();
    let _ = state.live().send(DossierChanged::missed());
}

async fn relay(state: &AppState, reconnected: bool) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(state.pool().get_postgres_connection_pool()).await?;
    listener
        .listen_all([DOSSIERS_CHANNEL, TENANTS_CHANNEL])
        .await?;
    if reconnected {
        missed(state);
    }
    state.set_listening(true);
    loop {
        // `None`: the connection was lost and re-established in between.
        let Some(notification) = listener.try_recv().await? else {
            missed(state);
            continue;
        };
        if notification.channel() == TENANTS_CHANNEL {
            match notification.payload() {
                "" => state.directory().invalidate(),
                slug => state.directory().invalidate_tenant(slug),
            }
        } else if let Some(change) = DossierChanged::parse(notification.payload()) {
            // No receiver is not an error: nobody is watching right now.
            let _ = state.live().send(change);
        }
    }
}
