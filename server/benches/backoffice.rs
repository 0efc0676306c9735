#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Back-office benchmark: prints figures (not pass/fail) for one commune with many dossiers.
//!
//! - Generation: `GUICHET_BENCH_DOSSIERS` (default 100,000) dossiers with `guichet
//!   generate-dossiers`' code (set-based SQL).
//! - Search: a full rebuild of the tenant's index from PostgreSQL (time, size on disk), then
//!   the latency of a few hundred varied searches (names, names with a typo, name prefixes,
//!   references and their number, words of the answers and notes), as an agent who reads every
//!   service and as one who reads a single service, limit 50.
//! - Freshness: with the indexer job running (in this process, as in the server), how long
//!   from the commit of a change (a note added, a status and name changed; announced with
//!   NOTIFY like the services do) until a search finds it; p50 and max over 20 changes.
//! - The dossier list's latency ([`list_query_latency`]) and the CSV export's time and memory
//!   ([`csv_export_rss`]).
//!
//! Everything runs in this process against the release build of the library; only
//! PostgreSQL is outside. Run it through `scripts/bench`. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench backoffice`

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::infra::live::announce;
use app::infra::{AppState, Queries, Tenant, TenantTx};
use app::platform::service::{NewTenant, provision_tenant};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use support::{env_number, ms, percentile, progress};

const SLUG: &str = "bench-bo";

fn main() {
    support::run_in_fresh_database(run);
}

#[derive(FromQueryResult)]
struct Sample {
    id: Uuid,
    reference: String,
    citizen_name: String,
    service_id: Uuid,
}

#[derive(FromQueryResult)]
struct ServiceRow {
    id: Uuid,
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let count = env_number("GUICHET_BENCH_DOSSIERS", 100_000);
    let state = support::migrated_state(&database_url, &data_dir).await;
    let input = NewTenant {
        name: "Commune du banc d'essai".to_owned(),
        slug: SLUG.to_owned(),
        admin_email: format!("admin@{SLUG}.test"),
        hosts: vec![],
        starter_pack: Vec::new(),
    };
    let tenant = provision_tenant(&state, &input)
        .await
        .expect("provision")
        .tenant;
    let mut out = Vec::new();

    progress(&format!("generating {count} dossiers"));
    let generated = guichet_server::generate::dossiers(&state, SLUG, count as u32)
        .await
        .expect("generate");
    out.push(format!(
        "Generation: {count} dossiers ({} … {}) in {:.1} s",
        generated.first,
        generated.last,
        generated.elapsed.as_secs_f64()
    ));

    progress("rebuilding the search index");
    let done = guichet_server::jobs::indexer::reindex(&state, Some(SLUG))
        .await
        .expect("reindex");
    let rebuilt = done[0].1;
    let size = state.search().disk_size(&tenant);
    out.push(format!(
        "Search index: full rebuild of {} dossiers in {:.1} s ({:.0} dossiers/s); {:.1} MiB on disk ({:.0} bytes per dossier)",
        rebuilt.dossiers,
        rebuilt.elapsed.as_secs_f64(),
        rebuilt.dossiers as f64 / rebuilt.elapsed.as_secs_f64(),
        size as f64 / (1024.0 * 1024.0),
        size as f64 / rebuilt.dossiers.max(1) as f64,
    ));

    let (samples, services) = samples(&state, &tenant).await;
    let queries = queries(&samples);
    out.push(search_latency(
        &state,
        &tenant,
        &queries,
        &services,
        "every service",
    ));
    let one = [services[services.len() - 1]];
    out.push(search_latency(
        &state,
        &tenant,
        &queries,
        &one,
        "one service",
    ));

    out.push(freshness(&state, &tenant, &samples).await);
    out.push(list_query_latency(&state, &tenant).await);
    out.push(csv_export_rss(&state, &tenant).await);
    out.join("\n")
}

