//! Full-text search of dossiers: one tantivy index per tenant, on disk under
//! `<search dir>/<tenant schema>/`, fed from PostgreSQL (the source of truth) by the indexer
//! job and rebuilt from it at will.
//!
//! Invariant: a tenant's index is only reachable from a [`Tenant`] or a [`TenantTx`] (the
//! directory is named after its validated schema), so a search never reads another commune's
//! index; and the agent's rights are a clause of the query itself (the dossier's service or
//! one of its copies must be among the services the agent may read), never a filter applied
//! after the limit.
//!
//! Writers are opened lazily, one indexing thread each, and closed when idle
//! ([`SearchIndexes::close_idle`]): memory does not grow with the number of tenants. Each batch
//! of changes is committed at once and the reader reloaded, so a change is searchable as soon
//! as its batch is written. The commit's payload records when the batch's data was read from
//! PostgreSQL (the watermark), so a restarted or lagging indexer knows where to catch up from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::FromQueryResult;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, directory::MmapDirectory,
};
use uuid::Uuid;

pub mod people;

use super::db::{Queries, TenantTx};
use super::state::AppState;
use super::tenancy::Tenant;
use crate::error::{AppError, AppResult};

/// Folded, stemmed French: "Élagage des arbres" → `elag`, `de`, `arbr`.
const FRENCH: &str = "guichet_fr";
/// Folded words, not stemmed, for prefixes and typos: "Dupont" → `dupont`.
const WORDS: &str = "guichet_words";
/// The indexing arena of a writer kept open for live changes (tantivy's minimum).
const LIVE_WRITER_BYTES: usize = 15_000_000;
/// A rebuild writes many documents at once: a larger arena, fewer segments to merge.
const REBUILD_WRITER_BYTES: usize = 64_000_000;
/// Dossiers read per query during a rebuild.
const REBUILD_PAGE: u64 = 2_000;
/// Changes committed less than this before a watermark may still be missing from the index
/// (their transaction began earlier than it committed): catch-ups start this much earlier.
pub const CATCH_UP_MARGIN_MICROS: i64 = 300_000_000;

fn tantivy_error(error: tantivy::TantivyError) -> AppError {
    tracing::error!(%error, "search index");
    AppError::Internal
}

/// The index kept in `dir`, created there with `schema` if there is none yet. `what` names it
/// in the log.
fn open_on_disk(dir: &Path, schema: Schema, what: &str) -> AppResult<Index> {
    std::fs::create_dir_all(dir).map_err(io_error)?;
    let directory = MmapDirectory::open(dir).map_err(|error| {
        tracing::error!(%error, dir = %dir.display(), "{what} directory");
        AppError::Internal
    })?;
    Index::open_or_create(directory, schema).map_err(tantivy_error)
}

/// A reader reloaded only when told: after each commit, so that a search sees its own writes.
fn manual_reader(index: &Index) -> AppResult<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(tantivy_error)
}

fn io_error(error: std::io::Error) -> AppError {
    tracing::error!(%error, "search index");
    AppError::Internal
}

fn poisoned<T>(_: T) -> AppError {
    tracing::error!("search index: poisoned lock");
    AppError::Internal
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|error| {
        tracing::error!(%error, "search index: blocking task failed");
        AppError::Internal
    })?
}

pub(crate) fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::French))
        .build()
}

pub(crate) fn words() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The index's fields.
#[derive(Clone, Copy)]
struct Fields {
    /// The dossier's id, hyphenated: stored (the search's result) and the key of upserts.
    id: Field,
    /// Raw: the full reference (`2026-000123`) and its tail (`000123`).
    reference: Field,
    /// Raw, multi-valued: the dossier's service and the services it was copied to.
    services: Field,
    /// Stemmed text fields, scored separately (the citizen's name counts most).
    name: Field,
    title: Field,
    answers: Field,
    notes: Field,
    /// Every text above and the reference, folded but not stemmed: prefixes and typos.
    words: Field,
}

/// A text field indexed with `tokenizer` (registered under that name), with term frequencies
/// for scoring, not stored.
pub(crate) fn analysed_text(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = analysed_text(FRENCH);
    let plain = analysed_text(WORDS);
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        reference: builder.add_text_field("reference", STRING),
        services: builder.add_text_field("services", STRING),
        name: builder.add_text_field("name", stemmed.clone()),
        title: builder.add_text_field("title", stemmed.clone()),
        answers: builder.add_text_field("answers", stemmed.clone()),
        notes: builder.add_text_field("notes", stemmed),
        words: builder.add_text_field("words", plain),
    };
    (builder.build(), fields)
}

