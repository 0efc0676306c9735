//! `/back-office/catalogue` (search, filters, sort, publication of one of the commune's
//! démarches), `/back-office/catalogue/:id` (an entry: preview, import, updates), and the
//! operators' panel of the platform console.
//!
//! The search form is a plain GET form: the page's address is the search, so it can be
//! bookmarked and works without the WASM.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    ImportFromStore, OperatorAct, PublishToStore, browse_store, operator_entries, publish_choices,
    starter_options, store_entry,
};
use super::model::{
    DOMAINS, ImportedCopy, ORGANISM_TYPES, OperatorEntry, PublishForm, StoreEntryView, StoreQuery,
    StoreResults, StoreSummary,
};
use super::strings as s;
use crate::account::model::Role;
use crate::context::{SiteView, use_site};
use crate::demarches::form::StepFields;
use crate::demarches::model::{Answers, Definition};
use crate::error::AppError;
use crate::ui::{ErrorSummary, Notice, Restricted, action_error};

/// Designers only (managers and admins), like the démarche designer.
#[component]
pub fn DesignersOnly(children: ChildrenFn) -> impl IntoView {
    let site = use_site();
    let children = StoredValue::new(children);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(SiteView::Tenant(tenant)) if tenant.user.as_ref().is_some_and(|u| u.has_role(Role::Manager)) => {
                        children.with_value(|c| c()).into_any()
                    }
                    _ => view! {
                        <Restricted message=crate::demarches::strings::NOT_A_DESIGNER.to_owned()/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StorePage() -> impl IntoView {
    // Resources are created here, before the gate's suspense: created inside it, their order
    // could differ between the server and the hydrating browser (a hydration error).
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| StoreQuery {
            q: q.get("q").unwrap_or_default(),
            domaine: q.get("domaine").unwrap_or_default(),
            organisme: q.get("organisme").unwrap_or_default(),
            tri: q.get("tri").unwrap_or_default(),
            page: q.get("page").unwrap_or_default(),
        })
    });
    let results = Resource::new(move || query.get(), browse_store);
    let publish = ServerAction::<PublishToStore>::new();
    let form = Resource::new(move || publish.version().get(), |_| publish_choices());
    view! {
        <Title text=s::STORE_TITLE/>
        <h1>{s::STORE_TITLE}</h1>
        <p>{s::STORE_INTRO}</p>
        <DesignersOnly>
            <Catalogue query results/>
            <PublishPanel publish form/>
        </DesignersOnly>
    }
}

fn options(
    list: &'static [(&'static str, &'static str)],
    selected: String,
) -> impl IntoView + use<> {
    list.iter()
        .map(|(code, label)| {
            let is = selected == *code;
            view! { <option value=*code selected=is>{*label}</option> }
        })
        .collect_view()
}

