#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Several stateless nodes: two `guichet serve` on one database (each with its own port,
//! state, caches, listeners and search folder; one shared files folder) behave as one site
//! for a citizen whose requests alternate between them, and what they share (login failures,
//! cache invalidations) never crosses communes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::infra::TenantStatus;
use app::infra::rate_limit::RATE_LIMITED_MESSAGE;
use app::platform::service::{set_status, tenant_by_slug};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::dossiers::{
    PDF, draft, location, next_status, permit_document, post_step, publish_with, start, transition,
};
use crate::helpers::{NodeJobs, TestApp, error_message, spawn_app};

const PASSWORD: &str = "Tournesol-Jardin-44";

/// Loads `path` at `slug` on `node` until `served` holds (the other node hears of a change
/// through PostgreSQL's NOTIFY, a few milliseconds after the commit); returns the page and
/// how many loads came before it. Fails after 5 s.
async fn load_until(
    node: &TestApp,
    slug: &str,
    path: &str,
    served: impl Fn(StatusCode, &str) -> bool,
) -> (String, usize) {
    let client = node.client();
    let started = Instant::now();
    let mut stale = 0;
    loop {
        let response = node.get(&client, slug, path).await;
        let status = response.status();
        let page = response.text().await.unwrap();
        if served(status, &page) {
            return (page, stale);
        }
        stale += 1;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{slug}{path} never served the change on node {}",
            node.addr
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Searches `node`'s own index until it finds `dossier` (at most 20 s).
async fn found_by_search(node: &TestApp, slug: &str, text: &str, service: Uuid, dossier: Uuid) {
    let tenant = tenant_by_slug(&node.state, slug).await.unwrap();
    let started = Instant::now();
    loop {
        let found = node
            .state
            .search()
            .search(&tenant, text, &[service], 20)
            .unwrap();
        if found.contains(&dossier) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "node {} never found {text:?}: {found:?}",
            node.addr
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_citizen_whose_requests_alternate_between_two_nodes_sees_one_site() {
    let a = spawn_app().await;
    let b = a.spawn_node(NodeJobs::Run).await;
    a.ready().await;
    b.ready().await;
    a.create_tenant("ca", "Commune A").await;
    let admin = a.admin("ca").await;
    let id = publish_with(
        &a,
        &admin,
        "ca",
        None,
        &permit_document("identified_only", None),
    )
    .await;

    // Signed in on A: the session cookie opens B too (sessions live in PostgreSQL).
    let citizen = a.client();
    a.citizen(&citizen, "ca", "jeanne@example.org", PASSWORD)
        .await;
    let mine = b.post(&citizen, "ca", "portal/my_dossiers", &[]).await;
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(mine.json::<Value>().await.unwrap(), json!([]));
    // Cross-origin protection is stateless: B accepts the page's own origin and refuses
    // another site, as A does.
    let origin = format!("http://ca.localhost:{}", b.addr.port());
    let same_origin = citizen
        .post(b.url("ca", "/api/portal/my_dossiers"))
        .header("origin", &origin)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
    let cross_site = citizen
        .post(b.url("ca", "/api/portal/my_dossiers"))
        .header("origin", "http://cb.localhost")
        .header("sec-fetch-site", "same-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    // A draft started and saved on A is continued on B.
    let key = start(&a, &citizen, "ca", &id, false).await;
    let response = post_step(
        &a,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("entreprise", "non"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=2"));
    let on_b = draft(&b, &citizen, "ca", &key).await;
    assert_eq!(on_b["Open"]["answers"]["nom"], json!({ "text": "Dupont" }));
    let resumed = start(&b, &citizen, "ca", &id, false).await;
    assert_eq!(
        resumed, key,
        "B resumes A's draft rather than starting another"
    );

    // A file uploaded on B is seen, and downloaded, on A (one files folder).
    let response = post_step(
        &b,
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
    let on_a = draft(&a, &citizen, "ca", &key).await;
    let file_id = on_a["Open"]["answers"]["plan"]["files"][0]["id"]
        .as_str()
        .expect("the file uploaded on B, in the draft read on A")
        .to_owned();
    let download = a
        .get(
            &citizen,
            "ca",
            &format!("/pieces/{file_id}?brouillon={key}"),
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);

    // Submitted on A; its status followed live on B; changed on A; heard on B.
    let response = a
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    let reference = format!("{}-000001", time::OffsetDateTime::now_utc().year());
    assert_eq!(location(&response), format!("/mes-demandes/{reference}"));
    let events = b
        .get(
            &citizen,
            "ca",
            &format!("/api/dossiers/{reference}/evenements"),
        )
        .await;
    assert_eq!(events.status(), StatusCode::OK);
    let mut stream = events.bytes_stream();
    let mut buffer = String::new();
    assert_eq!(next_status(&mut stream, &mut buffer).await, "recu");
    a.grant("ca", "admin@ca.test", None, "modification").await;
    let changed = transition(&a, &admin, "ca", &reference, "t1").await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        next_status(&mut stream, &mut buffer).await,
        "en_instruction",
        "B's event stream hears the change made on A"
    );
    drop(stream);

    // Found by search on B, in B's own index (built by B's indexer from PostgreSQL).
    let dossier: Uuid = a
        .text("SELECT id FROM tenant_ca.dossiers")
        .await
        .parse()
        .unwrap();
    let service: Uuid = a
        .text("SELECT service_id FROM tenant_ca.dossiers")
        .await
        .parse()
        .unwrap();
    found_by_search(&b, "ca", &reference, service, dossier).await;
    found_by_search(&b, "ca", "Dupont", service, dossier).await;
    found_by_search(&a, "ca", "Dupont", service, dossier).await;
    // A node started later with an empty search folder catches up by itself.
    let c = a.spawn_node(NodeJobs::Run).await;
    found_by_search(&c, "ca", &reference, service, dossier).await;

    // A new look saved on A is served by B on its next load once the notification arrived;
    // B had the old one cached.
    let (page, _) = load_until(&b, "ca", "/", |_, page| {
        page.contains("--brand-primary: #000091")
    })
    .await;
    assert!(page.contains("--brand-primary: #000091"));
    assert!(b.state.directory().is_cached("ca.localhost"));
    a.set_branding("ca", "#00589c").await;
    let (_, stale) = load_until(&b, "ca", "/", |_, page| {
        page.contains("--brand-primary: #00589c")
    })
    .await;
    println!("B served the new look after {stale} stale load(s)");
    // Suspended on A: B refuses the commune; reactivated: B serves it again.
    set_status(&a.state, "ca", TenantStatus::Suspended)
        .await
        .unwrap();
    load_until(&b, "ca", "/", |status, _| status == StatusCode::FORBIDDEN).await;
    set_status(&a.state, "ca", TenantStatus::Active)
        .await
        .unwrap();
    load_until(&b, "ca", "/", |status, _| status == StatusCode::OK).await;

    // Login failures count on both nodes: five wrong passwords alternating A and B, then
    // even the right one is refused, on either node.
    let guesser = a.client();
    for attempt in 0..5 {
        let node = if attempt % 2 == 0 { &a } else { &b };
        let response = node
            .login(&guesser, "ca", "jeanne@example.org", "mauvais-mot-2026")
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    for node in [&a, &b] {
        let limited = node
            .login(&guesser, "ca", "jeanne@example.org", PASSWORD)
            .await;
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(error_message(limited).await, RATE_LIMITED_MESSAGE);
    }
}

#[tokio::test]
async fn a_job_runs_once_when_both_nodes_run_the_job_loops() {
    let a = spawn_app().await;
    let b = a.spawn_node(NodeJobs::Run).await;
    a.ready().await;
    b.ready().await;
    let tenant = a.create_tenant("ca", "Commune A").await;
    // 60 mails queued in one transaction: both nodes hear the NOTIFY and deliver at once.
    let tx = app::infra::TenantTx::begin(&a.state, tenant.clone())
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..60 {
        let mail = app::infra::mail::OutgoingMail::new(
            format!("usager{i}@ca.test"),
            format!("Objet {i}"),
            "Corps",
        );
        ids.push(app::infra::mail::enqueue(&tx, mail).await.unwrap());
    }
    tx.commit().await.unwrap();
    let started = Instant::now();
    loop {
        let sent: i64 = a
            .text("SELECT count(*) FROM tenant_ca.mail_outbox WHERE status = 'sent' AND recipient LIKE 'usager%'")
            .await
            .parse()
            .unwrap();
        if sent == 60 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{sent} of 60 sent"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A mail is received once it is marked sent: everything that went out is here.
    let mut received: HashMap<String, usize> = HashMap::new();
    for mail in a.smtp.all() {
        if mail.to.iter().any(|t| t.starts_with("usager")) {
            *received.entry(mail.message_id).or_default() += 1;
        }
    }
    assert_eq!(received.len(), 60, "every message arrived");
    assert!(
        received.values().all(|n| *n == 1),
        "no message went out twice: {received:?}"
    );
    for id in ids {
        let message_id = app::infra::mail::message_id(id, "ca");
        assert_eq!(received.get(&message_id), Some(&1), "{message_id}");
    }
}

#[tokio::test]
async fn what_nodes_share_never_crosses_communes() {
    let a = spawn_app().await;
    let b = a.spawn_node(NodeJobs::None).await;
    a.ready().await;
    b.ready().await;
    a.create_tenant("ca", "Commune A").await;
    a.create_tenant("cb", "Commune B").await;
    a.set_branding("cb", "#8a2be2").await;
    let client = a.client();
    a.citizen(&client, "ca", "jeanne@example.org", PASSWORD)
        .await;
    a.citizen(&client, "cb", "jeanne@example.org", PASSWORD)
        .await;

    // Five failures at A's commune, over both nodes, lock that commune's account only.
    for attempt in 0..5 {
        let node = if attempt % 2 == 0 { &a } else { &b };
        let response = node
            .login(&client, "ca", "jeanne@example.org", "mauvais-mot-2026")
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(
        b.login(&client, "ca", "jeanne@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    for node in [&a, &b] {
        assert_eq!(
            node.login(&client, "cb", "jeanne@example.org", PASSWORD)
                .await
                .status(),
            StatusCode::OK,
            "commune B's account is not locked by guesses at commune A"
        );
    }
    assert_eq!(
        a.text("SELECT string_agg(DISTINCT scope, ',') FROM platform.login_failures")
            .await,
        "tenant_ca"
    );

    // B caches both communes; a change of A's look forgets A only, and B's page stays B's.
    load_until(&b, "cb", "/", |_, page| {
        page.contains("--brand-primary: #8a2be2")
    })
    .await;
    load_until(&b, "ca", "/", |_, page| {
        page.contains("--brand-primary: #000091")
    })
    .await;
    assert!(b.state.directory().is_cached("cb.localhost"));
    a.set_branding("ca", "#00589c").await;
    load_until(&b, "ca", "/", |_, page| {
        page.contains("--brand-primary: #00589c")
    })
    .await;
    assert!(
        b.state.directory().is_cached("cb.localhost"),
        "commune B's cached entry survives A's invalidation"
    );
    let page = b
        .client()
        .get(b.url("cb", "/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("--brand-primary: #8a2be2"));
    assert!(!page.contains("#00589c"));
    // Suspending A leaves B's commune served by both nodes.
    set_status(&a.state, "ca", TenantStatus::Suspended)
        .await
        .unwrap();
    load_until(&b, "ca", "/", |status, _| status == StatusCode::FORBIDDEN).await;
    for node in [&a, &b] {
        let response = node.client().get(node.url("cb", "/")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
