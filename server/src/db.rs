//! The one connection pool shared by all tenants.

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// Pool connections start with a `search_path` naming no schema at all, so a query that was
/// not scoped to a tenant (through `TenantTx`) finds no tenant table and fails.
pub const UNSCOPED_SEARCH_PATH: &str = "guichet_unscoped";

pub async fn connect(
    database_url: &str,
    max_connections: u32,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(database_url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .set_schema_search_path(UNSCOPED_SEARCH_PATH);
    Ok(Database::connect(options).await?)
}
