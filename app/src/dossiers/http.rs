//! Routes of the dossier feature that are not server functions: the step form (a multipart
//! post, so files travel with it when there is no WASM), single-file uploads from the live
//! page, attachment downloads, and the server-sent events of a dossier's status.
//!
//! They run behind the same middleware as every page (tenant from the host, cross-origin
//! check), and open their transaction with the tenant of the request: nothing here can name
//! another tenant's data.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use serde::Deserialize;
use uuid::Uuid;

use super::service::{self, DossierAccess};
use super::strings as s;
use crate::account::model::UserView;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_in};
use crate::infra::reply::{error_page, error_response};
use crate::infra::storage::TenantFiles;
use crate::infra::{AppState, Site, TenantTx};
use crate::uploads::{MAX_UPLOAD_BYTES, file_response, forget, read_multipart};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/brouillons/{key}", post(step_form))
        .route("/api/brouillons/{key}/pieces", post(upload_file))
        .route("/pieces/{id}", get(download))
        .route("/api/dossiers/{reference}/evenements", get(owner_events))
        .route("/api/suivi/{key}/evenements", get(tracking_events))
        .route(
            "/mes-demandes/{reference}/complement",
            post(owner_complement),
        )
        .route("/suivi/{key}/complement", post(tracking_complement))
        .route("/mes-demandes/{reference}/messages", post(owner_message))
        .route("/suivi/{key}/messages", post(tracking_message))
        .route(
            "/mes-demandes/{reference}/pieces/{piece}",
            post(owner_replace_piece),
        )
        .route("/suivi/{key}/pieces/{piece}", post(tracking_replace_piece))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
}

async fn open(
    state: &AppState,
    site: Option<axum::Extension<Site>>,
    headers: &HeaderMap,
) -> Result<(TenantTx, Option<UserView>), AppError> {
    let Some(axum::Extension(Site::Tenant(tenant))) = site else {
        return Err(AppError::NotFound(s::DRAFT_UNKNOWN.to_owned()));
    };
    open_as(state, tenant, cookie_in(headers, SESSION_COOKIE).as_deref()).await
}

/// A transaction in `tenant` and the user whose session token is `token`, if any.
pub(crate) async fn open_as(
    state: &AppState,
    tenant: std::sync::Arc<crate::infra::Tenant>,
    token: Option<&str>,
) -> Result<(TenantTx, Option<UserView>), AppError> {
    let tx = TenantTx::begin(state, tenant).await?;
    let viewer = match token {
        Some(token) => crate::account::service::current_user(&tx, token).await?,
        None => None,
    };
    Ok((tx, viewer))
}

