//! Letter templates of a commune and letters rendered from them on its dossiers.

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::merge::{Collectivite, DossierFields, MergeData, SignataireFields, french_long_date};
use super::model::{
    LetterExtras, LetterTemplate, LetterheadChoice, NAME_MAX, RenderedLetter, SOURCE_MAX,
    TemplateDraft, TemplateKind, TemplateProblem, TemplateSummary,
};
use super::render::{LetterInput, check, render_letter};
use super::strings as s;
use crate::account::model::UserView;
use crate::error::{AppError, Problem};
use crate::infra::dates::french_date_time;
use crate::infra::{AppState, Queries, TenantTx};

type AppResult<T> = Result<T, AppError>;

fn unknown() -> AppError {
    AppError::NotFound(s::TEMPLATE_UNKNOWN.to_owned())
}

fn parse_id(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| unknown())
}

#[derive(FromQueryResult)]
struct TemplateRow {
    id: Uuid,
    name: String,
    kind: String,
    source: String,
    letterhead: String,
    version: i32,
    updated_at: OffsetDateTime,
    updated_by: Option<String>,
}

const TEMPLATE_SELECT: &str =
    "SELECT t.id, t.name, t.kind, t.source, t.letterhead, t.version, t.updated_at, u.display_name AS updated_by
     FROM letter_templates t LEFT JOIN users u ON u.id = t.updated_by";

fn kind_of(row: &TemplateRow) -> TemplateKind {
    TemplateKind::parse(&row.kind).unwrap_or(TemplateKind::Autre)
}

fn letterhead_of(row: &TemplateRow) -> LetterheadChoice {
    LetterheadChoice::parse(&row.letterhead).unwrap_or_default()
}

pub async fn list_templates(tx: &TenantTx) -> AppResult<Vec<TemplateSummary>> {
    let rows: Vec<TemplateRow> = tx
        .fetch_all(&format!("{TEMPLATE_SELECT} ORDER BY t.name, t.id"), vec![])
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| TemplateSummary {
            id: row.id.to_string(),
            kind: kind_of(&row),
            name: row.name,
            version: row.version,
            updated_at: french_date_time(row.updated_at),
            updated_by: row.updated_by,
        })
        .collect())
}

async fn template_row(tx: &TenantTx, id: Uuid) -> AppResult<TemplateRow> {
    tx.fetch_optional(
        &format!("{TEMPLATE_SELECT} WHERE t.id = $1"),
        vec![id.into()],
    )
    .await?
    .ok_or_else(unknown)
}

pub async fn template(tx: &TenantTx, id: &str) -> AppResult<LetterTemplate> {
    let row = template_row(tx, parse_id(id)?).await?;
    Ok(LetterTemplate {
        id: row.id.to_string(),
        kind: kind_of(&row),
        letterhead: letterhead_of(&row),
        name: row.name,
        source: row.source,
        version: row.version,
    })
}

/// The sample data templates are checked against: the commune's own name and colour.
fn sample(tx: &TenantTx, letterhead: LetterheadChoice) -> MergeData {
    let tenant = tx.tenant();
    let mut sample = MergeData::sample(
        tenant.branding.name_or(&tenant.name),
        &tenant.branding.primary_color,
    );
    sample.en_tete = letterhead;
    sample
}

async fn checked(
    tx: &TenantTx,
    source: String,
    letterhead: LetterheadChoice,
) -> Vec<TemplateProblem> {
    let sample = sample(tx, letterhead);
    tokio::task::spawn_blocking(move || check(&source, &sample))
        .await
        .unwrap_or_else(|_| {
            vec![TemplateProblem {
                line: 0,
                column: 0,
                message: s::RENDER_FAILED.to_owned(),
            }]
        })
}

fn rejected(problems: &[TemplateProblem]) -> AppError {
    AppError::Rejected {
        problems: problems
            .iter()
            .map(|p| Problem {
                path: p.path(),
                message: format!("Ligne {}, colonne {} : {}", p.line, p.column, p.message),
            })
            .collect(),
    }
}

fn validate(draft: &TemplateDraft) -> AppResult<()> {
    let name = draft.name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", s::NAME_REQUIRED));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::invalid("name", s::NAME_TOO_LONG));
    }
    if draft.source.trim().is_empty() {
        return Err(AppError::invalid("source", s::SOURCE_REQUIRED));
    }
    if draft.source.chars().count() > SOURCE_MAX {
        return Err(AppError::invalid("source", s::SOURCE_TOO_LONG));
    }
    Ok(())
}

