//! Server functions of drafts and dossiers: thin — tenant transaction + viewer → service.
//! The ones a plain HTML form posts to (start, submit, discard) always answer with a redirect,
//! so they work without WASM.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{AnswerLine, DossierSummary, DossierView, DraftPage, DraftSummary, FilingStart};
use crate::error::AppError;

/// A draft page, or the address of the dossier it became.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DraftLoad {
    Open(DraftPage),
    Summary(DraftPage, Vec<AnswerLine>),
    Submitted(String),
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::account::model::UserView;
    use crate::error::AppError;
    use crate::infra::cookies::{SESSION_COOKIE, read_cookie};
    use crate::infra::{AppState, TenantTx};

    /// The signed-in user, if any.
    pub async fn viewer(tx: &TenantTx) -> Result<Option<UserView>, AppError> {
        match read_cookie(SESSION_COOKIE) {
            Some(token) => crate::account::service::current_user(tx, &token).await,
            None => Ok(None),
        }
    }

    pub async fn open() -> Result<(AppState, TenantTx, Option<UserView>), AppError> {
        let (state, tx) = crate::account::api::tenant_tx().await?;
        let viewer = viewer(&tx).await?;
        Ok((state, tx, viewer))
    }
}

/// `contexte`: the context the page is opened in (`?contexte=`; absent: the host's).
#[server(endpoint = "portal/demarche_start")]
pub async fn demarche_start(id: String, contexte: Option<String>) -> Result<FilingStart, AppError> {
    use crate::contexts::service as contexts;
    crate::infra::reply(
        async {
            let (state, tx, viewer) = ssr::open().await?;
            let mut start = super::service::filing_start(&tx, viewer.as_ref(), &id).await?;
            start.space = contexts::space(&tx, state.settings(), contexte.as_deref()).await?;
            start.outside_space = contexts::refuses(&tx, &start.space, &start.demarche_id).await?;
            tx.commit().await?;
            Ok(start)
        }
        .await,
    )
}

/// Resumes or starts a draft, then sends the browser to it. A refusal (closed démarche, sign-in
/// needed) sends it back to the démarche's page, which says why.
#[server(endpoint = "portal/start")]
pub async fn start_draft(
    demarche: String,
    fresh: Option<String>,
    contexte: Option<String>,
) -> Result<(), AppError> {
    let result = async {
        let (_, tx, viewer) = ssr::open().await?;
        let mut profile = super::service::profile(viewer.as_ref());
        // The citizen's phone and address come from their person record.
        if let Some(account) = viewer
            .as_ref()
            .and_then(crate::account::model::UserView::uuid)
        {
            (profile.phone, profile.address) =
                crate::people::record::contact_for_prefill(&tx, account).await?;
        }
        let key = super::service::start_draft(
            &tx,
            viewer.as_ref(),
            &profile,
            &demarche,
            fresh.is_some(),
            contexte.as_deref(),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(key)
    }
    .await;
    match result {
        Ok(key) => leptos_axum::redirect(&super::service::draft_url(&key, Some(0))),
        Err(AppError::Unauthenticated) => leptos_axum::redirect("/connexion"),
        Err(AppError::NotFound(message)) => {
            return crate::infra::reply(Err(AppError::NotFound(message)));
        }
        Err(_) => {
            let context = contexte
                .as_deref()
                .map(|code| format!("?contexte={}", id_segment(code)))
                .unwrap_or_default();
            leptos_axum::redirect(&format!("/demarches/{}{context}", id_segment(&demarche)))
        }
    }
    Ok(())
}

/// The démarche id as a path segment: only the characters a UUID has, so a forged value cannot
/// redirect elsewhere.
#[cfg(feature = "ssr")]
fn id_segment(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

#[server(endpoint = "portal/draft")]
pub async fn load_draft(key: String, summary: bool) -> Result<DraftLoad, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, viewer) = ssr::open().await?;
            let load = if summary {
                match super::service::summary(&tx, viewer.as_ref(), &key).await? {
                    Ok((page, lines)) => DraftLoad::Summary(page, lines),
                    Err(url) => DraftLoad::Submitted(url),
                }
            } else {
                match super::service::draft_page(&tx, viewer.as_ref(), &key).await? {
                    super::service::DraftState::Open(page) => DraftLoad::Open(page),
                    super::service::DraftState::Submitted(url) => DraftLoad::Submitted(url),
                }
            };
            tx.commit().await?;
            Ok(load)
        }
        .await,
    )
}

/// Autosave from the live page: `answers` is the JSON of [`crate::demarches::model::Answers`].
#[server(endpoint = "portal/autosave")]
pub async fn autosave(key: String, answers: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx, viewer) = ssr::open().await?;
            super::service::autosave(&tx, viewer.as_ref(), &key, &answers).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "portal/submit")]
pub async fn submit(key: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (state, tx, viewer) = ssr::open().await?;
            let outcome =
                super::service::submit(&tx, state.settings(), viewer.as_ref(), &key).await;
            let url = match outcome {
                Ok(
                    super::service::Submission::Filed(url)
                    | super::service::Submission::Problems(url),
                ) => {
                    tx.commit().await?;
                    url
                }
                // Closed meanwhile: the summary page says so.
                Err(AppError::Conflict { .. }) => super::service::draft_url(&key, None),
                Err(error) => return Err(error),
            };
            leptos_axum::redirect(&url);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "portal/discard")]
pub async fn discard(key: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (state, tx, viewer) = ssr::open().await?;
            let files = crate::infra::storage::TenantFiles::of(&tx, state.settings());
            let removed = super::service::discard(&tx, viewer.as_ref(), &key).await?;
            tx.commit().await?;
            for id in removed {
                files.delete(id).await;
            }
            leptos_axum::redirect(if viewer.is_some() {
                "/mes-demarches"
            } else {
                "/demarches"
            });
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "portal/my_drafts")]
pub async fn my_drafts() -> Result<Vec<DraftSummary>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, viewer) = ssr::open().await?;
            let user = viewer.ok_or(AppError::Unauthenticated)?;
            let list = super::service::my_drafts(&tx, &user).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

#[server(endpoint = "portal/my_dossiers")]
pub async fn my_dossiers() -> Result<Vec<DossierSummary>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, viewer) = ssr::open().await?;
            let user = viewer.ok_or(AppError::Unauthenticated)?;
            let list = super::service::my_dossiers(&tx, &user).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

/// A dossier of the signed-in citizen (`reference`) or an anonymous one (`tracking`).
#[server(endpoint = "portal/dossier")]
pub async fn dossier(
    reference: Option<String>,
    tracking: Option<String>,
) -> Result<DossierView, AppError> {
    crate::infra::reply(
        async {
            use super::service::DossierAccess;
            let (_, tx, viewer) = ssr::open().await?;
            let view = match (&reference, &tracking, &viewer) {
                (Some(reference), _, Some(user)) => {
                    super::service::dossier_view(&tx, &DossierAccess::Owner(user, reference))
                        .await?
                }
                (None, Some(key), _) => {
                    super::service::dossier_view(&tx, &DossierAccess::Tracking(key)).await?
                }
                (Some(_), _, None) => return Err(AppError::Unauthenticated),
                (None, None, _) => {
                    return Err(AppError::NotFound(
                        super::strings::DOSSIER_UNKNOWN.to_owned(),
                    ));
                }
            };
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}
