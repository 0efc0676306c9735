//! Contexts in the tenant's schema (and their hosts in `platform.tenant_hosts`, always filtered
//! by this tenant's id).

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::model::{
    CheckedContext, ContextAdmin, ContextInput, ContextSummary, ContextsAdmin, Space, check,
    check_colours,
};
use super::strings as s;
use crate::context::Branding;
use crate::demarches::api::CatalogueEntry;
use crate::error::{AppError, AppResult, Problem};
use crate::infra::{Queries, Settings, TenantTx};

#[derive(FromQueryResult)]
struct ContextRow {
    id: Uuid,
    code: String,
    name: String,
    welcome_text: String,
    help_text: String,
    primary_color: Option<String>,
    secondary_color: Option<String>,
    position: i32,
}

const CONTEXT_COLUMNS: &str =
    "id, code, name, welcome_text, help_text, primary_color, secondary_color, position";

async fn by_code(tx: &TenantTx, code: &str) -> AppResult<Option<ContextRow>> {
    tx.fetch_optional(
        &format!("SELECT {CONTEXT_COLUMNS} FROM contexts WHERE code = $1"),
        vec![code.into()],
    )
    .await
}

/// The name a deleted context had, if `code` was one.
async fn retired_name(tx: &TenantTx, code: &str) -> AppResult<Option<String>> {
    #[derive(FromQueryResult)]
    struct Retired {
        name: String,
    }
    let row: Option<Retired> = tx
        .fetch_optional(
            "SELECT name FROM retired_contexts WHERE code = $1",
            vec![code.into()],
        )
        .await?;
    Ok(row.map(|r| r.name))
}

fn summary(tx: &TenantTx, settings: &Settings, row: ContextRow) -> ContextSummary {
    let tenant = tx.tenant();
    let theme = (row.primary_color.is_some() || row.secondary_color.is_some()).then(|| {
        Branding {
            primary_color: row
                .primary_color
                .clone()
                .unwrap_or_else(|| tenant.branding.primary_color.clone()),
            secondary_color: row
                .secondary_color
                .clone()
                .unwrap_or_else(|| tenant.branding.secondary_color.clone()),
            ..tenant.branding.clone()
        }
        .css_vars()
    });
    // On a context's own host, `/` is the context: the plain portal is the commune's host.
    let portal = if tenant.host_context.is_some() {
        settings.tenant_origin(tenant)
    } else {
        String::new()
    };
    ContextSummary {
        code: row.code,
        name: row.name,
        welcome_text: row.welcome_text,
        help_text: row.help_text,
        theme,
        portal,
    }
}

/// The context a citizen page is in: the one its address asks for (`requested`, from
/// `/<code>` or `?contexte=`), else the one its host opens, else the plain portal. A code that
/// is no context (any more) is [`Space::Gone`]: the page falls back to the plain portal.
pub async fn space(
    tx: &TenantTx,
    settings: &Settings,
    requested: Option<&str>,
) -> AppResult<Space> {
    let requested = requested.map(str::trim).filter(|c| !c.is_empty());
    let Some(code) = requested.or(tx.tenant().host_context.as_deref()) else {
        return Ok(Space::Portal);
    };
    match by_code(tx, code).await? {
        Some(row) => Ok(Space::Context(summary(tx, settings, row))),
        None => Ok(Space::Gone {
            name: retired_name(tx, code)
                .await?
                .unwrap_or_else(|| code.to_owned()),
        }),
    }
}

/// `/<code>`: a context's home, or the fallback of a deleted one. `None`: no context was ever
/// at that address (the page is a 404).
pub async fn space_at(tx: &TenantTx, settings: &Settings, code: &str) -> AppResult<Option<Space>> {
    if let Some(row) = by_code(tx, code).await? {
        return Ok(Some(Space::Context(summary(tx, settings, row))));
    }
    Ok(retired_name(tx, code)
        .await?
        .map(|name| Space::Gone { name }))
}

/// Whether the démarche is in the bouquet of the context `code`.
async fn in_bouquet(tx: &TenantTx, code: &str, demarche: &str) -> AppResult<bool> {
    let Ok(demarche) = Uuid::parse_str(demarche) else {
        return Ok(false);
    };
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        found: bool,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT true AS found FROM context_demarches cd JOIN contexts c ON c.id = cd.context_id
             WHERE c.code = $1 AND cd.demarche_id = $2",
            vec![code.into(), demarche.into()],
        )
        .await?;
    Ok(found.is_some())
}

