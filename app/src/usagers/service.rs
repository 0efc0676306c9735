//! The 360° view in the tenant's schema. Every function starts from the back office's
//! [`Agent`] (rights from `org::rights_of`): managers and admins see every person; an agent
//! sees the people who filed, or are the beneficiary of, a dossier the back office lets them
//! read (its visibility clause, reused as is), and the people agents met at the counter. Any
//! other record is "unknown", whichever way it is asked for; merged records are never listed.

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    AccountLine, AttributeLine, MemberLine, OrganisationLine, PersonDossier, PersonEventLine,
    PersonNote, PersonPage, UsagerLine, french_day,
};
use super::strings as s;
use crate::account::model::Role;
use crate::backoffice::service::{Agent, VISIBLE, person_lines};
use crate::demarches::model::Address;
use crate::dossiers::service::uuid_array;
use crate::error::{AppError, AppResult};
use crate::infra::dates::french_date_time;
use crate::infra::search::people::{COUNTER, Kind, iso_date, phone_digits};
use crate::infra::search::{Indexed, SearchIndexes};
use crate::infra::{AppState, Queries, TenantTx};
use crate::people::model::{Attribute, Certainty, Civility, Origin, PersonView, Relation};
use crate::people::service::{load, record_event, store};

/// Most results of a search.
const LIMIT: usize = 50;

fn unknown() -> AppError {
    AppError::NotFound(s::UNKNOWN.to_owned())
}

/// Managers and admins see every person.
fn sees_everyone(agent: &Agent) -> bool {
    agent.user.has_role(Role::Manager)
}

/// Who may see person `p`: `$1` the agent's readable services, `$3` whether they see everyone.
fn person_visible() -> String {
    format!(
        "p.merged_into IS NULL AND ($3::boolean
           OR EXISTS (SELECT 1 FROM users c WHERE c.id = p.created_by AND c.kind = 'agent')
           OR EXISTS (SELECT 1 FROM dossiers d WHERE d.user_id = p.account_id AND {VISIBLE})
           OR EXISTS (SELECT 1 FROM dossiers d WHERE d.beneficiary_person_id = p.id AND {VISIBLE}))"
    )
}

/// Who may see organisation `o`, with the same parameters.
fn organisation_visible() -> String {
    format!(
        "($3::boolean
           OR EXISTS (SELECT 1 FROM users c WHERE c.id = o.created_by AND c.kind = 'agent')
           OR EXISTS (SELECT 1 FROM dossiers d WHERE d.beneficiary_organisation_id = o.id AND {VISIBLE}))"
    )
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

/// The person `id` if the agent may see it.
async fn visible_person(tx: &TenantTx, agent: &Agent, id: &str) -> AppResult<PersonView> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown())?;
    let found: Option<IdRow> = tx
        .fetch_optional(
            &format!(
                "SELECT p.id FROM people p WHERE p.id = $2 AND {}",
                person_visible()
            ),
            vec![
                agent.readable().into(),
                id.into(),
                sees_everyone(agent).into(),
            ],
        )
        .await?;
    let Some(found) = found else {
        return Err(unknown());
    };
    load(tx, found.id).await?.ok_or_else(unknown)
}

/// The index terms an agent's search is limited to; `None`: everything.
fn scope_of(agent: &Agent) -> Option<Vec<String>> {
    if sees_everyone(agent) {
        return None;
    }
    let mut scope: Vec<String> = agent
        .rights
        .services(crate::org::model::Access::Consultation)
        .iter()
        .map(Uuid::to_string)
        .collect();
    scope.push(COUNTER.to_owned());
    Some(scope)
}

/// Builds the tenant's people index if it has none (a commune's first search), so that a
/// search never answers from an index that was never filled.
pub async fn ensure_index(state: &AppState, tenant: &crate::infra::Tenant) -> AppResult<()> {
    let people = state.search().people();
    if !people.exists(tenant) {
        people
            .rebuild(state, std::sync::Arc::new(tenant.clone()))
            .await?;
    }
    Ok(())
}

