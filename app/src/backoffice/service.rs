//! Dossier processing in the tenant's schema. Every function starts from an [`Agent`] — the
//! signed-in agent with their rights, read fresh — and finds dossiers only through
//! [`visible_dossier`] or the list's visibility clause: a dossier of a service the agent has no
//! right on is "unknown", whichever way it is asked for.

use std::collections::HashMap;

use sea_orm::FromQueryResult;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    AgentDossier, COUNT_CAP, Counters, DossierFilter, DossierLine, DossierList, EditableAnswer,
    FilterOptions, HistoryLine, MessageView, NoteView, PAGE_SIZE, PieceView, SavedSearch, Sla,
    TransitionOption,
};
use super::strings as s;
use crate::account::model::{Role, UserView};
use crate::demarches::answers::validate_answers;
use crate::demarches::beneficiary::BeneficiaryKind;
use crate::demarches::model::{CleanAnswers, FieldKind, RawAnswer};
use crate::demarches::service::version_document;
use crate::dossiers::model::answer_lines;
use crate::dossiers::service::{
    citizen_link, event_label, mail_citizen, message_text, parse_uuid_array, uuid_array,
};
use crate::error::{AppError, AppResult};
use crate::infra::dates::{french_date, french_date_time};
use crate::infra::live::announce;
use crate::infra::{Queries, Settings, TenantTx};
use crate::org::model::Access;
use crate::org::service::{Rights, rights_of};
use crate::workflow::model::{Action, Instruction, fill_template};
use crate::workflow::service::instruction_of;

/// How long an agent's lock lasts without being renewed.
pub const LOCK_MINUTES: i64 = 15;

/// The signed-in agent and what they may do.
pub struct Agent {
    pub user: UserView,
    pub id: Uuid,
    pub rights: Rights,
}

impl Agent {
    /// The signed-in agent of this request, with their rights.
    pub async fn current(tx: &TenantTx) -> AppResult<Self> {
        let user = crate::account::service::require_role(tx, Role::Agent).await?;
        Self::of(tx, user).await
    }

    pub async fn of(tx: &TenantTx, user: UserView) -> AppResult<Self> {
        let id = user.uuid().ok_or(AppError::Unauthenticated)?;
        let rights = rights_of(tx, &user).await?;
        Ok(Self { user, id, rights })
    }

    /// `{a,b}` of the services the agent can read.
    pub(crate) fn readable(&self) -> String {
        uuid_array(&self.rights.services(Access::Consultation))
    }
}

fn unknown() -> AppError {
    AppError::NotFound(s::DOSSIER_UNKNOWN.to_owned())
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "backoffice: stored data does not read back");
    AppError::Internal
}

fn date_of(field: &str, value: &str) -> AppResult<Option<Date>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    crate::org::service::parse_date(field, value).map(Some)
}

fn sla_of(due_on: Option<Date>, alert_on: Option<Date>, closed: bool, today: Date) -> Sla {
    match (closed, due_on) {
        (true, _) | (false, None) => Sla::None,
        (false, Some(due)) if due < today => Sla::Late,
        (false, Some(_)) if alert_on.is_some_and(|a| a <= today) => Sla::Urgent,
        _ => Sla::OnTime,
    }
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn day(date: Date) -> String {
    french_date(date.midnight().assume_utc())
}

/// The SQL that limits dossiers `d` to those the agent can read; `$1` is their services.
pub(crate) const VISIBLE: &str =
    "(d.service_id = ANY ($1::uuid[]) OR d.copy_services && $1::uuid[])";

/// `d.beneficiary_name` folded as `crate::text::fold` folds the searched words: lowercase,
/// without the accents of French.
const FOLD_BENEFICIARY: &str =
    "translate(lower(coalesce(d.beneficiary_name, '')), 'àâäéèêëîïôöœùûüÿç', 'aaaeeeeiiooouuuyc')";

/// Builds the WHERE clause of a filter; the first parameter is always the agent's services.
fn filter_clause(
    agent: &Agent,
    filter: &DossierFilter,
) -> AppResult<(String, Vec<sea_orm::Value>)> {
    let mut sql = format!("WHERE {VISIBLE}");
    let mut values: Vec<sea_orm::Value> = vec![agent.readable().into()];
    fn push(
        sql: &mut String,
        clause: &str,
        value: sea_orm::Value,
        values: &mut Vec<sea_orm::Value>,
    ) {
        values.push(value);
        sql.push_str(&format!(
            " AND {}",
            clause.replace('?', &format!("${}", values.len()))
        ));
    }
    if let Ok(id) = Uuid::parse_str(filter.demarche.trim()) {
        push(&mut sql, "d.demarche_id = ?", id.into(), &mut values);
    }
    if !filter.statut.trim().is_empty() {
        push(
            &mut sql,
            "d.status = ?",
            filter.statut.trim().into(),
            &mut values,
        );
    }
    if let Ok(id) = Uuid::parse_str(filter.service.trim()) {
        push(&mut sql, "d.service_id = ?", id.into(), &mut values);
    }
    match filter.agent.trim() {
        "" => {}
        "moi" => push(&mut sql, "d.assignee_id = ?", agent.id.into(), &mut values),
        "personne" => sql.push_str(" AND d.assignee_id IS NULL"),
        other => {
            let id =
                Uuid::parse_str(other).map_err(|_| AppError::invalid("agent", s::AGENT_UNKNOWN))?;
            push(&mut sql, "d.assignee_id = ?", id.into(), &mut values);
        }
    }
    if let Some(from) = date_of("du", &filter.du)? {
        push(
            &mut sql,
            "d.submitted_at >= ?::date",
            from.into(),
            &mut values,
        );
    }
    if let Some(to) = date_of("au", &filter.au)? {
        push(
            &mut sql,
            "d.submitted_at < (?::date + 1)",
            to.into(),
            &mut values,
        );
    }
    match filter.beneficiaire.trim() {
        "" => {}
        code => {
            let kind = BeneficiaryKind::parse(code)
                .ok_or_else(|| AppError::invalid("beneficiaire", s::BENEFICIARY_KIND_UNKNOWN))?;
            push(
                &mut sql,
                "d.beneficiary_kind = ?",
                kind.code().into(),
                &mut values,
            );
        }
    }
    let name = filter.pour.trim();
    if !name.is_empty() {
        // Every word, in any order, case and accents aside (`pour=lea martin`).
        for word in crate::text::fold(name).split_whitespace().take(6) {
            let pattern = format!("%{}%", word.replace(['%', '_', '\\'], ""));
            push(
                &mut sql,
                &format!("{FOLD_BENEFICIARY} LIKE ?"),
                pattern.into(),
                &mut values,
            );
        }
    }
    match Sla::parse(filter.delai.trim()) {
        None if !filter.delai.trim().is_empty() => {
            return Err(AppError::invalid("delai", s::SLA_UNKNOWN));
        }
        None => {}
        Some(Sla::None) => sql.push_str(" AND (d.closed_at IS NOT NULL OR d.due_on IS NULL)"),
        Some(Sla::Late) => sql.push_str(" AND d.closed_at IS NULL AND d.due_on < current_date"),
        Some(Sla::Urgent) => sql.push_str(
            " AND d.closed_at IS NULL AND d.due_on >= current_date AND d.alert_on <= current_date",
        ),
        Some(Sla::OnTime) => sql.push_str(
            " AND d.closed_at IS NULL AND d.due_on >= current_date AND (d.alert_on IS NULL OR d.alert_on > current_date)",
        ),
    }
    Ok((sql, values))
}

fn order_by(filter: &DossierFilter) -> &'static str {
    match filter.tri.as_str() {
        "ancien" => "d.submitted_at ASC, d.id ASC",
        "echeance" => "d.due_on ASC NULLS LAST, d.submitted_at ASC, d.id ASC",
        "reference" => "d.reference ASC",
        _ => "d.submitted_at DESC, d.id DESC",
    }
}

