//! Search of the people and organisations a commune knows (the agents' `/back-office/usagers`):
//! one tantivy index per tenant, under `<search dir>/usagers/<tenant schema>/`, fed from
//! PostgreSQL and rebuilt from it at will — the dossier index's building blocks (the same
//! folding, typo tolerance, query plan, writer handling) on other documents.
//!
//! Invariant: as for dossiers, a tenant's index is only reachable from its [`Tenant`] or
//! [`TenantTx`], and what an agent may see is a clause of the query (the services of the
//! person's dossiers, or "met at the counter"), never a filter applied after the limit.
//! Callers still read the lines back from PostgreSQL with the rights checked again: the index
//! may lag a moment behind a merge or a new dossier, never show more.
//!
//! Kept current: on write by the usagers service (a person created or edited is searchable on
//! return), by the search indexer when dossiers change (their owners and beneficiaries get
//! their services anew) and, for records changed by other features (an account's person, a
//! household member), by the indexer's periodic catch-up from the index's watermark.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::FromQueryResult;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};
use uuid::Uuid;

use super::{
    CATCH_UP_MARGIN_MICROS, Indexed, LIVE_WRITER_BYTES, REBUILD_WRITER_BYTES, WORDS, analysed_text,
    blocking, boosted, db_micros, manual_reader, open_on_disk, plan, poisoned, tantivy_error,
    words,
};
use crate::error::AppResult;
use crate::infra::db::{Queries, TenantTx};
use crate::infra::state::AppState;
use crate::infra::tenancy::Tenant;

/// The scope term of records an agent created at the counter: every agent may find them.
pub const COUNTER: &str = "guichet";
/// Records read per query during a rebuild.
const REBUILD_PAGE: u64 = 5_000;

/// What a search result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Person,
    Organisation,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Person => "p",
            Self::Organisation => "o",
        }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    /// `p:<uuid>` or `o:<uuid>`: stored, the key of upserts.
    key: Field,
    /// Folded names (given, birth and usage names; an organisation's name): typos, prefixes.
    names: Field,
    /// Raw identifiers: ISO birth date, lowercased e-mail, phone digits, SIRET, SIREN, RNA.
    exact: Field,
    /// Raw, multi-valued: the services of the record's dossiers, and [`COUNTER`].
    scope: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        names: builder.add_text_field("names", analysed_text(WORDS)),
        exact: builder.add_text_field("exact", STRING),
        scope: builder.add_text_field("scope", STRING),
    };
    (builder.build(), fields)
}

/// A French phone number as its national digits: `+33 6 12 34 56 78` → `0612345678`.
pub fn phone_digits(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix("33") {
        Some(rest) if text.trim_start().starts_with('+') && rest.len() == 9 => format!("0{rest}"),
        _ if text.trim_start().starts_with("0033") && digits.len() == 13 => {
            format!("0{}", &digits[4..])
        }
        _ => digits,
    };
    (national.len() >= 6).then_some(national)
}

/// `14/03/1985` or `1985-03-14` → `1985-03-14`.
pub fn iso_date(token: &str) -> Option<String> {
    let parts: Vec<&str> = token.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return None;
    }
    let (year, month, day) = if a.len() == 4 {
        (*a, *b, *c)
    } else if c.len() == 4 {
        (*c, *b, *a)
    } else {
        return None;
    };
    let (month, day): (u8, u8) = (month.parse().ok()?, day.parse().ok()?);
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year}-{month:02}-{day:02}"))
}

/// What a user typed, split into identifiers to match exactly and name words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PeoplePlan {
    pub exact: Vec<String>,
    pub names: Vec<super::PlannedWord>,
}

/// Dates, e-mails, phone numbers (spaces allowed), SIRET/SIREN/RNA; the rest are names.
pub fn people_plan(text: &str) -> PeoplePlan {
    let text = text.trim();
    // A date first: "1985-03-14" would otherwise read as the digits of a phone number.
    if let Some(date) = iso_date(text) {
        return PeoplePlan {
            exact: vec![date],
            names: Vec::new(),
        };
    }
    // A number typed in groups ("06 12 34 56 78", "214 401 622 00011") is one identifier.
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
        .collect();
    if compact.len() >= 6
        && compact
            .trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        let digits = compact.trim_start_matches('+').to_owned();
        let exact = if matches!(digits.len(), 9 | 14) && !text.starts_with('+') {
            vec![digits]
        } else {
            phone_digits(text).into_iter().collect()
        };
        return PeoplePlan {
            exact,
            names: Vec::new(),
        };
    }
    let mut exact = Vec::new();
    let mut rest = Vec::new();
    for token in text.split_whitespace() {
        if let Some(date) = iso_date(token) {
            exact.push(date);
        } else if token.contains('@') {
            exact.push(token.to_lowercase());
        } else if let Ok(rna) = crate::people::model::check_rna(token) {
            exact.push(rna);
        } else {
            rest.push(token);
        }
    }
    PeoplePlan {
        exact,
        names: plan(&rest.join(" ")).words,
    }
}