/// What a user typed, ready to become a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Each must match somewhere.
    pub words: Vec<PlannedWord>,
    /// Reference forms to match exactly (`2026-000123`, `000123`).
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedWord {
    /// Lowercased, without accents.
    pub folded: String,
    /// Its French stem.
    pub stem: String,
    /// Also matches the beginning of a word.
    pub prefix: bool,
    /// Also matches with one typo (insertion, deletion, substitution, transposition).
    pub fuzzy: bool,
}

const MAX_WORDS: usize = 8;

/// `2026-123` → `2026-000123`, `123` → `000123`: the forms references are indexed under.
fn reference_form(token: &str) -> Option<String> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    match token.split_once('-') {
        Some((year, number)) if year.len() == 4 && digits(year) && digits(number) => {
            Some(format!("{year}-{number:0>6}"))
        }
        None if digits(token) && token.len() >= 3 => Some(format!("{token:0>6}")),
        _ => None,
    }
}

/// Splits what the user typed into words (folded and stemmed like the index) and references.
pub fn plan(text: &str) -> Plan {
    let references = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter_map(reference_form)
        .collect();
    let mut plain = words();
    let mut stemmer = french();
    let folded = tokens(&mut plain, text);
    let count = folded.len().min(MAX_WORDS);
    let words = folded
        .into_iter()
        .take(MAX_WORDS)
        .enumerate()
        .map(|(i, folded)| {
            let stem = tokens(&mut stemmer, &folded)
                .into_iter()
                .next()
                .unwrap_or_else(|| folded.clone());
            let chars = folded.chars().count();
            let last = i + 1 == count;
            PlannedWord {
                prefix: chars >= 3 || (last && chars >= 2),
                // A typo in a word, not in a number (000124 is another dossier than 000123).
                fuzzy: chars >= 4 && folded.chars().any(char::is_alphabetic),
                stem,
                folded,
            }
        })
        .collect();
    Plan { words, references }
}

fn boosted(query: impl Query, boost: f32) -> (Occur, Box<dyn Query>) {
    (
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(query), boost)),
    )
}

/// The query for `plan`, restricted to dossiers of `services` (their service or a copy).
fn build_query(fields: &Fields, plan: &Plan, services: &[Uuid]) -> Box<dyn Query> {
    let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in &plan.words {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in [
            (fields.name, 3.0),
            (fields.title, 1.0),
            (fields.answers, 1.0),
            (fields.notes, 1.0),
        ] {
            let term = Term::from_field_text(field, &word.stem);
            any.push(boosted(
                TermQuery::new(term, IndexRecordOption::WithFreqs),
                boost,
            ));
        }
        let exact = Term::from_field_text(fields.words, &word.folded);
        any.push(boosted(
            TermQuery::new(exact.clone(), IndexRecordOption::WithFreqs),
            1.0,
        ));
        if word.prefix {
            any.push(boosted(
                FuzzyTermQuery::new_prefix(exact.clone(), 0, true),
                0.5,
            ));
        }
        if word.fuzzy {
            any.push(boosted(FuzzyTermQuery::new(exact, 1, true), 0.3));
        }
        per_word.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    let mut matches: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !per_word.is_empty() {
        matches.push((Occur::Should, Box::new(BooleanQuery::new(per_word))));
    }
    if !plan.references.is_empty() {
        let terms = plan
            .references
            .iter()
            .map(|r| Term::from_field_text(fields.reference, r));
        // Far above any text score: the dossier named by its reference comes first.
        matches.push(boosted(TermSetQuery::new(terms), 1_000.0));
    }
    let allowed = services
        .iter()
        .map(|s| Term::from_field_text(fields.services, &s.to_string()));
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(BooleanQuery::new(matches))),
        (Occur::Must, Box::new(TermSetQuery::new(allowed))),
    ]))
}

/// A dossier as indexed.
#[derive(Debug, Clone, Default)]
pub struct IndexedDossier {
    pub id: Uuid,
    pub reference: String,
    pub citizen: String,
    pub title: String,
    pub answers: String,
    pub notes: String,
    pub services: Vec<Uuid>,
}

