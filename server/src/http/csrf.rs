//! Cross-site request forgery protection for every state-changing request, server functions
//! included.
//!
//! Modern browsers say where a request comes from: `Sec-Fetch-Site` (all current browsers) and
//! `Origin` (on every POST). A request is refused when either shows another site. Requests
//! carrying neither header do not come from a browser page (API clients, curl) and so cannot
//! be forged by one. This is the algorithm of Go 1.25's `http.CrossOriginProtection`; session
//! cookies are also `SameSite=Lax` as a second layer.

use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const REJECTION: &str = "Requête refusée : elle provient d'un autre site (protection contre la falsification de requêtes).";

fn rejected() -> Response {
    let body = serde_json::json!({ "Forbidden": REJECTION }).to_string();
    (
        StatusCode::FORBIDDEN,
        [("content-type", "application/json")],
        body,
    )
        .into_response()
}

/// `scheme://host[:port]` → `host[:port]`, lowercased.
fn origin_authority(origin: &str) -> Option<String> {
    let (_, rest) = origin.split_once("://")?;
    Some(rest.trim_end_matches('/').to_ascii_lowercase())
}

/// Whether a state-changing request may proceed, from its headers alone.
fn allowed(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some("same-origin") | Some("none") => return true,
        Some(_) => return false,
        None => {}
    }
    let Some(origin) = header(ORIGIN.as_str()) else {
        return true;
    };
    let host = header(HOST.as_str()).map(str::to_ascii_lowercase);
    let allowed = origin_authority(origin).is_some() && origin_authority(origin) == host;
    if !allowed {
        tracing::warn!(%origin, "cross-origin state-changing request refused");
    }
    allowed
}

pub async fn cross_origin_protection(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || allowed(request.headers()) {
        next.run(request).await
    } else {
        rejected()
    }
}

#[cfg(test)]
mod tests {
    use super::origin_authority;

    #[test]
    fn origins_reduce_to_their_authority() {
        assert_eq!(
            origin_authority("http://Nantes.localhost:3000").as_deref(),
            Some("nantes.localhost:3000")
        );
        assert_eq!(origin_authority("null"), None);
    }
}