fn build_query(fields: &Fields, plan: &PeoplePlan, scope: Option<&[String]>) -> Box<dyn Query> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for value in &plan.exact {
        must.push((
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.exact, value),
                IndexRecordOption::Basic,
            )),
        ));
    }
    for word in &plan.names {
        let term = Term::from_field_text(fields.names, &word.folded);
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![boosted(
            TermQuery::new(term.clone(), IndexRecordOption::WithFreqs),
            2.0,
        )];
        if word.prefix {
            any.push(boosted(
                FuzzyTermQuery::new_prefix(term.clone(), 0, true),
                1.0,
            ));
        }
        if word.fuzzy {
            any.push(boosted(FuzzyTermQuery::new(term, 1, true), 0.5));
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    if let Some(scope) = scope {
        let terms = scope.iter().map(|s| Term::from_field_text(fields.scope, s));
        must.push((Occur::Must, Box::new(TermSetQuery::new(terms))));
    }
    Box::new(BooleanQuery::new(must))
}

/// A person or an organisation as indexed.
#[derive(Debug, Clone, Default)]
pub struct IndexedRecord {
    pub id: Uuid,
    pub organisation: bool,
    pub names: Vec<String>,
    pub exact: Vec<String>,
    pub scope: Vec<String>,
}

impl IndexedRecord {
    fn kind(&self) -> Kind {
        if self.organisation {
            Kind::Organisation
        } else {
            Kind::Person
        }
    }

    fn key(&self) -> String {
        key(self.kind(), self.id)
    }

    fn document(&self, fields: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.key, self.key());
        for name in self.names.iter().filter(|n| !n.trim().is_empty()) {
            doc.add_text(fields.names, name);
        }
        for value in self.exact.iter().filter(|v| !v.is_empty()) {
            doc.add_text(fields.exact, value);
        }
        for scope in &self.scope {
            doc.add_text(fields.scope, scope);
        }
        doc
    }
}

fn key(kind: Kind, id: Uuid) -> String {
    format!("{}:{id}", kind.as_str())
}

fn parse_key(key: &str) -> Option<(Kind, Uuid)> {
    let (kind, id) = key.split_once(':')?;
    let kind = match kind {
        "p" => Kind::Person,
        "o" => Kind::Organisation,
        _ => return None,
    };
    Some((kind, Uuid::parse_str(id).ok()?))
}

#[derive(FromQueryResult)]
struct PersonRow {
    id: Uuid,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
    birth_date: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    merged: bool,
    counter: bool,
    services: Option<String>,
}

impl PersonRow {
    /// `None`: a merged record, not listed.
    fn into_indexed(self) -> Option<IndexedRecord> {
        if self.merged {
            return None;
        }
        let mut exact = Vec::new();
        exact.extend(self.birth_date);
        exact.extend(self.email.map(|e| e.trim().to_lowercase()));
        exact.extend(self.phone.as_deref().and_then(phone_digits));
        Some(IndexedRecord {
            id: self.id,
            organisation: false,
            names: [
                Some(self.given_names),
                Some(self.birth_name),
                self.usage_name,
            ]
            .into_iter()
            .flatten()
            .collect(),
            exact,
            scope: scope_of(self.counter, self.services.as_deref()),
        })
    }
}

fn scope_of(counter: bool, services: Option<&str>) -> Vec<String> {
    let mut scope: Vec<String> = services
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if counter {
        scope.push(COUNTER.to_owned());
    }
    scope
}

