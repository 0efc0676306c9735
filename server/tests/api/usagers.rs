#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The agents' 360° view (`/back-office/usagers`): people search (typos, accents, birth dates,
//! phones) within the agent's rights, the person's page with only the dossiers the agent may
//! read, corrections refused on certified values and traced otherwise, people met at the
//! counter, and tenant isolation of records and indexes.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::backoffice::{Commune, agent, commune, file};
use crate::dossiers::{location, signed_in_citizen};
use crate::helpers::{TestApp, error_message, spawn_app};

/// Creates a person at the counter as the form posts it; returns their id (from the page the
/// answer redirects to).
async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    form: &[(&str, &str)],
) -> String {
    let response = app.post(client, slug, "usagers/create", form).await;
    let to = location(&response);
    to.strip_prefix("/back-office/usagers/")
        .unwrap_or_else(|| panic!("redirected to {to}"))
        .to_owned()
}

async fn search(app: &TestApp, client: &reqwest::Client, slug: &str, q: &str) -> Vec<Value> {
    let response = app.post(client, slug, "usagers/search", &[("q", q)]).await;
    assert_eq!(response.status(), StatusCode::OK, "search {q}");
    response.json::<Vec<Value>>().await.unwrap()
}

fn ids(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Searches until `id` is found (the indexer job writes dossier changes a moment after they
/// commit), or fails after 10 s.
async fn search_until(app: &TestApp, client: &reqwest::Client, slug: &str, q: &str, id: &str) {
    let started = Instant::now();
    loop {
        if ids(&search(app, client, slug, q).await).contains(&id.to_owned()) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{q} never found {id}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn person(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
) -> reqwest::Response {
    app.post(client, slug, "usagers/person", &[("id", id)])
        .await
}

const HELENE: &[(&str, &str)] = &[
    ("civility", "madame"),
    ("given_names", "Hélène"),
    ("birth_name", "Lefèvre"),
    ("birth_date", "14/03/1985"),
    ("email", "helene.lefevre@example.org"),
    ("phone", "06 12 34 56 78"),
    ("address_number", "12"),
    ("address_street", "rue des Lilas"),
    ("address_postcode", "44800"),
    ("address_commune", "Saint-Herblain"),
];

#[tokio::test]
async fn search_finds_a_person_by_a_misspelt_accentless_name_a_birth_date_and_a_phone() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let helene = create(&app, &c.admin, "ca", HELENE).await;
    let marc = create(
        &app,
        &c.admin,
        "ca",
        &[
            ("given_names", "Marc"),
            ("birth_name", "Dupont"),
            ("birth_date", "1990-01-02"),
        ],
    )
    .await;

    for q in [
        "Lefevre",
        "lefebre",
        "helene LEFEVRE",
        "14/03/1985",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "helene.lefevre@example.org",
    ] {
        let found = ids(&search(&app, &c.admin, "ca", q).await);
        assert_eq!(found.first(), Some(&helene), "{q}");
        assert!(!found.contains(&marc), "{q}");
    }
    assert_eq!(
        ids(&search(&app, &c.admin, "ca", "Dupond").await),
        vec![marc.clone()]
    );
    assert!(
        search(&app, &c.admin, "ca", "Lefevre 02/01/1990")
            .await
            .is_empty()
    );

    let empty = app
        .post(&c.admin, "ca", "usagers/search", &[("q", "  ")])
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_person_created_at_the_counter_is_found_at_once_by_any_agent() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let guichet = agent(&app, &c, "ca", "guichet@ca.test").await;
    let colleague = agent(&app, &c, "ca", "collegue@ca.test").await;

    // Bad input: a precise message, nothing written.
    let before = app.count("tenant_ca.people").await;
    let refused = app
        .post(
            &guichet,
            "ca",
            "usagers/create",
            &[("birth_name", "Petit"), ("birth_date", "31/02/1990")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(refused).await.contains("jj/mm/aaaa"));
    assert_eq!(app.count("tenant_ca.people").await, before);

    let id = create(&app, &guichet, "ca", HELENE).await;
    assert_eq!(
        ids(&search(&app, &colleague, "ca", "lefevre").await),
        vec![id.clone()]
    );
    let page: Value = person(&app, &colleague, "ca", &id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["met_at_counter"], true);
    assert!(page["account"].is_null());
    assert_eq!(page["history"][0]["what"], "Fiche créée au guichet");
    // Every value came from the agent, declared.
    let phone = page["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attribute"] == "phone")
        .unwrap()
        .clone();
    assert_eq!(phone["certainty"], "declared");
    assert_eq!(phone["source"], "guichet@ca.test");

    // The page itself renders for agents, not for citizens.
    let html = app
        .get(&colleague, "ca", &format!("/back-office/usagers/{id}"))
        .await;
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap();
    assert!(
        html.contains("Hélène LEFÈVRE") && html.contains("Fiche créée au guichet"),
        "{html}"
    );
}

/// A commune whose citizen filed one dossier routed to Nord and one to Sud; returns the
/// citizen's person id and the two references.
async fn citizen_with_two_dossiers(app: &TestApp, c: &Commune) -> (String, String, String) {
    let citizen = signed_in_citizen(app, "ca", "jeanne@example.org").await;
    let nord = file(app, &citizen, "ca", c, "Jeanne Martin", "44800").await;
    let sud = file(app, &citizen, "ca", c, "Jeanne Martin", "44700").await;
    let person = app
        .text(
            "SELECT p.id FROM tenant_ca.people p JOIN tenant_ca.users u ON u.id = p.account_id
              WHERE u.email = 'jeanne@example.org'",
        )
        .await;
    (person, nord, sud)
}

#[tokio::test]
async fn an_agent_sees_on_the_360_page_only_dossiers_of_services_they_may_read() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let (jeanne, nord, sud) = citizen_with_two_dossiers(&app, &c).await;
    let agent_nord = agent(&app, &c, "ca", "nord@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "consultation")
        .await;

    search_until(&app, &agent_nord, "ca", "Jeanne Martin", &jeanne).await;
    let response = person(&app, &agent_nord, "ca", &jeanne).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let references: Vec<&str> = page["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["line"]["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, [nord.as_str()]);
    assert_eq!(page["dossiers"][0]["owner"], true);
    assert_eq!(page["account"]["email"], "jeanne@example.org");

    let html = app
        .get(&agent_nord, "ca", &format!("/back-office/usagers/{jeanne}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&nord) && !html.contains(&sud));

    // The dossier page links to the owner's 360° page.
    let dossier: Value = app
        .post(
            &agent_nord,
            "ca",
            "backoffice/dossier",
            &[("reference", &nord)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dossier["people"][0][0], jeanne.as_str());
    assert_eq!(dossier["people"][0][1], true);
}

#[tokio::test]
async fn an_agent_can_neither_find_nor_open_a_person_unrelated_to_their_services() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let (jeanne, _, _) = citizen_with_two_dossiers(&app, &c).await;
    // Rights on "Accueil" only: no dossier of Jeanne's is there.
    let accueil = agent(&app, &c, "ca", "accueil@ca.test").await;
    app.grant("ca", "accueil@ca.test", None, "gestion").await;
    let agent_sud = agent(&app, &c, "ca", "sud@ca.test").await;
    app.grant("ca", "sud@ca.test", Some("Sud"), "consultation")
        .await;

    // Once the index holds her with her services (the Sud agent finds her)…
    search_until(&app, &agent_sud, "ca", "martin", &jeanne).await;
    // …the Accueil agent still does not, nor opens her page.
    assert!(search(&app, &accueil, "ca", "martin").await.is_empty());
    assert!(
        search(&app, &accueil, "ca", "jeanne@example.org")
            .await
            .is_empty()
    );
    assert_eq!(
        person(&app, &accueil, "ca", &jeanne).await.status(),
        StatusCode::NOT_FOUND
    );
    let html = app
        .get(&accueil, "ca", &format!("/back-office/usagers/{jeanne}"))
        .await;
    assert_eq!(html.status(), StatusCode::NOT_FOUND);
    // Nor may they write on it.
    let note = app
        .post(
            &accueil,
            "ca",
            "usagers/note",
            &[("id", &jeanne), ("body", "Vue au guichet")],
        )
        .await;
    assert_eq!(note.status(), StatusCode::NOT_FOUND);

    // A merged record is no longer listed, even to the admin.
    let kept = create(
        &app,
        &accueil,
        "ca",
        &[("given_names", "Jeanne"), ("birth_name", "Martin")],
    )
    .await;
    app.sql(&format!(
        "UPDATE tenant_ca.people SET merged_into = '{kept}' WHERE id = '{jeanne}'"
    ))
    .await;
    assert!(!ids(&search(&app, &c.admin, "ca", "martin").await).contains(&jeanne));
    assert_eq!(
        person(&app, &c.admin, "ca", &jeanne).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn editing_a_certified_attribute_is_refused_and_other_corrections_are_traced() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let guichet = agent(&app, &c, "ca", "guichet@ca.test").await;
    let id = create(&app, &guichet, "ca", HELENE).await;
    app.sql(&format!(
        "UPDATE tenant_ca.people SET provenance = provenance || '{{\"birth_name\": {{\"certainty\": \"certified\", \"source\": \"FranceConnect\", \"at\": \"2026-12-01T10:00:00Z\"}}}}'::jsonb
          WHERE id = '{id}'"
    ))
    .await;

    let refused = app
        .post(
            &guichet,
            "ca",
            "usagers/edit",
            &[("id", &id), ("birth_name", "Lefebvre")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        error_message(refused)
            .await
            .contains("certifié par FranceConnect")
    );
    assert_eq!(
        app.text(&format!(
            "SELECT birth_name FROM tenant_ca.people WHERE id = '{id}'"
        ))
        .await,
        "Lefèvre"
    );
    // Nothing half-written: the phone sent along with a refused change is not saved either.
    let refused = app
        .post(
            &guichet,
            "ca",
            "usagers/edit",
            &[
                ("id", &id),
                ("birth_name", "Lefebvre"),
                ("phone", "07 00 00 00 00"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let edited = app
        .post(
            &guichet,
            "ca",
            "usagers/edit",
            &[
                ("id", &id),
                ("birth_name", "Lefèvre"),
                ("phone", "07 00 00 00 00"),
                ("verifie", "on"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let page: Value = person(&app, &guichet, "ca", &id)
        .await
        .json()
        .await
        .unwrap();
    let attribute = |name: &str| {
        page["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["attribute"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(attribute("phone")["value"], "07 00 00 00 00");
    assert_eq!(attribute("phone")["certainty"], "agent_checked");
    assert_eq!(attribute("phone")["source"], "guichet@ca.test");
    assert_eq!(attribute("birth_name")["certainty"], "certified");
    assert_eq!(attribute("birth_name")["editable"], false);
    let history = page["history"][0]["what"].as_str().unwrap();
    assert!(
        history.contains("06 12 34 56 78 → 07 00 00 00 00"),
        "{history}"
    );
    assert_eq!(page["history"][0]["who"], "guichet@ca.test");
    assert_eq!(
        app.text(&format!(
            "SELECT detail->'changes'->'phone'->>'before' FROM tenant_ca.person_events WHERE person_id = '{id}' AND kind = 'edited'"
        ))
        .await,
        "06 12 34 56 78"
    );
    // The index follows: the new phone finds her, the old one no longer does.
    assert_eq!(
        ids(&search(&app, &guichet, "ca", "0700000000").await),
        vec![id.clone()]
    );
    assert!(search(&app, &guichet, "ca", "0612345678").await.is_empty());

    let noted = app
        .post(
            &guichet,
            "ca",
            "usagers/note",
            &[("id", &id), ("body", "Préfère être appelée le matin.")],
        )
        .await;
    assert_eq!(noted.status(), StatusCode::OK);
    let page: Value = person(&app, &guichet, "ca", &id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["notes"][0]["body"], "Préfère être appelée le matin.");
}

#[tokio::test]
async fn another_communes_agent_gets_404_for_the_person_and_finds_nothing_of_it() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    let b = commune(&app, "cb").await;
    let id = create(&app, &a.admin, "ca", HELENE).await;
    assert_eq!(
        ids(&search(&app, &a.admin, "ca", "lefevre").await),
        vec![id.clone()]
    );

    let agent_b = agent(&app, &b, "cb", "agent@cb.test").await;
    for client in [&b.admin, &agent_b] {
        assert_eq!(
            person(&app, client, "cb", &id).await.status(),
            StatusCode::NOT_FOUND
        );
        for q in [
            "lefevre",
            "14/03/1985",
            "0612345678",
            "helene.lefevre@example.org",
        ] {
            assert!(search(&app, client, "cb", q).await.is_empty(), "{q}");
        }
        let html = app
            .get(client, "cb", &format!("/back-office/usagers/{id}"))
            .await;
        assert_eq!(html.status(), StatusCode::NOT_FOUND);
        let edit = app
            .post(
                client,
                "cb",
                "usagers/edit",
                &[("id", &id), ("phone", "07 00 00 00 00")],
            )
            .await;
        assert_eq!(edit.status(), StatusCode::NOT_FOUND);
    }
    // A's session is no key to B.
    assert_eq!(
        person(&app, &a.admin, "cb", &id).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
