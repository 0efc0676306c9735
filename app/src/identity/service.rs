//! What a federated sign-in means for the commune's accounts: providers' settings (the
//! commune's own, else the platform's), sign-ins in progress, links (issuer, sub) → account,
//! certified identities, linking an existing account, agents' roles and provisioning.
//!
//! The protocol itself is `oidc.rs`. A callback is handled in three steps so that no database
//! transaction stays open while the provider is called: take the flow (committed: a state is
//! used once, whatever follows), talk to the provider, then apply the result in one
//! transaction (an account is never half-created).

use sea_orm::FromQueryResult;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::model::{
    Audience, CertifiedIdentity, Failure, Preset, ProviderSettings, ProviderView, RoleGrant,
    RoleMapping, SignInOptions,
};
use super::oidc::{self, RelyingParty, SignedIn};
use super::strings as s;
use crate::account::model::UserView;
use crate::account::service::{SessionToken, create_federated_session};
use crate::error::{AppError, AppResult};
use crate::infra::crypto::{hash_token, new_token};
use crate::infra::secrets::Secrets;
use crate::infra::{PlatformTx, Queries, TenantTx};

/// How long a sign-in may take at the provider.
const FLOW_TTL_SECONDS: i64 = 600;
/// How long a pending link waits for the local password.
const PENDING_LINK_TTL_SECONDS: i64 = 900;

#[derive(FromQueryResult)]
struct ProviderRow {
    audience: String,
    preset: String,
    label: String,
    issuer: String,
    client_id: String,
    client_secret: Vec<u8>,
    scopes: String,
    acr_values: String,
    local_accounts_allowed: bool,
    role_claim: Option<String>,
    role_mapping: String,
    provisioning: String,
    enabled: bool,
    inherited: bool,
}

const PROVIDER_COLUMNS: &str = "audience, preset, label, issuer, client_id, client_secret, scopes, acr_values, \
     local_accounts_allowed, role_claim, role_mapping::text AS role_mapping, provisioning, enabled";

impl ProviderRow {
    /// The stored mapping, typed (one that does not read maps nothing: refused agents, rather
    /// than a failed sign-in page for everyone).
    fn mapping(&self) -> RoleMapping {
        serde_json::from_str(&self.role_mapping).unwrap_or_else(|error| {
            tracing::warn!(%error, audience = %self.audience, "unreadable role mapping");
            RoleMapping::default()
        })
    }