#[derive(FromQueryResult)]
struct LineRow {
    id: Uuid,
    reference: String,
    demarche_id: Uuid,
    citizen_name: String,
    status: String,
    service: String,
    assignee: Option<String>,
    submitted_at: OffsetDateTime,
    due_on: Option<Date>,
    alert_on: Option<Date>,
    closed: bool,
    context: Option<String>,
    beneficiary_kind: Option<String>,
    beneficiary_name: Option<String>,
}

const LINE_SELECT: &str = "SELECT d.id, d.reference, d.demarche_id, d.citizen_name, d.status, s.name AS service,
        u.display_name AS assignee, d.submitted_at, d.due_on, d.alert_on, d.closed_at IS NOT NULL AS closed,
        COALESCE(d.context_name, d.context_code) AS context, d.beneficiary_kind, d.beneficiary_name
     FROM dossiers d JOIN services s ON s.id = d.service_id LEFT JOIN users u ON u.id = d.assignee_id";

/// "Léa MARTIN (enfant du foyer)" when the dossier is for someone other than its account holder.
fn other_beneficiary(kind: Option<&str>, name: Option<&str>) -> Option<String> {
    let kind = BeneficiaryKind::parse(kind?)?;
    let name = name?.trim();
    if kind == BeneficiaryKind::Soi || name.is_empty() {
        return None;
    }
    Some(s::beneficiary_line(name, kind))
}

/// Titles and workflows of the démarches, read once per request.
struct Demarches {
    titles: HashMap<Uuid, String>,
    instructions: HashMap<Uuid, Instruction>,
}

impl Demarches {
    async fn load(tx: &TenantTx) -> AppResult<Self> {
        #[derive(FromQueryResult)]
        struct Row {
            id: Uuid,
            title: String,
        }
        let rows: Vec<Row> = tx
            .fetch_all(
                "SELECT d.id, COALESCE(v.document->'demarche'->>'title', d.draft->'demarche'->>'title', '') AS title
                 FROM demarches d LEFT JOIN demarche_versions v ON v.demarche_id = d.id AND v.version = d.current_version",
                vec![],
            )
            .await?;
        let mut instructions = HashMap::new();
        for row in &rows {
            instructions.insert(row.id, instruction_of(tx, row.id).await?);
        }
        Ok(Self {
            titles: rows.into_iter().map(|r| (r.id, r.title)).collect(),
            instructions,
        })
    }

    fn title(&self, id: Uuid) -> String {
        self.titles.get(&id).cloned().unwrap_or_default()
    }

    /// The status's agent name and colour.
    fn status(&self, demarche: Uuid, code: &str) -> (String, String) {
        self.instructions
            .get(&demarche)
            .and_then(|i| i.workflow.status(code))
            .map(|st| (st.name.clone(), st.colour.clone()))
            .unwrap_or_else(|| (code.to_owned(), "#3a3a3a".to_owned()))
    }

    fn line(&self, row: LineRow, today: Date) -> DossierLine {
        let (status_name, status_colour) = self.status(row.demarche_id, &row.status);
        DossierLine {
            reference: row.reference,
            demarche: self.title(row.demarche_id),
            citizen: row.citizen_name,
            status: row.status,
            status_name,
            status_colour,
            service: row.service,
            assignee: row.assignee,
            submitted_on: french_date(row.submitted_at),
            due_on: row.due_on.map(day),
            sla: sla_of(row.due_on, row.alert_on, row.closed, today),
            context: row.context,
            beneficiary: other_beneficiary(
                row.beneficiary_kind.as_deref(),
                row.beneficiary_name.as_deref(),
            ),
        }
    }
}

/// A page of the dossiers the agent can see, filtered and sorted.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn list(tx: &TenantTx, agent: &Agent, filter: &DossierFilter) -> AppResult<DossierList> {
    let (clause, values) = filter_clause(agent, filter)?;
    #[derive(FromQueryResult)]
    struct Count {
        total: i64,
    }
    let count: Option<Count> = tx
        .fetch_optional(
            &format!(
                "SELECT count(*) AS total FROM (SELECT 1 FROM dossiers d {clause} LIMIT {}) counted",
                COUNT_CAP + 1
            ),
            values.clone(),
        )
        .await?;
    let counted = count.map(|c| c.total.max(0) as u64).unwrap_or(0);
    let capped = counted > COUNT_CAP;
    let total = counted.min(COUNT_CAP);
    let pages = (total.div_ceil(u64::from(PAGE_SIZE)) as u32).max(1);
    let page = filter.page_number().min(pages);
    let rows: Vec<LineRow> = tx
        .fetch_all(
            &format!(
                "{LINE_SELECT} {clause} ORDER BY {} LIMIT {PAGE_SIZE} OFFSET {}",
                order_by(filter),
                (page - 1) * PAGE_SIZE
            ),
            values,
        )
        .await?;
    let demarches = Demarches::load(tx).await?;
    let today = today();
    let lines = rows.into_iter().map(|r| demarches.line(r, today)).collect();
    Ok(DossierList {
        lines,
        total,
        capped,
        page,
        pages,
        options: filter_options(tx, agent, &demarches).await?,
    })
}

/// The dossiers of a filter by batches of `batch`, after the one with `after` (keyset), for
/// the streamed export. Sorted by submission.
pub async fn export_batch(
    tx: &TenantTx,
    agent: &Agent,
    filter: &DossierFilter,
    after: Option<(OffsetDateTime, Uuid)>,
    batch: u32,
) -> AppResult<Vec<(OffsetDateTime, Uuid, DossierLine)>> {
    let (mut clause, mut values) = filter_clause(agent, filter)?;
    if let Some((at, id)) = after {
        values.push(at.into());
        values.push(id.into());
        clause.push_str(&format!(
            " AND (d.submitted_at, d.id) > (${}, ${})",
            values.len() - 1,
            values.len()
        ));
    }
    let rows: Vec<LineRow> = tx
        .fetch_all(
            &format!("{LINE_SELECT} {clause} ORDER BY d.submitted_at, d.id LIMIT {batch}"),
            values,
        )
        .await?;
    let demarches = Demarches::load(tx).await?;
    let today = today();
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = (r.submitted_at, r.id);
            (key.0, key.1, demarches.line(r, today))
        })
        .collect())
}

/// The ids of the dossiers of a filter the agent may read, by submission, at most `limit`
/// (a mail merge's selection: the caller asks for one more than it accepts).
pub async fn selected_ids(
    tx: &TenantTx,
    agent: &Agent,
    filter: &DossierFilter,
    limit: usize,
) -> AppResult<Vec<Uuid>> {
    let (clause, values) = filter_clause(agent, filter)?;
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            &format!(
                "SELECT d.id FROM dossiers d {clause} ORDER BY d.submitted_at, d.id LIMIT {limit}"
            ),
            values,
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// `{"a","b"}`: a text list bound as text and cast to `text[]` in SQL.
fn text_array(values: &[String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

/// Of `references`, the ids of the dossiers the agent may read, by reference; the others are
/// simply not in the map (unknown and out of reach look the same).
pub async fn readable_references(
    tx: &TenantTx,
    agent: &Agent,
    references: &[String],
) -> AppResult<HashMap<String, Uuid>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        reference: String,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            &format!("SELECT d.id, d.reference FROM dossiers d WHERE {VISIBLE} AND d.reference = ANY ($2::text[])"),
            vec![agent.readable().into(), text_array(references).into()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.reference, r.id)).collect())
}

