//! Reading and saving a démarche's instruction document.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::api::{InstructionPage, routing_fields};
use super::model::{Instruction, InstructionProblem, validate};
use super::strings as s;
use crate::account::model::UserView;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

fn parse_demarche(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned()))
}

/// The démarche's instruction document, or the default one.
pub async fn instruction_of(tx: &TenantTx, demarche: Uuid) -> AppResult<Instruction> {
    #[derive(FromQueryResult)]
    struct Row {
        document: String,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT document::text AS document FROM demarche_instruction WHERE demarche_id = $1",
            vec![demarche.into()],
        )
        .await?;
    match row {
        None => Ok(Instruction::default()),
        Some(row) => serde_json::from_str(&row.document).map_err(|error| {
            tracing::error!(%error, %demarche, "instruction document does not read back");
            AppError::Internal
        }),
    }
}

/// The ids of the tenant's services, for validation.
pub async fn service_ids(tx: &TenantTx) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let rows: Vec<Row> = tx.fetch_all("SELECT id FROM services", vec![]).await?;
    Ok(rows.into_iter().map(|r| r.id.to_string()).collect())
}

/// The instruction document of an existing démarche, for the designer.
pub async fn load(tx: &TenantTx, demarche: &str) -> AppResult<Instruction> {
    let id = parse_demarche(demarche)?;
    ensure_demarche(tx, id).await?;
    instruction_of(tx, id).await
}

async fn ensure_demarche(tx: &TenantTx, id: Uuid) -> AppResult<()> {
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional("SELECT id FROM demarches WHERE id = $1", vec![id.into()])
        .await?;
    found
        .map(|_| ())
        .ok_or_else(|| AppError::NotFound(s::DEMARCHE_UNKNOWN.to_owned()))
}

/// Validates and saves. Problems come back, on their element, and nothing is saved; a status
/// that dossiers are in cannot be removed.
pub async fn save(
    tx: &TenantTx,
    by: &UserView,
    demarche: &str,
    instruction: &Instruction,
) -> AppResult<Vec<InstructionProblem>> {
    save_by(tx, by.uuid(), demarche, instruction).await
}

/// [`save`], recording `by` as the author (`None`: seeding).
pub async fn save_by(
    tx: &TenantTx,
    by: Option<Uuid>,
    demarche: &str,
    instruction: &Instruction,
) -> AppResult<Vec<InstructionProblem>> {
    let id = parse_demarche(demarche)?;
    ensure_demarche(tx, id).await?;
    let mut problems = validate(instruction, &service_ids(tx).await?);
    for used in statuses_in_use(tx, id).await? {
        if instruction.workflow.status(&used).is_none() {
            problems.push(InstructionProblem {
                path: "statuses".into(),
                message: format!("{} ({used})", s::STATUS_IN_USE),
            });
        }
    }
    if !problems.is_empty() {
        return Ok(problems);
    }
    let document = serde_json::to_string(instruction).map_err(|_| AppError::Internal)?;
    tx.execute(
        "INSERT INTO demarche_instruction (demarche_id, document, updated_by) VALUES ($1, $2::jsonb, $3)
         ON CONFLICT (demarche_id) DO UPDATE SET document = EXCLUDED.document, updated_at = EXCLUDED.updated_at,
             updated_by = EXCLUDED.updated_by",
        vec![id.into(), document.into(), by.into()],
    )
    .await?;
    Ok(Vec::new())
}

/// The statuses that dossiers of the démarche are in.
pub async fn statuses_in_use(tx: &TenantTx, demarche: Uuid) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Used {
        status: String,
    }
    let used: Vec<Used> = tx
        .fetch_all(
            "SELECT DISTINCT status FROM dossiers WHERE demarche_id = $1 ORDER BY status",
            vec![demarche.into()],
        )
        .await?;
    Ok(used.into_iter().map(|u| u.status).collect())
}

/// Everything the instruction designer opens: the document, the services to route to, the
/// fields of the démarche's draft that rules may read, and the statuses in use.
pub async fn page(tx: &TenantTx, demarche: &str) -> AppResult<InstructionPage> {
    let id = parse_demarche(demarche)?;
    let state = crate::demarches::service::designer_state(tx, &id.to_string()).await?;
    Ok(InstructionPage {
        title: state.draft.demarche.title,
        instruction: instruction_of(tx, id).await?,
        services: crate::org::service::services(tx)
            .await?
            .into_iter()
            .map(|s| (s.id, s.path))
            .collect(),
        fields: {
            // Any démarche can be routed by the context it was submitted through.
            let mut fields = routing_fields(&state.draft.definition);
            fields.push((
                super::model::CONTEXT_FIELD.to_owned(),
                super::strings::CONTEXT_FIELD_LABEL.to_owned(),
            ));
            fields
        },
        statuses_in_use: statuses_in_use(tx, id).await?,
    })
}

/// The first démarche titled `title` that has no instruction settings yet (for seeding).
pub async fn demarche_without_instruction(tx: &TenantTx, title: &str) -> AppResult<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT d.id FROM demarches d
             WHERE d.draft->'demarche'->>'title' = $1
               AND NOT EXISTS (SELECT 1 FROM demarche_instruction i WHERE i.demarche_id = d.id)
             ORDER BY d.created_at, d.id LIMIT 1",
            vec![title.into()],
        )
        .await?;
    Ok(found.map(|f| f.id))
}
