//! Server functions for designing and listing démarches, and the types they return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::document::DemarcheDocument;
use super::model::Audience;
use crate::error::AppError;

/// A démarche as the designer lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemarcheSummary {
    pub id: String,
    pub title: String,
    pub rubrique: String,
    /// `draft`, `published` or `closed`.
    pub state: String,
    pub current_version: Option<u32>,
    /// The draft differs from the last published version.
    pub unpublished_changes: bool,
}

/// A published démarche as the portal offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub description: String,
    pub rubrique: String,
    pub audience: Audience,
}

/// What the designer opens: the draft and the last published version it is compared with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesignerState {
    pub id: String,
    pub draft: DemarcheDocument,
    pub published: Option<DemarcheDocument>,
    pub current_version: Option<u32>,
    /// `draft`, `published` or `closed`.
    pub state: String,
}

#[server(endpoint = "demarches/create")]
pub async fn create_demarche(title: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let id = super::service::create(&tx, &title).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

/// Saves the draft (`document`: the JSON document). A draft may be incomplete: the answer lists
/// what would still prevent publication.
#[server(endpoint = "demarches/save")]
pub async fn save_draft(
    id: String,
    document: String,
) -> Result<Vec<crate::error::Problem>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let problems = super::service::save_draft(&tx, &id, &document).await?;
            tx.commit().await?;
            Ok(problems)
        }
        .await,
    )
}

#[server(endpoint = "demarches/designer")]
pub async fn open_designer(id: String) -> Result<DesignerState, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let state = super::service::designer_state(&tx, &id).await?;
            tx.commit().await?;
            Ok(state)
        }
        .await,
    )
}

#[server(endpoint = "demarches/publish")]
pub async fn publish_demarche(id: String) -> Result<u32, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let designer = super::service::require_designer(&tx).await?;
            let version = super::service::publish(&tx, &designer, &id).await?;
            tx.commit().await?;
            Ok(version)
        }
        .await,
    )
}

#[server(endpoint = "demarches/list")]
pub async fn list_demarches() -> Result<Vec<DemarcheSummary>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let list = super::service::list(&tx).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

/// The draft as a JSON document, to download or to share through the store.
#[server(endpoint = "demarches/export")]
pub async fn export_demarche(id: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let json = super::service::export(&tx, &id).await?;
            tx.commit().await?;
            Ok(json)
        }
        .await,
    )
}

/// Creates a new draft from a JSON document; bad documents are refused with every problem.
#[server(endpoint = "demarches/import")]
pub async fn import_demarche(document: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            super::service::require_designer(&tx).await?;
            let id = super::service::import(&tx, &document).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

/// The démarches a citizen can start today on this portal.
#[server(endpoint = "demarches/catalogue")]
pub async fn catalogue() -> Result<Vec<CatalogueEntry>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let entries = super::service::catalogue(&tx).await?;
            tx.commit().await?;
            Ok(entries)
        }
        .await,
    )
}
