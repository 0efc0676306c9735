//! Full-text search of the store: one in-memory tantivy index for the whole platform (the
//! catalogue is shared, and small: 10,000 entries take a few megabytes), built from
//! `platform.store_entries` on first use and kept up to date entry by entry.
//!
//! Only published entries are indexed, so hidden and withdrawn ones can never be found; the
//! service still re-reads the rows it returns with `status = 'published'`, so an index that
//! has not heard of a change yet (another process made it) shows nothing it should not.
//! Other processes hear of changes through `NOTIFY guichet_store` (payload: the entry id),
//! relayed by `server/src/jobs/store.rs`.
//!
//! Text is analysed like the dossier indexes (`infra::search`): lowercased, accents folded,
//! French-stemmed, with an unstemmed copy for prefixes and typos.

use std::sync::{Arc, RwLock};

use sea_orm::FromQueryResult;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, STORED, STRING, Schema, Value};
use tantivy::{DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader};
use tantivy::{TantivyDocument, Term};
use uuid::Uuid;

use super::model::StoreSort;
use crate::error::{AppError, AppResult};
use crate::infra::search::{analysed_text, french, plan, words};
use crate::infra::{AppState, PlatformTx, Queries};

/// The channel other processes listen on; the payload is the entry's id.
pub const STORE_CHANNEL: &str = "guichet_store";

const FRENCH: &str = "store_fr";
const WORDS: &str = "store_words";
const WRITER_BYTES: usize = 15_000_000;

fn tantivy_error(error: tantivy::TantivyError) -> AppError {
    tracing::error!(%error, "store index");
    AppError::Internal
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    domain: Field,
    organism: Field,
    title: Field,
    text: Field,
    words: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let stemmed = analysed_text(FRENCH);
    let plain = analysed_text(WORDS);
    let fields = Fields {
        id: builder.add_text_field("id", STRING | STORED),
        domain: builder.add_text_field("domain", STRING),
        organism: builder.add_text_field("organism", STRING),
        title: builder.add_text_field("title", stemmed.clone()),
        text: builder.add_text_field("text", stemmed),
        words: builder.add_text_field("words", plain),
    };
    builder.add_u64_field("featured", FAST);
    builder.add_i64_field("updated", FAST);
    builder.add_u64_field("imports", FAST);
    (builder.build(), fields)
}

/// An entry as indexed.
#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct IndexedEntry {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub domain: String,
    pub organism_type: String,
    pub publisher_name: String,
    /// The labels of the latest version's form, one per line.
    pub labels: Option<String>,
    pub featured: bool,
    pub import_count: i32,
    /// Microseconds since the epoch.
    pub updated_micros: i64,
}

/// Published entries (all of them, or one), with what the index needs.
const ENTRY_SELECT: &str = "SELECT e.id, e.title, e.description, e.domain, e.organism_type,
        e.publisher_name, e.featured, e.import_count,
        (extract(epoch FROM e.updated_at) * 1000000)::bigint AS updated_micros,
        (SELECT string_agg(l #>> '{}', E'\\n')
           FROM jsonb_array_elements(jsonb_path_query_array(v.payload, 'lax $.document.definition.**.label')) l)
          AS labels
     FROM platform.store_entries e
     JOIN platform.store_versions v ON v.entry_id = e.id AND v.version = e.latest_version
     WHERE e.status = 'published'";

impl IndexedEntry {
    fn document(&self, fields: &Fields, schema: &Schema) -> AppResult<TantivyDocument> {
        let fast = |name: &str| schema.get_field(name).map_err(tantivy_error);
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, self.id.to_string());
        doc.add_text(fields.domain, &self.domain);
        doc.add_text(fields.organism, &self.organism_type);
        doc.add_text(fields.title, &self.title);
        let labels = self.labels.clone().unwrap_or_default();
        for text in [&self.description, &self.publisher_name, &labels] {
            doc.add_text(fields.text, text);
        }
        for text in [
            &self.title,
            &self.description,
            &self.publisher_name,
            &labels,
        ] {
            doc.add_text(fields.words, text);
        }
        doc.add_u64(fast("featured")?, u64::from(self.featured));
        doc.add_i64(fast("updated")?, self.updated_micros);
        doc.add_u64(
            fast("imports")?,
            u64::try_from(self.import_count).unwrap_or(0),
        );
        Ok(doc)
    }
}

/// A search, already parsed.
#[derive(Debug, Clone, Default)]
pub struct StoreSearch {
    pub text: String,
    pub domain: Option<String>,
    pub organism: Option<String>,
    pub sort: StoreSort,
    pub offset: usize,
    pub limit: usize,
}

/// Entry ids in order, and how many match in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    pub ids: Vec<Uuid>,
    pub total: usize,
}

struct Loaded {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    writer: tokio::sync::Mutex<IndexWriter>,
}

