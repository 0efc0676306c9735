#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Letters benchmark: prints figures (not pass/fail).
//!
//! - One letter: the default "Réponse favorable" template on a generated dossier, with the
//!   commune's letterhead and a PNG logo, rendered in-process by typst: latency p50/p99 and
//!   letters per second on one core.
//! - A mail merge of `GUICHET_BENCH_LETTERS` (default 10,000) generated dossiers through the
//!   real job code (`jobs::mail_merge::run_merge`: batched reads, all cores, ZIP streamed to
//!   the file store): total time, letters per second, peak RSS (VmHWM), ZIP size.
//! - Side by side, LibreOffice headless (`soffice --convert-to pdf`) producing the equivalent
//!   letter from a flat ODT template with the same letterhead, logo and text: one cold call,
//!   and one call converting 100 files (per-letter time); and the ratios. Skipped if `soffice`
//!   is not installed (`scripts/bench` installs libreoffice-writer-nogui).
//!
//! Run it through `scripts/bench`. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench letters`

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use app::branding::model::BrandingDocument;
use app::infra::{Queries, TenantTx};
use app::letters::render::{LetterInput, render_letter};
use app::letters::service::{letterhead, merge_data, template_source};
use app::platform::service::{NewTenant, provision_tenant, tenant_by_slug};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use support::{env_number, ms, percentile, progress};

const LOGO: &[u8] = include_bytes!("support/logo.png");
const SLUG: &str = "bench-courriers";
const COMMUNE: &str = "Ville de Saint-Exemple";

