#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The commune's news: published by its agents, shown on its own portal only.

use app::portal::strings as s;
use reqwest::StatusCode;

use crate::helpers::{error_field, spawn_app};

#[tokio::test]
async fn bad_news_input_gets_a_precise_message_and_publishes_nothing() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let agent = app.admin("ca").await;
    let long_title = "T".repeat(151);
    let long_body = "B".repeat(5_001);
    let cases = [
        ("", "Texte", "title", s::TITLE_EMPTY),
        ("   ", "Texte", "title", s::TITLE_EMPTY),
        (long_title.as_str(), "Texte", "title", s::TITLE_TOO_LONG),
        ("Titre", "", "body", s::BODY_EMPTY),
        ("Titre", long_body.as_str(), "body", s::BODY_TOO_LONG),
    ];
    for (title, body, field, message) in cases {
        let response = app
            .post(
                &agent,
                "ca",
                "news/publish",
                &[("title", title), ("body", body)],
            )
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error_field(response).await,
            (field.to_owned(), message.to_owned())
        );
    }
    assert_eq!(app.count("tenant_ca.news").await, 0);

    let ok = app
        .post(
            &agent,
            "ca",
            "news/publish",
            &[
                ("title", "  Marché de Noël "),
                ("body", "Place de la mairie."),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let item: serde_json::Value = ok.json().await.unwrap();
    assert_eq!(item["title"], "Marché de Noël", "titles are trimmed");
}

#[tokio::test]
async fn news_is_published_on_its_own_portal_and_only_by_its_own_agents() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let agent_a = app.admin("ca").await;
    let anonymous = app.client();

    let response = app
        .post(
            &agent_a,
            "ca",
            "news/publish",
            &[("title", "Fête de la musique"), ("body", "Le 21 juin.")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let home_a = app.get(&anonymous, "ca", "/").await.text().await.unwrap();
    assert!(home_a.contains("Fête de la musique"));
    let home_b = app.get(&anonymous, "cb", "/").await.text().await.unwrap();
    assert!(!home_b.contains("Fête de la musique"));
    assert!(home_b.contains("Aucune actualité publiée pour le moment."));

    // A's agent has no rights at B, and anonymous visitors none anywhere.
    let at_b = app
        .post(
            &agent_a,
            "cb",
            "news/publish",
            &[("title", "Intrus"), ("body", "x")],
        )
        .await;
    assert_eq!(at_b.status(), StatusCode::UNAUTHORIZED);
    let nobody = app
        .post(
            &anonymous,
            "ca",
            "news/publish",
            &[("title", "Intrus"), ("body", "x")],
        )
        .await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("tenant_cb.news").await, 0);
    assert_eq!(app.count("tenant_ca.news").await, 1);
}
