//! Duplicates inside one tenant's transaction: detection when a record is created
//! ([`check_new`]) and over all records by blocks ([`detect_all`], the nightly job), the review
//! queue, "Personnes distinctes", the merge and its undoing, the rules.
//!
//! Invariant: a merge moves every link listed in [`LINKS`] and records exactly which rows moved
//! (and which were dropped because the survivor already had the same), with both records' full
//! rows, so that [`undo_merge`] restores exactly what was.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::compare::{Prepared, Record, block_keys, name_keys};
use super::model::{
    DuplicateQueue, MergeChoice, MergeForm, MergeSummary, Rule, RuleInput, SuspectedPair,
    attribute_code, parse_attribute, shown,
};
use super::strings as s;
use crate::account::model::UserView;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};
use crate::people::model::{Attribute, Certainty, PersonView};
use crate::people::service as people;

/// How a link column of another table may hold a person.
#[derive(Clone, Copy, Debug)]
pub enum Holds {
    /// Any number of rows.
    Many,
    /// One row per person and these other columns: the merged record's row is dropped (and
    /// kept in the merge) when the survivor already has the same.
    OnePer(&'static [&'static str]),
    /// One row per person at all: as [`Holds::OnePer`] when both rows agree on these columns,
    /// else the merge is refused with the message.
    One(&'static [&'static str], &'static str),
}

/// Every column that points at a person and follows the survivor in a merge (person_events
/// stay with their record). A table that does not exist (yet) is skipped.
pub const LINKS: &[(&str, &str, Holds)] = &[
    ("dossiers", "beneficiary_person_id", Holds::Many),
    ("dossier_drafts", "beneficiary_person_id", Holds::Many),
    (
        "household_members",
        "person_id",
        Holds::One(&["household_id"], s::TWO_HOUSEHOLDS),
    ),
    ("households", "referent_id", Holds::Many),
    (
        "organisation_representatives",
        "person_id",
        Holds::OnePer(&["organisation_id"]),
    ),
    ("wallet_pieces", "person_id", Holds::Many),
    ("person_notes", "person_id", Holds::Many),
];

/// Blocks larger than this (a placeholder e-mail shared by thousands of records…) are not
/// compared: they would cost the square of their size and suggest nothing useful.
const MAX_BLOCK: usize = 1000;
/// Candidates read for one new record.
const MAX_CANDIDATES: u64 = 500;

fn internal<E: std::fmt::Display>(error: E) -> AppError {
    tracing::error!(%error, "duplicates");
    AppError::Internal
}

fn parse_id(raw: &str, message: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound(message.to_owned()))
}

// --- Reading records ---------------------------------------------------------------------------

#[derive(FromQueryResult)]
struct CompareRow {
    id: Uuid,
    civility: Option<String>,
    given_names: String,
    birth_name: String,
    usage_name: Option<String>,
    birth_date: Option<String>,
    birth_place: Option<String>,
    birth_country: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    postcode: Option<String>,
    street: Option<String>,
}

const COMPARE_COLUMNS: &str = "p.id, p.civility, p.given_names, p.birth_name, p.usage_name, \
     p.birth_date::text AS birth_date, p.birth_place, p.birth_country, p.email, p.phone, \
     p.address->>'postcode' AS postcode, \
     nullif(concat_ws(' ', p.address->>'number', p.address->>'street'), '') AS street";

impl CompareRow {
    fn record(self) -> (Uuid, Record) {
        (
            self.id,
            Record {
                civility: self.civility,
                given_names: self.given_names,
                birth_name: self.birth_name,
                usage_name: self.usage_name,
                birth_date: self.birth_date,
                birth_place: self.birth_place,
                birth_country: self.birth_country,
                email: self.email,
                phone: self.phone,
                address: self.postcode.zip(self.street),
            },
        )
    }
}

/// The keys stored for a record: those SQL cannot compute (names' phonetic keys, the phone).
fn stored_keys(p: &Prepared) -> Vec<String> {
    let mut keys = name_keys(p);
    if let Some(phone) = &p.phone {
        keys.push(format!("t:{phone}"));
    }
    keys
}

async fn write_keys(tx: &TenantTx, person: Uuid, keys: &[String]) -> AppResult<()> {
    tx.execute(
        "DELETE FROM person_match_keys WHERE person_id = $1",
        vec![person.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO person_match_keys (person_id, key)
         SELECT $1, k FROM jsonb_array_elements_text($2::jsonb) k ON CONFLICT DO NOTHING",
        vec![
            person.into(),
            serde_json::to_string(keys).map_err(internal)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Recomputes a live record's stored keys (a merged one has none).
pub async fn refresh_keys(tx: &TenantTx, person: Uuid) -> AppResult<()> {
    let row: Option<CompareRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {COMPARE_COLUMNS} FROM people p WHERE p.id = $1 AND p.merged_into IS NULL"
            ),
            vec![person.into()],
        )
        .await?;
    let keys = row
        .map(|row| stored_keys(&Prepared::new(&row.record().1)))
        .unwrap_or_default();
    write_keys(tx, person, &keys).await
}

// --- Rules -------------------------------------------------------------------------------------

#[derive(FromQueryResult)]
struct RuleRow {
    id: Uuid,
    name: String,
    priority: i32,
    active: bool,
    filled: String,
    equal: String,
    missing_allowed: String,
    approximate: String,
    different: String,
}

fn attribute_list(json: &str) -> Vec<Attribute> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|code| parse_attribute(code))
        .collect()
}