/// Makes the people `ids` searchable as they now are (read in a transaction of their own,
/// after the change committed).
pub async fn index_people(
    state: &AppState,
    tenant: &crate::infra::Tenant,
    ids: &[Uuid],
) -> AppResult<()> {
    let tenant = std::sync::Arc::new(tenant.clone());
    let tx = TenantTx::begin(state, tenant.clone()).await?;
    let indexed = state.search().people().index_people(&tx, ids).await?;
    tx.commit().await?;
    if indexed == Indexed::Missing {
        state.search().people().rebuild(state, tenant).await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct PersonLineRow {
    id: Uuid,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
    birth_date: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    has_account: bool,
}

impl PersonLineRow {
    fn name(&self) -> String {
        PersonView {
            given_names: self.given_names.clone(),
            birth_name: self.birth_name.clone(),
            usage_name: self.usage_name.clone(),
            ..Default::default()
        }
        .full_name()
    }
}

#[derive(FromQueryResult)]
struct OrganisationLineRow {
    id: Uuid,
    name: String,
    siret: Option<String>,
    rna: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(FromQueryResult)]
struct RepresentativeRow {
    organisation_id: Uuid,
    person_id: Uuid,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
}

/// People and organisations matching `text` that the agent may see, best first. The index
/// answers within the agent's scope; the lines are read back with the rights checked again.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn search(
    tx: &TenantTx,
    indexes: &SearchIndexes,
    agent: &Agent,
    text: &str,
) -> AppResult<Vec<UsagerLine>> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("q", s::SEARCH_EMPTY));
    }
    if text.chars().count() > 200 {
        return Err(AppError::invalid("q", s::SEARCH_TOO_LONG));
    }
    let scope = scope_of(agent);
    let hits = indexes
        .people()
        .search(tx.tenant(), text, scope.as_deref(), LIMIT)?;
    let people: Vec<Uuid> = hits
        .iter()
        .filter(|(k, _)| *k == Kind::Person)
        .map(|(_, id)| *id)
        .collect();
    let organisations: Vec<Uuid> = hits
        .iter()
        .filter(|(k, _)| *k == Kind::Organisation)
        .map(|(_, id)| *id)
        .collect();
    let all = sees_everyone(agent);
    let mut lines: std::collections::HashMap<Uuid, UsagerLine> = Default::default();
    if !people.is_empty() {
        let rows: Vec<PersonLineRow> = tx
            .fetch_all(
                &format!(
                    "SELECT p.id, p.given_names, p.birth_name, p.usage_name, p.birth_date::text AS birth_date,
                            p.email, p.phone, p.account_id IS NOT NULL AS has_account
                       FROM people p WHERE p.id = ANY ($2::uuid[]) AND {}",
                    person_visible()
                ),
                vec![
                    agent.readable().into(),
                    uuid_array(&people).into(),
                    all.into(),
                ],
            )
            .await?;
        for row in rows {
            lines.insert(
                row.id,
                UsagerLine {
                    id: row.id.to_string(),
                    organisation: false,
                    name: row.name(),
                    detail: row
                        .birth_date
                        .as_deref()
                        .map(french_day)
                        .unwrap_or_default(),
                    email: row.email,
                    phone: row.phone,
                    has_account: row.has_account,
                    representatives: Vec::new(),
                },
            );
        }
    }
    if !organisations.is_empty() {
        let rows: Vec<OrganisationLineRow> = tx
            .fetch_all(
                &format!(
                    "SELECT o.id, o.name, o.siret, o.rna, o.email, o.phone
                       FROM organisations o WHERE o.id = ANY ($2::uuid[]) AND {}",
                    organisation_visible()
                ),
                vec![
                    agent.readable().into(),
                    uuid_array(&organisations).into(),
                    all.into(),
                ],
            )
            .await?;
        // Only the representatives the agent may see themselves are named.
        let representatives: Vec<RepresentativeRow> = tx
            .fetch_all(
                &format!(
                    "SELECT r.organisation_id, p.id AS person_id, p.given_names, p.birth_name, p.usage_name
                       FROM organisation_representatives r JOIN people p ON p.id = r.person_id
                      WHERE r.organisation_id = ANY ($2::uuid[]) AND {}
                      ORDER BY p.birth_name, p.given_names",
                    person_visible()
                ),
                vec![
                    agent.readable().into(),
                    uuid_array(&organisations).into(),
                    all.into(),
                ],
            )
            .await?;
        for row in rows {
            let named = representatives
                .iter()
                .filter(|r| r.organisation_id == row.id)
                .map(|r| {
                    let view = PersonView {
                        given_names: r.given_names.clone(),
                        birth_name: r.birth_name.clone(),
                        usage_name: r.usage_name.clone(),
                        ..Default::default()
                    };
                    (r.person_id.to_string(), view.full_name())
                })
                .collect();
            lines.insert(
                row.id,
                UsagerLine {
                    id: row.id.to_string(),
                    organisation: true,
                    name: row.name,
                    detail: row.siret.or(row.rna).unwrap_or_default(),
                    email: row.email,
                    phone: row.phone,
                    has_account: false,
                    representatives: named,
                },
            );
        }
    }
    Ok(hits.iter().filter_map(|(_, id)| lines.remove(id)).collect())
}

