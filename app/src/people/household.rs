//! Households (foyers): the one a citizen manages from `/mon-foyer` (created on first use with
//! them as referent; members without an account are person records they declare), and the
//! corrections an agent makes with a trace. `members_of` is what démarches (beneficiaries) and
//! the agents' 360° view read.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{Attribute, Civility, HouseholdView, MemberView, PersonView, Relation};
use super::record::{commit_change, person_of_citizen, set, today};
use super::service::{load, record_event};
use super::strings as s;
use super::validate::{self, Problems};
use crate::account::model::{Role, UserView};
use crate::demarches::model::IsoDate;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

#[derive(FromQueryResult)]
struct MemberRow {
    id: Uuid,
    has_account: bool,
    relation: String,
    civility: Option<String>,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
    birth_date: Option<String>,
}

impl MemberRow {
    fn view(self) -> MemberView {
        MemberView {
            person_id: self.id.to_string(),
            relation: Relation::parse(&self.relation).unwrap_or(Relation::Autre),
            civility: self.civility.as_deref().and_then(Civility::parse),
            given_names: self.given_names,
            birth_name: self.birth_name,
            usage_name: self.usage_name,
            birth_date: self.birth_date,
            has_account: self.has_account,
        }
    }
}

/// Every member of the household `person` belongs to, `person` included: the referent first,
/// then the conjoint, the children (eldest first), the others. Empty when `person` belongs to
/// no household.
pub async fn members_of(tx: &TenantTx, person: Uuid) -> AppResult<Vec<MemberView>> {
    let rows: Vec<MemberRow> = tx
        .fetch_all(
            "SELECT p.id, p.account_id IS NOT NULL AS has_account, hm.relation, p.civility,
                    p.given_names, p.birth_name, p.usage_name, p.birth_date::text AS birth_date
               FROM household_members me
               JOIN household_members hm ON hm.household_id = me.household_id
               JOIN people p ON p.id = hm.person_id
              WHERE me.person_id = $1
              ORDER BY CASE hm.relation WHEN 'referent' THEN 0 WHEN 'conjoint' THEN 1
                                        WHEN 'enfant' THEN 2 ELSE 3 END,
                       p.birth_date NULLS LAST, p.given_names, p.id",
            vec![person.into()],
        )
        .await?;
    Ok(rows.into_iter().map(MemberRow::view).collect())
}

#[derive(FromQueryResult)]
struct HouseholdRow {
    household_id: Uuid,
    referent_id: Uuid,
}

/// The household `person` belongs to, if any.
async fn household_of(tx: &TenantTx, person: Uuid) -> AppResult<Option<HouseholdRow>> {
    tx.fetch_optional(
        "SELECT h.id AS household_id, h.referent_id FROM household_members hm
           JOIN households h ON h.id = hm.household_id WHERE hm.person_id = $1",
        vec![person.into()],
    )
    .await
}

/// The household of the citizen's `person` (whose row the caller holds locked, so two first
/// visits at once make one household), created with them as referent if they have none.
async fn ensure_household(
    tx: &TenantTx,
    person: Uuid,
    by: Option<Uuid>,
) -> AppResult<HouseholdRow> {
    if let Some(row) = household_of(tx, person).await? {
        return Ok(row);
    }
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO households (id, referent_id) VALUES ($1, $2)",
        vec![id.into(), person.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO household_members (household_id, person_id, relation) VALUES ($1, $2, 'referent')",
        vec![id.into(), person.into()],
    )
    .await?;
    record_event(
        tx,
        person,
        by,
        "household_created",
        serde_json::json!({ "household": id.to_string() }),
    )
    .await?;
    Ok(HouseholdRow {
        household_id: id,
        referent_id: person,
    })
}

/// The citizen's household, created on their first visit with them as referent.
pub async fn my_household(tx: &TenantTx, user: &UserView) -> AppResult<HouseholdView> {
    let person = person_of_citizen(tx, user).await?;
    let household = ensure_household(tx, person, user.uuid()).await?;
    Ok(HouseholdView {
        id: household.household_id.to_string(),
        referent_id: household.referent_id.to_string(),
        viewer_id: person.to_string(),
        members: members_of(tx, person).await?,
    })
}

