//! On whose behalf a citizen files a démarche, inside one tenant's transaction: whom the
//! démarche's setting lets them choose (themself, the members and children of their household,
//! the organisations they represent), the check of a posted choice, what prefill reads from
//! the chosen beneficiary, and the changes a dossier's answers offer back to the citizen's own
//! record.
//!
//! Every read goes through the citizen's own person record in this tenant's schema: a person
//! or organisation id of another household, or of another commune, is simply not found among
//! theirs.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{Attribute, Certainty, Civility, Origin, PersonView, Relation};
use super::service::{load, person_of_account, record_event, store};
use super::strings as s;
use crate::demarches::beneficiary::{
    BeneficiaryKind, BeneficiaryOption, BeneficiarySetting, CHOICE_SELF,
};
use crate::demarches::model::{
    Address, AnswerValue, CleanAnswers, Definition, FieldKind, IsoDate, OrganisationProfile,
    PersonProfile, Profile, ProfileAttribute,
};
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

/// A member of the citizen's household other than themself.
#[derive(Clone, Debug)]
pub struct Member {
    pub person: PersonView,
    pub relation: Relation,
}

#[derive(FromQueryResult)]
struct MemberRow {
    relation: String,
    id: Uuid,
}

/// The other members of `person`'s household (merged records left out), children by birth
/// date first, then the others by name.
pub async fn members_of(tx: &TenantTx, person: Uuid) -> AppResult<Vec<Member>> {
    let rows: Vec<MemberRow> = tx
        .fetch_all(
            "SELECT m.relation, p.id
               FROM household_members mine
               JOIN household_members m ON m.household_id = mine.household_id
               JOIN people p ON p.id = m.person_id
              WHERE mine.person_id = $1 AND m.person_id <> $1 AND p.merged_into IS NULL
              ORDER BY m.relation <> 'enfant', p.birth_date NULLS LAST, p.given_names, p.id",
            vec![person.into()],
        )
        .await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(view) = load(tx, row.id).await? else {
            continue;
        };
        members.push(Member {
            person: view,
            relation: Relation::parse(&row.relation).unwrap_or(Relation::Autre),
        });
    }
    Ok(members)
}

/// An organisation the citizen represents.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Represented {
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub siret: Option<String>,
    pub rna: Option<String>,
}

/// The organisations `person` represents, by name.
pub async fn organisations_of(tx: &TenantTx, person: Uuid) -> AppResult<Vec<Represented>> {
    tx.fetch_all(
        "SELECT o.id, o.kind, o.name, o.siret, o.rna
           FROM organisation_representatives r JOIN organisations o ON o.id = r.organisation_id
          WHERE r.person_id = $1
          ORDER BY o.name, o.id",
        vec![person.into()],
    )
    .await
}

/// The beneficiary a draft is for, once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    pub kind: BeneficiaryKind,
    pub person: Option<Uuid>,
    pub organisation: Option<Uuid>,
    /// As lists show it ("Léa MARTIN", "Les Amis du Parc").
    pub name: String,
}

/// What the start page offers and checks: the citizen's own record, their household, their
/// organisations.
struct Circle {
    me: Option<PersonView>,
    members: Vec<Member>,
    organisations: Vec<Represented>,
}

async fn circle(tx: &TenantTx, account: Uuid) -> AppResult<Circle> {
    let Some(me) = person_of_account(tx, account).await? else {
        return Ok(Circle {
            me: None,
            members: Vec::new(),
            organisations: Vec::new(),
        });
    };
    Ok(Circle {
        me: load(tx, me).await?,
        members: members_of(tx, me).await?,
        organisations: organisations_of(tx, me).await?,
    })
}

fn birth(person: &PersonView) -> Option<IsoDate> {
    person.birth_date.as_deref().and_then(IsoDate::parse)
}

/// How the age refusal names someone: their first given name, else their full name.
fn first_name(person: &PersonView) -> String {
    person
        .given_names
        .split_whitespace()
        .next()
        .map(str::to_owned)
        .unwrap_or_else(|| person.full_name())
}

/// The kind a household member is as a beneficiary under `setting`, if it allows them.
fn member_kind(setting: &BeneficiarySetting, relation: Relation) -> Option<BeneficiaryKind> {
    match relation {
        Relation::Enfant if setting.child || setting.household_member => {
            Some(BeneficiaryKind::Enfant)
        }
        _ if setting.household_member => Some(BeneficiaryKind::Personne),
        _ => None,
    }
}

fn person_option(
    setting: &BeneficiarySetting,
    person: &PersonView,
    kind: BeneficiaryKind,
    value: String,
    label: String,
    detail: String,
    today: IsoDate,
) -> BeneficiaryOption {
    let refusal = setting
        .age
        .as_ref()
        .and_then(|rule| rule.refusal(&first_name(person), birth(person), today));
    BeneficiaryOption {
        value,
        label,
        detail,
        kind,
        refusal,
    }
}

