//! Login throttling, counted in PostgreSQL (`platform.login_failures`) so that every server
//! process sees the same count: a citizen whose guesses alternate between nodes is refused
//! after the same number of failures as on one node.
//!
//! One row per (scope, key), where the scope is the tenant schema (or `platform`, or
//! `<schema>/second-factor`) and the key the account or the client address: a window opens
//! at the first failure and lasts [`WINDOW_MINUTES`]; each failure increments the row in one
//! statement (an upsert), so concurrent failures on several nodes are all counted.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};

use crate::error::AppError;

const WINDOW_MINUTES: i32 = 15;
const MAX_FAILURES_PER_ACCOUNT: i32 = 5;
const MAX_FAILURES_PER_CLIENT: i32 = 30;

pub const RATE_LIMITED_MESSAGE: &str = "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes ou réinitialisez votre mot de passe.";

/// Counts failed logins per (scope, account) and per (scope, client address).
#[derive(Clone)]
pub struct LoginLimiter {
    db: DatabaseConnection,
}

fn account_key(account: &str) -> String {
    format!("account:{account}")
}

fn client_key(client: &str) -> String {
    format!("client:{client}")
}

#[derive(FromQueryResult)]
struct Blocked {
    blocked: bool,
}

impl LoginLimiter {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn check(&self, scope: &str, account: &str, client: &str) -> Result<(), AppError> {
        self.check_or(scope, account, client, RATE_LIMITED_MESSAGE)
            .await
    }

    /// [`Self::check`], refusing with `message` (attempts that are not passwords: codes).
    pub async fn check_or(
        &self,
        scope: &str,
        account: &str,
        client: &str,
        message: &str,
    ) -> Result<(), AppError> {
        let blocked = Blocked::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT EXISTS (
                 SELECT 1 FROM platform.login_failures
                 WHERE scope = $1
                   AND window_start > now() - make_interval(mins => $4)
                   AND ((key = $2 AND failures >= $5) OR (key = $3 AND failures >= $6))
             ) AS blocked",
            [
                scope.into(),
                account_key(account).into(),
                client_key(client).into(),
                WINDOW_MINUTES.into(),
                MAX_FAILURES_PER_ACCOUNT.into(),
                MAX_FAILURES_PER_CLIENT.into(),
            ],
        ))
        .one(&self.db)
        .await?;
        if blocked.is_some_and(|b| b.blocked) {
            return Err(AppError::RateLimited(message.to_owned()));
        }
        Ok(())
    }

    /// Counts one failure for the account and for the client. A failure to count is logged,
    /// not returned: the attempt was refused anyway.
    pub async fn record_failure(&self, scope: &str, account: &str, client: &str) {
        let result = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO platform.login_failures AS f (scope, key, failures, window_start)
                 VALUES ($1, $2, 1, now()), ($1, $3, 1, now())
                 ON CONFLICT (scope, key) DO UPDATE SET
                     failures = CASE WHEN f.window_start > now() - make_interval(mins => $4)
                                     THEN f.failures + 1 ELSE 1 END,
                     window_start = CASE WHEN f.window_start > now() - make_interval(mins => $4)
                                         THEN f.window_start ELSE now() END",
                [
                    scope.into(),
                    account_key(account).into(),
                    client_key(client).into(),
                    WINDOW_MINUTES.into(),
                ],
            ))
            .await;
        if let Err(error) = result {
            tracing::error!(%error, "a failed login could not be counted");
        }
    }

    /// A success forgives the account's failures (not the client's).
    pub async fn record_success(&self, scope: &str, account: &str) {
        let result = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "DELETE FROM platform.login_failures WHERE scope = $1 AND key = $2",
                [scope.into(), account_key(account).into()],
            ))
            .await;
        if let Err(error) = result {
            tracing::error!(%error, "a login's failures could not be forgiven");
        }
    }

    /// Removes the windows that ended (run by the background jobs' sweep).
    pub async fn purge_expired(&self) -> Result<u64, AppError> {
        let done = self
            .db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "DELETE FROM platform.login_failures
                 WHERE window_start <= now() - make_interval(mins => $1)",
                [WINDOW_MINUTES.into()],
            ))
            .await?;
        Ok(done.rows_affected())
    }
}
