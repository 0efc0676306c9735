//! Back-office routes that are not server functions: the CSV export, streamed by batches so
//! that exporting 100,000 dossiers costs the server one batch of memory, and the dashboard's
//! live counters (server-sent events).
//!
//! Both open their transactions with the request's tenant and the agent of the session cookie,
//! and re-read the agent's rights for every batch or update.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{DossierFilter, DossierLine};
use super::service::{self, Agent};
use super::strings as s;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::reply::error_response;
use crate::infra::{AppState, Site, Tenant, TenantTx};

/// Rows fetched per transaction of an export.
const EXPORT_BATCH: u32 = 2000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/back-office/dossiers.csv", get(export))
        .route("/api/back-office/compteurs", get(live_counters))
}

fn tenant_of(site: Option<axum::Extension<Site>>) -> Result<Arc<Tenant>, AppError> {
    match site {
        Some(axum::Extension(Site::Tenant(tenant))) => Ok(tenant),
        _ => Err(AppError::NotFound(s::DOSSIER_UNKNOWN.to_owned())),
    }
}

/// A transaction in the tenant and the agent of the session, with fresh rights.
pub(crate) async fn agent_tx(
    state: &AppState,
    tenant: Arc<Tenant>,
    token: Option<&str>,
) -> Result<(TenantTx, Agent), AppError> {
    let (tx, user) = crate::dossiers::http::open_as(state, tenant, token).await?;
    let user = user.ok_or(AppError::Unauthenticated)?;
    if !user.has_role(crate::account::model::Role::Agent) {
        return Err(AppError::Forbidden(
            crate::account::strings::NOT_AN_AGENT.to_owned(),
        ));
    }
    let agent = Agent::of(&tx, user).await?;
    Ok((tx, agent))
}

/// One CSV field: `;`-separated (what French spreadsheets open), quoted when needed, and
/// never starting with a formula character.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn header_line() -> String {
    [
        s::COL_REFERENCE,
        s::COL_DEMARCHE,
        s::COL_CITIZEN,
        s::COL_STATUS,
        s::COL_SERVICE,
        s::COL_AGENT,
        s::COL_SUBMITTED,
        s::COL_DUE,
        s::F_SLA,
        crate::contexts::strings::CSV_CONTEXT,
    ]
    .map(field)
    .join(";")
        + "\r\n"
}

fn csv_line(line: &DossierLine) -> String {
    [
        line.reference.as_str(),
        &line.demarche,
        &line.citizen,
        &line.status_name,
        &line.service,
        line.assignee.as_deref().unwrap_or(""),
        &line.submitted_on,
        line.due_on.as_deref().unwrap_or(""),
        line.sla.label(),
        line.context.as_deref().unwrap_or(""),
    ]
    .map(field)
    .join(";")
        + "\r\n"
}

struct Export {
    state: AppState,
    tenant: Arc<Tenant>,
    token: Option<String>,
    filter: DossierFilter,
    after: Option<(OffsetDateTime, Uuid)>,
    started: bool,
    done: bool,
}

async fn next_chunk(export: &mut Export) -> Result<Option<Bytes>, AppError> {
    if export.done {
        return Ok(None);
    }
    let mut out = String::new();
    if !export.started {
        export.started = true;
        out.push('\u{feff}');
        out.push_str(&header_line());
    }
    let (tx, agent) = agent_tx(
        &export.state,
        export.tenant.clone(),
        export.token.as_deref(),
    )
    .await?;
    let rows =
        service::export_batch(&tx, &agent, &export.filter, export.after, EXPORT_BATCH).await?;
    tx.commit().await?;
    if (rows.len() as u32) < EXPORT_BATCH {
        export.done = true;
    }
    for (at, id, line) in &rows {
        out.push_str(&csv_line(line));
        export.after = Some((*at, *id));
    }
    Ok(Some(Bytes::from(out)))
}

