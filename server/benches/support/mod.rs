//! Helpers shared by the benchmarks (a folder, so cargo does not take it for a bench target).

use std::path::Path;
use std::time::Duration;

use app::infra::{AppState, Settings};
use guichet_server::config::Config;
use leptos::config::{Env, LeptosOptions};

/// `url` with its database name replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn progress(message: &str) {
    eprintln!("bench: {message}");
}

/// A positive number from the environment, or `default`.
#[allow(dead_code)] // not every bench reads one
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Runs `run` against a fresh database (created on `GUICHET_BENCH_DATABASE_URL`'s server) and
/// a fresh data folder, prints its summary, drops both, and exits with the outcome.
#[allow(dead_code)] // the platform bench drives its own databases
pub fn run_in_fresh_database<F, Fut>(run: F) -> !
where
    F: FnOnce(String, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = String> + Send + 'static,
{
    use sea_orm::{ConnectionTrait, Database};
    let admin_url = std::env::var("GUICHET_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let code = runtime.block_on(async move {
        let admin = Database::connect(&admin_url)
            .await
            .expect("cannot connect to GUICHET_BENCH_DATABASE_URL");
        let name = format!("guichet_bench_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        let database_url = with_database(&admin_url, &name);
        let data_dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&data_dir).expect("temporary folder");
        let outcome = tokio::spawn(run(database_url, data_dir.clone())).await;
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
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

/// The server's state on `database_url`, migrated, as the benches run it: files under
/// `data_dir`, no mail, the release site of `target/site`.
#[allow(dead_code)] // the platform, dossiers and identity benches configure their own server
pub async fn migrated_state(database_url: &str, data_dir: &Path) -> AppState {
    let config = Config {
        database_url: database_url.to_owned(),
        settings: Settings {
            base_domain: "localhost".to_owned(),
            public_scheme: "http".to_owned(),
            public_port: Some(3000),
            trust_forwarded_for: false,
            files_dir: data_dir.join("files"),
            files: app::infra::storage::FileStore::local(&data_dir.join("files"))
                .expect("files folder"),
        },
        leptos: LeptosOptions::builder()
            .output_name("guichet")
            .site_root("target/site")
            .env(Env::PROD)
            .build(),
        data_dir: data_dir.to_path_buf(),
        smtp_url: None,
        mail_from: "ne-pas-repondre@guichet.test".to_owned(),
        db_max_connections: 8,
    };
    let state = guichet_server::state(&config).await.expect("connect");
    guichet_server::migrate(&state).await.expect("migrate");
    state
}
