//! Responses in the tenant's schema: drafting from a template, the visa/signature circuit
//! (rules in [`super::model::act`]), signing (render, hash, freeze), dispatch, and what the
//! citizen downloads.
//!
//! An agent reaches a response through its dossier (their rights on its service) or through a
//! step of its circuit given to them, their service, or a colleague they replace today;
//! anything else is "unknown", as another tenant's ids are.

use sea_orm::FromQueryResult;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    Channels, Circuit, CircuitError, CircuitModelView, CircuitsPage, CitizenLetter, InboxItem,
    MAX_COMMENT, Move, Outcome, Parapheur, ResponseStatus, ResponseView, ResponsesPanel, StepKind,
    StepView, Target, act, assignee_code, validate_steps,
};
use super::strings as s;
use crate::account::model::Role;
use crate::backoffice::service::{Agent, dossier_ref};
use crate::dossiers::service::{DossierAccess, citizen_link, parse_uuid_array, uuid_array};
use crate::error::{AppError, AppResult};
use crate::infra::dates::{french_date, french_date_time};
use crate::infra::live::announce;
use crate::infra::mail::{OutgoingMail, enqueue};
use crate::infra::{AppState, Queries, TenantTx};
use crate::letters;
use crate::org::model::Access;

/// The longest free text of a letter.
pub const MAX_TEXT: usize = 20_000;

fn unknown() -> AppError {
    AppError::NotFound(s::RESPONSE_UNKNOWN.to_owned())
}

fn refused(error: CircuitError, field: &str) -> AppError {
    if error.is_validation() {
        AppError::invalid(field, error.message())
    } else {
        AppError::conflict("response", error.message())
    }
}

fn parse_id(id: &str) -> AppResult<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| unknown())
}

/// Who a step is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Assignee {
    User(Uuid),
    Service(Uuid),
}

impl Assignee {
    fn parse(code: &str) -> Option<Self> {
        let (kind, id) = code.trim().split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "u" => Some(Self::User(id)),
            "s" => Some(Self::Service(id)),
            _ => None,
        }
    }

    fn user(self) -> Option<Uuid> {
        match self {
            Self::User(id) => Some(id),
            Self::Service(_) => None,
        }
    }

    fn service(self) -> Option<Uuid> {
        match self {
            Self::Service(id) => Some(id),
            Self::User(_) => None,
        }
    }
}

/// Steps typed in a form: rows of (kind, assignee); blank rows are skipped.
async fn parse_steps(
    tx: &TenantTx,
    kinds: &[String],
    assignees: &[String],
) -> AppResult<Vec<(StepKind, Assignee)>> {
    let options: Vec<String> = assignee_options(tx)
        .await?
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let mut steps = Vec::new();
    for i in 0..kinds.len().max(assignees.len()) {
        let kind = kinds.get(i).map(|k| k.trim()).unwrap_or_default();
        let who = assignees.get(i).map(|a| a.trim()).unwrap_or_default();
        if who.is_empty() {
            continue;
        }
        let kind = StepKind::parse(kind)
            .ok_or_else(|| AppError::invalid(&format!("step_kinds[{i}]"), s::STEP_KIND_UNKNOWN))?;
        let assignee = Assignee::parse(who)
            .filter(|_| options.iter().any(|o| o == who))
            .ok_or_else(|| {
                AppError::invalid(&format!("step_assignees[{i}]"), s::ASSIGNEE_UNKNOWN)
            })?;
        steps.push((kind, assignee));
    }
    let kinds: Vec<StepKind> = steps.iter().map(|(k, _)| *k).collect();
    validate_steps(&kinds).map_err(|e| refused(e, "steps"))?;
    Ok(steps)
}

/// Agents and services a step may be given to, for pickers (`u:…`, `s:…`).
pub async fn assignee_options(tx: &TenantTx) -> AppResult<Vec<(String, String)>> {
    let mut options: Vec<(String, String)> = crate::org::service::agents(tx)
        .await?
        .into_iter()
        .map(|a| (assignee_code(Some(&a.id), None), a.display_name))
        .collect();
    options.extend(
        crate::org::service::services(tx)
            .await?
            .into_iter()
            .map(|sv| {
                (
                    assignee_code(None, Some(&sv.id)),
                    format!("Service : {}", sv.path),
                )
            }),
    );
    Ok(options)
}

/// Records a step of a response in its dossier's history, and tells the watchers.
async fn record(
    tx: &TenantTx,
    agent: &Agent,
    dossier_id: Uuid,
    kind: &str,
    on_behalf_of: Option<Uuid>,
    detail: Option<String>,
) -> AppResult<()> {
    tx.execute(
        "INSERT INTO dossier_events (dossier_id, kind, by_user, on_behalf_of, detail)
         VALUES ($1, $2, $3, $4, $5)",
        vec![
            dossier_id.into(),
            kind.into(),
            agent.id.into(),
            on_behalf_of.into(),
            detail.into(),
        ],
    )
    .await?;
    tx.execute(
        "UPDATE dossiers SET updated_at = now() WHERE id = $1",
        vec![dossier_id.into()],
    )
    .await?;
    announce(tx, dossier_id).await
}

