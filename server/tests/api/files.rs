#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The file store on its two backends: local files (the default, also exercised by every other
//! test) and an S3-compatible bucket (a real moto server run by the harness). Attachments go
//! up and come back whole, large ones in parts and streamed; a discarded draft takes its files
//! with it; a commune never reaches another's files on either backend; a store that is down
//! fails the request clearly and leaves nothing half-recorded.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::dossiers::{PDF, draft, location, permit_document, post_step, publish, start};
use crate::helpers::{TestApp, error_message, spawn_app, spawn_app_with_s3};
use crate::s3_server::{S3Server, shared_bucket};

/// A draft at `slug` on the permit démarche, its first step answered; returns (client, key).
async fn draft_at_pieces(app: &TestApp, slug: &str, demarche: &str) -> (reqwest::Client, String) {
    let visitor = app.client();
    let key = start(app, &visitor, slug, demarche, false).await;
    let response = post_step(
        app,
        &visitor,
        slug,
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("courriel", "a@example.org"),
            ("entreprise", "non"),
        ],
        vec![],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    (visitor, key)
}

/// Attaches `bytes` to the draft's `plan` through the live page's upload; returns the file id.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    key: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    client
        .post(app.url(slug, &format!("/api/brouillons/{key}/pieces")))
        .multipart(Form::new().part("plan", Part::bytes(bytes).file_name("plan.pdf")))
        .send()
        .await
        .unwrap()
}

async fn uploaded_id(response: reqwest::Response) -> String {
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let file: Value = response.json().await.unwrap();
    file["id"].as_str().unwrap().to_owned()
}

async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    key: &str,
    id: &str,
) -> reqwest::Response {
    app.get(client, slug, &format!("/pieces/{id}?brouillon={key}"))
        .await
}

fn object_key(slug: &str, id: &str) -> String {
    format!("tenant_{slug}/{}", Uuid::parse_str(id).unwrap().simple())
}

/// The permit démarche with room for large plans (20 MB).
fn large_permit_document() -> String {
    permit_document("anonymous_allowed", None).replace(
        "\"max_size_bytes\":1000",
        &format!("\"max_size_bytes\":{}", 20 * 1024 * 1024),
    )
}

/// A PDF (as sniffed) of `size` bytes, different at every position.
fn large_pdf(size: usize) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    let mut n: u32 = 1;
    while bytes.len() < size {
        n = n.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.truncate(size);
    bytes
}

