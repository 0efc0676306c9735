//! Relays `guichet_dossiers` notifications to the open event streams of this process. A
//! listener of its own, so live updates never wait behind a slow mail delivery.

use std::time::Duration;

use app::infra::AppState;
use app::infra::live::{DOSSIERS_CHANNEL, DossierChanged};
use sqlx::postgres::PgListener;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut reconnected = false;
        loop {
            if let Err(error) = relay(&state, reconnected).await {
                tracing::error!(%error, "live dossier updates stopped; restarting in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            reconnected = true;
        }
    })
}

/// Relays notifications; after a lost connection, says that some may have been missed
/// ([`DossierChanged::missed`]).
async fn relay(state: &AppState, reconnected: bool) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(state.pool().get_postgres_connection_pool()).await?;
    listener.listen(DOSSIERS_CHANNEL).await?;
    if reconnected {
        let _ = state.live().send(DossierChanged::missed());
    }
    loop {
        // `None`: the connection was lost and re-established in between.
        let change = match listener.try_recv().await? {
            Some(notification) => DossierChanged::parse(notification.payload()),
            None => Some(DossierChanged::missed()),
        };
        if let Some(change) = change {
            // No receiver is not an error: nobody is watching right now.
            let _ = state.live().send(change);
        }
    }
}
