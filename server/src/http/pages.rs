//! Plain pages for requests that never reach the app (unknown or suspended host).

use app::infra::html::escape;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body style=\"font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem\">\
         <h1>{title}</h1><p>{message}</p></body></html>"
    );
    (status, Html(html)).into_response()
}

pub fn unknown_host() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Portail introuvable",
        "Aucun portail de collectivité ne correspond à cette adresse. Vérifiez l'adresse saisie.",
    )
}

pub fn suspended_tenant(name: &str) -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Portail suspendu",
        &format!(
            "Le portail de {} est temporairement suspendu. Contactez votre mairie pour effectuer vos démarches.",
            escape(name)
        ),
    )
}

pub fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Page introuvable",
        "La page demandée n'existe pas.",
    )
}

pub fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service momentanément indisponible",
        "Le service rencontre un problème. Réessayez dans quelques instants.",
    )
}
