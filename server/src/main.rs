//! `guichet` — the server binary and its operator commands.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::infra::TenantStatus;
use app::platform::service::{
    NewTenant, list_tenants, provision_tenant, set_status, upsert_operator,
};
use guichet_server::config::Config;
use guichet_server::{generate, jobs, migrate, seed, serve, state, telemetry};

const USAGE: &str = "\
guichet — citizen-relationship platform for French local authorities

USAGE:
  guichet serve                          migrate, then serve HTTP and run background jobs
  guichet migrate                        bring the platform and every tenant schema up to date
  guichet seed [DIR]                     load demo tenants from DIR (default: tenants/)
  guichet tenant create --name NAME --slug SLUG --admin-email EMAIL [--host DOMAIN]... [--starter STORE_ENTRY_ID]...
  guichet tenant suspend SLUG | guichet tenant activate SLUG
  guichet tenant list
  guichet tenant export SLUG FILE        write one archive of a commune (rows, files, hosts)
  guichet tenant import FILE [--slug NEW]   restore an archive here, under its name or NEW
  guichet tenant delete SLUG --archive FILE --confirm SLUG [--delay-days N]
                                         suspend a commune leaving the syndicate and delete
                                         everything of it in N days (default 30), after an
                                         export of the last 24 hours; `tenant activate` cancels
  guichet tenant purge                   delete now the communes whose deletion is due (the
                                         server does it every few minutes)
  guichet deliver-mail [--watch]         send every commune's due mail, then exit (--watch: keep
                                         delivering as mail is queued, like `serve`'s worker)
  guichet digest [--tenant SLUG]         send today's digests of urgent and late dossiers now
  guichet duplicates [--tenant SLUG]    run the duplicate people detection now (all records,
                                         by blocks) and print what it found
  guichet operator create --email EMAIL --name NAME   (password from GUICHET_OPERATOR_PASSWORD)
  guichet reindex [--tenant SLUG]        rebuild dossier search indexes from PostgreSQL
  guichet generate-dossiers --tenant SLUG [--count N]   insert N realistic dossiers (default 1000)
  guichet files copy-to-s3               copy the local files (GUICHET_DATA_DIR/files) into the
                                         bucket GUICHET_S3_* names; skips what is already there

Configuration comes from the environment; see README.md.";

