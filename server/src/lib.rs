//! The Guichet server process: configuration, HTTP stack, background jobs, CLI commands.

pub mod archive;
pub mod config;
pub mod db;
pub mod generate;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod seed;
pub mod telemetry;

use std::net::SocketAddr;

use app::infra::AppState;
use guichet_migrations::{
    migrate_platform, migrate_tenants, platform_migrations, tenant_migrations,
};
use tokio::net::TcpListener;

use crate::config::Config;

/// jemalloc rather than glibc's malloc, for every binary built on this crate (the server, its
/// tests and benches). Typesetting a letter is allocation-heavy (glibc's malloc and free were
/// ~16 % of a mail merge's samples): the merge runs ~10 % faster, for +12 % resident memory
/// that stays as flat from 10 to 1,000 tenants (`scripts/bench`; README, Performance).
/// mimalloc, tried earlier on the portal, grew the resident memory by 35 %.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Connects to PostgreSQL and builds the shared state.
pub async fn state(config: &Config) -> anyhow::Result<AppState> {
    jobs::mail_merge::init_rayon_pool();
    let db = db::connect(&config.database_url, config.db_max_connections).await?;
    if guichet_migrations::detect_citus(&db).await? {
        tracing::info!(
            "Citus found: tenant schemas are distributed, DDL sent statement by statement"
        );
    }
    Ok(
        AppState::new(db, config.settings.clone(), config.leptos.clone())
            .with_mail_in_files(config.smtp_url.is_none()),
    )
}

/// Brings the platform schema and every tenant schema up to date. Errors if any tenant failed
/// (after migrating all the others).
pub async fn migrate(state: &AppState) -> anyhow::Result<guichet_migrations::TenantsReport> {
    let (from, to) = migrate_platform(state.pool(), &platform_migrations()).await?;
    tracing::info!(from, to, "platform schema migrated");
    let report = migrate_tenants(state.pool(), &tenant_migrations()).await?;
    Ok(report)
}

/// Serves HTTP on `listener` and runs the background jobs, until the process ends.
pub async fn serve(config: &Config, state: AppState, listener: TcpListener) -> anyhow::Result<()> {
    let transport = mail::MailTransport::new(config.smtp_url.as_deref(), &config.data_dir)?;
    tracing::info!(mail = %transport.describe(), "mail transport");
    jobs::spawn(state.clone(), transport, config.mail_from.clone());
    jobs::digest::spawn(state.clone());
    jobs::duplicates::spawn(state.clone());
    jobs::indexer::spawn(state.clone());
    jobs::store::spawn(state.clone());
    jobs::mail_merge::spawn(state.clone());
    serve_http(state, listener).await
}

/// Serves HTTP only, without background jobs (tests that drive the jobs themselves).
pub async fn serve_http(state: AppState, listener: TcpListener) -> anyhow::Result<()> {
    jobs::live::spawn(state.clone());
    let app = http::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
