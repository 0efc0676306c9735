//! Demo tenants from data files (`tenants/*.toml`), applied idempotently: an existing tenant
//! keeps its data; its demo accounts get their documented passwords back.

use std::path::Path;

use anyhow::Context;
use app::account::model::Role;
use app::account::service::create_user_with_password;
use app::context::Branding;
use app::demarches::service::{import, publish_by};
use app::infra::{AppState, TenantTx};
use app::platform::service::{
    NewTenant, provision_tenant, set_branding, tenant_by_slug, upsert_operator,
};
use app::portal::service::publish_news;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct PlatformFile {
    pub operators: Vec<Person>,
}

#[derive(Deserialize)]
pub struct TenantFile {
    pub slug: String,
    pub name: String,
    pub admin_email: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub branding: Branding,
    #[serde(default)]
    pub agents: Vec<Person>,
    #[serde(default)]
    pub citizens: Vec<Person>,
    #[serde(default)]
    pub news: Vec<News>,
    /// Démarche documents (paths relative to the tenants folder), imported and published when
    /// the tenant is created.
    #[serde(default)]
    pub demarches: Vec<String>,
}

#[derive(Deserialize)]
pub struct Person {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Deserialize)]
pub struct News {
    pub title: String,
    pub body: String,
}

/// What the run command prints so a newcomer can log in.
pub struct SeedReport {
    pub lines: Vec<String>,
}

pub async fn seed_dir(state: &AppState, dir: &Path) -> anyhow::Result<SeedReport> {
    let mut lines = Vec::new();
    let platform_file = dir.join("platform.toml");
    if platform_file.exists() {
        let platform: PlatformFile = toml::from_str(&std::fs::read_to_string(&platform_file)?)
            .with_context(|| format!("{} is not a valid platform file", platform_file.display()))?;
        lines.push(format!(
            "Platform console: {}/plateforme",
            state.settings().platform_origin()
        ));
        for op in &platform.operators {
            upsert_operator(state, &op.email, &op.name, &op.password)
                .await
                .map_err(|e| anyhow::anyhow!("operator {}: {e}", op.email))?;
            lines.push(format!("  operator  {} / {}", op.email, op.password));
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && p.file_name().is_some_and(|n| n != "platform.toml")
        })
        .collect();
    files.sort();
    for file in files {
        let tenant: TenantFile = toml::from_str(&std::fs::read_to_string(&file)?)
            .with_context(|| format!("{} is not a valid tenant file", file.display()))?;
        lines.extend(
            seed_tenant(state, dir, &tenant)
                .await
                .with_context(|| format!("seeding {}", file.display()))?,
        );
    }
    Ok(SeedReport { lines })
}

async fn seed_tenant(
    state: &AppState,
    dir: &Path,
    file: &TenantFile,
) -> anyhow::Result<Vec<String>> {
    let fresh = tenant_by_slug(state, &file.slug).await.is_err();
    if fresh {
        let input = NewTenant {
            name: file.name.clone(),
            slug: file.slug.clone(),
            admin_email: file.admin_email.clone(),
            hosts: file.hosts.clone(),
        };
        provision_tenant(state, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let tenant = tenant_by_slug(state, &file.slug)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    set_branding(state, tenant.clone(), &file.branding)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let tx = TenantTx::begin(state, tenant.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut lines = vec![format!(
        "{} — {}",
        file.name,
        state.settings().tenant_origin(&tenant)
    )];
    for person in file.agents.iter().chain(&file.citizens) {
        let role = person
            .role
            .as_deref()
            .map(Role::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        create_user_with_password(&tx, &person.email, &person.name, &person.password, role)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", person.email))?;
        let kind = role.map_or("citizen", |r| r.as_str());
        lines.push(format!(
            "  {kind:<9} {} / {}",
            person.email, person.password
        ));
    }
    if fresh {
        for news in &file.news {
            publish_news(&tx, None, &news.title, &news.body)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        for path in &file.demarches {
            let json = std::fs::read_to_string(dir.join(path))
                .with_context(|| format!("cannot read {path}"))?;
            let id = import(&tx, &json)
                .await
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            publish_by(&tx, None, &id.to_string())
                .await
                .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        }
    }
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(lines)
}
