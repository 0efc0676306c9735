//! The sign-in routes that are not pages: sending the browser to the provider, and the
//! provider's callback (the redirect URI), for citizens and for agents. Both answer with
//! redirects: to the provider, to the page the sign-in was for, to `/connexion/associer`, or to
//! the French failure page `/connexion/echec?motif=…` — never an error page of the protocol.
//!
//! A flow is bound to the browser that started it by a host-only cookie holding its `state`,
//! limited to `/connexion`: a callback URL handed to someone else's browser does nothing.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use super::model::{Audience, Failure};
use super::oidc;
use super::service::{self, Outcome};
use crate::account::model::UserKind;
use crate::account::service::SESSION_TTL;
use crate::error::AppError;
use crate::infra::cookies::{SESSION_COOKIE, cookie_header, cookie_in};
use crate::infra::reply::error_response;
use crate::infra::{AppState, Site, Tenant, TenantTx};

/// Holds the `state` of the sign-in this browser started.
const FLOW_COOKIE: &str = "guichet_oidc";
const FLOW_COOKIE_PATH: &str = "/connexion";

/// The same two handlers for each audience, told which by an extension of their route.
pub fn routes() -> Router<AppState> {
    [Audience::Citizens, Audience::Agents]
        .into_iter()
        .fold(Router::new(), |router, audience| {
            router
                .route(audience.start_path(), get(start).layer(Extension(audience)))
                .route(
                    audience.callback_path(),
                    get(callback).layer(Extension(audience)),
                )
        })
}

fn tenant_of(site: Option<Extension<Site>>) -> Result<Arc<Tenant>, AppError> {
    match site {
        Some(Extension(Site::Tenant(tenant))) => Ok(tenant),
        _ => Err(AppError::NotFound(
            super::strings::FAIL_NOT_CONFIGURED.to_owned(),
        )),
    }
}

/// This host's origin (a commune may be reached at its own domain: the redirect URI is the
/// host's, and must be registered at the provider for each).
fn origin(state: &AppState, headers: &HeaderMap, tenant: &Tenant) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => state
            .settings()
            .origin_for_host(&crate::infra::tenancy::normalize_host(host)),
        None => state.settings().tenant_origin(tenant),
    }
}

fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn failure_page(state: &AppState, audience: Audience, failure: Failure) -> Response {
    tracing::info!(
        audience = audience.as_str(),
        failure = failure.code(),
        "federated sign-in failed"
    );
    let agents = if audience == Audience::Agents {
        "&public=agents"
    } else {
        ""
    };
    see_other(
        &format!("/connexion/echec?motif={}{agents}", failure.code()),
        &[clear_flow_cookie(state)],
    )
}

fn clear_flow_cookie(state: &AppState) -> String {
    cookie_header(
        FLOW_COOKIE,
        "",
        0,
        state.settings().secure_cookies(),
        FLOW_COOKIE_PATH,
    )
}

#[tracing::instrument(skip_all, fields(audience = audience.as_str()))]
async fn start(
    State(state): State<AppState>,
    Extension(audience): Extension<Audience>,
    site: Option<Extension<Site>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let tenant = tenant_of(site)?;
        let tx = TenantTx::begin(&state, tenant.clone()).await?;
        let provider = service::provider(&tx, state.secrets()?, audience).await?;
        tx.commit().await?;
        let Some(provider) = provider else {
            return Ok(Err(Failure::NotConfigured));
        };
        let party = provider.relying_party(format!(
            "{}{}",
            origin(&state, &headers, &tenant),
            audience.callback_path()
        ));
        let authorization = match oidc::authorize(&party).await {
            Ok(authorization) => authorization,
            Err(failure) => return Ok(Err(failure)),
        };
        let tx = TenantTx::begin(&state, tenant).await?;
        service::record_flow(
            &tx,
            audience,
            &party.issuer,
            &authorization,
            query.get("retour").map(String::as_str),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(Ok(authorization))
    }
    .await;
    match result {
        Ok(Ok(authorization)) => see_other(
            &authorization.url,
            &[cookie_header(
                FLOW_COOKIE,
                &authorization.state,
                600,
                state.settings().secure_cookies(),
                FLOW_COOKIE_PATH,
            )],
        ),
        Ok(Err(failure)) => failure_page(&state, audience, failure),
        Err(error) => error_response(error),
    }
}

