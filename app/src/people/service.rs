//! Person records inside one tenant's transaction: the one kept for every citizen account, in
//! step with what the account knows for certain (verified e-mail, certified identity), and the
//! record's history.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{Attribute, Certainty, Civility, Origin, PersonView};
use crate::demarches::model::Address;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

fn internal<E: std::fmt::Display>(error: E) -> AppError {
    tracing::error!(%error, "people");
    AppError::Internal
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[derive(FromQueryResult)]
struct AccountRow {
    email: String,
    display_name: String,
    email_verified: bool,
    certified_identity: Option<String>,
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

/// The person of a citizen account, created if the account has none yet; its e-mail and, when
/// a provider certified the account's identity, its certified attributes are brought in line
/// with the account. Called wherever an account is created or its identity certified; `None`
/// for an agent's account (agents are no citizens' records).
pub async fn sync_account(tx: &TenantTx, account_id: Uuid) -> AppResult<Option<Uuid>> {
    let Some(account) = tx
        .fetch_optional::<AccountRow>(
            "SELECT email, display_name, email_verified_at IS NOT NULL AS email_verified,
                    certified_identity::text AS certified_identity
               FROM users WHERE id = $1 AND kind = 'citizen'",
            vec![account_id.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let existing: Option<IdRow> = tx
        .fetch_optional(
            "SELECT id FROM people WHERE account_id = $1 FOR UPDATE",
            vec![account_id.into()],
        )
        .await?;
    let created = existing.is_none();
    let person = match existing {
        Some(row) => row.id,
        None => {
            let id = Uuid::new_v4();
            let (given, birth) = split_display_name(&account.display_name);
            tx.execute(
                "INSERT INTO people (id, account_id, given_names, birth_name, email)
                 VALUES ($1, $2, $3, $4, $5)",
                vec![
                    id.into(),
                    account_id.into(),
                    given.into(),
                    birth.into(),
                    account.email.clone().into(),
                ],
            )
            .await?;
            record_event(
                tx,
                id,
                None,
                "created",
                serde_json::json!({"from": "account"}),
            )
            .await?;
            id
        }
    };
    let mut record = load(tx, person).await?.ok_or(AppError::Internal)?;
    let at = now_rfc3339();
    let mut changed = Vec::new();
    if account.email_verified
        && record.provenance.certainty(Attribute::Email) < Certainty::EmailVerified
    {
        record.email = Some(account.email.clone());
        record.provenance.0.insert(
            Attribute::Email,
            Origin {
                certainty: Certainty::EmailVerified,
                source: super::strings::SOURCE_ACCOUNT.to_owned(),
                at: at.clone(),
            },
        );
        changed.push(Attribute::Email);
    }
    if let Some(identity) = account.certified_identity.as_deref().and_then(|json| {
        serde_json::from_str::<crate::identity::model::CertifiedIdentity>(json).ok()
    }) {
        let origin = Origin {
            certainty: Certainty::Certified,
            source: identity.provider.clone(),
            at: identity.certified_at.clone(),
        };
        let mut certify = |attribute: Attribute, differs: bool| {
            if differs || record.provenance.certainty(attribute) < Certainty::Certified {
                changed.push(attribute);
            }
            record.provenance.0.insert(attribute, origin.clone());
        };
        certify(
            Attribute::GivenNames,
            record.given_names != identity.given_name,
        );
        record.given_names = identity.given_name.clone();
        certify(
            Attribute::BirthName,
            record.birth_name != identity.family_name,
        );
        record.birth_name = identity.family_name.clone();
        if let Some(usage) = identity
            .preferred_username
            .clone()
            .filter(|u| !u.trim().is_empty())
        {
            certify(
                Attribute::UsageName,
                record.usage_name.as_ref() != Some(&usage),
            );
            record.usage_name = Some(usage);
        }
        if let Some(date) = identity.birthdate.clone() {
            certify(
                Attribute::BirthDate,
                record.birth_date.as_ref() != Some(&date),
            );
            record.birth_date = Some(date);
        }
        if let Some(place) = identity.birthplace.clone().filter(|p| !p.is_empty()) {
            certify(
                Attribute::BirthPlace,
                record.birth_place.as_ref() != Some(&place),
            );
            record.birth_place = Some(place);
        }
        if let Some(country) = identity.birthcountry.clone() {
            certify(
                Attribute::BirthCountry,
                record.birth_country.as_ref() != Some(&country),
            );
            record.birth_country = Some(country);
        }
        let civility = match identity.gender.as_deref() {
            Some("female") => Some(Civility::Madame),
            Some("male") => Some(Civility::Monsieur),
            _ => None,
        };
        if civility.is_some() {
            certify(Attribute::Civility, record.civility != civility);
            record.civility = civility;
        }
    }
    if !changed.is_empty() {
        store(tx, &record).await?;
        record_event(
            tx,
            person,
            None,
            "synced_from_account",
            serde_json::json!({ "attributes": changed }),
        )
        .await?;
    }
    if created {
        // A new record may be someone the commune already knows (met at the counter): the
        // suspected pairs go to the agents' review queue.
        crate::duplicates::service::check_new(tx, person).await?;
    }
    Ok(Some(person))
}

/// The account's identity is no longer certified (its provider link was removed): its values
/// stay, as declared.
pub async fn drop_certification(tx: &TenantTx, account_id: Uuid) -> AppResult<()> {
    let Some(person) = person_of_account(tx, account_id).await? else {
        return Ok(());
    };
    let Some(mut record) = load(tx, person).await? else {
        return Ok(());
    };
    let before = record.provenance.0.len();
    record
        .provenance
        .0
        .retain(|_, origin| origin.certainty != Certainty::Certified);
    if record.provenance.0.len() != before {
        store(tx, &record).await?;
        record_event(
            tx,
            person,
            None,
            "certification_removed",
            serde_json::json!({}),
        )
        .await?;
    }
    Ok(())
}

/// An account's display name ("Marie Dupont") as first names and name, the best guess until
/// the citizen completes their record: the last word is the name.
fn split_display_name(display_name: &str) -> (String, String) {
    let words: Vec<&str> = display_name.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.join(" "), (*last).to_owned()),
        _ => (String::new(), display_name.trim().to_owned()),
    }
}

/// The person of a citizen account, if it has one.
pub async fn person_of_account(tx: &TenantTx, account_id: Uuid) -> AppResult<Option<Uuid>> {
    let row: Option<IdRow> = tx
        .fetch_optional(
            "SELECT id FROM people WHERE account_id = $1",
            vec![account_id.into()],
        )
        .await?;
    Ok(row.map(|r| r.id))
}

#[derive(FromQueryResult)]
struct PersonRow {
    id: Uuid,
    account_id: Option<Uuid>,
    civility: Option<String>,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
    birth_date: Option<String>,
    birth_place: Option<String>,
    birth_country: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    provenance: String,
}

/// The columns of [`load`], for queries that read several people at once.
pub const PERSON_COLUMNS: &str = "p.id, p.account_id, p.civility, p.given_names, p.birth_name, \
     p.usage_name, p.birth_date::text AS birth_date, p.birth_place, p.birth_country, p.email, \
     p.phone, p.address::text AS address, p.provenance::text AS provenance";

impl PersonRow {
    fn view(self) -> PersonView {
        PersonView {
            id: self.id.to_string(),
            account_id: self.account_id.map(|a| a.to_string()),
            civility: match self.civility.as_deref() {
                Some("madame") => Some(Civility::Madame),
                Some("monsieur") => Some(Civility::Monsieur),
                _ => None,
            },
            given_names: self.given_names,
            birth_name: self.birth_name,
            usage_name: self.usage_name,
            birth_date: self.birth_date,
            birth_place: self.birth_place,
            birth_country: self.birth_country,
            email: self.email,
            phone: self.phone,
            address: self
                .address
                .and_then(|a| serde_json::from_str::<Address>(&a).ok()),
            provenance: serde_json::from_str(&self.provenance).unwrap_or_default(),
        }
    }
}

/// One person record (merged records included: callers decide whether to follow
/// `merged_into`).
pub async fn load(tx: &TenantTx, id: Uuid) -> AppResult<Option<PersonView>> {
    let row: Option<PersonRow> = tx
        .fetch_optional(
            &format!("SELECT {PERSON_COLUMNS} FROM people p WHERE p.id = $1"),
            vec![id.into()],
        )
        .await?;
    Ok(row.map(PersonRow::view))
}

/// Writes every attribute of `record` and its provenance (the caller has checked what may
/// change and records the event).
pub async fn store(tx: &TenantTx, record: &PersonView) -> AppResult<()> {
    let id = Uuid::parse_str(&record.id).map_err(internal)?;
    let civility = record.civility.map(|c| match c {
        Civility::Madame => "madame",
        Civility::Monsieur => "monsieur",
    });
    let address = record
        .address
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(internal)?;
    let provenance = serde_json::to_string(&record.provenance).map_err(internal)?;
    tx.execute(
        "UPDATE people SET civility = $2, given_names = $3, birth_name = $4, usage_name = $5,
                birth_date = $6::date, birth_place = $7, birth_country = $8, email = $9,
                phone = $10, address = $11::jsonb, provenance = $12::jsonb, updated_at = now()
          WHERE id = $1",
        vec![
            id.into(),
            civility.into(),
            record.given_names.clone().into(),
            record.birth_name.clone().into(),
            record.usage_name.clone().into(),
            record.birth_date.clone().into(),
            record.birth_place.clone().into(),
            record.birth_country.clone().into(),
            record.email.clone().into(),
            record.phone.clone().into(),
            address.into(),
            provenance.into(),
        ],
    )
    .await?;
    // The duplicates' blocking keys follow the names and phone, or an edited record would
    // only be compared again by the nightly run.
    crate::duplicates::service::refresh_keys(tx, id).await
}

/// A new record without an account (met at the counter, a household member): every value
/// given is declared by `source`, the history starts with `detail`, and the record is checked
/// against the others at once (suspected pairs go to the duplicates queue). Returns its id.
pub async fn create(
    tx: &TenantTx,
    mut record: PersonView,
    created_by: Option<Uuid>,
    source: &str,
    detail: serde_json::Value,
) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    record.id = id.to_string();
    let blank = PersonView::default();
    let at = now_rfc3339();
    for attribute in Attribute::ALL {
        if record.value_of(attribute) != blank.value_of(attribute) {
            record.provenance.0.insert(
                attribute,
                Origin {
                    certainty: Certainty::Declared,
                    source: source.to_owned(),
                    at: at.clone(),
                },
            );
        }
    }
    tx.execute(
        "INSERT INTO people (id, created_by) VALUES ($1, $2)",
        vec![id.into(), created_by.into()],
    )
    .await?;
    store(tx, &record).await?;
    record_event(tx, id, created_by, "created", detail).await?;
    crate::duplicates::service::check_new(tx, id).await?;
    Ok(id)
}

/// One line of the record's history.
pub async fn record_event(
    tx: &TenantTx,
    person: Uuid,
    by_user: Option<Uuid>,
    kind: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO person_events (person_id, by_user, kind, detail) VALUES ($1, $2, $3, $4::jsonb)",
        vec![
            person.into(),
            by_user.into(),
            kind.into(),
            detail.to_string().into(),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::model::Provenance;
    use super::*;

    #[test]
    fn a_display_name_is_split_into_first_names_and_name() {
        assert_eq!(
            split_display_name("Marie Claire  Dupont"),
            ("Marie Claire".to_owned(), "Dupont".to_owned())
        );
        assert_eq!(
            split_display_name("Dupont"),
            (String::new(), "Dupont".to_owned())
        );
    }

    #[test]
    fn provenance_round_trips_through_its_json_column() {
        let mut provenance = Provenance::default();
        provenance.0.insert(
            Attribute::Email,
            Origin {
                certainty: Certainty::EmailVerified,
                source: "compte".into(),
                at: "2026-12-07T10:00:00Z".into(),
            },
        );
        let json = serde_json::to_string(&provenance).unwrap();
        assert_eq!(
            json,
            r#"{"email":{"certainty":"email_verified","source":"compte","at":"2026-12-07T10:00:00Z"}}"#
        );
        assert_eq!(
            serde_json::from_str::<Provenance>(&json).unwrap(),
            provenance
        );
    }
}
