#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shared store: a commune publishes a démarche, another finds it (French stemming,
//! filters), imports it routed to its own service and files a dossier on it; new versions are
//! offered with their changes; nothing private travels; operators hide, withdraw and give
//! starter packs; communes never reach each other's démarches through it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{location, post_step, publish_with, signed_in_citizen, start};
use crate::helpers::{BASE_DOMAIN, TestApp, error_field, error_message, spawn_app};

const ECOLE_A: &str = "20000000-0000-4000-8000-00000000000a";
const CUISINE_A: &str = "20000000-0000-4000-8000-00000000000b";
const COPIE_A: &str = "20000000-0000-4000-8000-00000000000c";
const RESTAURATION_B: &str = "30000000-0000-4000-8000-0000000000b1";
const REZE_PASSWORD: &str = "Reze-Gestion-2026";

fn cantine_document(extra_field: Option<&str>) -> String {
    let mut fields = vec![
        json!({ "code": "enfant", "label": "Nom de l'enfant", "required": true, "kind": { "short_text": {} } }),
        json!({ "code": "ecole", "label": "École", "required": true, "kind": { "short_text": {} } }),
        json!({ "code": "justificatif", "label": "Justificatif de domicile", "required": false,
                "kind": { "files": { "accepted_types": ["application/pdf"], "max_size_bytes": 100000, "max_files": 1 } } }),
    ];
    if let Some(label) = extra_field {
        fields.push(json!({ "code": "allergies", "label": label, "required": false, "kind": { "long_text": {} } }));
    }
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Inscription à la cantine", "description": "Restauration scolaire.", "rubrique": "Enfance",
                      "audience": "identified_only", "state": "draft",
                      "publication": { "from": "2026-01-01" }, "default_service": ECOLE_A },
        "definition": { "steps": [ { "code": "inscription", "title": "Inscription", "fields": fields } ] }
    })
    .to_string()
}

fn voirie_document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Signalement d'un nid de poule", "description": "Voirie.", "rubrique": "Voirie",
                      "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [ { "code": "lieu", "title": "Lieu", "fields": [
            { "code": "rue", "label": "Rue", "required": true, "kind": { "short_text": {} } }
        ] } ] }
    })
    .to_string()
}

/// The commune's own services and an instruction that names them everywhere it can.
async fn a_services_and_instruction(app: &TestApp, slug: &str, demarche: &str) {
    let schema = format!("tenant_{}", slug.replace('-', "_"));
    app.sql(&format!(
        "INSERT INTO {schema}.services (id, parent_id, name, kind) VALUES
           ('{ECOLE_A}', NULL, 'Éducation', 'service'),
           ('{CUISINE_A}', NULL, 'Cuisine centrale', 'service'),
           ('{COPIE_A}', NULL, 'Finances', 'service')"
    ))
    .await;
    let mut instruction: Value =
        serde_json::to_value(app::workflow::model::Instruction::default()).unwrap();
    instruction["routing"] = json!({
        "default_service": ECOLE_A,
        "rules": [ { "field": "ecole", "values": ["Jules Verne"], "service_id": CUISINE_A } ],
        "copies": [COPIE_A]
    });
    instruction["workflow"]["transitions"][0]["actions"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "kind": "assign_service", "service_id": CUISINE_A }));
    app.sql(&format!(
        "INSERT INTO {schema}.demarche_instruction (demarche_id, document) VALUES ('{demarche}', '{}')",
        instruction.to_string().replace('\'', "''")
    ))
    .await;
}

async fn publish_to_store(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    demarche: &str,
    domain: &str,
    organism: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "store/publish",
        &[
            ("demarche_id", demarche),
            ("description", "Une démarche éprouvée, prête à l'emploi."),
            ("domain", domain),
            ("organism_type", organism),
            ("publisher_name", ""),
            ("notes", ""),
        ],
    )
    .await
}

/// Publishes and returns (entry id, version).
pub(crate) async fn shared(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    demarche: &str,
    domain: &str,
    organism: &str,
) -> (String, u64) {
    let response = publish_to_store(app, client, slug, demarche, domain, organism).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let body: Value = response.json().await.unwrap();
    (
        body["entry_id"].as_str().unwrap().to_owned(),
        body["version"].as_u64().unwrap(),
    )
}

