//! Page access, decided before Leptos renders (the table is `app::access`): an anonymous
//! visitor of a protected page is sent to the sign-in page with the page as return path, a
//! signed-in user without the page's role gets a 403 with the French message, an agent (or an
//! operator) without the second factor their commune (or the platform) requires is sent to
//! enrol. Layered on the page routes only: server functions, downloads and exports keep their
//! own checks and their JSON errors.

use app::access::{Decision, decide, decide_platform};
use app::infra::{AppState, Site};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages;

pub async fn page_access(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let decision = match request.extensions().get::<Site>().cloned() {
        Some(Site::Tenant(tenant)) => {
            decide(&state, tenant, request.headers(), request.uri()).await
        }
        // The platform's host serves only the console (see host.rs).
        Some(Site::Platform) => decide_platform(&state, request.headers(), request.uri()).await,
        None => return next.run(request).await,
    };
    match decision {
        Ok(Decision::Render) => next.run(request).await,
        Ok(Decision::SignIn(location) | Decision::Enrol(location)) => {
            Redirect::to(&location).into_response()
        }
        Ok(Decision::Deny(denied)) => {
            // The app renders the message alone for such a request (routes.rs).
            request.extensions_mut().insert(denied);
            let mut response = next.run(request).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        Err(error) => {
            tracing::error!(%error, "page access could not be decided");
            pages::unavailable()
        }
    }
}
