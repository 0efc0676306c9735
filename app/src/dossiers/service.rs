//! Drafts, attachments, submission and follow-up of dossiers, in the tenant's schema.
//!
//! Every function takes the [`TenantTx`] and the viewer (the signed-in user, if any): a draft or
//! dossier is only ever found inside the tenant's schema and, when it has an owner, for that
//! owner. Anonymous drafts and dossiers are reached through their long random key only.

use std::collections::BTreeMap;

use sea_orm::FromQueryResult;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    AnswerLine, Availability, Channel, CitizenMessage, DossierEvent, DossierSummary, DossierView,
    DraftPage, DraftSummary, FilingStart, LiveStatus, RecordUpdate, RefusedPiece, UploadRefusal,
    answer_lines, first_step_with_problem, step_problems,
};
use super::strings as s;
use crate::account::model::{Role, UserView};
use crate::demarches::answers::{assess, validate_answers};
use crate::demarches::beneficiary::BeneficiaryKind;
use crate::demarches::document::DemarcheDocument;
use crate::demarches::form_data::{Posted, StepAction, apply_group_action, apply_step};
use crate::demarches::model::{
    AnswerError, AnswerValue, Answers, Audience, Definition, FieldKind, FileRef, Locks, RawAnswer,
};
use crate::demarches::service::{Current, current_published, today_iso, version_document};
use crate::error::{AppError, AppResult};
use crate::infra::crypto::new_token;
use crate::infra::dates::{french_date, french_date_time};
use crate::infra::live::announce;
use crate::infra::mail::{OutgoingMail, enqueue};
use crate::infra::storage::TenantFiles;
use crate::infra::{Queries, Settings, TenantTx};
use crate::org::service::FIRST_SERVICE;
use crate::people::beneficiary;
use crate::workflow::service::instruction_of;

pub use crate::uploads::{MAX_UPLOAD_BYTES, Upload};
use crate::uploads::{clean_file_name, vet_file};

fn user_uuid(user: Option<&UserView>) -> Option<Uuid> {
    user.and_then(UserView::uuid)
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "dossiers: stored data does not read back");
    AppError::Internal
}

fn availability(current: &Current) -> Availability {
    if current.closed {
        return Availability::Closed(None);
    }
    let window = &current.document.demarche.publication;
    let Some(today) = today_iso() else {
        return Availability::Open;
    };
    match (window.from, window.to) {
        (Some(from), _) if today < from => Availability::NotYetOpen(from.to_french()),
        (_, Some(to)) if to < today => Availability::Closed(Some(to.to_french())),
        _ => Availability::Open,
    }
}

fn unavailable(availability: &Availability) -> Option<AppError> {
    let message = match availability {
        Availability::Open => return None,
        Availability::NotYetOpen(date) => s::demarche_opens_on(date),
        Availability::Closed(Some(date)) => s::demarche_closed_since(date),
        Availability::Closed(None) => s::DEMARCHE_CLOSED.to_owned(),
    };
    Some(AppError::conflict("demarche", message))
}

async fn offered(tx: &TenantTx, demarche_id: &str) -> AppResult<Current> {
    current_published(tx, demarche_id)
        .await?
        .ok_or_else(|| AppError::NotFound(s::DEMARCHE_NOT_OFFERED.to_owned()))
}

#[derive(FromQueryResult)]
struct DraftRow {
    id: Uuid,
    key: String,
    demarche_id: Uuid,
    version: i32,
    user_id: Option<Uuid>,
    answers: String,
    problems: String,
    step: i32,
    dossier_id: Option<Uuid>,
    complement_of: Option<Uuid>,
    channel: String,
    for_email: Option<String>,
    context_code: Option<String>,
    beneficiary_person_id: Option<Uuid>,
    beneficiary_organisation_id: Option<Uuid>,
    beneficiary_kind: Option<String>,
    beneficiary_name: Option<String>,
    /// Filed for its owner themself (no beneficiary recorded, or their own person): only then
    /// may their certified identity lock answers.
    for_self: bool,
}

const DRAFT_COLUMNS: &str = "id, key, demarche_id, version, user_id, answers::text AS answers, problems::text AS problems, step, dossier_id, complement_of, channel, for_email, context_code,
    beneficiary_person_id, beneficiary_organisation_id, beneficiary_kind, beneficiary_name,
    (beneficiary_organisation_id IS NULL AND (beneficiary_person_id IS NULL
        OR beneficiary_person_id IN (SELECT p.id FROM people p WHERE p.account_id = dossier_drafts.user_id))) AS for_self";

impl DraftRow {
    fn answers(&self) -> AppResult<Answers> {
        serde_json::from_str(&self.answers).map_err(internal)
    }

    fn problems(&self) -> AppResult<Vec<AnswerError>> {
        serde_json::from_str(&self.problems).map_err(internal)
    }

    /// The beneficiary's name when it is not the account holder.
    fn other_beneficiary(&self) -> Option<String> {
        match self.beneficiary_kind.as_deref() {
            None | Some("soi") => None,
            Some(_) => self.beneficiary_name.clone(),
        }
    }
}

/// A draft as lists show it: title and step count read from its version in the same query,
/// rather than loading and parsing each version document.
#[derive(FromQueryResult)]
struct DraftSummaryRow {
    key: String,
    demarche_id: Uuid,
    step: i32,
    updated_at: OffsetDateTime,
    title: String,
    steps: i32,
}

const DRAFT_SUMMARY_SELECT: &str = "SELECT dr.key, dr.demarche_id, dr.step, dr.updated_at,
        v.document->'demarche'->>'title' AS title,
        jsonb_array_length(v.document->'definition'->'steps') AS steps
     FROM dossier_drafts dr
     JOIN demarche_versions v ON v.demarche_id = dr.demarche_id AND v.version = dr.version
     WHERE dr.user_id = $1 AND dr.dossier_id IS NULL AND dr.complement_of IS NULL";

impl DraftSummaryRow {
    fn summary(self) -> DraftSummary {
        DraftSummary {
            key: self.key,
            demarche_id: self.demarche_id.to_string(),
            title: self.title,
            updated: french_date_time(self.updated_at),
            step: self.step.max(0) as usize,
            steps: self.steps.max(0) as usize,
        }
    }
}

/// What the viewer's account gives démarches to prefill: their name and address (their own,
/// editable) and the identity a provider certified (locked: see [`locks_of`]).
pub fn profile(viewer: Option<&UserView>) -> crate::demarches::model::Profile {
    crate::demarches::model::Profile {
        display_name: viewer
            .map(|u| u.display_name.clone())
            .filter(|n| !n.is_empty()),
        email: viewer.map(|u| u.email.clone()),
        phone: None,
        address: None,
        certified: viewer.and_then(|u| u.certified.clone()),
        ..Default::default()
    }
}

/// The answers the owner's certified identity fixes on their own portal draft, whatever is
/// posted (step form, autosave) or was saved before they were certified. None on an anonymous
/// draft or one an agent fills on someone's behalf.
fn locks_of(draft: &DraftRow, viewer: Option<&UserView>, definition: &Definition) -> Locks {
    let own = draft.channel == "portal"
        && draft.user_id.is_some()
        && draft.user_id == viewer.and_then(UserView::uuid);
    if !own || !draft.for_self {
        return Locks::default();
    }
    crate::demarches::answers::locks(definition, &profile(viewer))
}

/// The draft named by `key`, locked for update, if the viewer may see it: its owner, or anyone
/// holding the key of an anonymous draft.
async fn load_draft(tx: &TenantTx, viewer: Option<&UserView>, key: &str) -> AppResult<DraftRow> {
    let row: Option<DraftRow> = tx
        .fetch_optional(
            &format!("SELECT {DRAFT_COLUMNS} FROM dossier_drafts WHERE key = $1 FOR UPDATE"),
            vec![key.into()],
        )
        .await?;
    match row {
        Some(row) if row.user_id.is_none() || row.user_id == user_uuid(viewer) => Ok(row),
        _ => Err(AppError::NotFound(s::DRAFT_UNKNOWN.to_owned())),
    }
}

