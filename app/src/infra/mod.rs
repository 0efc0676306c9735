//! Server-only infrastructure: state, tenant-scoped database access, crypto, mail outbox, file store.
//! Feature services reach PostgreSQL only through [`db::TenantTx`] or [`db::PlatformTx`].

pub mod cookies;
pub mod crypto;
pub mod dates;
pub mod db;
pub mod html;
pub mod live;
pub mod mail;
pub mod pdf;
pub mod rate_limit;
pub mod reply;
pub mod search;
pub mod secrets;
pub mod state;
pub mod storage;
pub mod tenancy;

pub use db::{PlatformTx, Queries, TenantTx};
pub use reply::reply;
pub use state::{AppState, Settings, app_state};
pub use tenancy::{Site, Tenant, TenantDirectory, TenantStatus, current_site, current_tenant};