#[derive(FromQueryResult)]
struct ResponseRow {
    id: Uuid,
    dossier_id: Uuid,
    template_id: Uuid,
    template_name: String,
    free_text: String,
    status: String,
    current_step: Option<i32>,
    returned_comment: Option<String>,
    by_email: bool,
    by_portal: bool,
    by_postal: bool,
    author: Option<String>,
    signed_at: Option<OffsetDateTime>,
    signer: Option<String>,
    behalf: Option<String>,
    pdf_sha256: Option<String>,
    reference: String,
    service_id: Uuid,
    copy_services: String,
    tracking_key: Option<String>,
    citizen_email: Option<String>,
}

impl ResponseRow {
    fn status(&self) -> ResponseStatus {
        ResponseStatus::parse(&self.status).unwrap_or(ResponseStatus::Draft)
    }

    fn channels(&self) -> Channels {
        Channels {
            email: self.by_email,
            portal: self.by_portal,
            postal: self.by_postal,
        }
    }
}

const RESPONSE_SELECT: &str = "SELECT r.id, r.dossier_id, r.template_id, r.template_name, r.free_text, r.status,
        r.current_step, r.returned_comment, r.by_email, r.by_portal, r.by_postal,
        a.display_name AS author, r.signed_at, sb.display_name AS signer, ob.display_name AS behalf,
        r.pdf_sha256, d.reference, d.service_id, d.copy_services::text AS copy_services, d.tracking_key,
        COALESCE(d.contact_email, u.email) AS citizen_email
     FROM dossier_responses r
     JOIN dossiers d ON d.id = r.dossier_id
     LEFT JOIN users u ON u.id = d.user_id
     LEFT JOIN users a ON a.id = r.created_by
     LEFT JOIN users sb ON sb.id = r.signed_by
     LEFT JOIN users ob ON ob.id = r.on_behalf_of";

#[derive(FromQueryResult)]
struct StepRow {
    position: i32,
    kind: String,
    user_id: Option<Uuid>,
    service_id: Option<Uuid>,
    state: String,
    assignee: Option<String>,
    acted_by: Option<String>,
    acted_for: Option<String>,
    acted_at: Option<OffsetDateTime>,
    comment: Option<String>,
}

impl StepRow {
    fn kind(&self) -> StepKind {
        StepKind::parse(&self.kind).unwrap_or(StepKind::Visa)
    }

    fn assignee(&self) -> Option<Assignee> {
        match (self.user_id, self.service_id) {
            (Some(user), _) => Some(Assignee::User(user)),
            (None, Some(service)) => Some(Assignee::Service(service)),
            (None, None) => None,
        }
    }
}

async fn steps_of(tx: &TenantTx, response: Uuid) -> AppResult<Vec<StepRow>> {
    tx.fetch_all(
        "SELECT st.position, st.kind, st.user_id, st.service_id, st.state,
                COALESCE(u.display_name, sv.name) AS assignee,
                ab.display_name AS acted_by, af.display_name AS acted_for, st.acted_at, st.comment
         FROM response_steps st
         LEFT JOIN users u ON u.id = st.user_id
         LEFT JOIN services sv ON sv.id = st.service_id
         LEFT JOIN users ab ON ab.id = st.acted_by
         LEFT JOIN users af ON af.id = st.acted_for
         WHERE st.response_id = $1 ORDER BY st.position",
        vec![response.into()],
    )
    .await
}

/// Whether the agent may act on a step, and for whom: `Some(None)` as themselves,
/// `Some(Some(colleague))` as a delegate.
fn may_act(agent: &Agent, assignee: Option<Assignee>) -> Option<Option<Uuid>> {
    match assignee? {
        Assignee::User(user) if user == agent.id => Some(None),
        Assignee::User(user) if agent.rights.delegators.contains(&user) => Some(Some(user)),
        Assignee::User(_) => None,
        Assignee::Service(service) => agent
            .rights
            .access(service)
            .map(|_| agent.rights.on_behalf_of(service, None)),
    }
}

