//! `/back-office/doublons` (the review queue), `/back-office/doublons/fusion?a=…&b=…` (the
//! merge form) and `/back-office/doublons/regles` (the rules), for managers and admins. Plain
//! forms (`ActionForm`): the pages work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{
    DeclareDistinctPair, DeleteDuplicateRule, MergePeople, SaveDuplicateRule, UndoPersonMerge,
    load_duplicate_queue, load_duplicate_rules, load_merge_form,
};
use super::model::{MergeChoice, MergeForm, Rule, SuspectedPair, attribute_code, shown};
use super::strings as s;
use crate::error::AppError;
use crate::people::model::{Attribute, PersonView};
use crate::ui::{ErrorSummary, Notice};

fn error_view(error: AppError) -> AnyView {
    view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }.into_any()
}

fn value_or_dash(value: String) -> String {
    if value.trim().is_empty() {
        s::EMPTY.to_owned()
    } else {
        value
    }
}

// --- The queue ---------------------------------------------------------------------------------

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let queue = Resource::new(move || version.get(), |_| load_duplicate_queue());
    let distinct = ServerAction::<DeclareDistinctPair>::new();
    let undo = ServerAction::<UndoPersonMerge>::new();
    Effect::new(move |_| {
        if distinct.version().get() > 0 || undo.version().get() > 0 {
            version.update(|v| *v += 1);
        }
    });
    let distinct_error = Signal::derive(move || distinct.value().get().and_then(Result::err));
    let undo_error = Signal::derive(move || undo.value().get().and_then(Result::err));
    view! {
        <Title text=s::QUEUE_TITLE/>
        <h1>{s::QUEUE_TITLE}</h1>
        <p class="lead">{s::QUEUE_INTRO}</p>
        <p><a href="/back-office/doublons/regles">{s::RULES_LINK}</a></p>
        <Show when=move || matches!(distinct.value().get(), Some(Ok(())))>
            <Notice><p>{s::DECLARED_DISTINCT}</p></Notice>
        </Show>
        <Show when=move || matches!(undo.value().get(), Some(Ok(())))>
            <Notice><p>{s::UNDONE}</p></Notice>
        </Show>
        <ErrorSummary error=distinct_error/>
        <ErrorSummary error=undo_error/>
        <Transition>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => {
                        let last_run = match queue.last_run {
                            Some(at) => format!("{} {at}", s::LAST_RUN),
                            None => s::NEVER_RUN.to_owned(),
                        };
                        let pairs = if queue.pairs.is_empty() {
                            view! { <p data-testid="duplicates-empty">{s::QUEUE_EMPTY}</p> }.into_any()
                        } else {
                            queue.pairs.into_iter().map(|pair| view! { <PairCard pair distinct/> }).collect_view().into_any()
                        };
                        let merges = (!queue.merges.is_empty()).then(|| view! {
                            <section aria-labelledby="fusions">
                                <h2 id="fusions">{s::RECENT_MERGES}</h2>
                                <ul>
                                    {queue.merges.into_iter().map(|m| view! {
                                        <li data-testid="merge">
                                            {s::merged_line(&m.survivor, &m.merged, &m.by, &m.at)}
                                            <ActionForm action=undo attr:class="form-inline">
                                                <input type="hidden" name="merge" value=m.id/>
                                                <button type="submit" class="button button-secondary">{s::UNDO}</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </section>
                        });
                        view! {
                            <p>{last_run}</p>
                            <section aria-label=s::QUEUE_TITLE>{pairs}</section>
                            {merges}
                        }
                        .into_any()
                    }
                    Err(error) => error_view(error),
                }
            })}
        </Transition>
    }
}

