//! The shared store: publication from a commune, the catalogue every commune browses, imports
//! (as new drafts, with provenance), updates, and the operators' decisions.
//!
//! The store lives in the platform schema (`platform.store_*`, always written schema-qualified),
//! so tenant services reach it from their own `TenantTx`: an import writes the commune's new
//! draft and the platform's counters in one transaction. What the store holds of a commune is
//! its name as publisher and the id of the démarche it published (to add versions to the same
//! entry); the payload itself names nothing of it (see `model::strip`, and
//! [`refuse_private_markers`], which checks the serialised payload before it is stored).

use std::collections::HashMap;

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    DOMAINS, ImportedCopy, ORGANISM_TYPES, OperatorAction, OperatorEntry, PublishForm, Publishable,
    Published, StoreEntryView, StorePayload, StoreQuery, StoreResults, StoreSort, StoreSummary,
    VersionNote, domain_label, localize, organism_label, strip,
};
use super::search::{STORE_CHANNEL, StoreSearch};
use super::strings as s;
use crate::demarches::definition::publishable;
use crate::demarches::document::DemarcheDocument;
use crate::error::{AppError, AppResult, Problem};
use crate::infra::dates::french_date;
use crate::infra::{AppState, PlatformTx, Queries, TenantTx};

pub const PAGE_SIZE: usize = 20;
const MAX_DESCRIPTION: usize = 2_000;
const MAX_NAME: usize = 200;
const MAX_NOTES: usize = 2_000;

/// The service every commune starts with (migration m0006): where a starter pack routes.
pub const WELCOME_SERVICE: Uuid = Uuid::from_u128(0x00000000_0000_4000_8000_000000000001);

fn parse_entry(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound(s::ENTRY_UNKNOWN.to_owned()))
}

fn internal(what: &'static str) -> impl Fn(serde_json::Error) -> AppError {
    move |error| {
        tracing::error!(%error, what, "store: JSON");
        AppError::Internal
    }
}