/// A response the agent reaches (through its dossier or one of its steps), with its steps;
/// `for_update` locks the response for the rest of the transaction.
async fn find(
    tx: &TenantTx,
    agent: &Agent,
    id: &str,
    for_update: bool,
) -> AppResult<(ResponseRow, Vec<StepRow>)> {
    let id = parse_id(id)?;
    let lock = if for_update { " FOR UPDATE OF r" } else { "" };
    let row: Option<ResponseRow> = tx
        .fetch_optional(
            &format!("{RESPONSE_SELECT} WHERE r.id = $1{lock}"),
            vec![id.into()],
        )
        .await?;
    let row = row.ok_or_else(unknown)?;
    let steps = steps_of(tx, row.id).await?;
    let sees_dossier = agent
        .rights
        .dossier_access(row.service_id, &parse_uuid_array(&row.copy_services))
        .is_some();
    let in_circuit = steps
        .iter()
        .any(|st| may_act(agent, st.assignee()).is_some());
    if !sees_dossier && !in_circuit {
        return Err(unknown());
    }
    Ok((row, steps))
}

/// The author's side (text, circuit) needs the modification right on the dossier.
async fn require_modification(tx: &TenantTx, agent: &Agent, row: &ResponseRow) -> AppResult<()> {
    dossier_ref(tx, agent, &row.reference, Access::Modification)
        .await
        .map(|_| ())
}

fn require_draft(row: &ResponseRow) -> AppResult<()> {
    match row.status() {
        ResponseStatus::Draft => Ok(()),
        status if status.is_frozen() => Err(AppError::conflict("response", s::FROZEN)),
        _ => Err(AppError::conflict("response", s::NOT_DRAFT)),
    }
}

/// A new draft response on a dossier, from one of the commune's templates.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn create(
    tx: &TenantTx,
    agent: &Agent,
    reference: &str,
    template: &str,
) -> AppResult<String> {
    let dossier = dossier_ref(tx, agent, reference, Access::Modification).await?;
    let template_id = Uuid::parse_str(template.trim())
        .map_err(|_| AppError::invalid("template", s::TEMPLATE_UNKNOWN))?;
    let template = letters::service::list_templates(tx)
        .await?
        .into_iter()
        .find(|t| t.id == template_id.to_string())
        .ok_or_else(|| AppError::invalid("template", s::TEMPLATE_UNKNOWN))?;
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO dossier_responses (id, dossier_id, template_id, template_name, created_by)
         VALUES ($1, $2, $3, $4, $5)",
        vec![
            id.into(),
            dossier.id.into(),
            template_id.into(),
            template.name.clone().into(),
            agent.id.into(),
        ],
    )
    .await?;
    let behalf = agent
        .rights
        .on_behalf_of(dossier.service_id, dossier.assignee_id);
    record(
        tx,
        agent,
        dossier.id,
        "response_created",
        behalf,
        Some(template.name),
    )
    .await?;
    Ok(id.to_string())
}

/// The draft's free text.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn edit(tx: &TenantTx, agent: &Agent, id: &str, free_text: &str) -> AppResult<()> {
    let (row, _) = find(tx, agent, id, true).await?;
    require_draft(&row)?;
    require_modification(tx, agent, &row).await?;
    write_text(tx, agent, &row, free_text).await
}

/// Stores a draft's free text (checked) if it changed, and records the edit.
async fn write_text(
    tx: &TenantTx,
    agent: &Agent,
    row: &ResponseRow,
    free_text: &str,
) -> AppResult<()> {
    let text = free_text.replace("\r\n", "\n");
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::invalid("free_text", s::TEXT_TOO_LONG));
    }
    if text == row.free_text {
        return Ok(());
    }
    tx.execute(
        "UPDATE dossier_responses SET free_text = $2, updated_at = now() WHERE id = $1",
        vec![row.id.into(), text.into()],
    )
    .await?;
    record(tx, agent, row.dossier_id, "response_edited", None, None).await
}

/// Sends a draft into a circuit: a saved model's steps or the ones typed, with the channels
/// it will be dispatched by once signed. `free_text`, when the form carries it, is the text as
/// the author left it on the page: saved in the same transaction, so what goes into the
/// circuit is what they read, and a send never races a separate save of the text.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
#[allow(clippy::too_many_arguments)]
pub async fn start(
    tx: &TenantTx,
    agent: &Agent,
    id: &str,
    free_text: Option<&str>,
    model: &str,
    kinds: &[String],
    assignees: &[String],
    channels: Channels,
) -> AppResult<()> {
    let (row, _) = find(tx, agent, id, true).await?;
    require_draft(&row)?;
    require_modification(tx, agent, &row).await?;
    let typed = assignees.iter().any(|a| !a.trim().is_empty());
    let steps = match (model.trim(), typed) {
        ("", _) => parse_steps(tx, kinds, assignees).await?,
        (_, true) => return Err(AppError::invalid("model", s::CIRCUIT_BOTH)),
        (model, false) => model_steps(tx, model).await?,
    };
    if !channels.any() {
        return Err(AppError::invalid("channels", s::NO_CHANNEL));
    }
    if channels.email && row.citizen_email.is_none() {
        return Err(AppError::invalid("by_email", s::NO_EMAIL));
    }
    if let Some(text) = free_text {
        write_text(tx, agent, &row, text).await?;
    }
    tx.execute(
        "DELETE FROM response_steps WHERE response_id = $1",
        vec![row.id.into()],
    )
    .await?;
    for (position, (kind, assignee)) in steps.iter().enumerate() {
        tx.execute(
            "INSERT INTO response_steps (response_id, position, kind, user_id, service_id) VALUES ($1, $2, $3, $4, $5)",
            vec![
                row.id.into(),
                (position as i32).into(),
                kind.code().into(),
                assignee.user().into(),
                assignee.service().into(),
            ],
        )
        .await?;
    }
    tx.execute(
        "UPDATE dossier_responses SET status = 'in_circuit', current_step = 0, returned_comment = NULL,
             by_email = $2, by_portal = $3, by_postal = $4, updated_at = now()
         WHERE id = $1",
        vec![
            row.id.into(),
            channels.email.into(),
            channels.portal.into(),
            channels.postal.into(),
        ],
    )
    .await?;
    record(
        tx,
        agent,
        row.dossier_id,
        "response_circuit",
        None,
        Some(format!("{} — {} étape(s)", row.template_name, steps.len())),
    )
    .await
}

