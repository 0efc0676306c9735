//! Démarches in the tenant's database: drafts edited freely, publication freezing an immutable
//! version (what dossiers will reference), the portal catalogue, JSON import and export.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::api::{CatalogueEntry, DemarcheSummary, DesignerState};
use super::definition::{publishable, validate_definition};
use super::document::{self, DemarcheDocument, ImportError};
use super::model::{
    Audience, Definition, DefinitionError, Demarche, DemarcheState, IsoDate, PublicationWindow,
};
use super::strings as s;
use crate::account::model::{Role, UserView};
use crate::error::{AppError, AppResult, Problem};
use crate::infra::{Queries, TenantTx};

const MAX_TITLE: usize = 200;

/// The signed-in agent, if they may design démarches (managers and admins).
pub async fn require_designer(tx: &TenantTx) -> AppResult<UserView> {
    crate::account::service::require_role(tx, Role::Manager)
        .await
        .map_err(|error| match error {
            AppError::Forbidden(_) => AppError::Forbidden(s::NOT_A_DESIGNER.to_owned()),
            other => other,
        })
}

fn parse_id(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned()))
}

fn check_title(raw: &str) -> AppResult<String> {
    let title = raw.trim();
    if title.is_empty() {
        return Err(AppError::invalid("title", s::TITLE_REQUIRED));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(AppError::invalid("title", s::TITLE_TOO_LONG));
    }
    Ok(title.to_owned())
}

fn definition_problems(errors: Vec<DefinitionError>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|e| Problem {
            path: e.path,
            message: e.message,
        })
        .collect()
}

fn import_problems(errors: Vec<ImportError>) -> Vec<Problem> {
    errors
        .into_iter()
        .map(|error| match error {
            ImportError::Syntax {
                line,
                column,
                message,
            } => Problem {
                path: format!("{line}:{column}"),
                message,
            },
            ImportError::Format { message } => Problem {
                path: "format".to_owned(),
                message,
            },
            ImportError::Structure { path, message } => Problem { path, message },
            ImportError::Definition(e) => Problem {
                path: e.path,
                message: e.message,
            },
        })
        .collect()
}

fn to_json(document: &DemarcheDocument) -> AppResult<String> {
    serde_json::to_string(document).map_err(|error| {
        tracing::error!(%error, "démarche document serialisation failed");
        AppError::Internal
    })
}

/// Documents in the database were written by this code; one that does not read back is a bug.
fn from_json(json: &str) -> AppResult<DemarcheDocument> {
    serde_json::from_str(json).map_err(|error| {
        tracing::error!(%error, "stored démarche document does not parse");
        AppError::Internal
    })
}

fn state_of(value: &str) -> DemarcheState {
    match value {
        "published" => DemarcheState::Published,
        "closed" => DemarcheState::Closed,
        _ => DemarcheState::Draft,
    }
}

#[derive(FromQueryResult)]
struct Row {
    id: Uuid,
    draft: String,
    state: String,
    current_version: Option<i32>,
    /// The current published version's document.
    published: Option<String>,
}

const ROW_SELECT: &str =
    "SELECT d.id, d.draft::text AS draft, d.state, d.current_version, v.document::text AS published
     FROM demarches d
     LEFT JOIN demarche_versions v ON v.demarche_id = d.id AND v.version = d.current_version";

