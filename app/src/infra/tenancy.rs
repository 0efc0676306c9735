//! Which site a request is for: the platform console (apex host) or one tenant's portal.
//!
//! Invariant: a host resolves to exactly one tenant or to none; an unknown host never falls
//! back to a default tenant or to the platform.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use guichet_migrations::SchemaName;
use http::request::Parts;
use leptos::prelude::use_context;
use sea_orm::{DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::db::{Queries, TenantTx};
use super::state::AppState;
use crate::context::Branding;
use crate::error::AppError;
use crate::platform::model::Slug;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn parse(value: &str) -> Self {
        if value == "active" {
            Self::Active
        } else {
            Self::Suspended
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: Uuid,
    pub slug: Slug,
    pub name: String,
    pub schema: SchemaName,
    pub status: TenantStatus,
    pub branding: Branding,
    /// The context (portal variant, see `crate::contexts`) this host opens, if it is a
    /// context's own host (`familles.mairie.fr`); `None` on the tenant's own hosts. Entries are
    /// cached per host, so each host carries its own.
    pub host_context: Option<String>,
}

/// Put into each request's extensions by the server's host middleware.
#[derive(Debug, Clone)]
pub enum Site {
    Platform,
    Tenant(Arc<Tenant>),
}

/// What a host name designates.
#[derive(Debug, Clone)]
pub enum Resolution {
    Platform,
    Tenant(Arc<Tenant>),
    Unknown,
}

/// Host → tenant, cached in memory. Every process forgets a tenant's entries when it changes
/// (NOTIFY on [`super::mail::TENANTS_CHANNEL`] with its slug, see [`announce_changed`]), so a
/// suspension or a new look is served on the next load by every node; other tenants' entries
/// stay cached.
pub struct TenantDirectory {
    base_domain: String,
    cache: RwLock<HashMap<String, Resolution>>,
}

const MAX_CACHED_HOSTS: usize = 200_000;

#[derive(FromQueryResult)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    schema_name: String,
    status: String,
    context_code: Option<String>,
}

/// `Host` header value → bare lowercase host name (no port, no trailing dot).
pub fn normalize_host(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    let without_port = match host.rsplit_once(':') {
        Some((name, port)) if !name.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            name.to_owned()
        }
        _ => host,
    };
    without_port.trim_end_matches('.').to_owned()
}

impl TenantDirectory {
    pub fn new(base_domain: String) -> Self {
        Self {
            base_domain: normalize_host(&base_domain),
            cache: RwLock::new(HashMap::new()),
        }
    }

