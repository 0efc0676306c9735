//! The second factor's logic for agents (a tenant's schema) and platform operators (the
//! platform schema) alike: both hold the same tables (`Realm` says which), and every function
//! runs inside the caller's transaction.

use rand::{Rng, RngCore};
use sea_orm::{DatabaseTransaction, FromQueryResult};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    ChallengeView, EnrolledAccount, Enrolment, FactorState, SecondFactorView, SecuritySettingsView,
    grouped,
};
use super::strings as s;
use super::totp::{self, Refusal};
use crate::error::{AppError, AppResult};
use crate::infra::crypto::{hash_token, new_token, verify_password};
use crate::infra::rate_limit::LoginLimiter;
use crate::infra::secrets::Secrets;
use crate::infra::{AppState, PlatformTx, Queries, TenantTx};

/// How long a sign-in waits for its code.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);
/// Wrong codes one sign-in takes before the password must be given again.
pub const MAX_CHALLENGE_FAILURES: i32 = 5;
const RECOVERY_CODES: usize = 10;
/// Fresh recovery codes wait this long, sealed, for the page that shows them once.
const CODES_SHOWN_WITHIN: Duration = Duration::minutes(10);
/// Recovery codes: no 0/o, 1/l/i to misread. Ten characters: about 50 bits each.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Where accounts and their second factors live: a tenant's schema (agents) or the platform
/// schema (operators). The SQL fragments are constants of this file, never user input.
pub struct Realm {
    /// Table prefix: empty in a tenant (its transaction's `search_path`), `platform.`.
    prefix: &'static str,
    /// The schema, for secrets' bindings and the rate limiter's scope.
    schema: String,
    /// The name authenticator applications show for the key.
    issuer: String,
    /// Sessions `s` joined to their account `a` (with `a.id`, `a.email`, `a.password_hash`).
    sessions: &'static str,
    /// The account's kind, as a select expression.
    kind: &'static str,
    /// Sessions the mandatory switch applies to: agents' sessions opened with a password (not
    /// through an identity provider); all of operators'.
    held_to_switch: &'static str,
    /// The accounts the mandatory switch is about, as `a`.
    accounts: &'static str,
}

impl Realm {
    pub fn tenant(tx: &TenantTx) -> Self {
        Self {
            prefix: "",
            schema: tx.tenant().schema.as_str().to_owned(),
            issuer: tx.tenant().name.clone(),
            sessions: "sessions s JOIN users a ON a.id = s.user_id",
            kind: "a.kind",
            held_to_switch: "a.kind = 'agent' AND s.issuer IS NULL",
            accounts: "users a WHERE a.kind = 'agent' AND a.deactivated_at IS NULL",
        }
    }

    pub fn platform() -> Self {
        Self {
            prefix: "platform.",
            schema: "platform".to_owned(),
            issuer: s::PLATFORM_ISSUER.to_owned(),
            sessions: "platform.operator_sessions s JOIN platform.operators a ON a.id = s.operator_id",
            kind: "'operator'",
            held_to_switch: "true",
            accounts: "platform.operators a WHERE true",
        }
    }

    fn table(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn key_binding(&self, account: Uuid) -> String {
        format!("{}/totp/{account}", self.schema)
    }

    fn codes_binding(&self, account: Uuid) -> String {
        format!("{}/totp-recovery/{account}", self.schema)
    }
}

/// A transaction of either kind, for the server functions shared by agents and operators.
pub enum SiteTx {
    Tenant(TenantTx),
    Platform(PlatformTx),
}

impl Queries for SiteTx {
    fn transaction(&self) -> &DatabaseTransaction {
        match self {
            Self::Tenant(tx) => tx.transaction(),
            Self::Platform(tx) => tx.transaction(),
        }
    }
}

impl SiteTx {
    pub async fn commit(self) -> AppResult<()> {
        match self {
            Self::Tenant(tx) => tx.commit().await,
            Self::Platform(tx) => tx.commit().await,
        }
    }
}

/// The signed-in account of a session.
#[derive(FromQueryResult)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub kind: String,
    password_hash: Option<String>,
}

/// The account of a live session, in `realm`.
pub async fn session_account<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    session_token: &str,
) -> AppResult<Option<Account>> {
    q.fetch_optional(
        &format!(
            "SELECT a.id, a.email, {} AS kind, a.password_hash FROM {}
             WHERE s.token_hash = $1 AND s.expires_at > now()",
            realm.kind, realm.sessions
        ),
        vec![hash_token(session_token).into()],
    )
    .await
}

