//! Server functions of the 360° view: thin — tenant transaction + the signed-in agent with
//! their rights → service → commit; a record created or corrected is indexed once committed.
// The person forms post every attribute: the server macro copies the signature into
// generated client code that no item-level `allow` reaches.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::model::{PersonPage, UsagerLine};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backoffice::service::Agent;
    pub use crate::infra::{AppState, TenantTx};
    pub use crate::usagers::service;

    pub async fn open() -> Result<(AppState, TenantTx, Agent), crate::error::AppError> {
        let (state, tx) = crate::account::api::tenant_tx().await?;
        let agent = Agent::current(&tx).await?;
        Ok((state, tx, agent))
    }
}

/// People and organisations matching `q`, within the agent's rights.
#[server(endpoint = "usagers/search")]
pub async fn search_usagers(q: String) -> Result<Vec<UsagerLine>, AppError> {
    crate::infra::reply(
        async {
            let (state, tx, agent) = ssr::open().await?;
            ssr::service::ensure_index(&state, tx.tenant()).await?;
            let lines = ssr::service::search(&tx, state.search(), &agent, &q).await?;
            tx.commit().await?;
            Ok(lines)
        }
        .await,
    )
}

#[server(endpoint = "usagers/person")]
pub async fn load_usager(id: String) -> Result<PersonPage, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let page = ssr::service::person_page(&tx, &agent, &id).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

/// A person met at the counter; answers with a redirection to their page.
#[server(endpoint = "usagers/create")]
pub async fn create_usager(
    #[server(default)] civility: Option<String>,
    #[server(default)] given_names: Option<String>,
    #[server(default)] birth_name: Option<String>,
    #[server(default)] usage_name: Option<String>,
    #[server(default)] birth_date: Option<String>,
    #[server(default)] email: Option<String>,
    #[server(default)] phone: Option<String>,
    #[server(default)] address_number: Option<String>,
    #[server(default)] address_street: Option<String>,
    #[server(default)] address_postcode: Option<String>,
    #[server(default)] address_commune: Option<String>,
) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (state, tx, agent) = ssr::open().await?;
            let form = ssr::service::PersonForm {
                civility,
                given_names,
                birth_name,
                usage_name,
                birth_date,
                email,
                phone,
                address_number,
                address_street,
                address_postcode,
                address_commune,
                ..Default::default()
            };
            let id = ssr::service::create_at_counter(&tx, &agent, &form).await?;
            let tenant = tx.tenant().clone();
            tx.commit().await?;
            ssr::service::index_people(&state, &tenant, &[id]).await?;
            leptos_axum::redirect(&format!("/back-office/usagers/{id}"));
            Ok(id.to_string())
        }
        .await,
    )
}

/// Corrects the record's attributes that are not certified; `verifie`: checked on a document.
#[server(endpoint = "usagers/edit")]
pub async fn edit_usager(
    id: String,
    #[server(default)] verifie: Option<String>,
    #[server(default)] civility: Option<String>,
    #[server(default)] given_names: Option<String>,
    #[server(default)] birth_name: Option<String>,
    #[server(default)] usage_name: Option<String>,
    #[server(default)] birth_date: Option<String>,
    #[server(default)] birth_place: Option<String>,
    #[server(default)] birth_country: Option<String>,
    #[server(default)] email: Option<String>,
    #[server(default)] phone: Option<String>,
    #[server(default)] address_number: Option<String>,
    #[server(default)] address_street: Option<String>,
    #[server(default)] address_postcode: Option<String>,
    #[server(default)] address_commune: Option<String>,
) -> Result<bool, AppError> {
    crate::infra::reply(
        async {
            let (state, tx, agent) = ssr::open().await?;
            let form = ssr::service::PersonForm {
                civility,
                given_names,
                birth_name,
                usage_name,
                birth_date,
                birth_place,
                birth_country,
                email,
                phone,
                address_number,
                address_street,
                address_postcode,
                address_commune,
            };
            let checked = verifie.is_some_and(|v| !v.is_empty());
            let edited = ssr::service::edit(&tx, &agent, &id, &form, checked).await?;
            let tenant = tx.tenant().clone();
            tx.commit().await?;
            let changed = edited == ssr::service::Edited::Changed;
            if changed && let Ok(person) = uuid::Uuid::parse_str(id.trim()) {
                ssr::service::index_people(&state, &tenant, &[person]).await?;
            }
            Ok(changed)
        }
        .await,
    )
}

#[server(endpoint = "usagers/note")]
pub async fn note_usager(id: String, body: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            ssr::service::add_note(&tx, &agent, &id, &body).await?;
            tx.commit().await
        }
        .await,
    )
}
