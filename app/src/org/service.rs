//! The org chart in the tenant's schema, and the one place where an agent's rights are worked
//! out: [`rights_of`].

use std::collections::HashMap;

use sea_orm::FromQueryResult;
use time::Date;
use uuid::Uuid;

use super::model::{
    Access, AgentOption, DelegationView, MemberView, OrgChart, ServiceKind, ServiceView, tree_order,
};
use super::strings as s;
use crate::account::model::{Role, UserView};
use crate::error::{AppError, AppResult};
use crate::infra::dates::french_date;
use crate::infra::{Queries, TenantTx};

/// The service every commune starts with (created by the migration).
pub const FIRST_SERVICE: Uuid = Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);

/// What an agent may do, per service: their own memberships, inherited down the tree, plus
/// those of colleagues who delegated to them for today.
#[derive(Clone, Debug, Default)]
pub struct Rights {
    pub user: Uuid,
    access: HashMap<Uuid, Access>,
    /// Services reached only through a delegation, and whom the agent then acts for.
    delegated: HashMap<Uuid, Uuid>,
    /// Colleagues who delegated to this agent today.
    pub delegators: Vec<Uuid>,
}

impl Rights {
    pub fn access(&self, service: Uuid) -> Option<Access> {
        self.access.get(&service).copied()
    }

    pub fn can(&self, service: Uuid, at_least: Access) -> bool {
        self.access(service).is_some_and(|a| a >= at_least)
    }

    /// The services where the agent has at least `at_least`.
    pub fn services(&self, at_least: Access) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .access
            .iter()
            .filter(|(_, a)| **a >= at_least)
            .map(|(id, _)| *id)
            .collect();
        ids.sort();
        ids
    }

    /// Whom an action on a dossier of `service` assigned to `assignee` is made for, when the
    /// agent acts as a delegate.
    pub fn on_behalf_of(&self, service: Uuid, assignee: Option<Uuid>) -> Option<Uuid> {
        match assignee {
            Some(assignee) if self.delegators.contains(&assignee) => Some(assignee),
            _ => self.delegated.get(&service).copied(),
        }
    }

    /// The dossier's effective access for this agent: its service, or read-only through a
    /// copy to one of the agent's services.
    pub fn dossier_access(&self, service: Uuid, copies: &[Uuid]) -> Option<Access> {
        let direct = self.access(service);
        let copied = copies
            .iter()
            .any(|c| self.access(*c).is_some())
            .then_some(Access::Consultation);
        direct.max(copied)
    }

    /// For tests and tools: rights given explicitly.
    pub fn with(user: Uuid, access: impl IntoIterator<Item = (Uuid, Access)>) -> Self {
        Self {
            user,
            access: access.into_iter().collect(),
            ..Self::default()
        }
    }
}

/// The agent's rights, read fresh for this transaction (one query).
pub async fn rights_of(tx: &TenantTx, agent: &UserView) -> AppResult<Rights> {
    let user = agent.uuid().ok_or(AppError::Unauthenticated)?;
    if !agent.has_role(Role::Agent) {
        return Ok(Rights {
            user,
            ..Rights::default()
        });
    }
    #[derive(FromQueryResult)]
    struct Grant {
        service_id: Uuid,
        access: String,
        via: Uuid,
    }
    // UNION (not ALL) stops at a cycle, which the service functions never let in anyway.
    let grants: Vec<Grant> = tx
        .fetch_all(
            "WITH RECURSIVE grants (service_id, access, via) AS (
                 SELECT m.service_id, m.access, m.user_id FROM service_members m
                 WHERE m.user_id = $1
                    OR m.user_id IN (SELECT from_user FROM delegations
                                     WHERE to_user = $1 AND current_date BETWEEN starts_on AND ends_on)
                 UNION
                 SELECT s.id, g.access, g.via FROM services s JOIN grants g ON s.parent_id = g.service_id
             )
             SELECT service_id, access, via FROM grants",
            vec![user.into()],
        )
        .await?;
    let mut rights = Rights {
        user,
        ..Rights::default()
    };
    let mut own: HashMap<Uuid, Access> = HashMap::new();
    for grant in grants {
        let Ok(access) = Access::parse(&grant.access) else {
            continue;
        };
        if grant.via == user {
            let entry = own.entry(grant.service_id).or_insert(access);
            *entry = (*entry).max(access);
        } else {
            if !rights.delegators.contains(&grant.via) {
                rights.delegators.push(grant.via);
            }
            rights
                .delegated
                .entry(grant.service_id)
                .or_insert(grant.via);
        }
        let entry = rights.access.entry(grant.service_id).or_insert(access);
        *entry = (*entry).max(access);
    }
    rights
        .delegated
        .retain(|service, _| !own.contains_key(service));
    Ok(rights)
}