impl RuleRow {
    fn rule(self) -> Rule {
        Rule {
            id: self.id.to_string(),
            name: self.name,
            priority: self.priority,
            active: self.active,
            filled: attribute_list(&self.filled),
            equal: attribute_list(&self.equal),
            missing_allowed: attribute_list(&self.missing_allowed),
            approximate: attribute_list(&self.approximate),
            different: attribute_list(&self.different),
        }
    }
}

/// Every rule, strongest first.
pub async fn rules(tx: &TenantTx) -> AppResult<Vec<Rule>> {
    let rows: Vec<RuleRow> = tx
        .fetch_all(
            "SELECT id, name, priority, active, filled::text AS filled, equal::text AS equal,
                    missing_allowed::text AS missing_allowed, approximate::text AS approximate,
                    different::text AS different
               FROM duplicate_rules ORDER BY priority, name",
            vec![],
        )
        .await?;
    Ok(rows.into_iter().map(RuleRow::rule).collect())
}

async fn active_rules(tx: &TenantTx) -> AppResult<Vec<Rule>> {
    Ok(rules(tx).await?.into_iter().filter(|r| r.active).collect())
}

fn codes(list: &[Attribute]) -> String {
    serde_json::Value::from(list.iter().map(|a| attribute_code(*a)).collect::<Vec<_>>()).to_string()
}

/// Creates (`id` empty) or changes a rule.
pub async fn save_rule(tx: &TenantTx, id: &str, input: &RuleInput) -> AppResult<Uuid> {
    let rule = input.validate()?;
    let id = if id.trim().is_empty() {
        None
    } else {
        Some(parse_id(id, s::RULE_UNKNOWN)?)
    };
    #[derive(FromQueryResult)]
    struct Taken {
        #[allow(dead_code)]
        id: Uuid,
    }
    let taken: Option<Taken> = tx
        .fetch_optional(
            "SELECT id FROM duplicate_rules WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2",
            vec![rule.name.clone().into(), id.into()],
        )
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict("name", s::RULE_NAME_TAKEN));
    }
    let values = |id: Uuid| {
        vec![
            id.into(),
            rule.name.clone().into(),
            rule.priority.into(),
            rule.active.into(),
            codes(&rule.filled).into(),
            codes(&rule.equal).into(),
            codes(&rule.missing_allowed).into(),
            codes(&rule.approximate).into(),
            codes(&rule.different).into(),
        ]
    };
    match id {
        None => {
            let id = Uuid::new_v4();
            tx.execute(
                "INSERT INTO duplicate_rules (id, name, priority, active, filled, equal,
                        missing_allowed, approximate, different)
                 VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9::jsonb)",
                values(id),
            )
            .await?;
            Ok(id)
        }
        Some(id) => {
            let changed = tx
                .execute(
                    "UPDATE duplicate_rules SET name = $2, priority = $3, active = $4,
                            filled = $5::jsonb, equal = $6::jsonb, missing_allowed = $7::jsonb,
                            approximate = $8::jsonb, different = $9::jsonb, updated_at = now()
                      WHERE id = $1",
                    values(id),
                )
                .await?;
            if changed == 0 {
                return Err(AppError::NotFound(s::RULE_UNKNOWN.to_owned()));
            }
            Ok(id)
        }
    }
}

pub async fn delete_rule(tx: &TenantTx, id: &str) -> AppResult<()> {
    let id = parse_id(id, s::RULE_UNKNOWN)?;
    let deleted = tx
        .execute("DELETE FROM duplicate_rules WHERE id = $1", vec![id.into()])
        .await?;
    if deleted == 0 {
        return Err(AppError::NotFound(s::RULE_UNKNOWN.to_owned()));
    }
    Ok(())
}

/// The first rule, by priority, the pair satisfies, and its score.
fn best_rule<'r>(rules: &'r [Rule], a: &Prepared, b: &Prepared) -> Option<(&'r Rule, u32)> {
    rules
        .iter()
        .find_map(|rule| rule.matches(a, b).map(|score| (rule, score)))
}

// --- Detection ---------------------------------------------------------------------------------

#[derive(serde::Serialize)]
struct Found {
    a: Uuid,
    b: Uuid,
    rule: Uuid,
    rule_name: String,
    score: u32,
}

/// Records found pairs (ordered by id); a pair already known — open, merged or declared
/// distinct — is left as it is. Returns how many were new.
async fn record_pairs(tx: &TenantTx, found: &[Found], found_by: &str) -> AppResult<u64> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let mut new = 0;
    for chunk in found.chunks(5000) {
        let count: Option<Count> = tx
            .fetch_optional(
                "WITH ins AS (
                    INSERT INTO duplicate_suspicions (id, person_a, person_b, rule_id, rule_name,
                                                      score, found_by)
                    SELECT gen_random_uuid(), least(x.a, x.b), greatest(x.a, x.b), x.rule,
                           x.rule_name, x.score, $2
                      FROM jsonb_to_recordset($1::jsonb)
                           AS x(a uuid, b uuid, rule uuid, rule_name text, score integer)
                    ON CONFLICT (person_a, person_b) DO NOTHING
                    RETURNING 1)
                 SELECT count(*) AS n FROM ins",
                vec![
                    serde_json::to_string(chunk).map_err(internal)?.into(),
                    found_by.into(),
                ],
            )
            .await?;
        new += count.map_or(0, |c| u64::try_from(c.n).unwrap_or(0));
    }
    Ok(new)
}