/// The démarche's start page.
pub async fn filing_start(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    demarche_id: &str,
    chosen: Option<&str>,
) -> AppResult<FilingStart> {
    let current = offered(tx, demarche_id).await?;
    let setting = &current.document.demarche.beneficiary;
    let today = today_iso().ok_or(AppError::Internal)?;
    let (beneficiaries, beneficiary_refusal) = match user_uuid(viewer) {
        Some(account) if !setting.is_default() => {
            let options = beneficiary::options(tx, account, setting, today).await?;
            // A refused choice comes back here (`?pour=`): the page says why, in the same words
            // as the refusal.
            let refusal = match chosen {
                Some(choice) => beneficiary::resolve(tx, account, setting, Some(choice), today)
                    .await
                    .err()
                    .map(|error| error.to_string()),
                None => None,
            };
            (options, refusal)
        }
        _ => (Vec::new(), None),
    };
    let draft = match user_uuid(viewer) {
        Some(user) => tx
            .fetch_optional::<DraftSummaryRow>(
                &format!(
                    "{DRAFT_SUMMARY_SELECT} AND dr.demarche_id = $2 ORDER BY dr.updated_at DESC LIMIT 1"
                ),
                vec![user.into(), current.id.into()],
            )
            .await?
            .map(DraftSummaryRow::summary),
        None => None,
    };
    let demarche = &current.document.demarche;
    Ok(FilingStart {
        demarche_id: current.id.to_string(),
        title: demarche.title.clone(),
        description: demarche.description.clone(),
        availability: availability(&current),
        needs_login: viewer.is_none()
            && (demarche.audience == Audience::IdentifiedOnly || !setting.is_default()),
        draft,
        space: Default::default(),
        outside_space: false,
        beneficiaries,
        beneficiary_refusal,
        chosen: chosen.map(str::to_owned),
    })
}

/// An agent registers a démarche for a citizen at the counter (`guichet`) or on the phone
/// (`telephone`): a draft the agent fills with the ordinary pages, filed for the citizen with
/// that address (their account if they have one, else a tracking link mailed to them).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn start_on_behalf(
    tx: &TenantTx,
    agent: &UserView,
    demarche_id: &str,
    channel: &str,
    email: &str,
) -> AppResult<String> {
    if !agent.has_role(Role::Agent) {
        return Err(AppError::Forbidden(s::NOT_AN_AGENT.to_owned()));
    }
    if !matches!(
        Channel::parse(channel),
        Some(Channel::Counter | Channel::Phone)
    ) {
        return Err(AppError::invalid("channel", s::CHANNEL_UNKNOWN));
    }
    let email = match email.trim() {
        "" => String::new(),
        raw => crate::account::validate::email("email", raw)?,
    };
    let current = offered(tx, demarche_id)
        .await
        .map_err(|_| AppError::invalid("demarche", s::ON_BEHALF_NOT_OFFERED))?;
    if unavailable(&availability(&current)).is_some() {
        return Err(AppError::invalid("demarche", s::ON_BEHALF_NOT_OFFERED));
    }
    let (key, _) = new_token();
    tx.execute(
        "INSERT INTO dossier_drafts (id, key, demarche_id, version, user_id, answers, channel, for_email)
         VALUES ($1, $2, $3, $4, $5, '{}'::jsonb, $6, NULLIF($7, ''))",
        vec![
            Uuid::new_v4().into(),
            key.clone().into(),
            current.id.into(),
            current.version.into(),
            user_uuid(Some(agent)).into(),
            channel.into(),
            email.into(),
        ],
    )
    .await?;
    Ok(key)
}

/// Resumes the viewer's draft of this démarche, or starts one (`fresh`: always a new one, the
/// citizen asked for it explicitly), in the context (`crate::contexts`) the citizen came
/// through: `context` (a code) must offer the démarche; a deleted one is the plain portal.
/// Returns the draft's key.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn start_draft(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    profile: &crate::demarches::model::Profile,
    demarche_id: &str,
    fresh: bool,
    context: Option<&str>,
    choice: Option<&str>,
) -> AppResult<String> {
    let current = offered(tx, demarche_id).await?;
    if let Some(error) = unavailable(&availability(&current)) {
        return Err(error);
    }
    let context = match context {
        Some(code) => {
            crate::contexts::service::context_for_draft(
                tx,
                code,
                current.id,
                &current.document.demarche.title,
            )
            .await?
        }
        None => None,
    };
    let user = user_uuid(viewer);
    let setting = &current.document.demarche.beneficiary;
    // Choosing among one's household or organisations needs to be signed in.
    if user.is_none()
        && (current.document.demarche.audience == Audience::IdentifiedOnly || !setting.is_default())
    {
        return Err(AppError::Unauthenticated);
    }
    let chosen = match user {
        Some(account) => {
            let today = today_iso().ok_or(AppError::Internal)?;
            Some(beneficiary::resolve(tx, account, setting, choice, today).await?)
        }
        None => None,
    };
    if let (Some(user), false) = (user, fresh) {
        #[derive(FromQueryResult)]
        struct Key {
            key: String,
        }
        // One draft per démarche and beneficiary (a draft from before beneficiaries were
        // recorded is the citizen's own).
        let existing: Option<Key> = tx
            .fetch_optional(
                "SELECT key FROM dossier_drafts WHERE user_id = $1 AND demarche_id = $2 AND dossier_id IS NULL
                   AND complement_of IS NULL AND channel = 'portal'
                   AND beneficiary_organisation_id IS NOT DISTINCT FROM $4
                   AND (beneficiary_person_id IS NOT DISTINCT FROM $3
                        OR ($5 AND beneficiary_person_id IS NULL))
                 ORDER BY updated_at DESC LIMIT 1",
                vec![
                    user.into(),
                    current.id.into(),
                    chosen.as_ref().and_then(|c| c.person).into(),
                    chosen.as_ref().and_then(|c| c.organisation).into(),
                    chosen
                        .as_ref()
                        .is_none_or(|c| c.kind == BeneficiaryKind::Soi)
                        .into(),
                ],
            )
            .await?;
        if let Some(existing) = existing {
            // The dossier records the context it is finally submitted through.
            tx.execute(
                "UPDATE dossier_drafts SET context_code = $2 WHERE key = $1",
                vec![existing.key.clone().into(), context.into()],
            )
            .await?;
            return Ok(existing.key);
        }
    }
    let profile = match (user, &chosen) {
        (Some(account), Some(chosen)) => {
            beneficiary::profile(tx, account, profile.clone(), chosen).await?
        }
        _ => profile.clone(),
    };
    let answers = crate::demarches::answers::prefill(&current.document.definition, &profile);
    let (key, _) = new_token();
    tx.execute(
        "INSERT INTO dossier_drafts (id, key, demarche_id, version, user_id, answers, context_code,
             beneficiary_person_id, beneficiary_organisation_id, beneficiary_kind, beneficiary_name)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)",
        vec![
            Uuid::new_v4().into(),
            key.clone().into(),
            current.id.into(),
            current.version.into(),
            user.into(),
            serde_json::to_string(&answers).map_err(internal)?.into(),
            context.into(),
            chosen.as_ref().and_then(|c| c.person).into(),
            chosen.as_ref().and_then(|c| c.organisation).into(),
            chosen.as_ref().map(|c| c.kind.code()).into(),
            chosen.as_ref().map(|c| c.name.clone()).into(),
        ],
    )
    .await?;
    Ok(key)
}

/// The draft as its step page shows it, or the address of its dossier once submitted.
// Built once per request and unpacked at once: boxing the page would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum DraftState {
    Open(Box<DraftPage>),
    Submitted(String),
}

pub async fn draft_page(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    key: &str,
) -> AppResult<DraftState> {
    let row = load_draft(tx, viewer, key).await?;
    if let Some(dossier) = row.dossier_id {
        return Ok(DraftState::Submitted(dossier_url(tx, dossier).await?));
    }
    let document = version_document(tx, row.demarche_id, row.version).await?;
    let locks = locks_of(&row, viewer, &document.definition);
    let mut answers = row.answers()?;
    locks.enforce(&mut answers);
    Ok(DraftState::Open(Box::new(DraftPage {
        key: row.key.clone(),
        demarche_id: row.demarche_id.to_string(),
        title: document.demarche.title,
        answers,
        problems: row.problems()?,
        step: row.step as usize,
        definition: document.definition,
        anonymous: row.user_id.is_none(),
        locks,
        beneficiary: row.other_beneficiary(),
        record_updates: Vec::new(),
        wallet: crate::wallet::service::choices(tx, viewer).await?,
    })))
}

/// The answer-level problem of an upload refused before it was stored.
fn refuse(field: &str, message: String) -> AnswerError {
    AnswerError {
        path: field.to_owned(),
        message,
    }
}

/// Stores the uploads that fit their field, recording them as the draft's attachments.
/// Returns the stored files by field path, the problems of those refused, and the keys
/// written (to delete if the transaction does not commit). On an error, what was already
/// written is deleted: no object outlives a failed request.
async fn store_uploads(
    tx: &TenantTx,
    files: &TenantFiles,
    draft: &DraftRow,
    definition: &Definition,
    uploads: Vec<Upload>,
) -> AppResult<(BTreeMap<String, Vec<FileRef>>, Vec<AnswerError>, Vec<Uuid>)> {
    let mut written = Vec::new();
    match store_each(tx, files, draft, definition, uploads, &mut written).await {
        Ok((stored, problems)) => Ok((stored, problems, written)),
        Err(error) => {
            for key in written {
                files.delete(key).await;
            }
            Err(error)
        }
    }
}

