//! Database migrations for Guichet.
//!
//! Two histories live side by side:
//! - the **platform** schema (`platform`): tenants, their hosts, operators;
//! - every **tenant** schema (`tenant_<slug>`): that commune's own data.
//!
//! Migrations are sea-orm-migration [`MigrationTrait`]s; the [`runner`] applies them schema by
//! schema, each schema in its own transaction, and records the applied versions in a
//! `guichet_migrations` table inside that schema.

pub mod runner;
pub mod schema_name;
mod sql_migration;

pub use runner::{
    MigrationError, TenantOutcome, TenantsReport, apply_in_transaction, detect_citus,
    migrate_platform, migrate_tenants, schema_versions,
};
pub use schema_name::{PLATFORM_SCHEMA, SchemaName};
pub use sea_orm_migration::MigrationTrait;
pub use sql_migration::SqlMigration;

/// `migration!("tenant/m0001_accounts")` → the SQL file of that name, named after it.
macro_rules! migration {
    ($path:literal) => {
        Box::new(SqlMigration::new(
            match $path.rsplit_once('/') {
                Some((_, name)) => name,
                None => $path,
            },
            include_str!(concat!($path, ".sql")),
        ))
    };
}

/// Ordered platform migrations; version `n` is the `n`-th entry.
pub fn platform_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        migration!("platform/m0001_tenants"),
        migration!("platform/m0002_store"),
        migration!("platform/m0003_context_hosts"),
        migration!("platform/m0004_identity_providers"),
        migration!("platform/m0005_second_factor"),
        migration!("platform/m0006_login_failures"),
        migration!("platform/m0007_second_factor_resets"),
        migration!("platform/m0008_tenant_deletion"),
    ]
}

/// Ordered tenant migrations; version `n` is the `n`-th entry.
pub fn tenant_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        migration!("tenant/m0001_accounts"),
        migration!("tenant/m0002_mail_outbox"),
        migration!("tenant/m0003_portal"),
        migration!("tenant/m0004_demarches"),
        migration!("tenant/m0005_dossiers"),
        migration!("tenant/m0006_instruction"),
        migration!("tenant/m0007_branding"),
        migration!("tenant/m0008_contexts"),
        migration!("tenant/m0009_store_provenance"),
        migration!("tenant/m0010_letters"),
        migration!("tenant/m0011_outbox"),
        migration!("tenant/m0012_responses"),
        migration!("tenant/m0013_mail_merge"),
        migration!("tenant/m0014_letterhead_choice"),
        migration!("tenant/m0015_piece_replacements"),
        migration!("tenant/m0016_identity"),
        migration!("tenant/m0017_second_factor"),
        migration!("tenant/m0018_sso_services_and_factor_resets"),
        migration!("tenant/m0019_people"),
        migration!("tenant/m0020_beneficiaries"),
        migration!("tenant/m0021_wallet"),
        migration!("tenant/m0022_usagers"),
        migration!("tenant/m0023_duplicates"),
    ]
}
