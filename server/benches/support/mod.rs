//! Helpers shared by the benchmarks (a folder, so cargo does not take it for a bench target).

use std::time::Duration;

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
