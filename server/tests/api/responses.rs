#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Responses to dossiers: a letter drafted from a template goes through its visa/signature
//! circuit (approve, send back with a comment, sign as a delegate), is frozen (by the service
//! and by the database), reaches the citizen by mail and on the portal; wrong agents and
//! wrong states are refused precisely; another commune's ids are unknown.

use reqwest::StatusCode;
use serde_json::Value;

use crate::backoffice::{agent, commune, dossier, file};
use crate::dossiers::signed_in_citizen;
use crate::helpers::{TestApp, error_message, spawn_app};

/// A drawn signature (typst renders SVG; the upload cleans it).
fn signature_svg() -> Vec<u8> {
    br#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><path d="M5 30 C30 5 60 35 115 10" stroke="black" fill="none" stroke-width="2"/></svg>"#.to_vec()
}

async fn user_id(app: &TestApp, slug: &str, email: &str) -> String {
    app.text(&format!(
        "SELECT id FROM tenant_{slug}.users WHERE email = '{email}'"
    ))
    .await
}

async fn respond(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.post(client, slug, "responses/act", form).await
}

async fn ok_id(response: reqwest::Response) -> String {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn panel(app: &TestApp, client: &reqwest::Client, slug: &str, reference: &str) -> Value {
    let response = app
        .post(client, slug, "responses/panel", &[("reference", reference)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn parapheur(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    let response = app.post(client, slug, "responses/parapheur", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn upload_signature(app: &TestApp, client: &reqwest::Client, slug: &str, bytes: Vec<u8>) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("signature.svg"),
    );
    let response = client
        .post(app.url(slug, "/back-office/signature"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

/// Hex of bytes, to compare with what PostgreSQL stores.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_letter_is_visaed_sent_back_visaed_again_signed_by_a_delegate_frozen_and_delivered() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let redacteur = agent(&app, &c, "ca", "redacteur@ca.test").await;
    let viseur = agent(&app, &c, "ca", "viseur@ca.test").await;
    let chef = agent(&app, &c, "ca", "chef@ca.test").await;
    let adjoint = agent(&app, &c, "ca", "adjoint@ca.test").await;
    app.grant("ca", "redacteur@ca.test", Some("Voirie"), "modification")
        .await;
    // The chef heads Voirie: their delegation carries to the adjoint (org::rights_of).
    app.grant("ca", "chef@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "habitant@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Habitant", "44000").await;
    let viseur_id = user_id(&app, "ca", "viseur@ca.test").await;
    let chef_id = user_id(&app, "ca", "chef@ca.test").await;

    // Drafted from a template on the dossier, its text edited, previewed.
    let section = panel(&app, &redacteur, "ca", &reference).await;
    assert_eq!(section["can_create"], true);
    let template = section["templates"][0][0].as_str().unwrap().to_owned();
    let id = ok_id(
        respond(
            &app,
            &redacteur,
            "ca",
            &[
                ("action", "create"),
                ("reference", &reference),
                ("template", &template),
            ],
        )
        .await,
    )
    .await;
    ok_id(
        respond(
            &app,
            &redacteur,
            "ca",
            &[
                ("action", "edit"),
                ("response", &id),
                ("free_text", "Les travaux auront lieu en mars."),
            ],
        )
        .await,
    )
    .await;
    let preview = app
        .get(&redacteur, "ca", &format!("/back-office/reponses/{id}.pdf"))
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-type"], "application/pdf");
    assert!(preview.bytes().await.unwrap().starts_with(b"%PDF"));

    // A circuit must end with a signature.
    let bad = respond(
        &app,
        &redacteur,
        "ca",
        &[
            ("action", "start"),
            ("response", &id),
            ("step_kinds[0]", "visa"),
            ("step_assignees[0]", &format!("u:{viseur_id}")),
            ("by_portal", "on"),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(bad).await,
        app::responses::strings::CIRCUIT_LAST_NOT_SIGNATURE
    );
    ok_id(
        respond(
            &app,
            &redacteur,
            "ca",
            &[
                ("action", "start"),
                ("response", &id),
                ("step_kinds[0]", "visa"),
                ("step_assignees[0]", &format!("u:{viseur_id}")),
                ("step_kinds[1]", "signature"),
                ("step_assignees[1]", &format!("u:{chef_id}")),
                ("by_email", "on"),
                ("by_portal", "on"),
                ("by_postal", "on"),
            ],
        )
        .await,
    )
    .await;

    // In circuit: no more edits; the chef cannot visa in the viseur's place; an agent with
    // no part in it does not even see it.
    let edit = respond(
        &app,
        &redacteur,
        "ca",
        &[
            ("action", "edit"),
            ("response", &id),
            ("free_text", "Autre"),
        ],
    )
    .await;
    assert_eq!(edit.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_message(edit).await,
        app::responses::strings::NOT_DRAFT
    );
    let not_theirs = respond(
        &app,
        &chef,
        "ca",
        &[("action", "approve"), ("response", &id), ("position", "0")],
    )
    .await;
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_message(not_theirs).await,
        app::responses::strings::NOT_YOUR_STEP
    );
    let stranger = respond(
        &app,
        &adjoint,
        "ca",
        &[("action", "approve"), ("response", &id), ("position", "0")],
    )
    .await;
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);

    // The pages show it: the dossier's section, the viseur's parapheur.
    let page = app
        .get(
            &redacteur,
            "ca",
            &format!("/back-office/dossiers/{reference}"),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(app::responses::strings::SECTION), "{page}");
    assert!(page.contains(app::responses::strings::STATUS_IN_CIRCUIT));
    let page = app
        .get(&viseur, "ca", "/back-office/parapheur")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&reference), "{page}");
    assert!(page.contains(app::responses::strings::APPROVE));

    // Visa, then the chef sends it back to the visa with a comment (required).
    assert_eq!(
        parapheur(&app, &viseur, "ca").await["items"][0]["response_id"],
        id.as_str()
    );
    ok_id(
        respond(
            &app,
            &viseur,
            "ca",
            &[("action", "approve"), ("response", &id), ("position", "0")],
        )
        .await,
    )
    .await;
    let silent = respond(
        &app,
        &chef,
        "ca",
        &[
            ("action", "return"),
            ("response", &id),
            ("position", "1"),
            ("target", "0"),
        ],
    )
    .await;
    assert_eq!(silent.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(silent).await,
        app::responses::strings::COMMENT_REQUIRED
    );
    ok_id(
        respond(
            &app,
            &chef,
            "ca",
            &[
                ("action", "return"),
                ("response", &id),
                ("position", "1"),
                ("target", "0"),
                ("comment", "Préciser la date exacte"),
            ],
        )
        .await,
    )
    .await;
    let steps = &panel(&app, &redacteur, "ca", &reference).await["responses"][0]["steps"];
    assert_eq!(steps[0]["state"], "pending");
    assert_eq!(steps[0]["current"], true);
    assert_eq!(steps[1]["state"], "returned");
    assert_eq!(steps[1]["comment"], "Préciser la date exacte");
    ok_id(
        respond(
            &app,
            &viseur,
            "ca",
            &[("action", "approve"), ("response", &id), ("position", "0")],
        )
        .await,
    )
    .await;
    // A second click on the same visa finds it passed.
    let stale = respond(
        &app,
        &viseur,
        "ca",
        &[("action", "approve"), ("response", &id), ("position", "0")],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_message(stale).await,
        app::responses::strings::STEP_NOT_CURRENT
    );

    // The chef is away: the adjoint signs on their behalf, with the adjoint's own signature.
    app.sql(
        "INSERT INTO tenant_ca.delegations (id, from_user, to_user, starts_on, ends_on)
         SELECT gen_random_uuid(), f.id, t.id, current_date, current_date + 7
         FROM tenant_ca.users f, tenant_ca.users t WHERE f.email = 'chef@ca.test' AND t.email = 'adjoint@ca.test'",
    )
    .await;
    upload_signature(&app, &adjoint, "ca", signature_svg()).await;
    let inbox = parapheur(&app, &adjoint, "ca").await;
    assert_eq!(inbox["has_signature"], true);
    assert_eq!(inbox["items"][0]["on_behalf_of"], "chef@ca.test");
    let approve_signature = respond(
        &app,
        &adjoint,
        "ca",
        &[("action", "approve"), ("response", &id), ("position", "1")],
    )
    .await;
    assert_eq!(approve_signature.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_message(approve_signature).await,
        app::responses::strings::APPROVE_AT_SIGNATURE
    );
    ok_id(
        respond(
            &app,
            &adjoint,
            "ca",
            &[("action", "sign"), ("response", &id), ("position", "1")],
        )
        .await,
    )
    .await;

    // Signed, hashed, dispatched; recorded as the adjoint's on behalf of the chef.
    let row = format!("FROM tenant_ca.dossier_responses WHERE id = '{id}'");
    assert_eq!(
        app.text(&format!("SELECT status {row}")).await,
        "dispatched"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT pdf_sha256 = encode(sha256(pdf), 'hex') {row}"
        ))
        .await,
        "true"
    );
    assert_eq!(
        app.text(&format!("SELECT on_behalf_of {row}")).await,
        chef_id
    );
    let section = panel(&app, &redacteur, "ca", &reference).await;
    let response = &section["responses"][0];
    assert_eq!(response["status"], "dispatched");
    assert_eq!(response["signed_by"], "adjoint@ca.test");
    assert_eq!(response["on_behalf_of"], "chef@ca.test");
    let sha256 = response["sha256"].as_str().unwrap().to_owned();

    // Frozen: the service refuses every change, and so does the database.
    for form in [
        vec![
            ("action", "edit"),
            ("response", id.as_str()),
            ("free_text", "Autre"),
        ],
        vec![
            ("action", "sign"),
            ("response", id.as_str()),
            ("position", "1"),
        ],
        vec![
            ("action", "start"),
            ("response", id.as_str()),
            ("by_portal", "on"),
        ],
    ] {
        let refused = respond(&app, &redacteur, "ca", &form).await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert_eq!(
            error_message(refused).await,
            app::responses::strings::FROZEN
        );
    }
    let pool = app.state.pool();
    use sea_orm::ConnectionTrait;
    for sql in [
        format!("UPDATE tenant_ca.dossier_responses SET free_text = 'falsifié' WHERE id = '{id}'"),
        format!(
            "UPDATE tenant_ca.dossier_responses SET pdf = '\\x00'::bytea, pdf_sha256 = encode(sha256('\\x00'::bytea), 'hex') WHERE id = '{id}'"
        ),
        format!(
            "UPDATE tenant_ca.dossier_responses SET status = 'draft', current_step = NULL, pdf = NULL, signed_at = NULL WHERE id = '{id}'"
        ),
        format!("DELETE FROM tenant_ca.dossier_responses WHERE id = '{id}'"),
    ] {
        assert!(pool.execute_unprepared(&sql).await.is_err(), "{sql}");
    }

    // Every step is in the dossier's history, the signature on the chef's behalf.
    let page: Value = dossier(&app, &redacteur, "ca", &reference)
        .await
        .json()
        .await
        .unwrap();
    let history: Vec<(String, String, String)> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["who"].as_str().unwrap_or_default().to_owned(),
                h["on_behalf_of"].as_str().unwrap_or_default().to_owned(),
                h["what"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let whats: Vec<&str> = history.iter().map(|h| h.2.as_str()).collect();
    for expected in [
        "Courrier rédigé",
        "Texte du courrier modifié",
        "Courrier envoyé dans le circuit de visa et signature",
        "Courrier visé",
        "Courrier renvoyé — Étape 2 → Étape 1 : Préciser la date exacte",
        "Courrier signé",
        "Courrier envoyé",
    ] {
        assert!(
            whats.iter().any(|w| w.starts_with(expected)),
            "{expected} in {whats:?}"
        );
    }
    let signed = history
        .iter()
        .find(|h| h.2.starts_with("Courrier signé"))
        .unwrap();
    assert_eq!(signed.0, "adjoint@ca.test");
    assert_eq!(signed.1, "chef@ca.test");

    // The citizen downloads it from their dossier's page: the very bytes that were signed.
    let view: Value = app
        .post(
            &citizen,
            "ca",
            "portal/dossier",
            &[("reference", &reference)],
        )
        .await
        .json()
        .await
        .unwrap();
    let url = view["letters"][0]["url"].as_str().unwrap().to_owned();
    let download = app.get(&citizen, "ca", &url).await;
    assert_eq!(download.status(), StatusCode::OK);
    let bytes = download.bytes().await.unwrap();
    assert_eq!(
        app.text(&format!("SELECT encode(pdf, 'hex') {row}")).await,
        hex(&bytes)
    );
    assert_eq!(
        app.text(&format!(
            "SELECT encode(sha256(decode('{}', 'hex')), 'hex')",
            hex(&bytes)
        ))
        .await,
        sha256
    );
    // Another citizen, or nobody, gets nothing.
    let other = signed_in_citizen(&app, "ca", "voisin@example.org").await;
    assert_eq!(
        app.get(&other, "ca", &url).await.status(),
        StatusCode::NOT_FOUND
    );

    // And by mail.
    let mails = app.smtp.wait_for("habitant@example.org", 3).await;
    let mail = mails
        .iter()
        .find(|m| m.subject.contains("Courrier concernant votre dossier"))
        .expect("the letter's mail");
    assert!(mail.body.contains(&reference));
    assert_eq!(mail.attachments.len(), 1, "{mail:?}");
    let attached = &mail.attachments[0];
    assert_eq!(attached.content_type, "application/pdf");
    assert!(attached.filename.ends_with(".pdf"));
    assert_eq!(attached.size, bytes.len());
    assert_eq!(attached.sha256, sha256);
}

#[tokio::test]
async fn another_communes_responses_pdfs_circuits_and_signatures_are_unknown_there() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    let b = commune(&app, "cb").await;
    let b_admin = b.admin.clone();
    app.grant("ca", "admin@ca.test", Some("Voirie"), "gestion")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "habitant@example.org").await;
    let reference = file(&app, &citizen, "ca", &a, "Habitant", "44000").await;
    let section = panel(&app, &a.admin, "ca", &reference).await;
    let template = section["templates"][0][0].as_str().unwrap().to_owned();
    let id = ok_id(
        respond(
            &app,
            &a.admin,
            "ca",
            &[
                ("action", "create"),
                ("reference", &reference),
                ("template", &template),
            ],
        )
        .await,
    )
    .await;
    let admin_id = user_id(&app, "ca", "admin@ca.test").await;
    let model = ok_id(
        app.post(
            &a.admin,
            "ca",
            "responses/save_circuit",
            &[
                ("name", "Signature du maire"),
                ("step_kinds[0]", "signature"),
                ("step_assignees[0]", &format!("u:{admin_id}")),
            ],
        )
        .await,
    )
    .await;
    upload_signature(&app, &a.admin, "ca", signature_svg()).await;
    assert_eq!(
        app.get(&a.admin, "ca", "/back-office/signature")
            .await
            .status(),
        StatusCode::OK
    );

    // At cb, with cb's admin: none of it exists.
    assert_eq!(
        app.get(&b_admin, "cb", &format!("/back-office/reponses/{id}.pdf"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for form in [
        vec![
            ("action", "edit"),
            ("response", id.as_str()),
            ("free_text", "x"),
        ],
        vec![
            ("action", "start"),
            ("response", id.as_str()),
            ("model", model.as_str()),
            ("by_portal", "on"),
        ],
        vec![
            ("action", "sign"),
            ("response", id.as_str()),
            ("position", "0"),
        ],
        vec![
            ("action", "create"),
            ("reference", reference.as_str()),
            ("template", template.as_str()),
        ],
    ] {
        let response = respond(&app, &b_admin, "cb", &form).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{form:?}");
    }
    assert_eq!(
        app.post(
            &b_admin,
            "cb",
            "responses/panel",
            &[("reference", &reference)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &b_admin,
            "cb",
            "responses/delete_circuit",
            &[("id", &model)]
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let circuits: Value = app
        .post(&b_admin, "cb", "responses/circuits", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(circuits["models"], serde_json::json!([]));
    assert_eq!(
        app.get(&b_admin, "cb", "/back-office/signature")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &b_admin,
            "cb",
            &format!("/mes-demandes/{reference}/courriers/{id}")
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // A dossier of cb's own: ca's template is not one of cb's.
    app.grant("cb", "admin@cb.test", Some("Voirie"), "gestion")
        .await;
    let b_citizen = signed_in_citizen(&app, "cb", "habitant@example.org").await;
    let b_reference = file(&app, &b_citizen, "cb", &b, "Habitant", "44000").await;
    let foreign = respond(
        &app,
        &b_admin,
        "cb",
        &[
            ("action", "create"),
            ("reference", &b_reference),
            ("template", &template),
        ],
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(foreign).await,
        app::responses::strings::TEMPLATE_UNKNOWN
    );
    // Still there at ca.
    assert_eq!(
        app.post(&a.admin, "ca", "responses/circuits", &[])
            .await
            .json::<Value>()
            .await
            .unwrap()["models"][0]["id"],
        model.as_str()
    );
}

#[tokio::test]
async fn an_anonymous_citizen_downloads_the_letter_signed_through_a_saved_circuit_from_the_tracking_link()
 {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "gestion")
        .await;
    let anonymous = app.client();
    let reference = file(&app, &anonymous, "ca", &c, "Passant", "44000").await;
    let key = app
        .text(&format!(
            "SELECT tracking_key FROM tenant_ca.dossiers WHERE reference = '{reference}'"
        ))
        .await;
    let admin_id = user_id(&app, "ca", "admin@ca.test").await;
    // Only managers keep circuits.
    let agent_only = agent(&app, &c, "ca", "simple@ca.test").await;
    let refused = app
        .post(
            &agent_only,
            "ca",
            "responses/save_circuit",
            &[
                ("name", "Maire"),
                ("step_kinds[0]", "signature"),
                ("step_assignees[0]", &format!("u:{admin_id}")),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let model = ok_id(
        app.post(
            &c.admin,
            "ca",
            "responses/save_circuit",
            &[
                ("name", "Maire"),
                ("step_kinds[0]", "signature"),
                ("step_assignees[0]", &format!("u:{admin_id}")),
            ],
        )
        .await,
    )
    .await;
    let template = panel(&app, &c.admin, "ca", &reference).await["templates"][0][0]
        .as_str()
        .unwrap()
        .to_owned();
    let id = ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[
                ("action", "create"),
                ("reference", &reference),
                ("template", &template),
            ],
        )
        .await,
    )
    .await;
    let page = app
        .get(&c.admin, "ca", "/back-office/circuits")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Maire"), "{page}");
    let no_channel = respond(
        &app,
        &c.admin,
        "ca",
        &[("action", "start"), ("response", &id), ("model", &model)],
    )
    .await;
    assert_eq!(no_channel.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(no_channel).await,
        app::responses::strings::NO_CHANNEL
    );
    ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[
                ("action", "start"),
                ("response", &id),
                ("model", &model),
                ("by_portal", "on"),
            ],
        )
        .await,
    )
    .await;
    // Sent back to its author: a draft again, with the reason, editable, then sent again.
    ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[
                ("action", "return"),
                ("response", &id),
                ("position", "0"),
                ("target", "author"),
                ("comment", "Ajouter la référence cadastrale"),
            ],
        )
        .await,
    )
    .await;
    let response = &panel(&app, &c.admin, "ca", &reference).await["responses"][0];
    assert_eq!(response["status"], "draft");
    assert_eq!(
        response["returned_comment"],
        "Ajouter la référence cadastrale"
    );
    assert_eq!(response["editable"], true);
    ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[
                ("action", "edit"),
                ("response", &id),
                ("free_text", "Parcelle AB 12."),
            ],
        )
        .await,
    )
    .await;
    ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[
                ("action", "start"),
                ("response", &id),
                ("model", &model),
                ("by_portal", "on"),
            ],
        )
        .await,
    )
    .await;
    // No signature image yet: the letter is signed with the name alone.
    ok_id(
        respond(
            &app,
            &c.admin,
            "ca",
            &[("action", "sign"), ("response", &id), ("position", "0")],
        )
        .await,
    )
    .await;

    let view: Value = app
        .post(&anonymous, "ca", "portal/dossier", &[("tracking", &key)])
        .await
        .json()
        .await
        .unwrap();
    let url = view["letters"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("/suivi/{key}/courriers/{id}"));
    let download = app.get(&anonymous, "ca", &url).await;
    assert_eq!(download.status(), StatusCode::OK);
    let bytes = download.bytes().await.unwrap();
    assert_eq!(
        app.text(&format!(
            "SELECT encode(pdf, 'hex') FROM tenant_ca.dossier_responses WHERE id = '{id}'"
        ))
        .await,
        hex(&bytes)
    );
    // A wrong key finds nothing.
    assert_eq!(
        app.get(&anonymous, "ca", &format!("/suivi/{key}x/courriers/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_letter_sent_right_after_its_text_was_typed_goes_into_the_circuit_with_that_text() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let redacteur = agent(&app, &c, "ca", "redacteur@ca.test").await;
    let _chef = agent(&app, &c, "ca", "chef@ca.test").await;
    app.grant("ca", "redacteur@ca.test", Some("Voirie"), "modification")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "habitant@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Habitant", "44000").await;
    let chef_id = user_id(&app, "ca", "chef@ca.test").await;
    let template = panel(&app, &redacteur, "ca", &reference).await["templates"][0][0]
        .as_str()
        .unwrap()
        .to_owned();
    let id = ok_id(
        respond(
            &app,
            &redacteur,
            "ca",
            &[
                ("action", "create"),
                ("reference", &reference),
                ("template", &template),
            ],
        )
        .await,
    )
    .await;
    let signer = format!("u:{chef_id}");
    let typed = "Une équipe interviendra lundi.";
    let send = [
        ("action", "start"),
        ("response", id.as_str()),
        ("free_text", typed),
        ("step_kinds[0]", "signature"),
        ("step_assignees[0]", signer.as_str()),
        ("by_portal", "on"),
    ];

    // A send that cannot happen says why, in French; the letter stays a draft, with the text
    // its author typed kept.
    let mut refused = send.to_vec();
    refused.retain(|(key, _)| !key.starts_with("step_"));
    refused[2] = ("free_text", "Premier jet.");
    let response = respond(&app, &redacteur, "ca", &refused).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(response).await,
        app::responses::strings::CIRCUIT_EMPTY
    );
    let draft = &panel(&app, &redacteur, "ca", &reference).await["responses"][0];
    assert_eq!(
        (draft["status"].as_str(), draft["free_text"].as_str()),
        (Some("draft"), Some("Premier jet."))
    );

    // The text typed and the send at once (the page posts both with "Envoyer dans le
    // circuit", the text never saved apart): the letter goes into the circuit with that text.
    ok_id(respond(&app, &redacteur, "ca", &send).await).await;
    let sent = &panel(&app, &redacteur, "ca", &reference).await["responses"][0];
    assert_eq!(sent["status"], "in_circuit", "{sent}");
    assert_eq!(sent["free_text"], typed, "{sent}");

    // A save of the text still on its way while the send lands: it either lands first or is
    // told why not; the letter is in the circuit with the text of the page either way.
    let second = ok_id(
        respond(
            &app,
            &redacteur,
            "ca",
            &[
                ("action", "create"),
                ("reference", &reference),
                ("template", &template),
            ],
        )
        .await,
    )
    .await;
    let mut send = send.to_vec();
    send[1] = ("response", second.as_str());
    let save = [
        ("action", "edit"),
        ("response", second.as_str()),
        ("free_text", typed),
    ];
    let (saved, sent) = tokio::join!(
        respond(&app, &redacteur, "ca", &save),
        respond(&app, &redacteur, "ca", &send)
    );
    assert_eq!(
        sent.status(),
        StatusCode::OK,
        "{}",
        sent.text().await.unwrap()
    );
    if saved.status() != StatusCode::OK {
        assert_eq!(saved.status(), StatusCode::CONFLICT);
        assert_eq!(
            error_message(saved).await,
            app::responses::strings::NOT_DRAFT
        );
    }
    let sent = &panel(&app, &redacteur, "ca", &reference).await["responses"][1];
    assert_eq!(sent["status"], "in_circuit", "{sent}");
    assert_eq!(sent["free_text"], typed, "{sent}");
}
