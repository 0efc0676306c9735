//! The agents' dossier pages: the dashboard with the filtered list, and the dossier page with
//! its actions. Filters are a plain GET form and every action a plain form (`ActionForm`), so
//! both work before (or without) hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    Act, EditAnswer, dashboard_counters, list_dossiers, load_dossier, search_dossiers,
};
use super::model::{AgentDossier, DossierFilter, DossierLine, DossierList, Sla};
use super::strings as s;
use crate::error::AppError;
use crate::mail::pages::MailTable;
use crate::org::model::Access;
use crate::ui::{ErrorSummary, Restricted, action_error};

fn failure(error: AppError) -> AnyView {
    view! { <Restricted message=error.to_string()/> }.into_any()
}

pub(crate) fn filter_from_query() -> Memo<DossierFilter> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            DossierFilter {
                demarche: get("demarche"),
                statut: get("statut"),
                service: get("service"),
                agent: get("agent"),
                du: get("du"),
                au: get("au"),
                delai: get("delai"),
                beneficiaire: get("beneficiaire"),
                pour: get("pour"),
                tri: get("tri"),
                page: get("page"),
            }
        })
    })
}

#[component]
pub fn DossiersPage() -> impl IntoView {
    let filter = filter_from_query();
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let list = Resource::new(move || filter.get(), list_dossiers);
    let found = Resource::new(
        move || q.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_dossiers(q).await.map(Some)
            }
        },
    );
    let counters = Resource::new(|| (), |_| dashboard_counters());
    view! {
        <Title text=s::DOSSIERS_TITLE/>
        <h1>{s::DOSSIERS_TITLE}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match counters.await {
                    Ok(c) => view! { <CountersView initial=c/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
        <form method="get" action="/back-office/dossiers" role="search" class="quick-search">
            <div class="field">
                <label for="q">{s::QUICK_SEARCH}</label>
                <p class="hint" id="q-hint">{s::QUICK_SEARCH_HINT}</p>
                <input id="q" name="q" type="search" value=move || q.get() aria-describedby="q-hint"/>
            </div>
            <button type="submit" class="button">{s::SEARCH}</button>
        </form>
        <Suspense>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(Some(lines)) => view! {
                        <section aria-labelledby="resultats">
                            <h2 id="resultats">{s::search_results(lines.len())}</h2>
                            <p><a href="/back-office/dossiers">{s::BACK_TO_LIST}</a></p>
                            <DossierTable lines/>
                        </section>
                    }.into_any(),
                    Ok(None) => view! {
                        <Suspense>
                            {move || Suspend::new(async move {
                                match list.await {
                                    Ok(list) => view! { <ListView list filter=filter.get_untracked()/> }.into_any(),
                                    Err(error) => failure(error),
                                }
                            })}
                        </Suspense>
                    }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Suspense>
    }
}

/// The dashboard's counters, kept live by the server's events once the page is hydrated.
#[component]
fn CountersView(initial: super::model::Counters) -> impl IntoView {
    let c = RwSignal::new(initial);
    #[cfg(feature = "hydrate")]
    Effect::new(move |opened: Option<()>| {
        use leptos::wasm_bindgen::JsCast;
        use leptos::wasm_bindgen::closure::Closure;
        if opened.is_some() {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/api/back-office/compteurs") else {
            return;
        };
        let on_counters = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if let Some(update) = event
                    .data()
                    .as_string()
                    .and_then(|data| serde_json::from_str::<super::model::Counters>(&data).ok())
                {
                    c.set(update);
                }
            },
        );
        let _ = source
            .add_event_listener_with_callback("counters", on_counters.as_ref().unchecked_ref());
        on_counters.forget();
    });
    view! {
        <ul class="counters" aria-label=s::COUNTERS_LABEL data-testid="counters">
            <li><a href="/back-office/dossiers?agent=moi"><strong data-counter="mine">{move || c.get().mine}</strong> {s::COUNTER_MINE}</a></li>
            <li><strong data-counter="my_services">{move || c.get().my_services}</strong> {s::COUNTER_MY_SERVICES}</li>
            <li><a href="/back-office/dossiers?agent=personne"><strong data-counter="new">{move || c.get().new}</strong> {s::COUNTER_NEW}</a></li>
            <li><strong data-counter="waiting">{move || c.get().waiting_citizen}</strong> {s::COUNTER_WAITING}</li>
            <li><a href="/back-office/dossiers?delai=urgent"><strong data-counter="urgent">{move || c.get().urgent}</strong> {s::COUNTER_URGENT}</a></li>
            <li><a href="/back-office/dossiers?delai=en_retard"><strong data-counter="late">{move || c.get().late}</strong> {s::COUNTER_LATE}</a></li>
        </ul>
    }
}