async fn store_each(
    tx: &TenantTx,
    files: &TenantFiles,
    draft: &DraftRow,
    definition: &Definition,
    uploads: Vec<Upload>,
    written: &mut Vec<Uuid>,
) -> AppResult<(BTreeMap<String, Vec<FileRef>>, Vec<AnswerError>)> {
    let mut stored: BTreeMap<String, Vec<FileRef>> = BTreeMap::new();
    let mut problems = Vec::new();
    for upload in uploads {
        // A group item's control (`group[i].code`) is its group's field; a path naming no
        // item is refused when the answer is placed.
        let Some((_, accepted_types, max_size_bytes)) = file_field(definition, &upload.field)
        else {
            problems.push(refuse(&upload.field, s::FIELD_NOT_FILES.to_owned()));
            continue;
        };
        let name = clean_file_name(&upload.name);
        if let Err(refusal) = vet_file(&upload.bytes, accepted_types, max_size_bytes) {
            let message = match refusal {
                UploadRefusal::Missing | UploadRefusal::Empty => s::EMPTY_FILE.to_owned(),
                UploadRefusal::TooLarge => {
                    crate::demarches::strings::file_too_large(&name, max_size_bytes)
                }
                UploadRefusal::WrongType => {
                    crate::demarches::strings::wrong_file_type(&name, &accepted_types.join(", "))
                }
            };
            problems.push(refuse(&upload.field, message));
            continue;
        }
        let id = Uuid::new_v4();
        let receipt = files.put(id, &upload.bytes).await?;
        written.push(id);
        tx.execute(
            "INSERT INTO attachments (id, draft_id, field_path, name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                id.into(),
                draft.id.into(),
                upload.field.clone().into(),
                name.clone().into(),
                receipt.content_type.clone().into(),
                (upload.bytes.len() as i64).into(),
                receipt.sha256.into(),
            ],
        )
        .await?;
        stored.entry(upload.field).or_default().push(FileRef {
            id: id.to_string(),
            name,
            size: upload.bytes.len() as u64,
            content_type: receipt.content_type,
        });
    }
    Ok((stored, problems))
}

/// The file field a piece's path (`plan`, `enfants[1].justificatif`) answers: its label,
/// accepted types and size limit.
fn file_field<'a>(definition: &'a Definition, path: &str) -> Option<(&'a str, &'a [String], u64)> {
    let field = super::model::field_at(definition, path)?;
    match &field.kind {
        FieldKind::Files {
            accepted_types,
            max_size_bytes,
            ..
        } => Some((field.label.as_str(), accepted_types, *max_size_bytes)),
        _ => None,
    }
}

/// Replaces, in a dossier's answers (as JSON), the file `old` by `new`, wherever it is (groups
/// included). Returns whether it was found.
fn swap_file(answers: &mut serde_json::Value, old: &str, new: &FileRef) -> bool {
    match answers {
        serde_json::Value::Object(map) => {
            if map.get("id").and_then(|id| id.as_str()) == Some(old) && map.contains_key("name") {
                if let Ok(value) = serde_json::to_value(new) {
                    *answers = value;
                    return true;
                }
                return false;
            }
            let mut found = false;
            for value in map.values_mut() {
                found |= swap_file(value, old, new);
            }
            found
        }
        serde_json::Value::Array(items) => {
            let mut found = false;
            for value in items.iter_mut() {
                found |= swap_file(value, old, new);
            }
            found
        }
        _ => false,
    }
}

/// Files in `answers` must be this draft's attachments; their metadata is taken from the
/// database, never from the client. Unknown ones are dropped.
async fn reconcile_files(tx: &TenantTx, draft_id: Uuid, answers: &mut Answers) -> AppResult<()> {
    #[derive(FromQueryResult)]
    struct Attachment {
        id: Uuid,
        name: String,
        content_type: String,
        size: i64,
    }
    let rows: Vec<Attachment> = tx
        .fetch_all(
            // A complement also keeps the pieces the dossier already has.
            "SELECT id, name, content_type, size FROM attachments WHERE draft_id = $1
                OR dossier_id = (SELECT complement_of FROM dossier_drafts WHERE id = $1)",
            vec![draft_id.into()],
        )
        .await?;
    let known: BTreeMap<String, FileRef> = rows
        .into_iter()
        .map(|r| {
            let id = r.id.to_string();
            (
                id.clone(),
                FileRef {
                    id,
                    name: r.name,
                    size: r.size.max(0) as u64,
                    content_type: r.content_type,
                },
            )
        })
        .collect();
    fn walk(answers: &mut Answers, known: &BTreeMap<String, FileRef>) {
        answers.0.retain(|_, answer| match answer {
            RawAnswer::Files(files) => {
                let kept: Vec<FileRef> = files
                    .iter()
                    .filter_map(|f| known.get(&f.id).cloned())
                    .collect();
                *files = kept;
                !files.is_empty()
            }
            RawAnswer::Group(items) => {
                for item in items.iter_mut() {
                    walk(item, known);
                }
                true
            }
            _ => true,
        });
    }
    walk(answers, &known);
    Ok(())
}

/// The next visible step after (`forward`) or before `from`; `steps.len()` is the summary.
fn neighbour_step(definition: &Definition, answers: &Answers, from: usize, forward: bool) -> usize {
    let hidden = assess(definition, answers).hidden;
    let visible = |i: usize| {
        definition
            .steps
            .get(i)
            .is_some_and(|step| !hidden.contains(&step.code))
    };
    if forward {
        (from + 1..definition.steps.len())
            .find(|&i| visible(i))
            .unwrap_or(definition.steps.len())
    } else {
        (0..from.min(definition.steps.len()))
            .rev()
            .find(|&i| visible(i))
            .unwrap_or(0)
    }
}

pub fn draft_url(key: &str, step: Option<usize>) -> String {
    match step {
        Some(step) => format!("/brouillons/{key}?etape={}", step + 1),
        None => format!("/brouillons/{key}/recapitulatif"),
    }
}

/// A posted step form: stores its files, merges its answers, and moves as the citizen asked.
/// Returns where to send the browser. Problems are kept on the draft, with the answers, so
/// nothing typed is lost and the page shows them after the redirect.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn save_step(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    key: &str,
    posted: &Posted,
    uploads: Vec<Upload>,
) -> AppResult<(String, Vec<Uuid>)> {
    let draft = load_draft(tx, viewer, key).await?;
    if let Some(dossier) = draft.dossier_id {
        return Ok((dossier_url(tx, dossier).await?, Vec::new()));
    }
    let document = version_document(tx, draft.demarche_id, draft.version).await?;
    let definition = &document.definition;
    let step = posted
        .first("step")
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(draft.step as usize)
        .min(definition.steps.len().saturating_sub(1));
    let action = StepAction::parse(posted.first("_action").unwrap_or("next"));
    let (picked, picks_refused) = wallet_picks(tx, settings, viewer, definition, posted).await?;
    let mut uploads = uploads;
    uploads.extend(picked);
    let files = TenantFiles::of(tx, settings);
    let (uploaded, mut problems, written) =
        store_uploads(tx, &files, &draft, definition, uploads).await?;
    problems.extend(picks_refused);
    let moved = async {
        let mut answers = apply_step(definition, step, &draft.answers()?, posted, &uploaded);
        reconcile_files(tx, draft.id, &mut answers).await?;
        apply_group_action(&mut answers, &action);
        locks_of(&draft, viewer, definition).enforce(&mut answers);
        let next = match action {
            StepAction::Next if problems.is_empty() => {
                let assessment = assess(definition, &answers);
                problems = match assessment.result {
                    Ok(_) => Vec::new(),
                    Err(errors) => step_problems(definition, step, &errors),
                };
                if problems.is_empty() {
                    neighbour_step(definition, &answers, step, true)
                } else {
                    step
                }
            }
            StepAction::Previous => neighbour_step(definition, &answers, step, false),
            _ => step,
        };
        tx.execute(
            "UPDATE dossier_drafts SET answers = $2::jsonb, problems = $3::jsonb, step = $4, updated_at = now() WHERE id = $1",
            vec![
                draft.id.into(),
                serde_json::to_string(&answers).map_err(internal)?.into(),
                serde_json::to_string(&problems).map_err(internal)?.into(),
                (next as i32).into(),
            ],
        )
        .await?;
        let url = if next >= definition.steps.len() {
            draft_url(key, None)
        } else {
            draft_url(key, Some(next))
        };
        Ok(url)
    }
    .await;
    let url = undo_on_error(&files, &written, moved).await?;
    Ok((url, written))
}

/// The wallet pieces chosen on the step's file fields ("Choisir dans mon porte-documents"),
/// as uploads of those fields: they then pass the field's own checks and are stored as new
/// attachments, copies independent of the wallet. A piece that is expired or not the
/// citizen's is refused on its field.
async fn wallet_picks(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    definition: &Definition,
    posted: &Posted,
) -> AppResult<(Vec<Upload>, Vec<AnswerError>)> {
    let mut picked = Vec::new();
    let mut refused = Vec::new();
    for (path, _) in crate::demarches::form_data::file_field_paths(definition, posted) {
        let name = crate::demarches::form_data::wallet_name(&path);
        for id in posted.all(&name).iter().filter(|id| !id.trim().is_empty()) {
            match crate::wallet::service::take_for_draft(tx, settings, viewer, &path, id).await? {
                Ok(upload) => picked.push(upload),
                Err(message) => refused.push(refuse(&path, message)),
            }
        }
    }
    Ok((picked, refused))
}

