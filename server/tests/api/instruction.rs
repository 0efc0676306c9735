#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The instruction designer: a démarche's workflow, routing and deadlines, validated on each
//! element, never saved with a problem, never losing a status that dossiers are in, and
//! unreachable from another commune.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// One step: a name, an email (anonymous dossiers are followed by mail), an address.
fn document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Signalement", "rubrique": "Voirie", "audience": "anonymous_allowed", "state": "draft" },
        "definition": { "steps": [ { "code": "signalement", "title": "Signalement", "fields": [
            { "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } },
            { "code": "courriel", "label": "Courriel", "required": true, "kind": { "email": {} } },
            { "code": "lieu", "label": "Lieu", "kind": { "address": {} } }
        ] } ] }
    })
    .to_string()
}

/// Creates, saves and publishes the démarche; returns its id.
async fn demarche(app: &TestApp, admin: &reqwest::Client, slug: &str) -> String {
    let id = json(
        app.post(admin, slug, "demarches/create", &[("title", "Signalement")])
            .await,
    )
    .await
    .as_str()
    .unwrap()
    .to_owned();
    json(
        app.post(
            admin,
            slug,
            "demarches/save",
            &[("id", &id), ("document", &document())],
        )
        .await,
    )
    .await;
    json(
        app.post(admin, slug, "demarches/publish", &[("id", &id)])
            .await,
    )
    .await;
    id
}

async fn load(app: &TestApp, client: &reqwest::Client, slug: &str, id: &str) -> Value {
    json(
        app.post(client, slug, "instruction/load", &[("demarche", id)])
            .await,
    )
    .await
}

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
    instruction: &Value,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "instruction/save",
        &[("demarche", id), ("document", &instruction.to_string())],
    )
    .await
}

