//! The designer page: palette, steps and fields (drag-and-drop and keyboard), the selected
//! element's properties, validation on each element, autosave, undo/redo and publication.
//!
//! Reactivity is kept fine-grained so that a 500-field form stays under a frame per change:
//! one `RwSignal<Editor>` holds the state; lists are keyed `<For>`s over stable ids (a move
//! moves one DOM node); each row reads its own small view through a `Memo`, so only rows
//! whose text actually changed touch the DOM; the properties panel is rebuilt only when the
//! selection changes, its inputs being bound property by property.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::web_sys;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::diff::{diff, first_publication};
use super::doc::Doc;
use super::palette::PaletteKind;
use super::properties::{IdentityCard, Properties};
use super::state::{Editor, Id, Target};
use super::strings as s;
use crate::demarches::api::{DesignerState, open_designer, publish_demarche, save_draft};
use crate::demarches::document::DemarcheDocument;
use crate::demarches::form::StepFields;
use crate::demarches::model::{Answers, Definition, FieldKind};
use crate::error::AppError;

/// What is being dragged. Kept in a signal as well as in the `DataTransfer`, because
/// `dragover` handlers may not read the transferred data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drag {
    Palette(PaletteKind),
    Field(Id),
    Step(Id),
}

impl Drag {
    fn encode(self) -> String {
        match self {
            Self::Palette(kind) => format!("palette:{}", kind.token()),
            Self::Field(id) => format!("field:{id}"),
            Self::Step(id) => format!("step:{id}"),
        }
    }

    fn decode(raw: &str) -> Option<Self> {
        let (what, value) = raw.split_once(':')?;
        match what {
            "palette" => PaletteKind::from_token(value).map(Self::Palette),
            "field" => value.parse().ok().map(Self::Field),
            "step" => value.parse().ok().map(Self::Step),
            _ => None,
        }
    }
}

/// Everything the designer's components share; all `Copy` handles.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub doc: Doc,
    pub selected: RwSignal<Option<Target>>,
    pub announce: RwSignal<String>,
    drag: RwSignal<Option<Drag>>,
    /// Tells each row whether it is selected, waking only the two rows a change concerns.
    selection: StoredValue<Selector<Option<Target>>>,
}

impl Ctx {
    pub fn is_selected(&self, target: Target) -> bool {
        self.selection
            .try_with_value(|selector| selector.selected(&Some(target)))
            .unwrap_or(false)
    }

    fn undo(&self) {
        if self.doc.update(Editor::undo).unwrap_or(false) {
            self.announce.set(s::ANNOUNCE_UNDONE.to_owned());
        }
    }

    fn redo(&self) {
        if self.doc.update(Editor::redo).unwrap_or(false) {
            self.announce.set(s::ANNOUNCE_REDONE.to_owned());
        }
    }

    /// Adds a field of `kind` after the selected field, or at the end of the selected step,
    /// or at the end of the form: the keyboard alternative to dragging from the palette.
    fn add_from_palette(&self, kind: PaletteKind) {
        let place = self.doc.with(|e| match self.selected.get_untracked() {
            Some(Target::Field(id) | Target::SubField(id, _)) => e
                .position(id)
                .map(|(step, index)| (e.step_ids()[step], index + 1)),
            Some(Target::Step(id)) => Some((id, usize::MAX)),
            _ => e.step_ids().last().map(|id| (*id, usize::MAX)),
        });
        let place = match place {
            Some(place) => Some(place),
            None => self
                .doc
                .update(|e| e.add_step(0))
                .flatten()
                .map(|step| (step, 0)),
        };
        if let Some((step, index)) = place {
            self.insert(kind, step, index);
        }
    }

    fn insert(&self, kind: PaletteKind, step: Id, index: usize) {
        if let Some(id) = self
            .doc
            .update(|e| e.insert_new(kind, step, index))
            .flatten()
        {
            self.selected.set(Some(Target::Field(id)));
            let (label, step_title) = self.doc.with_untracked(|e| {
                (
                    e.field(id).map(|f| f.label.clone()).unwrap_or_default(),
                    e.step(step).map(|s| s.title.clone()).unwrap_or_default(),
                )
            });
            self.announce
                .set(s::announce_field_added(&label, &step_title));
        }
    }