async fn samples(state: &AppState, tenant: &Arc<Tenant>) -> (Vec<Sample>, Vec<Uuid>) {
    let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
    let samples: Vec<Sample> = tx
        .fetch_all(
            "SELECT id, reference, citizen_name, service_id FROM dossiers
             ORDER BY md5(id::text) LIMIT 200",
            vec![],
        )
        .await
        .expect("samples");
    let services: Vec<ServiceRow> = tx
        .fetch_all("SELECT id FROM services ORDER BY id", vec![])
        .await
        .expect("services");
    tx.commit().await.expect("commit");
    (samples, services.into_iter().map(|s| s.id).collect())
}

/// A typo: the second letter of the word doubled or swapped with the third.
fn typo(word: &str, i: usize) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_owned();
    }
    let mut out = chars.clone();
    if i.is_multiple_of(2) {
        out.swap(1, 2);
    } else {
        out.insert(2, chars[2]);
    }
    out.into_iter().collect()
}

fn queries(samples: &[Sample]) -> Vec<String> {
    const WORDS: [&str; 12] = [
        "arbres",
        "élagage",
        "lampadaire",
        "trottoir abîmé",
        "stationnement",
        "nid de poule",
        "déchets",
        "crèche",
        "fuite d'eau",
        "rue des lilas",
        "devis",
        "intervention réalisée",
    ];
    let mut queries = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let last = s.citizen_name.split(' ').next_back().unwrap_or("");
        queries.push(match i % 6 {
            0 => s.citizen_name.clone(),
            1 => typo(last, i),
            2 => last.chars().take(4).collect(),
            3 => s.reference.clone(),
            4 => s.reference.split('-').nth(1).unwrap_or("").to_owned(),
            _ => WORDS[i % WORDS.len()].to_owned(),
        });
    }
    queries.extend(WORDS.iter().map(|w| (*w).to_owned()));
    queries
}

fn search_latency(
    state: &AppState,
    tenant: &Tenant,
    queries: &[String],
    services: &[Uuid],
    who: &str,
) -> String {
    // Warm the memory maps first, as a running server's would be.
    for q in queries.iter().take(50) {
        state
            .search()
            .search(tenant, q, services, 50)
            .expect("search");
    }
    let mut times = Vec::new();
    let mut hits = 0usize;
    for round in 0..2 {
        for q in queries {
            let started = Instant::now();
            let found = state
                .search()
                .search(tenant, q, services, 50)
                .expect("search");
            times.push(started.elapsed());
            if round == 0 {
                hits += found.len();
            }
        }
    }
    times.sort();
    format!(
        "Search latency ({who}, {} searches of {} queries, limit 50): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.1} results per query",
        times.len(),
        queries.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
        ms(percentile(&times, 100.0)),
        hits as f64 / queries.len() as f64,
    )
}

