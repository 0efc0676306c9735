//! Server functions of duplicates: the review queue, "Personnes distinctes", the merge and its
//! undoing, the rules. Thin: tenant transaction + a manager → service. Every record or pair is
//! looked up in the request's tenant only.
#![allow(clippy::too_many_arguments)]

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::model::{DuplicateQueue, MergeForm, Rule};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::require_role;
    pub use crate::duplicates::model::RuleInput;
    pub use crate::duplicates::service;
    pub use crate::infra::reply;
}

#[server(endpoint = "doublons/file")]
pub async fn load_duplicate_queue() -> Result<DuplicateQueue, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Manager).await?;
            let queue = service::queue(&tx).await?;
            tx.commit().await?;
            Ok(queue)
        }
        .await,
    )
}

/// "Personnes distinctes": the pair is never proposed again.
#[server(endpoint = "doublons/distinctes")]
pub async fn declare_distinct_pair(pair: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_role(&tx, Role::Manager).await?;
            service::declare_distinct(&tx, &user, &pair).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "doublons/formulaire")]
pub async fn load_merge_form(a: String, b: String) -> Result<MergeForm, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Manager).await?;
            let form = service::merge_form(&tx, &a, &b).await?;
            tx.commit().await?;
            Ok(form)
        }
        .await,
    )
}

/// Merges two records; `choix[<attribute>]` = the id of the record whose value is kept.
/// Returns the merge's id.
#[server(endpoint = "doublons/fusionner")]
pub async fn merge_people(
    a: String,
    b: String,
    #[server(default)] choix: BTreeMap<String, String>,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (state, tx) = tenant_tx().await?;
            let user = require_role(&tx, Role::Manager).await?;
            let id = service::merge(&tx, &user, &a, &b, &choix).await?;
            let tenant = tx.tenant().clone();
            tx.commit().await?;
            // The absorbed record leaves the people search, the survivor's links are new.
            let both: Vec<uuid::Uuid> = [&a, &b]
                .iter()
                .filter_map(|id| uuid::Uuid::parse_str(id.trim()).ok())
                .collect();
            crate::usagers::service::index_people(&state, &tenant, &both).await?;
            Ok(id.to_string())
        }
        .await,
    )
}

/// "Annuler la fusion".
#[server(endpoint = "doublons/annuler")]
pub async fn undo_person_merge(merge: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (state, tx) = tenant_tx().await?;
            let user = require_role(&tx, Role::Manager).await?;
            let both = service::undo_merge(&tx, &user, &merge).await?;
            let tenant = tx.tenant().clone();
            tx.commit().await?;
            // The restored record is searchable again (its row, `updated_at` included, is
            // exactly as before the merge, so the index's catch-up would not see it).
            crate::usagers::service::index_people(&state, &tenant, &both).await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "doublons/regles")]
pub async fn load_duplicate_rules() -> Result<Vec<Rule>, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Manager).await?;
            let rules = service::rules(&tx).await?;
            tx.commit().await?;
            Ok(rules)
        }
        .await,
    )
}

/// Creates (`id` empty) or changes a rule; the lists come as `equal[i]` checkboxes of
/// attribute codes.
#[server(endpoint = "doublons/regles/enregistrer")]
pub async fn save_duplicate_rule(
    #[server(default)] id: String,
    #[server(default)] name: String,
    #[server(default)] priority: String,
    #[server(default)] active: String,
    #[server(default)] filled: Vec<String>,
    #[server(default)] equal: Vec<String>,
    #[server(default)] missing_allowed: Vec<String>,
    #[server(default)] approximate: Vec<String>,
    #[server(default)] different: Vec<String>,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Manager).await?;
            let input = RuleInput {
                name,
                priority,
                active: !active.is_empty(),
                filled,
                equal,
                missing_allowed,
                approximate,
                different,
            };
            let id = service::save_rule(&tx, &id, &input).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

#[server(endpoint = "doublons/regles/supprimer")]
pub async fn delete_duplicate_rule(id: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Manager).await?;
            service::delete_rule(&tx, &id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