/// True when the page is in a context that does not offer this démarche.
pub async fn refuses(tx: &TenantTx, space: &Space, demarche: &str) -> AppResult<bool> {
    match space.code() {
        Some(code) => Ok(!in_bouquet(tx, code, demarche).await?),
        None => Ok(false),
    }
}

/// The catalogue of a context: the plain portal's, restricted to its bouquet.
pub async fn catalogue(tx: &TenantTx, space: &Space) -> AppResult<Vec<CatalogueEntry>> {
    let entries = crate::demarches::service::catalogue(tx).await?;
    let Some(code) = space.code() else {
        return Ok(entries);
    };
    #[derive(FromQueryResult)]
    struct Member {
        demarche_id: Uuid,
    }
    let members: Vec<Member> = tx
        .fetch_all(
            "SELECT cd.demarche_id FROM context_demarches cd JOIN contexts c ON c.id = cd.context_id
             WHERE c.code = $1",
            vec![code.into()],
        )
        .await?;
    let members: Vec<String> = members.iter().map(|m| m.demarche_id.to_string()).collect();
    Ok(entries
        .into_iter()
        .filter(|e| members.contains(&e.id))
        .collect())
}

/// The context a new draft records: `code` if it exists and offers the démarche (a context
/// that does not is refused, with the reason); nothing if it no longer exists (the citizen
/// goes on through the plain portal).
pub async fn context_for_draft(
    tx: &TenantTx,
    code: &str,
    demarche: Uuid,
    title: &str,
) -> AppResult<Option<String>> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    let Some(row) = by_code(tx, code).await? else {
        return Ok(None);
    };
    if !in_bouquet(tx, code, &demarche.to_string()).await? {
        return Err(AppError::conflict(
            "demarche",
            s::not_in_context(title, &row.name),
        ));
    }
    Ok(Some(row.code))
}

/// The name of the context `code` (or of the deleted context it was), for the dossier's
/// snapshot.
pub async fn name_of(tx: &TenantTx, code: &str) -> AppResult<Option<String>> {
    match by_code(tx, code).await? {
        Some(row) => Ok(Some(row.name)),
        None => retired_name(tx, code).await,
    }
}

// --- Administration ----------------------------------------------------------------------------

/// Whether a context has this code (seeding keeps an existing one).
pub async fn code_exists(tx: &TenantTx, code: &str) -> AppResult<bool> {
    Ok(by_code(tx, code).await?.is_some())
}

/// The first démarche with this title (seeding names bouquets by document).
pub async fn demarche_titled(tx: &TenantTx, title: &str) -> AppResult<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct Found {
        id: Uuid,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT id FROM demarches WHERE draft->'demarche'->>'title' = $1 ORDER BY created_at, id LIMIT 1",
            vec![title.into()],
        )
        .await?;
    Ok(found.map(|f| f.id))
}

/// Every context with its host and bouquet, and the démarches a bouquet can hold.
pub async fn admin_page(tx: &TenantTx) -> AppResult<ContextsAdmin> {
    let rows: Vec<ContextRow> = tx
        .fetch_all(
            &format!("SELECT {CONTEXT_COLUMNS} FROM contexts ORDER BY position, name, code"),
            vec![],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Member {
        context_id: Uuid,
        demarche_id: Uuid,
    }
    let members: Vec<Member> = tx
        .fetch_all(
            "SELECT context_id, demarche_id FROM context_demarches",
            vec![],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Host {
        host: String,
        context_code: String,
    }
    let hosts: Vec<Host> = tx
        .fetch_all(
            "SELECT host, context_code FROM platform.tenant_hosts
             WHERE tenant_id = $1 AND context_code IS NOT NULL ORDER BY host",
            vec![tx.tenant().id.into()],
        )
        .await?;
    #[derive(FromQueryResult)]
    struct Demarche {
        id: Uuid,
        title: String,
    }
    let demarches: Vec<Demarche> = tx
        .fetch_all(
            "SELECT id, COALESCE(draft->'demarche'->>'title', '') AS title FROM demarches
             ORDER BY 2, id",
            vec![],
        )
        .await?;
    let contexts = rows
        .into_iter()
        .map(|row| ContextAdmin {
            id: row.id.to_string(),
            host: hosts
                .iter()
                .find(|h| h.context_code == row.code)
                .map(|h| h.host.clone())
                .unwrap_or_default(),
            demarches: members
                .iter()
                .filter(|m| m.context_id == row.id)
                .map(|m| m.demarche_id.to_string())
                .collect(),
            code: row.code,
            name: row.name,
            welcome_text: row.welcome_text,
            help_text: row.help_text,
            primary_color: row.primary_color.unwrap_or_default(),
            secondary_color: row.secondary_color.unwrap_or_default(),
            position: row.position,
        })
        .collect();
    Ok(ContextsAdmin {
        contexts,
        demarches: demarches
            .into_iter()
            .map(|d| (d.id.to_string(), d.title))
            .collect(),
    })
}

fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound(s::CONTEXT_UNKNOWN.to_owned()))
}