#[tokio::test]
async fn an_attachment_is_stored_in_the_bucket_and_downloaded_whole_from_it() {
    let bucket = shared_bucket().await;
    let app = spawn_app_with_s3(bucket.clone()).await;
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(&app, "ca", &permit_document("anonymous_allowed", None)).await;
    let (visitor, key) = draft_at_pieces(&app, "ca", &demarche).await;

    // The plain step form (no JavaScript) carries the file.
    let response = post_step(
        &app,
        &visitor,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let state = draft(&app, &visitor, "ca", &key).await;
    let id = state["Open"]["answers"]["plan"]["files"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(bucket.keys("tenant_ca/").await, vec![object_key("ca", &id)]);
    let local = app.state.settings().files_dir.join("tenant_ca");
    assert!(!local.exists(), "nothing written to {}", local.display());
    let response = download(&app, &visitor, "ca", &key, &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-length"],
        PDF.len().to_string().as_str()
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
    // Recorded with the digest of what was stored.
    assert_eq!(
        app.text(&format!(
            "SELECT sha256 FROM tenant_ca.attachments WHERE id = '{id}'"
        ))
        .await,
        format!("{:x}", Sha256::digest(PDF))
    );
}

/// 12 MiB: above the part size, so it goes up in parts and comes back as a stream.
async fn a_large_attachment_round_trips(app: &TestApp) {
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(app, "ca", &large_permit_document()).await;
    let (visitor, key) = draft_at_pieces(app, "ca", &demarche).await;
    let bytes = large_pdf(12 * 1024 * 1024 + 7);

    let id = uploaded_id(upload(app, &visitor, "ca", &key, bytes.clone()).await).await;

    let response = download(app, &visitor, "ca", &key, &id).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    let back = response.bytes().await.unwrap();
    assert_eq!(Sha256::digest(&back), Sha256::digest(&bytes));
}

#[tokio::test]
async fn a_large_attachment_goes_to_the_bucket_in_parts_and_streams_back() {
    let bucket = shared_bucket().await;
    let app = spawn_app_with_s3(bucket.clone()).await;
    a_large_attachment_round_trips(&app).await;
    assert_eq!(bucket.keys("tenant_ca/").await.len(), 1);
    assert_eq!(bucket.unfinished_uploads().await, Vec::<String>::new());
}

#[tokio::test]
async fn a_large_attachment_goes_to_local_files_in_parts_and_streams_back() {
    let app = spawn_app().await;
    a_large_attachment_round_trips(&app).await;
    // One file, no staging file left beside it.
    let names: Vec<_> = std::fs::read_dir(app.state.settings().files_dir.join("tenant_ca"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[tokio::test]
async fn a_discarded_draft_takes_its_files_out_of_the_bucket() {
    let bucket = shared_bucket().await;
    let app = spawn_app_with_s3(bucket.clone()).await;
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(&app, "ca", &permit_document("anonymous_allowed", None)).await;
    let (visitor, key) = draft_at_pieces(&app, "ca", &demarche).await;
    uploaded_id(upload(&app, &visitor, "ca", &key, PDF.to_vec()).await).await;
    assert_eq!(bucket.keys("tenant_ca/").await.len(), 1);

    let response = app
        .post(&visitor, "ca", "portal/discard", &[("key", &key)])
        .await;
    assert_eq!(location(&response), "/demarches");

    assert_eq!(bucket.keys("tenant_ca/").await, Vec::<String>::new());
    assert_eq!(app.count("tenant_ca.attachments").await, 0);
}

/// Commune B asks for A's file by its id (and the draft's key) on its own host, then reads the
/// id through its own file store directly: neither reaches A's prefix.
async fn another_commune_cannot_reach_a_file(app: &TestApp) {
    let a = app.create_tenant("ca", "Commune A").await;
    let b = app.create_tenant("cb", "Commune B").await;
    let demarche = publish(app, "ca", &permit_document("anonymous_allowed", None)).await;
    let (visitor, key) = draft_at_pieces(app, "ca", &demarche).await;
    let id = uploaded_id(upload(app, &visitor, "ca", &key, PDF.to_vec()).await).await;

    let response = download(app, &visitor, "cb", &key, &id).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = download(app, &visitor, "ca", &key, &id).await;
    assert_eq!(response.status(), StatusCode::OK);

    let uuid = Uuid::parse_str(&id).unwrap();
    let files_of = |tenant| {
        let state = app.state.clone();
        async move {
            let tx = app::infra::TenantTx::begin(&state, tenant).await.unwrap();
            let files = app::infra::storage::TenantFiles::of(&tx, state.settings());
            let found = files.exists(uuid).await.unwrap();
            tx.commit().await.unwrap();
            found
        }
    };
    assert!(files_of(a).await);
    assert!(!files_of(b).await);
}

#[tokio::test]
async fn a_commune_cannot_reach_another_communes_file_in_the_bucket() {
    let app = spawn_app_with_s3(shared_bucket().await).await;
    another_commune_cannot_reach_a_file(&app).await;
}

#[tokio::test]
async fn a_commune_cannot_reach_another_communes_file_in_local_files() {
    let app = spawn_app().await;
    another_commune_cannot_reach_a_file(&app).await;
}

#[tokio::test]
async fn a_store_that_is_down_fails_the_upload_clearly_and_leaves_nothing_recorded() {
    let mut server = S3Server::start();
    let app = spawn_app_with_s3(server.bucket().await).await;
    app.create_tenant("ca", "Commune A").await;
    let demarche = publish(&app, "ca", &permit_document("anonymous_allowed", None)).await;
    let (visitor, key) = draft_at_pieces(&app, "ca", &demarche).await;
    let stored = uploaded_id(upload(&app, &visitor, "ca", &key, PDF.to_vec()).await).await;

    server.stop();

    // The live page's upload: a precise, retryable error.
    let started = std::time::Instant::now();
    let response = upload(&app, &visitor, "ca", &key, PDF.to_vec()).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        error_message(response)
            .await
            .contains("stockage des fichiers est momentanément indisponible")
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    // The plain step form: an error page saying so, and the draft as it was.
    let response = post_step(
        &app,
        &visitor,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", PDF)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("momentanément indisponible")
    );
    assert_eq!(app.count("tenant_ca.attachments").await, 1);
    let state = draft(&app, &visitor, "ca", &key).await;
    let files = state["Open"]["answers"]["plan"]["files"]
        .as_array()
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["id"], json!(stored));
    // Downloading says so too, rather than sending a broken file.
    let response = download(&app, &visitor, "ca", &key, &stored).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.count("tenant_ca.dossiers").await, 0);
}

#[tokio::test]
async fn local_files_copied_to_a_bucket_are_all_there_and_a_second_copy_skips_them() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let mut ids = Vec::new();
    for slug in ["ca", "cb"] {
        let demarche = publish(&app, slug, &permit_document("anonymous_allowed", None)).await;
        let (visitor, key) = draft_at_pieces(&app, slug, &demarche).await;
        let id = uploaded_id(upload(&app, &visitor, slug, &key, PDF.to_vec()).await).await;
        ids.push((slug, id));
    }
    let bucket = shared_bucket().await;
    let target = app::infra::storage::FileStore::s3(
        &app::infra::storage::S3Settings {
            bucket: bucket.bucket.clone(),
            endpoint: Some(bucket.endpoint.clone()),
            region: "eu-west-3".to_owned(),
            access_key_id: Some("guichet-test".to_owned()),
            secret_access_key: Some("guichet-test-secret".to_owned()),
            allow_http: true,
        },
        &app.state.settings().files_dir,
    )
    .unwrap();

    let first = app
        .state
        .settings()
        .files
        .copy_missing_to(&target)
        .await
        .unwrap();
    assert_eq!((first.copied, first.skipped), (2, 0));
    assert_eq!(first.bytes, 2 * PDF.len() as u64);
    for (slug, id) in &ids {
        assert_eq!(
            bucket.keys(&format!("tenant_{slug}/")).await,
            vec![object_key(slug, id)]
        );
        assert_eq!(bucket.get(&object_key(slug, id)).await, PDF);
    }
    let second = app
        .state
        .settings()
        .files
        .copy_missing_to(&target)
        .await
        .unwrap();
    assert_eq!((second.copied, second.skipped), (0, 2));
}