async fn load(tx: &TenantTx, id: &str) -> AppResult<Row> {
    let id = parse_id(id)?;
    tx.fetch_optional(
        &format!("{ROW_SELECT} WHERE d.id = $1 FOR UPDATE OF d"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(|| AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned()))
}

async fn insert(tx: &TenantTx, document: &DemarcheDocument) -> AppResult<Uuid> {
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO demarches (id, draft) VALUES ($1, $2::jsonb)",
        vec![id.into(), to_json(document)?.into()],
    )
    .await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn create(tx: &TenantTx, title: &str) -> AppResult<Uuid> {
    let demarche = Demarche {
        title: check_title(title)?,
        description: String::new(),
        rubrique: String::new(),
        audience: Audience::IdentifiedOnly,
        publication: PublicationWindow::default(),
        state: DemarcheState::Draft,
        default_service: None,
        beneficiary: Default::default(),
    };
    insert(tx, &DemarcheDocument::new(demarche, Definition::default())).await
}

/// Stores the draft; returns what would still prevent its publication (a draft may be
/// incomplete). The state is not the draft's to change: it follows publication.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn save_draft(tx: &TenantTx, id: &str, json: &str) -> AppResult<Vec<Problem>> {
    let row = load(tx, id).await?;
    let mut document = document::parse(json).map_err(|errors| AppError::Rejected {
        problems: import_problems(errors),
    })?;
    document.demarche.state = state_of(&row.state);
    tx.execute(
        "UPDATE demarches SET draft = $2::jsonb, updated_at = now() WHERE id = $1",
        vec![row.id.into(), to_json(&document)?.into()],
    )
    .await?;
    Ok(definition_problems(validate_definition(
        &document.demarche,
        &document.definition,
    )))
}

/// Freezes the draft as the next version. Publishing an unchanged draft creates no version.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn publish(tx: &TenantTx, designer: &UserView, id: &str) -> AppResult<u32> {
    publish_by(tx, designer.uuid(), id).await
}

/// [`publish`], recording `by` as the publisher (`None`: seeding, imports by the platform).
pub async fn publish_by(tx: &TenantTx, by: Option<Uuid>, id: &str) -> AppResult<u32> {
    let row = load(tx, id).await?;
    if row.state == "closed" {
        return Err(AppError::conflict("state", s::CLOSED_CANNOT_PUBLISH));
    }
    let mut document = from_json(&row.draft)?;
    publishable(&document.demarche, &document.definition).map_err(|errors| AppError::Rejected {
        problems: definition_problems(errors),
    })?;
    document.demarche.state = DemarcheState::Published;
    let current = row.current_version.unwrap_or(0);
    if let Some(published) = &row.published
        && from_json(published)? == document
    {
        return Ok(current as u32);
    }
    let version = current + 1;
    let json = to_json(&document)?;
    tx.execute(
        "INSERT INTO demarche_versions (demarche_id, version, document, published_by) VALUES ($1, $2, $3::jsonb, $4)",
        vec![row.id.into(), version.into(), json.clone().into(), by.into()],
    )
    .await?;
    tx.execute(
        "UPDATE demarches SET state = 'published', current_version = $2, draft = $3::jsonb, updated_at = now() WHERE id = $1",
        vec![row.id.into(), version.into(), json.into()],
    )
    .await?;
    tracing::info!(demarche = %row.id, version, "démarche published");
    Ok(version as u32)
}

pub async fn list(tx: &TenantTx) -> AppResult<Vec<DemarcheSummary>> {
    let rows: Vec<Row> = tx
        .fetch_all(&format!("{ROW_SELECT} ORDER BY d.created_at, d.id"), vec![])
        .await?;
    let mut list = Vec::with_capacity(rows.len());
    for row in rows {
        let draft = from_json(&row.draft)?;
        let unpublished_changes = match &row.published {
            Some(published) => from_json(published)? != draft,
            None => true,
        };
        list.push(DemarcheSummary {
            id: row.id.to_string(),
            title: draft.demarche.title,
            rubrique: draft.demarche.rubrique,
            state: row.state,
            current_version: row.current_version.map(|v| v as u32),
            unpublished_changes,
        });
    }
    Ok(list)
}

/// The draft and the current published version, read without locking the démarche.
pub async fn designer_state(tx: &TenantTx, id: &str) -> AppResult<DesignerState> {
    let id = parse_id(id)?;
    let row: Row = tx
        .fetch_optional(&format!("{ROW_SELECT} WHERE d.id = $1"), vec![id.into()])
        .await?
        .ok_or_else(|| AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned()))?;
    Ok(DesignerState {
        id: row.id.to_string(),
        draft: from_json(&row.draft)?,
        published: row.published.as_deref().map(from_json).transpose()?,
        current_version: row.current_version.map(|v| v as u32),
        state: row.state,
    })
}