/// Saves the answers the live page holds (autosave), without moving or checking.
pub async fn autosave(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    key: &str,
    answers_json: &str,
) -> AppResult<()> {
    let draft = load_draft(tx, viewer, key).await?;
    if draft.dossier_id.is_some() {
        return Ok(());
    }
    let mut answers: Answers = serde_json::from_str(answers_json)
        .map_err(|_| AppError::invalid("answers", s::BAD_ANSWERS))?;
    reconcile_files(tx, draft.id, &mut answers).await?;
    // Only a certified owner has locks: no need to read the version otherwise.
    if viewer.is_some_and(|user| user.certified.is_some()) {
        let document = version_document(tx, draft.demarche_id, draft.version).await?;
        locks_of(&draft, viewer, &document.definition).enforce(&mut answers);
    }
    tx.execute(
        "UPDATE dossier_drafts SET answers = $2::jsonb, updated_at = now() WHERE id = $1",
        vec![
            draft.id.into(),
            serde_json::to_string(&answers).map_err(internal)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// One file uploaded by the live page: stored, attached to the draft and added to its answer.
pub async fn upload(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    key: &str,
    upload: Upload,
) -> AppResult<(FileRef, Vec<Uuid>)> {
    let draft = load_draft(tx, viewer, key).await?;
    if draft.dossier_id.is_some() {
        return Err(AppError::NotFound(s::DRAFT_UNKNOWN.to_owned()));
    }
    let document = version_document(tx, draft.demarche_id, draft.version).await?;
    let field = upload.field.clone();
    let mut answers = draft.answers()?;
    // Refused before anything is written: a path that names no answer (`nom[0].plan`).
    if crate::demarches::form_data::answer_level_mut(&mut answers, &field).is_none() {
        return Err(AppError::invalid(&field, s::FIELD_NOT_FILES));
    }
    let files = TenantFiles::of(tx, settings);
    let (mut stored, problems, written) =
        store_uploads(tx, &files, &draft, &document.definition, vec![upload]).await?;
    let recorded = async {
        if let Some(problem) = problems.into_iter().next() {
            return Err(AppError::Invalid {
                field: problem.path,
                message: problem.message,
            });
        }
        let Some(file) = stored.remove(&field).and_then(|mut v| v.pop()) else {
            return Err(AppError::invalid("file", s::UPLOAD_UNREADABLE));
        };
        let Some((level, code)) =
            crate::demarches::form_data::answer_level_mut(&mut answers, &field)
        else {
            return Err(AppError::invalid(&field, s::FIELD_NOT_FILES));
        };
        let entry = level
            .entry(code.to_owned())
            .or_insert_with(|| RawAnswer::Files(Vec::new()));
        match entry {
            RawAnswer::Files(files) => files.push(file.clone()),
            other => *other = RawAnswer::Files(vec![file.clone()]),
        }
        tx.execute(
            "UPDATE dossier_drafts SET answers = $2::jsonb, updated_at = now() WHERE id = $1",
            vec![
                draft.id.into(),
                serde_json::to_string(&answers).map_err(internal)?.into(),
            ],
        )
        .await?;
        Ok(file)
    }
    .await;
    let file = undo_on_error(&files, &written, recorded).await?;
    Ok((file, written))
}

/// Deletes the files a request wrote when what followed failed: their rows roll back with
/// the transaction, so nothing would name them.
async fn undo_on_error<T>(
    files: &TenantFiles,
    written: &[Uuid],
    result: AppResult<T>,
) -> AppResult<T> {
    if result.is_err() {
        for key in written {
            files.delete(*key).await;
        }
    }
    result
}

/// The summary page: the visible answers, and the problems that would stop submission.
pub async fn summary(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    key: &str,
) -> AppResult<Result<(DraftPage, Vec<AnswerLine>), String>> {
    let mut page = match draft_page(tx, viewer, key).await? {
        DraftState::Open(page) => *page,
        DraftState::Submitted(url) => return Ok(Err(url)),
    };
    let lines = match assess(&page.definition, &page.answers).result {
        Ok(clean) => {
            page.record_updates = record_updates(tx, viewer, key, &page.definition, &clean)
                .await?
                .into_iter()
                .map(|update| RecordUpdate {
                    code: beneficiary::attribute_code(update.attribute).to_owned(),
                    label: update.attribute.label().to_owned(),
                    value: update.value.display(),
                })
                .collect();
            answer_lines(&page.definition, &clean)
        }
        Err(_) => Vec::new(),
    };
    Ok(Ok((page, lines)))
}

/// What the answers of the viewer's own draft, filed for themself, would change in their
/// record: none on someone else's behalf, an anonymous draft or a complement.
async fn record_updates(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    key: &str,
    definition: &Definition,
    clean: &crate::demarches::model::CleanAnswers,
) -> AppResult<Vec<beneficiary::Update>> {
    let Some(account) = user_uuid(viewer) else {
        return Ok(Vec::new());
    };
    let draft = load_draft(tx, viewer, key).await?;
    let own = draft.user_id == Some(account) && draft.channel == "portal";
    if !own || !draft.for_self || draft.complement_of.is_some() {
        return Ok(Vec::new());
    }
    let Some(person) = crate::people::service::person_of_account(tx, account).await? else {
        return Ok(Vec::new());
    };
    let Some(record) = crate::people::service::load(tx, person).await? else {
        return Ok(Vec::new());
    };
    Ok(beneficiary::updates(definition, clean, &record))
}

/// Writes into the citizen's record the changes of their draft they ticked on the summary
/// (`accepted`: `address`, `phone`, `email`), as they answered them — never anything else.
/// Returns how many were written.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn accept_record_updates(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    key: &str,
    accepted: &[&str],
) -> AppResult<usize> {
    let account = user_uuid(viewer).ok_or(AppError::Unauthenticated)?;
    let draft = load_draft(tx, viewer, key).await?;
    let document = version_document(tx, draft.demarche_id, draft.version).await?;
    let mut answers = draft.answers()?;
    locks_of(&draft, viewer, &document.definition).enforce(&mut answers);
    let clean = validate_answers(&document.definition, &answers)
        .map_err(|_| AppError::invalid("fiche", s::RECORD_UPDATE_INCOMPLETE))?;
    let chosen: Vec<beneficiary::Update> =
        record_updates(tx, viewer, key, &document.definition, &clean)
            .await?
            .into_iter()
            .filter(|u| accepted.contains(&beneficiary::attribute_code(u.attribute)))
            .collect();
    if chosen.is_empty() {
        return Err(AppError::invalid("fiche", s::RECORD_UPDATE_NOTHING));
    }
    beneficiary::apply_updates(
        tx,
        account,
        &chosen,
        &s::record_update_source(&document.demarche.title),
    )
    .await
}

async fn next_reference(tx: &TenantTx, year: i32) -> AppResult<String> {
    #[derive(FromQueryResult)]
    struct Last {
        last: i32,
    }
    let last: Option<Last> = tx
        .fetch_optional(
            "INSERT INTO dossier_counters (year, last) VALUES ($1, 1)
             ON CONFLICT (year) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last",
            vec![year.into()],
        )
        .await?;
    let last = last.ok_or(AppError::Internal)?.last;
    Ok(format!("{year}-{last:06}"))
}

fn first_email(
    answers: &crate::demarches::model::CleanAnswers,
    definition: &Definition,
) -> Option<String> {
    definition
        .steps
        .iter()
        .flat_map(|step| &step.fields)
        .filter(|f| matches!(f.kind, FieldKind::Email {}))
        .find_map(|f| match answers.0.get(&f.code) {
            Some(AnswerValue::Text(email)) => Some(email.clone()),
            _ => None,
        })
}

/// Where a submitted draft leads: result of [`submit`].
pub enum Submission {
    /// The dossier's page.
    Filed(String),
    /// Back to the step holding the first problem.
    Problems(String),
}

/// Validates the whole draft against its version and files it: a dossier with the next
/// reference, its attachments, its first event and the acknowledgement mail, all in the
/// caller's transaction. Submitting twice leads to the same dossier.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn submit(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    key: &str,
) -> AppResult<Submission> {
    let draft = load_draft(tx, viewer, key).await?;
    if let Some(dossier) = draft.dossier_id {
        return Ok(Submission::Filed(dossier_url(tx, dossier).await?));
    }
    let current = current_published(tx, &draft.demarche_id.to_string()).await?;
    if let Some(error) = current
        .as_ref()
        .and_then(|current| unavailable(&availability(current)))
    {
        return Err(error);
    }
    // Usually the draft is on the current version: its document is already loaded.
    let document = match current {
        Some(current) if current.version == draft.version => current.document,
        _ => version_document(tx, draft.demarche_id, draft.version).await?,
    };
    let mut answers = draft.answers()?;
    reconcile_files(tx, draft.id, &mut answers).await?;
    locks_of(&draft, viewer, &document.definition).enforce(&mut answers);
    let clean = match validate_answers(&document.definition, &answers) {
        Ok(clean) => clean,
        Err(problems) => {
            let step = first_step_with_problem(&document.definition, &problems);
            tx.execute(
                "UPDATE dossier_drafts SET problems = $2::jsonb, step = $3, updated_at = now() WHERE id = $1",
                vec![
                    draft.id.into(),
                    serde_json::to_string(&problems).map_err(internal)?.into(),
                    (step as i32).into(),
                ],
            )
            .await?;
            return Ok(Submission::Problems(draft_url(key, Some(step))));
        }
    };
    if let Some(dossier) = draft.complement_of {
        return complete(tx, viewer, &draft, dossier, &clean).await;
    }
    // The age rule counts on the day of submission too (a draft started in May, sent in
    // September): the beneficiary is checked again.
    if let (Some(account), Some(kind)) = (draft.user_id, draft.beneficiary_kind.as_deref())
        && draft.channel == "portal"
        && document.demarche.beneficiary.age.is_some()
    {
        let choice = match (
            kind,
            draft.beneficiary_person_id,
            draft.beneficiary_organisation_id,
        ) {
            ("soi", _, _) => Some(crate::demarches::beneficiary::CHOICE_SELF.to_owned()),
            (_, Some(person), _) => Some(format!("personne:{person}")),
            (_, _, Some(organisation)) => Some(format!("organisation:{organisation}")),
            _ => None,
        };
        let today = today_iso().ok_or(AppError::Internal)?;
        beneficiary::resolve(
            tx,
            account,
            &document.demarche.beneficiary,
            choice.as_deref(),
            today,
        )
        .await?;
    }
    let now = OffsetDateTime::now_utc();
    let reference = next_reference(tx, now.year()).await?;
    let instruction = instruction_of(tx, draft.demarche_id).await?;
    let context = draft.context_code.as_deref();
    let context_name = match context {
        Some(code) => crate::contexts::service::name_of(tx, code).await?,
        None => None,
    };
    let service = routed_service(tx, instruction.routing.route_in(&clean, context)).await?;
    let copies = copy_services(tx, &instruction.routing.copies).await?;
    let initial = instruction.workflow.initial.clone();
    let deadlines = &instruction.deadlines;
    let days = |d: Option<u32>| d.and_then(|d| i32::try_from(d).ok());
    let dossier_id = Uuid::new_v4();
    let on_behalf = draft.channel != "portal";
    // Filed by an agent: the dossier belongs to the citizen with that address, if any.
    let owner = if on_behalf {
        citizen_with_email(tx, draft.for_email.as_deref()).await?
    } else {
        draft.user_id
    };
    let tracking_key = owner.is_none().then(|| new_token().0);
    let contact = match viewer {
        _ if on_behalf => draft
            .for_email
            .clone()
            .or_else(|| first_email(&clean, &document.definition)),
        Some(user) if draft.user_id.is_some() => Some(user.email.clone()),
        _ => first_email(&clean, &document.definition),
    };
    let citizen_name = match viewer {
        _ if on_behalf => typed_name(&clean)
            .or_else(|| contact.clone())
            .unwrap_or_else(|| s::ANONYMOUS_CITIZEN.to_owned()),
        Some(user) if draft.user_id.is_some() => user.display_name.clone(),
        _ => typed_name(&clean)
            .or_else(|| contact.clone())
            .unwrap_or_else(|| s::ANONYMOUS_CITIZEN.to_owned()),
    };
    tx.execute(
        "INSERT INTO dossiers (id, reference, demarche_id, version, user_id, tracking_key, contact_email, answers, status,
             service_id, copy_services, citizen_name, due_on, alert_on, silence_on, silence_kind, channel,
             context_code, context_name, beneficiary_person_id, beneficiary_organisation_id,
             beneficiary_kind, beneficiary_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11::uuid[], $12,
             current_date + $13::int, current_date + $13::int - $14::int, current_date + $15::int, $16, $17,
             $18, $19, $20, $21, $22, $23)",
        vec![
            dossier_id.into(),
            reference.clone().into(),
            draft.demarche_id.into(),
            draft.version.into(),
            owner.into(),
            tracking_key.clone().into(),
            contact.clone().into(),
            serde_json::to_string(&clean).map_err(internal)?.into(),
            initial.clone().into(),
            service.into(),
            copies.into(),
            citizen_name.into(),
            days(deadlines.max_days).into(),
            days(deadlines.alert_days).into(),
            days(deadlines.silence_days).into(),
            deadlines.silence.code().into(),
            draft.channel.clone().into(),
            draft.context_code.clone().into(),
            context_name.into(),
            draft.beneficiary_person_id.into(),
            draft.beneficiary_organisation_id.into(),
            draft.beneficiary_kind.clone().into(),
            draft.beneficiary_name.clone().into(),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, status, by_user) VALUES ($1, 'submitted', $2, $3)",
        vec![dossier_id.into(), initial.into(), draft.user_id.into()],
    )
    .await?;
    attach_to(tx, &draft, dossier_id, &clean).await?;
    announce(tx, dossier_id).await?;
    let url = follow_path(&reference, tracking_key.as_deref());
    if let Some(to) = contact {
        let link = format!("{}{url}", settings.tenant_origin(tx.tenant()));
        enqueue(
            tx,
            OutgoingMail::new(
                to,
                s::ack_subject(&reference),
                s::ack_body(
                    &tx.tenant().name,
                    &document.demarche.title,
                    &reference,
                    &french_date(now),
                    &link,
                ),
            )
            .for_dossier(dossier_id),
        )
        .await?;
    }
    tracing::info!(%reference, channel = %draft.channel, "dossier submitted");
    if on_behalf {
        return Ok(Submission::Filed(format!(
            "/back-office/dossiers/{reference}"
        )));
    }
    Ok(Submission::Filed(url))
}