/// Compares a record just created with the records sharing one of its blocks, and queues the
/// pairs a rule suspects. Returns how many new pairs were queued. Call it wherever a person is
/// created (an account, the counter, a beneficiary).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug, %person))]
pub async fn check_new(tx: &TenantTx, person: Uuid) -> AppResult<u64> {
    let row: Option<CompareRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {COMPARE_COLUMNS} FROM people p WHERE p.id = $1 AND p.merged_into IS NULL"
            ),
            vec![person.into()],
        )
        .await?;
    let Some(row) = row else {
        return Ok(0);
    };
    let prepared = Prepared::new(&row.record().1);
    let keys = stored_keys(&prepared);
    write_keys(tx, person, &keys).await?;
    let rules = active_rules(tx).await?;
    if rules.is_empty() {
        return Ok(0);
    }
    let candidates: Vec<CompareRow> = tx
        .fetch_all(
            &format!(
                "SELECT {COMPARE_COLUMNS} FROM people p
                  WHERE p.merged_into IS NULL AND p.id <> $1
                    AND (p.birth_date = $2::date
                         OR lower(p.email) = $3
                         OR p.id IN (SELECT k.person_id FROM person_match_keys k
                                      WHERE k.key IN (SELECT jsonb_array_elements_text($4::jsonb))))
                  LIMIT {MAX_CANDIDATES}"
            ),
            vec![
                person.into(),
                prepared.birth_date.clone().into(),
                prepared.email.clone().into(),
                serde_json::to_string(&keys).map_err(internal)?.into(),
            ],
        )
        .await?;
    let found: Vec<Found> = candidates
        .into_iter()
        .filter_map(|row| {
            let (id, record) = row.record();
            let other = Prepared::new(&record);
            best_rule(&rules, &prepared, &other).and_then(|(rule, score)| {
                Some(Found {
                    a: person,
                    b: id,
                    rule: Uuid::parse_str(&rule.id).ok()?,
                    rule_name: rule.name.clone(),
                    score,
                })
            })
        })
        .collect();
    record_pairs(tx, &found, "creation").await
}

/// What a full detection did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetectionReport {
    pub people: usize,
    /// Pairs compared (sharing a block).
    pub compared: u64,
    /// Pairs suspected by a rule.
    pub suspected: usize,
    /// Of those, the pairs not known before.
    pub new: u64,
}

/// Compares every live record with those sharing one of its blocks (same birth date, e-mail,
/// phone, or phonetic name key — never all pairs), queues the new suspected pairs and rewrites
/// the stored blocking keys. `nightly`: the run of the day, claimed once whichever process gets
/// there first (`None` if it was already claimed).
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn detect_all(tx: &TenantTx, nightly: bool) -> AppResult<Option<DetectionReport>> {
    #[derive(FromQueryResult)]
    struct RunId {
        id: i64,
    }
    let claim = if nightly {
        "INSERT INTO duplicate_runs (day) VALUES (current_date) ON CONFLICT (day) DO NOTHING RETURNING id"
    } else {
        "INSERT INTO duplicate_runs (day) VALUES (NULL) RETURNING id"
    };
    let Some(run) = tx.fetch_optional::<RunId>(claim, vec![]).await? else {
        return Ok(None);
    };
    let rules = active_rules(tx).await?;
    let rows: Vec<CompareRow> = tx
        .fetch_all(
            &format!("SELECT {COMPARE_COLUMNS} FROM people p WHERE p.merged_into IS NULL"),
            vec![],
        )
        .await?;
    let (ids, records): (Vec<Uuid>, Vec<Record>) = rows.into_iter().map(CompareRow::record).unzip();
    let people = ids.len();
    let rules_for_job = rules.clone();
    let (prepared_keys, pairs, compared) =
        tokio::task::spawn_blocking(move || compare_all(&records, &rules_for_job))
            .await
            .map_err(internal)?;
    let found: Vec<Found> = pairs
        .iter()
        .filter_map(|&(i, j, rule, score)| {
            let rule = &rules[rule];
            Some(Found {
                a: ids[i],
                b: ids[j],
                rule: Uuid::parse_str(&rule.id).ok()?,
                rule_name: rule.name.clone(),
                score,
            })
        })
        .collect();
    let new = record_pairs(tx, &found, "job").await?;
    rewrite_keys(tx, &ids, &prepared_keys).await?;
    tx.execute(
        "UPDATE duplicate_runs SET finished_at = now(), people = $2, compared = $3, found = $4
          WHERE id = $1",
        vec![
            run.id.into(),
            i32::try_from(people).unwrap_or(i32::MAX).into(),
            i64::try_from(compared).unwrap_or(i64::MAX).into(),
            i32::try_from(new).unwrap_or(i32::MAX).into(),
        ],
    )
    .await?;
    Ok(Some(DetectionReport {
        people,
        compared,
        suspected: found.len(),
        new,
    }))
}

type Pair = (usize, usize, usize, u32);

