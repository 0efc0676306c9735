//! `/back-office/demarches/:id/instruction`: a form-based editor of the démarche's
//! instruction document (statuses, transitions and their actions, routing, deadlines).
//!
//! The whole document lives in one `RwSignal<Instruction>`; each list re-renders only when
//! its length changes (a `Memo`), its inputs being bound by index, so typing never rebuilds
//! the input being typed in. Saving sends the document; problems come back with the path of
//! their element (`transitions[0].to`), shown next to it and, linked, in a summary.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::api::{InstructionPage as PageData, load_instruction, save_instruction};
use super::model::{
    Action, Instruction, InstructionProblem, RoutingRule, Silence, StatusDef, Transition,
};
use super::strings as s;

type Getter = Arc<dyn Fn(&Instruction) -> Option<String> + Send + Sync>;
type Setter = Arc<dyn Fn(&mut Instruction, String) + Send + Sync>;

/// The element id of a document path: `transitions[0].to` → `i-transitions-0-to`.
fn dom_id(path: &str) -> String {
    let mut out = String::from("i-");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Where the summary's link for a problem leads: its element, or the one that holds it.
fn anchor(path: &str) -> String {
    if path.starts_with("routing.copies") {
        return dom_id("routing.copies");
    }
    dom_id(path.strip_suffix(".id").unwrap_or(path))
}

/// Everything the editor's parts share; all `Copy` handles.
#[derive(Clone, Copy)]
struct Ed {
    doc: RwSignal<Instruction>,
    problems: RwSignal<Vec<InstructionProblem>>,
    services: StoredValue<Vec<(String, String)>>,
    fields: StoredValue<Vec<(String, String)>>,
    in_use: StoredValue<Vec<String>>,
    /// `(code, name)` of the statuses, for pickers.
    statuses: Memo<Vec<(String, String)>>,
}

impl Ed {
    fn messages(&self, matches: impl Fn(&str) -> bool) -> Vec<String> {
        self.problems.with(|ps| {
            ps.iter()
                .filter(|p| matches(&p.path))
                .map(|p| p.message.clone())
                .collect()
        })
    }
}

/// The messages of the problems on exactly `path`.
fn problem_at(ed: Ed, path: String) -> impl IntoView {
    let id = format!("{}-erreur", dom_id(&path));
    move || {
        let messages = ed.messages(|p| p == path);
        (!messages.is_empty()).then(|| {
            view! { <p class="error-message" id=id.clone()>{messages.join(" ")}</p> }
        })
    }
}

/// The messages of the problems on `prefix` or anything under it (`routing.copies[2]`).
fn problems_under(ed: Ed, prefix: &'static str) -> impl IntoView {
    let id = format!("{}-erreur", dom_id(prefix));
    move || {
        let messages = ed.messages(|p| p == prefix || p.starts_with(&format!("{prefix}[")));
        (!messages.is_empty()).then(|| {
            view! { <p class="error-message" id=id.clone()>{messages.join(" ")}</p> }
        })
    }
}

fn invalid(ed: Ed, path: &str) -> impl Fn() -> bool + Send + Sync + Clone + 'static + use<> {
    let path = path.to_owned();
    move || ed.problems.with(|ps| ps.iter().any(|p| p.path == path))
}

fn described_by(ed: Ed, path: &str) -> impl Fn() -> Option<String> + Send + Sync + 'static + use<> {
    let is_invalid = invalid(ed, path);
    let id = format!("{}-erreur", dom_id(path));
    move || is_invalid().then(|| id.clone())
}

/// A labelled text (or number) input bound to one string of the document.
fn text_input(
    ed: Ed,
    path: String,
    label: String,
    kind: &'static str,
    get: Getter,
    set: Setter,
) -> impl IntoView {
    let id = dom_id(&path);
    let is_invalid = invalid(ed, &path);
    let aria = is_invalid.clone();
    let describe = described_by(ed, &path);
    let problem = problem_at(ed, path);
    view! {
        <div class="field" class:field-invalid=is_invalid>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                type=kind
                prop:value=move || ed.doc.with(|d| get(d).unwrap_or_default())
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    ed.doc.update(|d| set(d, value));
                }
                aria-invalid=move || if aria() { "true" } else { "false" }
                aria-describedby=describe
            />
            {problem}
        </div>
    }
}

