//! The portal's démarche pages, enhanced in place.
//!
//! Citizens open these pages first, often on a phone: they are served without the Leptos
//! runtime (see `app::routes::is_lean_page`) and load this bundle instead, which enhances the
//! server-rendered HTML with the same Rust as the server — `apply_step` to read the form,
//! `assess` for conditional fields and checks — so what the page says matches what the server
//! will decide. Everything here is an enhancement: the plain forms work without it.
//!
//! - Step pages (`#brouillon-donnees` holds the draft): conditional fields shown and hidden as
//!   the citizen answers, the step checked before it is posted, autosave, uploads with progress.
//! - Dossier pages (`[data-events-url]`): the status follows the server-sent events.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use app::demarches::answers::assess;
use app::demarches::form_data::{
    Posted, answer_level_mut, apply_step, keep_control_id, keep_name, wallet_placeholders,
};
use app::demarches::model::{AnswerError, Answers, Definition, FileRef, RawAnswer};
use app::demarches::problems::{Problem, message_id, messages_at, name_problems};
use app::dossiers::model::{LiveStatus, step_problems};
use app::dossiers::strings as s;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, EventSource, FormData, HtmlElement, HtmlFormElement, HtmlInputElement,
    MessageEvent, ProgressEvent, SubmitEvent, XmlHttpRequest,
};

const AUTOSAVE_DELAY_MS: i32 = 1200;

/// What the step page embeds for this bundle.
#[derive(Deserialize)]
struct DraftData {
    key: String,
    step: usize,
    definition: Definition,
    /// The draft's answers when the page was rendered, plus files uploaded since.
    answers: Answers,
}

struct StepPage {
    document: Document,
    form: HtmlFormElement,
    data: DraftData,
    autosave_timer: Option<i32>,
}

type Shared = Rc<RefCell<StepPage>>;

#[wasm_bindgen(start)]
pub fn start() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    enhance_step(&document);
    follow_status(&document);
    // Tells the stylesheet (hidden conditional fields) and tests that the page is enhanced.
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

fn enhance_step(document: &Document) {
    let Some(data) = document
        .get_element_by_id("brouillon-donnees")
        .and_then(|e| e.text_content())
        .and_then(|json| serde_json::from_str::<DraftData>(&json).ok())
    else {
        return;
    };
    let Some(form) = document
        .query_selector("form.demarche-form")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let page: Shared = Rc::new(RefCell::new(StepPage {
        document: document.clone(),
        form: form.clone(),
        data,
        autosave_timer: None,
    }));
    refresh_visibility(&page.borrow());

    let on_change = {
        let page = page.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let file_input = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .filter(|input| input.type_() == "file");
            match file_input {
                Some(input) if event.type_() == "change" => upload_chosen(&page, &input),
                Some(_) => {}
                None => {
                    refresh_visibility(&page.borrow());
                    schedule_autosave(&page);
                }
            }
        })
    };
    let _ = form.add_event_listener_with_callback("input", on_change.as_ref().unchecked_ref());
    let _ = form.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    on_change.forget();

    let on_submit = {
        let page = page.clone();
        Closure::<dyn FnMut(SubmitEvent)>::new(move |event: SubmitEvent| {
            let action = event
                .submitter()
                .and_then(|b| b.get_attribute("value"))
                .unwrap_or_else(|| "next".to_owned());
            if action != "next" {
                return;
            }
            let page = page.borrow();
            let answers = current_answers(&page);
            let problems = match assess(&page.data.definition, &answers).result {
                Ok(_) => Vec::new(),
                Err(errors) => step_problems(&page.data.definition, page.data.step, &errors),
            };
            if !problems.is_empty() {
                event.prevent_default();
                show_problems(&page, &problems);
            }
        })
    };
    let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
    on_submit.forget();
}

/// The answers as the server would compute them if the form were posted now.
fn current_answers(page: &StepPage) -> Answers {
    let mut pairs = Vec::new();
    if let Ok(form_data) = FormData::new_with_form(&page.form)
        && let Ok(Some(entries)) = js_sys::try_iter(&form_data)
    {
        for entry in entries.flatten() {
            let entry = js_sys::Array::from(&entry);
            if let (Some(name), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string())
            {
                pairs.push((name, value));
            }
        }
    }
    let posted = Posted::new(pairs);
    // A wallet piece chosen instead of a file answers its field (the server copies it).
    let chosen = wallet_placeholders(&page.data.definition, &posted);
    apply_step(
        &page.data.definition,
        page.data.step,
        &page.data.answers,
        &posted,
        &chosen,
    )
}

fn refresh_visibility(page: &StepPage) {
    let hidden = assess(&page.data.definition, &current_answers(page)).hidden;
    let Ok(fields) = page.form.query_selector_all(".form-field[data-path]") else {
        return;
    };
    for index in 0..fields.length() {
        if let Some(field) = fields
            .item(index)
            .and_then(|n| n.dyn_into::<Element>().ok())
        {
            let path = field.get_attribute("data-path").unwrap_or_default();
            let value = if hidden.contains(&path) {
                "true"
            } else {
                "false"
            };
            let _ = field.set_attribute("data-hidden", value);
        }
    }
}