/// How many dossiers an export of `filter` will have.
pub async fn count(tx: &TenantTx, agent: &Agent, filter: &DossierFilter) -> AppResult<u64> {
    let (clause, values) = filter_clause(agent, filter)?;
    #[derive(FromQueryResult)]
    struct Count {
        total: i64,
    }
    let count: Option<Count> = tx
        .fetch_optional(
            &format!("SELECT count(*) AS total FROM dossiers d {clause}"),
            values,
        )
        .await?;
    Ok(count.map(|c| c.total.max(0) as u64).unwrap_or(0))
}

async fn filter_options(
    tx: &TenantTx,
    agent: &Agent,
    demarches: &Demarches,
) -> AppResult<FilterOptions> {
    let mut statuses: Vec<(String, String)> = Vec::new();
    for instruction in demarches.instructions.values() {
        for st in &instruction.workflow.statuses {
            if !statuses.iter().any(|(code, _)| code == &st.code) {
                statuses.push((st.code.clone(), st.name.clone()));
            }
        }
    }
    let mut titles: Vec<(String, String)> = demarches
        .titles
        .iter()
        .map(|(id, t)| (id.to_string(), t.clone()))
        .collect();
    titles.sort_by(|a, b| a.1.cmp(&b.1));
    let readable = agent.rights.services(Access::Consultation);
    let services = crate::org::service::services(tx)
        .await?
        .into_iter()
        .filter(|sv| Uuid::parse_str(&sv.id).is_ok_and(|id| readable.contains(&id)))
        .map(|sv| (sv.id, sv.path))
        .collect();
    let agents = crate::org::service::agents(tx)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect();
    Ok(FilterOptions {
        demarches: titles,
        statuses,
        services,
        agents,
        saved: saved_searches(tx, agent).await?,
    })
}

/// The dashboard's counters over the open dossiers the agent can see.
pub async fn counters(tx: &TenantTx, agent: &Agent) -> AppResult<Counters> {
    #[derive(FromQueryResult)]
    struct Row {
        mine: i64,
        my_services: i64,
        new: i64,
        waiting_citizen: i64,
        urgent: i64,
        late: i64,
    }
    let own = uuid_array(&agent.rights.services(Access::Modification));
    let row: Option<Row> = tx
        .fetch_optional(
            &format!(
                "SELECT count(*) FILTER (WHERE d.assignee_id = $2) AS mine,
                        count(*) FILTER (WHERE d.service_id = ANY ($3::uuid[])) AS my_services,
                        count(*) FILTER (WHERE d.assignee_id IS NULL) AS new,
                        count(*) FILTER (WHERE d.complement_open) AS waiting_citizen,
                        count(*) FILTER (WHERE d.due_on >= current_date AND d.alert_on <= current_date) AS urgent,
                        count(*) FILTER (WHERE d.due_on < current_date) AS late
                 FROM dossiers d WHERE {VISIBLE} AND d.closed_at IS NULL"
            ),
            vec![agent.readable().into(), agent.id.into(), own.into()],
        )
        .await?;
    let n = |v: i64| v.max(0) as u64;
    Ok(row
        .map(|r| Counters {
            mine: n(r.mine),
            my_services: n(r.my_services),
            new: n(r.new),
            waiting_citizen: n(r.waiting_citizen),
            urgent: n(r.urgent),
            late: n(r.late),
        })
        .unwrap_or_default())
}

#[derive(FromQueryResult)]
struct DossierRow {
    id: Uuid,
    reference: String,
    demarche_id: Uuid,
    version: i32,
    tracking_key: Option<String>,
    contact_email: Option<String>,
    citizen_name: String,
    channel: String,
    answers: String,
    status: String,
    service_id: Uuid,
    copy_services: String,
    assignee_id: Option<Uuid>,
    submitted_at: OffsetDateTime,
    due_on: Option<Date>,
    alert_on: Option<Date>,
    silence_on: Option<Date>,
    silence_kind: Option<String>,
    complement_open: bool,
    locked_by: Option<Uuid>,
    locked_until: Option<OffsetDateTime>,
    revision: i32,
    closed: bool,
    context: Option<String>,
    beneficiary_kind: Option<String>,
    beneficiary_name: Option<String>,
}

const DOSSIER_SELECT: &str = "SELECT id, reference, demarche_id, version, tracking_key, contact_email, citizen_name,
        channel, answers::text AS answers, status, service_id, copy_services::text AS copy_services, assignee_id,
        submitted_at, due_on, alert_on, silence_on, silence_kind, complement_open, locked_by, locked_until,
        revision, closed_at IS NOT NULL AS closed, COALESCE(context_name, context_code) AS context,
        beneficiary_kind, beneficiary_name
     FROM dossiers";

/// A dossier the agent can see (by reference), with their access to it; `for_update` locks
/// the row for the rest of the transaction.
async fn visible_dossier(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    for_update: bool,
) -> AppResult<(DossierRow, Access)> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    let row: Option<DossierRow> = tx
        .fetch_optional(
            &format!("{DOSSIER_SELECT} WHERE reference = $1{lock}"),
            vec![reference.trim().into()],
        )
        .await?;
    let row = row.ok_or_else(unknown)?;
    let copies = parse_uuid_array(&row.copy_services);
    let access = agent
        .rights
        .dossier_access(row.service_id, &copies)
        .ok_or_else(unknown)?;
    Ok((row, access))
}

/// What another feature (responses) needs of a dossier the agent reaches.
pub struct DossierRef {
    pub id: Uuid,
    pub reference: String,
    pub service_id: Uuid,
    pub assignee_id: Option<Uuid>,
    pub access: Access,
}

/// The dossier `reference` if the agent has at least `at_least` on it (modification also
/// locks its row and respects another agent's lock), else "unknown" or "read only" as on its
/// page.
pub async fn dossier_ref(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    at_least: Access,
) -> AppResult<DossierRef> {
    let (row, access) = if at_least >= Access::Modification {
        (
            modifiable(tx, agent, reference).await?,
            Access::Modification,
        )
    } else {
        visible_dossier(tx, agent, reference, false).await?
    };
    Ok(DossierRef {
        id: row.id,
        reference: row.reference,
        service_id: row.service_id,
        assignee_id: row.assignee_id,
        access,
    })
}

/// The id of a dossier the agent may read (letters previewed on it).
pub async fn readable_dossier(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<Uuid> {
    visible_dossier(tx, agent, reference, false)
        .await
        .map(|(row, _)| row.id)
}

/// The dossier, locked, if the agent may modify it and nobody else holds its lock.
async fn modifiable(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<DossierRow> {
    let (row, access) = visible_dossier(tx, agent, reference, true).await?;
    if access < Access::Modification {
        return Err(AppError::Forbidden(s::READ_ONLY.to_owned()));
    }
    if let Some(holder) = locked_by_other(tx, agent, &row).await? {
        return Err(AppError::conflict("dossier", s::locked_by(&holder)));
    }
    Ok(row)
}

/// The name of another agent whose lock on the dossier has not expired.
async fn locked_by_other(
    tx: &TenantTx,
    agent: &Agent,
    row: &DossierRow,
) -> AppResult<Option<String>> {
    let held = matches!((row.locked_by, row.locked_until), (Some(by), Some(until))
        if by != agent.id && until > OffsetDateTime::now_utc());
    if !held {
        return Ok(None);
    }
    Ok(Some(user_name(tx, row.locked_by).await?))
}

async fn user_name(tx: &TenantTx, id: Option<Uuid>) -> AppResult<String> {
    #[derive(FromQueryResult)]
    struct Name {
        display_name: String,
    }
    let Some(id) = id else {
        return Ok(String::new());
    };
    let name: Option<Name> = tx
        .fetch_optional(
            "SELECT display_name FROM users WHERE id = $1",
            vec![id.into()],
        )
        .await?;
    Ok(name.map(|n| n.display_name).unwrap_or_default())
}

/// Records what happened, by whom and on whose behalf, and tells the watchers.
async fn record(
    tx: &TenantTx,
    agent: &Agent,
    row: &DossierRow,
    kind: &str,
    status: Option<&str>,
    detail: Option<String>,
) -> AppResult<()> {
    let behalf = agent.rights.on_behalf_of(row.service_id, row.assignee_id);
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, status, by_user, on_behalf_of, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            row.id.into(),
            kind.into(),
            status.map(str::to_owned).into(),
            agent.id.into(),
            behalf.into(),
            detail.into(),
        ],
    )
    .await?;
    tx.execute(
        "UPDATE dossiers SET updated_at = now() WHERE id = $1",
        vec![row.id.into()],
    )
    .await?;
    announce(tx, row.id).await
}

