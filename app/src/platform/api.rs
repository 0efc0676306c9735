use leptos::prelude::*;

use super::model::TenantSummary;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    use super::super::service::{self, Operator};
    use super::super::strings as s;
    use crate::error::AppError;
    use crate::infra::cookies::{OPERATOR_COOKIE, read_cookie};
    use crate::infra::{AppState, Site, app_state, current_site};

    /// The operator signed in on this (apex) request, if any.
    pub async fn signed_in_operator(state: &AppState) -> Result<Option<Operator>, AppError> {
        match read_cookie(OPERATOR_COOKIE) {
            Some(token) => service::current_operator(state, &token).await,
            None => Ok(None),
        }
    }

    pub fn platform_state() -> Result<AppState, AppError> {
        match current_site()? {
            Site::Platform => app_state(),
            Site::Tenant(_) => Err(AppError::NotFound(s::PLATFORM_ONLY.to_owned())),
        }
    }

    /// Platform host and a signed-in operator (with a second factor, if operators must have
    /// one), or an error.
    pub async fn operator_state() -> Result<AppState, AppError> {
        let state = platform_state()?;
        let signed_in = match read_cookie(OPERATOR_COOKIE) {
            Some(token) => service::current_operator(&state, &token)
                .await?
                .map(|_| token),
            None => None,
        };
        let Some(token) = signed_in else {
            return Err(AppError::Forbidden(s::OPERATOR_REQUIRED.to_owned()));
        };
        if crate::second_factor::service::operator_enrolment_missing(&state, &token).await? {
            return Err(AppError::Forbidden(
                crate::second_factor::strings::REQUIRED_FORBIDDEN_OPERATOR.to_owned(),
            ));
        }
        Ok(state)
    }

    /// Signs the operator in: the session cookie, and on to the console.
    pub fn start_operator_session(state: &AppState, token: &str) {
        crate::infra::cookies::set_cookie(
            OPERATOR_COOKIE,
            token,
            12 * 3600,
            state.settings().secure_cookies(),
        );
        leptos_axum::redirect("/plateforme");
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{operator_state, signed_in_operator, start_operator_session};

/// An operator with a second factor gets no session here: a challenge cookie and a redirect
/// to the code page (`second_factor::OPERATOR_CODE_PATH`).
#[server(endpoint = "platform/login")]
pub async fn operator_login(email: String, password: String) -> Result<(), AppError> {
    use super::service::OperatorLogin;
    crate::infra::reply(
        async {
            let state = ssr::platform_state()?;
            let client = crate::account::api::client_address();
            match super::service::operator_login(&state, &client, &email, &password).await? {
                OperatorLogin::Session(token) => ssr::start_operator_session(&state, &token),
                OperatorLogin::SecondFactor(challenge) => crate::second_factor::api::await_code(
                    &state,
                    &challenge,
                    crate::second_factor::OPERATOR_CODE_PATH,
                ),
            }
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "platform/logout")]
pub async fn operator_logout() -> Result<(), AppError> {
    use crate::infra::cookies::{OPERATOR_COOKIE, clear_cookie, read_cookie};
    crate::infra::reply(
        async {
            let state = ssr::platform_state()?;
            if let Some(token) = read_cookie(OPERATOR_COOKIE) {
                super::service::operator_logout(&state, &token).await?;
            }
            clear_cookie(OPERATOR_COOKIE, state.settings().secure_cookies());
            leptos_axum::redirect("/plateforme");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "platform/tenants")]
pub async fn list_tenants() -> Result<Vec<TenantSummary>, AppError> {
    crate::infra::reply(
        async { super::service::list_tenants(&ssr::operator_state().await?).await }.await,
    )
}

/// `hosts`: custom domains separated by commas, spaces or new lines (may be empty).
/// `starter_pack`: store entries to import as drafts, as the console's checkboxes send them
/// (`starter_pack[<n>]=<entry id>`, unticked ones missing).
#[server(endpoint = "platform/create_tenant")]
pub async fn create_tenant(
    name: String,
    slug: String,
    admin_email: String,
    hosts: String,
    #[server(default)] starter_pack: Option<Vec<String>>,
) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let state = ssr::operator_state().await?;
            let input = super::service::NewTenant {
                name,
                slug,
                admin_email,
                hosts: hosts
                    .split([',', ' ', '\n', '\r', ';'])
                    .filter(|h| !h.trim().is_empty())
                    .map(str::to_owned)
                    .collect(),
                starter_pack: starter_pack.unwrap_or_default(),
            };
            let provisioned = super::service::provision_tenant(&state, &input).await?;
            Ok(provisioned.portal_url)
        }
        .await,
    )
}

#[server(endpoint = "platform/set_tenant_status")]
pub async fn set_tenant_status(slug: String, active: bool) -> Result<(), AppError> {
    use crate::infra::TenantStatus;
    crate::infra::reply(
        async {
            let state = ssr::operator_state().await?;
            let status = if active {
                TenantStatus::Active
            } else {
                TenantStatus::Suspended
            };
            super::service::set_status(&state, &slug, status).await
        }
        .await,
    )
}