fn options(items: Vec<(String, String)>, selected: String) -> impl IntoView {
    items
        .into_iter()
        .map(|(value, label)| {
            let is = value == selected;
            view! { <option value=value selected=is>{label}</option> }
        })
        .collect_view()
}

#[component]
fn ListView(list: DossierList, filter: DossierFilter) -> impl IntoView {
    let o = list.options.clone();
    let export = format!("/back-office/dossiers.csv?{}", filter.to_query());
    let merge = format!("/back-office/publipostages?{}", filter.to_query());
    let page_link = {
        let filter = filter.clone();
        move |page: u32| {
            let mut f = filter.clone();
            f.page = page.to_string();
            format!("/back-office/dossiers?{}", f.to_query())
        }
    };
    let sla_options: Vec<(String, String)> = Sla::ALL
        .into_iter()
        .map(|s| (s.code().to_owned(), s.label().to_owned()))
        .collect();
    let mut agents = vec![
        ("moi".to_owned(), s::AGENT_ME.to_owned()),
        ("personne".to_owned(), s::AGENT_NOBODY.to_owned()),
    ];
    agents.extend(o.agents.clone());
    let sorts = vec![
        ("recent".to_owned(), s::SORT_RECENT.to_owned()),
        ("ancien".to_owned(), s::SORT_OLD.to_owned()),
        ("echeance".to_owned(), s::SORT_DUE.to_owned()),
        ("reference".to_owned(), s::SORT_REFERENCE.to_owned()),
    ];
    let beneficiary_kinds: Vec<(String, String)> =
        crate::demarches::beneficiary::BeneficiaryKind::ALL
            .into_iter()
            .map(|k| (k.code().to_owned(), k.label().to_owned()))
            .collect();
    let (page, pages, capped) = (list.page, list.pages, list.capped);
    view! {
        <form method="get" action="/back-office/dossiers" class="filters" aria-label=s::FILTERS_LABEL>
            <div class="field"><label for="f-demarche">{s::F_DEMARCHE}</label>
                <select id="f-demarche" name="demarche"><option value="">{s::ALL}</option>{options(o.demarches.clone(), filter.demarche.clone())}</select></div>
            <div class="field"><label for="f-statut">{s::F_STATUS}</label>
                <select id="f-statut" name="statut"><option value="">{s::ALL}</option>{options(o.statuses.clone(), filter.statut.clone())}</select></div>
            <div class="field"><label for="f-service">{s::F_SERVICE}</label>
                <select id="f-service" name="service"><option value="">{s::ALL}</option>{options(o.services.clone(), filter.service.clone())}</select></div>
            <div class="field"><label for="f-agent">{s::F_AGENT}</label>
                <select id="f-agent" name="agent"><option value="">{s::ALL}</option>{options(agents, filter.agent.clone())}</select></div>
            <div class="field"><label for="f-du">{s::F_FROM}</label><input id="f-du" type="date" name="du" value=filter.du.clone()/></div>
            <div class="field"><label for="f-au">{s::F_TO}</label><input id="f-au" type="date" name="au" value=filter.au.clone()/></div>
            <div class="field"><label for="f-delai">{s::F_SLA}</label>
                <select id="f-delai" name="delai"><option value="">{s::ALL}</option>{options(sla_options, filter.delai.clone())}</select></div>
            <div class="field"><label for="f-beneficiaire">{s::F_BENEFICIARY_KIND}</label>
                <select id="f-beneficiaire" name="beneficiaire"><option value="">{s::ALL}</option>{options(beneficiary_kinds, filter.beneficiaire.clone())}</select></div>
            <div class="field"><label for="f-pour">{s::F_BENEFICIARY_NAME}</label><input id="f-pour" type="search" name="pour" value=filter.pour.clone()/></div>
            <div class="field"><label for="f-tri">{s::F_SORT}</label>
                <select id="f-tri" name="tri">{options(sorts, filter.tri.clone())}</select></div>
            <button type="submit" class="button">{s::FILTER}</button>
        </form>
        {(!o.saved.is_empty()).then(|| view! {
            <nav aria-label=s::SAVED_LABEL class="saved-searches">
                <ul>
                    {o.saved.clone().into_iter().map(|q| view! {
                        <li><a href=format!("/back-office/dossiers?{}", q.query)>{q.name}</a>
                            {q.shared_with.map(|sv| view! { " " <span class="hint">"(" {sv} ")"</span> })}</li>
                    }).collect_view()}
                </ul>
            </nav>
        })}
        <SaveSearch filter=filter.clone() services=o.services.clone()/>
        <RegisterForCitizen demarches=o.demarches.clone()/>
        <p data-testid="total">{s::total_line(list.total, list.capped)} " · " <ExportLink href=export total=list.total/>
            " · " <a href=merge data-testid="merge-link">{crate::letters::strings::MERGE_ENTRY}</a></p>
        <DossierTable lines=list.lines/>
        <nav aria-label=s::PAGES_LABEL class="pager">
            {(page > 1).then(|| view! { <a href=page_link(page - 1)>{s::PREVIOUS}</a> })}
            " " {s::page_line(page, pages, capped)} " "
            {(page < pages).then(|| view! { <a href=page_link(page + 1)>{s::NEXT}</a> })}
        </nav>
    }
}

