#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Duplicate people: detection when a record is created and by the full job, "Personnes
//! distinctes" never proposed again, a merge (attributes, links) undone exactly, two agents
//! merging the same pair at once, two accounts refused, the rules' validation, managers only,
//! and tenant isolation of all of it.

use guichet_server::jobs::duplicates::{Run, run_all};
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::backoffice::{commune, file};
use crate::dossiers::signed_in_citizen;
use crate::helpers::{TestApp, error_field, error_message, spawn_app};

fn schema(slug: &str) -> String {
    format!("tenant_{}", slug.replace('-', "_"))
}

/// A person met at the counter (no account), inserted as is (no detection on creation).
async fn counter_person(
    app: &TestApp,
    slug: &str,
    given: &str,
    birth: &str,
    date: Option<&str>,
    email: Option<&str>,
) -> Uuid {
    let id = Uuid::new_v4();
    let quote = |v: Option<&str>| {
        v.map_or("NULL".to_owned(), |v| {
            format!("'{}'", v.replace('\'', "''"))
        })
    };
    app.sql(&format!(
        "INSERT INTO {}.people (id, given_names, birth_name, birth_date, email)
         VALUES ('{id}', {}, {}, {}, {})",
        schema(slug),
        quote(Some(given)),
        quote(Some(birth)),
        date.map_or("NULL".to_owned(), |d| format!("'{d}'::date")),
        quote(email),
    ))
    .await;
    id
}

