//! The citizen's pages of the relationship layer: `/mon-compte/informations` (their own
//! record), `/mon-foyer` (their household), `/mes-structures` (the organisations they
//! represent), and the links to them from `/mon-compte`.
//!
//! Every change is a plain form (`ActionForm`), so the pages work without JavaScript; a refused
//! form lists its problems at the top, each linked to its field, and says each one beside it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::api::{
    AddHouseholdMember, AddOrganisation, LeaveOrganisation, RemoveHouseholdMember, SaveMyRecord,
    UpdateHouseholdMember, my_household, my_organisations, my_record,
};
use super::model::{
    Attribute, Certainty, Civility, HouseholdView, MemberView, OrganisationKind, OrganisationView,
    RecordView, Relation,
};
use super::strings as s;
use crate::error::AppError;
use crate::ui::Notice;

/// The message of the problem on `field`, if any.
fn problem_on(error: Option<&AppError>, field: &str) -> Option<String> {
    match error? {
        AppError::Rejected { problems } => problems
            .iter()
            .find(|p| p.path == field)
            .map(|p| p.message.clone()),
        error if error.field() == Some(field) => Some(error.to_string()),
        _ => None,
    }
}

/// A failed load: the message, and the sign-in link when that is what is missing.
fn failure(error: AppError) -> AnyView {
    let login = matches!(error, AppError::Unauthenticated);
    view! {
        <p class="alert alert-error" role="alert">{error.to_string()}</p>
        {login.then(|| view! { <p><A href="/connexion">{crate::account::strings::LOGIN_TITLE}</A></p> })}
    }
    .into_any()
}

