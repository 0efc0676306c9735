//! `/favicon.ico`: the requesting commune's logo (PNG, JPEG or cleaned SVG, at most 512 KiB:
//! see `branding::image`, browsers scale it down), else Guichet's own icon. Read in the
//! request tenant's own schema, so a commune never shows another's.

use app::infra::{AppState, Site, TenantTx};
use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A counter window, 32×32 (public/favicon.png).
const DEFAULT_ICON: &[u8] = include_bytes!("../../../public/favicon.png");

/// The shell links the icon with the logo's hash (`?v=`), but browsers also ask for the bare
/// `/favicon.ico`: an hour of caching lets a new logo show the same day.
const CACHE: &str = "public, max-age=3600";

pub async fn favicon(State(state): State<AppState>, site: Option<Extension<Site>>) -> Response {
    let logo = match site {
        Some(Extension(Site::Tenant(tenant))) => match tenant.branding.logo.clone() {
            Some(name) => logo(&state, tenant, &name).await,
            None => None,
        },
        _ => None,
    };
    let (content_type, bytes) =
        logo.unwrap_or_else(|| ("image/png".to_owned(), DEFAULT_ICON.to_vec()));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    // Opened directly, an SVG logo is a document: it may draw, never run or fetch anything.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
        ),
    );
    response
}

async fn logo(
    state: &AppState,
    tenant: std::sync::Arc<app::infra::Tenant>,
    name: &str,
) -> Option<(String, Vec<u8>)> {
    let found = async {
        let tx = TenantTx::begin(state, tenant).await?;
        let found = app::branding::service::asset(&tx, name).await?;
        tx.commit().await?;
        Ok::<_, app::error::AppError>(found)
    }
    .await;
    match found {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "the commune's logo could not be read for its icon");
            None
        }
    }
}
