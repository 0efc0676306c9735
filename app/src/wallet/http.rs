//! The wallet's plain routes: adding a piece (a multipart form, so it works without
//! JavaScript), downloading and deleting one. Behind the same middleware as every page (tenant
//! from the host, cross-origin check); each opens its transaction in the request's tenant and
//! acts for the signed-in citizen only.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::model::{MAX_PIECE_BYTES, PAGE};
use super::service;
use crate::account::model::UserView;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::reply::{error_page, error_response};
use crate::infra::storage::TenantFiles;
use crate::infra::{AppState, Site, TenantTx};
use crate::uploads::{file_response, forget, read_multipart};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/porte-documents/pieces", post(add))
        .route("/porte-documents/pieces/{id}", get(download))
        .route("/porte-documents/pieces/{id}/supprimer", post(delete))
        // The limit of one piece and room for the form's other parts; the service says why
        // a file is refused, this only stops a body far too large to read.
        .layer(DefaultBodyLimit::max(MAX_PIECE_BYTES as usize * 2))
}

/// A transaction in the request's tenant and its signed-in user.
async fn open(
    state: &AppState,
    site: Option<axum::Extension<Site>>,
    headers: &HeaderMap,
) -> Result<(TenantTx, UserView), AppError> {
    let Some(axum::Extension(Site::Tenant(tenant))) = site else {
        return Err(AppError::NotFound(super::strings::PIECE_UNKNOWN.to_owned()));
    };
    let tx = TenantTx::begin(state, tenant).await?;
    let token = cookie_in(headers, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let user = crate::account::service::current_user(&tx, &token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((tx, user))
}

/// Signed out: the sign-in page, back to the wallet afterwards.
fn sign_in() -> Response {
    Redirect::to(&crate::access::login_location(PAGE)).into_response()
}

#[tracing::instrument(skip_all)]
async fn add(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let result = async {
        let (posted, mut uploads) = read_multipart(multipart).await?;
        let upload = uploads
            .iter()
            .position(|u| u.field == "fichier")
            .map(|i| uploads.swap_remove(i));
        let (tx, user) = open(&state, site, &headers).await?;
        let files = TenantFiles::of(&tx, state.settings());
        let added = service::add(
            &tx,
            state.settings(),
            &user,
            posted.first("type").unwrap_or_default(),
            posted.first("date").unwrap_or_default(),
            upload,
        )
        .await?;
        match added {
            Ok(written) => {
                if let Err(error) = tx.commit().await {
                    forget(&files, vec![written]).await;
                    return Err(error);
                }
                Ok(format!("{PAGE}?ajout=ok"))
            }
            Err(refusal) => Ok(format!("{PAGE}?erreur={}#ajouter", refusal.code())),
        }
    }
    .await;
    match result {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(AppError::Unauthenticated) => sign_in(),
        Err(error) => error_page(error),
    }
}

#[tracing::instrument(skip_all)]
async fn download(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (tx, user) = open(&state, site, &headers).await?;
        let file = service::download(&tx, state.settings(), &user, &id).await?;
        tx.commit().await?;
        Ok::<_, AppError>(file)
    }
    .await;
    match result {
        Ok((name, content_type, file)) => file_response(&name, &content_type, file),
        Err(error) => error_response(error),
    }
}

#[tracing::instrument(skip_all)]
async fn delete(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let (tx, user) = open(&state, site, &headers).await?;
        let files = TenantFiles::of(&tx, state.settings());
        let removed = service::delete(&tx, &user, &id).await?;
        tx.commit().await?;
        // Only once the row is gone: a failed commit keeps the piece whole.
        files.delete(removed).await;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("{PAGE}?suppression=ok")).into_response(),
        Err(AppError::Unauthenticated) => sign_in(),
        Err(error) => error_page(error),
    }
}