/// The last submission's problems: several are listed, each a link to its field (`prefix-field`).
#[component]
fn ProblemSummary(error: Signal<Option<AppError>>, prefix: String) -> impl IntoView {
    move || {
        error.get().map(|error| match error {
            AppError::Rejected { problems } => view! {
                <div class="alert alert-error" role="alert">
                    <p>{s::PROBLEMS_TITLE}</p>
                    <ul>
                        {problems.into_iter().map(|p| view! {
                            <li><a href=format!("#{}-{}", prefix, p.path)>{p.message}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
            other => view! {
                <div class="alert alert-error" role="alert"><p>{other.to_string()}</p></div>
            }
            .into_any(),
        })
    }
}

/// One text input of a form: its label, hint and problem, linked for screen readers.
#[derive(Clone)]
struct Input {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    hint: Option<&'static str>,
    autocomplete: Option<&'static str>,
    inputmode: Option<&'static str>,
    value: String,
}

fn input(name: &'static str, label: &'static str, value: impl Into<String>) -> Input {
    Input {
        name,
        label,
        kind: "text",
        hint: None,
        autocomplete: None,
        inputmode: None,
        value: value.into(),
    }
}

impl Input {
    fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }
    fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = Some(autocomplete);
        self
    }
    fn inputmode(mut self, inputmode: &'static str) -> Self {
        self.inputmode = Some(inputmode);
        self
    }

    fn view(self, prefix: &str, error: Signal<Option<AppError>>) -> impl IntoView + use<> {
        let Input {
            name,
            label,
            kind,
            hint,
            autocomplete,
            inputmode,
            value,
        } = self;
        let id = format!("{prefix}-{name}");
        let hint_id = format!("{id}-aide");
        let error_id = format!("{id}-erreur");
        let message = move || problem_on(error.get().as_ref(), name);
        let described = {
            let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
            move || {
                let mut ids = Vec::new();
                if hint.is_some() {
                    ids.push(hint_id.clone());
                }
                if message().is_some() {
                    ids.push(error_id.clone());
                }
                (!ids.is_empty()).then(|| ids.join(" "))
            }
        };
        view! {
            <div class="field" class:field-invalid=move || message().is_some()>
                <label for=id.clone()>{label}</label>
                {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
                <input id=id.clone() name=name type=kind value=value autocomplete=autocomplete
                    inputmode=inputmode
                    aria-invalid=move || if message().is_some() { "true" } else { "false" }
                    aria-describedby=described/>
                {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
            </div>
        }
    }
}

/// Radio buttons (`options`: value, label) in a fieldset with its legend and problem.
fn choice(
    prefix: &str,
    name: &'static str,
    legend: &'static str,
    options: Vec<(&'static str, &'static str)>,
    checked: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView + use<> {
    let error_id = format!("{prefix}-{name}-erreur");
    let described_id = error_id.clone();
    let message = move || problem_on(error.get().as_ref(), name);
    let radios = options
        .into_iter()
        .enumerate()
        .map(|(i, (value, label))| {
            // The first radio carries the fieldset's id, the target of the summary's link.
            let id = if i == 0 {
                format!("{prefix}-{name}")
            } else {
                format!("{prefix}-{name}-{value}")
            };
            view! {
                <div class="field-checkbox">
                    <input type="radio" id=id.clone() name=name value=value checked={value == checked}/>
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field" class:field-invalid=move || message().is_some()
            aria-describedby=move || message().map(|_| described_id.clone())>
            <legend>{legend}</legend>
            {radios}
            {move || message().map(|text| view! { <p class="error-message" id=error_id.clone()>{text}</p> })}
        </fieldset>
    }
}

/// A value FranceConnect certified: shown, not sent, with its badge in words.
fn certified(label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="field field-certified">
            <p class="label"><strong>{label}</strong></p>
            <p>{value} " " <span class="badge" data-testid="certified-badge">{s::BADGE_CERTIFIED}</span></p>
        </div>
    }
}

fn civility_value(civility: Option<Civility>) -> &'static str {
    civility.map_or("", Civility::as_str)
}

fn civility_options() -> Vec<(&'static str, &'static str)> {
    vec![
        ("madame", s::CIVILITY_MADAME),
        ("monsieur", s::CIVILITY_MONSIEUR),
        ("", s::CIVILITY_NONE),
    ]
}

/// A success notice that the next submission clears.
fn notice_when(done: RwSignal<Option<&'static str>>) -> impl IntoView {
    move || {
        done.get()
            .map(|text| view! { <Notice><p>{text}</p></Notice> })
    }
}

// --- /mon-compte -------------------------------------------------------------------------------

/// The citizen's links to their record, household and organisations (on `/mon-compte`).
#[component]
pub fn AccountPeopleLinks() -> impl IntoView {
    view! {
        <nav aria-label=s::RECORD_TITLE class="account-people-links">
            <ul>
                <li><A href="/mon-compte/informations">{s::RECORD_LINK}</A></li>
                <li><A href="/mon-foyer">{s::HOUSEHOLD_LINK}</A></li>
                <li><A href="/mes-structures">{s::ORGANISATIONS_LINK}</A></li>
            </ul>
        </nav>
    }
}

// --- /mon-compte/informations ------------------------------------------------------------------

#[component]
pub fn MyRecordPage() -> impl IntoView {
    let save = ServerAction::<SaveMyRecord>::new();
    let version = RwSignal::new(0u32);
    let done = RwSignal::new(None);
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            done.set(Some(s::RECORD_SAVED));
            version.update(|v| *v += 1);
        }
        Some(Err(_)) => done.set(None),
        None => {}
    });
    let record = Resource::new(move || version.get(), |_| my_record());
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <Title text=s::RECORD_TITLE/>
        <p><A href="/mon-compte">{crate::account::strings::ACCOUNT_TITLE}</A></p>
        <h1>{s::RECORD_TITLE}</h1>
        <p class="lead">{s::RECORD_INTRO}</p>
        {notice_when(done)}
        <Transition>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <RecordForm record save error/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Transition>
    }
}

#[component]
fn RecordForm(
    record: RecordView,
    save: ServerAction<SaveMyRecord>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let RecordView {
        person,
        account_email,
        email_verified,
    } = record;
    let prefix = "moi";
    let provenance = person.provenance.clone();
    let is_certified =
        move |attribute: Attribute| provenance.certainty(attribute) == Certainty::Certified;
    let civility = if is_certified(Attribute::Civility) {
        certified(
            s::ATTR_CIVILITY,
            person
                .civility
                .map(Civility::label)
                .unwrap_or_default()
                .to_owned(),
        )
        .into_any()
    } else {
        choice(
            prefix,
            "civility",
            s::ATTR_CIVILITY,
            civility_options(),
            civility_value(person.civility),
            error,
        )
        .into_any()
    };
    let text = |attribute: Attribute, spec: Input| {
        if is_certified(attribute) {
            certified(spec.label, spec.value).into_any()
        } else {
            spec.view(prefix, error).into_any()
        }
    };
    let birth_date_french = person
        .birth_date
        .as_deref()
        .and_then(crate::demarches::model::IsoDate::parse)
        .map(crate::demarches::model::IsoDate::to_french)
        .unwrap_or_default();
    let birth_date = if is_certified(Attribute::BirthDate) {
        certified(s::ATTR_BIRTH_DATE, birth_date_french).into_any()
    } else {
        input(
            "birth_date",
            s::ATTR_BIRTH_DATE,
            person.birth_date.clone().unwrap_or_default(),
        )
        .kind("date")
        .hint(s::BIRTH_DATE_HINT)
        .autocomplete("bday")
        .view(prefix, error)
        .into_any()
    };
    let address = person.address.clone().unwrap_or_default();
    let email_badge = if email_verified {
        view! { <span class="badge" data-testid="email-badge">{s::BADGE_EMAIL_VERIFIED}</span> }
            .into_any()
    } else {
        view! { <span class="badge badge-warning" data-testid="email-badge">{s::EMAIL_NOT_VERIFIED}</span> }.into_any()
    };
    let given_names = text(
        Attribute::GivenNames,
        input(
            "given_names",
            s::ATTR_GIVEN_NAMES,
            person.given_names.clone(),
        )
        .autocomplete("given-name"),
    );
    let birth_name = text(
        Attribute::BirthName,
        input("birth_name", s::ATTR_BIRTH_NAME, person.birth_name.clone())
            .autocomplete("family-name"),
    );
    let usage_name = text(
        Attribute::UsageName,
        input(
            "usage_name",
            s::ATTR_USAGE_NAME,
            person.usage_name.clone().unwrap_or_default(),
        ),
    );
    let birth_place = text(
        Attribute::BirthPlace,
        input(
            "birth_place",
            s::ATTR_BIRTH_PLACE,
            person.birth_place.clone().unwrap_or_default(),
        ),
    );
    let phone = input(
        "phone",
        s::ATTR_PHONE,
        person.phone.clone().unwrap_or_default(),
    )
    .kind("tel")
    .hint(s::PHONE_HINT)
    .autocomplete("tel")
    .view(prefix, error);
    let address = view! {
        <fieldset class="field">
            <legend>{s::ADDRESS_LEGEND}</legend>
            <p class="hint">{s::ADDRESS_HINT}</p>
            {input("address_number", s::ADDRESS_NUMBER, address.number.clone()).view(prefix, error)}
            {input("address_street", s::ADDRESS_STREET, address.street.clone()).autocomplete("address-line1").view(prefix, error)}
            {input("address_postcode", s::ADDRESS_POSTCODE, address.postcode.clone()).autocomplete("postal-code").inputmode("numeric").view(prefix, error)}
            {input("address_commune", s::ADDRESS_COMMUNE, address.commune.clone()).autocomplete("address-level2").view(prefix, error)}
        </fieldset>
    };
    view! {
        <ProblemSummary error prefix=prefix.to_owned()/>
        <ActionForm action=save attr:class="form" attr:novalidate=true attr:data-testid="record-form">
            {civility}
            {given_names}
            {birth_name}
            {usage_name}
            {birth_date}
            {birth_place}
            <div class="field field-readonly">
                <p class="label"><strong>{s::ATTR_EMAIL}</strong></p>
                <p><span data-testid="record-email">{account_email}</span> " " {email_badge}</p>
                <p class="hint">{s::EMAIL_HINT}</p>
            </div>
            {phone}
            {address}
            <button type="submit" class="button">{s::RECORD_SAVE}</button>
        </ActionForm>
    }
}

// --- /mon-foyer --------------------------------------------------------------------------------

#[component]
pub fn MyHouseholdPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let done = RwSignal::new(None);
    let changed = move |text: &'static str| {
        done.set(Some(text));
        version.update(|v| *v += 1);
    };
    let household = Resource::new(move || version.get(), |_| my_household());
    view! {
        <Title text=s::HOUSEHOLD_TITLE/>
        <p><A href="/mon-compte">{crate::account::strings::ACCOUNT_TITLE}</A></p>
        <h1>{s::HOUSEHOLD_TITLE}</h1>
        <p class="lead">{s::HOUSEHOLD_INTRO}</p>
        {notice_when(done)}
        <Transition>
            {move || Suspend::new(async move {
                match household.await {
                    Ok(household) => view! { <Household household changed/> }.into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Transition>
    }
}

#[component]
fn Household(
    household: HouseholdView,
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let alone = household.members.len() <= 1;
    let members = household
        .members
        .iter()
        .map(|member| {
            let editable = household.editable(member);
            let is_viewer = member.person_id == household.viewer_id;
            view! { <MemberItem member=member.clone() editable is_viewer changed/> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="membres">
            <h2 id="membres">{s::MEMBERS_TITLE}</h2>
            <ul class="card-list" data-testid="household-members">{members}</ul>
            {alone.then(|| view! { <p>{s::NO_MEMBERS}</p> })}
        </section>
        <section aria-labelledby="ajouter-membre">
            <h2 id="ajouter-membre">{s::MEMBER_ADD_TITLE}</h2>
            <AddMember changed/>
        </section>
    }
}

/// The member form's inputs (`member`: the values to edit; none for a new member).
fn member_fields(
    prefix: &str,
    member: Option<&MemberView>,
    error: Signal<Option<AppError>>,
) -> impl IntoView + use<> {
    let relation = member.map_or("", |m| m.relation.as_str());
    let relations = [Relation::Conjoint, Relation::Enfant, Relation::Autre];
    let relation_id = format!("{prefix}-relation");
    let relation_error_id = format!("{relation_id}-erreur");
    let relation_described = relation_error_id.clone();
    let relation_message = move || problem_on(error.get().as_ref(), "relation");
    let options = relations
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected={r.as_str() == relation}>{r.label()}</option> })
        .collect_view();
    view! {
        <div class="field" class:field-invalid=move || relation_message().is_some()>
            <label for=relation_id.clone()>{s::MEMBER_RELATION}</label>
            <select id=relation_id.clone() name="relation"
                aria-invalid=move || if relation_message().is_some() { "true" } else { "false" }
                aria-describedby=move || relation_message().map(|_| relation_described.clone())>
                {(member.is_none()).then(|| view! { <option value="">"—"</option> })}
                {options}
            </select>
            {move || relation_message().map(|text| view! { <p class="error-message" id=relation_error_id.clone()>{text}</p> })}
        </div>
        {choice(prefix, "civility", s::ATTR_CIVILITY, civility_options(), civility_value(member.and_then(|m| m.civility)), error)}
        {input("given_names", s::ATTR_GIVEN_NAMES, member.map(|m| m.given_names.clone()).unwrap_or_default()).view(prefix, error)}
        {input("birth_name", s::MEMBER_NAME, member.map(|m| m.birth_name.clone()).unwrap_or_default()).view(prefix, error)}
        {input("birth_date", s::ATTR_BIRTH_DATE, member.and_then(|m| m.birth_date.clone()).unwrap_or_default()).kind("date").hint(s::MEMBER_BIRTH_DATE_HINT).view(prefix, error)}
    }
}

#[component]
fn AddMember(changed: impl Fn(&'static str) + Copy + Send + Sync + 'static) -> impl IntoView {
    let add = ServerAction::<AddHouseholdMember>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            changed(s::MEMBER_ADDED);
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let prefix = "nouveau-membre";
    view! {
        <ProblemSummary error prefix=prefix.to_owned()/>
        <ActionForm action=add attr:class="form" attr:novalidate=true attr:data-testid="add-member">
            {member_fields(prefix, None, error)}
            <button type="submit" class="button">{s::MEMBER_ADD}</button>
        </ActionForm>
    }
}

#[component]
fn MemberItem(
    member: MemberView,
    editable: bool,
    is_viewer: bool,
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let mut facts = vec![member.relation.label().to_owned()];
    if let Some(date) = member.birth_date_french() {
        facts.push(format!("{} : {date}", s::ATTR_BIRTH_DATE));
    }
    let own_account = member.has_account && !is_viewer;
    view! {
        <li class="card" data-testid="household-member" data-person=member.person_id.clone()>
            <h3>{member.full_name()} {is_viewer.then(|| format!(" {}", s::YOU))}</h3>
            <p>{facts.join(" – ")}</p>
            {own_account.then(|| view! { <p class="hint">{s::OWN_ACCOUNT}</p> })}
            {editable.then(|| view! { <EditMember member=member.clone() changed/> })}
        </li>
    }
}

#[component]
fn EditMember(
    member: MemberView,
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let update = ServerAction::<UpdateHouseholdMember>::new();
    let remove = ServerAction::<RemoveHouseholdMember>::new();
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(_))) {
            changed(s::MEMBER_SAVED);
        }
    });
    Effect::new(move |_| {
        if matches!(remove.value().get(), Some(Ok(_))) {
            changed(s::MEMBER_REMOVED);
        }
    });
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let prefix = format!("membre-{}", member.person_id);
    let name = member.full_name();
    let fields = member_fields(&prefix, Some(&member), error);
    let (update_id, remove_id) = (member.person_id.clone(), member.person_id.clone());
    let remove_prefix = prefix.clone();
    view! {
        <details>
            <summary>{s::MEMBER_EDIT} " " <span class="sr-only">{name.clone()}</span></summary>
            <ProblemSummary error prefix=prefix/>
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="member" value=update_id/>
                {fields}
                <button type="submit" class="button">{s::MEMBER_SAVE}</button>
            </ActionForm>
        </details>
        <ActionForm action=remove attr:class="inline-form">
            <input type="hidden" name="member" value=remove_id/>
            <ProblemSummary error=remove_error prefix=remove_prefix/>
            <button type="submit" class="button button-secondary">{s::MEMBER_REMOVE} <span class="sr-only">{format!(" : {name}")}</span></button>
        </ActionForm>
    }
}

