#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The citizen's document wallet (porte-documents): pieces added through a plain multipart
//! form with the same sniffing and store as attachments, a quota, expiry, copies into démarche
//! drafts that live their own lives, copies of pieces an agent validated, and isolation
//! between citizens and between communes.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::backoffice::visible;
use crate::dossiers::{
    PDF, PNG, draft, location, permit_document, post_step, publish, publish_with,
    signed_in_citizen, start,
};
use crate::helpers::{TestApp, error_message, spawn_app};

const DOMICILE: &str = "Justificatif de domicile";
const CAF: &str = "Attestation CAF / quotient familial";

/// An .exe renamed .pdf: a Windows executable's header.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00PE\0\0";

fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

async fn type_id(app: &TestApp, slug: &str, label: &str) -> String {
    app.text(&format!(
        "SELECT id FROM tenant_{slug}.wallet_piece_types WHERE label = '{}'",
        label.replace('\'', "''")
    ))
    .await
}

/// Posts the wallet's add form as a browser without script does.
async fn add_piece(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    type_id: &str,
    date: &str,
    name: &str,
    bytes: &[u8],
) -> reqwest::Response {
    let form = Form::new()
        .text("type", type_id.to_owned())
        .text("date", date.to_owned())
        .part(
            "fichier",
            Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    client
        .post(app.url(slug, "/porte-documents/pieces"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Adds a piece that must be accepted; returns its id.
async fn added(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    label: &str,
    name: &str,
    bytes: &[u8],
) -> String {
    let kind = type_id(app, slug, label).await;
    let before: Vec<String> = pieces(app, client, slug)
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let response = add_piece(app, client, slug, &kind, &today(), name, bytes).await;
    assert_eq!(location(&response), "/porte-documents?ajout=ok");
    pieces(app, client, slug)
        .await
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .find(|id| !before.contains(id))
        .unwrap()
}

async fn wallet(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    let response = app.post(client, slug, "wallet/mine", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn pieces(app: &TestApp, client: &reqwest::Client, slug: &str) -> Vec<Value> {
    wallet(app, client, slug).await["pieces"]
        .as_array()
        .unwrap()
        .clone()
}

async fn page(app: &TestApp, client: &reqwest::Client, slug: &str, path: &str) -> String {
    let response = app.get(client, slug, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    visible(&response.text().await.unwrap())
}

fn stored(app: &TestApp, slug: &str, id: &str) -> std::path::PathBuf {
    app.state
        .settings()
        .files_dir
        .join(format!("tenant_{slug}"))
        .join(Uuid::parse_str(id).unwrap().simple().to_string())
}

fn files_in(app: &TestApp, slug: &str) -> usize {
    std::fs::read_dir(
        app.state
            .settings()
            .files_dir
            .join(format!("tenant_{slug}")),
    )
    .map(|dir| dir.count())
    .unwrap_or(0)
}

async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
) -> reqwest::Response {
    app.get(client, slug, &format!("/porte-documents/pieces/{id}"))
        .await
}

async fn delete(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
) -> reqwest::Response {
    client
        .post(app.url(slug, &format!("/porte-documents/pieces/{id}/supprimer")))
        .send()
        .await
        .unwrap()
}

/// A draft of `demarche` by `citizen`, its first step answered; returns its key.
async fn draft_at_pieces(
    app: &TestApp,
    citizen: &reqwest::Client,
    slug: &str,
    demarche: &str,
) -> String {
    let key = start(app, citizen, slug, demarche, true).await;
    let response = post_step(
        app,
        citizen,
        slug,
        &key,
        0,
        &[("nom", "Dupont"), ("entreprise", "non")],
        vec![],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    key
}

/// Posts the pieces step choosing wallet piece `piece` for the plan.
async fn pick(
    app: &TestApp,
    citizen: &reqwest::Client,
    slug: &str,
    key: &str,
    piece: &str,
) -> reqwest::Response {
    post_step(
        app,
        citizen,
        slug,
        key,
        1,
        &[("plan.porte-documents", piece), ("_action", "next")],
        vec![],
    )
    .await
}

/// The files attached to the draft's plan.
fn plan_files(state: &Value) -> Vec<Value> {
    state["Open"]["answers"]["plan"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn problem_messages(state: &Value) -> Vec<String> {
    state["Open"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_citizen_adds_a_piece_without_javascript_sees_it_listed_downloads_and_deletes_it() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let anonymous = app.client();
    let response = app.get(&anonymous, "ca", "/porte-documents").await;
    assert_eq!(location(&response), "/connexion?retour=/porte-documents");
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    assert!(
        page(&app, &citizen, "ca", "/mon-compte")
            .await
            .contains("href=\"/porte-documents\"")
    );

    let id = added(&app, &citizen, "ca", DOMICILE, "facture-edf.pdf", PDF).await;

    let listed = pieces(&app, &citizen, "ca").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["type_label"], DOMICILE);
    assert_eq!(listed[0]["name"], "facture-edf.pdf");
    assert_eq!(listed[0]["content_type"], "application/pdf");
    assert_eq!(listed[0]["origin"], "Citizen");
    assert_eq!(listed[0]["expired"], false);
    assert!(
        listed[0]["expires_on"].is_string(),
        "3 months for a domicile proof"
    );
    let html = page(&app, &citizen, "ca", "/porte-documents").await;
    assert!(html.contains("facture-edf.pdf"), "{html}");
    assert!(html.contains("déposé par vous"));
    assert!(html.contains("expire le"));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(stored(&app, "ca", &id).exists());

    let response = download(&app, &citizen, "ca", &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    let response = delete(&app, &citizen, "ca", &id).await;
    assert_eq!(location(&response), "/porte-documents?suppression=ok");
    assert!(pieces(&app, &citizen, "ca").await.is_empty());
    assert!(!stored(&app, "ca", &id).exists());
    assert_eq!(
        download(&app, &citizen, "ca", &id).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_quota_refuses_a_piece_with_its_reason_and_writes_nothing() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let kind = type_id(&app, "ca", DOMICILE).await;
    added(&app, &citizen, "ca", DOMICILE, "un.pdf", PDF).await;
    // 19 more (as rows: the quota counts rows), 20 in all: the maximum.
    app.sql(
        "INSERT INTO tenant_ca.wallet_pieces (id, person_id, type_id, name, content_type, size, sha256, document_date, expires_on, origin)
         SELECT gen_random_uuid(), person_id, type_id, name, content_type, size, sha256, document_date, expires_on, origin
         FROM tenant_ca.wallet_pieces, generate_series(1, 19)",
    )
    .await;
    let files_before = files_in(&app, "ca");

    let response = add_piece(&app, &citizen, "ca", &kind, &today(), "deux.pdf", PDF).await;

    assert_eq!(
        location(&response),
        "/porte-documents?erreur=nombre#ajouter"
    );
    let html = page(&app, &citizen, "ca", "/porte-documents?erreur=nombre").await;
    assert!(
        html.contains("contient déjà 20 pièces, le maximum"),
        "{html}"
    );
    assert_eq!(app.count("tenant_ca.wallet_pieces").await, 20);
    assert_eq!(files_in(&app, "ca"), files_before);

    // Room for one more piece, but not for its bytes: 50 Mo in all.
    app.sql(
        "DELETE FROM tenant_ca.wallet_pieces WHERE id <> (SELECT min(id::text)::uuid FROM tenant_ca.wallet_pieces)",
    )
    .await;
    app.sql(&format!(
        "UPDATE tenant_ca.wallet_pieces SET size = {}",
        50 * 1024 * 1024 - 10
    ))
    .await;
    let response = add_piece(&app, &citizen, "ca", &kind, &today(), "deux.pdf", PDF).await;
    assert_eq!(location(&response), "/porte-documents?erreur=quota#ajouter");
    let html = page(&app, &citizen, "ca", "/porte-documents?erreur=quota").await;
    assert!(html.contains("dépasserait l'espace de votre porte-documents (50 Mo au total)"));
    assert_eq!(app.count("tenant_ca.wallet_pieces").await, 1);
    assert_eq!(files_in(&app, "ca"), files_before);
}

#[tokio::test]
async fn a_forged_file_and_bad_dates_are_refused_like_attachments_and_nothing_is_written() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let kind = type_id(&app, "ca", DOMICILE).await;

    let response = add_piece(&app, &citizen, "ca", &kind, &today(), "facture.pdf", EXE).await;
    assert_eq!(
        location(&response),
        "/porte-documents?erreur=format#ajouter"
    );
    let html = page(&app, &citizen, "ca", "/porte-documents?erreur=format").await;
    assert!(html.contains("n'est ni un PDF, ni une image JPEG ou PNG"));

    // A domicile proof of 2020 no longer proves anything; a date to come is a typo.
    let response = add_piece(&app, &citizen, "ca", &kind, "2020-01-15", "vieux.pdf", PDF).await;
    assert_eq!(
        location(&response),
        "/porte-documents?erreur=expire#ajouter"
    );
    let response = add_piece(&app, &citizen, "ca", &kind, "2999-01-15", "futur.pdf", PDF).await;
    assert_eq!(
        location(&response),
        "/porte-documents?erreur=date-future#ajouter"
    );
    let response = add_piece(&app, &citizen, "ca", "n'importe", &today(), "a.pdf", PDF).await;
    assert_eq!(location(&response), "/porte-documents?erreur=type#ajouter");

    assert_eq!(app.count("tenant_ca.wallet_pieces").await, 0);
    assert_eq!(files_in(&app, "ca"), 0);
}

#[tokio::test]
async fn a_piece_reused_in_two_drafts_stays_in_the_wallet_when_one_is_discarded() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let document = permit_document("identified_only", None);
    let first = publish_with(&app, &admin, "ca", None, &document).await;
    let second = publish_with(&app, &admin, "ca", None, &document).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let piece = added(&app, &citizen, "ca", DOMICILE, "facture.pdf", PDF).await;
    // A PNG piece: the plan accepts PDF only, so it is not offered there.
    let photo = added(&app, &citizen, "ca", CAF, "caf.png", PNG).await;
    let one = draft_at_pieces(&app, &citizen, "ca", &first).await;
    let two = draft_at_pieces(&app, &citizen, "ca", &second).await;

    let html = page(&app, &citizen, "ca", &format!("/brouillons/{one}?etape=2")).await;
    assert!(html.contains("Choisir dans mon porte-documents"), "{html}");
    assert!(html.contains(&format!("value=\"{piece}\"")));
    assert!(!html.contains(&format!("value=\"{photo}\"")));

    for key in [&one, &two] {
        let response = pick(&app, &citizen, "ca", key, &piece).await;
        assert_eq!(
            location(&response),
            format!("/brouillons/{key}/recapitulatif")
        );
    }
    let copy_one = plan_files(&draft(&app, &citizen, "ca", &one).await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let copy_two = plan_files(&draft(&app, &citizen, "ca", &two).await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(copy_one, piece, "a copy, with its own id");
    assert_ne!(copy_one, copy_two);
    assert!(stored(&app, "ca", &copy_one).exists());

    let response = app
        .post(&citizen, "ca", "portal/discard", &[("key", &one)])
        .await;
    assert_eq!(location(&response), "/mes-demarches");

    assert!(!stored(&app, "ca", &copy_one).exists());
    assert_eq!(pieces(&app, &citizen, "ca").await.len(), 2);
    let response = download(&app, &citizen, "ca", &piece).await;
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    let response = app
        .get(&citizen, "ca", &format!("/pieces/{copy_two}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn deleting_a_wallet_piece_leaves_the_copy_of_a_submitted_dossier_intact() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(&app, "ca", &permit_document("identified_only", None)).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let piece = added(&app, &citizen, "ca", DOMICILE, "facture.pdf", PDF).await;
    let key = draft_at_pieces(&app, &citizen, "ca", &demarche).await;
    pick(&app, &citizen, "ca", &key, &piece).await;
    let copy = plan_files(&draft(&app, &citizen, "ca", &key).await)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    assert!(location(&response).starts_with("/mes-demandes/"));

    let response = delete(&app, &citizen, "ca", &piece).await;
    assert_eq!(location(&response), "/porte-documents?suppression=ok");

    let response = app.get(&citizen, "ca", &format!("/pieces/{copy}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(
        app.text(&format!(
            "SELECT name FROM tenant_ca.attachments WHERE id = '{copy}' AND dossier_id IS NOT NULL"
        ))
        .await,
        "facture.pdf"
    );
}

#[tokio::test]
async fn an_expired_piece_is_flagged_not_offered_and_refused_if_posted() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(&app, "ca", &permit_document("identified_only", None)).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let piece = added(&app, &citizen, "ca", DOMICILE, "facture.pdf", PDF).await;
    let key = draft_at_pieces(&app, &citizen, "ca", &demarche).await;
    assert_eq!(
        draft(&app, &citizen, "ca", &key).await["Open"]["wallet"][0]["id"],
        piece.as_str()
    );

    // Four months later.
    app.sql(
        "UPDATE tenant_ca.wallet_pieces SET document_date = CURRENT_DATE - 120, expires_on = CURRENT_DATE - 30",
    )
    .await;

    let listed = pieces(&app, &citizen, "ca").await;
    assert_eq!(listed[0]["expired"], true);
    assert!(
        page(&app, &citizen, "ca", "/porte-documents")
            .await
            .contains("Expiré")
    );
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(state["Open"]["wallet"], serde_json::json!([]));
    let html = page(&app, &citizen, "ca", &format!("/brouillons/{key}?etape=2")).await;
    assert!(!html.contains("Choisir dans mon porte-documents"));

    let response = pick(&app, &citizen, "ca", &key, &piece).await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=2"));
    let state = draft(&app, &citizen, "ca", &key).await;
    assert!(plan_files(&state).is_empty());
    assert!(
        problem_messages(&state)
            .iter()
            .any(|m| m.contains("a expiré : elle ne peut plus être jointe")),
        "{state}"
    );
    assert_eq!(app.count("tenant_ca.attachments").await, 0);
}

#[tokio::test]
async fn an_agent_who_validates_a_piece_keeps_a_copy_in_the_citizens_wallet() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let demarche = publish_with(
        &app,
        &admin,
        "ca",
        None,
        &permit_document("identified_only", None),
    )
    .await;
    let citizen = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let key = draft_at_pieces(&app, &citizen, "ca", &demarche).await;
    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "attestation.pdf", PDF)],
    )
    .await;
    let filed = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    let reference = location(&filed)
        .trim_start_matches("/mes-demandes/")
        .to_owned();
    let dossier: Value = app
        .post(
            &admin,
            "ca",
            "backoffice/dossier",
            &[("reference", &reference)],
        )
        .await
        .json()
        .await
        .unwrap();
    let attachment = dossier["pieces"][0]["id"].as_str().unwrap().to_owned();
    let caf = type_id(&app, "ca", CAF).await;
    assert!(
        dossier["wallet_types"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t[0] == caf.as_str() && t[1] == CAF)
    );
    let review = |state: &'static str| {
        let (app, admin, reference, attachment, caf) =
            (&app, &admin, &reference, &attachment, &caf);
        async move {
            app.post(
                admin,
                "ca",
                "backoffice/act",
                &[
                    ("reference", reference),
                    ("action", "piece"),
                    ("piece", attachment),
                    ("review", state),
                    ("reason", ""),
                    ("keep_in_wallet", "oui"),
                    ("wallet_type", caf),
                ],
            )
            .await
        }
    };

    // Only a valid piece is kept.
    let response = review("pending").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        crate::helpers::error_message(response)
            .await
            .contains("Seule une pièce marquée valide")
    );
    assert!(pieces(&app, &citizen, "ca").await.is_empty());

    let response = review("valid").await;
    assert_eq!(response.status(), StatusCode::OK);

    let listed = pieces(&app, &citizen, "ca").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["origin"], "Agent");
    assert_eq!(listed[0]["type_label"], CAF);
    assert_eq!(listed[0]["name"], "attestation.pdf");
    assert_eq!(listed[0]["expired"], false);
    assert!(listed[0]["expires_on"].is_string());
    let copy = listed[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(copy, attachment);
    assert!(
        page(&app, &citizen, "ca", "/porte-documents")
            .await
            .contains("validé par la mairie")
    );
    let response = download(&app, &citizen, "ca", &copy).await;
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn a_piece_is_reached_by_its_owner_only_never_by_another_citizen_or_commune() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let demarche_a = publish(&app, "ca", &permit_document("identified_only", None)).await;
    let demarche_b = publish(&app, "cb", &permit_document("identified_only", None)).await;
    let owner = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let piece = added(&app, &owner, "ca", DOMICILE, "facture.pdf", PDF).await;
    // The same person's e-mail in commune B, and a neighbour in commune A.
    let elsewhere = signed_in_citizen(&app, "cb", "jeanne@example.org").await;
    let own_b = added(&app, &elsewhere, "cb", DOMICILE, "facture-b.pdf", PDF).await;
    let neighbour = signed_in_citizen(&app, "ca", "paul@example.org").await;

    for (client, slug) in [(&elsewhere, "cb"), (&neighbour, "ca")] {
        assert_eq!(
            download(&app, client, slug, &piece).await.status(),
            StatusCode::NOT_FOUND,
            "{slug}"
        );
        assert_eq!(
            delete(&app, client, slug, &piece).await.status(),
            StatusCode::NOT_FOUND,
            "{slug}"
        );
        let demarche = if slug == "ca" {
            &demarche_a
        } else {
            &demarche_b
        };
        let key = draft_at_pieces(&app, client, slug, demarche).await;
        let response = pick(&app, client, slug, &key, &piece).await;
        assert_eq!(location(&response), format!("/brouillons/{key}?etape=2"));
        let state = draft(&app, client, slug, &key).await;
        assert!(plan_files(&state).is_empty(), "{slug}");
        assert!(
            problem_messages(&state)
                .iter()
                .any(|m| m.contains("n'est pas dans votre porte-documents")),
            "{state}"
        );
        assert!(
            pieces(&app, client, slug)
                .await
                .iter()
                .all(|p| p["id"] != piece.as_str())
        );
    }
    // Commune B's session is no session at commune A.
    let response = download(&app, &elsewhere, "ca", &piece).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(pieces(&app, &owner, "ca").await.len(), 1);
    assert_eq!(app.count("tenant_ca.attachments").await, 0);
    assert_eq!(app.count("tenant_cb.attachments").await, 0);
    // Each commune's files under its own prefix.
    assert!(stored(&app, "ca", &piece).exists());
    assert!(stored(&app, "cb", &own_b).exists());
    assert!(!stored(&app, "cb", &piece).exists());
    assert!(!stored(&app, "ca", &own_b).exists());
}

#[tokio::test]
async fn admins_manage_the_piece_types_and_their_validity() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let types: Value = app
        .post(&admin, "ca", "wallet/types", &[])
        .await
        .json()
        .await
        .unwrap();
    let labels: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec![
            DOMICILE,
            CAF,
            "Pièce d'identité",
            "RIB",
            "Livret de famille"
        ]
    );
    assert_eq!(types[0]["validity_months"], 3);
    assert_eq!(types[3]["validity_months"], Value::Null);

    let response = app
        .post(
            &admin,
            "ca",
            "wallet/save_type",
            &[
                ("label", "Avis d'imposition"),
                ("validity", "douze"),
                ("active", "oui"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        crate::helpers::error_message(response)
            .await
            .contains("nombre de mois entre 1 et 1200")
    );
    let response = app
        .post(
            &admin,
            "ca",
            "wallet/save_type",
            &[
                ("label", "Avis d'imposition"),
                ("validity", "12"),
                ("active", "oui"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    // RIB no longer offered to citizens.
    let rib = type_id(&app, "ca", "RIB").await;
    let response = app
        .post(
            &admin,
            "ca",
            "wallet/save_type",
            &[("id", &rib), ("label", "RIB"), ("validity", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let offered: Vec<String> = wallet(&app, &citizen, "ca").await["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap().to_owned())
        .collect();
    assert!(offered.contains(&"Avis d'imposition".to_owned()));
    assert!(!offered.contains(&"RIB".to_owned()));
    // A citizen is no admin.
    let response = app.post(&citizen, "ca", "wallet/types", &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = page(&app, &admin, "ca", "/administration/porte-documents").await;
    assert!(html.contains("Porte-documents : types de pièces"));
}

/// One step: the children, each with a first name and a CAF certificate (PDF).
fn siblings_document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Inscription de la fratrie", "description": "Les enfants.", "rubrique": "Enfance",
                      "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [
            { "code": "fratrie", "title": "Enfants", "fields": [
                { "code": "enfants", "label": "Enfant", "required": true,
                  "kind": { "group": { "min_items": 1, "max_items": 4, "fields": [
                    { "code": "prenom", "label": "Prénom", "required": true, "kind": { "short_text": {} } },
                    { "code": "certificat", "label": "Attestation CAF", "required": true,
                      "kind": { "files": { "accepted_types": ["application/pdf"], "max_size_bytes": 1000, "max_files": 2 } } }
                  ] } } }
            ] }
        ] }
    })
    .to_string()
}

/// The files of the certificate of item `index` in the draft.
fn item_files(state: &Value, index: usize) -> Vec<Value> {
    state["Open"]["answers"]["enfants"]["group"][index]["certificat"]["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Uploads `bytes` to the control `path` the way the live page does.
async fn upload_live(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    key: &str,
    path: &str,
    bytes: &'static [u8],
) -> reqwest::Response {
    client
        .post(app.url(slug, &format!("/api/brouillons/{key}/pieces")))
        .multipart(Form::new().part(
            path.to_owned(),
            Part::bytes(bytes).file_name("certificat.pdf"),
        ))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn each_child_of_a_group_takes_its_own_piece_uploaded_live_posted_or_from_the_wallet() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = publish_with(&app, &admin, "ca", None, &siblings_document()).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let piece = added(&app, &citizen, "ca", CAF, "caf-2026.pdf", PDF).await;
    let key = start(&app, &citizen, "ca", &id, true).await;

    // Three children added without script: each item offers the wallet for its certificate.
    for items in ["0", "1", "2"] {
        let response = post_step(
            &app,
            &citizen,
            "ca",
            &key,
            0,
            &[("enfants.items", items), ("_action", "add:enfants")],
            vec![],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    let html = page(&app, &citizen, "ca", &format!("/brouillons/{key}?etape=1")).await;
    for index in 0..3 {
        let select = format!("name=\"enfants[{index}].certificat.porte-documents\"");
        assert!(html.contains(&select), "{select} in {html}");
    }
    assert!(html.contains(&format!("value=\"{piece}\"")));

    // The first child's certificate is uploaded by the live page, into that item only.
    let response = upload_live(&app, &citizen, "ca", &key, "enfants[0].certificat", PDF).await;
    assert_eq!(response.status(), StatusCode::OK);
    let live: Value = response.json().await.unwrap();
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(item_files(&state, 0)[0]["id"], live["id"]);
    assert!(item_files(&state, 1).is_empty());
    // A path that names no item is refused, and nothing is written.
    let before = files_in(&app, "ca");
    for forged in [
        "enfants[x].certificat",
        "prenom[0].certificat",
        "enfants[0].prenom",
    ] {
        let response = upload_live(&app, &citizen, "ca", &key, forged, PDF).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{forged}");
        assert_eq!(
            error_message(response).await,
            "Ce champ n'accepte pas de fichier.",
            "{forged}"
        );
    }
    assert_eq!(files_in(&app, "ca"), before);

    // A wallet piece that is not the citizen's is refused on its item, with the item's path.
    let live_id = live["id"].as_str().unwrap();
    let stranger = Uuid::new_v4().to_string();
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("enfants.items", "3"),
            ("enfants[0].certificat.keep", live_id),
            ("enfants[1].certificat.porte-documents", &stranger),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let refused = draft(&app, &citizen, "ca", &key).await;
    let paths: Vec<&str> = refused["Open"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["enfants[1].certificat"], "{refused}");

    // The step posted without script: the first keeps its live upload, the second uploads
    // a file with the form, the third takes the wallet's certificate.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("enfants.items", "3"),
            ("enfants[0].prenom", "Léa"),
            ("enfants[0].certificat.keep", live_id),
            ("enfants[1].prenom", "Hugo"),
            ("enfants[2].prenom", "Inès"),
            ("enfants[2].certificat.porte-documents", &piece),
            ("_action", "next"),
        ],
        vec![("enfants[1].certificat", "hugo.pdf", PDF)],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/brouillons/{key}/recapitulatif")
    );
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(item_files(&state, 0).len(), 1);
    assert_eq!(item_files(&state, 0)[0]["id"], live["id"]);
    assert_eq!(item_files(&state, 1)[0]["name"], "hugo.pdf");
    let copy = &item_files(&state, 2)[0];
    assert_eq!(copy["name"], "caf-2026.pdf");
    assert_ne!(
        copy["id"].as_str().unwrap(),
        piece,
        "a copy, with its own id"
    );
    let response = app
        .get(
            &citizen,
            "ca",
            &format!("/pieces/{}?brouillon={key}", copy["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);

    // Sent as three children with their three pieces, filed under each child's path.
    let response = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    assert!(location(&response).starts_with("/mes-demandes/"));
    let filed = app
        .text(
            "SELECT string_agg(field_path, ',' ORDER BY field_path) FROM tenant_ca.attachments \
             WHERE dossier_id IS NOT NULL",
        )
        .await;
    assert_eq!(
        filed,
        "enfants[0].certificat,enfants[1].certificat,enfants[2].certificat"
    );
}
