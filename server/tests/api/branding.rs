#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Branding: a tenant admin's look reaches the portal on the very next page load, illegible
//! colours are refused with their measured contrast, images are checked and SVGs cleaned, every
//! version is restorable, mails wear the branding, and nothing of it crosses tenants.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_message, spawn_app};

async fn json_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn state(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    json_of(app.post(client, slug, "branding/state", &[]).await).await
}

/// Saves `document` from the version the page saw; the outcome (`version` or `problems`).
async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    seen: u64,
    document: &Value,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "branding/save",
        &[
            ("seen", &seen.to_string()),
            ("document", &document.to_string()),
        ],
    )
    .await
}

async fn upload(
    client: &reqwest::Client,
    app: &TestApp,
    slug: &str,
    kind: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
    );
    client
        .post(app.url(
            slug,
            &format!("/api/administration/apparence/images?type={kind}"),
        ))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn document(primary: &str, secondary: &str) -> Value {
    json!({
        "look": {
            "display_name": "Ville de Brandy",
            "primary_color": primary,
            "secondary_color": secondary,
            "font": "atkinson-hyperlegible",
            "logo": null,
            "banner": null,
            "welcome_text": "Bienvenue à Brandy.",
            "footer_text": "Mairie de Brandy\n1 place de la Mairie",
            "footer_links": [{"label": "Site de la ville", "url": "https://www.brandy.example"}]
        },
        "legal": {
            "mentions": "Éditeur : commune de Brandy.\n\nHébergeur : le syndicat.",
            "cgu": "",
            "accessibility": "Conformité partielle."
        }
    })
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
    bytes.extend_from_slice(b"IHDR");
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

async fn home(app: &TestApp, slug: &str) -> String {
    app.client()
        .get(app.url(slug, "/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_saved_look_is_served_on_the_very_next_page_load() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let admin = app.admin("ca").await;
    let before = state(&app, &admin, "ca").await;
    let seen = before["version"].as_u64().unwrap();
    assert!(home(&app, "ca").await.contains("--brand-primary: #000091"));

    let outcome =
        json_of(save(&app, &admin, "ca", seen, &document("#00589c", "#f28c00")).await).await;
    assert_eq!(outcome["version"].as_u64(), Some(seen + 1), "{outcome}");

    let page = home(&app, "ca").await;
    assert!(
        page.contains("--brand-primary: #00589c"),
        "the new colour at once"
    );
    assert!(page.contains("--brand-font: \"Atkinson Hyperlegible\""));
    assert!(
        page.contains("Ville de Brandy"),
        "the display name in the header"
    );
    assert!(page.contains("Bienvenue à Brandy."));
    assert!(page.contains("1 place de la Mairie"), "the footer text");
    assert!(page.contains("href=\"https://www.brandy.example\""));
    assert!(page.contains("href=\"/mentions-legales\""));
    let legal = app
        .client()
        .get(app.url("ca", "/mentions-legales"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(legal.contains("Hébergeur : le syndicat."), "{legal}");
}

#[tokio::test]
async fn an_illegible_colour_is_refused_with_its_ratio_and_a_fix_and_nothing_is_saved() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let admin = app.admin("ca").await;
    let seen = state(&app, &admin, "ca").await["version"].as_u64().unwrap();

    let outcome =
        json_of(save(&app, &admin, "ca", seen, &document("#ffe552", "#e1000f")).await).await;
    assert!(outcome["version"].is_null(), "{outcome}");
    let problem = &outcome["problems"][0];
    assert_eq!(problem["field"], "primary_color");
    let message = problem["message"].as_str().unwrap();
    assert!(
        message.contains("1,") && message.contains(":1"),
        "the measured ratio: {message}"
    );
    assert!(message.contains("4,5:1"), "{message}");
    let suggestion = problem["suggestion"].as_str().unwrap().to_owned();
    assert!(message.contains(&suggestion));

    let after = state(&app, &admin, "ca").await;
    assert_eq!(after["version"].as_u64(), Some(seen), "nothing saved");
    assert!(home(&app, "ca").await.contains("--brand-primary: #000091"));

    // The suggested colour is accepted as it is.
    let outcome =
        json_of(save(&app, &admin, "ca", seen, &document(&suggestion, "#e1000f")).await).await;
    assert_eq!(outcome["version"].as_u64(), Some(seen + 1), "{outcome}");

    // A footer link that would run script is refused on its field.
    let mut bad = document("#00589c", "#e1000f");
    bad["look"]["footer_links"][0]["url"] = json!("javascript:alert(1)");
    let outcome = json_of(save(&app, &admin, "ca", seen + 1, &bad).await).await;
    assert_eq!(
        outcome["problems"][0]["field"], "footer_links[0].url",
        "{outcome}"
    );
}

#[tokio::test]
async fn every_version_is_kept_and_one_click_restores_it() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let admin = app.admin("ca").await;
    let v1 = state(&app, &admin, "ca").await["version"].as_u64().unwrap();
    json_of(save(&app, &admin, "ca", v1, &document("#00589c", "#f28c00")).await).await;
    json_of(save(&app, &admin, "ca", v1 + 1, &document("#6b1d5c", "#00a19a")).await).await;
    assert!(home(&app, "ca").await.contains("--brand-primary: #6b1d5c"));

    // A save from a page that did not see the last version is refused, not lost silently.
    let stale = save(&app, &admin, "ca", v1 + 1, &document("#000091", "#e1000f")).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);

    let restored = json_of(
        app.post(
            &admin,
            "ca",
            "branding/restore",
            &[("version", &(v1 + 1).to_string())],
        )
        .await,
    )
    .await;
    assert_eq!(
        restored["version"].as_u64(),
        Some(v1 + 3),
        "a restore is a new version"
    );
    assert!(home(&app, "ca").await.contains("--brand-primary: #00589c"));
    let history = state(&app, &admin, "ca").await["history"].clone();
    let versions: Vec<u64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [v1 + 3, v1 + 2, v1 + 1, v1]);
    assert_eq!(history[0]["restored_from"].as_u64(), Some(v1 + 1));
    assert_eq!(history[0]["saved_by"], crate::helpers::FIRST_ADMIN_NAME);
    // Dated on Paris's clock, the way the rest of the app writes it (PostgreSQL's time zone
    // database as the reference).
    let paris = app
        .text(
            r#"SELECT to_char(saved_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY "à" HH24"h"MI')
               FROM tenant_ca.branding_versions ORDER BY version DESC LIMIT 1"#,
        )
        .await;
    assert_eq!(history[0]["saved_at"], paris.as_str());

    let unknown = app
        .post(&admin, "ca", "branding/restore", &[("version", "999")])
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn images_are_checked_svgs_cleaned_and_served_cached_with_a_strict_policy() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let admin = app.admin("ca").await;

    let hostile = br##"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" viewBox="0 0 10 10"><script>alert(2)</script><rect width="10" height="10" fill="#00589c"/></svg>"##;
    let uploaded =
        json_of(upload(&admin, &app, "ca", "logo", "logo.svg", hostile.to_vec()).await).await;
    let name = uploaded["name"].as_str().unwrap().to_owned();
    assert!(name.ends_with(".svg"));
    let removed = uploaded["removed"].to_string();
    assert!(
        removed.contains("script") && removed.contains("onload"),
        "{removed}"
    );

    let served = app
        .client()
        .get(app.url("ca", &format!("/marque/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let body = served.text().await.unwrap();
    assert!(
        !body.contains("script") && !body.contains("onload"),
        "{body}"
    );
    assert!(body.contains("<rect"), "{body}");

    // A DOCTYPE (entities) refuses the file; other formats are refused whatever their name.
    let laughs = br#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
    let response = upload(&admin, &app, "ca", "logo", "logo.svg", laughs.to_vec()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(response).await.contains("DOCTYPE"));
    let response = upload(
        &admin,
        &app,
        "ca",
        "logo",
        "logo.png",
        b"GIF89a\x01\x00".to_vec(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(response).await.contains("PNG, JPEG et SVG"));
    let response = upload(&admin, &app, "ca", "logo", "logo.png", png(6000, 100)).await;
    assert!(error_message(response).await.contains("6000 × 100"));

    // A saved logo shows in the header of every page.
    let png_name = json_of(upload(&admin, &app, "ca", "banner", "b.png", png(1600, 400)).await)
        .await["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let seen = state(&app, &admin, "ca").await["version"].as_u64().unwrap();
    let mut doc = document("#00589c", "#f28c00");
    doc["look"]["logo"] = json!(name);
    doc["look"]["banner"] = json!(png_name);
    json_of(save(&app, &admin, "ca", seen, &doc).await).await;
    let page = home(&app, "ca").await;
    assert!(page.contains(&format!("src=\"/marque/{name}\"")), "logo");
    assert!(
        page.contains(&format!("src=\"/marque/{png_name}\"")),
        "banner"
    );

    // A name that was never uploaded cannot be saved.
    doc["look"]["logo"] = json!("0123456789abcdef0123456789abcdef.png");
    let outcome = json_of(save(&app, &admin, "ca", seen + 1, &doc).await).await;
    assert_eq!(outcome["problems"][0]["field"], "logo", "{outcome}");
}

#[tokio::test]
async fn only_admins_change_the_look() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let anonymous = app.client();
    let response = save(&app, &anonymous, "ca", 1, &document("#00589c", "#f28c00")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let citizen = app.client();
    app.citizen(&citizen, "ca", "jeanne@example.test", "Clef-Secrete-2026")
        .await;
    let response = save(&app, &citizen, "ca", 1, &document("#00589c", "#f28c00")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = upload(&citizen, &app, "ca", "logo", "l.png", png(10, 10)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .post(&citizen, "ca", "branding/restore", &[("version", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.text("(SELECT count(*) FROM tenant_ca.branding_assets)")
            .await,
        "0"
    );
}

#[tokio::test]
async fn mails_wear_the_branding() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    let admin = app.admin("ca").await;
    let seen = state(&app, &admin, "ca").await["version"].as_u64().unwrap();
    json_of(save(&app, &admin, "ca", seen, &document("#6b1d5c", "#00a19a")).await).await;

    let citizen = app.client();
    app.signup(&citizen, "ca", "paul@example.test", "Clef-Secrete-2026")
        .await;
    let mail = app
        .smtp
        .wait_for("paul@example.test", 1)
        .await
        .pop()
        .unwrap();
    assert!(mail.from.starts_with("Ville de Brandy"), "{}", mail.from);
    assert!(mail.html.contains("background:#6b1d5c"), "{}", mail.html);
    assert!(mail.html.contains("Ville de Brandy"));
    assert!(
        mail.html.contains("/verifier"),
        "the same text as the plain part"
    );
    assert!(mail.body.contains("/verifier"));
}

#[tokio::test]
async fn one_tenants_branding_never_reaches_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Brandy").await;
    app.create_tenant("cb", "Autre").await;
    let admin = app.admin("ca").await;
    let other_admin = app.admin("cb").await;

    let name =
        json_of(upload(&admin, &app, "ca", "logo", "l.png", png(64, 64)).await).await["name"]
            .as_str()
            .unwrap()
            .to_owned();
    // The image is served at its tenant's host only.
    let at_other = app
        .client()
        .get(app.url("cb", &format!("/marque/{name}")))
        .send()
        .await
        .unwrap();
    assert_eq!(at_other.status(), StatusCode::NOT_FOUND);
    // …and cannot be named in another tenant's branding.
    let seen = state(&app, &other_admin, "cb").await["version"]
        .as_u64()
        .unwrap();
    let mut doc = document("#00589c", "#f28c00");
    doc["look"]["logo"] = json!(name);
    let outcome = json_of(save(&app, &other_admin, "cb", seen, &doc).await).await;
    assert_eq!(outcome["problems"][0]["field"], "logo", "{outcome}");

    // Brandy's admin session means nothing at Autre; Brandy's save leaves Autre as it was.
    let response = save(&app, &admin, "cb", seen, &document("#6b1d5c", "#00a19a")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let brandy_seen = state(&app, &admin, "ca").await["version"].as_u64().unwrap();
    json_of(
        save(
            &app,
            &admin,
            "ca",
            brandy_seen,
            &document("#6b1d5c", "#00a19a"),
        )
        .await,
    )
    .await;
    let other_home = home(&app, "cb").await;
    assert!(other_home.contains("--brand-primary: #000091"));
    assert!(!other_home.contains("Ville de Brandy"));
    let legal = app
        .client()
        .get(app.url("cb", "/mentions-legales"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!legal.contains("Brandy"), "{legal}");
}