/// The services of the person's dossiers (as owner through their account, or beneficiary)
/// and of their copies; whether an agent created the record.
const PERSON_SELECT: &str = "SELECT p.id, p.given_names, p.birth_name, p.usage_name,
        p.birth_date::text AS birth_date, p.email, p.phone,
        p.merged_into IS NOT NULL AS merged,
        EXISTS (SELECT 1 FROM users u WHERE u.id = p.created_by AND u.kind = 'agent') AS counter,
        (SELECT string_agg(DISTINCT s::text, ',') FROM (
            SELECT unnest(array_append(d.copy_services, d.service_id)) AS s
              FROM dossiers d WHERE d.user_id = p.account_id
            UNION
            SELECT unnest(array_append(d.copy_services, d.service_id))
              FROM dossiers d WHERE d.beneficiary_person_id = p.id) x) AS services
     FROM people p";

#[derive(FromQueryResult)]
struct OrganisationRow {
    id: Uuid,
    name: String,
    siret: Option<String>,
    siren: Option<String>,
    rna: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    counter: bool,
    services: Option<String>,
}

impl OrganisationRow {
    fn into_indexed(self) -> IndexedRecord {
        let mut exact = Vec::new();
        exact.extend(self.siret);
        exact.extend(self.siren);
        exact.extend(self.rna);
        exact.extend(self.email.map(|e| e.trim().to_lowercase()));
        exact.extend(self.phone.as_deref().and_then(phone_digits));
        IndexedRecord {
            id: self.id,
            organisation: true,
            names: vec![self.name],
            exact,
            scope: scope_of(self.counter, self.services.as_deref()),
        }
    }
}

const ORGANISATION_SELECT: &str = "SELECT o.id, o.name, o.siret, o.siren, o.rna, o.email, o.phone,
        EXISTS (SELECT 1 FROM users u WHERE u.id = o.created_by AND u.kind = 'agent') AS counter,
        (SELECT string_agg(DISTINCT s::text, ',') FROM (
            SELECT unnest(array_append(d.copy_services, d.service_id)) AS s
              FROM dossiers d WHERE d.beneficiary_organisation_id = o.id) x) AS services
     FROM organisations o";

