//! The citizen's own record (`/mon-compte/informations`): reading it in step with the
//! account, changing what was declared (never what FranceConnect certified), each change
//! traced with its values before and after; and what démarches prefill from it. Also the
//! change machinery the household's edits share (provenance, history).

use uuid::Uuid;

use super::model::{Attribute, Certainty, Origin, PersonView, RecordView};
use super::service::{load, record_event, store, sync_account};
use super::strings as s;
use super::validate::{self, Problems};
use crate::account::model::{UserKind, UserView};
use crate::demarches::model::{Address, IsoDate};
use crate::error::{AppError, AppResult};
use crate::infra::TenantTx;

/// Today, in the calendar dates of birth are checked against.
pub(crate) fn today() -> AppResult<IsoDate> {
    let now = time::OffsetDateTime::now_utc();
    u16::try_from(now.year())
        .ok()
        .and_then(|year| IsoDate::new(year, u8::from(now.month()), now.day()))
        .ok_or(AppError::Internal)
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The person of the signed-in citizen, brought in line with the account and locked for this
/// transaction (agents have no record: refused).
pub async fn person_of_citizen(tx: &TenantTx, user: &UserView) -> AppResult<Uuid> {
    let refused = || AppError::Forbidden(s::CITIZENS_ONLY.to_owned());
    if user.kind != UserKind::Citizen {
        return Err(refused());
    }
    let account = user.uuid().ok_or(AppError::Unauthenticated)?;
    sync_account(tx, account).await?.ok_or_else(refused)
}

/// The value of one attribute, as the history records it.
fn value_of(person: &PersonView, attribute: Attribute) -> serde_json::Value {
    use serde_json::json;
    match attribute {
        Attribute::Civility => json!(person.civility.map(|c| c.as_str())),
        Attribute::GivenNames => json!(person.given_names),
        Attribute::BirthName => json!(person.birth_name),
        Attribute::UsageName => json!(person.usage_name),
        Attribute::BirthDate => json!(person.birth_date),
        Attribute::BirthPlace => json!(person.birth_place),
        Attribute::BirthCountry => json!(person.birth_country),
        Attribute::Email => json!(person.email),
        Attribute::Phone => json!(person.phone),
        Attribute::Address => json!(person.address),
    }
}

/// The attributes whose values differ between two versions of a record.
pub(crate) fn changed(before: &PersonView, after: &PersonView) -> Vec<Attribute> {
    Attribute::ALL
        .into_iter()
        .filter(|a| value_of(before, *a) != value_of(after, *a))
        .collect()
}

/// `{"before": {attr: value}, "after": {attr: value}}` over `attributes`.
pub(crate) fn before_after(
    before: &PersonView,
    after: &PersonView,
    attributes: &[Attribute],
) -> serde_json::Value {
    let side = |person: &PersonView| {
        let map: serde_json::Map<String, serde_json::Value> = attributes
            .iter()
            .map(|a| {
                let key = serde_json::to_value(a)
                    .ok()
                    .and_then(|k| k.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (key, value_of(person, *a))
            })
            .collect();
        serde_json::Value::Object(map)
    };
    serde_json::json!({ "before": side(before), "after": side(after) })
}

/// Stores `after` with the changed attributes' provenance set to `certainty`/`source` and
/// records the change (`kind`, by `by_user`, `extra` merged into the detail). Nothing at all
/// when nothing changed; returns the changed attributes.
pub(crate) async fn commit_change(
    tx: &TenantTx,
    before: &PersonView,
    mut after: PersonView,
    by_user: Option<Uuid>,
    source: &str,
    kind: &str,
    extra: serde_json::Value,
) -> AppResult<Vec<Attribute>> {
    let attributes = changed(before, &after);
    if attributes.is_empty() {
        return Ok(attributes);
    }
    let at = now_rfc3339();
    for attribute in &attributes {
        if value_of(&after, *attribute).is_null() {
            after.provenance.0.remove(attribute);
        } else {
            after.provenance.0.insert(
                *attribute,
                Origin {
                    certainty: Certainty::Declared,
                    source: source.to_owned(),
                    at: at.clone(),
                },
            );
        }
    }
    store(tx, &after).await?;
    let mut detail = before_after(before, &after, &attributes);
    if let (Some(detail), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
        detail.extend(extra);
    }
    let person = Uuid::parse_str(&after.id).map_err(|_| AppError::Internal)?;
    record_event(tx, person, by_user, kind, detail).await?;
    Ok(attributes)
}

/// Sets `current` to `new` unless the attribute is certified; a certified value posted
/// unchanged is no problem, a different one is refused with `refusal`.
pub(crate) fn set<T: PartialEq>(
    problems: &mut Problems,
    record: &PersonView,
    attribute: Attribute,
    field: &str,
    refusal: fn(&str) -> String,
    current: &mut T,
    new: T,
) {
    if *current == new {
        return;
    }
    if record.provenance.certainty(attribute) == Certainty::Certified {
        problems.add(field, refusal(attribute.label()));
    } else {
        *current = new;
    }
}

/// The citizen's record, for their page.
pub async fn my_record(tx: &TenantTx, user: &UserView) -> AppResult<RecordView> {
    let person = person_of_citizen(tx, user).await?;
    let person = load(tx, person).await?.ok_or(AppError::Internal)?;
    Ok(RecordView {
        person,
        account_email: user.email.clone(),
        email_verified: user.verified,
    })
}

/// What the record form posts: `None` for an input the page did not send (a certified value
/// is shown, not sent), which leaves the attribute as it is.
#[derive(Clone, Debug, Default)]
pub struct RecordInput {
    pub civility: Option<String>,
    pub given_names: Option<String>,
    pub birth_name: Option<String>,
    pub usage_name: Option<String>,
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub phone: Option<String>,
    pub address_number: Option<String>,
    pub address_street: Option<String>,
    pub address_postcode: Option<String>,
    pub address_commune: Option<String>,
}

/// Applies the citizen's changes to their own record: all checked first (every problem named
/// on its field), certified attributes refused if changed, then stored at once with their
/// provenance ("déclaré", "l'usager") and one history line with the values before and after.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn save_my_record(tx: &TenantTx, user: &UserView, input: &RecordInput) -> AppResult<()> {
    let person = person_of_citizen(tx, user).await?;
    let before = load(tx, person).await?.ok_or(AppError::Internal)?;
    let today = today()?;
    let mut after = before.clone();
    let mut problems = Problems::default();
    let refusal = s::certified_unchangeable;
    if let Some(raw) = &input.civility
        && let Some(civility) = problems.take(validate::civility("civility", raw))
    {
        set(
            &mut problems,
            &before,
            Attribute::Civility,
            "civility",
            refusal,
            &mut after.civility,
            civility,
        );
    }
    if let Some(raw) = &input.given_names
        && let Some(value) = problems.take(validate::name(
            "given_names",
            s::ATTR_GIVEN_NAMES,
            raw,
            true,
        ))
    {
        set(
            &mut problems,
            &before,
            Attribute::GivenNames,
            "given_names",
            refusal,
            &mut after.given_names,
            value.unwrap_or_default(),
        );
    }
    if let Some(raw) = &input.birth_name
        && let Some(value) =
            problems.take(validate::name("birth_name", s::ATTR_BIRTH_NAME, raw, true))
    {
        set(
            &mut problems,
            &before,
            Attribute::BirthName,
            "birth_name",
            refusal,
            &mut after.birth_name,
            value.unwrap_or_default(),
        );
    }
    if let Some(raw) = &input.usage_name
        && let Some(value) =
            problems.take(validate::name("usage_name", s::ATTR_USAGE_NAME, raw, false))
    {
        set(
            &mut problems,
            &before,
            Attribute::UsageName,
            "usage_name",
            refusal,
            &mut after.usage_name,
            value,
        );
    }
    if let Some(raw) = &input.birth_date
        && let Some(value) = problems.take(validate::birth_date("birth_date", raw, today, false))
    {
        set(
            &mut problems,
            &before,
            Attribute::BirthDate,
            "birth_date",
            refusal,
            &mut after.birth_date,
            value.map(|d| d.to_string()),
        );
    }
    if let Some(raw) = &input.birth_place
        && let Some(value) = problems.take(validate::text(
            "birth_place",
            s::ATTR_BIRTH_PLACE,
            raw,
            false,
        ))
    {
        set(
            &mut problems,
            &before,
            Attribute::BirthPlace,
            "birth_place",
            refusal,
            &mut after.birth_place,
            value,
        );
    }
    if let Some(raw) = &input.phone
        && let Some(value) = problems.take(validate::phone("phone", raw))
    {
        set(
            &mut problems,
            &before,
            Attribute::Phone,
            "phone",
            refusal,
            &mut after.phone,
            value,
        );
    }
    let posted_address = [
        &input.address_number,
        &input.address_street,
        &input.address_postcode,
        &input.address_commune,
    ];
    if posted_address.iter().any(|part| part.is_some()) {
        let part = |p: &Option<String>| p.clone().unwrap_or_default();
        let before_problems = problems.0.len();
        let address: Option<Address> = validate::address(
            &mut problems,
            &part(&input.address_number),
            &part(&input.address_street),
            &part(&input.address_postcode),
            &part(&input.address_commune),
        );
        if problems.0.len() == before_problems {
            set(
                &mut problems,
                &before,
                Attribute::Address,
                "address_street",
                refusal,
                &mut after.address,
                address,
            );
        }
    }
    problems.into_result()?;
    commit_change(
        tx,
        &before,
        after,
        user.uuid(),
        s::SOURCE_CITIZEN,
        "updated",
        serde_json::json!({ "by": s::SOURCE_CITIZEN }),
    )
    .await?;
    Ok(())
}

/// The phone and postal address démarches prefill for the citizen `account` (from their
/// record; nothing for an account without one).
pub async fn contact_for_prefill(
    tx: &TenantTx,
    account: Uuid,
) -> AppResult<(Option<String>, Option<Address>)> {
    let Some(person) = super::service::person_of_account(tx, account).await? else {
        return Ok((None, None));
    };
    Ok(load(tx, person)
        .await?
        .map(|p| (p.phone, p.address))
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::model::Civility;

    fn person() -> PersonView {
        PersonView {
            id: Uuid::nil().to_string(),
            given_names: "Jeanne".into(),
            birth_name: "Martin".into(),
            ..Default::default()
        }
    }

    #[test]
    fn only_changed_attributes_are_traced_with_both_values() {
        let before = person();
        let mut after = person();
        after.phone = Some("+33612345678".into());
        after.civility = Some(Civility::Madame);
        let attributes = changed(&before, &after);
        assert_eq!(attributes, [Attribute::Civility, Attribute::Phone]);
        assert_eq!(
            before_after(&before, &after, &attributes),
            serde_json::json!({
                "before": { "civility": null, "phone": null },
                "after": { "civility": "madame", "phone": "+33612345678" }
            })
        );
    }

    #[test]
    fn a_certified_value_is_kept_and_its_change_refused() {
        let mut record = person();
        record.provenance.0.insert(
            Attribute::BirthName,
            Origin {
                certainty: Certainty::Certified,
                source: "FranceConnect".into(),
                at: "2026-12-07T10:00:00Z".into(),
            },
        );
        let mut problems = Problems::default();
        let mut name = record.birth_name.clone();
        // The same value posted again is no change.
        set(
            &mut problems,
            &record,
            Attribute::BirthName,
            "birth_name",
            s::certified_unchangeable,
            &mut name,
            "Martin".to_owned(),
        );
        assert!(problems.0.is_empty());
        set(
            &mut problems,
            &record,
            Attribute::BirthName,
            "birth_name",
            s::certified_unchangeable,
            &mut name,
            "Dupont".to_owned(),
        );
        assert_eq!(name, "Martin");
        assert_eq!(problems.0[0].path, "birth_name");
        assert_eq!(
            problems.0[0].message,
            s::certified_unchangeable(s::ATTR_BIRTH_NAME)
        );
        // A declared attribute changes.
        let mut phone = None;
        set(
            &mut problems,
            &record,
            Attribute::Phone,
            "phone",
            s::certified_unchangeable,
            &mut phone,
            Some("+33612345678".to_owned()),
        );
        assert_eq!(phone.as_deref(), Some("+33612345678"));
    }
}