/// The problems of a template being written (the editor asks as the author types).
pub async fn problems(
    tx: &TenantTx,
    source: &str,
    letterhead: LetterheadChoice,
) -> AppResult<Vec<TemplateProblem>> {
    if source.chars().count() > SOURCE_MAX {
        return Err(AppError::invalid("source", s::SOURCE_TOO_LONG));
    }
    Ok(checked(tx, source.to_owned(), letterhead).await)
}

/// Creates (`id` = None) or updates a template; refuses one that does not render, and a save
/// over a version newer than `seen_version`.
pub async fn save_template(
    tx: &TenantTx,
    author: &UserView,
    id: Option<&str>,
    seen_version: i32,
    draft: &TemplateDraft,
) -> AppResult<LetterTemplate> {
    validate(draft)?;
    let problems = checked(tx, draft.source.clone(), draft.letterhead).await;
    if !problems.is_empty() {
        return Err(rejected(&problems));
    }
    let author = author.uuid();
    let id = match id {
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO letter_templates (id, name, kind, source, updated_by, letterhead)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                vec![
                    id.into(),
                    draft.name.trim().into(),
                    draft.kind.code().into(),
                    draft.source.clone().into(),
                    author.into(),
                    draft.letterhead.code().into(),
                ],
            )
            .await?;
            id
        }
        Some(id) => {
            let id = parse_id(id)?;
            #[derive(FromQueryResult)]
            struct Current {
                version: i32,
            }
            let current: Current = tx
                .fetch_optional(
                    "SELECT version FROM letter_templates WHERE id = $1 FOR UPDATE",
                    vec![id.into()],
                )
                .await?
                .ok_or_else(unknown)?;
            if current.version != seen_version {
                return Err(AppError::conflict("source", s::TEMPLATE_STALE));
            }
            tx.execute(
                "UPDATE letter_templates SET name = $2, kind = $3, source = $4, version = version + 1,
                        updated_at = now(), updated_by = $5, letterhead = $6 WHERE id = $1",
                vec![
                    id.into(),
                    draft.name.trim().into(),
                    draft.kind.code().into(),
                    draft.source.clone().into(),
                    author.into(),
                    draft.letterhead.code().into(),
                ],
            )
            .await?;
            id
        }
    };
    template(tx, &id.to_string()).await
}

#[derive(FromQueryResult)]
struct DossierRow {
    id: Uuid,
    reference: String,
    demarche_id: Uuid,
    version: i32,
    citizen_name: String,
    email: Option<String>,
    answers: String,
    status: String,
    submitted_at: OffsetDateTime,
    status_changed_at: OffsetDateTime,
    service_name: Option<String>,
}

/// What does not change between the letters of one mail merge: the commune and its logo,
/// and which letterhead the template prints.
#[derive(Clone)]
pub struct Letterhead {
    pub collectivite: Collectivite,
    pub logo: Option<Vec<u8>>,
    pub origin: String,
    pub choice: LetterheadChoice,
}

impl Letterhead {
    /// The same commune, printing the letterhead a template chose.
    pub fn with_choice(self, choice: LetterheadChoice) -> Self {
        Self { choice, ..self }
    }
}

pub async fn letterhead(tx: &TenantTx, state: &AppState) -> AppResult<Letterhead> {
    let tenant = tx.tenant();
    let look = &tenant.branding;
    let logo = match &look.logo {
        Some(name) => crate::branding::service::asset(tx, name)
            .await?
            .map(|(_, bytes)| bytes),
        None => None,
    };
    let origin = state.settings().tenant_origin(tenant);
    Ok(Letterhead {
        collectivite: Collectivite {
            nom: look.name_or(&tenant.name).to_owned(),
            adresse: look
                .footer_text
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned(),
            site: origin.clone(),
            couleur: look.primary_color.clone(),
            logo: logo.is_some(),
        },
        logo,
        origin,
        choice: LetterheadChoice::Commune,
    })
}

const DOSSIER_SELECT: &str = "SELECT d.id, d.reference, d.demarche_id, d.version, d.citizen_name,
        COALESCE(u.email, d.contact_email) AS email, d.answers::text AS answers, d.status,
        d.submitted_at, d.status_changed_at, s.name AS service_name
     FROM dossiers d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN services s ON s.id = d.service_id";

