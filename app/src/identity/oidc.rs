//! The OpenID Connect relying party, on the `openidconnect` crate: discovery (cached per issuer,
//! refreshed when a token names a key the cached JWKS lacks), the authorization request with
//! state, nonce, PKCE and `acr_values`, the code exchange, the ID token's verification, the
//! userinfo response as JSON or as a signed JWT (FranceConnect v2), and the end-session URL.
//!
//! Everything here is protocol; what a sign-in means for an account is `service.rs`'s job.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType,
    CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthenticationContextClass, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, JsonWebKey,
    LogoutProviderMetadata, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadata, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::Failure;

/// How far the provider's clock may be from ours.
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);
fn skew() -> chrono::TimeDelta {
    chrono::TimeDelta::seconds(CLOCK_SKEW.as_secs() as i64)
}

/// How long discovered metadata (and its JWKS) is trusted before being fetched again.
const METADATA_TTL: Duration = Duration::from_secs(600);

/// Discovery fields the core metadata type does not carry.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraMetadata {
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

pub type Metadata = ProviderMetadata<
    LogoutProviderMetadata<ExtraMetadata>,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// A provider as this relying party uses it (the secret already opened).
#[derive(Clone)]
pub struct RelyingParty {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub acr_values: Vec<String>,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// An authorization request about to be sent: where to send the browser, and what the callback
/// must find again.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: Option<String>,
}

/// What a completed code flow proved.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub subject: String,
    pub acr: String,
    /// The raw ID token, kept for the logout's `id_token_hint`.
    pub id_token: String,
    /// Claims from userinfo (verified), completed by the ID token's.
    pub claims: Map<String, Value>,
    /// Time spent waiting for the provider (token, userinfo, keys), to tell Guichet's own
    /// time apart (the callback's `Server-Timing`).
    pub provider_time: Duration,
}

struct Cached {
    metadata: Arc<Metadata>,
    fetched: Instant,
}

fn cache() -> &'static Mutex<HashMap<String, Cached>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Cached>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// No redirects (a provider's endpoints never redirect; following them would let a metadata
/// document point the server anywhere), short time-outs.
fn http() -> Result<&'static reqwest::Client, Failure> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|error| tracing::error!(%error, "HTTP client"))
                .ok()
        })
        .as_ref()
        .ok_or(Failure::ProviderUnreachable)
}

/// The provider's metadata and keys; `refresh` fetches them again whatever the cache holds.
pub async fn metadata(issuer: &str, refresh: bool) -> Result<Arc<Metadata>, Failure> {
    if !refresh
        && let Ok(cache) = cache().lock()
        && let Some(cached) = cache.get(issuer)
        && cached.fetched.elapsed() < METADATA_TTL
    {
        return Ok(cached.metadata.clone());
    }
    let issuer_url = IssuerUrl::new(issuer.to_owned()).map_err(|_| Failure::DiscoveryFailed)?;
    let metadata = Metadata::discover_async(issuer_url, http()?)
        .await
        .map_err(|error| {
            tracing::warn!(%issuer, error = %error_chain(&error), "OpenID discovery failed");
            Failure::DiscoveryFailed
        })?;
    let metadata = Arc::new(metadata);
    if let Ok(mut cache) = cache().lock() {
        cache.insert(
            issuer.to_owned(),
            Cached {
                metadata: metadata.clone(),
                fetched: Instant::now(),
            },
        );
    }
    Ok(metadata)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn client(
    metadata: &Metadata,
    party: &RelyingParty,
) -> Result<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
    Failure,
> {
    let redirect =
        RedirectUrl::new(party.redirect_uri.clone()).map_err(|_| Failure::NotConfigured)?;
    // Basic authentication unless the provider only takes the secret in the body
    // (FranceConnect v2 advertises client_secret_post).
    let basic = metadata
        .token_endpoint_auth_methods_supported()
        .is_none_or(|methods| methods.contains(&CoreClientAuthMethod::ClientSecretBasic));
    Ok(CoreClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(party.client_id.clone()),
        Some(ClientSecret::new(party.client_secret.clone())),
    )
    .set_redirect_uri(redirect)
    .set_auth_type(if basic {
        AuthType::BasicAuth
    } else {
        AuthType::RequestBody
    }))
}

/// The authorization request: state and nonce of 256 random bits (43 characters), PKCE S256
/// when the provider advertises it, the configured scopes and `acr_values`.
pub async fn authorize(party: &RelyingParty) -> Result<Authorization, Failure> {
    let metadata = metadata(&party.issuer, false).await?;
    let client = client(&metadata, party)?;
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        // 256 bits each (43 characters): FranceConnect asks for at least 32.
        || CsrfToken::new_random_len(32),
        || Nonce::new_random_len(32),
    );
    for scope in party.scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    for acr in &party.acr_values {
        request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
    }
    let pkce = metadata
        .additional_metadata()
        .additional_metadata
        .code_challenge_methods_supported
        .as_ref()
        .is_some_and(|methods| methods.iter().any(|m| m == "S256"));
    let mut verifier = None;
    if pkce {
        let (challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        request = request.set_pkce_challenge(challenge);
        verifier = Some(pkce_verifier.secret().clone());
    }
    let (url, state, nonce) = request.url();
    Ok(Authorization {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier,
    })
}