impl IndexedDossier {
    fn document(&self, fields: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, self.id.to_string());
        doc.add_text(fields.reference, &self.reference);
        if let Some((_, tail)) = self.reference.split_once('-') {
            doc.add_text(fields.reference, tail);
        }
        for service in &self.services {
            doc.add_text(fields.services, service.to_string());
        }
        for (field, text) in [
            (fields.name, &self.citizen),
            (fields.title, &self.title),
            (fields.answers, &self.answers),
            (fields.notes, &self.notes),
            (fields.words, &self.reference),
        ] {
            if !text.is_empty() {
                doc.add_text(field, text);
                if field != fields.words {
                    doc.add_text(fields.words, text);
                }
            }
        }
        doc
    }
}

/// Every text in validated answers (a map of field code → `demarches::model::AnswerValue`,
/// externally tagged), one per line: texts, numbers, dates, choices, addresses, file names,
/// and the same inside groups. Yes/no answers say nothing searchable.
pub fn answers_text(answers: &serde_json::Value) -> String {
    use serde_json::Value as J;
    fn scalar(value: &J, out: &mut Vec<String>) {
        match value {
            J::String(s) if !s.trim().is_empty() => out.push(s.clone()),
            J::Number(n) => out.push(n.to_string()),
            _ => {}
        }
    }
    fn walk(map: &J, out: &mut Vec<String>) {
        let Some(map) = map.as_object() else { return };
        for answer in map.values() {
            let Some((tag, value)) = answer.as_object().and_then(|o| o.iter().next()) else {
                continue;
            };
            match (tag.as_str(), value) {
                ("choices", J::Array(items)) => items.iter().for_each(|v| scalar(v, out)),
                ("address", J::Object(address)) => {
                    for key in ["number", "street", "postcode", "commune"] {
                        if let Some(v) = address.get(key) {
                            scalar(v, out);
                        }
                    }
                }
                ("files", J::Array(files)) => {
                    for file in files {
                        if let Some(name) = file.get("name") {
                            scalar(name, out);
                        }
                    }
                }
                ("group", J::Array(items)) => items.iter().for_each(|item| walk(item, out)),
                ("yes_no", _) => {}
                (_, value) => scalar(value, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(answers, &mut out);
    out.join("\n")
}

#[derive(FromQueryResult)]
struct DossierRow {
    id: Uuid,
    reference: String,
    citizen_name: String,
    contact_email: Option<String>,
    answers: String,
    service_id: Uuid,
    copies: String,
    title: Option<String>,
    notes: Option<String>,
}

impl DossierRow {
    fn into_indexed(self) -> IndexedDossier {
        let answers = serde_json::from_str(&self.answers)
            .map(|v| answers_text(&v))
            .unwrap_or_default();
        let mut services = vec![self.service_id];
        services.extend(
            self.copies
                .split(',')
                .filter_map(|s| Uuid::parse_str(s.trim()).ok()),
        );
        let citizen = match self.contact_email {
            Some(email) if !email.is_empty() => format!("{}\n{email}", self.citizen_name),
            _ => self.citizen_name,
        };
        IndexedDossier {
            id: self.id,
            reference: self.reference,
            citizen,
            title: self.title.unwrap_or_default(),
            answers,
            notes: self.notes.unwrap_or_default(),
            services,
        }
    }
}

/// Personal notes are their author's alone: never indexed.
const DOSSIER_SELECT: &str = "SELECT d.id, d.reference, d.citizen_name, d.contact_email,
        d.answers::text AS answers, d.service_id,
        array_to_string(d.copy_services, ',') AS copies,
        v.document->'demarche'->>'title' AS title,
        (SELECT string_agg(n.body, E'\\n' ORDER BY n.created_at) FROM dossier_notes n
          WHERE n.dossier_id = d.id AND n.visibility IN ('service', 'citizen')) AS notes
     FROM dossiers d
     LEFT JOIN demarche_versions v ON v.demarche_id = d.demarche_id AND v.version = d.version";

#[derive(FromQueryResult)]
struct Clock {
    micros: i64,
}

/// The database's clock, in microseconds since the epoch (the watermark's unit).
async fn db_micros(tx: &TenantTx) -> AppResult<i64> {
    let clock: Option<Clock> = tx
        .fetch_optional(
            "SELECT (extract(epoch FROM now()) * 1000000)::bigint AS micros",
            vec![],
        )
        .await?;
    Ok(clock.map_or(0, |c| c.micros))
}

async fn read_dossiers(tx: &TenantTx, ids: &[Uuid]) -> AppResult<Vec<IndexedDossier>> {
    let list = ids
        .iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<DossierRow> = tx
        .fetch_all(
            &format!("{DOSSIER_SELECT} WHERE d.id = ANY(string_to_array($1, ',')::uuid[])"),
            vec![list.into()],
        )
        .await?;
    Ok(rows.into_iter().map(DossierRow::into_indexed).collect())
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

/// Dossiers changed (their row, status or notes) since `since_micros`, margin included.
pub async fn changed_since(tx: &TenantTx, since_micros: i64) -> AppResult<Vec<Uuid>> {
    let since = since_micros.saturating_sub(CATCH_UP_MARGIN_MICROS);
    let rows: Vec<IdRow> = tx
        .fetch_all(
            "SELECT d.id FROM dossiers d
             WHERE GREATEST(d.updated_at, d.status_changed_at, d.submitted_at) > to_timestamp($1::float8 / 1000000)
                OR EXISTS (SELECT 1 FROM dossier_notes n
                           WHERE n.dossier_id = d.id AND n.created_at > to_timestamp($1::float8 / 1000000))",
            vec![since.into()],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// One tenant's open index.
struct TenantIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Opened on the first write, closed when idle. Async lock: a rebuild holds it across
    /// its reads from PostgreSQL.
    writer: Arc<tokio::sync::Mutex<Option<IndexWriter>>>,
    last_write: Mutex<Instant>,
    last_use: Mutex<Instant>,
}

impl TenantIndex {
    fn open(dir: &Path) -> AppResult<Self> {
        let (schema, fields) = schema();
        Self::with_index(open_on_disk(dir, schema, "search index")?, fields)
    }

    #[cfg(test)]
    fn in_ram() -> AppResult<Self> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> AppResult<Self> {
        index.tokenizers().register(FRENCH, french());
        index.tokenizers().register(WORDS, words());
        let reader = manual_reader(&index)?;
        Ok(Self {
            index,
            reader,
            fields,
            writer: Arc::new(tokio::sync::Mutex::new(None)),
            last_write: Mutex::new(Instant::now()),
            last_use: Mutex::new(Instant::now()),
        })
    }

    fn touch(&self) {
        if let Ok(mut at) = self.last_use.lock() {
            *at = Instant::now();
        }
    }

    fn new_writer(&self, bytes: usize) -> AppResult<IndexWriter> {
        self.new_writer_raw(bytes).map_err(tantivy_error)
    }

    /// One indexing thread, one merging thread.
    fn new_writer_raw(&self, bytes: usize) -> tantivy::Result<IndexWriter> {
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(bytes)
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build();
        self.index.writer_with_options(options)
    }

    fn search(&self, text: &str, services: &[Uuid], limit: usize) -> AppResult<Vec<Uuid>> {
        self.touch();
        let plan = plan(text);
        if services.is_empty()
            || limit == 0
            || (plan.words.is_empty() && plan.references.is_empty())
        {
            return Ok(Vec::new());
        }
        let query = build_query(&self.fields, &plan, services);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(tantivy_error)?;
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
            if let Some(id) = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Upserts `docs`, deletes `gone`, commits with `watermark` and makes it all searchable.
    async fn write(
        self: &Arc<Self>,
        docs: Vec<IndexedDossier>,
        gone: Vec<Uuid>,
        watermark: i64,
    ) -> AppResult<()> {
        self.touch();
        let mut slot = self.writer.clone().lock_owned().await;
        let this = self.clone();
        blocking(move || {
            let writer = match slot.as_mut() {
                Some(writer) => writer,
                None => slot.insert(this.new_writer(LIVE_WRITER_BYTES)?),
            };
            for id in gone.iter().chain(docs.iter().map(|d| &d.id)) {
                writer.delete_term(Term::from_field_text(this.fields.id, &id.to_string()));
            }
            for doc in &docs {
                writer
                    .add_document(doc.document(&this.fields))
                    .map_err(tantivy_error)?;
            }
            let mut prepared = writer.prepare_commit().map_err(tantivy_error)?;
            prepared.set_payload(&watermark.to_string());
            prepared.commit().map_err(tantivy_error)?;
            this.reader.reload().map_err(tantivy_error)?;
            if let Ok(mut at) = this.last_write.lock() {
                *at = Instant::now();
            }
            Ok(())
        })
        .await
    }

    fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// What [`SearchIndexes::index_dossiers`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    Written,
    /// The tenant has no index (never built, or its folder was deleted): rebuild it.
    Missing,
}

/// What [`SearchIndexes::rebuild`] did.
#[derive(Debug, Clone, Copy)]
pub struct Rebuilt {
    pub dossiers: u64,
    pub elapsed: Duration,
}

/// How long an unused writer (15 MB arena, two threads) stays open.
pub const WRITER_IDLE: Duration = Duration::from_secs(30);
/// How long an unused index (a reader, its memory maps) stays open.
pub const INDEX_IDLE: Duration = Duration::from_secs(600);

/// Every tenant's index, opened on demand. Held by [`AppState`].
pub struct SearchIndexes {
    root: PathBuf,
    open: Mutex<HashMap<String, Arc<TenantIndex>>>,
    /// The people and organisations (the agents' `usagers`), in `<root>/usagers/`.
    people: people::PeopleIndexes,
}

impl SearchIndexes {
    pub fn new(root: PathBuf) -> Self {
        Self {
            people: people::PeopleIndexes::new(root.join("usagers")),
            root,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub fn people(&self) -> &people::PeopleIndexes {
        &self.people
    }

    fn dir(&self, tenant: &Tenant) -> PathBuf {
        self.root.join(tenant.schema.as_str())
    }

    /// Whether the tenant's index exists on disk (a committed one).
    pub fn exists(&self, tenant: &Tenant) -> bool {
        self.dir(tenant).join("meta.json").is_file()
    }

    fn handle(&self, tenant: &Tenant) -> AppResult<Arc<TenantIndex>> {
        let mut open = self.open.lock().map_err(poisoned)?;
        if let Some(handle) = open.get(tenant.schema.as_str()) {
            // An index whose directory was deleted is reopened (empty, until rebuilt).
            if self.exists(tenant) {
                return Ok(handle.clone());
            }
        }
        let handle = Arc::new(TenantIndex::open(&self.dir(tenant))?);
        open.insert(tenant.schema.as_str().to_owned(), handle.clone());
        Ok(handle)
    }

    /// Closes and deletes this node's indexes of `tenant` (dossiers and people): a commune
    /// that was deleted. Best effort, logged.
    pub fn remove(&self, tenant: &Tenant) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(tenant.schema.as_str());
        }
        self.people.forget_schema(tenant.schema.as_str());
        for dir in [self.dir(tenant), self.people.dir(tenant)] {
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(%error, dir = %dir.display(), "search index not removed")
                }
            }
        }
    }

    /// Deletes the index folders of schemas that are no longer tenants (communes deleted
    /// while this node was down, or by another node); `schemas` are the current tenants'.
    /// Returns how many folders went.
    pub fn sweep(&self, schemas: &std::collections::HashSet<String>) -> usize {
        let mut removed = 0;
        for root in [&self.root, &self.people.root] {
            let Ok(entries) = std::fs::read_dir(root) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // Only what a tenant's index is named: never `usagers/` or anything else.
                let is_tenant_folder = name.starts_with("tenant_")
                    && guichet_migrations::SchemaName::parse(&name).is_ok();
                if !is_tenant_folder || schemas.contains(&name) {
                    continue;
                }
                if let Ok(mut open) = self.open.lock() {
                    open.remove(&name);
                }
                self.people.forget_schema(&name);
                match std::fs::remove_dir_all(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(error) => {
                        tracing::warn!(%error, folder = %name, "stale search index not removed")
                    }
                }
            }
        }
        removed
    }

    /// Drops the tenant's open handle (its directory is gone or was replaced).
    fn forget(&self, tenant: &Tenant) -> AppResult<Option<Arc<TenantIndex>>> {
        Ok(self
            .open
            .lock()
            .map_err(poisoned)?
            .remove(tenant.schema.as_str()))
    }

    /// The dossiers of `tenant` matching `text` that are in one of `services` (their own
    /// service or a copy), best first.
    pub fn search(
        &self,
        tenant: &Tenant,
        text: &str,
        services: &[Uuid],
        limit: usize,
    ) -> AppResult<Vec<Uuid>> {
        // A tenant without an index has nothing indexed: do not create one by searching.
        if !self.exists(tenant) {
            return Ok(Vec::new());
        }
        self.handle(tenant)?.search(text, services, limit)
    }

    /// Reads `ids` in the tenant's transaction and upserts them (deletes those that are gone),
    /// searchable on return. A tenant without an index is left alone
    /// ([`Indexed::Missing`]): an index holding only the latest changes would pass for
    /// complete; the caller rebuilds it instead.
    pub async fn index_dossiers(&self, tx: &TenantTx, ids: &[Uuid]) -> AppResult<Indexed> {
        if !self.exists(tx.tenant()) {
            return Ok(Indexed::Missing);
        }
        if ids.is_empty() {
            return Ok(Indexed::Written);
        }
        let watermark = db_micros(tx).await?;
        let docs = read_dossiers(tx, ids).await?;
        let gone = ids
            .iter()
            .filter(|id| !docs.iter().any(|d| d.id == **id))
            .copied()
            .collect();
        self.handle(tx.tenant())?
            .write(docs, gone, watermark)
            .await?;
        Ok(Indexed::Written)
    }

    pub async fn index_dossier(&self, tx: &TenantTx, id: Uuid) -> AppResult<Indexed> {
        self.index_dossiers(tx, &[id]).await
    }

    /// When the tenant's index last read its changes from PostgreSQL (microseconds since the
    /// epoch, database clock); `None` if it has no index yet.
    /// Read from `meta.json` without opening the index, so a start-up catch-up over many
    /// tenants does not keep them all open.
    pub fn watermark(&self, tenant: &Tenant) -> AppResult<Option<i64>> {
        let Ok(meta) = std::fs::read_to_string(self.dir(tenant).join("meta.json")) else {
            return Ok(None);
        };
        let meta: serde_json::Value = serde_json::from_str(&meta).map_err(|error| {
            tracing::error!(%error, tenant = %tenant.slug, "search index meta.json");
            AppError::Internal
        })?;
        Ok(meta
            .get("payload")
            .and_then(|p| p.as_str())
            .and_then(|p| p.parse().ok()))
    }

    /// Closes the tenant's index if nothing is writing to it (reopened on next use).
    pub fn close(&self, tenant: &Tenant) -> AppResult<()> {
        let mut open = self.open.lock().map_err(poisoned)?;
        let idle = open
            .get(tenant.schema.as_str())
            .is_some_and(|h| h.writer.try_lock().is_ok_and(|w| w.is_none()));
        if idle {
            open.remove(tenant.schema.as_str());
        }
        Ok(())
    }

    /// Dossiers in the tenant's index.
    pub fn count(&self, tenant: &Tenant) -> AppResult<u64> {
        Ok(self.handle(tenant)?.num_docs())
    }

    /// Rebuilds the tenant's index from PostgreSQL. Readers see the old index until the new
    /// one is committed, in one step; live changes wait for the writer meanwhile.
    pub async fn rebuild(&self, state: &AppState, tenant: Arc<Tenant>) -> AppResult<Rebuilt> {
        let started = Instant::now();
        let dir = self.dir(&tenant);
        if !dir.join("meta.json").is_file() {
            // Deleted under us, or never built: start from an empty directory.
            self.forget(&tenant)?;
        }
        let handle = self.handle(&tenant)?;
        let mut slot = handle.writer.clone().lock_owned().await;
        if let Some(live) = slot.take() {
            blocking(move || {
                drop(live);
                Ok(())
            })
            .await?;
        }
        // Another process (a server, while `guichet reindex` runs) may hold the writer: it
        // closes it when idle, so wait for it a while.
        let deadline = Instant::now() + Duration::from_secs(90);
        let mut writer = loop {
            let attempt = {
                let handle = handle.clone();
                blocking(move || match handle.new_writer_raw(REBUILD_WRITER_BYTES) {
                    Ok(writer) => {
                        writer.delete_all_documents().map_err(tantivy_error)?;
                        Ok(Some(writer))
                    }
                    Err(tantivy::TantivyError::LockFailure(..)) => Ok(None),
                    Err(error) => Err(tantivy_error(error)),
                })
                .await?
            };
            match attempt {
                Some(writer) => break writer,
                None if Instant::now() < deadline => {
                    tracing::info!(tenant = %tenant.slug, "search index busy; waiting for its writer");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                None => {
                    tracing::error!(tenant = %tenant.slug, "search index writer still busy");
                    return Err(AppError::Internal);
                }
            }
        };
        let tx = TenantTx::begin(state, tenant.clone()).await?;
        let watermark = db_micros(&tx).await?;
        let mut after = Uuid::nil();
        let mut count = 0u64;
        loop {
            let rows: Vec<DossierRow> = tx
                .fetch_all(
                    &format!("{DOSSIER_SELECT} WHERE d.id > $1 ORDER BY d.id LIMIT {REBUILD_PAGE}"),
                    vec![after.into()],
                )
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let docs: Vec<IndexedDossier> =
                rows.into_iter().map(DossierRow::into_indexed).collect();
            count += docs.len() as u64;
            let fields = handle.fields;
            writer = blocking(move || {
                for doc in &docs {
                    writer
                        .add_document(doc.document(&fields))
                        .map_err(tantivy_error)?;
                }
                Ok(writer)
            })
            .await?;
        }
        tx.commit().await?;
        let reader_handle = handle.clone();
        blocking(move || {
            let mut prepared = writer.prepare_commit().map_err(tantivy_error)?;
            prepared.set_payload(&watermark.to_string());
            prepared.commit().map_err(tantivy_error)?;
            // Fold the rebuild's segments now rather than in the first live writer.
            writer.wait_merging_threads().map_err(tantivy_error)?;
            reader_handle.reader.reload().map_err(tantivy_error)?;
            Ok(())
        })
        .await?;
        drop(slot);
        tracing::info!(tenant = %tenant.slug, dossiers = count, "search index rebuilt");
        Ok(Rebuilt {
            dossiers: count,
            elapsed: started.elapsed(),
        })
    }

    /// Re-reads the tenant's index from disk (another process rebuilt it).
    pub fn reload(&self, tenant: &Tenant) -> AppResult<()> {
        if let Some(handle) = self
            .open
            .lock()
            .map_err(poisoned)?
            .get(tenant.schema.as_str())
        {
            handle.reader.reload().map_err(tantivy_error)?;
        }
        Ok(())
    }

    /// Closes writers unused for [`WRITER_IDLE`] and indexes unused for [`INDEX_IDLE`].
    /// Returns how many writers are still open.
    pub async fn close_idle(&self) -> usize {
        self.people.close_idle_writers(WRITER_IDLE).await;
        self.close_idle_after(WRITER_IDLE, INDEX_IDLE).await
    }

    /// [`Self::close_idle`] with other delays.
    pub async fn close_idle_after(&self, writer_idle: Duration, index_idle: Duration) -> usize {
        let handles: Vec<(String, Arc<TenantIndex>)> = match self.open.lock() {
            Ok(open) => open.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(_) => return 0,
        };
        let mut writers = 0;
        for (schema, handle) in handles {
            let idle_write = handle
                .last_write
                .lock()
                .map(|at| at.elapsed())
                .unwrap_or_default();
            let idle_use = handle
                .last_use
                .lock()
                .map(|at| at.elapsed())
                .unwrap_or_default();
            if let Ok(mut slot) = handle.writer.clone().try_lock_owned() {
                if slot.is_some() && idle_write >= writer_idle {
                    let writer = slot.take();
                    let _ = blocking(move || {
                        if let Some(writer) = writer {
                            // Uncommitted work: none (every write commits).
                            let _ = writer.wait_merging_threads();
                        }
                        Ok(())
                    })
                    .await;
                }
                if slot.is_some() {
                    writers += 1;
                } else if idle_use >= index_idle
                    && idle_write >= index_idle
                    && let Ok(mut open) = self.open.lock()
                {
                    open.remove(&schema);
                }
            } else {
                writers += 1;
            }
        }
        writers
    }

    /// How many tenant indexes and writers are open (for logs and tests).
    pub fn open_counts(&self) -> (usize, usize) {
        match self.open.lock() {
            Ok(open) => {
                let writers = open
                    .values()
                    .filter(|h| h.writer.try_lock().map(|w| w.is_some()).unwrap_or(true))
                    .count();
                (open.len(), writers)
            }
            Err(_) => (0, 0),
        }
    }

    /// Bytes on disk of the tenant's index.
    pub fn disk_size(&self, tenant: &Tenant) -> u64 {
        std::fs::read_dir(self.dir(tenant))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dossier(reference: &str, citizen: &str, answers: &str, service: Uuid) -> IndexedDossier {
        IndexedDossier {
            id: Uuid::new_v4(),
            reference: reference.to_owned(),
            citizen: citizen.to_owned(),
            title: "Demande d'autorisation".to_owned(),
            answers: answers.to_owned(),
            notes: String::new(),
            services: vec![service],
        }
    }

    fn index_of(docs: &[IndexedDossier]) -> TenantIndex {
        let index = TenantIndex::in_ram().unwrap();
        let mut writer = index.new_writer(LIVE_WRITER_BYTES).unwrap();
        for doc in docs {
            writer.add_document(doc.document(&index.fields)).unwrap();
        }
        writer.commit().unwrap();
        index.reader.reload().unwrap();
        index
    }

    #[test]
    fn words_are_folded_and_stemmed_like_the_index() {
        let plan = plan("Élagage des ARBRES");
        let folded: Vec<_> = plan.words.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["elagage", "des", "arbres"]);
        assert_eq!(plan.words[2].stem, tokens(&mut french(), "arbre")[0]);
        assert!(plan.words[0].fuzzy && !plan.words[1].fuzzy);
        assert!(plan.words[1].prefix, "3 letters take a prefix");
        assert!(plan.references.is_empty());
    }

    #[test]
    fn references_are_recognised_in_full_or_by_their_number() {
        assert_eq!(plan("2026-000123").references, ["2026-000123"]);
        assert_eq!(plan("2026-123").references, ["2026-000123"]);
        assert_eq!(plan("dossier 000123").references, ["000123"]);
        assert!(plan("12 rue").references.is_empty());
    }

    #[test]
    fn answers_text_keeps_the_words_and_drops_file_ids() {
        let answers = serde_json::json!({
            "objet": {"text": "Élagage des arbres"},
            "nombre": {"integer": 3},
            "adresse": {"address": {"number": "12", "street": "rue des Lilas", "postcode": "44800", "commune": "Saint-Herblain"}},
            "photo": {"files": [{"id": "0a1b", "name": "platane.jpg", "size": 10, "content_type": "image/jpeg"}]},
            "enfants": {"group": [{"prenom": {"text": "Léa"}}]},
            "id": {"text": "Un champ nommé id"},
            "accord": {"yes_no": true}
        });
        let text = answers_text(&answers);
        for expected in [
            "Élagage des arbres",
            "3",
            "rue des Lilas",
            "platane.jpg",
            "Léa",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert!(!text.contains("0a1b") && !text.contains("image/jpeg") && !text.contains("true"));
    }

    #[test]
    fn typos_prefixes_stems_and_references_find_the_dossier() {
        let service = Uuid::new_v4();
        let dupont = dossier("2026-000123", "Marie Dupont", "Élagage des arbres", service);
        let other = dossier("2026-000124", "Jean Martin", "Trottoir abîmé", service);
        let index = index_of(&[dupont.clone(), other.clone()]);
        for text in [
            "dupond",
            "dupon",
            "DUPONT",
            "marie dupon",
            "arbres",
            "elagages arbre",
            "2026-000123",
            "000123",
        ] {
            let found = index.search(text, &[service], 10).unwrap();
            assert_eq!(found.first(), Some(&dupont.id), "{text}");
        }
        let found = index.search("trottoir", &[service], 10).unwrap();
        assert_eq!(found, [other.id]);
        assert!(
            index
                .search("dupont martin", &[service], 10)
                .unwrap()
                .is_empty(),
            "every word must match"
        );
    }

    #[test]
    fn the_reference_ranks_before_dossiers_that_mention_its_number() {
        let service = Uuid::new_v4();
        let mentions = dossier(
            "2026-000001",
            "Paul Durand",
            "Suite au dossier 2026-000050",
            service,
        );
        let named = dossier("2026-000050", "Luc Petit", "Voirie", service);
        let index = index_of(&[mentions.clone(), named.clone()]);
        let found = index.search("2026-000050", &[service], 10).unwrap();
        assert_eq!(found.first(), Some(&named.id));
    }

    #[test]
    fn only_dossiers_of_the_given_services_or_copied_to_them_are_found() {
        let (mine, theirs, copied_to_me) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let visible = dossier("2026-000001", "Anne Dupont", "", mine);
        let hidden = dossier("2026-000002", "Bruno Dupont", "", theirs);
        let mut copied = dossier("2026-000003", "Chloé Dupont", "", theirs);
        copied.services.push(copied_to_me);
        let index = index_of(&[visible.clone(), hidden.clone(), copied.clone()]);
        let mut found = index.search("dupont", &[mine, copied_to_me], 10).unwrap();
        found.sort();
        let mut expected = vec![visible.id, copied.id];
        expected.sort();
        assert_eq!(found, expected);
        assert!(index.search("dupont", &[], 10).unwrap().is_empty());
        assert!(index.search("2026-000002", &[mine], 10).unwrap().is_empty());
    }
}
