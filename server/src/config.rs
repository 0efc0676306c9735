//! Configuration, read once from the environment at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use app::infra::Settings;
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
                files_dir: data_dir.join("files"),
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
