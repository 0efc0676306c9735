#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The citizen's side of the relationship layer: their own record (certified values out of
//! reach, every change traced, phone and address prefilled in démarches), their household
//! (children checked, members edited and removed, an agent's correction traced), the
//! organisations they represent (SIRET checked, one row per number), and isolation between
//! households and between communes.

use app::people::strings as s;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{publish_with, signed_in_citizen, start};
use crate::helpers::{TestApp, error_field, error_message, spawn_app};

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.post(client, slug, &format!("people/{endpoint}"), form)
        .await
}

async fn ok_json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The problems of a refusal listing several: (field, message).
async fn problems(response: reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let value: Value = response.json().await.unwrap();
    value["Rejected"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list of problems: {value}"))
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The citizen's person id (by the account's e-mail) at `slug`.
async fn person_of(app: &TestApp, slug: &str, email: &str) -> String {
    app.text(&format!(
        "SELECT p.id FROM tenant_{slug}.people p JOIN tenant_{slug}.users u ON u.id = p.account_id
          WHERE u.email = '{email}'"
    ))
    .await
}

const RECORD: &[(&str, &str)] = &[
    ("civility", "madame"),
    ("given_names", "Jeanne Marie"),
    ("birth_name", "Martin"),
    ("usage_name", "Durand"),
    ("birth_date", "1985-04-12"),
    ("birth_place", "Nantes"),
    ("phone", "06 12 34 56 78"),
    ("address_number", "3"),
    ("address_street", "rue des Lilas"),
    ("address_postcode", "44800"),
    ("address_commune", "Saint-Herblain"),
];

#[tokio::test]
async fn a_citizen_edits_their_record_and_cannot_change_what_franceconnect_certified() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let person = person_of(&app, "ca", "jeanne@example.org").await;

    // Saved: values normalised, provenance "declared by the citizen", one history line.
    ok_json(post(&app, &citizen, "ca", "save_my_record", RECORD).await).await;
    let record = ok_json(post(&app, &citizen, "ca", "my_record", &[]).await).await;
    let p = &record["person"];
    assert_eq!(p["phone"], "+33612345678");
    assert_eq!(p["birth_date"], "1985-04-12");
    assert_eq!(p["usage_name"], "Durand");
    assert_eq!(
        p["address"],
        json!({ "number": "3", "street": "rue des Lilas", "postcode": "44800", "commune": "Saint-Herblain" })
    );
    assert_eq!(p["provenance"]["phone"]["certainty"], "declared");
    assert_eq!(p["provenance"]["phone"]["source"], s::SOURCE_CITIZEN);
    assert_eq!(record["account_email"], "jeanne@example.org");
    assert_eq!(record["email_verified"], true);
    let event: Value = serde_json::from_str(
        &app.text(&format!(
            "SELECT detail FROM tenant_ca.person_events WHERE person_id = '{person}' AND kind = 'updated'"
        ))
        .await,
    )
    .unwrap();
    // The account's display name gave the record a first guess ("Jeanne" / "Martin").
    assert_eq!(event["before"]["given_names"], "Jeanne");
    assert_eq!(event["after"]["given_names"], "Jeanne Marie");
    assert_eq!(event["after"]["phone"], "+33612345678");

    // Several problems at once: each named on its field, nothing written.
    let refused = post(
        &app,
        &citizen,
        "ca",
        "save_my_record",
        &[
            ("phone", "12 34"),
            ("address_street", "rue des Lilas"),
            ("address_postcode", "4480"),
            ("address_commune", "Saint-Herblain"),
            ("birth_date", "2999-01-01"),
        ],
    )
    .await;
    assert_eq!(
        problems(refused).await,
        [
            ("birth_date".to_owned(), s::BIRTH_DATE_FUTURE.to_owned()),
            ("phone".to_owned(), s::PHONE_INVALID.to_owned()),
            (
                "address_postcode".to_owned(),
                s::POSTCODE_INVALID.to_owned()
            ),
        ]
    );
    let record = ok_json(post(&app, &citizen, "ca", "my_record", &[]).await).await;
    assert_eq!(record["person"]["phone"], "+33612345678");

    // FranceConnect certifies the identity: the page shows it read-only with its badge.
    let identity = json!({
        "given_name": "Jeanne Marie", "family_name": "Martin", "preferred_username": null,
        "birthdate": "1985-04-12", "birthplace": "44109", "birthcountry": "99100",
        "gender": "female", "email": "jeanne@example.org", "provider": "FranceConnect",
        "acr": "eidas1", "certified_at": "2026-12-07T09:30:00Z"
    });
    app.sql(&format!(
        "UPDATE tenant_ca.users SET certified_identity = '{identity}'::jsonb WHERE email = 'jeanne@example.org'"
    ))
    .await;
    let page = app.get(&citizen, "ca", "/mon-compte/informations").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = crate::backoffice::visible(&page.text().await.unwrap());
    assert!(html.contains(s::BADGE_CERTIFIED), "{html}");
    assert!(html.contains(s::BADGE_EMAIL_VERIFIED));
    assert!(
        !html.contains("name=\"birth_name\""),
        "a certified value is no input"
    );
    assert!(html.contains("name=\"phone\""));

    // Changing a certified value is refused with the reason; the same value is no change.
    let refused = post(
        &app,
        &citizen,
        "ca",
        "save_my_record",
        &[("birth_name", "Dupont"), ("phone", "07 00 00 00 01")],
    )
    .await;
    assert_eq!(
        error_field(refused).await,
        (
            "birth_name".to_owned(),
            s::certified_unchangeable(s::ATTR_BIRTH_NAME)
        )
    );
    ok_json(
        post(
            &app,
            &citizen,
            "ca",
            "save_my_record",
            &[("birth_name", "Martin"), ("phone", "+32 470 12 34 56")],
        )
        .await,
    )
    .await;
    let record = ok_json(post(&app, &citizen, "ca", "my_record", &[]).await).await;
    assert_eq!(record["person"]["birth_name"], "Martin");
    assert_eq!(record["person"]["phone"], "+32470123456");
    assert_eq!(
        record["person"]["provenance"]["birth_name"]["certainty"],
        "certified"
    );
}