/// The citizen account with this address, if there is one.
async fn citizen_with_email(tx: &TenantTx, email: Option<&str>) -> AppResult<Option<Uuid>> {
    let Some(email) = email else {
        return Ok(None);
    };
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM users WHERE email = $1 AND kind = 'citizen'",
            vec![email.into()],
        )
        .await?;
    Ok(found.map(|f| f.id))
}

/// The name an anonymous citizen typed, if the form asks for one (a text field whose code starts
/// with `nom`: `nom`, `nom_prenom`…), so agents see a name rather than an address.
fn typed_name(clean: &crate::demarches::model::CleanAnswers) -> Option<String> {
    clean.0.iter().find_map(|(code, value)| match value {
        AnswerValue::Text(text) if code.starts_with("nom") && !text.trim().is_empty() => {
            Some(text.trim().to_owned())
        }
        _ => None,
    })
}

/// Moves the draft's kept attachments to the dossier and marks the draft as filed.
async fn attach_to(
    tx: &TenantTx,
    draft: &DraftRow,
    dossier_id: Uuid,
    clean: &crate::demarches::model::CleanAnswers,
) -> AppResult<()> {
    let kept: Vec<Uuid> = kept_files(clean)
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    for id in &kept {
        tx.execute(
            "UPDATE attachments SET dossier_id = $1 WHERE id = $2 AND draft_id = $3",
            vec![dossier_id.into(), (*id).into(), draft.id.into()],
        )
        .await?;
    }
    tx.execute(
        "UPDATE dossier_drafts SET dossier_id = $2, problems = '[]'::jsonb, updated_at = now() WHERE id = $1",
        vec![draft.id.into(), dossier_id.into()],
    )
    .await?;
    Ok(())
}

/// The routed service if it still exists, else the commune's first service.
async fn routed_service(tx: &TenantTx, routed: Option<String>) -> AppResult<Uuid> {
    let Some(id) = routed.and_then(|id| Uuid::parse_str(&id).ok()) else {
        return Ok(FIRST_SERVICE);
    };
    let exists = crate::org::service::service_name(tx, id).await?.is_some();
    Ok(if exists { id } else { FIRST_SERVICE })
}

/// The copy services that still exist, as a PostgreSQL array literal.
async fn copy_services(tx: &TenantTx, copies: &[String]) -> AppResult<String> {
    let ids: Vec<Uuid> = copies
        .iter()
        .filter_map(|c| Uuid::parse_str(c).ok())
        .collect();
    if ids.is_empty() {
        return Ok("{}".into());
    }
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Vec<Found> = tx
        .fetch_all(
            "SELECT id FROM services WHERE id = ANY ($1::uuid[])",
            vec![uuid_array(&ids).into()],
        )
        .await?;
    Ok(uuid_array(
        &found.into_iter().map(|f| f.id).collect::<Vec<_>>(),
    ))
}

