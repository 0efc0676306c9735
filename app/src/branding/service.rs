//! Reading, saving and restoring the branding document, and the tenant's branding images.

use sea_orm::FromQueryResult;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::image::{self, AssetKind};
use super::model::{
    BrandingDocument, BrandingProblem, BrandingState, BrandingVersion, LegalPages, UploadedAsset,
    asset_url, is_asset_name, validate,
};
use super::strings as s;
use crate::error::{AppError, AppResult};
use crate::infra::{Queries, TenantTx};

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "branding document does not read back");
    AppError::Internal
}

/// The current document and its version.
pub async fn current(tx: &TenantTx) -> AppResult<(u32, BrandingDocument)> {
    #[derive(FromQueryResult)]
    struct Row {
        version: i32,
        document: String,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT version, document::text AS document FROM branding",
            vec![],
        )
        .await?;
    match row {
        // Every tenant schema gets its row from the migrations.
        None => Ok((1, BrandingDocument::default())),
        Some(row) => Ok((
            u32::try_from(row.version).unwrap_or(1),
            serde_json::from_str(&row.document).map_err(internal)?,
        )),
    }
}

/// The legal pages (their own query: they never travel with every page).
pub async fn legal(tx: &TenantTx) -> AppResult<LegalPages> {
    Ok(current(tx).await?.1.legal)
}

/// The admin page's data: the document and the 50 latest versions.
pub async fn state(tx: &TenantTx) -> AppResult<BrandingState> {
    #[derive(FromQueryResult)]
    struct Row {
        version: i32,
        saved_at: time::OffsetDateTime,
        saved_by: Option<String>,
        restored_from: Option<i32>,
        primary_color: Option<String>,
        secondary_color: Option<String>,
    }
    let (version, document) = current(tx).await?;
    let rows: Vec<Row> = tx
        .fetch_all(
            "SELECT v.version, v.saved_at,
                    u.display_name AS saved_by, v.restored_from,
                    v.document->'look'->>'primary_color' AS primary_color,
                    v.document->'look'->>'secondary_color' AS secondary_color
             FROM branding_versions v LEFT JOIN users u ON u.id = v.saved_by
             ORDER BY v.version DESC LIMIT 50",
            vec![],
        )
        .await?;
    Ok(BrandingState {
        tenant_name: tx.tenant().name.clone(),
        version,
        document,
        history: rows
            .into_iter()
            .map(|row| BrandingVersion {
                version: u32::try_from(row.version).unwrap_or(0),
                saved_at: crate::infra::dates::french_date_time(row.saved_at),
                saved_by: row.saved_by,
                restored_from: row.restored_from.and_then(|v| u32::try_from(v).ok()),
                primary_color: row.primary_color.unwrap_or_default(),
                secondary_color: row.secondary_color.unwrap_or_default(),
            })
            .collect(),
    })
}

/// What saving gave: the new version, or the problems (and nothing saved).
#[derive(Debug)]
pub enum Saved {
    Version(u32),
    Refused(Vec<BrandingProblem>),
}

/// Validates and saves `document` as a new version. `seen` is the version the editor started
/// from: if someone saved in between, nothing is saved (a 409), so no change is lost silently.
/// The caller must invalidate the tenant directory after commit (the NOTIFY here does it for
/// the other processes).
pub async fn save(
    tx: &TenantTx,
    by: Option<Uuid>,
    seen: Option<u32>,
    document: &BrandingDocument,
) -> AppResult<Saved> {
    save_version(tx, by, seen, document, None).await
}

