#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Store benchmark: prints figures (not pass/fail) for the shared catalogue of démarches.
//!
//! - `GUICHET_BENCH_STORE_ENTRIES` (default 10,000) entries inserted with set-based SQL
//!   (varied titles, descriptions, domains, organisms, import counts, some featured), then the
//!   in-memory index's full build time.
//! - Search latency, p50/p99 over a few hundred varied searches (words, plurals, prefixes,
//!   filters by domain and organism, the three orders, empty searches): the index alone, and
//!   the catalogue page's whole query (`store::service::browse`: index + the page's rows
//!   from PostgreSQL).
//! - Import latency, p50/p99: a 100-field démarche with a workflow, routing and deadlines,
//!   published by one commune and imported 100 times by another (each import a transaction:
//!   new draft, instruction, provenance, counters).
//!
//! Run it through `scripts/bench`. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench store`

mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use app::infra::{AppState, Queries, TenantTx};
use app::platform::service::{NewTenant, provision_tenant};
use app::store::model::{StoreQuery, StoreSort};
use app::store::search::StoreSearch;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

use support::{env_number, ms, percentile, progress};

fn main() {
    support::run_in_fresh_database(run);
}

async fn tenant(state: &AppState, slug: &str) -> std::sync::Arc<app::infra::Tenant> {
    let input = NewTenant {
        name: format!("Commune {slug}"),
        slug: slug.to_owned(),
        admin_email: format!("admin@{slug}.test"),
        hosts: vec![],
        starter_pack: Vec::new(),
    };
    provision_tenant(state, &input)
        .await
        .expect("provision")
        .tenant
}

/// 100 fields over 10 steps, of every common kind, some conditional, one file per step.
fn hundred_fields() -> String {
    let mut steps = Vec::new();
    for s in 0..10 {
        let mut fields = Vec::new();
        for f in 0..10 {
            let code = format!("champ_{s}_{f}");
            let kind = match f {
                0 => json!({ "short_text": {} }),
                1 => json!({ "long_text": {} }),
                2 => json!({ "email": {} }),
                3 => json!({ "integer": { "min": 0, "max": 120 } }),
                4 => json!({ "date": {} }),
                5 => json!({ "yes_no": {} }),
                6 => json!({ "single_choice": { "options": [
                        { "value": "a", "label": "Option A" }, { "value": "b", "label": "Option B" } ] } }),
                7 => json!({ "multiple_choice": { "options": [
                        { "value": "x", "label": "Choix X" }, { "value": "y", "label": "Choix Y" } ] } }),
                8 => json!({ "address": {} }),
                _ => {
                    json!({ "files": { "accepted_types": ["application/pdf"], "max_size_bytes": 5_000_000, "max_files": 2 } })
                }
            };
            let mut field = json!({
                "code": code, "label": format!("Question {s}.{f}"), "help": "Une aide pour l'usager.",
                "required": f % 3 == 0, "kind": kind
            });
            if f == 7 {
                field["condition"] = json!({ "compare": { "field": format!("champ_{s}_5"), "op": "eq", "value": { "yes_no": true } } });
            }
            fields.push(field);
        }
        steps.push(json!({ "code": format!("etape_{s}"), "title": format!("Étape {s}"), "fields": fields }));
    }
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Grande démarche de banc d'essai", "description": "Cent champs.",
                      "rubrique": "Essais", "audience": "identified_only", "state": "draft" },
        "definition": { "steps": steps }
    })
    .to_string()
}

const TITLE_HEADS: &[&str] = &[
    "Inscription",
    "Demande",
    "Signalement",
    "Réservation",
    "Déclaration",
    "Autorisation",
    "Aide",
    "Attestation",
    "Carte",
    "Permis",
    "Subvention",
    "Rendez-vous",
];
const TITLE_TAILS: &[&str] = &[
    "à la cantine",
    "au centre de loisirs",
    "d'acte de naissance",
    "de mariage",
    "d'occupation du domaine public",
    "de travaux",
    "d'un nid de poule",
    "de salle municipale",
    "de stationnement",
    "aux associations",
    "de logement",
    "d'urbanisme",
    "de transport scolaire",
    "au conservatoire",
    "de piscine",
    "de déchetterie",
    "d'accueil périscolaire",
    "de terrasse",
    "de raccordement",
    "d'état civil",
];