/// Reads PostgreSQL's text form of a `uuid[]` (`{a,b}`).
pub fn parse_uuid_array(text: &str) -> Vec<Uuid> {
    text.trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter_map(|id| Uuid::parse_str(id.trim()).ok())
        .collect()
}

/// `{a,b}`: a uuid list bound as text and cast to `uuid[]` in SQL.
pub fn uuid_array(ids: &[Uuid]) -> String {
    let joined: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    format!("{{{}}}", joined.join(","))
}

/// The citizen sends back a dossier they were asked to complete: its answers are replaced,
/// it returns to the status the workflow named, and the agents see it in the history.
async fn complete(
    tx: &TenantTx,
    viewer: Option<&UserView>,
    draft: &DraftRow,
    dossier_id: Uuid,
    clean: &crate::demarches::model::CleanAnswers,
) -> AppResult<Submission> {
    #[derive(FromQueryResult)]
    struct Open {
        reference: String,
        tracking_key: Option<String>,
        complement_open: bool,
        complement_return: Option<String>,
    }
    let open: Option<Open> = tx
        .fetch_optional(
            "SELECT reference, tracking_key, complement_open, complement_return FROM dossiers WHERE id = $1 FOR UPDATE",
            vec![dossier_id.into()],
        )
        .await?;
    let open = open.ok_or(AppError::Internal)?;
    let url = follow_path(&open.reference, open.tracking_key.as_deref());
    if !open.complement_open {
        return Err(AppError::Conflict {
            field: "dossier".into(),
            message: s::COMPLEMENT_CLOSED.to_owned(),
        });
    }
    let back_to = open.complement_return.unwrap_or_default();
    tx.execute(
        "UPDATE dossiers SET answers = $2::jsonb, revision = revision + 1, complement_open = false,
             complement_return = NULL, status = COALESCE(NULLIF($3, ''), status),
             status_changed_at = now(), updated_at = now()
         WHERE id = $1",
        vec![
            dossier_id.into(),
            serde_json::to_string(clean).map_err(internal)?.into(),
            back_to.clone().into(),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, status, by_user) VALUES ($1, 'complement_answered', NULLIF($2, ''), $3)",
        vec![dossier_id.into(), back_to.into(), user_uuid(viewer).into()],
    )
    .await?;
    attach_to(tx, draft, dossier_id, clean).await?;
    announce(tx, dossier_id).await?;
    Ok(Submission::Filed(url))
}

fn kept_files(clean: &crate::demarches::model::CleanAnswers) -> Vec<String> {
    let mut ids = Vec::new();
    for value in clean.0.values() {
        match value {
            AnswerValue::Files(files) => ids.extend(files.iter().map(|f| f.id.clone())),
            AnswerValue::Group(items) => {
                for item in items {
                    ids.extend(kept_files(item));
                }
            }
            _ => {}
        }
    }
    ids
}

/// Deletes a draft the citizen gave up, with its attachments. Returns the files to remove
/// from the store once the transaction has committed.
pub async fn discard(tx: &TenantTx, viewer: Option<&UserView>, key: &str) -> AppResult<Vec<Uuid>> {
    let draft = load_draft(tx, viewer, key).await?;
    if draft.dossier_id.is_some() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct Id {
        id: Uuid,
    }
    let files: Vec<Id> = tx
        .fetch_all(
            "DELETE FROM attachments WHERE draft_id = $1 AND dossier_id IS NULL RETURNING id",
            vec![draft.id.into()],
        )
        .await?;
    tx.execute(
        "DELETE FROM dossier_drafts WHERE id = $1",
        vec![draft.id.into()],
    )
    .await?;
    Ok(files.into_iter().map(|f| f.id).collect())
}

pub async fn my_drafts(tx: &TenantTx, user: &UserView) -> AppResult<Vec<DraftSummary>> {
    let rows: Vec<DraftSummaryRow> = tx
        .fetch_all(
            &format!("{DRAFT_SUMMARY_SELECT} ORDER BY dr.updated_at DESC"),
            vec![user_uuid(Some(user)).into()],
        )
        .await?;
    Ok(rows.into_iter().map(DraftSummaryRow::summary).collect())
}

#[derive(FromQueryResult)]
struct DossierRow {
    id: Uuid,
    reference: String,
    demarche_id: Uuid,
    version: i32,
    tracking_key: Option<String>,
    answers: String,
    status: String,
    submitted_at: OffsetDateTime,
    user_id: Option<Uuid>,
    complement_open: bool,
    complement_message: Option<String>,
}

const DOSSIER_COLUMNS: &str = "id, reference, demarche_id, version, tracking_key, answers::text AS answers, status, submitted_at, user_id, complement_open, complement_message";

/// Where a citizen follows a dossier: their own page, or the secret tracking link.
fn follow_path(reference: &str, tracking_key: Option<&str>) -> String {
    match tracking_key {
        Some(key) => format!("/suivi/{key}"),
        None => format!("/mes-demandes/{reference}"),
    }
}

async fn dossier_url(tx: &TenantTx, id: Uuid) -> AppResult<String> {
    let row: Option<DossierRow> = tx
        .fetch_optional(
            &format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = $1"),
            vec![id.into()],
        )
        .await?;
    let row = row.ok_or(AppError::Internal)?;
    Ok(follow_path(&row.reference, row.tracking_key.as_deref()))
}

pub async fn my_dossiers(tx: &TenantTx, user: &UserView) -> AppResult<Vec<DossierSummary>> {
    #[derive(FromQueryResult)]
    struct Row {
        reference: String,
        demarche_id: Uuid,
        title: String,
        status: String,
        submitted_at: OffsetDateTime,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT d.reference, d.demarche_id, v.document->'demarche'->>'title' AS title, d.status, d.submitted_at
             FROM dossiers d
             JOIN demarche_versions v ON v.demarche_id = d.demarche_id AND v.version = d.version
             WHERE d.user_id = $1 ORDER BY d.submitted_at DESC, d.reference DESC",
            vec![user_uuid(Some(user)).into()],
        )
        .await?;
    let mut workflows: BTreeMap<Uuid, crate::workflow::model::Workflow> = BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let std::collections::btree_map::Entry::Vacant(entry) = workflows.entry(row.demarche_id)
        {
            entry.insert(instruction_of(tx, row.demarche_id).await?.workflow);
        }
        let label = workflows
            .get(&row.demarche_id)
            .map(|w| w.label(&row.status))
            .unwrap_or_else(|| row.status.clone());
        out.push(DossierSummary {
            status_label: label,
            status: row.status,
            reference: row.reference,
            title: row.title,
            submitted_on: french_date(row.submitted_at),
        });
    }
    Ok(out)
}

/// Which dossier a citizen asks for: their own by reference, or an anonymous one by its key.
pub enum DossierAccess<'a> {
    Owner(&'a UserView, &'a str),
    Tracking(&'a str),
}

impl DossierAccess<'_> {
    /// The dossier page's own address.
    pub fn page_path(&self) -> String {
        match self {
            Self::Owner(_, reference) => format!("/mes-demandes/{reference}"),
            Self::Tracking(key) => format!("/suivi/{key}"),
        }
    }
}

async fn find_dossier(tx: &TenantTx, access: &DossierAccess<'_>) -> AppResult<DossierRow> {
    let row: Option<DossierRow> = match access {
        DossierAccess::Owner(user, reference) => {
            tx.fetch_optional(
                &format!(
                    "SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE reference = $1 AND user_id = $2"
                ),
                vec![(*reference).into(), user_uuid(Some(user)).into()],
            )
            .await?
        }
        DossierAccess::Tracking(key) => {
            tx.fetch_optional(
                &format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE tracking_key = $1"),
                vec![(*key).into()],
            )
            .await?
        }
    };
    row.ok_or_else(|| AppError::NotFound(s::DOSSIER_UNKNOWN.to_owned()))
}

/// The dossier the citizen may open, its id and whether its status is final (the documents
/// the portal offers depend on it).
pub async fn citizen_dossier(tx: &TenantTx, access: &DossierAccess<'_>) -> AppResult<(Uuid, bool)> {
    let row = find_dossier(tx, access).await?;
    let workflow = instruction_of(tx, row.demarche_id).await?.workflow;
    Ok((row.id, workflow.is_terminal(&row.status)))
}

/// What the citizen reads of a history event.
pub fn event_label(
    workflow: &crate::workflow::model::Workflow,
    kind: &str,
    status: Option<&str>,
) -> String {
    match (kind, status) {
        ("submitted", _) => s::EVENT_SUBMITTED.to_owned(),
        ("complement_requested", _) => s::EVENT_COMPLEMENT_REQUESTED.to_owned(),
        ("complement_answered", _) => s::EVENT_COMPLEMENT_ANSWERED.to_owned(),
        ("piece_replaced", _) => s::EVENT_PIECE_REPLACED.to_owned(),
        (_, Some(status)) => s::event_status(&workflow.label(status)),
        (kind, None) => kind.to_owned(),
    }
}