fn element(document: &Document, tag: &str, class: &str, text: &str) -> Option<Element> {
    let element = document.create_element(tag).ok()?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    Some(element)
}

/// The problems as the server shows them after a post: each message beside its field, and the
/// list above the form naming each field and linking to its control.
fn show_problems(page: &StepPage, errors: &[AnswerError]) {
    let problems = name_problems(&page.data.definition, errors);
    show_beside_fields(page, &problems);
    show_summary(page, &problems);
}

/// Fills the message block the server renders beside each field (hidden while empty) and
/// marks the control it describes; messages of an earlier check are cleared.
fn show_beside_fields(page: &StepPage, problems: &[Problem]) {
    let texts: BTreeMap<String, String> = problems
        .iter()
        .filter_map(|p| Some((message_id(&p.at), messages_at(problems, &p.at)?)))
        .collect();
    let Ok(described) = page.form.query_selector_all("[data-error-id]") else {
        return;
    };
    for index in 0..described.length() {
        let Some(control) = described
            .item(index)
            .and_then(|n| n.dyn_into::<Element>().ok())
        else {
            continue;
        };
        let Some(id) = control.get_attribute("data-error-id") else {
            continue;
        };
        let text = texts.get(&id);
        let _ = control.set_attribute(
            "aria-invalid",
            if text.is_some() { "true" } else { "false" },
        );
        let mut ids: Vec<String> = control
            .get_attribute("aria-describedby")
            .unwrap_or_default()
            .split_whitespace()
            .filter(|other| *other != id)
            .map(str::to_owned)
            .collect();
        if text.is_some() {
            ids.push(id.clone());
        }
        let _ = if ids.is_empty() {
            control.remove_attribute("aria-describedby")
        } else {
            control.set_attribute("aria-describedby", &ids.join(" "))
        };
        if let Some(block) = page.document.get_element_by_id(&id) {
            block.set_text_content(text.map(String::as_str));
            let _ = match text {
                Some(_) => block.remove_attribute("hidden"),
                None => block.set_attribute("hidden", ""),
            };
        }
    }
}

fn show_summary(page: &StepPage, problems: &[Problem]) {
    let document = &page.document;
    if let Some(old) = document.get_element_by_id("problemes") {
        old.remove();
    }
    let Some(summary) = element(document, "div", "alert alert-error", "") else {
        return;
    };
    let _ = summary.set_attribute("role", "alert");
    let _ = summary.set_attribute("tabindex", "-1");
    summary.set_id("problemes");
    if let Some(p) = element(document, "p", "", &s::problems_count(problems.len())) {
        let _ = summary.append_child(&p);
    }
    if let Some(list) = element(document, "ul", "", "") {
        for problem in problems {
            if let (Some(item), Some(link)) = (
                element(document, "li", "", ""),
                element(document, "a", "", &problem.summary()),
            ) {
                let _ = link.set_attribute("href", &format!("#{}", problem.target));
                let _ = item.append_child(&link);
                let _ = list.append_child(&item);
            }
        }
        let _ = summary.append_child(&list);
    }
    if let Some(parent) = page.form.parent_node() {
        let _ = parent.insert_before(&summary, Some(&page.form));
    }
    if let Ok(summary) = summary.dyn_into::<HtmlElement>() {
        let _ = summary.focus();
    }
}

fn set_status(page: &StepPage, text: &str) {
    if let Ok(Some(status)) = page.form.query_selector(".autosave-status") {
        status.set_text_content(Some(text));
    }
}

fn schedule_autosave(page: &Shared) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(timer) = page.borrow_mut().autosave_timer.take() {
        window.clear_timeout_with_handle(timer);
    }
    let saver = {
        let page = page.clone();
        Closure::once_into_js(move || autosave(&page))
    };
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            saver.unchecked_ref(),
            AUTOSAVE_DELAY_MS,
        )
        .ok();
    page.borrow_mut().autosave_timer = timer;
}

fn autosave(page: &Shared) {
    let (key, json) = {
        let page = page.borrow();
        let Ok(json) = serde_json::to_string(&current_answers(&page)) else {
            return;
        };
        (page.data.key.clone(), json)
    };
    let Ok(request) = XmlHttpRequest::new() else {
        return;
    };
    let body = format!(
        "key={}&answers={}",
        String::from(js_sys::encode_uri_component(&key)),
        String::from(js_sys::encode_uri_component(&json))
    );
    if request.open("POST", "/api/portal/autosave").is_err() {
        return;
    }
    let _ = request.set_request_header("content-type", "application/x-www-form-urlencoded");
    let _ = request.set_request_header("accept", "application/json");
    set_status(&page.borrow(), s::AUTOSAVE_SAVING);
    let done = {
        let page = page.clone();
        let request = request.clone();
        Closure::once_into_js(move || {
            let saved = request.status().unwrap_or(0) == 200;
            let text = if saved {
                s::AUTOSAVE_SAVED
            } else {
                s::AUTOSAVE_FAILED
            };
            set_status(&page.borrow(), text);
        })
    };
    request.set_onloadend(Some(done.unchecked_ref()));
    let _ = request.send_with_opt_str(Some(&body));
}