// --- /mes-structures ---------------------------------------------------------------------------

#[component]
pub fn MyOrganisationsPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let done = RwSignal::new(None);
    let changed = move |text: &'static str| {
        done.set(Some(text));
        version.update(|v| *v += 1);
    };
    let list = Resource::new(move || version.get(), |_| my_organisations());
    view! {
        <Title text=s::ORGANISATIONS_TITLE/>
        <p><A href="/mon-compte">{crate::account::strings::ACCOUNT_TITLE}</A></p>
        <h1>{s::ORGANISATIONS_TITLE}</h1>
        <p class="lead">{s::ORGANISATIONS_INTRO}</p>
        {notice_when(done)}
        <Transition>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! {
                        <section aria-labelledby="structures">
                            <h2 id="structures">{s::ORGANISATIONS_TITLE}</h2>
                            <Organisations list changed/>
                        </section>
                        <section aria-labelledby="ajouter-structure">
                            <h2 id="ajouter-structure">{s::ORGANISATION_ADD_TITLE}</h2>
                            <AddOrganisationForm changed/>
                        </section>
                    }
                    .into_any(),
                    Err(error) => failure(error),
                }
            })}
        </Transition>
    }
}

#[component]
fn Organisations(
    list: Vec<OrganisationView>,
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>{s::ORGANISATIONS_NONE}</p> }.into_any();
    }
    view! {
        <div class="table-wrapper" role="region" aria-label=s::ORGANISATIONS_TITLE tabindex="0">
            <table class="table" data-testid="organisations">
                <caption class="sr-only">{s::ORGANISATIONS_TITLE}</caption>
                <thead><tr>
                    <th scope="col">{s::ORGANISATION_NAME}</th>
                    <th scope="col">{s::ORGANISATION_KIND}</th>
                    <th scope="col">{s::IDENTIFIER_COLUMN}</th>
                    <th scope="col">{s::ROLE_COLUMN}</th>
                    <th scope="col"><span class="sr-only">{s::ORGANISATION_LEAVE}</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|o| view! { <OrganisationRow organisation=o changed/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn OrganisationRow(
    organisation: OrganisationView,
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let leave = ServerAction::<LeaveOrganisation>::new();
    Effect::new(move |_| {
        if matches!(leave.value().get(), Some(Ok(_))) {
            changed(s::ORGANISATION_LEFT);
        }
    });
    let error = Signal::derive(move || leave.value().get().and_then(Result::err));
    let identifier = organisation.identifier();
    let form_id = organisation.id.clone();
    let label = format!(" : {}", organisation.name);
    view! {
        <tr data-testid="organisation" data-organisation=organisation.id.clone()>
            <td>{organisation.name.clone()}</td>
            <td>{organisation.kind.label()}</td>
            <td>{identifier}</td>
            <td>{organisation.role.clone()}</td>
            <td>
                <ActionForm action=leave attr:class="inline-form">
                    <input type="hidden" name="organisation" value=form_id/>
                    <button type="submit" class="link-button">{s::ORGANISATION_LEAVE}
                        <span class="sr-only">{label}</span></button>
                </ActionForm>
                <ProblemSummary error prefix="structure".to_owned()/>
            </td>
        </tr>
    }
}

#[component]
fn AddOrganisationForm(
    changed: impl Fn(&'static str) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let add = ServerAction::<AddOrganisation>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) {
            changed(s::ORGANISATION_ADDED);
        }
    });
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let prefix = "structure";
    let kinds = vec![
        (
            OrganisationKind::Entreprise.as_str(),
            OrganisationKind::Entreprise.label(),
        ),
        (
            OrganisationKind::Association.as_str(),
            OrganisationKind::Association.label(),
        ),
    ];
    view! {
        <ProblemSummary error prefix=prefix.to_owned()/>
        <ActionForm action=add attr:class="form" attr:novalidate=true attr:data-testid="add-organisation">
            {choice(prefix, "kind", s::ORGANISATION_KIND, kinds, "", error)}
            {input("name", s::ORGANISATION_NAME, "").autocomplete("organization").view(prefix, error)}
            {input("number", s::ORGANISATION_NUMBER, "").hint(s::ORGANISATION_NUMBER_HINT).view(prefix, error)}
            {input("role", s::ORGANISATION_ROLE, "").hint(s::ORGANISATION_ROLE_HINT).autocomplete("organization-title").view(prefix, error)}
            <button type="submit" class="button">{s::ORGANISATION_ADD}</button>
        </ActionForm>
    }
}
