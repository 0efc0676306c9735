//! Account logic, always inside one tenant's transaction.

use sea_orm::FromQueryResult;
use time::Duration;
use uuid::Uuid;

use super::model::{Role, UserKind, UserView};
use super::strings as s;
use super::validate;
use crate::error::{AppError, AppResult};
use crate::infra::crypto::{
    burn_password_check, hash_password, hash_token, new_token, verify_password,
};
use crate::infra::mail::{OutgoingMail, enqueue};
use crate::infra::rate_limit::LoginLimiter;
use crate::infra::{Queries, Settings, TenantTx};

pub const SESSION_TTL: Duration = Duration::days(7);
const VERIFY_TTL: Duration = Duration::days(2);
const RESET_TTL: Duration = Duration::hours(1);
const INVITATION_TTL: Duration = Duration::days(7);

#[derive(Clone, Copy)]
enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    Invitation,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::Invitation => "invitation",
        }
    }
}

#[derive(FromQueryResult)]
struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    password_hash: Option<String>,
    kind: String,
    role: Option<String>,
    email_verified_at: Option<time::OffsetDateTime>,
    certified_identity: Option<String>,
    deactivated_at: Option<time::OffsetDateTime>,
}

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.password_hash, u.kind, u.role, u.email_verified_at, u.certified_identity::text AS certified_identity, u.deactivated_at";

impl UserRow {
    fn view(&self) -> UserView {
        UserView {
            id: self.id.to_string(),
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            kind: if self.kind == "agent" {
                UserKind::Agent
            } else {
                UserKind::Citizen
            },
            role: self.role.as_deref().and_then(|r| Role::parse(r).ok()),
            verified: self.email_verified_at.is_some(),
            pending_invitation: self.kind == "agent" && self.password_hash.is_none(),
            certified: self
                .certified_identity
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok()),
            deactivated: self.deactivated_at.is_some(),
        }
    }
}

/// A new session: the cookie value to hand to the browser.
pub struct SessionToken(pub String);

/// What a right password leads to.
pub enum Login {
    /// A session is open.
    SignedIn(SessionToken, Box<UserView>),
    /// The account has a second factor: no session until its code is given (the caller opens
    /// the sign-in's challenge, `second_factor::service::open_challenge`).
    SecondFactor(Uuid),
}

async fn find_by_email(tx: &TenantTx, email: &str) -> AppResult<Option<UserRow>> {
    tx.fetch_optional(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"),
        vec![email.into()],
    )
    .await
}

async fn issue_token(
    tx: &TenantTx,
    user_id: Uuid,
    purpose: TokenPurpose,
    ttl: Duration,
) -> AppResult<String> {
    let (token, hash) = new_token();
    tx.execute(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second')",
        vec![hash.into(), user_id.into(), purpose.as_str().into(), ttl.whole_seconds().into()],
    )
    .await?;
    Ok(token)
}

/// The user a still-valid token belongs to, without using it up.
async fn token_owner(tx: &TenantTx, token: &str, purpose: TokenPurpose) -> AppResult<UserRow> {
    tx.fetch_optional(
        &format!(
            "SELECT {USER_COLUMNS} FROM account_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
             FOR UPDATE OF t"
        ),
        vec![hash_token(token.trim()).into(), purpose.as_str().into()],
    )
    .await?
    .ok_or_else(|| AppError::invalid("token", s::LINK_INVALID))
}

async fn use_up_token(tx: &TenantTx, token: &str) -> AppResult<()> {
    tx.execute(
        "UPDATE account_tokens SET used_at = now() WHERE token_hash = $1",
        vec![hash_token(token.trim()).into()],
    )
    .await?;
    Ok(())
}

/// A session opened through an identity provider: it keeps the ID token, so that logging out
/// ends the provider's session too. Returns the signed-in user.
pub async fn create_federated_session(
    tx: &TenantTx,
    user_id: Uuid,
    issuer: &str,
    id_token: &str,
) -> AppResult<(SessionToken, UserView)> {
    let session = create_session(tx, user_id).await?;
    tx.execute(
        "UPDATE sessions SET issuer = $2, id_token = $3 WHERE token_hash = $1",
        vec![
            hash_token(&session.0).into(),
            issuer.into(),
            Some(id_token.to_owned()).filter(|t| !t.is_empty()).into(),
        ],
    )
    .await?;
    let user: UserRow = tx
        .fetch_optional(
            &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"),
            vec![user_id.into()],
        )
        .await?
        .ok_or(AppError::Internal)?;
    Ok((session, user.view()))
}