async fn browse(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    query: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (format!("query[{k}]"), v.to_string()))
        .collect();
    form.push(("query[page]".into(), String::new()));
    client
        .post(app.url(slug, "/api/store/browse"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// Titles found, in order.
async fn titles(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    query: &[(&str, &str)],
) -> Vec<String> {
    let response = browse(app, client, slug, query).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let body: Value = response.json().await.unwrap();
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn entry(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
) -> reqwest::Response {
    app.post(client, slug, "store/entry", &[("id", id)]).await
}

async fn import(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    entry: &str,
    service: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "store/import",
        &[("entry", entry), ("service", service)],
    )
    .await
}

async fn imported(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    entry: &str,
    service: &str,
) -> String {
    let response = import(app, client, slug, entry, service).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

async fn b_with_service(app: &TestApp, slug: &str) -> reqwest::Client {
    app.create_tenant(slug, "Commune B").await;
    let admin = app.admin(slug).await;
    app.sql(&format!(
        "INSERT INTO tenant_{slug}.services (id, parent_id, name, kind) VALUES ('{RESTAURATION_B}', NULL, 'Restauration scolaire', 'service')"
    ))
    .await;
    admin
}

async fn operator(app: &TestApp) -> reqwest::Client {
    app::platform::service::upsert_operator(
        &app.state,
        "op@guichet.test",
        "Opératrice",
        "Plateforme-2026",
    )
    .await
    .unwrap();
    let client = app.client();
    let response = client
        .post(app.apex_url("/api/platform/login"))
        .form(&[
            ("email", "op@guichet.test"),
            ("password", "Plateforme-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    client
}

async fn operator_act(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    action: &str,
) -> reqwest::Response {
    client
        .post(app.apex_url("/api/store/operator_act"))
        .form(&[("id", id), ("action", action)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_demarche_shared_by_one_commune_is_found_imported_and_filed_in_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let cantine = publish_with(&app, &a, "ca", None, &cantine_document(None)).await;
    a_services_and_instruction(&app, "ca", &cantine).await;
    let voirie = publish_with(&app, &a, "ca", None, &voirie_document()).await;
    let (cantine_entry, version) = shared(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    assert_eq!(version, 1);
    shared(&app, &a, "ca", &voirie, "voirie", "intercommunalite").await;
    let b = b_with_service(&app, "cb").await;

    // French stemming and folding: plural, no accent, other words.
    assert_eq!(
        titles(&app, &b, "cb", &[("q", "inscriptions cantines")]).await,
        vec!["Inscription à la cantine"]
    );
    assert_eq!(
        titles(&app, &b, "cb", &[("q", "ecole")]).await,
        vec!["Inscription à la cantine"],
        "the form's labels are searched too"
    );
    assert_eq!(
        titles(&app, &b, "cb", &[("domaine", "voirie")]).await,
        vec!["Signalement d'un nid de poule"]
    );
    assert_eq!(
        titles(&app, &b, "cb", &[("organisme", "mairie")]).await,
        vec!["Inscription à la cantine"]
    );
    assert_eq!(titles(&app, &b, "cb", &[]).await.len(), 2);
    let unknown = browse(&app, &b, "cb", &[("domaine", "astronomie")]).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_field(unknown).await.0, "domaine");

    // Import, routed to a service of B.
    let refused = import(&app, &b, "cb", &cantine_entry, ECOLE_A).await;
    assert_eq!(
        refused.status(),
        StatusCode::BAD_REQUEST,
        "A's service is not B's"
    );
    let copy = imported(&app, &b, "cb", &cantine_entry, RESTAURATION_B).await;
    assert_eq!(
        app.text(&format!(
            "SELECT store_entry_id::text || ' v' || store_version || ' ' || store_publisher || ' ' || state
             FROM tenant_cb.demarches WHERE id = '{copy}'"
        ))
        .await,
        format!("{cantine_entry} v1 Commune A draft")
    );
    let routing: Value = serde_json::from_str(
        &app.text(&format!(
            "SELECT document->'routing' FROM tenant_cb.demarche_instruction WHERE demarche_id = '{copy}'"
        ))
        .await,
    )
    .unwrap();
    assert_eq!(
        routing,
        json!({ "default_service": RESTAURATION_B, "rules": [], "copies": [] })
    );
    let body: Value = browse(&app, &b, "cb", &[("q", "cantine")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["entries"][0]["import_count"], 1);
    assert_eq!(body["entries"][0]["imported_version"], 1);
    assert_eq!(
        app.count("platform.store_imports").await,
        1,
        "recorded for the most imported order"
    );

    // The pages, rendered on the server: the catalogue, and the entry with the citizen's form.
    let page = app
        .get(&b, "cb", "/back-office/catalogue?q=cantines&tri=populaire")
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Inscription à la cantine"), "{html}");
    assert!(!html.contains("nid de poule"), "{html}");
    let page = app
        .get(&b, "cb", &format!("/back-office/catalogue/{cantine_entry}"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for expected in [
        "Nom de l&#x27;enfant",
        "Justificatif de domicile",
        "Restauration scolaire",
        "Attente du demandeur",
    ] {
        assert!(
            html.contains(expected) || html.contains(&expected.replace("&#x27;", "'")),
            "{expected} missing: {html}"
        );
    }

    // B publishes its copy, and a citizen of B files a dossier: it reaches B's service.
    let published = app
        .post(&b, "cb", "demarches/publish", &[("id", &copy)])
        .await;
    assert_eq!(
        published.status(),
        StatusCode::OK,
        "{}",
        published.text().await.unwrap()
    );
    let citizen = signed_in_citizen(&app, "cb", "parent@example.org").await;
    let key = start(&app, &citizen, "cb", &copy, true).await;
    post_step(
        &app,
        &citizen,
        "cb",
        &key,
        0,
        &[("enfant", "Léa Martin"), ("ecole", "Jules Verne")],
        vec![],
    )
    .await;
    let submitted = app
        .post(&citizen, "cb", "portal/submit", &[("key", &key)])
        .await;
    location(&submitted);
    assert_eq!(
        app.text("SELECT service_id::text FROM tenant_cb.dossiers")
            .await,
        RESTAURATION_B,
        "the publisher's rule (Jules Verne → its kitchen) did not travel"
    );
    assert_eq!(
        app.text("SELECT cardinality(copy_services)::text FROM tenant_cb.dossiers")
            .await,
        "0"
    );
}

#[tokio::test]
async fn a_new_version_is_offered_with_its_changes_and_reimport_keeps_the_first_copy() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let cantine = publish_with(&app, &a, "ca", None, &cantine_document(None)).await;
    let (entry_id, _) = shared(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    let b = b_with_service(&app, "cb").await;
    let first = imported(&app, &b, "cb", &entry_id, RESTAURATION_B).await;
    // B adapts its copy.
    let mut local: Value = serde_json::from_str(&cantine_document(None)).unwrap();
    local["demarche"]["default_service"] = Value::Null;
    local["demarche"]["publication"] = json!({});
    local["definition"]["steps"][0]["fields"][1]["label"] = "Groupe scolaire".into();
    let saved = app
        .post(
            &b,
            "cb",
            "demarches/save",
            &[("id", &first), ("document", &local.to_string())],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let up_to_date: Value = entry(&app, &b, "cb", &entry_id).await.json().await.unwrap();
    assert_eq!(up_to_date["imported"][0]["changes"], json!([]));

    // A publishes version 2 (a new field) and keeps a secret in its draft.
    publish_with(
        &app,
        &a,
        "ca",
        Some(&cantine),
        &cantine_document(Some("Allergies alimentaires")),
    )
    .await;
    let unchanged = publish_to_store(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    assert_eq!(unchanged.json::<Value>().await.unwrap()["version"], 2);
    let again = publish_to_store(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    assert_eq!(
        again.json::<Value>().await.unwrap()["version"],
        2,
        "nothing changed: no new version"
    );
    let mut secret: Value =
        serde_json::from_str(&cantine_document(Some("Allergies alimentaires"))).unwrap();
    secret["definition"]["steps"][0]["fields"][0]["label"] = "Brouillon secret de A".into();
    app.post(
        &a,
        "ca",
        "demarches/save",
        &[("id", &cantine), ("document", &secret.to_string())],
    )
    .await;

    let body: Value = browse(&app, &b, "cb", &[("q", "cantine")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["entries"][0]["latest_version"], 2);
    assert_eq!(body["entries"][0]["imported_version"], 1);
    let everything: Value = browse(&app, &b, "cb", &[("q", "nothing matches this")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(everything["entries"], json!([]));
    assert_eq!(
        everything["updates"][0]["id"],
        entry_id.as_str(),
        "updates are listed whatever the search"
    );
    let list = app
        .get(&b, "cb", "/back-office/demarches")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Mise à jour disponible") && list.contains(&entry_id),
        "the démarches list says so: {list}"
    );
    let response = entry(&app, &b, "cb", &entry_id).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(!text.contains("Brouillon secret"), "A's draft never shows");
    let view: Value = serde_json::from_str(&text).unwrap();
    let copy = &view["imported"][0];
    assert_eq!(copy["demarche_id"], first.as_str());
    let changes = copy["changes"].to_string();
    assert!(changes.contains("Allergies alimentaires"), "{changes}");
    let local_changes = copy["local_changes"].to_string();
    assert!(local_changes.contains("Groupe scolaire"), "{local_changes}");

    // Re-import: a new draft from version 2; the first copy keeps B's work and its version.
    let second = imported(&app, &b, "cb", &entry_id, RESTAURATION_B).await;
    assert_ne!(second, first);
    assert_eq!(
        app.text(&format!(
            "SELECT store_version || ' ' || (draft->'definition'->'steps'->0->'fields'->1->>'label')
             FROM tenant_cb.demarches WHERE id = '{first}'"
        ))
        .await,
        "1 Groupe scolaire"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT store_version || ' ' || (draft->'definition'->'steps'->0->'fields'->3->>'label')
             FROM tenant_cb.demarches WHERE id = '{second}'"
        ))
        .await,
        "2 Allergies alimentaires"
    );
    let view: Value = entry(&app, &b, "cb", &entry_id).await.json().await.unwrap();
    assert_eq!(view["imported"][1]["changes"], json!([]));
    let body: Value = browse(&app, &b, "cb", &[]).await.json().await.unwrap();
    assert_eq!(
        body["updates"],
        json!([]),
        "the latest version is imported: no update pending"
    );
    assert_eq!(view["summary"]["imported_version"], 2);
}

#[tokio::test]
async fn nothing_private_travels_in_the_published_payload() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("nantes", "Ville de Nantes").await;
    let a = app.admin("nantes").await;
    let cantine = publish_with(&app, &a, "nantes", None, &cantine_document(None)).await;
    a_services_and_instruction(&app, "nantes", &cantine).await;
    let citizen = signed_in_citizen(&app, "nantes", "berenice@example.org").await;
    let key = start(&app, &citizen, "nantes", &cantine, true).await;
    post_step(
        &app,
        &citizen,
        "nantes",
        &key,
        0,
        &[("enfant", "Bérénice Tartempion"), ("ecole", "Jules Verne")],
        vec![],
    )
    .await;
    location(
        &app.post(&citizen, "nantes", "portal/submit", &[("key", &key)])
            .await,
    );
    assert_eq!(app.count("tenant_nantes.dossiers").await, 1);

    shared(&app, &a, "nantes", &cantine, "enfance", "mairie").await;

    let payload = app
        .text("SELECT string_agg(payload::text, '') FROM platform.store_versions")
        .await
        .to_lowercase();
    let admin_id = app
        .text("SELECT id::text FROM tenant_nantes.users WHERE email = 'admin@nantes.test'")
        .await;
    let citizen_id = app
        .text("SELECT id::text FROM tenant_nantes.users WHERE email = 'berenice@example.org'")
        .await;
    for private in [
        tenant.id.to_string(),
        "nantes".to_owned(),
        format!("nantes.{BASE_DOMAIN}"),
        "admin@nantes.test".to_owned(),
        admin_id,
        citizen_id,
        "berenice".to_owned(),
        "tartempion".to_owned(),
        ECOLE_A.to_owned(),
        CUISINE_A.to_owned(),
        COPIE_A.to_owned(),
        cantine.clone(),
        "2026-01-01".to_owned(),
    ] {
        assert!(
            !payload.contains(&private.to_lowercase()),
            "{private} is in the payload: {payload}"
        );
    }
    assert!(
        payload.contains("\"letters\": []") && payload.contains("justificatif de domicile"),
        "{payload}"
    );

    // A private address pasted into a help text is refused, and named.
    let mut leaky: Value = serde_json::from_str(&cantine_document(None)).unwrap();
    leaky["definition"]["steps"][0]["fields"][0]["help"] = "Questions : admin@nantes.test".into();
    publish_with(&app, &a, "nantes", Some(&cantine), &leaky.to_string()).await;
    let refused = publish_to_store(&app, &a, "nantes", &cantine, "enfance", "mairie").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        error_message(refused).await.contains("admin@nantes.test"),
        "the publisher is told what to remove"
    );
    assert_eq!(app.count("platform.store_versions").await, 1);
}

#[tokio::test]
async fn publication_is_validated_with_precise_messages_and_limited_to_the_communes_own_demarches()
{
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let cantine = publish_with(&app, &a, "ca", None, &cantine_document(None)).await;
    let b = b_with_service(&app, "cb").await;

    let empty = app
        .post(
            &a,
            "ca",
            "store/publish",
            &[
                ("demarche_id", cantine.as_str()),
                ("description", "  "),
                ("domain", "enfance"),
                ("organism_type", "mairie"),
                ("publisher_name", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
    let (field, message) = error_field(empty).await;
    assert_eq!(field, "description");
    assert!(message.starts_with("Décrivez la démarche"), "{message}");
    let domain = publish_to_store(&app, &a, "ca", &cantine, "astronomie", "mairie").await;
    let (field, message) = error_field(domain).await;
    assert_eq!(field, "domain");
    assert!(message.contains("État civil"), "{message}");
    let organism = publish_to_store(&app, &a, "ca", &cantine, "enfance", "ministere").await;
    assert_eq!(error_field(organism).await.0, "organism_type");

    // B cannot publish A's démarche, even knowing its id.
    let stolen = publish_to_store(&app, &b, "cb", &cantine, "enfance", "mairie").await;
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("platform.store_entries").await, 0);

    // Agents without designer rights neither publish nor browse.
    let invited = app
        .post(
            &a,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "agent@ca.test"),
                ("display_name", "Agent"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let agent = app
        .accept_invitation("ca", "agent@ca.test", "Tournesol-Cle-2026")
        .await;
    assert_eq!(
        browse(&app, &agent, "ca", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        publish_to_store(&app, &agent, "ca", &cantine, "enfance", "mairie")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The publisher's name defaults to the commune's and may be chosen.
    let named = app
        .post(
            &a,
            "ca",
            "store/publish",
            &[
                ("demarche_id", cantine.as_str()),
                ("description", "Inscriptions"),
                ("domain", "enfance"),
                ("organism_type", "mairie"),
                ("publisher_name", "Service commun des écoles"),
                ("notes", "Première version"),
            ],
        )
        .await;
    assert_eq!(named.status(), StatusCode::OK);
    assert_eq!(
        app.text("SELECT publisher_name FROM platform.store_entries")
            .await,
        "Service commun des écoles"
    );
}

#[tokio::test]
async fn operators_feature_hide_and_withdraw_entries_and_communes_cannot_act_as_operators() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let cantine = publish_with(&app, &a, "ca", None, &cantine_document(None)).await;
    let voirie = publish_with(&app, &a, "ca", None, &voirie_document()).await;
    let (cantine_entry, _) = shared(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    let (voirie_entry, _) = shared(&app, &a, "ca", &voirie, "voirie", "mairie").await;
    let b = b_with_service(&app, "cb").await;
    let copy = imported(&app, &b, "cb", &cantine_entry, RESTAURATION_B).await;
    let op = operator(&app).await;

    // Most imported first; featuring puts an entry first whatever the order.
    assert_eq!(
        titles(&app, &b, "cb", &[("tri", "populaire")]).await,
        vec!["Inscription à la cantine", "Signalement d'un nid de poule"]
    );
    assert_eq!(
        operator_act(&app, &op, &voirie_entry, "feature")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        titles(&app, &b, "cb", &[("tri", "populaire")]).await,
        vec!["Signalement d'un nid de poule", "Inscription à la cantine"]
    );

    // A commune never acts as an operator: not at its host, not at the apex without a session.
    let at_tenant = app
        .post(
            &b,
            "cb",
            "store/operator_act",
            &[("id", &cantine_entry), ("action", "hide")],
        )
        .await;
    assert_eq!(at_tenant.status(), StatusCode::NOT_FOUND);
    let anonymous = operator_act(&app, &app.client(), &cantine_entry, "hide").await;
    assert_eq!(anonymous.status(), StatusCode::FORBIDDEN);
    let list = app.post(&b, "cb", "store/operator_entries", &[]).await;
    assert_eq!(list.status(), StatusCode::NOT_FOUND);

    // Hidden: out of every commune's search and pages, except its publisher's page.
    assert_eq!(
        operator_act(&app, &op, &cantine_entry, "hide")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        titles(&app, &b, "cb", &[("q", "cantine")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        titles(&app, &a, "ca", &[("q", "cantine")]).await,
        Vec::<String>::new()
    );
    assert_eq!(
        entry(&app, &b, "cb", &cantine_entry).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        import(&app, &b, "cb", &cantine_entry, RESTAURATION_B)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        entry(&app, &a, "ca", &cantine_entry).await.status(),
        StatusCode::OK
    );
    operator_act(&app, &op, &cantine_entry, "show").await;
    assert_eq!(
        titles(&app, &b, "cb", &[("q", "cantine")]).await,
        vec!["Inscription à la cantine"]
    );

    // Withdrawn: gone for good; B keeps its copy; A cannot bring it back.
    assert_eq!(
        operator_act(&app, &op, &cantine_entry, "withdraw")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        titles(&app, &b, "cb", &[]).await,
        vec!["Signalement d'un nid de poule"]
    );
    assert_eq!(
        app.text(&format!(
            "SELECT count(*) FROM tenant_cb.demarches WHERE id = '{copy}'"
        ))
        .await,
        "1"
    );
    assert_eq!(
        operator_act(&app, &op, &cantine_entry, "show")
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let republished = publish_to_store(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    assert_eq!(republished.status(), StatusCode::CONFLICT);
    let entries: Value = op
        .post(app.apex_url("/api/store/operator_entries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let statuses: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["title"].as_str().unwrap(), e["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("Signalement d'un nid de poule", "published"),
            ("Inscription à la cantine", "withdrawn")
        ]
    );
}

#[tokio::test]
async fn a_starter_pack_is_imported_at_onboarding_and_a_failing_one_leaves_no_commune() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let cantine = publish_with(&app, &a, "ca", None, &cantine_document(None)).await;
    a_services_and_instruction(&app, "ca", &cantine).await;
    let (entry_id, _) = shared(&app, &a, "ca", &cantine, "enfance", "mairie").await;
    let op = operator(&app).await;

    let created = op
        .post(app.apex_url("/api/platform/create_tenant"))
        .form(&[
            ("name", "Commune C"),
            ("slug", "cc"),
            ("admin_email", "admin@cc.test"),
            ("hosts", ""),
            ("starter_pack[3]", &entry_id),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{}",
        created.text().await.unwrap()
    );
    assert_eq!(
        app.text(
            "SELECT d.state || ' ' || d.store_version || ' ' || (i.document->'routing'->>'default_service')
             FROM tenant_cc.demarches d JOIN tenant_cc.demarche_instruction i ON i.demarche_id = d.id"
        )
        .await,
        "draft 1 00000000-0000-4000-8000-000000000001"
    );
    assert_eq!(
        app.text("SELECT import_count FROM platform.store_entries")
            .await,
        "1"
    );

    // The console shows the catalogue and the starter pack's choices.
    let console = op
        .get(app.apex_url("/plateforme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        console.contains(&format!("value=\"{entry_id}\""))
            && console.contains("Retirer définitivement"),
        "{console}"
    );

    // An unknown entry in the pack: no tenant row, no schema, nothing counted.
    let failing = app::platform::service::provision_tenant(
        &app.state,
        &app::platform::service::NewTenant {
            name: "Commune D".into(),
            slug: "cd".into(),
            admin_email: "admin@cd.test".into(),
            hosts: vec![],
            starter_pack: vec![entry_id.clone(), uuid::Uuid::new_v4().to_string()],
        },
    )
    .await;
    assert!(failing.is_err());
    assert_eq!(
        app.text("SELECT count(*) FROM platform.tenants WHERE slug = 'cd'")
            .await,
        "0"
    );
    assert_eq!(
        app.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_cd'")
            .await,
        "0"
    );
    assert_eq!(
        app.text("SELECT import_count FROM platform.store_entries")
            .await,
        "1"
    );
    // The onboarding form offers the published entries.
    let options: Value = op
        .post(app.apex_url("/api/store/starter_options"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(options[0]["id"], entry_id.as_str());
}

#[tokio::test]
async fn the_demo_commune_shares_its_two_demarches_once_and_another_finds_them() {
    let app = spawn_app().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tenants");
    guichet_server::seed::seed_dir(&app.state, &dir)
        .await
        .unwrap();
    guichet_server::seed::seed_dir(&app.state, &dir)
        .await
        .unwrap();
    assert_eq!(
        app.text("SELECT string_agg(publisher_name || ' v' || latest_version, ', ') FROM platform.store_entries")
            .await,
        "Ville de Saint-Herblain v1, Ville de Saint-Herblain v1"
    );
    let reze = app.client();
    let login = app
        .login(&reze, "reze", "admin@reze.test", REZE_PASSWORD)
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let mut found = titles(&app, &reze, "reze", &[]).await;
    found.sort();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        titles(&app, &reze, "reze", &[("domaine", "voirie")]).await,
        vec!["Signaler un problème sur la voie publique"]
    );
}

#[tokio::test]
async fn an_import_lands_in_the_designer_of_the_new_draft_with_a_notice() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let a = app.admin("ca").await;
    let voirie = publish_with(&app, &a, "ca", None, &voirie_document()).await;
    let (entry, _) = shared(&app, &a, "ca", &voirie, "voirie", "mairie").await;
    let b = b_with_service(&app, "cb").await;

    // A plain form post (no JavaScript) is sent on to the new draft's designer.
    let response = b
        .post(app.url("cb", "/api/store/import"))
        .header("accept", "text/html")
        .header(
            "referer",
            app.url("cb", &format!("/back-office/catalogue/{entry}")),
        )
        .form(&[("entry", entry.as_str()), ("service", RESTAURATION_B)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = location
        .strip_prefix("/back-office/demarches/")
        .and_then(|rest| rest.strip_suffix("?importe=1"))
        .unwrap_or_else(|| panic!("not the designer: {location}"))
        .to_owned();
    assert_eq!(
        app.count(&format!(
            "tenant_cb.demarches WHERE id = '{id}' AND store_entry_id = '{entry}'"
        ))
        .await,
        1
    );

    // The designer says where the draft comes from; opened later, it does not.
    let page = |path: String| {
        let b = b.clone();
        let url = app.url("cb", &path);
        async move { b.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let designer = page(location.clone()).await;
    assert!(
        designer.contains(app::store::strings::IMPORTED_NOTICE),
        "{designer}"
    );
    let later = page(format!("/back-office/demarches/{id}")).await;
    assert!(!later.contains(app::store::strings::IMPORTED_NOTICE));

    // The page's own client gets the draft's id and the same place to go.
    let response = import(&app, &b, "cb", &entry, RESTAURATION_B).await;
    assert_eq!(response.status(), StatusCode::OK);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let second: String = response.json().await.unwrap();
    assert_ne!(second, id);
    assert_eq!(location, app::store::model::designer_after_import(&second));
}