/// The CPU part of the detection, on all cores: every record's blocks, then each pair sharing
/// a block compared once (in the first block they share).
fn compare_all(records: &[Record], rules: &[Rule]) -> (Vec<Vec<String>>, Vec<Pair>, u64) {
    let prepared: Vec<Prepared> = records.iter().map(Prepared::new).collect();
    let keys: Vec<Vec<String>> = prepared.iter().map(block_keys).collect();
    let mut blocks: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, record_keys) in keys.iter().enumerate() {
        for key in record_keys {
            blocks.entry(key.as_str()).or_default().push(i);
        }
    }
    let mut work: Vec<(&str, &Vec<usize>)> = blocks
        .iter()
        .filter(|(key, members)| {
            if members.len() > MAX_BLOCK {
                tracing::warn!(block = %key, size = members.len(), "duplicate block too large: skipped");
            }
            members.len() >= 2 && members.len() <= MAX_BLOCK
        })
        .map(|(key, members)| (*key, members))
        .collect();
    // Largest first, so that the threads finish together.
    work.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (prepared, keys) = (&prepared, &keys);
    let results: Vec<(Vec<Pair>, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let work = &work;
                scope.spawn(move || {
                    let mut pairs = Vec::new();
                    let mut compared = 0u64;
                    for (key, members) in work.iter().skip(t).step_by(threads) {
                        for (x, &i) in members.iter().enumerate() {
                            for &j in &members[x + 1..] {
                                // Compared in the first block the two share only.
                                let first_shared = keys[i]
                                    .iter()
                                    .find(|k| keys[j].contains(k))
                                    .map(String::as_str);
                                if first_shared != Some(*key) {
                                    continue;
                                }
                                compared += 1;
                                if let Some((rule, score)) =
                                    rules.iter().enumerate().find_map(|(r, rule)| {
                                        rule.matches(&prepared[i], &prepared[j])
                                            .map(|score| (r, score))
                                    })
                                {
                                    pairs.push((i, j, rule, score));
                                }
                            }
                        }
                    }
                    (pairs, compared)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let compared = results.iter().map(|(_, c)| c).sum();
    let pairs = results.into_iter().flat_map(|(p, _)| p).collect();
    let stored = prepared.iter().map(stored_keys).collect();
    (stored, pairs, compared)
}

/// Brings `person_match_keys` in line with the records' keys, writing only what changed.
async fn rewrite_keys(tx: &TenantTx, ids: &[Uuid], keys: &[Vec<String>]) -> AppResult<()> {
    #[derive(FromQueryResult)]
    struct KeyRow {
        person_id: Uuid,
        key: String,
    }
    let existing: Vec<KeyRow> = tx
        .fetch_all("SELECT person_id, key FROM person_match_keys", vec![])
        .await?;
    let existing: HashSet<(Uuid, String)> =
        existing.into_iter().map(|r| (r.person_id, r.key)).collect();
    let wanted: HashSet<(Uuid, String)> = ids
        .iter()
        .zip(keys)
        .flat_map(|(id, keys)| keys.iter().map(move |k| (*id, k.clone())))
        .collect();
    #[derive(serde::Serialize)]
    struct KeyJson<'a> {
        p: &'a Uuid,
        k: &'a str,
    }
    let stale: Vec<KeyJson> = existing
        .difference(&wanted)
        .map(|(p, k)| KeyJson { p, k })
        .collect();
    for chunk in stale.chunks(20_000) {
        tx.execute(
            "DELETE FROM person_match_keys m USING jsonb_to_recordset($1::jsonb) AS x(p uuid, k text)
              WHERE m.person_id = x.p AND m.key = x.k",
            vec![serde_json::to_string(chunk).map_err(internal)?.into()],
        )
        .await?;
    }
    let missing: Vec<KeyJson> = wanted
        .difference(&existing)
        .map(|(p, k)| KeyJson { p, k })
        .collect();
    for chunk in missing.chunks(20_000) {
        tx.execute(
            "INSERT INTO person_match_keys (person_id, key)
             SELECT x.p, x.k FROM jsonb_to_recordset($1::jsonb) AS x(p uuid, k text)
             ON CONFLICT DO NOTHING",
            vec![serde_json::to_string(chunk).map_err(internal)?.into()],
        )
        .await?;
    }
    Ok(())
}

// --- The queue ---------------------------------------------------------------------------------

#[derive(FromQueryResult)]
struct PairRow {
    id: Uuid,
    rule_name: String,
    score: i32,
    found_by: String,
    found_at: String,
    person_a: Uuid,
    person_b: Uuid,
}

#[derive(FromQueryResult)]
struct MergeRow {
    id: Uuid,
    survivor: String,
    merged: String,
    by_name: String,
    at: String,
}

#[derive(FromQueryResult)]
struct RunRow {
    at: String,
    people: i32,
    found: i32,
}

/// The open pairs whose two records are still live, best first, and the merges that can be
/// undone.
pub async fn queue(tx: &TenantTx) -> AppResult<DuplicateQueue> {
    let rows: Vec<PairRow> = tx
        .fetch_all(
            "SELECT s.id, s.rule_name, s.score, s.found_by,
                    to_char(s.found_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI') AS found_at,
                    s.person_a, s.person_b
               FROM duplicate_suspicions s
               JOIN people a ON a.id = s.person_a
               JOIN people b ON b.id = s.person_b
              WHERE s.status = 'open' AND a.merged_into IS NULL AND b.merged_into IS NULL
              ORDER BY s.score DESC, s.found_at, s.id
              LIMIT 50",
            vec![],
        )
        .await?;
    let mut pairs = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(a), Some(b)) = (
            people::load(tx, row.person_a).await?,
            people::load(tx, row.person_b).await?,
        ) else {
            continue;
        };
        pairs.push(SuspectedPair {
            id: row.id.to_string(),
            rule_name: row.rule_name,
            score: row.score,
            found_by: row.found_by,
            found_at: row.found_at,
            a,
            b,
        });
    }
    let merges: Vec<MergeRow> = tx
        .fetch_all(
            "SELECT m.id,
                    trim(s.given_names || ' ' || upper(s.birth_name)) AS survivor,
                    trim(d.given_names || ' ' || upper(d.birth_name)) AS merged,
                    coalesce(u.display_name, '') AS by_name,
                    to_char(m.merged_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI') AS at
               FROM person_merges m
               JOIN people s ON s.id = m.survivor_id
               JOIN people d ON d.id = m.merged_id
               LEFT JOIN users u ON u.id = m.merged_by
              WHERE m.undone_at IS NULL
              ORDER BY m.merged_at DESC
              LIMIT 20",
            vec![],
        )
        .await?;
    let last: Option<RunRow> = tx
        .fetch_optional(
            "SELECT to_char(finished_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY HH24:MI') AS at,
                    people, found
               FROM duplicate_runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            vec![],
        )
        .await?;
    Ok(DuplicateQueue {
        pairs,
        merges: merges
            .into_iter()
            .map(|m| MergeSummary {
                id: m.id.to_string(),
                survivor: m.survivor,
                merged: m.merged,
                by: m.by_name,
                at: m.at,
            })
            .collect(),
        last_run: last.map(|r| {
            format!(
                "{} ({} fiches, {} nouvelle(s) paire(s))",
                r.at, r.people, r.found
            )
        }),
    })
}

/// "Personnes distinctes": the pair is closed for ever.
pub async fn declare_distinct(tx: &TenantTx, user: &UserView, pair: &str) -> AppResult<()> {
    let pair = parse_id(pair, s::PAIR_UNKNOWN)?;
    #[derive(FromQueryResult)]
    struct PairState {
        person_a: Uuid,
        person_b: Uuid,
        status: String,
    }
    let row: Option<PairState> = tx
        .fetch_optional(
            "SELECT person_a, person_b, status FROM duplicate_suspicions WHERE id = $1 FOR UPDATE",
            vec![pair.into()],
        )
        .await?;
    let row = row.ok_or_else(|| AppError::NotFound(s::PAIR_UNKNOWN.to_owned()))?;
    if row.status != "open" {
        return Err(AppError::conflict("pair", s::PAIR_DECIDED));
    }
    tx.execute(
        "UPDATE duplicate_suspicions SET status = 'distinct', decided_by = $2, decided_at = now()
          WHERE id = $1",
        vec![pair.into(), user.uuid().into()],
    )
    .await?;
    for (person, other) in [(row.person_a, row.person_b), (row.person_b, row.person_a)] {
        people::record_event(
            tx,
            person,
            user.uuid(),
            "declared_distinct",
            serde_json::json!({ "other": other }),
        )
        .await?;
    }
    Ok(())
}

// --- Merging -----------------------------------------------------------------------------------

#[derive(FromQueryResult)]
struct LockedRow {
    id: Uuid,
    account_id: Option<Uuid>,
    merged_into: Option<Uuid>,
}

/// Locks both records, in id order (two agents merging the same pair queue on the first lock),
/// and tells which survives: the one with an account, else the older. Refuses records already
/// merged and two accounts.
async fn lock_pair(tx: &TenantTx, a: Uuid, b: Uuid) -> AppResult<(Uuid, Uuid)> {
    if a == b {
        return Err(AppError::invalid("b", s::SAME_PERSON));
    }
    let rows: Vec<LockedRow> = tx
        .fetch_all(
            "SELECT id, account_id, merged_into FROM people WHERE id IN ($1, $2)
              ORDER BY id FOR UPDATE",
            vec![a.into(), b.into()],
        )
        .await?;
    let [first, second] = rows.as_slice() else {
        return Err(AppError::NotFound(s::PERSON_UNKNOWN.to_owned()));
    };
    if first.merged_into.is_some() || second.merged_into.is_some() {
        return Err(AppError::conflict("merge", s::ALREADY_MERGED));
    }
    if first.account_id.is_some() && second.account_id.is_some() {
        return Err(AppError::conflict("merge", s::TWO_ACCOUNTS));
    }
    if second.account_id.is_some() {
        return Ok((second.id, first.id));
    }
    if first.account_id.is_some() {
        return Ok((first.id, second.id));
    }
    #[derive(FromQueryResult)]
    struct Older {
        id: Uuid,
    }
    let older: Option<Older> = tx
        .fetch_optional(
            "SELECT id FROM people WHERE id IN ($1, $2) ORDER BY created_at, id LIMIT 1",
            vec![a.into(), b.into()],
        )
        .await?;
    let survivor = older.map_or(first.id, |o| o.id);
    let merged = if survivor == first.id {
        second.id
    } else {
        first.id
    };
    Ok((survivor, merged))
}

/// Copies one attribute (and where it came from) from `src` to `dst`.
fn take(dst: &mut PersonView, src: &PersonView, attribute: Attribute) {
    match attribute {
        Attribute::Civility => dst.civility = src.civility,
        Attribute::GivenNames => dst.given_names = src.given_names.clone(),
        Attribute::BirthName => dst.birth_name = src.birth_name.clone(),
        Attribute::UsageName => dst.usage_name = src.usage_name.clone(),
        Attribute::BirthDate => dst.birth_date = src.birth_date.clone(),
        Attribute::BirthPlace => dst.birth_place = src.birth_place.clone(),
        Attribute::BirthCountry => dst.birth_country = src.birth_country.clone(),
        Attribute::Email => dst.email = src.email.clone(),
        Attribute::Phone => dst.phone = src.phone.clone(),
        Attribute::Address => dst.address = src.address.clone(),
    }
    match src.provenance.0.get(&attribute) {
        Some(origin) => {
            dst.provenance.0.insert(attribute, origin.clone());
        }
        None => {
            dst.provenance.0.remove(&attribute);
        }
    }
}

fn certified(person: &PersonView, attribute: Attribute) -> bool {
    person.provenance.certainty(attribute) == Certainty::Certified
}

/// The merge form of two live records (`a`, `b`: person ids).
pub async fn merge_form(tx: &TenantTx, a: &str, b: &str) -> AppResult<MergeForm> {
    let (a, b) = (
        parse_id(a, s::PERSON_UNKNOWN)?,
        parse_id(b, s::PERSON_UNKNOWN)?,
    );
    let (refusal, survivor, merged) = match lock_pair(tx, a, b).await {
        Ok((survivor, merged)) => (None, survivor, merged),
        Err(AppError::Conflict { message, .. }) => (Some(message), a, b),
        Err(error) => return Err(error),
    };
    let load = |id| async move {
        people::load(tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound(s::PERSON_UNKNOWN.to_owned()))
    };
    let (survivor, merged) = (load(survivor).await?, load(merged).await?);
    let choices = Attribute::ALL
        .into_iter()
        .map(|attribute| MergeChoice {
            attribute,
            survivor_value: shown(&survivor, attribute),
            merged_value: shown(&merged, attribute),
            survivor_certified: certified(&survivor, attribute),
            merged_certified: certified(&merged, attribute),
        })
        .collect();
    Ok(MergeForm {
        survivor,
        merged,
        choices,
        refusal,
    })
}

#[derive(FromQueryResult)]
struct Text {
    v: Option<String>,
}

async fn row_json(tx: &TenantTx, person: Uuid) -> AppResult<serde_json::Value> {
    let row: Option<Text> = tx
        .fetch_optional(
            "SELECT to_jsonb(p)::text AS v FROM people p WHERE p.id = $1",
            vec![person.into()],
        )
        .await?;
    let text = row
        .and_then(|r| r.v)
        .ok_or_else(|| AppError::NotFound(s::PERSON_UNKNOWN.to_owned()))?;
    serde_json::from_str(&text).map_err(internal)
}

async fn table_exists(tx: &TenantTx, table: &str) -> AppResult<bool> {
    let row: Option<Text> = tx
        .fetch_optional("SELECT to_regclass($1)::text AS v", vec![table.into()])
        .await?;
    Ok(row.and_then(|r| r.v).is_some())
}

async fn primary_key(tx: &TenantTx, table: &str) -> AppResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Column {
        name: String,
    }
    let columns: Vec<Column> = tx
        .fetch_all(
            "SELECT a.attname::text AS name
               FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = to_regclass($1) AND i.indisprimary
              ORDER BY array_position(i.indkey::int2[], a.attnum)",
            vec![table.into()],
        )
        .await?;
    if columns.is_empty() {
        return Err(internal(format!("{table} has no primary key")));
    }
    Ok(columns.into_iter().map(|c| c.name).collect())
}

