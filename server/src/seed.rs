//! Demo tenants from data files (`tenants/*.toml`), applied idempotently: an existing tenant
//! keeps its data; its demo accounts get their documented passwords back.

use std::path::Path;

use anyhow::Context;
use app::account::model::Role;
use app::account::service::create_user_with_password;
use app::branding::model::{Branding, BrandingDocument, LegalPages};
use app::demarches::service::{import, publish_by};
use app::infra::{AppState, TenantTx};
use app::platform::service::{
    NewTenant, provision_tenant, set_branding, tenant_by_slug, upsert_operator,
};
use app::portal::service::publish_news;
use app::workflow::model::{Action, Deadlines, Instruction, Routing, Workflow};
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
    pub legal: LegalPages,
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
    /// The org chart: services (created if missing, found by their path) and their members.
    #[serde(default)]
    pub services: Vec<SeedService>,
    /// Instruction settings per démarche, saved unless the démarche already has some.
    #[serde(default)]
    pub instructions: Vec<SeedInstruction>,
    /// Contexts (portal variants), created unless their code exists.
    #[serde(default)]
    pub contexts: Vec<SeedContext>,
    /// Démarches shared in the store (republishing an unchanged one adds no version).
    #[serde(default)]
    pub store: Vec<SeedStoreEntry>,
}

/// A context; its bouquet names démarche documents (paths relative to the tenants folder),
/// found by their title.
#[derive(Deserialize)]
pub struct SeedContext {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub welcome_text: String,
    #[serde(default)]
    pub help_text: String,
    #[serde(default)]
    pub primary_color: String,
    #[serde(default)]
    pub secondary_color: String,
    #[serde(default)]
    pub demarches: Vec<String>,
}

/// One of the tenant's démarches (found by its document's title) shared in the store.
#[derive(Deserialize)]
pub struct SeedStoreEntry {
    pub demarche: String,
    pub description: String,
    /// A code of `app::store::model::DOMAINS`.
    pub domain: String,
    /// A code of `app::store::model::ORGANISM_TYPES`.
    pub organism_type: String,
}

/// A service of the org chart. Services are named by their path from the root
/// (`"Direction des services techniques › Voirie"`), so a parent comes before its children.
#[derive(Deserialize)]
pub struct SeedService {
    pub name: String,
    pub kind: String,
    /// The parent's path; none for a first-level service.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub members: Vec<SeedMember>,
}

#[derive(Deserialize)]
pub struct SeedMember {
    pub email: String,
    /// `consultation`, `modification` or `gestion`.
    pub access: String,
}

