//! What operators and load balancers ask a node: `/healthz` (the process answers), `/readyz`
//! (it can serve: the database answers, the platform schema is at this binary's migration
//! level, and the node hears the notifications that keep its caches true) and `/metrics`
//! (Prometheus text exposition, written by hand: a few counters and gauges do not need a
//! metrics crate).
//!
//! `/metrics` answers on the node's own address only (a host that is neither the console nor
//! a commune): on a public site name it is an ordinary unknown page.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::infra::AppState;
use app::infra::tenancy::Resolution;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use guichet_migrations::{SchemaName, platform_migrations, schema_versions, tenant_migrations};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};

/// Latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Tenants counted by name; the others (beyond this many in one process's life) share the
/// label `other`, so the number of series stays bounded whatever the number of communes.
pub const MAX_TENANT_LABELS: usize = 100;

/// Put in a response's extensions by the host middleware: the tenant it was for.
#[derive(Clone)]
pub struct TenantLabel(pub Arc<str>);

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counters {
    /// (route template, status) → requests.
    requests: HashMap<(String, u16), u64>,
    /// Route template → latency.
    latency: HashMap<String, Histogram>,
    /// Tenant slug (or `other`) → requests.
    tenants: HashMap<Arc<str>, u64>,
}

/// This process's request metrics (one per router).
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
    /// Once the platform schema was seen at this binary's level it stays there (migrations
    /// only go forward): later probes only ask the database to answer.
    migrated: AtomicBool,
}