/// Tells every process's store index that `entry` changed (delivered on commit).
async fn announce<Q: Queries + Sync>(tx: &Q, entry: Uuid) -> AppResult<()> {
    tx.execute(
        "SELECT pg_notify($1, $2)",
        vec![STORE_CHANNEL.into(), entry.to_string().into()],
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Publication

/// What a commune types to publish one of its démarches.
#[derive(Debug, Clone, Default)]
pub struct PublishInput {
    pub demarche_id: String,
    pub description: String,
    pub domain: String,
    pub organism_type: String,
    /// Empty: the commune's name.
    pub publisher_name: String,
    /// What this version changes, for importers.
    pub notes: String,
}

struct CheckedInput {
    demarche: Uuid,
    description: String,
    domain: String,
    organism_type: String,
    publisher_name: String,
    notes: String,
}

fn check_input(tx: &TenantTx, input: &PublishInput) -> AppResult<CheckedInput> {
    let demarche = Uuid::parse_str(input.demarche_id.trim())
        .map_err(|_| AppError::invalid("demarche_id", s::DEMARCHE_REQUIRED))?;
    let description = input.description.trim();
    if description.is_empty() {
        return Err(AppError::invalid("description", s::DESCRIPTION_REQUIRED));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::invalid("description", s::DESCRIPTION_TOO_LONG));
    }
    let domain = input.domain.trim();
    if domain_label(domain).is_none() {
        return Err(AppError::invalid("domain", s::DOMAIN_UNKNOWN));
    }
    let organism = input.organism_type.trim();
    if organism_label(organism).is_none() {
        return Err(AppError::invalid("organism_type", s::ORGANISM_UNKNOWN));
    }
    let publisher = match input.publisher_name.trim() {
        "" => tx.tenant().name.trim(),
        name => name,
    };
    if publisher.chars().count() > MAX_NAME {
        return Err(AppError::invalid("publisher_name", s::PUBLISHER_TOO_LONG));
    }
    let notes = input.notes.trim();
    if notes.chars().count() > MAX_NOTES {
        return Err(AppError::invalid("notes", s::NOTES_TOO_LONG));
    }
    Ok(CheckedInput {
        demarche,
        description: description.to_owned(),
        domain: domain.to_owned(),
        organism_type: organism.to_owned(),
        publisher_name: publisher.to_owned(),
        notes: notes.to_owned(),
    })
}

/// The document to share: the démarche's current published version, or its draft if it was
/// never published. Unknown in this commune → 404 (another commune's id included).
async fn source_document(tx: &TenantTx, demarche: Uuid) -> AppResult<DemarcheDocument> {
    #[derive(FromQueryResult)]
    struct Row {
        draft: String,
        published: Option<String>,
    }
    let row: Row = tx
        .fetch_optional(
            "SELECT d.draft::text AS draft, v.document::text AS published FROM demarches d
             LEFT JOIN demarche_versions v ON v.demarche_id = d.id AND v.version = d.current_version
             WHERE d.id = $1",
            vec![demarche.into()],
        )
        .await?
        .ok_or_else(|| {
            AppError::NotFound(crate::demarches::strings::DEMARCHE_UNKNOWN.to_owned())
        })?;
    let json = row.published.unwrap_or(row.draft);
    serde_json::from_str(&json).map_err(internal("démarche document"))
}

/// Everything of the commune that must never travel in a payload, to look for in it: its
/// id, hosts, services, and its agents' ids and e-mail addresses. Free texts (help, mails)
/// are the publisher's to write; this catches one pasted by mistake.
async fn private_markers(tx: &TenantTx, hosts: &[String]) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Marker {
        value: String,
    }
    let rows: Vec<Marker> = tx
        .fetch_all(
            "SELECT id::text AS value FROM services
               WHERE id <> '00000000-0000-4000-8000-000000000001'
             UNION ALL SELECT id::text FROM users WHERE kind = 'agent'
             UNION ALL SELECT lower(email) FROM users WHERE kind = 'agent'
             UNION ALL SELECT host FROM platform.tenant_hosts WHERE tenant_id = $1",
            vec![tx.tenant().id.into()],
        )
        .await?;
    let mut markers: Vec<String> = rows.into_iter().map(|r| r.value).collect();
    markers.push(tx.tenant().id.to_string());
    markers.extend(hosts.iter().cloned());
    Ok(markers)
}

/// Refuses a payload that contains one of `markers` (case-insensitively), naming it.
pub fn refuse_private_markers(payload_json: &str, markers: &[String]) -> AppResult<()> {
    let haystack = payload_json.to_lowercase();
    match markers
        .iter()
        .find(|m| !m.is_empty() && haystack.contains(&m.to_lowercase()))
    {
        Some(marker) => Err(AppError::invalid("demarche_id", s::private_data(marker))),
        None => Ok(()),
    }
}

#[derive(FromQueryResult)]
struct ExistingEntry {
    id: Uuid,
    status: String,
    latest_version: i32,
    payload: String,
}

