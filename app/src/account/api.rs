//! Server functions of the account feature: tenant transaction + current user → service.

use leptos::prelude::*;

use super::model::{LoginOutcome, UserView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use std::net::SocketAddr;

    use axum::extract::ConnectInfo;
    use http::request::Parts;
    use leptos::prelude::use_context;

    use crate::account::model::{UserKind, UserView};
    use crate::account::service::{SESSION_TTL, SessionToken};
    use crate::error::AppError;
    use crate::infra::cookies::{SESSION_COOKIE, set_cookie};
    use crate::infra::{AppState, TenantTx, app_state};

    pub async fn tenant_tx() -> Result<(AppState, TenantTx), AppError> {
        let state = app_state()?;
        let tx = TenantTx::for_request(&state).await?;
        Ok((state, tx))
    }

    /// The client's address, for login throttling.
    pub fn client_address() -> String {
        let Some(parts) = use_context::<Parts>() else {
            return "unknown".to_owned();
        };
        let trust_proxy =
            use_context::<AppState>().is_some_and(|state| state.settings().trust_forwarded_for);
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty());
        match forwarded {
            Some(address) if trust_proxy => address.to_owned(),
            _ => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_owned()),
        }
    }

    /// Signs the user in and sends them to their space.
    pub fn start_session(state: &AppState, session: &SessionToken, user: &UserView) {
        start_session_returning_to(state, session, user, None);
    }

    /// Signs the user in and sends them on: to `return_to` when it is a path of this site (the
    /// page that sent them to sign in), else to their space.
    pub fn start_session_returning_to(
        state: &AppState,
        session: &SessionToken,
        user: &UserView,
        return_to: Option<&str>,
    ) {
        set_cookie(
            SESSION_COOKIE,
            &session.0,
            SESSION_TTL.whole_seconds(),
            state.settings().secure_cookies(),
        );
        let space = if user.kind == UserKind::Agent {
            "/back-office"
        } else {
            "/mon-compte"
        };
        let target = return_to
            .and_then(crate::access::safe_return_path)
            .unwrap_or(space);
        leptos_axum::redirect(target);
    }
}

#[server(endpoint = "signup")]
pub async fn signup(email: String, password: String, display_name: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = ssr::tenant_tx().await?;
            super::service::signup(&tx, state.settings(), &email, &password, &display_name).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "verify_email")]
pub async fn verify_email(jeton: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = ssr::tenant_tx().await?;
            super::service::verify_email(&tx, &jeton).await?;
            tx.commit().await
        }
        .await,
    )
}

/// `retour`: where to go once signed in (the sign-in page's `?retour=`), if a local path.
/// An account with a second factor gets no session here: a challenge cookie and a redirect
/// to the code page (`second_factor::CODE_PATH`), which keeps `retour`.
#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    retour: Option<String>,
) -> Result<LoginOutcome, AppError> {
    use super::service::Login;
    crate::infra::reply(
        async {
            let (state, tx) = ssr::tenant_tx().await?;
            let client = ssr::client_address();
            match super::service::login(&tx, state.login_limiter(), &client, &email, &password)
                .await?
            {
                Login::SignedIn(session, user) => {
                    tx.commit().await?;
                    ssr::start_session_returning_to(&state, &session, &user, retour.as_deref());
                    Ok(LoginOutcome::SignedIn(user))
                }
                Login::SecondFactor(account) => {
                    let realm = crate::second_factor::service::Realm::tenant(&tx);
                    let return_to = retour.as_deref().and_then(crate::access::safe_return_path);
                    let challenge = crate::second_factor::service::open_challenge(
                        &tx, &realm, account, return_to,
                    )
                    .await?;
                    tx.commit().await?;
                    crate::second_factor::api::await_code(
                        &state,
                        &challenge,
                        crate::second_factor::CODE_PATH,
                    );
                    Ok(LoginOutcome::CodeRequired)
                }
            }
        }
        .await,
    )
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::infra::cookies::{SESSION_COOKIE, clear_cookie, read_cookie};
    crate::infra::reply(
        async {
            let (state, tx) = ssr::tenant_tx().await?;
            let mut federated = false;
            if let Some(token) = read_cookie(SESSION_COOKIE) {
                // A session opened through a provider ends there too: it is only expired here,
                // so that /deconnexion/fournisseur can still name it to the provider.
                federated = crate::identity::service::end_federated_session(&tx, &token).await?;
                if !federated {
                    super::service::logout(&tx, &token).await?;
                }
            }
            tx.commit().await?;
            if federated {
                leptos_axum::redirect(crate::identity::model::PROVIDER_LOGOUT_PATH);
            } else {
                clear_cookie(SESSION_COOKIE, state.settings().secure_cookies());
                leptos_axum::redirect("/");
            }
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = ssr::tenant_tx().await?;
            super::service::request_password_reset(&tx, state.settings(), &email).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(jeton: String, password: String) -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = ssr::tenant_tx().await?;
            super::service::reset_password(&tx, &jeton, &password).await?;
            tx.commit().await
        }
        .await,
    )
}

/// The name an invitation's form starts with (empty for a commune's first admin).
#[server(endpoint = "invitation_name")]
pub async fn invitation_name(jeton: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = ssr::tenant_tx().await?;
            let name = super::service::invitation_name(&tx, &jeton).await?;
            tx.commit().await?;
            Ok(name)
        }
        .await,
    )
}

/// `display_name` defaults to empty so that a form without it gets the field's own message.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    jeton: String,
    #[server(default)] display_name: String,
    password: String,
) -> Result<UserView, AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = ssr::tenant_tx().await?;
            let (session, user) =
                super::service::accept_invitation(&tx, &jeton, &display_name, &password).await?;
            tx.commit().await?;
            ssr::start_session(&state, &session, &user);
            Ok(user)
        }
        .await,
    )
}

#[server(endpoint = "me")]
pub async fn me() -> Result<UserView, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = ssr::tenant_tx().await?;
            let user = super::service::require_user(&tx).await?;
            tx.commit().await?;
            Ok(user)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub use ssr::{client_address, start_session_returning_to, tenant_tx};