fn attribute_value(person: &PersonView, attribute: Attribute) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    match attribute {
        Attribute::Civility => match person.civility {
            Some(Civility::Madame) => s::CIVILITY_MADAME.to_owned(),
            Some(Civility::Monsieur) => s::CIVILITY_MONSIEUR.to_owned(),
            None => String::new(),
        },
        Attribute::GivenNames => person.given_names.clone(),
        Attribute::BirthName => person.birth_name.clone(),
        Attribute::UsageName => text(&person.usage_name),
        Attribute::BirthDate => person
            .birth_date
            .as_deref()
            .map(french_day)
            .unwrap_or_default(),
        Attribute::BirthPlace => text(&person.birth_place),
        Attribute::BirthCountry => text(&person.birth_country),
        Attribute::Email => text(&person.email),
        Attribute::Phone => text(&person.phone),
        Attribute::Address => person
            .address
            .as_ref()
            .map(|a| {
                format!("{} {}, {} {}", a.number, a.street, a.postcode, a.commune)
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default(),
    }
}

/// Everything the 360° page shows about person `id`.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn person_page(tx: &TenantTx, agent: &Agent, id: &str) -> AppResult<PersonPage> {
    let person = visible_person(tx, agent, id).await?;
    let person_id = Uuid::parse_str(&person.id).map_err(|_| unknown())?;
    let attributes = Attribute::ALL
        .into_iter()
        .map(|attribute| {
            let origin = person.provenance.0.get(&attribute);
            AttributeLine {
                attribute,
                label: attribute.label().to_owned(),
                value: attribute_value(&person, attribute),
                certainty: person.provenance.certainty(attribute),
                source: origin.map(|o| o.source.clone()),
                editable: person.provenance.editable_by_agent(attribute),
            }
        })
        .collect();

    #[derive(FromQueryResult)]
    struct Account {
        email: String,
        display_name: String,
        created_at: OffsetDateTime,
        email_verified: bool,
    }
    let account: Option<Account> = tx
        .fetch_optional(
            "SELECT u.email, u.display_name, u.created_at, u.email_verified_at IS NOT NULL AS email_verified
               FROM people p JOIN users u ON u.id = p.account_id WHERE p.id = $1",
            vec![person_id.into()],
        )
        .await?;

    #[derive(FromQueryResult)]
    struct Member {
        person_id: Uuid,
        given_names: String,
        birth_name: String,
        usage_name: Option<String>,
        birth_date: Option<String>,
        relation: String,
    }
    let members: Vec<Member> = tx
        .fetch_all(
            "SELECT o.person_id, p.given_names, p.birth_name, p.usage_name, p.birth_date::text AS birth_date, o.relation
               FROM household_members m
               JOIN household_members o ON o.household_id = m.household_id
               JOIN people p ON p.id = o.person_id
              WHERE m.person_id = $1 AND p.merged_into IS NULL
              ORDER BY CASE o.relation WHEN 'referent' THEN 0 WHEN 'conjoint' THEN 1 WHEN 'enfant' THEN 2 ELSE 3 END,
                       p.birth_date NULLS LAST, p.given_names",
            vec![person_id.into()],
        )
        .await?;

    #[derive(FromQueryResult)]
    struct Organisation {
        id: Uuid,
        name: String,
        kind: String,
        identifier: Option<String>,
        role: String,
    }
    let organisations: Vec<Organisation> = tx
        .fetch_all(
            "SELECT o.id, o.name, o.kind, COALESCE(o.siret, o.rna) AS identifier, r.role
               FROM organisation_representatives r JOIN organisations o ON o.id = r.organisation_id
              WHERE r.person_id = $1 ORDER BY o.name",
            vec![person_id.into()],
        )
        .await?;

    let lines = person_lines(tx, agent, person_id).await?;
    #[derive(FromQueryResult)]
    struct DossierFacts {
        id: Uuid,
        owner: bool,
        beneficiary: bool,
        messages: i64,
        letters: i64,
    }
    let ids: Vec<Uuid> = lines.iter().map(|(id, _)| *id).collect();
    let facts: Vec<DossierFacts> = if ids.is_empty() {
        Vec::new()
    } else {
        tx.fetch_all(
            "SELECT d.id,
                    COALESCE(d.user_id = (SELECT account_id FROM people WHERE id = $2), false) AS owner,
                    COALESCE(d.beneficiary_person_id = $2, false) AS beneficiary,
                    (SELECT count(*) FROM dossier_messages m WHERE m.dossier_id = d.id) AS messages,
                    (SELECT count(*) FROM dossier_responses r WHERE r.dossier_id = d.id) AS letters
               FROM dossiers d WHERE d.id = ANY ($1::uuid[])",
            vec![uuid_array(&ids).into(), person_id.into()],
        )
        .await?
    };
    let dossiers = lines
        .into_iter()
        .map(|(id, line)| {
            let fact = facts.iter().find(|f| f.id == id);
            PersonDossier {
                line,
                owner: fact.is_some_and(|f| f.owner),
                beneficiary: fact.is_some_and(|f| f.beneficiary),
                messages: fact.map_or(0, |f| f.messages.max(0) as u64),
                letters: fact.map_or(0, |f| f.letters.max(0) as u64),
            }
        })
        .collect();

    #[derive(FromQueryResult)]
    struct Note {
        author: Option<String>,
        created_at: OffsetDateTime,
        body: String,
    }
    let notes: Vec<Note> = tx
        .fetch_all(
            "SELECT u.display_name AS author, n.created_at, n.body
               FROM person_notes n LEFT JOIN users u ON u.id = n.author_id
              WHERE n.person_id = $1 ORDER BY n.created_at DESC, n.id",
            vec![person_id.into()],
        )
        .await?;

    #[derive(FromQueryResult)]
    struct Event {
        at: OffsetDateTime,
        who: Option<String>,
        kind: String,
        detail: String,
    }
    let events: Vec<Event> = tx
        .fetch_all(
            "SELECT e.at, u.display_name AS who, e.kind, e.detail::text AS detail
               FROM person_events e LEFT JOIN users u ON u.id = e.by_user
              WHERE e.person_id = $1 ORDER BY e.id DESC",
            vec![person_id.into()],
        )
        .await?;

    #[derive(FromQueryResult)]
    struct Counter {
        counter: bool,
    }
    let counter: Option<Counter> = tx
        .fetch_optional(
            "SELECT EXISTS (SELECT 1 FROM users c WHERE c.id = p.created_by AND c.kind = 'agent') AS counter
               FROM people p WHERE p.id = $1",
            vec![person_id.into()],
        )
        .await?;

    Ok(PersonPage {
        name: person.full_name(),
        attributes,
        account: account.map(|a| AccountLine {
            email: a.email,
            display_name: a.display_name,
            created_on: crate::infra::dates::french_date(a.created_at),
            email_verified: a.email_verified,
        }),
        household: members
            .into_iter()
            .map(|m| {
                let view = PersonView {
                    given_names: m.given_names,
                    birth_name: m.birth_name,
                    usage_name: m.usage_name,
                    ..Default::default()
                };
                MemberLine {
                    person_id: m.person_id.to_string(),
                    name: view.full_name(),
                    relation: Relation::parse(&m.relation)
                        .map(|r| r.label().to_owned())
                        .unwrap_or(m.relation),
                    birth_date: m.birth_date.as_deref().map(french_day),
                    is_self: m.person_id == person_id,
                }
            })
            .collect(),
        organisations: organisations
            .into_iter()
            .map(|o| OrganisationLine {
                id: o.id.to_string(),
                name: o.name,
                kind: o.kind,
                identifier: o.identifier.unwrap_or_default(),
                role: o.role,
            })
            .collect(),
        dossiers,
        notes: notes
            .into_iter()
            .map(|n| PersonNote {
                author: n.author.unwrap_or_default(),
                at: french_date_time(n.created_at),
                body: n.body,
            })
            .collect(),
        history: events
            .into_iter()
            .map(|e| PersonEventLine {
                at: french_date_time(e.at),
                who: e.who.unwrap_or_else(|| s::SYSTEM.to_owned()),
                what: event_text(&e.kind, &e.detail),
            })
            .collect(),
        met_at_counter: counter.is_some_and(|c| c.counter),
        person,
    })
}