/// `x.a = k.a AND x.b = k.b`.
fn join_on(columns: &[impl AsRef<str>], left: &str, right: &str) -> String {
    columns
        .iter()
        .map(|c| format!("{left}.{0} = {right}.{0}", c.as_ref()))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Moves every link of `merged` to `survivor`; returns (moved, removed) as the merge records
/// them.
async fn move_links(
    tx: &TenantTx,
    survivor: Uuid,
    merged: Uuid,
) -> AppResult<(Vec<serde_json::Value>, Vec<serde_json::Value>)> {
    let mut moved = Vec::new();
    let mut removed = Vec::new();
    for &(table, column, holds) in LINKS {
        if !table_exists(tx, table).await? {
            continue;
        }
        let same: &[&str] = match holds {
            Holds::Many => &[],
            Holds::OnePer(same) => same,
            Holds::One(same, refusal) => {
                let mut differ = join_on(same, "m", "s");
                if differ.is_empty() {
                    differ = "false".to_owned();
                }
                let clash: Option<Text> = tx
                    .fetch_optional(
                        &format!(
                            "SELECT 'x' AS v FROM {table} m JOIN {table} s ON s.{column} = $1
                              WHERE m.{column} = $2 AND NOT ({differ}) LIMIT 1"
                        ),
                        vec![survivor.into(), merged.into()],
                    )
                    .await?;
                if clash.is_some() {
                    return Err(AppError::conflict("merge", refusal));
                }
                same
            }
        };
        if !matches!(holds, Holds::Many) {
            let mut condition = join_on(same, "m", "s");
            if condition.is_empty() {
                condition = "true".to_owned();
            }
            let dropped: Vec<Text> = tx
                .fetch_all(
                    &format!(
                        "DELETE FROM {table} m WHERE m.{column} = $2
                            AND EXISTS (SELECT 1 FROM {table} s WHERE s.{column} = $1 AND {condition})
                         RETURNING to_jsonb(m)::text AS v"
                    ),
                    vec![survivor.into(), merged.into()],
                )
                .await?;
            for row in dropped.into_iter().filter_map(|r| r.v) {
                removed.push(serde_json::json!({
                    "table": table,
                    "row": serde_json::from_str::<serde_json::Value>(&row).map_err(internal)?,
                }));
            }
        }
        let key = primary_key(tx, table).await?;
        let key_object = key
            .iter()
            .map(|c| format!("'{c}', x.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<Text> = tx
            .fetch_all(
                &format!(
                    "UPDATE {table} x SET {column} = $1 WHERE x.{column} = $2
                     RETURNING jsonb_build_object({key_object})::text AS v"
                ),
                vec![survivor.into(), merged.into()],
            )
            .await?;
        for row in rows.into_iter().filter_map(|r| r.v) {
            moved.push(serde_json::json!({
                "table": table,
                "column": column,
                "key": serde_json::from_str::<serde_json::Value>(&row).map_err(internal)?,
            }));
        }
    }
    Ok((moved, removed))
}

/// Merges two live records: the survivor takes the chosen attributes (`choices`: attribute
/// code → the id of the record whose value is kept; certified values win), every link of the
/// other moves to it, the other is kept with `merged_into`. Returns the merge's id.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn merge(
    tx: &TenantTx,
    user: &UserView,
    a: &str,
    b: &str,
    choices: &BTreeMap<String, String>,
) -> AppResult<Uuid> {
    let (a, b) = (
        parse_id(a, s::PERSON_UNKNOWN)?,
        parse_id(b, s::PERSON_UNKNOWN)?,
    );
    let (survivor_id, merged_id) = lock_pair(tx, a, b).await?;
    let before = serde_json::json!({
        "survivor": row_json(tx, survivor_id).await?,
        "merged": row_json(tx, merged_id).await?,
    });
    let load = |id| async move {
        people::load(tx, id)
            .await?
            .ok_or_else(|| AppError::NotFound(s::PERSON_UNKNOWN.to_owned()))
    };
    let (old, merged) = (load(survivor_id).await?, load(merged_id).await?);
    let mut survivor = old.clone();
    let mut taken = Vec::new();
    for attribute in Attribute::ALL {
        let code = attribute_code(attribute);
        let (mine, theirs) = (shown(&old, attribute), shown(&merged, attribute));
        let choice = choices
            .get(code)
            .map(|c| c.trim())
            .filter(|c| !c.is_empty());
        let wants_theirs = match choice {
            None => mine.is_empty() && !theirs.is_empty(),
            Some(c) if c == merged_id.to_string() => true,
            Some(c) if c == survivor_id.to_string() => false,
            Some(_) => {
                return Err(AppError::invalid(
                    code,
                    s::choice_unknown(attribute.label()),
                ));
            }
        };
        let (mine_certified, theirs_certified) =
            (certified(&old, attribute), certified(&merged, attribute));
        let keep_theirs = if mine == theirs {
            false
        } else if mine_certified && !theirs_certified {
            if choice.is_some() && wants_theirs {
                return Err(AppError::invalid(
                    code,
                    s::certified_kept(attribute.label()),
                ));
            }
            false
        } else if theirs_certified && !mine_certified {
            if choice.is_some() && !wants_theirs {
                return Err(AppError::invalid(
                    code,
                    s::certified_kept(attribute.label()),
                ));
            }
            true
        } else {
            wants_theirs
        };
        if keep_theirs {
            take(&mut survivor, &merged, attribute);
            taken.push(code);
        }
    }
    let (moved, removed) = move_links(tx, survivor_id, merged_id).await?;
    if survivor != old {
        people::store(tx, &survivor).await?;
    }
    tx.execute(
        "UPDATE people SET merged_into = $1, updated_at = now() WHERE id = $2",
        vec![survivor_id.into(), merged_id.into()],
    )
    .await?;
    let id = Uuid::new_v4();
    tx.execute(
        "INSERT INTO person_merges (id, survivor_id, merged_id, before, moved, removed, choices,
                                    merged_by)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7::jsonb, $8)",
        vec![
            id.into(),
            survivor_id.into(),
            merged_id.into(),
            before.to_string().into(),
            serde_json::Value::from(moved.clone()).to_string().into(),
            serde_json::Value::from(removed).to_string().into(),
            serde_json::json!({ "from_merged": taken })
                .to_string()
                .into(),
            user.uuid().into(),
        ],
    )
    .await?;
    tx.execute(
        "UPDATE duplicate_suspicions SET status = 'merged', decided_by = $3, decided_at = now()
          WHERE person_a = least($1::uuid, $2::uuid) AND person_b = greatest($1::uuid, $2::uuid)",
        vec![survivor_id.into(), merged_id.into(), user.uuid().into()],
    )
    .await?;
    people::record_event(
        tx,
        survivor_id,
        user.uuid(),
        "merge",
        serde_json::json!({ "merge": id, "absorbed": merged_id, "attributes": taken,
                            "links_moved": moved.len() }),
    )
    .await?;
    people::record_event(
        tx,
        merged_id,
        user.uuid(),
        "merged_into",
        serde_json::json!({ "merge": id, "survivor": survivor_id }),
    )
    .await?;
    refresh_keys(tx, survivor_id).await?;
    refresh_keys(tx, merged_id).await?;
    Ok(id)
}

