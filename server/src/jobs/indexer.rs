//! Keeps every tenant's search index up to date (see `app::infra::search`).
//!
//! Changes come from the `guichet_dossiers` notifications that [`super::live`] relays through
//! the state's broadcast channel: each transaction that changes a dossier (its row, status,
//! assignment, notes) announces it. They are gathered for [`DEBOUNCE`], then each tenant's
//! batch is read in one transaction and committed to its index in one step.
//!
//! Nothing is silently dropped: a receiver that lagged behind the channel, a listener that lost
//! its connection ([`DossierChanged::missed`]) and a process that was down all catch up from
//! each index's watermark (when it last read PostgreSQL) with the dossiers changed since. At
//! start, tenants that have dossiers but no index get one built from PostgreSQL, and so does a
//! tenant whose index is missing when a change comes (its first dossier, a deleted folder).
//! A notification whose dossier id is nil says another process rebuilt that tenant's index.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::infra::live::DossierChanged;
use app::infra::search::{Indexed, Rebuilt, WRITER_IDLE, changed_since};
use app::infra::{AppState, PlatformTx, Queries, Tenant, TenantTx};
use app::platform::service::tenant_by_slug;
use sea_orm::FromQueryResult;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// How long changes are gathered before being written: a burst becomes one commit.
const DEBOUNCE: Duration = Duration::from_millis(30);
/// Most dossiers read and written at once.
const MAX_BATCH: usize = 500;
/// The periodic people catch-up re-reads this much before the last one (transactions that
/// committed after it with an earlier `now()`).
const PEOPLE_MARGIN_MICROS: i64 = 60_000_000;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut indexer = Indexer {
            state,
            tenants: HashMap::new(),
        };
        loop {
            match indexer.run().await {
                Ok(()) => return,
                Err(error) => {
                    tracing::error!(%error, "search indexer stopped; restarting in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}

struct Indexer {
    state: AppState,
    /// Schema name → tenant, for the notifications' payloads.
    tenants: HashMap<String, Arc<Tenant>>,
}

#[derive(FromQueryResult)]
struct TenantRow {
    slug: String,
    schema_name: String,
}

/// Every tenant's slug and schema.
async fn all_tenants(state: &AppState) -> anyhow::Result<Vec<(String, String)>> {
    let tx = PlatformTx::begin(state).await?;
    let rows: Vec<TenantRow> = tx
        .fetch_all(
            "SELECT slug, schema_name FROM platform.tenants ORDER BY slug",
            vec![],
        )
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.schema_name)).collect())
}

/// Rebuilds one tenant's index (all of them without `only`); what `guichet reindex` runs.
pub async fn reindex(
    state: &AppState,
    only: Option<&str>,
) -> anyhow::Result<Vec<(String, Rebuilt)>> {
    let mut done = Vec::new();
    for (slug, _) in all_tenants(state).await? {
        if only.is_some_and(|wanted| wanted != slug) {
            continue;
        }
        let tenant = tenant_by_slug(state, &slug).await?;
        let rebuilt = state.search().rebuild(state, tenant.clone()).await?;
        // Tell running servers to re-read it.
        let tx = TenantTx::begin(state, tenant).await?;
        app::infra::live::announce(&tx, Uuid::nil()).await?;
        tx.commit().await?;
        done.push((slug, rebuilt));
    }
    if let Some(slug) = only
        && done.is_empty()
    {
        anyhow::bail!("no tenant {slug}");
    }
    Ok(done)
}

impl Indexer {
    async fn run(&mut self) -> anyhow::Result<()> {
        // Subscribe first: what changes while we catch up is heard, not lost.
        let mut changes = self.state.live().subscribe();
        self.start().await?;
        let mut pending: HashMap<String, HashSet<Uuid>> = HashMap::new();
        let mut housekeeping = tokio::time::interval(WRITER_IDLE / 2);
        loop {
            tokio::select! {
                change = changes.recv() => {
                    match change {
                        Ok(change) => self.note(&mut pending, change).await,
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(missed, "search indexer lagged; catching up from the database");
                            self.catch_up_all().await?;
                        }
                        Err(RecvError::Closed) => return Ok(()),
                    }
                    // Gather the rest of the burst.
                    let deadline = Instant::now() + DEBOUNCE;
                    while pending.values().map(HashSet::len).sum::<usize>() < MAX_BATCH {
                        let left = deadline.saturating_duration_since(Instant::now());
                        match tokio::time::timeout(left, changes.recv()).await {
                            Ok(Ok(change)) => self.note(&mut pending, change).await,
                            Ok(Err(RecvError::Lagged(missed))) => {
                                tracing::warn!(missed, "search indexer lagged; catching up from the database");
                                self.catch_up_all().await?;
                            }
                            Ok(Err(RecvError::Closed)) | Err(_) => break,
                        }
                    }
                    self.flush(&mut pending).await;
                }
                _ = housekeeping.tick() => {
                    self.catch_up_people(PEOPLE_MARGIN_MICROS).await;
                    self.state.search().close_idle().await;
                }
            }
        }
    }

    async fn note(&mut self, pending: &mut HashMap<String, HashSet<Uuid>>, change: DossierChanged) {
        if change.is_missed() {
            tracing::warn!("search indexer: notifications may have been missed; catching up");
            if let Err(error) = self.catch_up_all().await {
                tracing::error!(%error, "search index catch-up failed");
            }
            return;
        }
        if change.dossier_id.is_nil() {
            // Rebuilt by another process (`guichet reindex`): read the new commit.
            if let Some(tenant) = self.tenant(&change.schema).await
                && let Err(error) = self.state.search().reload(&tenant)
            {
                tracing::error!(?error, tenant = %tenant.slug, "search index reload failed");
            }
            return;
        }
        pending
            .entry(change.schema)
            .or_default()
            .insert(change.dossier_id);
    }

    async fn tenant(&mut self, schema: &str) -> Option<Arc<Tenant>> {
        if let Some(tenant) = self.tenants.get(schema) {
            return Some(tenant.clone());
        }
        let slug = match all_tenants(&self.state).await {
            Ok(all) => all
                .into_iter()
                .find(|(_, s)| s == schema)
                .map(|(slug, _)| slug)?,
            Err(error) => {
                tracing::error!(%error, "search indexer: listing tenants");
                return None;
            }
        };
        let tenant = tenant_by_slug(&self.state, &slug).await.ok()?;
        self.tenants.insert(schema.to_owned(), tenant.clone());
        Some(tenant)
    }

    /// Writes what is pending; a tenant whose batch failed keeps it for the next round.
    async fn flush(&mut self, pending: &mut HashMap<String, HashSet<Uuid>>) {
        let schemas: Vec<String> = pending.keys().cloned().collect();
        for schema in schemas {
            let Some(ids) = pending.remove(&schema) else {
                continue;
            };
            let Some(tenant) = self.tenant(&schema).await else {
                tracing::warn!(%schema, "search indexer: change for an unknown tenant");
                continue;
            };
            let ids: Vec<Uuid> = ids.into_iter().collect();
            if let Err(error) = self.index(tenant.clone(), &ids).await {
                tracing::error!(?error, tenant = %tenant.slug, "search indexing failed; will retry");
                pending.entry(schema).or_default().extend(ids);
            }
        }
        if !pending.is_empty() {
            // Retried at the next change; a short pause so a failing database is not hammered.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn index(&self, tenant: Arc<Tenant>, ids: &[Uuid]) -> anyhow::Result<()> {
        for chunk in ids.chunks(MAX_BATCH) {
            let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
            let indexed = self.state.search().index_dossiers(&tx, chunk).await?;
            // Their owners and beneficiaries may now be found in other services. A tenant
            // without a people index gets it whole at its first people search.
            self.state
                .search()
                .people()
                .index_for_dossiers(&tx, chunk)
                .await?;
            tx.commit().await?;
            if indexed == Indexed::Missing {
                // Its first dossier, or its folder was lost: build it whole (these included).
                let rebuilt = self
                    .state
                    .search()
                    .rebuild(&self.state, tenant.clone())
                    .await?;
                tracing::info!(tenant = %tenant.slug, dossiers = rebuilt.dossiers, "search index built");
                break;
            }
        }
        Ok(())
    }

    /// Builds the indexes that do not exist and catches the others up.
    async fn start(&mut self) -> anyhow::Result<()> {
        let tenants = all_tenants(&self.state).await?;
        // Folders of communes deleted meanwhile (by another node, or while this one was down).
        let schemas = tenants.iter().map(|(_, schema)| schema.clone()).collect();
        let swept = self.state.search().sweep(&schemas);
        if swept > 0 {
            tracing::info!(swept, "search indexes of deleted communes removed");
        }
        for (slug, schema) in tenants {
            let Ok(tenant) = tenant_by_slug(&self.state, &slug).await else {
                continue;
            };
            self.tenants.insert(schema, tenant.clone());
            if let Err(error) = self.catch_up(tenant).await {
                tracing::error!(%error, tenant = %slug, "search index catch-up failed");
            }
        }
        Ok(())
    }

    async fn catch_up_all(&mut self) -> anyhow::Result<()> {
        self.start().await
    }

    /// People records changed by other features (an account's person, a household member)
    /// since each people index's watermark, less `margin`.
    async fn catch_up_people(&self, margin: i64) {
        for tenant in self.tenants.values() {
            if !self.state.search().people().exists(tenant) {
                continue;
            }
            let result = async {
                let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
                self.state.search().people().catch_up(&tx, margin).await?;
                tx.commit().await?;
                Ok::<_, app::error::AppError>(())
            }
            .await;
            if let Err(error) = result {
                tracing::error!(?error, tenant = %tenant.slug, "people index catch-up failed");
            }
        }
    }

    async fn catch_up(&self, tenant: Arc<Tenant>) -> anyhow::Result<()> {
        let search = self.state.search();
        if search.people().exists(&tenant) {
            let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
            let read = search.people().catch_up_after_restart(&tx).await?;
            tx.commit().await?;
            tracing::info!(tenant = %tenant.slug, records = read.unwrap_or(0), "people index caught up");
        }
        match search.watermark(&tenant)? {
            None => {
                #[derive(FromQueryResult)]
                struct Any {
                    any: bool,
                }
                let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
                let any: Option<Any> = tx
                    .fetch_optional("SELECT EXISTS (SELECT 1 FROM dossiers) AS any", vec![])
                    .await?;
                tx.commit().await?;
                // No dossier, no index: a commune that never received one costs nothing.
                if any.is_some_and(|a| a.any) {
                    let rebuilt = search.rebuild(&self.state, tenant.clone()).await?;
                    search.close(&tenant)?;
                    tracing::info!(tenant = %tenant.slug, dossiers = rebuilt.dossiers, ms = rebuilt.elapsed.as_millis() as u64, "search index built");
                }
            }
            Some(watermark) => {
                let tx = TenantTx::begin(&self.state, tenant.clone()).await?;
                let ids = changed_since(&tx, watermark).await?;
                tx.commit().await?;
                if !ids.is_empty() {
                    self.index(tenant.clone(), &ids).await?;
                    tracing::info!(tenant = %tenant.slug, dossiers = ids.len(), "search index caught up");
                }
            }
        }
        Ok(())
    }
}