async fn model_steps(tx: &TenantTx, model: &str) -> AppResult<Vec<(StepKind, Assignee)>> {
    let unknown_model = || AppError::invalid("model", s::MODEL_UNKNOWN);
    let model = Uuid::parse_str(model).map_err(|_| unknown_model())?;
    #[derive(FromQueryResult)]
    struct Row {
        kind: String,
        user_id: Option<Uuid>,
        service_id: Option<Uuid>,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT st.kind, st.user_id, st.service_id FROM circuit_model_steps st
             JOIN circuit_models m ON m.id = st.model_id WHERE m.id = $1 ORDER BY st.position",
            vec![model.into()],
        )
        .await?;
    if rows.is_empty() {
        return Err(unknown_model());
    }
    let steps: Vec<(StepKind, Assignee)> = rows
        .into_iter()
        .filter_map(|r| {
            let assignee = match (r.user_id, r.service_id) {
                (Some(user), _) => Assignee::User(user),
                (None, Some(service)) => Assignee::Service(service),
                (None, None) => return None,
            };
            Some((StepKind::parse(&r.kind)?, assignee))
        })
        .collect();
    let kinds: Vec<StepKind> = steps.iter().map(|(k, _)| *k).collect();
    validate_steps(&kinds).map_err(|e| refused(e, "model"))?;
    Ok(steps)
}