#[tokio::main]
async fn main() {
    telemetry::init();
    if let Err(error) = run(std::env::args().skip(1).collect()).await {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

/// `--flag value` pairs after the positional words.
fn flags(args: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(flag) = iter.next() {
        let Some(name) = flag.strip_prefix("--") else {
            bail!("unexpected argument {flag}\n\n{USAGE}")
        };
        let value = iter
            .next()
            .with_context(|| format!("--{name} needs a value"))?;
        out.push((name.to_owned(), value.clone()));
    }
    Ok(out)
}

fn flag(flags: &[(String, String)], name: &str) -> anyhow::Result<String> {
    flags
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .with_context(|| format!("--{name} is required\n\n{USAGE}"))
}

async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    if matches!(
        words.first().copied(),
        None | Some("help") | Some("--help") | Some("-h")
    ) {
        println!("{USAGE}");
        return Ok(());
    }
    let config = Config::from_env()?;
    let mut state = state(&config).await?;
    if let Some(dir) = guichet_server::config::search_dir() {
        state = state.with_search_dir(dir);
    }
    match words.as_slice() {
        ["serve"] => {
            // One commune whose migration failed must not take the others offline: report it
            // and serve (`guichet migrate` is the command that fails on it).
            if let Err(error) = report_migration(&state).await {
                tracing::error!("{error:#}");
            }
            let listener = tokio::net::TcpListener::bind(config.leptos.site_addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.leptos.site_addr))?;
            tracing::info!("listening on http://{}", config.leptos.site_addr);
            serve(&config, state, listener).await
        }
        ["migrate"] => report_migration(&state).await,
        ["files", "copy-to-s3"] => copy_files_to_s3(&config).await,
        ["deliver-mail", rest @ ..] => {
            let watch = match rest {
                [] => false,
                ["--watch"] => true,
                _ => bail!("unexpected argument\n\n{USAGE}"),
            };
            let transport = guichet_server::mail::MailTransport::new(
                config.smtp_url.as_deref(),
                &config.data_dir,
            )?;
            if watch {
                jobs::spawn(state, transport, config.mail_from.clone()).await?;
                return Ok(());
            }
            let outbox = jobs::outbox::Outbox::new(
                state,
                std::sync::Arc::new(transport),
                config.mail_from.clone(),
            );
            let tenants = outbox.drain().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{tenants} tenant(s) had mail waiting; everything due was delivered or rescheduled"
            );
            Ok(())
        }
        ["digest", ..] => {
            let flags = flags(&args[1..])?;
            let only = flags
                .iter()
                .find(|(n, _)| n == "tenant")
                .map(|(_, v)| v.as_str());
            for (slug, sent) in guichet_server::jobs::digest::run_all(&state, only).await? {
                println!("{slug}: {sent} digest(s) queued");
            }
            Ok(())
        }
        ["duplicates", ..] => {
            let flags = flags(&args[1..])?;
            let only = flags
                .iter()
                .find(|(n, _)| n == "tenant")
                .map(|(_, v)| v.as_str());
            for done in jobs::duplicates::run_all(&state, only, jobs::duplicates::Run::Now).await? {
                println!(
                    "{:<24} {:>9} people  {:>10} pairs compared  {:>6} suspected  {:>6} new  {:>8.2} s",
                    done.slug,
                    done.report.people,
                    done.report.compared,
                    done.report.suspected,
                    done.report.new,
                    done.elapsed.as_secs_f64()
                );
            }
            Ok(())
        }
        ["seed", rest @ ..] => {
            let dir = PathBuf::from(rest.first().copied().unwrap_or("tenants"));
            let report = seed::seed_dir(&state, &dir).await?;
            for line in report.lines {
                println!("{line}");
            }
            Ok(())
        }
        ["tenant", "create", ..] => {
            let flags = flags(&args[2..])?;
            let input = NewTenant {
                name: flag(&flags, "name")?,
                slug: flag(&flags, "slug")?,
                admin_email: flag(&flags, "admin-email")?,
                hosts: flags
                    .iter()
                    .filter(|(n, _)| n == "host")
                    .map(|(_, v)| v.clone())
                    .collect(),
                starter_pack: flags
                    .iter()
                    .filter(|(n, _)| n == "starter")
                    .map(|(_, v)| v.clone())
                    .collect(),
            };
            let provisioned = provision_tenant(&state, &input)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Tenant {} created: {}",
                provisioned.tenant.slug, provisioned.portal_url
            );
            println!(
                "An invitation was queued for {}; the server's mail worker delivers it.",
                input.admin_email
            );
            Ok(())
        }
        ["tenant", action @ ("suspend" | "activate"), slug] => {
            let status = if *action == "suspend" {
                TenantStatus::Suspended
            } else {
                TenantStatus::Active
            };
            set_status(&state, slug, status)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Tenant {slug}: {}", status.as_str());
            Ok(())
        }
        ["tenant", "export", slug, file] => {
            let summary = guichet_server::archive::export(&state, slug, Path::new(file)).await?;
            println!(
                "{file}: commune {} — {} tables, {} rows, {} files ({} bytes)",
                summary.slug, summary.tables, summary.rows, summary.files, summary.bytes
            );
            Ok(())
        }
        ["tenant", "import", file, ..] => {
            let flags = flags(&args[3..])?;
            let slug = flags
                .iter()
                .find(|(n, _)| n == "slug")
                .map(|(_, v)| v.as_str());
            let summary = guichet_server::archive::import(&state, Path::new(file), slug).await?;
            println!(
                "Commune {} restored from {file}: {} tables, {} rows, {} files ({} bytes)",
                summary.slug, summary.tables, summary.rows, summary.files, summary.bytes
            );
            Ok(())
        }
        ["tenant", "delete", slug, ..] => {
            let flags = flags(&args[3..])?;
            let delay_days = match flags.iter().find(|(n, _)| n == "delay-days") {
                Some((_, v)) => v.parse().context("--delay-days must be a number of days")?,
                None => 30,
            };
            let due = guichet_server::archive::schedule_deletion(
                &state,
                slug,
                Path::new(&flag(&flags, "archive")?),
                &flag(&flags, "confirm")?,
                delay_days,
            )
            .await?;
            println!(
                "Commune {slug} suspended; everything of it will be deleted on {due}. `guichet tenant activate {slug}` cancels."
            );
            Ok(())
        }
        ["tenant", "purge"] => {
            let purged = app::platform::deletion::purge_due(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{} commune(s) deleted: {}", purged.len(), purged.join(", "));
            Ok(())
        }
        ["tenant", "list"] => {
            for t in list_tenants(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                let status = match (&t.deletion_due, t.active) {
                    (Some(day), _) => format!("deleted on {day}"),
                    (None, true) => "active".to_owned(),
                    (None, false) => "suspended".to_owned(),
                };
                println!(
                    "{:<24} {:<22} {:<40} {}",
                    t.slug, status, t.portal_url, t.name
                );
            }
            Ok(())
        }
        ["operator", "create", ..] => {
            let flags = flags(&args[2..])?;
            let password = std::env::var("GUICHET_OPERATOR_PASSWORD")
                .context("set GUICHET_OPERATOR_PASSWORD")?;
            upsert_operator(
                &state,
                &flag(&flags, "email")?,
                &flag(&flags, "name")?,
                &password,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Operator saved.");
            Ok(())
        }
        ["reindex", ..] => {
            let flags = flags(&args[1..])?;
            let only = flags
                .iter()
                .find(|(n, _)| n == "tenant")
                .map(|(_, v)| v.as_str());
            let started = std::time::Instant::now();
            let done = jobs::indexer::reindex(&state, only).await?;
            let mut total = 0;
            for (slug, rebuilt) in &done {
                total += rebuilt.dossiers;
                println!(
                    "{slug:<24} {:>9} dossiers  {:>8.2} s",
                    rebuilt.dossiers,
                    rebuilt.elapsed.as_secs_f64()
                );
            }
            println!(
                "{} tenant(s), {total} dossiers indexed in {:.2} s",
                done.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        ["generate-dossiers", ..] => {
            let flags = flags(&args[1..])?;
            let count = match flags.iter().find(|(n, _)| n == "count") {
                Some((_, v)) => v.parse().context("--count must be a number")?,
                None => 1000,
            };
            let generated = generate::dossiers(&state, &flag(&flags, "tenant")?, count).await?;
            println!(
                "{} dossiers inserted into {} ({} … {}) in {:.2} s; index them with `guichet reindex --tenant {}`",
                generated.count,
                generated.tenant.slug,
                generated.first,
                generated.last,
                generated.elapsed.as_secs_f64(),
                generated.tenant.slug,
            );
            Ok(())
        }
        _ => bail!("unknown command\n\n{USAGE}"),
    }
}

async fn report_migration(state: &app::infra::AppState) -> anyhow::Result<()> {
    let report = migrate(state).await?;
    println!("{report}");
    if report.failures().next().is_some() {
        bail!("some tenants could not be migrated (see above); the others are up to date");
    }
    Ok(())
}

/// Switching an installation to S3: copies every local file the bucket lacks. Run it while
/// the old nodes serve, then again once they are stopped (it only copies what is new), then
/// start the nodes with the `GUICHET_S3_*` settings.
async fn copy_files_to_s3(config: &Config) -> anyhow::Result<()> {
    use app::infra::storage::FileStore;
    let Some(s3) = guichet_server::config::s3_settings()? else {
        bail!(
            "GUICHET_S3_BUCKET is not set: name the bucket to copy to (README: Moving files from local disk to S3)"
        );
    };
    let files_dir = &config.settings.files_dir;
    let local = FileStore::local(files_dir).map_err(anyhow::Error::msg)?;
    let bucket = FileStore::s3(&s3, files_dir).map_err(anyhow::Error::msg)?;
    println!("copying {} to {}", local.describe(), bucket.describe());
    let report = local
        .copy_missing_to(&bucket)
        .await
        .map_err(anyhow::Error::msg)?;
    println!(
        "{} file(s) copied ({} bytes), {} already there",
        report.copied, report.bytes, report.skipped
    );
    Ok(())
}