/// The identity a provider certified for the dossier's owner, if it has an owner and they are
/// certified (read from their account in this tenant: certification is per commune).
async fn owner_identity(
    tx: &TenantTx,
    dossier: Uuid,
) -> AppResult<Option<crate::identity::model::CertifiedIdentity>> {
    #[derive(FromQueryResult)]
    struct Owner {
        identity: String,
    }
    let owner: Option<Owner> = tx
        .fetch_optional(
            "SELECT u.certified_identity::text AS identity FROM dossiers d JOIN users u ON u.id = d.user_id
             WHERE d.id = $1 AND u.certified_identity IS NOT NULL",
            vec![dossier.into()],
        )
        .await?;
    // An unreadable document is shown as no certification rather than failing the page.
    Ok(owner.and_then(|o| serde_json::from_str(&o.identity).ok()))
}

/// The answers the owner's certified identity fixed when they filed the dossier on the portal
/// (as `dossiers::service::locks_of` enforced them): agents do not correct them either.
fn certified_locks(
    definition: &crate::demarches::model::Definition,
    row: &DossierRow,
    owner: Option<crate::identity::model::CertifiedIdentity>,
) -> crate::demarches::model::Locks {
    // The owner's certified identity is theirs: it locks nothing on a dossier filed for
    // someone else.
    let for_someone_else = !matches!(row.beneficiary_kind.as_deref(), None | Some("soi"));
    if row.channel != "portal" || owner.is_none() || for_someone_else {
        return crate::demarches::model::Locks::default();
    }
    let profile = crate::demarches::model::Profile {
        certified: owner,
        ..Default::default()
    };
    crate::demarches::answers::locks(definition, &profile)
}