/// Both records' attributes, side by side.
fn side_by_side(
    a: &PersonView,
    b: &PersonView,
    first: &'static str,
    second: &'static str,
) -> impl IntoView + use<> {
    let rows = Attribute::ALL
        .into_iter()
        .map(|attribute| {
            let (x, y) = (shown(a, attribute), shown(b, attribute));
            let differ = x != y;
            view! {
                <tr class:differs=differ>
                    <th scope="row">{attribute.label()}</th>
                    <td>{value_or_dash(x)}</td>
                    <td>{value_or_dash(y)}</td>
                </tr>
            }
        })
        .collect_view();
    let account = |p: &PersonView| {
        if p.account_id.is_some() {
            s::YES
        } else {
            s::NO
        }
    };
    view! {
        <table class="table">
            <thead><tr><th scope="col">{s::ATTRIBUTE}</th><th scope="col">{first}</th><th scope="col">{second}</th></tr></thead>
            <tbody>
                {rows}
                <tr><th scope="row">{s::ACCOUNT}</th><td>{account(a)}</td><td>{account(b)}</td></tr>
            </tbody>
        </table>
    }
}

#[component]
fn PairCard(pair: SuspectedPair, distinct: ServerAction<DeclareDistinctPair>) -> impl IntoView {
    let found_by = if pair.found_by == "creation" {
        s::FOUND_AT_CREATION
    } else {
        s::FOUND_BY_JOB
    };
    let merge_href = format!(
        "/back-office/doublons/fusion?a={}&b={}",
        pair.a.id, pair.b.id
    );
    let pair_id = pair.id.clone();
    view! {
        <article class="card" data-testid="duplicate-pair" data-pair=pair.id.clone()>
            <h2>{pair.a.full_name()} " / " {pair.b.full_name()}</h2>
            <p>{s::RULE} " : " {pair.rule_name.clone()} " – " {s::SCORE} " : " {pair.score} " % – " {found_by} " (" {pair.found_at.clone()} ")"</p>
            {side_by_side(&pair.a, &pair.b, s::FIRST_RECORD, s::SECOND_RECORD)}
            <p><a class="button" href=merge_href>{s::MERGE}</a></p>
            <ActionForm action=distinct attr:class="form-inline">
                <input type="hidden" name="pair" value=pair_id/>
                <button type="submit" class="button button-secondary">{s::DISTINCT}</button>
            </ActionForm>
        </article>
    }
}

// --- The merge form ----------------------------------------------------------------------------

#[component]
pub fn MergePage() -> impl IntoView {
    let query = use_query_map();
    let ids = move || {
        query.with(|q| {
            (
                q.get("a").unwrap_or_default(),
                q.get("b").unwrap_or_default(),
            )
        })
    };
    let form = Resource::new(ids, |(a, b)| load_merge_form(a, b));
    let merge = ServerAction::<MergePeople>::new();
    let error = Signal::derive(move || merge.value().get().and_then(Result::err));
    view! {
        <Title text=s::MERGE_TITLE/>
        <p><a href="/back-office/doublons">{s::BACK_TO_QUEUE}</a></p>
        <h1>{s::MERGE_TITLE}</h1>
        <p class="lead">{s::MERGE_INTRO}</p>
        <Show
            when=move || matches!(merge.value().get(), Some(Ok(_)))
            fallback=move || view! {
                <Transition>
                    {move || Suspend::new(async move {
                        match form.await {
                            Ok(form) => view! { <MergeFormView form merge error/> }.into_any(),
                            Err(e) => error_view(e),
                        }
                    })}
                </Transition>
            }
        >
            <Notice><p>{s::MERGE_DONE}</p></Notice>
            <p><a href="/back-office/doublons">{s::BACK_TO_QUEUE}</a></p>
        </Show>
    }
}

