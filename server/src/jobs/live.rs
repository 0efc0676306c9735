//! Relays `guichet_dossiers` notifications to the open event streams of this process. A
//! listener of its own, so live updates never wait behind a slow mail delivery.

use std::time::Duration;

use app::infra::AppState;
use app::infra::live::{DOSSIERS_CHANNEL, DossierChanged};
use sqlx::postgres::PgListener;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = relay(&state).await {
                tracing::error!(%error, "live dossier updates stopped; restarting in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    })
}

async fn relay(state: &AppState) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(state.pool().get_postgres_connection_pool()).await?;
    listener.listen(DOSSIERS_CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        if let Some(change) = DossierChanged::parse(notification.payload()) {
            // No receiver is not an error: nobody is watching right now.
            let _ = state.live().send(change);
        }
    }
}