/// Undoes a merge exactly: both records as they were before it, the moved links back, the
/// dropped ones restored. Only the latest merge of either record can be undone. The survivor's
/// state just before is kept in its history.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn undo_merge(tx: &TenantTx, user: &UserView, merge: &str) -> AppResult<[Uuid; 2]> {
    let merge = parse_id(merge, s::MERGE_UNKNOWN)?;
    #[derive(FromQueryResult)]
    struct Merge {
        survivor_id: Uuid,
        merged_id: Uuid,
        before: String,
        moved: String,
        removed: String,
        undone: bool,
    }
    let row: Option<Merge> = tx
        .fetch_optional(
            "SELECT survivor_id, merged_id, before::text AS before, moved::text AS moved,
                    removed::text AS removed, undone_at IS NOT NULL AS undone
               FROM person_merges WHERE id = $1 FOR UPDATE",
            vec![merge.into()],
        )
        .await?;
    let row = row.ok_or_else(|| AppError::NotFound(s::MERGE_UNKNOWN.to_owned()))?;
    if row.undone {
        return Err(AppError::conflict("merge", s::MERGE_UNDONE));
    }
    let (survivor, merged) = (row.survivor_id, row.merged_id);
    tx.execute(
        "SELECT id FROM people WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
        vec![survivor.into(), merged.into()],
    )
    .await?;
    let later: Option<Text> = tx
        .fetch_optional(
            "SELECT 'x' AS v FROM person_merges l, person_merges m
              WHERE m.id = $1 AND l.id <> m.id AND l.undone_at IS NULL
                AND l.merged_at > m.merged_at
                AND (l.survivor_id IN ($2, $3) OR l.merged_id IN ($2, $3))
              LIMIT 1",
            vec![merge.into(), survivor.into(), merged.into()],
        )
        .await?;
    if later.is_some() {
        return Err(AppError::conflict("merge", s::MERGE_NOT_LATEST));
    }
    let at_undo = row_json(tx, survivor).await?;
    let moved: Vec<serde_json::Value> = serde_json::from_str(&row.moved).map_err(internal)?;
    for entry in moved.iter().rev() {
        let (Some(table), Some(column)) = (
            entry["table"].as_str().and_then(known_table),
            entry["column"].as_str(),
        ) else {
            continue;
        };
        let Some(&(_, column, _)) = LINKS.iter().find(|(t, c, _)| *t == table && *c == column)
        else {
            continue;
        };
        let key = primary_key(tx, table).await?;
        tx.execute(
            &format!(
                "UPDATE {table} x SET {column} = $1
                   FROM jsonb_populate_record(NULL::{table}, $2::jsonb) k
                  WHERE x.{column} = $3 AND {}",
                join_on(&key, "x", "k")
            ),
            vec![
                merged.into(),
                entry["key"].to_string().into(),
                survivor.into(),
            ],
        )
        .await?;
    }
    let removed: Vec<serde_json::Value> = serde_json::from_str(&row.removed).map_err(internal)?;
    for entry in &removed {
        let Some(table) = entry["table"].as_str().and_then(known_table) else {
            continue;
        };
        tx.execute(
            &format!(
                "INSERT INTO {table} SELECT * FROM jsonb_populate_record(NULL::{table}, $1::jsonb)"
            ),
            vec![entry["row"].to_string().into()],
        )
        .await?;
    }
    let before: serde_json::Value = serde_json::from_str(&row.before).map_err(internal)?;
    for (side, id) in [("merged", merged), ("survivor", survivor)] {
        restore_person(tx, id, &before[side]).await?;
    }
    tx.execute(
        "UPDATE person_merges SET undone_at = now(), undone_by = $2 WHERE id = $1",
        vec![merge.into(), user.uuid().into()],
    )
    .await?;
    tx.execute(
        "UPDATE duplicate_suspicions SET status = 'open', decided_by = NULL, decided_at = NULL
          WHERE person_a = least($1::uuid, $2::uuid) AND person_b = greatest($1::uuid, $2::uuid)
            AND status = 'merged'",
        vec![survivor.into(), merged.into()],
    )
    .await?;
    people::record_event(
        tx,
        survivor,
        user.uuid(),
        "merge_undone",
        serde_json::json!({ "merge": merge, "other": merged, "state_before_undo": at_undo }),
    )
    .await?;
    people::record_event(
        tx,
        merged,
        user.uuid(),
        "merge_undone",
        serde_json::json!({ "merge": merge, "other": survivor }),
    )
    .await?;
    refresh_keys(tx, survivor).await?;
    refresh_keys(tx, merged).await?;
    Ok([survivor, merged])
}

