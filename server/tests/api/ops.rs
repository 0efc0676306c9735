#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What operators and load balancers ask a node: `/healthz`, `/readyz`, `/metrics`.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_node_says_it_is_alive_ready_and_what_it_served() {
    let app = spawn_app().await;
    app.ready().await;
    app.create_tenant("ca", "Commune A").await;
    let probe = reqwest::Client::new();
    let node = |path: &str| format!("http://127.0.0.1:{}{path}", app.addr.port());

    let alive = probe.get(node("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    assert_eq!(alive.text().await.unwrap(), "ok\n");
    // Probes name no commune: they answer on any host, a commune's included.
    let ready = app
        .client()
        .get(app.url("ca", "/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body = ready.text().await.unwrap();
    assert!(body.contains("database ok"), "{body}");
    assert!(body.contains("migrations ok"), "{body}");
    assert!(body.contains("notifications ok"), "{body}");

    // Some traffic: a page at the commune, a server function, an unknown page.
    let client = app.client();
    assert_eq!(app.get(&client, "ca", "/").await.status(), StatusCode::OK);
    let failed = app
        .login(&client, "ca", "personne@example.org", "mauvais-mot-2026")
        .await;
    assert_eq!(failed.status(), StatusCode::BAD_REQUEST);
    app.get(&client, "ca", "/nulle-part/ici").await;

    let metrics = probe.get(node("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("guichet_http_requests_total{route=\"/\",status=\"200\"} 1"),
        "{text}"
    );
    // Paths are counted under their route template, never as typed.
    assert!(!text.contains("nulle-part"), "{text}");
    assert!(text.contains("status=\"400\"}"), "{text}");
    assert!(
        text.contains("guichet_http_request_duration_seconds_bucket{route=\"/\",le=\"+Inf\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("guichet_tenant_requests_total{tenant=\"ca\"} "),
        "{text}"
    );
    assert!(
        text.contains("guichet_db_pool_max_connections 16"),
        "{text}"
    );
    assert!(text.contains("guichet_db_pool_connections{state=\"in_use\"}"));
    assert!(
        text.contains("guichet_outbox_mails{status=\"pending\"}"),
        "{text}"
    );
    assert!(text.contains("guichet_jobs{kind=\"mail_merge\",status=\"queued\"} 0"));
    assert!(text.contains("guichet_notifications_listening 1"));
    // Every sample line is `name{labels} value` or `name value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }

    // On a commune's name (or the console's), /metrics is just an unknown page.
    for url in [app.url("ca", "/metrics"), app.apex_url("/metrics")] {
        let response = client.get(&url).send().await.unwrap();
        assert_ne!(response.status(), StatusCode::OK, "{url}");
        assert!(
            !response
                .text()
                .await
                .unwrap()
                .contains("guichet_http_requests_total")
        );
    }
}

#[tokio::test]
async fn a_node_that_does_not_hear_the_notifications_yet_is_alive_but_not_ready() {
    let app = spawn_app().await;
    // A router on a fresh state whose listener is not running: its caches could go stale.
    let state = app::infra::AppState::new(
        app.state.pool().clone(),
        app.state.settings().clone(),
        app.state.leptos_options().clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = guichet_server::http::router(state.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let probe = reqwest::Client::new();
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    assert_eq!(
        probe.get(url("/healthz")).send().await.unwrap().status(),
        StatusCode::OK
    );
    let not_ready = probe.get(url("/readyz")).send().await.unwrap();
    assert_eq!(not_ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        not_ready.text().await.unwrap(),
        "notifications not heard yet\n"
    );
    // Once its listener listens, it is ready.
    guichet_server::jobs::live::spawn(state);
    let started = std::time::Instant::now();
    while probe.get(url("/readyz")).send().await.unwrap().status() != StatusCode::OK {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