/// A line of the record's history in words.
fn event_text(kind: &str, detail: &str) -> String {
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    match kind {
        "created" if detail.get("from").and_then(|f| f.as_str()) == Some("counter") => {
            s::EVENT_CREATED_AT_COUNTER.to_owned()
        }
        "created" => s::EVENT_CREATED.to_owned(),
        "synced_from_account" => s::EVENT_SYNCED.to_owned(),
        "certification_removed" => s::EVENT_CERTIFICATION_REMOVED.to_owned(),
        "edited" => {
            let mut parts = Vec::new();
            if let Some(changes) = detail.get("changes").and_then(|c| c.as_object()) {
                for (name, change) in changes {
                    let label = serde_json::from_value::<Attribute>(serde_json::Value::String(
                        name.clone(),
                    ))
                    .map(|a| a.label().to_owned())
                    .unwrap_or_else(|_| name.clone());
                    let show = |v: Option<&serde_json::Value>| match v {
                        Some(serde_json::Value::String(text)) => text.clone(),
                        Some(serde_json::Value::Null) | None => "—".to_owned(),
                        Some(other) => other.to_string(),
                    };
                    parts.push(format!(
                        "{label} : {} → {}",
                        show(change.get("before")),
                        show(change.get("after"))
                    ));
                }
            }
            let checked = detail.get("checked").and_then(|c| c.as_bool()) == Some(true);
            let mut text = s::EVENT_EDITED.to_owned();
            if checked {
                text.push_str(&format!(" ({})", s::EVENT_CHECKED));
            }
            if !parts.is_empty() {
                text.push_str(" — ");
                text.push_str(&parts.join(" ; "));
            }
            text
        }
        other => other.to_owned(),
    }
}

