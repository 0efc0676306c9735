#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Dossier search: relevance, rights inside the query, tenant isolation, live changes and
//! rebuilds. Dossiers are written with SQL and announced like the services do; the server's
//! indexer job (same process, same state) indexes them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::account::service::list_users;
use app::demarches::service::{import, publish_by};
use app::infra::live::{DossierChanged, announce};
use app::infra::{Queries, Tenant, TenantTx};
use app::org::model::Access;
use app::org::service::{FIRST_SERVICE, rights_of};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};

const DEMARCHE: &str = include_str!("../../../tenants/demarches/signalement-voirie.json");

struct Dossiers {
    tenant: Arc<Tenant>,
    demarche: Uuid,
    version: i32,
}

#[derive(FromQueryResult)]
struct Version {
    current_version: i32,
}

impl Dossiers {
    /// The tenant with one published démarche to file dossiers under.
    async fn new(app: &TestApp, tenant: Arc<Tenant>) -> Self {
        let tx = TenantTx::begin(&app.state, tenant.clone()).await.unwrap();
        let demarche = import(&tx, DEMARCHE).await.unwrap();
        publish_by(&tx, None, &demarche.to_string()).await.unwrap();
        let version: Version = tx
            .fetch_optional(
                "SELECT current_version FROM demarches WHERE id = $1",
                vec![demarche.into()],
            )
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        Self {
            tenant,
            demarche,
            version: version.current_version,
        }
    }

