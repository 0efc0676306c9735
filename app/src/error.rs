//! The one error type shared by server functions, services and the UI.
//!
//! Expected failures carry a precise French message meant for the user; unexpected ones
//! become [`AppError::Internal`], whose cause is logged on the server and never sent out.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Input that breaks a rule; `field` names the form field at fault.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Input that is valid but clashes with existing data (a taken email or slug).
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// A document refused for several precise reasons (e.g. a démarche that cannot be
    /// published): each problem names where it is.
    #[error("{}", rejected_summary(.problems))]
    Rejected { problems: Vec<Problem> },
    #[error("Vous devez vous connecter pour accéder à cette page.")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("Une erreur interne est survenue. Réessayez dans quelques instants.")]
    Internal,
    /// A service the request needs is down (the file store): retrying later may succeed.
    #[error("{0}")]
    Unavailable(String),
    /// The request itself could not be carried out (malformed arguments, network failure).
    #[error("La requête n'a pas pu aboutir : {0}")]
    Request(String),
}

/// One precise reason a document was refused, and where in it (`steps[0].fields[2]`, `12:5`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

fn rejected_summary(problems: &[Problem]) -> String {
    match problems {
        [] => "Le document est refusé.".to_owned(),
        [one] => one.message.clone(),
        [first, rest @ ..] => format!("{} (et {} autre(s) problème(s))", first.message, rest.len()),
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The form field this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } | Self::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status_code(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            Self::Invalid { .. } | Self::Rejected { .. } | Self::Request(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    #[track_caller]
    fn from(error: sea_orm::DbErr) -> Self {
        let location = std::panic::Location::caller();
        tracing::error!(%error, %location, "database error");
        Self::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;