/// The CSV export: a plain download link; once hydrated, the download is fetched by the page,
/// which shows its progress (rows estimated from the bytes received) and then saves the file.
#[component]
fn ExportLink(href: String, total: u64) -> impl IntoView {
    let progress = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let on_click = {
        let href = href.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            if progress.get_untracked().is_some() {
                return;
            }
            if let Err(error) = export_with_progress(&href, total, progress) {
                leptos::logging::warn!("export: {error:?}");
                progress.set(None);
            }
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let on_click = {
        // The server renders the plain link; the total only matters to the browser's progress.
        let _ = total;
        |_: leptos::ev::MouseEvent| {}
    };
    view! {
        <a href=href.clone() download="" on:click=on_click>{s::EXPORT_CSV}</a>
        <span role="status" aria-live="polite" data-testid="export-progress">{move || progress.get()}</span>
    }
}

#[cfg(feature = "hydrate")]
fn export_with_progress(
    href: &str,
    total: u64,
    progress: RwSignal<Option<String>>,
) -> Result<(), leptos::wasm_bindgen::JsValue> {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    let request = web_sys::XmlHttpRequest::new()?;
    request.open("GET", href)?;
    request.set_response_type(web_sys::XmlHttpRequestResponseType::Blob);
    progress.set(Some(s::export_progress(0, total)));
    // The bytes received say how far the export is; a line is about 120 bytes.
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            let rows = ((event.loaded() / 120.0) as u64).min(total);
            progress.set(Some(s::export_progress(rows, total)));
        });
    request.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    on_progress.forget();
    let on_load = Closure::<dyn FnMut()>::new({
        let request = request.clone();
        move || {
            let saved = (|| {
                if request.status()? != 200 {
                    return Err(leptos::wasm_bindgen::JsValue::from_str("export refused"));
                }
                let blob: web_sys::Blob = request.response()?.dyn_into()?;
                let url = web_sys::Url::create_object_url_with_blob(&blob)?;
                let link: web_sys::HtmlAnchorElement =
                    document().create_element("a")?.dyn_into()?;
                link.set_href(&url);
                link.set_download("dossiers.csv");
                link.click();
                web_sys::Url::revoke_object_url(&url)?;
                Ok(())
            })();
            progress.set(Some(match saved {
                Ok(()) => s::export_done(total),
                Err(_) => s::EXPORT_FAILED.to_owned(),
            }));
        }
    });
    request.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    request.send()?;
    Ok(())
}

