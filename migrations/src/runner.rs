//! Applies migrations schema by schema.
//!
//! Invariant: one schema's migrations run in one transaction. PostgreSQL DDL is transactional,
//! so a migration that fails in one tenant leaves that tenant exactly at its previous version
//! and the other tenants untouched.

use std::collections::HashMap;
use std::fmt;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::{MigrationTrait, SchemaManager};

use crate::schema_name::{PLATFORM_SCHEMA, SchemaName};
use crate::sql_migration;

/// How many schemas are checked in one statement when looking for pending migrations.
const VERSION_QUERY_CHUNK: usize = 250;

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "schema {schema} is at version {found}, newer than the {known} migrations this binary knows"
    )]
    SchemaTooNew {
        schema: SchemaName,
        found: u32,
        known: u32,
    },
    #[error("migration {name} failed in schema {schema}: {source}")]
    Failed {
        schema: SchemaName,
        name: String,
        source: DbErr,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Applies the migrations of `migrations` that `schema` has not recorded yet, inside `tx`.
/// The schema and its history table are created if missing. Returns `(from, to)` versions.
///
/// The caller owns the transaction, so provisioning a tenant can create its schema, migrate it
/// and insert its first rows atomically.
pub async fn apply_in_transaction(
    tx: &DatabaseTransaction,
    schema: &SchemaName,
    migrations: &[Box<dyn MigrationTrait>],
) -> Result<(u32, u32), MigrationError> {
    let quoted = schema.quoted();
    let create_schema = format!("CREATE SCHEMA IF NOT EXISTS {quoted}");
    let create_history = format!(
        "CREATE TABLE IF NOT EXISTS {quoted}.guichet_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )"
    );
    if sql_migration::one_statement_at_a_time() {
        if schema.as_str() == PLATFORM_SCHEMA {
            // The platform schema stays an ordinary schema on the coordinator: tenant schemas
            // are the shard groups, and the platform's tables are read by every request.
            tx.execute_unprepared(
                "SELECT set_config('citus.enable_schema_based_sharding', 'off', true)",
            )
            .await?;
        }
        // Our triggers only refuse changes (immutable versions, frozen letters): they read no
        // other table, so running them on the worker that holds the shard is safe.
        tx.execute_unprepared("SELECT set_config('citus.enable_unsafe_triggers', 'on', true)")
            .await?;
        tx.execute_unprepared(&create_schema).await?;
        tx.execute_unprepared(&create_history).await?;
    } else {
        tx.execute_unprepared(&format!("{create_schema}; {create_history};"))
            .await?;
    }
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('search_path', $1, true)",
        [schema.as_str().into()],
    ))
    .await?;
    let from = recorded_version(tx, schema).await?;
    let known = migrations.len() as u32;
    if from > known {
        return Err(MigrationError::SchemaTooNew {
            schema: schema.clone(),
            found: from,
            known,
        });
    }
    for (index, migration) in migrations.iter().enumerate().skip(from as usize) {
        let name = migration.name().to_owned();
        let manager = SchemaManager::new(tx);
        migration
            .up(&manager)
            .await
            .map_err(|source| MigrationError::Failed {
                schema: schema.clone(),
                name: name.clone(),
                source,
            })?;
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("INSERT INTO {quoted}.guichet_migrations (version, name) VALUES ($1, $2)"),
            [(index as i32 + 1).into(), name.into()],
        ))
        .await?;
    }
    Ok((from, known))
}

/// Looks for the Citus extension in this database, and if it is there, sends migrations one
/// statement at a time (see [`sql_migration`]). Every process migrates the platform schema
/// before serving, so this runs before any tenant is provisioned or migrated.
pub async fn detect_citus(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let citus = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_extension WHERE extname = 'citus'",
        ))
        .await?
        .is_some();
    sql_migration::send_one_statement_at_a_time(citus);
    Ok(citus)
}

async fn recorded_version<C: ConnectionTrait>(conn: &C, schema: &SchemaName) -> Result<u32, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT COALESCE(max(version), 0) AS v FROM {}.guichet_migrations",
                schema.quoted()
            ),
        ))
        .await?;
    let version: i32 = match row {
        Some(row) => row.try_get("", "v")?,
        None => 0,
    };
    Ok(version as u32)
}

/// Brings the platform schema up to date.
pub async fn migrate_platform(
    db: &DatabaseConnection,
    migrations: &[Box<dyn MigrationTrait>],
) -> Result<(u32, u32), MigrationError> {
    detect_citus(db).await?;
    let tx = db.begin().await?;
    let versions = apply_in_transaction(&tx, &SchemaName::platform(), migrations).await?;
    tx.commit().await?;
    Ok(versions)
}

