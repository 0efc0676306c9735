//! Server functions of dossier processing: thin — tenant transaction + the signed-in agent
//! with their rights → service → commit.
// `act` takes every field its forms may send; the server macro copies its signature into
// generated client code that no item-level `allow` reaches.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::model::{AgentDossier, Counters, DossierFilter, DossierLine, DossierList};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backoffice::service::{self, Agent};
    pub use crate::infra::{AppState, TenantTx};

    pub async fn open() -> Result<(AppState, TenantTx, Agent), crate::error::AppError> {
        let (state, tx) = crate::account::api::tenant_tx().await?;
        let agent = Agent::current(&tx).await?;
        Ok((state, tx, agent))
    }
}

#[server(endpoint = "backoffice/dossiers")]
pub async fn list_dossiers(filter: DossierFilter) -> Result<DossierList, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let list = ssr::service::list(&tx, &agent, &filter).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

/// Quick search over reference, citizen, object, answers and notes, within the agent's rights.
#[server(endpoint = "backoffice/search")]
pub async fn search_dossiers(q: String) -> Result<Vec<DossierLine>, AppError> {
    crate::infra::reply(
        async {
            let (state, tx, agent) = ssr::open().await?;
            let lines = ssr::service::quick_search(&tx, state.search(), &agent, &q).await?;
            tx.commit().await?;
            Ok(lines)
        }
        .await,
    )
}

#[server(endpoint = "backoffice/counters")]
pub async fn dashboard_counters() -> Result<Counters, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let counters = ssr::service::counters(&tx, &agent).await?;
            tx.commit().await?;
            Ok(counters)
        }
        .await,
    )
}

#[server(endpoint = "backoffice/dossier")]
pub async fn load_dossier(reference: String) -> Result<AgentDossier, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let dossier = ssr::service::dossier(&tx, &agent, &reference).await?;
            tx.commit().await?;
            Ok(dossier)
        }
        .await,
    )
}

/// One action on a dossier, as its page's forms post it: each form sends the fields its
/// action needs, the others default to empty.
#[server(endpoint = "backoffice/act")]
pub async fn act(
    reference: String,
    action: String,
    #[server(default)] transition: String,
    #[server(default)] comment: String,
    #[server(default)] request_id: String,
    #[server(default)] visibility: String,
    #[server(default)] body: String,
    #[server(default)] agent: String,
    #[server(default)] service: String,
    #[server(default)] reason: String,
    #[server(default)] piece: String,
    #[server(default)] review: String,
    #[server(default)] other: String,
    #[server(default)] keep_in_wallet: String,
    #[server(default)] wallet_type: String,
) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (state, tx, me) = ssr::open().await?;
            let settings = state.settings();
            let r = reference.as_str();
            match action.as_str() {
                "transition" => {
                    ssr::service::transition(
                        &tx,
                        settings,
                        &me,
                        r,
                        &transition,
                        &comment,
                        &request_id,
                    )
                    .await?
                }
                "take" => ssr::service::take_charge(&tx, &me, r).await?,
                "assign" => ssr::service::assign(&tx, &me, r, &agent).await?,
                "redirect" => ssr::service::redirect(&tx, &me, r, &service, &reason).await?,
                "note" => ssr::service::add_note(&tx, &me, r, &visibility, &body).await?,
                "message" => ssr::service::send_message(&tx, settings, &me, r, &body).await?,
                "lock" => ssr::service::lock(&tx, &me, r).await?,
                "unlock" => ssr::service::unlock(&tx, &me, r).await?,
                "piece" => {
                    let keep_as = (!keep_in_wallet.is_empty()).then_some(wallet_type.as_str());
                    let written = ssr::service::review_piece(
                        &tx, settings, &me, r, &piece, &review, &reason, keep_as,
                    )
                    .await?;
                    if let Some(written) = written {
                        let files = crate::infra::storage::TenantFiles::of(&tx, settings);
                        if let Err(error) = tx.commit().await {
                            files.delete(written).await;
                            return Err(error);
                        }
                        return Ok(());
                    }
                }
                "link" => ssr::service::link(&tx, &me, r, &other).await?,
                _ => return Err(AppError::invalid("action", super::strings::ACTION_UNKNOWN)),
            }
            tx.commit().await
        }
        .await,
    )
}

/// Corrects an answer; returns the dossier's new revision.
#[server(endpoint = "backoffice/edit_answer")]
pub async fn edit_answer(
    reference: String,
    code: String,
    value: String,
    revision: i32,
) -> Result<i32, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let revision =
                ssr::service::edit_answer(&tx, &agent, &reference, &code, &value, revision).await?;
            tx.commit().await?;
            Ok(revision)
        }
        .await,
    )
}

#[server(endpoint = "backoffice/save_search")]
pub async fn save_search(
    name: String,
    filter: DossierFilter,
    #[server(default)] service: String,
) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            ssr::service::save_search(&tx, &agent, &name, &filter, &service).await?;
            tx.commit().await
        }
        .await,
    )
}

/// An agent registers a démarche for a citizen (counter or phone); returns the draft's address,
/// where the agent fills it with the ordinary pages.
#[server(endpoint = "backoffice/register")]
pub async fn register_for_citizen(
    demarche: String,
    channel: String,
    #[server(default)] email: String,
) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let key = crate::dossiers::service::start_on_behalf(
                &tx,
                &agent.user,
                &demarche,
                &channel,
                &email,
            )
            .await?;
            tx.commit().await?;
            Ok(crate::dossiers::service::draft_url(&key, Some(0)))
        }
        .await,
    )
}