/// eIDAS levels are ordered: a stronger level than asked for is fine, a weaker one is not.
fn acr_rank(acr: &str) -> Option<u8> {
    match acr {
        "eidas1" => Some(1),
        "eidas2" => Some(2),
        "eidas3" => Some(3),
        _ => None,
    }
}

/// Whether the `acr` the provider stated meets what was asked for.
pub fn acr_satisfies(requested: &[String], stated: Option<&str>) -> bool {
    if requested.is_empty() {
        return true;
    }
    let Some(stated) = stated else {
        return false;
    };
    if requested.iter().any(|r| r == stated) {
        return true;
    }
    let minimum = requested.iter().filter_map(|r| acr_rank(r)).min();
    matches!((minimum, acr_rank(stated)), (Some(min), Some(got)) if got >= min)
}

/// Exchanges the code and verifies everything the provider says.
pub async fn complete(
    party: &RelyingParty,
    code: &str,
    nonce: &str,
    pkce_verifier: Option<&str>,
) -> Result<SignedIn, Failure> {
    let waited = Instant::now();
    let metadata = metadata(&party.issuer, false).await?;
    let mut provider_time = waited.elapsed();
    let client = client(&metadata, party)?;
    let mut exchange = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| Failure::DiscoveryFailed)?;
    if let Some(verifier) = pkce_verifier {
        exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()));
    }
    let waited = Instant::now();
    let token = exchange.request_async(http()?).await;
    provider_time += waited.elapsed();
    let token = token.map_err(|error| match error {
        RequestTokenError::ServerResponse(response) => {
            tracing::info!(error = %response.error(), "the provider refused the code");
            Failure::CodeRejected
        }
        RequestTokenError::Request(error) => {
            tracing::warn!(error = %error_chain(&error), "token endpoint unreachable");
            Failure::ProviderUnreachable
        }
        other => {
            tracing::warn!(error = %error_chain(&other), "token response unreadable");
            Failure::InvalidToken
        }
    })?;
    let id_token = token.id_token().ok_or_else(|| {
        tracing::info!("token response without an ID token");
        Failure::InvalidToken
    })?;
    let nonce = Nonce::new(nonce.to_owned());
    let verify = |client: &CoreClient<_, _, _, _, _, _>| {
        let requested = party.acr_values.clone();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs([
                CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                CoreJwsSigningAlgorithm::EcdsaP256Sha256,
            ])
            .set_time_fn(|| chrono::Utc::now() - skew())
            .set_issue_time_verifier_fn(|issued| {
                if issued > chrono::Utc::now() + skew() {
                    Err(format!("issued in the future ({issued})"))
                } else {
                    Ok(())
                }
            })
            .set_auth_context_verifier_fn(move |acr| {
                if acr_satisfies(&requested, acr.map(|a| a.as_str())) {
                    Ok(())
                } else {
                    Err(format!("acr {acr:?} does not meet {requested:?}"))
                }
            });
        id_token.claims(&verifier, &nonce).map(|claims| {
            (
                claims.subject().as_str().to_owned(),
                claims
                    .auth_context_ref()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_default(),
                serde_json::to_value(claims).ok(),
            )
        })
    };
    let (subject, acr, id_claims) = match verify(&client) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            // A key we have not seen: the provider rotated its keys. Fetch them once more.
            let waited = Instant::now();
            let metadata = self::metadata(&party.issuer, true).await?;
            provider_time += waited.elapsed();
            let client = self::client(&metadata, party)?;
            verify(&client)
        }
        other => other,
    }
    .map_err(|error| {
        tracing::info!(error = %error, "ID token refused");
        Failure::InvalidToken
    })?;
    let waited = Instant::now();
    let mut claims = match metadata.userinfo_endpoint() {
        Some(endpoint) => {
            userinfo(
                party,
                endpoint.url().as_str(),
                token.access_token().secret(),
                &subject,
            )
            .await?
        }
        None => Map::new(),
    };
    // Userinfo's own checks are a few microseconds next to its round trip: counted as waiting.
    provider_time += waited.elapsed();
    if let Some(Value::Object(id_claims)) = id_claims {
        for (name, value) in id_claims {
            claims.entry(name).or_insert(value);
        }
    }
    Ok(SignedIn {
        subject,
        acr,
        id_token: id_token.to_string(),
        claims,
        provider_time,
    })
}