/// What an agent does on the step of a response their page showed: `approve`, `return`
/// (to `target`: `author` or an earlier position, with a comment) or `sign`.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
#[allow(clippy::too_many_arguments)]
pub async fn act_on_step(
    tx: &TenantTx,
    state: &AppState,
    agent: &Agent,
    id: &str,
    action: &str,
    position: &str,
    target: &str,
    comment: &str,
) -> AppResult<()> {
    let (row, steps) = find(tx, agent, id, true).await?;
    let at: usize = position
        .trim()
        .parse()
        .map_err(|_| AppError::conflict("response", s::STEP_NOT_CURRENT))?;
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid("comment", s::COMMENT_TOO_LONG));
    }
    let mv = match action {
        "approve" => Move::Approve { at },
        "sign" => Move::Sign { at },
        "return" => Move::SendBack {
            at,
            to: match target.trim() {
                "author" | "" => Target::Author,
                position => Target::Step(
                    position
                        .parse()
                        .map_err(|_| AppError::invalid("target", s::SEND_BACK_NOT_EARLIER))?,
                ),
            },
            comment: comment.to_owned(),
        },
        _ => return Err(AppError::invalid("action", s::ACTION_UNKNOWN)),
    };
    let circuit = Circuit {
        status: row.status(),
        current: row.current_step.and_then(|c| usize::try_from(c).ok()),
        kinds: steps.iter().map(StepRow::kind).collect(),
    };
    let outcome = act(&circuit, &mv).map_err(|e| refused(e, "comment"))?;
    let step = steps
        .iter()
        .find(|st| st.position as usize == at)
        .ok_or_else(|| AppError::conflict("response", s::STEP_NOT_CURRENT))?;
    let behalf = may_act(agent, step.assignee())
        .ok_or_else(|| AppError::Forbidden(s::NOT_YOUR_STEP.to_owned()))?;
    let mark = |state: &'static str, note: Option<String>| {
        tx.execute(
            "UPDATE response_steps SET state = $3, acted_by = $4, acted_for = $5, acted_at = now(), comment = $6
             WHERE response_id = $1 AND position = $2",
            vec![
                row.id.into(),
                (at as i32).into(),
                state.into(),
                agent.id.into(),
                behalf.into(),
                note.into(),
            ],
        )
    };
    let note = (!comment.is_empty()).then(|| comment.to_owned());
    match outcome {
        Outcome::Advanced { from, to } => {
            mark("approved", note.clone()).await?;
            tx.execute(
                "UPDATE dossier_responses SET current_step = $2, updated_at = now() WHERE id = $1",
                vec![row.id.into(), (to as i32).into()],
            )
            .await?;
            let detail = match note {
                Some(note) => format!("{} : {note}", s::step_label(from)),
                None => s::step_label(from),
            };
            record(
                tx,
                agent,
                row.dossier_id,
                "response_approved",
                behalf,
                Some(detail),
            )
            .await
        }
        Outcome::ReturnedToStep { from, to, comment } => {
            mark("returned", Some(comment.clone())).await?;
            reset_steps(tx, row.id, to, from).await?;
            tx.execute(
                "UPDATE dossier_responses SET current_step = $2, updated_at = now() WHERE id = $1",
                vec![row.id.into(), (to as i32).into()],
            )
            .await?;
            let detail = format!(
                "{} → {} : {comment}",
                s::step_label(from),
                s::step_label(to)
            );
            record(
                tx,
                agent,
                row.dossier_id,
                "response_returned",
                behalf,
                Some(detail),
            )
            .await
        }
        Outcome::ReturnedToAuthor { from, comment } => {
            mark("returned", Some(comment.clone())).await?;
            reset_steps(tx, row.id, 0, from).await?;
            tx.execute(
                "UPDATE dossier_responses SET status = 'draft', current_step = NULL, returned_comment = $2,
                     updated_at = now() WHERE id = $1",
                vec![row.id.into(), comment.clone().into()],
            )
            .await?;
            let detail = format!("{} → {} : {comment}", s::step_label(from), s::TO_AUTHOR);
            record(
                tx,
                agent,
                row.dossier_id,
                "response_returned",
                behalf,
                Some(detail),
            )
            .await
        }
        Outcome::Signed { .. } => {
            sign(tx, state, agent, &row, step, behalf).await?;
            mark("signed", note).await?;
            dispatch(tx, state, agent, &row).await
        }
    }
}

/// The steps from `from` to `until - 1` wait again (their earlier approvals no longer hold).
async fn reset_steps(tx: &TenantTx, response: Uuid, from: usize, until: usize) -> AppResult<()> {
    tx.execute(
        "UPDATE response_steps SET state = 'pending', acted_by = NULL, acted_for = NULL, acted_at = NULL, comment = NULL
         WHERE response_id = $1 AND position >= $2 AND position < $3",
        vec![response.into(), (from as i32).into(), (until as i32).into()],
    )
    .await?;
    Ok(())
}

/// Renders the letter with its signatory and their signature image, records its hash and
/// freezes it.
async fn sign(
    tx: &TenantTx,
    state: &AppState,
    agent: &Agent,
    row: &ResponseRow,
    step: &StepRow,
    behalf: Option<Uuid>,
) -> AppResult<()> {
    let on_behalf_of = match behalf {
        Some(id) => Some(user_name(tx, id).await?),
        None => None,
    };
    let title = match step.service_id {
        Some(service) => crate::org::service::service_name(tx, service).await?,
        None => crate::org::service::service_name(tx, row.service_id).await?,
    }
    .unwrap_or_default();
    let signature = signature(tx, agent.id).await?.map(|(content_type, bytes)| {
        letters::model::SignatureImage {
            bytes,
            content_type,
        }
    });
    let extras = letters::model::LetterExtras {
        free_text: row.free_text.clone(),
        signatory: Some(letters::model::Signatory {
            name: agent.user.display_name.clone(),
            title,
            on_behalf_of,
            signature,
        }),
        author: row.author.clone(),
    };
    let rendered = letters::service::render_for_dossier(
        tx,
        state,
        &row.template_id.to_string(),
        row.dossier_id,
        &extras,
    )
    .await?;
    let sha256 = format!("{:x}", Sha256::digest(&rendered.pdf));
    tx.execute(
        "UPDATE dossier_responses SET status = 'signed', current_step = NULL, pdf = $2, pdf_sha256 = $3,
             signed_at = now(), signed_by = $4, on_behalf_of = $5, updated_at = now()
         WHERE id = $1",
        vec![
            row.id.into(),
            rendered.pdf.into(),
            sha256.clone().into(),
            agent.id.into(),
            behalf.into(),
        ],
    )
    .await?;
    record(
        tx,
        agent,
        row.dossier_id,
        "response_signed",
        behalf,
        Some(format!("{} — SHA-256 {sha256}", row.template_name)),
    )
    .await
}

