#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Démarches benchmark: prints figures (not pass/fail) for citizens submitting dossiers, and
//! the weight of the portal's démarche page on a first visit.
//!
//! - Submission: `GUICHET_BENCH_CITIZENS` (default 200) simulated citizens, spread over
//!   `GUICHET_BENCH_TENANTS` tenants (default 50), each in a loop for `GUICHET_BENCH_SECONDS`
//!   (default 10): start a draft, post the step form (multipart, as a browser without WASM
//!   does), submit. Latency percentiles of the submission (validation, reference, dossier,
//!   outbox mail, one transaction) and of the step post; dossiers per second. Twice: back to
//!   back (a stress test: latency is then mostly queueing), and pausing
//!   `GUICHET_BENCH_THINK_MS` (default 2000) before each page, as people reading and typing do,
//!   for three times as long.
//! - Page weight: the step page's HTML and the CSS, JS and WASM it loads, as sent with
//!   `Accept-Encoding: gzip` and `br` (the server compresses on the fly).
//!
//! Run it through `scripts/bench`, which builds the release server and site. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench dossiers`

mod support;

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use app::infra::{Settings, TenantTx};
use app::platform::service::{NewTenant, provision_tenant};
use guichet_server::config::Config;
use leptos::config::{Env, LeptosOptions};
use reqwest::header::{ACCEPT_ENCODING, HOST};
use tokio::process::{Child, Command};
use tokio::time::Instant;

use support::{env_number, ms, percentile, progress};

const BASE_DOMAIN: &str = "localhost";

fn main() {
    support::run_in_fresh_database(run);
}

fn slug(i: usize) -> String {
    format!("bench-{i:03}")
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let tenants = env_number("GUICHET_BENCH_TENANTS", 50);
    let citizens = env_number("GUICHET_BENCH_CITIZENS", 200);
    let seconds = env_number("GUICHET_BENCH_SECONDS", 10) as u64;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let server_bin = std::env::var("GUICHET_BIN")
        .map_or_else(|_| root.join("target/release/guichet"), PathBuf::from);
    let document = std::fs::read_to_string(root.join("tenants/demarches/signalement-voirie.json"))
        .expect("tenants/demarches/signalement-voirie.json");
    let config = Config {
        database_url: database_url.clone(),
        settings: Settings {
            base_domain: BASE_DOMAIN.to_owned(),
            public_scheme: "http".to_owned(),
            public_port: Some(3000),
            trust_forwarded_for: false,
            files_dir: data_dir.join("files"),
            files: app::infra::storage::FileStore::local(&data_dir.join("files")).unwrap(),
        },
        leptos: LeptosOptions::builder()
            .output_name("guichet")
            .site_root("target/site")
            .env(Env::PROD)
            .build(),
        data_dir: data_dir.clone(),
        smtp_url: None,
        mail_from: "ne-pas-repondre@guichet.test".to_owned(),
        db_max_connections: 4,
    };
    let state = guichet_server::state(&config).await.expect("connect");
    guichet_server::migrate(&state).await.expect("migrate");
    progress(&format!("{tenants} tenants with a published démarche"));
    let mut demarches = Vec::with_capacity(tenants);
    for i in 0..tenants {
        let input = NewTenant {
            name: format!("Commune {i}"),
            slug: slug(i),
            admin_email: format!("admin@{}.test", slug(i)),
            hosts: vec![],
            starter_pack: Vec::new(),
        };
        let tenant = provision_tenant(&state, &input)
            .await
            .expect("provision")
            .tenant;
        let tx = TenantTx::begin(&state, tenant).await.expect("tx");
        let id = app::demarches::service::import(&tx, &document)
            .await
            .expect("import");
        app::demarches::service::publish_by(&tx, None, &id.to_string())
            .await
            .expect("publish");
        tx.commit().await.expect("commit");
        demarches.push(id.to_string());
    }
    let server = Server::start(&server_bin, &database_url, &data_dir).await;
    let port = server.port;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let demarches = Arc::new(demarches);

    let think = Duration::from_millis(env_number("GUICHET_BENCH_THINK_MS", 2000) as u64);
    progress(&format!(
        "{citizens} citizens submitting back to back for {seconds} s"
    ));
    let stress = load(&client, port, &demarches, citizens, seconds, Duration::ZERO).await;
    progress(&format!(
        "{citizens} citizens pausing {} ms between pages, for {} s",
        think.as_millis(),
        seconds * 3
    ));
    let paced = load(&client, port, &demarches, citizens, seconds * 3, think).await;

    let weight = page_weight(&client, port, &demarches[0]).await;
    server.stop().await;

    let mut out = String::new();
    for (title, phase) in [
        (
            "back to back (stress: each citizen posts its next page at once)".to_owned(),
            &stress,
        ),
        (
            format!(
                "with {} ms of reading/typing between pages",
                think.as_millis()
            ),
            &paced,
        ),
    ] {
        out.push_str(&format!(
            "\nDossier submission — {citizens} concurrent citizens over {tenants} tenants, {title}, {:.1} s\n",
            phase.elapsed.as_secs_f64()
        ));
        out.push_str(&format!(
            "  dossiers submitted   {} ({:.0}/s), failures {}\n",
            phase.submits.len(),
            phase.submits.len() as f64 / phase.elapsed.as_secs_f64(),
            phase.failures
        ));
        for (name, list) in [
            ("submit (POST /api/portal/submit)", &phase.submits),
            ("step form (multipart POST)", &phase.steps),
        ] {
            out.push_str(&format!(
                "  {name:<34} p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms\n",
                ms(percentile(list, 50.0)),
                ms(percentile(list, 90.0)),
                ms(percentile(list, 99.0)),
                ms(list.last().copied().unwrap_or_default()),
            ));
        }
    }
    out.push_str("\nPortal démarche page, first visit (bytes on the wire)\n");
    out.push_str(&format!(
        "  {:<28} {:>10} {:>10} {:>10}\n",
        "resource", "raw", "gzip", "brotli"
    ));
    let mut totals = (0, 0, 0);
    for (name, raw, gzip, brotli) in &weight {
        out.push_str(&format!("  {name:<28} {raw:>10} {gzip:>10} {brotli:>10}\n"));
        totals = (totals.0 + raw, totals.1 + gzip, totals.2 + brotli);
    }
    out.push_str(&format!(
        "  {:<28} {:>10} {:>10} {:>10}   (target: 150 KB = 153600 bytes brotli)\n",
        "total", totals.0, totals.1, totals.2
    ));
    out
}

