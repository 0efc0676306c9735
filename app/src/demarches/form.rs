//! The citizen's form: the fields of one step as HTML controls. The portal's filling pages and
//! the designer's live preview both render démarches with it, so what an agent previews is
//! what a citizen gets.
//!
//! Controls are named for a plain form post (see [`super::form_data`]), so a step works before
//! and without WASM. Once hydrated, every change updates `answers`, and conditional fields
//! appear and disappear from [`assess`] — the same traversal the server validates with.
//! Hidden fields carry `data-hidden`; the stylesheet hides them only on hydrated pages, since
//! without WASM nothing could reveal them again (the server drops their answers anyway).
//!
//! A field its [`Locks`] fix (a certified identity's value) is read-only — text inputs
//! `readonly`, the other options of a choice `disabled` — and says who certified it; its control
//! stays in the form and is posted like any other, and the server keeps the certified value
//! whatever comes.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;

use super::answers::assess;
use super::form_data::{
    StepAction, answer_level_mut, control_id, items_name, keep_control_id, keep_name, wallet_name,
};
use super::model::{
    Address, AnswerError, Answers, ChoiceDisplay, ChoiceOption, Definition, Field, FieldKind,
    FileRef, Locks, ProfileAttribute, RawAnswer,
};
use super::problems::{Problem, message_id, messages_at, name_problems};
use super::strings as s;
use crate::wallet::model::WalletChoice;

/// Where a control's answer lives: a top-level field, or a field inside a group item.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slot {
    group: Option<(String, usize)>,
    code: String,
}

impl Slot {
    fn path(&self) -> String {
        match &self.group {
            None => self.code.clone(),
            Some((group, index)) => format!("{group}[{index}].{}", self.code),
        }
    }

    fn get(&self, answers: &Answers) -> Option<RawAnswer> {
        match &self.group {
            None => answers.0.get(&self.code).cloned(),
            Some((group, index)) => match answers.0.get(group) {
                Some(RawAnswer::Group(items)) => items.get(*index)?.0.get(&self.code).cloned(),
                _ => None,
            },
        }
    }

    fn set(&self, answers: &mut Answers, value: Option<RawAnswer>) {
        let path = self.path();
        let Some((level, code)) = answer_level_mut(answers, &path) else {
            return;
        };
        match value {
            Some(value) => level.insert(code.to_owned(), value),
            None => level.remove(code),
        };
    }
}

/// Shared by every control of one rendered step.
#[derive(Clone, Copy)]
struct FormState {
    answers: RwSignal<Answers>,
    hidden: Memo<BTreeSet<String>>,
    /// The problems of `errors`, each placed on the element that shows it.
    problems: Memo<Vec<Problem>>,
    /// The signed-in citizen's wallet pieces a files field may offer instead of an upload.
    wallet: StoredValue<Vec<WalletChoice>>,
}

impl FormState {
    fn text(&self, slot: &Slot) -> String {
        match self.answers.with_untracked(|a| slot.get(a)) {
            Some(RawAnswer::Text(text)) => text,
            Some(RawAnswer::YesNo(true)) => "oui".to_owned(),
            Some(RawAnswer::YesNo(false)) => "non".to_owned(),
            _ => String::new(),
        }
    }

    /// The message shown beside the element at `at` (see [`Problem::at`]), if any.
    fn message(&self, at: &str) -> Option<String> {
        self.problems.with(|problems| messages_at(problems, at))
    }

    fn invalid(&self, at: &str) -> &'static str {
        if self.message(at).is_some() {
            "true"
        } else {
            "false"
        }
    }
}

/// The fields of `definition.steps[step]`, bound to `answers`, with the messages of `errors`
/// shown on the fields they concern; those `locks` fix are read-only.
#[component]
pub fn StepFields(
    definition: Arc<Definition>,
    step: usize,
    answers: RwSignal<Answers>,
    errors: Signal<Vec<AnswerError>>,
    #[prop(optional)] locks: Locks,
    /// Pieces of the citizen's wallet (`crate::wallet`) offered on files fields.
    #[prop(optional)]
    wallet: Vec<WalletChoice>,
) -> impl IntoView {
    let for_memo = definition.clone();
    let hidden = Memo::new(move |_| answers.with(|a| assess(&for_memo, a).hidden));
    let for_problems = definition.clone();
    let problems = Memo::new(move |_| errors.with(|e| name_problems(&for_problems, e)));
    let state = FormState {
        answers,
        hidden,
        problems,
        wallet: StoredValue::new(wallet),
    };
    let fields = definition
        .steps
        .get(step)
        .map(|s| s.fields.clone())
        .unwrap_or_default();
    fields
        .into_iter()
        .map(|field| {
            let slot = Slot {
                group: None,
                code: field.code.clone(),
            };
            let certified_by = locks.certifier(&field.code).map(str::to_owned);
            view! { <FieldView field at=slot state certified_by/> }
        })
        .collect_view()
}