fn options_of(
    circle: &Circle,
    setting: &BeneficiarySetting,
    today: IsoDate,
) -> Vec<BeneficiaryOption> {
    let mut options = Vec::new();
    if setting.citizen {
        match &circle.me {
            Some(me) => options.push(person_option(
                setting,
                me,
                BeneficiaryKind::Soi,
                CHOICE_SELF.to_owned(),
                s::myself(&me.full_name()),
                String::new(),
                today,
            )),
            None => options.push(BeneficiaryOption {
                value: CHOICE_SELF.to_owned(),
                label: s::MYSELF.to_owned(),
                detail: String::new(),
                kind: BeneficiaryKind::Soi,
                refusal: None,
            }),
        }
    }
    for member in &circle.members {
        let Some(kind) = member_kind(setting, member.relation) else {
            continue;
        };
        let detail = match birth(&member.person) {
            Some(date) => s::member_born(member.relation.label(), &date.to_french()),
            None => member.relation.label().to_owned(),
        };
        options.push(person_option(
            setting,
            &member.person,
            kind,
            format!("personne:{}", member.person.id),
            member.person.full_name(),
            detail,
            today,
        ));
    }
    if setting.organisation {
        for organisation in &circle.organisations {
            let detail = match (&organisation.siret, &organisation.rna) {
                (Some(siret), _) => s::company(siret),
                (None, Some(rna)) => s::association(rna),
                (None, None) => String::new(),
            };
            options.push(BeneficiaryOption {
                value: format!("organisation:{}", organisation.id),
                label: organisation.name.clone(),
                detail,
                kind: BeneficiaryKind::Organisation,
                refusal: None,
            });
        }
    }
    options
}

/// What "Pour qui faites-vous cette démarche ?" offers the citizen with this account: empty
/// when the démarche is for the citizen themself only and sets no age rule (no question).
pub async fn options(
    tx: &TenantTx,
    account: Uuid,
    setting: &BeneficiarySetting,
    today: IsoDate,
) -> AppResult<Vec<BeneficiaryOption>> {
    if setting.is_default() {
        return Ok(Vec::new());
    }
    Ok(options_of(&circle(tx, account).await?, setting, today))
}

fn refuse(message: impl Into<String>) -> AppError {
    AppError::invalid("pour", message)
}

/// Checks the citizen's choice (`pour`: [`CHOICE_SELF`], `personne:<id>`,
/// `organisation:<id>`; none when the démarche asks no question) against the démarche's
/// setting, their household and organisations in this tenant, and the age rule: the
/// beneficiary, or the precise reason it is refused.
pub async fn resolve(
    tx: &TenantTx,
    account: Uuid,
    setting: &BeneficiarySetting,
    choice: Option<&str>,
    today: IsoDate,
) -> AppResult<Chosen> {
    let circle = circle(tx, account).await?;
    let choice = match choice.map(str::trim).filter(|c| !c.is_empty()) {
        Some(choice) => choice,
        None if setting.offers_a_choice() => return Err(refuse(s::CHOOSE_BENEFICIARY)),
        None => CHOICE_SELF,
    };
    let options = options_of(&circle, setting, today);
    let Some(option) = options.iter().find(|o| o.value == choice) else {
        return Err(refuse(unknown_choice(&circle, setting, choice)));
    };
    if let Some(reason) = &option.refusal {
        return Err(refuse(reason.clone()));
    }
    let id = |prefix: &str| {
        choice
            .strip_prefix(prefix)
            .and_then(|raw| Uuid::parse_str(raw).ok())
    };
    Ok(match option.kind {
        BeneficiaryKind::Soi => Chosen {
            kind: BeneficiaryKind::Soi,
            person: circle
                .me
                .as_ref()
                .and_then(|me| Uuid::parse_str(&me.id).ok()),
            organisation: None,
            name: circle
                .me
                .as_ref()
                .map(PersonView::full_name)
                .unwrap_or_default(),
        },
        BeneficiaryKind::Personne | BeneficiaryKind::Enfant => Chosen {
            kind: option.kind,
            person: id("personne:"),
            organisation: None,
            name: option.label.clone(),
        },
        BeneficiaryKind::Organisation => Chosen {
            kind: BeneficiaryKind::Organisation,
            person: None,
            organisation: id("organisation:"),
            name: option.label.clone(),
        },
    })
}

