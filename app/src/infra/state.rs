use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use sea_orm::DatabaseConnection;

use super::live::DossierChanged;
use super::rate_limit::LoginLimiter;
use super::search::SearchIndexes;
use super::tenancy::{Tenant, TenantDirectory};
use crate::error::AppError;

/// Settings the app needs at request time (parsed once by the server's config).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Apex domain: the platform console answers there, tenants at `<slug>.<base_domain>`.
    pub base_domain: String,
    /// `http` or `https`, used to build links in mails and to mark cookies `Secure`.
    pub public_scheme: String,
    /// Port appended to public links when not the scheme's default.
    pub public_port: Option<u16>,
    /// Behind a reverse proxy, take the client's address from the last `X-Forwarded-For`
    /// entry (the one the proxy appended) instead of the TCP peer, which is the proxy itself.
    pub trust_forwarded_for: bool,
    /// The local data folder's `files/`: the file store's root when it is local, and the
    /// anchor of the search indexes and the secret key beside it.
    pub files_dir: std::path::PathBuf,
    /// Where tenants' files are stored: local files in `files_dir`, or an S3 bucket.
    pub files: super::storage::FileStore,
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_scheme == "https"
    }

    pub fn origin_for_host(&self, host: &str) -> String {
        match self.public_port {
            Some(port) => format!("{}://{host}:{port}", self.public_scheme),
            None => format!("{}://{host}", self.public_scheme),
        }
    }

    pub fn tenant_host(&self, slug: &str) -> String {
        format!("{slug}.{}", self.base_domain)
    }

    /// Where a tenant's portal is reached, for links in mails and CLI output.
    pub fn tenant_origin(&self, tenant: &Tenant) -> String {
        self.slug_origin(tenant.slug.as_str())
    }

    pub fn slug_origin(&self, slug: &str) -> String {
        self.origin_for_host(&self.tenant_host(slug))
    }

    pub fn platform_origin(&self) -> String {
        self.origin_for_host(&self.base_domain)
    }

    /// Root of the search indexes, next to the file store: `<data dir>/search/<tenant schema>/`.
    pub fn search_dir(&self) -> std::path::PathBuf {
        match self.files_dir.parent() {
            Some(data_dir) => data_dir.join("search"),
            None => std::path::PathBuf::from("search"),
        }
    }
}

/// Shared by every request and job. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    db: DatabaseConnection,
    settings: Settings,
    directory: TenantDirectory,
    login_limiter: LoginLimiter,
    leptos: LeptosOptions,
    live: tokio::sync::broadcast::Sender<DossierChanged>,
    search: SearchIndexes,
    store: crate::store::search::StoreIndex,
    mail_in_files: bool,
    /// This node hears the notifications every node must hear (cache invalidations, dossier
    /// changes): set by the server's listener once it listens, cleared when it loses them.
    listening: std::sync::atomic::AtomicBool,
    secrets: std::sync::OnceLock<Result<super::secrets::Secrets, String>>,
}

impl AppState {
    pub fn new(db: DatabaseConnection, settings: Settings, leptos: LeptosOptions) -> Self {
        let directory = TenantDirectory::new(settings.base_domain.clone());
        let search = SearchIndexes::new(settings.search_dir());
        let login_limiter = LoginLimiter::new(db.clone());
        Self(Arc::new(Inner {
            db,
            settings,
            directory,
            login_limiter,
            leptos,
            live: tokio::sync::broadcast::channel(1024).0,
            search,
            store: Default::default(),
            mail_in_files: false,
            listening: std::sync::atomic::AtomicBool::new(false),
            secrets: std::sync::OnceLock::new(),
        }))
    }

    /// Marks mail as written to files (no SMTP server): the demo's mail page then answers at
    /// each commune (`/courriels-demo`). Only while the state is not yet shared (at start).
    pub fn with_mail_in_files(mut self, in_files: bool) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.mail_in_files = in_files,
            None => tracing::warn!("mail mode set on a shared state: ignored"),
        }
        self
    }

    /// Puts this node's search indexes in `dir` instead of `<data dir>/search` (nodes sharing
    /// a data folder each keep their own indexes). Only while the state is not yet shared.
    pub fn with_search_dir(mut self, dir: std::path::PathBuf) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.search = SearchIndexes::new(dir),
            None => tracing::warn!("search folder set on a shared state: ignored"),
        }
        self
    }

    /// Whether this node currently hears the notifications (see `/readyz`).
    pub fn is_listening(&self) -> bool {
        self.0.listening.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn set_listening(&self, listening: bool) {
        self.0
            .listening
            .store(listening, std::sync::atomic::Ordering::Release);
    }

    /// True when mail goes to `.eml` files instead of an SMTP server.
    pub fn mail_in_files(&self) -> bool {
        self.0.mail_in_files
    }

    /// The connection pool, for infrastructure only (migrations, listeners, transaction
    /// constructors). Its connections have an empty `search_path`: an unscoped query on a
    /// tenant table fails instead of reading some tenant's data.
    pub fn pool(&self) -> &DatabaseConnection {
        &self.0.db
    }

    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    pub fn directory(&self) -> &TenantDirectory {
        &self.0.directory
    }

    pub fn login_limiter(&self) -> &LoginLimiter {
        &self.0.login_limiter
    }

    /// Dossier changes heard from PostgreSQL, for the open event streams.
    pub fn live(&self) -> &tokio::sync::broadcast::Sender<DossierChanged> {
        &self.0.live
    }

    /// Every tenant's dossier search index.
    pub fn search(&self) -> &SearchIndexes {
        &self.0.search
    }

    /// The shared store's search index (platform-wide).
    pub fn store(&self) -> &crate::store::search::StoreIndex {
        &self.0.store
    }

    /// The key that seals secrets stored at rest (see `infra::secrets`), loaded at first use.
    pub fn secrets(&self) -> Result<&super::secrets::Secrets, AppError> {
        let files_dir = &self.0.settings.files_dir;
        let data_dir = files_dir.parent().unwrap_or(std::path::Path::new("."));
        self.0
            .secrets
            .get_or_init(|| super::secrets::Secrets::load(data_dir))
            .as_ref()
            .map_err(|error| {
                tracing::error!(%error, "the secret key cannot be loaded");
                AppError::Internal
            })
    }

    pub fn leptos_options(&self) -> &LeptosOptions {
        &self.0.leptos
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.0.leptos.clone()
    }
}

/// The state, inside a server function or SSR render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}