fn id_list(ids: &[Uuid]) -> String {
    ids.iter()
        .map(Uuid::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

async fn read_people(tx: &TenantTx, ids: &[Uuid]) -> AppResult<Vec<PersonRow>> {
    tx.fetch_all(
        &format!("{PERSON_SELECT} WHERE p.id = ANY(string_to_array($1, ',')::uuid[])"),
        vec![id_list(ids).into()],
    )
    .await
}

async fn read_organisations(tx: &TenantTx, ids: &[Uuid]) -> AppResult<Vec<OrganisationRow>> {
    tx.fetch_all(
        &format!("{ORGANISATION_SELECT} WHERE o.id = ANY(string_to_array($1, ',')::uuid[])"),
        vec![id_list(ids).into()],
    )
    .await
}

#[derive(FromQueryResult)]
struct IdRow {
    id: Uuid,
}

/// The people linked to `dossiers` (their owners' records and their beneficiaries) and the
/// organisations they were filed for.
async fn linked_to_dossiers(tx: &TenantTx, dossiers: &[Uuid]) -> AppResult<(Vec<Uuid>, Vec<Uuid>)> {
    let list = id_list(dossiers);
    let people: Vec<IdRow> = tx
        .fetch_all(
            "SELECT p.id FROM dossiers d JOIN people p ON p.account_id = d.user_id
              WHERE d.id = ANY(string_to_array($1, ',')::uuid[])
             UNION
             SELECT d.beneficiary_person_id FROM dossiers d
              WHERE d.id = ANY(string_to_array($1, ',')::uuid[]) AND d.beneficiary_person_id IS NOT NULL",
            vec![list.clone().into()],
        )
        .await?;
    let organisations: Vec<IdRow> = tx
        .fetch_all(
            "SELECT d.beneficiary_organisation_id AS id FROM dossiers d
              WHERE d.id = ANY(string_to_array($1, ',')::uuid[]) AND d.beneficiary_organisation_id IS NOT NULL",
            vec![list.into()],
        )
        .await?;
    Ok((
        people.into_iter().map(|r| r.id).collect(),
        organisations.into_iter().map(|r| r.id).collect(),
    ))
}

/// One tenant's open index.
struct PeopleIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: Arc<tokio::sync::Mutex<Option<IndexWriter>>>,
    last_write: Mutex<Instant>,
    /// The last commit's watermark, written again by commits that do not move it (a commit
    /// without a payload would lose it).
    watermark: Mutex<Option<i64>>,
}

impl PeopleIndex {
    fn open(dir: &Path) -> AppResult<Self> {
        let (schema, fields) = schema();
        Self::with_index(open_on_disk(dir, schema, "people index")?, fields)
    }

    #[cfg(test)]
    fn in_ram() -> AppResult<Self> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> AppResult<Self> {
        index.tokenizers().register(WORDS, words());
        let reader = manual_reader(&index)?;
        let watermark = index
            .load_metas()
            .ok()
            .and_then(|metas| metas.payload)
            .and_then(|payload| payload.parse().ok());
        Ok(Self {
            index,
            reader,
            fields,
            writer: Arc::new(tokio::sync::Mutex::new(None)),
            last_write: Mutex::new(Instant::now()),
            watermark: Mutex::new(watermark),
        })
    }

    fn new_writer(&self, bytes: usize) -> AppResult<IndexWriter> {
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(bytes)
            .num_worker_threads(1)
            .num_merge_threads(1)
            .build();
        self.index
            .writer_with_options(options)
            .map_err(tantivy_error)
    }

    fn search(
        &self,
        text: &str,
        scope: Option<&[String]>,
        limit: usize,
    ) -> AppResult<Vec<(Kind, Uuid)>> {
        let plan = people_plan(text);
        if limit == 0
            || (plan.exact.is_empty() && plan.names.is_empty())
            || scope.is_some_and(<[String]>::is_empty)
        {
            return Ok(Vec::new());
        }
        let query = build_query(&self.fields, &plan, scope);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(tantivy_error)?;
        let mut found = Vec::with_capacity(top.len());
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
            if let Some(hit) = doc
                .get_first(self.fields.key)
                .and_then(|v| v.as_str())
                .and_then(parse_key)
            {
                found.push(hit);
            }
        }
        Ok(found)
    }

    /// Upserts `docs`, deletes `gone`, commits (with `watermark` if given) and reloads.
    async fn write(
        self: &Arc<Self>,
        docs: Vec<IndexedRecord>,
        gone: Vec<String>,
        watermark: Option<i64>,
    ) -> AppResult<()> {
        let mut slot = self.writer.clone().lock_owned().await;
        let this = self.clone();
        blocking(move || {
            let writer = match slot.as_mut() {
                Some(writer) => writer,
                None => slot.insert(this.new_writer(LIVE_WRITER_BYTES)?),
            };
            for key in gone
                .iter()
                .cloned()
                .chain(docs.iter().map(IndexedRecord::key))
            {
                writer.delete_term(Term::from_field_text(this.fields.key, &key));
            }
            for doc in &docs {
                writer
                    .add_document(doc.document(&this.fields))
                    .map_err(tantivy_error)?;
            }
            let payload = {
                let mut kept = this.watermark.lock().map_err(poisoned)?;
                if watermark.is_some() {
                    *kept = watermark;
                }
                *kept
            };
            let mut prepared = writer.prepare_commit().map_err(tantivy_error)?;
            if let Some(payload) = payload {
                prepared.set_payload(&payload.to_string());
            }
            prepared.commit().map_err(tantivy_error)?;
            this.reader.reload().map_err(tantivy_error)?;
            if let Ok(mut at) = this.last_write.lock() {
                *at = Instant::now();
            }
            Ok(())
        })
        .await
    }
}

/// What [`PeopleIndexes::rebuild`] did.
#[derive(Debug, Clone, Copy)]
pub struct RebuiltPeople {
    pub records: u64,
    pub elapsed: Duration,
}

/// Every tenant's people index, opened on demand. Held by the dossiers' `SearchIndexes`.
pub struct PeopleIndexes {
    pub(super) root: PathBuf,
    open: Mutex<HashMap<String, Arc<PeopleIndex>>>,
}

impl PeopleIndexes {
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn dir(&self, tenant: &Tenant) -> PathBuf {
        self.root.join(tenant.schema.as_str())
    }