async fn queue(app: &TestApp, client: &reqwest::Client, slug: &str) -> Value {
    let response = app.post(client, slug, "doublons/file", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn pair_ids(queue: &Value) -> Vec<(String, String, String)> {
    queue["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["a"]["id"].as_str().unwrap().to_owned(),
                p["b"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn detect(app: &TestApp, slug: &str) -> u64 {
    let done = run_all(&app.state, Some(slug), Run::Now).await.unwrap();
    assert_eq!(done.len(), 1);
    done[0].report.new
}

async fn merge(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    a: Uuid,
    b: Uuid,
    choices: &[(&str, Uuid)],
) -> reqwest::Response {
    let mut form = vec![
        ("a".to_owned(), a.to_string()),
        ("b".to_owned(), b.to_string()),
    ];
    for (attribute, id) in choices {
        form.push((format!("choix[{attribute}]"), id.to_string()));
    }
    client
        .post(app.url(slug, "/api/doublons/fusionner"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_account_matching_a_person_met_at_the_counter_is_queued_at_once() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let counter = counter_person(
        &app,
        "ca",
        "Jeanne",
        "MARTIN",
        Some("1980-05-04"),
        Some("jeanne.martin@exemple.fr"),
    )
    .await;

    // The account's person has its whole name in one field ("Jeanne Martin") and the e-mail.
    signed_in_citizen(&app, "ca", "jeanne.martin@exemple.fr").await;

    let pairs = queue(&app, &c.admin, "ca").await;
    let found = pair_ids(&pairs);
    assert_eq!(found.len(), 1, "{pairs}");
    assert!(found[0].1 == counter.to_string() || found[0].2 == counter.to_string());
    assert_eq!(pairs["pairs"][0]["found_by"], "creation");
    assert_eq!(
        pairs["pairs"][0]["rule_name"],
        "Même courriel et nom approchant"
    );
}

/// Registers a person at the counter through the agents' form; returns their id.
async fn at_the_counter(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> String {
    let response = app.post(client, "ca", "usagers/create", form).await;
    crate::dossiers::location(&response)
        .strip_prefix("/back-office/usagers/")
        .expect("the answer leads to the new record")
        .to_owned()
}

#[tokio::test]
async fn a_corrected_record_is_compared_with_its_new_name_and_phone_at_once() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let first = at_the_counter(
        &app,
        &c.admin,
        &[
            ("given_names", "Paul"),
            ("birth_name", "Durand"),
            ("phone", "06 01 02 03 04"),
        ],
    )
    .await;
    // The agent corrects both the name and the phone: nothing of the old keys is left.
    let edited = app
        .post(
            &c.admin,
            "ca",
            "usagers/edit",
            &[
                ("id", &first),
                ("birth_name", "Girard"),
                ("phone", "06 11 22 33 44"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);

    // No birth date, no e-mail: only the stored keys (name, phone) can bring the two together.
    let second = at_the_counter(
        &app,
        &c.admin,
        &[
            ("given_names", "Paul"),
            ("birth_name", "Girard"),
            ("phone", "06 11 22 33 44"),
        ],
    )
    .await;
    let pairs = queue(&app, &c.admin, "ca").await;
    let found = pair_ids(&pairs);
    assert_eq!(found.len(), 1, "{pairs}");
    let ids = [found[0].1.as_str(), found[0].2.as_str()];
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()));
    assert_eq!(
        pairs["pairs"][0]["rule_name"],
        "Même téléphone et nom approchant"
    );
}

#[tokio::test]
async fn the_job_finds_pairs_by_blocks_and_a_pair_declared_distinct_is_never_proposed_again() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let a = counter_person(&app, "ca", "Hélène", "Lefèvre", Some("1984-06-17"), None).await;
    let b = counter_person(&app, "ca", "HELENE", "LEFEVRE", Some("1984-06-17"), None).await;
    let swapped_1 = counter_person(&app, "ca", "Sophie", "Bernard", Some("1975-02-03"), None).await;
    let swapped_2 = counter_person(&app, "ca", "BERNARD", "Sophie", Some("1975-02-03"), None).await;
    // Twins and homonyms: not pairs.
    counter_person(&app, "ca", "Lucas", "Petit", Some("2012-09-01"), None).await;
    counter_person(&app, "ca", "Léo", "Petit", Some("2012-09-01"), None).await;
    counter_person(&app, "ca", "Jean", "Martin", Some("1950-01-01"), None).await;
    counter_person(&app, "ca", "Jean", "Martin", Some("1982-07-30"), None).await;

    assert_eq!(detect(&app, "ca").await, 2);
    let pairs = pair_ids(&queue(&app, &c.admin, "ca").await);
    let mut found: Vec<(String, String)> = pairs
        .iter()
        .map(|(_, x, y)| {
            if x < y {
                (x.clone(), y.clone())
            } else {
                (y.clone(), x.clone())
            }
        })
        .collect();
    found.sort();
    let ordered = |x: Uuid, y: Uuid| {
        if x < y {
            (x.to_string(), y.to_string())
        } else {
            (y.to_string(), x.to_string())
        }
    };
    let mut expected = vec![ordered(a, b), ordered(swapped_1, swapped_2)];
    expected.sort();
    assert_eq!(found, expected);

    // The queue's page shows both records side by side, and the merge form opens.
    let page = app.get(&c.admin, "ca", "/back-office/doublons").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(
        html.matches("data-testid=\"duplicate-pair\"").count(),
        2,
        "{html}"
    );
    assert!(html.contains("LEFEVRE") && html.contains("Personnes distinctes"));
    let form = app
        .get(
            &c.admin,
            "ca",
            &format!("/back-office/doublons/fusion?a={a}&b={b}"),
        )
        .await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("name=\"choix[given_names]\"")
    );

    // A second run finds nothing new.
    assert_eq!(detect(&app, "ca").await, 0);

    // "Personnes distinctes" on the first pair: gone, and never again.
    let first = pairs
        .iter()
        .find(|(_, x, y)| [x, y].contains(&&a.to_string()))
        .unwrap()
        .0
        .clone();
    let distinct = app
        .post(&c.admin, "ca", "doublons/distinctes", &[("pair", &first)])
        .await;
    assert_eq!(distinct.status(), StatusCode::OK);
    let again = app
        .post(&c.admin, "ca", "doublons/distinctes", &[("pair", &first)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(detect(&app, "ca").await, 0);
    let left = pair_ids(&queue(&app, &c.admin, "ca").await);
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].0, first);
    assert_eq!(
        app.text(&format!("SELECT count(*) FROM tenant_ca.person_events WHERE kind = 'declared_distinct' AND person_id IN ('{a}', '{b}')")).await,
        "2"
    );
}

/// Everything a merge touches, as text: both rows, their household, dossiers and drafts.
async fn state_of(app: &TestApp, x: Uuid, y: Uuid) -> String {
    app.text(&format!(
        "json_build_object(
            'people', (SELECT json_agg(to_jsonb(p) ORDER BY p.id) FROM tenant_ca.people p WHERE p.id IN ('{x}', '{y}')),
            'members', (SELECT json_agg(to_jsonb(m) ORDER BY m.household_id, m.person_id) FROM tenant_ca.household_members m),
            'households', (SELECT json_agg(to_jsonb(h) ORDER BY h.id) FROM tenant_ca.households h),
            'dossiers', (SELECT json_agg(json_build_object('id', d.id, 'b', d.beneficiary_person_id) ORDER BY d.id) FROM tenant_ca.dossiers d),
            'drafts', (SELECT json_agg(json_build_object('id', d.id, 'b', d.beneficiary_person_id) ORDER BY d.id) FROM tenant_ca.dossier_drafts d),
            'keys', (SELECT json_agg(k ORDER BY k.person_id, k.key) FROM tenant_ca.person_match_keys k))"
    ))
    .await
}

#[tokio::test]
async fn a_merge_moves_every_link_and_undoing_it_restores_both_records_exactly() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let citizen = signed_in_citizen(&app, "ca", "famille@exemple.fr").await;
    let reference = file(&app, &citizen, "ca", &c, "Claire Durand", "44800").await;
    // The older record survives; the newer one carries the links.
    let older = counter_person(&app, "ca", "Claire", "Durand", Some("1979-11-23"), None).await;
    let newer = counter_person(
        &app,
        "ca",
        "Claire Anne",
        "DURAND",
        Some("1979-11-23"),
        Some("claire.durand@exemple.fr"),
    )
    .await;
    let household = Uuid::new_v4();
    app.sql(&format!(
        "INSERT INTO tenant_ca.households (id, referent_id) VALUES ('{household}', '{newer}');
         INSERT INTO tenant_ca.household_members (household_id, person_id, relation) VALUES ('{household}', '{newer}', 'referent');
         UPDATE tenant_ca.dossiers SET beneficiary_person_id = '{newer}' WHERE reference = '{reference}';
         UPDATE tenant_ca.dossier_drafts SET beneficiary_person_id = '{newer}';"
    ))
    .await;
    detect(&app, "ca").await;
    let before = state_of(&app, older, newer).await;
    let events_before: i64 = app
        .text(&format!(
            "SELECT count(*) FROM tenant_ca.person_events WHERE person_id IN ('{older}', '{newer}')"
        ))
        .await
        .parse()
        .unwrap();

    let merged = merge(
        &app,
        &c.admin,
        "ca",
        newer,
        older,
        &[("given_names", newer)],
    )
    .await;
    assert_eq!(
        merged.status(),
        StatusCode::OK,
        "{}",
        merged.text().await.unwrap()
    );
    let merge_id: String = merged.json().await.unwrap();

    assert_eq!(
        app.text(&format!(
            "SELECT merged_into FROM tenant_ca.people WHERE id = '{newer}'"
        ))
        .await,
        older.to_string()
    );
    assert_eq!(
        app.text(&format!(
            "SELECT given_names FROM tenant_ca.people WHERE id = '{older}'"
        ))
        .await,
        "Claire Anne"
    );
    // An attribute only the merged record had is kept too.
    assert_eq!(
        app.text(&format!(
            "SELECT email FROM tenant_ca.people WHERE id = '{older}'"
        ))
        .await,
        "claire.durand@exemple.fr"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT beneficiary_person_id FROM tenant_ca.dossiers WHERE reference = '{reference}'"
        ))
        .await,
        older.to_string()
    );
    assert_eq!(
        app.text(&format!(
            "SELECT person_id FROM tenant_ca.household_members WHERE household_id = '{household}'"
        ))
        .await,
        older.to_string()
    );
    assert_eq!(
        app.text(&format!(
            "SELECT referent_id FROM tenant_ca.households WHERE id = '{household}'"
        ))
        .await,
        older.to_string()
    );
    assert_eq!(
        app.text("SELECT status FROM tenant_ca.duplicate_suspicions")
            .await,
        "merged"
    );
    assert!(pair_ids(&queue(&app, &c.admin, "ca").await).is_empty());
    // Merging again is refused.
    let again = merge(&app, &c.admin, "ca", newer, older, &[]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let undone = app
        .post(&c.admin, "ca", "doublons/annuler", &[("merge", &merge_id)])
        .await;
    assert_eq!(
        undone.status(),
        StatusCode::OK,
        "{}",
        undone.text().await.unwrap()
    );
    assert_eq!(state_of(&app, older, newer).await, before);
    // The history keeps both: two events on each record, none lost.
    assert_eq!(
        app.text(&format!(
            "SELECT count(*) FROM tenant_ca.person_events WHERE person_id IN ('{older}', '{newer}')"
        ))
        .await,
        (events_before + 4).to_string()
    );
    assert_eq!(
        app.text("SELECT status FROM tenant_ca.duplicate_suspicions")
            .await,
        "open"
    );
    let twice = app
        .post(&c.admin, "ca", "doublons/annuler", &[("merge", &merge_id)])
        .await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn two_agents_merging_the_same_pair_at_once_make_one_merge() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let a = counter_person(&app, "ca", "Yves", "Le Gall", Some("1966-03-30"), None).await;
    let b = counter_person(&app, "ca", "Yves", "LEGALL", Some("1966-03-30"), None).await;
    // The same manager signed in a second time, as a colleague would be.
    let other = app.client();
    let login = app
        .login(&other, "ca", "admin@ca.test", "Clef-Secrete-2026")
        .await;
    assert_eq!(login.status(), StatusCode::OK);

    let (first, second) = tokio::join!(
        merge(&app, &c.admin, "ca", a, b, &[]),
        merge(&app, &other, "ca", b, a, &[]),
    );
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let refused = if first.status() == StatusCode::CONFLICT {
        first
    } else {
        second
    };
    assert!(error_message(refused).await.contains("déjà fusionnées"));
    assert_eq!(app.count("tenant_ca.person_merges").await, 1);
}

#[tokio::test]
async fn two_records_with_accounts_are_not_merged_and_certified_values_cannot_be_replaced() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    signed_in_citizen(&app, "ca", "un@exemple.fr").await;
    signed_in_citizen(&app, "ca", "deux@exemple.fr").await;
    let id = |email: &str| {
        format!(
            "SELECT p.id FROM tenant_ca.people p JOIN tenant_ca.users u ON u.id = p.account_id WHERE u.email = '{email}'"
        )
    };
    let one: Uuid = app.text(&id("un@exemple.fr")).await.parse().unwrap();
    let two: Uuid = app.text(&id("deux@exemple.fr")).await.parse().unwrap();
    let refused = merge(&app, &c.admin, "ca", one, two, &[]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(error_message(refused).await.contains("deux comptes"));

    // A counter record against an account whose birth date is certified.
    let counter = counter_person(&app, "ca", "Jeanne", "Martin", Some("1980-01-01"), None).await;
    app.sql(&format!(
        "UPDATE tenant_ca.people SET birth_date = '1980-01-10',
                provenance = '{{\"birth_date\": {{\"certainty\": \"certified\", \"source\": \"FranceConnect\", \"at\": \"2026-12-07T10:00:00Z\"}}}}'
          WHERE id = '{one}'"
    ))
    .await;
    let replaced = merge(
        &app,
        &c.admin,
        "ca",
        one,
        counter,
        &[("birth_date", counter)],
    )
    .await;
    assert_eq!(replaced.status(), StatusCode::BAD_REQUEST);
    let (field, message) = error_field(replaced).await;
    assert_eq!(field, "birth_date");
    assert!(message.contains("certifiée"), "{message}");
    assert_eq!(app.count("tenant_ca.person_merges").await, 0);
}

#[tokio::test]
async fn managers_edit_the_rules_with_precise_refusals_and_agents_are_kept_out() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let rules: Value = app
        .post(&c.admin, "ca", "doublons/regles", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 4);
    assert_eq!(rules[0]["name"], "Même nom, prénom et date de naissance");

    let save = |form: Vec<(&'static str, &'static str)>| {
        let (app, admin) = (&app, &c.admin);
        async move {
            admin
                .post(app.url("ca", "/api/doublons/regles/enregistrer"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let (field, message) = error_field(
        save(vec![
            ("name", "Téléphone seul"),
            ("priority", "5"),
            ("equal[0]", "birth_place"),
        ])
        .await,
    )
    .await;
    assert_eq!(field, "equal");
    assert!(message.contains("rapide"), "{message}");
    let (field, _) = error_field(
        save(vec![
            ("name", "X"),
            ("priority", "120"),
            ("equal[0]", "email"),
        ])
        .await,
    )
    .await;
    assert_eq!(field, "priority");
    let taken = save(vec![
        ("name", "Même courriel et nom approchant"),
        ("priority", "5"),
        ("equal[0]", "email"),
    ])
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let created = save(vec![
        ("name", "Même courriel et même téléphone"),
        ("priority", "6"),
        ("active", "1"),
        ("equal[0]", "email"),
        ("equal[3]", "phone"),
    ])
    .await;
    assert_eq!(
        created.status(),
        StatusCode::OK,
        "{}",
        created.text().await.unwrap()
    );

    let page = app
        .get(&c.admin, "ca", "/back-office/doublons/regles")
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Même courriel et même téléphone")
    );

    let agent = crate::backoffice::agent(&app, &c, "ca", "agent@ca.test").await;
    assert_eq!(
        app.post(&agent, "ca", "doublons/file", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let page = app.get(&agent, "ca", "/back-office/doublons").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_communes_manager_sees_none_of_the_queue_and_merges_nothing_by_ids() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    let b = commune(&app, "cb").await;
    let x = counter_person(&app, "ca", "Hélène", "Lefèvre", Some("1984-06-17"), None).await;
    let y = counter_person(&app, "ca", "Helene", "Lefevre", Some("1984-06-17"), None).await;
    detect(&app, "ca").await;
    let pair = pair_ids(&queue(&app, &a.admin, "ca").await)[0].0.clone();

    assert!(pair_ids(&queue(&app, &b.admin, "cb").await).is_empty());
    let distinct = app
        .post(&b.admin, "cb", "doublons/distinctes", &[("pair", &pair)])
        .await;
    assert_eq!(distinct.status(), StatusCode::NOT_FOUND);
    let form = app
        .post(
            &b.admin,
            "cb",
            "doublons/formulaire",
            &[("a", &x.to_string()), ("b", &y.to_string())],
        )
        .await;
    assert_eq!(form.status(), StatusCode::NOT_FOUND);
    let merged = merge(&app, &b.admin, "cb", x, y, &[]).await;
    assert_eq!(merged.status(), StatusCode::NOT_FOUND);

    // A's own merge cannot be undone from B either.
    let merged = merge(&app, &a.admin, "ca", x, y, &[]).await;
    assert_eq!(merged.status(), StatusCode::OK);
    let merge_id: String = merged.json().await.unwrap();
    let undo = app
        .post(&b.admin, "cb", "doublons/annuler", &[("merge", &merge_id)])
        .await;
    assert_eq!(undo.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.text("SELECT count(*) FROM tenant_ca.people WHERE merged_into IS NOT NULL")
            .await,
        "1"
    );
}