/// Everything wrong with the input, the colours' contrast and the base domain included.
fn checked(tx: &TenantTx, settings: &Settings, input: &ContextInput) -> AppResult<CheckedContext> {
    let branding = &tx.tenant().branding;
    let (context, mut problems) = match check(input) {
        Ok(context) => (Some(context), Vec::new()),
        Err(problems) => (None, problems),
    };
    let colour = |value: &str| {
        let value = value.trim().to_ascii_lowercase();
        (!value.is_empty()).then_some(value)
    };
    problems.extend(check_colours(
        colour(&input.primary_color).as_deref(),
        colour(&input.secondary_color).as_deref(),
        &branding.primary_color,
        &branding.secondary_color,
    ));
    if let Some(host) = context.as_ref().and_then(|c| c.host.as_ref()) {
        let base = &settings.base_domain;
        if host == base || host.ends_with(&format!(".{base}")) {
            problems.push(Problem {
                path: "host".into(),
                message: s::HOST_UNDER_BASE.replace("{base}", base),
            });
        }
    }
    match context {
        Some(context) if problems.is_empty() => Ok(context),
        _ => Err(AppError::Rejected { problems }),
    }
}

/// Creates a context (its code's tombstone, if it had one, is lifted). Answers its id.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn create(tx: &TenantTx, settings: &Settings, input: &ContextInput) -> AppResult<Uuid> {
    let context = checked(tx, settings, input)?;
    let id = Uuid::new_v4();
    let inserted = tx
        .execute(
            "INSERT INTO contexts (id, code, name, welcome_text, help_text, primary_color, secondary_color, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING",
            vec![
                id.into(),
                context.code.clone().into(),
                context.name.clone().into(),
                context.welcome_text.clone().into(),
                context.help_text.clone().into(),
                context.primary_color.clone().into(),
                context.secondary_color.clone().into(),
                context.position.into(),
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(AppError::conflict("code", s::CODE_TAKEN));
    }
    tx.execute(
        "DELETE FROM retired_contexts WHERE code = $1",
        vec![context.code.clone().into()],
    )
    .await?;
    set_bouquet(tx, id, &context.demarches).await?;
    set_host(tx, None, &context).await?;
    Ok(id)
}

/// Changes a context. A new code retires the old one (its links fall back with a notice);
/// dossiers keep the code and name they were submitted under.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn update(
    tx: &TenantTx,
    settings: &Settings,
    id: &str,
    input: &ContextInput,
) -> AppResult<Uuid> {
    let id = parse_id(id)?;
    let context = checked(tx, settings, input)?;
    let old: Option<ContextRow> = tx
        .fetch_optional(
            &format!("SELECT {CONTEXT_COLUMNS} FROM contexts WHERE id = $1 FOR UPDATE"),
            vec![id.into()],
        )
        .await?;
    let old = old.ok_or_else(|| AppError::NotFound(s::CONTEXT_UNKNOWN.to_owned()))?;
    if old.code != context.code {
        if by_code(tx, &context.code).await?.is_some() {
            return Err(AppError::conflict("code", s::CODE_TAKEN));
        }
        retire(tx, &old.code, &old.name).await?;
        tx.execute(
            "DELETE FROM retired_contexts WHERE code = $1",
            vec![context.code.clone().into()],
        )
        .await?;
    }
    tx.execute(
        "UPDATE contexts SET code = $2, name = $3, welcome_text = $4, help_text = $5,
             primary_color = $6, secondary_color = $7, position = $8
         WHERE id = $1",
        vec![
            id.into(),
            context.code.clone().into(),
            context.name.clone().into(),
            context.welcome_text.clone().into(),
            context.help_text.clone().into(),
            context.primary_color.clone().into(),
            context.secondary_color.clone().into(),
            context.position.into(),
        ],
    )
    .await?;
    set_bouquet(tx, id, &context.demarches).await?;
    set_host(tx, Some(&old.code), &context).await?;
    Ok(id)
}

