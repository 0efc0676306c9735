//! Server functions of contexts: the citizen side (a context's home and catalogue) and the
//! tenant admins' management page. Thin: tenant transaction + viewer → service.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{ContextsAdmin, Space};
use crate::demarches::api::CatalogueEntry;
use crate::error::AppError;

/// A portal page in its context: which one, and the démarches it offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceCatalogue {
    pub space: Space,
    pub entries: Vec<CatalogueEntry>,
}

/// What `/<code>` (or `/` on a context's host) shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContextHome {
    /// The plain portal's home.
    Portal,
    /// A context's home with its bouquet, or a deleted context's fallback (`Space::Gone`).
    Space(SpaceCatalogue),
    /// No context was ever at this address.
    Unknown,
}

/// `code`: the path segment of `/<code>`; `None`: the home of this host (a context's host opens
/// its context).
#[server(endpoint = "contexts/home")]
pub async fn load_context_home(code: Option<String>) -> Result<ContextHome, AppError> {
    use super::service;
    crate::infra::reply(
        async {
            // The plain portal's home, on the commune's own host, costs no query.
            if code.is_none() && crate::infra::current_tenant()?.host_context.is_none() {
                return Ok(ContextHome::Portal);
            }
            let (state, tx) = crate::account::api::tenant_tx().await?;
            let space = match code.as_deref() {
                Some(code) => service::space_at(&tx, state.settings(), code).await?,
                None => Some(service::space(&tx, state.settings(), None).await?),
            };
            let home = match space {
                None => ContextHome::Unknown,
                Some(Space::Portal) => ContextHome::Portal,
                Some(space) => {
                    let entries = service::catalogue(&tx, &space).await?;
                    ContextHome::Space(SpaceCatalogue { space, entries })
                }
            };
            tx.commit().await?;
            Ok(home)
        }
        .await,
    )
}

/// The catalogue (`/demarches`) in the context `contexte` asks for (or the host's).
#[server(endpoint = "contexts/catalogue")]
pub async fn load_space_catalogue(contexte: Option<String>) -> Result<SpaceCatalogue, AppError> {
    use super::service;
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            let space = service::space(&tx, state.settings(), contexte.as_deref()).await?;
            let entries = service::catalogue(&tx, &space).await?;
            tx.commit().await?;
            Ok(SpaceCatalogue { space, entries })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::require_role;
    pub use crate::contexts::model::ContextInput;
    pub use crate::contexts::service;
    pub use crate::infra::reply;
}

#[server(endpoint = "contexts/admin")]
pub async fn load_contexts() -> Result<ContextsAdmin, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let page = service::admin_page(&tx).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

/// Creates (`id` empty) or changes a context. The bouquet comes as `demarches[i]` checkboxes.
#[server(endpoint = "contexts/save")]
pub async fn save_context(
    #[server(default)] id: String,
    #[server(default)] code: String,
    #[server(default)] name: String,
    #[server(default)] welcome_text: String,
    #[server(default)] help_text: String,
    #[server(default)] primary_color: String,
    #[server(default)] secondary_color: String,
    #[server(default)] host: String,
    #[server(default)] position: String,
    #[server(default)] demarches: Vec<String>,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (state, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let input = ContextInput {
                code,
                name,
                welcome_text,
                help_text,
                primary_color,
                secondary_color,
                host,
                position,
                demarches,
            };
            let id = if id.trim().is_empty() {
                service::create(&tx, state.settings(), &input).await?
            } else {
                service::update(&tx, state.settings(), &id, &input).await?
            };
            let slug = tx.tenant().slug.as_str().to_owned();
            tx.commit().await?;
            // This process at once; the others on the NOTIFY sent with the commit.
            state.directory().invalidate_tenant(&slug);
            Ok(id.to_string())
        }
        .await,
    )
}

/// Deletes a context once the admin has ticked the confirmation.
#[server(endpoint = "contexts/delete")]
pub async fn delete_context(
    id: String,
    #[server(default)] confirm: String,
) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (state, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            if confirm.is_empty() {
                return Err(AppError::invalid(
                    "confirm",
                    super::strings::DELETE_NOT_CONFIRMED,
                ));
            }
            service::delete(&tx, &id).await?;
            let slug = tx.tenant().slug.as_str().to_owned();
            tx.commit().await?;
            state.directory().invalidate_tenant(&slug);
            Ok(())
        }
        .await,
    )
}