/// Publishes (or republishes, as a new version of the same entry) one of the commune's
/// démarches. `hosts`: the commune's own host names, which must not appear in the payload.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn publish(
    tx: &TenantTx,
    hosts: &[String],
    input: &PublishInput,
) -> AppResult<Published> {
    let input = check_input(tx, input)?;
    let document = source_document(tx, input.demarche).await?;
    publishable(&document.demarche, &document.definition).map_err(|errors| AppError::Rejected {
        problems: errors
            .into_iter()
            .map(|e| Problem {
                path: e.path,
                message: e.message,
            })
            .collect(),
    })?;
    let instruction = crate::workflow::service::instruction_of(tx, input.demarche).await?;
    let payload = strip(&document, &instruction);
    let json = serde_json::to_string(&payload).map_err(internal("payload"))?;
    refuse_private_markers(&json, &private_markers(tx, hosts).await?)?;

    let tenant_id = tx.tenant().id;
    let existing: Option<ExistingEntry> = tx
        .fetch_optional(
            "SELECT e.id, e.status, e.latest_version, v.payload::text AS payload
             FROM platform.store_entries e
             JOIN platform.store_versions v ON v.entry_id = e.id AND v.version = e.latest_version
             WHERE e.publisher_tenant_id = $1 AND e.source_demarche_id = $2
             FOR UPDATE OF e",
            vec![tenant_id.into(), input.demarche.into()],
        )
        .await?;
    let title = payload.document.demarche.title.clone();
    let (entry, version) = match existing {
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO platform.store_entries (id, publisher_tenant_id, publisher_name,
                     source_demarche_id, title, description, domain, organism_type, latest_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                vec![
                    id.into(),
                    tenant_id.into(),
                    input.publisher_name.clone().into(),
                    input.demarche.into(),
                    title.into(),
                    input.description.clone().into(),
                    input.domain.clone().into(),
                    input.organism_type.clone().into(),
                ],
            )
            .await?;
            insert_version(tx, id, 1, &json, &input.notes).await?;
            (id, 1)
        }
        Some(entry) if entry.status == "withdrawn" => {
            return Err(AppError::conflict("demarche_id", s::ENTRY_WITHDRAWN));
        }
        Some(entry) => {
            let latest: StorePayload =
                serde_json::from_str(&entry.payload).map_err(internal("stored payload"))?;
            let version = if latest == payload {
                entry.latest_version
            } else {
                let next = entry.latest_version + 1;
                insert_version(tx, entry.id, next, &json, &input.notes).await?;
                next
            };
            tx.execute(
                "UPDATE platform.store_entries SET publisher_name = $2, title = $3, description = $4,
                     domain = $5, organism_type = $6, latest_version = $7,
                     -- The latest order follows versions, not republications of the same one.
                     updated_at = CASE WHEN latest_version <> $7 THEN now() ELSE updated_at END
                 WHERE id = $1",
                vec![
                    entry.id.into(),
                    input.publisher_name.clone().into(),
                    title.into(),
                    input.description.clone().into(),
                    input.domain.clone().into(),
                    input.organism_type.clone().into(),
                    version.into(),
                ],
            )
            .await?;
            (entry.id, version)
        }
    };
    announce(tx, entry).await?;
    tracing::info!(%entry, version, "démarche published to the store");
    Ok(Published {
        entry_id: entry.to_string(),
        version: version as u32,
    })
}

async fn insert_version(
    tx: &TenantTx,
    entry: Uuid,
    version: i32,
    json: &str,
    notes: &str,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO platform.store_versions (entry_id, version, payload, notes) VALUES ($1, $2, $3::jsonb, $4)",
        vec![entry.into(), version.into(), json.to_owned().into(), notes.to_owned().into()],
    )
    .await?;
    Ok(())
}

/// The commune's démarches, for the publication form.
pub async fn publish_form(tx: &TenantTx) -> AppResult<PublishForm> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        title: Option<String>,
        entry_id: Option<Uuid>,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT d.id, d.draft->'demarche'->>'title' AS title, e.id AS entry_id
             FROM demarches d
             LEFT JOIN platform.store_entries e
               ON e.publisher_tenant_id = $1 AND e.source_demarche_id = d.id
             ORDER BY d.created_at, d.id",
            vec![tx.tenant().id.into()],
        )
        .await?;
    Ok(PublishForm {
        demarches: rows
            .into_iter()
            .map(|r| Publishable {
                id: r.id.to_string(),
                title: r.title.unwrap_or_default(),
                entry_id: r.entry_id.map(|id| id.to_string()),
            })
            .collect(),
        publisher_name: tx.tenant().name.clone(),
    })
}

/// The commune's first démarche titled `title` (for seeding).
pub async fn demarche_by_title(tx: &TenantTx, title: &str) -> AppResult<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM demarches WHERE draft->'demarche'->>'title' = $1
             ORDER BY created_at, id LIMIT 1",
            vec![title.into()],
        )
        .await?;
    Ok(found.map(|f| f.id))
}