/// Opens a session for the user (after their password, and their code if they have a second
/// factor).
pub async fn create_session(tx: &TenantTx, user_id: Uuid) -> AppResult<SessionToken> {
    // Expired sessions are purged as their owner opens a new one: the table stays bounded
    // without a sweep over every tenant.
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND expires_at <= now()",
        vec![user_id.into()],
    )
    .await?;
    let (token, hash) = new_token();
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')",
        vec![hash.into(), user_id.into(), SESSION_TTL.whole_seconds().into()],
    )
    .await?;
    Ok(SessionToken(token))
}

fn link(settings: &Settings, tx: &TenantTx, path: &str, token: &str) -> String {
    format!(
        "{}{path}?jeton={token}",
        settings.tenant_origin(tx.tenant())
    )
}

#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn signup(
    tx: &TenantTx,
    settings: &Settings,
    email: &str,
    password: &str,
    display_name: &str,
) -> AppResult<()> {
    if !crate::identity::service::local_accounts_allowed(tx).await? {
        return Err(AppError::Forbidden(
            crate::identity::strings::LOCAL_ACCOUNTS_CLOSED.to_owned(),
        ));
    }
    let email = validate::email("email", email)?;
    let display_name = validate::display_name(display_name)?;
    validate::password(password, &email)?;
    let id = Uuid::new_v4();
    let hash = hash_password(password)?;
    let inserted = tx
        .execute(
            "INSERT INTO users (id, email, display_name, password_hash, kind) VALUES ($1, $2, $3, $4, 'citizen')
             ON CONFLICT (email) DO NOTHING",
            vec![id.into(), email.clone().into(), display_name.clone().into(), hash.into()],
        )
        .await?;
    if inserted == 0 {
        return Err(AppError::conflict("email", s::EMAIL_TAKEN));
    }
    crate::people::service::sync_account(tx, id).await?;
    let token = issue_token(tx, id, TokenPurpose::VerifyEmail, VERIFY_TTL).await?;
    let tenant_name = tx.tenant().name.clone();
    enqueue(
        tx,
        OutgoingMail::new(
            email,
            format!("{} – {}", tenant_name, s::VERIFY_SUBJECT),
            format!(
                "Bonjour {display_name},\n\nVous venez de créer votre compte sur le portail de {tenant_name}.\n\
                 Pour l'activer, ouvrez ce lien (valable 48 heures) :\n\n{}\n\n\
                 Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
                link(settings, tx, "/verifier", &token)
            ),
        ),
    )
    .await
    .map(drop)
}

#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn verify_email(tx: &TenantTx, token: &str) -> AppResult<()> {
    let user = token_owner(tx, token, TokenPurpose::VerifyEmail).await?;
    use_up_token(tx, token).await?;
    tx.execute(
        "UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL",
        vec![user.id.into()],
    )
    .await?;
    crate::people::service::sync_account(tx, user.id).await?;
    Ok(())
}

/// Checks credentials and opens a session, unless the account has a second factor: then its
/// code is asked for first. `client` is the caller's address, for throttling.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn login(
    tx: &TenantTx,
    limiter: &LoginLimiter,
    client: &str,
    email: &str,
    password: &str,
) -> AppResult<Login> {
    let email = validate::email("email", email)?;
    if password.is_empty() {
        return Err(AppError::invalid("password", s::LOGIN_PASSWORD_EMPTY));
    }
    let scope = tx.tenant().schema.as_str().to_owned();
    limiter.check(&scope, &email, client).await?;
    let user = find_by_email(tx, &email).await?;
    let verified = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => verify_password(password, hash),
        None => {
            burn_password_check(password);
            false
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        limiter.record_failure(&scope, &email, client).await;
        tracing::info!("login failed");
        return Err(AppError::invalid("password", s::LOGIN_FAILED));
    };
    limiter.record_success(&scope, &email).await;
    if user.email_verified_at.is_none() {
        return Err(AppError::Forbidden(s::EMAIL_NOT_VERIFIED.to_owned()));
    }
    if user.deactivated_at.is_some() {
        return Err(AppError::Forbidden(s::ACCOUNT_DEACTIVATED.to_owned()));
    }
    if user.kind == "citizen" && !crate::identity::service::local_accounts_allowed(tx).await? {
        return Err(AppError::Forbidden(
            crate::identity::strings::LOCAL_ACCOUNTS_CLOSED.to_owned(),
        ));
    }
    let realm = crate::second_factor::service::Realm::tenant(tx);
    if crate::second_factor::service::enabled(tx, &realm, user.id).await? {
        return Ok(Login::SecondFactor(user.id));
    }
    let session = create_session(tx, user.id).await?;
    Ok(Login::SignedIn(session, Box::new(user.view())))
}

pub async fn current_user(tx: &TenantTx, session_token: &str) -> AppResult<Option<UserView>> {
    let user: Option<UserRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > now() AND u.deactivated_at IS NULL"
            ),
            vec![hash_token(session_token).into()],
        )
        .await?;
    Ok(user.map(|u| u.view()))
}