/// The counter or phone registration form.
#[component]
fn RegisterForCitizen(demarches: Vec<(String, String)>) -> impl IntoView {
    let action = ServerAction::<super::api::RegisterForCitizen>::new();
    let error = action_error(action.value());
    // The draft pages are the portal's plain pages: go there with a full load.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(url)) = action.value().get() {
            let _ = window().location().set_href(&url);
        }
    });
    view! {
        <details class="register-for-citizen">
            <summary>{s::REGISTER}</summary>
            <ErrorSummary error/>
            <ActionForm action attr:class="form">
                <div class="field"><label for="register-demarche">{s::F_DEMARCHE}</label>
                    <select id="register-demarche" name="demarche">{options(demarches, String::new())}</select></div>
                <div class="field"><label for="register-channel">{s::CHANNEL}</label>
                    <select id="register-channel" name="channel">
                        <option value="guichet">{s::CHANNEL_COUNTER}</option>
                        <option value="telephone">{s::CHANNEL_PHONE}</option>
                    </select></div>
                <div class="field"><label for="register-email">{s::CITIZEN_EMAIL}</label>
                    <input id="register-email" name="email" type="email" autocomplete="off"/></div>
                <button type="submit" class="button button-secondary">{s::REGISTER_START}</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn DossierTable(lines: Vec<DossierLine>) -> impl IntoView {
    view! {
        <div class="table-wrapper" role="region" aria-label=s::DOSSIERS_TITLE tabindex="0">
        <table class="table dossiers-table">
            <caption class="sr-only">{s::DOSSIERS_TITLE}</caption>
            <thead><tr>
                <th scope="col">{s::COL_REFERENCE}</th><th scope="col">{s::COL_DEMARCHE}</th><th scope="col">{s::COL_CITIZEN}</th>
                <th scope="col">{s::COL_STATUS}</th><th scope="col">{s::COL_SERVICE}</th><th scope="col">{s::COL_AGENT}</th>
                <th scope="col">{s::COL_SUBMITTED}</th><th scope="col">{s::COL_DUE}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr>
                        <td><a href=format!("/back-office/dossiers/{}", l.reference)>{l.reference.clone()}</a></td>
                        <td>{l.demarche}</td>
                        <td>{l.citizen}{l.beneficiary.map(|b| view! { <br/><span class="hint beneficiary">{s::ON_BEHALF_OF} " : " {b}</span> })}</td>
                        <td><span class="status-badge" style=format!("--status-colour: {}", l.status_colour)>{l.status_name}</span></td>
                        <td>{l.service}</td>
                        <td>{l.assignee.unwrap_or_default()}</td>
                        <td>{l.submitted_on}</td>
                        <td class=format!("sla sla-{}", l.sla.code())>{l.due_on.unwrap_or_default()} " " {(l.sla == Sla::Urgent || l.sla == Sla::Late).then(|| l.sla.label())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn SaveSearch(filter: DossierFilter, services: Vec<(String, String)>) -> impl IntoView {
    let action = ServerAction::<super::api::SaveSearch>::new();
    let error = action_error(action.value());
    view! {
        <details class="save-search">
            <summary>{s::SAVE_SEARCH}</summary>
            <ErrorSummary error/>
            <ActionForm action attr:class="form">
                <input type="hidden" name="filter[demarche]" value=filter.demarche.clone()/>
                <input type="hidden" name="filter[statut]" value=filter.statut.clone()/>
                <input type="hidden" name="filter[service]" value=filter.service.clone()/>
                <input type="hidden" name="filter[agent]" value=filter.agent.clone()/>
                <input type="hidden" name="filter[du]" value=filter.du.clone()/>
                <input type="hidden" name="filter[au]" value=filter.au.clone()/>
                <input type="hidden" name="filter[delai]" value=filter.delai.clone()/>
                <input type="hidden" name="filter[beneficiaire]" value=filter.beneficiaire.clone()/>
                <input type="hidden" name="filter[pour]" value=filter.pour.clone()/>
                <input type="hidden" name="filter[tri]" value=filter.tri.clone()/>
                <input type="hidden" name="filter[page]" value=""/>
                <div class="field"><label for="search-name">{s::SEARCH_NAME}</label><input id="search-name" name="name" required/></div>
                <div class="field"><label for="search-service">{s::SHARE_WITH}</label>
                    <select id="search-service" name="service"><option value="">{s::ONLY_ME}</option>{options(services, String::new())}</select></div>
                <button type="submit" class="button button-secondary">{s::SAVE}</button>
            </ActionForm>
        </details>
    }
}

fn hidden(d: StoredValue<AgentDossier>) -> impl IntoView {
    view! { <input type="hidden" name="reference" value=d.read_value().reference.clone()/> }
}

#[component]
pub fn DossierPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let action = ServerAction::<Act>::new();
    let edit = ServerAction::<EditAnswer>::new();
    let found = Resource::new(
        move || (reference(), action.version().get(), edit.version().get()),
        |(reference, _, _)| load_dossier(reference),
    );
    // The responses' section reads its own data, in the same suspense (no second one after
    // the page's content: hydration order).
    let respond = ServerAction::<crate::responses::api::ActOnResponse>::new();
    let responses = Resource::new(
        move || (reference(), respond.version().get()),
        |(reference, _)| crate::responses::api::load_responses(reference),
    );
    let error = action_error(action.value());
    let edit_error = action_error(edit.value());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match (found.await, responses.await) {
                    (Ok(dossier), panel) => view! {
                        <DossierView dossier action edit error edit_error/>
                        {panel.ok().map(|panel| view! { <crate::responses::pages::ResponsesSection panel action=respond/> })}
                    }.into_any(),
                    (Err(error), _) => failure(error),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DossierView(
    dossier: AgentDossier,
    action: ServerAction<Act>,
    edit: ServerAction<EditAnswer>,
    error: Signal<Option<AppError>>,
    edit_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let can_modify = dossier.access >= Access::Modification && dossier.locked_by_other.is_none();
    let d = StoredValue::new(dossier);
    view! {
        <Title text=s::dossier_title(&d.read_value().reference)/>
        <p><a href="/back-office/dossiers">{s::BACK_TO_LIST}</a></p>
        <h1>{s::dossier_title(&d.read_value().reference)} " – " {d.read_value().demarche.clone()}</h1>
        <ErrorSummary error/>
        <dl class="dossier-facts">
            <dt>{s::COL_CITIZEN}</dt><dd>{d.read_value().citizen.clone()} {d.read_value().contact_email.clone().map(|e| format!(" <{e}>"))}</dd>
            {d.read_value().beneficiary.clone().map(|name| view! { <dt>{s::ON_BEHALF_OF}</dt><dd data-testid="agent-beneficiary">{name}</dd> })}
            <dt>{s::COL_STATUS}</dt><dd><span class="status-badge" data-testid="agent-status" style=format!("--status-colour: {}", d.read_value().status_colour)>{d.read_value().status_name.clone()}</span>
                {d.read_value().complement_open.then(move || view! { " " <span class="hint">{s::WAITING_COMPLEMENT}</span> })}</dd>
            <dt>{s::COL_SERVICE}</dt><dd data-testid="agent-service">{d.read_value().service.clone()}</dd>
            <dt>{s::COL_AGENT}</dt><dd data-testid="agent-assignee">{d.read_value().assignee.clone().unwrap_or_else(|| s::NOBODY.to_owned())}</dd>
            <dt>{s::COL_SUBMITTED}</dt><dd data-testid="agent-submitted">{d.read_value().submitted_on.clone()} " (" {d.read_value().channel_label.clone()} ")"</dd>
            {d.read_value().context.clone().map(|name| view! { <dt>{crate::contexts::strings::DOSSIER_CONTEXT}</dt><dd data-testid="agent-context">{name}</dd> })}
            <dt>{s::COL_DUE}</dt><dd class=format!("sla sla-{}", d.read_value().sla.code())>{d.read_value().due_on.clone().unwrap_or_else(|| "—".into())} " " {d.read_value().sla.label()}</dd>
            {d.read_value().silence.clone().map(|line| view! { <dt>{s::SILENCE}</dt><dd>{line}</dd> })}
        </dl>
        {(!d.read_value().people.is_empty()).then(|| view! {
            <p class="dossier-people" data-testid="dossier-people">
                {d.read_value().people.clone().into_iter().map(|(id, owner)| view! {
                    <a href=format!("/back-office/usagers/{id}")>{if owner { s::OWNER_360 } else { s::BENEFICIARY_360 }}</a> " "
                }).collect_view()}
            </p>
        })}
        {d.read_value().owner_identity.clone().map(|identity| view! { <crate::identity::pages::OwnerIdentity identity/> })}
        {d.read_value().locked_by_other.clone().map(|name| view! { <p class="alert alert-info" role="status">{s::locked_notice(&name)}</p> })}
        {(d.read_value().access == Access::Consultation).then(move || view! { <p class="alert alert-info">{s::READ_ONLY}</p> })}
        {can_modify.then(move || view! {
            <section aria-labelledby="actions" class="dossier-actions">
                <h2 id="actions">{s::ACTIONS}</h2>
                <div class="action-row">
                    {if d.read_value().i_hold_lock {
                        view! { <ActionForm action>{hidden(d)}<input type="hidden" name="action" value="unlock"/><button class="button button-secondary">{s::UNLOCK}</button></ActionForm> }.into_any()
                    } else {
                        view! { <ActionForm action>{hidden(d)}<input type="hidden" name="action" value="lock"/><button class="button button-secondary">{s::LOCK}</button></ActionForm> }.into_any()
                    }}
                    <ActionForm action>{hidden(d)}<input type="hidden" name="action" value="take"/><button class="button">{s::TAKE_CHARGE}</button></ActionForm>
                </div>
                {(!d.read_value().transitions.is_empty()).then(|| view! {
                    <ActionForm action attr:class="form transition-form">
                        {hidden(d)}
                        <input type="hidden" name="action" value="transition"/>
                        <input type="hidden" name="request_id" value=d.read_value().request_id.clone()/>
                        <fieldset>
                            <legend>{s::CHANGE_STATUS}</legend>
                            {d.read_value().transitions.clone().into_iter().enumerate().map(|(i, t)| view! {
                                <div class="choice">
                                    <input type="radio" name="transition" id=format!("t-{}", t.id) value=t.id.clone() checked=i == 0/>
                                    <label for=format!("t-{}", t.id)>{t.label.clone()} " → " {t.to_name.clone()}
                                        {t.requests_complement.then(|| view! { " " <span class="hint">{s::COMPLEMENT_HINT}</span> })}</label>
                                </div>
                            }).collect_view()}
                        </fieldset>
                        <div class="field"><label for="comment">{s::COMMENT}</label>
                            <textarea id="comment" name="comment" rows="3" maxlength="5000"></textarea></div>
                        <button class="button">{s::APPLY}</button>
                    </ActionForm>
                })}
                <details>
                    <summary>{s::ASSIGN}</summary>
                    <ActionForm action attr:class="form">
                        {hidden(d)}<input type="hidden" name="action" value="assign"/>
                        <div class="field"><label for="assign-agent">{s::F_AGENT}</label>
                            <select id="assign-agent" name="agent">{options(d.read_value().agents.clone(), String::new())}</select></div>
                        <button class="button button-secondary">{s::ASSIGN}</button>
                    </ActionForm>
                </details>
                <details>
                    <summary>{s::REDIRECT}</summary>
                    <ActionForm action attr:class="form">
                        {hidden(d)}<input type="hidden" name="action" value="redirect"/>
                        <div class="field"><label for="redirect-service">{s::F_SERVICE}</label>
                            <select id="redirect-service" name="service">{options(d.read_value().services.clone(), d.read_value().service_id.clone())}</select></div>
                        <div class="field"><label for="redirect-reason">{s::REASON}</label><input id="redirect-reason" name="reason" required/></div>
                        <button class="button button-secondary">{s::REDIRECT}</button>
                    </ActionForm>
                </details>
                <details>
                    <summary>{s::LINK}</summary>
                    <ActionForm action attr:class="form">
                        {hidden(d)}<input type="hidden" name="action" value="link"/>
                        <div class="field"><label for="link-other">{s::COL_REFERENCE}</label><input id="link-other" name="other" required/></div>
                        <button class="button button-secondary">{s::LINK}</button>
                    </ActionForm>
                </details>
            </section>
        })}
        <section aria-labelledby="reponses">
            <h2 id="reponses">{s::ANSWERS}</h2>
            <dl class="summary-list">
                {d.read_value().answers.clone().into_iter().map(|line| view! {
                    <dt>{line.label}</dt>
                    <dd>{line.value}
                        {(!line.files.is_empty()).then(move || view! {
                            <ul class="file-links">{line.files.into_iter().map(|(id, name)| view! { <li><a href=format!("/pieces/{id}") download="">{name}</a></li> }).collect_view()}</ul>
                        })}</dd>
                }).collect_view()}
            </dl>
            {(can_modify && !d.read_value().editable.is_empty()).then(move || view! {
                <details>
                    <summary>{s::EDIT_ANSWER}</summary>
                    <ErrorSummary error=edit_error/>
                    <ActionForm action=edit attr:class="form">
                        <input type="hidden" name="reference" value=d.read_value().reference.clone()/>
                        <input type="hidden" name="revision" value=d.read_value().revision.to_string()/>
                        <div class="field"><label for="edit-code">{s::QUESTION}</label>
                            <select id="edit-code" name="code">{options(d.read_value().editable.iter().map(|e| (e.code.clone(), format!("{} ({})", e.label, e.value))).collect(), String::new())}</select></div>
                        <div class="field"><label for="edit-value">{s::NEW_VALUE}</label><input id="edit-value" name="value"/></div>
                        <button class="button button-secondary">{s::SAVE}</button>
                    </ActionForm>
                </details>
            })}
        </section>
        <section aria-labelledby="pieces">
            <h2 id="pieces">{s::PIECES}</h2>
            {if d.read_value().pieces.is_empty() { view! { <p>{s::NO_PIECES}</p> }.into_any() } else { view! {
                <ul class="pieces">
                    {d.read_value().pieces.clone().into_iter().map(|p| {
                        let reference = d.read_value().reference.clone();
                        let wallet_types = d.read_value().wallet_types.clone();
                        // The selector shows the piece's real state (and keeps it if saved as is).
                        let states = ["pending", "valid", "refused"]
                            .map(|state| (state.to_owned(), s::review_label(state).to_owned()))
                            .to_vec();
                        view! {
                            <li data-testid="agent-piece">
                                <a href=format!("/pieces/{}", p.id) download="" class="file-name">{p.name.clone()}</a>
                                " – " <span class=format!("review review-{}", p.review)>{s::review_label(&p.review)}</span>
                                {p.refusal_reason.clone().map(|r| view! { " : " {r} })}
                                {p.replaces.clone().map(|(id, name)| view! {
                                    " " <a href=format!("/pieces/{id}") download="" class="hint file-name">{s::replaces(&name)}</a>
                                })}
                                {can_modify.then(move || view! {
                                    <ActionForm action attr:class="form form-inline">
                                        <input type="hidden" name="reference" value=reference.clone()/>
                                        <input type="hidden" name="action" value="piece"/>
                                        <input type="hidden" name="piece" value=p.id.clone()/>
                                        <label for=format!("review-{}", p.id)>{s::REVIEW}</label>
                                        <select id=format!("review-{}", p.id) name="review">
                                            {options(states, p.review.clone())}
                                        </select>
                                        <label for=format!("reason-{}", p.id)>{s::REASON}</label>
                                        <input id=format!("reason-{}", p.id) name="reason" value=p.refusal_reason.clone().unwrap_or_default()/>
                                        {(!wallet_types.is_empty()).then(|| view! {
                                            <input type="checkbox" id=format!("keep-{}", p.id) name="keep_in_wallet" value="oui"/>
                                            <label for=format!("keep-{}", p.id)>{crate::wallet::strings::KEEP_IN_WALLET}</label>
                                            <label for=format!("keep-type-{}", p.id) class="sr-only">{crate::wallet::strings::KEEP_AS}</label>
                                            <select id=format!("keep-type-{}", p.id) name="wallet_type">
                                                {options(wallet_types.clone(), String::new())}
                                            </select>
                                        })}
                                        <button class="button button-secondary">{s::SAVE}</button>
                                    </ActionForm>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any() }}
        </section>
        <section aria-labelledby="notes">
            <h2 id="notes">{s::NOTES}</h2>
            <ul class="notes" data-testid="agent-notes">
                {d.read_value().notes.clone().into_iter().map(|n| view! {
                    <li><span class="history-date">{n.at}</span> " " <strong>{n.author}</strong>
                        {n.on_behalf_of.map(|b| view! { " " {s::on_behalf(&b)} })}
                        " (" {s::visibility_label(&n.visibility)} ") : " <span class="pre-line">{n.body}</span></li>
                }).collect_view()}
            </ul>
            <ActionForm action attr:class="form">
                <input type="hidden" name="reference" value=d.read_value().reference.clone()/>
                <input type="hidden" name="action" value="note"/>
                <div class="field"><label for="note-body">{s::NEW_NOTE}</label><textarea id="note-body" name="body" rows="3" maxlength="5000"></textarea></div>
                <div class="field"><label for="note-visibility">{s::NOTE_FOR}</label>
                    <select id="note-visibility" name="visibility">
                        <option value="service">{s::visibility_label("service")}</option>
                        <option value="personal">{s::visibility_label("personal")}</option>
                        <option value="citizen">{s::visibility_label("citizen")}</option>
                    </select></div>
                <button class="button button-secondary">{s::ADD_NOTE}</button>
            </ActionForm>
        </section>
        <section aria-labelledby="messages">
            <h2 id="messages">{s::MESSAGES}</h2>
            <ol class="messages" data-testid="agent-messages">
                {d.read_value().messages.clone().into_iter().map(|m| view! {
                    <li class=if m.from_citizen { "message message-citizen" } else { "message message-agent" }>
                        <p class="message-meta"><strong>{m.author}</strong> " – " {m.at}</p>
                        <p class="pre-line">{m.body}</p>
                    </li>
                }).collect_view()}
            </ol>
            {can_modify.then(move || view! {
                <ActionForm action attr:class="form">
                    <input type="hidden" name="reference" value=d.read_value().reference.clone()/>
                    <input type="hidden" name="action" value="message"/>
                    <div class="field"><label for="message-body">{s::NEW_MESSAGE}</label><textarea id="message-body" name="body" rows="3" maxlength="5000"></textarea></div>
                    <button class="button button-secondary">{s::SEND}</button>
                </ActionForm>
            })}
        </section>
        {(!d.read_value().links.is_empty()).then(move || view! {
            <section aria-labelledby="liens">
                <h2 id="liens">{s::LINKED}</h2>
                <ul>{d.read_value().links.clone().into_iter().map(|(r, who)| view! { <li><a href=format!("/back-office/dossiers/{r}")>{r.clone()}</a> " – " {who}</li> }).collect_view()}</ul>
            </section>
        })}
        <section aria-labelledby="courriels">
            <h2 id="courriels">{crate::mail::strings::PAGE_TITLE}</h2>
            <MailTable mails=d.read_value().mails.clone() resend=None empty=crate::mail::strings::DOSSIER_NONE/>
        </section>
        <section aria-labelledby="historique">
            <h2 id="historique">{s::HISTORY}</h2>
            <ol class="history" data-testid="agent-history">
                {d.read_value().history.clone().into_iter().map(|h| view! {
                    <li><span class="history-date">{h.at}</span> " – " {h.who} {h.on_behalf_of.map(|b| view! { " " {s::on_behalf(&b)} })} " : " {h.what}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}
