#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mail waits in the tenant's outbox until an SMTP server takes it, retried with backoff.

use std::sync::Arc;

use guichet_server::jobs::outbox::{MAX_ATTEMPTS, Outbox};
use guichet_server::mail::MailTransport;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{ReceivedAttachment, TestApp, spawn_app_without_jobs};

fn outbox(app: &TestApp, smtp_url: &str) -> Outbox {
    let transport = MailTransport::new(Some(smtp_url), &std::env::temp_dir()).unwrap();
    Outbox::new(
        app.state.clone(),
        Arc::new(transport),
        app.mail_from.clone(),
    )
}

async fn row(app: &TestApp, column: &str) -> String {
    let row = app
        .state
        .pool()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT ({column})::text AS v FROM tenant_ca.mail_outbox"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<Option<String>>("", "v")
        .unwrap()
        .unwrap_or_default()
}

#[tokio::test]
async fn mail_is_retried_with_backoff_until_the_smtp_server_answers_and_sent_once() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await; // queues the admin's invitation
    let unreachable = outbox(&app, "smtp://127.0.0.1:9");
    let working = outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port));

    let next = unreachable.deliver_tenant("ca").await.unwrap();
    assert!(next.is_some(), "a retry is scheduled");
    assert_eq!(row(&app, "status").await, "pending");
    assert_eq!(row(&app, "attempts").await, "1");
    assert!(!row(&app, "last_error").await.is_empty());
    assert_eq!(
        row(&app, "next_attempt_at > now() + interval '25 seconds'").await,
        "true"
    );

    // Not due yet: even a working server sends nothing before the backoff has passed.
    assert!(working.deliver_tenant("ca").await.unwrap().is_some());
    assert!(app.smtp.to("admin@ca.test").is_empty());

    app.state
        .pool()
        .execute_unprepared("UPDATE tenant_ca.mail_outbox SET next_attempt_at = now()")
        .await
        .unwrap();
    assert_eq!(
        working.deliver_tenant("ca").await.unwrap(),
        None,
        "nothing left to retry"
    );
    assert_eq!(app.smtp.wait_for("admin@ca.test", 1).await.len(), 1);
    assert_eq!(
        (row(&app, "status").await, row(&app, "attempts").await),
        ("sent".to_owned(), "2".to_owned())
    );

    // Delivered mail is never sent again.
    working.deliver_tenant("ca").await.unwrap();
    assert_eq!(app.smtp.to("admin@ca.test").len(), 1);
}

#[tokio::test]
async fn mail_that_keeps_failing_is_given_up_after_the_last_attempt_with_its_error_kept() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    app.state
        .pool()
        .execute_unprepared(&format!(
            "UPDATE tenant_ca.mail_outbox SET attempts = {}",
            MAX_ATTEMPTS - 1
        ))
        .await
        .unwrap();

    assert_eq!(
        outbox(&app, "smtp://127.0.0.1:9")
            .deliver_tenant("ca")
            .await
            .unwrap(),
        None
    );
    assert_eq!(row(&app, "status").await, "failed");
    assert_eq!(row(&app, "attempts").await, MAX_ATTEMPTS.to_string());
    assert!(!row(&app, "last_error").await.is_empty());
}

#[tokio::test]
async fn the_sweep_finds_only_tenants_with_pending_mail() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    app.state
        .pool()
        .execute_unprepared("UPDATE tenant_cb.mail_outbox SET status = 'sent'")
        .await
        .unwrap();
    let pending = outbox(&app, "smtp://127.0.0.1:9")
        .tenants_with_pending_mail()
        .await
        .unwrap();
    assert_eq!(pending, vec!["ca".to_owned()]);
}

#[tokio::test]
async fn a_suspended_tenants_mail_waits_until_it_is_reactivated() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    app::platform::service::set_status(&app.state, "ca", app::infra::TenantStatus::Suspended)
        .await
        .unwrap();
    let working = outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port));

    assert_eq!(working.deliver_tenant("ca").await.unwrap(), None);
    assert!(
        working
            .tenants_with_pending_mail()
            .await
            .unwrap()
            .is_empty(),
        "the sweep skips suspended tenants"
    );
    assert_eq!(row(&app, "status").await, "pending");

    app::platform::service::set_status(&app.state, "ca", app::infra::TenantStatus::Active)
        .await
        .unwrap();
    assert_eq!(
        working.tenants_with_pending_mail().await.unwrap(),
        vec!["ca".to_owned()]
    );
    working.deliver_tenant("ca").await.unwrap();
    assert_eq!(app.smtp.wait_for("admin@ca.test", 1).await.len(), 1);
}

async fn queue(app: &TestApp, mail: app::infra::mail::OutgoingMail) -> uuid::Uuid {
    let tenant = app::platform::service::tenant_by_slug(&app.state, "ca")
        .await
        .unwrap();
    let tx = app::infra::TenantTx::begin(&app.state, tenant)
        .await
        .unwrap();
    let id = app::infra::mail::enqueue(&tx, mail).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn text(app: &TestApp, sql: &str) -> String {
    app.text(sql).await
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_message_keeps_its_message_id_when_the_server_refuses_it_once_and_it_is_retried() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    let id = queue(
        &app,
        app::infra::mail::OutgoingMail::new("tempfail-usager@ca.test", "Objet", "Corps"),
    )
    .await;
    let message_id = text(
        &app,
        &format!("SELECT message_id FROM tenant_ca.mail_outbox WHERE id = '{id}'"),
    )
    .await;
    assert!(message_id.starts_with('<') && message_id.ends_with("@ca.guichet>"));
    let working = outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port));

    assert!(working.deliver_tenant("ca").await.unwrap().is_some());
    assert_eq!(app.smtp.refused_once(), vec![message_id.clone()]);
    let error = text(
        &app,
        &format!("SELECT last_error FROM tenant_ca.mail_outbox WHERE id = '{id}'"),
    )
    .await;
    assert!(error.contains("451"), "{error}");

    app.sql("UPDATE tenant_ca.mail_outbox SET next_attempt_at = now()")
        .await;
    working.deliver_tenant("ca").await.unwrap();
    let received = app.smtp.wait_for("tempfail-usager@ca.test", 1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].message_id, message_id,
        "the retry carries the Message-ID of the refused attempt"
    );
}