pub async fn logout(tx: &TenantTx, session_token: &str) -> AppResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        vec![hash_token(session_token).into()],
    )
    .await?;
    Ok(())
}

/// Always succeeds from the caller's point of view, so the form cannot tell who has an account.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn request_password_reset(
    tx: &TenantTx,
    settings: &Settings,
    email: &str,
) -> AppResult<()> {
    let email = validate::email("email", email)?;
    let Some(user) = find_by_email(tx, &email).await? else {
        return Ok(());
    };
    let token = issue_token(tx, user.id, TokenPurpose::ResetPassword, RESET_TTL).await?;
    let tenant_name = tx.tenant().name.clone();
    enqueue(
        tx,
        OutgoingMail::new(
            user.email.clone(),
            format!("{tenant_name} – {}", s::RESET_SUBJECT),
            format!(
                "Bonjour {},\n\nPour choisir un nouveau mot de passe sur le portail de {tenant_name}, \
                 ouvrez ce lien (valable 1 heure) :\n\n{}\n\n\
                 Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.\n",
                user.display_name,
                link(settings, tx, "/reinitialiser", &token)
            ),
        ),
    )
    .await
    .map(drop)
}

async fn set_password(tx: &TenantTx, user: &UserRow, password: &str) -> AppResult<()> {
    validate::password(password, &user.email)?;
    let hash = hash_password(password)?;
    tx.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        vec![user.id.into(), hash.into()],
    )
    .await?;
    // A statement of its own: Citus allows `now()` in SET, not inside a COALESCE.
    tx.execute(
        "UPDATE users SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL",
        vec![user.id.into()],
    )
    .await?;
    // A new password ends every session opened with the old one.
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1",
        vec![user.id.into()],
    )
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn reset_password(tx: &TenantTx, token: &str, password: &str) -> AppResult<()> {
    let user = token_owner(tx, token, TokenPurpose::ResetPassword).await?;
    set_password(tx, &user, password).await?;
    use_up_token(tx, token).await
}

/// Creates an agent without a password and mails them a link to choose one.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn invite_agent(
    tx: &TenantTx,
    settings: &Settings,
    invited_by: &str,
    email: &str,
    display_name: &str,
    role: Role,
) -> AppResult<UserView> {
    let email = validate::email("email", email)?;
    let display_name = validate::display_name(display_name)?;
    let id = Uuid::new_v4();
    let inserted = tx
        .execute(
            "INSERT INTO users (id, email, display_name, kind, role) VALUES ($1, $2, $3, 'agent', $4)
             ON CONFLICT (email) DO NOTHING",
            vec![id.into(), email.clone().into(), display_name.clone().into(), role.as_str().into()],
        )
        .await?;
    if inserted == 0 {
        return Err(AppError::conflict("email", s::EMAIL_TAKEN));
    }
    let token = issue_token(tx, id, TokenPurpose::Invitation, INVITATION_TTL).await?;
    let tenant_name = tx.tenant().name.clone();
    enqueue(
        tx,
        OutgoingMail::new(
            email.clone(),
            format!("{tenant_name} – {}", s::INVITATION_SUBJECT),
            format!(
                "Bonjour {display_name},\n\n{invited_by} vous invite à rejoindre l'espace agents de {tenant_name} \
                 avec le rôle « {} ».\nPour choisir votre mot de passe, ouvrez ce lien (valable 7 jours) :\n\n{}\n",
                role.label(),
                link(settings, tx, "/invitation", &token)
            ),
        ),
    )
    .await?;
    Ok(UserView {
        id: id.to_string(),
        email,
        display_name,
        kind: UserKind::Agent,
        role: Some(role),
        verified: false,
        pending_invitation: true,
        certified: None,
        deactivated: false,
    })
}

/// The name to prefill the invitation's form with: the one the inviting admin typed, or
/// nothing for a commune's first admin (the platform invites them without knowing it).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn invitation_name(tx: &TenantTx, token: &str) -> AppResult<String> {
    let user = token_owner(tx, token, TokenPurpose::Invitation).await?;
    Ok(if user.display_name == s::UNNAMED_ADMIN {
        String::new()
    } else {
        user.display_name
    })
}

/// The invited agent gives their name and chooses a password; they are signed in at once.
/// Any refusal (link, name, password) leaves the invitation as it was.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn accept_invitation(
    tx: &TenantTx,
    token: &str,
    display_name: &str,
    password: &str,
) -> AppResult<(SessionToken, UserView)> {
    let mut user = token_owner(tx, token, TokenPurpose::Invitation).await?;
    user.display_name = validate::display_name(display_name)?;
    validate::password(password, &user.email)?;
    tx.execute(
        "UPDATE users SET display_name = $2 WHERE id = $1",
        vec![user.id.into(), user.display_name.clone().into()],
    )
    .await?;
    set_password(tx, &user, password).await?;
    use_up_token(tx, token).await?;
    let session = create_session(tx, user.id).await?;
    let mut view = user.view();
    view.verified = true;
    view.pending_invitation = false;
    Ok((session, view))
}