#[tokio::test]
async fn a_draft_is_prefilled_with_the_phone_and_address_of_the_citizens_record() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let admin = app.admin("ca").await;
    let document = json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Signalement", "description": "Un souci dans la rue.", "rubrique": "Voirie",
                      "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [
            { "code": "vous", "title": "Vous", "fields": [
                { "code": "telephone", "label": "Téléphone", "required": true, "prefill": "phone", "kind": { "phone": {} } },
                { "code": "adresse", "label": "Adresse", "required": true, "prefill": "address", "kind": { "address": {} } }
            ] }
        ] }
    })
    .to_string();
    let id = publish_with(&app, &admin, "ca", None, &document).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    ok_json(post(&app, &citizen, "ca", "save_my_record", RECORD).await).await;

    let key = start(&app, &citizen, "ca", &id, true).await;

    let answers = app
        .text(&format!(
            "SELECT answers FROM tenant_ca.dossier_drafts WHERE key = '{key}'"
        ))
        .await;
    assert!(answers.contains("+33612345678"), "{answers}");
    assert!(answers.contains("rue des Lilas"), "{answers}");
    assert!(answers.contains("44800"), "{answers}");
}

/// Adds a member; returns their person id.
async fn add_member(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    form: &[(&str, &str)],
) -> String {
    ok_json(post(app, client, slug, "add_member", form).await)
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

fn child<'a>(given_names: &'a str, birth_date: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("relation", "enfant"),
        ("civility", ""),
        ("given_names", given_names),
        ("birth_name", "Martin"),
        ("birth_date", birth_date),
    ]
}

