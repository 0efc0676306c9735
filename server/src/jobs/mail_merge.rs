//! Runs mail merges (publipostage, see `app::letters::mail_merge`): one at a time, on all
//! cores.
//!
//! A merge is claimed (`FOR UPDATE SKIP LOCKED`, status `running`), then its dossiers go
//! through a pipeline: a reader task reads the merge data of [`BATCH`] dossiers per
//! transaction (a few statements each) one batch ahead, the letters of a batch are typeset on
//! all cores (rayon's pool) and written, in order, into one file of the
//! tenant's file store under a temporary name (a ZIP streamed entry by entry; memory stays two
//! batches of PDFs whatever the size of the merge). After each batch, while the next is
//! typeset, one transaction checks the merge was not cancelled, queues the batch's emails (PDF
//! attached) and records the progress.
//! Cancelled: the partial file is removed. Failed: the reason is recorded.
//!
//! Woken by `guichet_merges` notifications (`<slug>:<id>`); swept at start and every
//! [`SWEEP_INTERVAL`] for merges whose notification was missed, and for merges left `running`
//! by a process that died (marked failed: their file was never finished).

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::time::Duration;

use app::error::AppError;
use app::infra::mail::{OutgoingMail, enqueue};
use app::infra::storage::TenantFiles;
use app::infra::{AppState, Queries, Tenant, TenantTx};
use app::letters::mail_merge::MERGE_CHANNEL;
use app::letters::merge::MergeData;
use app::letters::model::{LetterExtras, RenderedLetter};
use app::letters::render::{LetterInput, render_letter};
use app::letters::service::{Letterhead, letterhead, merge_data_batch, template_source};
use app::letters::strings as s;
use app::platform::service::tenant_by_slug;
use guichet_migrations::{SchemaName, schema_versions, tenant_migrations};
use rayon::prelude::*;
use sea_orm::{DbBackend, FromQueryResult, Statement};
use sqlx::postgres::PgListener;
use time::OffsetDateTime;
use uuid::Uuid;