struct Phase {
    submits: Vec<Duration>,
    steps: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

/// `citizens` concurrent citizens, each filing dossiers in a loop for `seconds`, pausing
/// `think` before each page as a person reading and typing would.
async fn load(
    client: &reqwest::Client,
    port: u16,
    demarches: &Arc<Vec<String>>,
    citizens: usize,
    seconds: u64,
    think: Duration,
) -> Phase {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(citizens);
    for c in 0..citizens {
        let client = client.clone();
        let demarches = demarches.clone();
        tasks.push(tokio::spawn(async move {
            // Spread the first requests over one pause, as arrivals would be.
            if !think.is_zero() {
                tokio::time::sleep(think.mul_f64(c as f64 / citizens as f64)).await;
            }
            let mut submits = Vec::new();
            let mut steps = Vec::new();
            let mut failures = 0usize;
            let mut round = 0usize;
            while Instant::now() < deadline {
                let tenant = (c + round * 7) % demarches.len();
                round += 1;
                match citizen(&client, port, tenant, &demarches[tenant], think).await {
                    Ok((step, submit)) => {
                        steps.push(step);
                        submits.push(submit);
                    }
                    Err(error) => {
                        failures += 1;
                        if failures <= 3 {
                            progress(&format!("citizen {c}: {error}"));
                        }
                    }
                }
            }
            (submits, steps, failures)
        }));
    }
    let mut phase = Phase {
        submits: Vec::new(),
        steps: Vec::new(),
        failures: 0,
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (s, p, f) = task.await.expect("citizen task");
        phase.submits.extend(s);
        phase.steps.extend(p);
        phase.failures += f;
    }
    phase.elapsed = started.elapsed();
    phase.submits.sort();
    phase.steps.sort();
    phase
}

/// One citizen's démarche: start, one step, submit. Returns the step and submit latencies.
async fn citizen(
    client: &reqwest::Client,
    port: u16,
    tenant: usize,
    demarche: &str,
    think: Duration,
) -> Result<(Duration, Duration), String> {
    let host = format!("{}.{BASE_DOMAIN}:{port}", slug(tenant));
    let base = format!("http://127.0.0.1:{port}");
    let started = client
        .post(format!("{base}/api/portal/start"))
        .header(HOST, &host)
        .form(&[("demarche", demarche)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = started
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| format!("start: {}", started.status()))?
        .to_owned();
    let key = location
        .strip_prefix("/brouillons/")
        .and_then(|r| r.split('?').next())
        .ok_or("start: no draft")?
        .to_owned();
    let form = reqwest::multipart::Form::new()
        .text("step", "0")
        .text("_action", "next")
        .text("nature", "chaussee")
        .text("lieu.number", "3")
        .text("lieu.street", "rue de la Mairie")
        .text("lieu.postcode", "44800")
        .text("lieu.commune", "Saint-Herblain")
        .text("courriel", "citoyen@example.test");
    tokio::time::sleep(think).await;
    let t = Instant::now();
    let step = client
        .post(format!("{base}/brouillons/{key}"))
        .header(HOST, &host)
        .multipart(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let step_time = t.elapsed();
    let to = step
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    if !to.ends_with("/recapitulatif") {
        return Err(format!("step: {} → {to}", step.status()));
    }
    tokio::time::sleep(think).await;
    let t = Instant::now();
    let submitted = client
        .post(format!("{base}/api/portal/submit"))
        .header(HOST, &host)
        .form(&[("key", key.as_str())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let submit_time = t.elapsed();
    let to = submitted
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    if !to.starts_with("/suivi/") {
        return Err(format!("submit: {} → {to}", submitted.status()));
    }
    Ok((step_time, submit_time))
}

/// Sizes (raw, gzip, brotli) of the step page and each asset it references under /pkg/.
async fn page_weight(
    client: &reqwest::Client,
    port: u16,
    demarche: &str,
) -> Vec<(String, usize, usize, usize)> {
    let host = format!("{}.{BASE_DOMAIN}:{port}", slug(0));
    let base = format!("http://127.0.0.1:{port}");
    let started = client
        .post(format!("{base}/api/portal/start"))
        .header(HOST, &host)
        .form(&[("demarche", demarche)])
        .send()
        .await
        .expect("start");
    let page = started.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let fetch = |path: String, encoding: &'static str| {
        let client = client.clone();
        let host = host.clone();
        let base = base.clone();
        async move {
            let mut request = client.get(format!("{base}{path}")).header(HOST, host);
            if !encoding.is_empty() {
                request = request.header(ACCEPT_ENCODING, encoding);
            }
            let response = request.send().await.expect("fetch");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            response.bytes().await.expect("body")
        }
    };
    let html = String::from_utf8_lossy(&fetch(page.clone(), "").await).into_owned();
    let mut assets = vec![("HTML (step page)".to_owned(), page)];
    // Stylesheets and scripts the page references, including the module a script imports.
    for marker in ["href=\"/pkg/", "src=\"/pkg/", "from '/pkg/"] {
        for part in html.split(marker).skip(1) {
            if let Some(end) = part.find(['"', '\'']) {
                let path = format!("/pkg/{}", &part[..end]);
                if !assets.iter().any(|(_, p)| *p == path) {
                    assets.push((path.clone(), path));
                }
            }
        }
    }
    // Each wasm-bindgen module fetches its WASM beside it.
    let modules: Vec<String> = assets
        .iter()
        .map(|(_, p)| p.clone())
        .filter(|p| p.ends_with(".js"))
        .collect();
    for module in modules {
        let stem = module.trim_end_matches(".js");
        let candidates = [format!("{stem}_bg.wasm"), format!("{stem}.wasm")];
        for wasm in candidates {
            let found = client
                .get(format!("{base}{wasm}"))
                .header(HOST, &host)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if found {
                assets.push((wasm.clone(), wasm));
                break;
            }
        }
    }
    let mut sizes = Vec::new();
    for (name, path) in assets {
        let raw = fetch(path.clone(), "").await.len();
        let gzip = fetch(path.clone(), "gzip").await.len();
        let brotli = fetch(path.clone(), "br").await.len();
        sizes.push((name, raw, gzip, brotli));
    }
    sizes
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(bin: &Path, database_url: &str, data_dir: &Path) -> Self {
        let port = StdListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("port")
            .port();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let site_root = std::env::var("LEPTOS_SITE_ROOT")
            .map_or_else(|_| root.join("target/site"), PathBuf::from);
        let child = Command::new(bin)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("GUICHET_BASE_DOMAIN", BASE_DOMAIN)
            .env("GUICHET_DATA_DIR", data_dir)
            .env("RUST_LOG", "warn")
            .env("LEPTOS_ENV", "PROD")
            .env_remove("GUICHET_SMTP_URL")
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut server = Self { child, port };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().expect("server status") {
                panic!("the server exited during start-up ({status})");
            }
            if client
                .get(format!("http://127.0.0.1:{port}/health"))
                .send()
                .await
                .is_ok()
            {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer within 120 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