#[tokio::test]
async fn a_citizen_adds_two_children_edits_one_and_removes_the_other() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let me = person_of(&app, "ca", "jeanne@example.org").await;

    // First visit: the household exists, the citizen its referent.
    let household = ok_json(post(&app, &citizen, "ca", "my_household", &[]).await).await;
    assert_eq!(household["referent_id"], me.as_str());
    assert_eq!(household["members"].as_array().unwrap().len(), 1);

    let lea = add_member(&app, &citizen, "ca", &child("Léa", "2015-08-24")).await;
    let tom = add_member(&app, &citizen, "ca", &child("Tom", "19/03/2019")).await;

    // A child born in the future, or without a birth date, is refused and nothing is written.
    let people_before = app.count("tenant_ca.people").await;
    let refused = post(
        &app,
        &citizen,
        "ca",
        "add_member",
        &child("Zoé", "2999-01-01"),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(refused).await, s::BIRTH_DATE_FUTURE);
    let refused = post(&app, &citizen, "ca", "add_member", &child("Zoé", "")).await;
    assert_eq!(error_message(refused).await, s::BIRTH_DATE_REQUIRED);
    let refused = post(
        &app,
        &citizen,
        "ca",
        "add_member",
        &child("Zoé", "1990-01-01"),
    )
    .await;
    assert_eq!(error_message(refused).await, s::CHILD_TOO_OLD);
    assert_eq!(app.count("tenant_ca.people").await, people_before);

    // Listed: the referent, then the children, eldest first.
    let household = ok_json(post(&app, &citizen, "ca", "my_household", &[]).await).await;
    let members = household["members"].as_array().unwrap();
    let ids: Vec<&str> = members
        .iter()
        .map(|m| m["person_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [me.as_str(), lea.as_str(), tom.as_str()]);
    assert_eq!(members[1]["relation"], "enfant");
    assert_eq!(members[2]["birth_date"], "2019-03-19");
    assert_eq!(members[1]["has_account"], false);

    // Léa's first names corrected: stored, traced with before and after, by the citizen.
    ok_json(
        post(
            &app,
            &citizen,
            "ca",
            "update_member",
            &[
                ("member", &lea),
                ("relation", "enfant"),
                ("civility", "madame"),
                ("given_names", "Léa Rose"),
                ("birth_name", "Martin"),
                ("birth_date", "2015-08-24"),
            ],
        )
        .await,
    )
    .await;
    let event: Value = serde_json::from_str(
        &app.text(&format!(
            "SELECT detail FROM tenant_ca.person_events WHERE person_id = '{lea}' AND kind = 'updated'"
        ))
        .await,
    )
    .unwrap();
    assert_eq!(event["before"]["given_names"], "Léa");
    assert_eq!(event["after"]["given_names"], "Léa Rose");
    assert_eq!(event["after"]["civility"], "madame");

    // The citizen's own line is not edited here.
    let refused = post(
        &app,
        &citizen,
        "ca",
        "update_member",
        &[
            ("member", &me),
            ("relation", "autre"),
            ("given_names", "X"),
            ("birth_name", "Y"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Tom removed: out of the household, his record and its history kept.
    ok_json(post(&app, &citizen, "ca", "remove_member", &[("member", &tom)]).await).await;
    let household = ok_json(post(&app, &citizen, "ca", "my_household", &[]).await).await;
    assert_eq!(household["members"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.text(&format!(
            "SELECT count(*) FROM tenant_ca.person_events WHERE person_id = '{tom}' AND kind = 'removed_from_household'"
        ))
        .await,
        "1"
    );

    // The household page lists them, without JavaScript.
    let page = app.get(&citizen, "ca", "/mon-foyer").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = crate::backoffice::visible(&page.text().await.unwrap());
    assert!(html.contains("Léa Rose MARTIN"), "{html}");
    assert!(!html.contains("Tom MARTIN"));
}

#[tokio::test]
async fn an_agent_corrects_a_household_member_and_the_record_says_who() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let admin = app.admin("ca").await;
    let agent = crate::access::member(&app, &admin, "ca", "agent@ca.test", "agent").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let lea = add_member(&app, &citizen, "ca", &child("Lea", "2015-08-24")).await;
    let correction = [
        ("member", lea.as_str()),
        ("relation", "enfant"),
        ("civility", "madame"),
        ("given_names", "Léa"),
        ("birth_name", "Martin"),
        ("birth_date", "2015-08-25"),
    ];

    // A citizen may not use the agents' correction.
    let refused = post(&app, &citizen, "ca", "correct_member", &correction).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    ok_json(post(&app, &agent, "ca", "correct_member", &correction).await).await;
    let agent_id = app
        .text("SELECT id FROM tenant_ca.users WHERE email = 'agent@ca.test'")
        .await;
    let row = app
        .text(&format!(
            "SELECT json_build_object('by_user', by_user, 'detail', detail) FROM tenant_ca.person_events
              WHERE person_id = '{lea}' AND kind = 'corrected_by_agent'"
        ))
        .await;
    let row: Value = serde_json::from_str(&row).unwrap();
    assert_eq!(row["by_user"], agent_id.as_str());
    assert_eq!(
        row["detail"]["by"],
        format!("{} agent@ca.test", s::AGENT_CORRECTED)
    );
    assert_eq!(row["detail"]["before"]["birth_date"], "2015-08-24");
    assert_eq!(row["detail"]["after"]["birth_date"], "2015-08-25");
    assert_eq!(row["detail"]["after"]["given_names"], "Léa");

    // The agent's rules are the citizen's: no child born in the future.
    let mut future = correction;
    future[5] = ("birth_date", "2999-01-01");
    let refused = post(&app, &agent, "ca", "correct_member", &future).await;
    assert_eq!(error_message(refused).await, s::BIRTH_DATE_FUTURE);
}

#[tokio::test]
async fn an_organisation_with_a_bad_siret_is_refused_with_the_reason_and_nothing_is_written() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;

    let refused = post(
        &app,
        &citizen,
        "ca",
        "add_organisation",
        &[
            ("kind", "entreprise"),
            ("name", "Boulangerie Martin"),
            ("number", "214 401 622 00018"),
            ("role", "gérante"),
        ],
    )
    .await;
    assert_eq!(
        error_field(refused).await,
        ("number".to_owned(), s::SIRET_KEY.to_owned())
    );
    let refused = post(
        &app,
        &citizen,
        "ca",
        "add_organisation",
        &[
            ("kind", "association"),
            ("name", "Les Amis du Parc"),
            ("number", "751234567"),
        ],
    )
    .await;
    assert_eq!(error_message(refused).await, s::RNA_FORMAT);
    assert_eq!(app.count("tenant_ca.organisations").await, 0);
    assert_eq!(app.count("tenant_ca.organisation_representatives").await, 0);
}

#[tokio::test]
async fn two_citizens_declaring_the_same_siret_represent_one_organisation() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let jeanne = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let paul = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let company = |name: &'static str, role: &'static str| {
        vec![
            ("kind", "entreprise"),
            ("name", name),
            ("number", "214 401 622 00011"),
            ("role", role),
        ]
    };

    let first = ok_json(
        post(
            &app,
            &jeanne,
            "ca",
            "add_organisation",
            &company("Boulangerie Martin", "gérante"),
        )
        .await,
    )
    .await;
    let second = ok_json(
        post(
            &app,
            &paul,
            "ca",
            "add_organisation",
            &company("Boulangerie MARTIN SARL", "associé"),
        )
        .await,
    )
    .await;
    assert_eq!(first, second);
    assert_eq!(app.count("tenant_ca.organisations").await, 1);
    assert_eq!(app.count("tenant_ca.organisation_representatives").await, 2);
    assert_eq!(
        app.text("SELECT siren FROM tenant_ca.organisations").await,
        "214401622"
    );

    // Declaring it twice is said, not duplicated.
    let again = post(
        &app,
        &paul,
        "ca",
        "add_organisation",
        &company("Boulangerie Martin", "associé"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Each sees it with their own role; an association by its RNA alongside.
    ok_json(
        post(
            &app,
            &jeanne,
            "ca",
            "add_organisation",
            &[
                ("kind", "association"),
                ("name", "Les Amis du Parc"),
                ("number", "W441234567"),
                ("role", "présidente"),
            ],
        )
        .await,
    )
    .await;
    let mine = ok_json(post(&app, &jeanne, "ca", "my_organisations", &[]).await).await;
    let names: Vec<(&str, &str)> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("Boulangerie Martin", "gérante"),
            ("Les Amis du Parc", "présidente")
        ]
    );
    let his = ok_json(post(&app, &paul, "ca", "my_organisations", &[]).await).await;
    assert_eq!(his[0]["role"], "associé");

    // Paul stops representing it; it stays, with Jeanne.
    let organisation = first.as_str().unwrap();
    ok_json(
        post(
            &app,
            &paul,
            "ca",
            "leave_organisation",
            &[("organisation", organisation)],
        )
        .await,
    )
    .await;
    let his = ok_json(post(&app, &paul, "ca", "my_organisations", &[]).await).await;
    assert_eq!(his, json!([]));
    assert_eq!(app.count("tenant_ca.organisations").await, 2);
    let page = app.get(&jeanne, "ca", "/mes-structures").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = crate::backoffice::visible(&page.text().await.unwrap());
    assert!(html.contains("214 401 622 00011"), "{html}");
}

#[tokio::test]
async fn households_are_out_of_reach_of_other_households_and_other_communes() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    app.create_tenant("cb", "Rezé").await;
    let jeanne = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let lea = add_member(&app, &jeanne, "ca", &child("Léa", "2015-08-24")).await;
    let edit = [
        ("member", lea.as_str()),
        ("relation", "enfant"),
        ("given_names", "Pirate"),
        ("birth_name", "Pirate"),
        ("birth_date", "2015-08-24"),
    ];

    // A neighbour in the same commune: another household's member is unknown to them.
    let paul = signed_in_citizen(&app, "ca", "paul@example.org").await;
    for (endpoint, form) in [("update_member", &edit[..]), ("remove_member", &edit[..1])] {
        let refused = post(&app, &paul, "ca", endpoint, form).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{endpoint}");
        assert_eq!(error_message(refused).await, s::MEMBER_UNKNOWN);
    }
    let household = ok_json(post(&app, &paul, "ca", "my_household", &[]).await).await;
    assert!(!household.to_string().contains(&lea));

    // A citizen and an agent of another commune: the id means nothing there.
    let other = signed_in_citizen(&app, "cb", "jeanne@example.org").await;
    for (endpoint, form) in [("update_member", &edit[..]), ("remove_member", &edit[..1])] {
        let refused = post(&app, &other, "cb", endpoint, form).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{endpoint}");
    }
    let household = ok_json(post(&app, &other, "cb", "my_household", &[]).await).await;
    assert!(!household.to_string().contains(&lea));
    let admin_b = app.admin("cb").await;
    let agent_b = crate::access::member(&app, &admin_b, "cb", "agent@cb.test", "agent").await;
    let refused = post(&app, &agent_b, "cb", "correct_member", &edit).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    // Commune A's session is worth nothing at B.
    let refused = post(&app, &jeanne, "cb", "update_member", &edit).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // Léa is untouched, and the pages need a session.
    assert_eq!(
        app.text(&format!(
            "SELECT given_names FROM tenant_ca.people WHERE id = '{lea}'"
        ))
        .await,
        "Léa"
    );
    let anonymous = app.client();
    for path in ["/mon-foyer", "/mes-structures", "/mon-compte/informations"] {
        let response = app.get(&anonymous, "ca", path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    }
}