/// A labelled select bound to one string of the document; `empty`: a first "none" choice.
/// A current value that is not among the options is kept, marked unknown.
fn select_input(
    ed: Ed,
    path: String,
    label: String,
    options: Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync>,
    empty: Option<&'static str>,
    get: Getter,
    set: Setter,
) -> impl IntoView {
    let id = dom_id(&path);
    let is_invalid = invalid(ed, &path);
    let aria = is_invalid.clone();
    let describe = described_by(ed, &path);
    let problem = problem_at(ed, path);
    let current = {
        let get = get.clone();
        move || ed.doc.with(|d| get(d).unwrap_or_default())
    };
    let render = move || {
        let current = current();
        let mut list = options();
        if !current.is_empty() && !list.iter().any(|(v, _)| *v == current) {
            list.push((current.clone(), s::unknown_option(&current)));
        }
        let first = empty.map(|text| {
            let selected = current.is_empty();
            view! { <option value="" selected=selected>{text}</option> }
        });
        view! {
            {first}
            {list
                .into_iter()
                .map(|(value, text)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{text}</option> }
                })
                .collect_view()}
        }
    };
    view! {
        <div class="field" class:field-invalid=is_invalid>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    ed.doc.update(|d| set(d, value));
                }
                aria-invalid=move || if aria() { "true" } else { "false" }
                aria-describedby=describe
            >
                {render}
            </select>
            {problem}
        </div>
    }
}

fn days(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

fn status_options(ed: Ed) -> Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync> {
    Arc::new(move || {
        ed.statuses
            .get()
            .into_iter()
            .map(|(code, name)| {
                let text = if name.trim().is_empty() {
                    code.clone()
                } else {
                    format!("{name} ({code})")
                };
                (code, text)
            })
            .collect()
    })
}

fn service_options(ed: Ed) -> Arc<dyn Fn() -> Vec<(String, String)> + Send + Sync> {
    Arc::new(move || ed.services.get_value())
}

#[component]
pub fn InstructionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Loaded in the browser only, like the démarche designer: the editor needs JavaScript.
    let page = LocalResource::new(move || load_instruction(id()));
    view! {
        <Title text=s::PAGE_TITLE/>
        <p><A href="/back-office/demarches">{s::BACK}</A></p>
        {move || match page.get() {
            None => view! {
                <h1>{s::PAGE_TITLE}</h1>
                <p role="status">{s::LOADING}</p>
                <noscript><p>{s::NEEDS_JS}</p></noscript>
            }
            .into_any(),
            Some(Ok(data)) => view! { <Editor data demarche=id()/> }.into_any(),
            Some(Err(error)) => view! {
                <h1>{s::PAGE_TITLE}</h1>
                <p class="alert alert-error" role="alert">{error.to_string()}</p>
            }
            .into_any(),
        }}
    }
}