    /// Drops a schema's open handle (its directory is about to go).
    pub(super) fn forget_schema(&self, schema: &str) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(schema);
        }
    }

    pub fn exists(&self, tenant: &Tenant) -> bool {
        self.dir(tenant).join("meta.json").is_file()
    }

    fn handle(&self, tenant: &Tenant) -> AppResult<Arc<PeopleIndex>> {
        let mut open = self.open.lock().map_err(poisoned)?;
        if let Some(handle) = open.get(tenant.schema.as_str())
            && self.exists(tenant)
        {
            return Ok(handle.clone());
        }
        let handle = Arc::new(PeopleIndex::open(&self.dir(tenant))?);
        open.insert(tenant.schema.as_str().to_owned(), handle.clone());
        Ok(handle)
    }

    /// The people and organisations of `tenant` matching `text`, best first; `scope`: the
    /// agent's services and [`COUNTER`] (`None`: every record, for managers and admins).
    pub fn search(
        &self,
        tenant: &Tenant,
        text: &str,
        scope: Option<&[String]>,
        limit: usize,
    ) -> AppResult<Vec<(Kind, Uuid)>> {
        if !self.exists(tenant) {
            return Ok(Vec::new());
        }
        self.handle(tenant)?.search(text, scope, limit)
    }

    /// Reads the people `ids` in the tenant's transaction and upserts them (merged or gone:
    /// removed), searchable on return. A tenant without an index is left alone
    /// ([`Indexed::Missing`]): the caller builds it whole.
    pub async fn index_people(&self, tx: &TenantTx, ids: &[Uuid]) -> AppResult<Indexed> {
        self.index(tx, ids, &[]).await
    }

    /// The people and organisations linked to `dossiers`, indexed anew (their services).
    pub async fn index_for_dossiers(&self, tx: &TenantTx, dossiers: &[Uuid]) -> AppResult<Indexed> {
        if dossiers.is_empty() || !self.exists(tx.tenant()) {
            return Ok(if self.exists(tx.tenant()) {
                Indexed::Written
            } else {
                Indexed::Missing
            });
        }
        let (people, organisations) = linked_to_dossiers(tx, dossiers).await?;
        self.index(tx, &people, &organisations).await
    }

    async fn index(
        &self,
        tx: &TenantTx,
        people: &[Uuid],
        organisations: &[Uuid],
    ) -> AppResult<Indexed> {
        if !self.exists(tx.tenant()) {
            return Ok(Indexed::Missing);
        }
        if people.is_empty() && organisations.is_empty() {
            return Ok(Indexed::Written);
        }
        let mut docs: Vec<IndexedRecord> = read_people(tx, people)
            .await?
            .into_iter()
            .filter_map(PersonRow::into_indexed)
            .collect();
        docs.extend(
            read_organisations(tx, organisations)
                .await?
                .into_iter()
                .map(OrganisationRow::into_indexed),
        );
        // Merged or deleted records go; the others are replaced by their fresh documents.
        let gone = people
            .iter()
            .map(|id| key(Kind::Person, *id))
            .chain(organisations.iter().map(|id| key(Kind::Organisation, *id)))
            .collect();
        self.handle(tx.tenant())?.write(docs, gone, None).await?;
        Ok(Indexed::Written)
    }

    /// When the tenant's index last read PostgreSQL whole or caught up (microseconds, database
    /// clock); `None` without an index.
    pub fn watermark(&self, tenant: &Tenant) -> AppResult<Option<i64>> {
        if !self.exists(tenant) {
            return Ok(None);
        }
        let handle = self.handle(tenant)?;
        let watermark = *handle.watermark.lock().map_err(poisoned)?;
        Ok(watermark)
    }

    /// Indexes anew the people and organisations changed since the index's watermark (less
    /// `margin_micros`, for transactions that committed after it), and moves the watermark.
    /// Returns how many were read; `None` without an index.
    pub async fn catch_up(&self, tx: &TenantTx, margin_micros: i64) -> AppResult<Option<usize>> {
        let Some(since) = self.watermark(tx.tenant())? else {
            return Ok(None);
        };
        let now = db_micros(tx).await?;
        let since = since.saturating_sub(margin_micros);
        let people: Vec<IdRow> = tx
            .fetch_all(
                "SELECT id FROM people WHERE updated_at > to_timestamp($1::float8 / 1000000)",
                vec![since.into()],
            )
            .await?;
        let organisations: Vec<IdRow> = tx
            .fetch_all(
                "SELECT id FROM organisations WHERE created_at > to_timestamp($1::float8 / 1000000)",
                vec![since.into()],
            )
            .await?;
        let people: Vec<Uuid> = people.into_iter().map(|r| r.id).collect();
        let organisations: Vec<Uuid> = organisations.into_iter().map(|r| r.id).collect();
        let read = people.len() + organisations.len();
        let handle = self.handle(tx.tenant())?;
        let mut docs: Vec<IndexedRecord> = Vec::new();
        let mut gone = Vec::new();
        for chunk in people.chunks(1_000) {
            docs.extend(
                read_people(tx, chunk)
                    .await?
                    .into_iter()
                    .filter_map(PersonRow::into_indexed),
            );
            gone.extend(chunk.iter().map(|id| key(Kind::Person, *id)));
        }
        for chunk in organisations.chunks(1_000) {
            docs.extend(
                read_organisations(tx, chunk)
                    .await?
                    .into_iter()
                    .map(OrganisationRow::into_indexed),
            );
        }
        if docs.is_empty() && gone.is_empty() {
            // Nothing to write: no commit, the next one records the watermark.
            *handle.watermark.lock().map_err(poisoned)? = Some(now);
        } else {
            handle.write(docs, gone, Some(now)).await?;
        }
        Ok(Some(read))
    }

    /// [`Self::catch_up`] with the margin a restarted process needs.
    pub async fn catch_up_after_restart(&self, tx: &TenantTx) -> AppResult<Option<usize>> {
        self.catch_up(tx, CATCH_UP_MARGIN_MICROS).await
    }

    /// Builds the tenant's index anew from PostgreSQL; readers see the old one until the new
    /// one is committed.
    pub async fn rebuild(&self, state: &AppState, tenant: Arc<Tenant>) -> AppResult<RebuiltPeople> {
        let started = Instant::now();
        if !self.exists(&tenant) {
            self.open
                .lock()
                .map_err(poisoned)?
                .remove(tenant.schema.as_str());
        }
        let handle = self.handle(&tenant)?;
        let mut slot = handle.writer.clone().lock_owned().await;
        let live = slot.take();
        let this = handle.clone();
        let mut writer = blocking(move || {
            drop(live);
            let writer = this.new_writer(REBUILD_WRITER_BYTES)?;
            writer.delete_all_documents().map_err(tantivy_error)?;
            Ok(writer)
        })
        .await?;
        let tx = TenantTx::begin(state, tenant.clone()).await?;
        let watermark = db_micros(&tx).await?;
        let mut count = 0u64;
        let mut after = Uuid::nil();
        loop {
            let rows: Vec<PersonRow> = tx
                .fetch_all(
                    &format!(
                        "{PERSON_SELECT} WHERE p.id > $1 AND p.merged_into IS NULL ORDER BY p.id LIMIT {REBUILD_PAGE}"
                    ),
                    vec![after.into()],
                )
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            let docs: Vec<IndexedRecord> = rows
                .into_iter()
                .filter_map(PersonRow::into_indexed)
                .collect();
            count += docs.len() as u64;
            writer = add_all(&handle, writer, docs).await?;
        }
        let organisations: Vec<OrganisationRow> = tx
            .fetch_all(&format!("{ORGANISATION_SELECT} ORDER BY o.id"), vec![])
            .await?;
        let docs: Vec<IndexedRecord> = organisations
            .into_iter()
            .map(OrganisationRow::into_indexed)
            .collect();
        count += docs.len() as u64;
        writer = add_all(&handle, writer, docs).await?;
        tx.commit().await?;
        let this = handle.clone();
        blocking(move || {
            let mut prepared = writer.prepare_commit().map_err(tantivy_error)?;
            prepared.set_payload(&watermark.to_string());
            prepared.commit().map_err(tantivy_error)?;
            *this.watermark.lock().map_err(poisoned)? = Some(watermark);
            writer.wait_merging_threads().map_err(tantivy_error)?;
            this.reader.reload().map_err(tantivy_error)?;
            Ok(())
        })
        .await?;
        drop(slot);
        tracing::info!(tenant = %tenant.slug, records = count, "people index rebuilt");
        Ok(RebuiltPeople {
            records: count,
            elapsed: started.elapsed(),
        })
    }

    /// Closes writers unused for `idle` (their arena and threads), as the dossiers' do.
    pub async fn close_idle_writers(&self, idle: Duration) {
        let handles: Vec<Arc<PeopleIndex>> = match self.open.lock() {
            Ok(open) => open.values().cloned().collect(),
            Err(_) => return,
        };
        for handle in handles {
            let idle_for = handle
                .last_write
                .lock()
                .map(|at| at.elapsed())
                .unwrap_or_default();
            if idle_for < idle {
                continue;
            }
            if let Ok(mut slot) = handle.writer.clone().try_lock_owned()
                && let Some(writer) = slot.take()
            {
                let _ = blocking(move || {
                    let _ = writer.wait_merging_threads();
                    Ok(())
                })
                .await;
            }
        }
    }
}