/// What the member form posts.
#[derive(Clone, Debug, Default)]
pub struct MemberInput {
    pub relation: String,
    pub civility: String,
    pub given_names: String,
    pub birth_name: String,
    pub birth_date: String,
}

/// The member form checked: every problem on its field.
struct CheckedMember {
    relation: Relation,
    civility: Option<Civility>,
    given_names: String,
    birth_name: String,
    birth_date: Option<IsoDate>,
}

/// A child needs a birth date and is at most 25; anyone else's birth date, if given, is past.
fn check_birth_date(
    problems: &mut Problems,
    relation: Option<Relation>,
    raw: &str,
    today: IsoDate,
) -> Option<IsoDate> {
    if relation == Some(Relation::Enfant) {
        problems.take(validate::child_birth_date("birth_date", raw, today))
    } else {
        problems
            .take(validate::birth_date("birth_date", raw, today, false))
            .flatten()
    }
}

fn check_member(
    problems: &mut Problems,
    input: &MemberInput,
    today: IsoDate,
) -> Option<CheckedMember> {
    let relation = problems.take(validate::member_relation("relation", &input.relation));
    let civility = problems.take(validate::civility("civility", &input.civility));
    let given_names = problems.take(validate::name(
        "given_names",
        s::ATTR_GIVEN_NAMES,
        &input.given_names,
        true,
    ));
    let birth_name = problems.take(validate::name(
        "birth_name",
        s::MEMBER_NAME,
        &input.birth_name,
        true,
    ));
    let before = problems.0.len();
    let birth_date = check_birth_date(problems, relation, &input.birth_date, today);
    if problems.0.len() != before {
        return None;
    }
    Some(CheckedMember {
        relation: relation?,
        civility: civility?,
        given_names: given_names.flatten()?,
        birth_name: birth_name.flatten()?,
        birth_date,
    })
}

/// Refuses a second conjoint in `household` (`except`: the member being changed).
async fn check_one_conjoint(
    tx: &TenantTx,
    problems: &mut Problems,
    household: Uuid,
    relation: Relation,
    except: Option<Uuid>,
) -> AppResult<()> {
    if relation != Relation::Conjoint {
        return Ok(());
    }
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let count: Option<Count> = tx
        .fetch_optional(
            "SELECT count(*) AS n FROM household_members
              WHERE household_id = $1 AND relation = 'conjoint' AND person_id IS DISTINCT FROM $2",
            vec![household.into(), except.into()],
        )
        .await?;
    if count.is_some_and(|c| c.n > 0) {
        problems.add("relation", s::ONE_CONJOINT);
    }
    Ok(())
}

/// Adds a member (a person record without account, declared by the citizen) to the citizen's
/// household. Returns the new person's id.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn add_member(tx: &TenantTx, user: &UserView, input: &MemberInput) -> AppResult<Uuid> {
    let person = person_of_citizen(tx, user).await?;
    let household = ensure_household(tx, person, user.uuid()).await?;
    let mut problems = Problems::default();
    let checked = check_member(&mut problems, input, today()?);
    if let Some(member) = &checked {
        check_one_conjoint(
            tx,
            &mut problems,
            household.household_id,
            member.relation,
            None,
        )
        .await?;
    }
    problems.into_result()?;
    let member = checked.ok_or(AppError::Internal)?;
    let record = PersonView {
        civility: member.civility,
        given_names: member.given_names,
        birth_name: member.birth_name,
        birth_date: member.birth_date.map(|d| d.to_string()),
        ..Default::default()
    };
    let detail = serde_json::json!({
        "household": household.household_id.to_string(),
        "relation": member.relation.as_str(),
        "by": s::SOURCE_CITIZEN,
    });
    let id = super::service::create(tx, record, user.uuid(), s::SOURCE_CITIZEN, detail).await?;
    tx.execute(
        "INSERT INTO household_members (household_id, person_id, relation) VALUES ($1, $2, $3)",
        vec![
            household.household_id.into(),
            id.into(),
            member.relation.as_str().into(),
        ],
    )
    .await?;
    Ok(id)
}

#[derive(FromQueryResult)]
struct MembershipRow {
    household_id: Uuid,
    relation: String,
    has_account: bool,
}

