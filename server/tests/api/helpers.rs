#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::context::Branding;
use app::infra::storage::{FileStore, S3Settings};
use app::infra::{AppState, Settings, Tenant};
use app::platform::service::{NewTenant, provision_tenant, tenant_by_slug};
use guichet_server::config::Config;
use leptos::config::LeptosOptions;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use uuid::Uuid;

use crate::s3_server::S3Bucket;

pub const BASE_DOMAIN: &str = "localhost";

/// The name `accept_invitation` gives a commune's first admin (invited without one).
pub const FIRST_ADMIN_NAME: &str = "Claire Fontaine";

/// Admin connection used to create one database per test.
fn admin_url() -> String {
    std::env::var("GUICHET_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

pub fn init_tracing() {
    if std::env::var("TEST_LOG").is_ok() {
        guichet_server::telemetry::init();
    }
}

/// What the process logged since [`capture_logs`] was first called, as text.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Everything the process logs from the first call on — the servers of every test running,
/// their libraries included, at `debug` (more than production's `info`), with the spans'
/// fields —, as text. A global subscriber: a per-thread one (`set_default`) misses spans and
/// events whose callsites other tests' threads registered first. Fails when `TEST_LOG` already
/// installed the global subscriber.
pub fn capture_logs() -> CapturedLogs {
    static CAPTURED: std::sync::OnceLock<CapturedLogs> = std::sync::OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let logs = CapturedLogs::default();
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    // The HTTP client's and TLS's own chatter (the tests' requests) stays out.
                    "debug,hyper=info,hyper_util=info,h2=info,reqwest=info,rustls=info",
                ))
                .with_ansi(false)
                .with_writer(logs.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("capturing logs needs the global subscriber: run without TEST_LOG");
            logs
        })
        .clone()
}

/// A real SMTP server (aiosmtpd, see end2end/smtp_server.py) writing what it receives to a
/// folder, one JSON file per message. Clones share the server (several nodes' tests).
#[derive(Clone)]
pub struct Smtp {
    pub port: u16,
    pub dir: PathBuf,
    _child: Arc<Child>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub html: String,
    #[serde(default)]
    pub message_id: String,
    #[serde(default)]
    pub reply_to: String,
    #[serde(default)]
    pub attachments: Vec<ReceivedAttachment>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ReceivedAttachment {
    pub filename: String,
    pub content_type: String,
    pub size: usize,
    pub sha256: String,
}

impl Mail {
    /// The first link in the body that contains `path`.
    pub fn link(&self, path: &str) -> String {
        self.body
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in mail: {}", self.body))
            .to_owned()
    }

    pub fn token(&self, path: &str) -> String {
        self.link(path)
            .split("jeton=")
            .nth(1)
            .expect("link without jeton")
            .to_owned()
    }
}

impl Smtp {
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("guichet-smtp-{}", Uuid::new_v4().simple()));
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/smtp_server.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 must be installed (scripts/test installs aiosmtpd)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .await
            .expect("smtp server output");
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("SMTP server did not start (is aiosmtpd installed?): {line:?}")
        });
        Self {
            port,
            dir,
            _child: Arc::new(child),
        }
    }

    pub fn all(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        let mut names: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p.file_name().unwrap().to_string_lossy().starts_with('.')
            })
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// How many messages the server has accepted (without reading them).
    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.dir).map_or(0, |entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.ends_with(".json") && !name.starts_with('.')
                })
                .count()
        })
    }

    /// The Message-IDs the server is holding or has held (see smtp_server.py).
    pub fn held(&self) -> Vec<String> {
        self.markers("held-")
    }

    /// The Message-IDs the server has refused once with a temporary error.
    pub fn refused_once(&self) -> Vec<String> {
        self.markers("tempfail-")
    }

    fn markers(&self, prefix: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return vec![];
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with(prefix) && name.ends_with(".marker")
            })
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|id| !id.is_empty())
            .collect()
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    /// Waits (polling, up to 20 s) until `count` mails to `address` have arrived.
    pub async fn wait_for(&self, address: &str, count: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mails = self.to(address);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} mail(s) to {address}, got {}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn last_to(&self, address: &str) -> Mail {
        let before = self.to(address).len();
        self.wait_for(address, before.max(1)).await.pop().unwrap()
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub smtp: Smtp,
    pub database_url: String,
    pub mail_from: String,
    /// The bucket holding the files, when the server stores them in S3 (local files else).
    pub s3: Option<S3Bucket>,
}

pub async fn spawn_app() -> TestApp {
    spawn(Jobs::Run).await
}

/// The server without its background jobs, for tests that run the outbox by hand.
pub async fn spawn_app_without_jobs() -> TestApp {
    spawn(Jobs::None).await
}