/// The merge data of one dossier (the caller has checked the reader's rights).
pub async fn merge_data(
    tx: &TenantTx,
    head: &Letterhead,
    dossier_id: Uuid,
    author: Option<&str>,
    extras: &LetterExtras,
) -> AppResult<MergeData> {
    let row: DossierRow = tx
        .fetch_optional(
            &format!("{DOSSIER_SELECT} WHERE d.id = $1"),
            vec![dossier_id.into()],
        )
        .await?
        .ok_or_else(|| {
            AppError::NotFound(crate::backoffice::strings::DOSSIER_UNKNOWN.to_owned())
        })?;
    let document =
        crate::demarches::service::version_document(tx, row.demarche_id, row.version).await?;
    let instruction = crate::workflow::service::instruction_of(tx, row.demarche_id).await?;
    build_merge_data(head, row, &document, &instruction, author, extras)
}

/// The merge data of many dossiers with a few statements (a mail merge's batch): one for the
/// dossiers, one per démarche version and workflow met. In the order of `ids`; dossiers that
/// no longer exist are left out.
pub async fn merge_data_batch(
    tx: &TenantTx,
    head: &Letterhead,
    ids: &[Uuid],
    author: Option<&str>,
    extras: &LetterExtras,
) -> AppResult<Vec<(Uuid, MergeData)>> {
    use std::collections::HashMap;
    let rows: Vec<DossierRow> = tx
        .fetch_all(
            &format!("{DOSSIER_SELECT} WHERE d.id = ANY ($1::uuid[])"),
            vec![crate::dossiers::service::uuid_array(ids).into()],
        )
        .await?;
    let mut rows: HashMap<Uuid, DossierRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    let mut documents = HashMap::new();
    let mut instructions = HashMap::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(row) = rows.remove(id) else {
            continue;
        };
        let key = (row.demarche_id, row.version);
        if let std::collections::hash_map::Entry::Vacant(entry) = documents.entry(key) {
            entry.insert(
                crate::demarches::service::version_document(tx, row.demarche_id, row.version)
                    .await?,
            );
        }
        if let std::collections::hash_map::Entry::Vacant(entry) =
            instructions.entry(row.demarche_id)
        {
            entry.insert(crate::workflow::service::instruction_of(tx, row.demarche_id).await?);
        }
        let (Some(document), Some(instruction)) =
            (documents.get(&key), instructions.get(&row.demarche_id))
        else {
            continue;
        };
        out.push((
            *id,
            build_merge_data(head, row, document, instruction, author, extras)?,
        ));
    }
    Ok(out)
}

fn build_merge_data(
    head: &Letterhead,
    row: DossierRow,
    document: &crate::demarches::document::DemarcheDocument,
    instruction: &crate::workflow::model::Instruction,
    author: Option<&str>,
    extras: &LetterExtras,
) -> AppResult<MergeData> {
    let status = instruction
        .workflow
        .status(&row.status)
        .map_or_else(|| row.status.clone(), |st| st.label.clone());
    let answers: crate::demarches::model::CleanAnswers = serde_json::from_str(&row.answers)
        .map_err(|error| {
            tracing::error!(%error, dossier = %row.id, "letters: answers do not read back");
            AppError::Internal
        })?;
    let today = OffsetDateTime::now_utc();
    let signatory = extras.signatory.as_ref();
    Ok(MergeData {
        collectivite: head.collectivite.clone(),
        dossier: DossierFields {
            lien: format!("{}/mes-demandes/{}", head.origin, row.reference),
            reference: row.reference,
            depot: french_long_date(row.submitted_at.date()),
            statut: status,
            date_statut: french_long_date(row.status_changed_at.date()),
        },
        demarche_titre: document.demarche.title.clone(),
        beneficiaire_nom: row.citizen_name.clone(),
        citoyen_nom: row.citizen_name,
        citoyen_courriel: row.email.unwrap_or_default(),
        agent_nom: author.unwrap_or_default().to_owned(),
        agent_service: row.service_name.unwrap_or_default(),
        signataire: SignataireFields {
            nom: signatory.map(|s| s.name.clone()).unwrap_or_default(),
            qualite: signatory.map(|s| s.title.clone()).unwrap_or_default(),
            pour: signatory
                .and_then(|s| s.on_behalf_of.clone())
                .unwrap_or_default(),
            image: false,
        },
        courrier_titre: String::new(),
        courrier_texte: extras.free_text.clone(),
        aujourdhui: french_long_date(today.date()),
        annee: today.year(),
        reponses: crate::dossiers::model::answer_values(&document.definition, &answers),
        en_tete: head.choice,
    })
}