// ---------------------------------------------------------------------------------------------
// The catalogue

#[derive(FromQueryResult)]
struct SummaryRow {
    id: Uuid,
    title: String,
    description: String,
    domain: String,
    organism_type: String,
    publisher_name: String,
    featured: bool,
    import_count: i32,
    latest_version: i32,
    updated_at: OffsetDateTime,
    imported_version: Option<i32>,
}

/// Run in a `TenantTx`: `demarches` is the requesting commune's own table.
const SUMMARY_SELECT: &str = "SELECT e.id, e.title, e.description, e.domain, e.organism_type,
        e.publisher_name, e.featured, e.import_count, e.latest_version, e.updated_at,
        (SELECT max(d.store_version) FROM demarches d WHERE d.store_entry_id = e.id) AS imported_version
     FROM platform.store_entries e";

impl SummaryRow {
    fn view(self) -> StoreSummary {
        StoreSummary {
            id: self.id.to_string(),
            title: self.title,
            description: self.description,
            domain_label: domain_label(&self.domain).unwrap_or_default().to_owned(),
            domain: self.domain,
            organism_label: organism_label(&self.organism_type)
                .unwrap_or_default()
                .to_owned(),
            organism_type: self.organism_type,
            publisher_name: self.publisher_name,
            featured: self.featured,
            import_count: self.import_count.max(0) as u32,
            latest_version: self.latest_version.max(0) as u32,
            updated_on: french_date(self.updated_at),
            imported_version: self.imported_version.map(|v| v.max(0) as u32),
        }
    }
}

fn filter(
    field: &str,
    raw: &str,
    known: &[(&str, &str)],
    message: &str,
) -> AppResult<Option<String>> {
    match raw.trim() {
        "" => Ok(None),
        code if known.iter().any(|(c, _)| *c == code) => Ok(Some(code.to_owned())),
        _ => Err(AppError::invalid(field, message)),
    }
}

/// The catalogue as one commune sees it: published entries only, featured first.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn browse(
    state: &AppState,
    tx: &TenantTx,
    query: &StoreQuery,
) -> AppResult<StoreResults> {
    let page = query
        .page
        .trim()
        .parse::<u32>()
        .unwrap_or(1)
        .clamp(1, 10_000);
    let search = StoreSearch {
        text: query.q.chars().take(200).collect(),
        domain: filter("domaine", &query.domaine, DOMAINS, s::DOMAIN_UNKNOWN)?,
        organism: filter(
            "organisme",
            &query.organisme,
            ORGANISM_TYPES,
            s::ORGANISM_UNKNOWN,
        )?,
        sort: StoreSort::parse(&query.tri),
        offset: (page as usize - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let hits = state.store().search(state, &search).await?;
    let entries = summaries(tx, &hits.ids).await?;
    let total = u32::try_from(hits.total).unwrap_or(u32::MAX);
    Ok(StoreResults {
        updates: pending_updates(tx).await?,
        entries,
        total,
        page,
        pages: total.div_ceil(PAGE_SIZE as u32).max(1),
    })
}

/// Entries the commune imported whose latest version is newer than its latest import.
pub async fn pending_updates(tx: &TenantTx) -> AppResult<Vec<StoreSummary>> {
    let rows: Vec<SummaryRow> = tx
        .fetch_all(
            &format!(
                "SELECT * FROM ({SUMMARY_SELECT} WHERE e.status = 'published'
                   AND e.id IN (SELECT store_entry_id FROM demarches WHERE store_entry_id IS NOT NULL)) s
                 WHERE s.imported_version < s.latest_version ORDER BY s.title, s.id"
            ),
            vec![],
        )
        .await?;
    Ok(rows.into_iter().map(SummaryRow::view).collect())
}

/// The published entries among `ids`, in that order.
async fn summaries(tx: &TenantTx, ids: &[Uuid]) -> AppResult<Vec<StoreSummary>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<SummaryRow> = tx
        .fetch_all(
            &format!(
                "{SUMMARY_SELECT} WHERE e.id = ANY(string_to_array($1, ',')::uuid[]) AND e.status = 'published'"
            ),
            vec![list.into()],
        )
        .await?;
    let mut by_id: HashMap<Uuid, SummaryRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .map(SummaryRow::view)
        .collect())
}

