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

/// Provided by the shell while a page renders. Server functions called by the page's
/// resources then do not touch the page's status: a resource the page never awaits (hidden
/// behind a gate, say) may finish before or after the response head is sent, so its status
/// would be a coin toss. A page's status is decided up front (`access`, the middleware) or by
/// what it renders (`NotFound`), never by its data loading.
#[derive(Clone, Copy, Debug)]
pub struct RenderingPage;

/// Sets the HTTP status of a failed server function from its error, so API clients see
/// 400/401/403/409/429 rather than a blanket 500. Call it on every server function's result.
/// Called while a page renders, it leaves the page's status alone (see [`RenderingPage`]).
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result
        && use_context::<RenderingPage>().is_none()
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response.set_status(error.status_code());
    }
    result
}
