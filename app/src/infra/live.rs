//! Live updates: a dossier changed, tell whoever is watching it (server-sent events).
//!
//! The change is announced with `pg_notify` inside the transaction that made it, so watchers
//! hear of committed changes only, from any server process; one listener per process fans the
//! notifications out to the open event streams through a broadcast channel.

use uuid::Uuid;

use super::db::{Queries, TenantTx};
use crate::error::AppError;

/// NOTIFY channel: payload `<tenant schema>:<dossier id>`.
pub const DOSSIERS_CHANNEL: &str = "guichet_dossiers";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DossierChanged {
    pub schema: String,
    pub dossier_id: Uuid,
}

impl DossierChanged {
    /// Not a change: the listener lost its connection, so notifications may have been missed
    /// (watchers re-read what they follow; the search indexer catches up).
    pub fn missed() -> Self {
        Self {
            schema: String::new(),
            dossier_id: Uuid::nil(),
        }
    }

    pub fn is_missed(&self) -> bool {
        self.schema.is_empty()
    }

    pub fn parse(payload: &str) -> Option<Self> {
        let (schema, id) = payload.split_once(':')?;
        Some(Self {
            schema: schema.to_owned(),
            dossier_id: Uuid::parse_str(id).ok()?,
        })
    }
}

pub async fn announce(tx: &TenantTx, dossier_id: Uuid) -> Result<(), AppError> {
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![
            DOSSIERS_CHANNEL.into(),
            format!("{}:{dossier_id}", tx.tenant().schema.as_str()).into(),
        ],
    )
    .await?;
    Ok(())
}
