#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mail merges (publipostage): a template × a selection run by the background job into a ZIP
//! of real PDFs (read back with pdftotext) or one PDF, emails with the letter attached, the
//! agent's rights applied to the selection, cancellation (nothing left on disk), precise
//! refusals, and another commune's merges out of reach.

use std::io::Read;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::backoffice::{Commune, agent, commune, file};
use crate::dossiers::signed_in_citizen;
use crate::helpers::{TestApp, error_message, spawn_app, spawn_app_with_s3};
use crate::letters::pdf_text;
use crate::s3_server::shared_bucket;

async fn template_id(app: &TestApp, slug: &str) -> String {
    app.text(&format!(
        "SELECT id FROM tenant_{slug}.letter_templates WHERE kind = 'reponse_favorable'"
    ))
    .await
}

async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let template = template_id(app, slug).await;
    let mut form: Vec<(String, String)> = vec![
        ("request[template_id]".into(), template),
        ("request[output]".into(), "zip".into()),
    ];
    for (key, value) in fields {
        form.retain(|(k, _)| k != &format!("request[{key}]"));
        form.push((format!("request[{key}]"), (*value).to_owned()));
    }
    client
        .post(app.url(slug, "/api/letters/merges/create"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn created(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    fields: &[(&str, &str)],
) -> String {
    let response = create(app, client, slug, fields).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let merge: Value = response.json().await.unwrap();
    merge["id"].as_str().unwrap().to_owned()
}

async fn merges(app: &TestApp, client: &reqwest::Client, slug: &str) -> Vec<Value> {
    let response = app.post(client, slug, "letters/merges", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until the merge has left queued/running; returns its line.
async fn finished(app: &TestApp, client: &reqwest::Client, slug: &str, id: &str) -> Value {
    for _ in 0..600 {
        let list = merges(app, client, slug).await;
        let merge = list.iter().find(|m| m["id"] == id).unwrap().clone();
        if !matches!(merge["status"].as_str(), Some("queued" | "running")) {
            return merge;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("merge {id} did not finish");
}

async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
) -> reqwest::Response {
    app.get(
        client,
        slug,
        &format!("/back-office/publipostages/{id}/resultat"),
    )
    .await
}

/// The files of a tenant's file store (results), and any scratch file left behind.
fn stored_files(app: &TestApp, slug: &str) -> Vec<String> {
    let files_dir = &app.state.settings().files_dir;
    let names = |dir: std::path::PathBuf| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let schema = format!("tenant_{slug}");
    let mut found = names(files_dir.join(&schema));
    found.extend(
        names(files_dir.parent().unwrap().join("spool"))
            .into_iter()
            .filter(|name| name.starts_with(&schema)),
    );
    found
}

async fn dossiers(
    app: &TestApp,
    citizen: &reqwest::Client,
    c: &Commune,
    slug: &str,
    count: usize,
    postcode: &str,
) -> Vec<(String, String)> {
    let mut filed = Vec::new();
    for i in 0..count {
        let name = format!("Camille Durand-{postcode}-{i:02}");
        let reference = file(app, citizen, slug, c, &name, postcode).await;
        // Letters name the citizen of the dossier (here all filed by one account).
        app.sql(&format!(
            "UPDATE tenant_{slug}.dossiers SET citizen_name = '{name}' WHERE reference = '{reference}'"
        ))
        .await;
        filed.push((reference, name));
    }
    filed
}

#[tokio::test]
async fn a_merge_of_the_list_produces_a_zip_of_letters_and_mails_each_citizen_their_letter() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let filed = dossiers(&app, &citizen, &c, "ca", 30, "44000").await;

    let id = created(
        &app,
        &c.admin,
        "ca",
        &[
            ("source", "liste"),
            ("filter", ""),
            ("send_emails", "true"),
            ("free_text", "Votre rendez-vous est fixé au 3 mars."),
        ],
    )
    .await;
    let merge = finished(&app, &c.admin, "ca", &id).await;
    assert_eq!(merge["status"], "done", "{merge}");
    assert_eq!(
        (merge["total"].as_i64(), merge["done"].as_i64()),
        (Some(30), Some(30))
    );
    assert_eq!(merge["emails"], 30);
    assert_eq!(merge["selection"], "Sélection de la liste des dossiers");

    let response = download(&app, &c.admin, "ca", &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"publipostage-"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert_eq!(merge["result_size"].as_u64(), Some(bytes.len() as u64));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(archive.len(), 30);
    for (reference, name) in &filed {
        let mut entry = archive
            .by_name(&format!("courrier-{reference}.pdf"))
            .unwrap();
        let mut pdf = Vec::new();
        entry.read_to_end(&mut pdf).unwrap();
        let text = pdf_text(&pdf);
        for expected in [
            reference.as_str(),
            name.as_str(),
            "avis favorable",
            "Votre rendez-vous est fixé au 3 mars.",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from {reference}: {text}"
            );
        }
    }

    // One mail per dossier, its letter attached.
    let mut letters = Vec::new();
    for _ in 0..300 {
        letters = app
            .smtp
            .to("usager@example.org")
            .into_iter()
            .filter(|m| m.subject.contains("courrier concernant votre dossier"))
            .collect::<Vec<_>>();
        if letters.len() >= 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(letters.len(), 30);
    for (reference, _) in &filed {
        let mail = letters
            .iter()
            .find(|m| m.subject.ends_with(reference.as_str()))
            .unwrap_or_else(|| panic!("no mail for {reference}"));
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(
            mail.attachments[0].filename,
            format!("courrier-{reference}.pdf")
        );
        assert_eq!(mail.attachments[0].content_type, "application/pdf");
        assert!(
            mail.body.contains(&format!("/mes-demandes/{reference}")),
            "{}",
            mail.body
        );
    }
    // The mails are on their dossiers, for the agents.
    assert_eq!(
        app.text("SELECT count(DISTINCT dossier_id) FROM tenant_ca.mail_outbox WHERE subject LIKE '%courrier concernant%'")
            .await,
        "30"
    );
}

#[tokio::test]
async fn a_merge_of_pasted_references_as_one_pdf_and_an_agent_only_merges_what_they_may_read() {
    let app = spawn_app().await;
    let c = commune(&app, "cb").await;
    // The admin reads Nord only: the list selection keeps Nord's dossiers.
    app.grant("cb", "admin@cb.test", Some("Nord"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "cb", "usager@example.org").await;
    let nord = dossiers(&app, &citizen, &c, "cb", 3, "44800").await;
    let sud = dossiers(&app, &citizen, &c, "cb", 2, "44700").await;

    let id = created(&app, &c.admin, "cb", &[("source", "liste"), ("filter", "")]).await;
    let merge = finished(&app, &c.admin, "cb", &id).await;
    assert_eq!(
        (merge["status"].as_str(), merge["total"].as_i64()),
        (Some("done"), Some(3))
    );
    let bytes = download(&app, &c.admin, "cb", &id)
        .await
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().to_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = nord
        .iter()
        .map(|(r, _)| format!("courrier-{r}.pdf"))
        .collect();
    expected.sort();
    assert_eq!(names, expected);

    // Pasted references out of reach are named, and nothing is queued.
    let pasted = format!("{}\n{}\n", nord[0].0, sud[0].0);
    let refused = create(
        &app,
        &c.admin,
        "cb",
        &[("source", "references"), ("references", &pasted)],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let message = error_message(refused).await;
    assert!(
        message.contains(&sud[0].0) && !message.contains(&nord[0].0),
        "{message}"
    );

    // One PDF of the pasted references, in their order, text kept.
    app.grant("cb", "admin@cb.test", Some("Sud"), "consultation")
        .await;
    let pasted = format!(
        "{}\n\n {} \n{}\n{}",
        sud[1].0, nord[2].0, nord[0].0, sud[1].0
    );
    let id = created(
        &app,
        &c.admin,
        "cb",
        &[
            ("source", "references"),
            ("references", &pasted),
            ("output", "pdf"),
        ],
    )
    .await;
    let merge = finished(&app, &c.admin, "cb", &id).await;
    assert_eq!(
        (merge["status"].as_str(), merge["total"].as_i64()),
        (Some("done"), Some(3)),
        "{merge}"
    );
    let response = download(&app, &c.admin, "cb", &id).await;
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let text = pdf_text(&response.bytes().await.unwrap());
    let positions: Vec<usize> = [&sud[1], &nord[2], &nord[0]]
        .iter()
        .map(|(reference, name)| {
            assert!(text.contains(name.as_str()), "{name} missing: {text}");
            text.find(reference.as_str()).unwrap()
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[tokio::test]
async fn refusals_are_precise_and_agents_cannot_merge() {
    let app = spawn_app().await;
    let c = commune(&app, "cc").await;
    app.grant("cc", "admin@cc.test", Some("Voirie"), "consultation")
        .await;

    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("source", "liste"), ("filter", "statut=inexistant")],
            "aucun dossier que vous pouvez consulter",
        ),
        (
            &[("source", "references"), ("references", "  \n ")],
            "Collez au moins une référence",
        ),
        (
            &[("source", "references"), ("references", "2026-999999")],
            "2026-999999",
        ),
        (
            &[("source", "recherche"), ("saved_search", "nope")],
            "Recherche enregistrée inconnue",
        ),
        (
            &[("source", "liste"), ("output", "docx")],
            "archive ZIP ou un seul PDF",
        ),
    ];
    for (fields, expected) in cases {
        let response = create(&app, &c.admin, "cc", fields).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{fields:?}");
        let message = error_message(response).await;
        assert!(message.contains(expected), "{fields:?}: {message}");
    }
    let response = create(
        &app,
        &c.admin,
        "cc",
        &[("source", "liste"), ("template_id", "")],
    )
    .await;
    assert_eq!(
        error_message(response).await,
        "Choisissez un modèle de courrier."
    );

    // Over 20,000 letters: refused before anything is read.
    let many: String = (0..20_001).map(|i| format!("2026-{i:06}\n")).collect();
    let response = create(
        &app,
        &c.admin,
        "cc",
        &[("source", "references"), ("references", &many)],
    )
    .await;
    let message = error_message(response).await;
    assert!(
        message.contains("limité à 20\u{202f}000 courriers"),
        "{message}"
    );
    guichet_server::generate::dossiers(&app.state, "cc", 501)
        .await
        .unwrap();
    app.sql(
        "INSERT INTO tenant_cc.service_members (service_id, user_id, access)
             SELECT s.id, u.id, 'consultation' FROM tenant_cc.services s, tenant_cc.users u
             WHERE u.email = 'admin@cc.test' ON CONFLICT DO NOTHING",
    )
    .await;
    // A single PDF: 500 at most.
    let response = create(
        &app,
        &c.admin,
        "cc",
        &[
            ("source", "liste"),
            ("filter", "tri=ancien&du=2000-01-01"),
            ("output", "pdf"),
        ],
    )
    .await;
    let message = error_message(response).await;
    assert!(
        message.contains("Un seul PDF est limité à 500 courriers"),
        "{message}"
    );
    assert_eq!(app.count("tenant_cc.mail_merges").await, 0);

    // A plain agent may not merge.
    let plain = agent(&app, &c, "cc", "agent@cc.test").await;
    let response = create(&app, &plain, "cc", &[("source", "liste")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.post(&plain, "cc", "letters/merges", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cancelled_merge_stops_and_leaves_no_file() {
    let app = spawn_app().await;
    let c = commune(&app, "cd").await;
    app.grant("cd", "admin@cd.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "cd", "usager@example.org").await;
    dossiers(&app, &citizen, &c, "cd", 2, "44000").await;
    let tenant = app::platform::service::tenant_by_slug(&app.state, "cd")
        .await
        .unwrap();

    // Cancelled while queued (inserted without its notification, so that the running job
    // does not take it first): the job never starts it.
    let template = template_id(&app, "cd").await;
    let id = uuid::Uuid::new_v4().to_string();
    app.sql(&format!(
        "INSERT INTO tenant_cd.mail_merges (id, template_id, dossier_ids, output, total)
         SELECT '{id}', '{template}', array_agg(id), 'zip', count(*) FROM tenant_cd.dossiers"
    ))
    .await;
    let cancelled = app
        .post(&c.admin, "cd", "letters/merges/cancel", &[("id", &id)])
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    guichet_server::jobs::mail_merge::run_merge(&app.state, tenant.clone(), id.parse().unwrap())
        .await
        .unwrap();
    let merge = finished(&app, &c.admin, "cd", &id).await;
    assert_eq!(
        (merge["status"].as_str(), merge["done"].as_i64()),
        (Some("cancelled"), Some(0))
    );
    assert_eq!(
        download(&app, &c.admin, "cd", &id).await.status(),
        StatusCode::NOT_FOUND
    );
    // … and cannot be cancelled twice.
    let again = app
        .post(&c.admin, "cd", "letters/merges/cancel", &[("id", &id)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(error_message(again).await.contains("terminé"));

    // Cancelled while running: it stops at its next batch and removes its partial file.
    guichet_server::generate::dossiers(&app.state, "cd", 1_500)
        .await
        .unwrap();
    let big = uuid::Uuid::new_v4();
    app.sql(&format!(
        "INSERT INTO tenant_cd.mail_merges (id, template_id, dossier_ids, output, total)
         SELECT '{big}', '{template}', array_agg(id), 'zip', count(*) FROM tenant_cd.dossiers"
    ))
    .await;
    let job = tokio::spawn({
        let state = app.state.clone();
        let tenant = tenant.clone();
        async move { guichet_server::jobs::mail_merge::run_merge(&state, tenant, big).await }
    });
    let mut started = false;
    for _ in 0..1200 {
        let state = app
            .text(&format!(
                "SELECT status || ':' || done FROM tenant_cd.mail_merges WHERE id = '{big}'"
            ))
            .await;
        assert!(
            state.starts_with("running") || state.starts_with("queued"),
            "{state}"
        );
        if state != "running:0" && state != "queued:0" {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started, "the merge never progressed");
    let cancelled = app
        .post(
            &c.admin,
            "cd",
            "letters/merges/cancel",
            &[("id", &big.to_string())],
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    job.await.unwrap().unwrap();
    let status = app.text(&format!("SELECT status || ' ' || done || '/' || total FROM tenant_cd.mail_merges WHERE id = '{big}'")).await;
    assert!(status.starts_with("cancelled "), "{status}");
    let (done, total) = status["cancelled ".len()..].split_once('/').unwrap();
    assert!(
        done.parse::<i64>().unwrap() < total.parse::<i64>().unwrap(),
        "{status}"
    );
    assert_eq!(stored_files(&app, "cd"), Vec::<String>::new());
}

#[tokio::test]
async fn another_communes_merges_are_out_of_reach() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    dossiers(&app, &citizen, &a, "ca", 1, "44000").await;
    let id = created(&app, &a.admin, "ca", &[("source", "liste")]).await;
    assert_eq!(finished(&app, &a.admin, "ca", &id).await["status"], "done");

    let b = commune(&app, "cb").await;
    assert!(merges(&app, &b.admin, "cb").await.is_empty());
    let response = download(&app, &b.admin, "cb", &id).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(&b.admin, "cb", "letters/merges/cancel", &[("id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Tenant A's session on tenant B's host is nobody there.
    let response = app
        .get(
            &a.admin,
            "cb",
            &format!("/back-office/publipostages/{id}/resultat"),
        )
        .await;
    assert_ne!(response.status(), StatusCode::OK);
    // A template of A cannot be used at B.
    let template = template_id(&app, "ca").await;
    let response = create(
        &app,
        &b.admin,
        "cb",
        &[("source", "liste"), ("template_id", &template)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // A's result is still there for A.
    assert_eq!(
        download(&app, &a.admin, "ca", &id).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_merge_prints_the_letterhead_its_template_chose() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let filed = dossiers(&app, &citizen, &c, "ca", 2, "44000").await;
    // The favourable answer, on the département's letterhead instead of the commune's.
    app.sql(
        "UPDATE tenant_ca.letter_templates SET letterhead = 'propre',
             source = '#en-tete[Département de Loire-Atlantique]' || chr(10) ||
                      replace(source, '#collectivite.nom', 'la mairie')
         WHERE kind = 'reponse_favorable'",
    )
    .await;

    let pasted = format!("{}\n{}", filed[0].0, filed[1].0);
    let id = created(
        &app,
        &c.admin,
        "ca",
        &[
            ("source", "references"),
            ("references", &pasted),
            ("output", "pdf"),
        ],
    )
    .await;
    let merge = finished(&app, &c.admin, "ca", &id).await;
    assert_eq!(merge["status"], "done", "{merge}");
    let text = pdf_text(
        &download(&app, &c.admin, "ca", &id)
            .await
            .bytes()
            .await
            .unwrap(),
    );
    assert_eq!(
        text.matches("Département de Loire-Atlantique").count(),
        2,
        "{text}"
    );
    // The commune is named only where the letter names it (its signature block), never as a
    // letterhead.
    assert_eq!(
        text.matches("Commune").count(),
        text.matches("Les services de Commune").count(),
        "{text}"
    );
    assert!(text.contains("avis favorable"), "{text}");
}

#[tokio::test]
async fn a_merge_result_is_uploaded_to_the_bucket_and_downloaded_from_it() {
    let bucket = shared_bucket().await;
    let app = spawn_app_with_s3(bucket.clone()).await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let filed = dossiers(&app, &citizen, &c, "ca", 3, "44000").await;

    let id = created(
        &app,
        &c.admin,
        "ca",
        &[
            ("source", "liste"),
            ("filter", ""),
            ("send_emails", "false"),
        ],
    )
    .await;
    let merge = finished(&app, &c.admin, "ca", &id).await;
    assert_eq!(merge["status"], "done", "{merge}");

    // In the bucket under the commune's prefix; no local copy or scratch file left.
    let key = app
        .text(&format!(
            "SELECT result_key FROM tenant_ca.mail_merges WHERE id = '{id}'"
        ))
        .await;
    assert_eq!(
        bucket.keys("tenant_ca/").await,
        vec![format!("tenant_ca/{}", key.replace('-', ""))]
    );
    assert_eq!(bucket.unfinished_uploads().await, Vec::<String>::new());
    assert_eq!(stored_files(&app, "ca"), Vec::<String>::new());
    let response = download(&app, &c.admin, "ca", &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert_eq!(merge["result_size"].as_u64(), Some(bytes.len() as u64));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(archive.len(), 3);
    for (reference, name) in &filed {
        let mut pdf = Vec::new();
        archive
            .by_name(&format!("courrier-{reference}.pdf"))
            .unwrap()
            .read_to_end(&mut pdf)
            .unwrap();
        assert!(pdf_text(&pdf).contains(name.as_str()));
    }
}