#[derive(FromQueryResult)]
struct VersionRow {
    version: i32,
    notes: String,
    published_at: OffsetDateTime,
}

fn parse_payload(json: &str) -> AppResult<StorePayload> {
    serde_json::from_str(json).map_err(internal("stored payload"))
}

/// An entry's page: what it contains, its versions, and this commune's copies of it with what
/// an update would change. Entries out of the catalogue are unknown, except to their
/// publisher.
pub async fn entry(tx: &TenantTx, id: &str) -> AppResult<StoreEntryView> {
    let id = parse_entry(id)?;
    let row: SummaryRow = tx
        .fetch_optional(
            &format!(
                "{SUMMARY_SELECT} WHERE e.id = $1 AND (e.status = 'published' OR e.publisher_tenant_id = $2)"
            ),
            vec![id.into(), tx.tenant().id.into()],
        )
        .await?
        .ok_or_else(|| AppError::NotFound(s::ENTRY_UNKNOWN.to_owned()))?;
    let latest = latest_payload(tx, id, row.latest_version).await?;
    let versions: Vec<VersionRow> = tx
        .fetch_all(
            "SELECT version, notes, published_at FROM platform.store_versions
             WHERE entry_id = $1 ORDER BY version DESC",
            vec![id.into()],
        )
        .await?;
    let imported = copies(tx, id, row.latest_version, &latest.document).await?;
    let services = crate::org::service::services(tx)
        .await?
        .into_iter()
        .map(|s| (s.id, s.path))
        .collect();
    Ok(StoreEntryView {
        summary: row.view(),
        statuses: latest
            .instruction
            .workflow
            .statuses
            .iter()
            .map(|st| st.name.clone())
            .collect(),
        payload: latest,
        versions: versions
            .into_iter()
            .map(|v| VersionNote {
                version: v.version as u32,
                notes: v.notes,
                published_on: french_date(v.published_at),
            })
            .collect(),
        imported,
        services,
    })
}

async fn latest_payload(tx: &TenantTx, entry: Uuid, version: i32) -> AppResult<StorePayload> {
    #[derive(FromQueryResult)]
    struct Row {
        payload: String,
    }
    let row: Row = tx
        .fetch_optional(
            "SELECT payload::text AS payload FROM platform.store_versions WHERE entry_id = $1 AND version = $2",
            vec![entry.into(), version.into()],
        )
        .await?
        .ok_or_else(|| AppError::NotFound(s::ENTRY_UNKNOWN.to_owned()))?;
    parse_payload(&row.payload)
}

/// This commune's démarches imported from `entry`: for each, what the latest version would
/// change, and what the commune changed since its import (kept only in that copy).
async fn copies(
    tx: &TenantTx,
    entry: Uuid,
    latest_version: i32,
    latest: &DemarcheDocument,
) -> AppResult<Vec<ImportedCopy>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        draft: String,
        store_version: i32,
        snapshot: Option<String>,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT id, draft::text AS draft, store_version, store_snapshot::text AS snapshot
             FROM demarches WHERE store_entry_id = $1 ORDER BY created_at, id",
            vec![entry.into()],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let draft: DemarcheDocument =
            serde_json::from_str(&row.draft).map_err(internal("démarche document"))?;
        let snapshot: Option<DemarcheDocument> = row
            .snapshot
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(internal("store snapshot"))?;
        let (changes, local_changes) = match &snapshot {
            Some(base) if row.store_version < latest_version => (
                crate::designer::diff::diff(base, latest),
                crate::designer::diff::diff(base, &without_state(&draft, base)),
            ),
            Some(base) => (
                Vec::new(),
                crate::designer::diff::diff(base, &without_state(&draft, base)),
            ),
            None => (Vec::new(), Vec::new()),
        };
        out.push(ImportedCopy {
            demarche_id: row.id.to_string(),
            title: draft.demarche.title,
            version: row.store_version.max(0) as u32,
            changes,
            local_changes,
        });
    }
    Ok(out)
}