#[tracing::instrument(skip_all, fields(audience = audience.as_str()))]
async fn callback(
    State(state): State<AppState>,
    Extension(audience): Extension<Audience>,
    site: Option<Extension<Site>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let started = std::time::Instant::now();
    let mut provider_time = std::time::Duration::ZERO;
    let result = async {
        let tenant = tenant_of(site)?;
        let cookie_state = cookie_in(&headers, FLOW_COOKIE);
        let tx = TenantTx::begin(&state, tenant.clone()).await?;
        let flow = service::take_flow(
            &tx,
            audience,
            query.get("state").map(String::as_str).unwrap_or_default(),
            cookie_state.as_deref(),
        )
        .await?;
        let provider = service::provider(&tx, state.secrets()?, audience).await?;
        // The flow is used up even if what follows fails.
        tx.commit().await?;
        let flow = match flow {
            Ok(flow) => flow,
            Err(failure) => return Ok(Err(failure)),
        };
        let Some(provider) = provider.filter(|p| p.settings.issuer == flow.issuer) else {
            return Ok(Err(Failure::NotConfigured));
        };
        if let Some(error) = query.get("error") {
            tracing::info!(
                %error,
                description = query.get("error_description").map(String::as_str).unwrap_or_default(),
                "the provider answered with an error"
            );
            return Ok(Err(if error == "access_denied" {
                Failure::Denied
            } else {
                Failure::ProviderError
            }));
        }
        // RFC 9207: a provider that names itself must be the one the flow went to.
        if query.get("iss").is_some_and(|iss| iss.trim_end_matches('/') != flow.issuer) {
            return Ok(Err(Failure::InvalidToken));
        }
        let Some(code) = query.get("code").filter(|c| !c.is_empty() && c.len() < 2048) else {
            return Ok(Err(Failure::ProviderError));
        };
        let party = provider.relying_party(format!(
            "{}{}",
            origin(&state, &headers, &tenant),
            audience.callback_path()
        ));
        let signed_in =
            match oidc::complete(&party, code, &flow.nonce, flow.pkce_verifier.as_deref()).await {
                Ok(signed_in) => signed_in,
                Err(failure) => return Ok(Err(failure)),
            };
        provider_time = signed_in.provider_time;
        let tx = TenantTx::begin(&state, tenant).await?;
        let outcome = match audience {
            Audience::Citizens => service::apply_citizen(&tx, &provider, &flow, &signed_in).await?,
            Audience::Agents => service::apply_agent(&tx, &provider, &flow, &signed_in).await?,
        };
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok::<_, AppError>(outcome)
    }
    .await;
    let secure = state.settings().secure_cookies();
    let mut response = match result {
        Ok(Ok(Outcome::SignedIn {
            session,
            user,
            return_to,
        })) => {
            let space = if user.kind == UserKind::Agent {
                "/back-office"
            } else {
                "/mon-compte"
            };
            let target = return_to
                .as_deref()
                .and_then(crate::access::safe_return_path)
                .unwrap_or(space);
            see_other(
                target,
                &[
                    cookie_header(
                        SESSION_COOKIE,
                        &session.0,
                        SESSION_TTL.whole_seconds(),
                        secure,
                        "/",
                    ),
                    clear_flow_cookie(&state),
                ],
            )
        }
        Ok(Ok(Outcome::NeedsLink { token })) => see_other(
            &format!("/connexion/associer?jeton={token}"),
            &[clear_flow_cookie(&state)],
        ),
        Ok(Err(failure)) => failure_page(&state, audience, failure),
        Err(error) => error_response(error),
    };
    // Guichet's own time apart from the provider's (read by the bench).
    let own = started.elapsed().saturating_sub(provider_time);
    if let Ok(value) = HeaderValue::from_str(&format!(
        "guichet;dur={:.3}, provider;dur={:.3}",
        own.as_secs_f64() * 1000.0,
        provider_time.as_secs_f64() * 1000.0
    )) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}
