//! Filling a démarche: one page per step, then a summary to submit.
//!
//! The step page is a plain multipart form posted to `/brouillons/{key}` (files included), so
//! it works before and without WASM; the server keeps the answers and any problems on the
//! draft and redirects. These pages are served without the Leptos runtime (see
//! `crate::routes::is_lean_page`): the small `guichet-enhance` bundle reads the draft embedded
//! in `#brouillon-donnees` and, with the server's own code, shows conditional fields live,
//! checks the step before posting, saves the draft as the citizen types and uploads files as
//! soon as they are chosen, with progress.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::demarches::answers::{assess, path_within};
use crate::demarches::form::StepFields;
use crate::demarches::model::{AnswerError, Definition};
use crate::demarches::problems::{Problem, name_problems};
use crate::dossiers::api::{DraftLoad, load_draft};
use crate::dossiers::model::{DraftPage, RecordUpdate, StepData, step_problems};
use crate::dossiers::strings as s;

fn key_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("key").unwrap_or_default())
}

/// Sends the browser to a draft's dossier once it is submitted.
fn submitted_redirect(url: String) -> AnyView {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&url);
    view! { <p><a href=url>{s::SUBMITTED_NOTICE}</a></p> }.into_any()
}

#[component]
pub fn StepPage() -> impl IntoView {
    let key = key_param();
    let query = use_query_map();
    let draft = Resource::new_blocking(
        move || (key(), false),
        |(key, summary)| load_draft(key, summary),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match draft.await {
                    Ok(DraftLoad::Open(page)) => {
                        let requested = query.with_untracked(|q| q.get("etape")).and_then(|n| n.parse::<usize>().ok());
                        let last = page.definition.steps.len().saturating_sub(1);
                        let step = requested.map_or(page.step, |n| n.saturating_sub(1)).min(last);
                        view! { <StepForm page step/> }.into_any()
                    }
                    Ok(DraftLoad::Submitted(url)) => submitted_redirect(url),
                    Ok(DraftLoad::Summary(..)) => ().into_any(),
                    Err(error) => view! {
                        <h1>{s::CATALOGUE_TITLE}</h1>
                        <p class="alert alert-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The list of problems at the top of a page, each naming its field and linking to its
/// control (`link` makes the address from the problem). The enhance bundle draws the same
/// list from the same [`name_problems`] when it checks a step in the page.
fn problem_summary(
    definition: Arc<Definition>,
    problems: Signal<Vec<AnswerError>>,
    link: impl Fn(&Problem) -> String + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let problems = problems.with(|errors| name_problems(&definition, errors));
        (!problems.is_empty()).then(|| {
            view! {
                <div class="alert alert-error" role="alert" tabindex="-1" id="problemes">
                    <p>{s::problems_count(problems.len())}</p>
                    <ul>
                        {problems.into_iter().map(|p| view! {
                            <li><a href=link(&p)>{p.summary()}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// The number (from 1) of the step holding the field a problem is about.
fn step_number_of(definition: &Definition, problem: &Problem) -> usize {
    definition
        .steps
        .iter()
        .position(|step| {
            step.fields
                .iter()
                .any(|f| path_within(&problem.path, &f.code))
        })
        .unwrap_or(0)
        + 1
}

#[component]
fn StepForm(page: DraftPage, step: usize) -> impl IntoView {
    let definition: Arc<Definition> = Arc::new(page.definition.clone());
    let total = definition.steps.len();
    let title = definition
        .steps
        .get(step)
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let answers = RwSignal::new(page.answers.clone());
    let problems = RwSignal::new(step_problems(&definition, step, &page.problems));
    let key = page.key.clone();
    let embedded = StepData {
        key: key.clone(),
        step,
        definition: page.definition.clone(),
        answers: page.answers.clone(),
    }
    .to_script_json();
    let is_last = step + 1 >= total;
    view! {
        <Title text=format!("{} – {}", title, page.title)/>
        <p class="breadcrumb"><A href=format!("/demarches/{}", page.demarche_id)>{page.title.clone()}</A></p>
        <h1>{title}</h1>
        <p class="step-progress">
            <span>{s::step_progress(step + 1, total)}</span>
            <progress max=total.to_string() value=(step + 1).to_string()></progress>
        </p>
        {page.beneficiary.clone().map(|name| view! { <p class="on-behalf" id="pour-le-compte-de">{s::on_behalf_of(&name)}</p> })}
        {page.anonymous.then(|| view! { <p class="alert alert-info">{s::ANONYMOUS_DRAFT_NOTE}</p> })}
        {problem_summary(definition.clone(), problems.into(), |p| format!("#{}", p.target))}
        <p class="hint">{s::REQUIRED_NOTE}</p>
        <form class="form demarche-form" method="post" enctype="multipart/form-data" novalidate=true
            action=format!("/brouillons/{key}")>
            <input type="hidden" name="step" value=step.to_string()/>
            <StepFields definition=definition.clone() step answers errors=problems.into() locks=page.locks.clone() wallet=page.wallet.clone()/>
            <p class="autosave-status" role="status" aria-live="polite"></p>
            <div class="form-actions">
                {(step > 0).then(|| view! {
                    <button type="submit" name="_action" value="previous" class="button button-secondary">{s::PREVIOUS}</button>
                })}
                <button type="submit" name="_action" value="save" class="button button-secondary">{s::SAVE}</button>
                <button type="submit" class="button" name="_action" value="next">{if is_last { s::TO_SUMMARY } else { s::NEXT }}</button>
            </div>
        </form>
        <script type="application/json" id="brouillon-donnees" inner_html=embedded></script>
        <form method="post" action="/api/portal/discard" class="discard-form">
            <input type="hidden" name="key" value=key.clone()/>
            <button type="submit" class="link-button">{s::DISCARD}</button>
        </form>
    }
}

#[component]
pub fn SummaryPage() -> impl IntoView {
    let key = key_param();
    let query = use_query_map();
    let record_updated = move || query.with_untracked(|q| q.get("fiche").is_some());
    let draft = Resource::new_blocking(
        move || (key(), true),
        |(key, summary)| load_draft(key, summary),
    );
    view! {
        <Title text=s::SUMMARY_TITLE/>
        <Suspense>
            {move || Suspend::new(async move {
                match draft.await {
                    Ok(DraftLoad::Summary(page, lines)) => {
                        let assessment = assess(&page.definition, &page.answers);
                        let problems = assessment.result.err().unwrap_or_default();
                        let definition = Arc::new(page.definition.clone());
                        let edit_key = page.key.clone();
                        let for_links = definition.clone();
                        let link = move |p: &Problem| {
                            format!("/brouillons/{edit_key}?etape={}#{}", step_number_of(&for_links, p), p.target)
                        };
                        let steps = page.definition.steps.clone();
                        let key = page.key.clone();
                        let updates = record_update_form(&page.key, &page.record_updates);
                        view! {
                            <p class="breadcrumb"><A href=format!("/demarches/{}", page.demarche_id)>{page.title.clone()}</A></p>
                            <h1>{s::SUMMARY_TITLE}</h1>
                            {page.beneficiary.clone().map(|name| view! { <p class="on-behalf" id="pour-le-compte-de">{s::on_behalf_of(&name)}</p> })}
                            {record_updated().then(|| view! { <p class="alert alert-success" role="status" id="fiche-mise-a-jour">{s::RECORD_UPDATED}</p> })}
                            <p>{s::SUMMARY_INTRO}</p>
                            {problem_summary(definition, Signal::stored(problems.clone()), link)}
                            {steps.into_iter().enumerate().filter(|(_, step)| !assessment.hidden.contains(&step.code)).map(|(index, step)| {
                                let step_lines: Vec<_> = lines.iter().filter(|l| l.step == step.title).cloned().collect();
                                let edit = format!("/brouillons/{key}?etape={}", index + 1);
                                view! {
                                    <section class="summary-step">
                                        <h2>{step.title.clone()}</h2>
                                        {if step_lines.is_empty() {
                                            view! { <p>{s::NO_ANSWER}</p> }.into_any()
                                        } else {
                                            view! {
                                                <dl class="summary-list">
                                                    {step_lines.into_iter().map(|line| view! {
                                                        <dt>{line.label}</dt>
                                                        <dd>{line.value}</dd>
                                                    }).collect_view()}
                                                </dl>
                                            }.into_any()
                                        }}
                                        <p><a href=edit>{s::EDIT_STEP} " " <span class="sr-only">{step.title.clone()}</span></a></p>
                                    </section>
                                }
                            }).collect_view()}
                            {updates}
                            <form method="post" action="/api/portal/submit">
                                <input type="hidden" name="key" value=key.clone()/>
                                <button type="submit" class="button" disabled=!problems.is_empty()>{s::SUBMIT}</button>
                            </form>
                        }.into_any()
                    }
                    Ok(DraftLoad::Submitted(url)) => submitted_redirect(url),
                    Ok(DraftLoad::Open(_)) => ().into_any(),
                    Err(error) => view! {
                        <p class="alert alert-error" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Mettre à jour votre fiche avec : …": the answers that differ from the citizen's record,
/// each to tick, and a button; nothing is written unless they ask.
fn record_update_form(key: &str, updates: &[RecordUpdate]) -> Option<AnyView> {
    if updates.is_empty() {
        return None;
    }
    let boxes = updates
        .iter()
        .map(|update| {
            let name = match update.code.as_str() {
                "address" => "adresse",
                "phone" => "telephone",
                _ => "courriel",
            };
            let id = format!("fiche-{name}");
            view! {
                <div class="choice">
                    <input type="checkbox" name=name id=id.clone() value="1"/>
                    <label for=id>{format!("{} : {}", update.label, update.value)}</label>
                </div>
            }
        })
        .collect_view();
    Some(
        view! {
            <section class="record-update" aria-labelledby="fiche-titre">
                <h2 id="fiche-titre">{s::RECORD_UPDATE_TITLE}</h2>
                <form method="post" action="/api/portal/update_record">
                    <input type="hidden" name="key" value=key.to_owned()/>
                    <fieldset class="field">
                        <legend>{s::RECORD_UPDATE_INTRO}</legend>
                        {boxes}
                    </fieldset>
                    <button type="submit" class="button button-secondary">{s::RECORD_UPDATE_BUTTON}</button>
                </form>
            </section>
        }
        .into_any(),
    )
}