pub async fn dossier_view(tx: &TenantTx, access: &DossierAccess<'_>) -> AppResult<DossierView> {
    let row = find_dossier(tx, access).await?;
    let document: DemarcheDocument = version_document(tx, row.demarche_id, row.version).await?;
    let workflow = instruction_of(tx, row.demarche_id).await?.workflow;
    let clean = serde_json::from_str(&row.answers).map_err(internal)?;
    #[derive(FromQueryResult)]
    struct Event {
        at: OffsetDateTime,
        kind: String,
        status: Option<String>,
    }
    // Citizens see what happened to their dossier, not the agents' internal moves.
    let events: Vec<Event> = tx
        .fetch_all(
            "SELECT at, kind, status FROM dossier_events WHERE dossier_id = $1
               AND kind IN ('submitted', 'status', 'complement_requested', 'complement_answered', 'piece_replaced')
             ORDER BY id",
            vec![row.id.into()],
        )
        .await?;
    let events = events
        .into_iter()
        .map(|e| DossierEvent {
            at: french_date_time(e.at),
            label: event_label(&workflow, &e.kind, e.status.as_deref()),
        })
        .collect();
    #[derive(FromQueryResult)]
    struct Message {
        from_citizen: bool,
        body: String,
        created_at: OffsetDateTime,
    }
    let messages: Vec<Message> = tx
        .fetch_all(
            "SELECT from_citizen, body, created_at FROM dossier_messages WHERE dossier_id = $1 ORDER BY created_at, id",
            vec![row.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Note {
        body: String,
        created_at: OffsetDateTime,
    }
    let notes: Vec<Note> = tx
        .fetch_all(
            "SELECT body, created_at FROM dossier_notes WHERE dossier_id = $1 AND visibility = 'citizen' ORDER BY created_at",
            vec![row.id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Refused {
        id: Uuid,
        name: String,
        field_path: String,
        refusal_reason: Option<String>,
    }
    let refused: Vec<Refused> = tx
        .fetch_all(
            "SELECT id, name, field_path, refusal_reason FROM attachments
             WHERE dossier_id = $1 AND review = 'refused' AND replaced_by IS NULL ORDER BY field_path, name",
            vec![row.id.into()],
        )
        .await?;
    let events_url = match access {
        DossierAccess::Owner(_, reference) => format!("/api/dossiers/{reference}/evenements"),
        DossierAccess::Tracking(key) => format!("/api/suivi/{key}/evenements"),
    };
    let page = access.page_path();
    let mut documents = vec![(
        s::DOCUMENT_ACKNOWLEDGEMENT.to_owned(),
        format!("{page}/documents/accuse-reception.pdf"),
    )];
    if workflow.is_terminal(&row.status) {
        documents.push((
            s::DOCUMENT_ATTESTATION.to_owned(),
            format!("{page}/documents/attestation.pdf"),
        ));
    }
    let letters = crate::responses::service::citizen_letters(tx, row.id, &page).await?;
    Ok(DossierView {
        documents,
        letters,
        status_label: workflow.label(&row.status),
        status: row.status,
        reference: row.reference,
        title: document.demarche.title.clone(),
        submitted_on: french_date(row.submitted_at),
        answers: answer_lines(&document.definition, &clean),
        events,
        events_url,
        complement: row
            .complement_open
            .then(|| row.complement_message.clone().unwrap_or_default()),
        complement_url: format!("{page}/complement"),
        messages: messages
            .into_iter()
            .map(|m| CitizenMessage {
                from_citizen: m.from_citizen,
                body: m.body,
                at: french_date_time(m.created_at),
            })
            .collect(),
        messages_url: format!("{page}/messages"),
        notes: notes
            .into_iter()
            .map(|n| (french_date_time(n.created_at), n.body))
            .collect(),
        refused_pieces: refused
            .into_iter()
            .map(|r| {
                let (field, accepted_types, max_size_bytes) =
                    file_field(&document.definition, &r.field_path)
                        .map(|(label, types, max)| (label.to_owned(), types.to_vec(), max))
                        .unwrap_or_else(|| (r.field_path.clone(), Vec::new(), 0));
                RefusedPiece {
                    replace_url: format!("{page}/pieces/{}", r.id),
                    id: r.id.to_string(),
                    name: r.name,
                    field,
                    reason: r.refusal_reason.unwrap_or_default(),
                    accepted_types,
                    max_size_bytes,
                }
            })
            .collect(),
    })
}

/// The dossier's id and current status, for its event stream.
pub async fn live_status(
    tx: &TenantTx,
    access: &DossierAccess<'_>,
) -> AppResult<(Uuid, LiveStatus)> {
    let row = find_dossier(tx, access).await?;
    let workflow = instruction_of(tx, row.demarche_id).await?.workflow;
    Ok((
        row.id,
        LiveStatus {
            label: workflow.label(&row.status),
            status: row.status,
        },
    ))
}

/// The citizen opens their dossier for the complement the agents asked for: a draft on the
/// dossier's own version, starting from its answers, filled with the ordinary step pages.
pub async fn start_complement(tx: &TenantTx, access: &DossierAccess<'_>) -> AppResult<String> {
    let row = find_dossier(tx, access).await?;
    if !row.complement_open {
        return Err(AppError::Conflict {
            field: "dossier".into(),
            message: s::COMPLEMENT_CLOSED.to_owned(),
        });
    }
    #[derive(FromQueryResult)]
    struct Existing {
        key: String,
    }
    let existing: Option<Existing> = tx
        .fetch_optional(
            "SELECT key FROM dossier_drafts WHERE complement_of = $1 AND dossier_id IS NULL",
            vec![row.id.into()],
        )
        .await?;
    if let Some(existing) = existing {
        return Ok(draft_url(&existing.key, Some(0)));
    }
    let clean: crate::demarches::model::CleanAnswers =
        serde_json::from_str(&row.answers).map_err(internal)?;
    let key = new_token().0;
    tx.execute(
        // The complement is for the dossier's beneficiary: the owner's certified identity locks
        // nothing on a dossier filed for someone else.
        "INSERT INTO dossier_drafts (id, key, demarche_id, version, user_id, answers, complement_of,
             beneficiary_person_id, beneficiary_organisation_id, beneficiary_kind, beneficiary_name)
         SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, d.beneficiary_person_id,
                d.beneficiary_organisation_id, d.beneficiary_kind, d.beneficiary_name
           FROM dossiers d WHERE d.id = $7",
        vec![
            Uuid::new_v4().into(),
            key.clone().into(),
            row.demarche_id.into(),
            row.version.into(),
            row.user_id.into(),
            serde_json::to_string(&clean.to_raw()).map_err(internal)?.into(),
            row.id.into(),
        ],
    )
    .await?;
    Ok(draft_url(&key, Some(0)))
}

/// The most characters a message may have.
pub const MAX_MESSAGE: usize = 5000;

/// Checks a message's text: not blank, not too long.
pub fn message_text(body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::invalid("body", s::MESSAGE_REQUIRED));
    }
    if body.chars().count() > MAX_MESSAGE {
        return Err(AppError::invalid("body", s::MESSAGE_TOO_LONG));
    }
    Ok(body.to_owned())
}

/// The citizen writes to the agents: the assignee (or, if nobody has the dossier yet, the
/// service's agents who process it) is told by mail.
pub async fn citizen_message(
    tx: &TenantTx,
    settings: &Settings,
    access: &DossierAccess<'_>,
    body: &str,
) -> AppResult<String> {
    let body = message_text(body)?;
    let row = find_dossier(tx, access).await?;
    let author = match access {
        DossierAccess::Owner(user, _) => user_uuid(Some(user)),
        DossierAccess::Tracking(_) => None,
    };
    tx.execute(
        "INSERT INTO dossier_messages (id, dossier_id, author_id, from_citizen, body) VALUES ($1, $2, $3, true, $4)",
        vec![Uuid::new_v4().into(), row.id.into(), author.into(), body.clone().into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, by_user) VALUES ($1, 'citizen_message', $2)",
        vec![row.id.into(), author.into()],
    )
    .await?;
    tell_the_service(
        tx,
        settings,
        &row,
        s::message_subject(&row.reference),
        |link| s::message_body(&row.reference, &body, link),
    )
    .await?;
    announce(tx, row.id).await?;
    Ok(access.page_path())
}

/// What became of a replacement file.
pub enum Replacement {
    /// Stored (this file id, to remove if the transaction does not commit).
    Stored(Uuid),
    /// Refused before anything was stored; the page says why beside the piece.
    Refused(UploadRefusal),
}

/// The citizen replaces a piece the agents refused: the file passes the checks of the original
/// upload (its field's types, sniffed, and size), is stored in the tenant's file store, and
/// becomes the dossier's piece in its answers, "à vérifier" again; the refused one stays,
/// marked as replaced. The history records it and the service is told as for a message: the
/// assignee, or the service's agents who process it.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn replace_piece(
    tx: &TenantTx,
    settings: &Settings,
    access: &DossierAccess<'_>,
    piece: &str,
    upload: Option<Upload>,
) -> AppResult<Replacement> {
    let found = find_dossier(tx, access).await?;
    // Answers change under the agents' edits: the dossier row is locked like theirs.
    let row: Option<DossierRow> = tx
        .fetch_optional(
            &format!("SELECT {DOSSIER_COLUMNS} FROM dossiers WHERE id = $1 FOR UPDATE"),
            vec![found.id.into()],
        )
        .await?;
    let row = row.ok_or_else(|| AppError::NotFound(s::DOSSIER_UNKNOWN.to_owned()))?;
    let unknown = || AppError::NotFound(s::PIECE_UNKNOWN.to_owned());
    let piece = Uuid::parse_str(piece.trim()).map_err(|_| unknown())?;
    #[derive(FromQueryResult)]
    struct Piece {
        field_path: String,
        name: String,
        review: String,
        replaced: bool,
    }
    let old: Option<Piece> = tx
        .fetch_optional(
            "SELECT field_path, name, review, replaced_by IS NOT NULL AS replaced FROM attachments
             WHERE id = $1 AND dossier_id = $2 FOR UPDATE",
            vec![piece.into(), row.id.into()],
        )
        .await?;
    let old = old.ok_or_else(unknown)?;
    if old.review != "refused" || old.replaced {
        return Err(AppError::conflict("piece", s::PIECE_NOT_REFUSED));
    }
    let document = version_document(tx, row.demarche_id, row.version).await?;
    let Some((_, accepted_types, max_size_bytes)) =
        file_field(&document.definition, &old.field_path)
    else {
        return Err(AppError::conflict("piece", s::FIELD_NOT_FILES));
    };
    let Some(upload) = upload else {
        return Ok(Replacement::Refused(UploadRefusal::Missing));
    };
    if let Err(refusal) = vet_file(&upload.bytes, accepted_types, max_size_bytes) {
        return Ok(Replacement::Refused(refusal));
    }
    let name = clean_file_name(&upload.name);
    let id = Uuid::new_v4();
    let files = TenantFiles::of(tx, settings);
    let receipt = files.put(id, &upload.bytes).await?;
    // Written before its row: if recording it fails, the object goes too.
    let recorded = async {
        let new = FileRef {
            id: id.to_string(),
            name: name.clone(),
            size: upload.bytes.len() as u64,
            content_type: receipt.content_type.clone(),
        };
        tx.execute(
            "INSERT INTO attachments (id, dossier_id, field_path, name, content_type, size, sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                id.into(),
                row.id.into(),
                old.field_path.clone().into(),
                name.clone().into(),
                receipt.content_type.into(),
                (upload.bytes.len() as i64).into(),
                receipt.sha256.into(),
            ],
        )
        .await?;
        tx.execute(
            "UPDATE attachments SET replaced_by = $2 WHERE id = $1",
            vec![piece.into(), id.into()],
        )
        .await?;
        let mut answers: serde_json::Value = serde_json::from_str(&row.answers).map_err(internal)?;
        if !swap_file(&mut answers, &piece.to_string(), &new) {
            tracing::warn!(%piece, "a replaced piece was not in its dossier's answers");
        }
        tx.execute(
            "UPDATE dossiers SET answers = $2::jsonb, revision = revision + 1, updated_at = now() WHERE id = $1",
            vec![
                row.id.into(),
                serde_json::to_string(&answers).map_err(internal)?.into(),
            ],
        )
        .await?;
        let author = match access {
            DossierAccess::Owner(user, _) => user_uuid(Some(user)),
            DossierAccess::Tracking(_) => None,
        };
        tx.execute(
            "INSERT INTO dossier_events (dossier_id, kind, by_user, detail) VALUES ($1, 'piece_replaced', $2, $3)",
            vec![
                row.id.into(),
                author.into(),
                s::piece_replaced_detail(&old.name, &name).into(),
            ],
        )
        .await?;
        tell_the_service(
            tx,
            settings,
            &row,
            s::piece_replaced_subject(&row.reference),
            |link| s::piece_replaced_body(&row.reference, &old.name, &name, link),
        )
        .await?;
        announce(tx, row.id).await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(error) = recorded {
        files.delete(id).await;
        return Err(error);
    }
    Ok(Replacement::Stored(id))
}