/// Whether the session's account must enrol before using its space: the realm requires a
/// second factor, the session is held to it (for agents: opened with a password), and the
/// account has none.
pub async fn enrolment_missing<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    session_token: &str,
) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Row {
        #[allow(dead_code)]
        one: i32,
    }
    let row: Option<Row> = q
        .fetch_optional(
            &format!(
                "SELECT 1 AS one FROM {sessions}
                 JOIN {settings} c ON c.second_factor_required
                 WHERE s.token_hash = $1 AND s.expires_at > now() AND {held}
                   AND NOT EXISTS (SELECT 1 FROM {factors} f
                                   WHERE f.account_id = a.id AND f.confirmed_at IS NOT NULL)",
                sessions = realm.sessions,
                settings = realm.table("security_settings"),
                held = realm.held_to_switch,
                factors = realm.table("second_factors"),
            ),
            vec![hash_token(session_token).into()],
        )
        .await?;
    Ok(row.is_some())
}

/// [`enrolment_missing`] for an operator's session, in a platform transaction of its own.
pub async fn operator_enrolment_missing(state: &AppState, session_token: &str) -> AppResult<bool> {
    let tx = PlatformTx::begin(state).await?;
    let missing = enrolment_missing(&tx, &Realm::platform(), session_token).await?;
    tx.commit().await?;
    Ok(missing)
}

/// Failed codes are counted per account (in PostgreSQL, with the password throttling's limiter
/// under a scope of their own) and per sign-in (in the database).
pub struct Attempts<'a> {
    limiter: &'a LoginLimiter,
    scope: String,
    account: String,
    client: String,
}

impl<'a> Attempts<'a> {
    pub fn new(limiter: &'a LoginLimiter, realm: &Realm, account: Uuid, client: &str) -> Self {
        Self {
            limiter,
            scope: format!("{}/second-factor", realm.schema),
            account: account.to_string(),
            client: client.to_owned(),
        }
    }

    async fn check(&self) -> AppResult<()> {
        self.limiter
            .check_or(&self.scope, &self.account, &self.client, s::TOO_MANY_CODES)
            .await
    }

    async fn failed(&self) {
        self.limiter
            .record_failure(&self.scope, &self.account, &self.client)
            .await;
    }

    async fn succeeded(&self) {
        self.limiter
            .record_success(&self.scope, &self.account)
            .await;
    }
}

#[derive(FromQueryResult)]
struct FactorRow {
    secret: Vec<u8>,
    confirmed_at: Option<OffsetDateTime>,
    last_step: Option<i64>,
    codes_to_show: Option<Vec<u8>>,
    codes_show_until: Option<OffsetDateTime>,
}

/// The account's factor, locked for the transaction (codes are checked and their step
/// recorded one at a time).
async fn factor<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    account: Uuid,
) -> AppResult<Option<FactorRow>> {
    q.fetch_optional(
        &format!(
            "SELECT secret, confirmed_at, last_step, codes_to_show, codes_show_until FROM {}
             WHERE account_id = $1 FOR UPDATE",
            realm.table("second_factors")
        ),
        vec![account.into()],
    )
    .await
}

fn key(secrets: &Secrets, realm: &Realm, account: Uuid, row: &FactorRow) -> AppResult<Vec<u8>> {
    let base32 = secrets.open(&realm.key_binding(account), &row.secret)?;
    totp::base32_decode(&base32).ok_or_else(|| {
        tracing::error!("a second-factor key does not read as base32");
        AppError::Internal
    })
}

fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn is_totp_code(code: &str) -> bool {
    code.len() == totp::DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a code of the account's application and records its step (no replay afterwards).
async fn use_current_code<Q: Queries + Sync>(
    q: &Q,
    key: &[u8],
    realm: &Realm,
    account: Uuid,
    row: &FactorRow,
    code: &str,
) -> AppResult<Result<(), Refusal>> {
    let step = match totp::accept(key, code, now_unix(), row.last_step) {
        Ok(step) => step,
        Err(refusal) => return Ok(Err(refusal)),
    };
    q.execute(
        &format!(
            "UPDATE {} SET last_step = $2 WHERE account_id = $1",
            realm.table("second_factors")
        ),
        vec![account.into(), step.into()],
    )
    .await?;
    Ok(Ok(()))
}

/// Uses up one of the account's recovery codes, if `code` is one.
async fn use_recovery_code<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    account: Uuid,
    code: &str,
) -> AppResult<bool> {
    let used = q
        .execute(
            &format!(
                "UPDATE {} SET used_at = now()
                 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
                realm.table("second_factor_recovery_codes")
            ),
            vec![account.into(), recovery_hash(account, code).into()],
        )
        .await?;
    Ok(used == 1)
}

/// SHA-256 of the code as typed in any case, with or without its dash, salted with the
/// account's id.
fn recovery_hash(account: Uuid, code: &str) -> Vec<u8> {
    let normalised: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hash_token(&format!("{account}:{normalised}"))
}

fn recovery_code() -> String {
    let mut rng = rand::rng();
    let mut code = String::with_capacity(11);
    for position in 0..10 {
        if position == 5 {
            code.push('-');
        }
        let index = rng.random_range(0..RECOVERY_ALPHABET.len());
        code.push(char::from(RECOVERY_ALPHABET[index]));
    }
    code
}

/// Replaces the account's recovery codes with ten new ones, kept sealed for their one display.
async fn new_recovery_codes<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: Uuid,
) -> AppResult<()> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let table = realm.table("second_factor_recovery_codes");
    q.execute(
        &format!("DELETE FROM {table} WHERE account_id = $1"),
        vec![account.into()],
    )
    .await?;
    for code in &codes {
        q.execute(
            &format!(
                "INSERT INTO {table} (account_id, code_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            ),
            vec![account.into(), recovery_hash(account, code).into()],
        )
        .await?;
    }
    let sealed = secrets.seal(&realm.codes_binding(account), &codes.join(" "))?;
    q.execute(
        &format!(
            "UPDATE {} SET codes_to_show = $2, codes_show_until = now() + $3 * interval '1 second'
             WHERE account_id = $1",
            realm.table("second_factors")
        ),
        vec![
            account.into(),
            sealed.into(),
            CODES_SHOWN_WITHIN.whole_seconds().into(),
        ],
    )
    .await?;
    Ok(())
}

/// The account's second factor for its security page. Fresh recovery codes are in it once:
/// reading them clears them.
pub async fn status<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: &Account,
) -> AppResult<SecondFactorView> {
    let required = required(q, realm).await?;
    let Some(row) = factor(q, realm, account.id).await? else {
        return Ok(SecondFactorView {
            state: FactorState::Off,
            required,
            fresh_codes: Vec::new(),
        });
    };
    let state = match row.confirmed_at {
        None => {
            let secret = secrets.open(&realm.key_binding(account.id), &row.secret)?;
            let uri = totp::otpauth_uri(&realm.issuer, &account.email, &secret);
            FactorState::Pending(Enrolment {
                secret: grouped(&secret),
                qr_svg: qr_svg(&uri),
            })
        }
        Some(since) => FactorState::On {
            since: crate::infra::dates::french_date(since),
            codes_left: codes_left(q, realm, account.id).await?,
        },
    };
    let mut fresh_codes = Vec::new();
    if let Some(sealed) = &row.codes_to_show {
        if row
            .codes_show_until
            .is_some_and(|until| until > OffsetDateTime::now_utc())
        {
            let codes = secrets.open(&realm.codes_binding(account.id), sealed)?;
            fresh_codes = codes.split(' ').map(str::to_owned).collect();
        }
        q.execute(
            &format!(
                "UPDATE {} SET codes_to_show = NULL, codes_show_until = NULL WHERE account_id = $1",
                realm.table("second_factors")
            ),
            vec![account.id.into()],
        )
        .await?;
    }
    Ok(SecondFactorView {
        state,
        required,
        fresh_codes,
    })
}

async fn codes_left<Q: Queries + Sync>(q: &Q, realm: &Realm, account: Uuid) -> AppResult<u32> {
    #[derive(FromQueryResult)]
    struct Row {
        n: i64,
    }
    let row: Option<Row> = q
        .fetch_optional(
            &format!(
                "SELECT count(*) AS n FROM {} WHERE account_id = $1 AND used_at IS NULL",
                realm.table("second_factor_recovery_codes")
            ),
            vec![account.into()],
        )
        .await?;
    Ok(row.map_or(0, |r| u32::try_from(r.n).unwrap_or(0)))
}

