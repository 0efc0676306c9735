//! `/<code>`: a context's home (and `/` on a context's host); the fallback of a deleted
//! context; `/administration/contextes` for tenant admins.
//!
//! Admin changes are plain forms (`ActionForm`), so the page works without JavaScript; each
//! form shows its problems next to their fields.

use leptos::prelude::*;
use leptos_meta::{Style, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{
    ContextHome, DeleteContext, SaveContext, SpaceCatalogue, load_context_home, load_contexts,
};
use super::model::{ContextAdmin, ContextSummary, Space, problem_on};
use super::strings as s;
use crate::account::model::Role;
use crate::account::strings as account_strings;
use crate::context::{SiteView, use_site};
use crate::demarches::api::CatalogueEntry;
use crate::error::AppError;
use crate::ui::{ErrorSummary, Notice, Restricted};

/// The context's colours over the commune's: `html:root` outranks the commune's `:root`
/// whatever the order the two styles end up in.
#[component]
pub fn SpaceTheme(space: Space) -> impl IntoView {
    space
        .theme()
        .map(|vars| view! { <Style id="context-theme">{format!("html:root {{ {vars} }}")}</Style> })
}

/// "This context no longer exists: here is the commune's portal."
#[component]
pub fn GoneNotice(space: Space) -> impl IntoView {
    match space {
        Space::Gone { name } => Some(view! {
            <p class="alert alert-info" role="status" data-testid="context-gone">{s::gone_notice(&name)}</p>
        }),
        _ => None,
    }
}

/// `/<code>`.
#[component]
pub fn ContextPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("context").unwrap_or_default());
    let home = Resource::new_blocking(code, |code| load_context_home(Some(code)));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(ContextHome::Space(page)) => view! { <SpaceHome page/> }.into_any(),
                    Ok(ContextHome::Portal) => view! { <crate::portal::pages::Home/> }.into_any(),
                    // Also `/favicon.ico` on the platform's host, which has no portal.
                    Ok(ContextHome::Unknown) | Err(AppError::NotFound(_)) => view! { <crate::routes::NotFound/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/`: the plain portal's home, or on a context's host, that context's.
#[component]
pub fn PortalHome() -> impl IntoView {
    let home = Resource::new_blocking(|| (), |_| load_context_home(None));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(ContextHome::Space(page)) => view! { <SpaceHome page/> }.into_any(),
                    _ => view! { <crate::portal::pages::Home/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SpaceHome(page: SpaceCatalogue) -> impl IntoView {
    let SpaceCatalogue { space, entries } = page;
    match space.clone() {
        Space::Context(context) => view! { <ContextHomeView context entries/> }.into_any(),
        // A deleted context: the plain portal, saying so.
        _ => view! {
            <GoneNotice space/>
            <crate::portal::pages::Home/>
        }
        .into_any(),
    }
}

#[component]
fn ContextHomeView(context: ContextSummary, entries: Vec<CatalogueEntry>) -> impl IntoView {
    let space = Space::Context(context.clone());
    let query = space.query();
    let portal = context.portal.clone();
    let list = if entries.is_empty() {
        view! { <p>{s::BOUQUET_EMPTY}</p> }.into_any()
    } else {
        view! {
            <ul class="card-list" data-testid="context-bouquet">
                {entries.into_iter().map(|entry| view! {
                    <li class="card">
                        <h3><a href=format!("/demarches/{}{query}", entry.id) rel="external">{entry.title}</a></h3>
                        <p>{entry.description}</p>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Title text=context.name.clone()/>
        <SpaceTheme space/>
        <section class="hero" data-testid="context-home" data-context=context.code.clone()>
            <h1>{context.name.clone()}</h1>
            {(!context.welcome_text.is_empty()).then(|| view! { <p>{context.welcome_text.clone()}</p> })}
        </section>
        <section aria-labelledby="bouquet">
            <h2 id="bouquet">{s::BOUQUET_TITLE}</h2>
            {list}
            <p><a href=format!("{portal}/demarches") rel="external">{s::ALL_DEMARCHES}</a></p>
        </section>
        {(!context.help_text.is_empty()).then(|| view! {
            <section aria-labelledby="aide" class="context-help">
                <h2 id="aide">{s::HELP_TITLE}</h2>
                <p>{context.help_text.clone()}</p>
            </section>
        })}
    }
}

// --- /administration/contextes -----------------------------------------------------------------

#[component]
pub fn ContextsPage() -> impl IntoView {
    let site = use_site();
    view! {
        <Title text=s::PAGE_TITLE/>
        <p><A href="/admin/agents">{s::BACK_TO_ADMIN}</A></p>
        <h1>{s::PAGE_TITLE}</h1>
        <p class="lead">{s::INTRO}</p>
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Admin)) => {
                        view! { <ContextsPanel/> }.into_any()
                    }
                    _ => view! { <Restricted message=account_strings::NOT_AN_ADMIN.to_owned()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContextsPanel() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let saved = RwSignal::new(false);
    let page = Resource::new(move || version.get(), |_| load_contexts());
    let changed = move || {
        saved.set(true);
        version.update(|v| *v += 1);
    };
    view! {
        <Show when=move || saved.get()><Notice><p>{s::SAVED}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let demarches = page.demarches.clone();
                        let list = if page.contexts.is_empty() {
                            view! { <p>{s::NONE_YET}</p> }.into_any()
                        } else {
                            page.contexts
                                .into_iter()
                                .map(|context| view! { <ContextEditor context demarches=demarches.clone() changed/> })
                                .collect_view()
                                .into_any()
                        };
                        view! {
                            <section aria-labelledby="espaces">
                                <h2 id="espaces">{s::LIST_TITLE}</h2>
                                {list}
                            </section>
                            <section aria-labelledby="nouvel-espace">
                                <h2 id="nouvel-espace">{s::NEW_TITLE}</h2>
                                <ContextForm context=None demarches changed/>
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ContextEditor(
    context: ContextAdmin,
    demarches: Vec<(String, String)>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let delete = ServerAction::<DeleteContext>::new();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(_))) {
            changed();
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let id = context.id.clone();
    let confirm_id = format!("confirmer-{}", context.code);
    view! {
        <details class="context-item" data-testid="context-item">
            <summary>{context.name.clone()} " – /" {context.code.clone()}</summary>
            <p><a href=format!("/{}", context.code) rel="external">{s::OPEN}</a></p>
            <ContextForm context=Some(context) demarches changed/>
            <ActionForm action=delete attr:class="form form-danger">
                <input type="hidden" name="id" value=id/>
                <div class="field field-checkbox">
                    <input type="checkbox" id=confirm_id.clone() name="confirm" value="1"/>
                    <label for=confirm_id>{s::DELETE_CONFIRM}</label>
                </div>
                <ErrorSummary error=delete_error/>
                <button type="submit" class="button button-danger">{s::DELETE}</button>
            </ActionForm>
        </details>
    }
}

/// One input with its label and the problem on it.
fn input(
    prefix: &str,
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    value: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView + use<> {
    let id = format!("{prefix}-{name}");
    let error_id = format!("{id}-erreur");
    let hint_id = format!("{id}-aide");
    let message = move || problem_on(error.get().as_ref(), name);
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input id=id.clone() name=name type="text" value=value
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described/>
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

fn textarea(
    prefix: &str,
    name: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView + use<> {
    let id = format!("{prefix}-{name}");
    let error_id = format!("{id}-erreur");
    let message = move || problem_on(error.get().as_ref(), name);
    let described = {
        let error_id = error_id.clone();
        move || message().map(|_| error_id.clone())
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea id=id.clone() name=name rows="4"
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described>{value}</textarea>
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

#[component]
fn ContextForm(
    context: Option<ContextAdmin>,
    demarches: Vec<(String, String)>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let save = ServerAction::<SaveContext>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            changed();
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let creating = context.is_none();
    let c = context.unwrap_or(ContextAdmin {
        id: String::new(),
        code: String::new(),
        name: String::new(),
        welcome_text: String::new(),
        help_text: String::new(),
        primary_color: String::new(),
        secondary_color: String::new(),
        host: String::new(),
        position: 0,
        demarches: Vec::new(),
    });
    let prefix = if creating {
        "nouvel-espace".to_owned()
    } else {
        format!("espace-{}", c.code)
    };
    let bouquet_message = move || problem_on(error.get().as_ref(), "demarches");
    let boxes = if demarches.is_empty() {
        view! { <p>{s::NO_DEMARCHES}</p> }.into_any()
    } else {
        demarches
            .into_iter()
            .enumerate()
            .map(|(i, (id, title))| {
                let box_id = format!("{prefix}-demarche-{i}");
                let checked = c.demarches.contains(&id);
                view! {
                    <div class="field-checkbox">
                        <input type="checkbox" id=box_id.clone() name=format!("demarches[{i}]") value=id checked=checked/>
                        <label for=box_id>{title}</label>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <ActionForm action=save attr:class="form" attr:novalidate=true>
            <input type="hidden" name="id" value=c.id.clone()/>
            {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })}
            {input(&prefix, "code", s::FIELD_CODE, Some(s::FIELD_CODE_HINT), c.code.clone(), error)}
            {input(&prefix, "name", s::FIELD_NAME, None, c.name.clone(), error)}
            {textarea(&prefix, "welcome_text", s::FIELD_WELCOME, c.welcome_text.clone(), error)}
            {textarea(&prefix, "help_text", s::FIELD_HELP, c.help_text.clone(), error)}
            {input(&prefix, "primary_color", s::FIELD_PRIMARY, None, c.primary_color.clone(), error)}
            {input(&prefix, "secondary_color", s::FIELD_SECONDARY, None, c.secondary_color.clone(), error)}
            {input(&prefix, "host", s::FIELD_HOST, Some(s::FIELD_HOST_HINT), c.host.clone(), error)}
            {input(&prefix, "position", s::FIELD_POSITION, None, c.position.to_string(), error)}
            <fieldset class="field" class:field-invalid=move || bouquet_message().is_some()>
                <legend>{s::FIELD_DEMARCHES}</legend>
                {boxes}
                {move || bouquet_message().map(|text| view! { <p class="error-message">{text}</p> })}
            </fieldset>
            <button type="submit" class="button">{if creating { s::CREATE } else { s::SAVE }}</button>
        </ActionForm>
    }
}
