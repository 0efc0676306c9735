//! Routes of responses that are not server functions: PDF downloads (the agents' preview or
//! signed letter, the citizen's signed letter through their dossier or tracking link) and the
//! agent's signature image (upload as a plain multipart form, and its display).
//!
//! Each opens its transaction with the request's tenant: another tenant's ids are unknown.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::service;
use super::strings as s;
use crate::backoffice::service::Agent;
use crate::branding::image::AssetKind;
use crate::dossiers::service::DossierAccess;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::reply::error_response;
use crate::infra::{AppState, Site, Tenant, TenantTx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/back-office/reponses/{name}", get(agent_pdf))
        .route(
            "/back-office/signature",
            get(my_signature)
                .post(upload_signature)
                .layer(DefaultBodyLimit::max(
                    AssetKind::Logo.max_bytes() + 64 * 1024,
                )),
        )
        .route("/mes-demandes/{reference}/courriers/{id}", get(owner_pdf))
        .route("/suivi/{key}/courriers/{id}", get(tracking_pdf))
}

fn tenant_of(site: Option<axum::Extension<Site>>) -> Result<Arc<Tenant>, AppError> {
    match site {
        Some(axum::Extension(Site::Tenant(tenant))) => Ok(tenant),
        _ => Err(AppError::NotFound(s::RESPONSE_UNKNOWN.to_owned())),
    }
}

/// A transaction in the tenant and the agent of the session, with fresh rights.
async fn agent_tx(
    state: &AppState,
    site: Option<axum::Extension<Site>>,
    headers: &HeaderMap,
) -> Result<(TenantTx, Agent), AppError> {
    let tenant = tenant_of(site)?;
    let token = cookie_in(headers, SESSION_COOKIE);
    let (tx, user) = crate::dossiers::http::open_as(state, tenant, token.as_deref()).await?;
    let user = user.ok_or(AppError::Unauthenticated)?;
    if !user.has_role(crate::account::model::Role::Agent) {
        return Err(AppError::Forbidden(
            crate::account::strings::NOT_AN_AGENT.to_owned(),
        ));
    }
    let agent = Agent::of(&tx, user).await?;
    Ok((tx, agent))
}

fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/back-office/reponses/<id>.pdf`: the draft's preview, or the signed letter.
#[tracing::instrument(skip_all)]
async fn agent_pdf(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> Response {
    let result = async {
        let id = name.strip_suffix(".pdf").unwrap_or(&name).to_owned();
        let (tx, agent) = agent_tx(&state, site, &headers).await?;
        let found = service::pdf(&tx, &state, &agent, &id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(found)
    }
    .await;
    match result {
        Ok((name, bytes)) => pdf_response(&name, bytes),
        Err(error) => error_response(error),
    }
}

async fn citizen_pdf(
    state: AppState,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    owner: Option<String>,
    key: Option<String>,
    id: String,
) -> Response {
    let result = async {
        let tenant = tenant_of(site)?;
        let token = cookie_in(&headers, SESSION_COOKIE);
        let (tx, viewer) = crate::dossiers::http::open_as(&state, tenant, token.as_deref()).await?;
        let access = match (&owner, &key) {
            (Some(reference), _) => {
                DossierAccess::Owner(viewer.as_ref().ok_or(AppError::Unauthenticated)?, reference)
            }
            (None, Some(key)) => DossierAccess::Tracking(key),
            (None, None) => return Err(AppError::NotFound(s::RESPONSE_UNKNOWN.to_owned())),
        };
        let found = service::citizen_pdf(&tx, &access, &id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(found)
    }
    .await;
    match result {
        Ok((name, bytes)) => pdf_response(&name, bytes),
        Err(error) => error_response(error),
    }
}

#[tracing::instrument(skip_all)]
async fn owner_pdf(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    citizen_pdf(state, site, headers, Some(reference), None, id).await
}

#[tracing::instrument(skip_all)]
async fn tracking_pdf(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path((key, id)): Path<(String, String)>,
) -> Response {
    citizen_pdf(state, site, headers, None, Some(key), id).await
}

/// The signed-in agent's own signature image.
#[tracing::instrument(skip_all)]
async fn my_signature(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let (tx, agent) = agent_tx(&state, site, &headers).await?;
        let found = service::signature(&tx, agent.id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(found)
    }
    .await;
    match result {
        Ok(Some((content_type, bytes))) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // Opened directly, an SVG is a document: it may draw, never run or fetch anything.
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
                ),
            );
            response
        }
        Ok(None) => (StatusCode::NOT_FOUND, "").into_response(),
        Err(error) => error_response(error),
    }
}

/// The agent's signature image (`file` part), from a plain form: back to the parapheur.
#[tracing::instrument(skip_all)]
async fn upload_signature(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let (tx, agent) = agent_tx(&state, site, &headers).await?;
        let mut bytes = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|error| AppError::invalid("signature", error.body_text()))?
        {
            if field.name() == Some("file") {
                let data = field
                    .bytes()
                    .await
                    .map_err(|error| AppError::invalid("signature", error.body_text()))?;
                bytes = Some(data.to_vec());
            }
        }
        let bytes = bytes
            .filter(|b| !b.is_empty())
            .ok_or_else(|| AppError::invalid("signature", s::SIGNATURE_MISSING))?;
        service::store_signature(&tx, agent.id, bytes).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/back-office/parapheur?signature=ok").into_response(),
        Err(error) => error_response(error),
    }
}
