//! What every page needs to know about where it is: platform console or a commune's portal,
//! its branding, and who is signed in. Loaded once per page through [`load_site`].

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::account::model::UserView;
use crate::error::AppError;

pub use crate::branding::model::Branding;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantView {
    pub slug: String,
    pub name: String,
    pub branding: Branding,
    pub user: Option<UserView>,
}

// One value per page load: its size does not matter, boxing would only add noise to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SiteView {
    Platform { operator: Option<String> },
    Tenant(TenantView),
}

#[server(endpoint = "site")]
pub async fn load_site() -> Result<SiteView, AppError> {
    use crate::infra::{Site, TenantTx, app_state, current_site, reply};
    reply(
        async {
            let state = app_state()?;
            match current_site()? {
                Site::Platform => Ok(SiteView::Platform {
                    operator: crate::platform::api::signed_in_operator(&state)
                        .await?
                        .map(|o| o.display_name),
                }),
                Site::Tenant(tenant) => {
                    let user = match crate::infra::cookies::read_cookie(
                        crate::infra::cookies::SESSION_COOKIE,
                    ) {
                        // Anonymous visitors cost no query.
                        None => None,
                        Some(token) => {
                            let tx = TenantTx::begin(&state, tenant.clone()).await?;
                            let user = crate::account::service::current_user(&tx, &token).await?;
                            tx.commit().await?;
                            user
                        }
                    };
                    Ok(SiteView::Tenant(TenantView {
                        slug: tenant.slug.as_str().to_owned(),
                        name: tenant.name.clone(),
                        branding: tenant.branding.clone(),
                        user,
                    }))
                }
            }
        }
        .await,
    )
}

/// Bumped after sign-in and sign-out so that the site (and its signed-in user) reloads.
#[derive(Clone, Copy)]
pub struct SessionEpoch(pub RwSignal<u32>);

#[derive(Clone, Copy)]
pub struct SiteResource(pub Resource<Result<SiteView, AppError>>);

pub fn provide_site() {
    let epoch = RwSignal::new(0u32);
    provide_context(SessionEpoch(epoch));
    let site = Resource::new_blocking(move || epoch.get(), |_| load_site());
    provide_context(SiteResource(site));
}

pub fn use_site() -> Resource<Result<SiteView, AppError>> {
    // provide_site() runs at the root of App, before any page.
    match use_context::<SiteResource>() {
        Some(site) => site.0,
        None => Resource::new_blocking(|| (), |_| load_site()),
    }
}

/// After a successful sign-in or sign-out, reload the site (header, signed-in user).
pub fn reload_site_on_success<T, S>(value: S)
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            bump_session_epoch();
        }
    });
}

pub fn bump_session_epoch() {
    if let Some(SessionEpoch(epoch)) = use_context::<SessionEpoch>() {
        epoch.update(|e| *e += 1);
    }
}
