#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Mail waits in the tenant's outbox until an SMTP server takes it, retried with backoff.

use std::sync::Arc;

use guichet_server::jobs::outbox::{MAX_ATTEMPTS, Outbox};
use guichet_server::mail::MailTransport;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{TestApp, spawn_app_without_jobs};

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
