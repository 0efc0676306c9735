//! The axum router: Leptos pages and server functions, static files, and the middleware every
//! request crosses (outermost first): request id → trace (a span per request: its id and,
//! once resolved, its tenant) → metrics → security headers (and the page's CSP nonce) →
//! compression → probes (`/healthz`, `/readyz`, `/metrics`) → site resolution from the Host
//! header → cross-origin (CSRF) protection; page routes then cross page access (sign-in
//! redirect or 403) before Leptos.

mod access;
mod csrf;
mod favicon;
mod headers;
mod host;
mod malformed;
pub mod ops;
mod pages;

use app::infra::AppState;
use app::{App, shell};
use axum::Router;
use axum::middleware;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The app's routes, walked once per process. Walking them renders `App` with Leptos'
/// resource loading suspended through a process-wide flag: any resource of any request polled
/// meanwhile, in any thread, waits forever (a page that never answers). Once per process, that
/// happens before anything is served; every further router (the API tests start one per test,
/// side by side) reuses the list.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let metrics = std::sync::Arc::new(ops::Metrics::default());
    let routes = routes();
    let fallback_state = state.clone();
    // The one-segment files of the site root: the contexts' route `/:context` would otherwise
    // take them before the static file fallback.
    let robots = std::path::Path::new(state.leptos_options().site_root.as_ref()).join("robots.txt");
    // Pages and server functions; page access is decided before any page renders (the
    // server functions, under /api, are no protected page and keep their own checks).
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, headers::provide_request_nonce, {
            let options = state.leptos_options().clone();
            move || shell(options.clone())
        })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::page_access,
        ));
    Router::new()
        .route_service("/robots.txt", tower_http::services::ServeFile::new(robots))
        .route("/favicon.ico", axum::routing::get(favicon::favicon))
        .merge(app::dossiers::http::routes())
        .merge(app::wallet::http::routes())
        .merge(app::backoffice::http::routes())
        .merge(app::branding::http::routes())
        .merge(app::letters::http::routes())
        .merge(app::responses::http::routes())
        .merge(app::identity::http::routes())
        .merge(app::platform::demo_mail::routes())
        .merge(pages)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || {
                leptos::prelude::provide_context(fallback_state.clone());
                headers::provide_request_nonce();
            },
            shell,
        ))
        .layer(middleware::from_fn(malformed::malformed_arguments_are_bad_requests))
        .layer(middleware::from_fn(csrf::cross_origin_protection))
        .layer(middleware::from_fn_with_state(state.clone(), host::resolve_site))
        .layer(middleware::from_fn_with_state(
            (state.clone(), metrics.clone()),
            ops::probes,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), headers::security_headers))
        .layer(middleware::from_fn_with_state(metrics, ops::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let host = request.headers().get("host").and_then(|v| v.to_str().ok()).unwrap_or_default();
            // The path only: queries carry what must never be logged (an OpenID provider's
            // `code` and `state`, a pending link's `jeton`, invitation and tracking tokens).
            // `tenant` is filled in by site resolution (`host.rs`).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), %host, %request_id, tenant = tracing::field::Empty)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