#[component]
fn MergeFormView(
    form: MergeForm,
    merge: ServerAction<MergePeople>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let MergeForm {
        survivor,
        merged,
        choices,
        refusal,
    } = form;
    if let Some(refusal) = refusal {
        return view! {
            <p class="alert alert-error" role="alert" data-testid="merge-refused">{refusal}</p>
            {side_by_side(&survivor, &merged, s::FIRST_RECORD, s::SECOND_RECORD)}
        }
        .into_any();
    }
    let rows = choices
        .into_iter()
        .map(|choice| choice_row(choice, &survivor.id, &merged.id, error))
        .collect_view();
    view! {
        <ActionForm action=merge attr:class="form" attr:novalidate=true>
            <input type="hidden" name="a" value=survivor.id.clone()/>
            <input type="hidden" name="b" value=merged.id.clone()/>
            <ErrorSummary error/>
            <table class="table">
                <thead><tr>
                    <th scope="col">{s::ATTRIBUTE}</th>
                    <th scope="col">{s::KEPT_RECORD} " : " {survivor.full_name()}</th>
                    <th scope="col">{s::MERGED_RECORD} " : " {merged.full_name()}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <button type="submit" class="button">{s::CONFIRM_MERGE}</button>
        </ActionForm>
    }
    .into_any()
}

fn choice_row(
    choice: MergeChoice,
    survivor: &str,
    merged: &str,
    error: Signal<Option<AppError>>,
) -> impl IntoView + use<> {
    let code = attribute_code(choice.attribute);
    let name = format!("choix[{code}]");
    let label = choice.attribute.label();
    let message = move || {
        error
            .get()
            .filter(|e| e.field() == Some(code))
            .map(|e| e.to_string())
    };
    if choice.survivor_value == choice.merged_value {
        return view! {
            <tr>
                <th scope="row">{label}</th>
                <td colspan="2">{value_or_dash(choice.survivor_value)}</td>
            </tr>
        }
        .into_any();
    }
    // A certified value wins; otherwise the survivor's, unless it has none.
    let keep_merged =
        !choice.survivor_certified && (choice.merged_certified || choice.survivor_value.is_empty());
    let lock_survivor = choice.survivor_certified && !choice.merged_certified;
    let lock_merged = choice.merged_certified && !choice.survivor_certified;
    let cell = move |id: String, value: String, certified: bool, checked: bool, disabled: bool| {
        let input_id = format!("{code}-{id}");
        view! {
            <td>
                <input type="radio" id=input_id.clone() name=name.clone() value=id checked=checked disabled=disabled/>
                <label for=input_id>
                    {value_or_dash(value)}
                    {certified.then(|| view! { " " <span class="badge">{s::CERTIFIED}</span> })}
                </label>
            </td>
        }
    };
    view! {
        <tr class:field-invalid=move || message().is_some()>
            <th scope="row">
                {label}
                {move || message().map(|m| view! { <p class="error-message">{m}</p> })}
            </th>
            {cell(survivor.to_owned(), choice.survivor_value, choice.survivor_certified, !keep_merged, lock_merged)}
            {cell(merged.to_owned(), choice.merged_value, choice.merged_certified, keep_merged, lock_survivor)}
        </tr>
    }
    .into_any()
}

// --- The rules ---------------------------------------------------------------------------------

#[component]
pub fn RulesPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let saved = RwSignal::new(false);
    let rules = Resource::new(move || version.get(), |_| load_duplicate_rules());
    let changed = move || {
        saved.set(true);
        version.update(|v| *v += 1);
    };
    view! {
        <Title text=s::RULES_TITLE/>
        <p><a href="/back-office/doublons">{s::BACK_TO_QUEUE}</a></p>
        <h1>{s::RULES_TITLE}</h1>
        <p class="lead">{s::RULES_INTRO}</p>
        <Show when=move || saved.get()><Notice><p>{s::SAVED}</p></Notice></Show>
        <Transition>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(rules) => view! {
                        {rules.into_iter().map(|rule| view! { <RuleEditor rule changed/> }).collect_view()}
                        <section aria-labelledby="nouvelle-regle">
                            <h2 id="nouvelle-regle">{s::NEW_RULE}</h2>
                            <RuleForm rule=None changed/>
                        </section>
                    }
                    .into_any(),
                    Err(error) => error_view(error),
                }
            })}
        </Transition>
    }
}

