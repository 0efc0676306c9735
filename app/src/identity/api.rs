//! Server functions of identity federation: what the sign-in page offers, linking an existing
//! account, the account's links, and the providers' administration (commune and platform).

// A provider's form posts its fields as the server function's arguments (plain forms work
// without JavaScript); the macro's generated client function cannot carry an allow of its own.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::model::{ProviderSettings, ProviderView, SignInOptions};
use crate::account::model::UserView;
use crate::error::AppError;

#[server(endpoint = "identity/sign_in_options")]
pub async fn sign_in_choices() -> Result<SignInOptions, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let options = super::service::sign_in_options(&tx).await?;
            tx.commit().await?;
            Ok(options)
        }
        .await,
    )
}

/// The email of the account a pending link would join (to show on the page).
#[server(endpoint = "identity/pending_link")]
pub async fn pending_link(jeton: String) -> Result<String, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let email = super::service::pending_link_email(&tx, &jeton).await?;
            tx.commit().await?;
            Ok(email)
        }
        .await,
    )
}

/// The citizen proves the local account's password; the accounts are linked and they are
/// signed in.
#[server(endpoint = "identity/confirm_link")]
pub async fn confirm_link(jeton: String, password: String) -> Result<UserView, AppError> {
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            let client = crate::account::api::client_address();
            let outcome = super::service::confirm_link(
                &tx,
                state.login_limiter(),
                &client,
                &jeton,
                &password,
            )
            .await?;
            tx.commit().await?;
            match outcome {
                super::service::Outcome::SignedIn {
                    session,
                    user,
                    return_to,
                } => {
                    crate::account::api::start_session_returning_to(
                        &state,
                        &session,
                        &user,
                        return_to.as_deref(),
                    );
                    Ok(*user)
                }
                super::service::Outcome::NeedsLink { .. } => Err(AppError::Internal),
            }
        }
        .await,
    )
}

/// The identity providers the signed-in account is linked to (their issuers' labels).
#[server(endpoint = "identity/my_links")]
pub async fn my_links() -> Result<Vec<String>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let user = crate::account::service::require_user(&tx).await?;
            let links =
                super::service::links_of(&tx, user.uuid().ok_or(AppError::Unauthenticated)?)
                    .await?;
            tx.commit().await?;
            Ok(links)
        }
        .await,
    )
}

#[server(endpoint = "identity/unlink")]
pub async fn unlink_identity() -> Result<(), AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let user = crate::account::service::require_user(&tx).await?;
            super::service::unlink(&tx, &user).await?;
            tx.commit().await
        }
        .await,
    )
}

/// Both audiences' settings for the administration page (admins).
#[server(endpoint = "identity/admin")]
pub async fn identity_admin() -> Result<(ProviderView, ProviderView), AppError> {
    use super::model::Audience;
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            crate::account::service::require_role(&tx, Role::Admin).await?;
            let origin = state.settings().tenant_origin(tx.tenant());
            let citizens = super::service::view(&tx, &origin, Audience::Citizens).await?;
            let agents = super::service::view(&tx, &origin, Audience::Agents).await?;
            tx.commit().await?;
            Ok((citizens, agents))
        }
        .await,
    )
}

/// Saves a provider's settings: the commune's own at a commune's host (its admins), the
/// syndicate's default at the platform's (operators). Both pages post the same form (its fields
/// are the arguments: plain forms work without JavaScript; checkboxes are present only when
/// ticked). An empty secret keeps the stored one; a preset fills what was left empty.
#[server(endpoint = "identity/save")]
pub async fn save_identity_provider(
    audience: String,
    preset: String,
    #[server(default)] label: String,
    #[server(default)] issuer: String,
    #[server(default)] client_id: String,
    #[server(default)] client_secret: String,
    #[server(default)] scopes: String,
    #[server(default)] acr_values: String,
    local_accounts_allowed: Option<String>,
    #[server(default)] role_claim: String,
    #[server(default)] role_mapping: String,
    just_in_time: Option<String>,
    enabled: Option<String>,
) -> Result<(), AppError> {
    use super::model::{Audience, Preset};
    use crate::account::model::Role;
    use crate::infra::Site;
    crate::infra::reply(
        async {
            let audience = Audience::parse(&audience).ok_or_else(|| {
                AppError::invalid("audience", super::strings::FAIL_NOT_CONFIGURED)
            })?;
            let settings = Preset::parse(&preset).fill(ProviderSettings {
                audience,
                preset: Preset::parse(&preset),
                label,
                issuer,
                client_id,
                client_secret,
                secret_set: false,
                scopes,
                acr_values,
                local_accounts_allowed: local_accounts_allowed.is_some(),
                role_claim,
                role_mapping,
                just_in_time: just_in_time.is_some(),
                enabled: enabled.is_some(),
            });
            match crate::infra::current_site()? {
                Site::Tenant(_) => {
                    let (state, tx) = crate::account::api::tenant_tx().await?;
                    crate::account::service::require_role(&tx, Role::Admin).await?;
                    super::service::save(&tx, state.secrets()?, &settings).await?;
                    tx.commit().await
                }
                Site::Platform => {
                    let state = crate::platform::api::operator_state().await?;
                    let tx = crate::infra::PlatformTx::begin(&state).await?;
                    super::service::save_platform(&tx, state.secrets()?, &settings).await?;
                    tx.commit().await
                }
            }
        }
        .await,
    )
}

#[server(endpoint = "identity/remove")]
pub async fn remove_identity_provider(audience: String) -> Result<(), AppError> {
    use super::model::Audience;
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let audience = Audience::parse(&audience).ok_or_else(|| {
                AppError::invalid("audience", super::strings::FAIL_NOT_CONFIGURED)
            })?;
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::account::service::require_role(&tx, Role::Admin).await?;
            super::service::remove(&tx, audience).await?;
            tx.commit().await
        }
        .await,
    )
}

/// The platform's default providers (operators, on the apex host).
#[server(endpoint = "identity/platform")]
pub async fn platform_identity()
-> Result<(Option<ProviderSettings>, Option<ProviderSettings>), AppError> {
    use super::model::Audience;
    crate::infra::reply(
        async {
            let state = crate::platform::api::operator_state().await?;
            let tx = crate::infra::PlatformTx::begin(&state).await?;
            let citizens = super::service::platform_settings(&tx, Audience::Citizens).await?;
            let agents = super::service::platform_settings(&tx, Audience::Agents).await?;
            tx.commit().await?;
            Ok((citizens, agents))
        }
        .await,
    )
}

/// The provider's end-session URL for the session just ended on this browser (once), or None
/// when there is nothing more to end. Clears the session cookie.
#[server(endpoint = "identity/provider_logout")]
pub async fn provider_logout() -> Result<Option<String>, AppError> {
    use crate::infra::cookies::{SESSION_COOKIE, clear_cookie, read_cookie};
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            let Some(token) = read_cookie(SESSION_COOKIE) else {
                return Ok(None);
            };
            let federation = super::service::take_ended_federation(&tx, &token).await?;
            let origin = state.settings().tenant_origin(tx.tenant());
            tx.commit().await?;
            let Some((issuer, id_token)) = federation else {
                return Ok(None);
            };
            clear_cookie(SESSION_COOKIE, state.settings().secure_cookies());
            Ok(super::oidc::end_session_url(&issuer, &id_token, &format!("{origin}/")).await)
        }
        .await,
    )
}