pub async fn export(tx: &TenantTx, id: &str) -> AppResult<String> {
    let document = from_json(&load(tx, id).await?.draft)?;
    Ok(document::export(&document.demarche, &document.definition))
}

/// A new draft from a document made elsewhere (another tenant, the store, a file).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn import(tx: &TenantTx, json: &str) -> AppResult<Uuid> {
    let mut document = document::import(json).map_err(|errors| AppError::Rejected {
        problems: import_problems(errors),
    })?;
    document.demarche.state = DemarcheState::Draft;
    insert(tx, &document).await
}

fn today() -> Option<IsoDate> {
    let now = time::OffsetDateTime::now_utc();
    IsoDate::new(
        u16::try_from(now.year()).ok()?,
        u8::from(now.month()),
        now.day(),
    )
}

/// Published démarches whose publication window contains today, by rubrique then title.
pub async fn catalogue(tx: &TenantTx) -> AppResult<Vec<CatalogueEntry>> {
    #[derive(FromQueryResult)]
    struct Published {
        id: Uuid,
        version: i32,
        document: String,
    }
    let rows: Vec<Published> = tx
        .fetch_all(
            "SELECT d.id, v.version, v.document::text AS document FROM demarches d
             JOIN demarche_versions v ON v.demarche_id = d.id AND v.version = d.current_version
             WHERE d.state = 'published'",
            vec![],
        )
        .await?;
    let today = today();
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let demarche = from_json(&row.document)?.demarche;
        let window = &demarche.publication;
        let open = match today {
            Some(today) => {
                window.from.is_none_or(|from| from <= today)
                    && window.to.is_none_or(|to| today <= to)
            }
            None => true,
        };
        if open {
            entries.push(CatalogueEntry {
                id: row.id.to_string(),
                version: row.version as u32,
                title: demarche.title,
                description: demarche.description,
                rubrique: demarche.rubrique,
                audience: demarche.audience,
            });
        }
    }
    entries.sort_by(|a, b| (&a.rubrique, &a.title).cmp(&(&b.rubrique, &b.title)));
    Ok(entries)
}

/// The published version citizens file today, and the démarche's state (`published` or
/// `closed`); `None` for a démarche that was never published (or an unknown id).
pub struct Current {
    pub id: Uuid,
    pub version: i32,
    pub closed: bool,
    pub document: DemarcheDocument,
}

pub async fn current_published(tx: &TenantTx, id: &str) -> AppResult<Option<Current>> {
    #[derive(FromQueryResult)]
    struct Published {
        id: Uuid,
        version: i32,
        state: String,
        document: String,
    }
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return Ok(None);
    };
    let row: Option<Published> = tx
        .fetch_optional(
            "SELECT d.id, v.version, d.state, v.document::text AS document FROM demarches d
             JOIN demarche_versions v ON v.demarche_id = d.id AND v.version = d.current_version
             WHERE d.id = $1",
            vec![id.into()],
        )
        .await?;
    row.map(|row| {
        Ok(Current {
            id: row.id,
            version: row.version,
            closed: row.state == "closed",
            document: from_json(&row.document)?,
        })
    })
    .transpose()
}

/// One frozen version, as a dossier or a draft references it.
pub async fn version_document(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
) -> AppResult<DemarcheDocument> {
    #[derive(FromQueryResult)]
    struct Version {
        document: String,
    }
    let row: Option<Version> = tx
        .fetch_optional(
            "SELECT document::text AS document FROM demarche_versions WHERE demarche_id = $1 AND version = $2",
            vec![id.into(), version.into()],
        )
        .await?;
    match row {
        Some(row) => from_json(&row.document),
        None => Err(AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned())),
    }
}

/// Today's date in the calendar the publication windows use.
pub fn today_iso() -> Option<IsoDate> {
    today()
}