/// The commune's draft with the snapshot's state: publishing the copy is not a change of its
/// content.
fn without_state(draft: &DemarcheDocument, base: &DemarcheDocument) -> DemarcheDocument {
    let mut draft = draft.clone();
    draft.demarche.state = base.demarche.state;
    draft
}

// ---------------------------------------------------------------------------------------------
// Import

/// What an import created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub demarche_id: Uuid,
    pub version: u32,
}

/// Copies the entry's latest version into the commune as a new draft démarche whose dossiers
/// all go to `service_id`, keeping its provenance; counts the import. Never touches an earlier
/// copy: re-importing is importing again. Runs in the caller's transaction (provisioning
/// imports its starter pack this way).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug, %entry))]
pub async fn import_entry(tx: &TenantTx, entry: Uuid, service_id: Uuid) -> AppResult<Imported> {
    #[derive(FromQueryResult)]
    struct Row {
        latest_version: i32,
        publisher_name: String,
        payload: String,
    }
    let row: Row = tx
        .fetch_optional(
            "SELECT e.latest_version, e.publisher_name, v.payload::text AS payload
             FROM platform.store_entries e
             JOIN platform.store_versions v ON v.entry_id = e.id AND v.version = e.latest_version
             WHERE e.id = $1 AND e.status = 'published'",
            vec![entry.into()],
        )
        .await?
        .ok_or_else(|| AppError::NotFound(s::ENTRY_UNKNOWN.to_owned()))?;
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        id: Uuid,
    }
    let service: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM services WHERE id = $1",
            vec![service_id.into()],
        )
        .await?;
    if service.is_none() {
        return Err(AppError::invalid("service", s::SERVICE_UNKNOWN));
    }
    let payload = parse_payload(&row.payload)?;
    let document = serde_json::to_string(&payload.document).map_err(internal("document"))?;
    let instruction = localize(&payload.instruction, &service_id.to_string());
    let instruction = serde_json::to_string(&instruction).map_err(internal("instruction"))?;
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO demarches (id, draft, store_entry_id, store_version, store_publisher, store_snapshot)
         VALUES ($1, $2::jsonb, $3, $4, $5, $2::jsonb)",
        vec![
            id.into(),
            document.into(),
            entry.into(),
            row.latest_version.into(),
            row.publisher_name.into(),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO demarche_instruction (demarche_id, document) VALUES ($1, $2::jsonb)",
        vec![id.into(), instruction.into()],
    )
    .await?;
    tx.execute(
        "UPDATE platform.store_entries SET import_count = import_count + 1 WHERE id = $1",
        vec![entry.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO platform.store_imports (entry_id, tenant_id, version) VALUES ($1, $2, $3)",
        vec![
            entry.into(),
            tx.tenant().id.into(),
            row.latest_version.into(),
        ],
    )
    .await?;
    announce(tx, entry).await?;
    tracing::info!(demarche = %id, version = row.latest_version, "imported from the store");
    Ok(Imported {
        demarche_id: id,
        version: row.latest_version.max(0) as u32,
    })
}

/// [`import_entry`] from what a form sends.
pub async fn import_from_form(tx: &TenantTx, entry: &str, service: &str) -> AppResult<Imported> {
    let entry = parse_entry(entry)?;
    let service = Uuid::parse_str(service.trim())
        .map_err(|_| AppError::invalid("service", s::SERVICE_REQUIRED))?;
    import_entry(tx, entry, service).await
}

// ---------------------------------------------------------------------------------------------
// Operators