/// Why a choice that is not among the options is refused, as precisely as can be said
/// without telling anything about records that are not the citizen's.
fn unknown_choice(circle: &Circle, setting: &BeneficiarySetting, choice: &str) -> &'static str {
    if choice == CHOICE_SELF {
        return s::NOT_FOR_SELF;
    }
    if let Some(raw) = choice.strip_prefix("personne:") {
        let member = circle.members.iter().find(|m| m.person.id == raw);
        return match member {
            None => s::NOT_IN_HOUSEHOLD,
            Some(m) if m.relation != Relation::Enfant && setting.child => s::ONLY_CHILDREN,
            Some(_) => s::NOT_FOR_MEMBERS,
        };
    }
    if let Some(raw) = choice.strip_prefix("organisation:") {
        let known = circle.organisations.iter().any(|o| o.id.to_string() == raw);
        return if known {
            s::NOT_FOR_ORGANISATIONS
        } else {
            s::NOT_REPRESENTED
        };
    }
    s::CHOOSE_BENEFICIARY
}

fn person_profile(person: &PersonView, only_declared: bool) -> PersonProfile {
    // The citizen's own record starts as a guess from the account's display name: only the
    // values someone stated (with a recorded origin) are worth prefilling.
    let keep = |attribute: Attribute, value: Option<String>| {
        value.filter(|v| {
            !v.trim().is_empty() && (!only_declared || person.provenance.0.contains_key(&attribute))
        })
    };
    PersonProfile {
        given_names: keep(Attribute::GivenNames, Some(person.given_names.clone())),
        birth_name: keep(Attribute::BirthName, Some(person.birth_name.clone())),
        usage_name: keep(Attribute::UsageName, person.usage_name.clone()),
        birth_date: keep(Attribute::BirthDate, person.birth_date.clone())
            .as_deref()
            .and_then(IsoDate::parse),
        birth_place: keep(Attribute::BirthPlace, person.birth_place.clone()),
        birth_country: keep(Attribute::BirthCountry, person.birth_country.clone()),
        gender: person
            .civility
            .filter(|_| !only_declared || person.provenance.0.contains_key(&Attribute::Civility))
            .map(|c| match c {
                Civility::Madame => "female".to_owned(),
                Civility::Monsieur => "male".to_owned(),
            }),
    }
}

/// What prefill reads for `chosen`, from the account's own `base` profile (name, e-mail,
/// certified identity): the beneficiary's person record (the certified identity stays only
/// for the citizen themself, whose fields it locks), the represented organisation, the
/// household's children; the citizen's phone and address from their own record.
pub async fn profile(
    tx: &TenantTx,
    account: Uuid,
    mut base: Profile,
    chosen: &Chosen,
) -> AppResult<Profile> {
    let circle = circle(tx, account).await?;
    if let Some(me) = &circle.me {
        base.phone = me.phone.clone().or(base.phone);
        base.address = me.address.clone().or(base.address);
    }
    base.children = circle
        .members
        .iter()
        .filter(|m| m.relation == Relation::Enfant)
        .map(|m| person_profile(&m.person, false))
        .collect();
    match chosen.kind {
        BeneficiaryKind::Soi => {
            base.person = circle.me.as_ref().map(|me| person_profile(me, true));
        }
        BeneficiaryKind::Personne | BeneficiaryKind::Enfant => {
            let member = circle.members.iter().find(|m| {
                Some(m.person.id.as_str()) == chosen.person.map(|p| p.to_string()).as_deref()
            });
            base.certified = None;
            base.person = member.map(|m| person_profile(&m.person, false));
            if let Some(address) = member.and_then(|m| m.person.address.clone()) {
                base.address = Some(address);
            }
        }
        BeneficiaryKind::Organisation => {
            // The representative's identity is prefilled, editable: locks are for the citizen
            // filing for themself.
            base.person = match base.certified.take() {
                Some(identity) => Some(PersonProfile {
                    given_names: Some(identity.given_name),
                    birth_name: Some(identity.family_name),
                    usage_name: identity.preferred_username,
                    birth_date: identity.birthdate.as_deref().and_then(IsoDate::parse),
                    birth_place: identity.birthplace,
                    birth_country: identity.birthcountry,
                    gender: identity.gender,
                }),
                None => circle.me.as_ref().map(|me| person_profile(me, true)),
            };
            let organisation = circle
                .organisations
                .iter()
                .find(|o| Some(o.id) == chosen.organisation);
            base.organisation = organisation.map(|o| OrganisationProfile {
                name: o.name.clone(),
                siret: o.siret.clone(),
                rna: o.rna.clone(),
            });
        }
    }
    Ok(base)
}

/// The name of the citizen's own person's record, with the account's id: for the draft's
/// record when the démarche asks nothing.
pub async fn myself(tx: &TenantTx, account: Uuid) -> AppResult<Option<(Uuid, String)>> {
    let Some(id) = person_of_account(tx, account).await? else {
        return Ok(None);
    };
    Ok(load(tx, id).await?.map(|p| (id, p.full_name())))
}