/// Dossiers per batch: one transaction of reads, one of progress (and emails).
pub const BATCH: usize = 100;
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// A `running` merge whose progress has not moved for this long belongs to a dead process.
const STALE_MINUTES: i64 = 5;
const MERGE_MIGRATION: &str = "m0013_mail_merge";

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = listen(&state).await {
                tracing::error!(%error, "mail merge job stopped; restarting in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    })
}

async fn listen(state: &AppState) -> anyhow::Result<()> {
    let mut listener =
        PgListener::connect_with(state.pool().get_postgres_connection_pool()).await?;
    listener.listen(MERGE_CHANNEL).await?;
    sweep(state).await;
    loop {
        tokio::select! {
            notification = listener.try_recv() => match notification? {
                Some(n) => {
                    if let Some((slug, id)) = n.payload().split_once(':')
                        && let Ok(id) = Uuid::parse_str(id)
                    {
                        match tenant_by_slug(state, slug).await {
                            Ok(tenant) => run_logged(state, tenant, id).await,
                            Err(error) => tracing::warn!(%slug, %error, "mail merge: unknown tenant"),
                        }
                    }
                }
                None => sweep(state).await,
            },
            _ = tokio::time::sleep(SWEEP_INTERVAL) => sweep(state).await,
        }
    }
}

async fn run_logged(state: &AppState, tenant: Arc<Tenant>, id: Uuid) {
    let slug = tenant.slug.as_str().to_owned();
    if let Err(error) = run_merge(state, tenant, id).await {
        tracing::error!(tenant = %slug, merge = %id, %error, "mail merge failed");
    }
}

/// Tenants with merges queued or running, then each queued merge, oldest first.
async fn sweep(state: &AppState) {
    let tenants = match tenants_with_merges(state).await {
        Ok(tenants) => tenants,
        Err(error) => {
            tracing::error!(%error, "mail merge sweep failed");
            return;
        }
    };
    for slug in tenants {
        let Ok(tenant) = tenant_by_slug(state, &slug).await else {
            continue;
        };
        let queued = async {
            let tx = TenantTx::begin(state, tenant.clone()).await?;
            tx.execute(
                "UPDATE mail_merges SET status = 'failed', error = $1, finished_at = now()
                 WHERE status = 'running' AND heartbeat_at < now() - $2 * interval '1 minute'",
                vec![s::MERGE_INTERRUPTED.into(), STALE_MINUTES.into()],
            )
            .await?;
            #[derive(FromQueryResult)]
            struct Row {
                id: Uuid,
            }
            let rows: Vec<Row> = tx
                .fetch_all(
                    "SELECT id FROM mail_merges WHERE status = 'queued' ORDER BY created_at",
                    vec![],
                )
                .await?;
            tx.commit().await?;
            Ok::<_, AppError>(rows)
        }
        .await;
        match queued {
            Ok(rows) => {
                for row in rows {
                    run_logged(state, tenant.clone(), row.id).await;
                }
            }
            Err(error) => tracing::error!(tenant = %slug, %error, "mail merge sweep failed"),
        }
    }
}

async fn tenants_with_merges(state: &AppState) -> Result<Vec<String>, AppError> {
    #[derive(FromQueryResult)]
    struct Row {
        slug: String,
        schema_name: String,
    }
    let rows = Row::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        "SELECT slug, schema_name FROM platform.tenants WHERE status = 'active'",
    ))
    .all(state.pool())
    .await?;
    let tenants: Vec<(String, SchemaName)> = rows
        .into_iter()
        .filter_map(|r| SchemaName::parse(&r.schema_name).ok().map(|s| (r.slug, s)))
        .collect();
    let schemas: Vec<SchemaName> = tenants.iter().map(|(_, s)| s.clone()).collect();
    let versions = schema_versions(state.pool(), &schemas).await?;
    let needed = tenant_migrations()
        .iter()
        .position(|m| m.name() == MERGE_MIGRATION)
        .map_or(u32::MAX, |i| i as u32 + 1);
    let ready: Vec<&(String, SchemaName)> = tenants
        .iter()
        .filter(|(_, s)| versions.get(s).is_some_and(|v| *v >= needed))
        .collect();
    let mut found = Vec::new();
    for chunk in ready.chunks(250) {
        let sql = chunk
            .iter()
            .enumerate()
            .map(|(i, (_, schema))| {
                format!(
                    "SELECT {i}::int4 AS i WHERE EXISTS (SELECT 1 FROM {}.mail_merges WHERE status IN ('queued', 'running'))",
                    schema.quoted()
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        #[derive(FromQueryResult)]
        struct Hit {
            i: i32,
        }
        let hits = Hit::find_by_statement(Statement::from_string(DbBackend::Postgres, sql))
            .all(state.pool())
            .await?;
        found.extend(
            hits.into_iter()
                .filter_map(|h| chunk.get(h.i as usize).map(|(slug, _)| slug.clone())),
        );
    }
    Ok(found)
}

#[derive(FromQueryResult)]
struct Claim {
    template_id: Uuid,
    dossier_ids: String,
    output: String,
    send_emails: bool,
    free_text: String,
    author: Option<String>,
}

/// What every batch of a merge needs.
struct Merge {
    state: AppState,
    tenant: Arc<Tenant>,
    id: Uuid,
    template: Arc<String>,
    template_name: String,
    head: Letterhead,
    author: Option<String>,
    extras: LetterExtras,
    send_emails: bool,
}

enum Outcome {
    Done { key: Uuid, size: u64 },
    Cancelled,
}

/// Claims the merge `id` if it is queued and runs it to its end (done, cancelled or failed).
/// Returns at once if another worker has it or it is no longer queued.
pub async fn run_merge(state: &AppState, tenant: Arc<Tenant>, id: Uuid) -> Result<(), AppError> {
    let tx = TenantTx::begin(state, tenant.clone()).await?;
    let Some(claim): Option<Claim> = tx
        .fetch_optional(
            "SELECT m.template_id, m.dossier_ids::text AS dossier_ids, m.output, m.send_emails,
                    m.free_text, u.display_name AS author
             FROM mail_merges m LEFT JOIN users u ON u.id = m.created_by
             WHERE m.id = $1 AND m.status = 'queued' FOR UPDATE OF m SKIP LOCKED",
            vec![id.into()],
        )
        .await?
    else {
        tx.commit().await?;
        return Ok(());
    };
    tx.execute(
        "UPDATE mail_merges SET status = 'running', heartbeat_at = now() WHERE id = $1",
        vec![id.into()],
    )
    .await?;
    let (template_name, source, choice) = template_source(&tx, claim.template_id).await?;
    let head = letterhead(&tx, state).await?.with_choice(choice);
    let files = TenantFiles::of(&tx, state.settings());
    tx.commit().await?;

    let ids = app::dossiers::service::parse_uuid_array(&claim.dossier_ids);
    let merge = Merge {
        state: state.clone(),
        tenant: tenant.clone(),
        id,
        template: Arc::new(source),
        template_name,
        head,
        extras: LetterExtras {
            free_text: claim.free_text,
            signatory: None,
            author: claim.author.clone(),
        },
        author: claim.author,
        send_emails: claim.send_emails,
    };
    let started = std::time::Instant::now();
    let outcome = produce(&merge, &files, ids, claim.output == "pdf").await;
    app::infra::pdf::evict_caches(0);
    let tx = TenantTx::begin(state, tenant).await?;
    match outcome {
        Ok(Outcome::Done { key, size }) => {
            let finished = tx
                .execute(
                    "UPDATE mail_merges SET status = 'done', done = total, result_key = $2,
                            result_size = $3, finished_at = now()
                     WHERE id = $1 AND status = 'running'",
                    vec![id.into(), key.into(), (size as i64).into()],
                )
                .await?;
            tx.commit().await?;
            if finished == 0 {
                // Cancelled after its last batch.
                files.delete(key).await;
            }
            tracing::info!(merge = %id, size, elapsed = ?started.elapsed(), "mail merge done");
        }
        Ok(Outcome::Cancelled) => {
            tx.commit().await?;
            tracing::info!(merge = %id, "mail merge cancelled");
        }
        Err(error) => {
            let reason = match &error {
                AppError::Rejected { problems } => problems
                    .first()
                    .map(|p| p.message.clone())
                    .unwrap_or_else(|| error.to_string()),
                other => other.to_string(),
            };
            tx.execute(
                "UPDATE mail_merges SET status = 'failed', error = $2, finished_at = now()
                 WHERE id = $1 AND status = 'running'",
                vec![id.into(), reason.into()],
            )
            .await?;
            tx.commit().await?;
            tracing::warn!(merge = %id, %error, "mail merge failed");
        }
    }
    Ok(())
}

/// One dossier's letter.
struct Letter {
    dossier_id: Uuid,
    reference: String,
    email: String,
    pdf: RenderedLetter,
}

/// Where letters go: a ZIP written entry by entry, or the PDFs of a single merged PDF.
enum Sink {
    Zip(Box<zip::ZipWriter<BufWriter<std::fs::File>>>),
    Pdf(std::fs::File, Vec<(Vec<u8>, usize)>),
}

fn io_failed(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "mail merge: writing the result failed");
    AppError::Internal
}

impl Sink {
    fn add(&mut self, letter: &Letter) -> Result<(), AppError> {
        match self {
            Self::Zip(writer) => {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored);
                writer
                    .start_file(file_name(&letter.reference), options)
                    .map_err(io_failed)?;
                writer.write_all(&letter.pdf.pdf).map_err(io_failed)
            }
            Self::Pdf(_, pdfs) => {
                pdfs.push((letter.pdf.pdf.clone(), letter.pdf.pages));
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<std::fs::File, AppError> {
        match self {
            Self::Zip(writer) => {
                let mut buffered = writer.finish().map_err(io_failed)?;
                buffered.flush().map_err(io_failed)?;
                buffered.into_inner().map_err(io_failed)
            }
            Self::Pdf(mut file, pdfs) => {
                let merged = app::infra::pdf::concatenate(&pdfs).map_err(|message| {
                    tracing::error!(%message, "mail merge: the PDFs could not be joined");
                    AppError::Internal
                })?;
                file.write_all(&merged).map_err(io_failed)?;
                Ok(file)
            }
        }
    }
}

/// `courrier-2026-000123.pdf`: references are letters, digits and hyphens; anything else is
/// replaced so an entry name is never a path.
fn file_name(reference: &str) -> String {
    let safe: String = reference
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("courrier-{safe}.pdf")
}

type Batch = Result<(usize, Vec<(Uuid, MergeData)>), AppError>;

async fn produce(
    merge: &Merge,
    files: &TenantFiles,
    ids: Vec<Uuid>,
    single_pdf: bool,
) -> Result<Outcome, AppError> {
    let key = Uuid::new_v4();
    // Written locally first (a ZIP's central directory needs to seek), then uploaded whole.
    let mut spool = files.spool().await?;
    let file = spool.take().ok_or(AppError::Internal)?;
    let mut sink = Some(if single_pdf {
        Sink::Pdf(file, Vec::new())
    } else {
        Sink::Zip(Box::new(zip::ZipWriter::new(BufWriter::with_capacity(
            1 << 20,
            file,
        ))))
    });

    // The reader: merge data one batch ahead of the typesetting.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Batch>(2);
    let reader = {
        let state = merge.state.clone();
        let tenant = merge.tenant.clone();
        let head = merge.head.clone();
        let author = merge.author.clone();
        let extras = merge.extras.clone();
        tokio::spawn(async move {
            for chunk in ids.chunks(BATCH) {
                let batch = async {
                    let tx = TenantTx::begin(&state, tenant.clone()).await?;
                    let data =
                        merge_data_batch(&tx, &head, chunk, author.as_deref(), &extras).await?;
                    tx.commit().await?;
                    Ok((chunk.len(), data))
                }
                .await;
                let failed = batch.is_err();
                if sender.send(batch).await.is_err() || failed {
                    return;
                }
            }
        })
    };
    // Pipelined: while a batch is typeset on all cores, the one before it is written and
    // recorded (a transaction with a commit to wait for), so the cores never wait on either.
    let result = async {
        let mut done = 0usize;
        let mut typeset: Option<(usize, Vec<Letter>)> = None;
        loop {
            let next = receiver.recv().await.transpose()?;
            let rendering = next.map(|(count, data)| {
                let template = merge.template.clone();
                let logo = merge.head.logo.clone();
                let title = merge.template_name.clone();
                let ident = merge.id;
                let letters = tokio::task::spawn_blocking(move || {
                    render_all(&template, data, logo, &title, ident)
                });
                (count, letters)
            });
            if let Some((count, letters)) = typeset.take() {
                let mut writer = sink.take().ok_or(AppError::Internal)?;
                let (writer, letters) = tokio::task::spawn_blocking(move || {
                    for letter in &letters {
                        writer.add(letter)?;
                    }
                    Ok::<_, AppError>((writer, letters))
                })
                .await
                .map_err(|_| AppError::Internal)??;
                sink = Some(writer);
                done += count;
                if !record_batch(merge, done, &letters).await? {
                    return Ok(false);
                }
                // typst memoises every letter's layout (about 1 MB each): what the last two
                // batches did not use is dropped, so memory stays a few batches' worth; the
                // letterhead and prelude, used by every letter, stay.
                app::infra::pdf::evict_caches(2);
            }
            let Some((count, letters)) = rendering else {
                break;
            };
            let letters = letters.await.map_err(|_| AppError::Internal)??;
            typeset = Some((count, letters));
        }
        Ok::<_, AppError>(true)
    }
    .await;
    reader.abort();
    match result {
        Ok(true) => {
            let writer = sink.ok_or(AppError::Internal)?;
            let file = tokio::task::spawn_blocking(move || writer.finish())
                .await
                .map_err(|_| AppError::Internal)??;
            let size = files.put_spooled(key, spool, file).await?;
            Ok(Outcome::Done { key, size })
        }
        // Dropping the scratch file removes it.
        Ok(false) => Ok(Outcome::Cancelled),
        Err(error) => Err(error),
    }
}

/// Sizes the stacks of rayon's global pool, on which merges typeset (`render_all`); called by
/// [`crate::state`], before anything uses the pool. A letter waiting for a stream krilla
/// deflates on the other thread may run another letter of the batch on its own stack
/// meanwhile (rayon's `yield_now`), so stacks must hold a few letters' layouts nested
/// (rayon's default 2 MiB overflowed in debug builds). The space is reserved, not used.
pub(crate) fn init_rayon_pool() {
    // An error means the pool already exists (a second state in one test process): it keeps
    // the stacks the first call gave it.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .thread_name(|i| format!("typeset-{i}"))
        .build_global();
}

/// Typesets a batch on rayon's global pool (one thread per core), in the batch's order.
///
/// typst and its PDF export (krilla) run their own parallel work for a letter on the pool
/// they are called from. Letters typeset on threads of our own kept rayon's threads busy
/// beside them: four threads on two cores, the idle ones spinning for work. On the pool
/// itself, a letter's inner work is taken by whichever thread is free, and a merge runs
/// ~20 % faster (`server/benches/letters.rs`; a second, dedicated pool measured ~10 % slower
/// than the global one, unexplained).
fn render_all(
    template: &str,
    data: Vec<(Uuid, MergeData)>,
    logo: Option<Vec<u8>>,
    title: &str,
    merge_id: Uuid,
) -> Result<Vec<Letter>, AppError> {
    let now = OffsetDateTime::now_utc();
    data.par_iter()
        .map(|(dossier_id, item)| {
            let mut item = item.clone();
            item.courrier_titre = format!("{title} — dossier {}", item.dossier.reference);
            let rendered = render_letter(LetterInput {
                template,
                data: &item,
                logo: logo.clone(),
                signature: None,
                ident: format!("{merge_id}:{dossier_id}"),
                now,
            });
            rendered
                .map(|pdf| Letter {
                    dossier_id: *dossier_id,
                    reference: item.dossier.reference.clone(),
                    email: item.citoyen_courriel.clone(),
                    pdf,
                })
                .map_err(|problems| {
                    let message = problems
                        .first()
                        .map(|p| format!("ligne {}, colonne {} : {}", p.line, p.column, p.message))
                        .unwrap_or_default();
                    AppError::invalid(
                        "template",
                        s::merge_failed_letter(&item.dossier.reference, &message),
                    )
                })
        })
        .collect()
}

/// After a batch: stops if the merge was cancelled; otherwise queues the batch's emails and
/// records the progress, in one transaction. False when cancelled.
async fn record_batch(merge: &Merge, done: usize, letters: &[Letter]) -> Result<bool, AppError> {
    #[derive(FromQueryResult)]
    struct Status {
        status: String,
    }
    let tx = TenantTx::begin(&merge.state, merge.tenant.clone()).await?;
    let status: Option<Status> = tx
        .fetch_optional(
            "SELECT status FROM mail_merges WHERE id = $1 FOR UPDATE",
            vec![merge.id.into()],
        )
        .await?;
    if status.is_none_or(|s| s.status != "running") {
        tx.commit().await?;
        return Ok(false);
    }
    let (mut emails, mut no_email) = (0i32, 0i32);
    if merge.send_emails {
        let commune = merge.head.collectivite.nom.as_str();
        for letter in letters {
            if letter.email.trim().is_empty() {
                no_email += 1;
                continue;
            }
            let link = format!("{}/mes-demandes/{}", merge.head.origin, letter.reference);
            let body = s::MERGE_MAIL_BODY
                .replace("{commune}", commune)
                .replace("{reference}", &letter.reference)
                .replace("{lien}", &link);
            let mail = OutgoingMail::new(
                letter.email.trim(),
                s::merge_mail_subject(commune, &letter.reference),
                body,
            )
            .for_dossier(letter.dossier_id)
            .with_attachment(
                file_name(&letter.reference),
                "application/pdf",
                letter.pdf.pdf.clone(),
            );
            enqueue(&tx, mail).await?;
            emails += 1;
        }
    }
    tx.execute(
        "UPDATE mail_merges SET done = LEAST($2, total), emails = emails + $3,
                no_email = no_email + $4, heartbeat_at = now()
         WHERE id = $1",
        vec![
            merge.id.into(),
            (done as i32).into(),
            emails.into(),
            no_email.into(),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn entry_names_are_never_paths() {
        assert_eq!(file_name("2026-000123"), "courrier-2026-000123.pdf");
        assert_eq!(file_name("../x/y"), "courrier-___x_y.pdf");
    }
}