/// Sends the signed letter by its channels: the mail (with the PDF) goes through the outbox
/// in this transaction; the portal and the post only need the frozen PDF.
async fn dispatch(
    tx: &TenantTx,
    state: &AppState,
    agent: &Agent,
    row: &ResponseRow,
) -> AppResult<()> {
    let channels = row.channels();
    if channels.email
        && let Some(to) = row.citizen_email.as_deref()
    {
        let pdf = frozen_pdf(tx, row.id).await?;
        let link = citizen_link(
            state.settings(),
            tx,
            &row.reference,
            row.tracking_key.as_deref(),
        );
        mail_letter(
            tx,
            to,
            s::mail_subject(&row.reference),
            s::mail_body(&row.reference, &row.template_name, &link),
            s::pdf_name(&row.reference, &row.template_name),
            pdf,
            row.dossier_id,
        )
        .await?;
    }
    tx.execute(
        "UPDATE dossier_responses SET status = 'dispatched', dispatched_at = now() WHERE id = $1",
        vec![row.id.into()],
    )
    .await?;
    record(
        tx,
        agent,
        row.dossier_id,
        "response_dispatched",
        None,
        Some(channels.labels().join(", ")),
    )
    .await
}

/// The letter's mail to the citizen, its PDF attached, shown on the dossier's mail list.
async fn mail_letter(
    tx: &TenantTx,
    to: &str,
    subject: String,
    body: String,
    filename: String,
    pdf: Vec<u8>,
    dossier: Uuid,
) -> AppResult<()> {
    enqueue(
        tx,
        OutgoingMail::new(to, subject, body)
            .for_dossier(dossier)
            .with_attachment(filename, "application/pdf", pdf),
    )
    .await
    .map(|_| ())
}

async fn frozen_pdf(tx: &TenantTx, id: Uuid) -> AppResult<Vec<u8>> {
    #[derive(FromQueryResult)]
    struct Pdf {
        pdf: Vec<u8>,
    }
    let row: Option<Pdf> = tx
        .fetch_optional(
            "SELECT pdf FROM dossier_responses WHERE id = $1 AND pdf IS NOT NULL",
            vec![id.into()],
        )
        .await?;
    row.map(|r| r.pdf).ok_or_else(unknown)
}

async fn user_name(tx: &TenantTx, id: Uuid) -> AppResult<String> {
    #[derive(FromQueryResult)]
    struct Name {
        display_name: String,
    }
    let row: Option<Name> = tx
        .fetch_optional(
            "SELECT display_name FROM users WHERE id = $1",
            vec![id.into()],
        )
        .await?;
    Ok(row.map(|r| r.display_name).unwrap_or_default())
}

/// The PDF of a response for an agent: the signed one once frozen, else a preview of the
/// draft as it stands (unsigned). Returns (file name, bytes).
pub async fn pdf(
    tx: &TenantTx,
    state: &AppState,
    agent: &Agent,
    id: &str,
) -> AppResult<(String, Vec<u8>)> {
    let (row, _) = find(tx, agent, id, false).await?;
    let name = s::pdf_name(&row.reference, &row.template_name);
    if row.status().is_frozen() {
        return Ok((name, frozen_pdf(tx, row.id).await?));
    }
    let extras = letters::model::LetterExtras {
        free_text: row.free_text.clone(),
        signatory: None,
        author: row.author.clone(),
    };
    let rendered = letters::service::render_for_dossier(
        tx,
        state,
        &row.template_id.to_string(),
        row.dossier_id,
        &extras,
    )
    .await?;
    Ok((name, rendered.pdf))
}

fn pdf_url(id: Uuid) -> String {
    format!("/back-office/reponses/{id}.pdf")
}

/// The "Courriers" section of a dossier's page.
pub async fn panel(tx: &TenantTx, agent: &Agent, reference: &str) -> AppResult<ResponsesPanel> {
    let dossier = dossier_ref(tx, agent, reference, Access::Consultation).await?;
    let can_create = agent.rights.can(dossier.service_id, Access::Modification);
    let rows: Vec<ResponseRow> = tx
        .fetch_all(
            &format!("{RESPONSE_SELECT} WHERE r.dossier_id = $1 ORDER BY r.created_at, r.id"),
            vec![dossier.id.into()],
        )
        .await?;
    let mut responses = Vec::with_capacity(rows.len());
    for row in rows {
        let steps = steps_of(tx, row.id).await?;
        responses.push(view_of(&row, &steps, can_create));
    }
    Ok(ResponsesPanel {
        reference: dossier.reference,
        can_create,
        templates: letters::service::list_templates(tx)
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        models: models(tx)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect(),
        assignees: assignee_options(tx).await?,
        responses,
    })
}