    fn settings(&self) -> ProviderSettings {
        ProviderSettings {
            audience: Audience::parse(&self.audience).unwrap_or(Audience::Citizens),
            preset: Preset::parse(&self.preset),
            label: self.label.clone(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: String::new(),
            secret_set: !self.client_secret.is_empty(),
            scopes: self.scopes.clone(),
            acr_values: self.acr_values.clone(),
            local_accounts_allowed: self.local_accounts_allowed,
            role_claim: self.role_claim.clone().unwrap_or_default(),
            role_mapping: self.mapping().lines(),
            just_in_time: self.provisioning == "just_in_time",
            enabled: self.enabled,
        }
    }

    fn binding(&self, schema: &str) -> String {
        let scope = if self.inherited { "platform" } else { schema };
        secret_binding(scope, &self.audience)
    }
}

fn secret_binding(scope: &str, audience: &str) -> String {
    format!("{scope}/identity.{audience}.client_secret")
}

/// A provider ready for a sign-in.
pub struct Provider {
    pub settings: ProviderSettings,
    /// Agents: what the role claim's values give, read once from the stored JSON.
    pub mapping: RoleMapping,
    secret: String,
}

impl Provider {
    pub fn relying_party(&self, redirect_uri: String) -> RelyingParty {
        RelyingParty {
            issuer: self.settings.issuer.clone(),
            client_id: self.settings.client_id.clone(),
            client_secret: self.secret.clone(),
            redirect_uri,
            scopes: self
                .settings
                .scopes
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            acr_values: self
                .settings
                .acr_values
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The commune's own provider for `audience`, else the platform's.
async fn provider_row(tx: &TenantTx, audience: Audience) -> AppResult<Option<ProviderRow>> {
    tx.fetch_optional(
        &format!(
            "SELECT {PROVIDER_COLUMNS}, false AS inherited FROM identity_providers WHERE audience = $1
             UNION ALL
             SELECT {PROVIDER_COLUMNS}, true AS inherited FROM platform.identity_providers p
             WHERE p.audience = $1 AND NOT EXISTS (SELECT 1 FROM identity_providers WHERE audience = $1)"
        ),
        vec![audience.as_str().into()],
    )
    .await
}

/// The enabled provider for `audience`, its secret opened.
pub async fn provider(
    tx: &TenantTx,
    secrets: &Secrets,
    audience: Audience,
) -> AppResult<Option<Provider>> {
    let Some(row) = provider_row(tx, audience).await?.filter(|r| r.enabled) else {
        return Ok(None);
    };
    let secret = secrets.open(
        &row.binding(tx.tenant().schema.as_str()),
        &row.client_secret,
    )?;
    Ok(Some(Provider {
        settings: row.settings(),
        mapping: row.mapping(),
        secret,
    }))
}

/// What the sign-in page offers.
pub async fn sign_in_options(tx: &TenantTx) -> AppResult<SignInOptions> {
    let citizens = provider_row(tx, Audience::Citizens)
        .await?
        .filter(|r| r.enabled);
    let agents = provider_row(tx, Audience::Agents)
        .await?
        .filter(|r| r.enabled);
    Ok(SignInOptions {
        local_accounts_allowed: citizens.as_ref().is_none_or(|c| c.local_accounts_allowed),
        citizens_is_franceconnect: citizens
            .as_ref()
            .is_some_and(|c| c.preset == Preset::FranceConnect.as_str()),
        citizens: citizens.map(|c| c.label),
        agents: agents.map(|a| a.label),
    })
}

/// Whether citizens may still sign up and sign in with a password here (only the citizens'
/// provider decides it).
pub async fn local_accounts_allowed(tx: &TenantTx) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Row {
        local_accounts_allowed: bool,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT local_accounts_allowed FROM identity_providers WHERE audience = $1 AND enabled
             UNION ALL
             SELECT local_accounts_allowed FROM platform.identity_providers
             WHERE audience = $1 AND enabled
               AND NOT EXISTS (SELECT 1 FROM identity_providers WHERE audience = $1)",
            vec![Audience::Citizens.as_str().into()],
        )
        .await?;
    Ok(row.is_none_or(|r| r.local_accounts_allowed))
}

// ---------------------------------------------------------------------------------------------
// Administration

fn check_settings(settings: &ProviderSettings, secret_required: bool) -> AppResult<()> {
    if settings.label.trim().is_empty() || settings.label.chars().count() > 60 {
        return Err(AppError::invalid("label", s::LABEL_EMPTY));
    }
    let issuer = settings.issuer.trim();
    let local = issuer.starts_with("http://127.0.0.1")
        || issuer.starts_with("http://localhost")
        || issuer.starts_with("http://[::1]");
    if !(issuer.starts_with("https://") || local)
        || issuer.contains(['?', '#', ' '])
        || issuer.len() > 300
    {
        return Err(AppError::invalid("issuer", s::ISSUER_INVALID));
    }
    if settings.client_id.trim().is_empty() || settings.client_id.len() > 300 {
        return Err(AppError::invalid("client_id", s::CLIENT_ID_EMPTY));
    }
    if secret_required && settings.client_secret.trim().is_empty() {
        return Err(AppError::invalid("client_secret", s::SECRET_EMPTY));
    }
    let scopes: Vec<&str> = settings.scopes.split_whitespace().collect();
    if !scopes.contains(&"openid")
        || scopes.iter().any(|s| {
            !s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:/".contains(c))
        })
    {
        return Err(AppError::invalid("scopes", s::SCOPES_INVALID));
    }
    if settings.acr_values.split_whitespace().any(|s| {
        !s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
    }) {
        return Err(AppError::invalid("acr_values", s::ACR_INVALID));
    }
    if settings.audience == Audience::Agents {
        if settings.role_claim.trim().is_empty() {
            return Err(AppError::invalid("role_claim", s::ROLE_CLAIM_EMPTY));
        }
        parsed_mapping(settings)?;
    }
    Ok(())
}

fn parsed_mapping(settings: &ProviderSettings) -> AppResult<RoleMapping> {
    RoleMapping::parse(&settings.role_mapping)
        .map_err(|message| AppError::invalid("role_mapping", message))
}

/// Saves a provider's settings in `table` (the commune's, or the platform's). An empty secret
/// keeps the stored one.
async fn save_in<Q: Queries + Sync>(
    q: &Q,
    table: &str,
    scope: &str,
    secrets: &Secrets,
    settings: &ProviderSettings,
) -> AppResult<()> {
    let existing: Option<SecretRow> = q
        .fetch_optional(
            &format!("SELECT client_secret FROM {table} WHERE audience = $1 FOR UPDATE"),
            vec![settings.audience.as_str().into()],
        )
        .await?;
    check_settings(settings, existing.is_none())?;
    let secret = if settings.client_secret.trim().is_empty() {
        existing.map(|e| e.client_secret).unwrap_or_default()
    } else {
        secrets.seal(
            &secret_binding(scope, settings.audience.as_str()),
            settings.client_secret.trim(),
        )?
    };
    q.execute(
        &format!(
            "INSERT INTO {table} (audience, preset, label, issuer, client_id, client_secret, scopes, acr_values,
                 local_accounts_allowed, role_claim, role_mapping, provisioning, enabled, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, now())
             ON CONFLICT (audience) DO UPDATE SET preset = EXCLUDED.preset, label = EXCLUDED.label,
                 issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret = EXCLUDED.client_secret,
                 scopes = EXCLUDED.scopes, acr_values = EXCLUDED.acr_values,
                 local_accounts_allowed = EXCLUDED.local_accounts_allowed, role_claim = EXCLUDED.role_claim,
                 role_mapping = EXCLUDED.role_mapping, provisioning = EXCLUDED.provisioning,
                 enabled = EXCLUDED.enabled, updated_at = now()"
        ),
        vec![
            settings.audience.as_str().into(),
            settings.preset.as_str().into(),
            settings.label.trim().into(),
            settings.issuer.trim().trim_end_matches('/').to_owned().into(),
            settings.client_id.trim().into(),
            secret.into(),
            settings.scopes.split_whitespace().collect::<Vec<_>>().join(" ").into(),
            settings.acr_values.split_whitespace().collect::<Vec<_>>().join(" ").into(),
            settings.local_accounts_allowed.into(),
            Some(settings.role_claim.trim().to_owned())
                .filter(|c| !c.is_empty())
                .into(),
            serde_json::to_string(&parsed_mapping(settings)?)
                .map_err(|_| AppError::Internal)?
                .into(),
            if settings.just_in_time { "just_in_time" } else { "refuse" }.into(),
            settings.enabled.into(),
        ],
    )
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct SecretRow {
    client_secret: Vec<u8>,
}

pub async fn save(tx: &TenantTx, secrets: &Secrets, settings: &ProviderSettings) -> AppResult<()> {
    if settings.audience == Audience::Agents {
        // A commune's mapping names services of its own org chart: each must be one of them.
        // (The platform's names services that each commune may or may not have.)
        for name in parsed_mapping(settings)?.service_names() {
            match services_named(tx, &[name.to_owned()]).await?.len() {
                1 => {}
                0 => {
                    return Err(AppError::invalid(
                        "role_mapping",
                        s::mapping_service_unknown(name),
                    ));
                }
                _ => {
                    return Err(AppError::invalid(
                        "role_mapping",
                        s::mapping_service_ambiguous(name),
                    ));
                }
            }
        }
    }
    let schema = tx.tenant().schema.as_str().to_owned();
    save_in(tx, "identity_providers", &schema, secrets, settings).await
}

#[derive(FromQueryResult)]
struct NamedService {
    id: Uuid,
    name: String,
}

/// The commune's services whose name is one of `names`, case-insensitively (compared here:
/// the database's `lower` may know only ASCII; an org chart is a few hundred services at most).
async fn services_named(tx: &TenantTx, names: &[String]) -> AppResult<Vec<NamedService>> {
    let wanted: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    let all: Vec<NamedService> = tx
        .fetch_all("SELECT id, name FROM services", vec![])
        .await?;
    Ok(all
        .into_iter()
        .filter(|service| wanted.contains(&service.name.trim().to_lowercase()))
        .collect())
}

pub async fn remove(tx: &TenantTx, audience: Audience) -> AppResult<()> {
    tx.execute(
        "DELETE FROM identity_providers WHERE audience = $1",
        vec![audience.as_str().into()],
    )
    .await?;
    Ok(())
}

pub async fn save_platform(
    tx: &PlatformTx,
    secrets: &Secrets,
    settings: &ProviderSettings,
) -> AppResult<()> {
    save_in(
        tx,
        "platform.identity_providers",
        "platform",
        secrets,
        settings,
    )
    .await
}

pub async fn platform_settings(
    tx: &PlatformTx,
    audience: Audience,
) -> AppResult<Option<ProviderSettings>> {
    let row: Option<ProviderRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {PROVIDER_COLUMNS}, true AS inherited FROM platform.identity_providers WHERE audience = $1"
            ),
            vec![audience.as_str().into()],
        )
        .await?;
    Ok(row.map(|r| r.settings()))
}

pub async fn remove_platform(tx: &PlatformTx, audience: Audience) -> AppResult<()> {
    tx.execute(
        "DELETE FROM platform.identity_providers WHERE audience = $1",
        vec![audience.as_str().into()],
    )
    .await?;
    Ok(())
}

/// The administration page's view of one audience. `origin` is the commune's portal origin.
pub async fn view(tx: &TenantTx, origin: &str, audience: Audience) -> AppResult<ProviderView> {
    let own: Option<ProviderRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {PROVIDER_COLUMNS}, false AS inherited FROM identity_providers WHERE audience = $1"
            ),
            vec![audience.as_str().into()],
        )
        .await?;
    let inherited: Option<ProviderRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {PROVIDER_COLUMNS}, true AS inherited FROM platform.identity_providers WHERE audience = $1"
            ),
            vec![audience.as_str().into()],
        )
        .await?;
    Ok(ProviderView {
        own: own.map(|r| r.settings()),
        inherited: inherited.map(|r| r.settings()),
        redirect_uri: format!("{origin}{}", audience.callback_path()),
        post_logout_redirect_uri: format!("{origin}/"),
    })
}

