#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Platform benchmark: prints figures (not pass/fail) for tenant provisioning, a migration run
//! with nothing to apply, server memory, and the tenant portal's home page under load.
//!
//! Run it through `scripts/bench [N]`, which starts a PostgreSQL cluster, builds the release
//! binary and installs `wrk`. Directly:
//!
//! ```sh
//! GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench platform -- 1000
//! ```
//!
//! Environment: `GUICHET_BENCH_DATABASE_URL` (admin connection; a database
//! `guichet_bench_<random>` is created there and dropped at the end), `GUICHET_BENCH_TENANTS`
//! (or the first argument; default 1000), `GUICHET_BENCH_CONNECTIONS` (closed-loop connections,
//! default 64), `GUICHET_BENCH_SECONDS` (length of each measured load phase, default 10),
//! `GUICHET_BIN` (the server binary; default: the one cargo built alongside this bench),
//! `GUICHET_WRK` (the `wrk` program; default `wrk`, and an in-process load generator if absent).

mod support;

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use app::infra::{Settings, TenantTx};
use app::platform::service::{NewTenant, provision_tenant};
use app::portal::service::publish_news;
use futures::StreamExt;
use guichet_migrations::{
    migrate_platform, migrate_tenants, platform_migrations, tenant_migrations,
};
use guichet_server::config::Config;
use leptos::config::{Env, LeptosOptions};
use reqwest::header::HOST;
use sea_orm::{ConnectionTrait, Database};
use tokio::process::{Child, Command};
use tokio::time::Instant;
use uuid::Uuid;

use support::{ms, percentile, progress, with_database};

const BASE_DOMAIN: &str = "localhost";
const NEWS_PER_TENANT: usize = 20;
const NEWS_MARKER: &str = "class=\"news-item\"";
/// Tenants present when the server's memory is measured the first time.
const FEW_TENANTS: usize = 10;
const WARMUP_CONCURRENCY: usize = 32;

