#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Citizens filing démarches: drafts step by step (plain multipart posts, as a browser without
//! WASM sends them), attachments, submission with a reference and an acknowledgement mail,
//! follow-up with live status, and tenant isolation of all of it.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_message, spawn_app};

pub(crate) const PDF: &[u8] =
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
pub(crate) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// Two steps: who (name, company yes/no, SIRET only for companies), then a PDF attachment.
pub(crate) fn permit_document(audience: &str, extra_required: Option<&str>) -> String {
    let mut who = vec![
        json!({ "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } }),
        json!({ "code": "courriel", "label": "Courriel", "required": audience == "anonymous_allowed", "kind": { "email": {} } }),
        json!({ "code": "entreprise", "label": "Êtes-vous une entreprise ?", "required": true, "kind": { "yes_no": {} } }),
        json!({ "code": "siret", "label": "SIRET", "required": true, "kind": { "siret": {} },
                "condition": { "compare": { "field": "entreprise", "op": "eq", "value": { "yes_no": true } } } }),
    ];
    if let Some(code) = extra_required {
        who.push(json!({ "code": code, "label": "Nouveau", "required": true, "kind": { "short_text": {} } }));
    }
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Permis de végétaliser", "description": "Jardiner la rue.", "rubrique": "Voirie",
                      "audience": audience, "state": "draft" },
        "definition": { "steps": [
            { "code": "qui", "title": "Vous", "fields": who },
            { "code": "pieces", "title": "Pièces", "fields": [
                { "code": "plan", "label": "Plan", "required": true,
                  "kind": { "files": { "accepted_types": ["application/pdf"], "max_size_bytes": 1000, "max_files": 2 } } }
            ] }
        ] }
    })
    .to_string()
}

/// Creates and publishes the démarche at `slug` as its admin; returns its id.
pub(crate) async fn publish(app: &TestApp, slug: &str, document: &str) -> String {
    let admin = app.admin(slug).await;
    publish_with(app, &admin, slug, None, document).await
}