// --- Answers offered back to the citizen's record ---------------------------------------------

/// A change a dossier's answers would bring to the citizen's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub attribute: Attribute,
    /// The new value, as the record stores it.
    pub value: UpdateValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateValue {
    Text(String),
    Address(Address),
}

impl UpdateValue {
    pub fn display(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Address(a) => format!("{} {}, {} {}", a.number, a.street, a.postcode, a.commune)
                .trim()
                .to_owned(),
        }
    }
}

/// The answers to fields prefilled with the citizen's address, phone or e-mail that differ
/// from their record: what the summary offers to write back (never silently).
pub fn updates(
    definition: &Definition,
    answers: &CleanAnswers,
    record: &PersonView,
) -> Vec<Update> {
    let mut out: Vec<Update> = Vec::new();
    let fields = definition.steps.iter().flat_map(|step| &step.fields);
    for field in fields {
        let update = match (field.prefill, answers.0.get(&field.code), &field.kind) {
            (Some(ProfileAttribute::Address), Some(AnswerValue::Address(a)), _)
                if record.address.as_ref() != Some(a) =>
            {
                Update {
                    attribute: Attribute::Address,
                    value: UpdateValue::Address(a.clone()),
                }
            }
            (Some(ProfileAttribute::Phone), Some(AnswerValue::Text(phone)), _)
                if record.phone.as_deref() != Some(phone.as_str()) =>
            {
                Update {
                    attribute: Attribute::Phone,
                    value: UpdateValue::Text(phone.clone()),
                }
            }
            (
                Some(ProfileAttribute::Email),
                Some(AnswerValue::Text(email)),
                FieldKind::Email {},
            ) if record.email.as_deref() != Some(email.as_str()) => Update {
                attribute: Attribute::Email,
                value: UpdateValue::Text(email.clone()),
            },
            _ => continue,
        };
        if !out.iter().any(|u| u.attribute == update.attribute) {
            out.push(update);
        }
    }
    out
}

/// The attribute's name in forms and events (`address`, `phone`, `email`).
pub fn attribute_code(attribute: Attribute) -> &'static str {
    match attribute {
        Attribute::Address => "address",
        Attribute::Phone => "phone",
        Attribute::Email => "email",
        _ => "",
    }
}

/// Writes the accepted `updates` into the citizen's record, each declared by them from this
/// démarche, and records the change with the values before and after.
pub async fn apply_updates(
    tx: &TenantTx,
    account: Uuid,
    accepted: &[Update],
    source: &str,
) -> AppResult<usize> {
    let Some(id) = person_of_account(tx, account).await? else {
        return Err(AppError::NotFound(s::NO_RECORD.to_owned()));
    };
    // Two summaries accepted at once write one after the other, each on what the other left.
    tx.execute(
        "SELECT id FROM people WHERE id = $1 FOR UPDATE",
        vec![id.into()],
    )
    .await?;
    let Some(mut record) = load(tx, id).await? else {
        return Err(AppError::NotFound(s::NO_RECORD.to_owned()));
    };
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut changes = Vec::new();
    for update in accepted {
        // A certified value is its provider's to change.
        if record.provenance.certainty(update.attribute) == Certainty::Certified {
            continue;
        }
        let before = match (&update.value, update.attribute) {
            (UpdateValue::Address(a), Attribute::Address) => {
                let before = record.address.as_ref().map(|a| serde_json::json!(a));
                record.address = Some(a.clone());
                before
            }
            (UpdateValue::Text(t), Attribute::Phone) => {
                record.phone.replace(t.clone()).map(serde_json::Value::from)
            }
            (UpdateValue::Text(t), Attribute::Email) => {
                record.email.replace(t.clone()).map(serde_json::Value::from)
            }
            _ => continue,
        };
        record.provenance.0.insert(
            update.attribute,
            Origin {
                certainty: Certainty::Declared,
                source: source.to_owned(),
                at: at.clone(),
            },
        );
        changes.push(serde_json::json!({
            "attribute": attribute_code(update.attribute),
            "before": before,
            "after": match &update.value {
                UpdateValue::Address(a) => serde_json::json!(a),
                UpdateValue::Text(t) => serde_json::json!(t),
            },
        }));
    }
    if changes.is_empty() {
        return Ok(0);
    }
    store(tx, &record).await?;
    record_event(
        tx,
        id,
        Some(account),
        "updated_from_demarche",
        serde_json::json!({ "source": source, "changes": changes }),
    )
    .await?;
    Ok(changes.len())
}