fn parse_id(field: &str, id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::invalid(field, s::UNKNOWN_ID))
}

#[derive(FromQueryResult)]
struct ServiceRow {
    id: Uuid,
    parent_id: Option<Uuid>,
    name: String,
    kind: String,
}

async fn service_rows(tx: &TenantTx) -> AppResult<Vec<ServiceRow>> {
    tx.fetch_all("SELECT id, parent_id, name, kind FROM services", vec![])
        .await
}

/// The services in tree order, without members (for pickers).
pub async fn services(tx: &TenantTx) -> AppResult<Vec<ServiceView>> {
    let rows = service_rows(tx).await?;
    Ok(tree_order(
        rows.into_iter()
            .map(|r| {
                (
                    r.id.to_string(),
                    r.parent_id.map(|p| p.to_string()),
                    r.name,
                    ServiceKind::parse(&r.kind).unwrap_or(ServiceKind::Service),
                )
            })
            .collect(),
    ))
}

/// The agents of the tenant, for pickers.
pub async fn agents(tx: &TenantTx) -> AppResult<Vec<AgentOption>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        display_name: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT id, display_name FROM users WHERE kind = 'agent' ORDER BY display_name",
            vec![],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| AgentOption {
            id: r.id.to_string(),
            display_name: r.display_name,
        })
        .collect())
}

pub async fn org_chart(tx: &TenantTx) -> AppResult<OrgChart> {
    let mut services = services(tx).await?;
    #[derive(FromQueryResult)]
    struct Member {
        service_id: Uuid,
        user_id: Uuid,
        display_name: String,
        email: String,
        access: String,
    }
    let members: Vec<Member> = tx
        .fetch_all(
            "SELECT m.service_id, m.user_id, u.display_name, u.email, m.access
             FROM service_members m JOIN users u ON u.id = m.user_id
             ORDER BY u.display_name",
            vec![],
        )
        .await?;
    for member in members {
        let id = member.service_id.to_string();
        if let Some(service) = services.iter_mut().find(|s| s.id == id) {
            service.members.push(MemberView {
                user_id: member.user_id.to_string(),
                display_name: member.display_name,
                email: member.email,
                access: Access::parse(&member.access).unwrap_or(Access::Consultation),
            });
        }
    }
    Ok(OrgChart {
        services,
        agents: agents(tx).await?,
        delegations: delegations(tx, None).await?,
    })
}

/// Delegations not yet over: all of them, or those of one absent agent.
pub async fn delegations(tx: &TenantTx, of: Option<Uuid>) -> AppResult<Vec<DelegationView>> {
    #[derive(FromQueryResult)]
    struct Delegation {
        id: Uuid,
        from_name: String,
        to_name: String,
        starts_on: Date,
        ends_on: Date,
    }
    let delegations: Vec<Delegation> = tx
        .fetch_all(
            "SELECT d.id, f.display_name AS from_name, t.display_name AS to_name, d.starts_on, d.ends_on
             FROM delegations d JOIN users f ON f.id = d.from_user JOIN users t ON t.id = d.to_user
             WHERE d.ends_on >= current_date AND ($1::uuid IS NULL OR d.from_user = $1)
             ORDER BY d.starts_on, d.id",
            vec![of.into()],
        )
        .await?;
    Ok(delegations
        .into_iter()
        .map(|d| DelegationView {
            id: d.id.to_string(),
            from_name: d.from_name,
            to_name: d.to_name,
            starts_on: french_date(d.starts_on.midnight().assume_utc()),
            ends_on: french_date(d.ends_on.midnight().assume_utc()),
        })
        .collect())
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", s::NAME_REQUIRED));
    }
    if name.chars().count() > 120 {
        return Err(AppError::invalid("name", s::NAME_TOO_LONG));
    }
    Ok(name.to_owned())
}