#[component]
fn Catalogue(
    query: Memo<StoreQuery>,
    results: Resource<Result<StoreResults, AppError>>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="recherche">
            <h2 id="recherche" class="sr-only">{s::SEARCH_LABEL}</h2>
            {move || {
                let current = query.get();
                let tri = current.tri.clone();
                view! {
                    <form method="get" action="/back-office/catalogue" class="form store-search" role="search">
                        <div class="field">
                            <label for="champ-q">{s::SEARCH_LABEL}</label>
                            <p class="hint" id="champ-q-aide">{s::SEARCH_HINT}</p>
                            <input id="champ-q" name="q" type="search" value=current.q.clone() aria-describedby="champ-q-aide"/>
                        </div>
                        <div class="field">
                            <label for="champ-domaine">{s::DOMAIN_LABEL}</label>
                            <select id="champ-domaine" name="domaine">
                                <option value="">{s::ALL}</option>
                                {options(DOMAINS, current.domaine.clone())}
                            </select>
                        </div>
                        <div class="field">
                            <label for="champ-organisme">{s::ORGANISM_LABEL}</label>
                            <select id="champ-organisme" name="organisme">
                                <option value="">{s::ALL}</option>
                                {options(ORGANISM_TYPES, current.organisme.clone())}
                            </select>
                        </div>
                        <div class="field">
                            <label for="champ-tri">{s::SORT_LABEL}</label>
                            <select id="champ-tri" name="tri">
                                <option value="pertinence" selected=tri.is_empty() || tri == "pertinence">{s::SORT_PERTINENCE}</option>
                                <option value="recent" selected=tri == "recent">{s::SORT_RECENT}</option>
                                <option value="populaire" selected=tri == "populaire">{s::SORT_POPULAR}</option>
                            </select>
                        </div>
                        <button type="submit" class="button">{s::SEARCH_BUTTON}</button>
                    </form>
                }
            }}
        </section>
        <section aria-labelledby="resultats" aria-live="polite">
            <Transition>
                {move || Suspend::new(async move {
                    match results.await {
                        Ok(results) => view! { <Results results query=query.get_untracked()/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn page_link(query: &StoreQuery, page: u32) -> String {
    let mut url = String::from("/back-office/catalogue?");
    for (key, value) in [
        ("q", &query.q),
        ("domaine", &query.domaine),
        ("organisme", &query.organisme),
        ("tri", &query.tri),
    ] {
        if !value.is_empty() {
            url.push_str(&format!("{key}={}&", urlencoding(value)));
        }
    }
    url.push_str(&format!("page={page}"));
    url
}

/// Percent-encodes a query value (no dependency for so little).
fn urlencoding(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// "Mise à jour disponible" for the commune's imports, with links to their entries.
#[component]
pub fn UpdatesNotice(updates: Vec<StoreSummary>) -> impl IntoView {
    (!updates.is_empty()).then(|| {
        view! {
            <div class="alert alert-warning" data-testid="store-updates">
                <h2>{s::UPDATES_TITLE}</h2>
                <ul>
                    {updates.into_iter().map(|u| view! {
                        <li><A href=format!("/back-office/catalogue/{}", u.id)>{u.title.clone()}</A>
                            " — " {s::UPDATE_AVAILABLE} " : "
                            {s::update_from_to(u.imported_version.unwrap_or_default(), u.latest_version)}</li>
                    }).collect_view()}
                </ul>
            </div>
        }
    })
}

#[component]
fn Results(results: StoreResults, query: StoreQuery) -> impl IntoView {
    let StoreResults {
        updates,
        entries,
        total,
        page,
        pages,
    } = results;
    view! {
        <UpdatesNotice updates/>
        <h2 id="resultats">{s::results(total)}</h2>
        {entries.is_empty().then(|| view! { <p>{s::NO_RESULT}</p> })}
        <ul class="store-results" data-testid="store-results">
            {entries.into_iter().map(|entry| view! { <li><EntryCard entry/></li> }).collect_view()}
        </ul>
        {(pages > 1).then(|| view! {
            <nav class="pagination" aria-label="Pages">
                {(page > 1).then(|| view! { <a href=page_link(&query, page - 1)>{s::PREVIOUS}</a> " " })}
                <span>{s::page_of(page, pages)}</span>
                {(page < pages).then(|| view! { " " <a href=page_link(&query, page + 1)>{s::NEXT}</a> })}
            </nav>
        })}
    }
}

#[component]
fn EntryCard(entry: StoreSummary) -> impl IntoView {
    let update = entry.update_available();
    view! {
        <article class="store-card" data-entry=entry.id.clone()>
            <h3><A href=format!("/back-office/catalogue/{}", entry.id)>{entry.title.clone()}</A></h3>
            <p class="store-badges">
                {entry.featured.then(|| view! { <span class="badge">{s::FEATURED}</span> " " })}
                {update.then(|| view! { <span class="badge badge-warning">{s::UPDATE_AVAILABLE}</span> " " })}
                <span>{entry.domain_label.clone()}</span>
            </p>
            <p>{entry.description.clone()}</p>
            <p class="hint">
                {s::published_by(&entry.publisher_name, &entry.organism_label)} " · "
                {s::version_of(entry.latest_version, &entry.updated_on)} " · "
                {s::imports(entry.import_count)}
            </p>
        </article>
    }
}

#[component]
fn PublishPanel(
    publish: ServerAction<PublishToStore>,
    form: Resource<Result<PublishForm, AppError>>,
) -> impl IntoView {
    let error = action_error(publish.value());
    view! {
        <section aria-labelledby="partager">
            <h2 id="partager">{s::PUBLISH_TITLE}</h2>
            <p>{s::PUBLISH_INTRO}</p>
            <ErrorSummary error/>
            {move || publish.value().get().and_then(Result::ok).map(|p| view! {
                <Notice><p>{s::published(p.version)} " "
                    <A href=format!("/back-office/catalogue/{}", p.entry_id)>{s::BACK_TO_STORE}</A></p></Notice>
            })}
            <Transition>
                {move || Suspend::new(async move {
                    match form.await {
                        Ok(form) => view! { <PublishFormView form publish error/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Select(
    name: &'static str,
    label: &'static str,
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    // Not `champ-…`: the preview's fields use those ids on the same page.
    let id = format!("store-{name}");
    let error_id = format!("{id}-erreur");
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(name))
            .map(|e| e.to_string())
    };
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <select id=id.clone() name=name
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=move || message().map(|_| error_id.clone())>
                {children()}
            </select>
            {move || message().map(|text| view! { <p class="error-message" id=format!("store-{name}-erreur")>{text}</p> })}
        </div>
    }
}

#[component]
fn PublishFormView(
    form: PublishForm,
    publish: ServerAction<PublishToStore>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <ActionForm action=publish attr:class="form" attr:novalidate=true>
            <Select name="demarche_id" label=s::PUBLISH_DEMARCHE error>
                <option value="">{s::CHOOSE}</option>
                {form.demarches.into_iter().map(|d| {
                    let label = if d.entry_id.is_some() { format!("{}{}", d.title, s::ALREADY_SHARED) } else { d.title };
                    view! { <option value=d.id>{label}</option> }
                }).collect_view()}
            </Select>
            <crate::ui::TextArea name="description" label=s::PUBLISH_DESCRIPTION error/>
            <Select name="domain" label=s::DOMAIN_LABEL error>
                <option value="">{s::CHOOSE}</option>
                {options(DOMAINS, String::new())}
            </Select>
            <Select name="organism_type" label=s::ORGANISM_LABEL error>
                <option value="">{s::CHOOSE}</option>
                {options(ORGANISM_TYPES, String::new())}
            </Select>
            <crate::ui::Field name="publisher_name" label=s::PUBLISH_PUBLISHER error hint=s::PUBLISH_PUBLISHER_HINT value=form.publisher_name/>
            <crate::ui::TextArea name="notes" label=s::PUBLISH_NOTES error/>
            <button type="submit" class="button">{s::PUBLISH_BUTTON}</button>
        </ActionForm>
    }
}

#[component]
pub fn StoreEntryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let import = ServerAction::<ImportFromStore>::new();
    let entry = Resource::new(
        move || (id.get(), import.version().get()),
        |(id, _)| store_entry(id),
    );
    view! {
        <Title text=s::STORE_TITLE/>
        <p><A href="/back-office/catalogue">{s::BACK_TO_STORE}</A></p>
        <DesignersOnly>
            <Transition>
                {move || Suspend::new(async move {
                    match entry.await {
                        Ok(view) => view! { <EntryView view import/> }.into_any(),
                        Err(error) => view! { <h1>{s::STORE_TITLE}</h1><p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </DesignersOnly>
    }
}

#[component]
fn EntryView(view: StoreEntryView, import: ServerAction<ImportFromStore>) -> impl IntoView {
    let StoreEntryView {
        summary,
        payload,
        statuses,
        versions,
        imported,
        services,
    } = view;
    let error = action_error(import.value());
    let definition = Arc::new(payload.document.definition.clone());
    let has_copies = !imported.is_empty();
    let entry_id = summary.id.clone();
    view! {
        <h1>{summary.title.clone()}</h1>
        <EntryCard entry=summary.clone()/>
        {summary.imported_version.map(|v| view! { <p>{s::imported_version(v)}</p> })}
        <section aria-labelledby="importer">
            <h2 id="importer">{s::IMPORT_TITLE}</h2>
            <p>{s::IMPORT_INTRO}</p>
            <ErrorSummary error/>
            <ActionForm action=import attr:class="form" attr:novalidate=true>
                <input type="hidden" name="entry" value=entry_id/>
                <Select name="service" label=s::IMPORT_SERVICE error>
                    {services.into_iter().map(|(id, path)| view! { <option value=id>{path}</option> }).collect_view()}
                </Select>
                <button type="submit" class="button">
                    {if has_copies { s::REIMPORT_BUTTON } else { s::IMPORT_BUTTON }}
                </button>
            </ActionForm>
        </section>
        {has_copies.then(|| view! {
            <section aria-labelledby="copies">
                <h2 id="copies">{s::MY_COPIES}</h2>
                <ul>{imported.into_iter().map(|copy| view! { <li><CopyView copy/></li> }).collect_view()}</ul>
            </section>
        })}
        <section aria-labelledby="pieces">
            <h2 id="pieces">{s::ATTACHMENTS}</h2>
            {payload.attachments.is_empty().then(|| view! { <p>{s::NO_ATTACHMENT}</p> })}
            <ul>{payload.attachments.into_iter().map(|a| view! { <li>{a.label}</li> }).collect_view()}</ul>
        </section>
        <section aria-labelledby="circuit">
            <h2 id="circuit">{s::WORKFLOW}</h2>
            <ol>{statuses.into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}</ol>
        </section>
        <section aria-labelledby="apercu">
            <h2 id="apercu">{s::PREVIEW}</h2>
            <Preview definition/>
        </section>
        <section aria-labelledby="versions">
            <h2 id="versions">{s::VERSIONS}</h2>
            <ul>
                {versions.into_iter().map(|v| view! {
                    <li><strong>{s::version_of(v.version, &v.published_on)}</strong>
                        {(!v.notes.is_empty()).then(|| view! { " — " {v.notes.clone()} })}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn CopyView(copy: ImportedCopy) -> impl IntoView {
    let ImportedCopy {
        demarche_id,
        title,
        version,
        changes,
        local_changes,
    } = copy;
    let outdated = !changes.is_empty();
    view! {
        <article class="store-copy" data-demarche=demarche_id.clone()>
            <p>
                <A href=format!("/back-office/demarches/{demarche_id}")>{title}</A>
                " — " {s::imported_version(version)} " "
                {if outdated {
                    view! { <span class="badge badge-warning">{s::UPDATE_AVAILABLE}</span> }.into_any()
                } else {
                    view! { <span>{s::UP_TO_DATE}</span> }.into_any()
                }}
            </p>
            {outdated.then(|| view! {
                <h3>{s::CHANGES_TITLE}</h3>
                <ul data-testid="store-changes">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            })}
            {(outdated && !local_changes.is_empty()).then(|| view! {
                <div class="alert alert-warning" role="note">
                    <p><strong>{s::LOCAL_CHANGES_TITLE}</strong></p>
                    <ul>{local_changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                    <p>{s::LOCAL_CHANGES_WARNING}</p>
                </div>
            })}
        </article>
    }
}

/// Every step, drawn by the citizens' own renderer, answerable for trying the conditions.
#[component]
fn Preview(definition: Arc<Definition>) -> impl IntoView {
    let answers = RwSignal::new(Answers::default());
    let errors = Signal::derive(Vec::new);
    let steps: Vec<(usize, String)> = definition
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| (i, step.title.clone()))
        .collect();
    view! {
        <div class="store-preview">
            {steps.into_iter().map(|(index, title)| view! {
                <fieldset>
                    <legend>{title}</legend>
                    <StepFields definition=definition.clone() step=index answers errors/>
                </fieldset>
            }).collect_view()}
        </div>
    }
}

/// The console's panel: every entry with the operator's actions, and the starter pack's
/// choices for the onboarding form.
#[component]
pub fn OperatorStorePanel() -> impl IntoView {
    let act = ServerAction::<OperatorAct>::new();
    let error = action_error(act.value());
    let entries = Resource::new(move || act.version().get(), |_| operator_entries());
    view! {
        <section aria-labelledby="catalogue">
            <h2 id="catalogue">{s::OPERATOR_TITLE}</h2>
            <ErrorSummary error/>
            <Transition>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(list) if list.is_empty() => view! { <p>{s::OPERATOR_EMPTY}</p> }.into_any(),
                        Ok(list) => view! { <OperatorTable list act/> }.into_any(),
                        Err(error) => view! { <p class="alert alert-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OperatorTable(list: Vec<OperatorEntry>, act: ServerAction<OperatorAct>) -> impl IntoView {
    let button = move |id: String, action: &'static str, label: &'static str, title: String| {
        view! {
            <ActionForm action=act attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="action" value=action/>
                <button type="submit" class="button button-secondary">
                    {label} <span class="sr-only">" " {title}</span>
                </button>
            </ActionForm>
        }
    };
    view! {
        <div class="table-wrapper" role="region" aria-label=s::OPERATOR_TITLE tabindex="0">
            <table>
                <caption class="sr-only">{s::OPERATOR_TITLE}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_TITLE}</th>
                        <th scope="col">{s::COL_PUBLISHER}</th>
                        <th scope="col">{s::COL_STATUS}</th>
                        <th scope="col">{s::COL_IMPORTS}</th>
                        <th scope="col">{s::COL_ACTIONS}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|entry| {
                        let status = entry.status_label();
                        let withdrawn = entry.status == "withdrawn";
                        let (id, title) = (entry.id.clone(), entry.title.clone());
                        view! {
                            <tr data-entry=entry.id.clone()>
                                <td>{entry.title.clone()} {entry.featured.then(|| view! { " " <span class="badge">{s::FEATURED}</span> })}</td>
                                <td>{entry.publisher_name.clone()}</td>
                                <td>{status}</td>
                                <td>{entry.import_count}</td>
                                <td>
                                    {(!withdrawn).then(|| view! {
                                        {if entry.featured {
                                            button(id.clone(), "unfeature", s::UNFEATURE, title.clone())
                                        } else {
                                            button(id.clone(), "feature", s::FEATURE, title.clone())
                                        }}
                                        {if entry.status == "hidden" {
                                            button(id.clone(), "show", s::SHOW, title.clone())
                                        } else {
                                            button(id.clone(), "hide", s::HIDE, title.clone())
                                        }}
                                        {button(id.clone(), "withdraw", s::WITHDRAW, title.clone())}
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Above the designer of a démarche just imported (the import lands there).
#[component]
pub fn ImportedNotice() -> impl IntoView {
    let query = use_query_map();
    let shown = move || query.read().get(super::model::IMPORTED_FLAG).is_some();
    view! {
        <Show when=shown>
            <Notice><p>{s::IMPORTED_NOTICE}</p></Notice>
        </Show>
    }
}

/// Checkboxes of the published entries, inside the onboarding form.
#[component]
pub fn StarterPackChoices() -> impl IntoView {
    let choices = Resource::new(|| (), |_| starter_options());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let list = choices.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <fieldset class="checkbox-group" aria-describedby="starter-pack-aide">
                        <legend>{s::STARTER_PACK}</legend>
                        <p class="hint" id="starter-pack-aide">{s::STARTER_PACK_HINT}</p>
                        {list.into_iter().enumerate().map(|(index, entry)| {
                            let id = format!("pack-{}", entry.id);
                            view! {
                                <div class="checkbox">
                                    <input type="checkbox" id=id.clone() name=format!("starter_pack[{index}]") value=entry.id.clone()/>
                                    <label for=id>{entry.title.clone()} " — " {entry.publisher_name.clone()}
                                        {entry.featured.then(|| view! { " (" {s::FEATURED} ")" })}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                })
            })}
        </Transition>
    }
}
