//! Configuration, read once from the environment at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use app::infra::Settings;
use app::infra::storage::{FileStore, S3Settings};
use leptos::config::{Env, LeptosOptions};

#[derive(Clone, Debug)]
pub struct Config {
    pub database_url: String,
    pub settings: Settings,
    pub leptos: LeptosOptions,
    /// Where the file mail transport writes (`<data_dir>/mail/<tenant>/*.eml`).
    pub data_dir: PathBuf,
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required` or `smtps://…`; files if unset.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Maximum pooled PostgreSQL connections, shared by all tenants.
    pub db_max_connections: u32,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let database_url = var("DATABASE_URL").context(
            "DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/guichet); scripts/start sets it for you",
        )?;
        let site_addr: SocketAddr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned())
            .parse()
            .context("LEPTOS_SITE_ADDR must be host:port, e.g. 127.0.0.1:3000")?;
        let env = match var("LEPTOS_ENV").as_deref() {
            Some("PROD") | Some("prod") | Some("production") => Env::PROD,
            _ => Env::DEV,
        };
        let leptos = LeptosOptions::builder()
            .output_name(var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "guichet".to_owned()))
            .site_root(var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()))
            .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".to_owned()))
            .site_addr(site_addr)
            .env(env)
            .reload_port(
                var("LEPTOS_RELOAD_PORT")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(3001),
            )
            .build();
        let base_domain = var("GUICHET_BASE_DOMAIN")
            .unwrap_or_else(|| "localhost".to_owned())
            .to_ascii_lowercase();
        let public_scheme = var("GUICHET_PUBLIC_SCHEME").unwrap_or_else(|| "http".to_owned());
        if public_scheme != "http" && public_scheme != "https" {
            bail!("GUICHET_PUBLIC_SCHEME must be http or https, not {public_scheme}");
        }
        let public_port = match var("GUICHET_PUBLIC_PORT") {
            Some(port) => Some(
                port.parse()
                    .context("GUICHET_PUBLIC_PORT must be a port number")?,
            ),
            None if public_scheme == "http" => Some(site_addr.port()).filter(|p| *p != 80),
            None => None,
        };
        let data_dir = PathBuf::from(var("GUICHET_DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let files_dir = data_dir.join("files");
        let files = match s3_settings()? {
            Some(s3) => FileStore::s3(&s3, &files_dir),
            None => FileStore::local(&files_dir),
        }
        .map_err(anyhow::Error::msg)?;
        let mail_from =
            var("GUICHET_MAIL_FROM").unwrap_or_else(|| format!("ne-pas-repondre@{base_domain}"));
        Ok(Self {
            database_url,
            settings: Settings {
                base_domain,
                public_scheme,
                public_port,
                trust_forwarded_for: matches!(
                    var("GUICHET_TRUST_FORWARDED_FOR").as_deref(),
                    Some("1" | "true" | "yes")
                ),
                files_dir,
                files,
            },
            leptos,
            data_dir,
            smtp_url: var("GUICHET_SMTP_URL"),
            mail_from,
            db_max_connections: var("GUICHET_DB_MAX_CONNECTIONS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(16),
        })
    }
}

/// `GUICHET_SEARCH_DIR`: this node's own folder for the search indexes (default
/// `<GUICHET_DATA_DIR>/search`). Nodes that share a data folder each set their own.
pub fn search_dir() -> Option<PathBuf> {
    var("GUICHET_SEARCH_DIR").map(PathBuf::from)
}

/// The S3 bucket of the file store, when `GUICHET_S3_BUCKET` is set (local files otherwise).
pub fn s3_settings() -> anyhow::Result<Option<S3Settings>> {
    let Some(bucket) = var("GUICHET_S3_BUCKET") else {
        return Ok(None);
    };
    let endpoint = var("GUICHET_S3_ENDPOINT");
    let allow_http = match var("GUICHET_S3_ALLOW_HTTP").as_deref() {
        Some("1" | "true" | "yes") => true,
        Some("0" | "false" | "no") => false,
        Some(other) => bail!("GUICHET_S3_ALLOW_HTTP must be true or false, not {other}"),
        // Plain HTTP is fine to a store on this machine, and only there unless asked.
        None => endpoint.as_deref().is_some_and(is_loopback_http),
    };
    if let Some(endpoint) = &endpoint
        && endpoint.starts_with("http://")
        && !allow_http
    {
        bail!(
            "GUICHET_S3_ENDPOINT {endpoint} is plain HTTP: set GUICHET_S3_ALLOW_HTTP=true if the store is on a private network"
        );
    }
    Ok(Some(S3Settings {
        bucket,
        endpoint,
        region: var("GUICHET_S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
        access_key_id: var("GUICHET_S3_ACCESS_KEY_ID"),
        secret_access_key: var("GUICHET_S3_SECRET_ACCESS_KEY"),
        allow_http,
    }))
}

/// `http://127.0.0.1:9000`, `http://localhost:9000/`, `http://[::1]:9000`.
fn is_loopback_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_http;

    #[test]
    fn plain_http_is_assumed_only_for_a_store_on_this_machine() {
        assert!(is_loopback_http("http://127.0.0.1:9000"));
        assert!(is_loopback_http("http://localhost:9000/"));
        assert!(is_loopback_http("http://[::1]:9000"));
        assert!(!is_loopback_http("http://minio.internal:9000"));
        assert!(!is_loopback_http("http://127.0.0.1.evil.example"));
        assert!(!is_loopback_http("https://127.0.0.1:9000"));
    }
}
