//! A commune as a unit: `guichet tenant export SLUG FILE` writes one archive of a commune, and
//! `guichet tenant import FILE [--slug NEW]` restores it into this database (the same one under
//! another name, or another installation: moving a commune).
//!
//! The archive is a ZIP (stored, not compressed: attachments are PDFs and images already):
//! - `manifest.json`: the commune's platform rows (name, status, custom hosts), the migration
//!   version of its schema, and every entry below with its size and SHA-256;
//! - `tables/<table>.jsonl`: one row per line as PostgreSQL's `row_to_json` writes it, tables in
//!   an order where a row's foreign keys name rows already inserted;
//! - `files/<uuid>`: the commune's stored files, under their keys.
//!
//! Invariants:
//! - An export reads one snapshot (a repeatable-read, read-only transaction): the rows agree
//!   with each other. Files are listed after the snapshot, so a file added meanwhile travels
//!   without a row (an orphan, harmless); a commune is best exported while suspended.
//! - An import is all or nothing: the tenant row, its schema (created at the archive's
//!   version, filled, then migrated to this binary's version) and its rows are one
//!   transaction; files are written before the commit and deleted if anything fails; every
//!   entry's checksum is verified before it is used.
//! - A commune is deleted only after an export (`schedule_deletion` checks the archive), a
//!   confirmation and a delay (`app::platform::deletion`).
//! - A copy under another name sends nothing its original was sending: its pending mail is
//!   marked failed with the reason. A commune moved under its own name sends it.
//! - Sessions and in-flight sign-ins (sessions, OIDC flows, second-factor challenges) do not
//!   travel: they are bound to the installation that issued them. Everyone signs in again.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use app::infra::storage::TenantFiles;
use app::infra::{AppState, PlatformTx, Queries, Tenant, TenantStatus, TenantTx};
use app::platform::model::Slug;
use guichet_migrations::{SchemaName, apply_in_transaction, tenant_migrations};
use sea_orm::{AccessMode, FromQueryResult, IsolationLevel, TransactionTrait};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const FORMAT: &str = "guichet.tenant-archive";
const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
/// Rows inserted per statement on import.
const BATCH_ROWS: usize = 500;
/// Tables whose rows are bound to the installation that wrote them (see the module's doc).
const NOT_EXPORTED: [&str; 3] = ["sessions", "identity_flows", "second_factor_challenges"];
/// Why a copy's pending mail was not sent (agents read it on the dossier's page).
const COPY_MAIL_NOT_SENT: &str = "Non envoyé : copie restaurée sous un autre nom de la commune";
/// The schema's own migration history: the import recreates it.
const HISTORY: &str = "guichet_migrations";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub hosts: Vec<String>,
    /// The tenant migrations the schema had applied: the import recreates exactly this shape
    /// before inserting, then migrates.
    pub schema_version: u32,
    pub exported_at: String,
    /// In insertion order.
    pub tables: Vec<Entry>,
    pub files: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// Rows for a table, bytes for a file.
    pub count: u64,
    pub sha256: String,
}

/// What an export or an import did.
#[derive(Debug)]
pub struct Summary {
    pub slug: String,
    pub tables: usize,
    pub rows: u64,
    pub files: usize,
    pub bytes: u64,
}

#[derive(FromQueryResult)]
struct TenantRow {
    id: Uuid,
    name: String,
    schema_name: String,
    status: String,
}

#[derive(FromQueryResult)]
struct Name {
    name: String,
}

#[derive(FromQueryResult)]
struct Line {
    line: String,
}

#[derive(FromQueryResult)]
struct Version {
    version: Option<i32>,
}

