use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{CreateTenant, OperatorLogin, OperatorLogout, SetTenantStatus, list_tenants};
use super::model::TenantSummary;
use super::strings as s;
use crate::context::{SiteView, reload_site_on_success, use_site};
use crate::ui::{ErrorSummary, Field, Notice, Restricted, action_error};

#[component]
pub fn OperatorLinks(operator: Option<String>) -> impl IntoView {
    operator.map(|name| {
        let logout = ServerAction::<OperatorLogout>::new();
        reload_site_on_success(logout.value());
        view! {
            <ul class="nav-links">
                <li><span class="user-name">{name}</span></li>
                <li><A href=crate::second_factor::OPERATOR_ENROL_PATH>{crate::second_factor::strings::SECURITY_LINK}</A></li>
                <li>
                    <ActionForm action=logout attr:class="inline-form">
                        <button type="submit" class="link-button">"Se déconnecter"</button>
                    </ActionForm>
                </li>
            </ul>
        }
    })
}

#[component]
pub fn Console() -> impl IntoView {
    let site = use_site();
    view! {
        <Title text=s::CONSOLE_TITLE/>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Platform { operator: Some(_) }) => view! { <TenantsPanel/> }.into_any(),
                    Ok(SiteView::Platform { operator: None }) => view! { <OperatorLoginForm/> }.into_any(),
                    _ => view! { <Restricted message=s::PLATFORM_ONLY.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OperatorLoginForm() -> impl IntoView {
    let action = ServerAction::<OperatorLogin>::new();
    reload_site_on_success(action.value());
    let error = action_error(action.value());
    view! {
        <h1>{s::OPERATOR_LOGIN_TITLE}</h1>
        <ErrorSummary error/>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <Field name="email" label="Adresse e-mail" kind="email" error autocomplete="username"/>
            <Field name="password" label="Mot de passe" kind="password" error autocomplete="current-password"/>
            <button type="submit" class="button">"Se connecter"</button>
        </ActionForm>
    }
}

#[component]
fn TenantsPanel() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    let set_status = ServerAction::<SetTenantStatus>::new();
    let error = action_error(create.value());
    let created = Signal::derive(move || create.value().get().and_then(Result::ok));
    let status_error = action_error(set_status.value());
    let tenants = Resource::new(
        move || (create.version().get(), set_status.version().get()),
        |_| list_tenants(),
    );
    view! {
        <h1>{s::CONSOLE_TITLE}</h1>
        <section aria-labelledby="nouvelle">
            <h2 id="nouvelle">"Accueillir une collectivité"</h2>
            <p>"Le portail est créé avec son schéma de données, et l'administrateur reçoit une invitation par e-mail."</p>
            <ErrorSummary error/>
            {move || created.get().map(|url| view! {
                <Notice><p>"Collectivité créée : " <a href=url.clone()>{url.clone()}</a></p></Notice>
            })}
            <ActionForm action=create attr:class="form" attr:novalidate=true on:input=prefill_slug>
                <Field name="name" label="Nom de la collectivité" error/>
                <Field name="slug" label="Identifiant (sous-domaine)" error hint="Lettres minuscules, chiffres et tirets, par exemple « saint-herblain »."/>
                <Field name="admin_email" label="E-mail du premier administrateur" kind="email" error/>
                <Field name="hosts" label="Domaines personnalisés (facultatif)" error hint="Séparés par des virgules, par exemple demarches.ma-commune.fr"/>
                <crate::store::pages::StarterPackChoices/>
                <button type="submit" class="button">"Créer la collectivité"</button>
            </ActionForm>
        </section>
        <section aria-labelledby="collectivites">
            <h2 id="collectivites">"Collectivités hébergées"</h2>
            <ErrorSummary error=status_error/>
            <Transition>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Ok(list) => view! { <TenantsTable tenants=list set_status/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <crate::store::pages::OperatorStorePanel/>
        <crate::identity::pages::PlatformIdentity/>
    }
}

/// As the operator types the commune's name, its slug field follows it (`Saint-Martin des
/// Champs` → `saint-martin-des-champs`) until the operator types a slug of their own; emptied,
/// it follows the name again. Without JavaScript, a refused slug's message proposes the same.
fn prefill_slug(event: leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use web_sys::HtmlInputElement;
        let Some(input) = event
            .target()
            .and_then(|target| target.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(slug) = document()
            .get_element_by_id(SLUG_INPUT_ID)
            .and_then(|element| element.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        match input.name().as_str() {
            "slug" if input.value().trim().is_empty() => {
                _ = slug.remove_attribute(SLUG_TYPED);
            }
            "slug" => _ = slug.set_attribute(SLUG_TYPED, ""),
            "name" if !slug.has_attribute(SLUG_TYPED) => {
                slug.set_value(&super::model::slug_from_name(&input.value()));
            }
            _ => {}
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// The id `Field` gives the slug's input, and the mark of a slug typed by the operator.
#[cfg(feature = "hydrate")]
const SLUG_INPUT_ID: &str = "champ-slug";
#[cfg(feature = "hydrate")]
const SLUG_TYPED: &str = "data-saisi";

#[component]
fn TenantsTable(
    tenants: Vec<TenantSummary>,
    set_status: ServerAction<SetTenantStatus>,
) -> impl IntoView {
    view! {
        <div class="table-wrapper" role="region" aria-label="Collectivités hébergées" tabindex="0">
            <table>
                <caption class="sr-only">"Collectivités hébergées"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Collectivité"</th>
                        <th scope="col">"Portail"</th>
                        <th scope="col">"Créée le"</th>
                        <th scope="col">"État"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>
                    {tenants
                        .into_iter()
                        .map(|tenant| {
                            let next = (!tenant.active).to_string();
                            let label = if tenant.active { "Suspendre" } else { "Réactiver" };
                            let slug = tenant.slug.clone();
                            view! {
                                <tr data-slug=tenant.slug.clone()>
                                    <td>{tenant.name.clone()}</td>
                                    <td>
                                        <a href=tenant.portal_url.clone()>{tenant.portal_url.clone()}</a>
                                        {tenant.hosts.iter().map(|h| view! { <br/><span>{h.clone()}</span> }).collect_view()}
                                    </td>
                                    <td>{tenant.created_at.clone()}</td>
                                    <td>{match (&tenant.deletion_due, tenant.active) {
                                        (Some(day), _) => s::deletion_due(day),
                                        (None, true) => s::ACTIVE.to_owned(),
                                        (None, false) => s::SUSPENDED.to_owned(),
                                    }}</td>
                                    <td>
                                        <ActionForm action=set_status attr:class="inline-form">
                                            <input type="hidden" name="slug" value=slug/>
                                            <input type="hidden" name="active" value=next/>
                                            <button type="submit" class="button button-secondary">
                                                {label} <span class="sr-only">" " {tenant.name.clone()}</span>
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