/// The server with mail written to `.eml` files (no `GUICHET_SMTP_URL`), as the demo runs;
/// its `smtp` server receives nothing.
pub async fn spawn_app_with_mail_in_files() -> TestApp {
    spawn_with(Jobs::Run, MailTo::Files, None).await
}

/// The server with its files in `bucket` (an S3-compatible server run by the harness).
pub async fn spawn_app_with_s3(bucket: S3Bucket) -> TestApp {
    spawn_with(Jobs::Run, MailTo::Smtp, Some(bucket)).await
}

enum Jobs {
    Run,
    None,
}

enum MailTo {
    Smtp,
    Files,
}

/// Creates the test's database. On a Citus coordinator (GUICHET_TEST_DATABASE_URL pointing at
/// one), the database is created on every node and made a Citus cluster of its own — the
/// coordinator and the workers the admin database knows — so that each tenant schema the test
/// provisions becomes a shard group on a worker, as in production.
async fn create_database(admin: &sea_orm::DatabaseConnection, name: &str) {
    use sea_orm::{DbBackend, Statement};
    let citus = guichet_migrations::detect_citus(admin).await.unwrap();
    if !citus {
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        return;
    }
    let nodes: Vec<(String, i32, i32)> = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT nodename, nodeport, groupid FROM pg_dist_node WHERE noderole = 'primary' ORDER BY groupid",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            (
                row.try_get::<String>("", "nodename").unwrap(),
                row.try_get::<i32>("", "nodeport").unwrap(),
                row.try_get::<i32>("", "groupid").unwrap(),
            )
        })
        .collect();
    // A setting of the session that creates the database: the URL's options reach every
    // connection of this short-lived pool.
    let separator = if admin_url().contains('?') { '&' } else { '?' };
    let propagating = Database::connect(format!(
        "{}{separator}options=-c%20citus.enable_create_database_propagation%3Don",
        admin_url()
    ))
    .await
    .unwrap();
    propagating
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    propagating.close().await.unwrap();
    for (host, port, group) in &nodes {
        let url = format!("postgres://postgres@{host}:{port}/{name}");
        let node = Database::connect(&url).await.unwrap();
        node.execute_unprepared("CREATE EXTENSION IF NOT EXISTS citus")
            .await
            .unwrap();
        if *group == 0 {
            node.execute_unprepared(&format!(
                "SELECT citus_set_coordinator_host('{host}', {port})"
            ))
            .await
            .unwrap();
        }
        node.close().await.unwrap();
    }
    let coordinator = Database::connect(with_database(&admin_url(), name))
        .await
        .unwrap();
    for (host, port, _) in nodes.iter().filter(|(_, _, group)| *group != 0) {
        coordinator
            .execute_unprepared(&format!("SELECT citus_add_node('{host}', {port})"))
            .await
            .unwrap();
    }
    coordinator.close().await.unwrap();
}

async fn spawn(jobs: Jobs) -> TestApp {
    spawn_with(jobs, MailTo::Smtp, None).await
}

async fn spawn_with(jobs: Jobs, mail_to: MailTo, s3: Option<S3Bucket>) -> TestApp {
    init_tracing();
    let name = format!("guichet_test_{}", Uuid::new_v4().simple());
    let admin = Database::connect(admin_url())
        .await
        .expect("PostgreSQL must be reachable (GUICHET_TEST_DATABASE_URL)");
    create_database(&admin, &name).await;
    let database_url = with_database(&admin_url(), &name);

    let smtp = Smtp::start().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let data_dir = std::env::temp_dir().join(format!("guichet-data-{}", Uuid::new_v4().simple()));
    let files = match &s3 {
        Some(bucket) => FileStore::s3(
            &S3Settings {
                bucket: bucket.bucket.clone(),
                endpoint: Some(bucket.endpoint.clone()),
                region: "eu-west-3".to_owned(),
                access_key_id: Some("guichet-test".to_owned()),
                secret_access_key: Some("guichet-test-secret".to_owned()),
                allow_http: true,
            },
            &data_dir.join("files"),
        ),
        None => FileStore::local(&data_dir.join("files")),
    }
    .unwrap();
    let config = Config {
        database_url: database_url.clone(),
        settings: Settings {
            base_domain: BASE_DOMAIN.to_owned(),
            public_scheme: "http".to_owned(),
            public_port: Some(addr.port()),
            trust_forwarded_for: false,
            files_dir: data_dir.join("files"),
            files,
        },
        leptos: LeptosOptions::builder()
            .output_name("guichet")
            .site_root("target/site")
            .site_addr(addr)
            .build(),
        data_dir,
        smtp_url: match mail_to {
            MailTo::Smtp => Some(format!("smtp://127.0.0.1:{}", smtp.port)),
            MailTo::Files => None,
        },
        mail_from: "ne-pas-repondre@guichet.test".to_owned(),
        db_max_connections: 16,
    };
    let state = guichet_server::state(&config).await.unwrap();
    let report = guichet_server::migrate(&state).await.unwrap();
    assert_eq!(report.failures().count(), 0);
    let server_state = state.clone();
    let mail_from = config.mail_from.clone();
    match jobs {
        Jobs::Run => {
            tokio::spawn(
                async move { guichet_server::serve(&config, server_state, listener).await },
            )
        }
        Jobs::None => tokio::spawn(guichet_server::serve_http(server_state, listener)),
    };
    TestApp {
        addr,
        state,
        smtp,
        database_url,
        mail_from,
        s3,
    }
}