/// The recorded version of each schema, checked many schemas per statement so that a run with
/// nothing to apply costs a handful of round trips, not one per tenant. A schema without a
/// history table (half-created by hand, say) counts as version 0.
pub async fn schema_versions(
    db: &DatabaseConnection,
    schemas: &[SchemaName],
) -> Result<HashMap<SchemaName, u32>, DbErr> {
    let mut versions = HashMap::with_capacity(schemas.len());
    for chunk in schemas.chunks(VERSION_QUERY_CHUNK) {
        let existing: Vec<&SchemaName> = {
            let names: Vec<String> = chunk
                .iter()
                .map(|s| format!("{}.guichet_migrations", s.quoted()))
                .collect();
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT t.ord::int4 AS ord FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
                     WHERE to_regclass(t.name) IS NOT NULL",
                    [names.into()],
                ))
                .await?;
            let mut existing = Vec::with_capacity(rows.len());
            for row in rows {
                let ord: i32 = row.try_get("", "ord")?;
                if let Some(schema) = chunk.get(ord as usize - 1) {
                    existing.push(schema);
                }
            }
            existing
        };
        for schema in chunk {
            versions.insert(schema.clone(), 0);
        }
        if existing.is_empty() {
            continue;
        }
        let sql = existing
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!("SELECT {i}::int4 AS i, COALESCE(max(version), 0)::int4 AS v FROM {}.guichet_migrations", s.quoted())
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        for row in db
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?
        {
            let i: i32 = row.try_get("", "i")?;
            let v: i32 = row.try_get("", "v")?;
            if let Some(schema) = existing.get(i as usize) {
                versions.insert((*schema).clone(), v as u32);
            }
        }
    }
    Ok(versions)
}

/// What happened to one tenant during a migration run.
#[derive(Debug)]
pub struct TenantOutcome {
    pub slug: String,
    pub schema: SchemaName,
    pub from: u32,
    /// The version the schema is at after the run (unchanged on failure).
    pub to: u32,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct TenantsReport {
    pub outcomes: Vec<TenantOutcome>,
}

impl TenantsReport {
    pub fn failures(&self) -> impl Iterator<Item = &TenantOutcome> {
        self.outcomes.iter().filter(|o| o.error.is_some())
    }
    pub fn upgraded(&self) -> impl Iterator<Item = &TenantOutcome> {
        self.outcomes
            .iter()
            .filter(|o| o.error.is_none() && o.from != o.to)
    }
}

impl fmt::Display for TenantsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in &self.outcomes {
            match &o.error {
                Some(error) => {
                    writeln!(f, "  {:<30} FAILED at version {}: {error}", o.slug, o.from)?
                }
                None if o.from == o.to => {
                    writeln!(f, "  {:<30} up to date (version {})", o.slug, o.to)?
                }
                None => writeln!(f, "  {:<30} upgraded {} -> {}", o.slug, o.from, o.to)?,
            }
        }
        let failed = self.failures().count();
        write!(
            f,
            "{} tenant(s): {} upgraded, {} up to date, {} failed",
            self.outcomes.len(),
            self.upgraded().count(),
            self.outcomes.len() - failed - self.upgraded().count(),
            failed
        )
    }
}

/// Brings every tenant schema listed in `platform.tenants` up to date. Each tenant is migrated
/// in its own transaction; failures are collected in the report, never stop the others.
pub async fn migrate_tenants(
    db: &DatabaseConnection,
    migrations: &[Box<dyn MigrationTrait>],
) -> Result<TenantsReport, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT slug, schema_name FROM platform.tenants ORDER BY slug",
        ))
        .await?;
    let mut tenants = Vec::with_capacity(rows.len());
    for row in rows {
        let slug: String = row.try_get("", "slug")?;
        let schema: String = row.try_get("", "schema_name")?;
        let schema = SchemaName::parse(&schema).map_err(DbErr::Custom)?;
        tenants.push((slug, schema));
    }
    let schemas: Vec<SchemaName> = tenants.iter().map(|(_, s)| s.clone()).collect();
    let versions = schema_versions(db, &schemas).await?;
    let target = migrations.len() as u32;

    let mut report = TenantsReport {
        outcomes: Vec::with_capacity(tenants.len()),
    };
    for (slug, schema) in tenants {
        let from = versions.get(&schema).copied().unwrap_or(0);
        if from == target {
            report.outcomes.push(TenantOutcome {
                slug,
                schema,
                from,
                to: from,
                error: None,
            });
            continue;
        }
        let outcome = match migrate_one(db, &schema, migrations).await {
            Ok((from, to)) => TenantOutcome {
                slug,
                schema,
                from,
                to,
                error: None,
            },
            Err(error) => {
                tracing::error!(tenant = %slug, %error, "tenant migration failed");
                TenantOutcome {
                    slug,
                    schema,
                    from,
                    to: from,
                    error: Some(error.to_string()),
                }
            }
        };
        report.outcomes.push(outcome);
    }
    Ok(report)
}

async fn migrate_one(
    db: &DatabaseConnection,
    schema: &SchemaName,
    migrations: &[Box<dyn MigrationTrait>],
) -> Result<(u32, u32), MigrationError> {
    let tx = db.begin().await?;
    // Dropping `tx` on error rolls the whole schema back to where it was.
    let versions = apply_in_transaction(&tx, schema, migrations).await?;
    tx.commit().await?;
    Ok(versions)
}
