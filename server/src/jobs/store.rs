//! Keeps this process's store index (see `app::store::search`) in step with the others:
//! `NOTIFY guichet_store, '<entry id>'` is sent by every transaction that publishes, imports
//! or changes an entry; on it the entry is re-read. The index is built at start, and rebuilt
//! whenever the listener lost its connection (notifications may have been missed).

use std::time::Duration;

use app::infra::AppState;
use app::store::search::STORE_CHANNEL;
use sqlx::postgres::PgListener;
use uuid::Uuid;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = run(&state).await {
                tracing::error!(%error, "store index listener stopped; restarting in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    })
}

async fn run(state: &AppState) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(state.pool().get_postgres_connection_pool()).await?;
    listener.listen(STORE_CHANNEL).await?;
    rebuild(state).await;
    loop {
        match listener.try_recv().await? {
            Some(notification) => match Uuid::parse_str(notification.payload()) {
                Ok(entry) => {
                    if let Err(error) = state.store().refresh(state, entry).await {
                        tracing::error!(?error, %entry, "store index refresh failed");
                    }
                }
                Err(_) => rebuild(state).await,
            },
            None => rebuild(state).await,
        }
    }
}

async fn rebuild(state: &AppState) {
    if let Err(error) = state.store().rebuild(state).await {
        tracing::error!(?error, "store index rebuild failed");
    }
}