/// A table name from a stored merge, only if it is one of [`LINKS`] (it goes into SQL text).
fn known_table(name: &str) -> Option<&'static str> {
    LINKS.iter().map(|(t, _, _)| *t).find(|t| *t == name)
}

/// Writes back every column of a person's row as stored before the merge.
async fn restore_person(tx: &TenantTx, id: Uuid, row: &serde_json::Value) -> AppResult<()> {
    let Some(object) = row.as_object() else {
        return Err(internal("merge without the record's row"));
    };
    let columns: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|c| *c != "id")
        .filter(|c| {
            c.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        })
        .collect();
    if columns.is_empty() {
        return Ok(());
    }
    let list = columns.join(", ");
    let from = columns
        .iter()
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    tx.execute(
        &format!(
            "UPDATE people p SET ({list}) = (SELECT {from}
                                                FROM jsonb_populate_record(NULL::people, $1::jsonb) r)
              WHERE p.id = $2"
        ),
        vec![row.to_string().into(), id.into()],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detection_compares_within_blocks_only_and_finds_the_fixture_pairs() {
        let rules = super::super::model::tests::defaults();
        let record = |given: &str, birth: &str, date: &str| Record {
            given_names: given.into(),
            birth_name: birth.into(),
            birth_date: Some(date.into()),
            ..Default::default()
        };
        let records = vec![
            record("Hélène", "Lefèvre", "1984-06-17"),
            record("Helene", "LEFEVRE", "1984-06-17"),
            record("Paul", "Durand", "1990-01-01"),
            record("Inès", "Faure", "1970-05-05"),
            record("Martin", "Sophie", "1960-02-02"),
            record("Sophie", "Martin", "1960-02-02"),
        ];
        let (_, mut pairs, compared) = compare_all(&records, &rules);
        pairs.sort();
        let found: Vec<(usize, usize)> = pairs.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(found, vec![(0, 1), (4, 5)]);
        // Only the two pairs sharing a block were compared, once each.
        assert_eq!(compared, 2);
    }
}