/// The attributes of a person as an agent's form posts them; `None`: not sent (a certified
/// value is shown, not posted).
#[derive(Clone, Debug, Default)]
pub struct PersonForm {
    pub civility: Option<String>,
    pub given_names: Option<String>,
    pub birth_name: Option<String>,
    pub usage_name: Option<String>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub birth_country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address_number: Option<String>,
    pub address_street: Option<String>,
    pub address_postcode: Option<String>,
    pub address_commune: Option<String>,
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn checked_len(field: &str, value: &str, max: usize, message: &str) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::invalid(field, message));
    }
    Ok(())
}

fn parse_civility(value: &str) -> AppResult<Option<Civility>> {
    match value.trim() {
        "" => Ok(None),
        "madame" => Ok(Some(Civility::Madame)),
        "monsieur" => Ok(Some(Civility::Monsieur)),
        _ => Err(AppError::invalid("civility", s::CIVILITY_INVALID)),
    }
}

/// `14/03/1985` (or ISO) → `1985-03-14`, a real date, not in the future.
pub fn parse_birth_date(value: &str) -> AppResult<Option<String>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let iso =
        iso_date(value).ok_or_else(|| AppError::invalid("birth_date", s::BIRTH_DATE_INVALID))?;
    let invalid = || AppError::invalid("birth_date", s::BIRTH_DATE_INVALID);
    let mut parts = iso.split('-').map(str::parse::<i32>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let day = u8::try_from(day).map_err(|_| invalid())?;
    let date = time::Date::from_calendar_date(year, month, day).map_err(|_| invalid())?;
    if date.year() < 1880 {
        return Err(AppError::invalid("birth_date", s::BIRTH_DATE_INVALID));
    }
    if date > OffsetDateTime::now_utc().date() {
        return Err(AppError::invalid("birth_date", s::BIRTH_DATE_FUTURE));
    }
    Ok(Some(iso))
}