/// Creates a verified account with a password, or resets an existing one's password
/// (demo seeding and the CLI only).
pub async fn create_user_with_password(
    tx: &TenantTx,
    email: &str,
    display_name: &str,
    password: &str,
    role: Option<Role>,
) -> AppResult<()> {
    let email = validate::email("email", email)?;
    let display_name = validate::display_name(display_name)?;
    validate::password(password, &email)?;
    let kind = if role.is_some() { "agent" } else { "citizen" };
    #[derive(FromQueryResult)]
    struct Id {
        id: Uuid,
    }
    let user: Option<Id> = tx
        .fetch_optional(
            "INSERT INTO users (id, email, display_name, password_hash, kind, role, email_verified_at)
             VALUES ($1, $2, $3, $4, $5, $6, now())
             ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name,
                 password_hash = EXCLUDED.password_hash, email_verified_at = COALESCE(users.email_verified_at, EXCLUDED.email_verified_at)
             RETURNING id",
            vec![
                Uuid::new_v4().into(),
                email.into(),
                display_name.into(),
                hash_password(password)?.into(),
                kind.into(),
                role.map(|r| r.as_str().to_owned()).into(),
            ],
        )
        .await?;
    if let Some(user) = user {
        crate::people::service::sync_account(tx, user.id).await?;
    }
    Ok(())
}

pub async fn list_users(tx: &TenantTx) -> AppResult<Vec<UserView>> {
    let rows: Vec<UserRow> = tx
        .fetch_all(
            &format!(
                "SELECT {USER_COLUMNS} FROM users u ORDER BY u.kind DESC, u.display_name, u.email"
            ),
            vec![],
        )
        .await?;
    Ok(rows.iter().map(UserRow::view).collect())
}

/// The signed-in user of this request, or `Unauthenticated`.
pub async fn require_user(tx: &TenantTx) -> AppResult<UserView> {
    let token = crate::infra::cookies::read_cookie(crate::infra::cookies::SESSION_COOKIE)
        .ok_or(AppError::Unauthenticated)?;
    current_user(tx, &token)
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The signed-in agent with at least `role` (and a second factor, if the commune requires one
/// and the session was opened with a password).
pub async fn require_role(tx: &TenantTx, role: Role) -> AppResult<UserView> {
    let token = crate::infra::cookies::read_cookie(crate::infra::cookies::SESSION_COOKIE)
        .ok_or(AppError::Unauthenticated)?;
    let user = current_user(tx, &token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if user.has_role(role) {
        let realm = crate::second_factor::service::Realm::tenant(tx);
        if crate::second_factor::service::enrolment_missing(tx, &realm, &token).await? {
            return Err(AppError::Forbidden(
                crate::second_factor::strings::REQUIRED_FORBIDDEN.to_owned(),
            ));
        }
        return Ok(user);
    }
    let message = if role == Role::Admin && user.role.is_some() {
        s::NOT_AN_ADMIN
    } else {
        s::NOT_AN_AGENT
    };
    Err(AppError::Forbidden(message.to_owned()))
}

/// Deactivates (or reactivates) an agent of the commune: a deactivated agent's sessions end at
/// once, and they sign in no more, with a password or through single sign-on.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn set_agent_active(
    tx: &TenantTx,
    admin: &UserView,
    user_id: &str,
    active: bool,
) -> AppResult<()> {
    let id =
        Uuid::parse_str(user_id).map_err(|_| AppError::NotFound(s::USER_UNKNOWN.to_owned()))?;
    if admin.uuid() == Some(id) {
        return Err(AppError::invalid("user", s::CANNOT_DEACTIVATE_SELF));
    }
    // `now()` stays out of CASE and COALESCE (Citus refuses them there).
    let changed = if active {
        tx.execute(
            "UPDATE users SET deactivated_at = NULL WHERE id = $1 AND kind = 'agent'",
            vec![id.into()],
        )
        .await?
    } else {
        // Deactivated once: a second deactivation keeps the first date.
        tx.execute(
            "UPDATE users SET deactivated_at = now()
             WHERE id = $1 AND kind = 'agent' AND deactivated_at IS NULL",
            vec![id.into()],
        )
        .await?;
        tx.execute(
            "SELECT 1 FROM users WHERE id = $1 AND kind = 'agent'",
            vec![id.into()],
        )
        .await?
    };
    if changed == 0 {
        return Err(AppError::NotFound(s::USER_UNKNOWN.to_owned()));
    }
    if !active {
        tx.execute("DELETE FROM sessions WHERE user_id = $1", vec![id.into()])
            .await?;
    }
    Ok(())
}