#[tracing::instrument(skip_all)]
async fn step_form(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Response {
    let result = async {
        let (posted, uploads) = read_multipart(multipart).await?;
        let (tx, viewer) = open(&state, site, &headers).await?;
        let files = TenantFiles::of(&tx, state.settings());
        match service::save_step(
            &tx,
            state.settings(),
            viewer.as_ref(),
            &key,
            &posted,
            uploads,
        )
        .await
        {
            Ok((url, written)) => match tx.commit().await {
                Ok(()) => Ok(url),
                Err(error) => {
                    forget(&files, written).await;
                    Err(error)
                }
            },
            Err(error) => Err(error),
        }
    }
    .await;
    match result {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => error_page(error),
    }
}

#[tracing::instrument(skip_all)]
async fn upload_file(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Response {
    let result = async {
        let (_, mut uploads) = read_multipart(multipart).await?;
        let upload = match (uploads.pop(), uploads.is_empty()) {
            (Some(upload), true) => upload,
            _ => return Err(AppError::invalid("file", s::UPLOAD_UNREADABLE)),
        };
        let (tx, viewer) = open(&state, site, &headers).await?;
        let files = TenantFiles::of(&tx, state.settings());
        let (file, written) =
            service::upload(&tx, state.settings(), viewer.as_ref(), &key, upload).await?;
        if let Err(error) = tx.commit().await {
            forget(&files, written).await;
            return Err(error);
        }
        Ok(file)
    }
    .await;
    match result {
        Ok(file) => axum::Json(file).into_response(),
        Err(error) => error_response(error),
    }
}

#[derive(Deserialize)]
struct DownloadQuery {
    brouillon: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn download(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let result = async {
        let (tx, viewer) = open(&state, site, &headers).await?;
        let file = service::download(
            &tx,
            state.settings(),
            viewer.as_ref(),
            query.brouillon.as_deref(),
            &id,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(file)
    }
    .await;
    match result {
        Ok((name, content_type, file)) => file_response(&name, &content_type, file),
        Err(error) => error_response(error),
    }
}

/// Who is writing to or completing a dossier: its signed-in owner, or the tracking link.
enum Follower {
    Owner(String),
    Tracking(String),
}

/// What a citizen does on a dossier they follow.
enum FollowerAct {
    Complement,
    Message(String),
}

/// Runs `act` on the dossier the citizen follows, then redirects (post/redirect/get). A
/// blank message comes back to the page with its error.
async fn as_follower(
    state: AppState,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    follower: Follower,
    act: FollowerAct,
) -> Response {
    let result = async {
        let (tx, viewer) = open(&state, site, &headers).await?;
        let access = match &follower {
            Follower::Owner(reference) => {
                DossierAccess::Owner(viewer.as_ref().ok_or(AppError::Unauthenticated)?, reference)
            }
            Follower::Tracking(key) => DossierAccess::Tracking(key),
        };
        let url = match act {
            FollowerAct::Complement => service::start_complement(&tx, &access).await?,
            FollowerAct::Message(body) => {
                match service::citizen_message(&tx, state.settings(), &access, &body).await {
                    Ok(page) => format!("{page}#messages"),
                    Err(AppError::Invalid { .. }) => {
                        format!("{}?message=vide#messages", access.page_path())
                    }
                    Err(other) => return Err(other),
                }
            }
        };
        tx.commit().await?;
        Ok::<_, AppError>(url)
    }
    .await;
    match result {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => error_page(error),
    }
}

async fn owner_complement(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    let follower = Follower::Owner(reference);
    as_follower(state, site, headers, follower, FollowerAct::Complement).await
}

async fn tracking_complement(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    let follower = Follower::Tracking(key);
    as_follower(state, site, headers, follower, FollowerAct::Complement).await
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn owner_message(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    axum::Form(form): axum::Form<MessageForm>,
) -> Response {
    let follower = Follower::Owner(reference);
    as_follower(
        state,
        site,
        headers,
        follower,
        FollowerAct::Message(form.body),
    )
    .await
}

async fn tracking_message(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<MessageForm>,
) -> Response {
    let follower = Follower::Tracking(key);
    as_follower(
        state,
        site,
        headers,
        follower,
        FollowerAct::Message(form.body),
    )
    .await
}

/// The citizen sends the file that replaces a refused piece (a plain multipart form of their
/// dossier page, field `fichier`), then goes back to the page: with a notice, or with the
/// reason the file was refused beside the piece's input.
async fn replace_piece(
    state: AppState,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    follower: Follower,
    piece: String,
    multipart: Multipart,
) -> Response {
    let result = async {
        let (_, mut uploads) = read_multipart(multipart).await?;
        let upload = uploads
            .iter()
            .position(|u| u.field == "fichier")
            .map(|i| uploads.swap_remove(i));
        let (tx, viewer) = open(&state, site, &headers).await?;
        let access = match &follower {
            Follower::Owner(reference) => {
                DossierAccess::Owner(viewer.as_ref().ok_or(AppError::Unauthenticated)?, reference)
            }
            Follower::Tracking(key) => DossierAccess::Tracking(key),
        };
        let page = access.page_path();
        let files = TenantFiles::of(&tx, state.settings());
        match service::replace_piece(&tx, state.settings(), &access, &piece, upload).await? {
            service::Replacement::Stored(written) => {
                if let Err(error) = tx.commit().await {
                    forget(&files, vec![written]).await;
                    return Err(error);
                }
                Ok(format!("{page}?piece=remplacee#pieces"))
            }
            service::Replacement::Refused(refusal) => Ok(format!(
                "{page}?piece={}&erreur={}#piece-{}",
                piece.trim(),
                refusal.code(),
                piece.trim()
            )),
        }
    }
    .await;
    match result {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) => error_page(error),
    }
}

async fn owner_replace_piece(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path((reference, piece)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let follower = Follower::Owner(reference);
    replace_piece(state, site, headers, follower, piece, multipart).await
}

async fn tracking_replace_piece(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path((key, piece)): Path<(String, String)>,
    multipart: Multipart,
) -> Response {
    let follower = Follower::Tracking(key);
    replace_piece(state, site, headers, follower, piece, multipart).await
}

async fn owner_events(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    events(state, site, headers, Watched::Reference(reference)).await
}

async fn tracking_events(
    State(state): State<AppState>,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    events(state, site, headers, Watched::Tracking(key)).await
}

enum Watched {
    Reference(String),
    Tracking(String),
}

/// The current status of the watched dossier, as the viewer may see it.
async fn current(
    state: &AppState,
    tenant: &std::sync::Arc<crate::infra::Tenant>,
    token: Option<&str>,
    watched: &Watched,
) -> Result<(Uuid, super::model::LiveStatus), AppError> {
    let (tx, viewer) = open_as(state, tenant.clone(), token).await?;
    let status = match (watched, &viewer) {
        (Watched::Reference(reference), Some(user)) => {
            service::live_status(&tx, &DossierAccess::Owner(user, reference)).await?
        }
        (Watched::Reference(_), None) => return Err(AppError::Unauthenticated),
        (Watched::Tracking(key), _) => {
            service::live_status(&tx, &DossierAccess::Tracking(key)).await?
        }
    };
    tx.commit().await?;
    Ok(status)
}

/// Sends the status at once, then again each time the dossier changes. Access is checked
/// again on every change, so a closed session stops the stream.
async fn events(
    state: AppState,
    site: Option<axum::Extension<Site>>,
    headers: HeaderMap,
    watched: Watched,
) -> Response {
    let Some(axum::Extension(Site::Tenant(tenant))) = site else {
        return error_response(AppError::NotFound(s::DOSSIER_UNKNOWN.to_owned()));
    };
    let token = cookie_in(&headers, SESSION_COOKIE);
    // Subscribe before reading, so a change between the read and the subscription is not lost.
    let receiver = state.live().subscribe();
    let (dossier_id, first) = match current(&state, &tenant, token.as_deref(), &watched).await {
        Ok(found) => found,
        Err(error) => return error_response(error),
    };
    let schema = tenant.schema.as_str().to_owned();
    let stream = status_stream(Watch {
        state,
        tenant,
        token,
        watched,
        receiver,
        schema,
        dossier_id,
        first: Some(first),
        sent: None,
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

struct Watch {
    state: AppState,
    tenant: std::sync::Arc<crate::infra::Tenant>,
    token: Option<String>,
    watched: Watched,
    receiver: tokio::sync::broadcast::Receiver<crate::infra::live::DossierChanged>,
    schema: String,
    dossier_id: Uuid,
    first: Option<super::model::LiveStatus>,
    sent: Option<super::model::LiveStatus>,
}

/// Sends the first status, then each status that differs from the last one sent: a change
/// elsewhere in the dossier (a note, an assignment), or the notification of the submission
/// itself reaching this node after the stream began, says nothing new, and a screen reader
/// would announce the same status again.
fn status_stream(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(Some(watch), |watch| async move {
        let mut watch = watch?;
        if let Some(first) = watch.first.take() {
            let event = status_event(&first);
            watch.sent = Some(first);
            return Some((Ok(event), Some(watch)));
        }
        loop {
            match watch.receiver.recv().await {
                Ok(change)
                    if change.schema != watch.schema || change.dossier_id != watch.dossier_id =>
                {
                    continue;
                }
                // Ours, or missed some notifications (re-read, it costs one query).
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
            let status = match current(
                &watch.state,
                &watch.tenant,
                watch.token.as_deref(),
                &watch.watched,
            )
            .await
            {
                Ok((_, status)) => status,
                Err(_) => return None,
            };
            if watch.sent.as_ref() == Some(&status) {
                continue;
            }
            let event = status_event(&status);
            watch.sent = Some(status);
            return Some((Ok(event), Some(watch)));
        }
    })
}

fn status_event(status: &super::model::LiveStatus) -> Event {
    Event::default()
        .event("status")
        .data(serde_json::to_string(status).unwrap_or_default())
}