/// A saved template's name, source and letterhead (mail merges read it once).
pub async fn template_source(
    tx: &TenantTx,
    id: Uuid,
) -> AppResult<(String, String, LetterheadChoice)> {
    let row = template_row(tx, id).await?;
    let letterhead = letterhead_of(&row);
    Ok((row.name, row.source, letterhead))
}

/// Renders off the async runtime.
pub async fn render_blocking(
    template: String,
    mut data: MergeData,
    title: String,
    logo: Option<Vec<u8>>,
    signature: Option<Vec<u8>>,
    ident: String,
) -> Result<RenderedLetter, Vec<TemplateProblem>> {
    data.courrier_titre = title;
    tokio::task::spawn_blocking(move || {
        render_letter(LetterInput {
            template: &template,
            data: &data,
            logo,
            signature,
            ident,
            now: OffsetDateTime::now_utc(),
        })
    })
    .await
    .unwrap_or_else(|_| {
        Err(vec![TemplateProblem {
            line: 0,
            column: 0,
            message: s::RENDER_FAILED.to_owned(),
        }])
    })
}

fn render_error(problems: Vec<TemplateProblem>) -> AppError {
    tracing::warn!(?problems, "letters: a saved template did not render");
    rejected(&problems)
}

/// A letter from a saved template on a dossier (responses, mail merge).
pub async fn render_for_dossier(
    tx: &TenantTx,
    state: &AppState,
    template_id: &str,
    dossier_id: Uuid,
    extras: &LetterExtras,
) -> AppResult<RenderedLetter> {
    let row = template_row(tx, parse_id(template_id)?).await?;
    let head = letterhead(tx, state)
        .await?
        .with_choice(letterhead_of(&row));
    let data = merge_data(tx, &head, dossier_id, extras.author.as_deref(), extras).await?;
    let title = format!("{} — dossier {}", row.name, data.dossier.reference);
    let signature = extras
        .signatory
        .as_ref()
        .and_then(|s| s.signature.as_ref())
        .map(|image| image.bytes.clone());
    render_blocking(
        row.source,
        data,
        title,
        head.logo,
        signature,
        format!("{}:{dossier_id}", row.id),
    )
    .await
    .map_err(render_error)
}

/// The preview of a template being edited, on a dossier the agent may read.
pub async fn preview(
    tx: &TenantTx,
    state: &AppState,
    agent: &crate::backoffice::service::Agent,
    source: &str,
    letterhead_choice: LetterheadChoice,
    reference: &str,
    free_text: &str,
) -> AppResult<Result<RenderedLetter, Vec<TemplateProblem>>> {
    if reference.trim().is_empty() {
        return Err(AppError::invalid("reference", s::DOSSIER_REQUIRED));
    }
    if source.chars().count() > SOURCE_MAX {
        return Err(AppError::invalid("source", s::SOURCE_TOO_LONG));
    }
    let dossier_id = crate::backoffice::service::readable_dossier(tx, agent, reference).await?;
    let head = letterhead(tx, state).await?.with_choice(letterhead_choice);
    let extras = LetterExtras {
        free_text: free_text.to_owned(),
        ..LetterExtras::default()
    };
    let data = merge_data(
        tx,
        &head,
        dossier_id,
        Some(&agent.user.display_name),
        &extras,
    )
    .await?;
    let title = format!("Aperçu — dossier {}", data.dossier.reference);
    Ok(render_blocking(
        source.to_owned(),
        data,
        title,
        head.logo,
        None,
        format!("apercu:{dossier_id}"),
    )
    .await)
}

/// The commune's first template of `kind` (by name), for the documents the portal offers.
pub async fn template_of_kind(tx: &TenantTx, kind: TemplateKind) -> AppResult<Option<String>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT id FROM letter_templates WHERE kind = $1 ORDER BY name, id LIMIT 1",
            vec![kind.code().into()],
        )
        .await?;
    Ok(row.map(|r| r.id.to_string()))
}