/// The `otpauth://` URI as an SVG QR code (black modules on white, a quiet zone of four).
fn qr_svg(uri: &str) -> String {
    let Some(code) = crate::infra::pdf::qr_code(uri) else {
        tracing::error!("the key's URI does not fit a QR code");
        return String::new();
    };
    // One rectangle per run of dark modules in a row.
    let mut path = String::new();
    for (y, row) in code.pixels.chunks(code.size.max(1)).enumerate() {
        let mut x = 0;
        while x < row.len() {
            let run = row[x..].iter().take_while(|p| **p == 0).count();
            if run > 0 {
                path.push_str(&format!("M{x} {y}h{run}v1h-{run}z"));
            }
            x += run.max(1);
        }
    }
    let outer = code.size + 4;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 {outer} {outer}" width="240" height="240" role="img" aria-label="{}" shape-rendering="crispEdges"><rect x="-2" y="-2" width="{outer}" height="{outer}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##,
        s::QR_LABEL
    )
}

/// What the account's own security page asks for.
pub enum Change {
    /// A new key to scan.
    Start,
    /// Enable the pending key: one of its codes.
    Confirm(String),
    /// New recovery codes: a current code.
    NewRecoveryCodes(String),
    /// Remove the factor: a current code or the password.
    Disable(String),
}

/// Makes `change` to the account's second factor.
pub async fn change<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: &Account,
    change: Change,
    attempts: &Attempts<'_>,
) -> AppResult<()> {
    match change {
        Change::Start => start(q, secrets, realm, account.id).await,
        Change::Confirm(code) => confirm(q, secrets, realm, account.id, &code, attempts).await,
        Change::NewRecoveryCodes(code) => {
            regenerate_codes(q, secrets, realm, account.id, &code, attempts).await
        }
        Change::Disable(proof) => disable(q, secrets, realm, account, &proof, attempts).await,
    }
}

/// Makes a new key for the account and keeps it, sealed, until a code confirms it. A pending
/// key is replaced; an enabled factor is left alone.
async fn start<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: Uuid,
) -> AppResult<()> {
    let mut key = [0u8; totp::SECRET_BYTES];
    rand::rng().fill_bytes(&mut key);
    let sealed = secrets.seal(&realm.key_binding(account), &totp::base32_encode(&key))?;
    let written = q
        .execute(
            &format!(
                "INSERT INTO {} AS f (account_id, secret) VALUES ($1, $2)
                 ON CONFLICT (account_id) DO UPDATE
                 SET secret = EXCLUDED.secret, created_at = now(), last_step = NULL
                 WHERE f.confirmed_at IS NULL",
                realm.table("second_factors")
            ),
            vec![account.into(), sealed.into()],
        )
        .await?;
    if written == 0 {
        return Err(AppError::conflict("code", s::ALREADY_ON));
    }
    Ok(())
}

/// Enables the pending key when `code` is one of its codes, and makes the recovery codes.
async fn confirm<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: Uuid,
    code: &str,
    attempts: &Attempts<'_>,
) -> AppResult<()> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::invalid("code", s::CODE_EMPTY));
    }
    let row = match factor(q, realm, account).await? {
        None => return Err(AppError::invalid("code", s::NOT_STARTED)),
        Some(row) if row.confirmed_at.is_some() => {
            return Err(AppError::conflict("code", s::ALREADY_ON));
        }
        Some(row) => row,
    };
    attempts.check().await?;
    let key = key(secrets, realm, account, &row)?;
    if use_current_code(q, &key, realm, account, &row, code)
        .await?
        .is_err()
    {
        attempts.failed().await;
        return Err(AppError::invalid("code", s::CONFIRM_WRONG));
    }
    attempts.succeeded().await;
    q.execute(
        &format!(
            "UPDATE {} SET confirmed_at = now() WHERE account_id = $1",
            realm.table("second_factors")
        ),
        vec![account.into()],
    )
    .await?;
    new_recovery_codes(q, secrets, realm, account).await
}

