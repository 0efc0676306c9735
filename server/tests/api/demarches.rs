#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Démarches: drafts, publication of immutable versions, the portal catalogue, import/export.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

fn document(title: &str, field_codes: &[&str]) -> String {
    let fields: Vec<Value> = field_codes
        .iter()
        .map(|code| json!({ "code": code, "label": format!("Champ {code}"), "required": true, "kind": { "short_text": {} } }))
        .collect();
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": title, "rubrique": "Enfance", "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [ { "code": "enfant", "title": "L'enfant", "fields": fields } ] }
    })
    .to_string()
}

async fn json(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// A manager of `slug`, signed in.
async fn designer(app: &TestApp, slug: &str) -> reqwest::Client {
    app.admin(slug).await
}

async fn create(app: &TestApp, client: &reqwest::Client, slug: &str, title: &str) -> String {
    let response = app
        .post(client, slug, "demarches/create", &[("title", title)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_designer_drafts_and_publishes_a_demarche_that_only_its_own_portal_offers() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let a = designer(&app, "ca").await;
    let b = designer(&app, "cb").await;

    let id = create(&app, &a, "ca", "Inscription à la cantine").await;
    // A draft may be incomplete; saving says what still blocks publication.
    let saved = app
        .post(
            &a,
            "ca",
            "demarches/save",
            &[
                ("id", &id),
                ("document", &document("Inscription à la cantine", &[])),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(
        !json(saved).await.as_array().unwrap().is_empty(),
        "an empty step is reported"
    );
    let saved = app
        .post(
            &a,
            "ca",
            "demarches/save",
            &[
                ("id", &id),
                (
                    "document",
                    &document("Inscription à la cantine", &["prenom"]),
                ),
            ],
        )
        .await;
    assert_eq!(json(saved).await, json!([]));
    assert_eq!(
        json(app.post(&a, "ca", "demarches/catalogue", &[]).await).await,
        json!([]),
        "drafts are not offered"
    );

    let published = app
        .post(&a, "ca", "demarches/publish", &[("id", &id)])
        .await;
    assert_eq!(json(published).await, json!(1));
    let catalogue = json(
        app.post(&app.client(), "ca", "demarches/catalogue", &[])
            .await,
    )
    .await;
    assert_eq!(catalogue[0]["title"], "Inscription à la cantine");
    assert_eq!(catalogue[0]["version"], 1);

    // Commune B sees nothing of it, even with its id.
    assert_eq!(
        json(
            app.post(&app.client(), "cb", "demarches/catalogue", &[])
                .await
        )
        .await,
        json!([])
    );
    assert_eq!(
        json(app.post(&b, "cb", "demarches/list", &[]).await).await,
        json!([])
    );
    for (endpoint, form) in [
        ("demarches/publish", vec![("id", id.as_str())]),
        ("demarches/export", vec![("id", id.as_str())]),
    ] {
        assert_eq!(
            app.post(&b, "cb", endpoint, &form).await.status(),
            StatusCode::NOT_FOUND,
            "{endpoint}"
        );
    }
    let doc = document("Piratée", &["x"]);
    let overwrite = app
        .post(
            &b,
            "cb",
            "demarches/save",
            &[("id", &id), ("document", &doc)],
        )
        .await;
    assert_eq!(overwrite.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("tenant_ca.demarches WHERE draft->'demarche'->>'title' = 'Piratée'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_definition_that_cannot_be_published_is_refused_with_every_problem_and_nothing_is_published()
 {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = designer(&app, "ca").await;
    let id = create(&app, &a, "ca", "Carte de stationnement").await;
    let doc = document(
        "Carte de stationnement",
        &["plaque", "plaque", "Mauvais Code"],
    );
    app.post(
        &a,
        "ca",
        "demarches/save",
        &[("id", &id), ("document", &doc)],
    )
    .await;

    let refused = app
        .post(&a, "ca", "demarches/publish", &[("id", &id)])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problems = json(refused).await["Rejected"]["problems"]
        .as_array()
        .unwrap()
        .clone();
    assert!(problems.len() >= 2, "{problems:?}");
    assert!(
        problems
            .iter()
            .all(|p| !p["path"].as_str().unwrap().is_empty()
                && !p["message"].as_str().unwrap().is_empty())
    );
    assert_eq!(app.count("tenant_ca.demarche_versions").await, 0);
    assert_eq!(
        app.count("tenant_ca.demarches WHERE state = 'draft'").await,
        1
    );
}

#[tokio::test]
async fn editing_after_publication_works_on_the_draft_while_published_versions_stay_frozen() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = designer(&app, "ca").await;
    let id = create(&app, &a, "ca", "Cantine").await;
    app.post(
        &a,
        "ca",
        "demarches/save",
        &[("id", &id), ("document", &document("Cantine", &["prenom"]))],
    )
    .await;
    assert_eq!(
        json(
            app.post(&a, "ca", "demarches/publish", &[("id", &id)])
                .await
        )
        .await,
        json!(1)
    );
    // Publishing again without a change makes no new version.
    assert_eq!(
        json(
            app.post(&a, "ca", "demarches/publish", &[("id", &id)])
                .await
        )
        .await,
        json!(1)
    );

    app.post(
        &a,
        "ca",
        "demarches/save",
        &[
            ("id", &id),
            ("document", &document("Cantine 2027", &["prenom", "nom"])),
        ],
    )
    .await;
    let list = json(app.post(&a, "ca", "demarches/list", &[]).await).await;
    assert_eq!(
        (
            list[0]["title"].clone(),
            list[0]["unpublished_changes"].clone()
        ),
        (json!("Cantine 2027"), json!(true))
    );
    let catalogue = json(app.post(&a, "ca", "demarches/catalogue", &[]).await).await;
    assert_eq!(
        catalogue[0]["title"], "Cantine",
        "citizens keep seeing version 1 until the next publication"
    );

    assert_eq!(
        json(
            app.post(&a, "ca", "demarches/publish", &[("id", &id)])
                .await
        )
        .await,
        json!(2)
    );
    assert_eq!(
        json(app.post(&a, "ca", "demarches/catalogue", &[]).await).await[0]["title"],
        "Cantine 2027"
    );
    assert_eq!(
        app.count("tenant_ca.demarche_versions WHERE document->'demarche'->>'title' = 'Cantine'")
            .await,
        1
    );

    // The database itself refuses to change a published version.
    for statement in [
        "UPDATE tenant_ca.demarche_versions SET document = '{}'::jsonb",
        "DELETE FROM tenant_ca.demarche_versions",
    ] {
        let error = app
            .state
            .pool()
            .execute_unprepared(statement)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("immutable"), "{error}");
    }
}

#[tokio::test]
async fn importing_a_document_says_exactly_what_is_wrong_and_a_good_one_round_trips() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let a = designer(&app, "ca").await;
    let b = designer(&app, "cb").await;

    let cases: [(String, &str); 3] = [
        (
            "{\"format\": \"guichet.demarche\",\n  \"format_version\": }".to_owned(),
            "2:21",
        ),
        (
            json!({ "format": "autre", "format_version": 1 }).to_string(),
            "format",
        ),
        (
            document("Cantine", &["prenom"]).replace("\"rubrique\"", "\"rubrik\""),
            "demarche",
        ),
    ];
    for (bad, path) in cases {
        let response = app
            .post(&a, "ca", "demarches/import", &[("document", &bad)])
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        let problems = json(response).await["Rejected"]["problems"].clone();
        assert!(
            problems[0]["path"].as_str().unwrap().starts_with(path),
            "{problems}"
        );
    }
    assert_eq!(app.count("tenant_ca.demarches").await, 0);

    // Commune A shares its démarche as a document; commune B imports it as its own draft.
    let id = create(&app, &a, "ca", "Cantine").await;
    app.post(
        &a,
        "ca",
        "demarches/save",
        &[("id", &id), ("document", &document("Cantine", &["prenom"]))],
    )
    .await;
    let exported = json(app.post(&a, "ca", "demarches/export", &[("id", &id)]).await).await;
    let imported = app
        .post(
            &b,
            "cb",
            "demarches/import",
            &[("document", exported.as_str().unwrap())],
        )
        .await;
    assert_eq!(imported.status(), StatusCode::OK);
    let copy = json(imported).await;
    let again = json(
        app.post(
            &b,
            "cb",
            "demarches/export",
            &[("id", copy.as_str().unwrap())],
        )
        .await,
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(again.as_str().unwrap()).unwrap(),
        serde_json::from_str::<Value>(exported.as_str().unwrap()).unwrap()
    );
    assert_eq!(
        app.count("tenant_cb.demarches WHERE state = 'draft'").await,
        1
    );
}

#[tokio::test]
async fn only_managers_and_admins_design_demarches() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = designer(&app, "ca").await;
    for (email, role) in [("agent@ca.test", "agent"), ("resp@ca.test", "manager")] {
        app.post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[("email", email), ("display_name", "Agent"), ("role", role)],
        )
        .await;
    }
    let agent = app
        .accept_invitation("ca", "agent@ca.test", "Velo-Rouge-2026")
        .await;
    let manager = app
        .accept_invitation("ca", "resp@ca.test", "Velo-Bleu-2026")
        .await;

    let refused = app
        .post(&agent, "ca", "demarches/create", &[("title", "X")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.post(&app.client(), "ca", "demarches/list", &[])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    create(&app, &manager, "ca", "Permis de louer").await;

    let empty = app
        .post(&manager, "ca", "demarches/create", &[("title", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.count("tenant_ca.demarches").await, 1);
}

#[tokio::test]
async fn the_designer_opens_the_draft_next_to_the_last_published_version_of_its_own_tenant_only() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let a = designer(&app, "ca").await;
    let b = designer(&app, "cb").await;
    let id = create(&app, &a, "ca", "Cantine").await;

    let opened = app
        .post(&a, "ca", "demarches/designer", &[("id", &id)])
        .await;
    assert_eq!(opened.status(), StatusCode::OK);
    let opened = json(opened).await;
    assert_eq!(opened["id"], id.as_str());
    assert_eq!(opened["draft"]["demarche"]["title"], "Cantine");
    assert_eq!(opened["draft"]["format"], "guichet.demarche");
    assert_eq!(opened["published"], Value::Null);
    assert_eq!(opened["state"], "draft");

    app.post(
        &a,
        "ca",
        "demarches/save",
        &[("id", &id), ("document", &document("Cantine", &["prenom"]))],
    )
    .await;
    app.post(&a, "ca", "demarches/publish", &[("id", &id)])
        .await;
    app.post(
        &a,
        "ca",
        "demarches/save",
        &[
            ("id", &id),
            ("document", &document("Cantine", &["prenom", "nom"])),
        ],
    )
    .await;
    let opened = json(
        app.post(&a, "ca", "demarches/designer", &[("id", &id)])
            .await,
    )
    .await;
    assert_eq!(opened["current_version"], 1);
    assert_eq!(opened["state"], "published");
    let codes = |document: &Value| -> Vec<String> {
        document["definition"]["steps"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes(&opened["draft"]), ["prenom", "nom"]);
    assert_eq!(codes(&opened["published"]), ["prenom"]);

    // Another commune's designer, an anonymous visitor and a bad id get nothing.
    assert_eq!(
        app.post(&b, "cb", "demarches/designer", &[("id", &id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&app.client(), "ca", "demarches/designer", &[("id", &id)])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post(&a, "ca", "demarches/designer", &[("id", "pas-un-id")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// What the designer's "Service destinataire par défaut" offers: the org API it loads, asked
/// at `slug`, as (id, path) pairs.
async fn service_choices(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
) -> Vec<(String, String)> {
    let response = app.post(client, slug, "org/services", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_default_service_is_chosen_among_the_communes_own_services_and_never_another_communes()
{
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let a = designer(&app, "ca").await;
    let b = designer(&app, "cb").await;
    for (client, slug, name) in [(&a, "ca", "Voirie"), (&b, "cb", "Espace public")] {
        let created = app
            .post(
                client,
                slug,
                "org/create_service",
                &[("name", name), ("kind", "service"), ("parent", "")],
            )
            .await;
        assert_eq!(created.status(), StatusCode::OK);
    }

    let choices = service_choices(&app, &a, "ca").await;

    let paths: Vec<&str> = choices.iter().map(|(_, path)| path.as_str()).collect();
    assert!(paths.contains(&"Voirie"), "{paths:?}");
    assert!(!paths.contains(&"Espace public"), "{paths:?}");
    let ids_of_a = app
        .text("SELECT string_agg(id::text, ',' ORDER BY id) FROM tenant_ca.services")
        .await;
    let mut offered: Vec<&str> = choices.iter().map(|(id, _)| id.as_str()).collect();
    offered.sort_unstable();
    assert_eq!(
        offered.join(","),
        ids_of_a,
        "every service of A, and only those"
    );
    // A's designer signed in at B is not let in B's chart.
    let crossed = app.post(&a, "cb", "org/services", &[]).await;
    assert_ne!(crossed.status(), StatusCode::OK);
}
