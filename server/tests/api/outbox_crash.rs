#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The outbox survives its worker being killed: the real `guichet deliver-mail` process is
//! SIGKILLed at chosen points while it drains a queue to a real SMTP server, restarted, killed
//! again… Every message arrives, always under the Message-ID it was queued with; the only
//! duplicates are the ones SMTP cannot rule out (accepted, then killed before the row was marked
//! sent), at most one per kill.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use app::infra::TenantTx;
use app::infra::mail::{OutgoingMail, enqueue};
use app::platform::service::tenant_by_slug;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::process::{Child, Command};

use crate::helpers::{TestApp, spawn_app_without_jobs};

/// splitmix64: a seeded, dependency-free source of kill points (the same run every time).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// The real binary, draining every tenant's due mail once.
fn worker(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_guichet"))
        .arg("deliver-mail")
        .env("DATABASE_URL", &app.database_url)
        .env(
            "GUICHET_SMTP_URL",
            format!("smtp://127.0.0.1:{}", app.smtp.port),
        )
        .env("GUICHET_MAIL_FROM", &app.mail_from)
        .env("GUICHET_DATA_DIR", std::env::temp_dir())
        .env("GUICHET_DB_MAX_CONNECTIONS", "4")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the guichet binary")
}

async fn queue(app: &TestApp, recipients: &[String]) {
    let tenant = tenant_by_slug(&app.state, "ca").await.unwrap();
    let tx = TenantTx::begin(&app.state, tenant).await.unwrap();
    for (i, to) in recipients.iter().enumerate() {
        enqueue(
            &tx,
            OutgoingMail::new(to.clone(), format!("Message {i}"), format!("Corps {i}")),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Message-ID → status, for every row of the outbox.
async fn outbox_rows(app: &TestApp) -> HashMap<String, (String, i32)> {
    app.state
        .pool()
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT message_id, status, attempts FROM tenant_ca.mail_outbox",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.try_get::<String>("", "message_id").unwrap(),
                (
                    r.try_get::<String>("", "status").unwrap(),
                    r.try_get::<i32>("", "attempts").unwrap(),
                ),
            )
        })
        .collect()
}

/// Waits until a killed worker's row lock is gone: PostgreSQL ends its session when the
/// connection drops, and rolls back what it had not committed. A worker started before that
/// would skip the still-locked row (SKIP LOCKED) and leave it for the next sweep.
async fn locks_released(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pending = app
            .text("SELECT count(*) FROM tenant_ca.mail_outbox WHERE status = 'pending'")
            .await;
        let lockable = app
            .text(
                "SELECT count(*) FROM (SELECT 1 FROM tenant_ca.mail_outbox
                 WHERE status = 'pending' FOR UPDATE SKIP LOCKED) AS free",
            )
            .await;
        if pending == lockable {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "a killed worker's lock outlived it"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits until the worker has exited successfully (it drains, then exits).
async fn finishes(mut child: Child) {
    let status = tokio::time::timeout(Duration::from_secs(120), child.wait())
        .await
        .expect("the worker drains the outbox within 2 minutes")
        .unwrap();
    assert!(status.success(), "deliver-mail exited with {status}");
}

fn received_ids(app: &TestApp) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for mail in app.smtp.all() {
        *ids.entry(mail.message_id).or_insert(0) += 1;
    }
    ids
}

#[tokio::test]
async fn killing_the_worker_at_random_points_loses_nothing_and_never_renames_a_message() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await; // + the admin's invitation
    let recipients: Vec<String> = (0..200).map(|i| format!("usager{i}@ca.test")).collect();
    queue(&app, &recipients).await;
    let queued = outbox_rows(&app).await;
    assert_eq!(queued.len(), 201);

    let mut rng = Rng(0x0067_7569_6368_6574);
    let mut kills = 0;
    let mut finished_early = false;
    for _ in 0..8 {
        // The kill point is a count of received messages, not a time: the worker is killed
        // once the server has accepted that many.
        let target = app.smtp.count() + 1 + rng.below(30) as usize;
        let mut child = worker(&app);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if app.smtp.count() >= target {
                child.start_kill().unwrap();
                child.wait().await.unwrap();
                kills += 1;
                locks_released(&app).await;
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "deliver-mail exited with {status}");
                finished_early = true;
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no progress to {target} messages"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if finished_early {
            break;
        }
    }
    assert!(kills >= 5, "the worker was killed {kills} times");
    let (before, started) = (app.smtp.count(), Instant::now());
    finishes(worker(&app)).await;
    let (last_run, elapsed) = (app.smtp.count() - before, started.elapsed());

    let received = received_ids(&app);
    let queued_ids: HashSet<&String> = queued.keys().collect();
    for id in queued.keys() {
        assert!(received.contains_key(id), "{id} never arrived");
    }
    for id in received.keys() {
        assert!(
            queued_ids.contains(id),
            "{id} arrived but was never queued: a message got a new Message-ID"
        );
    }
    let duplicates: usize = received.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= kills,
        "{duplicates} duplicates for {kills} kills"
    );
    let rows = outbox_rows(&app).await;
    assert!(
        rows.values().all(|(status, _)| status == "sent"),
        "every row ends sent"
    );
    eprintln!(
        "outbox crash test: {} messages, {kills} kills, {duplicates} duplicate(s); the last run \
         (start, drain, exit) sent {last_run} in {} ms",
        queued.len(),
        elapsed.as_millis()
    );
}

#[tokio::test]
async fn a_message_whose_sender_is_killed_before_the_server_accepted_it_arrives_exactly_once() {
    let app = spawn_app_without_jobs().await;
    app.create_tenant("ca", "Commune A").await;
    queue(
        &app,
        &[
            "avant@ca.test".to_owned(),
            "hold-retenu@ca.test".to_owned(),
            "apres@ca.test".to_owned(),
        ],
    )
    .await;

    let mut child = worker(&app);
    // The SMTP server writes the marker once it has the whole DATA and is not answering it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.smtp.held().is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker exited before sending the held message"
        );
        assert!(Instant::now() < deadline, "the server never held a message");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    locks_released(&app).await;
    let held = app.smtp.held().pop().unwrap();
    assert!(app.smtp.to("hold-retenu@ca.test").is_empty());
    assert_eq!(
        outbox_rows(&app).await[&held].0,
        "pending",
        "a message killed in flight is simply due again"
    );

    finishes(worker(&app)).await;
    let received = received_ids(&app);
    assert_eq!(
        received.get(&held),
        Some(&1),
        "the held message arrives once"
    );
    // Only the held message was in flight when the worker died: everything arrives once.
    assert!(received.values().all(|n| *n == 1), "{received:?}");
    assert_eq!(received.len(), 4, "the invitation and the three messages");
    let rows = outbox_rows(&app).await;
    assert_eq!(
        rows[&held],
        ("sent".to_owned(), 1),
        "the killed attempt did not count"
    );
}