pub(crate) async fn publish_with(
    app: &TestApp,
    admin: &reqwest::Client,
    slug: &str,
    id: Option<&str>,
    document: &str,
) -> String {
    let id = match id {
        Some(id) => id.to_owned(),
        None => {
            let created = app
                .post(admin, slug, "demarches/create", &[("title", "Permis")])
                .await;
            assert_eq!(created.status(), StatusCode::OK);
            created
                .json::<Value>()
                .await
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let saved = app
        .post(
            admin,
            slug,
            "demarches/save",
            &[("id", &id), ("document", document)],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let published = app
        .post(admin, slug, "demarches/publish", &[("id", &id)])
        .await;
    assert_eq!(
        published.status(),
        StatusCode::OK,
        "{}",
        published.text().await.unwrap()
    );
    id
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no redirect: {}", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Starts (or resumes) a draft; returns its key.
pub(crate) async fn start(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
    fresh: bool,
) -> String {
    let mut form = vec![("demarche", id)];
    if fresh {
        form.push(("fresh", "1"));
    }
    let response = app.post(client, slug, "portal/start", &form).await;
    let to = location(&response);
    let key = to
        .strip_prefix("/brouillons/")
        .and_then(|rest| rest.strip_suffix("?etape=1"))
        .unwrap_or_else(|| panic!("unexpected redirect {to}"));
    key.to_owned()
}

/// Posts a step form the way a browser without WASM does; returns where it redirects.
pub(crate) async fn post_step(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    key: &str,
    step: usize,
    fields: &[(&str, &str)],
    files: Vec<(&str, &str, &'static [u8])>,
) -> reqwest::Response {
    let mut form = Form::new().text("step", step.to_string());
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (field, name, bytes) in files {
        form = form.part(
            field.to_owned(),
            Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    client
        .post(app.url(slug, &format!("/brouillons/{key}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn draft(app: &TestApp, client: &reqwest::Client, slug: &str, key: &str) -> Value {
    let response = app
        .post(
            client,
            slug,
            "portal/draft",
            &[("key", key), ("summary", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.unwrap()
}

fn problems(draft: &Value) -> Vec<(String, String)> {
    draft["Open"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub(crate) async fn signed_in_citizen(app: &TestApp, slug: &str, email: &str) -> reqwest::Client {
    let client = app.client();
    app.citizen(&client, slug, email, "Tournesol-Jardin-44")
        .await;
    client
}

#[tokio::test]
async fn a_citizen_fills_a_demarche_step_by_step_attaches_a_file_and_submits_it() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let id = publish(&app, "ca", &permit_document("identified_only", None)).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let key = start(&app, &citizen, "ca", &id, false).await;

    // Nothing typed: the step is refused with a message per field, and stays where it is.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[("_action", "next")],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=1"));
    let found = problems(&draft(&app, &citizen, "ca", &key).await);
    let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, vec!["nom", "entreprise"]);
    assert_eq!(found[0].1, "Ce champ est obligatoire.");

    // A company must give its SIRET: the conditional field is now required; what was typed is kept.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("entreprise", "oui"),
            ("siret", "123"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=1"));
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(problems(&state)[0].0, "siret");
    assert_eq!(state["Open"]["answers"]["nom"], json!({ "text": "Dupont" }));

    // Not a company: the SIRET is hidden, no longer required, and its answer will be dropped.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("entreprise", "non"),
            ("siret", "123"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=2"));

    // Attachments: the type is sniffed from the bytes and the size enforced; nothing refused is kept.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        1,
        &[("_action", "next")],
        vec![("plan", "plan.pdf", PNG)],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=2"));
    let found = problems(&draft(&app, &citizen, "ca", &key).await);
    assert!(
        found[0].1.contains("plan.pdf") && found[0].1.contains("application/pdf"),
        "{found:?}"
    );
    let big: &'static [u8] = Box::leak([PDF, &[b' '; 2000]].concat().into_boxed_slice());
    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        1,
        &[("_action", "next")],
        vec![("plan", "gros.pdf", big)],
    )
    .await;
    let found = problems(&draft(&app, &citizen, "ca", &key).await);
    assert!(found[0].1.contains("gros.pdf"), "{found:?}");
    assert_eq!(app.count("tenant_ca.attachments").await, 0);

    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        1,
        &[("_action", "next")],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/brouillons/{key}/recapitulatif")
    );
    let summary = app
        .post(
            &citizen,
            "ca",
            "portal/draft",
            &[("key", &key), ("summary", "true")],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let lines: Vec<&str> = summary["Summary"][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec!["Nom", "Êtes-vous une entreprise ?", "Plan"],
        "the hidden SIRET is not summarised"
    );

    let response = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    let year = time::OffsetDateTime::now_utc().year();
    let reference = format!("{year}-000001");
    assert_eq!(location(&response), format!("/mes-demandes/{reference}"));
    // A second click finds the same dossier rather than a duplicate.
    let again = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    assert_eq!(location(&again), format!("/mes-demandes/{reference}"));
    assert_eq!(app.count("tenant_ca.dossiers").await, 1);

    let mail = app
        .smtp
        .wait_for("jeanne@example.org", 2)
        .await
        .pop()
        .unwrap();
    assert!(mail.subject.contains(&reference), "{}", mail.subject);
    assert!(mail.body.contains(&reference) && mail.body.contains("Permis de végétaliser"));

    let dossier = app
        .post(
            &citizen,
            "ca",
            "portal/dossier",
            &[("reference", reference.as_str())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(dossier["status"], "recu");
    let answers = dossier["answers"].as_array().unwrap();
    assert!(answers.iter().all(|l| l["label"] != "SIRET"));
    let file_id = answers[2]["files"][0][0].as_str().unwrap().to_owned();
    let download = app.get(&citizen, "ca", &format!("/pieces/{file_id}")).await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    // Another citizen of the same commune sees none of it.
    let other = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let response = app.get(&other, "ca", &format!("/pieces/{file_id}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(
            &other,
            "ca",
            "portal/dossier",
            &[("reference", reference.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(
            &other,
            "ca",
            "portal/draft",
            &[("key", &key), ("summary", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let mine = app
        .post(&citizen, "ca", "portal/my_dossiers", &[])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(mine[0]["reference"], reference.as_str());
    let theirs = app
        .post(&other, "ca", "portal/my_dossiers", &[])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(theirs, json!([]));
}

#[tokio::test]
async fn one_draft_per_demarche_unless_the_citizen_starts_another_and_old_versions_stay_valid() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let admin = app.admin("ca").await;
    let id = publish_with(
        &app,
        &admin,
        "ca",
        None,
        &permit_document("identified_only", None),
    )
    .await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let first = start(&app, &citizen, "ca", &id, false).await;
    assert_eq!(
        start(&app, &citizen, "ca", &id, false).await,
        first,
        "resumed, not duplicated"
    );
    let second = start(&app, &citizen, "ca", &id, true).await;
    assert_ne!(second, first);
    let drafts = app
        .post(&citizen, "ca", "portal/my_drafts", &[])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(drafts.as_array().unwrap().len(), 2);

    post_step(
        &app,
        &citizen,
        "ca",
        &first,
        0,
        &[("nom", "Dupont"), ("entreprise", "non")],
        vec![],
    )
    .await;
    post_step(
        &app,
        &citizen,
        "ca",
        &first,
        1,
        &[],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    // A new version adds a required field; the draft was started on version 1 and is checked
    // against it.
    publish_with(
        &app,
        &admin,
        "ca",
        Some(&id),
        &permit_document("identified_only", Some("nouveau")),
    )
    .await;
    let response = app
        .post(&citizen, "ca", "portal/submit", &[("key", &first)])
        .await;
    assert!(
        location(&response).starts_with("/mes-demandes/"),
        "{}",
        location(&response)
    );
    let versions = app.count("tenant_ca.dossiers WHERE version = 1").await;
    assert_eq!(versions, 1);

    // A draft on the new version needs the new field: submission sends the citizen back to it.
    let third = start(&app, &citizen, "ca", &id, true).await;
    post_step(
        &app,
        &citizen,
        "ca",
        &third,
        0,
        &[("nom", "Dupont"), ("entreprise", "non")],
        vec![],
    )
    .await;
    let response = app
        .post(&citizen, "ca", "portal/submit", &[("key", &third)])
        .await;
    assert_eq!(location(&response), format!("/brouillons/{third}?etape=1"));
    let found = problems(&draft(&app, &citizen, "ca", &third).await);
    assert_eq!(found[0].0, "nouveau");

    // Giving up a draft deletes it.
    let response = app
        .post(&citizen, "ca", "portal/discard", &[("key", &second)])
        .await;
    assert_eq!(location(&response), "/mes-demarches");
    let response = app
        .post(
            &citizen,
            "ca",
            "portal/draft",
            &[("key", &second), ("summary", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// Reads the next `status` event of a server-sent event stream.
/// Takes a transition of the default workflow (`t1`: Reçu → En cours d'instruction…).
pub(crate) async fn transition(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    reference: &str,
    transition: &str,
) -> reqwest::Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    app.post(
        client,
        slug,
        "backoffice/act",
        &[
            ("reference", reference),
            ("action", "transition"),
            ("transition", transition),
            ("request_id", &request_id),
        ],
    )
    .await
}

pub(crate) async fn next_status(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
) -> String {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                let value: Value = serde_json::from_str(data.trim()).unwrap();
                return value["status"].as_str().unwrap().to_owned();
            }
            continue;
        }
        // A guard against a hang, not a wait: the event arrives as soon as it is sent.
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("no event within 20 s")
            .expect("stream ended")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn an_anonymous_citizen_follows_a_dossier_whose_status_changes_live() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let admin = app.admin("ca").await;
    let id = publish_with(
        &app,
        &admin,
        "ca",
        None,
        &permit_document("anonymous_allowed", None),
    )
    .await;
    let visitor = app.client();
    let key = start(&app, &visitor, "ca", &id, false).await;
    post_step(
        &app,
        &visitor,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("courriel", "anonyme@example.org"),
            ("entreprise", "non"),
        ],
        vec![],
    )
    .await;
    post_step(
        &app,
        &visitor,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    let response = app
        .post(&visitor, "ca", "portal/submit", &[("key", &key)])
        .await;
    let tracking = location(&response);
    let tracking_key = tracking
        .strip_prefix("/suivi/")
        .expect("a tracking link")
        .to_owned();
    let mail = app
        .smtp
        .wait_for("anonyme@example.org", 1)
        .await
        .pop()
        .unwrap();
    assert!(
        mail.body.contains(&tracking),
        "the acknowledgement carries the tracking link"
    );

    let events = app
        .get(
            &visitor,
            "ca",
            &format!("/api/suivi/{tracking_key}/evenements"),
        )
        .await;
    assert_eq!(events.status(), StatusCode::OK);
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = events.bytes_stream();
    let mut buffer = String::new();
    assert_eq!(next_status(&mut stream, &mut buffer).await, "recu");

    let reference = format!("{}-000001", time::OffsetDateTime::now_utc().year());
    app.grant("ca", "admin@ca.test", None, "modification").await;
    // Citizens cannot change statuses; agents can, and the watching page hears it.
    let refused = transition(&app, &visitor, "ca", &reference, "t5").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let bad = transition(&app, &admin, "ca", &reference, "perdu").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(bad).await.contains("circuit"));
    let changed = transition(&app, &admin, "ca", &reference, "t1").await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        next_status(&mut stream, &mut buffer).await,
        "en_instruction"
    );
    let mail = app
        .smtp
        .wait_for("anonyme@example.org", 2)
        .await
        .pop()
        .unwrap();
    assert!(mail.body.contains("En cours d'instruction"));

    let dossier = app
        .post(
            &visitor,
            "ca",
            "portal/dossier",
            &[("tracking", tracking_key.as_str())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let history: Vec<&str> = dossier["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        vec!["Dossier déposé", "Statut : En cours d'instruction"]
    );
}

#[tokio::test]
async fn demarches_drafts_dossiers_and_files_of_a_tenant_are_unreachable_from_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let id = publish(&app, "ca", &permit_document("anonymous_allowed", None)).await;
    let visitor = app.client();
    let key = start(&app, &visitor, "ca", &id, false).await;
    post_step(
        &app,
        &visitor,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("courriel", "a@example.org"),
            ("entreprise", "non"),
        ],
        vec![],
    )
    .await;
    post_step(
        &app,
        &visitor,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    let state = draft(&app, &visitor, "ca", &key).await;
    let file_id = state["Open"]["answers"]["plan"]["files"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The same ids and keys, replayed at tenant B.
    let response = app
        .post(&visitor, "cb", "portal/demarche_start", &[("id", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(&visitor, "cb", "portal/start", &[("demarche", &id)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(
            &visitor,
            "cb",
            "portal/draft",
            &[("key", &key), ("summary", "false")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = post_step(&app, &visitor, "cb", &key, 0, &[("nom", "Pirate")], vec![]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .get(
            &visitor,
            "cb",
            &format!("/pieces/{file_id}?brouillon={key}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let upload = visitor
        .post(app.url("cb", &format!("/api/brouillons/{key}/pieces")))
        .multipart(Form::new().part("plan", Part::bytes(PDF).file_name("x.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::NOT_FOUND);
    let response = app
        .post(&visitor, "cb", "portal/submit", &[("key", &key)])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // At A, with the draft's key, the file is there.
    let response = app
        .get(
            &visitor,
            "ca",
            &format!("/pieces/{file_id}?brouillon={key}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let tracking = location(
        &app.post(&visitor, "ca", "portal/submit", &[("key", &key)])
            .await,
    );
    let tracking_key = tracking.strip_prefix("/suivi/").unwrap();
    let response = app
        .post(
            &visitor,
            "cb",
            "portal/dossier",
            &[("tracking", tracking_key)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .get(
            &visitor,
            "cb",
            &format!("/api/suivi/{tracking_key}/evenements"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let reference = format!("{}-000001", time::OffsetDateTime::now_utc().year());
    let admin_b = app.admin("cb").await;
    app.grant("cb", "admin@cb.test", None, "gestion").await;
    let response = transition(&app, &admin_b, "cb", &reference, "t1").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // Each tenant numbers its own dossiers, and B's files are in B's folder only.
    assert_eq!(app.count("tenant_cb.dossiers").await, 0);
    assert_eq!(app.count("tenant_ca.dossiers").await, 1);
}

#[tokio::test]
async fn closed_and_unpublished_demarches_are_not_offered_and_say_why() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let document = permit_document("anonymous_allowed", None).replace(
        "\"state\":\"draft\"",
        "\"state\":\"draft\",\"publication\":{\"from\":\"2099-01-01\"}",
    );
    assert!(document.contains("2099"), "{document}");
    let id = publish_with(&app, &admin, "ca", None, &document).await;
    let visitor = app.client();
    let start = app
        .post(&visitor, "ca", "portal/demarche_start", &[("id", &id)])
        .await
        .text()
        .await
        .unwrap();
    let start: Value = serde_json::from_str(&start).expect(&start);
    assert_eq!(start["availability"], json!({ "NotYetOpen": "01/01/2099" }));
    let response = app
        .post(&visitor, "ca", "portal/start", &[("demarche", &id)])
        .await;
    assert_eq!(
        location(&response),
        format!("/demarches/{id}"),
        "back to the page that explains"
    );
    assert_eq!(app.count("tenant_ca.dossier_drafts").await, 0);
    let page = app
        .get(&visitor, "ca", &format!("/demarches/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("ouvrira le 01/01/2099"), "{page}");

    let created = app
        .post(&admin, "ca", "demarches/create", &[("title", "Brouillon")])
        .await
        .json::<Value>()
        .await
        .unwrap();
    let response = app
        .post(
            &visitor,
            "ca",
            "portal/demarche_start",
            &[("id", created.as_str().unwrap())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// The opening tag of the element whose id is `id` in `html`.
fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!(" id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// The text of the element whose id is `id` (up to its first child's end), without markup.
fn text_of(html: &str, id: &str) -> String {
    let tag = tag_with_id(html, id);
    let start = html.find(tag).unwrap() + tag.len();
    let rest = &html[start..];
    let end = rest.find("</").unwrap();
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[tokio::test]
async fn without_javascript_each_problem_is_named_beside_its_field_and_in_a_linked_summary() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let document = json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Inscription", "rubrique": "Enfance", "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [ { "code": "foyer", "title": "Le foyer", "fields": [
            { "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } },
            { "code": "personnes", "label": "Personne", "kind": { "group": { "min_items": 1, "max_items": 5, "fields": [
                { "code": "prenom", "label": "Prénom", "required": true, "kind": { "short_text": {} } },
                { "code": "naissance", "label": "Date de naissance", "required": true, "kind": { "date": {} } }
            ] } } }
        ] } ] }
    })
    .to_string();
    let id = publish(&app, "ca", &document).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let key = start(&app, &citizen, "ca", &id, false).await;

    // Three people, the third without a birth date; no name.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("personnes.items", "3"),
            ("personnes[0].prenom", "Léa"),
            ("personnes[0].naissance", "2015-04-02"),
            ("personnes[1].prenom", "Tom"),
            ("personnes[1].naissance", "2017-09-12"),
            ("personnes[2].prenom", "Zoé"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=1"));
    let page = app
        .get(&citizen, "ca", &format!("/brouillons/{key}?etape=1"))
        .await
        .text()
        .await
        .unwrap();

    // The summary names each field (and the item) and links to its control.
    let summary = &page[page.find("id=\"problemes\"").expect("a summary")..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert!(
        summary.contains("<a href=\"#champ-nom\">Nom : ce champ est obligatoire.</a>"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "<a href=\"#champ-personnes-2-naissance\">Personne n° 3 — Date de naissance : ce champ est obligatoire.</a>"
        ),
        "{summary}"
    );
    assert_eq!(summary.matches("<li>").count(), 2, "{summary}");
    // Beside each field, its message, linked to the control; the group itself has none.
    for id in ["champ-nom", "champ-personnes-2-naissance"] {
        let control = tag_with_id(&page, id);
        assert!(control.contains("aria-invalid=\"true\""), "{control}");
        assert!(
            control.contains(&format!("aria-describedby=\"{id}-erreur\"")),
            "{control}"
        );
        assert_eq!(
            text_of(&page, &format!("{id}-erreur")),
            "Ce champ est obligatoire."
        );
    }
    assert!(tag_with_id(&page, "champ-personnes-1-naissance").contains("aria-invalid=\"false\""));
    assert!(tag_with_id(&page, "champ-personnes-erreur").contains("hidden"));
    assert!(tag_with_id(&page, "champ-personnes-1-naissance-erreur").contains("hidden"));
}