/// The enabled factor, or the refusal to act on one.
async fn enabled_factor<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    account: Uuid,
) -> AppResult<FactorRow> {
    factor(q, realm, account)
        .await?
        .filter(|row| row.confirmed_at.is_some())
        .ok_or_else(|| AppError::conflict("code", s::NOT_ON))
}

/// New recovery codes, the old ones revoked, on a current code of the application.
async fn regenerate_codes<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: Uuid,
    code: &str,
    attempts: &Attempts<'_>,
) -> AppResult<()> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::invalid("code", s::CODE_EMPTY));
    }
    let row = enabled_factor(q, realm, account).await?;
    attempts.check().await?;
    let key = key(secrets, realm, account, &row)?;
    if let Err(refusal) = use_current_code(q, &key, realm, account, &row, code).await? {
        attempts.failed().await;
        return Err(AppError::invalid("code", refusal_message(refusal)));
    }
    attempts.succeeded().await;
    new_recovery_codes(q, secrets, realm, account).await
}

/// Removes the account's factor, on a current code of the application or its password.
async fn disable<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    account: &Account,
    proof: &str,
    attempts: &Attempts<'_>,
) -> AppResult<()> {
    if proof.trim().is_empty() {
        return Err(AppError::invalid("preuve", s::PROOF_EMPTY));
    }
    let row = enabled_factor(q, realm, account.id).await?;
    attempts.check().await?;
    let proven = if is_totp_code(proof.trim()) {
        let key = key(secrets, realm, account.id, &row)?;
        use_current_code(q, &key, realm, account.id, &row, proof.trim())
            .await?
            .is_ok()
    } else {
        account
            .password_hash
            .as_deref()
            .is_some_and(|hash| verify_password(proof, hash))
    };
    if !proven {
        attempts.failed().await;
        return Err(AppError::invalid("preuve", s::PROOF_WRONG));
    }
    attempts.succeeded().await;
    for table in [
        "second_factor_challenges",
        "second_factor_recovery_codes",
        "second_factors",
    ] {
        q.execute(
            &format!("DELETE FROM {} WHERE account_id = $1", realm.table(table)),
            vec![account.id.into()],
        )
        .await?;
    }
    Ok(())
}

/// Whether the account gives a code after its password.
pub async fn enabled<Q: Queries + Sync>(q: &Q, realm: &Realm, account: Uuid) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Row {
        #[allow(dead_code)]
        one: i32,
    }
    let row: Option<Row> = q
        .fetch_optional(
            &format!(
                "SELECT 1 AS one FROM {} WHERE account_id = $1 AND confirmed_at IS NOT NULL",
                realm.table("second_factors")
            ),
            vec![account.into()],
        )
        .await?;
    Ok(row.is_some())
}

/// A sign-in whose password was right, waiting for its code: the token for its cookie.
pub async fn open_challenge<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    account: Uuid,
    return_to: Option<&str>,
) -> AppResult<String> {
    let table = realm.table("second_factor_challenges");
    q.execute(
        &format!("DELETE FROM {table} WHERE account_id = $1 AND expires_at <= now()"),
        vec![account.into()],
    )
    .await?;
    let (token, hash) = new_token();
    q.execute(
        &format!(
            "INSERT INTO {table} (token_hash, account_id, return_to, expires_at)
             VALUES ($1, $2, $3, now() + $4 * interval '1 second')"
        ),
        vec![
            hash.into(),
            account.into(),
            return_to.map(str::to_owned).into(),
            CHALLENGE_TTL.whole_seconds().into(),
        ],
    )
    .await?;
    Ok(token)
}

#[derive(FromQueryResult)]
struct ChallengeRow {
    account_id: Uuid,
    return_to: Option<String>,
    failures: i32,
}

async fn live_challenge<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    token: &str,
) -> AppResult<Option<ChallengeRow>> {
    q.fetch_optional(
        &format!(
            "SELECT account_id, return_to, failures FROM {}
             WHERE token_hash = $1 AND expires_at > now() FOR UPDATE",
            realm.table("second_factor_challenges")
        ),
        vec![hash_token(token).into()],
    )
    .await
}

/// The sign-in waiting for its code, if it still is (nothing about the account).
pub async fn challenge<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    token: &str,
) -> AppResult<Option<ChallengeView>> {
    Ok(live_challenge(q, realm, token)
        .await?
        .map(|row| ChallengeView {
            attempts_left: u32::try_from(MAX_CHALLENGE_FAILURES - row.failures).unwrap_or(0),
            refused: row.failures > 0,
        }))
}