/// The name of the service `id`, if it exists.
pub async fn service_name(tx: &TenantTx, id: Uuid) -> AppResult<Option<String>> {
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    let found: Option<Name> = tx
        .fetch_optional("SELECT name FROM services WHERE id = $1", vec![id.into()])
        .await?;
    Ok(found.map(|f| f.name))
}

async fn ensure_service(tx: &TenantTx, field: &str, id: Uuid) -> AppResult<()> {
    service_name(tx, id)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::invalid(field, s::SERVICE_UNKNOWN))
}

/// Adds a service under `parent` (or at the root).
pub async fn create_service(
    tx: &TenantTx,
    name: &str,
    kind: &str,
    parent: Option<&str>,
) -> AppResult<Uuid> {
    let name = clean_name(name)?;
    let kind = ServiceKind::parse(kind)?;
    let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let id = parse_id("parent", p)?;
            ensure_service(tx, "parent", id).await?;
            Some(id)
        }
        None => None,
    };
    if sibling_named(tx, parent, &name, None).await? {
        return Err(AppError::conflict("name", s::NAME_TAKEN));
    }
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO services (id, parent_id, name, kind) VALUES ($1, $2, $3, $4)",
        vec![id.into(), parent.into(), name.into(), kind.code().into()],
    )
    .await?;
    Ok(id)
}

async fn sibling_named(
    tx: &TenantTx,
    parent: Option<Uuid>,
    name: &str,
    except: Option<Uuid>,
) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM services WHERE parent_id IS NOT DISTINCT FROM $1 AND lower(name) = lower($2)
               AND id IS DISTINCT FROM $3",
            vec![parent.into(), name.into(), except.into()],
        )
        .await?;
    Ok(found.is_some())
}

/// Renames a service, changes its level or moves it under another parent (never under itself
/// or one of its descendants).
pub async fn update_service(
    tx: &TenantTx,
    id: &str,
    name: &str,
    kind: &str,
    parent: Option<&str>,
) -> AppResult<()> {
    let id = parse_id("service", id)?;
    ensure_service(tx, "service", id).await?;
    let name = clean_name(name)?;
    let kind = ServiceKind::parse(kind)?;
    let parent = match parent.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => {
            let parent = parse_id("parent", p)?;
            ensure_service(tx, "parent", parent).await?;
            let rows = service_rows(tx).await?;
            let mut cursor = Some(parent);
            while let Some(current) = cursor {
                if current == id {
                    return Err(AppError::invalid("parent", s::PARENT_CYCLE));
                }
                cursor = rows
                    .iter()
                    .find(|r| r.id == current)
                    .and_then(|r| r.parent_id);
            }
            Some(parent)
        }
        None => None,
    };
    if sibling_named(tx, parent, &name, Some(id)).await? {
        return Err(AppError::conflict("name", s::NAME_TAKEN));
    }
    tx.execute(
        "UPDATE services SET name = $2, kind = $3, parent_id = $4 WHERE id = $1",
        vec![id.into(), name.into(), kind.code().into(), parent.into()],
    )
    .await?;
    Ok(())
}

/// Removes an empty service: no sub-service, no dossier, not a routing target.
pub async fn delete_service(tx: &TenantTx, id: &str) -> AppResult<()> {
    let id = parse_id("service", id)?;
    ensure_service(tx, "service", id).await?;
    #[derive(FromQueryResult)]
    struct Usage {
        children: i64,
        dossiers: i64,
        routed: i64,
    }
    let usage: Option<Usage> = tx
        .fetch_optional(
            "SELECT (SELECT count(*) FROM services WHERE parent_id = $1) AS children,
                    (SELECT count(*) FROM dossiers WHERE service_id = $1 OR $1 = ANY (copy_services)) AS dossiers,
                    (SELECT count(*) FROM demarche_instruction WHERE document::text LIKE '%' || $1::text || '%') AS routed",
            vec![id.into()],
        )
        .await?;
    let usage = usage.ok_or(AppError::Internal)?;
    if usage.children > 0 {
        return Err(AppError::conflict("service", s::SERVICE_HAS_CHILDREN));
    }
    if usage.dossiers > 0 {
        return Err(AppError::conflict("service", s::SERVICE_HAS_DOSSIERS));
    }
    if usage.routed > 0 {
        return Err(AppError::conflict("service", s::SERVICE_IS_ROUTED));
    }
    tx.execute("DELETE FROM services WHERE id = $1", vec![id.into()])
        .await?;
    Ok(())
}