impl Metrics {
    fn record(&self, route: &str, status: u16, seconds: f64, tenant: Option<Arc<str>>) {
        let Ok(mut counters) = self.counters.lock() else {
            return;
        };
        *counters
            .requests
            .entry((route.to_owned(), status))
            .or_default() += 1;
        let histogram = counters.latency.entry(route.to_owned()).or_default();
        if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
            histogram.counts[i] += 1;
        }
        histogram.sum += seconds;
        histogram.count += 1;
        if let Some(tenant) = tenant {
            let key = if counters.tenants.contains_key(&tenant)
                || counters.tenants.len() < MAX_TENANT_LABELS
            {
                tenant
            } else {
                Arc::from("other")
            };
            *counters.tenants.entry(key).or_default() += 1;
        }
    }

    fn write(&self, out: &mut String) {
        let Ok(counters) = self.counters.lock() else {
            return;
        };
        out.push_str("# HELP guichet_http_requests_total HTTP requests by route template and status.\n# TYPE guichet_http_requests_total counter\n");
        let mut requests: Vec<_> = counters.requests.iter().collect();
        requests.sort();
        for ((route, status), n) in requests {
            let _ = writeln!(
                out,
                "guichet_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP guichet_http_request_duration_seconds Time to the response's head, by route template.\n# TYPE guichet_http_request_duration_seconds histogram\n");
        let mut latency: Vec<_> = counters.latency.iter().collect();
        latency.sort_by(|a, b| a.0.cmp(b.0));
        for (route, histogram) in latency {
            let route = escape(route);
            let mut cumulative = 0;
            for (le, n) in BUCKETS.iter().zip(histogram.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "guichet_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "guichet_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "guichet_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "guichet_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count
            );
        }
        out.push_str(&format!("# HELP guichet_tenant_requests_total HTTP requests by commune (at most {MAX_TENANT_LABELS} named, then \"other\").\n# TYPE guichet_tenant_requests_total counter\n"));
        let mut tenants: Vec<_> = counters.tenants.iter().collect();
        tenants.sort();
        for (tenant, n) in tenants {
            let _ = writeln!(
                out,
                "guichet_tenant_requests_total{{tenant=\"{}\"}} {n}",
                escape(tenant)
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request under its route template (`/demarches/{slug}`, never the path
/// itself: the number of series is bounded by the code, not by the traffic).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || fallback_label(request.uri().path()),
        |p| p.as_str().to_owned(),
    );
    let started = Instant::now();
    let response = next.run(request).await;
    let tenant = response
        .extensions()
        .get::<TenantLabel>()
        .map(|t| t.0.clone());
    metrics.record(
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
        tenant,
    );
    response
}

/// Requests no route matched: static files, the probes, 404s — a few fixed labels.
fn fallback_label(path: &str) -> String {
    match path {
        "/healthz" | "/readyz" | "/metrics" | "/health" => path.to_owned(),
        _ if path.starts_with("/pkg/") => "/pkg/*".to_owned(),
        _ => "fallback".to_owned(),
    }
}

/// Answers the probes before the site is resolved (a probe names no commune).
pub async fn probes(
    State((state, metrics)): State<(AppState, Arc<Metrics>)>,
    request: Request,
    next: Next,
) -> Response {
    match request.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n".to_owned()),
        "/readyz" => readiness(&state, &metrics).await,
        "/metrics" => {
            let host = request
                .headers()
                .get(HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            match state.directory().resolve(&state, &host).await {
                Ok(Resolution::Unknown) => exposition(&state, &metrics).await,
                _ => next.run(request).await,
            }
        }
        _ => next.run(request).await,
    }
}

fn text(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Platform schema at this binary's level; tenants behind it (reported, not fatal: `serve`
/// serves the other communes when one failed to migrate, and so does a ready node).
async fn migration_status(state: &AppState) -> Result<(bool, usize), sea_orm::DbErr> {
    let platform = schema_versions(state.pool(), &[SchemaName::platform()]).await?;
    let platform_current = platform
        .values()
        .all(|v| *v as usize >= platform_migrations().len());
    #[derive(FromQueryResult)]
    struct Row {
        schema_name: String,
    }
    let schemas: Vec<SchemaName> = Row::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        "SELECT schema_name FROM platform.tenants",
    ))
    .all(state.pool())
    .await?
    .into_iter()
    .filter_map(|r| SchemaName::parse(&r.schema_name).ok())
    .collect();
    let level = tenant_migrations().len();
    let behind = schema_versions(state.pool(), &schemas)
        .await?
        .values()
        .filter(|v| (**v as usize) < level)
        .count();
    Ok((platform_current, behind))
}

async fn readiness(state: &AppState, metrics: &Metrics) -> Response {
    if let Err(error) = state.pool().execute_unprepared("SELECT 1").await {
        tracing::warn!(%error, "not ready: the database does not answer");
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable\n".to_owned(),
        );
    }
    let mut body = String::from("database ok\n");
    if !metrics.migrated.load(Ordering::Acquire) {
        match migration_status(state).await {
            Ok((true, behind)) => {
                metrics.migrated.store(true, Ordering::Release);
                let _ = writeln!(body, "migrations ok ({behind} tenant(s) behind)");
            }
            Ok((false, _)) => {
                return text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "platform migrations behind this binary\n".to_owned(),
                );
            }
            Err(error) => {
                tracing::warn!(%error, "not ready: migration levels unreadable");
                return text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "migration levels unreadable\n".to_owned(),
                );
            }
        }
    } else {
        body.push_str("migrations ok\n");
    }
    if !state.is_listening() {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "notifications not heard yet\n".to_owned(),
        );
    }
    body.push_str("notifications ok\n");
    text(StatusCode::OK, body)
}

#[derive(FromQueryResult)]
struct Backlog {
    pending: i64,
    failed: i64,
    merges_queued: i64,
    merges_running: i64,
}