// ---------------------------------------------------------------------------------------------
// Sign-in

/// Records the authorization request about to be sent; `state` comes back in the callback.
pub async fn record_flow(
    tx: &TenantTx,
    audience: Audience,
    issuer: &str,
    authorization: &oidc::Authorization,
    return_to: Option<&str>,
) -> AppResult<()> {
    tx.execute(
        "DELETE FROM identity_flows WHERE expires_at < now()",
        vec![],
    )
    .await?;
    tx.execute(
        "INSERT INTO identity_flows (state_hash, audience, issuer, nonce, pkce_verifier, return_to, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 second')",
        vec![
            hash_token(&authorization.state).into(),
            audience.as_str().into(),
            issuer.into(),
            authorization.nonce.clone().into(),
            authorization.pkce_verifier.clone().into(),
            return_to
                .and_then(crate::access::safe_return_path)
                .map(str::to_owned)
                .into(),
            FLOW_TTL_SECONDS.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A sign-in in progress, used up by its callback.
#[derive(FromQueryResult)]
pub struct Flow {
    pub issuer: String,
    pub nonce: String,
    pub pkce_verifier: Option<String>,
    pub return_to: Option<String>,
}

/// Takes the flow the callback's `state` names, if it belongs to `audience`, has not expired,
/// and was started in this browser (`cookie_state`). Used up either way.
pub async fn take_flow(
    tx: &TenantTx,
    audience: Audience,
    state: &str,
    cookie_state: Option<&str>,
) -> AppResult<Result<Flow, Failure>> {
    if state.len() < 32 || state.len() > 200 {
        return Ok(Err(Failure::WrongState));
    }
    let flow: Option<Flow> = tx
        .fetch_optional(
            "DELETE FROM identity_flows WHERE state_hash = $1 AND audience = $2 AND expires_at > now()
             RETURNING issuer, nonce, pkce_verifier, return_to",
            vec![hash_token(state).into(), audience.as_str().into()],
        )
        .await?;
    Ok(match flow {
        Some(flow) if cookie_state == Some(state) => Ok(flow),
        _ => Err(Failure::WrongState),
    })
}

/// What a completed sign-in leads to.
pub enum Outcome {
    SignedIn {
        session: SessionToken,
        user: Box<UserView>,
        return_to: Option<String>,
    },
    /// The email is an existing account's: the citizen must prove its password (`token` names
    /// the pending link, for `/connexion/associer?jeton=`).
    NeedsLink { token: String },
}

fn text_claim(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The certified identity the claims carry (FranceConnect's claim set).
pub fn certified_identity(
    claims: &Map<String, Value>,
    provider_label: &str,
    acr: &str,
) -> Result<CertifiedIdentity, Failure> {
    let given_name = text_claim(claims, "given_name").ok_or(Failure::IncompleteIdentity)?;
    let family_name = text_claim(claims, "family_name")
        .or_else(|| text_claim(claims, "usual_name"))
        .ok_or(Failure::IncompleteIdentity)?;
    let birthdate =
        text_claim(claims, "birthdate").filter(|d| crate::account::validate::is_iso_date(d));
    Ok(CertifiedIdentity {
        given_name,
        family_name,
        preferred_username: text_claim(claims, "preferred_username"),
        birthdate,
        birthplace: text_claim(claims, "birthplace"),
        birthcountry: text_claim(claims, "birthcountry"),
        gender: text_claim(claims, "gender"),
        email: text_claim(claims, "email").map(|e| e.to_lowercase()),
        provider: provider_label.to_owned(),
        acr: acr.to_owned(),
        certified_at: rfc3339_now(),
    })
}

fn rfc3339_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

#[derive(FromQueryResult)]
struct LinkedUser {
    id: Uuid,
    kind: String,
    has_password: bool,
    deactivated: bool,
}

async fn linked_user(tx: &TenantTx, issuer: &str, subject: &str) -> AppResult<Option<LinkedUser>> {
    tx.fetch_optional(
        "SELECT u.id, u.kind, u.password_hash IS NOT NULL AS has_password, u.deactivated_at IS NOT NULL AS deactivated
         FROM identity_links l JOIN users u ON u.id = l.user_id WHERE l.issuer = $1 AND l.subject = $2",
        vec![issuer.into(), subject.into()],
    )
    .await
}

async fn user_by_email(tx: &TenantTx, email: &str) -> AppResult<Option<LinkedUser>> {
    tx.fetch_optional(
        "SELECT u.id, u.kind, u.password_hash IS NOT NULL AS has_password, u.deactivated_at IS NOT NULL AS deactivated
         FROM users u WHERE u.email = $1",
        vec![email.into()],
    )
    .await
}

async fn link(tx: &TenantTx, issuer: &str, subject: &str, user_id: Uuid) -> AppResult<()> {
    tx.execute(
        "INSERT INTO identity_links (issuer, subject, user_id, last_used_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (issuer, subject) DO UPDATE SET last_used_at = EXCLUDED.last_used_at",
        vec![issuer.into(), subject.into(), user_id.into()],
    )
    .await?;
    Ok(())
}

async fn set_certified(
    tx: &TenantTx,
    user_id: Uuid,
    identity: &CertifiedIdentity,
) -> AppResult<()> {
    let json = serde_json::to_string(identity).map_err(|_| AppError::Internal)?;
    tx.execute(
        "UPDATE users SET certified_identity = $2::jsonb WHERE id = $1",
        vec![user_id.into(), json.into()],
    )
    .await?;
    crate::people::service::sync_account(tx, user_id).await?;
    Ok(())
}

async fn open_session(
    tx: &TenantTx,
    user_id: Uuid,
    issuer: &str,
    id_token: &str,
    return_to: Option<String>,
) -> AppResult<Outcome> {
    let (session, user) = create_federated_session(tx, user_id, issuer, id_token).await?;
    Ok(Outcome::SignedIn {
        session,
        user: Box::new(user),
        return_to,
    })
}

/// A citizen's completed sign-in: their linked account, a new one, or a pending link.
pub async fn apply_citizen(
    tx: &TenantTx,
    provider: &Provider,
    flow: &Flow,
    signed_in: &SignedIn,
) -> AppResult<Result<Outcome, Failure>> {
    let identity =
        match certified_identity(&signed_in.claims, &provider.settings.label, &signed_in.acr) {
            Ok(identity) => identity,
            Err(failure) => return Ok(Err(failure)),
        };
    if let Some(user) = linked_user(tx, &flow.issuer, &signed_in.subject).await? {
        if user.deactivated {
            return Ok(Err(Failure::AgentRefused));
        }
        link(tx, &flow.issuer, &signed_in.subject, user.id).await?;
        if user.kind == "citizen" {
            set_certified(tx, user.id, &identity).await?;
        }
        return open_session(
            tx,
            user.id,
            &flow.issuer,
            &signed_in.id_token,
            flow.return_to.clone(),
        )
        .await
        .map(Ok);
    }
    let Some(email) = identity.email.clone() else {
        return Ok(Err(Failure::IncompleteIdentity));
    };
    if let Some(existing) = user_by_email(tx, &email).await? {
        // Never linked on the email alone: the citizen proves the account's password.
        if existing.deactivated {
            return Ok(Err(Failure::AgentRefused));
        }
        if !existing.has_password {
            return Ok(Err(Failure::AccountConflict));
        }
        let (token, hash) = new_token();
        tx.execute(
            "DELETE FROM identity_pending_links WHERE expires_at < now()",
            vec![],
        )
        .await?;
        tx.execute(
            "INSERT INTO identity_pending_links (token_hash, user_id, issuer, subject, identity, id_token, return_to, expires_at)
             VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, now() + $8 * interval '1 second')",
            vec![
                hash.into(),
                existing.id.into(),
                flow.issuer.clone().into(),
                signed_in.subject.clone().into(),
                serde_json::to_string(&identity).map_err(|_| AppError::Internal)?.into(),
                signed_in.id_token.clone().into(),
                flow.return_to.clone().into(),
                PENDING_LINK_TTL_SECONDS.into(),
            ],
        )
        .await?;
        return Ok(Ok(Outcome::NeedsLink { token }));
    }
    let id = Uuid::new_v4();
    let created = tx
        .execute(
            "INSERT INTO users (id, email, display_name, kind, email_verified_at, certified_identity)
             VALUES ($1, $2, $3, 'citizen', now(), $4::jsonb) ON CONFLICT (email) DO NOTHING",
            vec![
                id.into(),
                email.into(),
                identity.full_name().into(),
                serde_json::to_string(&identity).map_err(|_| AppError::Internal)?.into(),
            ],
        )
        .await?;
    if created == 0 {
        // The same person's first sign-in, finished a moment earlier in another tab: the
        // insert waited for it, and its link is visible now.
        return match linked_user(tx, &flow.issuer, &signed_in.subject).await? {
            Some(user) => open_session(
                tx,
                user.id,
                &flow.issuer,
                &signed_in.id_token,
                flow.return_to.clone(),
            )
            .await
            .map(Ok),
            None => Ok(Err(Failure::AccountConflict)),
        };
    }
    link(tx, &flow.issuer, &signed_in.subject, id).await?;
    crate::people::service::sync_account(tx, id).await?;
    open_session(
        tx,
        id,
        &flow.issuer,
        &signed_in.id_token,
        flow.return_to.clone(),
    )
    .await
    .map(Ok)
}

/// What the agents' provider's claim gives (the highest role when several values match, each
/// mapped service once).
pub fn granted(mapping: &RoleMapping, role_claim: &str, claims: &Map<String, Value>) -> RoleGrant {
    let values: Vec<&str> = match claims.get(role_claim.trim()) {
        Some(Value::String(value)) => value.split_whitespace().collect(),
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    mapping.grant_for(values)
}

/// Makes the agent's memberships from the provider what `grant` says: the ones an earlier
/// sign-on gave and the mapping no longer gives go, the mapped ones are set; a membership an
/// admin set stays as they set it. A service this commune's org chart lacks (a syndicate-wide
/// mapping) or has twice is skipped.
async fn apply_services(tx: &TenantTx, user: Uuid, grant: &RoleGrant) -> AppResult<()> {
    tx.execute(
        "DELETE FROM service_members WHERE user_id = $1 AND from_provider",
        vec![user.into()],
    )
    .await?;
    if grant.services.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = grant.services.iter().map(|s| s.name.clone()).collect();
    let found = services_named(tx, &names).await?;
    for service in &grant.services {
        let wanted = service.name.trim().to_lowercase();
        let mut matching = found
            .iter()
            .filter(|f| f.name.trim().to_lowercase() == wanted);
        let (Some(row), None) = (matching.next(), matching.next()) else {
            tracing::info!(service = %service.name, "mapped service not found once in the org chart");
            continue;
        };
        tx.execute(
            "INSERT INTO service_members (service_id, user_id, access, from_provider)
             VALUES ($1, $2, $3, true) ON CONFLICT (service_id, user_id) DO NOTHING",
            vec![row.id.into(), user.into(), service.access.code().into()],
        )
        .await?;
    }
    Ok(())
}

/// An agent's completed single sign-on: their linked account, an agent of the same email
/// (the commune's provider is trusted for its agents), or one provisioned just in time.
pub async fn apply_agent(
    tx: &TenantTx,
    provider: &Provider,
    flow: &Flow,
    signed_in: &SignedIn,
) -> AppResult<Result<Outcome, Failure>> {
    let grant = granted(
        &provider.mapping,
        &provider.settings.role_claim,
        &signed_in.claims,
    );
    let role = grant.role;
    let user = match linked_user(tx, &flow.issuer, &signed_in.subject).await? {
        Some(user) => Some(user),
        None => match text_claim(&signed_in.claims, "email").map(|e| e.to_lowercase()) {
            Some(email) => user_by_email(tx, &email).await?,
            None => return Ok(Err(Failure::IncompleteIdentity)),
        },
    };
    let id = match user {
        Some(user) if user.kind == "agent" && !user.deactivated => {
            if let Some(role) = role {
                tx.execute(
                    "UPDATE users SET role = $2 WHERE id = $1",
                    vec![user.id.into(), role.as_str().into()],
                )
                .await?;
            }
            user.id
        }
        Some(_) => return Ok(Err(Failure::AgentRefused)),
        None => {
            let (Some(role), true) = (role, provider.settings.just_in_time) else {
                return Ok(Err(Failure::AgentRefused));
            };
            let Some(email) = text_claim(&signed_in.claims, "email").map(|e| e.to_lowercase())
            else {
                return Ok(Err(Failure::IncompleteIdentity));
            };
            let name = [
                text_claim(&signed_in.claims, "given_name"),
                text_claim(&signed_in.claims, "family_name")
                    .or_else(|| text_claim(&signed_in.claims, "usual_name")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO users (id, email, display_name, kind, role, email_verified_at)
                 VALUES ($1, $2, $3, 'agent', $4, now())",
                vec![
                    id.into(),
                    email.clone().into(),
                    if name.is_empty() { email } else { name }.into(),
                    role.as_str().into(),
                ],
            )
            .await?;
            id
        }
    };
    apply_services(tx, id, &grant).await?;
    link(tx, &flow.issuer, &signed_in.subject, id).await?;
    open_session(
        tx,
        id,
        &flow.issuer,
        &signed_in.id_token,
        flow.return_to.clone(),
    )
    .await
    .map(Ok)
}

#[derive(FromQueryResult)]
struct PendingLink {
    user_id: Uuid,
    issuer: String,
    subject: String,
    identity: String,
    id_token: Option<String>,
    return_to: Option<String>,
    email: String,
    password_hash: Option<String>,
}

/// The email a pending link is for (shown on the page), if the link is still valid.
pub async fn pending_link_email(tx: &TenantTx, token: &str) -> AppResult<String> {
    pending(tx, token, false).await.map(|p| p.email)
}

async fn pending(tx: &TenantTx, token: &str, lock: bool) -> AppResult<PendingLink> {
    let lock = if lock { "FOR UPDATE OF p" } else { "" };
    tx.fetch_optional(
        &format!(
            "SELECT p.user_id, p.issuer, p.subject, p.identity::text AS identity, p.id_token, p.return_to,
                    u.email, u.password_hash
             FROM identity_pending_links p JOIN users u ON u.id = p.user_id
             WHERE p.token_hash = $1 AND p.expires_at > now() {lock}"
        ),
        vec![hash_token(token.trim()).into()],
    )
    .await?
    .ok_or_else(|| AppError::invalid("jeton", s::LINK_EXPIRED))
}

/// The citizen proved the local account's password: link it, certify it, sign in.
pub async fn confirm_link(
    tx: &TenantTx,
    limiter: &crate::infra::rate_limit::LoginLimiter,
    client: &str,
    token: &str,
    password: &str,
) -> AppResult<Outcome> {
    let pending = pending(tx, token, true).await?;
    let scope = tx.tenant().schema.as_str().to_owned();
    limiter.check(&scope, &pending.email, client).await?;
    let ok = pending
        .password_hash
        .as_deref()
        .is_some_and(|hash| crate::infra::crypto::verify_password(password, hash));
    if !ok {
        limiter.record_failure(&scope, &pending.email, client).await;
        return Err(AppError::invalid("password", s::LINK_WRONG_PASSWORD));
    }
    limiter.record_success(&scope, &pending.email).await;
    tx.execute(
        "DELETE FROM identity_pending_links WHERE token_hash = $1",
        vec![hash_token(token.trim()).into()],
    )
    .await?;
    link(tx, &pending.issuer, &pending.subject, pending.user_id).await?;
    let identity: CertifiedIdentity =
        serde_json::from_str(&pending.identity).map_err(|_| AppError::Internal)?;
    set_certified(tx, pending.user_id, &identity).await?;
    open_session(
        tx,
        pending.user_id,
        &pending.issuer,
        pending.id_token.as_deref().unwrap_or_default(),
        pending.return_to,
    )
    .await
}

/// The providers an account is linked to (issuer), for the account page.
pub async fn links_of(tx: &TenantTx, user_id: Uuid) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Row {
        issuer: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT issuer FROM identity_links WHERE user_id = $1 ORDER BY created_at",
            vec![user_id.into()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.issuer).collect())
}

/// Removes the account's links and its certified identity; refused while the account has no
/// password (it could not sign in any more).
pub async fn unlink(tx: &TenantTx, user: &UserView) -> AppResult<()> {
    let id = user.uuid().ok_or(AppError::Unauthenticated)?;
    let Some(row) = tx
        .fetch_optional::<LinkedUser>(
            "SELECT u.id, u.kind, u.password_hash IS NOT NULL AS has_password, u.deactivated_at IS NOT NULL AS deactivated
             FROM users u WHERE u.id = $1 FOR UPDATE",
            vec![id.into()],
        )
        .await?
    else {
        return Err(AppError::Unauthenticated);
    };
    if !row.has_password {
        return Err(AppError::invalid("password", s::UNLINK_NEEDS_PASSWORD));
    }
    let removed = tx
        .execute(
            "DELETE FROM identity_links WHERE user_id = $1",
            vec![id.into()],
        )
        .await?;
    if removed == 0 {
        return Err(AppError::invalid("lien", s::NOT_LINKED));
    }
    tx.execute(
        "UPDATE users SET certified_identity = NULL WHERE id = $1",
        vec![id.into()],
    )
    .await?;
    crate::people::service::drop_certification(tx, id).await?;
    Ok(())
}

/// Ends a session opened through a provider, keeping it (expired) for a few minutes so that
/// the provider's logout can be asked for; false for a local session (left to the caller).
pub async fn end_federated_session(tx: &TenantTx, session_token: &str) -> AppResult<bool> {
    let ended = tx
        .execute(
            "UPDATE sessions SET expires_at = now() WHERE token_hash = $1 AND id_token IS NOT NULL AND issuer IS NOT NULL",
            vec![hash_token(session_token).into()],
        )
        .await?;
    Ok(ended > 0)
}

/// The ended federated session behind `session_token` (at most 10 minutes ago): removed, and its
/// (issuer, ID token) returned for the provider's logout.
pub async fn take_ended_federation(
    tx: &TenantTx,
    session_token: &str,
) -> AppResult<Option<(String, String)>> {
    #[derive(FromQueryResult)]
    struct Row {
        issuer: Option<String>,
        id_token: Option<String>,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "DELETE FROM sessions WHERE token_hash = $1 AND expires_at <= now()
                 AND expires_at > now() - interval '10 minutes'
             RETURNING issuer, id_token",
            vec![hash_token(session_token).into()],
        )
        .await?;
    Ok(row.and_then(|r| Some((r.issuer?, r.id_token?))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::account::model::Role;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn franceconnect_claims_become_a_certified_identity() {
        let identity = certified_identity(
            &claims(json!({
                "sub": "pairwise", "given_name": "Angela Claire Louise", "family_name": "DUBOIS",
                "preferred_username": "", "birthdate": "1962-08-24", "birthplace": "75107",
                "birthcountry": "99100", "gender": "female", "email": "Wossewodda-3728@Yopmail.com"
            })),
            "FranceConnect",
            "eidas1",
        )
        .unwrap();
        assert_eq!(identity.full_name(), "Angela Claire Louise DUBOIS");
        assert_eq!(
            identity.preferred_username, None,
            "an empty usage name is none"
        );
        assert_eq!(identity.birthdate.as_deref(), Some("1962-08-24"));
        assert_eq!(
            identity.email.as_deref(),
            Some("wossewodda-3728@yopmail.com")
        );
        assert_eq!(identity.acr, "eidas1");
        assert_eq!(identity.certified_at.len(), 20);
    }

    #[test]
    fn an_identity_without_names_is_incomplete_and_a_bad_birthdate_is_dropped() {
        let missing = certified_identity(
            &claims(json!({"sub": "x", "given_name": "Jean"})),
            "FC",
            "eidas1",
        );
        assert_eq!(missing, Err(Failure::IncompleteIdentity));
        let odd = certified_identity(
            &claims(
                json!({"given_name": "Jean", "family_name": "MARTIN", "birthdate": "1981-02-29"}),
            ),
            "FC",
            "eidas1",
        )
        .unwrap();
        assert_eq!(odd.birthdate, None);
    }

    #[test]
    fn the_highest_mapped_role_wins_and_unmapped_groups_give_none() {
        let mapping = RoleMapping::parse(
            "agents = agent\nchefs = manager, service : État civil\n# comment\n\nadmins = admin",
        )
        .unwrap();
        let grant = |value: Value| granted(&mapping, "groups", &claims(json!({ "groups": value })));
        assert_eq!(grant(json!(["agents", "chefs"])).role, Some(Role::Manager));
        assert_eq!(grant(json!(["agents", "chefs"])).services.len(), 1);
        assert_eq!(grant(json!("agents admins")).role, Some(Role::Admin));
        assert_eq!(grant(json!(["autres"])), RoleGrant::default());
        assert_eq!(
            granted(&mapping, "groups", &Map::new()),
            RoleGrant::default()
        );
    }
}
