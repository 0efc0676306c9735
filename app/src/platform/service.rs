//! Onboarding and running tenants. Platform tables only, except during provisioning, where the
//! new tenant's schema is created and filled in the same transaction.

use std::sync::Arc;

use guichet_migrations::{SchemaName, apply_in_transaction, tenant_migrations};
use sea_orm::FromQueryResult;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::{Slug, TenantSummary, parse_host, parse_tenant_name};
use super::strings as s;
use crate::account::model::Role;
use crate::account::validate;
use crate::context::Branding;
use crate::error::{AppError, AppResult};
use crate::infra::crypto::{
    burn_password_check, hash_password, hash_token, new_token, verify_password,
};
use crate::infra::dates::french_date;
use crate::infra::{AppState, PlatformTx, Queries, Tenant, TenantStatus, TenantTx};

const OPERATOR_SESSION_TTL: Duration = Duration::hours(12);

/// What an operator types to onboard a commune.
#[derive(Debug, Clone, Default)]
pub struct NewTenant {
    pub name: String,
    pub slug: String,
    pub admin_email: String,
    pub hosts: Vec<String>,
    /// Store entries imported as drafts in the same transaction, routed to the commune's
    /// first service ("Accueil"). Any unknown or unpublished entry fails the whole onboarding.
    pub starter_pack: Vec<String>,
}

pub struct Provisioned {
    pub tenant: Arc<Tenant>,
    pub portal_url: String,
}

async fn notify_tenants_changed(tx: &PlatformTx, slug: &str) -> AppResult<()> {
    crate::infra::tenancy::announce_changed(tx, slug).await
}