fn sql_array(words: &[&str]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "''")))
        .collect();
    format!("ARRAY[{}]", quoted.join(","))
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let entries = env_number("GUICHET_BENCH_STORE_ENTRIES", 10_000);
    let state = support::migrated_state(&database_url, &data_dir).await;
    let publisher = tenant(&state, "bench-store-a").await;
    let importer = tenant(&state, "bench-store-b").await;
    let mut out = Vec::new();

    // The 100-field démarche, published by A with a workflow, routing and deadlines.
    let tx = TenantTx::begin(&state, publisher.clone()).await.unwrap();
    let demarche = app::demarches::service::import(&tx, &hundred_fields())
        .await
        .expect("import the 100-field démarche");
    app::demarches::service::publish_by(&tx, None, &demarche.to_string())
        .await
        .expect("publish");
    let mut instruction = app::workflow::model::Instruction::default();
    instruction.routing.default_service = Some("00000000-0000-4000-8000-000000000001".into());
    instruction.deadlines.max_days = Some(30);
    instruction.deadlines.alert_days = Some(5);
    let problems = app::workflow::service::save_by(&tx, None, &demarche.to_string(), &instruction)
        .await
        .unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let published = app::store::service::publish(
        &tx,
        &[],
        &app::store::service::PublishInput {
            demarche_id: demarche.to_string(),
            description: "Cent champs et un circuit complet.".into(),
            domain: "autre".into(),
            organism_type: "mairie".into(),
            ..Default::default()
        },
    )
    .await
    .expect("publish to the store");
    tx.commit().await.unwrap();
    let big_entry = Uuid::parse_str(&published.entry_id).unwrap();

    // The catalogue's other entries, set-based, sharing one small payload.
    progress(&format!("inserting {entries} store entries"));
    let started = Instant::now();
    let small_payload = app::store::model::strip(
        &serde_json::from_str(&json!({
            "format": "guichet.demarche", "format_version": 1,
            "demarche": { "title": "Petite démarche", "description": "", "rubrique": "",
                          "audience": "identified_only", "state": "draft" },
            "definition": { "steps": [ { "code": "a", "title": "Vous", "fields": [
                { "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } },
                { "code": "adresse", "label": "Adresse", "required": true, "kind": { "address": {} } },
                { "code": "justificatif", "label": "Justificatif", "required": false,
                  "kind": { "files": { "accepted_types": [], "max_size_bytes": 1000000, "max_files": 1 } } }
            ] } ] }
        }).to_string()).unwrap(),
        &app::workflow::model::Instruction::default(),
    );
    let small = serde_json::to_string(&small_payload).unwrap();
    let domains: Vec<&str> = app::store::model::DOMAINS.iter().map(|(c, _)| *c).collect();
    let organisms: Vec<&str> = app::store::model::ORGANISM_TYPES
        .iter()
        .map(|(c, _)| *c)
        .collect();
    let heads = sql_array(TITLE_HEADS);
    let tails = sql_array(TITLE_TAILS);
    let sql = format!(
        "INSERT INTO platform.store_entries (id, publisher_tenant_id, publisher_name, source_demarche_id,
             title, description, domain, organism_type, featured, import_count, latest_version, updated_at)
         SELECT gen_random_uuid(), '{publisher_id}', 'Commune n°' || (i % 300), gen_random_uuid(),
             ({heads})[1 + i % {nh}] || ' ' || ({tails})[1 + (i / {nh}) % {nt}] || ' (' || i || ')',
             'Démarche ' || lower(({heads})[1 + (i * 7) % {nh}]) || ' ' || ({tails})[1 + (i * 13) % {nt}]
               || ', conçue pour les collectivités de toute taille.',
             ({domains})[1 + i % {nd}], ({organisms})[1 + i % {no}],
             i % 97 = 0, (i * 7919) % 500, 1, now() - i * interval '1 minute'
         FROM generate_series(1, {entries}) AS i",
        publisher_id = publisher.id,
        nh = TITLE_HEADS.len(),
        nt = TITLE_TAILS.len(),
        domains = sql_array(&domains),
        nd = domains.len(),
        organisms = sql_array(&organisms),
        no = organisms.len(),
    );
    state.pool().execute_unprepared(&sql).await.unwrap();
    let tx = app::infra::PlatformTx::begin(&state).await.unwrap();
    tx.execute(
        "INSERT INTO platform.store_versions (entry_id, version, payload)
         SELECT id, 1, $1::jsonb FROM platform.store_entries e
         WHERE NOT EXISTS (SELECT 1 FROM platform.store_versions v WHERE v.entry_id = e.id)",
        vec![small.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    out.push(format!(
        "Store: {} entries inserted in {:.1} s",
        entries + 1,
        started.elapsed().as_secs_f64()
    ));

    let started = Instant::now();
    state.store().rebuild(&state).await.expect("index build");
    out.push(format!(
        "Index: full build from PostgreSQL in {:.0} ms",
        ms(started.elapsed())
    ));

    // Searches: the index alone, then the catalogue page's whole query.
    let texts = [
        "inscription cantine",
        "inscriptions cantines",
        "cantine",
        "demande acte naissance",
        "signalement",
        "salle municipale",
        "permis travaux",
        "subvent",
        "piscin",
        "conservatoire",
        "periscolaire",
        "deechetterie",
        "",
    ];
    let sorts = [
        StoreSort::Pertinence,
        StoreSort::Recent,
        StoreSort::Populaire,
    ];
    let mut searches = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        for (j, sort) in sorts.iter().enumerate() {
            for filter in 0..4 {
                searches.push(StoreSearch {
                    text: (*text).to_owned(),
                    domain: (filter == 1 || filter == 3)
                        .then(|| domains[(i + j) % domains.len()].to_owned()),
                    organism: (filter >= 2)
                        .then(|| organisms[(i + j) % organisms.len()].to_owned()),
                    sort: *sort,
                    offset: if (i + j) % 5 == 0 { 20 } else { 0 },
                    limit: 20,
                });
            }
        }
    }
    let mut index_times = Vec::new();
    let mut matched = 0;
    for _ in 0..3 {
        for search in &searches {
            let started = Instant::now();
            let hits = state.store().search(&state, search).await.unwrap();
            index_times.push(started.elapsed());
            matched += hits.total;
        }
    }
    index_times.sort();
    out.push(format!(
        "Search (index only, {} searches over {} entries, {} matches each on average): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        index_times.len(),
        entries + 1,
        matched / index_times.len().max(1),
        ms(percentile(&index_times, 50.0)),
        ms(percentile(&index_times, 99.0)),
        ms(*index_times.last().unwrap_or(&Duration::ZERO)),
    ));
    let mut page_times = Vec::new();
    for search in &searches {
        let query = StoreQuery {
            q: search.text.clone(),
            domaine: search.domain.clone().unwrap_or_default(),
            organisme: search.organism.clone().unwrap_or_default(),
            tri: search.sort.code().to_owned(),
            page: String::new(),
        };
        let started = Instant::now();
        let tx = TenantTx::begin(&state, importer.clone()).await.unwrap();
        let results = app::store::service::browse(&state, &tx, &query)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        page_times.push(started.elapsed());
        std::hint::black_box(results);
    }
    page_times.sort();
    out.push(format!(
        "Catalogue page query (index + rows, {} searches): p50 {:.2} ms, p99 {:.2} ms",
        page_times.len(),
        ms(percentile(&page_times, 50.0)),
        ms(percentile(&page_times, 99.0)),
    ));

    // Imports of the 100-field démarche.
    let mut import_times = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let tx = TenantTx::begin(&state, importer.clone()).await.unwrap();
        app::store::service::import_entry(&tx, big_entry, app::store::service::WELCOME_SERVICE)
            .await
            .expect("import");
        tx.commit().await.unwrap();
        import_times.push(started.elapsed());
    }
    import_times.sort();
    out.push(format!(
        "Import of a 100-field démarche with its workflow (100 imports): p50 {:.1} ms, p99 {:.1} ms",
        ms(percentile(&import_times, 50.0)),
        ms(percentile(&import_times, 99.0)),
    ));
    out.join("\n")
}
