//! `/back-office/courriers` (designers): the commune's letter templates, and the editor with
//! the merge fields, problems shown as the author types (line and column), and a PDF preview
//! on a dossier. The preview is a plain form post into a frame; saving needs JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use super::api::{
    check_letter_template, list_letter_templates, load_letter_template, save_letter_template,
};
use super::model::{
    LetterTemplate, LetterheadChoice, TemplateDraft, TemplateKind, TemplateProblem,
};
use super::strings as s;
use crate::error::AppError;
use crate::store::pages::DesignersOnly;
use crate::ui::Notice;

pub const NEW: &str = "nouveau";

#[component]
pub fn LettersPage() -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_letter_templates());
    view! {
        <Title text=s::LIST_TITLE/>
        <h1>{s::LIST_TITLE}</h1>
        <p>{s::LIST_INTRO}</p>
        <DesignersOnly>
            <p><a class="button" href=format!("/back-office/courriers/{NEW}")>{s::NEW_TEMPLATE}</a></p>
            <Suspense>
                {move || Suspend::new(async move {
                    match templates.await {
                        Ok(list) if list.is_empty() => view! { <p>{s::NO_TEMPLATES}</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="letter-templates">
                                <caption class="sr-only">{s::LIST_TITLE}</caption>
                                <thead><tr>
                                    <th scope="col">{s::NAME_LABEL}</th>
                                    <th scope="col">{s::KIND_LABEL}</th>
                                    <th scope="col">{s::UPDATED_LABEL}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr>
                                            <td><a href=format!("/back-office/courriers/{}", t.id)>{t.name.clone()}</a></td>
                                            <td>{t.kind.label()}</td>
                                            <td>{format!("{} (version {}){}", t.updated_at, t.version,
                                                t.updated_by.as_ref().map(|b| format!(", {b}")).unwrap_or_default())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </DesignersOnly>
    }
}

fn blank() -> LetterTemplate {
    LetterTemplate {
        id: String::new(),
        name: String::new(),
        kind: TemplateKind::Autre,
        source: s::NEW_SOURCE.to_owned(),
        letterhead: LetterheadChoice::Commune,
        version: 0,
    }
}

#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    // Here, not in the editor: saving a new template moves to its address, which renders the
    // editor again from the saved template; the notice of that save must survive it.
    let notice = RwSignal::new(None::<String>);
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            if id == NEW {
                Ok(blank())
            } else {
                load_letter_template(id).await
            }
        },
    );
    view! {
        <Title text=s::EDITOR_TITLE/>
        <p><a href="/back-office/courriers">{s::BACK_TO_LIST}</a></p>
        <DesignersOnly>
            <Suspense>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(template) => view! { <Editor template notice/> }.into_any(),
                        Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </DesignersOnly>
    }
}

fn problems_of(error: &AppError) -> Vec<String> {
    match error {
        AppError::Rejected { problems } => problems.iter().map(|p| p.message.clone()).collect(),
        other => vec![other.to_string()],
    }
}

fn describe(problem: &TemplateProblem) -> String {
    format!(
        "Ligne {}, colonne {} : {}",
        problem.line, problem.column, problem.message
    )
}

#[component]
fn Editor(template: LetterTemplate, notice: RwSignal<Option<String>>) -> impl IntoView {
    let id = RwSignal::new(template.id.clone());
    let version = RwSignal::new(template.version);
    let name = RwSignal::new(template.name.clone());
    let kind = RwSignal::new(template.kind);
    let source = RwSignal::new(template.source.clone());
    let letterhead = RwSignal::new(template.letterhead);
    let live_problems = RwSignal::new(Vec::<TemplateProblem>::new());
    let save_problems = RwSignal::new(Vec::<String>::new());
    // The preview follows the text: once a dossier is chosen, each edit that checks clean
    // posts the form into the preview frame again.
    let reference = RwSignal::new(String::new());
    let form = NodeRef::<leptos::html::Form>::new();
    let refresh_preview = move || {
        #[cfg(feature = "hydrate")]
        if !reference.get_untracked().trim().is_empty()
            && let Some(form) = form.get_untracked()
        {
            let _ = form.request_submit();
        }
    };
    // Live check: the last keystroke's check wins; earlier answers arriving late are ignored.
    let edits = StoredValue::new(0u64);
    let check = Action::new(move |(seq, text, head): &(u64, String, LetterheadChoice)| {
        let (seq, text, head) = (*seq, text.clone(), *head);
        async move { (seq, check_letter_template(text, head).await) }
    });
    Effect::new(move |_| {
        if let Some((seq, result)) = check.value().get()
            && seq == edits.get_value()
        {
            match result {
                Ok(problems) => {
                    if problems.is_empty() {
                        refresh_preview();
                    }
                    live_problems.set(problems);
                }
                Err(error) => live_problems.set(vec![TemplateProblem {
                    line: 0,
                    column: 0,
                    message: error.to_string(),
                }]),
            }
        }
    });
    // The template and its letterhead are checked together (`#en-tete` needs its choice).
    let recheck = move || {
        edits.update_value(|n| *n += 1);
        let seq = edits.get_value();
        set_timeout(
            move || {
                if seq == edits.get_value() {
                    check.dispatch((seq, source.get_untracked(), letterhead.get_untracked()));
                }
            },
            std::time::Duration::from_millis(400),
        );
    };
    let on_source = move |ev| {
        source.set(event_target_value(&ev));
        recheck();
    };
    let on_letterhead = move |ev| {
        if let Some(choice) = LetterheadChoice::parse(&event_target_value(&ev)) {
            letterhead.set(choice);
            recheck();
        }
    };
    let navigate = use_navigate();
    let save = Action::new(move |_: &()| {
        let draft = TemplateDraft {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            source: source.get_untracked(),
            letterhead: letterhead.get_untracked(),
        };
        let (current, seen) = (id.get_untracked(), version.get_untracked());
        async move { save_letter_template(current, seen, draft).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            let was_new = id.get_untracked().is_empty();
            save_problems.set(Vec::new());
            notice.set(Some(s::saved(saved.version)));
            version.set(saved.version);
            id.set(saved.id.clone());
            if was_new {
                navigate(
                    &format!("/back-office/courriers/{}", saved.id),
                    Default::default(),
                );
            }
        }
        Some(Err(error)) => {
            notice.set(None);
            save_problems.set(problems_of(&error));
        }
        None => {}
    });
    view! {
        <h1>{move || if id.get().is_empty() { s::NEW_TEMPLATE.to_owned() } else { format!("{} — {}", s::EDITOR_TITLE, name.get()) }}</h1>
        {move || notice.get().map(|text| view! { <Notice>{text}</Notice> })}
        <Show when=move || !save_problems.get().is_empty()>
            <div class="alert alert-error" role="alert" data-testid="save-problems">
                <p>{s::SAVE_REFUSED}</p>
                <ul>{move || save_problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        </Show>
        <div class="letter-editor">
            <form class="form" method="post" action="/back-office/courriers/apercu" target="apercu-courrier" node_ref=form>
                <div class="field">
                    <label for="modele-nom">{s::NAME_LABEL}</label>
                    <input id="modele-nom" name="name" type="text" required maxlength="120"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="modele-type">{s::KIND_LABEL}</label>
                    <select id="modele-type" name="kind" on:change=move |ev| {
                        if let Some(k) = TemplateKind::parse(&event_target_value(&ev)) { kind.set(k) }
                    }>
                        {TemplateKind::ALL.into_iter().map(|k| view! {
                            <option value=k.code() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="modele-en-tete">{s::LETTERHEAD_LABEL}</label>
                    <p class="hint" id="modele-en-tete-aide">{s::LETTERHEAD_HINT}</p>
                    <select id="modele-en-tete" name="letterhead" aria-describedby="modele-en-tete-aide"
                        on:change=on_letterhead>
                        {LetterheadChoice::ALL.into_iter().map(|c| view! {
                            <option value=c.code() selected=move || letterhead.get() == c>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="modele-source">{s::SOURCE_LABEL}</label>
                    <p class="hint" id="modele-source-aide">{s::SOURCE_HINT}</p>
                    <textarea id="modele-source" name="source" class="code" rows="24" spellcheck="false"
                        aria-describedby="modele-source-aide modele-problemes"
                        prop:value=move || source.get() on:input=on_source>{template.source.clone()}</textarea>
                </div>
                <div id="modele-problemes" aria-live="polite" data-testid="live-problems">
                    {move || {
                        let problems = live_problems.get();
                        (!problems.is_empty()).then(|| view! {
                            <ul class="error-message">{problems.iter().map(|p| view! { <li>{describe(p)}</li> }).collect_view()}</ul>
                        })
                    }}
                </div>
                <p>
                    <button type="button" class="button" on:click=move |_| { save.dispatch(()); }
                        disabled=move || save.pending().get()>{s::SAVE}</button>
                </p>
                <fieldset>
                    <legend>{s::PREVIEW_LEGEND}</legend>
                    <div class="field">
                        <label for="apercu-dossier">{s::PREVIEW_DOSSIER}</label>
                        <p class="hint" id="apercu-dossier-aide">{s::PREVIEW_DOSSIER_HINT}</p>
                        <input id="apercu-dossier" name="reference" type="text" aria-describedby="apercu-dossier-aide"
                            on:input=move |ev| reference.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="apercu-texte">{s::PREVIEW_FREE_TEXT}</label>
                        <textarea id="apercu-texte" name="free_text" rows="4"></textarea>
                    </div>
                    <button type="submit" class="button button-secondary">{s::PREVIEW}</button>
                </fieldset>
            </form>
            <aside class="letter-fields" aria-labelledby="champs-titre" tabindex="0">
                <h2 id="champs-titre">{s::FIELDS_TITLE}</h2>
                <dl>
                    {s::FIELDS.iter().map(|(path, what)| view! {
                        <dt><code>{format!("#{path}")}</code></dt><dd>{*what}</dd>
                    }).collect_view()}
                    {s::HELPERS.iter().map(|(code, what)| view! {
                        <dt><code>{*code}</code></dt><dd>{*what}</dd>
                    }).collect_view()}
                </dl>
            </aside>
        </div>
        <iframe name="apercu-courrier" class="letter-preview" title=s::PREVIEW_FRAME></iframe>
    }
}