    pub async fn resolve(&self, state: &AppState, host: &str) -> Result<Resolution, AppError> {
        let host = normalize_host(host);
        if host == self.base_domain {
            return Ok(Resolution::Platform);
        }
        if let Some(hit) = self
            .cache
            .read()
            .ok()
            .and_then(|cache| cache.get(&host).cloned())
        {
            return Ok(hit);
        }
        let resolved = self.load(state, &host).await?;
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= MAX_CACHED_HOSTS {
                cache.clear();
            }
            cache.insert(host, resolved.clone());
        }
        Ok(resolved)
    }

    /// Forgets everything (a listener that lost its connection may have missed changes).
    pub fn invalidate(&self) {
        if let Ok(mut cache) = self.cache.write() {
            cache.clear();
        }
    }

    /// Forgets one tenant's hosts, and the hosts that resolved to nothing (one may now name
    /// this tenant: a new tenant, a new context host). Other tenants' entries stay.
    pub fn invalidate_tenant(&self, slug: &str) {
        if let Ok(mut cache) = self.cache.write() {
            cache.retain(|_, resolution| match resolution {
                Resolution::Tenant(tenant) => tenant.slug.as_str() != slug,
                Resolution::Unknown => false,
                Resolution::Platform => true,
            });
        }
    }

    /// Whether `host` is answered from the cache (for tests and metrics).
    pub fn is_cached(&self, host: &str) -> bool {
        self.cache
            .read()
            .is_ok_and(|cache| cache.contains_key(&normalize_host(host)))
    }

    /// How many hosts are cached.
    pub fn cached_hosts(&self) -> usize {
        self.cache.read().map_or(0, |cache| cache.len())
    }

    async fn load(&self, state: &AppState, host: &str) -> Result<Resolution, AppError> {
        let subdomain = host
            .strip_suffix(&format!(".{}", self.base_domain))
            .filter(|label| !label.contains('.'));
        let (sql, key) = match subdomain {
            Some(label) => (
                "SELECT id, slug, name, schema_name, status, NULL::text AS context_code FROM platform.tenants WHERE slug = $1",
                label,
            ),
            None => (
                "SELECT t.id, t.slug, t.name, t.schema_name, t.status, h.context_code FROM platform.tenants t
                 JOIN platform.tenant_hosts h ON h.tenant_id = t.id WHERE h.host = $1",
                host,
            ),
        };
        let row = TenantRow::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [key.into()],
        ))
        .one(state.pool())
        .await?;
        let Some(row) = row else {
            return Ok(Resolution::Unknown);
        };
        let (Ok(slug), Ok(schema)) = (Slug::parse(&row.slug), SchemaName::parse(&row.schema_name))
        else {
            tracing::error!(slug = %row.slug, "tenant row with an invalid slug or schema");
            return Err(AppError::Internal);
        };
        let mut tenant = Tenant {
            id: row.id,
            slug,
            name: row.name,
            schema,
            status: TenantStatus::parse(&row.status),
            branding: Branding::default(),
            host_context: row.context_code,
        };
        let tx = TenantTx::begin(state, Arc::new(tenant.clone())).await?;
        let (_, document) = crate::branding::service::current(&tx).await?;
        tenant.branding = document.look;
        // A context's own host wears the context's colours on every page (header, step
        // pages…), not only on the context's home.
        if let Some(code) = &tenant.host_context {
            #[derive(FromQueryResult)]
            struct Colours {
                primary_color: Option<String>,
                secondary_color: Option<String>,
            }
            let colours: Option<Colours> = tx
                .fetch_optional(
                    "SELECT primary_color, secondary_color FROM contexts WHERE code = $1",
                    vec![code.clone().into()],
                )
                .await?;
            if let Some(colours) = colours {
                if let Some(primary) = colours.primary_color {
                    tenant.branding.primary_color = primary;
                }
                if let Some(secondary) = colours.secondary_color {
                    tenant.branding.secondary_color = secondary;
                }
            }
        }
        tx.commit().await?;
        Ok(Resolution::Tenant(Arc::new(tenant)))
    }
}

/// Announces, on commit, that `slug`'s cached resolution is stale: every process (every node)
/// forgets it ([`TenantDirectory::invalidate_tenant`]).
pub async fn announce_changed<Q: Queries + Sync>(q: &Q, slug: &str) -> Result<(), AppError> {
    q.execute(
        "SELECT pg_notify($1, $2)",
        vec![super::mail::TENANTS_CHANNEL.into(), slug.into()],
    )
    .await?;
    Ok(())
}

/// The site of the request being served (from the host middleware).
pub fn current_site() -> Result<Site, AppError> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<Site>().cloned())
        .ok_or_else(|| AppError::NotFound("Site inconnu.".to_owned()))
}

pub fn current_tenant() -> Result<Arc<Tenant>, AppError> {
    match current_site()? {
        Site::Tenant(tenant) => Ok(tenant),
        Site::Platform => Err(AppError::NotFound(
            "Cette fonction n'existe que sur le portail d'une commune.".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_host;

    #[test]
    fn hosts_are_compared_without_port_case_or_trailing_dot() {
        assert_eq!(normalize_host("Nantes.Localhost:3000"), "nantes.localhost");
        assert_eq!(normalize_host("mairie-reze.fr."), "mairie-reze.fr");
        assert_eq!(normalize_host("localhost"), "localhost");
    }
}