    /// Inserts a dossier and announces it, as submission does.
    async fn insert(
        &self,
        app: &TestApp,
        reference: &str,
        citizen: &str,
        subject: &str,
        service: Uuid,
        copies: &[Uuid],
    ) -> Uuid {
        let id = Uuid::new_v4();
        let answers = serde_json::json!({ "precision": { "text": subject } });
        let copies = copies
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",");
        self.write(app, id, |tx| async move {
            tx.execute(
                "INSERT INTO dossiers (id, reference, demarche_id, version, answers, status, service_id, copy_services, citizen_name)
                 VALUES ($1, $2, $3, $4, $5::jsonb, 'recu', $6, string_to_array($7, ',')::uuid[], $8)",
                vec![
                    id.into(),
                    reference.into(),
                    self.demarche.into(),
                    self.version.into(),
                    answers.to_string().into(),
                    service.into(),
                    copies.into(),
                    citizen.into(),
                ],
            )
            .await
            .unwrap();
            tx
        })
        .await;
        id
    }

    /// Runs `change` in a transaction that announces the dossier, then commits.
    async fn write<F, Fut>(&self, app: &TestApp, id: Uuid, change: F)
    where
        F: FnOnce(TenantTx) -> Fut,
        Fut: Future<Output = TenantTx>,
    {
        let tx = TenantTx::begin(&app.state, self.tenant.clone())
            .await
            .unwrap();
        let tx = change(tx).await;
        announce(&tx, id).await.unwrap();
        tx.commit().await.unwrap();
    }

    fn search(&self, app: &TestApp, text: &str, services: &[Uuid]) -> Vec<Uuid> {
        app.state
            .search()
            .search(&self.tenant, text, services, 20)
            .unwrap()
    }

    /// Searches until `ready` holds (the indexer works in the background), at most 10 s.
    async fn search_until(
        &self,
        app: &TestApp,
        text: &str,
        services: &[Uuid],
        ready: impl Fn(&[Uuid]) -> bool,
    ) -> (Vec<Uuid>, Duration) {
        let started = Instant::now();
        loop {
            let found = self.search(app, text, services);
            if ready(&found) {
                return (found, started.elapsed());
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "search for {text:?} never became ready; last result {found:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn add_service(app: &TestApp, tenant: &Arc<Tenant>, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    let tx = TenantTx::begin(&app.state, tenant.clone()).await.unwrap();
    tx.execute(
        "INSERT INTO services (id, parent_id, name, kind) VALUES ($1, $2, $3, 'service')",
        vec![id.into(), FIRST_SERVICE.into(), name.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn search_forgives_typos_and_prefixes_matches_stems_and_puts_the_reference_first() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("ca", "Commune A").await;
    let d = Dossiers::new(&app, tenant).await;
    let all = [FIRST_SERVICE];
    let dupont = d
        .insert(
            &app,
            "2026-000123",
            "Marie Dupont",
            "Élagage des arbres",
            FIRST_SERVICE,
            &[],
        )
        .await;
    let martin = d
        .insert(
            &app,
            "2026-000124",
            "Jean Martin",
            "Trottoir abîmé devant le 2026-000123",
            FIRST_SERVICE,
            &[],
        )
        .await;
    d.search_until(&app, "martin", &all, |f| f == [martin])
        .await;

    for typed in ["Dupond", "dupon", "marie dupon", "DUPONT"] {
        assert_eq!(d.search(&app, typed, &all), [dupont], "{typed}");
    }
    // "arbres" and "arbre" share their stem; "élagage" is found without its accent.
    assert_eq!(d.search(&app, "arbre", &all), [dupont]);
    assert_eq!(d.search(&app, "elagage arbres", &all), [dupont]);
    // The reference names its dossier first, even when another one mentions it.
    for typed in ["2026-000123", "000123", "2026-123"] {
        assert_eq!(
            d.search(&app, typed, &all).first(),
            Some(&dupont),
            "{typed}"
        );
    }
    assert_eq!(d.search(&app, "2026-000124", &all).first(), Some(&martin));
    // Every word must match somewhere.
    assert!(d.search(&app, "dupont trottoir", &all).is_empty());
    // The démarche's title is searched too.
    assert_eq!(d.search(&app, "voie publique", &all).len(), 2);
}

#[tokio::test]
async fn an_agent_never_finds_dossiers_of_services_they_cannot_read() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("ca", "Commune A").await;
    let d = Dossiers::new(&app, tenant.clone()).await;
    let voirie = add_service(&app, &tenant, "Voirie").await;
    let social = add_service(&app, &tenant, "Social").await;
    // The admin agent reads Voirie only.
    let tx = TenantTx::begin(&app.state, tenant.clone()).await.unwrap();
    let admin = list_users(&tx)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.email == "admin@ca.test")
        .unwrap();
    tx.execute(
        "INSERT INTO service_members (service_id, user_id, access) VALUES ($1, $2, 'consultation')",
        vec![voirie.into(), Uuid::parse_str(&admin.id).unwrap().into()],
    )
    .await
    .unwrap();
    let readable = rights_of(&tx, &admin)
        .await
        .unwrap()
        .services(Access::Consultation);
    tx.commit().await.unwrap();
    assert_eq!(readable, [voirie]);

    let visible = d
        .insert(
            &app,
            "2026-000001",
            "Lucie Renard",
            "Lampadaire éteint",
            voirie,
            &[],
        )
        .await;
    let hidden = d
        .insert(
            &app,
            "2026-000002",
            "Lucas Renard",
            "Aide sociale, aide urgente, aide alimentaire",
            social,
            &[],
        )
        .await;
    let copied = d
        .insert(
            &app,
            "2026-000003",
            "Léon Renard",
            "Aide au logement",
            social,
            &[voirie],
        )
        .await;
    d.search_until(&app, "renard", &[social], |f| f.len() == 2)
        .await;

    let mut found = d.search(&app, "renard", &readable);
    found.sort();
    let mut expected = vec![visible, copied];
    expected.sort();
    assert_eq!(
        found, expected,
        "its own service's and the one copied to it"
    );
    assert!(!d.search(&app, "2026-000002", &readable).contains(&hidden));
    assert!(d.search(&app, "aide sociale", &readable).is_empty());
    assert!(
        d.search(&app, "renard", &[]).is_empty(),
        "no service, nothing"
    );
    // Filtered inside the query, not after the limit: the hidden dossier ranks first for
    // "aide" among all of them, yet the one result allowed is the copied one.
    assert_eq!(d.search(&app, "aide", &[social]).first(), Some(&hidden));
    let found = app
        .state
        .search()
        .search(&d.tenant, "aide", &readable, 1)
        .unwrap();
    assert_eq!(found, [copied]);
}

#[tokio::test]
async fn a_tenant_never_finds_the_dossiers_of_another_tenant() {
    let app = spawn_app().await;
    let a = Dossiers::new(&app, app.create_tenant("ca", "Commune A").await).await;
    let b = Dossiers::new(&app, app.create_tenant("cb", "Commune B").await).await;
    // Same text, same reference, same service id (every commune's first service has it).
    let in_a = a
        .insert(
            &app,
            "2026-000001",
            "Zéphyrin Quillévéré",
            "Haie",
            FIRST_SERVICE,
            &[],
        )
        .await;
    let in_b = b
        .insert(
            &app,
            "2026-000001",
            "Zéphyrin Quillévéré",
            "Haie",
            FIRST_SERVICE,
            &[],
        )
        .await;
    b.search_until(&app, "quillevere", &[FIRST_SERVICE], |f| !f.is_empty())
        .await;
    a.search_until(&app, "quillevere", &[FIRST_SERVICE], |f| !f.is_empty())
        .await;

    for text in ["quillevere", "zephyrin", "2026-000001", "haie"] {
        assert_eq!(a.search(&app, text, &[FIRST_SERVICE]), [in_a], "{text}");
        assert_eq!(b.search(&app, text, &[FIRST_SERVICE]), [in_b], "{text}");
    }
}

#[tokio::test]
async fn changes_become_searchable_and_reindex_rebuilds_a_deleted_index() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("ca", "Commune A").await;
    let d = Dossiers::new(&app, tenant.clone()).await;
    let all = [FIRST_SERVICE];
    let id = d
        .insert(
            &app,
            "2026-000001",
            "Paul Durand",
            "Nid-de-poule",
            FIRST_SERVICE,
            &[],
        )
        .await;
    let other = d
        .insert(
            &app,
            "2026-000002",
            "Anne Morel",
            "Tags",
            FIRST_SERVICE,
            &[],
        )
        .await;
    d.search_until(&app, "durand", &all, |f| f == [id]).await;

    // The citizen's name is corrected.
    d.write(&app, id, |tx| async move {
        tx.execute(
            "UPDATE dossiers SET citizen_name = 'Paul Kerhervé', updated_at = now() WHERE id = $1",
            vec![id.into()],
        )
        .await
        .unwrap();
        tx
    })
    .await;
    let (_, took) = d.search_until(&app, "kerherve", &all, |f| f == [id]).await;
    // The target is 1 s (tens of ms measured by the bench); generous here, for a debug build
    // on a busy machine.
    assert!(took < Duration::from_secs(3), "searchable after {took:?}");
    assert!(d.search(&app, "durand", &all).is_empty());

    // Notes: a personal one is its author's alone and never indexed; a service one is.
    for (visibility, body) in [
        ("personal", "Voisin procédurier"),
        ("service", "Lampadaire à remplacer"),
    ] {
        d.write(&app, id, |tx| async move {
            tx.execute(
                "INSERT INTO dossier_notes (id, dossier_id, visibility, body) VALUES ($1, $2, $3, $4)",
                vec![Uuid::new_v4().into(), id.into(), visibility.into(), body.into()],
            )
            .await
            .unwrap();
            tx
        })
        .await;
    }
    d.search_until(&app, "lampadaire", &all, |f| f == [id])
        .await;
    assert!(d.search(&app, "procedurier", &all).is_empty());

    // Idle writers and indexes are closed (memory does not grow with tenants), and reopened
    // on the next use.
    let search = app.state.search();
    assert_eq!(search.open_counts(), (1, 1));
    // (Bounded retries: the indexer may still hold its writer for the end of its commit.)
    let deadline = Instant::now() + Duration::from_secs(2);
    while search.open_counts() != (0, 0) && Instant::now() < deadline {
        search
            .close_idle_after(Duration::ZERO, Duration::ZERO)
            .await;
    }
    assert_eq!(search.open_counts(), (0, 0));
    assert_eq!(d.search(&app, "lampadaire", &all), [id]);
    assert_eq!(search.open_counts(), (1, 0));

    // The index's folder is lost: reindex rebuilds it from PostgreSQL.
    let dir = app
        .state
        .settings()
        .search_dir()
        .join(tenant.schema.as_str());
    assert!(dir.join("meta.json").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(d.search(&app, "kerherve", &all).is_empty());
    let done = guichet_server::jobs::indexer::reindex(&app.state, Some("ca"))
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1.dossiers, 2);
    assert_eq!(d.search(&app, "kerherve", &all), [id]);
    assert_eq!(d.search(&app, "lampadaire", &all), [id]);
    assert_eq!(d.search(&app, "morel", &all), [other]);
    assert!(d.search(&app, "procedurier", &all).is_empty());

    // And live changes go on after the rebuild.
    d.write(&app, other, |tx| async move {
        tx.execute(
            "UPDATE dossiers SET citizen_name = 'Anne Le Bihan', updated_at = now() WHERE id = $1",
            vec![other.into()],
        )
        .await
        .unwrap();
        tx
    })
    .await;
    d.search_until(&app, "bihan", &all, |f| f == [other]).await;

    // Lost again, then a change comes: the indexer rebuilds the whole index, not just that
    // dossier's part of it.
    std::fs::remove_dir_all(&dir).unwrap();
    d.write(&app, other, |tx| async move {
        tx.execute(
            "UPDATE dossiers SET status = 'en_instruction', updated_at = now() WHERE id = $1",
            vec![other.into()],
        )
        .await
        .unwrap();
        tx
    })
    .await;
    d.search_until(&app, "kerherve", &all, |f| f == [id]).await;
    assert_eq!(d.search(&app, "bihan", &all), [other]);
}

#[tokio::test]
async fn an_indexer_that_fell_behind_catches_up_from_the_database() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("ca", "Commune A").await;
    let d = Dossiers::new(&app, tenant.clone()).await;
    let all = [FIRST_SERVICE];
    let id = d
        .insert(
            &app,
            "2026-000001",
            "Paul Durand",
            "Haie",
            FIRST_SERVICE,
            &[],
        )
        .await;
    d.search_until(&app, "durand", &all, |f| f == [id]).await;

    // A change whose notification is lost...
    let tx = TenantTx::begin(&app.state, tenant.clone()).await.unwrap();
    tx.execute(
        "UPDATE dossiers SET citizen_name = 'Paul Kerhervé', updated_at = now() WHERE id = $1",
        vec![id.into()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // ...among more notifications than the channel holds, sent before the indexer can read
    // any (this test's runtime has one thread): its receiver lags.
    for _ in 0..2_000 {
        let _ = app.state.live().send(DossierChanged {
            schema: tenant.schema.as_str().to_owned(),
            dossier_id: Uuid::new_v4(),
        });
    }
    d.search_until(&app, "kerherve", &all, |f| f == [id]).await;
}