/// Mails what the citizen did on a dossier to those who hear of it, with the link to its
/// back-office page (given to `body`).
async fn tell_the_service(
    tx: &TenantTx,
    settings: &Settings,
    row: &DossierRow,
    subject: String,
    body: impl Fn(&str) -> String,
) -> AppResult<()> {
    let link = format!(
        "{}/back-office/dossiers/{}",
        settings.tenant_origin(tx.tenant()),
        row.reference
    );
    let text = body(&link);
    for email in service_recipients(tx, row.id).await? {
        enqueue(
            tx,
            OutgoingMail::new(email, subject.clone(), text.clone()).for_dossier(row.id),
        )
        .await?;
    }
    Ok(())
}

/// Who hears of what the citizen does on a dossier: its assignee, or, while nobody has it, the
/// agents of its service who may process it.
async fn service_recipients(tx: &TenantTx, dossier_id: Uuid) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Recipient {
        email: String,
    }
    let recipients: Vec<Recipient> = tx
        .fetch_all(
            "SELECT u.email FROM dossiers d JOIN users u ON u.id = d.assignee_id WHERE d.id = $1
             UNION
             SELECT u.email FROM dossiers d
               JOIN service_members m ON m.service_id = d.service_id AND m.access IN ('modification', 'gestion')
               JOIN users u ON u.id = m.user_id
             WHERE d.id = $1 AND d.assignee_id IS NULL",
            vec![dossier_id.into()],
        )
        .await?;
    Ok(recipients.into_iter().map(|r| r.email).collect())
}

/// Mails the citizen of a dossier, if there is an address to write to.
pub async fn mail_citizen(
    tx: &TenantTx,
    dossier_id: Uuid,
    contact: Option<&str>,
    subject: String,
    body: String,
) -> AppResult<()> {
    if let Some(to) = contact {
        enqueue(
            tx,
            OutgoingMail::new(to, subject, body).for_dossier(dossier_id),
        )
        .await?;
    }
    Ok(())
}

/// The citizen's page of a dossier, as a link for mails.
pub fn citizen_link(
    settings: &Settings,
    tx: &TenantTx,
    reference: &str,
    tracking_key: Option<&str>,
) -> String {
    format!(
        "{}{}",
        settings.tenant_origin(tx.tenant()),
        follow_path(reference, tracking_key)
    )
}

/// An attachment, streamed from the file store, for its citizen (through their draft or
/// dossier) or an agent.
pub async fn download(
    tx: &TenantTx,
    settings: &Settings,
    viewer: Option<&UserView>,
    draft_key: Option<&str>,
    id: &str,
) -> AppResult<(String, String, crate::infra::storage::Download)> {
    #[derive(FromQueryResult)]
    struct Attachment {
        id: Uuid,
        name: String,
        content_type: String,
        draft_key: Option<String>,
        draft_user: Option<Uuid>,
        dossier_user: Option<Uuid>,
        service_id: Option<Uuid>,
        copy_services: Option<String>,
    }
    let unknown = || AppError::NotFound(s::FILE_UNKNOWN.to_owned());
    let id = Uuid::parse_str(id).map_err(|_| unknown())?;
    let row: Option<Attachment> = tx
        .fetch_optional(
            "SELECT a.id, a.name, a.content_type, dr.key AS draft_key, dr.user_id AS draft_user, d.user_id AS dossier_user,
                    d.service_id, d.copy_services::text AS copy_services
             FROM attachments a
             LEFT JOIN dossier_drafts dr ON dr.id = a.draft_id
             LEFT JOIN dossiers d ON d.id = a.dossier_id
             WHERE a.id = $1",
            vec![id.into()],
        )
        .await?;
    let row = row.ok_or_else(unknown)?;
    let me = user_uuid(viewer);
    // Agents read the pieces of the dossiers their services can see.
    let is_agent = match (viewer, row.service_id) {
        (Some(agent), Some(service)) if agent.has_role(Role::Agent) => {
            let copies = parse_uuid_array(row.copy_services.as_deref().unwrap_or("{}"));
            crate::org::service::rights_of(tx, agent)
                .await?
                .dossier_access(service, &copies)
                .is_some()
        }
        _ => false,
    };
    let allowed = is_agent
        || (me.is_some() && (row.dossier_user == me || row.draft_user == me))
        || (row.draft_user.is_none()
            && row.draft_key.is_some()
            && row.draft_key.as_deref() == draft_key);
    if !allowed {
        return Err(unknown());
    }
    let file = TenantFiles::of(tx, settings).open(row.id).await?;
    Ok((row.name, row.content_type, file))
}