fn main() {
    support::run_in_fresh_database(run);
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let letters = env_number("GUICHET_BENCH_LETTERS", 10_000);
    let state = support::migrated_state(&database_url, &data_dir).await;
    let tenant = provision_tenant(
        &state,
        &NewTenant {
            name: COMMUNE.to_owned(),
            slug: SLUG.to_owned(),
            admin_email: format!("admin@{SLUG}.test"),
            hosts: vec![],
            starter_pack: Vec::new(),
        },
    )
    .await
    .expect("provision")
    .tenant;
    // The letterhead: a PNG logo and an address line.
    let logo_name = format!("{}.png", &Uuid::new_v4().simple().to_string()[..32]);
    let tx = TenantTx::begin(&state, tenant.clone()).await.unwrap();
    tx.execute(
        "INSERT INTO branding_assets (name, content_type, bytes, width, height) VALUES ($1, 'image/png', $2, 240, 240)",
        vec![logo_name.clone().into(), LOGO.to_vec().into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut document = BrandingDocument::default();
    document.look.primary_color = "#000091".to_owned();
    document.look.logo = Some(logo_name);
    document.look.footer_text =
        "Hôtel de ville, 1 place de la Mairie, 44000 Saint-Exemple".to_owned();
    app::platform::service::set_branding(&state, tenant, &document)
        .await
        .expect("branding");
    let tenant = tenant_by_slug(&state, SLUG).await.unwrap();

    progress(&format!("generating {letters} dossiers"));
    let generated = guichet_server::generate::dossiers(&state, SLUG, letters as u32)
        .await
        .expect("generate");
    let mut out = vec![format!(
        "Letters benchmark ({} cores; {letters} dossiers generated in {:.1} s)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        generated.elapsed.as_secs_f64()
    )];

    // (a) One letter at a time.
    #[derive(FromQueryResult)]
    struct Ids {
        template: Uuid,
        dossier: Uuid,
    }
    let tx = TenantTx::begin(&state, tenant.clone()).await.unwrap();
    let ids: Ids = tx
        .fetch_optional(
            "SELECT (SELECT id FROM letter_templates WHERE kind = 'reponse_favorable') AS template,
                    (SELECT id FROM dossiers ORDER BY reference LIMIT 1) AS dossier",
            vec![],
        )
        .await
        .unwrap()
        .unwrap();
    let (name, source, choice) = template_source(&tx, ids.template).await.unwrap();
    let head = letterhead(&tx, &state).await.unwrap().with_choice(choice);
    assert!(head.logo.is_some(), "the logo is part of the letterhead");
    let extras = app::letters::model::LetterExtras {
        free_text: "Votre autorisation prend effet le 1er mars.\n\nMerci de conserver ce courrier."
            .to_owned(),
        ..Default::default()
    };
    let mut data = merge_data(&tx, &head, ids.dossier, Some("Agent d'essai"), &extras)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    data.courrier_titre = format!("{name} — dossier {}", data.dossier.reference);
    let reference = data.dossier.reference.clone();
    let single = tokio::task::spawn_blocking({
        let logo = head.logo.clone();
        let source = source.clone();
        let data = data.clone();
        move || {
            // Each letter to a different citizen and dossier: identical inputs would be served
            // from typst's memo cache and measure nothing.
            let render = |i: usize| {
                let mut data = data.clone();
                data.citoyen_nom = format!("{} {i}", data.citoyen_nom);
                data.dossier.reference = format!("{}-{i}", data.dossier.reference);
                data.dossier.lien = format!("{}-{i}", data.dossier.lien);
                let started = Instant::now();
                let letter = render_letter(LetterInput {
                    template: &source,
                    data: &data,
                    logo: logo.clone(),
                    signature: None,
                    ident: format!("bench:{i}"),
                    now: time::OffsetDateTime::now_utc(),
                })
                .expect("render");
                (started.elapsed(), letter)
            };
            let (first, letter) = render(0);
            let mut times = Vec::new();
            let started = Instant::now();
            for i in 1..=500 {
                times.push(render(i).0);
            }
            (first, letter, times, started.elapsed())
        }
    })
    .await
    .unwrap();
    let (first, sample, mut times, elapsed) = single;
    times.sort();
    let p50 = percentile(&times, 50.0);
    out.push(format!(
        "one letter (\"{name}\", letterhead + PNG logo, {} page(s), {:.1} KiB): first {:.1} ms, then p50 {:.2} ms, p99 {:.2} ms, {:.0} letters/s on one core",
        sample.pages,
        sample.pdf.len() as f64 / 1024.0,
        ms(first),
        ms(p50),
        ms(percentile(&times, 99.0)),
        times.len() as f64 / elapsed.as_secs_f64()
    ));
    std::fs::write(data_dir.join("typst-letter.pdf"), &sample.pdf).ok();

    // (b) The mail merge, through the job.
    progress(&format!("mail merge of {letters} letters"));
    let merge = Uuid::new_v4();
    let tx = TenantTx::begin(&state, tenant.clone()).await.unwrap();
    tx.execute(
        "INSERT INTO mail_merges (id, template_id, dossier_ids, output, free_text, total)
         SELECT $1, $2, array_agg(id ORDER BY submitted_at, id), 'zip', $3, count(*) FROM dossiers",
        vec![
            merge.into(),
            ids.template.into(),
            extras.free_text.clone().into(),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let rss_before = rss_kib("VmRSS:");
    let hwm_before = rss_kib("VmHWM:");
    let started = Instant::now();
    guichet_server::jobs::mail_merge::run_merge(&state, tenant.clone(), merge)
        .await
        .expect("merge");
    let merged = started.elapsed();
    #[derive(FromQueryResult)]
    struct Result_ {
        status: String,
        done: i32,
        result_size: Option<i64>,
        error: Option<String>,
    }
    let tx = TenantTx::begin(&state, tenant.clone()).await.unwrap();
    let result: Result_ = tx
        .fetch_optional(
            "SELECT status, done, result_size, error FROM mail_merges WHERE id = $1",
            vec![merge.into()],
        )
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    out.push(format!(
        "mail merge of {letters} letters (ZIP, job code, all cores): {} ({} done{}), {:.1} s, {:.0} letters/s, ZIP {:.1} MiB; RSS {:.0} MiB before, peak (VmHWM) {:.0} MiB before / {:.0} MiB after",
        result.status,
        result.done,
        result.error.map(|e| format!(": {e}")).unwrap_or_default(),
        merged.as_secs_f64(),
        letters as f64 / merged.as_secs_f64(),
        result.result_size.unwrap_or(0) as f64 / 1_048_576.0,
        mib(rss_before),
        mib(hwm_before),
        mib(rss_kib("VmHWM:")),
    ));

    // (c) LibreOffice, the same letter from an ODT template.
    match libreoffice(&data_dir, &reference, &data) {
        Some(lo) => {
            out.push(format!(
                "LibreOffice headless, same letter from a flat ODT: cold call {:.0} ms (first call of a new profile {:.0} ms), {:.1} ms per letter in a 100-file call",
                ms(lo.cold),
                ms(lo.first),
                ms(lo.batch) / 100.0
            ));
            out.push(format!(
                "ratios: LibreOffice per letter (100-file call) / typst p50 = {:.0}×; LibreOffice cold call / typst p50 = {:.0}×; merge {:.2} ms/letter vs LibreOffice {:.1} ms/letter = {:.0}×",
                ms(lo.batch) / 100.0 / ms(p50),
                ms(lo.cold) / ms(p50),
                ms(merged) / letters as f64,
                ms(lo.batch) / 100.0,
                (ms(lo.batch) / 100.0) / (ms(merged) / letters as f64),
            ));
        }
        None => out
            .push("LibreOffice: soffice not found, skipped (scripts/bench installs it)".to_owned()),
    }
    out.join("\n")
}

struct LibreOffice {
    first: Duration,
    cold: Duration,
    batch: Duration,
}

fn soffice() -> Option<PathBuf> {
    ["soffice", "libreoffice"].iter().find_map(|name| {
        Command::new("which")
            .arg(name)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    })
}

fn convert(soffice: &Path, profile: &Path, out_dir: &Path, files: &[PathBuf]) -> Duration {
    let started = Instant::now();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(out_dir)
        .args(files)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("soffice");
    assert!(status.success(), "soffice failed");
    started.elapsed()
}

fn libreoffice(
    dir: &Path,
    reference: &str,
    data: &app::letters::merge::MergeData,
) -> Option<LibreOffice> {
    let soffice = soffice()?;
    progress("LibreOffice");
    let work = dir.join("libreoffice");
    let (sources, out) = (work.join("odt"), work.join("pdf"));
    std::fs::create_dir_all(&sources).ok()?;
    std::fs::create_dir_all(&out).ok()?;
    let profile = work.join("profile");
    let files: Vec<PathBuf> = (0..100)
        .map(|i| {
            let path = sources.join(format!("lettre-{i:03}.fodt"));
            let name = format!("{} {i}", data.citoyen_nom);
            std::fs::write(&path, fodt(data, reference, &name)).expect("write fodt");
            path
        })
        .collect();
    let first = convert(&soffice, &profile, &out, &files[..1]);
    let cold = convert(&soffice, &profile, &out, &files[1..2]);
    let batch = convert(&soffice, &profile, &out, &files);
    Some(LibreOffice { first, cold, batch })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The "Réponse favorable" letter as a flat ODT: letterhead with the logo in the header, the
/// footer with the reference, the same text.
fn fodt(data: &app::letters::merge::MergeData, reference: &str, name: &str) -> String {
    let logo = base64(LOGO);
    let c = &data.collectivite;
    let paragraphs: String = data
        .courrier_texte
        .split("\n\n")
        .map(|p| format!("<text:p text:style-name=\"Body\">{}</text:p>", xml(p)))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph"><style:text-properties style:font-name="Liberation Serif" fo:font-size="11pt" fo:language="fr" fo:country="FR"/></style:style>
  <style:style style:name="Body" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="justify" fo:margin-bottom="0.3cm"/></style:style>
  <style:style style:name="Right" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="end"/></style:style>
  <style:style style:name="Head" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:border-bottom="1.5pt solid {colour}"/><style:text-properties fo:font-size="15pt" fo:font-weight="bold" fo:color="{colour}"/></style:style>
  <style:style style:name="Foot" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-size="8pt"/></style:style>
  <style:style style:name="Strong" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1cm" fo:margin-bottom="1cm" fo:margin-left="2.2cm" fo:margin-right="2.2cm"/></style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="A4">
   <style:header><text:p text:style-name="Head"><draw:frame draw:name="logo" text:anchor-type="as-char" svg:width="1.6cm" svg:height="1.6cm"><draw:image><office:binary-data>{logo}</office:binary-data></draw:image></draw:frame> {commune}</text:p><text:p text:style-name="Foot">{address}</text:p></style:header>
   <style:footer><text:p text:style-name="Foot">Dossier <text:span text:style-name="Strong">{reference}</text:span> · {demarche}</text:p><text:p text:style-name="Foot">Suivi : {link}</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body><office:text>
  <text:p text:style-name="Right">{commune}, le {today}</text:p>
  <text:p text:style-name="Standard"><text:span text:style-name="Strong">{name}</text:span></text:p>
  <text:p text:style-name="Standard"/>
  <text:p text:style-name="Standard"><text:span text:style-name="Strong">Objet : {demarche} — dossier {reference}</text:span></text:p>
  <text:p text:style-name="Body">Madame, Monsieur,</text:p>
  <text:p text:style-name="Body">J'ai le plaisir de vous informer que votre demande « {demarche} », déposée le {depot}, a reçu un avis favorable.</text:p>
  {paragraphs}
  <text:p text:style-name="Body">Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</text:p>
  <text:p text:style-name="Right">Les services de {commune}</text:p>
 </office:text></office:body>
</office:document>
"#,
        colour = xml(&c.couleur),
        commune = xml(&c.nom),
        address = xml(&c.adresse),
        reference = xml(reference),
        demarche = xml(&data.demarche_titre),
        link = xml(&data.dossier.lien),
        today = xml(&data.aujourdhui),
        depot = xml(&data.dossier.depot),
        name = xml(name),
    )
}
