use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(15 * 60);
const MAX_FAILURES_PER_ACCOUNT: usize = 5;
const MAX_FAILURES_PER_CLIENT: usize = 30;

/// Counts failed logins per (schema, account) and per (schema, client address) over a sliding
/// window. Kept in memory: a restart forgives, which is acceptable for throttling guesses.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<(String, String), Vec<Instant>>>,
}

pub const RATE_LIMITED_MESSAGE: &str = "Trop de tentatives de connexion échouées. Réessayez dans 15 minutes ou réinitialisez votre mot de passe.";

impl LoginLimiter {
    fn keys(scope: &str, account: &str, client: &str) -> [((String, String), usize); 2] {
        [
            (
                (scope.to_owned(), format!("account:{account}")),
                MAX_FAILURES_PER_ACCOUNT,
            ),
            (
                (scope.to_owned(), format!("client:{client}")),
                MAX_FAILURES_PER_CLIENT,
            ),
        ]
    }

    pub fn check(&self, scope: &str, account: &str, client: &str) -> Result<(), AppError> {
        self.check_or(scope, account, client, RATE_LIMITED_MESSAGE)
    }

    /// [`Self::check`], refusing with `message` (attempts that are not passwords: codes).
    pub fn check_or(
        &self,
        scope: &str,
        account: &str,
        client: &str,
        message: &str,
    ) -> Result<(), AppError> {
        let now = Instant::now();
        let mut failures = self.failures.lock().map_err(|_| AppError::Internal)?;
        for (key, max) in Self::keys(scope, account, client) {
            if let Some(times) = failures.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= max {
                    return Err(AppError::RateLimited(message.to_owned()));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, scope: &str, account: &str, client: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() > 100_000 {
                failures.clear();
            }
            for (key, _) in Self::keys(scope, account, client) {
                failures.entry(key).or_default().push(Instant::now());
            }
        }
    }

    pub fn record_success(&self, scope: &str, account: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&(scope.to_owned(), format!("account:{account}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_on_one_account_is_refused_but_another_tenant_is_not_affected() {
        let limiter = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            assert!(limiter.check("tenant_a", "x@y.fr", "1.2.3.4").is_ok());
            limiter.record_failure("tenant_a", "x@y.fr", "1.2.3.4");
        }
        assert!(matches!(
            limiter.check("tenant_a", "x@y.fr", "1.2.3.4"),
            Err(AppError::RateLimited(_))
        ));
        assert!(limiter.check("tenant_b", "x@y.fr", "1.2.3.4").is_ok());
    }
}