#[component]
fn Editor(data: PageData, demarche: String) -> impl IntoView {
    let PageData {
        title,
        instruction,
        services,
        fields,
        statuses_in_use,
    } = data;
    let doc = RwSignal::new(instruction);
    let ed = Ed {
        doc,
        problems: RwSignal::new(Vec::new()),
        services: StoredValue::new(services),
        fields: StoredValue::new(fields),
        in_use: StoredValue::new(statuses_in_use),
        statuses: Memo::new(move |_| {
            doc.with(|d| {
                d.workflow
                    .statuses
                    .iter()
                    .map(|s| (s.code.clone(), s.name.clone()))
                    .collect()
            })
        }),
    };
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let demarche = StoredValue::new(demarche);
    // Any change after a save hides the "saved" notice.
    Effect::new(move |_| {
        doc.track();
        saved.set(false);
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(json) = doc.with_untracked(serde_json::to_string) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = save_instruction(demarche.get_value(), json).await;
            busy.set(false);
            match result {
                Ok(problems) => {
                    saved.set(problems.is_empty());
                    ed.problems.set(problems);
                }
                Err(error) => ed.problems.set(vec![InstructionProblem {
                    path: "document".into(),
                    message: error.to_string(),
                }]),
            }
        });
    };
    view! {
        <h1>{s::heading(&title)}</h1>
        <p class="lead">{s::INTRO}</p>
        <Summary ed/>
        <form class="form instruction" on:submit=save novalidate=true>
            <Statuses ed/>
            <Transitions ed/>
            <RoutingPart ed/>
            <DeadlinesPart ed/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || busy.get()>
                    {move || if busy.get() { s::SAVING } else { s::SAVE }}
                </button>
            </div>
            {move || saved.get().then(|| view! { <div class="alert alert-success" role="status"><p>{s::SAVED}</p></div> })}
        </form>
    }
}