/// `certified_by`: the field holds a certified value, and this provider certified it.
#[component]
fn FieldView(
    field: Field,
    at: Slot,
    state: FormState,
    #[prop(default = None)] certified_by: Option<String>,
) -> impl IntoView {
    let slot = at;
    let certified = certified_by.as_deref();
    let path = slot.path();
    let hidden_path = path.clone();
    let is_hidden = move || state.hidden.with(|h| h.contains(&hidden_path));
    let body = match &field.kind {
        FieldKind::Explanation { body } => view! {
            <div class="form-explanation">
                <h3>{field.label.clone()}</h3>
                <p>{body.clone()}</p>
            </div>
        }
        .into_any(),
        FieldKind::SectionHeader {} => {
            view! { <h2 class="form-section">{field.label.clone()}</h2> }.into_any()
        }
        FieldKind::YesNo {} => {
            let options = vec![
                ChoiceOption {
                    value: "oui".into(),
                    label: s::YES.into(),
                },
                ChoiceOption {
                    value: "non".into(),
                    label: s::NO.into(),
                },
            ];
            choice_fieldset(&field, &slot, state, options, false, certified).into_any()
        }
        FieldKind::SingleChoice {
            options,
            display: ChoiceDisplay::Radio,
        } => choice_fieldset(&field, &slot, state, options.clone(), false, certified).into_any(),
        FieldKind::MultipleChoice { options, .. } => {
            choice_fieldset(&field, &slot, state, options.clone(), true, certified).into_any()
        }
        FieldKind::SingleChoice {
            options,
            display: ChoiceDisplay::List,
        } => select(&field, &slot, state, options.clone(), certified).into_any(),
        FieldKind::Address {} => address(&field, &slot, state).into_any(),
        FieldKind::Files {
            accepted_types,
            max_size_bytes,
            max_files,
        } => files(
            &field,
            &slot,
            state,
            accepted_types,
            *max_size_bytes,
            *max_files,
        )
        .into_any(),
        FieldKind::Group {
            fields,
            min_items,
            max_items,
        } => group(&field, &slot, state, fields.clone(), *min_items, *max_items).into_any(),
        FieldKind::LongText { max_length, .. } => text_control(
            &field,
            &slot,
            state,
            TextControl::Area(*max_length),
            certified,
        )
        .into_any(),
        FieldKind::ShortText { max_length, .. } => text_control(
            &field,
            &slot,
            state,
            TextControl::Input("text", *max_length),
            certified,
        )
        .into_any(),
        FieldKind::Email {} => text_control(
            &field,
            &slot,
            state,
            TextControl::Input("email", None),
            certified,
        )
        .into_any(),
        FieldKind::Phone {} => text_control(
            &field,
            &slot,
            state,
            TextControl::Input("tel", None),
            certified,
        )
        .into_any(),
        FieldKind::Integer { .. } | FieldKind::Siret {} => text_control(
            &field,
            &slot,
            state,
            TextControl::Numeric("numeric"),
            certified,
        )
        .into_any(),
        FieldKind::Decimal { .. } => text_control(
            &field,
            &slot,
            state,
            TextControl::Numeric("decimal"),
            certified,
        )
        .into_any(),
        FieldKind::Date { min, max } => text_control(
            &field,
            &slot,
            state,
            TextControl::Date(min.map(|d| d.to_string()), max.map(|d| d.to_string())),
            certified,
        )
        .into_any(),
    };
    view! {
        <div class="form-field" data-path=path data-hidden=move || if is_hidden() { "true" } else { "false" }>
            {body}
        </div>
    }
}

fn label_text(field: &Field) -> String {
    if field.required {
        format!("{} *", field.label)
    } else {
        field.label.clone()
    }
}

