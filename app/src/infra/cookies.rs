use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Citizen and agent session of a tenant portal.
pub const SESSION_COOKIE: &str = "guichet_session";
/// Platform operator session on the apex host.
pub const OPERATOR_COOKIE: &str = "guichet_operator";
/// A sign-in whose password was right, waiting for its second factor's code (agents at a
/// tenant's host, operators at the platform's; host-only like the others).
pub const CHALLENGE_COOKIE: &str = "guichet_code";

pub fn read_cookie(name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    cookie_in(&parts.headers, name)
}

/// The cookie `name` of a request's headers (for plain axum handlers).
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().find_map(|value| {
        value.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then(|| value.to_owned())
        })
    })
}

/// Host-only (no `Domain`), HttpOnly, SameSite=Lax cookie: the browser never sends a tenant's
/// cookie to another tenant's host, and scripts cannot read it.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

pub fn clear_cookie(name: &str, secure: bool) {
    set_cookie(name, "", 0, secure);
}

/// A `Set-Cookie` value for plain axum responses, with the same attributes as `set_cookie`;
/// `path` narrows where the browser sends it.
pub fn cookie_header(
    name: &str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
    path: &str,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}