struct Options {
    admin_url: String,
    tenants: usize,
    connections: usize,
    seconds: u64,
    server_bin: PathBuf,
    wrk: Option<PathBuf>,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Options {
    fn from_env() -> Self {
        // `cargo bench` passes `--bench`; the first argument that is a number is N.
        let from_args = std::env::args()
            .skip(1)
            .find_map(|a| a.parse::<usize>().ok());
        let tenants = from_args
            .or_else(|| {
                env_var("GUICHET_BENCH_TENANTS")
                    .map(|v| v.parse().expect("GUICHET_BENCH_TENANTS must be a number"))
            })
            .unwrap_or(1000);
        assert!(tenants >= 1, "at least one tenant");
        let admin_url = env_var("GUICHET_BENCH_DATABASE_URL")
            .expect("set GUICHET_BENCH_DATABASE_URL to an admin PostgreSQL URL (scripts/bench does it for you)");
        let connections = env_var("GUICHET_BENCH_CONNECTIONS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(64);
        let seconds = env_var("GUICHET_BENCH_SECONDS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(10);
        let server_bin = env_var("GUICHET_BIN").map_or_else(
            || PathBuf::from(env!("CARGO_BIN_EXE_guichet")),
            PathBuf::from,
        );
        let wrk = env_var("GUICHET_WRK")
            .map(PathBuf::from)
            .or_else(|| Some(PathBuf::from("wrk")))
            .filter(|wrk| {
                std::process::Command::new(wrk)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok()
            });
        Self {
            admin_url,
            tenants,
            connections,
            seconds,
            server_bin,
            wrk,
        }
    }
}

fn slug(i: usize) -> String {
    format!("bench-{i:05}")
}

fn tenant_name(i: usize) -> String {
    format!("Commune de Bench {i:05}")
}

fn sorted(mut v: Vec<Duration>) -> Vec<Duration> {
    v.sort_unstable();
    v
}

fn main() {
    let options = Options::from_env();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async move {
        let admin = Database::connect(&options.admin_url)
            .await
            .expect("cannot connect to GUICHET_BENCH_DATABASE_URL");
        let name = format!("guichet_bench_{}", Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        let database_url = with_database(&options.admin_url, &name);
        let data_dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&data_dir).expect("temporary folder");
        // Spawned so that a panic still reaches the clean-up below (the server child is killed
        // when its handle is dropped).
        let outcome = tokio::spawn(run(options, database_url, data_dir.clone())).await;
        if let Err(error) = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
        {
            eprintln!("bench: could not drop database {name}: {error}");
        }
        let _ = std::fs::remove_dir_all(&data_dir);
        match outcome {
            Ok(summary) => {
                println!("{summary}");
                0
            }
            Err(error) => {
                eprintln!("bench: failed: {error}");
                1
            }
        }
    });
    std::process::exit(code);
}

async fn run(options: Options, database_url: String, data_dir: PathBuf) -> String {
    let n = options.tenants;
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
    let state = guichet_server::state(&config)
        .await
        .expect("connect to the bench database");
    guichet_server::migrate(&state)
        .await
        .expect("migrate the platform schema");
    progress(&format!(
        "{n} tenants, server {}, load generator {}",
        options.server_bin.display(),
        options
            .wrk
            .as_ref()
            .map_or("in-process (wrk not found)".to_owned(), |w| w
                .display()
                .to_string())
    ));

    // 1. Provisioning, the first few tenants; then the server's memory with few tenants.
    let few = FEW_TENANTS.min(n);
    let mut provisioning = Vec::with_capacity(n);
    let mut news_time = Duration::ZERO;
    for i in 1..=few {
        let (p, s) = provision(&state, i).await;
        provisioning.push(p);
        news_time += s;
    }
    let warm_requests = 2000.max(2 * n);
    let rss_few = {
        let server = Server::start(&options.server_bin, &database_url, &data_dir).await;
        wait_for_mail(&data_dir, few).await;
        let warm = hammer(
            server.port,
            &(1..=few).collect::<Vec<_>>(),
            warm_requests,
            WARMUP_CONCURRENCY,
        )
        .await;
        assert_eq!(
            warm.errors, 0,
            "errors while warming up with {few} tenants: {:?}",
            warm.first_error
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = server.rss_kib();
        progress(&format!(
            "server RSS with {few} tenants after {warm_requests} requests: {:.1} MiB",
            rss as f64 / 1024.0
        ));
        server.stop().await;
        rss
    };

    // 1 (continued). The remaining tenants.
    let started = Instant::now();
    for i in few + 1..=n {
        let (p, s) = provision(&state, i).await;
        provisioning.push(p);
        news_time += s;
        if i % 100 == 0 || i == n {
            let block = sorted(provisioning[i.saturating_sub(100)..].to_vec());
            progress(&format!(
                "provisioned {i}/{n} tenants ({:.0} s); the last {}: p50 {:.1} ms, p99 {:.1} ms, max {:.0} ms",
                started.elapsed().as_secs_f64(),
                block.len(),
                ms(percentile(&block, 50.0)),
                ms(percentile(&block, 99.0)),
                ms(percentile(&block, 100.0)),
            ));
        }
    }
    let window = 100.min(n.div_ceil(2));
    let first_p50 = percentile(&sorted(provisioning[..window].to_vec()), 50.0);
    let last_p50 = percentile(&sorted(provisioning[n - window..].to_vec()), 50.0);
    let all = sorted(provisioning.clone());
    let (prov_p50, prov_p99, prov_max) = (
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        percentile(&all, 100.0),
    );
    progress(&format!(
        "provisioning total {:.1} s; {NEWS_PER_TENANT} news per tenant took {:.1} s in all",
        all.iter().sum::<Duration>().as_secs_f64(),
        news_time.as_secs_f64()
    ));

    // 2. Migration run with nothing to apply (three runs; the median is reported).
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let (from, to) = migrate_platform(state.pool(), &platform_migrations())
            .await
            .expect("platform migration");
        let platform = t.elapsed();
        assert_eq!(from, to, "the platform schema should have been up to date");
        let t = Instant::now();
        let report = migrate_tenants(state.pool(), &tenant_migrations())
            .await
            .expect("tenant migration");
        let tenants = t.elapsed();
        assert_eq!(report.outcomes.len(), n);
        assert_eq!(
            report.failures().count() + report.upgraded().count(),
            0,
            "{report}"
        );
        progress(&format!(
            "no-op migration: platform {:.1} ms + {n} tenants {:.1} ms",
            ms(platform),
            ms(tenants)
        ));
        runs.push((platform + tenants, platform, tenants));
    }
    runs.sort_by_key(|r| r.0);
    let (migration_total, migration_platform, migration_tenants) = runs[1];
    let migration_runs = runs
        .iter()
        .map(|r| format!("{:.0}", ms(r.0)))
        .collect::<Vec<_>>()
        .join(", ");

    // 3. Memory with all tenants, 4. load.
    let server = Server::start(&options.server_bin, &database_url, &data_dir).await;
    wait_for_mail(&data_dir, n).await;
    let everyone: Vec<usize> = (1..=n).collect();
    let warm = hammer(server.port, &everyone, warm_requests, WARMUP_CONCURRENCY).await;
    assert_eq!(
        warm.errors, 0,
        "errors while warming up with {n} tenants: {:?}",
        warm.first_error
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_all = server.rss_kib();
    progress(&format!(
        "server RSS with {n} tenants after {warm_requests} requests: {:.1} MiB",
        rss_all as f64 / 1024.0
    ));
    let page_size = warm.page_size;

    let seconds = options.seconds;
    let (closed, closed_cpu) = match &options.wrk {
        Some(wrk) => {
            let script = data_dir.join("rotate-hosts.lua");
            std::fs::write(&script, WRK_SCRIPT).expect("write the wrk script");
            progress("closed loop: warm-up (3 s)");
            run_wrk(wrk, &script, server.port, n, options.connections, 3).await;
            progress(&format!(
                "closed loop: {} connections, {seconds} s (wrk)",
                options.connections
            ));
            let before = CpuSample::take(server.pid());
            let closed = run_wrk(wrk, &script, server.port, n, options.connections, seconds).await;
            (closed, before.until_now(server.pid()))
        }
        None => {
            progress("closed loop: warm-up (3 s)");
            closed_loop(server.port, n, options.connections, 3).await;
            progress(&format!(
                "closed loop: {} connections, {seconds} s (in-process client)",
                options.connections
            ));
            let before = CpuSample::take(server.pid());
            let closed = closed_loop(server.port, n, options.connections, seconds).await;
            (closed, before.until_now(server.pid()))
        }
    };
    progress(&format!(
        "closed loop: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors {}",
        closed.requests,
        closed.throughput,
        ms(closed.p50),
        ms(closed.p99),
        ms(closed.max),
        closed.errors
    ));

    tokio::time::sleep(Duration::from_secs(1)).await;
    let rate = (closed.throughput / 2.0).max(1.0);
    progress(&format!("open loop: {rate:.0} req/s for {seconds} s"));
    let before = CpuSample::take(server.pid());
    let open = open_loop(server.port, n, rate, seconds).await;
    let open_cpu = before.until_now(server.pid());
    progress(&format!(
        "open loop: {} requests, achieved {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, errors {}, \
         body checks failed {}, generator lag p99 {:.2} ms",
        open.requests,
        open.achieved,
        ms(open.p50),
        ms(open.p99),
        ms(open.max),
        open.errors,
        open.bad_bodies,
        ms(open.lag_p99)
    ));
    let rss_after_load = server.rss_kib();
    server.stop().await;
    // Closed before the database is dropped.
    let _ = state.pool().clone().close().await;

    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(&mut out, String::new());
    line(&mut out, "==== Guichet platform benchmark ====".to_owned());
    line(&mut out, format!("tenants: {n}"));
    line(
        &mut out,
        format!(
            "provisioning per tenant: p50 {:.1} ms, p99 {:.1} ms, max {:.0} ms (first {window} p50 {:.1} ms, last {window} p50 {:.1} ms)",
            ms(prov_p50),
            ms(prov_p99),
            ms(prov_max),
            ms(first_p50),
            ms(last_p50)
        ),
    );
    line(
        &mut out,
        format!(
            "migration run, nothing to apply, {n} tenants: {:.0} ms (platform {:.1} ms + tenants {:.1} ms; median of 3 runs: {migration_runs} ms)",
            ms(migration_total),
            ms(migration_platform),
            ms(migration_tenants)
        ),
    );
    line(
        &mut out,
        format!(
            "server RSS: {few} tenants {:.1} MiB, {n} tenants {:.1} MiB ({:+.1} %); after the load phases {:.1} MiB",
            rss_few as f64 / 1024.0,
            rss_all as f64 / 1024.0,
            (rss_all as f64 - rss_few as f64) * 100.0 / rss_few as f64,
            rss_after_load as f64 / 1024.0
        ),
    );
    line(
        &mut out,
        format!(
            "portal home (SSR + {NEWS_PER_TENANT} rows from PostgreSQL), {} connections: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {} errors",
            options.connections,
            closed.throughput,
            ms(closed.p50),
            ms(closed.p99),
            closed.errors
        ),
    );
    line(
        &mut out,
        format!(
            "portal home at half load ({rate:.0} req/s, achieved {:.0}): p50 {:.1} ms, p99 {:.1} ms, {} errors",
            open.achieved,
            ms(open.p50),
            ms(open.p99),
            open.errors + open.bad_bodies
        ),
    );
    line(
        &mut out,
        format!("page size: {page_size} bytes (uncompressed)"),
    );
    line(
        &mut out,
        format!(
            "CPU at max throughput (of {} %): server {:.0} %, PostgreSQL {:.0} %, rest (load generator…) {:.0} %; \
             server {:.0} µs + PostgreSQL {:.0} µs CPU per request",
            closed_cpu.capacity,
            closed_cpu.server,
            closed_cpu.postgres,
            closed_cpu.other,
            closed_cpu.server_seconds * 1e6 / closed.requests.max(1) as f64,
            closed_cpu.postgres_seconds * 1e6 / closed.requests.max(1) as f64,
        ),
    );
    line(
        &mut out,
        format!(
            "CPU at half load: server {:.0} %, PostgreSQL {:.0} %, rest (bench client…) {:.0} %",
            open_cpu.server, open_cpu.postgres, open_cpu.other
        ),
    );
    line(
        &mut out,
        "targets: provisioning p99 <= 50 ms and flat; no-op migration <= 1 s for 1000 tenants; >= 10,000 req/s; \
         p99 <= 10 ms at half load; RSS flat within 10 %"
            .to_owned(),
    );
    out
}

/// Provisions tenant `i` (timed), then publishes its news (timed separately).
async fn provision(state: &app::infra::AppState, i: usize) -> (Duration, Duration) {
    let input = NewTenant {
        name: tenant_name(i),
        slug: slug(i),
        admin_email: format!("admin@{}.test", slug(i)),
        hosts: vec![],
        starter_pack: Vec::new(),
    };
    let t = Instant::now();
    let provisioned = provision_tenant(state, &input)
        .await
        .unwrap_or_else(|e| panic!("provisioning {}: {e}", input.slug));
    let provisioning = t.elapsed();

    let t = Instant::now();
    let tx = TenantTx::begin(state, Arc::clone(&provisioned.tenant))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for k in 1..=NEWS_PER_TENANT {
        publish_news(
            &tx,
            None,
            &format!("Actualité municipale n° {k}"),
            &format!(
                "Le conseil municipal s'est réuni et a adopté la délibération n° {k} relative à l'entretien \
                 de la voirie, aux horaires de la médiathèque et au calendrier des animations de la saison."
            ),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
    (provisioning, t.elapsed())
}

/// The real server binary, as a child process.
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
        let log =
            std::fs::File::create(data_dir.join(format!("server-{port}.out"))).expect("server log");
        let child = Command::new(bin)
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("GUICHET_BASE_DOMAIN", BASE_DOMAIN)
            .env("GUICHET_DATA_DIR", data_dir)
            .env("RUST_LOG", "warn")
            .env("LEPTOS_ENV", "PROD")
            .env_remove("GUICHET_SMTP_URL")
            .env_remove("GUICHET_PUBLIC_PORT")
            .env_remove("GUICHET_PUBLIC_SCHEME")
            // `serve` prints the migration report (a line per tenant) on stdout.
            .stdout(log)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut server = Self { child, port };
        let client = client();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().expect("server status") {
                panic!("the server exited during start-up ({status})");
            }
            let ready = client
                .get(format!("http://127.0.0.1:{port}/"))
                .header(HOST, format!("{BASE_DOMAIN}:{port}"))
                .send()
                .await
                .is_ok();
            if ready {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer within 120 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("server pid")
    }

    /// Resident memory (VmRSS), in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/<pid>/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Waits (up to two minutes) until the server's mail worker has written the `count` admin
/// invitations queued by provisioning, so that this start-up work does not overlap measurements.
async fn wait_for_mail(data_dir: &Path, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let written = std::fs::read_dir(data_dir.join("mail"))
            .map(|tenants| {
                tenants
                    .filter_map(Result::ok)
                    .filter_map(|t| std::fs::read_dir(t.path()).ok())
                    .flat_map(|files| files.filter_map(Result::ok))
                    .filter(|f| f.path().extension().is_some_and(|x| x == "eml"))
                    .count()
            })
            .unwrap_or(0);
        if written >= count {
            return;
        }
        if Instant::now() > deadline {
            progress(&format!(
                "only {written} of {count} invitation mails were written within 120 s; going on"
            ));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

/// Why a response of a tenant's home page was not right.
#[derive(Debug)]
enum Failure {
    /// No response, or not a 200.
    Request(String),
    /// A 200 whose page does not name the tenant or does not list its news.
    Body(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Request(message) | Failure::Body(message) => f.write_str(message),
        }
    }
}

/// Fetches tenant `i`'s home page, checks it and returns its size.
async fn fetch_home(client: &reqwest::Client, port: u16, i: usize) -> Result<usize, Failure> {
    let response = client
        .get(format!("http://127.0.0.1:{port}/"))
        .header(HOST, format!("{}.{BASE_DOMAIN}:{port}", slug(i)))
        .send()
        .await
        .map_err(|e| Failure::Request(format!("{}: {e}", slug(i))))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| Failure::Request(format!("{}: {e}", slug(i))))?;
    if status != reqwest::StatusCode::OK {
        return Err(Failure::Request(format!("{}: status {status}", slug(i))));
    }
    if !body.contains(&tenant_name(i)) {
        return Err(Failure::Body(format!(
            "{}: the page does not name the tenant",
            slug(i)
        )));
    }
    let news = body.matches(NEWS_MARKER).count();
    if news != NEWS_PER_TENANT {
        return Err(Failure::Body(format!(
            "{}: {news} news items on the page instead of {NEWS_PER_TENANT}",
            slug(i)
        )));
    }
    Ok(body.len())
}

struct Warm {
    errors: usize,
    first_error: Option<Failure>,
    page_size: usize,
}

/// `total` requests spread round-robin over `tenants`, `concurrency` at a time, every response
/// checked.
async fn hammer(port: u16, tenants: &[usize], total: usize, concurrency: usize) -> Warm {
    let client = client();
    let results: Vec<Result<usize, Failure>> =
        futures::stream::iter((0..total).map(|k| tenants[k % tenants.len()]))
            .map(|i| {
                let client = client.clone();
                async move { fetch_home(&client, port, i).await }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
    let mut warm = Warm {
        errors: 0,
        first_error: None,
        page_size: 0,
    };
    for result in results {
        match result {
            Ok(size) => warm.page_size = warm.page_size.max(size),
            Err(error) => {
                warm.errors += 1;
                warm.first_error.get_or_insert(error);
            }
        }
    }
    warm
}

struct Closed {
    requests: u64,
    throughput: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    errors: u64,
}

/// Rotates the Host header over all bench tenants; prints one machine-readable line at the end.
const WRK_SCRIPT: &str = r#"
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  local n = tonumber(args[1])
  local port = args[2]
  reqs = {}
  for i = 1, n do
    reqs[i] = wrk.format("GET", "/", { ["Host"] = string.format("bench-%05d.localhost:%s", i, port) })
  end
  count = n
  idx = ((offset or 0) * 7919) % n
end

function request()
  idx = idx % count + 1
  return reqs[idx]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "GUICHET_WRK requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"#;

async fn run_wrk(
    wrk: &Path,
    script: &Path,
    port: u16,
    n: usize,
    connections: usize,
    seconds: u64,
) -> Closed {
    let output = Command::new(wrk)
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}/"))
        .args(["--", &n.to_string(), &port.to_string()])
        .output()
        .await
        .expect("run wrk");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "wrk failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("GUICHET_WRK "))
        .unwrap_or_else(|| panic!("unexpected wrk output:\n{stdout}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in wrk output: {line}"))
    };
    let requests = field("requests");
    let errors = ["connect", "read", "write", "status", "timeout"]
        .iter()
        .map(|f| field(f))
        .sum();
    Closed {
        requests,
        throughput: requests as f64 / (field("duration_us") as f64 / 1e6),
        p50: Duration::from_micros(field("p50_us")),
        p99: Duration::from_micros(field("p99_us")),
        max: Duration::from_micros(field("max_us")),
        errors,
    }
}

/// In-process closed loop, when wrk is not installed: `connections` workers, each sending its
/// next request as soon as the previous one is answered.
async fn closed_loop(port: u16, n: usize, connections: usize, seconds: u64) -> Closed {
    let client = client();
    let start = Instant::now();
    let end = start + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|w| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut k = w * 7919;
                while Instant::now() < end {
                    let i = k % n + 1;
                    k += 1;
                    let t = Instant::now();
                    let ok = fetch_home(&client, port, i).await.is_ok();
                    latencies.push(t.elapsed());
                    errors += u64::from(!ok);
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (l, e) = worker.await.expect("load worker");
        latencies.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    let latencies = sorted(latencies);
    Closed {
        requests: latencies.len() as u64,
        throughput: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        max: percentile(&latencies, 100.0),
        errors,
    }
}

struct Open {
    requests: usize,
    achieved: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    errors: usize,
    bad_bodies: usize,
    lag_p99: Duration,
}

/// Open loop: requests start at a fixed rate whether or not earlier ones were answered. Latency
/// runs from the moment each request is issued; how late the generator issued them (it shares
/// the CPU with the server) is reported as the lag.
async fn open_loop(port: u16, n: usize, rate: f64, seconds: u64) -> Open {
    let client = client();
    let total = (rate * seconds as f64).round() as usize;
    let start = Instant::now() + Duration::from_millis(20);
    let mut tasks = Vec::with_capacity(total);
    let mut last_issue = start;
    for k in 0..total {
        let at = start + Duration::from_secs_f64(k as f64 / rate);
        tokio::time::sleep_until(at).await;
        last_issue = Instant::now();
        let lag = last_issue.saturating_duration_since(at);
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let result = fetch_home(&client, port, k % n + 1).await;
            (t.elapsed(), lag, result)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut lags = Vec::with_capacity(total);
    let (mut errors, mut bad_bodies) = (0, 0);
    let mut first_failure = None;
    for task in tasks {
        let (latency, lag, result) = task.await.expect("request task");
        latencies.push(latency);
        lags.push(lag);
        match result {
            Ok(_) => {}
            Err(failure) => {
                match failure {
                    Failure::Request(_) => errors += 1,
                    Failure::Body(_) => bad_bodies += 1,
                }
                first_failure.get_or_insert(failure);
            }
        }
    }
    if let Some(failure) = first_failure {
        progress(&format!("open loop: first failure: {failure}"));
    }
    // Requests issued per second, over the span in which they were issued.
    let span = last_issue.saturating_duration_since(start).as_secs_f64() + 1.0 / rate;
    let latencies = sorted(latencies);
    let lags = sorted(lags);
    Open {
        requests: total,
        achieved: total as f64 / span,
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        max: percentile(&latencies, 100.0),
        errors,
        bad_bodies,
        lag_p99: percentile(&lags, 99.0),
    }
}

/// CPU time counters (in clock ticks) of the server, of PostgreSQL's processes and of the
/// whole machine.
struct CpuSample {
    at: Instant,
    server: u64,
    postgres: u64,
    busy: u64,
}

/// Shares of CPU over an interval, in % of one core (two busy cores = 200 %).
struct CpuUsage {
    capacity: usize,
    server: f64,
    postgres: f64,
    other: f64,
    server_seconds: f64,
    postgres_seconds: f64,
}

/// Linux reports process and machine CPU times in USER_HZ ticks, 100 per second.
const TICKS_PER_SECOND: f64 = 100.0;

/// `(command name, utime + stime)` of a process, from `/proc/<pid>/stat`.
fn process_ticks(pid: &str) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields: Vec<&str> = stat.get(close + 2..)?.split_whitespace().collect();
    // Fields 14 and 15 of the file; the slice starts at field 3.
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some((stat[open + 1..close].to_owned(), ticks))
}

impl CpuSample {
    fn take(server_pid: u32) -> Self {
        let server = process_ticks(&server_pid.to_string()).map_or(0, |(_, t)| t);
        let postgres = std::fs::read_dir("/proc")
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
                    .filter_map(|pid| process_ticks(&pid))
                    .filter(|(comm, _)| comm == "postgres")
                    .map(|(_, t)| t)
                    .sum()
            })
            .unwrap_or(0);
        // First line of /proc/stat: user nice system idle iowait irq softirq steal …
        let busy = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|stat| {
                let line = stat.lines().next()?.strip_prefix("cpu")?.to_owned();
                let v: Vec<u64> = line
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect();
                Some(v.iter().take(8).sum::<u64>() - v.get(3)? - v.get(4)?)
            })
            .unwrap_or(0);
        Self {
            at: Instant::now(),
            server,
            postgres,
            busy,
        }
    }

    /// Usage between this sample and now. PostgreSQL backends that ended in between are missed
    /// (the server's pooled connections live on).
    fn until_now(self, server_pid: u32) -> CpuUsage {
        let now = Self::take(server_pid);
        let seconds = now.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let percent = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / seconds * 100.0;
        let server = now.server.saturating_sub(self.server);
        let postgres = now.postgres.saturating_sub(self.postgres);
        let busy = now.busy.saturating_sub(self.busy);
        CpuUsage {
            capacity: std::thread::available_parallelism().map_or(1, |n| n.get()) * 100,
            server: percent(server),
            postgres: percent(postgres),
            other: percent(busy.saturating_sub(server + postgres)),
            server_seconds: server as f64 / TICKS_PER_SECOND,
            postgres_seconds: postgres as f64 / TICKS_PER_SECOND,
        }
    }
}
