//! Server functions of the second factor, the same for agents (at a commune's host) and
//! operators (at the platform's): thin — the site's transaction and signed-in account →
//! service → result.

use leptos::prelude::*;

use super::model::{ChallengeView, SecondFactorView, SecuritySettingsView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::service::{Account, Attempts, Realm, SiteTx, session_account};
    use super::super::strings as s;
    use crate::error::{AppError, AppResult};
    use crate::infra::cookies::{CHALLENGE_COOKIE, OPERATOR_COOKIE, SESSION_COOKIE, read_cookie};
    use crate::infra::{AppState, PlatformTx, Site, TenantTx, app_state, current_site};

    /// The site's transaction and realm (a sign-in's second step has no session yet).
    pub async fn site_tx() -> AppResult<(AppState, SiteTx, Realm)> {
        let state = app_state()?;
        Ok(match current_site()? {
            Site::Tenant(tenant) => {
                let tx = TenantTx::begin(&state, tenant).await?;
                let realm = Realm::tenant(&tx);
                (state, SiteTx::Tenant(tx), realm)
            }
            Site::Platform => {
                let tx = PlatformTx::begin(&state).await?;
                (state, SiteTx::Platform(tx), Realm::platform())
            }
        })
    }

    pub struct Signed {
        pub state: AppState,
        pub tx: SiteTx,
        pub realm: Realm,
        pub account: Account,
    }

    impl Signed {
        pub fn attempts(&self, client: &str) -> Attempts<'_> {
            Attempts::new(
                self.state.login_limiter(),
                &self.realm,
                self.account.id,
                client,
            )
        }
    }

    /// The signed-in agent (at a commune's host) or operator (at the platform's).
    pub async fn signed_in() -> AppResult<Signed> {
        let (state, tx, realm) = site_tx().await?;
        let cookie = match tx {
            SiteTx::Tenant(_) => SESSION_COOKIE,
            SiteTx::Platform(_) => OPERATOR_COOKIE,
        };
        let account = match read_cookie(cookie) {
            Some(token) => session_account(&tx, &realm, &token).await?,
            None => None,
        };
        let account = match (&tx, account) {
            (SiteTx::Tenant(_), None) => return Err(AppError::Unauthenticated),
            (SiteTx::Platform(_), None) => {
                return Err(AppError::Forbidden(
                    crate::platform::strings::OPERATOR_REQUIRED.to_owned(),
                ));
            }
            (SiteTx::Tenant(_), Some(account)) if account.kind != "agent" => {
                return Err(AppError::Forbidden(s::AGENTS_ONLY.to_owned()));
            }
            (_, Some(account)) => account,
        };
        Ok(Signed {
            state,
            tx,
            realm,
            account,
        })
    }

    /// Makes `change` to the signed-in account's second factor.
    pub async fn change(change: super::super::service::Change) -> AppResult<()> {
        let signed = signed_in().await?;
        let client = crate::account::api::client_address();
        super::super::service::change(
            &signed.tx,
            signed.state.secrets()?,
            &signed.realm,
            &signed.account,
            change,
            &signed.attempts(&client),
        )
        .await?;
        signed.tx.commit().await
    }

    /// A tenant admin or an operator: who turns the mandatory switch.
    pub async fn switch_holder() -> AppResult<Signed> {
        let signed = signed_in().await?;
        if let SiteTx::Tenant(tx) = &signed.tx {
            crate::account::service::require_role(tx, crate::account::model::Role::Admin).await?;
        }
        Ok(signed)
    }

    /// Sets the cookie of a sign-in waiting for its code and sends the browser to `code_page`.
    pub fn await_code(state: &AppState, challenge: &str, code_page: &str) {
        crate::infra::cookies::set_cookie(
            CHALLENGE_COOKIE,
            challenge,
            super::super::service::CHALLENGE_TTL.whole_seconds(),
            state.settings().secure_cookies(),
        );
        leptos_axum::redirect(code_page);
    }

    pub fn challenge_token() -> String {
        read_cookie(CHALLENGE_COOKIE).unwrap_or_default()
    }

    pub fn end_challenge(state: &AppState) {
        crate::infra::cookies::clear_cookie(CHALLENGE_COOKIE, state.settings().secure_cookies());
    }
}

#[cfg(feature = "ssr")]
pub use ssr::await_code;

/// The sign-in waiting for its code at this host, if any.
#[server(endpoint = "second_factor/challenge")]
pub async fn challenge_state() -> Result<Option<ChallengeView>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx, realm) = ssr::site_tx().await?;
            let view = super::service::challenge(&tx, &realm, &ssr::challenge_token()).await?;
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