fn parse_email(value: &str) -> AppResult<Option<String>> {
    let Some(value) = optional(value) else {
        return Ok(None);
    };
    let valid = value.len() <= 254
        && !value.contains(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if !valid {
        return Err(AppError::invalid("email", s::EMAIL_INVALID));
    }
    Ok(Some(value))
}

fn parse_phone(value: &str) -> AppResult<Option<String>> {
    let Some(value) = optional(value) else {
        return Ok(None);
    };
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')'));
    let digits = phone_digits(&value).unwrap_or_default();
    let valid = allowed
        && if value.starts_with('+') {
            (8..=15).contains(&digits.len())
        } else {
            digits.len() == 10 && digits.starts_with('0')
        };
    if !valid {
        return Err(AppError::invalid("phone", s::PHONE_INVALID));
    }
    Ok(Some(value))
}

fn parse_address(form: &PersonForm) -> AppResult<Option<Address>> {
    let get = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (number, street, postcode, commune) = (
        get(&form.address_number),
        get(&form.address_street),
        get(&form.address_postcode),
        get(&form.address_commune),
    );
    if [&number, &street, &postcode, &commune]
        .iter()
        .all(|v| v.is_empty())
    {
        return Ok(None);
    }
    if street.is_empty() || postcode.is_empty() || commune.is_empty() {
        return Err(AppError::invalid("address_street", s::ADDRESS_INCOMPLETE));
    }
    if postcode.len() != 5 || !postcode.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid("address_postcode", s::POSTCODE_INVALID));
    }
    for (field, value) in [
        ("address_number", &number),
        ("address_street", &street),
        ("address_commune", &commune),
    ] {
        checked_len(field, value, 200, s::TEXT_TOO_LONG)?;
    }
    Ok(Some(Address {
        number,
        street,
        postcode,
        commune,
    }))
}