fn view_of(row: &ResponseRow, steps: &[StepRow], can_modify: bool) -> ResponseView {
    let status = row.status();
    ResponseView {
        id: row.id.to_string(),
        template_name: row.template_name.clone(),
        free_text: row.free_text.clone(),
        status,
        author: row.author.clone().unwrap_or_default(),
        returned_comment: row.returned_comment.clone(),
        channels: row.channels(),
        steps: steps
            .iter()
            .map(|st| StepView {
                position: st.position.max(0) as usize,
                kind: st.kind(),
                assignee: st.assignee.clone().unwrap_or_default(),
                state: st.state.clone(),
                acted_by: st.acted_by.clone(),
                acted_for: st.acted_for.clone(),
                acted_at: st.acted_at.map(french_date_time),
                comment: st.comment.clone(),
                current: row.current_step == Some(st.position),
            })
            .collect(),
        editable: can_modify && status == ResponseStatus::Draft,
        signed_on: row.signed_at.map(french_date_time),
        signed_by: row.signer.clone(),
        on_behalf_of: row.behalf.clone(),
        sha256: row.pdf_sha256.clone(),
        pdf_url: pdf_url(row.id),
    }
}

/// The steps waiting for the agent: theirs, their services', and those of colleagues they
/// replace today.
pub async fn parapheur(tx: &TenantTx, agent: &Agent) -> AppResult<Parapheur> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        reference: String,
        template_name: String,
        position: i32,
        kind: String,
        user_id: Option<Uuid>,
        service_id: Option<Uuid>,
    }
    let services = uuid_array(&agent.rights.services(Access::Consultation));
    let delegators = uuid_array(&agent.rights.delegators);
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT r.id, d.reference, r.template_name, st.position, st.kind, st.user_id, st.service_id
             FROM dossier_responses r
             JOIN response_steps st ON st.response_id = r.id AND st.position = r.current_step
             JOIN dossiers d ON d.id = r.dossier_id
             WHERE r.status = 'in_circuit'
               AND (st.user_id = $1 OR st.user_id = ANY ($2::uuid[]) OR st.service_id = ANY ($3::uuid[]))
             ORDER BY r.updated_at, r.id",
            vec![agent.id.into(), delegators.into(), services.into()],
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let assignee = match (row.user_id, row.service_id) {
            (Some(user), _) => Some(Assignee::User(user)),
            (None, Some(service)) => Some(Assignee::Service(service)),
            (None, None) => None,
        };
        let Some(behalf) = may_act(agent, assignee) else {
            continue;
        };
        let on_behalf_of = match behalf {
            Some(id) => Some(user_name(tx, id).await?),
            None => None,
        };
        let position = row.position.max(0) as usize;
        let mut targets = vec![("author".to_owned(), s::TO_AUTHOR.to_owned())];
        targets.extend((0..position).map(|p| (p.to_string(), s::step_label(p))));
        items.push(InboxItem {
            response_id: row.id.to_string(),
            dossier_url: format!("/back-office/dossiers/{}", row.reference),
            reference: row.reference,
            template_name: row.template_name,
            position,
            kind: StepKind::parse(&row.kind).unwrap_or(StepKind::Visa),
            on_behalf_of,
            targets,
            pdf_url: pdf_url(row.id),
        });
    }
    Ok(Parapheur {
        items,
        has_signature: signature(tx, agent.id).await?.is_some(),
    })
}

/// The commune's saved circuits.
pub async fn models(tx: &TenantTx) -> AppResult<Vec<CircuitModelView>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        name: String,
        kind: Option<String>,
        who: Option<String>,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT m.id, m.name, st.kind, COALESCE(u.display_name, sv.name) AS who
             FROM circuit_models m
             LEFT JOIN circuit_model_steps st ON st.model_id = m.id
             LEFT JOIN users u ON u.id = st.user_id
             LEFT JOIN services sv ON sv.id = st.service_id
             ORDER BY lower(m.name), m.id, st.position",
            vec![],
        )
        .await?;
    let mut models: Vec<CircuitModelView> = Vec::new();
    for row in rows {
        let id = row.id.to_string();
        if models.last().is_none_or(|m| m.id != id) {
            models.push(CircuitModelView {
                id,
                name: row.name,
                steps: Vec::new(),
            });
        }
        if let (Some(kind), Some(model)) = (
            row.kind.as_deref().and_then(StepKind::parse),
            models.last_mut(),
        ) {
            model.steps.push((kind, row.who.unwrap_or_default()));
        }
    }
    Ok(models)
}

fn require_manager(agent: &Agent) -> AppResult<()> {
    if agent.user.has_role(Role::Manager) {
        Ok(())
    } else {
        Err(AppError::Forbidden(s::MANAGERS_ONLY.to_owned()))
    }
}

pub async fn circuits_page(tx: &TenantTx, agent: &Agent) -> AppResult<CircuitsPage> {
    require_manager(agent)?;
    Ok(CircuitsPage {
        models: models(tx).await?,
        assignees: assignee_options(tx).await?,
    })
}

