//! Routes of the letters that answer with a PDF rather than a server function's JSON: the
//! editor's preview (a plain form post into the preview frame, so it also works without
//! JavaScript), and the documents a citizen downloads from their dossier (acknowledgement,
//! attestation). Same middleware as every page: the tenant comes from the host.

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::model::{LetterExtras, RenderedLetter, TemplateKind, TemplateProblem};
use super::strings as s;
use crate::dossiers::service::DossierAccess;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::html::escape;
use crate::infra::reply::error_response;
use crate::infra::{AppState, Site};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/back-office/courriers/apercu", post(preview))
        .route(
            "/mes-demandes/{reference}/documents/{document}",
            get(owner_document),
        )
        .route("/suivi/{key}/documents/{document}", get(tracking_document))
        .route(
            "/back-office/publipostages/{id}/resultat",
            get(merge_result),
        )
}

/// `GET /back-office/publipostages/{id}/resultat`: a finished merge's ZIP or PDF, streamed
/// from the tenant's file store (managers and admins of the same commune; another commune's
/// merge is unknown: the id is looked up in this tenant's schema only).
async fn merge_result(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Err(AppError::NotFound(s::MERGE_UNKNOWN.to_owned()));
        };
        let token = cookie_in(&headers, SESSION_COOKIE);
        let (tx, agent) =
            crate::backoffice::http::agent_tx(&state, tenant, token.as_deref()).await?;
        require_manager(&agent)?;
        let (key, name, content_type) = super::mail_merge::result(&tx, &id).await?;
        let files = crate::infra::storage::TenantFiles::of(&tx, state.settings());
        tx.commit().await?;
        let file = files.open(key).await?;
        Ok((file, name, content_type))
    }
    .await;
    let (file, name, content_type) = match result {
        Ok(found) => found,
        Err(error) => return error_response(error),
    };
    let size = file.size;
    let mut response = file.into_body().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&size.to_string()) {
        headers.insert(header::CONTENT_LENGTH, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// Managers and admins. These routes are not server functions: the agent comes from the
/// request's cookie (`agent_tx`), not from Leptos' context as in `require_designer`, which
/// finds no session here.
fn require_manager(agent: &crate::backoffice::service::Agent) -> Result<(), AppError> {
    if agent.user.has_role(crate::account::model::Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            crate::demarches::strings::NOT_A_DESIGNER.to_owned(),
        ))
    }
}

/// `inline`: shown in the browser's viewer (the preview frame); `attachment`: saved.
pub fn pdf_response(pdf: Vec<u8>, file_name: &str, inline: bool) -> Response {
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let disposition = format!(
        "{}; filename=\"{file_name}\"",
        if inline { "inline" } else { "attachment" }
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[derive(Deserialize)]
struct PreviewForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    letterhead: super::model::LetterheadChoice,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    free_text: String,
}

/// The problems, as a small page inside the preview frame.
fn problems_page(problems: &[TemplateProblem]) -> Response {
    let items: String = problems
        .iter()
        .map(|p| {
            format!(
                "<li>Ligne {}, colonne {} : {}</li>",
                p.line,
                p.column,
                escape(&p.message)
            )
        })
        .collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><ul>{items}</ul></body></html>",
        title = escape(s::PREVIEW_PROBLEMS),
    );
    (StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response()
}

async fn preview(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Form(form): Form<PreviewForm>,
) -> Response {
    let result = async {
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Err(AppError::NotFound(s::TEMPLATE_UNKNOWN.to_owned()));
        };
        let token = cookie_in(&headers, SESSION_COOKIE);
        let (tx, agent) =
            crate::backoffice::http::agent_tx(&state, tenant, token.as_deref()).await?;
        require_manager(&agent)?;
        let outcome = super::service::preview(
            &tx,
            &state,
            &agent,
            &form.source,
            form.letterhead,
            &form.reference,
            &form.free_text,
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }
    .await;
    let mut response = match result {
        Ok(Ok(letter)) => pdf_response(letter.pdf, "apercu.pdf", true),
        Ok(Err(problems)) => problems_page(&problems),
        Err(error) => error_response(error),
    };
    framed_by_own_pages(&mut response);
    response
}

/// The preview is shown in the editor's frame (the PDF, or the problems page): this response,
/// and only it, may be framed by the application's own pages. The security headers'
/// middleware keeps these and sets `DENY` on every other response.
fn framed_by_own_pages(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'self'"),
    );
}

async fn owner_document(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path((reference, document)): Path<(String, String)>,
) -> Response {
    let result = async {
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Err(AppError::NotFound(s::DOCUMENT_UNKNOWN.to_owned()));
        };
        let token = cookie_in(&headers, SESSION_COOKIE);
        let (tx, viewer) = crate::dossiers::http::open_as(&state, tenant, token.as_deref()).await?;
        let viewer = viewer.ok_or(AppError::Unauthenticated)?;
        let letter = citizen_document(
            &tx,
            &state,
            &DossierAccess::Owner(&viewer, &reference),
            &document,
        )
        .await?;
        tx.commit().await?;
        Ok(letter)
    }
    .await;
    document_response(result, &document)
}

async fn tracking_document(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    Path((key, document)): Path<(String, String)>,
) -> Response {
    let result = async {
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Err(AppError::NotFound(s::DOCUMENT_UNKNOWN.to_owned()));
        };
        let (tx, _) = crate::dossiers::http::open_as(&state, tenant, None).await?;
        let letter =
            citizen_document(&tx, &state, &DossierAccess::Tracking(&key), &document).await?;
        tx.commit().await?;
        Ok(letter)
    }
    .await;
    document_response(result, &document)
}

fn document_response(result: Result<RenderedLetter, AppError>, document: &str) -> Response {
    match result {
        Ok(letter) => pdf_response(letter.pdf, document, false),
        Err(error) => error_response(error),
    }
}

/// The documents a citizen can download from their dossier: `accuse-reception.pdf` always,
/// `attestation.pdf` once the dossier has reached a final status.
pub fn citizen_document_kind(document: &str) -> Option<TemplateKind> {
    match document {
        "accuse-reception.pdf" => Some(TemplateKind::AccuseReception),
        "attestation.pdf" => Some(TemplateKind::Attestation),
        _ => None,
    }
}

async fn citizen_document(
    tx: &crate::infra::TenantTx,
    state: &AppState,
    access: &DossierAccess<'_>,
    document: &str,
) -> Result<RenderedLetter, AppError> {
    let kind = citizen_document_kind(document)
        .ok_or_else(|| AppError::NotFound(s::DOCUMENT_UNKNOWN.to_owned()))?;
    let (dossier_id, final_status) = crate::dossiers::service::citizen_dossier(tx, access).await?;
    if kind == TemplateKind::Attestation && !final_status {
        return Err(AppError::NotFound(s::ATTESTATION_NOT_YET.to_owned()));
    }
    let template = super::service::template_of_kind(tx, kind)
        .await?
        .ok_or_else(|| AppError::NotFound(s::NO_TEMPLATE_OF_KIND.to_owned()))?;
    super::service::render_for_dossier(tx, state, &template, dossier_id, &LetterExtras::default())
        .await
}