/// A démarche's instruction document, as [`Instruction`] but with services named by their
/// path instead of their id, and every part optional (the default workflow, no routing rule,
/// no deadline).
#[derive(Deserialize)]
pub struct SeedInstruction {
    /// The démarche's document (path relative to the tenants folder): its title finds it.
    pub demarche: String,
    #[serde(default)]
    pub workflow: Option<Workflow>,
    #[serde(default)]
    pub routing: Routing,
    #[serde(default)]
    pub deadlines: Deadlines,
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
            starter_pack: Vec::new(),
        };
        provision_tenant(state, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let tenant = tenant_by_slug(state, &file.slug)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let branding = BrandingDocument {
        look: file.branding.clone(),
        legal: file.legal.clone(),
    };
    set_branding(state, tenant.clone(), &branding)
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
    seed_services(&tx, &file.services).await?;
    for instruction in &file.instructions {
        seed_instruction(&tx, dir, instruction)
            .await
            .with_context(|| format!("instruction of {}", instruction.demarche))?;
    }
    for (position, context) in file.contexts.iter().enumerate() {
        seed_context(state, &tx, dir, context, position)
            .await
            .with_context(|| format!("context {}", context.code))?;
        lines.push(format!(
            "  context   {}/{}",
            state.settings().tenant_origin(&tenant),
            context.code
        ));
    }
    let mut shared = Vec::new();
    for entry in &file.store {
        shared.push(
            seed_store_entry(state, &tx, dir, entry)
                .await
                .with_context(|| format!("store entry of {}", entry.demarche))?,
        );
    }
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    for entry in shared {
        state
            .store()
            .refresh(state, entry)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(lines)
}

async fn seed_context(
    state: &AppState,
    tx: &TenantTx,
    dir: &Path,
    seed: &SeedContext,
    position: usize,
) -> anyhow::Result<()> {
    use app::contexts::service as contexts;
    if contexts::code_exists(tx, &seed.code)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        return Ok(());
    }
    let mut demarches = Vec::new();
    for path in &seed.demarches {
        let json = std::fs::read_to_string(dir.join(path))
            .with_context(|| format!("cannot read {path}"))?;
        let document: serde_json::Value = serde_json::from_str(&json)?;
        let title = document["demarche"]["title"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("{path}: no title"))?;
        let id = contexts::demarche_titled(tx, title)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ok_or_else(|| anyhow::anyhow!("no démarche titled {title:?}"))?;
        demarches.push(id.to_string());
    }
    let input = app::contexts::model::ContextInput {
        code: seed.code.clone(),
        name: seed.name.clone(),
        welcome_text: seed.welcome_text.clone(),
        help_text: seed.help_text.clone(),
        primary_color: seed.primary_color.clone(),
        secondary_color: seed.secondary_color.clone(),
        host: String::new(),
        position: position.to_string(),
        demarches,
    };
    contexts::create(tx, state.settings(), &input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

async fn seed_store_entry(
    state: &AppState,
    tx: &TenantTx,
    dir: &Path,
    seed: &SeedStoreEntry,
) -> anyhow::Result<uuid::Uuid> {
    let json = std::fs::read_to_string(dir.join(&seed.demarche))
        .with_context(|| format!("cannot read {}", seed.demarche))?;
    let document: serde_json::Value = serde_json::from_str(&json)?;
    let title = document["demarche"]["title"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{}: no title", seed.demarche))?;
    let demarche = app::store::service::demarche_by_title(tx, title)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("no démarche titled {title:?}"))?;
    let hosts = vec![state.settings().tenant_host(tx.tenant().slug.as_str())];
    let input = app::store::service::PublishInput {
        demarche_id: demarche.to_string(),
        description: seed.description.clone(),
        domain: seed.domain.clone(),
        organism_type: seed.organism_type.clone(),
        publisher_name: String::new(),
        notes: String::new(),
    };
    let published = app::store::service::publish(tx, &hosts, &input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    uuid::Uuid::parse_str(&published.entry_id).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Path → id of the tenant's services.
async fn service_paths(tx: &TenantTx) -> anyhow::Result<Vec<(String, String)>> {
    Ok(app::org::service::services(tx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .map(|s| (s.path, s.id))
        .collect())
}

fn service_id(paths: &[(String, String)], path: &str) -> anyhow::Result<String> {
    paths
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, id)| id.clone())
        .ok_or_else(|| anyhow::anyhow!("unknown service {path:?}"))
}

/// Creates the services that do not exist yet and gives their members their rights (an
/// existing service keeps its level; a member's right is set to the file's).
async fn seed_services(tx: &TenantTx, services: &[SeedService]) -> anyhow::Result<()> {
    for service in services {
        let mut paths = service_paths(tx).await?;
        let path = match &service.parent {
            Some(parent) => format!("{parent} › {}", service.name),
            None => service.name.clone(),
        };
        if !paths.iter().any(|(p, _)| *p == path) {
            let parent = service
                .parent
                .as_deref()
                .map(|p| service_id(&paths, p))
                .transpose()?;
            app::org::service::create_service(tx, &service.name, &service.kind, parent.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!("service {path}: {e}"))?;
            paths = service_paths(tx).await?;
        }
        let id = service_id(&paths, &path)?;
        for member in &service.members {
            let user = app::org::service::agent_by_email(tx, &member.email)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("{path}: no account {}", member.email))?;
            app::org::service::set_member(tx, &id, &user.to_string(), &member.access)
                .await
                .map_err(|e| anyhow::anyhow!("{path}, {}: {e}", member.email))?;
        }
    }
    Ok(())
}

/// Saves the démarche's instruction settings, unless it already has some (edited since).
async fn seed_instruction(tx: &TenantTx, dir: &Path, seed: &SeedInstruction) -> anyhow::Result<()> {
    let json = std::fs::read_to_string(dir.join(&seed.demarche))
        .with_context(|| format!("cannot read {}", seed.demarche))?;
    let document: serde_json::Value = serde_json::from_str(&json)?;
    let title = document["demarche"]["title"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{}: no title", seed.demarche))?;
    let Some(demarche) = app::workflow::service::demarche_without_instruction(tx, title)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    else {
        return Ok(());
    };
    let paths = service_paths(tx).await?;
    let resolve = |path: &str| service_id(&paths, path);
    let mut instruction = Instruction {
        workflow: seed
            .workflow
            .clone()
            .unwrap_or_else(|| Instruction::default().workflow),
        routing: seed.routing.clone(),
        deadlines: seed.deadlines.clone(),
    };
    let routing = &mut instruction.routing;
    routing.default_service = routing
        .default_service
        .as_deref()
        .map(resolve)
        .transpose()?;
    for rule in &mut routing.rules {
        rule.service_id = resolve(&rule.service_id)?;
    }
    for copy in &mut routing.copies {
        *copy = resolve(copy)?;
    }
    for transition in &mut instruction.workflow.transitions {
        for action in &mut transition.actions {
            if let Action::AssignService { service_id } = action {
                *service_id = resolve(service_id)?;
            }
        }
    }
    let problems = app::workflow::service::save_by(tx, None, &demarche.to_string(), &instruction)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(problem) = problems.first() {
        anyhow::bail!("{}: {}", problem.path, problem.message);
    }
    Ok(())
}
