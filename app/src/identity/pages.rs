//! Pages of identity federation: the sign-in buttons, the failure page, linking an existing
//! account, the account's links, the providers' administration, and how a certified identity
//! is shown (to its citizen on their account page, to agents on the dossiers of its owner).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{
    ConfirmLink, RemoveIdentityProvider, SaveIdentityProvider, UnlinkIdentity, identity_admin,
    my_links, pending_link, platform_identity, provider_logout,
};
use super::model::CertifiedIdentity;
use super::model::{Audience, Failure, Preset, ProviderSettings, ProviderView, SignInOptions};
use super::strings as s;
use crate::account::model::Role;
use crate::context::{SiteView, reload_site_on_success, use_site};
use crate::demarches::model::IsoDate;
use crate::ui::{ErrorSummary, Notice, Restricted, action_error, action_succeeded};

/// The identity providers' buttons on the sign-in page. Links, not client-side routes
/// (`rel="external"`): the browser goes to the provider.
#[component]
pub fn FederatedSignIn(options: SignInOptions, return_to: Option<String>) -> impl IntoView {
    let query = return_to
        .map(|r| format!("?retour={}", url_encode(&r)))
        .unwrap_or_default();
    let citizens = options.citizens.clone().map(|label| {
        let href = format!("{}{query}", Audience::Citizens.start_path());
        let franceconnect = options.citizens_is_franceconnect;
        view! {
            <div class="federated-sign-in">
                <a href=href rel="external" class="button button-franceconnect" data-testid="franceconnect">
                    {s::SIGN_IN_WITH} " " <strong>{label}</strong>
                </a>
                {franceconnect.then(|| view! {
                    <p class="hint">
                        <a href=s::FRANCECONNECT_URL rel="external noopener" target="_blank">
                            {s::FRANCECONNECT_WHAT}
                            <span class="sr-only">" (nouvelle fenêtre)"</span>
                        </a>
                    </p>
                })}
                <p class="separator" aria-hidden="true">{s::OR}</p>
            </div>
        }
    });
    let agents = options.agents.clone().map(|label| {
        let href = format!("{}{query}", Audience::Agents.start_path());
        view! {
            <p class="agents-sign-in">
                <a href=href rel="external" data-testid="agents-sso">{s::AGENTS_SIGN_IN} " " {label}</a>
            </p>
        }
    });
    view! { {citizens} {agents} }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/connexion/echec?motif=…`: what happened, and the ways on.
#[component]
pub fn SignInFailure() -> impl IntoView {
    let query = use_query_map();
    let failure = move || {
        query
            .read()
            .get("motif")
            .and_then(|code| Failure::from_code(&code))
            .unwrap_or(Failure::ProviderError)
    };
    let agents = move || query.read().get("public").as_deref() == Some("agents");
    view! {
        <Title text=s::FAIL_TITLE/>
        <h1>{s::FAIL_TITLE}</h1>
        <div class="alert alert-error" role="alert">
            <p data-testid="failure-message">{move || failure().message()}</p>
        </div>
        <ul class="actions">
            <li>
                <a
                    rel="external"
                    href=move || if agents() { Audience::Agents.start_path() } else { Audience::Citizens.start_path() }
                >
                    {s::FAIL_RETRY}
                </a>
            </li>
            <li><A href="/connexion">{s::FAIL_LOCAL_SIGN_IN}</A></li>
        </ul>
    }
}

/// `/connexion/associer?jeton=…`: proving an existing account's password to link it.
#[component]
pub fn LinkAccount() -> impl IntoView {
    let query = use_query_map();
    let token = Signal::derive(move || query.read().get("jeton").unwrap_or_default());
    let email = Resource::new(move || token.get(), pending_link);
    let action = ServerAction::<ConfirmLink>::new();
    reload_site_on_success(action.value());
    let error = action_error(action.value());
    view! {
        <Title text=s::LINK_TITLE/>
        <h1>{s::LINK_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match email.await {
                    Ok(email) => view! {
                        <p>{s::LINK_INTRO}</p>
                        <ErrorSummary error/>
                        <ActionForm action attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="jeton" value=move || token.get()/>
                            <div class="field">
                                <label for="champ-compte">"Compte"</label>
                                <input id="champ-compte" type="email" value=email readonly autocomplete="username"/>
                            </div>
                            <div class="field">
                                <label for="champ-password">{s::LINK_PASSWORD}</label>
                                <input id="champ-password" name="password" type="password" autocomplete="current-password"/>
                            </div>
                            <button type="submit" class="button">{s::LINK_SUBMIT}</button>
                        </ActionForm>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <div class="alert alert-error" role="alert"><p>{error.to_string()}</p></div>
                        <p><A href="/connexion">{s::FAIL_LOCAL_SIGN_IN}</A></p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// On the account page: the providers the account is linked to, and "Dissocier".
#[component]
pub fn FederationLinks() -> impl IntoView {
    let unlink = ServerAction::<UnlinkIdentity>::new();
    reload_site_on_success(unlink.value());
    let links = Resource::new(move || unlink.version().get(), |_| my_links());
    let error = action_error(unlink.value());
    let done = action_succeeded(unlink.value());
    view! {
        <ErrorSummary error/>
        <Show when=move || done.get()><Notice><p>{s::UNLINK_DONE}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                let links = links.await.unwrap_or_default();
                (!links.is_empty()).then(|| view! {
                    <section aria-labelledby="liens-identite" data-testid="identity-links">
                        <h2 id="liens-identite">{s::UNLINK_INTRO}</h2>
                        <ul>{links.into_iter().map(|issuer| view! { <li>{issuer}</li> }).collect_view()}</ul>
                        <ActionForm action=unlink attr:class="inline-form">
                            <button type="submit" class="button button-secondary">{s::UNLINK}</button>
                        </ActionForm>
                    </section>
                })
            })}
        </Transition>
    }
}

/// `/administration/identite`: the commune's providers, for citizens and for agents.
#[component]
pub fn IdentityAdminPage() -> impl IntoView {
    let site = use_site();
    let save = ServerAction::<SaveIdentityProvider>::new();
    let remove = ServerAction::<RemoveIdentityProvider>::new();
    let views = Resource::new(
        move || (save.version().get(), remove.version().get()),
        |_| identity_admin(),
    );
    view! {
        <Title text=s::ADMIN_TITLE/>
        <h1>{s::ADMIN_TITLE}</h1>
        <p>{s::ADMIN_INTRO}</p>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Admin)) => {
                        view! {
                            <Transition>
                                {move || Suspend::new(async move {
                                    match views.await {
                                        Ok((citizens, agents)) => view! {
                                            <ProviderSection audience=Audience::Citizens current=citizens save remove/>
                                            <ProviderSection audience=Audience::Agents current=agents save remove/>
                                        }
                                        .into_any(),
                                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                                    }
                                })}
                            </Transition>
                        }
                        .into_any()
                    }
                    _ => view! { <Restricted message=crate::account::strings::NOT_AN_ADMIN.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProviderSection(
    audience: Audience,
    current: ProviderView,
    save: ServerAction<SaveIdentityProvider>,
    remove: ServerAction<RemoveIdentityProvider>,
) -> impl IntoView {
    let title = match audience {
        Audience::Citizens => s::ADMIN_CITIZENS,
        Audience::Agents => s::ADMIN_AGENTS,
    };
    let id = format!("fournisseur-{}", audience.as_str());
    let error = action_error(save.value());
    let saved = action_succeeded(save.value());
    let has_own = current.own.is_some();
    view! {
        <section aria-labelledby=id.clone() class="panel">
            <h2 id=id.clone()>{title}</h2>
            {match (&current.own, &current.inherited) {
                (None, Some(inherited)) => view! {
                    <p data-testid=format!("inherited-{}", audience.as_str())>{s::ADMIN_INHERITED} " " <strong>{inherited.label.clone()}</strong> " (" {inherited.issuer.clone()} ")"</p>
                }.into_any(),
                (None, None) => view! { <p>{s::ADMIN_NONE}</p> }.into_any(),
                _ => ().into_any(),
            }}
            <p>{s::ADMIN_REGISTER}</p>
            <dl class="summary">
                <dt>{s::ADMIN_REDIRECT_URI}</dt><dd><code>{current.redirect_uri.clone()}</code></dd>
                <dt>{s::ADMIN_LOGOUT_URI}</dt><dd><code>{current.post_logout_redirect_uri.clone()}</code></dd>
            </dl>
            <Show when=move || saved.get()><Notice><p>{s::ADMIN_SAVED}</p></Notice></Show>
            <ErrorSummary error/>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <ProviderFields audience settings=current.own.clone()/>
                <button type="submit" class="button">{s::ADMIN_SAVE}</button>
            </ActionForm>
            {has_own.then(|| view! {
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="audience" value=audience.as_str()/>
                    <button type="submit" class="button button-secondary">{s::ADMIN_REMOVE}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// The form's fields, ids prefixed by the audience (two forms on one page).
#[component]
fn ProviderFields(audience: Audience, settings: Option<ProviderSettings>) -> impl IntoView {
    let prefix = audience.as_str();
    let preset = settings
        .as_ref()
        .map(|s| s.preset)
        .unwrap_or(match audience {
            Audience::Citizens => Preset::FranceConnect,
            Audience::Agents => Preset::Custom,
        });
    let value =
        |get: fn(&ProviderSettings) -> String| settings.as_ref().map(get).unwrap_or_default();
    let secret_set = settings.as_ref().is_some_and(|s| s.secret_set);
    let checked = |get: fn(&ProviderSettings) -> bool, default: bool| {
        settings.as_ref().map(get).unwrap_or(default)
    };
    let text = move |name: &'static str,
                     label: &'static str,
                     value: String,
                     hint: Option<&'static str>| {
        let id = format!("{prefix}-{name}");
        let hint_id = format!("{id}-aide");
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
                <input id=id name=name type="text" value=value aria-describedby=hint.map(|_| hint_id.clone())/>
            </div>
        }
    };
    let checkbox = move |name: &'static str, label: &'static str, on: bool| {
        let id = format!("{prefix}-{name}");
        view! {
            <div class="field field-checkbox">
                <input id=id.clone() name=name type="checkbox" value="on" checked=on/>
                <label for=id>{label}</label>
            </div>
        }
    };
    let presets = [
        (Preset::FranceConnect, "FranceConnect"),
        (Preset::ProConnect, "ProConnect"),
        (Preset::Custom, s::ADMIN_PRESET_CUSTOM),
    ];
    view! {
        <input type="hidden" name="audience" value=prefix/>
        <div class="field">
            <label for=format!("{prefix}-preset")>{s::ADMIN_PRESET}</label>
            <select id=format!("{prefix}-preset") name="preset">
                {presets.into_iter().map(|(p, label)| view! {
                    <option value=p.as_str() selected={p == preset}>{label}</option>
                }).collect_view()}
            </select>
        </div>
        {text("label", s::ADMIN_LABEL, value(|s| s.label.clone()), None)}
        {text("issuer", s::ADMIN_ISSUER, value(|s| s.issuer.clone()), None)}
        {text("client_id", s::ADMIN_CLIENT_ID, value(|s| s.client_id.clone()), None)}
        <div class="field">
            <label for=format!("{prefix}-client_secret")>{s::ADMIN_CLIENT_SECRET}</label>
            {secret_set.then(|| view! { <p class="hint" id=format!("{prefix}-client_secret-aide")>{s::ADMIN_SECRET_KEPT}</p> })}
            <input
                id=format!("{prefix}-client_secret")
                name="client_secret"
                type="password"
                autocomplete="off"
                aria-describedby=secret_set.then(|| format!("{prefix}-client_secret-aide"))
            />
        </div>
        {text("scopes", s::ADMIN_SCOPES, value(|s| s.scopes.clone()), None)}
        {text("acr_values", s::ADMIN_ACR, value(|s| s.acr_values.clone()), None)}
        {match audience {
            Audience::Citizens => view! {
                {checkbox("local_accounts_allowed", s::ADMIN_LOCAL, checked(|s| s.local_accounts_allowed, true))}
            }.into_any(),
            Audience::Agents => view! {
                {text("role_claim", s::ADMIN_ROLE_CLAIM, value(|s| s.role_claim.clone()), None)}
                <div class="field">
                    <label for=format!("{prefix}-role_mapping")>{s::ADMIN_ROLE_MAPPING}</label>
                    <textarea id=format!("{prefix}-role_mapping") name="role_mapping" rows="4">{value(|s| s.role_mapping.clone())}</textarea>
                </div>
                {checkbox("just_in_time", s::ADMIN_JIT, checked(|s| s.just_in_time, false))}
                <input type="hidden" name="local_accounts_allowed" value="on"/>
            }.into_any(),
        }}
        {checkbox("enabled", s::ADMIN_ENABLED, checked(|s| s.enabled, true))}
    }
}

/// The platform console's section: the syndicate's default providers.
#[component]
pub fn PlatformIdentity() -> impl IntoView {
    let save = ServerAction::<SaveIdentityProvider>::new();
    let current = Resource::new(move || save.version().get(), |_| platform_identity());
    let error = action_error(save.value());
    let saved = action_succeeded(save.value());
    view! {
        <section aria-labelledby="identite-plateforme" class="panel">
            <h2 id="identite-plateforme">{s::ADMIN_PLATFORM_TITLE}</h2>
            <p>{s::ADMIN_PLATFORM_INTRO}</p>
            <Show when=move || saved.get()><Notice><p>{s::ADMIN_SAVED}</p></Notice></Show>
            <ErrorSummary error/>
            <Transition>
                {move || Suspend::new(async move {
                    let (citizens, agents) = current.await.unwrap_or((None, None));
                    view! {
                        <h3>{s::ADMIN_CITIZENS}</h3>
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <ProviderFields audience=Audience::Citizens settings=citizens/>
                            <button type="submit" class="button">{s::ADMIN_SAVE}</button>
                        </ActionForm>
                        <h3>{s::ADMIN_AGENTS}</h3>
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <ProviderFields audience=Audience::Agents settings=agents/>
                            <button type="submit" class="button">{s::ADMIN_SAVE}</button>
                        </ActionForm>
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/deconnexion/fournisseur`: the session here is over; the browser goes on to the provider's
/// logout (a meta refresh without JavaScript, at once with it) and comes back to the portal.
#[component]
pub fn ProviderLogout() -> impl IntoView {
    let target = Resource::new_blocking(|| (), |_| provider_logout());
    view! {
        <Title text=s::LOGOUT_TITLE/>
        <h1>{s::LOGOUT_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(Some(url)) => {
                        #[cfg(feature = "hydrate")]
                        {
                            if let Some(window) = web_sys::window() {
                                let _ = window.location().set_href(&url);
                            }
                        }
                        view! {
                            <leptos_meta::Meta http_equiv="refresh" content=format!("0;url={url}")/>
                            <p>{s::LOGOUT_AT_PROVIDER}</p>
                            <p><a href=url rel="external" class="button" data-testid="provider-logout">{s::LOGOUT_CONTINUE}</a></p>
                        }
                        .into_any()
                    }
                    _ => view! {
                        <Notice><p>{s::LOGOUT_DONE}</p></Notice>
                        <p><A href="/">{s::LOGOUT_HOME}</A></p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// FranceConnect's INSEE code of France, as `birthcountry`.
const FRANCE_INSEE: &str = "99100";

/// The citizen's own certified identity (`/mon-compte`).
#[component]
pub fn CertifiedIdentitySection(identity: CertifiedIdentity) -> impl IntoView {
    let certified_on = identity
        .certified_at
        .get(0..10)
        .and_then(IsoDate::parse)
        .map(IsoDate::to_french);
    view! {
        <section class="certified-identity" aria-labelledby="identite-certifiee" data-testid="certified-identity">
            <h2 id="identite-certifiee">{s::certified_by(&identity.provider)}</h2>
            <p>{s::level_and_date(&identity.acr, certified_on.as_deref())}</p>
            {attributes(&identity)}
            <p class="hint">{s::read_only_note(&identity.provider)}</p>
        </section>
    }
}

/// The owner's certified identity on an agent's dossier page, with its badge.
#[component]
pub fn OwnerIdentity(identity: CertifiedIdentity) -> impl IntoView {
    view! {
        <section class="certified-identity" aria-labelledby="identite-usager" data-testid="owner-identity">
            <h2 id="identite-usager">{s::OWNER_HEADING} " "
                <span class="badge" data-testid="certified-badge">{s::badge(&identity.provider, &identity.acr)}</span>
            </h2>
            {attributes(&identity)}
        </section>
    }
}

/// The certified attributes in French; the ones the provider left out are not listed.
fn attributes(identity: &CertifiedIdentity) -> impl IntoView + use<> {
    let civility = match identity.gender.as_deref() {
        Some("female") => Some(s::MADAME.to_owned()),
        Some("male") => Some(s::MONSIEUR.to_owned()),
        _ => None,
    };
    let birth_date = identity
        .birthdate
        .as_deref()
        .map(|raw| IsoDate::parse(raw).map_or_else(|| raw.to_owned(), IsoDate::to_french));
    let country = identity.birthcountry.as_deref().map(|code| match code {
        FRANCE_INSEE => format!("{} ({code})", s::FRANCE),
        _ => code.to_owned(),
    });
    let present = |value: Option<&String>| value.filter(|v| !v.trim().is_empty()).cloned();
    let lines = [
        ("civilite", s::CIVILITY, civility),
        (
            "prenoms",
            s::GIVEN_NAME,
            present(Some(&identity.given_name)),
        ),
        (
            "nom-naissance",
            s::BIRTH_NAME,
            present(Some(&identity.family_name)),
        ),
        (
            "nom-usage",
            s::USAGE_NAME,
            present(identity.preferred_username.as_ref()),
        ),
        ("naissance", s::BIRTH_DATE, birth_date),
        (
            "lieu-naissance",
            s::BIRTH_PLACE,
            present(identity.birthplace.as_ref()),
        ),
        ("pays-naissance", s::BIRTH_COUNTRY, country),
        ("courriel", s::EMAIL, present(identity.email.as_ref())),
    ];
    let items = lines
        .into_iter()
        .filter_map(|(id, label, value)| {
            value.map(|value| {
                view! { <dt>{label}</dt><dd data-testid=format!("identite-{id}")>{value}</dd> }
            })
        })
        .collect_view();
    view! { <dl class="summary">{items}</dl> }
}
