//! Database migrations for Guichet.
//!
//! Two histories live side by side:
//! - the **platform** schema (`platform`): tenants, their hosts, operators;
//! - every **tenant** schema (`tenant_<slug>`): that commune's own data.
//!
//! Migrations are sea-orm-migration [`MigrationTrait`]s; the [`runner`] applies them schema by
//! schema, each schema in its own transaction, and records the applied versions in a
//! `guichet_migrations` table inside that schema.

pub mod platform;
pub mod runner;
pub mod schema_name;
pub mod tenant;

pub use runner::{
    MigrationError, TenantOutcome, TenantsReport, apply_in_transaction, migrate_platform,
    migrate_tenants, schema_versions,
};
pub use schema_name::{PLATFORM_SCHEMA, SchemaName};
pub use sea_orm_migration::MigrationTrait;

/// Ordered platform migrations; version `n` is the `n`-th entry.
pub fn platform_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(platform::m0001_tenants::Migration)]
}

/// Ordered tenant migrations; version `n` is the `n`-th entry.
pub fn tenant_migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(tenant::m0001_accounts::Migration),
        Box::new(tenant::m0002_mail_outbox::Migration),
        Box::new(tenant::m0003_portal::Migration),
    ]
}