/// Deletes a context: its bouquet and host go, its code is retired (old links fall back to the
/// plain portal naming it), its dossiers keep their recorded code and name.
#[tracing::instrument(skip_all, fields(tenant = %tx.tenant().slug))]
pub async fn delete(tx: &TenantTx, id: &str) -> AppResult<()> {
    let id = parse_id(id)?;
    let old: Option<ContextRow> = tx
        .fetch_optional(
            &format!("DELETE FROM contexts WHERE id = $1 RETURNING {CONTEXT_COLUMNS}"),
            vec![id.into()],
        )
        .await?;
    let old = old.ok_or_else(|| AppError::NotFound(s::CONTEXT_UNKNOWN.to_owned()))?;
    retire(tx, &old.code, &old.name).await?;
    let removed = tx
        .execute(
            "DELETE FROM platform.tenant_hosts WHERE tenant_id = $1 AND context_code = $2",
            vec![tx.tenant().id.into(), old.code.into()],
        )
        .await?;
    if removed > 0 {
        hosts_changed(tx).await?;
    }
    Ok(())
}

async fn retire(tx: &TenantTx, code: &str, name: &str) -> AppResult<()> {
    tx.execute(
        "INSERT INTO retired_contexts (code, name) VALUES ($1, $2)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, retired_at = EXCLUDED.retired_at",
        vec![code.into(), name.into()],
    )
    .await?;
    Ok(())
}

/// Replaces the bouquet; every démarche must be this commune's.
async fn set_bouquet(tx: &TenantTx, id: Uuid, demarches: &[String]) -> AppResult<()> {
    let ids: Vec<Uuid> = demarches
        .iter()
        .map(|d| Uuid::parse_str(d.trim()))
        .collect::<Result<_, _>>()
        .map_err(|_| AppError::invalid("demarches", s::DEMARCHE_UNKNOWN))?;
    tx.execute(
        "DELETE FROM context_demarches WHERE context_id = $1",
        vec![id.into()],
    )
    .await?;
    if ids.is_empty() {
        return Ok(());
    }
    // Checked, then inserted from the list: Citus 13.2 breaks an INSERT … SELECT between two
    // tables of one tenant schema (`WHERE ( IS NOT NULL)`).
    let known = tx
        .execute(
            "SELECT 1 FROM demarches WHERE id = ANY ($1::uuid[])",
            vec![crate::dossiers::service::uuid_array(&ids).into()],
        )
        .await?;
    if known as usize != ids.len() {
        return Err(AppError::invalid("demarches", s::DEMARCHE_UNKNOWN));
    }
    tx.execute(
        "INSERT INTO context_demarches (context_id, demarche_id) SELECT $1, unnest($2::uuid[])",
        vec![id.into(), crate::dossiers::service::uuid_array(&ids).into()],
    )
    .await?;
    Ok(())
}

/// Gives the context its host (or none). The host table is the platform's: rows are only
/// ever read or written with this tenant's id, and every process's host cache is cleared.
async fn set_host(
    tx: &TenantTx,
    old_code: Option<&str>,
    context: &CheckedContext,
) -> AppResult<()> {
    let tenant = tx.tenant().id;
    #[derive(FromQueryResult, PartialEq)]
    struct Host {
        host: String,
    }
    let current: Option<Host> = match old_code {
        Some(code) => {
            tx.fetch_optional(
                "SELECT host FROM platform.tenant_hosts WHERE tenant_id = $1 AND context_code = $2",
                vec![tenant.into(), code.into()],
            )
            .await?
        }
        None => None,
    };
    let unchanged = current.as_ref().map(|h| &h.host) == context.host.as_ref()
        && old_code == Some(context.code.as_str());
    if unchanged {
        return Ok(());
    }
    if let Some(code) = old_code {
        tx.execute(
            "DELETE FROM platform.tenant_hosts WHERE tenant_id = $1 AND context_code = $2",
            vec![tenant.into(), code.into()],
        )
        .await?;
    }
    if let Some(host) = &context.host {
        let inserted = tx
            .execute(
                "INSERT INTO platform.tenant_hosts (host, tenant_id, context_code) VALUES ($1, $2, $3)
                 ON CONFLICT (host) DO NOTHING",
                vec![host.clone().into(), tenant.into(), context.code.clone().into()],
            )
            .await?;
        if inserted == 0 {
            return Err(AppError::conflict("host", s::HOST_TAKEN));
        }
    }
    hosts_changed(tx).await
}

/// Every process clears its host cache when this transaction commits.
async fn hosts_changed(tx: &TenantTx) -> AppResult<()> {
    crate::infra::tenancy::announce_changed(tx, tx.tenant().slug.as_str()).await
}