#[component]
fn RuleEditor(rule: Rule, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let delete = ServerAction::<DeleteDuplicateRule>::new();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            changed();
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let id = rule.id.clone();
    let title = format!(
        "{} – {} {}{}",
        rule.name,
        s::FIELD_PRIORITY,
        rule.priority,
        if rule.active {
            String::new()
        } else {
            format!(" ({})", s::INACTIVE)
        }
    );
    view! {
        <details class="rule-item" data-testid="duplicate-rule">
            <summary>{title}</summary>
            <RuleForm rule=Some(rule) changed/>
            <ActionForm action=delete attr:class="form form-danger">
                <input type="hidden" name="id" value=id/>
                <ErrorSummary error=delete_error/>
                <button type="submit" class="button button-danger">{s::DELETE}</button>
            </ActionForm>
        </details>
    }
}

/// The five lists of a rule, as (form name, legend).
const LISTS: [(&str, &str); 5] = [
    ("filled", s::LIST_FILLED),
    ("equal", s::LIST_EQUAL),
    ("approximate", s::LIST_APPROXIMATE),
    ("different", s::LIST_DIFFERENT),
    ("missing_allowed", s::LIST_MISSING),
];

#[component]
fn RuleForm(
    rule: Option<Rule>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let save = ServerAction::<SaveDuplicateRule>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            changed();
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let creating = rule.is_none();
    let rule = rule.unwrap_or(Rule {
        priority: 5,
        active: true,
        ..Default::default()
    });
    let prefix = if creating {
        "nouvelle-regle".to_owned()
    } else {
        format!("regle-{}", rule.id)
    };
    let on = move |field: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(field))
                .map(|e| e.to_string())
        }
    };
    let lists = LISTS
        .into_iter()
        .map(|(list, legend)| {
            let chosen: Vec<Attribute> = match list {
                "filled" => rule.filled.clone(),
                "equal" => rule.equal.clone(),
                "approximate" => rule.approximate.clone(),
                "different" => rule.different.clone(),
                _ => rule.missing_allowed.clone(),
            };
            let message = on(list);
            let message_shown = on(list);
            let boxes = Attribute::ALL
                .into_iter()
                .enumerate()
                .map(|(i, attribute)| {
                    let box_id = format!("{prefix}-{list}-{i}");
                    view! {
                        <span class="field-checkbox">
                            <input type="checkbox" id=box_id.clone() name=format!("{list}[{i}]")
                                value=attribute_code(attribute) checked=chosen.contains(&attribute)/>
                            <label for=box_id>{attribute.label()}</label>
                        </span>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="field" class:field-invalid=move || message_shown().is_some()>
                    <legend>{"Attributs "}{legend}</legend>
                    {boxes}
                    {move || message().map(|m| view! { <p class="error-message">{m}</p> })}
                </fieldset>
            }
        })
        .collect_view();
    let name_id = format!("{prefix}-name");
    let priority_id = format!("{prefix}-priority");
    let active_id = format!("{prefix}-active");
    let name_message = on("name");
    let priority_message = on("priority");
    view! {
        <ActionForm action=save attr:class="form" attr:novalidate=true>
            <input type="hidden" name="id" value=rule.id.clone()/>
            <ErrorSummary error/>
            <div class="field">
                <label for=name_id.clone()>{s::FIELD_NAME}</label>
                <input id=name_id name="name" type="text" value=rule.name.clone()/>
                {move || name_message().map(|m| view! { <p class="error-message">{m}</p> })}
            </div>
            <div class="field">
                <label for=priority_id.clone()>{s::FIELD_PRIORITY}</label>
                <input id=priority_id name="priority" type="text" inputmode="numeric" value=rule.priority.to_string()/>
                {move || priority_message().map(|m| view! { <p class="error-message">{m}</p> })}
            </div>
            <div class="field field-checkbox">
                <input type="checkbox" id=active_id.clone() name="active" value="1" checked=rule.active/>
                <label for=active_id>{s::FIELD_ACTIVE}</label>
            </div>
            {lists}
            <button type="submit" class="button">{if creating { s::CREATE } else { s::SAVE }}</button>
        </ActionForm>
    }
}