/// Everything the agent's dossier page shows.
pub async fn dossier(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<AgentDossier> {
    let (row, access) = visible_dossier(tx, agent, reference, false).await?;
    let document = version_document(tx, row.demarche_id, row.version).await?;
    let instruction = instruction_of(tx, row.demarche_id).await?;
    let workflow = &instruction.workflow;
    let clean: CleanAnswers = serde_json::from_str(&row.answers).map_err(internal)?;
    let status = workflow.status(&row.status);
    let today = today();
    let locked_by_other = locked_by_other(tx, agent, &row).await?;
    let i_hold_lock = row.locked_by == Some(agent.id)
        && row
            .locked_until
            .is_some_and(|u| u > OffsetDateTime::now_utc());
    let owner = owner_identity(tx, row.id).await?;
    let certified = certified_locks(&document.definition, &row, owner.clone());
    let editable = document
        .definition
        .steps
        .iter()
        .flat_map(|step| step.fields.iter())
        .filter(|f| editable_kind(&f.kind) && certified.certifier(&f.code).is_none())
        .map(|f| EditableAnswer {
            code: f.code.clone(),
            label: f.label.clone(),
            value: clean
                .0
                .get(&f.code)
                .map(|v| match v.to_raw() {
                    RawAnswer::Text(t) => t,
                    RawAnswer::YesNo(b) => if b { "oui" } else { "non" }.to_owned(),
                    _ => String::new(),
                })
                .unwrap_or_default(),
        })
        .collect();
    #[derive(FromQueryResult)]
    struct Piece {
        id: Uuid,
        name: String,
        field_path: String,
        size: i64,
        review: String,
        refusal_reason: Option<String>,
        old_id: Option<Uuid>,
        old_name: Option<String>,
    }
    // The current pieces; one that replaced a refused piece names it.
    let pieces: Vec<Piece> = tx
        .fetch_all(
            "SELECT a.id, a.name, a.field_path, a.size, a.review, a.refusal_reason, o.id AS old_id, o.name AS old_name
             FROM attachments a LEFT JOIN attachments o ON o.replaced_by = a.id
             WHERE a.dossier_id = $1 AND a.replaced_by IS NULL ORDER BY a.field_path, a.name",
            vec![row.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Note {
        author: Option<String>,
        behalf: Option<String>,
        visibility: String,
        body: String,
        created_at: OffsetDateTime,
    }
    let notes: Vec<Note> = tx
        .fetch_all(
            "SELECT a.display_name AS author, b.display_name AS behalf, n.visibility, n.body, n.created_at
             FROM dossier_notes n LEFT JOIN users a ON a.id = n.author_id LEFT JOIN users b ON b.id = n.on_behalf_of
             WHERE n.dossier_id = $1 AND (n.visibility <> 'personal' OR n.author_id = $2)
             ORDER BY n.created_at, n.id",
            vec![row.id.into(), agent.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Message {
        from_citizen: bool,
        author: Option<String>,
        body: String,
        created_at: OffsetDateTime,
    }
    let messages: Vec<Message> = tx
        .fetch_all(
            "SELECT m.from_citizen, u.display_name AS author, m.body, m.created_at
             FROM dossier_messages m LEFT JOIN users u ON u.id = m.author_id
             WHERE m.dossier_id = $1 ORDER BY m.created_at, m.id",
            vec![row.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Event {
        at: OffsetDateTime,
        kind: String,
        status: Option<String>,
        who: Option<String>,
        behalf: Option<String>,
        detail: Option<String>,
    }
    let events: Vec<Event> = tx
        .fetch_all(
            "SELECT e.at, e.kind, e.status, u.display_name AS who, b.display_name AS behalf, e.detail
             FROM dossier_events e LEFT JOIN users u ON u.id = e.by_user LEFT JOIN users b ON b.id = e.on_behalf_of
             WHERE e.dossier_id = $1 ORDER BY e.id",
            vec![row.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Link {
        reference: String,
        citizen_name: String,
    }
    let links: Vec<Link> = tx
        .fetch_all(
            &format!(
                "SELECT d.reference, d.citizen_name FROM dossier_links l JOIN dossiers d ON d.id = l.linked_id
                 WHERE l.dossier_id = $2 AND {VISIBLE} ORDER BY d.reference"
            ),
            vec![agent.readable().into(), row.id.into()],
        )
        .await?;
    let services = crate::org::service::services(tx).await?;
    let service_name = services
        .iter()
        .find(|sv| sv.id == row.service_id.to_string())
        .map(|sv| sv.path.clone())
        .unwrap_or_default();
    let agents = crate::org::service::agents(tx).await?;
    let mails = crate::mail::service::dossier_mails(tx, row.id).await?;
    let wallet_types = crate::wallet::service::types_for_dossier(tx, row.id).await?;
    #[derive(FromQueryResult)]
    struct PersonOf {
        id: Uuid,
        owner: bool,
    }
    // The owner's record (through their account) and the beneficiary's; merged ones are gone.
    let people: Vec<PersonOf> = tx
        .fetch_all(
            "SELECT p.id, true AS owner FROM dossiers d JOIN people p ON p.account_id = d.user_id
              WHERE d.id = $1 AND p.merged_into IS NULL
             UNION ALL
             SELECT p.id, false FROM dossiers d JOIN people p ON p.id = d.beneficiary_person_id
              WHERE d.id = $1 AND p.merged_into IS NULL",
            vec![row.id.into()],
        )
        .await?;
    Ok(AgentDossier {
        people: people
            .into_iter()
            .map(|p| (p.id.to_string(), p.owner))
            .collect(),
        reference: row.reference.clone(),
        demarche: document.demarche.title.clone(),
        citizen: row.citizen_name.clone(),
        contact_email: row.contact_email.clone(),
        owner_identity: owner,
        channel: row.channel.clone(),
        channel_label: crate::dossiers::model::Channel::label_of(&row.channel),
        context: row.context.clone(),
        beneficiary: other_beneficiary(
            row.beneficiary_kind.as_deref(),
            row.beneficiary_name.as_deref(),
        ),
        status: row.status.clone(),
        status_name: status
            .map(|st| st.name.clone())
            .unwrap_or_else(|| row.status.clone()),
        status_colour: status.map(|st| st.colour.clone()).unwrap_or_default(),
        service_id: row.service_id.to_string(),
        service: service_name,
        assignee: row.assignee_id.and_then(|id| {
            let id = id.to_string();
            agents
                .iter()
                .find(|a| a.id == id)
                .map(|a| a.display_name.clone())
        }),
        submitted_on: french_date(row.submitted_at),
        due_on: row.due_on.map(day),
        silence: row
            .silence_on
            .zip(row.silence_kind.as_deref())
            .map(|(on, kind)| s::silence_line(kind, &day(on))),
        sla: sla_of(row.due_on, row.alert_on, row.closed, today),
        complement_open: row.complement_open,
        access,
        locked_by_other,
        i_hold_lock,
        revision: row.revision,
        answers: answer_lines(&document.definition, &clean),
        editable,
        pieces: pieces
            .into_iter()
            .map(|p| PieceView {
                id: p.id.to_string(),
                name: p.name,
                field: p.field_path,
                size: p.size.max(0) as u64,
                review: p.review,
                refusal_reason: p.refusal_reason,
                replaces: p
                    .old_id
                    .map(|id| (id.to_string(), p.old_name.unwrap_or_default())),
            })
            .collect(),
        wallet_types,
        transitions: workflow
            .from(&row.status)
            .map(|t| TransitionOption {
                id: t.id.clone(),
                label: t.label.clone(),
                to_name: workflow
                    .status(&t.to)
                    .map(|st| st.name.clone())
                    .unwrap_or_default(),
                requests_complement: t
                    .actions
                    .iter()
                    .any(|a| matches!(a, Action::RequestComplement { .. })),
            })
            .collect(),
        notes: notes
            .into_iter()
            .map(|n| NoteView {
                author: n.author.unwrap_or_default(),
                on_behalf_of: n.behalf,
                visibility: n.visibility,
                body: n.body,
                at: french_date_time(n.created_at),
            })
            .collect(),
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                from_citizen: m.from_citizen,
                author: if m.from_citizen {
                    row.citizen_name.clone()
                } else {
                    m.author.unwrap_or_default()
                },
                body: m.body,
                at: french_date_time(m.created_at),
            })
            .collect(),
        history: events
            .into_iter()
            .map(|e| HistoryLine {
                at: french_date_time(e.at),
                who: e.who.unwrap_or_else(|| s::CITIZEN.to_owned()),
                on_behalf_of: e.behalf,
                what: history_text(workflow, &e.kind, e.status.as_deref(), e.detail.as_deref()),
            })
            .collect(),
        links: links
            .into_iter()
            .map(|l| (l.reference, l.citizen_name))
            .collect(),
        mails,
        services: services.into_iter().map(|sv| (sv.id, sv.path)).collect(),
        agents: agents.into_iter().map(|a| (a.id, a.display_name)).collect(),
        request_id: Uuid::new_v4().to_string(),
    })
}

fn history_text(
    workflow: &crate::workflow::model::Workflow,
    kind: &str,
    status: Option<&str>,
    detail: Option<&str>,
) -> String {
    let base = match kind {
        "status" => match status {
            Some(code) => s::history_status(
                &workflow
                    .status(code)
                    .map(|st| st.name.clone())
                    .unwrap_or_else(|| code.to_owned()),
            ),
            None => kind.to_owned(),
        },
        "taken" => s::HISTORY_TAKEN.to_owned(),
        "assigned" => s::HISTORY_ASSIGNED.to_owned(),
        "redirected" => s::HISTORY_REDIRECTED.to_owned(),
        "answer_edited" => s::HISTORY_ANSWER_EDITED.to_owned(),
        "note" => s::HISTORY_NOTE.to_owned(),
        "message" => s::HISTORY_MESSAGE.to_owned(),
        "citizen_message" => s::HISTORY_CITIZEN_MESSAGE.to_owned(),
        "piece" => s::HISTORY_PIECE.to_owned(),
        "piece_replaced" => s::HISTORY_PIECE_REPLACED.to_owned(),
        "deadline" => s::HISTORY_DEADLINE.to_owned(),
        "linked" => s::HISTORY_LINKED.to_owned(),
        other if crate::responses::strings::history(other).is_some() => {
            crate::responses::strings::history(other)
                .unwrap_or_default()
                .to_owned()
        }
        other => event_label(workflow, other, status),
    };
    match detail.filter(|d| !d.is_empty()) {
        Some(detail) => format!("{base} — {detail}"),
        None => base,
    }
}

fn editable_kind(kind: &FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::ShortText { .. }
            | FieldKind::LongText { .. }
            | FieldKind::Email { .. }
            | FieldKind::Phone { .. }
            | FieldKind::Integer { .. }
            | FieldKind::Decimal { .. }
            | FieldKind::Date { .. }
    )
}

/// The agent takes the dossier for themselves.
pub async fn take_charge(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<()> {
    let row = modifiable(tx, agent, reference).await?;
    if row.assignee_id == Some(agent.id) {
        return Ok(());
    }
    tx.execute(
        "UPDATE dossiers SET assignee_id = $2 WHERE id = $1",
        vec![row.id.into(), agent.id.into()],
    )
    .await?;
    record(tx, agent, &row, "taken", None, None).await
}

/// Gives the dossier to a colleague (management right), who must be able to process it.
pub async fn assign(tx: &TenantTx, agent: &Agent, reference: &str, to: &str) -> AppResult<()> {
    let row = modifiable(tx, agent, reference).await?;
    let to =
        Uuid::parse_str(to.trim()).map_err(|_| AppError::invalid("agent", s::AGENT_UNKNOWN))?;
    if to != agent.id && !agent.rights.can(row.service_id, Access::Gestion) {
        return Err(AppError::Forbidden(s::ASSIGN_NEEDS_GESTION.to_owned()));
    }
    let user = crate::account::service::list_users(tx)
        .await?
        .into_iter()
        .find(|u| u.uuid() == Some(to) && u.has_role(Role::Agent))
        .ok_or_else(|| AppError::invalid("agent", s::AGENT_UNKNOWN))?;
    let theirs = rights_of(tx, &user).await?;
    if !theirs.can(row.service_id, Access::Modification) {
        return Err(AppError::invalid("agent", s::ASSIGNEE_WITHOUT_RIGHT));
    }
    tx.execute(
        "UPDATE dossiers SET assignee_id = $2 WHERE id = $1",
        vec![row.id.into(), to.into()],
    )
    .await?;
    record(tx, agent, &row, "assigned", None, Some(user.display_name)).await
}

/// Sends the dossier to another service, with the reason: it leaves the agent's hands.
pub async fn redirect(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    service: &str,
    reason: &str,
) -> AppResult<()> {
    let row = modifiable(tx, agent, reference).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", s::REASON_REQUIRED));
    }
    let target = known_service(tx, service).await?;
    if target.0 == row.service_id {
        return Err(AppError::invalid("service", s::SAME_SERVICE));
    }
    tx.execute(
        "UPDATE dossiers SET service_id = $2, assignee_id = NULL, locked_by = NULL, locked_until = NULL WHERE id = $1",
        vec![row.id.into(), target.0.into()],
    )
    .await?;
    record(
        tx,
        agent,
        &row,
        "redirected",
        None,
        Some(format!("{} : {reason}", target.1)),
    )
    .await
}

async fn known_service(tx: &TenantTx, id: &str) -> AppResult<(Uuid, String)> {
    let unknown = || AppError::invalid("service", s::SERVICE_UNKNOWN);
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown())?;
    let name = crate::org::service::service_name(tx, id).await?;
    name.map(|name| (id, name)).ok_or_else(unknown)
}

/// Takes a transition of the dossier's workflow and runs its actions — once: a retried request
/// (same `request_id`) finds its transition done and does nothing more.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn transition(
    tx: &TenantTx,
    settings: &Settings,
    agent: &Agent,
    reference: &str,
    transition_id: &str,
    comment: &str,
    request_id: &str,
) -> AppResult<()> {
    let request = Uuid::parse_str(request_id.trim())
        .map_err(|_| AppError::invalid("request_id", s::REQUEST_ID_INVALID))?;
    let row = modifiable(tx, agent, reference).await?;
    // The row is locked: a concurrent retry waits here and then finds the event.
    #[derive(FromQueryResult)]
    struct Done {
        #[allow(dead_code)]
        id: i64,
    }
    let done: Option<Done> = tx
        .fetch_optional(
            "SELECT id FROM dossier_events WHERE request_id = $1 AND dossier_id = $2",
            vec![request.into(), row.id.into()],
        )
        .await?;
    if done.is_some() {
        return Ok(());
    }
    let instruction = instruction_of(tx, row.demarche_id).await?;
    let workflow = &instruction.workflow;
    let transition = workflow
        .transitions
        .iter()
        .find(|t| t.id == transition_id)
        .ok_or_else(|| AppError::invalid("transition", s::TRANSITION_UNKNOWN))?;
    if transition.from != row.status {
        return Err(AppError::conflict(
            "transition",
            s::transition_not_from(&workflow.label(&row.status)),
        ));
    }
    let comment = comment.trim();
    if comment.chars().count() > 5000 {
        return Err(AppError::invalid("comment", s::COMMENT_TOO_LONG));
    }
    let terminal = workflow.is_terminal(&transition.to);
    // `now()` out of CASE (Citus refuses it there): the closing time is the change's time.
    tx.execute(
        "UPDATE dossiers SET status = $2, status_changed_at = now(), updated_at = now(),
             closed_at = NULL, complement_open = false, complement_return = NULL
         WHERE id = $1",
        vec![row.id.into(), transition.to.clone().into()],
    )
    .await?;
    if terminal {
        tx.execute(
            "UPDATE dossiers SET closed_at = status_changed_at WHERE id = $1",
            vec![row.id.into()],
        )
        .await?;
    }
    let behalf = agent.rights.on_behalf_of(row.service_id, row.assignee_id);
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, status, by_user, on_behalf_of, detail, request_id)
         VALUES ($1, 'status', $2, $3, $4, NULLIF($5, ''), $6)",
        vec![
            row.id.into(),
            transition.to.clone().into(),
            agent.id.into(),
            behalf.into(),
            comment.into(),
            request.into(),
        ],
    )
    .await?;
    let link = citizen_link(settings, tx, &row.reference, row.tracking_key.as_deref());
    let label = workflow.label(&transition.to);
    // The démarche's title only goes into notification mails.
    let title = if transition
        .actions
        .iter()
        .any(|a| matches!(a, Action::NotifyCitizen { .. }))
    {
        version_document(tx, row.demarche_id, row.version)
            .await?
            .demarche
            .title
    } else {
        String::new()
    };
    for action in &transition.actions {
        match action {
            Action::NotifyCitizen { subject, body } => {
                let values = [
                    ("reference", row.reference.as_str()),
                    ("demarche", title.as_str()),
                    ("statut", label.as_str()),
                    ("lien", link.as_str()),
                    ("commentaire", comment),
                ];
                mail_citizen(
                    tx,
                    row.id,
                    row.contact_email.as_deref(),
                    fill_template(subject, &values),
                    fill_template(body, &values),
                )
                .await?;
            }
            Action::RequestComplement { return_to } => {
                tx.execute(
                    "UPDATE dossiers SET complement_open = true, complement_return = $2, complement_message = $3 WHERE id = $1",
                    vec![row.id.into(), return_to.clone().into(), comment.into()],
                )
                .await?;
                tx.execute(
                    "INSERT INTO dossier_events (dossier_id, kind, by_user, on_behalf_of, detail) VALUES ($1, 'complement_requested', $2, $3, NULLIF($4, ''))",
                    vec![row.id.into(), agent.id.into(), behalf.into(), comment.into()],
                )
                .await?;
                mail_citizen(
                    tx,
                    row.id,
                    row.contact_email.as_deref(),
                    crate::dossiers::strings::complement_subject(&row.reference),
                    crate::dossiers::strings::complement_body(&row.reference, comment, &link),
                )
                .await?;
            }
            Action::SetDeadline { days } => {
                let days = i32::try_from(*days).unwrap_or(i32::MAX);
                tx.execute(
                    "UPDATE dossiers SET due_on = current_date + $2::int,
                         alert_on = CASE WHEN alert_on IS NULL OR due_on IS NULL THEN NULL
                                         ELSE current_date + $2::int - (due_on - alert_on) END
                     WHERE id = $1",
                    vec![row.id.into(), days.into()],
                )
                .await?;
            }
            Action::AssignService { service_id } => {
                if let Ok(target) = known_service(tx, service_id).await {
                    tx.execute(
                        "UPDATE dossiers SET service_id = $2, assignee_id = NULL WHERE id = $1",
                        vec![row.id.into(), target.0.into()],
                    )
                    .await?;
                }
            }
        }
    }
    if terminal {
        tx.execute(
            "UPDATE dossiers SET locked_by = NULL, locked_until = NULL WHERE id = $1",
            vec![row.id.into()],
        )
        .await?;
    }
    announce(tx, row.id).await
}

/// A note on the dossier: for the service, for the agent alone, or shown to the citizen.
pub async fn add_note(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    visibility: &str,
    body: &str,
) -> AppResult<()> {
    let visibility = match visibility {
        "service" | "personal" | "citizen" => visibility,
        _ => return Err(AppError::invalid("visibility", s::VISIBILITY_UNKNOWN)),
    };
    let body = message_text(body).map_err(|_| AppError::invalid("body", s::NOTE_REQUIRED))?;
    let row = if visibility == "personal" {
        visible_dossier(tx, agent, reference, true).await?.0
    } else {
        modifiable(tx, agent, reference).await?
    };
    let behalf = agent.rights.on_behalf_of(row.service_id, row.assignee_id);
    tx.execute(
        "INSERT INTO dossier_notes (id, dossier_id, author_id, on_behalf_of, visibility, body) VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            Uuid::new_v4().into(),
            row.id.into(),
            agent.id.into(),
            behalf.into(),
            visibility.into(),
            body.into(),
        ],
    )
    .await?;
    if visibility == "personal" {
        return Ok(());
    }
    record(tx, agent, &row, "note", None, None).await
}

/// A message to the citizen, mailed to them with a link to their dossier.
pub async fn send_message(
    tx: &TenantTx,
    settings: &Settings,
    agent: &Agent,
    reference: &str,
    body: &str,
) -> AppResult<()> {
    let body = message_text(body)?;
    let row = modifiable(tx, agent, reference).await?;
    tx.execute(
        "INSERT INTO dossier_messages (id, dossier_id, author_id, from_citizen, body) VALUES ($1, $2, $3, false, $4)",
        vec![Uuid::new_v4().into(), row.id.into(), agent.id.into(), body.clone().into()],
    )
    .await?;
    let link = citizen_link(settings, tx, &row.reference, row.tracking_key.as_deref());
    mail_citizen(
        tx,
        row.id,
        row.contact_email.as_deref(),
        crate::dossiers::strings::message_subject(&row.reference),
        crate::dossiers::strings::message_body(&row.reference, &body, &link),
    )
    .await?;
    record(tx, agent, &row, "message", None, None).await
}

/// Takes or renews the agent's lock; another agent's live lock is refused with their name.
pub async fn lock(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<()> {
    let row = modifiable(tx, agent, reference).await?;
    tx.execute(
        &format!(
            "UPDATE dossiers SET locked_by = $2, locked_until = now() + interval '{LOCK_MINUTES} minutes' WHERE id = $1"
        ),
        vec![row.id.into(), agent.id.into()],
    )
    .await?;
    Ok(())
}

pub async fn unlock(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<()> {
    let (row, _) = visible_dossier(tx, agent, reference, true).await?;
    tx.execute(
        "UPDATE dossiers SET locked_by = NULL, locked_until = NULL WHERE id = $1 AND locked_by = $2",
        vec![row.id.into(), agent.id.into()],
    )
    .await?;
    Ok(())
}

/// Corrects one answer. `revision` is the one the agent's page showed: if the dossier changed
/// since, the edit is refused rather than overwriting the other change.
pub async fn edit_answer(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    code: &str,
    value: &str,
    revision: i32,
) -> AppResult<i32> {
    let row = modifiable(tx, agent, reference).await?;
    if row.revision != revision {
        return Err(AppError::conflict("revision", s::EDITED_MEANWHILE));
    }
    let document = version_document(tx, row.demarche_id, row.version).await?;
    let field = document
        .definition
        .steps
        .iter()
        .flat_map(|step| step.fields.iter())
        .find(|f| f.code == code && editable_kind(&f.kind))
        .ok_or_else(|| AppError::invalid("code", s::FIELD_NOT_EDITABLE))?;
    // What the owner's certified identity fixed when they filed it on the portal stays as the
    // provider certified it: agents do not correct a certified answer either.
    let owner = owner_identity(tx, row.id).await?;
    if let Some(provider) = certified_locks(&document.definition, &row, owner).certifier(code) {
        return Err(AppError::invalid("value", s::certified_answer(provider)));
    }
    let clean: CleanAnswers = serde_json::from_str(&row.answers).map_err(internal)?;
    let mut raw = clean.to_raw();
    raw.0
        .insert(code.to_owned(), RawAnswer::Text(value.to_owned()));
    let validated = validate_answers(&document.definition, &raw).map_err(|problems| {
        let message = problems
            .into_iter()
            .find(|p| p.path == code)
            .map(|p| p.message)
            .unwrap_or_else(|| s::EDIT_BREAKS_DOSSIER.to_owned());
        AppError::invalid("value", message)
    })?;
    tx.execute(
        "UPDATE dossiers SET answers = $2::jsonb, revision = revision + 1 WHERE id = $1",
        vec![
            row.id.into(),
            serde_json::to_string(&validated).map_err(internal)?.into(),
        ],
    )
    .await?;
    record(
        tx,
        agent,
        &row,
        "answer_edited",
        None,
        Some(field.label.clone()),
    )
    .await?;
    Ok(row.revision + 1)
}

/// Marks a piece valid, pending, or refused with the reason the citizen will read. A refusal
/// (or a new reason) mails the citizen, in the same transaction, what was refused, why, and
/// the link to their dossier page, where they can send a replacement. A valid piece may be
/// kept (`keep_as`: a wallet piece type) in the citizen's wallet; returns the file then
/// written, to delete if the transaction does not commit.
#[allow(clippy::too_many_arguments)]
pub async fn review_piece(
    tx: &TenantTx,
    settings: &Settings,
    agent: &Agent,
    reference: &str,
    piece: &str,
    review: &str,
    reason: &str,
    keep_as: Option<&str>,
) -> AppResult<Option<Uuid>> {
    let row = modifiable(tx, agent, reference).await?;
    let review = match review {
        "pending" | "valid" | "refused" => review,
        _ => return Err(AppError::invalid("review", s::REVIEW_UNKNOWN)),
    };
    let reason = reason.trim();
    if review == "refused" && reason.is_empty() {
        return Err(AppError::invalid("reason", s::REFUSAL_REASON_REQUIRED));
    }
    let piece =
        Uuid::parse_str(piece.trim()).map_err(|_| AppError::invalid("piece", s::PIECE_UNKNOWN))?;
    #[derive(FromQueryResult)]
    struct Before {
        name: String,
        field_path: String,
        review: String,
        refusal_reason: Option<String>,
    }
    // A replaced piece is history: only current pieces are reviewed.
    let before: Option<Before> = tx
        .fetch_optional(
            "SELECT name, field_path, review, refusal_reason FROM attachments
             WHERE id = $1 AND dossier_id = $2 AND replaced_by IS NULL FOR UPDATE",
            vec![piece.into(), row.id.into()],
        )
        .await?;
    let before = before.ok_or_else(|| AppError::invalid("piece", s::PIECE_UNKNOWN))?;
    tx.execute(
        "UPDATE attachments SET review = $2, refusal_reason = NULLIF($3, '') WHERE id = $1",
        vec![
            piece.into(),
            review.into(),
            (if review == "refused" { reason } else { "" }).into(),
        ],
    )
    .await?;
    let newly_refused = review == "refused"
        && (before.review != "refused" || before.refusal_reason.as_deref() != Some(reason));
    if newly_refused {
        let document = version_document(tx, row.demarche_id, row.version).await?;
        let field = piece_field_label(&document.definition, &before.field_path);
        let link = citizen_link(settings, tx, &row.reference, row.tracking_key.as_deref());
        mail_citizen(
            tx,
            row.id,
            row.contact_email.as_deref(),
            crate::dossiers::strings::piece_refused_subject(&row.reference),
            crate::dossiers::strings::piece_refused_body(
                &row.reference,
                &document.demarche.title,
                &before.name,
                &field,
                reason,
                &link,
            ),
        )
        .await?;
    }
    record(
        tx,
        agent,
        &row,
        "piece",
        None,
        Some(s::piece_review(&before.name, review)),
    )
    .await?;
    // "Conserver dans le porte-documents de l'usager": a copy, checked (valid, an account's
    // dossier, not expired) by the wallet itself.
    match keep_as {
        Some(type_id) => Ok(Some(
            crate::wallet::service::keep_validated(tx, settings, agent.id, piece, type_id).await?,
        )),
        None => Ok(None),
    }
}

/// The label of the question a piece answers (`plan`, `enfants[0].justificatif`).
fn piece_field_label(definition: &crate::demarches::model::Definition, path: &str) -> String {
    crate::dossiers::model::field_at(definition, path)
        .map(|field| field.label.clone())
        .unwrap_or_else(|| path.to_owned())
}

/// Links two dossiers the agent can both see.
pub async fn link(tx: &TenantTx, agent: &Agent, reference: &str, other: &str) -> AppResult<()> {
    let row = modifiable(tx, agent, reference).await?;
    let (target, _) = visible_dossier(tx, agent, other, false)
        .await
        .map_err(|_| AppError::invalid("other", s::LINK_UNKNOWN))?;
    if target.id == row.id {
        return Err(AppError::invalid("other", s::LINK_SELF));
    }
    tx.execute(
        "INSERT INTO dossier_links (dossier_id, linked_id) VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING",
        vec![row.id.into(), target.id.into()],
    )
    .await?;
    record(tx, agent, &row, "linked", None, Some(target.reference)).await
}

/// The agent's saved searches and those shared with services they can see.
pub async fn saved_searches(tx: &TenantTx, agent: &Agent) -> AppResult<Vec<SavedSearch>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        name: String,
        query: String,
        service: Option<String>,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT q.id, q.name, q.query, s.name AS service FROM saved_searches q LEFT JOIN services s ON s.id = q.service_id
             WHERE (q.service_id IS NULL AND q.owner_id = $2) OR q.service_id = ANY ($1::uuid[])
             ORDER BY q.name",
            vec![agent.readable().into(), agent.id.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SavedSearch {
            id: r.id.to_string(),
            name: r.name,
            query: r.query,
            shared_with: r.service,
        })
        .collect())
}

/// Saves the current filter under a name, for the agent or shared with a service they manage.
pub async fn save_search(
    tx: &TenantTx,
    agent: &Agent,
    name: &str,
    filter: &DossierFilter,
    service: &str,
) -> AppResult<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", s::SEARCH_NAME_REQUIRED));
    }
    filter_clause(agent, filter)?;
    let service = match service.trim() {
        "" => None,
        id => {
            let (id, _) = known_service(tx, id).await?;
            if !agent.rights.can(id, Access::Gestion) {
                return Err(AppError::Forbidden(s::SHARE_NEEDS_GESTION.to_owned()));
            }
            Some(id)
        }
    };
    let mut query = filter.clone();
    query.page.clear();
    tx.execute(
        "INSERT INTO saved_searches (id, owner_id, service_id, name, query) VALUES ($1, $2, $3, $4, $5)",
        vec![
            Uuid::new_v4().into(),
            agent.id.into(),
            service.into(),
            name.into(),
            query.to_query().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Quick search: the tenant's index answers with ids, in the agent's services only; their
/// lines are read back from PostgreSQL, which checks the rights again.
pub async fn quick_search(
    tx: &TenantTx,
    indexes: &crate::infra::search::SearchIndexes,
    agent: &Agent,
    text: &str,
) -> AppResult<Vec<DossierLine>> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::invalid("q", s::SEARCH_EMPTY));
    }
    if text.chars().count() > 200 {
        return Err(AppError::invalid("q", s::SEARCH_TOO_LONG));
    }
    let services = agent.rights.services(Access::Consultation);
    let ids = indexes.search(tx.tenant(), text, &services, 50)?;
    lines_by_ids(tx, agent, &ids).await
}