#[derive(FromQueryResult)]
struct ForeignKey {
    child: String,
    parent: String,
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn digest(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The tables of `schema` in an order where every foreign key points to a table before it.
async fn tables_in_order<Q: Queries + Sync>(q: &Q, schema: &str) -> anyhow::Result<Vec<String>> {
    let names: Vec<Name> = q
        .fetch_all(
            "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
            vec![schema.into()],
        )
        .await
        .map_err(anyhow::Error::msg)?;
    let keys: Vec<ForeignKey> = q
        .fetch_all(
            "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
             JOIN pg_class child ON child.oid = k.conrelid
             JOIN pg_class parent ON parent.oid = k.confrelid
             JOIN pg_namespace n ON n.oid = child.relnamespace
             WHERE k.contype = 'f' AND n.nspname = $1 AND parent.relnamespace = child.relnamespace",
            vec![schema.into()],
        )
        .await
        .map_err(anyhow::Error::msg)?;
    let mut parents: BTreeMap<String, BTreeSet<String>> = names
        .into_iter()
        .filter(|n| n.name != HISTORY)
        .map(|n| (n.name, BTreeSet::new()))
        .collect();
    for key in keys {
        // A table naming itself (a merge pointing at its record) is fine within one table.
        if key.child != key.parent
            && let Some(set) = parents.get_mut(&key.child)
        {
            set.insert(key.parent);
        }
    }
    let mut ordered = Vec::with_capacity(parents.len());
    while !parents.is_empty() {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(_, needs)| needs.iter().all(|p| !parents.contains_key(p)))
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            bail!(
                "the tables {:?} reference each other in a cycle: no insertion order",
                parents.keys().collect::<Vec<_>>()
            );
        }
        for name in ready {
            parents.remove(&name);
            ordered.push(name);
        }
    }
    Ok(ordered)
}

/// Writes the archive of commune `slug` to `path` (replaced if it exists).
pub async fn export(state: &AppState, slug: &str, path: &Path) -> anyhow::Result<Summary> {
    let platform = PlatformTx::begin(state).await?;
    let row: Option<TenantRow> = platform
        .fetch_optional(
            "SELECT id, name, schema_name, status FROM platform.tenants WHERE slug = $1",
            vec![slug.into()],
        )
        .await?;
    let Some(row) = row else {
        bail!("no commune {slug}");
    };
    let hosts: Vec<Name> = platform
        .fetch_all(
            "SELECT host AS name FROM platform.tenant_hosts WHERE tenant_id = $1 ORDER BY host",
            vec![row.id.into()],
        )
        .await?;
    platform.commit().await?;
    let tenant = Arc::new(Tenant {
        id: row.id,
        slug: Slug::parse(slug)?,
        name: row.name.clone(),
        schema: SchemaName::parse(&row.schema_name).map_err(anyhow::Error::msg)?,
        status: TenantStatus::parse(&row.status),
        branding: Default::default(),
        host_context: None,
    });
    let snapshot = state
        .pool()
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let tx = TenantTx::pin(snapshot, tenant.clone()).await?;
    let schema = tenant.schema.as_str();
    let version: Version = tx
        .fetch_optional(
            &format!(
                "SELECT max(version) AS version FROM {}.{HISTORY}",
                quote(schema)
            ),
            vec![],
        )
        .await?
        .context("no migration history")?;

    let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let mut summary = Summary {
        slug: slug.to_owned(),
        tables: 0,
        rows: 0,
        files: 0,
        bytes: 0,
    };
    let mut tables = Vec::new();
    for table in tables_in_order(&tx, schema).await? {
        if NOT_EXPORTED.contains(&table.as_str()) {
            continue;
        }
        let lines: Vec<Line> = tx
            .fetch_all(
                &format!(
                    "SELECT row_to_json(t)::text AS line FROM {}.{} t",
                    quote(schema),
                    quote(&table)
                ),
                vec![],
            )
            .await?;
        let mut body = String::new();
        for line in &lines {
            body.push_str(&line.line);
            body.push('\n');
        }
        zip.start_file(format!("tables/{table}.jsonl"), options)?;
        zip.write_all(body.as_bytes())?;
        summary.tables += 1;
        summary.rows += lines.len() as u64;
        tables.push(Entry {
            name: table,
            count: lines.len() as u64,
            sha256: digest(body.as_bytes()),
        });
    }
    let store = TenantFiles::of(&tx, state.settings());
    let mut files = Vec::new();
    for key in store.keys().await? {
        let bytes = store.read(key).await?;
        zip.start_file(format!("files/{key}"), options)?;
        zip.write_all(&bytes)?;
        summary.files += 1;
        summary.bytes += bytes.len() as u64;
        files.push(Entry {
            name: key.to_string(),
            count: bytes.len() as u64,
            sha256: digest(&bytes),
        });
    }
    tx.commit().await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        slug: slug.to_owned(),
        name: row.name,
        status: row.status,
        hosts: hosts.into_iter().map(|h| h.name).collect(),
        schema_version: version.version.unwrap_or(0).max(0) as u32,
        exported_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        tables,
        files,
    };
    zip.start_file(MANIFEST, options)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    zip.finish()?.flush()?;
    Ok(summary)
}