    /// Moves a field by one place from the keyboard, announces it and keeps the focus on it.
    pub fn move_field_by(&self, id: Id, delta: i32, focus_button: Option<&'static str>) {
        if self.doc.update(|e| e.move_field_by(id, delta)) != Some(true) {
            self.announce.set(
                if delta < 0 {
                    s::ALREADY_FIRST
                } else {
                    s::ALREADY_LAST
                }
                .to_owned(),
            );
            return;
        }
        let message = self.doc.with_untracked(|e| {
            let (step, index) = e.position(id)?;
            let field = e.field(id)?;
            let step = e.definition().steps.get(step)?;
            Some(s::announce_field_moved(
                &field.label,
                index + 1,
                step.fields.len(),
                &step.title,
            ))
        });
        self.announce.set(message.unwrap_or_default());
        refocus(format!("designer-field-{id}"), focus_button);
    }

    pub fn move_step_by(&self, id: Id, delta: i32, focus_button: Option<&'static str>) {
        if self.doc.update(|e| e.move_step_by(id, delta)) != Some(true) {
            return;
        }
        let message = self.doc.with_untracked(|e| {
            let index = e.step_index(id)?;
            Some(s::announce_step_moved(
                &e.step(id)?.title,
                index + 1,
                e.step_ids().len(),
            ))
        });
        self.announce.set(message.unwrap_or_default());
        refocus(format!("designer-step-{id}"), focus_button);
    }

    fn drop_on(&self, drag: Drag, step: Id, before: Option<Id>) {
        match drag {
            Drag::Palette(kind) => {
                let index = self.doc.with_untracked(|e| match before {
                    Some(field) => e.position(field).map_or(usize::MAX, |(_, i)| i),
                    None => usize::MAX,
                });
                self.insert(kind, step, index);
            }
            Drag::Field(field) => {
                let moved = self.doc.update(|e| match before {
                    Some(before) if before != field => e.move_field_before(field, before),
                    Some(_) => false,
                    None => e.move_field(field, step, usize::MAX),
                });
                if moved == Some(true) {
                    self.selected.set(Some(Target::Field(field)));
                }
            }
            Drag::Step(moved) => {
                let index = self.doc.with_untracked(|e| e.step_index(step));
                if let Some(index) = index {
                    self.doc.update(|e| {
                        e.move_step(moved, index);
                    });
                }
            }
        }
    }
}

/// After a DOM move, puts the focus back on the moved element (or on one of its buttons, so
/// that pressing "Monter" repeatedly keeps working).
fn refocus(element_id: String, button: Option<&'static str>) {
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let Some(element) = document().get_element_by_id(&element_id) else {
            return;
        };
        let target = match button {
            Some(class) => element
                .query_selector(&format!(".{class}"))
                .ok()
                .flatten()
                .unwrap_or(element),
            None => element,
        };
        if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
            let _ = target.focus();
        }
    });
}

fn drag_start(ctx: Ctx, ev: &web_sys::DragEvent, drag: Drag) {
    ctx.drag.set(Some(drag));
    let effect = match drag {
        Drag::Palette(_) => "copy",
        _ => "move",
    };
    browser::set_transfer(ev, &drag.encode(), effect);
    ev.stop_propagation();
}

/// What is dropped: the signal set at `dragstart`, else the transferred text.
fn dropped(ctx: Ctx, ev: &web_sys::DragEvent) -> Option<Drag> {
    ev.prevent_default();
    ev.stop_propagation();
    let drag = ctx
        .drag
        .get_untracked()
        .or_else(|| browser::transferred(ev).and_then(|raw| Drag::decode(&raw)));
    ctx.drag.set(None);
    drag
}

/// Calls to browser APIs whose web-sys features only the browser build (`hydrate`) enables;
/// the server never runs them (they sit in event handlers).
mod browser {
    use leptos::web_sys;

    #[cfg(feature = "hydrate")]
    pub fn set_transfer(ev: &web_sys::DragEvent, data: &str, effect: &str) {
        if let Some(transfer) = ev.data_transfer() {
            let _ = transfer.set_data("text/plain", data);
            transfer.set_effect_allowed(effect);
        }
    }

    #[cfg(feature = "hydrate")]
    pub fn transferred(ev: &web_sys::DragEvent) -> Option<String> {
        ev.data_transfer()
            .and_then(|transfer| transfer.get_data("text/plain").ok())
    }