async fn save_version(
    tx: &TenantTx,
    by: Option<Uuid>,
    seen: Option<u32>,
    document: &BrandingDocument,
    restored_from: Option<u32>,
) -> AppResult<Saved> {
    let mut document = document.clone();
    for colour in [
        &mut document.look.primary_color,
        &mut document.look.secondary_color,
    ] {
        *colour = colour.trim().to_ascii_lowercase();
    }
    document.look.display_name = document.look.display_name.trim().to_owned();
    for link in &mut document.look.footer_links {
        link.label = link.label.trim().to_owned();
        link.url = link.url.trim().to_owned();
    }
    let mut problems = validate(&document);
    for (field, asset) in [
        ("logo", &document.look.logo),
        ("banner", &document.look.banner),
    ] {
        if let Some(name) = asset.as_deref().filter(|name| is_asset_name(name))
            && !asset_exists(tx, name).await?
        {
            problems.push(BrandingProblem {
                field: field.to_owned(),
                message: s::ASSET_UNKNOWN.to_owned(),
                suggestion: None,
            });
        }
    }
    if !problems.is_empty() {
        return Ok(Saved::Refused(problems));
    }
    #[derive(FromQueryResult)]
    struct Current {
        version: i32,
    }
    let current: Option<Current> = tx
        .fetch_optional("SELECT version FROM branding FOR UPDATE", vec![])
        .await?;
    let current = current.map_or(1, |c| u32::try_from(c.version).unwrap_or(1));
    if seen.is_some_and(|seen| seen != current) {
        return Err(AppError::conflict(
            "version",
            s::STALE.replace("{version}", &current.to_string()),
        ));
    }
    let version = current + 1;
    let json = serde_json::to_value(&document).map_err(internal)?;
    tx.execute(
        "UPDATE branding SET document = $1, version = $2, primary_color = $3,
                secondary_color = $4, welcome_text = $5, updated_at = now()",
        vec![
            json.clone().into(),
            i32::try_from(version).map_err(internal)?.into(),
            document.look.primary_color.clone().into(),
            document.look.secondary_color.clone().into(),
            document.look.welcome_text.clone().into(),
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO branding_versions (version, document, saved_by, restored_from)
         VALUES ($1, $2, $3, $4)",
        vec![
            i32::try_from(version).map_err(internal)?.into(),
            json.into(),
            by.into(),
            restored_from.and_then(|v| i32::try_from(v).ok()).into(),
        ],
    )
    .await?;
    // Delivered on commit: every process forgets its cached branding of this tenant.
    crate::infra::tenancy::announce_changed(tx, tx.tenant().slug.as_str()).await?;
    Ok(Saved::Version(version))
}

/// Makes an older version current again, as a new version (history only grows).
pub async fn restore(tx: &TenantTx, by: Option<Uuid>, version: u32) -> AppResult<Saved> {
    #[derive(FromQueryResult)]
    struct Row {
        document: String,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT document::text AS document FROM branding_versions WHERE version = $1",
            vec![i32::try_from(version).unwrap_or(-1).into()],
        )
        .await?;
    let row = row.ok_or_else(|| AppError::NotFound(s::VERSION_UNKNOWN.to_owned()))?;
    let document: BrandingDocument = serde_json::from_str(&row.document).map_err(internal)?;
    save_version(tx, by, None, &document, Some(version)).await
}

async fn asset_exists(tx: &TenantTx, name: &str) -> AppResult<bool> {
    #[derive(FromQueryResult)]
    struct Found {
        #[allow(dead_code)]
        found: bool,
    }
    let found: Option<Found> = tx
        .fetch_optional(
            "SELECT true AS found FROM branding_assets WHERE name = $1",
            vec![name.into()],
        )
        .await?;
    Ok(found.is_some())
}

/// Checks and stores an uploaded image under the hash of its (cleaned) bytes. It is used only
/// once a document that names it is saved; until then it serves the preview.
pub async fn store_asset(
    tx: &TenantTx,
    kind: AssetKind,
    bytes: Vec<u8>,
) -> AppResult<UploadedAsset> {
    let field = match kind {
        AssetKind::Logo => "logo",
        AssetKind::Banner => "banner",
    };
    let checked = image::check(kind, bytes).map_err(|message| AppError::invalid(field, message))?;
    let digest = Sha256::digest(&checked.bytes);
    let hash: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("{hash}.{}", checked.extension);
    let (width, height) = checked.size.map_or((None, None), |(w, h)| {
        (i32::try_from(w).ok(), i32::try_from(h).ok())
    });
    tx.execute(
        "INSERT INTO branding_assets (name, content_type, bytes, width, height)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        vec![
            name.clone().into(),
            checked.content_type.into(),
            checked.bytes.into(),
            width.into(),
            height.into(),
        ],
    )
    .await?;
    Ok(UploadedAsset {
        url: asset_url(&name),
        name,
        removed: checked.removed,
    })
}

/// An image of this tenant: (content type, bytes).
pub async fn asset(tx: &TenantTx, name: &str) -> AppResult<Option<(String, Vec<u8>)>> {
    if !is_asset_name(name) {
        return Ok(None);
    }
    #[derive(FromQueryResult)]
    struct Row {
        content_type: String,
        bytes: Vec<u8>,
    }
    let row: Option<Row> = tx
        .fetch_optional(
            "SELECT content_type, bytes FROM branding_assets WHERE name = $1",
            vec![name.into()],
        )
        .await?;
    Ok(row.map(|row| (row.content_type, row.bytes)))
}

/// Demo seeding: applies `document` unless it is already current or a person has saved the
/// branding since (a restarted demo never undoes an admin's changes).
pub async fn apply_seed(tx: &TenantTx, document: &BrandingDocument) -> AppResult<Saved> {
    #[derive(FromQueryResult)]
    struct Edited {
        #[allow(dead_code)]
        edited: bool,
    }
    let edited: Option<Edited> = tx
        .fetch_optional(
            "SELECT true AS edited FROM branding_versions WHERE saved_by IS NOT NULL LIMIT 1",
            vec![],
        )
        .await?;
    let (version, current) = current(tx).await?;
    if edited.is_some() || current == *document {
        return Ok(Saved::Version(version));
    }
    save(tx, None, None, document).await
}