fn export_stream(export: Export) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    // Fused: the compression layer polls once more after the end.
    futures_util::StreamExt::fuse(futures_util::stream::unfold(
        export,
        |mut export| async move {
            match next_chunk(&mut export).await {
                Ok(Some(bytes)) => Some((Ok(bytes), export)),
                Ok(None) => None,
                Err(error) => {
                    // Headers are gone: cut the body so the download shows as failed, not short.
                    tracing::error!(%error, "export interrupted");
                    export.done = true;
                    Some((Err(std::io::Error::other(error.to_string())), export))
                }
            }
        },
    ))
}

/// `GET /back-office/dossiers.csv?<filters>`: the current selection, every page of it.
#[tracing::instrument(skip_all)]
async fn export(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Query(filter): Query<DossierFilter>,
) -> Response {
    let token = cookie_in(&headers, SESSION_COOKIE);
    // Checked before any byte is sent, so a refusal is a proper status.
    let checked = async {
        let tenant = tenant_of(site)?;
        let (tx, agent) = agent_tx(&state, tenant.clone(), token.as_deref()).await?;
        let total = service::count(&tx, &agent, &filter).await?;
        tx.commit().await?;
        Ok::<_, AppError>((tenant, total))
    }
    .await;
    let (tenant, total) = match checked {
        Ok(found) => found,
        Err(error) => return error_response(error),
    };
    let stream = export_stream(Export {
        state,
        tenant,
        token,
        filter,
        after: None,
        started: false,
        done: false,
    });
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"dossiers.csv\""),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(value) = HeaderValue::from_str(&total.to_string()) {
        headers.insert("x-total-count", value);
    }
    response
}

struct CounterWatch {
    state: AppState,
    tenant: Arc<Tenant>,
    token: Option<String>,
    receiver: tokio::sync::broadcast::Receiver<crate::infra::live::DossierChanged>,
    first: bool,
    last: Option<super::model::Counters>,
}

async fn read_counters(watch: &CounterWatch) -> Result<super::model::Counters, AppError> {
    let (tx, agent) = agent_tx(&watch.state, watch.tenant.clone(), watch.token.as_deref()).await?;
    let counters = service::counters(&tx, &agent).await?;
    tx.commit().await?;
    Ok(counters)
}

/// `GET /api/back-office/compteurs`: the dashboard's counters now, then after each change of a
/// dossier of this tenant (changes that arrive together are counted once).
async fn live_counters(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
) -> Response {
    let tenant = match tenant_of(site) {
        Ok(tenant) => tenant,
        Err(error) => return error_response(error),
    };
    let token = cookie_in(&headers, SESSION_COOKIE);
    let receiver = state.live().subscribe();
    let watch = CounterWatch {
        state,
        tenant,
        token,
        receiver,
        first: true,
        last: None,
    };
    if let Err(error) = read_counters(&watch).await {
        return error_response(error);
    }
    let schema = watch.tenant.schema.as_str().to_owned();
    let stream = futures_util::stream::unfold(watch, move |mut watch| {
        let schema = schema.clone();
        async move {
            loop {
                if !watch.first {
                    loop {
                        match watch.receiver.recv().await {
                            Ok(change) if change.schema == schema => break,
                            Ok(_) => continue,
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => break,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                    // A burst of changes (an import, a batch of transitions) is counted once.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    while watch.receiver.try_recv().is_ok() {}
                }
                watch.first = false;
                let counters = match read_counters(&watch).await {
                    Ok(counters) => counters,
                    Err(_) => return None,
                };
                if watch.last.as_ref() == Some(&counters) {
                    continue;
                }
                watch.last = Some(counters.clone());
                let event = Event::default()
                    .event("counters")
                    .data(serde_json::to_string(&counters).unwrap_or_default());
                return Some((Ok::<_, Infallible>(event), watch));
            }
        }
    });
    Sse::new(futures_util::StreamExt::fuse(stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(super::field("Dupont"), "Dupont");
        assert_eq!(super::field("a;b"), "\"a;b\"");
        assert_eq!(super::field("dit \"Jo\""), "\"dit \"\"Jo\"\"\"");
        assert_eq!(super::field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
