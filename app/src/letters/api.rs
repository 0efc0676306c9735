//! Server functions of the letter templates (designers: managers and admins): thin —
//! transaction and rights → service → result.

use leptos::prelude::*;

use super::model::{
    LetterTemplate, LetterheadChoice, MergeOptions, MergeRequest, MergeView, TemplateDraft,
    TemplateProblem, TemplateSummary,
};
use crate::error::AppError;

#[server(endpoint = "letters/templates")]
pub async fn list_letter_templates() -> Result<Vec<TemplateSummary>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let list = super::service::list_templates(&tx).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

#[server(endpoint = "letters/template")]
pub async fn load_letter_template(id: String) -> Result<LetterTemplate, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let template = super::service::template(&tx, &id).await?;
            tx.commit().await?;
            Ok(template)
        }
        .await,
    )
}

/// Creates (`id` empty) or updates a template; a template that does not render is refused
/// with its problems (`Rejected`, paths `line:column`).
#[server(endpoint = "letters/save")]
pub async fn save_letter_template(
    #[server(default)] id: String,
    #[server(default)] version: i32,
    draft: TemplateDraft,
) -> Result<LetterTemplate, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let author = crate::demarches::service::require_designer(&tx).await?;
            let id = (!id.trim().is_empty()).then_some(id.as_str());
            let saved = super::service::save_template(&tx, &author, id, version, &draft).await?;
            tx.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

/// The problems of a template as it is being written, with the letterhead it chooses.
#[server(endpoint = "letters/check")]
pub async fn check_letter_template(
    source: String,
    #[server(default)] letterhead: LetterheadChoice,
) -> Result<Vec<TemplateProblem>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let problems = super::service::problems(&tx, &source, letterhead).await?;
            tx.commit().await?;
            Ok(problems)
        }
        .await,
    )
}

/// Asks for a mail merge (managers and admins; the dossiers are those of the selection the
/// agent may read).
#[server(endpoint = "letters/merges/create")]
pub async fn create_mail_merge(request: MergeRequest) -> Result<MergeView, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let agent = crate::backoffice::service::Agent::current(&tx).await?;
            let merge = super::mail_merge::create(&tx, &agent, &request).await?;
            tx.commit().await?;
            Ok(merge)
        }
        .await,
    )
}

/// The commune's latest mail merges, with their progress.
#[server(endpoint = "letters/merges")]
pub async fn list_mail_merges() -> Result<Vec<MergeView>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let list = super::mail_merge::list(&tx).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

#[server(endpoint = "letters/merges/cancel")]
pub async fn cancel_mail_merge(id: String) -> Result<MergeView, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let merge = super::mail_merge::cancel(&tx, &id).await?;
            tx.commit().await?;
            Ok(merge)
        }
        .await,
    )
}

/// What the mail merge form offers: templates and the agent's saved searches.
#[server(endpoint = "letters/merges/options")]
pub async fn mail_merge_options() -> Result<MergeOptions, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let agent = crate::backoffice::service::Agent::current(&tx).await?;
            let templates = super::service::list_templates(&tx)
                .await?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            let searches = crate::backoffice::service::saved_searches(&tx, &agent)
                .await?
                .into_iter()
                .map(|q| (q.id, q.name))
                .collect();
            tx.commit().await?;
            Ok(MergeOptions {
                templates,
                searches,
            })
        }
        .await,
    )
}