    #[cfg(feature = "hydrate")]
    pub fn now_ms() -> f64 {
        leptos::prelude::window()
            .performance()
            .map_or(0.0, |p| p.now())
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn set_transfer(_: &web_sys::DragEvent, _: &str, _: &str) {}

    #[cfg(not(feature = "hydrate"))]
    pub fn transferred(_: &web_sys::DragEvent) -> Option<String> {
        None
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn now_ms() -> f64 {
        0.0
    }
}

fn allow_drop(ev: &web_sys::DragEvent) {
    ev.prevent_default();
}

#[derive(Clone, Debug, PartialEq)]
enum SaveStatus {
    Saved(Option<f64>),
    Pending,
    Saving,
    Failed(String),
}

fn now_ms() -> f64 {
    browser::now_ms()
}

/// `/back-office/demarches/:id`
#[component]
pub fn DesignerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Loaded in the browser only: the designer needs JavaScript anyway (drag-and-drop), and
    // rendering it on the server would only double the work of a large form.
    let state = LocalResource::new(move || open_designer(id()));
    view! {
        <Title text=s::DESIGNER_TITLE/>
        <div class="designer">
            <p class="designer-back"><A href="/back-office/demarches">{s::BACK_TO_LIST}</A></p>
            <crate::store::pages::ImportedNotice/>
            {move || match state.get() {
                None => view! {
                    <h1>{s::DESIGNER_TITLE}</h1>
                    <p role="status">{s::LOADING}</p>
                    <noscript><p>{s::NEEDS_JS}</p></noscript>
                }
                .into_any(),
                Some(Ok(loaded)) => view! { <Designer loaded/> }.into_any(),
                Some(Err(error)) => view! {
                    <h1>{s::DESIGNER_TITLE}</h1>
                    <p class="alert alert-error" role="alert">{error.to_string()}</p>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn Designer(loaded: DesignerState) -> impl IntoView {
    let DesignerState {
        id,
        draft,
        published,
        current_version,
        ..
    } = loaded;
    let doc = Doc::new(Editor::new(draft));
    let selected = RwSignal::new(None);
    let ctx = Ctx {
        doc,
        selected,
        announce: RwSignal::new(String::new()),
        drag: RwSignal::new(None),
        selection: StoredValue::new(Selector::new(move || selected.get())),
    };
    let published = RwSignal::new(published);
    let version = RwSignal::new(current_version);
    let status = RwSignal::new(SaveStatus::Saved(None));
    let id = StoredValue::new(id);

    // --- Autosave: one second after the last change, one request at a time. -------------
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let in_flight = StoredValue::new(false);
    let save_now = move || {
        if in_flight.get_value() {
            return;
        }
        let (revision, json) = doc.with_untracked(|e| (e.revision(), e.document_json()));
        in_flight.set_value(true);
        status.set(SaveStatus::Saving);
        spawn_local(async move {
            let started = now_ms();
            let result = save_draft(id.get_value(), json).await;
            let elapsed = now_ms() - started;
            in_flight.set_value(false);
            match result {
                Err(error) => status.set(SaveStatus::Failed(error.to_string())),
                Ok(_) if doc.with_untracked(Editor::revision) == revision => {
                    status.set(SaveStatus::Saved(Some(elapsed)))
                }
                // Changed while saving: the pending timer (or this) saves again.
                Ok(_) => status.set(SaveStatus::Pending),
            }
        });
    };
    let schedule = move || {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        status.set(SaveStatus::Pending);
        let handle = set_timeout_with_handle(
            move || {
                timer.set_value(None);
                save_now();
            },
            Duration::from_millis(1000),
        )
        .ok();
        timer.set_value(handle);
    };
    Effect::new(move |previous: Option<u64>| {
        let revision = doc.with(Editor::revision);
        if previous.is_some_and(|p| p != revision) {
            schedule();
        }
        revision
    });
    // A save that ended while changes were pending and no timer runs: save again.
    Effect::new(move |_| {
        if status.get() == SaveStatus::Pending && timer.get_value().is_none() {
            schedule();
        }
    });

    // --- Undo / redo from anywhere on the page. -----------------------------------------
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key().to_lowercase();
        if !(ev.ctrl_key() || ev.meta_key()) || ev.alt_key() {
            return;
        }
        if key == "z" && ev.shift_key() || key == "y" {
            ev.prevent_default();
            ctx.redo();
        } else if key == "z" {
            ev.prevent_default();
            ctx.undo();
        }
    });
    on_cleanup(move || keys.remove());

    let title = move || doc.with_demarche(|e| e.demarche().title.clone());
    let can_undo = move || doc.with(Editor::can_undo);
    let can_redo = move || doc.with(Editor::can_redo);
    let status_text = move || match status.get() {
        SaveStatus::Saved(_) => s::SAVED.to_owned(),
        SaveStatus::Pending | SaveStatus::Saving => s::SAVING.to_owned(),
        SaveStatus::Failed(message) => s::save_failed(&message),
    };
    let save_ms = move || match status.get() {
        SaveStatus::Saved(Some(ms)) => Some(format!("{ms:.1}")),
        _ => None,
    };

    view! {
        <header class="designer-header">
            <h1>{s::DESIGNER_TITLE} " : " {title}</h1>
            <div class="designer-toolbar">
                <button type="button" class="button button-secondary" on:click=move |_| ctx.undo()
                    disabled=move || !can_undo() aria-keyshortcuts="Control+Z" title=s::UNDO_HINT>{s::UNDO}</button>
                <button type="button" class="button button-secondary" on:click=move |_| ctx.redo()
                    disabled=move || !can_redo() aria-keyshortcuts="Control+Shift+Z" title=s::REDO_HINT>{s::REDO}</button>
                <p class="designer-save" role="status" data-testid="save-status" data-save-ms=save_ms
                    class:designer-save-failed=move || matches!(status.get(), SaveStatus::Failed(_))>
                    {status_text}
                </p>
                <Publish ctx id published version status save_now/>
            </div>
        </header>
        <p class="sr-only" aria-live="polite" role="status" data-testid="announce">{move || ctx.announce.get()}</p>
        <IdentityCard ctx/>
        <div class="designer-workspace">
            <Palette ctx/>
            <FormOutline ctx/>
            <aside class="designer-properties" aria-labelledby="designer-properties-title">
                <h2 id="designer-properties-title">{s::PROPERTIES_TITLE}</h2>
                <Properties ctx/>
            </aside>
        </div>
        <ProblemList ctx/>
        <Preview ctx/>
    }
}

#[component]
fn Palette(ctx: Ctx) -> impl IntoView {
    view! {
        <nav class="designer-palette" aria-labelledby="designer-palette-title">
            <h2 id="designer-palette-title">{s::PALETTE_TITLE}</h2>
            <p class="hint" id="designer-palette-hint">{s::PALETTE_HINT}</p>
            <ul>
                {PaletteKind::ALL
                    .into_iter()
                    .map(|kind| {
                        view! {
                            <li>
                                <button type="button" class="palette-item" draggable="true"
                                    data-kind=kind.token()
                                    aria-describedby="designer-palette-hint"
                                    on:dragstart=move |ev| drag_start(ctx, &ev, Drag::Palette(kind))
                                    on:dragend=move |_| ctx.drag.set(None)
                                    on:click=move |_| ctx.add_from_palette(kind)>
                                    {kind.label()}
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn FormOutline(ctx: Ctx) -> impl IntoView {
    let steps = move || ctx.doc.with_structure(|e| e.step_ids().to_vec());
    let add_step = move |_| {
        if let Some(id) = ctx.doc.update(|e| e.add_step(usize::MAX)).flatten() {
            ctx.selected.set(Some(Target::Step(id)));
        }
    };
    view! {
        <section class="designer-form" aria-labelledby="designer-form-title">
            <h2 id="designer-form-title">{s::FORM_TITLE}</h2>
            <p class="hint">{s::REORDER_HINT}</p>
            <For each=steps key=|id| *id let:id>
                <StepCard ctx id/>
            </For>
            <button type="button" class="button button-secondary" on:click=add_step>{s::ADD_STEP}</button>
        </section>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct StepView {
    number: usize,
    count: usize,
    code: String,
    title: String,
    condition: Option<String>,
}

#[component]
fn StepCard(ctx: Ctx, id: Id) -> impl IntoView {
    let view = Memo::new(move |_| {
        ctx.doc.with(|e| {
            let index = e.step_index(id)?;
            let step = e.step(id)?;
            Some(StepView {
                number: index + 1,
                count: e.step_ids().len(),
                code: step.code.clone(),
                title: step.title.clone(),
                condition: step
                    .condition
                    .as_ref()
                    .map(|c| super::conditions::describe(c, e.definition())),
            })
        })
    });
    let problems = Memo::new(move |_| ctx.doc.with_step(id, |_| ctx.doc.step_problems(id)));
    let fields = move || ctx.doc.with_structure(|e| e.field_ids(id).to_vec());
    let selected = move || ctx.is_selected(Target::Step(id));
    let title = move || {
        view.with(|v| {
            v.as_ref()
                .map(|v| format!("{} {} : {}", "Étape", v.number, v.title))
        })
    };
    let heading_id = format!("designer-step-{id}-titre");
    let labelled_by = heading_id.clone();
    let errors_id = format!("designer-step-{id}-erreurs");
    let described_by = errors_id.clone();
    let label_for = move || title().unwrap_or_default();
    let empty = move || ctx.doc.with_structure(|e| e.field_ids(id).is_empty());
    view! {
        <section class="designer-step" id=format!("designer-step-{id}")
            class:designer-selected=selected
            class:designer-invalid=move || problems.with(|p| !p.is_empty())
            data-code=move || view.with(|v| v.as_ref().map(|v| v.code.clone()))
            aria-labelledby=labelled_by>
            <div class="designer-step-header" tabindex="0" draggable="true"
                aria-describedby=described_by
                on:click=move |_| ctx.selected.set(Some(Target::Step(id)))
                on:keydown=move |ev| {
                    if ev.alt_key() && ev.key() == "ArrowUp" { ev.prevent_default(); ctx.move_step_by(id, -1, None) }
                    if ev.alt_key() && ev.key() == "ArrowDown" { ev.prevent_default(); ctx.move_step_by(id, 1, None) }
                    if (ev.key() == "Enter" || ev.key() == " ") && ev.target() == ev.current_target() {
                        ev.prevent_default();
                        ctx.selected.set(Some(Target::Step(id)));
                    }
                }
                on:dragstart=move |ev| drag_start(ctx, &ev, Drag::Step(id))
                on:dragend=move |_| ctx.drag.set(None)
                on:dragover=move |ev| allow_drop(&ev)
                on:drop=move |ev| {
                    if let Some(drag) = dropped(ctx, &ev) {
                        // Fields dropped on a step's title go first in that step.
                        let first = ctx.doc.with_untracked(|e| e.field_ids(id).first().copied());
                        ctx.drop_on(drag, id, first);
                    }
                }>
                <h3 id=heading_id>{title}</h3>
                <p class="designer-meta">
                    <code>{move || view.with(|v| v.as_ref().map(|v| v.code.clone()))}</code>
                    {move || view.with(|v| v.as_ref().and_then(|v| v.condition.clone())).map(|c| view! {
                        <span class="designer-badge">{s::CONDITION_SUMMARY} " " {c}</span>
                    })}
                </p>
                <div class="designer-row-actions">
                    <button type="button" class="designer-up"
                        aria-label=move || s::move_field_label(&label_for(), s::UP)
                        disabled=move || view.with(|v| v.as_ref().is_none_or(|v| v.number == 1))
                        on:click=move |ev| { ev.stop_propagation(); ctx.move_step_by(id, -1, Some("designer-up")) }>{s::UP}</button>
                    <button type="button" class="designer-down"
                        aria-label=move || s::move_field_label(&label_for(), s::DOWN)
                        disabled=move || view.with(|v| v.as_ref().is_none_or(|v| v.number == v.count))
                        on:click=move |ev| { ev.stop_propagation(); ctx.move_step_by(id, 1, Some("designer-down")) }>{s::DOWN}</button>
                    <button type="button"
                        aria-label=move || s::move_field_label(&label_for(), s::DELETE)
                        on:click=move |ev| {
                            ev.stop_propagation();
                            let label = label_for();
                            if ctx.doc.update(|e| e.remove_step(id)) == Some(true) {
                                ctx.selected.set(None);
                                ctx.announce.set(s::announce_removed(&label));
                            }
                        }>{s::DELETE}</button>
                </div>
                <ProblemsOf id=errors_id problems=problems.into()/>
            </div>
            <ol class="designer-fields">
                <For each=fields key=|id| *id let:field>
                    <FieldRow ctx id=field step=id/>
                </For>
            </ol>
            <div class="designer-dropzone" data-testid="dropzone"
                on:dragover=move |ev| allow_drop(&ev)
                on:drop=move |ev| {
                    if let Some(drag) = dropped(ctx, &ev) {
                        ctx.drop_on(drag, id, None);
                    }
                }>
                {move || if empty() { s::EMPTY_STEP } else { s::DROP_HERE }}
            </div>
        </section>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct RowView {
    code: String,
    label: String,
    kind: PaletteKind,
    required: bool,
    conditional: bool,
    problems: Vec<String>,
}

#[component]
fn FieldRow(ctx: Ctx, id: Id, step: Id) -> impl IntoView {
    // Only this field's own trigger: the other 499 rows stay asleep while it is edited.
    let row = Memo::new(move |_| {
        ctx.doc.with_field(id, |e| {
            let field = e.field(id)?;
            Some(RowView {
                code: field.code.clone(),
                label: field.label.clone(),
                kind: PaletteKind::of(&field.kind),
                required: field.required,
                conditional: field.condition.is_some(),
                problems: ctx.doc.field_problems(id),
            })
        })
    });
    let problems = Memo::new(move |_| {
        row.with(|r| r.as_ref().map(|r| r.problems.clone()).unwrap_or_default())
    });
    let selected = move || ctx.is_selected(Target::Field(id));
    let label = move || row.with(|r| r.as_ref().map(|r| r.label.clone()).unwrap_or_default());
    let errors_id = format!("designer-field-{id}-erreurs");
    let described_by = errors_id.clone();
    view! {
        <li class="designer-field" id=format!("designer-field-{id}") tabindex="0" draggable="true"
            class:designer-selected=selected
            class:designer-invalid=move || problems.with(|p| !p.is_empty())
            data-code=move || row.with(|r| r.as_ref().map(|r| r.code.clone()))
            aria-current=move || selected().then_some("true")
            aria-describedby=described_by
            on:click=move |_| ctx.selected.set(Some(Target::Field(id)))
            on:keydown=move |ev| {
                if ev.alt_key() && ev.key() == "ArrowUp" { ev.prevent_default(); ctx.move_field_by(id, -1, None) }
                if ev.alt_key() && ev.key() == "ArrowDown" { ev.prevent_default(); ctx.move_field_by(id, 1, None) }
                if (ev.key() == "Enter" || ev.key() == " ") && ev.target() == ev.current_target() {
                    ev.prevent_default();
                    ctx.selected.set(Some(Target::Field(id)));
                }
            }
            on:dragstart=move |ev| drag_start(ctx, &ev, Drag::Field(id))
            on:dragend=move |_| ctx.drag.set(None)
            on:dragover=move |ev| allow_drop(&ev)
            on:drop=move |ev| {
                if let Some(drag) = dropped(ctx, &ev) {
                    ctx.drop_on(drag, step, Some(id));
                }
            }>
            <span class="designer-kind">{move || row.with(|r| r.as_ref().map(|r| r.kind.label()))}</span>
            <span class="designer-label">{label}</span>
            <code class="designer-code">{move || row.with(|r| r.as_ref().map(|r| r.code.clone()))}</code>
            {move || row.with(|r| r.as_ref().is_some_and(|r| r.required)).then(|| view! {
                <span class="designer-badge">{s::REQUIRED_MARK}</span>
            })}
            {move || row.with(|r| r.as_ref().is_some_and(|r| r.conditional)).then(|| view! {
                <span class="designer-badge">{s::CONDITIONAL_MARK}</span>
            })}
            <span class="designer-row-actions">
                <button type="button" class="designer-up"
                    aria-label=move || s::move_field_label(&label(), s::UP)
                    on:click=move |ev| { ev.stop_propagation(); ctx.move_field_by(id, -1, Some("designer-up")) }>{s::UP}</button>
                <button type="button" class="designer-down"
                    aria-label=move || s::move_field_label(&label(), s::DOWN)
                    on:click=move |ev| { ev.stop_propagation(); ctx.move_field_by(id, 1, Some("designer-down")) }>{s::DOWN}</button>
                <button type="button"
                    aria-label=move || s::move_field_label(&label(), s::DUPLICATE)
                    on:click=move |ev| {
                        ev.stop_propagation();
                        if let Some(copy) = ctx.doc.update(|e| e.duplicate_field(id)).flatten() {
                            ctx.selected.set(Some(Target::Field(copy)));
                        }
                    }>{s::DUPLICATE}</button>
                <button type="button"
                    aria-label=move || s::move_field_label(&label(), s::DELETE)
                    on:click=move |ev| {
                        ev.stop_propagation();
                        let text = label();
                        if ctx.doc.update(|e| e.remove_field(id)) == Some(true) {
                            ctx.selected.set(Some(Target::Step(step)));
                            ctx.announce.set(s::announce_removed(&text));
                        }
                    }>{s::DELETE}</button>
            </span>
            <ProblemsOf id=errors_id problems=problems.into()/>
        </li>
    }
}

/// The validation messages of one element, linked to it by `aria-describedby`.
#[component]
pub fn ProblemsOf(id: String, problems: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <ul class="designer-problems" id=id>
            {move || problems.get().into_iter().map(|message| view! {
                <li class="error-message">{message}</li>
            }).collect_view()}
        </ul>
    }
}

/// Every problem, each a button that selects the element it concerns.
#[component]
fn ProblemList(ctx: Ctx) -> impl IntoView {
    let select = move |path: &str| {
        let head = path.split('.').next().unwrap_or_default().to_owned();
        let target = ctx.doc.with_untracked(|e| {
            if matches!(
                head.as_str(),
                "title" | "publication" | "steps" | "beneficiary"
            ) {
                return Some(Target::Demarche);
            }
            if let Some(field) = e.field_by_code(&head) {
                // `groupe.prenom…`: the sub-field's own panel.
                let sub =
                    path.split('.')
                        .nth(1)
                        .and_then(|code| match e.field(field).map(|f| &f.kind) {
                            Some(FieldKind::Group { fields, .. }) => {
                                fields.iter().position(|f| f.code == code)
                            }
                            _ => None,
                        });
                return Some(match sub {
                    Some(index) => Target::SubField(field, index),
                    None => Target::Field(field),
                });
            }
            e.step_ids()
                .iter()
                .find(|id| e.step(**id).is_some_and(|s| s.code == head))
                .map(|id| Target::Step(*id))
        });
        if let Some(target) = target {
            ctx.selected.set(Some(target));
            let element = match target {
                Target::Field(id) | Target::SubField(id, _) => format!("designer-field-{id}"),
                Target::Step(id) => format!("designer-step-{id}"),
                Target::Demarche => "designer-identity".to_owned(),
            };
            refocus(element, None);
        }
    };
    view! {
        <section class="designer-problem-list" aria-labelledby="designer-problems-title">
            <h2 id="designer-problems-title">
                {s::ERRORS_TITLE} " "
                <span data-testid="problem-count">{move || s::errors_count(ctx.doc.problems.with(|p| p.all.len()))}</span>
            </h2>
            {move || {
                let all = ctx.doc.problems.with(|p| p.all.clone());
                if all.is_empty() {
                    view! { <p>{s::NO_ERRORS}</p> }.into_any()
                } else {
                    view! {
                        <ul>
                            {all.into_iter().map(|problem| {
                                let path = problem.path.clone();
                                view! {
                                    <li>
                                        <button type="button" class="link-button" on:click=move |_| select(&path)>
                                            <code>{problem.path.clone()}</code> " : " {problem.message}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Publish(
    ctx: Ctx,
    id: StoredValue<String>,
    published: RwSignal<Option<DemarcheDocument>>,
    version: RwSignal<Option<u32>>,
    status: RwSignal<SaveStatus>,
    save_now: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let changes = RwSignal::new(Vec::<String>::new());
    let refused = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let open = move |_| {
        let current = ctx.doc.with_untracked(Editor::document);
        let list = match published.get_untracked() {
            Some(old) => {
                let list = diff(&old, &current);
                if list.is_empty() {
                    vec![s::NO_CHANGES.to_owned()]
                } else {
                    list
                }
            }
            None => first_publication(&current),
        };
        changes.set(list);
        refused.set(Vec::new());
        notice.set(None);
        if let Some(dialog) = dialog.get() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get() {
            dialog.close();
        }
    };
    let confirm = move |_| {
        busy.set(true);
        let (revision, json, document) = ctx
            .doc
            .with_untracked(|e| (e.revision(), e.document_json(), e.document()));
        spawn_local(async move {
            // Publication freezes the stored draft: store exactly what is on screen first.
            let saved = save_draft(id.get_value(), json).await;
            if saved.is_ok() && ctx.doc.with_untracked(Editor::revision) == revision {
                status.set(SaveStatus::Saved(None));
            } else if saved.is_err() {
                save_now();
            }
            let result = match saved {
                Ok(_) => publish_demarche(id.get_value()).await,
                Err(error) => Err(error),
            };
            busy.set(false);
            match result {
                Ok(number) => {
                    published.set(Some(document));
                    version.set(Some(number));
                    let message = s::published(number);
                    ctx.announce.set(message.clone());
                    notice.set(Some(message));
                    close();
                }
                Err(AppError::Rejected { problems }) => refused.set(
                    problems
                        .into_iter()
                        .map(|p| format!("{} : {}", p.path, p.message))
                        .collect(),
                ),
                Err(other) => refused.set(vec![other.to_string()]),
            }
        });
    };
    view! {
        <button type="button" class="button" on:click=open>{s::PUBLISH}</button>
        {move || notice.get().map(|text| view! { <p class="designer-published" role="status">{text}</p> })}
        <dialog node_ref=dialog class="designer-dialog" aria-labelledby="designer-publish-title">
            <h2 id="designer-publish-title">{s::PUBLISH_CONFIRM_TITLE}</h2>
            <ul data-testid="publish-changes">
                {move || changes.get().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
            {move || {
                let list = refused.get();
                (!list.is_empty()).then(|| view! {
                    <div class="alert alert-error" role="alert">
                        <p>{s::PUBLISH_REFUSED}</p>
                        <ul>{list.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <div class="actions">
                <button type="button" class="button" on:click=confirm disabled=move || busy.get()>{s::PUBLISH_CONFIRM}</button>
                <button type="button" class="button button-secondary" on:click=move |_| close()>{s::CANCEL}</button>
            </div>
        </dialog>
        <span class="designer-version" data-testid="version">
            {move || version.get().map(s::state_published).unwrap_or_else(|| s::STATE_DRAFT.to_owned())}
        </span>
    }
}

/// The citizen's view of the selected step, drawn by the portal's own renderer
/// ([`StepFields`]), so conditions can be tried live. Shown on demand, and redrawn a moment
/// after the last change: rebuilding a whole step per keystroke would cost more than the
/// edit itself on a large form.
#[component]
fn Preview(ctx: Ctx) -> impl IntoView {
    let open = RwSignal::new(false);
    let answers = RwSignal::new(Answers::default());
    let definition = RwSignal::new(None::<Arc<Definition>>);
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let step = Memo::new(move |_| {
        ctx.doc.with(|e| match ctx.selected.get() {
            Some(Target::Field(id) | Target::SubField(id, _)) => {
                e.position(id).map_or(0, |(s, _)| s)
            }
            Some(Target::Step(id)) => e.step_index(id).unwrap_or(0),
            _ => 0,
        })
    });
    Effect::new(move |_| {
        let revision = ctx.doc.with(Editor::revision);
        if !open.get() {
            return revision;
        }
        if definition.with_untracked(Option::is_none) {
            definition.set(Some(Arc::new(
                ctx.doc.with_untracked(|e| e.definition().clone()),
            )));
            return revision;
        }
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                definition.set(Some(Arc::new(
                    ctx.doc.with_untracked(|e| e.definition().clone()),
                )))
            },
            Duration::from_millis(300),
        )
        .ok();
        timer.set_value(handle);
        revision
    });
    let no_errors = Signal::derive(Vec::new);
    view! {
        <section class="designer-preview" aria-labelledby="designer-preview-title">
            <h2 id="designer-preview-title">{s::PREVIEW_TITLE}</h2>
            <button type="button" class="button button-secondary" aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    if open.get_untracked() { definition.set(None); }
                    open.update(|o| *o = !*o);
                }>
                {move || if open.get() { s::PREVIEW_HIDE } else { s::PREVIEW_SHOW }}
            </button>
            {move || {
                let definition = definition.get()?;
                let index = step.get();
                let title = definition.steps.get(index).map(|st| st.title.clone()).unwrap_or_default();
                Some(view! {
                    <div class="designer-preview-page" data-testid="preview">
                        <h3>{title}</h3>
                        <StepFields definition step=index answers errors=no_errors/>
                    </div>
                })
            }}
        </section>
    }
}