/// `member` of `household` (its person row locked), if it is one.
async fn membership(
    tx: &TenantTx,
    member: Uuid,
    household: Option<Uuid>,
) -> AppResult<Option<MembershipRow>> {
    tx.fetch_optional(
        "SELECT hm.household_id, hm.relation, p.account_id IS NOT NULL AS has_account
           FROM household_members hm JOIN people p ON p.id = hm.person_id
          WHERE hm.person_id = $1 AND ($2::uuid IS NULL OR hm.household_id = $2)
          FOR UPDATE OF p",
        vec![member.into(), household.into()],
    )
    .await
}

/// A member of the citizen's own household that the citizen may change: not themselves, not
/// someone with an account. Another household's member, or another commune's, is unknown.
async fn own_member(tx: &TenantTx, user: &UserView, member: &str) -> AppResult<(Uuid, Uuid)> {
    let unknown = || AppError::NotFound(s::MEMBER_UNKNOWN.to_owned());
    let person = person_of_citizen(tx, user).await?;
    let member = Uuid::parse_str(member.trim()).map_err(|_| unknown())?;
    let household = household_of(tx, person).await?.ok_or_else(unknown)?;
    let row = membership(tx, member, Some(household.household_id))
        .await?
        .ok_or_else(unknown)?;
    if member == person {
        return Err(AppError::Forbidden(s::MEMBER_IS_YOU.to_owned()));
    }
    if row.has_account {
        return Err(AppError::Forbidden(s::MEMBER_HAS_ACCOUNT.to_owned()));
    }
    Ok((household.household_id, member))
}

/// Changes a member of the citizen's household (relation, civility, names, birth date).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn update_member(
    tx: &TenantTx,
    user: &UserView,
    member: &str,
    input: &MemberInput,
) -> AppResult<()> {
    let (household, member) = own_member(tx, user, member).await?;
    let before = load(tx, member).await?.ok_or(AppError::Internal)?;
    let mut problems = Problems::default();
    let checked = check_member(&mut problems, input, today()?);
    if let Some(checked) = &checked {
        check_one_conjoint(tx, &mut problems, household, checked.relation, Some(member)).await?;
    }
    let mut after = before.clone();
    if let Some(checked) = checked {
        apply(
            &mut problems,
            &before,
            &mut after,
            checked,
            s::certified_unchangeable,
        );
    }
    problems.into_result()?;
    let relation = Relation::parse(input.relation.trim()).ok_or(AppError::Internal)?;
    let previous = set_relation(tx, household, member, relation).await?;
    let mut extra = serde_json::json!({ "by": s::SOURCE_CITIZEN });
    if previous != relation {
        extra["relation"] =
            serde_json::json!({ "before": previous.as_str(), "after": relation.as_str() });
    }
    let changed = commit_change(
        tx,
        &before,
        after,
        user.uuid(),
        s::SOURCE_CITIZEN,
        "updated",
        extra.clone(),
    )
    .await?;
    if changed.is_empty() && previous != relation {
        record_event(tx, member, user.uuid(), "updated", extra).await?;
    }
    Ok(())
}

/// The checked values onto `after`, certified ones refused if changed.
fn apply(
    problems: &mut Problems,
    before: &PersonView,
    after: &mut PersonView,
    checked: CheckedMember,
    refusal: fn(&str) -> String,
) {
    set(
        problems,
        before,
        Attribute::Civility,
        "civility",
        refusal,
        &mut after.civility,
        checked.civility,
    );
    set(
        problems,
        before,
        Attribute::GivenNames,
        "given_names",
        refusal,
        &mut after.given_names,
        checked.given_names,
    );
    set(
        problems,
        before,
        Attribute::BirthName,
        "birth_name",
        refusal,
        &mut after.birth_name,
        checked.birth_name,
    );
    set(
        problems,
        before,
        Attribute::BirthDate,
        "birth_date",
        refusal,
        &mut after.birth_date,
        checked.birth_date.map(|d| d.to_string()),
    );
}

/// Sets a member's relation; returns the one it had.
async fn set_relation(
    tx: &TenantTx,
    household: Uuid,
    member: Uuid,
    relation: Relation,
) -> AppResult<Relation> {
    #[derive(FromQueryResult)]
    struct Previous {
        relation: String,
    }
    let previous: Option<Previous> = tx
        .fetch_optional(
            "SELECT relation FROM household_members WHERE household_id = $1 AND person_id = $2",
            vec![household.into(), member.into()],
        )
        .await?;
    let previous = previous
        .and_then(|p| Relation::parse(&p.relation))
        .ok_or(AppError::Internal)?;
    if previous != relation {
        tx.execute(
            "UPDATE household_members SET relation = $3 WHERE household_id = $1 AND person_id = $2",
            vec![household.into(), member.into(), relation.as_str().into()],
        )
        .await?;
    }
    Ok(previous)
}