async fn ensure_agent(tx: &TenantTx, field: &str, id: Uuid) -> AppResult<()> {
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM users WHERE id = $1 AND kind = 'agent'",
            vec![id.into()],
        )
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::invalid(field, s::AGENT_UNKNOWN))
}

/// Gives `user` the `access` right on `service` (replacing any previous right there, even one
/// the agents' provider gave: the admin's choice is kept from then on).
pub async fn set_member(tx: &TenantTx, service: &str, user: &str, access: &str) -> AppResult<()> {
    let service = parse_id("service", service)?;
    ensure_service(tx, "service", service).await?;
    let user = parse_id("user", user)?;
    ensure_agent(tx, "user", user).await?;
    let access = Access::parse(access)?;
    tx.execute(
        "INSERT INTO service_members (service_id, user_id, access) VALUES ($1, $2, $3)
         ON CONFLICT (service_id, user_id) DO UPDATE SET access = EXCLUDED.access, from_provider = false",
        vec![service.into(), user.into(), access.code().into()],
    )
    .await?;
    Ok(())
}

pub async fn remove_member(tx: &TenantTx, service: &str, user: &str) -> AppResult<()> {
    let service = parse_id("service", service)?;
    let user = parse_id("user", user)?;
    tx.execute(
        "DELETE FROM service_members WHERE service_id = $1 AND user_id = $2",
        vec![service.into(), user.into()],
    )
    .await?;
    Ok(())
}

/// A date as HTML date inputs send it: `2026-11-25`.
pub fn parse_date(field: &str, value: &str) -> AppResult<Date> {
    let invalid = || AppError::invalid(field, s::DATE_INVALID);
    let mut parts = value.trim().splitn(3, '-');
    let mut next = || {
        parts
            .next()
            .and_then(|p| p.parse::<i32>().ok())
            .ok_or_else(invalid)
    };
    let (year, month, day) = (next()?, next()?, next()?);
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(invalid)?;
    let day = u8::try_from(day).map_err(|_| invalid())?;
    Date::from_calendar_date(year, month, day).map_err(|_| invalid())
}

/// `from` delegates to `to` between two dates (inclusive). Agents delegate their own work;
/// admins may record it for anyone.
pub async fn add_delegation(
    tx: &TenantTx,
    actor: &UserView,
    from: &str,
    to: &str,
    starts_on: &str,
    ends_on: &str,
) -> AppResult<Uuid> {
    let from = parse_id("from", from)?;
    let to = parse_id("to", to)?;
    if !actor.has_role(Role::Admin) && actor.uuid() != Some(from) {
        return Err(AppError::Forbidden(s::DELEGATE_ONLY_YOURSELF.to_owned()));
    }
    ensure_agent(tx, "from", from).await?;
    ensure_agent(tx, "to", to).await?;
    if from == to {
        return Err(AppError::invalid("to", s::DELEGATE_TO_SELF));
    }
    let starts = parse_date("starts_on", starts_on)?;
    let ends = parse_date("ends_on", ends_on)?;
    if ends < starts {
        return Err(AppError::invalid("ends_on", s::DATES_REVERSED));
    }
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO delegations (id, from_user, to_user, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)",
        vec![id.into(), from.into(), to.into(), starts.into(), ends.into()],
    )
    .await?;
    Ok(id)
}

pub async fn remove_delegation(tx: &TenantTx, actor: &UserView, id: &str) -> AppResult<()> {
    let id = parse_id("delegation", id)?;
    let me = actor.uuid();
    let removed = tx
        .execute(
            "DELETE FROM delegations WHERE id = $1 AND ($2 OR from_user = $3)",
            vec![id.into(), actor.has_role(Role::Admin).into(), me.into()],
        )
        .await?;
    if removed == 0 {
        return Err(AppError::NotFound(s::DELEGATION_UNKNOWN.to_owned()));
    }
    Ok(())
}

/// The agent with this email, if any (for seeding).
pub async fn agent_by_email(tx: &TenantTx, email: &str) -> AppResult<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM users WHERE lower(email) = lower($1) AND kind = 'agent'",
            vec![email.trim().into()],
        )
        .await?;
    Ok(found.map(|f| f.id))
}