#[tokio::test]
async fn attachments_and_an_explicit_html_body_arrive_intact() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    let binary: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let text_file = "Ligne 1 – éàç\r\nLigne 2\n".as_bytes().to_vec();
    queue(
        &app,
        app::infra::mail::OutgoingMail::new("usager@ca.test", "Votre courrier", "Le texte.")
            .with_html("<p>Le <strong>courrier</strong>.</p>")
            .with_attachment("courrier-2026.pdf", "application/pdf", binary.clone())
            .with_attachment("note.txt", "text/plain; charset=utf-8", text_file.clone()),
    )
    .await;
    outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port))
        .deliver_tenant("ca")
        .await
        .unwrap();
    let mail = app.smtp.wait_for("usager@ca.test", 1).await.remove(0);
    assert_eq!(mail.body.trim(), "Le texte.");
    assert!(mail.html.contains("<strong>courrier</strong>"));
    assert_eq!(
        mail.attachments,
        vec![
            ReceivedAttachment {
                filename: "courrier-2026.pdf".into(),
                content_type: "application/pdf".into(),
                size: binary.len(),
                sha256: sha256(&binary),
            },
            ReceivedAttachment {
                filename: "note.txt".into(),
                content_type: "text/plain".into(),
                size: text_file.len(),
                sha256: sha256(&text_file),
            },
        ]
    );
}

#[tokio::test]
async fn the_communes_sender_name_and_reply_to_address_are_used_and_validated() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    let working = outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port));
    working.deliver_tenant("ca").await.unwrap(); // the admin's invitation
    let admin = app.admin("ca").await;

    // Refused, precisely.
    let refused = app
        .post(
            &admin,
            "ca",
            "mail/settings",
            &[("sender_name", ""), ("reply_to", "accueil@mairie")],
        )
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let (field, message) = crate::helpers::error_field(refused).await;
    assert_eq!(field, "reply_to");
    assert!(
        message.starts_with("L'adresse de réponse n'est pas valide"),
        "{message}"
    );
    let refused = app
        .post(
            &admin,
            "ca",
            "mail/settings",
            &[("sender_name", "Mairie <x@y.fr>"), ("reply_to", "")],
        )
        .await;
    assert_eq!(crate::helpers::error_field(refused).await.0, "sender_name");

    // By default: the branding's name, no Reply-To.
    queue(
        &app,
        app::infra::mail::OutgoingMail::new("a@ca.test", "Un", "Un"),
    )
    .await;
    working.deliver_tenant("ca").await.unwrap();
    let mail = app.smtp.wait_for("a@ca.test", 1).await.remove(0);
    assert_eq!(mail.from, "Commune A <ne-pas-repondre@guichet.test>");
    assert_eq!(mail.reply_to, "");

    let saved = app
        .post(
            &admin,
            "ca",
            "mail/settings",
            &[
                ("sender_name", "Mairie de Commune A"),
                ("reply_to", "Accueil@Commune-A.fr"),
            ],
        )
        .await;
    assert_eq!(saved.status(), reqwest::StatusCode::OK);
    queue(
        &app,
        app::infra::mail::OutgoingMail::new("b@ca.test", "Deux", "Deux"),
    )
    .await;
    working.deliver_tenant("ca").await.unwrap();
    let mail = app.smtp.wait_for("b@ca.test", 1).await.remove(0);
    // From stays the platform's address (SPF/DKIM); replies go to the commune.
    assert_eq!(
        mail.from,
        "Mairie de Commune A <ne-pas-repondre@guichet.test>"
    );
    assert_eq!(mail.reply_to, "accueil@commune-a.fr");
    let page = app
        .get(&admin, "ca", "/administration/courriels")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("accueil@commune-a.fr") && page.contains("Mairie de Commune A"));
}

#[tokio::test]
async fn a_message_the_server_refuses_for_good_fails_at_once_with_the_servers_reason() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    let id = queue(
        &app,
        app::infra::mail::OutgoingMail::new("reject-usager@ca.test", "Objet", "Corps"),
    )
    .await;
    let working = outbox(&app, &format!("smtp://127.0.0.1:{}", app.smtp.port));
    // The invitation is sent; the refused message is not retried.
    assert_eq!(working.deliver_tenant("ca").await.unwrap(), None);
    let state = text(
        &app,
        &format!(
            "SELECT status || ' ' || attempts || ' ' || last_error FROM tenant_ca.mail_outbox WHERE id = '{id}'"
        ),
    )
    .await;
    assert!(state.starts_with("failed 1 "), "{state}");
    assert!(
        state.contains("550") && state.contains("Mailbox unknown"),
        "{state}"
    );
}