/// The sign-in's second step: a code of the application (`code`) or a recovery code
/// (`secours`, the other form of the page). Right, the session opens and the browser goes on
/// to the page the sign-in started for.
#[server(endpoint = "second_factor/verify")]
pub async fn verify_code(
    #[server(default)] code: String,
    #[server(default)] secours: String,
) -> Result<(), AppError> {
    use super::service::{SiteTx, Verdict, answer_challenge};
    crate::infra::reply(
        async {
            let (state, tx, realm) = ssr::site_tx().await?;
            let code = if code.trim().is_empty() {
                secours
            } else {
                code
            };
            let client = crate::account::api::client_address();
            let verdict = answer_challenge(
                &tx,
                state.secrets()?,
                &realm,
                &ssr::challenge_token(),
                &code,
                state.login_limiter(),
                &client,
            )
            .await?;
            let (account, return_to) = match verdict {
                Verdict::Refused(error) => {
                    // The failure it counted is kept.
                    tx.commit().await?;
                    return Err(error);
                }
                Verdict::Passed { account, return_to } => (account, return_to),
            };
            match tx {
                SiteTx::Tenant(tx) => {
                    let session = crate::account::service::create_session(&tx, account).await?;
                    let user = crate::account::service::current_user(&tx, &session.0)
                        .await?
                        .ok_or(AppError::Internal)?;
                    tx.commit().await?;
                    ssr::end_challenge(&state);
                    crate::account::api::start_session_returning_to(
                        &state,
                        &session,
                        &user,
                        return_to.as_deref(),
                    );
                }
                SiteTx::Platform(tx) => {
                    let token =
                        crate::platform::service::open_operator_session(&tx, account).await?;
                    tx.commit().await?;
                    ssr::end_challenge(&state);
                    crate::platform::api::start_operator_session(&state, &token);
                }
            }
            Ok(())
        }
        .await,
    )
}

/// The signed-in account's second factor; fresh recovery codes are in it once.
#[server(endpoint = "second_factor/status")]
pub async fn second_factor_status() -> Result<SecondFactorView, AppError> {
    crate::infra::reply(
        async {
            let signed = ssr::signed_in().await?;
            let view = super::service::status(
                &signed.tx,
                signed.state.secrets()?,
                &signed.realm,
                &signed.account,
            )
            .await?;
            signed.tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

/// A new key to scan (replacing a pending one).
#[server(endpoint = "second_factor/start")]
pub async fn start_enrolment() -> Result<(), AppError> {
    crate::infra::reply(ssr::change(super::service::Change::Start).await)
}

/// Enables the pending key with one of its codes.
#[server(endpoint = "second_factor/confirm")]
pub async fn confirm_enrolment(#[server(default)] code: String) -> Result<(), AppError> {
    crate::infra::reply(ssr::change(super::service::Change::Confirm(code)).await)
}

/// Ten new recovery codes (shown once by the status), on a current code.
#[server(endpoint = "second_factor/regenerate")]
pub async fn regenerate_codes(#[server(default)] code: String) -> Result<(), AppError> {
    crate::infra::reply(ssr::change(super::service::Change::NewRecoveryCodes(code)).await)
}

/// Removes the second factor, on a current code or the password (`preuve`).
#[server(endpoint = "second_factor/disable")]
pub async fn disable_second_factor(#[server(default)] preuve: String) -> Result<(), AppError> {
    crate::infra::reply(ssr::change(super::service::Change::Disable(preuve)).await)
}

/// The mandatory switch and who has a second factor (tenant admins; operators).
#[server(endpoint = "second_factor/settings")]
pub async fn security_settings() -> Result<SecuritySettingsView, AppError> {
    crate::infra::reply(
        async {
            let signed = ssr::switch_holder().await?;
            let view =
                super::service::settings(&signed.tx, &signed.realm, signed.account.id).await?;
            signed.tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

/// `required`: the checkbox, absent when unticked.
#[server(endpoint = "second_factor/set_required")]
pub async fn set_required(#[server(default)] required: bool) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let signed = ssr::switch_holder().await?;
            super::service::set_required(&signed.tx, &signed.realm, signed.account.id, required)
                .await?;
            signed.tx.commit().await
        }
        .await,
    )
}

/// Resets the lost second factor of `compte` (an agent's id, by a tenant admin; an operator's,
/// by an operator). Recorded; they enrol again at their next sign-in where it is mandatory.
#[server(endpoint = "second_factor/reset")]
pub async fn reset_second_factor(compte: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let signed = ssr::switch_holder().await?;
            super::service::reset(&signed.tx, &signed.realm, signed.account.id, &compte).await?;
            signed.tx.commit().await
        }
        .await,
    )
}
