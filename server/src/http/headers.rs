//! Security headers on every response, and the Content-Security-Policy of the pages with a
//! nonce per request.
//!
//! The nonce is made here, put in the request's extensions, and given to Leptos
//! ([`provide_request_nonce`]), which writes it on every inline script it renders (the
//! hydration scripts, the resolved resources, the citizen pages' module script): an inline
//! script without it — injected markup, a `<script>` added through the DOM — does not run.
//!
//! A response may carry its own `X-Frame-Options` or `Content-Security-Policy` (a tenant's
//! image, the letter preview that the editor frames): those are kept, the defaults below are
//! only inserted where none is set.

use app::infra::AppState;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

/// The policy of an HTML response whose inline scripts and styles carry `nonce`.
///
/// - `script-src`: our files, the nonced inline scripts, and `'wasm-unsafe-eval'` to compile
///   the WASM bundles (no `'unsafe-eval'`: nothing calls `eval`).
/// - `style-src 'self' 'unsafe-inline'`: inline styles cannot be held to the nonce. The hydrated
///   app writes `<style>` elements after the page has loaded — the tenant's theme again when the
///   site reloads after a sign-in or a saved look, a context's theme — and in the browser Leptos
///   has no nonce (its `nonce` feature is server-side here); `style` attributes (status colours,
///   the branding editor's live preview) cannot carry one at all. A style runs no code: the risk
///   left is CSS reading the page through injected markup, which needs an HTML injection first
///   (Leptos escapes all text). Scripts stay nonce-only.
/// - `frame-src 'self'`: the letter editor posts its preview into its own frame.
/// - `img-src data:`: images inlined by SVG logos and the stylesheet.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

/// Gives Leptos the nonce the headers middleware made for this request (instead of its own,
/// which the policy would not name). Part of the additional context of every page render.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Adds the default frame and content policies where the response did not set its own.
fn insert_default_policies(headers: &mut HeaderMap, nonce: &Nonce) {
    if !headers.contains_key(X_FRAME_OPTIONS) {
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if is_html(headers)
        && !headers.contains_key(CONTENT_SECURITY_POLICY)
        && let Ok(policy) = HeaderValue::from_str(&page_policy(nonce))
    {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    insert_default_policies(headers, &nonce);
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if state.settings().secure_cookies() {
        headers.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers
    }

    #[test]
    fn a_page_gets_deny_and_the_policy_naming_its_nonce() {
        let mut headers = html();
        let nonce = Nonce::from_value("abc123");

        insert_default_policies(&mut headers, &nonce);

        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
        let policy = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        let directive = |name: &str| {
            policy
                .split(';')
                .map(str::trim)
                .find(|d| d.split(' ').next() == Some(name))
                .unwrap()
                .to_owned()
        };
        let scripts = directive("script-src");
        assert!(
            !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
            "{scripts}"
        );
    }

    #[test]
    fn a_response_keeps_the_frame_and_content_policies_it_set_itself() {
        let mut headers = html();
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'self'"),
        );

        insert_default_policies(&mut headers, &Nonce::from_value("n"));

        assert_eq!(headers[X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(headers[CONTENT_SECURITY_POLICY], "frame-ancestors 'self'");
    }

    #[test]
    fn files_that_are_not_pages_get_no_page_policy() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));

        insert_default_policies(&mut headers, &Nonce::from_value("n"));

        assert!(!headers.contains_key(CONTENT_SECURITY_POLICY));
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
    }
}
