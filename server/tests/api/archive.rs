#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A commune as a unit (`guichet tenant export` / `import`): exported to one archive, restored
//! beside itself under another name, or under its own name in another installation, it works
//! as it did — same agents and passwords, same dossiers as the back office shows them, same
//! files, its numbering continued — and stays separate from the original; a damaged archive
//! or a taken name restores nothing at all.

use std::path::PathBuf;

use app::infra::TenantStatus;
use app::platform::deletion::purge_due;
use app::platform::service::{set_status, tenant_by_slug};
use guichet_server::archive::{export, import, schedule_deletion};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::backoffice::{Commune, commune, dossier, file};
use crate::dossiers::{
    PDF, location, permit_document, post_step, publish_with, signed_in_citizen, start,
};
use crate::helpers::{TestApp, spawn_app, spawn_app_with_s3};
use crate::s3_server::shared_bucket;
use crate::store::{entry, shared};

const CITIZEN_PASSWORD: &str = "Tournesol-Jardin-44";
const ADMIN_PASSWORD: &str = "Clef-Secrete-2026";

fn archive_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "guichet-archive-{}-{name}",
        Uuid::new_v4().simple()
    ))
}

/// A commune with a voirie dossier and a permit whose plan is a PDF the citizen uploaded.
/// Returns the commune and both references.
async fn busy_commune(app: &TestApp, slug: &str) -> (Commune, Vec<String>) {
    let commune = commune(app, slug).await;
    let citizen = signed_in_citizen(app, slug, "jeanne@example.org").await;
    let voirie = file(app, &citizen, slug, &commune, "Dupont", "44800").await;
    let permit = publish_with(
        app,
        &commune.admin,
        slug,
        None,
        &permit_document("identified_only", None),
    )
    .await;
    let key = start(app, &citizen, slug, &permit, true).await;
    post_step(
        app,
        &citizen,
        slug,
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("entreprise", "non"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    post_step(
        app,
        &citizen,
        slug,
        &key,
        1,
        &[("_action", "next")],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    let submitted = app
        .post(&citizen, slug, "portal/submit", &[("key", &key)])
        .await;
    let permit = location(&submitted)
        .strip_prefix("/mes-demandes/")
        .unwrap()
        .to_owned();
    // A quiet commune: its acknowledgements sent (an archive is best taken so).
    let started = std::time::Instant::now();
    while app
        .text(&format!(
            "SELECT count(*) FROM tenant_{slug}.mail_outbox WHERE status = 'pending'"
        ))
        .await
        != "0"
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "mail never sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The admin reads both dossiers' services (Voirie and its poles; Accueil).
    for service in ["Voirie", "Accueil"] {
        app.grant(
            slug,
            &format!("admin@{slug}.test"),
            Some(service),
            "modification",
        )
        .await;
    }
    (commune, vec![voirie, permit])
}

/// Queues a reminder to the citizen, due tomorrow: still pending when the commune is exported.
async fn queue_reminder(app: &TestApp, slug: &str) {
    app.sql(&format!(
        "INSERT INTO tenant_{slug}.mail_outbox (id, recipient, subject, body_text, next_attempt_at, message_id)
         VALUES (gen_random_uuid(), 'jeanne@example.org', 'Rappel', 'Bonjour', now() + interval '1 day', '<rappel@guichet.test>')"
    ))
    .await;
}

async fn pending_mail(app: &TestApp, slug: &str) -> String {
    app.text(&format!(
        "SELECT string_agg(subject || ':' || status || ':' || coalesce(last_error, ''), ',')
         FROM tenant_{slug}.mail_outbox WHERE subject = 'Rappel'"
    ))
    .await
}

async fn signed_in(app: &TestApp, slug: &str, email: &str, password: &str) -> reqwest::Client {
    let client = app.client();
    let response = app.login(&client, slug, email, password).await;
    assert_eq!(response.status(), StatusCode::OK, "{email} at {slug}");
    client
}

async fn dossier_json(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    reference: &str,
) -> Value {
    let response = dossier(app, client, slug, reference).await;
    assert_eq!(response.status(), StatusCode::OK, "{reference} at {slug}");
    let mut page: Value = response.json().await.unwrap();
    // Drawn afresh for each page (it makes a repeated action idempotent).
    page.as_object_mut().unwrap().remove("request_id");
    page
}

#[tokio::test]
async fn a_commune_restored_under_another_name_works_as_before_and_stays_separate() {
    let app = spawn_app().await;
    let (commune, references) = busy_commune(&app, "ca").await;
    app.set_branding("ca", "#00589c").await;
    queue_reminder(&app, "ca").await;
    let path = archive_path("ca.zip");

    let exported = export(&app.state, "ca", &path).await.unwrap();
    assert_eq!(exported.files, 1, "the plan");
    let restored = import(&app.state, &path, Some("cb")).await.unwrap();
    assert_eq!(
        (
            restored.tables,
            restored.rows,
            restored.files,
            restored.bytes
        ),
        (
            exported.tables,
            exported.rows,
            exported.files,
            exported.bytes
        )
    );

    // The same admin with the same password; the same dossiers as the back office shows them.
    let admin_b = signed_in(&app, "cb", "admin@ca.test", ADMIN_PASSWORD).await;
    for reference in &references {
        assert_eq!(
            dossier_json(&app, &admin_b, "cb", reference).await,
            dossier_json(&app, &commune.admin, "ca", reference).await,
        );
    }
    // The copy does not send again what ca is sending: its reminder is not sent, with why.
    assert_eq!(pending_mail(&app, "ca").await, "Rappel:pending:");
    assert_eq!(
        pending_mail(&app, "cb").await,
        "Rappel:failed:Non envoyé : copie restaurée sous un autre nom de la commune ca."
    );
    // The citizen downloads the plan at cb, from cb's own files.
    let citizen_b = signed_in(&app, "cb", "jeanne@example.org", CITIZEN_PASSWORD).await;
    let plan = app
        .text("SELECT id FROM tenant_cb.attachments WHERE dossier_id IS NOT NULL")
        .await;
    let response = app.get(&citizen_b, "cb", &format!("/pieces/{plan}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    let stored = |schema: &str| {
        app.state
            .settings()
            .files_dir
            .join(schema)
            .join(Uuid::parse_str(&plan).unwrap().simple().to_string())
    };
    assert!(stored("tenant_cb").exists() && stored("tenant_ca").exists());
    // Its look came along.
    let home = app
        .get(&app.client(), "cb", "/")
        .await
        .text()
        .await
        .unwrap();
    assert!(home.contains("--brand-primary: #00589c"));
    // Found by search at cb (its index built on import).
    let tenant = tenant_by_slug(&app.state, "cb").await.unwrap();
    let services: Vec<Uuid> = app
        .text("SELECT string_agg(id::text, ',') FROM tenant_cb.services")
        .await
        .split(',')
        .map(|id| id.parse().unwrap())
        .collect();
    let voirie: Uuid = app
        .text(&format!(
            "SELECT id FROM tenant_cb.dossiers WHERE reference = '{}'",
            references[0]
        ))
        .await
        .parse()
        .unwrap();
    let found = app
        .state
        .search()
        .search(&tenant, "Dupont", &services, 20)
        .unwrap();
    assert!(found.contains(&voirie), "{found:?}");

    // Its numbering goes on from where the archive left it, and cb's life is not ca's.
    let next = file(
        &app,
        &citizen_b,
        "cb",
        &Commune {
            admin: admin_b,
            demarche: commune.demarche.clone(),
        },
        "Martin",
        "44800",
    )
    .await;
    let year = time::OffsetDateTime::now_utc().year();
    assert_eq!(next, format!("{year}-000003"));
    assert_eq!(app.count("tenant_ca.dossiers").await, 2);
    assert_eq!(app.count("tenant_cb.dossiers").await, 3);
    // Sign-ins do not travel: nobody is signed in at cb by a session made at ca.
    assert_eq!(
        app.text("SELECT count(*) FROM tenant_cb.sessions s JOIN tenant_ca.sessions a ON a.token_hash = s.token_hash")
            .await,
        "0"
    );

    // A name already taken is refused with the way out, and changes nothing.
    for slug in [Some("cb"), None] {
        let error = import(&app.state, &path, slug).await.unwrap_err();
        assert!(
            format!("{error:#}").contains("already exists here: choose another name with --slug"),
            "{error:#}"
        );
    }
    assert_eq!(app.count("tenant_cb.dossiers").await, 3);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_commune_moved_to_another_installation_keeps_its_name_its_hosts_and_its_files() {
    // From an installation whose files are in a bucket to one on local disk.
    let source = spawn_app_with_s3(shared_bucket().await).await;
    let (commune, references) = busy_commune(&source, "ca").await;
    source
        .sql(
            "INSERT INTO platform.tenant_hosts (host, tenant_id)
             SELECT 'mairie-ca.test', id FROM platform.tenants WHERE slug = 'ca'",
        )
        .await;
    queue_reminder(&source, "ca").await;
    let path = archive_path("ca.zip");
    export(&source.state, "ca", &path).await.unwrap();

    let target = spawn_app().await;
    let restored = import(&target.state, &path, None).await.unwrap();
    assert_eq!(restored.slug, "ca");
    assert_eq!(
        target
            .text("SELECT string_agg(host, ',') FROM platform.tenant_hosts")
            .await,
        "mairie-ca.test"
    );
    // Moved, it sends what it was about to send.
    assert_eq!(pending_mail(&target, "ca").await, "Rappel:pending:");
    let admin = signed_in(&target, "ca", "admin@ca.test", ADMIN_PASSWORD).await;
    for reference in &references {
        assert_eq!(
            dossier_json(&target, &admin, "ca", reference).await,
            dossier_json(&source, &commune.admin, "ca", reference).await,
        );
    }
    let citizen = signed_in(&target, "ca", "jeanne@example.org", CITIZEN_PASSWORD).await;
    let plan = target
        .text("SELECT id FROM tenant_ca.attachments WHERE dossier_id IS NOT NULL")
        .await;
    let response = target.get(&citizen, "ca", &format!("/pieces/{plan}")).await;
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn a_damaged_archive_restores_nothing_and_says_what_is_wrong() {
    let app = spawn_app().await;
    busy_commune(&app, "ca").await;
    let path = archive_path("ca.zip");
    export(&app.state, "ca", &path).await.unwrap();
    let files_before = std::fs::read_dir(&app.state.settings().files_dir)
        .unwrap()
        .count();

    // One byte of the plan changed (the archive is stored, not compressed: the PDF is there
    // as it was uploaded).
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes
        .windows(PDF.len())
        .position(|window| window == PDF)
        .unwrap();
    bytes[at + 10] ^= 0x20;
    let damaged = archive_path("damaged.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let error = import(&app.state, &damaged, Some("cc")).await.unwrap_err();
    assert!(format!("{error:#}").contains("is damaged"), "{error:#}");

    // Not an archive at all.
    let text = archive_path("notes.zip");
    std::fs::write(&text, "pas une archive").unwrap();
    let error = import(&app.state, &text, Some("cc")).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("is not a commune archive"),
        "{error:#}"
    );

    // Nothing of cc anywhere: no commune, no schema, no files.
    assert_eq!(
        app.text("SELECT count(*) FROM platform.tenants WHERE slug = 'cc'")
            .await,
        "0"
    );
    assert_eq!(
        app.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_cc'")
            .await,
        "0"
    );
    let cc_files = app.state.settings().files_dir.join("tenant_cc");
    assert!(
        !cc_files.exists() || std::fs::read_dir(&cc_files).unwrap().count() == 0,
        "no file of cc stays behind"
    );
    assert!(
        std::fs::read_dir(&app.state.settings().files_dir)
            .unwrap()
            .count()
            <= files_before + 1
    );
    for file in [path, damaged, text] {
        std::fs::remove_file(file).unwrap();
    }
}

#[tokio::test]
async fn a_commune_leaves_after_an_export_a_confirmation_and_a_delay_and_nothing_of_it_remains() {
    let app = spawn_app().await;
    let (commune, references) = busy_commune(&app, "ca").await;
    let (other, other_references) = busy_commune(&app, "cb").await;
    // ca shared its voirie démarche in the store: the entry outlives it.
    let (entry_id, _) = shared(
        &app,
        &commune.admin,
        "ca",
        &commune.demarche,
        "voirie",
        "mairie",
    )
    .await;
    let files_of = |schema: &str| {
        std::fs::read_dir(app.state.settings().files_dir.join(schema))
            .map(|dir| dir.count())
            .unwrap_or(0)
    };
    assert_eq!(files_of("tenant_ca"), 1);
    // Both communes' indexes exist on this node.
    let ca = tenant_by_slug(&app.state, "ca").await.unwrap();
    app.state
        .search()
        .rebuild(&app.state, ca.clone())
        .await
        .unwrap();
    assert!(app.state.search().exists(&ca));
    let path = archive_path("ca.zip");
    let elsewhere = archive_path("cb.zip");
    export(&app.state, "ca", &path).await.unwrap();
    export(&app.state, "cb", &elsewhere).await.unwrap();

    // Refused without the name repeated, with a zero delay, or with another commune's archive.
    let refusals = [
        (
            path.clone(),
            "c a",
            30,
            "repeat the commune's name: --confirm ca",
        ),
        (path.clone(), "ca", 0, "one day at least"),
        (
            elsewhere.clone(),
            "ca",
            30,
            "is an archive of cb, not of ca: export ca first",
        ),
    ];
    for (archive, confirm, days, expected) in refusals {
        let error = schedule_deletion(&app.state, "ca", &archive, confirm, days)
            .await
            .unwrap_err();
        assert!(format!("{error:#}").contains(expected), "{error:#}");
    }
    let home = app.get(&app.client(), "ca", "/").await;
    assert_eq!(home.status(), StatusCode::OK, "nothing changed");

    // Scheduled: suspended at once, deleted in 30 days; reactivating cancels.
    let due = schedule_deletion(&app.state, "ca", &path, "ca", 30)
        .await
        .unwrap();
    assert!(due.contains(" à "), "{due}");
    assert_eq!(
        app.text(
            "SELECT deletion_due BETWEEN now() + interval '29 days 23 hours' AND now() + interval '30 days 1 hour'
             FROM platform.tenants WHERE slug = 'ca'"
        )
        .await,
        "true"
    );
    let home = app.get(&app.client(), "ca", "/").await;
    assert_eq!(home.status(), StatusCode::FORBIDDEN);
    assert!(
        purge_due(&app.state).await.unwrap().is_empty(),
        "not due yet"
    );
    set_status(&app.state, "ca", TenantStatus::Active)
        .await
        .unwrap();
    assert_eq!(
        app.text("SELECT count(deletion_due) FROM platform.tenants")
            .await,
        "0"
    );
    // Scheduled again, and the 30 days have passed.
    schedule_deletion(&app.state, "ca", &path, "ca", 30)
        .await
        .unwrap();
    app.sql(
        "UPDATE platform.tenants SET deletion_due = now() - interval '1 minute' WHERE slug = 'ca'",
    )
    .await;
    // Purged by this call, or by the server's own sweep (every few minutes and on each
    // commune change) if it came first.
    let purged = purge_due(&app.state).await.unwrap();
    assert!(purged.is_empty() || purged == ["ca"], "{purged:?}");
    // Whichever purged it ends by forgetting it (after its commit): wait for that end.
    let started = std::time::Instant::now();
    loop {
        let forgotten = !app.state.search().exists(&ca)
            && app.get(&app.client(), "ca", "/").await.status() == StatusCode::NOT_FOUND;
        if forgotten {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "ca never deleted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // Nothing of ca remains: no commune, schema, file or index; its host is unknown.
    assert_eq!(
        app.text("SELECT count(*) FROM platform.tenants WHERE slug = 'ca'")
            .await,
        "0"
    );
    assert_eq!(
        app.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_ca'")
            .await,
        "0"
    );
    assert_eq!(files_of("tenant_ca"), 0);
    // Its store entry stays for others, under the name it had.
    let store_entry = entry(&app, &other.admin, "cb", &entry_id).await;
    assert_eq!(store_entry.status(), StatusCode::OK);
    let store_entry: Value = store_entry.json().await.unwrap();
    assert_eq!(store_entry["summary"]["publisher_name"], "Commune");
    // cb lives on: its dossier, its file.
    assert_eq!(
        dossier(&app, &other.admin, "cb", &other_references[1])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(files_of("tenant_cb"), 1);

    // The archive brings ca back, as it was before it left.
    import(&app.state, &path, None).await.unwrap();
    let admin = signed_in(&app, "ca", "admin@ca.test", ADMIN_PASSWORD).await;
    assert_eq!(
        dossier(&app, &admin, "ca", &references[0]).await.status(),
        StatusCode::OK
    );
    assert_eq!(files_of("tenant_ca"), 1);
    for file in [path, elsewhere] {
        std::fs::remove_file(file).unwrap();
    }
}