/// The message block beside the element at `at`: always on the page (hidden while empty), so
/// the enhance bundle fills the same element the server does. The element it describes
/// carries `data-error-id` with its id.
fn message_block(at: &str, state: FormState) -> impl IntoView + use<> {
    let (text_at, hidden_at) = (at.to_owned(), at.to_owned());
    view! {
        <p class="error-message" id=message_id(at) hidden=move || state.message(&hidden_at).is_none()>
            {move || state.message(&text_at)}
        </p>
    }
}

/// `aria-describedby` of the element at `at`: its help (ids, if any), then its message when
/// shown.
fn describing(
    at: &str,
    help: Vec<String>,
    state: FormState,
) -> impl Fn() -> Option<String> + use<> {
    let at = at.to_owned();
    move || {
        let mut ids = help.clone();
        if state.message(&at).is_some() {
            ids.push(message_id(&at));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// The help text, the certification mention (`certified`: who certified the value) and the
/// message block of a field, and its `aria-describedby`.
fn help_and_errors(
    field: &Field,
    path: &str,
    state: FormState,
    certified: Option<&str>,
) -> (impl IntoView + use<>, impl Fn() -> Option<String> + use<>) {
    let help_id = format!("{}-aide", control_id(path));
    let certified_id = format!("{}-certifie", control_id(path));
    let has_help = !field.help.is_empty();
    let help =
        has_help.then(|| view! { <p class="hint" id=help_id.clone()>{field.help.clone()}</p> });
    let mention = certified.map(|by| {
        view! {
            <p class="certified-mention" id=certified_id.clone()>
                <span aria-hidden="true">"✓ "</span>{s::certified_by(by)}
            </p>
        }
    });
    let ids = [(has_help, help_id), (certified.is_some(), certified_id)];
    let ids = ids
        .into_iter()
        .filter(|(shown, _)| *shown)
        .map(|(_, id)| id);
    let described = describing(path, ids.collect(), state);
    (
        view! { {help} {mention} {message_block(path, state)} },
        described,
    )
}

/// The browser's autofill token for a prefilled field (the citizen's own device may know it).
fn autocomplete_token(attribute: ProfileAttribute) -> Option<&'static str> {
    Some(match attribute {
        ProfileAttribute::Email => "email",
        ProfileAttribute::Phone => "tel",
        ProfileAttribute::DisplayName => "name",
        ProfileAttribute::GivenName => "given-name",
        ProfileAttribute::BirthName | ProfileAttribute::UsageName => "family-name",
        ProfileAttribute::BirthDate => "bday",
        ProfileAttribute::OrganisationName => "organization",
        ProfileAttribute::Address
        | ProfileAttribute::OrganisationSiret
        | ProfileAttribute::OrganisationRna
        | ProfileAttribute::HouseholdChildren
        | ProfileAttribute::BirthPlace
        | ProfileAttribute::BirthCountry
        | ProfileAttribute::Gender => return None,
    })
}

enum TextControl {
    Input(&'static str, Option<u32>),
    Numeric(&'static str),
    Date(Option<String>, Option<String>),
    Area(Option<u32>),
}

fn text_control(
    field: &Field,
    slot: &Slot,
    state: FormState,
    control: TextControl,
    certified: Option<&str>,
) -> impl IntoView {
    let path = slot.path();
    let id = control_id(&path);
    let value = state.text(slot);
    let (extras, described_by) = help_and_errors(field, &path, state, certified);
    let readonly = certified.is_some();
    let invalid_path = path.clone();
    let invalid = move || state.invalid(&invalid_path);
    let error_id = message_id(&path);
    let update = {
        let slot = slot.clone();
        move |text: String| {
            let value = (!text.trim().is_empty()).then_some(RawAnswer::Text(text));
            state.answers.update(|a| slot.set(a, value));
        }
    };
    let autocomplete = field.prefill.and_then(autocomplete_token);
    let control = match control {
        TextControl::Area(max) => view! {
            <textarea id=id.clone() name=path.clone() rows="5" maxlength=max readonly=readonly data-error-id=error_id.clone()
                aria-required=field.required.then_some("true") aria-invalid=invalid aria-describedby=described_by
                on:input=move |ev| update(event_target_value(&ev))>{value}</textarea>
        }
        .into_any(),
        TextControl::Input(kind, max) => view! {
            <input id=id.clone() name=path.clone() type=kind value=value maxlength=max autocomplete=autocomplete readonly=readonly data-error-id=error_id.clone()
                aria-required=field.required.then_some("true") aria-invalid=invalid aria-describedby=described_by
                on:input=move |ev| update(event_target_value(&ev))/>
        }
        .into_any(),
        TextControl::Numeric(mode) => view! {
            <input id=id.clone() name=path.clone() type="text" inputmode=mode value=value readonly=readonly data-error-id=error_id.clone()
                aria-required=field.required.then_some("true") aria-invalid=invalid aria-describedby=described_by
                on:input=move |ev| update(event_target_value(&ev))/>
        }
        .into_any(),
        TextControl::Date(min, max) => view! {
            <input id=id.clone() name=path.clone() type="date" value=value min=min max=max autocomplete=autocomplete readonly=readonly data-error-id=error_id.clone()
                aria-required=field.required.then_some("true") aria-invalid=invalid aria-describedby=described_by
                on:input=move |ev| update(event_target_value(&ev))/>
        }
        .into_any(),
    };
    view! {
        <label for=id>{label_text(field)}</label>
        {extras}
        {control}
    }
}

fn choice_fieldset(
    field: &Field,
    slot: &Slot,
    state: FormState,
    options: Vec<ChoiceOption>,
    multiple: bool,
    certified: Option<&str>,
) -> impl IntoView {
    let path = slot.path();
    let id = control_id(&path);
    let (extras, described_by) = help_and_errors(field, &path, state, certified);
    let invalid_path = path.clone();
    let selected: Vec<String> = match state.answers.with_untracked(|a| slot.get(a)) {
        Some(RawAnswer::Choices(values)) => values,
        Some(RawAnswer::Text(value)) => vec![value],
        Some(RawAnswer::YesNo(yes)) => vec![if yes { "oui" } else { "non" }.to_owned()],
        _ => Vec::new(),
    };
    let yes_no = matches!(field.kind, FieldKind::YesNo {});
    let inputs = options
        .into_iter()
        .enumerate()
        .map(|(index, option)| {
            let option_id = format!("{id}-{index}");
            let checked = selected.contains(&option.value);
            // Locked: only the certified option can be (and stays) chosen.
            let disabled = certified.is_some() && !checked;
            let slot = slot.clone();
            let value = option.value.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let ticked = event_target_checked(&ev);
                let value = value.clone();
                state.answers.update(|a| {
                    let answer = if multiple {
                        let mut values = match slot.get(a) {
                            Some(RawAnswer::Choices(values)) => values,
                            _ => Vec::new(),
                        };
                        values.retain(|v| *v != value);
                        if ticked {
                            values.push(value);
                        }
                        (!values.is_empty()).then_some(RawAnswer::Choices(values))
                    } else if yes_no {
                        Some(RawAnswer::YesNo(value == "oui"))
                    } else {
                        Some(RawAnswer::Text(value))
                    };
                    slot.set(a, answer);
                });
            };
            view! {
                <div class="choice">
                    <input type=if multiple { "checkbox" } else { "radio" } id=option_id.clone() name=path.clone()
                        value=option.value.clone() checked=checked disabled=disabled on:change=on_change/>
                    <label for=option_id>{option.label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices" aria-describedby=described_by data-error-id=message_id(&path)
            aria-invalid=move || state.invalid(&invalid_path)>
            <legend>{label_text(field)}</legend>
            {extras}
            {inputs}
        </fieldset>
    }
}

fn select(
    field: &Field,
    slot: &Slot,
    state: FormState,
    options: Vec<ChoiceOption>,
    certified: Option<&str>,
) -> impl IntoView {
    let path = slot.path();
    let id = control_id(&path);
    let current = state.text(slot);
    let (extras, described_by) = help_and_errors(field, &path, state, certified);
    let locked = certified.is_some();
    let invalid_path = path.clone();
    let error_id = message_id(&path);
    let slot = slot.clone();
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let answer = (!value.is_empty()).then_some(RawAnswer::Text(value));
        state.answers.update(|a| slot.set(a, answer));
    };
    let choices = options
        .into_iter()
        .map(|option| {
            let selected = option.value == current;
            let disabled = locked && !selected;
            view! { <option value=option.value selected=selected disabled=disabled>{option.label}</option> }
        })
        .collect_view();
    view! {
        <label for=id.clone()>{label_text(field)}</label>
        {extras}
        <select id=id name=path aria-describedby=described_by aria-required=field.required.then_some("true")
            aria-invalid=move || state.invalid(&invalid_path) data-error-id=error_id on:change=on_change>
            <option value="" disabled=locked>{s::CHOOSE}</option>
            {choices}
        </select>
    }
}

fn address(field: &Field, slot: &Slot, state: FormState) -> impl IntoView {
    let path = slot.path();
    let (extras, described_by) = help_and_errors(field, &path, state, None);
    let invalid_path = path.clone();
    let current = match state.answers.with_untracked(|a| slot.get(a)) {
        Some(RawAnswer::Address(address)) => address,
        _ => Address::default(),
    };
    let part = |name: &'static str,
                label: &'static str,
                value: String,
                autocomplete: &'static str| {
        let part_path = format!("{path}.{name}");
        let id = control_id(&part_path);
        let slot = slot.clone();
        let invalid_path = part_path.clone();
        let described = describing(&part_path, Vec::new(), state);
        let block = message_block(&part_path, state);
        let error_id = message_id(&part_path);
        let on_input = move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            state.answers.update(|a| {
                let mut address = match slot.get(a) {
                    Some(RawAnswer::Address(address)) => address,
                    _ => Address::default(),
                };
                match name {
                    "number" => address.number = text,
                    "street" => address.street = text,
                    "postcode" => address.postcode = text,
                    _ => address.commune = text,
                }
                let blank = [
                    &address.number,
                    &address.street,
                    &address.postcode,
                    &address.commune,
                ]
                .iter()
                .all(|p| p.trim().is_empty());
                slot.set(a, (!blank).then_some(RawAnswer::Address(address)));
            });
        };
        view! {
            <div class=format!("address-part address-{name}")>
                <label for=id.clone()>{label}</label>
                <input id=id.clone() name=part_path type="text" value=value autocomplete=autocomplete
                    aria-invalid=move || state.invalid(&invalid_path) aria-describedby=described
                    data-error-id=error_id on:input=on_input/>
                {block}
            </div>
        }
    };
    view! {
        <fieldset class="address" aria-describedby=described_by data-error-id=message_id(&path)
            aria-invalid=move || state.invalid(&invalid_path)>
            <legend>{label_text(field)}</legend>
            {extras}
            {part("number", s::ADDRESS_NUMBER, current.number.clone(), "off")}
            {part("street", s::ADDRESS_STREET, current.street.clone(), "address-line1")}
            {part("postcode", s::ADDRESS_POSTCODE, current.postcode.clone(), "postal-code")}
            {part("commune", s::ADDRESS_COMMUNE, current.commune.clone(), "address-level2")}
        </fieldset>
    }
}

fn files(
    field: &Field,
    slot: &Slot,
    state: FormState,
    accepted: &[String],
    max_size: u64,
    max_files: u32,
) -> impl IntoView {
    let path = slot.path();
    let id = control_id(&path);
    let (extras, described_by) = help_and_errors(field, &path, state, None);
    let invalid_path = path.clone();
    let error_id = message_id(&path);
    let rules = s::file_rules(accepted, max_size, max_files);
    let accept = (!accepted.is_empty()).then(|| accepted.join(","));
    let keep_name = keep_name(&path);
    let attached = {
        let slot = slot.clone();
        move || match state.answers.with(|a| slot.get(a)) {
            Some(RawAnswer::Files(files)) => files,
            _ => Vec::<FileRef>::new(),
        }
    };
    let list = {
        let slot = slot.clone();
        let path = path.clone();
        move || {
            attached()
                .into_iter()
                .map(|file| {
                    let keep_id = keep_control_id(&path, &file.id);
                    let slot = slot.clone();
                    let file_id = file.id.clone();
                    let on_change = move |ev: leptos::ev::Event| {
                        if !event_target_checked(&ev) {
                            let file_id = file_id.clone();
                            state.answers.update(|a| {
                                let remaining: Vec<FileRef> = match slot.get(a) {
                                    Some(RawAnswer::Files(files)) => {
                                        files.into_iter().filter(|f| f.id != file_id).collect()
                                    }
                                    _ => Vec::new(),
                                };
                                slot.set(a, (!remaining.is_empty()).then_some(RawAnswer::Files(remaining)));
                            });
                        }
                    };
                    view! {
                        <li class="attached-file">
                            <input type="checkbox" id=keep_id.clone() name=keep_name.clone() value=file.id.clone()
                                checked=true on:change=on_change/>
                            <label for=keep_id>{format!("{} ({})", file.name, s::human_size(file.size))}</label>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    view! {
        <label for=id.clone()>{label_text(field)}</label>
        {extras}
        <p class="hint">{rules}</p>
        <ul class="attached-files" aria-live="polite">{list}</ul>
        <input id=id name=path.clone() type="file" multiple={max_files > 1} accept=accept
            data-field=path.clone() aria-describedby=described_by data-error-id=error_id
            aria-invalid=move || state.invalid(&invalid_path)/>
        <p class="upload-progress" hidden=true></p>
        {wallet_choice(&path, accepted, state)}
    }
}

/// "Choisir dans mon porte-documents": the wallet pieces whose (sniffed) type the field
/// accepts, posted with the step form; nothing when there are none (anonymous drafts too).
fn wallet_choice(
    path: &str,
    accepted: &[String],
    state: FormState,
) -> Option<impl IntoView + use<>> {
    let fitting: Vec<WalletChoice> = state.wallet.with_value(|pieces| {
        pieces
            .iter()
            .filter(|p| {
                accepted.is_empty()
                    || accepted
                        .iter()
                        .any(|t| super::answers::type_matches(t, &p.content_type))
            })
            .cloned()
            .collect()
    });
    if fitting.is_empty() {
        return None;
    }
    let name = wallet_name(path);
    let id = control_id(&name);
    Some(view! {
        <div class="wallet-choice">
            <label for=id.clone()>{crate::wallet::strings::PICK_LABEL}</label>
            <select id=id name=name>
                <option value="">{crate::wallet::strings::PICK_NONE}</option>
                {fitting.into_iter().map(|p| view! { <option value=p.id>{p.label}</option> }).collect_view()}
            </select>
        </div>
    })
}

fn group(
    field: &Field,
    slot: &Slot,
    state: FormState,
    fields: Vec<Field>,
    min_items: u32,
    max_items: u32,
) -> impl IntoView {
    let path = slot.path();
    let (extras, described_by) = help_and_errors(field, &path, state, None);
    let invalid_path = path.clone();
    let code = slot.code.clone();
    let count = {
        let slot = slot.clone();
        Memo::new(move |_| match state.answers.with(|a| slot.get(a)) {
            Some(RawAnswer::Group(items)) => items.len(),
            _ => 0,
        })
    };
    let label = field.label.clone();
    let items = {
        let code = code.clone();
        move || {
            (0..count.get())
                .map(|index| {
                    let item_fields = fields
                        .iter()
                        .cloned()
                        .map(|field| {
                            let slot = Slot {
                                group: Some((code.clone(), index)),
                                code: field.code.clone(),
                            };
                            view! { <FieldView field at=slot state/> }
                        })
                        .collect_view();
                    let remove = StepAction::RemoveItem(code.clone(), index);
                    let code = code.clone();
                    let on_remove = move |ev: leptos::ev::MouseEvent| {
                        ev.prevent_default();
                        let action = StepAction::RemoveItem(code.clone(), index);
                        state.answers.update(|a| super::form_data::apply_group_action(a, &action));
                    };
                    view! {
                        <fieldset class="group-item">
                            <legend>{s::item_legend(&label, index + 1)}</legend>
                            {item_fields}
                            <button type="submit" class="button button-secondary" name="_action" value=remove.encode()
                                on:click=on_remove>{s::REMOVE_ITEM}</button>
                        </fieldset>
                    }
                })
                .collect_view()
        }
    };
    let add = StepAction::AddItem(code.clone());
    let on_add = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let action = StepAction::AddItem(code.clone());
        state
            .answers
            .update(|a| super::form_data::apply_group_action(a, &action));
    };
    let count_name = items_name(&path);
    view! {
        <fieldset class="group" id=control_id(&path) tabindex="-1" aria-describedby=described_by
            data-error-id=message_id(&path) aria-invalid=move || state.invalid(&invalid_path)>
            <legend>{label_text(field)}</legend>
            {extras}
            <p class="hint">{s::group_rules(min_items, max_items)}</p>
            <input type="hidden" name=count_name value=move || count.get().to_string()/>
            {items}
            <button type="submit" class="button button-secondary" name="_action" value=add.encode()
                disabled={move || count.get() >= max_items as usize} on:click=on_add>{s::ADD_ITEM}</button>
        </fieldset>
    }
}