/// Creates the tenant row, its hosts, its schema (all tenant migrations), default data and the
/// first admin's invitation, in one transaction: on any error nothing at all remains.
#[tracing::instrument(skip_all, fields(slug = %input.slug))]
pub async fn provision_tenant(state: &AppState, input: &NewTenant) -> AppResult<Provisioned> {
    let name = parse_tenant_name(&input.name)?;
    let suggest = |error| with_slug_suggestion(error, &name, &input.slug);
    let slug = Slug::parse(&input.slug).map_err(suggest)?;
    let admin_email = validate::email(s::ADMIN_EMAIL_FIELD, &input.admin_email)?;
    if input.hosts.len() > 10 {
        return Err(AppError::invalid("hosts", s::TOO_MANY_HOSTS));
    }
    let base = &state.settings().base_domain;
    let mut hosts = Vec::with_capacity(input.hosts.len());
    for raw in &input.hosts {
        let host = parse_host(raw)?;
        if host == *base || host.ends_with(&format!(".{base}")) {
            return Err(AppError::invalid(
                "hosts",
                s::HOST_UNDER_BASE.replace("{base}", base),
            ));
        }
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    let schema = SchemaName::parse(&slug.schema_name())
        .map_err(|_| suggest(AppError::invalid("slug", s::SLUG_TAKEN)))?;
    let mut starter_pack = Vec::with_capacity(input.starter_pack.len());
    for raw in &input.starter_pack {
        let entry = Uuid::parse_str(raw.trim()).map_err(|_| {
            AppError::invalid("starter_pack", crate::store::strings::STARTER_UNKNOWN)
        })?;
        if !starter_pack.contains(&entry) {
            starter_pack.push(entry);
        }
    }

    let tx = PlatformTx::begin(state).await?;
    let id = Uuid::new_v4();
    let inserted = tx
        .execute(
            "INSERT INTO platform.tenants (id, slug, name, schema_name) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
            vec![
                id.into(),
                slug.as_str().into(),
                name.clone().into(),
                schema.as_str().into(),
            ],
        )
        .await?;
    if inserted == 0 {
        return Err(suggest(AppError::conflict("slug", s::SLUG_TAKEN)));
    }
    for host in &hosts {
        let inserted = tx
            .execute(
                "INSERT INTO platform.tenant_hosts (host, tenant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                vec![host.clone().into(), id.into()],
            )
            .await?;
        if inserted == 0 {
            return Err(AppError::conflict(
                "hosts",
                format!("{} ({host})", s::HOST_TAKEN),
            ));
        }
    }
    // A leftover schema of the same name (from a deleted tenant) is never reused.
    let leftover: Option<Exists> = tx
        .fetch_optional(
            "SELECT true AS exists FROM pg_namespace WHERE nspname = $1",
            vec![schema.as_str().into()],
        )
        .await?;
    if leftover.is_some() {
        return Err(suggest(AppError::conflict("slug", s::SLUG_TAKEN)));
    }
    apply_in_transaction(tx.transaction(), &schema, &tenant_migrations())
        .await
        .map_err(|error| {
            tracing::error!(%error, "tenant schema migration failed during provisioning");
            AppError::Internal
        })?;
    notify_tenants_changed(&tx, slug.as_str()).await?;

    let tenant = Arc::new(Tenant {
        id,
        slug,
        name,
        schema,
        status: TenantStatus::Active,
        branding: Branding::default(),
        host_context: None,
    });
    let tenant_tx = TenantTx::pin(tx.into_raw(), tenant.clone()).await?;
    crate::account::service::invite_agent(
        &tenant_tx,
        state.settings(),
        "L'équipe de la plateforme",
        &admin_email,
        crate::account::strings::UNNAMED_ADMIN,
        Role::Admin,
    )
    .await
    .map_err(|error| match error {
        AppError::Invalid { message, .. } => AppError::invalid(s::ADMIN_EMAIL_FIELD, message),
        other => other,
    })?;
    for entry in &starter_pack {
        crate::store::service::import_entry(
            &tenant_tx,
            *entry,
            crate::store::service::WELCOME_SERVICE,
        )
        .await
        .map_err(|error| match error {
            AppError::NotFound(_) => {
                AppError::invalid("starter_pack", crate::store::strings::STARTER_UNKNOWN)
            }
            other => other,
        })?;
    }
    tenant_tx.commit().await?;
    state.directory().invalidate_tenant(tenant.slug.as_str());
    for entry in starter_pack {
        // Import counts changed: this process's catalogue order follows at once.
        if let Err(error) = state.store().refresh(state, entry).await {
            tracing::warn!(?error, %entry, "store index refresh failed");
        }
    }
    let portal_url = state.settings().tenant_origin(&tenant);
    Ok(Provisioned { tenant, portal_url })
}

/// A refused slug's message completed with the slug the name suggests, when that is a
/// different, valid one ("Saint-Martin des Champs" → `saint-martin-des-champs`).
fn with_slug_suggestion(error: AppError, name: &str, typed: &str) -> AppError {
    let suggestion = Slug::suggest(name).filter(|slug| slug.as_str() != typed.trim());
    match (error, suggestion) {
        (AppError::Invalid { field, message }, Some(slug)) if field == "slug" => {
            AppError::invalid("slug", s::with_suggested_slug(&message, slug.as_str()))
        }
        (AppError::Conflict { field, message }, Some(slug)) if field == "slug" => {
            AppError::conflict("slug", s::with_suggested_slug(&message, slug.as_str()))
        }
        (error, _) => error,
    }
}

#[derive(FromQueryResult)]
struct Exists {
    #[allow(dead_code)]
    exists: bool,
}

#[derive(FromQueryResult)]
struct TenantListRow {
    slug: String,
    name: String,
    status: String,
    created_at: OffsetDateTime,
    deletion_due: Option<String>,
    hosts: Vec<String>,
}

pub async fn list_tenants(state: &AppState) -> AppResult<Vec<TenantSummary>> {
    let tx = PlatformTx::begin(state).await?;
    let rows: Vec<TenantListRow> = tx
        .fetch_all(
            "SELECT t.slug, t.name, t.status, t.created_at,
                    to_char(t.deletion_due AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY') AS deletion_due,
                    COALESCE(array_agg(h.host ORDER BY h.host) FILTER (WHERE h.host IS NOT NULL), '{}') AS hosts
             FROM platform.tenants t LEFT JOIN platform.tenant_hosts h ON h.tenant_id = t.id
             GROUP BY t.id ORDER BY t.name",
            vec![],
        )
        .await?;
    tx.commit().await?;
    let settings = state.settings();
    Ok(rows
        .into_iter()
        .map(|row| {
            let portal_url = settings.slug_origin(&row.slug);
            TenantSummary {
                slug: row.slug,
                name: row.name,
                active: row.status == "active",
                created_at: french_date(row.created_at),
                portal_url,
                hosts: row.hosts,
                deletion_due: row.deletion_due,
            }
        })
        .collect())
}

/// Suspends or reactivates a tenant; every process stops (or resumes) serving it at once.
pub async fn set_status(state: &AppState, slug: &str, status: TenantStatus) -> AppResult<()> {
    let tx = PlatformTx::begin(state).await?;
    let changed = tx
        .execute(
            // Reactivating a commune cancels its scheduled deletion (see `deletion`).
            "UPDATE platform.tenants SET status = $2,
                 deletion_due = CASE WHEN $2 = 'active' THEN NULL ELSE deletion_due END
             WHERE slug = $1",
            vec![slug.trim().into(), status.as_str().into()],
        )
        .await?;
    if changed == 0 {
        return Err(AppError::NotFound(s::TENANT_UNKNOWN.to_owned()));
    }
    notify_tenants_changed(&tx, slug.trim()).await?;
    tx.commit().await?;
    state.directory().invalidate_tenant(slug.trim());
    Ok(())
}

/// Applies a demo tenant's branding as a new version, unless an admin has changed it since.
pub async fn set_branding(
    state: &AppState,
    tenant: Arc<Tenant>,
    document: &crate::branding::model::BrandingDocument,
) -> AppResult<()> {
    use crate::branding::service::{Saved, apply_seed};
    let slug = tenant.slug.as_str().to_owned();
    let tx = TenantTx::begin(state, tenant).await?;
    if let Saved::Refused(problems) = apply_seed(&tx, document).await? {
        return Err(AppError::Rejected {
            problems: problems
                .into_iter()
                .map(|p| crate::error::Problem {
                    path: p.field,
                    message: p.message,
                })
                .collect(),
        });
    }
    tx.commit().await?;
    state.directory().invalidate_tenant(&slug);
    Ok(())
}

/// Creates a platform operator, or resets the password of an existing one.
pub async fn upsert_operator(
    state: &AppState,
    email: &str,
    display_name: &str,
    password: &str,
) -> AppResult<()> {
    let email = validate::email("email", email)?;
    let display_name = validate::display_name(display_name)?;
    validate::password(password, &email)?;
    let tx = PlatformTx::begin(state).await?;
    tx.execute(
        "INSERT INTO platform.operators (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash",
        vec![Uuid::new_v4().into(), email.into(), display_name.into(), hash_password(password)?.into()],
    )
    .await?;
    tx.commit().await
}

#[derive(FromQueryResult)]
struct OperatorRow {
    id: Uuid,
    display_name: String,
    password_hash: String,
}

#[derive(Clone, Debug)]
pub struct Operator {
    pub display_name: String,
}

/// What an operator's right password leads to.
pub enum OperatorLogin {
    /// A session: the cookie's token.
    Session(String),
    /// The operator has a second factor: the token of the sign-in waiting for its code.
    SecondFactor(String),
}

pub async fn operator_login(
    state: &AppState,
    client: &str,
    email: &str,
    password: &str,
) -> AppResult<OperatorLogin> {
    let email = validate::email("email", email)?;
    let limiter = state.login_limiter();
    limiter.check("platform", &email, client).await?;
    let tx = PlatformTx::begin(state).await?;
    let row: Option<OperatorRow> = tx
        .fetch_optional(
            "SELECT id, display_name, password_hash FROM platform.operators WHERE email = $1",
            vec![email.clone().into()],
        )
        .await?;
    let ok = match &row {
        Some(row) => verify_password(password, &row.password_hash),
        None => {
            burn_password_check(password);
            false
        }
    };
    let Some(row) = row.filter(|_| ok) else {
        limiter.record_failure("platform", &email, client).await;
        return Err(AppError::invalid(
            "password",
            crate::account::strings::LOGIN_FAILED,
        ));
    };
    limiter.record_success("platform", &email).await;
    let realm = crate::second_factor::service::Realm::platform();
    if crate::second_factor::service::enabled(&tx, &realm, row.id).await? {
        let challenge =
            crate::second_factor::service::open_challenge(&tx, &realm, row.id, None).await?;
        tx.commit().await?;
        return Ok(OperatorLogin::SecondFactor(challenge));
    }
    let token = open_operator_session(&tx, row.id).await?;
    tx.commit().await?;
    tracing::info!(operator = %row.display_name, "operator signed in");
    Ok(OperatorLogin::Session(token))
}

/// Opens an operator's session (after their password, and their code if they have a second
/// factor): the cookie's token.
pub async fn open_operator_session(tx: &PlatformTx, operator: Uuid) -> AppResult<String> {
    let (token, hash) = new_token();
    tx.execute(
        "INSERT INTO platform.operator_sessions (token_hash, operator_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 second')",
        vec![hash.into(), operator.into(), OPERATOR_SESSION_TTL.whole_seconds().into()],
    )
    .await?;
    Ok(token)
}

pub async fn current_operator(state: &AppState, token: &str) -> AppResult<Option<Operator>> {
    #[derive(FromQueryResult)]
    struct Row {
        display_name: String,
    }
    let tx = PlatformTx::begin(state).await?;
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT o.display_name FROM platform.operator_sessions s JOIN platform.operators o ON o.id = s.operator_id
             WHERE s.token_hash = $1 AND s.expires_at > now()",
            vec![hash_token(token).into()],
        )
        .await?;
    tx.commit().await?;
    Ok(row.map(|r| Operator {
        display_name: r.display_name,
    }))
}

pub async fn operator_logout(state: &AppState, token: &str) -> AppResult<()> {
    let tx = PlatformTx::begin(state).await?;
    tx.execute(
        "DELETE FROM platform.operator_sessions WHERE token_hash = $1",
        vec![hash_token(token).into()],
    )
    .await?;
    tx.commit().await
}

/// Looks a tenant up by slug (CLI, seeding, jobs), whatever its status.
pub async fn tenant_by_slug(state: &AppState, slug: &str) -> AppResult<Arc<Tenant>> {
    let host = state.settings().tenant_host(slug.trim());
    match state.directory().resolve(state, &host).await? {
        crate::infra::tenancy::Resolution::Tenant(tenant) => Ok(tenant),
        _ => Err(AppError::NotFound(s::TENANT_UNKNOWN.to_owned())),
    }
}
