//! Server functions of the branding page: thin — tenant transaction + admin → service.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{BrandingProblem, BrandingState, LegalPages};
use crate::error::AppError;

/// What saving gave: the new version, or the problems on their fields (nothing saved).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaveOutcome {
    pub version: Option<u32>,
    pub problems: Vec<BrandingProblem>,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::require_role;
    pub use crate::branding::service::{self, Saved};
    pub use crate::infra::reply;

    impl From<Saved> for super::SaveOutcome {
        fn from(saved: Saved) -> Self {
            match saved {
                Saved::Version(version) => Self {
                    version: Some(version),
                    problems: Vec::new(),
                },
                Saved::Refused(problems) => Self {
                    version: None,
                    problems,
                },
            }
        }
    }
}

#[server(endpoint = "branding/state")]
pub async fn load_branding() -> Result<BrandingState, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let state = service::state(&tx).await?;
            tx.commit().await?;
            Ok(state)
        }
        .await,
    )
}

/// `document` is the JSON of a `BrandingDocument`; `seen` the version the page started from.
#[server(endpoint = "branding/save")]
pub async fn save_branding(seen: u32, document: String) -> Result<SaveOutcome, AppError> {
    use ssr::*;
    reply(
        async {
            let document = serde_json::from_str(&document)
                .map_err(|error| AppError::invalid("document", error.to_string()))?;
            let (state, tx) = tenant_tx().await?;
            let admin = require_role(&tx, Role::Admin).await?;
            let saved = service::save(&tx, admin.uuid(), Some(seen), &document).await?;
            let slug = tx.tenant().slug.as_str().to_owned();
            tx.commit().await?;
            // This process serves the change on its very next request; others on the NOTIFY.
            state.directory().invalidate_tenant(&slug);
            Ok(saved.into())
        }
        .await,
    )
}

#[server(endpoint = "branding/restore")]
pub async fn restore_branding(version: u32) -> Result<SaveOutcome, AppError> {
    use ssr::*;
    reply(
        async {
            let (state, tx) = tenant_tx().await?;
            let admin = require_role(&tx, Role::Admin).await?;
            let saved = service::restore(&tx, admin.uuid(), version).await?;
            let slug = tx.tenant().slug.as_str().to_owned();
            tx.commit().await?;
            state.directory().invalidate_tenant(&slug);
            Ok(saved.into())
        }
        .await,
    )
}

/// The legal pages, for anyone.
#[server(endpoint = "branding/legal")]
pub async fn load_legal() -> Result<LegalPages, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let legal = service::legal(&tx).await?;
            tx.commit().await?;
            Ok(legal)
        }
        .await,
    )
}