impl Loaded {
    fn build(entries: &[IndexedEntry]) -> AppResult<Self> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema.clone());
        index.tokenizers().register(FRENCH, french());
        index.tokenizers().register(WORDS, words());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, WRITER_BYTES)
            .map_err(tantivy_error)?;
        for entry in entries {
            writer
                .add_document(entry.document(&fields, &schema)?)
                .map_err(tantivy_error)?;
        }
        writer.commit().map_err(tantivy_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error)?;
        Ok(Self {
            index,
            reader,
            fields,
            writer: tokio::sync::Mutex::new(writer),
        })
    }

    fn query(&self, search: &StoreSearch) -> Box<dyn Query> {
        let fields = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in plan(&search.text).words {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut should = |query: Box<dyn Query>, boost: f32| {
                any.push((Occur::Should, Box::new(BoostQuery::new(query, boost))));
            };
            for (field, boost) in [(fields.title, 3.0), (fields.text, 1.0)] {
                let term = Term::from_field_text(field, &word.stem);
                should(
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                    boost,
                );
            }
            let exact = Term::from_field_text(fields.words, &word.folded);
            should(
                Box::new(TermQuery::new(exact.clone(), IndexRecordOption::WithFreqs)),
                1.0,
            );
            if word.prefix {
                should(
                    Box::new(FuzzyTermQuery::new_prefix(exact.clone(), 0, true)),
                    0.5,
                );
            }
            if word.fuzzy {
                should(Box::new(FuzzyTermQuery::new(exact, 1, true)), 0.3);
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        for (field, value) in [
            (fields.domain, &search.domain),
            (fields.organism, &search.organism),
        ] {
            if let Some(value) = value {
                let term = Term::from_field_text(field, value);
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        }
    }

    fn search(&self, search: &StoreSearch) -> AppResult<Hits> {
        let searcher = self.reader.searcher();
        let query = self.query(search);
        let by_words = !plan(&search.text).words.is_empty();
        let sort = match search.sort {
            StoreSort::Pertinence if by_words => StoreSort::Pertinence,
            StoreSort::Populaire => StoreSort::Populaire,
            _ => StoreSort::Recent,
        };
        let top = TopDocs::with_limit(search.limit.max(1))
            .and_offset(search.offset)
            .tweak_score(move |segment: &SegmentReader| {
                let column = |name: &str| {
                    segment
                        .fast_fields()
                        .u64(name)
                        .ok()
                        .map(|c| c.first_or_default_col(0))
                };
                let featured = column("featured");
                let imports = column("imports");
                let updated = segment
                    .fast_fields()
                    .i64("updated")
                    .ok()
                    .map(|c| c.first_or_default_col(0));
                // Featured first, then the chosen order; ties by the other criteria.
                move |doc: DocId, score: Score| -> (u64, i64, i64) {
                    let featured = featured.as_ref().map_or(0, |c| c.get_val(doc));
                    let imports = imports.as_ref().map_or(0, |c| c.get_val(doc)) as i64;
                    let updated = updated.as_ref().map_or(0, |c| c.get_val(doc));
                    match sort {
                        StoreSort::Pertinence => (featured, (score * 1_000_000.0) as i64, updated),
                        StoreSort::Populaire => (featured, imports, updated),
                        StoreSort::Recent => (featured, updated, imports),
                    }
                }
            });
        let (total, docs) = searcher
            .search(query.as_ref(), &(Count, top))
            .map_err(tantivy_error)?;
        let mut ids = Vec::with_capacity(docs.len());
        for (_, address) in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_error)?;
            if let Some(id) = doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                ids.push(id);
            }
        }
        Ok(Hits { ids, total })
    }
}

/// The platform's store index. Cheap to share (inside `AppState`).
#[derive(Default)]
pub struct StoreIndex {
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// One build at a time.
    building: tokio::sync::Mutex<()>,
}

async fn read_entries(state: &AppState, id: Option<Uuid>) -> AppResult<Vec<IndexedEntry>> {
    let tx = PlatformTx::begin(state).await?;
    let entries = match id {
        Some(id) => {
            tx.fetch_all(&format!("{ENTRY_SELECT} AND e.id = $1"), vec![id.into()])
                .await?
        }
        None => tx.fetch_all(ENTRY_SELECT, vec![]).await?,
    };
    tx.commit().await?;
    Ok(entries)
}

impl StoreIndex {
    fn current(&self) -> Option<Arc<Loaded>> {
        self.loaded.read().ok().and_then(|l| l.clone())
    }

    fn install(&self, loaded: Loaded) {
        if let Ok(mut slot) = self.loaded.write() {
            *slot = Some(Arc::new(loaded));
        }
    }

    /// Builds the index from the given entries (benchmarks, tests), replacing any.
    pub fn build_from(&self, entries: &[IndexedEntry]) -> AppResult<()> {
        self.install(Loaded::build(entries)?);
        Ok(())
    }

    /// Builds the index from PostgreSQL, replacing the current one in one step.
    pub async fn rebuild(&self, state: &AppState) -> AppResult<()> {
        let _building = self.building.lock().await;
        let entries = read_entries(state, None).await?;
        let loaded = tokio::task::spawn_blocking(move || Loaded::build(&entries))
            .await
            .map_err(|error| {
                tracing::error!(%error, "store index build task failed");
                AppError::Internal
            })??;
        self.install(loaded);
        Ok(())
    }