#[derive(FromQueryResult)]
struct OperatorRow {
    id: Uuid,
    title: String,
    publisher_name: String,
    domain: String,
    status: String,
    featured: bool,
    import_count: i32,
    latest_version: i32,
}

impl OperatorRow {
    fn view(self) -> OperatorEntry {
        OperatorEntry {
            id: self.id.to_string(),
            title: self.title,
            publisher_name: self.publisher_name,
            domain_label: domain_label(&self.domain).unwrap_or_default().to_owned(),
            status: self.status,
            featured: self.featured,
            import_count: self.import_count.max(0) as u32,
            latest_version: self.latest_version.max(0) as u32,
        }
    }
}

const OPERATOR_SELECT: &str = "SELECT id, title, publisher_name, domain, status, featured,
        import_count, latest_version FROM platform.store_entries";

/// Every entry, whatever its status, for the console.
pub async fn operator_entries(state: &AppState) -> AppResult<Vec<OperatorEntry>> {
    let tx = PlatformTx::begin(state).await?;
    let rows: Vec<OperatorRow> = tx
        .fetch_all(
            &format!("{OPERATOR_SELECT} ORDER BY status = 'withdrawn', featured DESC, title, id"),
            vec![],
        )
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(OperatorRow::view).collect())
}

/// Published entries a new commune may start with, featured first.
pub async fn starter_options(state: &AppState) -> AppResult<Vec<OperatorEntry>> {
    let tx = PlatformTx::begin(state).await?;
    let rows: Vec<OperatorRow> = tx
        .fetch_all(
            &format!(
                "{OPERATOR_SELECT} WHERE status = 'published' ORDER BY featured DESC, import_count DESC, title, id"
            ),
            vec![],
        )
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(OperatorRow::view).collect())
}

/// Features, hides, shows or withdraws an entry. Withdrawal is final: the entry leaves the
/// catalogue for good; communes that imported it keep their copies.
pub async fn operator_act(state: &AppState, id: &str, action: OperatorAction) -> AppResult<()> {
    let id = parse_entry(id)?;
    let tx = PlatformTx::begin(state).await?;
    #[derive(FromQueryResult)]
    struct Row {
        status: String,
    }
    let row: Row = tx
        .fetch_optional(
            "SELECT status FROM platform.store_entries WHERE id = $1 FOR UPDATE",
            vec![id.into()],
        )
        .await?
        .ok_or_else(|| AppError::NotFound(s::ENTRY_UNKNOWN.to_owned()))?;
    if row.status == "withdrawn" {
        return Err(AppError::conflict("action", s::ENTRY_WITHDRAWN));
    }
    let sql = match action {
        OperatorAction::Feature => {
            "UPDATE platform.store_entries SET featured = true WHERE id = $1"
        }
        OperatorAction::Unfeature => {
            "UPDATE platform.store_entries SET featured = false WHERE id = $1"
        }
        OperatorAction::Hide => "UPDATE platform.store_entries SET status = 'hidden' WHERE id = $1",
        OperatorAction::Show => {
            "UPDATE platform.store_entries SET status = 'published' WHERE id = $1"
        }
        OperatorAction::Withdraw => {
            "UPDATE platform.store_entries SET status = 'withdrawn', featured = false WHERE id = $1"
        }
    };
    tx.execute(sql, vec![id.into()]).await?;
    announce(&tx, id).await?;
    tx.commit().await?;
    state.store().refresh(state, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_naming_a_private_marker_is_refused_with_the_marker() {
        let markers = vec![
            "10000000-0000-4000-8000-000000000001".to_owned(),
            "agent@ville.test".to_owned(),
        ];
        assert!(refuse_private_markers(r#"{"help":"Écrivez-nous"}"#, &markers).is_ok());
        let error = refuse_private_markers(r#"{"help":"Écrivez à Agent@Ville.test"}"#, &markers)
            .unwrap_err();
        assert_eq!(error.field(), Some("demarche_id"));
        assert!(error.to_string().contains("agent@ville.test"), "{error}");
    }
}