/// The record `form` describes, over `base` (attributes not sent keep their value).
fn apply_form(base: &PersonView, form: &PersonForm) -> AppResult<PersonView> {
    let mut next = base.clone();
    if let Some(v) = &form.civility {
        next.civility = parse_civility(v)?;
    }
    if let Some(v) = &form.given_names {
        checked_len("given_names", v.trim(), 100, s::NAME_TOO_LONG)?;
        next.given_names = v.trim().to_owned();
    }
    if let Some(v) = &form.birth_name {
        if v.trim().is_empty() {
            return Err(AppError::invalid("birth_name", s::BIRTH_NAME_REQUIRED));
        }
        checked_len("birth_name", v.trim(), 100, s::NAME_TOO_LONG)?;
        next.birth_name = v.trim().to_owned();
    }
    if let Some(v) = &form.usage_name {
        checked_len("usage_name", v.trim(), 100, s::NAME_TOO_LONG)?;
        next.usage_name = optional(v);
    }
    if let Some(v) = &form.birth_date {
        next.birth_date = parse_birth_date(v)?;
    }
    if let Some(v) = &form.birth_place {
        checked_len("birth_place", v.trim(), 200, s::TEXT_TOO_LONG)?;
        next.birth_place = optional(v);
    }
    if let Some(v) = &form.birth_country {
        checked_len("birth_country", v.trim(), 200, s::TEXT_TOO_LONG)?;
        next.birth_country = optional(v);
    }
    if let Some(v) = &form.email {
        next.email = parse_email(v)?;
    }
    if let Some(v) = &form.phone {
        next.phone = parse_phone(v)?;
    }
    let address_sent = [
        &form.address_number,
        &form.address_street,
        &form.address_postcode,
        &form.address_commune,
    ]
    .iter()
    .any(|v| v.is_some());
    if address_sent {
        next.address = parse_address(form)?;
    }
    Ok(next)
}

fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A person met at the counter (no account): created by the agent, every value declared with
/// the agent as its source. Returns the new record's id.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn create_at_counter(tx: &TenantTx, agent: &Agent, form: &PersonForm) -> AppResult<Uuid> {
    let mut form = form.clone();
    // The birth name is required at creation even when the field was left out.
    form.birth_name.get_or_insert_with(String::new);
    let person = apply_form(&PersonView::default(), &form)?;
    // Met at the counter, perhaps already known online: `create` queues suspected pairs.
    crate::people::service::create(
        tx,
        person,
        Some(agent.id),
        &agent.user.display_name,
        serde_json::json!({ "from": "counter" }),
    )
    .await
}

/// What [`edit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    Changed,
    Unchanged,
}

/// An agent corrects the attributes that are not certified; `checked`: they checked the
/// values on a document ("vérifié sur pièce"), which marks every value they send as checked
/// by the commune. Every change is in the record's history, with its values before and after.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn edit(
    tx: &TenantTx,
    agent: &Agent,
    id: &str,
    form: &PersonForm,
    checked: bool,
) -> AppResult<Edited> {
    let current = visible_person(tx, agent, id).await?;
    let person_id = Uuid::parse_str(&current.id).map_err(|_| unknown())?;
    // Serialise concurrent corrections of one record.
    tx.execute(
        "SELECT 1 FROM people WHERE id = $1 FOR UPDATE",
        vec![person_id.into()],
    )
    .await?;
    let current = load(tx, person_id).await?.ok_or_else(unknown)?;
    let mut next = apply_form(&current, form)?;
    let sent = |attribute: Attribute| match attribute {
        Attribute::Civility => form.civility.is_some(),
        Attribute::GivenNames => form.given_names.is_some(),
        Attribute::BirthName => form.birth_name.is_some(),
        Attribute::UsageName => form.usage_name.is_some(),
        Attribute::BirthDate => form.birth_date.is_some(),
        Attribute::BirthPlace => form.birth_place.is_some(),
        Attribute::BirthCountry => form.birth_country.is_some(),
        Attribute::Email => form.email.is_some(),
        Attribute::Phone => form.phone.is_some(),
        Attribute::Address => {
            form.address_street.is_some()
                || form.address_number.is_some()
                || form.address_postcode.is_some()
                || form.address_commune.is_some()
        }
    };
    let at = now_rfc3339();
    let mut changes = serde_json::Map::new();
    let mut upgraded = Vec::new();
    for attribute in Attribute::ALL {
        let before = current.value_of(attribute);
        let after = next.value_of(attribute);
        let changed = before != after;
        let editable = current.provenance.editable_by_agent(attribute);
        if changed && !editable {
            return Err(AppError::Forbidden(s::certified_refused(attribute.label())));
        }
        if !editable {
            continue;
        }
        let has_value = !after.is_null() && after != serde_json::Value::String(String::new());
        let upgrade = checked
            && sent(attribute)
            && has_value
            && current.provenance.certainty(attribute) < Certainty::AgentChecked;
        if changed || upgrade {
            if has_value {
                next.provenance.0.insert(
                    attribute,
                    Origin {
                        certainty: if checked {
                            Certainty::AgentChecked
                        } else {
                            Certainty::Declared
                        },
                        source: agent.user.display_name.clone(),
                        at: at.clone(),
                    },
                );
            } else {
                next.provenance.0.remove(&attribute);
            }
        }
        if changed {
            changes.insert(
                serde_json::to_value(attribute)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                serde_json::json!({ "before": before, "after": after }),
            );
        } else if upgrade {
            upgraded.push(attribute);
        }
    }
    if changes.is_empty() && upgraded.is_empty() {
        return Ok(Edited::Unchanged);
    }
    store(tx, &next).await?;
    record_event(
        tx,
        person_id,
        Some(agent.id),
        "edited",
        serde_json::json!({ "changes": changes, "checked": checked, "checked_unchanged": upgraded }),
    )
    .await?;
    Ok(Edited::Changed)
}

