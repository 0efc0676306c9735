//! Server functions of responses: thin — tenant transaction + the signed-in agent with their
//! rights → service → commit.
// `act` takes every field its forms may send; the server macro copies its signature into
// generated client code that no item-level `allow` reaches.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::model::{CircuitsPage, Parapheur, ResponsesPanel};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backoffice::service::Agent;
    pub use crate::infra::{AppState, TenantTx};
    pub use crate::responses::service;

    pub async fn open() -> Result<(AppState, TenantTx, Agent), crate::error::AppError> {
        let (state, tx) = crate::account::api::tenant_tx().await?;
        let agent = Agent::current(&tx).await?;
        Ok((state, tx, agent))
    }

    /// Saves a draft's text on its own, after a send that did not happen (the refusal is what
    /// the author is told; a text that cannot be saved either is left as it was).
    pub async fn keep_text(response: &str, text: &str) {
        let kept = async {
            let (_, tx, agent) = open().await?;
            service::edit(&tx, &agent, response, text).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = kept {
            tracing::debug!(%error, "responses: the text of a refused send was not kept");
        }
    }
}

/// The "Courriers" section of a dossier's page.
#[server(endpoint = "responses/panel")]
pub async fn load_responses(reference: String) -> Result<ResponsesPanel, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let panel = ssr::service::panel(&tx, &agent, &reference).await?;
            tx.commit().await?;
            Ok(panel)
        }
        .await,
    )
}

/// One action on a response, as its forms post it: `create` (reference, template), `edit`
/// (free_text), `start` (model or steps, channels, and the free text as the form holds it),
/// `approve`, `return` (target, comment), `sign`. Answers the response's id.
#[server(endpoint = "responses/act")]
pub async fn act_on_response(
    action: String,
    #[server(default)] reference: String,
    #[server(default)] response: String,
    #[server(default)] template: String,
    #[server(default)] free_text: Option<String>,
    #[server(default)] model: String,
    #[server(default)] step_kinds: Vec<String>,
    #[server(default)] step_assignees: Vec<String>,
    #[server(default)] by_email: String,
    #[server(default)] by_portal: String,
    #[server(default)] by_postal: String,
    #[server(default)] position: String,
    #[server(default)] target: String,
    #[server(default)] comment: String,
) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (state, tx, agent) = ssr::open().await?;
            let id = match action.as_str() {
                "create" => ssr::service::create(&tx, &agent, &reference, &template).await?,
                "edit" => {
                    let text = free_text.unwrap_or_default();
                    ssr::service::edit(&tx, &agent, &response, &text).await?;
                    response
                }
                "start" => {
                    let channels = super::model::Channels {
                        email: !by_email.is_empty(),
                        portal: !by_portal.is_empty(),
                        postal: !by_postal.is_empty(),
                    };
                    let sent = ssr::service::start(
                        &tx,
                        &agent,
                        &response,
                        free_text.as_deref(),
                        &model,
                        &step_kinds,
                        &step_assignees,
                        channels,
                    )
                    .await;
                    if let Err(refused) = sent {
                        // Not sent: say why, and keep the text the author typed with it.
                        drop(tx);
                        if let Some(text) = free_text.as_deref() {
                            ssr::keep_text(&response, text).await;
                        }
                        return Err(refused);
                    }
                    response
                }
                "approve" | "return" | "sign" => {
                    ssr::service::act_on_step(
                        &tx, &state, &agent, &response, &action, &position, &target, &comment,
                    )
                    .await?;
                    response
                }
                _ => {
                    return Err(AppError::invalid("action", super::strings::ACTION_UNKNOWN));
                }
            };
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

/// The steps waiting for the signed-in agent.
#[server(endpoint = "responses/parapheur")]
pub async fn load_parapheur() -> Result<Parapheur, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let page = ssr::service::parapheur(&tx, &agent).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

#[server(endpoint = "responses/circuits")]
pub async fn load_circuits() -> Result<CircuitsPage, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let page = ssr::service::circuits_page(&tx, &agent).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

/// Saves a circuit model (managers); answers its id.
#[server(endpoint = "responses/save_circuit")]
pub async fn save_circuit(
    name: String,
    #[server(default)] step_kinds: Vec<String>,
    #[server(default)] step_assignees: Vec<String>,
) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            let id =
                ssr::service::save_model(&tx, &agent, &name, &step_kinds, &step_assignees).await?;
            tx.commit().await?;
            Ok(id)
        }
        .await,
    )
}

#[server(endpoint = "responses/delete_circuit")]
pub async fn delete_circuit(id: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx, agent) = ssr::open().await?;
            ssr::service::delete_model(&tx, &agent, &id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}