/// An archive opened for import: its manifest, read and checked.
struct Archive {
    zip: zip::ZipArchive<std::io::BufReader<std::fs::File>>,
    manifest: Manifest,
}

impl Archive {
    fn open(path: &Path) -> anyhow::Result<Self> {
        let file = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .with_context(|| format!("{} is not a commune archive (not a ZIP)", path.display()))?;
        let manifest: Manifest = {
            let mut entry = zip
                .by_name(MANIFEST)
                .with_context(|| format!("{} has no {MANIFEST}", path.display()))?;
            let mut text = String::new();
            entry.read_to_string(&mut text)?;
            serde_json::from_str(&text).with_context(|| format!("{MANIFEST} is unreadable"))?
        };
        if manifest.format != FORMAT || manifest.format_version > FORMAT_VERSION {
            bail!(
                "{} is a {} archive, version {}: this Guichet reads {FORMAT} up to version {FORMAT_VERSION}",
                path.display(),
                manifest.format,
                manifest.format_version
            );
        }
        Ok(Self { zip, manifest })
    }

    /// The entry's bytes, checked against the manifest.
    fn read(&mut self, path: &str, expected: &Entry) -> anyhow::Result<Vec<u8>> {
        let mut entry = self
            .zip
            .by_name(path)
            .with_context(|| format!("the archive lacks {path}"))?;
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .with_context(|| format!("{path} is damaged"))?;
        if digest(&bytes) != expected.sha256 {
            bail!("{path} is damaged: it does not match its checksum in the manifest");
        }
        Ok(bytes)
    }
}

/// How recent the archive a deletion relies on must be.
const DELETION_ARCHIVE_MAX_AGE: time::Duration = time::Duration::hours(24);

/// `guichet tenant delete`: checks that `path` is a whole archive of commune `slug` (every
/// entry against its checksum) written in the last day, and that `confirm` repeats the name,
/// then suspends the commune and schedules its deletion in `delay_days` days (at least one).
/// Returns when it will be deleted.
pub async fn schedule_deletion(
    state: &AppState,
    slug: &str,
    path: &Path,
    confirm: &str,
    delay_days: u32,
) -> anyhow::Result<String> {
    if confirm != slug {
        bail!("to confirm, repeat the commune's name: --confirm {slug}");
    }
    if delay_days == 0 {
        bail!("the delay is one day at least (--delay-days): time to change one's mind");
    }
    let mut archive = Archive::open(path)?;
    if archive.manifest.slug != slug {
        bail!(
            "{} is an archive of {}, not of {slug}: export {slug} first",
            path.display(),
            archive.manifest.slug
        );
    }
    let exported = time::OffsetDateTime::parse(
        &archive.manifest.exported_at,
        &time::format_description::well_known::Rfc3339,
    )
    .context("the manifest's exported_at is unreadable")?;
    if time::OffsetDateTime::now_utc() - exported > DELETION_ARCHIVE_MAX_AGE {
        bail!(
            "{} was exported on {}: export {slug} again (an archive of the last 24 hours)",
            path.display(),
            archive.manifest.exported_at
        );
    }
    let tables = std::mem::take(&mut archive.manifest.tables);
    for entry in &tables {
        archive.read(&format!("tables/{}.jsonl", entry.name), entry)?;
    }
    let files = std::mem::take(&mut archive.manifest.files);
    for entry in &files {
        archive.read(&format!("files/{}", entry.name), entry)?;
    }
    Ok(app::platform::deletion::schedule(state, slug, delay_days).await?)
}