/// The userinfo response, as JSON or as a JWT signed by the provider (FranceConnect v2 answers
/// `application/jwt`, signed ES256 or RS256): the signature, issuer, audience and subject are
/// checked. Done here rather than by the crate, whose userinfo verifier only admits RS256.
async fn userinfo(
    party: &RelyingParty,
    endpoint: &str,
    access_token: &str,
    subject: &str,
) -> Result<Map<String, Value>, Failure> {
    let response = http()?
        .get(endpoint)
        .bearer_auth(access_token)
        .header("accept", "application/json, application/jwt")
        .send()
        .await
        .map_err(|error| {
            tracing::warn!(error = %error_chain(&error), "userinfo endpoint unreachable");
            Failure::ProviderUnreachable
        })?;
    if !response.status().is_success() {
        tracing::info!(status = %response.status(), "userinfo refused");
        return Err(Failure::InvalidToken);
    }
    let jwt = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/jwt"));
    let body = response
        .text()
        .await
        .map_err(|_| Failure::ProviderUnreachable)?;
    let claims = if jwt {
        match verify_jwt(party, body.trim(), false).await {
            Err(Failure::UnknownKey) => verify_jwt(party, body.trim(), true).await?,
            other => other?,
        }
    } else {
        serde_json::from_str::<Map<String, Value>>(&body).map_err(|_| Failure::InvalidToken)?
    };
    if claims.get("sub").and_then(Value::as_str) != Some(subject) {
        tracing::info!("userinfo for another subject");
        return Err(Failure::InvalidToken);
    }
    Ok(claims)
}

async fn verify_jwt(
    party: &RelyingParty,
    jwt: &str,
    refresh: bool,
) -> Result<Map<String, Value>, Failure> {
    let invalid = |why: &str| {
        tracing::info!(why, "signed userinfo refused");
        Failure::InvalidToken
    };
    let mut parts = jwt.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("not a JWS"));
    };
    let header: Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("header"))?;
    let alg = match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        Some("ES256") => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        _ => return Err(invalid("algorithm")),
    };
    let kid = header.get("kid").and_then(Value::as_str);
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| invalid("signature encoding"))?;
    let metadata = metadata(&party.issuer, refresh).await?;
    let keys: Vec<&CoreJsonWebKey> = metadata
        .jwks()
        .keys()
        .iter()
        .filter(|key| kid.is_none_or(|kid| key.key_id().is_some_and(|id| id.as_str() == kid)))
        .collect();
    if keys.is_empty() {
        return Err(Failure::UnknownKey);
    }
    let message = &jwt[..header_and_payload_len(jwt)];
    if !keys.iter().any(|key| {
        key.verify_signature(&alg, message.as_bytes(), &signature)
            .is_ok()
    }) {
        return Err(invalid("signature"));
    }
    let claims: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| invalid("payload"))?;
    if claims.get("iss").and_then(Value::as_str) != Some(party.issuer.as_str()) {
        return Err(invalid("issuer"));
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == &party.client_id,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(&party.client_id)),
        _ => false,
    };
    if !audience_ok {
        return Err(invalid("audience"));
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_i64)
        && exp + (CLOCK_SKEW.as_secs() as i64) < chrono::Utc::now().timestamp()
    {
        return Err(invalid("expired"));
    }
    Ok(claims)
}

fn header_and_payload_len(jwt: &str) -> usize {
    jwt.rfind('.').unwrap_or(0)
}

/// Where to send the browser to end the provider's session too (RP-initiated logout), if the
/// provider has an end-session endpoint.
pub async fn end_session_url(
    issuer: &str,
    id_token: &str,
    post_logout_redirect_uri: &str,
) -> Option<String> {
    let metadata = metadata(issuer, false).await.ok()?;
    let endpoint = metadata
        .additional_metadata()
        .end_session_endpoint
        .as_ref()?;
    let mut url = endpoint.url().clone();
    let (state, _) = crate::infra::crypto::new_token();
    url.query_pairs_mut()
        .append_pair("id_token_hint", id_token)
        .append_pair("post_logout_redirect_uri", post_logout_redirect_uri)
        .append_pair("state", &state);
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stronger_eidas_level_satisfies_a_weaker_request_and_not_the_reverse() {
        let asked = |levels: &[&str]| levels.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(acr_satisfies(&asked(&["eidas1"]), Some("eidas1")));
        assert!(acr_satisfies(&asked(&["eidas1"]), Some("eidas2")));
        assert!(!acr_satisfies(&asked(&["eidas2"]), Some("eidas1")));
        assert!(!acr_satisfies(&asked(&["eidas1"]), None));
        assert!(!acr_satisfies(&asked(&["eidas1"]), Some("loa-low")));
        assert!(acr_satisfies(&asked(&[]), None));
    }
}