/// Whether a second node runs the background jobs too.
pub enum NodeJobs {
    Run,
    None,
}

impl TestApp {
    /// Another `guichet serve` on the same database, as a second machine would run it: its
    /// own port, state, caches and listeners, its own search folder, and the same files folder
    /// (and secret key) as this one. Its `smtp` is this app's server.
    pub async fn spawn_node(&self, jobs: NodeJobs) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let files_dir = self.state.settings().files_dir.clone();
        let data_dir = files_dir.parent().unwrap().to_path_buf();
        let search_dir =
            std::env::temp_dir().join(format!("guichet-search-{}", Uuid::new_v4().simple()));
        let config = Config {
            database_url: self.database_url.clone(),
            settings: Settings {
                public_port: Some(addr.port()),
                ..self.state.settings().clone()
            },
            leptos: LeptosOptions::builder()
                .output_name("guichet")
                .site_root("target/site")
                .site_addr(addr)
                .build(),
            data_dir,
            smtp_url: Some(format!("smtp://127.0.0.1:{}", self.smtp.port)),
            mail_from: self.mail_from.clone(),
            db_max_connections: 16,
        };
        let state = guichet_server::state(&config)
            .await
            .unwrap()
            .with_search_dir(search_dir);
        let server_state = state.clone();
        match jobs {
            NodeJobs::Run => {
                tokio::spawn(
                    async move { guichet_server::serve(&config, server_state, listener).await },
                )
            }
            NodeJobs::None => tokio::spawn(guichet_server::serve_http(server_state, listener)),
        };
        TestApp {
            addr,
            state,
            smtp: self.smtp.clone(),
            database_url: self.database_url.clone(),
            mail_from: self.mail_from.clone(),
            s3: self.s3.clone(),
        }
    }

    /// Waits (at most 20 s) until `/readyz` answers 200: the node hears the notifications.
    pub async fn ready(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = client
                .get(format!("http://127.0.0.1:{}/readyz", self.addr.port()))
                .send()
                .await
                .map(|r| r.status());
            if matches!(status, Ok(StatusCode::OK)) {
                return;
            }
            assert!(Instant::now() < deadline, "node never ready: {status:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub fn host(slug: &str) -> String {
    format!("{slug}.{BASE_DOMAIN}")
}

impl TestApp {
    pub fn url(&self, slug: &str, path: &str) -> String {
        format!("http://{}:{}{path}", host(slug), self.addr.port())
    }

    pub fn apex_url(&self, path: &str) -> String {
        format!("http://{BASE_DOMAIN}:{}{path}", self.addr.port())
    }

    /// A browser-like client (cookie jar, no automatic redirects) whose `*.localhost` names
    /// resolve to the test server.
    pub fn client(&self) -> reqwest::Client {
        self.client_for(&[
            "ca",
            "cb",
            "cc",
            "cd",
            "cz",
            "broken",
            "nantes",
            "reze",
            "saint-herblain",
            "other",
        ])
    }

    pub fn client_for(&self, slugs: &[&str]) -> reqwest::Client {
        // A request that never gets an answer fails the test (naming its URL) instead of
        // hanging the whole run.
        let mut builder = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(90))
            .redirect(reqwest::redirect::Policy::none());
        for slug in slugs {
            builder = builder.resolve(&host(slug), self.addr);
        }
        builder.resolve(BASE_DOMAIN, self.addr).build().unwrap()
    }

    pub async fn create_tenant(&self, slug: &str, name: &str) -> Arc<Tenant> {
        let input = NewTenant {
            name: name.to_owned(),
            slug: slug.to_owned(),
            admin_email: format!("admin@{slug}.test"),
            hosts: vec![],
            starter_pack: Vec::new(),
        };
        provision_tenant(&self.state, &input).await.unwrap().tenant
    }

    pub async fn set_branding(&self, slug: &str, primary: &str) {
        let tenant = tenant_by_slug(&self.state, slug).await.unwrap();
        let branding = Branding {
            primary_color: primary.to_owned(),
            ..Branding::default()
        };
        let document = app::branding::model::BrandingDocument {
            look: branding,
            ..Default::default()
        };
        app::platform::service::set_branding(&self.state, tenant, &document)
            .await
            .unwrap();
    }

    /// GETs `path` at a tenant with `client` (its cookies, its redirect policy).
    pub async fn get(&self, client: &reqwest::Client, slug: &str, path: &str) -> reqwest::Response {
        client.get(self.url(slug, path)).send().await.unwrap()
    }

    /// POSTs a form to a server function at a tenant, the way the browser form would.
    pub async fn post(
        &self,
        client: &reqwest::Client,
        slug: &str,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(slug, &format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn signup(
        &self,
        client: &reqwest::Client,
        slug: &str,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post(
            client,
            slug,
            "signup",
            &[
                ("email", email),
                ("password", password),
                ("display_name", "Jeanne Martin"),
            ],
        )
        .await
    }

    /// Signs up, follows the verification link from the mail, and logs in.
    pub async fn citizen(&self, client: &reqwest::Client, slug: &str, email: &str, password: &str) {
        let before = self.smtp.to(email).len();
        assert_eq!(
            self.signup(client, slug, email, password).await.status(),
            StatusCode::OK
        );
        let mail = self.smtp.wait_for(email, before + 1).await.pop().unwrap();
        let verify = client.get(mail.link("/verifier")).send().await.unwrap();
        assert_eq!(verify.status(), StatusCode::OK);
        assert_eq!(
            self.login(client, slug, email, password).await.status(),
            StatusCode::OK
        );
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        slug: &str,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        self.post(
            client,
            slug,
            "login",
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Accepts the pending invitation mailed to `email` and returns the signed-in client.
    pub async fn accept_invitation(
        &self,
        slug: &str,
        email: &str,
        password: &str,
    ) -> reqwest::Client {
        let client = self.client();
        let mail = self.smtp.last_to(email).await;
        let token = mail.token("/invitation");
        // The name the form is prefilled with, as a person would keep it; a commune's first
        // admin, invited without one, types theirs.
        let prefilled: String = self
            .post(&client, slug, "invitation_name", &[("jeton", &token)])
            .await
            .json()
            .await
            .unwrap();
        let name = if prefilled.is_empty() {
            FIRST_ADMIN_NAME.to_owned()
        } else {
            prefilled
        };
        let response = self
            .post(
                &client,
                slug,
                "accept_invitation",
                &[
                    ("jeton", &token),
                    ("display_name", &name),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            response.text().await.unwrap()
        );
        client
    }

    /// The tenant's admin (invited at provisioning), signed in.
    pub async fn admin(&self, slug: &str) -> reqwest::Client {
        self.accept_invitation(slug, &format!("admin@{slug}.test"), "Clef-Secrete-2026")
            .await
    }

    /// Gives the agent `email` a right on a service of `slug` (by name; `None`: the first
    /// service, "Accueil").
    pub async fn grant(&self, slug: &str, email: &str, service: Option<&str>, access: &str) {
        let schema = format!("tenant_{}", slug.replace('-', "_"));
        let service = service.unwrap_or("Accueil");
        self.sql(&format!(
            "INSERT INTO {schema}.service_members (service_id, user_id, access)
             SELECT s.id, u.id, '{access}' FROM {schema}.services s, {schema}.users u
             WHERE s.name = '{service}' AND u.email = '{email}'
             ON CONFLICT (service_id, user_id) DO UPDATE SET access = EXCLUDED.access"
        ))
        .await;
    }

    /// Runs one statement as the test's superuser (arranging data the API does not offer).
    pub async fn sql(&self, sql: &str) {
        self.state.pool().execute_unprepared(sql).await.unwrap();
    }

    /// The first column of the first row of a query, as text.
    pub async fn text(&self, sql: &str) -> String {
        let row = self
            .state
            .pool()
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT ({sql})::text AS v"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "v").unwrap()
    }

    pub async fn count(&self, schema_table: &str) -> i64 {
        let row = self
            .state
            .pool()
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!("SELECT count(*) AS n FROM {schema_table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "n").unwrap()
    }
}

pub async fn error_message(response: reqwest::Response) -> String {
    let value: serde_json::Value = response.json().await.unwrap();
    // AppError is serialised externally tagged: {"Invalid": {"field": .., "message": ..}} or {"Forbidden": "…"}.
    let inner = value
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or(value.clone());
    inner
        .get("message")
        .and_then(|m| m.as_str())
        .or_else(|| inner.as_str())
        .unwrap_or_default()
        .to_owned()
}

pub async fn error_field(response: reqwest::Response) -> (String, String) {
    let value: serde_json::Value = response.json().await.unwrap();
    let inner = value
        .as_object()
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap();
    (
        inner["field"].as_str().unwrap().to_owned(),
        inner["message"].as_str().unwrap().to_owned(),
    )
}
