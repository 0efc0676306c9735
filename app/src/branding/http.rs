//! Routes of the branding feature that are not server functions: the tenant's images (served
//! per host, cached forever under their content hash) and their upload from the admin page.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::image::AssetKind;
use super::service;
use super::strings as s;
use crate::account::model::Role;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::reply::error_response;
use crate::infra::{AppState, Site};

pub fn routes() -> Router<AppState> {
    Router::new().route("/marque/{name}", get(asset)).route(
        "/api/administration/apparence/images",
        post(upload).layer(DefaultBodyLimit::max(
            AssetKind::Banner.max_bytes() + 64 * 1024,
        )),
    )
}

/// An image of the requesting host's tenant; another tenant's name is simply unknown here.
async fn asset(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    Path(name): Path<String>,
) -> Response {
    let result = async {
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Ok(None);
        };
        let tx = crate::infra::TenantTx::begin(&state, tenant).await?;
        let found = service::asset(&tx, &name).await?;
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
            // The name is the content's hash: it never changes.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
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

#[derive(Deserialize)]
struct UploadQuery {
    #[serde(rename = "type")]
    kind: String,
}

/// One image (`file` part) for the logo or the banner; answers its name and URL for the
/// preview. It becomes the portal's only when the document naming it is saved.
async fn upload(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Query(query): Query<UploadQuery>,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        let kind = AssetKind::parse(&query.kind)
            .ok_or_else(|| AppError::invalid("type", s::IMAGE_KIND_UNKNOWN))?;
        let field_name = if kind == AssetKind::Logo {
            "logo"
        } else {
            "banner"
        };
        let Some(axum::Extension(Site::Tenant(tenant))) = site else {
            return Err(AppError::NotFound(s::ADMIN_ONLY.to_owned()));
        };
        let (tx, user) = crate::dossiers::http::open_as(
            &state,
            tenant,
            cookie_in(&headers, SESSION_COOKIE).as_deref(),
        )
        .await?;
        match user {
            None => return Err(AppError::Unauthenticated),
            Some(user) if !user.has_role(Role::Admin) => {
                return Err(AppError::Forbidden(s::ADMIN_ONLY.to_owned()));
            }
            Some(_) => {}
        }
        let mut bytes = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|error| AppError::invalid(field_name, error.body_text()))?
        {
            if field.name() == Some("file") {
                let data = field
                    .bytes()
                    .await
                    .map_err(|error| AppError::invalid(field_name, error.body_text()))?;
                bytes = Some(data.to_vec());
            }
        }
        let bytes = bytes.ok_or_else(|| AppError::invalid(field_name, s::IMAGE_MISSING))?;
        let stored = service::store_asset(&tx, kind, bytes).await?;
        tx.commit().await?;
        Ok(stored)
    }
    .await;
    match result {
        Ok(stored) => Json(stored).into_response(),
        Err(error) => error_response(error),
    }
}
