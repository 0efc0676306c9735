//! A commune leaving the syndicate (`guichet tenant delete`): scheduled after a delay, during
//! which it is suspended (its portal and back office answer « suspendu ») and reactivating it
//! cancels the deletion; once due, everything of it is removed — its schema (every row, its
//! outbox), its files, this node's search indexes of it, its hosts and platform rows. Its
//! store publications stay, under the name it had, for the communes that imported them.
//!
//! Invariant: only a commune still suspended when its deletion is due is removed, one at a
//! time under a row lock (`SKIP LOCKED`), so two nodes never purge the same commune and a
//! reactivation made meanwhile wins.

use std::sync::Arc;

use guichet_migrations::SchemaName;
use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::Slug;
use super::strings as s;
use crate::error::{AppError, AppResult};
use crate::infra::storage::TenantFiles;
use crate::infra::tenancy::announce_changed;
use crate::infra::{AppState, PlatformTx, Queries, Tenant, TenantStatus, TenantTx};

#[derive(FromQueryResult)]
struct Due {
    deletion_due: String,
}

/// Suspends commune `slug` and schedules its deletion in `delay_days` days; returns the date
/// (`dd/mm/yyyy à HHhMM`, Paris time).
pub async fn schedule(state: &AppState, slug: &str, delay_days: u32) -> AppResult<String> {
    let tx = PlatformTx::begin(state).await?;
    let due: Option<Due> = tx
        .fetch_optional(
            "UPDATE platform.tenants SET status = 'suspended',
                 deletion_due = now() + make_interval(days => $2)
             WHERE slug = $1
             RETURNING to_char(deletion_due AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY à HH24\"h\"MI') AS deletion_due",
            vec![slug.trim().into(), (delay_days as i32).into()],
        )
        .await?;
    let Some(due) = due else {
        return Err(AppError::NotFound(s::TENANT_UNKNOWN.to_owned()));
    };
    announce_changed(&tx, slug.trim()).await?;
    tx.commit().await?;
    state.directory().invalidate_tenant(slug.trim());
    Ok(due.deletion_due)
}

#[derive(FromQueryResult)]
struct Leaving {
    id: Uuid,
    slug: String,
    name: String,
    schema_name: String,
}

/// Removes every commune whose deletion is due (and that is still suspended); returns their
/// slugs. Safe on several nodes at once.
pub async fn purge_due(state: &AppState) -> AppResult<Vec<String>> {
    let mut purged = Vec::new();
    loop {
        let tx = PlatformTx::begin(state).await?;
        let leaving: Option<Leaving> = tx
            .fetch_optional(
                "SELECT id, slug, name, schema_name FROM platform.tenants
                 WHERE deletion_due <= now() AND status = 'suspended'
                 ORDER BY deletion_due LIMIT 1 FOR UPDATE SKIP LOCKED",
                vec![],
            )
            .await?;
        let Some(leaving) = leaving else {
            tx.commit().await?;
            return Ok(purged);
        };
        let (Ok(slug), Ok(schema)) = (
            Slug::parse(&leaving.slug),
            SchemaName::parse(&leaving.schema_name),
        ) else {
            tracing::error!(slug = %leaving.slug, "tenant row with an invalid slug or schema");
            return Err(AppError::Internal);
        };
        let tenant = Arc::new(Tenant {
            id: leaving.id,
            slug,
            name: leaving.name,
            schema: schema.clone(),
            status: TenantStatus::Suspended,
            branding: Default::default(),
            host_context: None,
        });
        let tx = TenantTx::pin(tx.into_raw(), tenant.clone()).await?;
        // Files first: should the commit fail, the commune is still suspended and due, and the
        // next purge finishes (its rows may then name missing files: nobody reads them).
        let files = TenantFiles::of(&tx, state.settings());
        for key in files.keys().await? {
            files.delete(key).await;
        }
        tx.execute(&format!("DROP SCHEMA {} CASCADE", schema.quoted()), vec![])
            .await?;
        tx.execute(
            "DELETE FROM platform.login_failures WHERE scope = $1",
            vec![schema.as_str().into()],
        )
        .await?;
        tx.execute(
            "DELETE FROM platform.tenants WHERE id = $1",
            vec![tenant.id.into()],
        )
        .await?;
        announce_changed(&tx, tenant.slug.as_str()).await?;
        tx.commit().await?;
        state.directory().invalidate_tenant(tenant.slug.as_str());
        state.search().remove(&tenant);
        tracing::info!(tenant = %tenant.slug, "commune deleted");
        purged.push(tenant.slug.as_str().to_owned());
    }
}