/// Saves a circuit under a name (managers).
pub async fn save_model(
    tx: &TenantTx,
    agent: &Agent,
    name: &str,
    kinds: &[String],
    assignees: &[String],
) -> AppResult<String> {
    require_manager(agent)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", s::NAME_REQUIRED));
    }
    let steps = parse_steps(tx, kinds, assignees).await?;
    #[derive(FromQueryResult)]
    struct Taken {
        #[allow(dead_code)]
        id: Uuid,
    }
    let taken: Option<Taken> = tx
        .fetch_optional(
            "SELECT id FROM circuit_models WHERE lower(name) = lower($1)",
            vec![name.into()],
        )
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict("name", s::NAME_TAKEN));
    }
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO circuit_models (id, name, created_by) VALUES ($1, $2, $3)",
        vec![id.into(), name.into(), agent.id.into()],
    )
    .await?;
    for (position, (kind, assignee)) in steps.iter().enumerate() {
        tx.execute(
            "INSERT INTO circuit_model_steps (model_id, position, kind, user_id, service_id) VALUES ($1, $2, $3, $4, $5)",
            vec![
                id.into(),
                (position as i32).into(),
                kind.code().into(),
                assignee.user().into(),
                assignee.service().into(),
            ],
        )
        .await?;
    }
    Ok(id.to_string())
}

pub async fn delete_model(tx: &TenantTx, agent: &Agent, id: &str) -> AppResult<()> {
    require_manager(agent)?;
    let unknown_model = || AppError::NotFound(s::MODEL_UNKNOWN.to_owned());
    let id = Uuid::parse_str(id.trim()).map_err(|_| unknown_model())?;
    let deleted = tx
        .execute("DELETE FROM circuit_models WHERE id = $1", vec![id.into()])
        .await?;
    if deleted == 0 {
        return Err(unknown_model());
    }
    Ok(())
}

/// Checks and stores the agent's signature image (PNG, JPEG, or a cleaned SVG).
pub async fn store_signature(tx: &TenantTx, user: Uuid, bytes: Vec<u8>) -> AppResult<()> {
    let checked = crate::branding::image::check(crate::branding::image::AssetKind::Logo, bytes)
        .map_err(|message| AppError::invalid("signature", message))?;
    tx.execute(
        "INSERT INTO agent_signatures (user_id, content_type, bytes) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes, updated_at = EXCLUDED.updated_at",
        vec![user.into(), checked.content_type.into(), checked.bytes.into()],
    )
    .await?;
    Ok(())
}

/// An agent's signature image: (content type, bytes).
pub async fn signature(tx: &TenantTx, user: Uuid) -> AppResult<Option<(String, Vec<u8>)>> {
    #[derive(FromQueryResult)]
    struct Row {
        content_type: String,
        bytes: Vec<u8>,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT content_type, bytes FROM agent_signatures WHERE user_id = $1",
            vec![user.into()],
        )
        .await?;
    Ok(row.map(|r| (r.content_type, r.bytes)))
}

/// The letters a citizen reads on their dossier's page: signed, and meant for the portal.
pub async fn citizen_letters(
    tx: &TenantTx,
    dossier: Uuid,
    page_path: &str,
) -> AppResult<Vec<CitizenLetter>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        template_name: String,
        signed_at: OffsetDateTime,
    }
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT id, template_name, signed_at FROM dossier_responses
             WHERE dossier_id = $1 AND by_portal AND status IN ('signed', 'dispatched')
             ORDER BY signed_at, id",
            vec![dossier.into()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| CitizenLetter {
            title: r.template_name,
            signed_on: french_date(r.signed_at),
            url: format!("{page_path}/courriers/{}", r.id),
        })
        .collect())
}

/// A signed letter of the citizen's dossier (owner or tracking link): (file name, bytes).
pub async fn citizen_pdf(
    tx: &TenantTx,
    access: &DossierAccess<'_>,
    id: &str,
) -> AppResult<(String, Vec<u8>)> {
    let (dossier, _) = crate::dossiers::service::live_status(tx, access).await?;
    let id = parse_id(id)?;
    #[derive(FromQueryResult)]
    struct Row {
        template_name: String,
        reference: String,
        pdf: Vec<u8>,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT r.template_name, d.reference, r.pdf FROM dossier_responses r JOIN dossiers d ON d.id = r.dossier_id
             WHERE r.id = $1 AND r.dossier_id = $2 AND r.by_portal AND r.status IN ('signed', 'dispatched')
               AND r.pdf IS NOT NULL",
            vec![id.into(), dossier.into()],
        )
        .await?;
    let row = row.ok_or_else(unknown)?;
    Ok((s::pdf_name(&row.reference, &row.template_name), row.pdf))
}
