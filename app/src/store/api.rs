//! Server functions of the store: thin — transaction and rights → service → result. After a
//! change commits, this process's index is refreshed at once (others hear the NOTIFY).

use leptos::prelude::*;

use super::model::{
    OperatorEntry, PublishForm, Published, StoreEntryView, StoreQuery, StoreResults, StoreSummary,
};
use crate::error::AppError;

/// The catalogue (designers of any commune).
#[server(endpoint = "store/browse")]
pub async fn browse_store(#[server(default)] query: StoreQuery) -> Result<StoreResults, AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let results = super::service::browse(&state, &tx, &query).await?;
            tx.commit().await?;
            Ok(results)
        }
        .await,
    )
}

/// The commune's imports with a newer version in the store (for the démarches list).
#[server(endpoint = "store/updates")]
pub async fn store_updates() -> Result<Vec<StoreSummary>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let updates = super::service::pending_updates(&tx).await?;
            tx.commit().await?;
            Ok(updates)
        }
        .await,
    )
}

#[server(endpoint = "store/entry")]
pub async fn store_entry(id: String) -> Result<StoreEntryView, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let view = super::service::entry(&tx, &id).await?;
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

#[server(endpoint = "store/publish_form")]
pub async fn publish_choices() -> Result<PublishForm, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let form = super::service::publish_form(&tx).await?;
            tx.commit().await?;
            Ok(form)
        }
        .await,
    )
}

/// Shares one of the commune's démarches (a new entry, or a new version of its entry).
#[server(endpoint = "store/publish")]
pub async fn publish_to_store(
    demarche_id: String,
    description: String,
    domain: String,
    organism_type: String,
    publisher_name: String,
    notes: String,
) -> Result<Published, AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let hosts = vec![state.settings().tenant_host(tx.tenant().slug.as_str())];
            let input = super::service::PublishInput {
                demarche_id,
                description,
                domain,
                organism_type,
                publisher_name,
                notes,
            };
            let published = super::service::publish(&tx, &hosts, &input).await?;
            tx.commit().await?;
            refresh(&state, &published.entry_id).await;
            Ok(published)
        }
        .await,
    )
}

/// Imports the entry's latest version as a new draft routed to `service`; returns its id and
/// sends the browser to its designer (a plain form post gets a 302 there).
#[server(endpoint = "store/import")]
pub async fn import_from_store(entry: String, service: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let imported = super::service::import_from_form(&tx, &entry, &service).await?;
            tx.commit().await?;
            refresh(&state, &entry).await;
            let id = imported.demarche_id.to_string();
            leptos_axum::redirect(&super::model::designer_after_import(&id));
            Ok(id)
        }
        .await,
    )
}

/// Every entry, for the platform's operators.
#[server(endpoint = "store/operator_entries")]
pub async fn operator_entries() -> Result<Vec<OperatorEntry>, AppError> {
    crate::infra::reply(
        async {
            let state = crate::platform::api::operator_state().await?;
            super::service::operator_entries(&state).await
        }
        .await,
    )
}

/// Published entries an operator may give a new commune.
#[server(endpoint = "store/starter_options")]
pub async fn starter_options() -> Result<Vec<OperatorEntry>, AppError> {
    crate::infra::reply(
        async {
            let state = crate::platform::api::operator_state().await?;
            super::service::starter_options(&state).await
        }
        .await,
    )
}

/// `action`: `feature`, `unfeature`, `hide`, `show` or `withdraw`.
#[server(endpoint = "store/operator_act")]
pub async fn operator_act(id: String, action: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let state = crate::platform::api::operator_state().await?;
            let action = super::model::OperatorAction::parse(&action)
                .ok_or_else(|| AppError::invalid("action", super::strings::ACTION_UNKNOWN))?;
            super::service::operator_act(&state, &id, action).await
        }
        .await,
    )
}

/// This process's index learns of the change now; a failure only delays it until the
/// notification is heard.
#[cfg(feature = "ssr")]
async fn refresh(state: &crate::infra::AppState, entry: &str) {
    if let Ok(id) = uuid::Uuid::parse_str(entry.trim())
        && let Err(error) = state.store().refresh(state, id).await
    {
        tracing::warn!(?error, %entry, "store index refresh failed");
    }
}
