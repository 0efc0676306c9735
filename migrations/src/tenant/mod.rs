//! Tenant migrations run with `search_path` pinned to the tenant's schema, so table names are
//! written unqualified.
pub mod m0001_accounts;
pub mod m0002_mail_outbox;
pub mod m0003_portal;