/// The dossiers the agent can see that were filed by `person` (through their account) or on
/// their behalf (beneficiary), open and closed, newest first: the usagers' 360° page.
pub async fn person_lines(
    tx: &TenantTx,
    agent: &Agent,
    person: Uuid,
) -> AppResult<Vec<(Uuid, DossierLine)>> {
    let rows: Vec<LineRow> = tx
        .fetch_all(
            &format!(
                "{LINE_SELECT} WHERE {VISIBLE} AND (d.beneficiary_person_id = $2
                    OR d.user_id = (SELECT p.account_id FROM people p WHERE p.id = $2))
                 ORDER BY d.submitted_at DESC, d.id DESC"
            ),
            vec![agent.readable().into(), person.into()],
        )
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let demarches = Demarches::load(tx).await?;
    let today = today();
    Ok(rows
        .into_iter()
        .map(|r| (r.id, demarches.line(r, today)))
        .collect())
}

/// The lines of the dossiers `ids` that the agent can see, in the order of `ids`.
pub async fn lines_by_ids(
    tx: &TenantTx,
    agent: &Agent,
    ids: &[Uuid],
) -> AppResult<Vec<DossierLine>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<LineRow> = tx
        .fetch_all(
            &format!("{LINE_SELECT} WHERE {VISIBLE} AND d.id = ANY ($2::uuid[])"),
            vec![agent.readable().into(), uuid_array(ids).into()],
        )
        .await?;
    let demarches = Demarches::load(tx).await?;
    let today = today();
    let mut by_id: HashMap<Uuid, DossierLine> = rows
        .into_iter()
        .map(|r| (r.id, r))
        .map(|(id, r)| (id, demarches.line(r, today)))
        .collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Sends each agent, once a day, the list of their urgent and late dossiers (those assigned to
/// them). The day is claimed in `agent_digests` in the same transaction as the mail is queued,
/// so several processes, or a second run, never send it twice. Returns the mails queued.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn send_digests(tx: &TenantTx, settings: &Settings) -> AppResult<usize> {
    #[derive(FromQueryResult)]
    struct Row {
        user_id: Uuid,
        email: String,
        reference: String,
        citizen_name: String,
        due_on: Option<Date>,
        late: bool,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT u.id AS user_id, u.email, d.reference, d.citizen_name, d.due_on, d.due_on < current_date AS late
             FROM dossiers d JOIN users u ON u.id = d.assignee_id
             WHERE d.closed_at IS NULL AND d.alert_on <= current_date
               AND NOT EXISTS (SELECT 1 FROM agent_digests g WHERE g.user_id = u.id AND g.day = current_date)
             ORDER BY u.id, d.due_on, d.reference",
            vec![],
        )
        .await?;
    let mut by_agent: Vec<(Uuid, String, Vec<String>)> = Vec::new();
    for row in rows {
        let line = s::digest_line(
            &row.reference,
            &row.citizen_name,
            &row.due_on.map(day).unwrap_or_default(),
            row.late,
        );
        match by_agent.last_mut() {
            Some((id, _, lines)) if *id == row.user_id => lines.push(line),
            _ => by_agent.push((row.user_id, row.email, vec![line])),
        }
    }
    let link = format!(
        "{}/back-office/dossiers?agent=moi&tri=echeance",
        settings.tenant_origin(tx.tenant())
    );
    let mut sent = 0;
    for (user, email, lines) in by_agent {
        let claimed = tx
            .execute(
                "INSERT INTO agent_digests (user_id, day) VALUES ($1, current_date) ON CONFLICT DO NOTHING",
                vec![user.into()],
            )
            .await?;
        if claimed == 0 {
            continue;
        }
        crate::infra::mail::enqueue(
            tx,
            crate::infra::mail::OutgoingMail::new(
                email,
                s::digest_subject(lines.len()),
                s::digest_body(&lines, &link),
            ),
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_make_a_dossier_urgent_then_late_until_it_is_closed() {
        let today = Date::from_calendar_date(2026, time::Month::November, 25).unwrap();
        let due = Date::from_calendar_date(2026, time::Month::November, 30).unwrap();
        let alert = Date::from_calendar_date(2026, time::Month::November, 25).unwrap();
        assert_eq!(sla_of(Some(due), Some(alert), false, today), Sla::Urgent);
        assert_eq!(sla_of(Some(due), None, false, today), Sla::OnTime);
        assert_eq!(
            sla_of(Some(alert.previous_day().unwrap()), None, false, today),
            Sla::Late
        );
        assert_eq!(
            sla_of(Some(alert.previous_day().unwrap()), None, true, today),
            Sla::None
        );
        assert_eq!(sla_of(None, None, false, today), Sla::None);
    }
}
