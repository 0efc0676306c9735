use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

/// The JSON body the server functions send for an error, with its HTTP status: what the
/// plain axum routes answer too.
pub fn error_response(error: AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = error.status_code();
    let body = serde_json::to_string(&error).unwrap_or_default();
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// A plain-form failure the citizen can read (such forms redirect on success).
pub fn error_page(error: AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = error.status_code();
    let body = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Erreur</title></head>\
         <body><main><h1>Votre demande n'a pas pu aboutir</h1><p>{}</p><p><a href=\"/\">Retour à l'accueil</a></p></main></body></html>",
        crate::infra::html::escape(&error.to_string())
    );
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Provided by the shell while a page renders, where server functions run as the page's
/// resources. Resources start loading when they are created, whether or not the page awaits
/// them: one that the page keeps behind a role gate (created before the gate, so that the
/// browser creates it in the same order) fails for a visitor without the role, and whether its
/// status reached the response depended on whether it failed before the page's HTML was done —
/// `/back-office/courriers/<id>` answered 200 or 401 at random. So while a page renders:
/// - access errors (401, 403) never set its status: access to a page is decided before it
///   renders (`crate::access`, enforced by the server's middleware), and a gated page shows
///   its own message;
/// - other errors (400, 404, 409…) still do: they come from the data the page asked for and
///   awaits, which is always finished before the response head (`SsrMode::Async`).
#[derive(Clone, Copy, Debug)]
pub struct RenderingPage;

/// Sets the HTTP status of a failed server function from its error, so API clients see
/// 400/401/403/409/429 rather than a blanket 500. Call it on every server function's result.
/// While a page renders, access errors leave the page's status alone (see [`RenderingPage`]).
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result
        && sets_status(error, use_context::<RenderingPage>().is_some())
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(error.status_code());
    }
    result
}

fn sets_status(error: &AppError, rendering_page: bool) -> bool {
    !rendering_page || !matches!(error, AppError::Unauthenticated | AppError::Forbidden(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_function_called_by_a_page_leaves_access_to_the_page_decision() {
        assert!(!sets_status(&AppError::Unauthenticated, true));
        assert!(!sets_status(&AppError::Forbidden("non".into()), true));
        assert!(sets_status(&AppError::NotFound("absent".into()), true));
    }

    #[test]
    fn a_server_function_called_over_http_answers_its_own_status() {
        assert!(sets_status(&AppError::Unauthenticated, false));
        assert!(sets_status(&AppError::Forbidden("non".into()), false));
    }
}
