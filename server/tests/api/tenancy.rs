#![allow(clippy::unwrap_used, clippy::expect_used)]
//! No request, query or mail of one tenant may ever touch another's.

use std::collections::HashSet;

use futures::future::join_all;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{error_message, spawn_app};

#[tokio::test]
async fn an_unknown_host_gets_a_404_page_and_never_another_tenant_or_the_platform() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();

    for path in ["/", "/connexion", "/plateforme", "/api/news"] {
        let response = app.get(&client, "other", path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("Portail introuvable"), "{body}");
        assert!(!body.contains("Commune A"));
    }
    // A host that merely ends like a tenant's is not that tenant.
    let response = client
        .get(format!("http://127.0.0.1:{}/", app.addr.port()))
        .header("host", "ca.localhost.evil.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_apex_host_serves_the_console_and_a_tenant_host_does_not() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();

    let apex = client.get(app.apex_url("/")).send().await.unwrap();
    assert_eq!(apex.status(), StatusCode::SEE_OTHER);
    assert_eq!(apex.headers()["location"], "/plateforme");
    let console = client
        .get(app.apex_url("/plateforme"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(console.contains("Connexion opérateur"), "{console}");

    let at_tenant = app.get(&client, "ca", "/plateforme").await;
    assert_eq!(at_tenant.status(), StatusCode::NOT_FOUND);
    // Tenant pages do not exist on the apex host.
    assert_eq!(
        client
            .get(app.apex_url("/connexion"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Tenant server functions refuse to run without a tenant.
    let response = app.post(&client, "ca", "news", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = client.post(app.apex_url("/api/news")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_suspended_tenant_answers_403_until_it_is_reactivated() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let client = app.client();
    assert_eq!(app.get(&client, "ca", "/").await.status(), StatusCode::OK);

    app::platform::service::set_status(&app.state, "ca", app::infra::TenantStatus::Suspended)
        .await
        .unwrap();
    let response = app.get(&client, "ca", "/").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Commune A est temporairement suspendu")
    );
    assert_eq!(
        app.post(
            &client,
            "ca",
            "login",
            &[("email", "x@y.fr"), ("password", "x")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&client, "cb", "/").await.status(), StatusCode::OK);

    app::platform::service::set_status(&app.state, "ca", app::infra::TenantStatus::Active)
        .await
        .unwrap();
    assert_eq!(app.get(&client, "ca", "/").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_session_cookie_of_tenant_a_is_worthless_at_tenant_cb() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let client = app.client();
    // The same person has an account at both communes.
    app.citizen(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    let me_at_a = app.post(&client, "ca", "me", &[]).await;
    assert_eq!(me_at_a.status(), StatusCode::OK);

    // The browser would never send A's cookie to B (host-only cookie); force it anyway.
    let stolen = app
        .client()
        .post(app.url("cb", "/api/me"))
        .header(
            "cookie",
            format!("guichet_session={}", session_of(&app).await),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::UNAUTHORIZED);

    let at_b = app.post(&client, "cb", "me", &[]).await;
    assert_eq!(
        at_b.status(),
        StatusCode::UNAUTHORIZED,
        "the cookie jar must not send A's cookie to B"
    );
}

/// The session cookie value the jar holds for tenant `a` (logging in again to read it).
async fn session_of(app: &crate::helpers::TestApp) -> String {
    let fresh = app.client();
    let response = app
        .login(&fresh, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.to_lowercase().contains("domain="),
        "session cookies must be host-only"
    );
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

#[tokio::test]
async fn two_hundred_interleaved_concurrent_requests_never_see_the_other_tenant() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let agent_a = app.admin("ca").await;
    let agent_b = app.admin("cb").await;

    let requests = (0..240).map(|i| {
        let (slug, client, mine, other) = if i % 2 == 0 {
            ("ca", &agent_a, "A", "B")
        } else {
            ("cb", &agent_b, "B", "A")
        };
        let app = &app;
        async move {
            if i % 4 < 2 {
                let title = format!("{mine}-marker-{i}");
                let response = app
                    .post(
                        client,
                        slug,
                        "news/publish",
                        &[("title", &title), ("body", "corps")],
                    )
                    .await;
                assert_eq!(response.status(), StatusCode::OK);
                (slug, Some(title))
            } else {
                let page = app.get(client, slug, "/").await.text().await.unwrap();
                assert!(
                    !page.contains(&format!("{other}-marker-")),
                    "tenant {slug} saw the other tenant's data"
                );
                assert!(page.contains(&format!("Commune {mine}")));
                let api = app
                    .post(client, slug, "news", &[])
                    .await
                    .text()
                    .await
                    .unwrap();
                assert!(
                    !api.contains(&format!("{other}-marker-")),
                    "tenant {slug} API saw the other tenant's data"
                );
                (slug, None)
            }
        }
    });
    let results = join_all(requests).await;

    for slug in ["ca", "cb"] {
        let created: HashSet<String> = results
            .iter()
            .filter(|(s, t)| *s == slug && t.is_some())
            .map(|(_, t)| t.clone().unwrap())
            .collect();
        let schema = format!("tenant_{slug}");
        let rows = app
            .state
            .pool()
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT title FROM {schema}.news"),
            ))
            .await
            .unwrap();
        let stored: HashSet<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "title").unwrap())
            .collect();
        assert_eq!(
            stored, created,
            "tenant {slug} holds exactly what was created through its own host"
        );
    }
}

#[tokio::test]
async fn a_query_without_a_tenant_scope_finds_no_tenant_table() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    // The pool's own search_path names no tenant: unscoped access fails instead of leaking.
    for table in ["users", "news", "mail_outbox", "sessions"] {
        let result = app
            .state
            .pool()
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT * FROM {table}"),
            ))
            .await;
        let error = result.expect_err("an unscoped query must fail").to_string();
        assert!(error.contains("does not exist"), "{error}");
    }
    // And the scope set by a TenantTx dies with its transaction: the connection goes back clean.
    let tenant = app::platform::service::tenant_by_slug(&app.state, "ca")
        .await
        .unwrap();
    for _ in 0..20 {
        let tx = app::infra::TenantTx::begin(&app.state, tenant.clone())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let leaked = app
        .state
        .pool()
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT * FROM users".to_owned(),
        ))
        .await;
    assert!(leaked.is_err());
}

#[tokio::test]
async fn mail_of_one_tenant_comes_from_that_tenant_and_links_to_its_own_host() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let client = app.client();
    assert_eq!(
        app.signup(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.signup(&client, "cb", "jeanne@example.fr", "Autre-Velo-2026")
            .await
            .status(),
        StatusCode::OK
    );

    let mails = app.smtp.wait_for("jeanne@example.fr", 2).await;
    let from_a: Vec<_> = mails
        .iter()
        .filter(|m| m.from.contains("Commune A"))
        .collect();
    let from_b: Vec<_> = mails
        .iter()
        .filter(|m| m.from.contains("Commune B"))
        .collect();
    assert_eq!((from_a.len(), from_b.len()), (1, 1));
    assert!(
        from_a[0]
            .link("/verifier")
            .starts_with(&app.url("ca", "/verifier"))
    );
    assert!(
        from_b[0]
            .link("/verifier")
            .starts_with(&app.url("cb", "/verifier"))
    );

    // A's verification token means nothing at B.
    let token = from_a[0].token("/verifier");
    let response = app
        .post(&client, "cb", "verify_email", &[("jeton", &token)])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        error_message(response)
            .await
            .contains("Ce lien n'est pas valide")
    );
}
