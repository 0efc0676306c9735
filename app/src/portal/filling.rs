//! Filling a démarche: one page per step, then a summary to submit.
//!
//! The step page is a plain multipart form posted to `/brouillons/{key}` (files included), so
//! it works before and without WASM; the server keeps the answers and any problems on the
//! draft and redirects. Once hydrated, the page checks the step with the server's own code
//! before posting, shows conditional fields live, saves the draft as the citizen types and
//! uploads files as soon as they are chosen, with progress.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::demarches::answers::assess;
use crate::demarches::form::StepFields;
use crate::demarches::model::{AnswerError, Definition};
use crate::dossiers::api::{DraftLoad, load_draft};
use crate::dossiers::model::{DraftPage, step_problems};
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

/// The list of problems at the top of a step, each linking to its control.
fn problem_summary(problems: Signal<Vec<AnswerError>>) -> impl IntoView {
    move || {
        let problems = problems.get();
        (!problems.is_empty()).then(|| {
            view! {
                <div class="alert alert-error" role="alert" tabindex="-1" id="problemes">
                    <p>{s::problems_count(problems.len())}</p>
                    <ul>
                        {problems.into_iter().map(|p| view! {
                            <li><a href=format!("#{}", crate::demarches::form_data::control_id(&p.path))>{p.message}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
    }
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
    let autosave_status = RwSignal::new(String::new());
    let key = page.key.clone();
    #[cfg(feature = "hydrate")]
    enhance::autosave(key.clone(), answers, autosave_status);
    let on_submit = {
        let definition = definition.clone();
        move |ev: leptos::ev::SubmitEvent| {
            let action = enhance::submitter_value(&ev);
            if action.as_deref().unwrap_or("next") != "next" {
                return;
            }
            let found = match assess(&definition, &answers.get_untracked()).result {
                Ok(_) => Vec::new(),
                Err(errors) => step_problems(&definition, step, &errors),
            };
            if !found.is_empty() {
                ev.prevent_default();
                problems.set(found);
                enhance::focus("problemes");
            }
        }
    };
    let on_change = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            enhance::upload_chosen_files(&ev, &key, answers, problems, autosave_status)
        }
    };
    let is_last = step + 1 >= total;
    view! {
        <Title text=format!("{} – {}", title, page.title)/>
        <p class="breadcrumb"><A href=format!("/demarches/{}", page.demarche_id)>{page.title.clone()}</A></p>
        <h1>{title}</h1>
        <p class="step-progress">
            <span>{s::step_progress(step + 1, total)}</span>
            <progress max=total.to_string() value=(step + 1).to_string()></progress>
        </p>
        {page.anonymous.then(|| view! { <p class="alert alert-info">{s::ANONYMOUS_DRAFT_NOTE}</p> })}
        {problem_summary(problems.into())}
        <p class="hint">{s::REQUIRED_NOTE}</p>
        <form class="form demarche-form" method="post" enctype="multipart/form-data" novalidate=true
            action=format!("/brouillons/{key}") on:submit=on_submit on:change=on_change>
            <input type="hidden" name="step" value=step.to_string()/>
            <StepFields definition=definition.clone() step answers errors=problems.into()/>
            <p class="autosave-status" role="status" aria-live="polite">{move || autosave_status.get()}</p>
            <div class="form-actions">
                {(step > 0).then(|| view! {
                    <button type="submit" name="_action" value="previous" class="button button-secondary">{s::PREVIOUS}</button>
                })}
                <button type="submit" name="_action" value="save" class="button button-secondary">{s::SAVE}</button>
                <button type="submit" class="button" name="_action" value="next">{if is_last { s::TO_SUMMARY } else { s::NEXT }}</button>
            </div>
        </form>
        <form method="post" action="/api/portal/discard" class="discard-form">
            <input type="hidden" name="key" value=key.clone()/>
            <button type="submit" class="link-button">{s::DISCARD}</button>
        </form>
    }
}

#[component]
pub fn SummaryPage() -> impl IntoView {
    let key = key_param();
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
                        let steps = page.definition.steps.clone();
                        let key = page.key.clone();
                        view! {
                            <p class="breadcrumb"><A href=format!("/demarches/{}", page.demarche_id)>{page.title.clone()}</A></p>
                            <h1>{s::SUMMARY_TITLE}</h1>
                            <p>{s::SUMMARY_INTRO}</p>
                            {problem_summary(Signal::stored(problems.clone()))}
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

/// What only runs in the browser. The server build gets inert twins, so the components above
/// read the same on both sides.
mod enhance {
    #[cfg(feature = "hydrate")]
    pub use super::client::*;

    #[cfg(not(feature = "hydrate"))]
    mod inert {
        use leptos::prelude::*;

        use crate::demarches::model::{AnswerError, Answers};

        pub fn submitter_value(_: &leptos::ev::SubmitEvent) -> Option<String> {
            None
        }
        pub fn focus(_: &str) {}
        pub fn upload_chosen_files(
            _: &leptos::ev::Event,
            _: &str,
            _: RwSignal<Answers>,
            _: RwSignal<Vec<AnswerError>>,
            _: RwSignal<String>,
        ) {
        }
    }
    #[cfg(not(feature = "hydrate"))]
    pub use inert::*;
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use leptos::web_sys;

    use crate::demarches::model::{AnswerError, Answers, FileRef, RawAnswer};
    use crate::dossiers::strings as s;
    use crate::error::AppError;

    pub fn submitter_value(ev: &leptos::ev::SubmitEvent) -> Option<String> {
        ev.submitter()?.get_attribute("value")
    }

    pub fn focus(id: &str) {
        let id = id.to_owned();
        request_animation_frame(move || {
            if let Some(element) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        });
    }

    /// Saves the answers a moment after the citizen stops typing.
    pub fn autosave(key: String, answers: RwSignal<Answers>, status: RwSignal<String>) {
        let generation = StoredValue::new(0u64);
        let first = StoredValue::new(true);
        Effect::new(move |_| {
            let snapshot = answers.get();
            if first.get_value() {
                first.set_value(false);
                return;
            }
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            let key = key.clone();
            set_timeout(
                move || {
                    if generation.get_value() != mine {
                        return;
                    }
                    let Ok(json) = serde_json::to_string(&snapshot) else {
                        return;
                    };
                    status.set(s::AUTOSAVE_SAVING.to_owned());
                    leptos::task::spawn_local(async move {
                        match crate::dossiers::api::autosave(key, json).await {
                            Ok(()) => status.set(s::AUTOSAVE_SAVED.to_owned()),
                            Err(_) => status.set(s::AUTOSAVE_FAILED.to_owned()),
                        }
                    });
                },
                std::time::Duration::from_millis(1200),
            );
        });
    }

    /// A file input changed: upload each chosen file, then attach it to the answers.
    pub fn upload_chosen_files(
        ev: &leptos::ev::Event,
        key: &str,
        answers: RwSignal<Answers>,
        problems: RwSignal<Vec<AnswerError>>,
        status: RwSignal<String>,
    ) {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if input.type_() != "file" {
            return;
        }
        let Some(field) = input.get_attribute("data-field") else {
            return;
        };
        let Some(files) = input.files() else {
            return;
        };
        for index in 0..files.length() {
            if let Some(file) = files.get(index) {
                send(key, &field, file, answers, problems, status);
            }
        }
        // The files now travel on their own; the form must not post them a second time.
        input.set_value("");
    }

    fn send(
        key: &str,
        field: &str,
        file: web_sys::File,
        answers: RwSignal<Answers>,
        problems: RwSignal<Vec<AnswerError>>,
        status: RwSignal<String>,
    ) {
        let (Ok(request), Ok(form)) = (web_sys::XmlHttpRequest::new(), web_sys::FormData::new())
        else {
            return;
        };
        let name = file.name();
        if form
            .append_with_blob_and_filename(field, &file, &name)
            .is_err()
            || request
                .open("POST", &format!("/api/brouillons/{key}/pieces"))
                .is_err()
        {
            return;
        }
        if let Ok(upload) = request.upload() {
            let name = name.clone();
            let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |ev: web_sys::ProgressEvent| {
                    if ev.length_computable() && ev.total() > 0.0 {
                        let percent = (ev.loaded() / ev.total() * 100.0).round() as u32;
                        status.set(s::uploading(&name, percent));
                    }
                },
            );
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
            progress.forget();
        }
        let field = field.to_owned();
        let done_request = request.clone();
        let done = Closure::<dyn FnMut()>::new(move || {
            let body = done_request
                .response_text()
                .ok()
                .flatten()
                .unwrap_or_default();
            let ok = done_request.status().unwrap_or(0) == 200;
            problems
                .update(|p| p.retain(|e| !crate::demarches::answers::path_within(&e.path, &field)));
            if ok {
                if let Ok(file) = serde_json::from_str::<FileRef>(&body) {
                    answers.update(|a| {
                        match a
                            .0
                            .entry(field.clone())
                            .or_insert_with(|| RawAnswer::Files(Vec::new()))
                        {
                            RawAnswer::Files(files) => files.push(file),
                            other => *other = RawAnswer::Files(vec![file]),
                        }
                    });
                    status.set(s::UPLOAD_DONE.to_owned());
                }
            } else {
                let message = serde_json::from_str::<AppError>(&body)
                    .map(|e| e.to_string())
                    .unwrap_or_else(|_| s::UPLOAD_FAILED.to_owned());
                problems.update(|p| {
                    p.push(AnswerError {
                        path: field.clone(),
                        message: message.clone(),
                    })
                });
                status.set(message);
            }
        });
        request.set_onloadend(Some(done.as_ref().unchecked_ref()));
        done.forget();
        let _ = request.send_with_opt_form_data(Some(&form));
    }
}