    async fn loaded(&self, state: &AppState) -> AppResult<Arc<Loaded>> {
        if let Some(loaded) = self.current() {
            return Ok(loaded);
        }
        {
            let _building = self.building.lock().await;
            if let Some(loaded) = self.current() {
                return Ok(loaded);
            }
        }
        self.rebuild(state).await?;
        self.current().ok_or(AppError::Internal)
    }

    /// Re-reads one entry after a change (publication, import, an operator's decision).
    pub async fn refresh(&self, state: &AppState, id: Uuid) -> AppResult<()> {
        let Some(loaded) = self.current() else {
            // Not built yet: the first search builds it with this change.
            return Ok(());
        };
        let mut writer = loaded.writer.lock().await;
        let entry = read_entries(state, Some(id)).await?;
        writer.delete_term(Term::from_field_text(loaded.fields.id, &id.to_string()));
        let schema = loaded.index.schema();
        for entry in &entry {
            writer
                .add_document(entry.document(&loaded.fields, &schema)?)
                .map_err(tantivy_error)?;
        }
        writer.commit().map_err(tantivy_error)?;
        loaded.reader.reload().map_err(tantivy_error)?;
        Ok(())
    }

    /// Matching published entries, in the requested order.
    pub async fn search(&self, state: &AppState, search: &StoreSearch) -> AppResult<Hits> {
        let loaded = self.loaded(state).await?;
        loaded.search(search)
    }

    /// [`Self::search`] on an index built with [`Self::build_from`].
    pub fn search_built(&self, search: &StoreSearch) -> AppResult<Hits> {
        self.current().ok_or(AppError::Internal)?.search(search)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u128, title: &str, domain: &str, featured: bool, imports: i32) -> IndexedEntry {
        IndexedEntry {
            id: Uuid::from_u128(n),
            title: title.into(),
            description: format!("Description de {title}"),
            domain: domain.into(),
            organism_type: "mairie".into(),
            publisher_name: "Commune".into(),
            labels: Some("Nom\nPrénom".into()),
            featured,
            import_count: imports,
            updated_micros: n as i64,
        }
    }

    fn index() -> StoreIndex {
        let index = StoreIndex::default();
        index
            .build_from(&[
                entry(1, "Inscription à la cantine", "enfance", false, 3),
                entry(2, "Signalement voirie", "voirie", false, 10),
                entry(3, "Inscription au centre de loisirs", "enfance", true, 0),
                entry(4, "Demande d'acte de naissance", "etat_civil", false, 1),
            ])
            .unwrap();
        index
    }

    fn ids(index: &StoreIndex, text: &str, sort: StoreSort, domain: Option<&str>) -> Vec<u128> {
        index
            .search_built(&StoreSearch {
                text: text.into(),
                domain: domain.map(str::to_owned),
                sort,
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .ids
            .into_iter()
            .map(|id| id.as_u128())
            .collect()
    }

    #[test]
    fn plural_words_without_accents_find_the_entry() {
        let index = index();
        assert_eq!(
            ids(&index, "inscriptions cantines", StoreSort::Pertinence, None),
            vec![1]
        );
        assert_eq!(
            ids(&index, "NAISSANCES", StoreSort::Pertinence, None),
            vec![4]
        );
        assert_eq!(ids(&index, "cantin", StoreSort::Pertinence, None), vec![1]);
    }

    #[test]
    fn featured_entries_come_first_then_the_chosen_order() {
        let index = index();
        assert_eq!(
            ids(&index, "", StoreSort::Populaire, None),
            vec![3, 2, 1, 4]
        );
        assert_eq!(ids(&index, "", StoreSort::Recent, None), vec![3, 4, 2, 1]);
        // Both match "inscription"; the featured one first whatever the score.
        assert_eq!(
            ids(&index, "inscription", StoreSort::Pertinence, None),
            vec![3, 1]
        );
    }

    #[test]
    fn a_title_match_ranks_above_a_description_match() {
        let index = StoreIndex::default();
        let mut in_text = entry(1, "Demande de badge", "autre", false, 0);
        in_text.description = "Pour la déchetterie".into();
        let in_title = entry(2, "Accès à la déchetterie", "autre", false, 0);
        index.build_from(&[in_text, in_title]).unwrap();
        assert_eq!(
            ids(&index, "dechetterie", StoreSort::Pertinence, None),
            vec![2, 1]
        );
    }

    #[test]
    fn filters_restrict_by_domain_with_or_without_words() {
        let index = index();
        assert_eq!(
            ids(&index, "", StoreSort::Recent, Some("enfance")),
            vec![3, 1]
        );
        assert_eq!(
            ids(&index, "signalement", StoreSort::Recent, Some("enfance")),
            Vec::<u128>::new()
        );
        let hits = index
            .search_built(&StoreSearch {
                domain: Some("enfance".into()),
                limit: 1,
                offset: 1,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(hits.total, 2);
        assert_eq!(hits.ids, vec![Uuid::from_u128(1)]);
    }
}