/// Sends each file chosen in `input` on its own, then attaches it to the answers and the page.
fn upload_chosen(page: &Shared, input: &HtmlInputElement) {
    let Some(field) = input.get_attribute("data-field") else {
        return;
    };
    let Some(files) = input.files() else {
        return;
    };
    for index in 0..files.length() {
        if let Some(file) = files.get(index) {
            upload(page, &field, &file);
        }
    }
    // Sent already: the form must not post the same files again.
    input.set_value("");
}

fn upload(page: &Shared, field: &str, file: &web_sys::File) {
    let key = page.borrow().data.key.clone();
    let (Ok(request), Ok(form)) = (XmlHttpRequest::new(), FormData::new()) else {
        return;
    };
    let name = file.name();
    if form
        .append_with_blob_and_filename(field, file, &name)
        .is_err()
        || request
            .open("POST", &format!("/api/brouillons/{key}/pieces"))
            .is_err()
    {
        return;
    }
    let _ = request.set_request_header("accept", "application/json");
    if let Ok(upload) = request.upload() {
        let page = page.clone();
        let name = name.clone();
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                let percent = (event.loaded() / event.total() * 100.0).round() as u32;
                set_status(&page.borrow(), &s::uploading(&name, percent));
            }
        });
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        progress.forget();
    }
    let done = {
        let page = page.clone();
        let request = request.clone();
        let field = field.to_owned();
        Closure::once_into_js(move || {
            let body = request.response_text().ok().flatten().unwrap_or_default();
            let stored = (request.status().unwrap_or(0) == 200)
                .then(|| serde_json::from_str::<FileRef>(&body).ok())
                .flatten();
            match stored {
                Some(file) => {
                    attach(&page, &field, file);
                    set_status(&page.borrow(), s::UPLOAD_DONE);
                }
                None => {
                    let message = serde_json::from_str::<app::error::AppError>(&body)
                        .map(|e| e.to_string())
                        .unwrap_or_else(|_| s::UPLOAD_FAILED.to_owned());
                    let page = page.borrow();
                    set_status(&page, &message);
                    show_problems(
                        &page,
                        &[AnswerError {
                            path: field.clone(),
                            message,
                        }],
                    );
                }
            }
        })
    };
    request.set_onloadend(Some(done.unchecked_ref()));
    let _ = request.send_with_opt_form_data(Some(&form));
}

/// Adds an uploaded file to the answers and to the field's list, ticked to be kept.
fn attach(page: &Shared, field: &str, file: FileRef) {
    {
        let mut page = page.borrow_mut();
        if let Some((level, code)) = answer_level_mut(&mut page.data.answers, field) {
            match level
                .entry(code.to_owned())
                .or_insert_with(|| RawAnswer::Files(Vec::new()))
            {
                RawAnswer::Files(files) => files.push(file.clone()),
                other => *other = RawAnswer::Files(vec![file.clone()]),
            }
        }
    }
    {
        let page = page.borrow();
        let document = &page.document;
        let list = page
            .form
            .query_selector(&format!(
                ".form-field[data-path=\"{field}\"] .attached-files"
            ))
            .ok()
            .flatten();
        let keep_name = keep_name(field);
        let keep_id = keep_control_id(field, &file.id);
        if let (Some(list), Some(item), Ok(checkbox), Some(label)) = (
            list,
            element(document, "li", "attached-file", ""),
            document.create_element("input"),
            element(
                document,
                "label",
                "",
                &format!(
                    "{} ({})",
                    file.name,
                    app::demarches::strings::human_size(file.size)
                ),
            ),
        ) {
            let _ = checkbox.set_attribute("type", "checkbox");
            let _ = checkbox.set_attribute("name", &keep_name);
            let _ = checkbox.set_attribute("value", &file.id);
            let _ = checkbox.set_attribute("checked", "");
            checkbox.set_id(&keep_id);
            let _ = label.set_attribute("for", &keep_id);
            let _ = item.append_child(&checkbox);
            let _ = item.append_child(&label);
            let _ = list.append_child(&item);
        }
    }
    refresh_visibility(&page.borrow());
    schedule_autosave(page);
}

/// Keeps a dossier page's status in step with the server's events.
fn follow_status(document: &Document) {
    let Some(holder) = document.query_selector("[data-events-url]").ok().flatten() else {
        return;
    };
    let Some(url) = holder.get_attribute("data-events-url") else {
        return;
    };
    let Ok(source) = EventSource::new(&url) else {
        return;
    };
    let on_status = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(live) = event
            .data()
            .as_string()
            .and_then(|data| serde_json::from_str::<LiveStatus>(&data).ok())
        else {
            return;
        };
        if let Ok(Some(badge)) = holder.query_selector("[data-status]") {
            let code = live.status.as_str();
            badge.set_text_content(Some(&live.label));
            let _ = badge.set_attribute("data-status", code);
            badge.set_class_name(&format!("status status-{code}"));
        }
    });
    let _ = source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
    on_status.forget();
}