/// What a code given to a sign-in led to. A refusal is returned, not raised, so that the
/// caller commits the failure it counted.
pub enum Verdict {
    Passed {
        account: Uuid,
        return_to: Option<String>,
    },
    Refused(AppError),
}

fn refusal_message(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Wrong => s::CODE_WRONG,
        Refusal::Replayed => s::CODE_REPLAYED,
    }
}

/// Checks the code (of the application, or a recovery code) given to the sign-in `token`.
pub async fn answer_challenge<Q: Queries + Sync>(
    q: &Q,
    secrets: &Secrets,
    realm: &Realm,
    token: &str,
    code: &str,
    limiter: &LoginLimiter,
    client: &str,
) -> AppResult<Verdict> {
    let code = code.trim();
    let table = realm.table("second_factor_challenges");
    let Some(challenge) = live_challenge(q, realm, token).await? else {
        return Ok(Verdict::Refused(AppError::invalid(
            "code",
            s::CHALLENGE_GONE,
        )));
    };
    if code.is_empty() {
        return Ok(Verdict::Refused(AppError::invalid("code", s::CODE_EMPTY)));
    }
    let account = challenge.account_id;
    let attempts = Attempts::new(limiter, realm, account, client);
    if let Err(error) = attempts.check().await {
        return Ok(Verdict::Refused(error));
    }
    let Some(row) = factor(q, realm, account)
        .await?
        .filter(|row| row.confirmed_at.is_some())
    else {
        // Disabled since the password was given: that sign-in starts again.
        q.execute(
            &format!("DELETE FROM {table} WHERE token_hash = $1"),
            vec![hash_token(token).into()],
        )
        .await?;
        return Ok(Verdict::Refused(AppError::invalid(
            "code",
            s::CHALLENGE_GONE,
        )));
    };
    let outcome = if is_totp_code(code) {
        let key = key(secrets, realm, account, &row)?;
        use_current_code(q, &key, realm, account, &row, code).await?
    } else if use_recovery_code(q, realm, account, code).await? {
        Ok(())
    } else {
        Err(Refusal::Wrong)
    };
    match outcome {
        Ok(()) => {
            attempts.succeeded().await;
            q.execute(
                &format!("DELETE FROM {table} WHERE token_hash = $1"),
                vec![hash_token(token).into()],
            )
            .await?;
            Ok(Verdict::Passed {
                account,
                return_to: challenge.return_to,
            })
        }
        Err(refusal) => {
            attempts.failed().await;
            if challenge.failures + 1 >= MAX_CHALLENGE_FAILURES {
                q.execute(
                    &format!("DELETE FROM {table} WHERE token_hash = $1"),
                    vec![hash_token(token).into()],
                )
                .await?;
                return Ok(Verdict::Refused(AppError::invalid(
                    "code",
                    s::CHALLENGE_SPENT,
                )));
            }
            q.execute(
                &format!("UPDATE {table} SET failures = failures + 1 WHERE token_hash = $1"),
                vec![hash_token(token).into()],
            )
            .await?;
            Ok(Verdict::Refused(AppError::invalid(
                "code",
                refusal_message(refusal),
            )))
        }
    }
}

/// Whether the realm requires a second factor (of its agents, or of operators).
pub async fn required<Q: Queries + Sync>(q: &Q, realm: &Realm) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Row {
        second_factor_required: bool,
    }
    let row: Option<Row> = q
        .fetch_optional(
            &format!(
                "SELECT second_factor_required FROM {}",
                realm.table("security_settings")
            ),
            vec![],
        )
        .await?;
    Ok(row.is_some_and(|r| r.second_factor_required))
}

/// Turns the mandatory switch on or off; `by` must have a factor to turn it on (else the
/// switch would lock them out of their own space at once).
pub async fn set_required<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    by: Uuid,
    on: bool,
) -> AppResult<()> {
    if on && !enabled(q, realm, by).await? {
        return Err(AppError::invalid("required", s::ENROL_YOURSELF_FIRST));
    }
    q.execute(
        &format!(
            "INSERT INTO {} (singleton, second_factor_required, updated_at) VALUES (true, $1, now())
             ON CONFLICT (singleton) DO UPDATE
             SET second_factor_required = EXCLUDED.second_factor_required, updated_at = now()",
            realm.table("security_settings")
        ),
        vec![on.into()],
    )
    .await?;
    Ok(())
}