/// Restores the archive at `path` as commune `slug` (the archive's own when `None`). Custom
/// hosts come along only under the archive's own slug (a copy under another name has none).
pub async fn import(state: &AppState, path: &Path, slug: Option<&str>) -> anyhow::Result<Summary> {
    let mut archive = Archive::open(path)?;
    let migrations = tenant_migrations();
    let version = archive.manifest.schema_version as usize;
    if version == 0 || version > migrations.len() {
        bail!(
            "the archive's schema is at version {version}; this Guichet knows versions 1 to {}: import it with a newer Guichet",
            migrations.len()
        );
    }
    let slug = Slug::parse(slug.unwrap_or(&archive.manifest.slug))?;
    let same_name = slug.as_str() == archive.manifest.slug;
    let schema = SchemaName::parse(&slug.schema_name()).map_err(anyhow::Error::msg)?;

    let platform = PlatformTx::begin(state).await?;
    let id = Uuid::new_v4();
    let inserted = platform
        .execute(
            "INSERT INTO platform.tenants (id, slug, name, schema_name, status) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
            vec![
                id.into(),
                slug.as_str().into(),
                archive.manifest.name.clone().into(),
                schema.as_str().into(),
                TenantStatus::parse(&archive.manifest.status).as_str().into(),
            ],
        )
        .await?;
    if inserted == 0 {
        bail!(
            "a commune named {slug} already exists here: choose another name with --slug",
            slug = slug.as_str()
        );
    }
    if same_name {
        for host in &archive.manifest.hosts {
            let inserted = platform
                .execute(
                    "INSERT INTO platform.tenant_hosts (host, tenant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    vec![host.clone().into(), id.into()],
                )
                .await?;
            if inserted == 0 {
                bail!("the host {host} already serves another commune here");
            }
        }
    }
    let leftover: Option<Version> = platform
        .fetch_optional(
            "SELECT 1 AS version FROM pg_namespace WHERE nspname = $1",
            vec![schema.as_str().into()],
        )
        .await?;
    if leftover.is_some() {
        bail!(
            "a schema {} is left from an earlier commune: choose another name with --slug",
            schema.as_str()
        );
    }
    apply_in_transaction(platform.transaction(), &schema, &migrations[..version]).await?;
    let tenant = Arc::new(Tenant {
        id,
        slug: slug.clone(),
        name: archive.manifest.name.clone(),
        schema: schema.clone(),
        status: TenantStatus::parse(&archive.manifest.status),
        branding: Default::default(),
        host_context: None,
    });
    let tx = TenantTx::pin(platform.into_raw(), tenant.clone()).await?;
    let store = TenantFiles::of(&tx, state.settings());
    let mut written = Vec::new();
    let filled = fill(&tx, &store, &mut archive, &mut written).await;
    let result = match filled {
        Ok(summary) => {
            async {
                // The rest of the migrations, in the same transaction: the commune arrives at
                // this binary's version or not at all.
                apply_in_transaction(tx.transaction(), &schema, &migrations).await?;
            if !same_name {
                // A copy must not mail citizens again what the original is mailing: its
                // pending mail is shown as not sent, with the reason.
                tx.execute(
                    "UPDATE mail_outbox SET status = 'failed', last_error = $1 WHERE status = 'pending'",
                    vec![format!("{COPY_MAIL_NOT_SENT} {}.", archive.manifest.slug).into()],
                )
                .await
                .map_err(anyhow::Error::msg)?;
            }
                app::infra::tenancy::announce_changed(&tx, slug.as_str())
                    .await
                    .map_err(anyhow::Error::msg)?;
                tx.commit().await?;
                Ok::<_, anyhow::Error>(summary)
            }
            .await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(summary) => {
            state.directory().invalidate_tenant(slug.as_str());
            // Its search index, from the rows just restored (and running servers told).
            crate::jobs::indexer::reindex(state, Some(slug.as_str())).await?;
            Ok(summary)
        }
        Err(error) => {
            for key in written {
                store.delete(key).await;
            }
            Err(error)
        }
    }
}

#[derive(FromQueryResult)]
struct Column {
    name: String,
}

#[derive(FromQueryResult)]
struct Sequence {
    table_name: String,
    column_name: String,
    sequence: String,
}

/// Empties what the migrations seeded, inserts every table's rows, moves the sequences past
/// them, and stores the files (their keys pushed to `written` as they are).
async fn fill(
    tx: &TenantTx,
    store: &TenantFiles,
    archive: &mut Archive,
    written: &mut Vec<Uuid>,
) -> anyhow::Result<Summary> {
    let schema = tx.tenant().schema.as_str().to_owned();
    let present = tables_in_order(tx, &schema).await?;
    let known: BTreeSet<&str> = present.iter().map(String::as_str).collect();
    for entry in &archive.manifest.tables {
        if !known.contains(entry.name.as_str()) {
            bail!(
                "the archive has a table {} that a schema at version {} does not: the archive is damaged",
                entry.name,
                archive.manifest.schema_version
            );
        }
    }
    if !present.is_empty() {
        let all: Vec<String> = present
            .iter()
            .map(|t| format!("{}.{}", quote(&schema), quote(t)))
            .collect();
        tx.execute(&format!("TRUNCATE {}", all.join(", ")), vec![])
            .await?;
    }
    let mut summary = Summary {
        slug: tx.tenant().slug.as_str().to_owned(),
        tables: 0,
        rows: 0,
        files: 0,
        bytes: 0,
    };
    let tables = std::mem::take(&mut archive.manifest.tables);
    for entry in &tables {
        let bytes = archive.read(&format!("tables/{}.jsonl", entry.name), entry)?;
        let text = String::from_utf8(bytes).context("a table is not UTF-8")?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        if lines.len() as u64 != entry.count {
            bail!(
                "tables/{}.jsonl has {} rows where the manifest says {}",
                entry.name,
                lines.len(),
                entry.count
            );
        }
        let columns: Vec<Column> = tx
            .fetch_all(
                "SELECT a.attname AS name FROM pg_attribute a
                 JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attgenerated = '' ORDER BY a.attnum",
                vec![schema.clone().into(), entry.name.clone().into()],
            )
            .await?;
        let list = columns
            .iter()
            .map(|c| quote(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let table = format!("{}.{}", quote(&schema), quote(&entry.name));
        for batch in lines.chunks(BATCH_ROWS) {
            let json = format!("[{}]", batch.join(","));
            tx.execute(
                &format!(
                    "INSERT INTO {table} ({list}) OVERRIDING SYSTEM VALUE
                     SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)"
                ),
                vec![json.into()],
            )
            .await
            .map_err(|error| anyhow::anyhow!("restoring {}: {error}", entry.name))?;
        }
        summary.tables += 1;
        summary.rows += entry.count;
    }
    archive.manifest.tables = tables;
    let sequences: Vec<Sequence> = tx
        .fetch_all(
            "SELECT c.relname AS table_name, a.attname AS column_name,
                    pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS sequence
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
               AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL",
            vec![schema.clone().into()],
        )
        .await?;
    for sequence in sequences {
        tx.execute(
            &format!(
                "SELECT setval($1::regclass, COALESCE((SELECT max({}) FROM {}.{}), 0) + 1, false)",
                quote(&sequence.column_name),
                quote(&schema),
                quote(&sequence.table_name)
            ),
            vec![sequence.sequence.into()],
        )
        .await?;
    }
    let files = std::mem::take(&mut archive.manifest.files);
    for entry in &files {
        let key = Uuid::try_parse(&entry.name)
            .with_context(|| format!("the archive names a file {}", entry.name))?;
        let bytes = archive.read(&format!("files/{}", entry.name), entry)?;
        store.put(key, &bytes).await?;
        written.push(key);
        summary.files += 1;
        summary.bytes += bytes.len() as u64;
    }
    Ok(summary)
}