/// Takes a member out of the citizen's household. Their record stays (a dossier may name them
/// as its beneficiary), with the removal in its history.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn remove_member(tx: &TenantTx, user: &UserView, member: &str) -> AppResult<()> {
    let (household, member) = own_member(tx, user, member).await?;
    tx.execute(
        "DELETE FROM household_members WHERE household_id = $1 AND person_id = $2",
        vec![household.into(), member.into()],
    )
    .await?;
    record_event(
        tx,
        member,
        user.uuid(),
        "removed_from_household",
        serde_json::json!({ "household": household.to_string(), "by": s::SOURCE_CITIZEN }),
    )
    .await?;
    Ok(())
}

/// What an agent corrects on a member: `relation` empty keeps it.
#[derive(Clone, Debug, Default)]
pub struct Correction {
    pub relation: String,
    pub civility: String,
    pub given_names: String,
    pub birth_name: String,
    pub birth_date: String,
}

/// An agent (any agent of the commune, for now) corrects a household member: relation, names,
/// birth date — never an attribute FranceConnect certified —, traced in the record's history
/// as corrected by that agent.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn correct_member(
    tx: &TenantTx,
    agent: &UserView,
    member: &str,
    input: &Correction,
) -> AppResult<()> {
    if !agent.has_role(Role::Agent) {
        return Err(AppError::Forbidden(s::NOT_AN_AGENT.to_owned()));
    }
    let unknown = || AppError::NotFound(s::MEMBER_NOT_IN_HOUSEHOLD.to_owned());
    let member = Uuid::parse_str(member.trim()).map_err(|_| unknown())?;
    let row = membership(tx, member, None).await?.ok_or_else(unknown)?;
    let current = Relation::parse(&row.relation).ok_or(AppError::Internal)?;
    let before = load(tx, member).await?.ok_or_else(unknown)?;
    let mut problems = Problems::default();
    let relation = match input.relation.trim() {
        "" => Some(current),
        raw if current == Relation::Referent => {
            if Relation::parse(raw) != Some(Relation::Referent) {
                problems.add("relation", s::REFERENT_RELATION);
            }
            Some(current)
        }
        raw => problems.take(validate::member_relation("relation", raw)),
    };
    if let Some(relation) = relation {
        check_one_conjoint(tx, &mut problems, row.household_id, relation, Some(member)).await?;
    }
    let checked = check_member(
        &mut problems,
        &MemberInput {
            // Checked above (the referent's relation is not a member's).
            relation: Relation::Autre.as_str().to_owned(),
            civility: input.civility.clone(),
            given_names: input.given_names.clone(),
            birth_name: input.birth_name.clone(),
            birth_date: String::new(),
        },
        today()?,
    );
    let birth_date = check_birth_date(&mut problems, relation, &input.birth_date, today()?);
    let mut after = before.clone();
    if let (Some(mut checked), Some(_)) = (checked, relation) {
        checked.birth_date = birth_date;
        apply(
            &mut problems,
            &before,
            &mut after,
            checked,
            s::certified_not_for_agents,
        );
    }
    problems.into_result()?;
    let relation = relation.ok_or(AppError::Internal)?;
    let previous = set_relation(tx, row.household_id, member, relation).await?;
    let by = format!("{} {}", s::AGENT_CORRECTED, agent.display_name);
    let mut extra = serde_json::json!({ "by": by });
    if previous != relation {
        extra["relation"] =
            serde_json::json!({ "before": previous.as_str(), "after": relation.as_str() });
    }
    let changed = commit_change(
        tx,
        &before,
        after,
        agent.uuid(),
        &agent.display_name,
        "corrected_by_agent",
        extra.clone(),
    )
    .await?;
    if changed.is_empty() && previous != relation {
        record_event(tx, member, agent.uuid(), "corrected_by_agent", extra).await?;
    }
    Ok(())
}