/// Time from a change's commit until a search finds it, with the indexer job running.
async fn freshness(state: &AppState, tenant: &Arc<Tenant>, samples: &[Sample]) -> String {
    guichet_server::jobs::live::spawn(state.clone());
    guichet_server::jobs::indexer::spawn(state.clone());
    // The indexer catches up at start: let it settle before measuring.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut times = Vec::new();
    for (i, sample) in samples.iter().take(20).enumerate() {
        let word = format!("zorglub{}", Uuid::new_v4().simple());
        let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
        if i.is_multiple_of(2) {
            tx.execute(
                "INSERT INTO dossier_notes (id, dossier_id, visibility, body) VALUES ($1, $2, 'service', $3)",
                vec![Uuid::new_v4().into(), sample.id.into(), format!("Rappeler {word}").into()],
            )
            .await
            .expect("note");
        } else {
            tx.execute(
                "UPDATE dossiers SET status = 'en_instruction', citizen_name = $2, updated_at = now() WHERE id = $1",
                vec![sample.id.into(), format!("{} {word}", sample.citizen_name).into()],
            )
            .await
            .expect("update");
        }
        announce(&tx, sample.id).await.expect("announce");
        tx.commit().await.expect("commit");
        let started = Instant::now();
        loop {
            let found = state
                .search()
                .search(tenant, &word, &[sample.service_id], 5)
                .expect("search");
            if found == [sample.id] {
                times.push(started.elapsed());
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return "Change → searchable: a change was not found after 30 s".to_owned();
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Changes one after the other, as agents make them.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    times.sort();
    format!(
        "Change → searchable ({} changes: notes added, status and name changed): p50 {:.0} ms, max {:.0} ms",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 100.0)),
    )
}

/// Latency of the back office's dossier list (`backoffice::service::list`: visible dossiers,
/// filters, sort, a page of 50) at this scale, for an agent managing every service.
async fn list_query_latency(state: &AppState, tenant: &Arc<Tenant>) -> String {
    use app::backoffice::model::DossierFilter;
    use app::backoffice::service::{Agent, list};
    let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
    let admin = app::account::service::list_users(&tx)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == format!("admin@{SLUG}.test"))
        .expect("admin");
    tx.execute(
        "INSERT INTO service_members (service_id, user_id, access) VALUES ($1, $2, 'gestion')
         ON CONFLICT DO NOTHING",
        vec![
            app::org::service::FIRST_SERVICE.into(),
            Uuid::parse_str(&admin.id).expect("id").into(),
        ],
    )
    .await
    .expect("membership");
    tx.commit().await.expect("commit");
    let filters = [
        DossierFilter::default(),
        DossierFilter {
            statut: "en_instruction".to_owned(),
            ..DossierFilter::default()
        },
        DossierFilter {
            tri: "echeance".to_owned(),
            ..DossierFilter::default()
        },
        DossierFilter {
            delai: "en_retard".to_owned(),
            ..DossierFilter::default()
        },
        DossierFilter {
            page: "20".to_owned(),
            ..DossierFilter::default()
        },
    ];
    let mut times = Vec::new();
    for round in 0..40 {
        for filter in &filters {
            let started = Instant::now();
            let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
            let agent = Agent::of(&tx, admin.clone()).await.expect("agent");
            let listed = list(&tx, &agent, filter).await;
            tx.commit().await.expect("commit");
            if round > 0 {
                times.push(started.elapsed());
            }
            if let Err(error) = listed {
                return format!("Dossier list query: failed ({error})");
            }
        }
    }
    times.sort();
    format!(
        "Dossier list (rights, then all / by status / by deadline / late / page 20, the last counted; 50 lines; transaction included): p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0)),
    )
}

/// The memory the CSV export costs: its batches read through the export's own data path
/// (`backoffice::service::export_batch`, 2,000 rows per transaction, as the streamed route
/// does) for every dossier of the tenant, with this process's resident memory sampled after
/// each batch.
async fn csv_export_rss(state: &AppState, tenant: &Arc<Tenant>) -> String {
    use app::backoffice::model::DossierFilter;
    use app::backoffice::service::{Agent, export_batch};
    fn rss_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }
    let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
    let admin = app::account::service::list_users(&tx)
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == format!("admin@{SLUG}.test"))
        .expect("admin");
    tx.commit().await.expect("commit");
    let filter = DossierFilter::default();
    let before = rss_kib();
    let mut peak = before;
    let started = Instant::now();
    let (mut rows, mut bytes, mut after) = (0_usize, 0_usize, None);
    loop {
        let tx = TenantTx::begin(state, tenant.clone()).await.expect("tx");
        let agent = Agent::of(&tx, admin.clone()).await.expect("agent");
        let batch = export_batch(&tx, &agent, &filter, after, 2000)
            .await
            .expect("batch");
        tx.commit().await.expect("commit");
        for (_, _, line) in &batch {
            let csv = [
                line.reference.as_str(),
                &line.demarche,
                &line.citizen,
                &line.status_name,
                &line.service,
            ]
            .join(";");
            bytes += csv.len() + 2;
        }
        rows += batch.len();
        peak = peak.max(rss_kib());
        match batch.last() {
            Some((at, id, _)) if batch.len() == 2000 => after = Some((*at, *id)),
            _ => break,
        }
    }
    let elapsed = started.elapsed();
    format!(
        "CSV export of all {rows} dossiers ({:.1} MB of lines): {:.1} s, {:.0} rows/s; resident memory growth {:.1} MB (peak over start)",
        bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64().max(1e-9),
        (peak.saturating_sub(before)) as f64 / 1024.0,
    )
}