/// The switch and who has a second factor; `viewer` is the admin (operator) looking.
pub async fn settings<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    viewer: Uuid,
) -> AppResult<SecuritySettingsView> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        display_name: String,
        email: String,
        enrolled: bool,
    }
    let rows: Vec<Row> = q
        .fetch_all(
            &format!(
                "SELECT a.id, a.display_name, a.email, EXISTS (SELECT 1 FROM {} f
                     WHERE f.account_id = a.id AND f.confirmed_at IS NOT NULL) AS enrolled
                 FROM {} ORDER BY a.display_name, a.email",
                realm.table("second_factors"),
                realm.accounts
            ),
            vec![],
        )
        .await?;
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let (enrolled, missing): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.enrolled);
    Ok(SecuritySettingsView {
        required: required(q, realm).await?,
        enrolled: count(enrolled.len()),
        total: count(enrolled.len() + missing.len()),
        missing: missing.into_iter().map(|r| r.display_name).collect(),
        enrolled_accounts: enrolled
            .into_iter()
            .map(|r| EnrolledAccount {
                id: r.id.to_string(),
                display_name: r.display_name,
                email: r.email,
                is_self: r.id == viewer,
            })
            .collect(),
    })
}

/// An admin (an operator) resets the lost second factor of one of the realm's accounts (an
/// agent of the commune; an operator): its key, recovery codes and waiting sign-ins go, and the
/// reset is recorded (`second_factor_resets`: whose, by whom, when). The account signs in with
/// its password alone until it enrols again — at once where a second factor is mandatory. Not
/// one's own: that takes a current code or the password, on one's own security page.
pub async fn reset<Q: Queries + Sync>(
    q: &Q,
    realm: &Realm,
    by: Uuid,
    account: &str,
) -> AppResult<()> {
    let account = Uuid::parse_str(account.trim())
        .map_err(|_| AppError::invalid("compte", s::RESET_UNKNOWN))?;
    if account == by {
        return Err(AppError::invalid("compte", s::RESET_SELF));
    }
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        id: Uuid,
    }
    let found: Option<Found> = q
        .fetch_optional(
            &format!("SELECT a.id FROM {} AND a.id = $1", realm.accounts),
            vec![account.into()],
        )
        .await?;
    if found.is_none() {
        return Err(AppError::invalid("compte", s::RESET_UNKNOWN));
    }
    let removed = q
        .execute(
            &format!(
                "DELETE FROM {} WHERE account_id = $1",
                realm.table("second_factors")
            ),
            vec![account.into()],
        )
        .await?;
    if removed == 0 {
        return Err(AppError::conflict("compte", s::RESET_NOTHING));
    }
    for table in ["second_factor_challenges", "second_factor_recovery_codes"] {
        q.execute(
            &format!("DELETE FROM {} WHERE account_id = $1", realm.table(table)),
            vec![account.into()],
        )
        .await?;
    }
    q.execute(
        &format!(
            "INSERT INTO {} (id, account_id, reset_by) VALUES ($1, $2, $3)",
            realm.table("second_factor_resets")
        ),
        vec![Uuid::new_v4().into(), account.into(), by.into()],
    )
    .await?;
    tracing::info!(%account, %by, schema = %realm.schema, "second factor reset");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_unambiguous_characters_read_in_any_case_with_or_without_dash() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert!(
            code.bytes()
                .filter(|b| *b != b'-')
                .all(|b| RECOVERY_ALPHABET.contains(&b))
        );
        let account = Uuid::new_v4();
        let typed = code.replace('-', " ").to_uppercase();
        assert_eq!(
            recovery_hash(account, &typed),
            recovery_hash(account, &code)
        );
        assert_ne!(
            recovery_hash(Uuid::new_v4(), &code),
            recovery_hash(account, &code)
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_of_its_modules() {
        let svg = qr_svg("otpauth://totp/A:b?secret=ABC");
        assert!(svg.starts_with("<svg "), "{svg}");
        // The finder pattern's top row: a run of seven dark modules, after the quiet zone.
        assert!(svg.contains("M2 2h7v1h-7z"), "{svg}");
        assert!(svg.contains(s::QR_LABEL));
    }
}