async fn add_all(
    handle: &Arc<PeopleIndex>,
    writer: IndexWriter,
    docs: Vec<IndexedRecord>,
) -> AppResult<IndexWriter> {
    let fields = handle.fields;
    blocking(move || {
        for doc in &docs {
            writer
                .add_document(doc.document(&fields))
                .map_err(tantivy_error)?;
        }
        Ok(writer)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(given: &str, birth: &str, date: &str, phone: &str, scope: &[&str]) -> IndexedRecord {
        PersonRow {
            id: Uuid::new_v4(),
            given_names: given.into(),
            birth_name: birth.into(),
            usage_name: None,
            birth_date: Some(date.into()),
            email: Some(format!("{}@example.org", given.to_lowercase())),
            phone: Some(phone.into()),
            merged: false,
            counter: false,
            services: Some(scope.join(",")),
        }
        .into_indexed()
        .unwrap()
    }

    fn index_of(docs: &[IndexedRecord]) -> PeopleIndex {
        let index = PeopleIndex::in_ram().unwrap();
        let mut writer = index.new_writer(LIVE_WRITER_BYTES).unwrap();
        for doc in docs {
            writer.add_document(doc.document(&index.fields)).unwrap();
        }
        writer.commit().unwrap();
        index.reader.reload().unwrap();
        index
    }

    #[test]
    fn identifiers_are_recognised_however_they_are_typed() {
        assert_eq!(people_plan("14/03/1985").exact, ["1985-03-14"]);
        assert_eq!(people_plan("1985-03-14").exact, ["1985-03-14"]);
        assert_eq!(people_plan("06 12 34 56 78").exact, ["0612345678"]);
        assert_eq!(people_plan("+33 6 12 34 56 78").exact, ["0612345678"]);
        assert_eq!(people_plan("214 401 622 00011").exact, ["21440162200011"]);
        assert_eq!(people_plan("w751234567").exact, ["W751234567"]);
        let mixed = people_plan("Marie.Dupont@Example.org dupont");
        assert_eq!(mixed.exact, ["marie.dupont@example.org"]);
        assert_eq!(mixed.names.len(), 1);
        assert_eq!(iso_date("31/13/2000"), None);
    }

    #[test]
    fn names_forgive_accents_case_and_one_typo_and_identifiers_match_exactly() {
        let lefevre = person("Hélène", "Lefèvre", "1985-03-14", "06 12 34 56 78", &["s1"]);
        let dupont = person("Marc", "Dupont", "1990-01-02", "0700000000", &["s1"]);
        let index = index_of(&[lefevre.clone(), dupont.clone()]);
        let all = ["s1".to_owned()];
        for (text, expected) in [
            ("Lefevre", lefevre.id),
            ("LEFEVRE helene", lefevre.id),
            ("Dupond", dupont.id),
            ("dupo", dupont.id),
            ("14/03/1985", lefevre.id),
            ("06.12.34.56.78", lefevre.id),
            ("marc@example.org", dupont.id),
        ] {
            let found = index.search(text, Some(&all), 10).unwrap();
            assert_eq!(found.first().map(|f| f.1), Some(expected), "{text}");
        }
        assert!(
            index
                .search("Lefevre 1990-01-02", Some(&all), 10)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_scope_is_part_of_the_query() {
        let mine = person("Anne", "Martin", "1980-01-01", "0600000001", &["s1"]);
        let theirs = person("Bruno", "Martin", "1980-01-01", "0600000002", &["s2"]);
        let mut counter = person("Chloé", "Martin", "1980-01-01", "0600000003", &[]);
        counter.scope.push(COUNTER.to_owned());
        let index = index_of(&[mine.clone(), theirs.clone(), counter.clone()]);
        let scope = ["s1".to_owned(), COUNTER.to_owned()];
        let mut found: Vec<Uuid> = index
            .search("martin", Some(&scope), 10)
            .unwrap()
            .into_iter()
            .map(|f| f.1)
            .collect();
        found.sort();
        let mut expected = vec![mine.id, counter.id];
        expected.sort();
        assert_eq!(found, expected);
        assert_eq!(index.search("martin", None, 10).unwrap().len(), 3);
        assert!(index.search("martin", Some(&[]), 10).unwrap().is_empty());
    }
}
