//! Host header → site. Invariant: a request whose host designates no active tenant never
//! reaches the app; the apex host only reaches the platform console.

use app::infra::tenancy::Resolution;
use app::infra::{AppState, Site, TenantStatus};
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages;

/// Paths the apex host serves besides the console pages.
fn is_shared_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/pkg/") || path == "/favicon.ico"
}

fn is_console_path(path: &str) -> bool {
    path == "/plateforme" || path.starts_with("/plateforme/")
}

pub async fn resolve_site(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if path == "/health" {
        return "ok".into_response();
    }
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or_default()
        .to_owned();
    let site = match state.directory().resolve(&state, &host).await {
        Ok(Resolution::Platform) => {
            if path == "/" {
                return Redirect::to("/plateforme").into_response();
            }
            if !is_console_path(&path) && !is_shared_path(&path) {
                return pages::not_found();
            }
            Site::Platform
        }
        Ok(Resolution::Tenant(tenant)) => {
            if tenant.status == TenantStatus::Suspended {
                return pages::suspended_tenant(&tenant.name);
            }
            if is_console_path(&path) {
                return pages::not_found();
            }
            Site::Tenant(tenant)
        }
        Ok(Resolution::Unknown) => {
            tracing::info!(%host, "request for an unknown host");
            return pages::unknown_host();
        }
        Err(_) => return pages::unavailable(),
    };
    // Every log line of this request names its tenant (the request's span, `http::router`).
    let label = match &site {
        Site::Tenant(tenant) => {
            tracing::Span::current().record("tenant", tenant.slug.as_str());
            Some(super::ops::TenantLabel(std::sync::Arc::from(
                tenant.slug.as_str(),
            )))
        }
        Site::Platform => {
            tracing::Span::current().record("tenant", "platform");
            None
        }
    };
    request.extensions_mut().insert(site);
    let mut response = next.run(request).await;
    if let Some(label) = label {
        response.extensions_mut().insert(label);
    }
    response
}