/// All problems, each linked to its element.
#[component]
fn Summary(ed: Ed) -> impl IntoView {
    move || {
        let problems = ed.problems.get();
        (!problems.is_empty()).then(|| {
            view! {
                <div class="alert alert-error" role="alert" tabindex="-1">
                    <p>{s::NOT_SAVED}</p>
                    <ul>
                        {problems
                            .into_iter()
                            .map(|p| view! { <li><a href=format!("#{}", anchor(&p.path))>{p.message}</a></li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

// --- Statuses --------------------------------------------------------------------------------

fn status_get(i: usize, pick: fn(&StatusDef) -> String) -> Getter {
    Arc::new(move |d| d.workflow.statuses.get(i).map(pick))
}

fn status_set(i: usize, put: fn(&mut StatusDef, String)) -> Setter {
    Arc::new(move |d, v| {
        if let Some(st) = d.workflow.statuses.get_mut(i) {
            put(st, v)
        }
    })
}

#[component]
fn Statuses(ed: Ed) -> impl IntoView {
    let count = Memo::new(move |_| ed.doc.with(|d| d.workflow.statuses.len()));
    let add = move |_| {
        ed.doc.update(|d| {
            let n = d.workflow.statuses.len() + 1;
            d.workflow.statuses.push(StatusDef {
                code: format!("statut_{n}"),
                name: String::new(),
                label: String::new(),
                colour: "#3a3a3a".into(),
                terminal: false,
            })
        })
    };
    view! {
        <section aria-labelledby="statuts" id=dom_id("statuses")>
            <h2 id="statuts">{s::STATUSES_TITLE}</h2>
            {problem_at(ed, "statuses".into())}
            {move || (0..count.get()).map(|i| view! { <StatusRow ed i/> }).collect_view()}
            <button type="button" class="button button-secondary" on:click=add>{s::ADD_STATUS}</button>
            {select_input(
                ed,
                "initial".into(),
                s::INITIAL.into(),
                status_options(ed),
                None,
                Arc::new(|d| Some(d.workflow.initial.clone())),
                Arc::new(|d, v| d.workflow.initial = v),
            )}
        </section>
    }
}

#[component]
fn StatusRow(ed: Ed, i: usize) -> impl IntoView {
    let n = i + 1;
    let in_use = move || {
        ed.doc.with(|d| {
            d.workflow
                .statuses
                .get(i)
                .is_some_and(|st| ed.in_use.with_value(|u| u.contains(&st.code)))
        })
    };
    let swap = move |other: Option<usize>| {
        ed.doc.update(|d| {
            if let Some(j) = other
                && j < d.workflow.statuses.len()
            {
                d.workflow.statuses.swap(i, j);
            }
        })
    };
    let remove = move |_| {
        ed.doc.update(|d| {
            if i < d.workflow.statuses.len() {
                d.workflow.statuses.remove(i);
            }
        })
    };
    let terminal_id = dom_id(&format!("statuses[{i}].terminal"));
    view! {
        <fieldset class="instruction-row" id=dom_id(&format!("statuses[{i}]"))>
            <legend>{s::status_legend(n)}</legend>
            {text_input(ed, format!("statuses[{i}].code"), s::COL_CODE.into(), "text",
                status_get(i, |st| st.code.clone()), status_set(i, |st, v| st.code = v.trim().to_owned()))}
            {text_input(ed, format!("statuses[{i}].name"), s::COL_NAME.into(), "text",
                status_get(i, |st| st.name.clone()), status_set(i, |st, v| st.name = v))}
            {text_input(ed, format!("statuses[{i}].label"), s::COL_LABEL.into(), "text",
                status_get(i, |st| st.label.clone()), status_set(i, |st, v| st.label = v))}
            {text_input(ed, format!("statuses[{i}].colour"), s::COL_COLOUR.into(), "color",
                status_get(i, |st| st.colour.clone()), status_set(i, |st, v| st.colour = v))}
            <div class="choice">
                <input type="checkbox" id=terminal_id.clone()
                    prop:checked=move || ed.doc.with(|d| d.workflow.statuses.get(i).is_some_and(|st| st.terminal))
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        ed.doc.update(|d| if let Some(st) = d.workflow.statuses.get_mut(i) { st.terminal = checked });
                    }/>
                <label for=terminal_id>{s::COL_TERMINAL}</label>
            </div>
            <div class="designer-row-actions">
                <button type="button" aria-label=s::status_row_label(n, s::MOVE_UP)
                    disabled=i == 0 on:click=move |_| swap(i.checked_sub(1))>"↑"</button>
                <button type="button" aria-label=s::status_row_label(n, s::MOVE_DOWN)
                    on:click=move |_| swap(Some(i + 1))>"↓"</button>
                <button type="button" aria-label=s::status_row_label(n, s::REMOVE)
                    disabled=in_use on:click=remove>{s::REMOVE}</button>
                {move || in_use().then(|| view! { <span class="hint">{s::IN_USE}</span> })}
            </div>
        </fieldset>
    }
}

// --- Transitions -----------------------------------------------------------------------------

fn transition_get(i: usize, pick: fn(&Transition) -> String) -> Getter {
    Arc::new(move |d| d.workflow.transitions.get(i).map(pick))
}

fn transition_set(i: usize, put: fn(&mut Transition, String)) -> Setter {
    Arc::new(move |d, v| {
        if let Some(t) = d.workflow.transitions.get_mut(i) {
            put(t, v)
        }
    })
}

/// `t1`, `t2`…: the first number no transition uses.
fn next_transition_id(transitions: &[Transition]) -> String {
    let mut n = transitions.len() + 1;
    while transitions.iter().any(|t| t.id == format!("t{n}")) {
        n += 1;
    }
    format!("t{n}")
}

#[component]
fn Transitions(ed: Ed) -> impl IntoView {
    let count = Memo::new(move |_| ed.doc.with(|d| d.workflow.transitions.len()));
    let add = move |_| {
        ed.doc.update(|d| {
            let first = d
                .workflow
                .statuses
                .first()
                .map(|s| s.code.clone())
                .unwrap_or_default();
            let id = next_transition_id(&d.workflow.transitions);
            d.workflow.transitions.push(Transition {
                id,
                from: first.clone(),
                to: first,
                label: String::new(),
                actions: Vec::new(),
            })
        })
    };
    view! {
        <section aria-labelledby="transitions">
            <h2 id="transitions">{s::TRANSITIONS_TITLE}</h2>
            {move || match count.get() {
                0 => view! { <p>{s::NO_TRANSITIONS}</p> }.into_any(),
                n => (0..n).map(|i| view! { <TransitionItem ed i/> }).collect_view().into_any(),
            }}
            <button type="button" class="button button-secondary" on:click=add>{s::ADD_TRANSITION}</button>
        </section>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ActionKind {
    Notify,
    Complement,
    Deadline,
    Assign,
}

impl ActionKind {
    const ALL: [ActionKind; 4] = [Self::Notify, Self::Complement, Self::Deadline, Self::Assign];

    fn of(action: &Action) -> Self {
        match action {
            Action::NotifyCitizen { .. } => Self::Notify,
            Action::RequestComplement { .. } => Self::Complement,
            Action::SetDeadline { .. } => Self::Deadline,
            Action::AssignService { .. } => Self::Assign,
        }
    }

    fn token(self) -> &'static str {
        match self {
            Self::Notify => "notify_citizen",
            Self::Complement => "request_complement",
            Self::Deadline => "set_deadline",
            Self::Assign => "assign_service",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Notify => s::ACTION_NOTIFY,
            Self::Complement => s::ACTION_COMPLEMENT,
            Self::Deadline => s::ACTION_DEADLINE,
            Self::Assign => s::ACTION_ASSIGN,
        }
    }

    /// A new action of this kind with sensible values for transition `t`.
    fn new_action(self, t: &Transition, first_service: Option<String>) -> Action {
        match self {
            Self::Notify => Action::NotifyCitizen {
                subject: s::DEFAULT_NOTIFY_SUBJECT.into(),
                body: s::DEFAULT_NOTIFY_BODY.into(),
            },
            Self::Complement => Action::RequestComplement {
                return_to: t.from.clone(),
            },
            Self::Deadline => Action::SetDeadline { days: 15 },
            Self::Assign => Action::AssignService {
                service_id: first_service.unwrap_or_default(),
            },
        }
    }
}

#[component]
fn TransitionItem(ed: Ed, i: usize) -> impl IntoView {
    let n = i + 1;
    let at = format!("transitions[{i}]");
    let actions = Memo::new(move |_| {
        ed.doc.with(|d| {
            d.workflow
                .transitions
                .get(i)
                .map(|t| t.actions.iter().map(ActionKind::of).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let remove = move |_| {
        ed.doc.update(|d| {
            if i < d.workflow.transitions.len() {
                d.workflow.transitions.remove(i);
            }
        })
    };
    let new_kind = RwSignal::new(ActionKind::Notify);
    let add_action = move |_| {
        let first_service = ed
            .services
            .with_value(|s| s.first().map(|(id, _)| id.clone()));
        ed.doc.update(|d| {
            if let Some(t) = d.workflow.transitions.get_mut(i) {
                let action = new_kind.get_untracked().new_action(t, first_service);
                t.actions.push(action);
            }
        })
    };
    let kind_id = dom_id(&format!("{at}.new_action"));
    view! {
        <fieldset class="instruction-row" id=dom_id(&at)>
            <legend>{s::transition_legend(n)}</legend>
            {problem_at(ed, format!("{at}.id"))}
            {select_input(ed, format!("{at}.from"), s::FROM.into(), status_options(ed), None,
                transition_get(i, |t| t.from.clone()), transition_set(i, |t, v| t.from = v))}
            {select_input(ed, format!("{at}.to"), s::TO.into(), status_options(ed), None,
                transition_get(i, |t| t.to.clone()), transition_set(i, |t, v| t.to = v))}
            {text_input(ed, format!("{at}.label"), s::BUTTON.into(), "text",
                transition_get(i, |t| t.label.clone()), transition_set(i, |t, v| t.label = v))}
            <fieldset>
                <legend>{s::ACTIONS}</legend>
                {move || {
                    let kinds = actions.get();
                    if kinds.is_empty() {
                        view! { <p class="hint">{s::NO_ACTIONS}</p> }.into_any()
                    } else {
                        kinds
                            .into_iter()
                            .enumerate()
                            .map(|(j, kind)| view! { <ActionItem ed i j kind/> })
                            .collect_view()
                            .into_any()
                    }
                }}
                <div class="field">
                    <label for=kind_id.clone()>{s::ACTION_KIND}</label>
                    <select id=kind_id on:change=move |ev| {
                        let token = event_target_value(&ev);
                        if let Some(kind) = ActionKind::ALL.into_iter().find(|k| k.token() == token) {
                            new_kind.set(kind);
                        }
                    }>
                        {ActionKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.token() selected=move || new_kind.get() == k>{k.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="button" class="button button-secondary" on:click=add_action>{s::ADD_ACTION}</button>
            </fieldset>
            <button type="button" class="link-button" on:click=remove
                aria-label=format!("{} {n}", s::REMOVE_TRANSITION)>{s::REMOVE_TRANSITION}</button>
        </fieldset>
    }
}

fn action_get(i: usize, j: usize, pick: fn(&Action) -> Option<String>) -> Getter {
    Arc::new(move |d| {
        d.workflow
            .transitions
            .get(i)
            .and_then(|t| t.actions.get(j))
            .and_then(pick)
    })
}

fn action_set(i: usize, j: usize, put: fn(&mut Action, String)) -> Setter {
    Arc::new(move |d, v| {
        if let Some(a) = d
            .workflow
            .transitions
            .get_mut(i)
            .and_then(|t| t.actions.get_mut(j))
        {
            put(a, v)
        }
    })
}

#[component]
fn ActionItem(ed: Ed, i: usize, j: usize, kind: ActionKind) -> impl IntoView {
    let at = format!("transitions[{i}].actions[{j}]");
    let remove = move |_| {
        ed.doc.update(|d| {
            if let Some(t) = d.workflow.transitions.get_mut(i)
                && j < t.actions.len()
            {
                t.actions.remove(j);
            }
        })
    };
    let inputs = match kind {
        ActionKind::Notify => {
            let body_id = dom_id(&format!("{at}.body"));
            let body_path = format!("{at}.body");
            let body_invalid = invalid(ed, &body_path);
            view! {
                {text_input(ed, format!("{at}.subject"), s::SUBJECT.into(), "text",
                    action_get(i, j, |a| match a { Action::NotifyCitizen { subject, .. } => Some(subject.clone()), _ => None }),
                    action_set(i, j, |a, v| if let Action::NotifyCitizen { subject, .. } = a { *subject = v }))}
                <div class="field" class:field-invalid=body_invalid>
                    <label for=body_id.clone()>{s::BODY}</label>
                    <p class="hint" id=format!("{body_id}-aide")>{s::PLACEHOLDERS}</p>
                    <textarea id=body_id.clone() rows="6" aria-describedby=format!("{body_id}-aide")
                        prop:value=move || ed.doc.with(|d| d.workflow.transitions.get(i).and_then(|t| t.actions.get(j)).and_then(|a| match a {
                            Action::NotifyCitizen { body, .. } => Some(body.clone()),
                            _ => None,
                        }).unwrap_or_default())
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            ed.doc.update(|d| if let Some(Action::NotifyCitizen { body, .. }) = d.workflow.transitions.get_mut(i).and_then(|t| t.actions.get_mut(j)) { *body = value });
                        }></textarea>
                    {problem_at(ed, body_path.clone())}
                </div>
            }
            .into_any()
        }
        ActionKind::Complement => select_input(
            ed,
            format!("{at}.return_to"),
            s::RETURN_TO.into(),
            status_options(ed),
            None,
            action_get(i, j, |a| match a {
                Action::RequestComplement { return_to } => Some(return_to.clone()),
                _ => None,
            }),
            action_set(i, j, |a, v| {
                if let Action::RequestComplement { return_to } = a {
                    *return_to = v
                }
            }),
        )
        .into_any(),
        ActionKind::Deadline => text_input(
            ed,
            format!("{at}.days"),
            s::DAYS.into(),
            "number",
            action_get(i, j, |a| match a {
                Action::SetDeadline { days } => Some(days.to_string()),
                _ => None,
            }),
            action_set(i, j, |a, v| {
                if let Action::SetDeadline { days: d } = a {
                    *d = days(&v).unwrap_or(0)
                }
            }),
        )
        .into_any(),
        ActionKind::Assign => select_input(
            ed,
            format!("{at}.service_id"),
            s::SERVICE.into(),
            service_options(ed),
            None,
            action_get(i, j, |a| match a {
                Action::AssignService { service_id } => Some(service_id.clone()),
                _ => None,
            }),
            action_set(i, j, |a, v| {
                if let Action::AssignService { service_id } = a {
                    *service_id = v
                }
            }),
        )
        .into_any(),
    };
    view! {
        <div class="instruction-action" id=dom_id(&at)>
            <p><strong>{kind.label()}</strong></p>
            {problem_at(ed, at.clone())}
            {inputs}
            <button type="button" class="link-button" on:click=remove
                aria-label=format!("{} : {}", s::REMOVE_ACTION, kind.label())>{s::REMOVE_ACTION}</button>
        </div>
    }
}

// --- Routing ---------------------------------------------------------------------------------

fn rule_get(i: usize, pick: fn(&RoutingRule) -> String) -> Getter {
    Arc::new(move |d| d.routing.rules.get(i).map(pick))
}

fn rule_set(i: usize, put: fn(&mut RoutingRule, String)) -> Setter {
    Arc::new(move |d, v| {
        if let Some(r) = d.routing.rules.get_mut(i) {
            put(r, v)
        }
    })
}

#[component]
fn RoutingPart(ed: Ed) -> impl IntoView {
    let count = Memo::new(move |_| ed.doc.with(|d| d.routing.rules.len()));
    let add = move |_| {
        let service = ed
            .services
            .with_value(|s| s.first().map(|(id, _)| id.clone()))
            .unwrap_or_default();
        ed.doc.update(|d| {
            d.routing.rules.push(RoutingRule {
                field: String::new(),
                values: Vec::new(),
                service_id: service,
            })
        })
    };
    let copies = ed
        .services
        .get_value()
        .into_iter()
        .map(|(id, path)| {
            let input_id = format!("copie-{id}");
            let (checked_id, change_id) = (id.clone(), id);
            view! {
                <div class="choice">
                    <input type="checkbox" id=input_id.clone()
                        prop:checked=move || ed.doc.with(|d| d.routing.copies.contains(&checked_id))
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            let id = change_id.clone();
                            ed.doc.update(|d| {
                                d.routing.copies.retain(|c| *c != id);
                                if checked {
                                    d.routing.copies.push(id);
                                }
                            });
                        }/>
                    <label for=input_id>{path}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="aiguillage">
            <h2 id="aiguillage">{s::ROUTING_TITLE}</h2>
            {select_input(ed, "routing.default_service".into(), s::DEFAULT_SERVICE.into(), service_options(ed),
                Some(s::FIRST_SERVICE),
                Arc::new(|d| d.routing.default_service.clone()),
                Arc::new(|d, v| d.routing.default_service = (!v.is_empty()).then_some(v)))}
            <h3>{s::RULES}</h3>
            {move || match count.get() {
                0 => view! { <p>{s::NO_RULES}</p> }.into_any(),
                n => (0..n).map(|i| view! { <RuleItem ed i/> }).collect_view().into_any(),
            }}
            <button type="button" class="button button-secondary" on:click=add>{s::ADD_RULE}</button>
            <fieldset id=dom_id("routing.copies")>
                <legend>{s::COPIES}</legend>
                {problems_under(ed, "routing.copies")}
                {copies}
            </fieldset>
        </section>
    }
}

#[component]
fn RuleItem(ed: Ed, i: usize) -> impl IntoView {
    let n = i + 1;
    let at = format!("routing.rules[{i}]");
    let swap = move |other: Option<usize>| {
        ed.doc.update(|d| {
            if let Some(j) = other
                && j < d.routing.rules.len()
            {
                d.routing.rules.swap(i, j);
            }
        })
    };
    let remove = move |_| {
        ed.doc.update(|d| {
            if i < d.routing.rules.len() {
                d.routing.rules.remove(i);
            }
        })
    };
    view! {
        <fieldset class="instruction-row" id=dom_id(&at)>
            <legend>{s::rule_legend(n)}</legend>
            {select_input(ed, format!("{at}.field"), s::RULE_FIELD.into(),
                Arc::new(move || ed.fields.get_value()), Some(s::CHOOSE_FIELD),
                rule_get(i, |r| r.field.clone()), rule_set(i, |r, v| r.field = v))}
            {text_input(ed, format!("{at}.values"), s::RULE_VALUES.into(), "text",
                rule_get(i, |r| r.values.join(", ")),
                rule_set(i, |r, v| r.values = v.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect()))}
            <p class="hint">{s::RULE_VALUES_HINT}</p>
            {select_input(ed, format!("{at}.service_id"), s::RULE_SERVICE.into(), service_options(ed), None,
                rule_get(i, |r| r.service_id.clone()), rule_set(i, |r, v| r.service_id = v))}
            <div class="designer-row-actions">
                <button type="button" aria-label=format!("{} {n} : {}", s::rule_legend(n), s::MOVE_UP)
                    disabled=i == 0 on:click=move |_| swap(i.checked_sub(1))>"↑"</button>
                <button type="button" aria-label=format!("{} {n} : {}", s::rule_legend(n), s::MOVE_DOWN)
                    on:click=move |_| swap(Some(i + 1))>"↓"</button>
                <button type="button" on:click=remove>{s::REMOVE_RULE}</button>
            </div>
        </fieldset>
    }
}

// --- Deadlines -------------------------------------------------------------------------------

#[component]
fn DeadlinesPart(ed: Ed) -> impl IntoView {
    let silence = move || ed.doc.with(|d| d.deadlines.silence);
    let radio = move |value: Silence, label: &'static str| {
        let id = format!("silence-{}", value.code().unwrap_or("aucun"));
        view! {
            <div class="choice">
                <input type="radio" name="silence" id=id.clone()
                    prop:checked=move || silence() == value
                    on:change=move |_| ed.doc.update(|d| d.deadlines.silence = value)/>
                <label for=id>{label}</label>
            </div>
        }
    };
    view! {
        <section aria-labelledby="delais">
            <h2 id="delais">{s::DEADLINES_TITLE}</h2>
            {text_input(ed, "deadlines.max_days".into(), s::MAX_DAYS.into(), "number",
                Arc::new(|d| d.deadlines.max_days.map(|n| n.to_string())),
                Arc::new(|d, v| d.deadlines.max_days = days(&v)))}
            {text_input(ed, "deadlines.alert_days".into(), s::ALERT_DAYS.into(), "number",
                Arc::new(|d| d.deadlines.alert_days.map(|n| n.to_string())),
                Arc::new(|d, v| d.deadlines.alert_days = days(&v)))}
            <fieldset>
                <legend>{s::SILENCE}</legend>
                {radio(Silence::None, s::SILENCE_NONE)}
                {radio(Silence::Acceptation, s::SILENCE_ACCEPTATION)}
                {radio(Silence::Rejet, s::SILENCE_REJET)}
            </fieldset>
            {text_input(ed, "deadlines.silence_days".into(), s::SILENCE_DAYS.into(), "number",
                Arc::new(|d| d.deadlines.silence_days.map(|n| n.to_string())),
                Arc::new(|d, v| d.deadlines.silence_days = days(&v)))}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_paths_become_element_ids() {
        assert_eq!(dom_id("transitions[0].to"), "i-transitions-0-to");
        assert_eq!(dom_id("statuses[12].colour"), "i-statuses-12-colour");
        assert_eq!(anchor("transitions[3].id"), "i-transitions-3");
        assert_eq!(anchor("routing.copies[1]"), "i-routing-copies");
    }

    #[test]
    fn new_transitions_get_an_unused_id() {
        let workflow = Instruction::default().workflow;
        assert_eq!(next_transition_id(&workflow.transitions), "t8");
    }
}