/// The outbox and mail-merge backlog of every commune, a few statements overall.
async fn backlog(state: &AppState) -> Result<Backlog, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        schema_name: String,
    }
    let schemas: Vec<SchemaName> = Row::find_by_statement(Statement::from_string(
        DbBackend::Postgres,
        "SELECT schema_name FROM platform.tenants",
    ))
    .all(state.pool())
    .await?
    .into_iter()
    .filter_map(|r| SchemaName::parse(&r.schema_name).ok())
    .collect();
    let mut total = Backlog {
        pending: 0,
        failed: 0,
        merges_queued: 0,
        merges_running: 0,
    };
    for chunk in schemas.chunks(250) {
        let sql = chunk
            .iter()
            .map(|schema| {
                let s = schema.quoted();
                format!(
                    "SELECT (SELECT count(*) FROM {s}.mail_outbox WHERE status = 'pending') AS pending,
                            (SELECT count(*) FROM {s}.mail_outbox WHERE status = 'failed') AS failed,
                            (SELECT count(*) FROM {s}.mail_merges WHERE status = 'queued') AS merges_queued,
                            (SELECT count(*) FROM {s}.mail_merges WHERE status = 'running') AS merges_running"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let sql = format!(
            "SELECT COALESCE(sum(pending), 0)::int8 AS pending, COALESCE(sum(failed), 0)::int8 AS failed,
                    COALESCE(sum(merges_queued), 0)::int8 AS merges_queued,
                    COALESCE(sum(merges_running), 0)::int8 AS merges_running
             FROM ({sql}) AS t"
        );
        if let Some(part) =
            Backlog::find_by_statement(Statement::from_string(DbBackend::Postgres, sql))
                .one(state.pool())
                .await?
        {
            total.pending += part.pending;
            total.failed += part.failed;
            total.merges_queued += part.merges_queued;
            total.merges_running += part.merges_running;
        }
    }
    Ok(total)
}

async fn exposition(state: &AppState, metrics: &Metrics) -> Response {
    let mut out = String::with_capacity(16 * 1024);
    metrics.write(&mut out);
    let pool = state.pool().get_postgres_connection_pool();
    let size = pool.size();
    let idle = pool.num_idle() as u32;
    let _ = write!(
        out,
        "# HELP guichet_db_pool_connections Pooled PostgreSQL connections by state.\n# TYPE guichet_db_pool_connections gauge\n\
         guichet_db_pool_connections{{state=\"in_use\"}} {}\n\
         guichet_db_pool_connections{{state=\"idle\"}} {idle}\n\
         # HELP guichet_db_pool_max_connections The pool's limit.\n# TYPE guichet_db_pool_max_connections gauge\n\
         guichet_db_pool_max_connections {}\n",
        size.saturating_sub(idle),
        pool.options().get_max_connections(),
    );
    let _ = write!(
        out,
        "# HELP guichet_notifications_listening 1 while this node hears cache invalidations and dossier changes.\n# TYPE guichet_notifications_listening gauge\n\
         guichet_notifications_listening {}\n\
         # HELP guichet_tenant_cache_hosts Hosts this node has resolved and cached.\n# TYPE guichet_tenant_cache_hosts gauge\n\
         guichet_tenant_cache_hosts {}\n",
        u8::from(state.is_listening()),
        state.directory().cached_hosts(),
    );
    match backlog(state).await {
        Ok(backlog) => {
            let _ = write!(
                out,
                "# HELP guichet_outbox_mails Mails in the communes' outboxes by status.\n# TYPE guichet_outbox_mails gauge\n\
                 guichet_outbox_mails{{status=\"pending\"}} {}\n\
                 guichet_outbox_mails{{status=\"failed\"}} {}\n\
                 # HELP guichet_jobs Background jobs waiting or running, by kind.\n# TYPE guichet_jobs gauge\n\
                 guichet_jobs{{kind=\"mail_merge\",status=\"queued\"}} {}\n\
                 guichet_jobs{{kind=\"mail_merge\",status=\"running\"}} {}\n",
                backlog.pending, backlog.failed, backlog.merges_queued, backlog.merges_running,
            );
        }
        Err(error) => tracing::warn!(%error, "metrics: backlog unreadable"),
    }
    text(StatusCode::OK, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_beyond_the_limit_share_one_label() {
        let metrics = Metrics::default();
        for i in 0..(MAX_TENANT_LABELS + 50) {
            metrics.record("/", 200, 0.002, Some(Arc::from(format!("c{i}").as_str())));
        }
        metrics.record("/", 200, 0.002, Some(Arc::from("c0")));
        let mut out = String::new();
        metrics.write(&mut out);
        let tenant_series = out
            .lines()
            .filter(|l| l.starts_with("guichet_tenant_requests_total{"))
            .count();
        assert_eq!(tenant_series, MAX_TENANT_LABELS + 1);
        assert!(out.contains("guichet_tenant_requests_total{tenant=\"other\"} 50"));
        assert!(out.contains("guichet_tenant_requests_total{tenant=\"c0\"} 2"));
        assert!(out.contains(
            "guichet_http_request_duration_seconds_bucket{route=\"/\",le=\"0.0025\"} 151"
        ));
    }
}