/// An internal note on the person.
pub async fn add_note(tx: &TenantTx, agent: &Agent, id: &str, body: &str) -> AppResult<()> {
    let person = visible_person(tx, agent, id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", s::NOTE_EMPTY));
    }
    if body.chars().count() > 5_000 {
        return Err(AppError::invalid("body", s::NOTE_TOO_LONG));
    }
    let person_id = Uuid::parse_str(&person.id).map_err(|_| unknown())?;
    tx.execute(
        "INSERT INTO person_notes (id, person_id, author_id, body) VALUES ($1, $2, $3, $4)",
        vec![
            Uuid::new_v4().into(),
            person_id.into(),
            agent.id.into(),
            body.into(),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_are_read_the_french_way_and_checked() {
        assert_eq!(
            parse_birth_date("14/03/1985").unwrap().as_deref(),
            Some("1985-03-14")
        );
        assert_eq!(parse_birth_date("").unwrap(), None);
        assert!(parse_birth_date("31/02/1985").is_err());
        assert!(parse_birth_date("14/03/2999").is_err());
    }

    #[test]
    fn phones_and_emails_are_checked_with_precise_messages() {
        assert!(parse_phone("06 12 34 56 78").unwrap().is_some());
        assert!(parse_phone("+33 6 12 34 56 78").unwrap().is_some());
        assert!(parse_phone("0612").is_err());
        assert!(parse_email("marie@example.org").unwrap().is_some());
        assert!(parse_email("marie@").is_err());
    }

    #[test]
    fn an_edit_keeps_what_the_form_did_not_send() {
        let base = PersonView {
            given_names: "Marie".into(),
            birth_name: "Martin".into(),
            phone: Some("0612345678".into()),
            ..Default::default()
        };
        let form = PersonForm {
            usage_name: Some("Dupont".into()),
            ..Default::default()
        };
        let next = apply_form(&base, &form).unwrap();
        assert_eq!(next.phone, base.phone);
        assert_eq!(next.usage_name.as_deref(), Some("Dupont"));
        assert_eq!(
            event_text(
                "edited",
                r#"{"changes":{"phone":{"before":"06","after":"07"}},"checked":true}"#
            ),
            "Fiche corrigée (vérifiée sur pièce) — Téléphone : 06 → 07"
        );
    }
}