fn paths(problems: &Value) -> Vec<String> {
    problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_invalid_instruction_comes_back_with_its_problems_and_nothing_is_saved() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = demarche(&app, &admin, "ca").await;

    let page = load(&app, &admin, "ca", &id).await;
    let fields: Vec<&str> = page["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[0].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "nom",
            "courriel",
            "lieu.postcode",
            "lieu.commune",
            app::workflow::model::CONTEXT_FIELD
        ]
    );
    assert_eq!(page["services"][0][1], "Accueil");
    let default = page["instruction"].clone();
    assert_eq!(default["workflow"]["initial"], "recu");

    let mut broken = default.clone();
    broken["workflow"]["statuses"][1]["colour"] = json!("rouge");
    broken["workflow"]["transitions"][0]["to"] = json!("nulle_part");
    broken["routing"]["default_service"] = json!("7d0c3b9e-0000-4000-8000-000000000000");
    broken["routing"]["rules"] = json!([{ "field": "lieu.postcode", "values": [" "], "service_id": "00000000-0000-4000-8000-000000000001" }]);
    broken["deadlines"] = json!({ "max_days": 10, "alert_days": 12, "silence": "acceptation" });
    let problems = json(save(&app, &admin, "ca", &id, &broken).await).await;
    assert_eq!(
        paths(&problems),
        vec![
            "statuses[1].colour",
            "transitions[0].to",
            "routing.default_service",
            "routing.rules[0].values",
            "deadlines.alert_days",
            "deadlines.silence_days",
        ]
    );
    assert_eq!(
        problems[0]["message"],
        "La couleur s'écrit #rrvvbb (par exemple #0063cb)."
    );
    assert_eq!(
        load(&app, &admin, "ca", &id).await["instruction"],
        default,
        "nothing saved"
    );
    assert_eq!(app.count("tenant_ca.demarche_instruction").await, 0);

    // Not even JSON: refused as such.
    let unreadable = app
        .post(
            &admin,
            "ca",
            "instruction/save",
            &[("demarche", &id), ("document", "{ pas du json")],
        )
        .await;
    assert_eq!(unreadable.status(), StatusCode::BAD_REQUEST);

    // A valid one is saved and read back.
    let mut fine = default.clone();
    fine["routing"]["rules"] = json!([{ "field": "lieu.postcode", "values": ["44800", "448*"], "service_id": "00000000-0000-4000-8000-000000000001" }]);
    fine["deadlines"] =
        json!({ "max_days": 30, "alert_days": 7, "silence": "acceptation", "silence_days": 60 });
    assert_eq!(
        json(save(&app, &admin, "ca", &id, &fine).await).await,
        json!([])
    );
    assert_eq!(load(&app, &admin, "ca", &id).await["instruction"], fine);

    // Agents do not design instruction.
    let invited = app
        .post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "yann@ca.test"),
                ("display_name", "Agent"),
                ("role", "agent"),
            ],
        )
        .await;
    json(invited).await;
    let agent = app
        .accept_invitation("ca", "yann@ca.test", "Agent-Secret-2026")
        .await;
    assert_eq!(
        save(&app, &agent, "ca", &id, &default).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&agent, "ca", "instruction/load", &[("demarche", &id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// A dossier of the démarche in status `status`, written directly: what matters here is the
/// status it is in, not how it got there (the submission has its own tests).
async fn dossier_in(app: &TestApp, schema: &str, demarche: &str, status: &str) {
    app.state
        .pool()
        .execute_unprepared(&format!(
            "INSERT INTO {schema}.dossiers (id, reference, demarche_id, version, answers, status, service_id)
             VALUES (gen_random_uuid(), '2026-000001', '{demarche}', 1, '{{}}', '{status}',
                     '00000000-0000-4000-8000-000000000001')"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_status_that_dossiers_are_in_cannot_be_removed() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = demarche(&app, &admin, "ca").await;
    dossier_in(&app, "tenant_ca", &id, "recu").await;

    let page = load(&app, &admin, "ca", &id).await;
    assert_eq!(page["statuses_in_use"], json!(["recu"]));
    let mut without = page["instruction"].clone();
    let workflow = &mut without["workflow"];
    workflow["statuses"]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["code"] != "recu");
    workflow["initial"] = json!("en_instruction");
    workflow["transitions"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["from"] != "recu" && t["to"] != "recu");
    let problems = json(save(&app, &admin, "ca", &id, &without).await).await;
    assert_eq!(paths(&problems), vec!["statuses"]);
    assert!(
        problems[0]["message"]
            .as_str()
            .unwrap()
            .contains("Des dossiers sont dans ce statut"),
        "{problems}"
    );
    assert_eq!(app.count("tenant_ca.demarche_instruction").await, 0);

    // Renaming it for agents is fine: the code stays.
    let mut renamed = page["instruction"].clone();
    renamed["workflow"]["statuses"][0]["name"] = json!("À trier");
    assert_eq!(
        json(save(&app, &admin, "ca", &id, &renamed).await).await,
        json!([])
    );
}

#[tokio::test]
async fn a_demarche_or_service_of_a_commune_is_unknown_to_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin_a = app.admin("ca").await;
    let admin_b = app.admin("cb").await;
    let id_a = demarche(&app, &admin_a, "ca").await;
    let id_b = demarche(&app, &admin_b, "cb").await;
    let service_a = json(
        app.post(
            &admin_a,
            "ca",
            "org/create_service",
            &[("name", "Voirie"), ("kind", "service")],
        )
        .await,
    )
    .await
    .as_str()
    .unwrap()
    .to_owned();
    let default = load(&app, &admin_a, "ca", &id_a).await["instruction"].clone();

    // A's démarche at B: not found, for reading and for saving.
    assert_eq!(
        app.post(&admin_b, "cb", "instruction/load", &[("demarche", &id_a)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        save(&app, &admin_b, "cb", &id_a, &default).await.status(),
        StatusCode::NOT_FOUND
    );
    // A's service in B's routing: an unknown service.
    let mut routed = default.clone();
    routed["routing"]["default_service"] = json!(service_a);
    let problems = json(save(&app, &admin_b, "cb", &id_b, &routed).await).await;
    assert_eq!(paths(&problems), vec!["routing.default_service"]);
    assert_eq!(app.count("tenant_ca.demarche_instruction").await, 0);
    assert_eq!(app.count("tenant_cb.demarche_instruction").await, 0);
    // At A it is fine.
    assert_eq!(
        json(save(&app, &admin_a, "ca", &id_a, &routed).await).await,
        json!([])
    );
    assert_eq!(
        load(&app, &admin_b, "cb", &id_b).await["instruction"],
        default
    );
}
