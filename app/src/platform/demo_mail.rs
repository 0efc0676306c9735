//! The demo's mail, readable: when mail goes to `.eml` files (no `GUICHET_SMTP_URL`), each
//! commune's `/courriels-demo` lists the mail it queued — recipient, subject, date and the text
//! with working links (an `.eml` file's links are quoted-printable and break when copied).
//! With an SMTP server the page does not exist (404): mail then reaches real mailboxes, and
//! this page would show anyone their links (invitations, password resets).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sea_orm::FromQueryResult;
use time::OffsetDateTime;

use super::strings as s;
use crate::error::AppError;
use crate::infra::dates::french_date_time;
use crate::infra::html::escape;
use crate::infra::reply::error_response;
use crate::infra::{AppState, Queries, Site, TenantTx};

/// The page's path, at every commune's host.
pub const DEMO_MAIL_PATH: &str = "/courriels-demo";

/// The most recent mails listed.
const LIMIT: i64 = 100;

pub fn routes() -> Router<AppState> {
    Router::new().route(DEMO_MAIL_PATH, get(page))
}

#[derive(FromQueryResult)]
struct DemoMail {
    recipient: String,
    subject: String,
    body_text: String,
    created_at: OffsetDateTime,
}

/// The requesting host's commune's mail only: its own schema, through its own transaction.
async fn page(State(state): State<AppState>, site: Option<axum::Extension<Site>>) -> Response {
    let tenant = match site {
        Some(axum::Extension(Site::Tenant(tenant))) if state.mail_in_files() => tenant,
        _ => return not_found(),
    };
    let result = async {
        let tx = TenantTx::begin(&state, tenant.clone()).await?;
        let mails: Vec<DemoMail> = tx
            .fetch_all(
                "SELECT recipient, subject, body_text, created_at FROM mail_outbox
                 ORDER BY created_at DESC, id LIMIT $1",
                vec![LIMIT.into()],
            )
            .await?;
        tx.commit().await?;
        Ok::<_, AppError>(mails)
    }
    .await;
    match result {
        Ok(mails) => {
            let mut response = Html(render(&tenant.name, &mails)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
            response
        }
        Err(error) => error_response(error),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page_html(
            s::DEMO_MAIL_NOT_FOUND_TITLE,
            &format!("<p>{}</p>", s::DEMO_MAIL_NOT_FOUND),
        )),
    )
        .into_response()
}

fn render(tenant_name: &str, mails: &[DemoMail]) -> String {
    let mut body = format!(
        "<p class=\"lead\">{}</p><p>{}</p>",
        escape(&s::demo_mail_intro(tenant_name)),
        s::DEMO_MAIL_NOT_SENT
    );
    if mails.is_empty() {
        body.push_str(&format!("<p>{}</p>", s::DEMO_MAIL_EMPTY));
    }
    body.push_str("<ol class=\"demo-mails\">");
    for mail in mails {
        body.push_str(&format!(
            "<li class=\"demo-mail\"><article><h2>{subject}</h2>\
             <p class=\"hint\">{to} {recipient} — {date}</p><pre>{text}</pre></article></li>",
            subject = escape(&mail.subject),
            to = s::DEMO_MAIL_TO,
            recipient = escape(&mail.recipient),
            date = french_date_time(mail.created_at),
            text = linkify(&mail.body_text),
        ));
    }
    body.push_str("</ol>");
    page_html(s::DEMO_MAIL_TITLE, &body)
}

fn page_html(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/guichet.css\"></head>\
         <body><main id=\"contenu\"><h1>{title}</h1>{body}</main></body></html>"
    )
}

/// The text, escaped, with each `http(s)://` address a link (punctuation right after an
/// address, as in "… ce lien : https://….", is left outside it).
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = find_link(rest) {
        out.push_str(&escape(&rest[..start]));
        let tail = &rest[start..];
        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
        let link = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', '»', '!', '?']);
        out.push_str(&format!(
            "<a href=\"{href}\">{href}</a>",
            href = escape(link)
        ));
        rest = &tail[link.len()..];
    }
    out.push_str(&escape(rest));
    out
}

fn find_link(text: &str) -> Option<usize> {
    match (text.find("http://"), text.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::linkify;

    #[test]
    fn addresses_become_links_and_the_rest_is_escaped() {
        assert_eq!(
            linkify("Ouvrez <ce> lien : http://ca.localhost:3000/invitation?jeton=a&b=c.\nMerci"),
            "Ouvrez &lt;ce&gt; lien : <a href=\"http://ca.localhost:3000/invitation?jeton=a&amp;b=c\">\
             http://ca.localhost:3000/invitation?jeton=a&amp;b=c</a>.\nMerci"
        );
        assert_eq!(
            linkify("https://a.fr et https://b.fr"),
            "<a href=\"https://a.fr\">https://a.fr</a> et <a href=\"https://b.fr\">https://b.fr</a>"
        );
        assert_eq!(linkify("aucun lien"), "aucun lien");
    }
}
