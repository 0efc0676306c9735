#![allow(clippy::unwrap_used, clippy::expect_used)]
//! On whose behalf a démarche is filed: the start page's "Pour qui ?" with the démarche's
//! beneficiary setting and age rule, prefill from the chosen child or organisation (and a
//! group with one item per child of the household), the beneficiary recorded on the dossier
//! and found by the back office's filters, answers offered back to the citizen's record only
//! when they ask, and no one else's household, organisation or commune reachable.
//! Households and organisations are arranged in SQL, as the "Mon foyer" pages will make them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{draft, location, post_step, publish_with, signed_in_citizen, start};
use crate::helpers::{TestApp, spawn_app};

const LEA: &str = "11111111-0000-4000-8000-000000000001";
const TOM: &str = "11111111-0000-4000-8000-000000000002";
const HOUSEHOLD: &str = "22222222-0000-4000-8000-000000000001";
const BAKERY: &str = "33333333-0000-4000-8000-000000000001";
const BAKERY_SIRET: &str = "21440162200011";

/// This year, and the next 1 September (the school year the rule counts ages on).
fn school_year() -> (i32, i32) {
    let now = time::OffsetDateTime::now_utc();
    (now.year(), now.year() + 1)
}

/// Inscription for a child of the household aged 3 to 11 on next year's 1 September: the
/// child's identity prefilled, and the household's children as a group.
fn periscolaire_document() -> String {
    let (_, rentree) = school_year();
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Inscription périscolaire", "description": "Accueil du matin et du soir.",
                      "rubrique": "Enfance", "audience": "identified_only", "state": "draft",
                      "beneficiary": { "citizen": false, "child": true,
                                       "age": { "min": 3, "max": 11, "on": { "date": format!("{rentree}-09-01") } } } },
        "definition": { "steps": [
            { "code": "enfant", "title": "L'enfant", "fields": [
                { "code": "prenom", "label": "Prénom", "required": true, "prefill": "given_name", "kind": { "short_text": {} } },
                { "code": "nom", "label": "Nom", "required": true, "prefill": "birth_name", "kind": { "short_text": {} } },
                { "code": "naissance", "label": "Date de naissance", "required": true, "prefill": "birth_date", "kind": { "date": {} } },
                { "code": "fratrie", "label": "Frères et sœurs", "prefill": "household_children",
                  "kind": { "group": { "min_items": 0, "max_items": 6, "fields": [
                      { "code": "frere_prenom", "label": "Prénom", "required": true, "prefill": "given_name", "kind": { "short_text": {} } },
                      { "code": "frere_naissance", "label": "Né(e) le", "prefill": "birth_date", "kind": { "date": {} } }
                  ] } } }
            ] }
        ] }
    })
    .to_string()
}

/// An occupation of the public domain, by the citizen or a company they represent.
fn terrasse_document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Terrasse sur le domaine public", "description": "Une terrasse l'été.",
                      "rubrique": "Commerce", "audience": "identified_only", "state": "draft",
                      "beneficiary": { "citizen": true, "organisation": true } },
        "definition": { "steps": [
            { "code": "demandeur", "title": "Demandeur", "fields": [
                { "code": "raison", "label": "Raison sociale", "prefill": "organisation_name", "kind": { "short_text": {} } },
                { "code": "siret", "label": "SIRET", "prefill": "organisation_siret", "kind": { "siret": {} } },
                { "code": "surface", "label": "Surface (m²)", "required": true, "kind": { "integer": { "min": 1 } } }
            ] }
        ] }
    })
    .to_string()
}

/// A change of address, for the citizen themself: address and phone prefilled from their
/// record.
fn demenagement_document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Changement d'adresse", "description": "Vous déménagez.",
                      "rubrique": "Vie pratique", "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [
            { "code": "adresse", "title": "Nouvelle adresse", "fields": [
                { "code": "nouvelle", "label": "Adresse", "required": true, "prefill": "address", "kind": { "address": {} } },
                { "code": "tel", "label": "Téléphone", "prefill": "phone", "kind": { "phone": {} } }
            ] }
        ] }
    })
    .to_string()
}

async fn person_of(app: &TestApp, slug: &str, email: &str) -> String {
    app.text(&format!(
        "SELECT p.id FROM tenant_{slug}.people p JOIN tenant_{slug}.users u ON u.id = p.account_id
          WHERE u.email = '{email}'"
    ))
    .await
}

/// The citizen's household: them, Léa (12 next 1 September) and Tom (6 then).
async fn household_with_two_children(app: &TestApp, slug: &str, parent: &str) {
    let (_, rentree) = school_year();
    let lea_born = format!("{}-03-10", rentree - 12);
    let tom_born = format!("{}-01-20", rentree - 6);
    let schema = format!("tenant_{slug}");
    app.sql(&format!(
        "INSERT INTO {schema}.people (id, given_names, birth_name, birth_date) VALUES
            ('{LEA}', 'Léa', 'Martin', '{lea_born}'), ('{TOM}', 'Tom', 'Martin', '{tom_born}');
         INSERT INTO {schema}.households (id, referent_id) VALUES ('{HOUSEHOLD}', '{parent}');
         INSERT INTO {schema}.household_members (household_id, person_id, relation) VALUES
            ('{HOUSEHOLD}', '{parent}', 'referent'), ('{HOUSEHOLD}', '{LEA}', 'enfant'),
            ('{HOUSEHOLD}', '{TOM}', 'enfant');"
    ))
    .await;
}

async fn filing_start(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
    pour: Option<&str>,
) -> Value {
    let mut form = vec![("id", id)];
    if let Some(pour) = pour {
        form.push(("pour", pour));
    }
    let response = app.post(client, slug, "portal/demarche_start", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn start_for(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
    pour: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "portal/start",
        &[("demarche", id), ("pour", pour)],
    )
    .await
}

fn key_of(response: &reqwest::Response) -> String {
    let to = location(response);
    to.strip_prefix("/brouillons/")
        .and_then(|rest| rest.strip_suffix("?etape=1"))
        .unwrap_or_else(|| panic!("not a draft: {to}"))
        .to_owned()
}

async fn list(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    filter: &[(&str, &str)],
) -> Value {
    let mut form: Vec<(String, String)> = filter
        .iter()
        .map(|(k, v)| (format!("filter[{k}]"), (*v).to_owned()))
        .collect();
    form.push(("filter[page]".into(), String::new()));
    let response = client
        .post(app.url(slug, "/api/backoffice/dossiers"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn references(list: &Value) -> Vec<String> {
    list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_child_in_the_age_range_prefills_the_draft_and_one_outside_it_is_refused_with_the_reason()
{
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = publish_with(&app, &admin, "ca", None, &periscolaire_document()).await;
    let parent = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let me = person_of(&app, "ca", "jeanne@example.org").await;
    household_with_two_children(&app, "ca", &me).await;
    let (_, rentree) = school_year();
    let reason = format!(
        "Léa aura 12 ans le 1er septembre {rentree} : cette démarche est pour les 3 à 11 ans"
    );

    // The start page offers both children (not the parent: the démarche is for children),
    // Léa shown but refused, with the reason.
    let start_page = filing_start(&app, &parent, "ca", &id, None).await;
    let offered: Vec<(String, Value)> = start_page["beneficiaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["value"].as_str().unwrap().to_owned(),
                o["refusal"].clone(),
            )
        })
        .collect();
    assert_eq!(
        offered,
        vec![
            (format!("personne:{LEA}"), json!(reason)),
            (format!("personne:{TOM}"), Value::Null),
        ]
    );
    let html = app
        .get(&parent, "ca", &format!("/demarches/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Pour qui faites-vous cette démarche ?"),
        "{html}"
    );
    let lea_radio = &html[html.find(&format!("value=\"personne:{LEA}\"")).unwrap()..];
    assert!(lea_radio[..lea_radio.find('>').unwrap()].contains("disabled"));
    assert!(html.contains(&reason), "{html}");

    // Choosing Léa anyway (a forged post) is refused: back to the page, which says why.
    let refused = start_for(&app, &parent, "ca", &id, &format!("personne:{LEA}")).await;
    assert_eq!(
        location(&refused),
        format!("/demarches/{id}?pour=personne:{LEA}")
    );
    assert_eq!(app.count("tenant_ca.dossier_drafts").await, 0);
    let explained = filing_start(&app, &parent, "ca", &id, Some(&format!("personne:{LEA}"))).await;
    assert_eq!(explained["beneficiary_refusal"], json!(reason));
    // Choosing nobody is refused too.
    let nobody = app
        .post(&parent, "ca", "portal/start", &[("demarche", &id)])
        .await;
    assert_eq!(location(&nobody), format!("/demarches/{id}"));

    // Tom: the draft is his, prefilled from his record, and the group lists both children.
    let key = key_of(&start_for(&app, &parent, "ca", &id, &format!("personne:{TOM}")).await);
    let page = draft(&app, &parent, "ca", &key).await;
    let answers = &page["Open"]["answers"];
    assert_eq!(answers["prenom"], json!({ "text": "Tom" }));
    assert_eq!(answers["nom"], json!({ "text": "Martin" }));
    assert_eq!(
        answers["naissance"],
        json!({ "text": format!("{}-01-20", rentree - 6) })
    );
    assert_eq!(
        answers["fratrie"],
        json!({ "group": [
            { "frere_prenom": { "text": "Léa" }, "frere_naissance": { "text": format!("{}-03-10", rentree - 12) } },
            { "frere_prenom": { "text": "Tom" }, "frere_naissance": { "text": format!("{}-01-20", rentree - 6) } }
        ] })
    );
    assert_eq!(page["Open"]["beneficiary"], json!("Tom MARTIN"));
    assert_eq!(page["Open"]["locks"]["values"], json!({}), "nothing locked");

    // Submitted as prefilled, the dossier records Tom; the back office shows and filters by
    // him.
    let submitted = app
        .post(&parent, "ca", "portal/submit", &[("key", &key)])
        .await;
    location(&submitted);
    assert_eq!(
        app.text(
            "SELECT beneficiary_person_id::text || ' ' || beneficiary_kind FROM tenant_ca.dossiers"
        )
        .await,
        format!("{TOM} enfant")
    );
    let reference = app.text("SELECT reference FROM tenant_ca.dossiers").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let all = list(&app, &admin, "ca", &[]).await;
    assert_eq!(references(&all), vec![reference.clone()]);
    assert_eq!(
        all["lines"][0]["beneficiary"],
        json!("Tom MARTIN (enfant du foyer)")
    );
    for (filter, found) in [
        (vec![("beneficiaire", "enfant")], true),
        (vec![("beneficiaire", "organisation")], false),
        (vec![("pour", "tom")], true),
        (vec![("pour", "MARTIN Tom")], true),
        (vec![("pour", "Léa")], false),
        (vec![("beneficiaire", "enfant"), ("pour", "tôm")], true),
    ] {
        let listed = list(&app, &admin, "ca", &filter).await;
        let expected: Vec<String> = if found {
            vec![reference.clone()]
        } else {
            vec![]
        };
        assert_eq!(references(&listed), expected, "{filter:?}");
    }
    let unknown_kind = admin
        .post(app.url("ca", "/api/backoffice/dossiers"))
        .form(&[("filter[beneficiaire]", "voisin"), ("filter[page]", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    let agent_page: Value = app
        .post(
            &admin,
            "ca",
            "backoffice/dossier",
            &[("reference", &reference)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        agent_page["beneficiary"],
        json!("Tom MARTIN (enfant du foyer)")
    );
}

#[tokio::test]
async fn an_organisation_the_citizen_represents_prefills_its_name_and_siret() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = publish_with(&app, &admin, "ca", None, &terrasse_document()).await;
    let citizen = signed_in_citizen(&app, "ca", "boulanger@example.org").await;
    let me = person_of(&app, "ca", "boulanger@example.org").await;
    app.sql(&format!(
        "INSERT INTO tenant_ca.organisations (id, kind, name, siret, siren) VALUES
            ('{BAKERY}', 'entreprise', 'Boulangerie Martin', '{BAKERY_SIRET}', '214401622');
         INSERT INTO tenant_ca.organisation_representatives (organisation_id, person_id, role)
            VALUES ('{BAKERY}', '{me}', 'gérant');"
    ))
    .await;

    let start_page = filing_start(&app, &citizen, "ca", &id, None).await;
    let values: Vec<&str> = start_page["beneficiaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    let bakery = format!("organisation:{BAKERY}");
    assert_eq!(values, vec!["moi", bakery.as_str()]);
    assert_eq!(
        start_page["beneficiaries"][1]["detail"],
        json!(format!("Entreprise, SIRET {BAKERY_SIRET}"))
    );

    let for_bakery = key_of(&start_for(&app, &citizen, "ca", &id, &bakery).await);
    let answers = draft(&app, &citizen, "ca", &for_bakery).await["Open"]["answers"].clone();
    assert_eq!(answers["raison"], json!({ "text": "Boulangerie Martin" }));
    assert_eq!(answers["siret"], json!({ "text": BAKERY_SIRET }));
    // For themself: the organisation's fields stay empty, in a draft of its own.
    let for_me = key_of(&start_for(&app, &citizen, "ca", &id, "moi").await);
    assert_ne!(for_me, for_bakery);
    let answers = draft(&app, &citizen, "ca", &for_me).await["Open"]["answers"].clone();
    assert_eq!(answers, json!({}));
    // Starting again for the bakery resumes its draft.
    assert_eq!(
        key_of(&start_for(&app, &citizen, "ca", &id, &bakery).await),
        for_bakery
    );

    post_step(
        &app,
        &citizen,
        "ca",
        &for_bakery,
        0,
        &[
            ("raison", "Boulangerie Martin"),
            ("siret", BAKERY_SIRET),
            ("surface", "12"),
        ],
        vec![],
    )
    .await;
    location(
        &app.post(&citizen, "ca", "portal/submit", &[("key", &for_bakery)])
            .await,
    );
    assert_eq!(
        app.text("SELECT beneficiary_organisation_id::text || ' ' || beneficiary_kind || ' ' || beneficiary_name FROM tenant_ca.dossiers")
            .await,
        format!("{BAKERY} organisation Boulangerie Martin")
    );
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let listed = list(
        &app,
        &admin,
        "ca",
        &[("beneficiaire", "organisation"), ("pour", "boulangerie")],
    )
    .await;
    assert_eq!(references(&listed).len(), 1);
}

#[tokio::test]
async fn a_person_of_another_household_or_commune_and_an_organisation_not_represented_are_refused()
{
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin = app.admin("ca").await;
    let periscolaire = publish_with(&app, &admin, "ca", None, &periscolaire_document()).await;
    let terrasse = publish_with(&app, &admin, "ca", None, &terrasse_document()).await;
    // Jeanne's household has the children; Paul, in the same commune, has none.
    let _jeanne = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let jeanne = person_of(&app, "ca", "jeanne@example.org").await;
    household_with_two_children(&app, "ca", &jeanne).await;
    app.sql(&format!(
        "INSERT INTO tenant_ca.organisations (id, kind, name, siret, siren) VALUES
            ('{BAKERY}', 'entreprise', 'Boulangerie Martin', '{BAKERY_SIRET}', '214401622');
         INSERT INTO tenant_ca.organisation_representatives (organisation_id, person_id)
            VALUES ('{BAKERY}', '{jeanne}');"
    ))
    .await;
    let paul = signed_in_citizen(&app, "ca", "paul@example.org").await;
    // A child of commune B's household, with an id Paul could have learnt.
    let _claire = signed_in_citizen(&app, "cb", "claire@example.org").await;
    let claire = person_of(&app, "cb", "claire@example.org").await;
    let far = "44444444-0000-4000-8000-000000000001";
    app.sql(&format!(
        "INSERT INTO tenant_cb.people (id, given_names, birth_name, birth_date) VALUES ('{far}', 'Zoé', 'Durand', '2020-05-05');
         INSERT INTO tenant_cb.households (id, referent_id) VALUES ('{HOUSEHOLD}', '{claire}');
         INSERT INTO tenant_cb.household_members (household_id, person_id, relation) VALUES
            ('{HOUSEHOLD}', '{claire}', 'referent'), ('{HOUSEHOLD}', '{far}', 'enfant');"
    ))
    .await;

    let not_in_household = "Cette personne ne fait pas partie de votre foyer : vous ne pouvez faire cette démarche que pour vous-même ou un membre de votre foyer.";
    for (demarche, choice, reason) in [
        (&periscolaire, format!("personne:{TOM}"), not_in_household),
        (&periscolaire, format!("personne:{far}"), not_in_household),
        (
            &periscolaire,
            format!("personne:{jeanne}"),
            not_in_household,
        ),
        (
            &periscolaire,
            "personne:pas-un-uuid".to_owned(),
            not_in_household,
        ),
        (
            &terrasse,
            format!("organisation:{BAKERY}"),
            "Vous ne représentez pas cette organisation : ajoutez-la d'abord à votre compte, avec la preuve que vous la représentez.",
        ),
        (
            &periscolaire,
            "moi".to_owned(),
            "Cette démarche ne peut pas être faite pour vous-même : choisissez un bénéficiaire proposé.",
        ),
    ] {
        let refused = start_for(&app, &paul, "ca", demarche, &choice).await;
        assert_eq!(
            location(&refused),
            format!("/demarches/{demarche}?pour={choice}"),
            "{choice}"
        );
        let explained = filing_start(&app, &paul, "ca", demarche, Some(&choice)).await;
        assert_eq!(explained["beneficiary_refusal"], json!(reason), "{choice}");
    }
    assert_eq!(app.count("tenant_ca.dossier_drafts").await, 0);
    // Paul is offered nobody from anyone's household.
    let offered = filing_start(&app, &paul, "ca", &periscolaire, None).await;
    assert_eq!(offered["beneficiaries"], json!([]));
    // The same ids mean nothing in commune B either: Claire cannot file for Jeanne's child.
    let claire_client = signed_in_citizen(&app, "cb", "claire2@example.org").await;
    let admin_b = app.admin("cb").await;
    let periscolaire_b = publish_with(&app, &admin_b, "cb", None, &periscolaire_document()).await;
    let refused = start_for(
        &app,
        &claire_client,
        "cb",
        &periscolaire_b,
        &format!("personne:{TOM}"),
    )
    .await;
    assert!(location(&refused).starts_with(&format!("/demarches/{periscolaire_b}?pour=")));
    assert_eq!(app.count("tenant_cb.dossier_drafts").await, 0);
}

#[tokio::test]
async fn a_new_address_is_offered_back_to_the_citizens_record_and_written_only_when_accepted() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let id = publish_with(&app, &admin, "ca", None, &demenagement_document()).await;
    let citizen = signed_in_citizen(&app, "ca", "jeanne@example.org").await;
    let me = person_of(&app, "ca", "jeanne@example.org").await;
    app.sql(&format!(
        "UPDATE tenant_ca.people SET phone = '+33612345678',
            address = '{{\"number\": \"3\", \"street\": \"rue des Lilas\", \"postcode\": \"44800\", \"commune\": \"Saint-Herblain\"}}'
          WHERE id = '{me}'"
    ))
    .await;

    // No question asked for a démarche for oneself; the record prefills address and phone.
    assert_eq!(
        filing_start(&app, &citizen, "ca", &id, None).await["beneficiaries"],
        json!([])
    );
    let key = start(&app, &citizen, "ca", &id, false).await;
    let answers = draft(&app, &citizen, "ca", &key).await["Open"]["answers"].clone();
    assert_eq!(answers["tel"], json!({ "text": "+33612345678" }));
    assert_eq!(
        answers["nouvelle"]["address"]["street"],
        json!("rue des Lilas")
    );

    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("nouvelle.number", "12"),
            ("nouvelle.street", "avenue des Tilleuls"),
            ("nouvelle.postcode", "44800"),
            ("nouvelle.commune", "Saint-Herblain"),
            ("tel", "06 12 34 56 78"),
        ],
        vec![],
    )
    .await;
    let summary: Value = app
        .post(
            &citizen,
            "ca",
            "portal/draft",
            &[("key", &key), ("summary", "true")],
        )
        .await
        .json()
        .await
        .unwrap();
    // Only what differs is offered (the phone is the same once normalised); nothing written.
    assert_eq!(
        summary["Summary"][0]["record_updates"],
        json!([{ "code": "address", "label": "Adresse", "value": "12 avenue des Tilleuls, 44800 Saint-Herblain" }])
    );
    let html = app
        .get(&citizen, "ca", &format!("/brouillons/{key}/recapitulatif"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Mettre à jour votre fiche"), "{html}");
    assert!(html.contains("name=\"adresse\""));
    let street = format!("SELECT address->>'street' FROM tenant_ca.people WHERE id = '{me}'");
    assert_eq!(app.text(&street).await, "rue des Lilas");

    // Nothing ticked: refused, still nothing written.
    let nothing = app
        .post(&citizen, "ca", "portal/update_record", &[("key", &key)])
        .await;
    assert_eq!(nothing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.text(&street).await, "rue des Lilas");
    // Another citizen cannot write Jeanne's record with her draft.
    let other = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let forged = app
        .post(
            &other,
            "ca",
            "portal/update_record",
            &[("key", &key), ("adresse", "1")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);

    let accepted = app
        .post(
            &citizen,
            "ca",
            "portal/update_record",
            &[("key", &key), ("adresse", "1")],
        )
        .await;
    assert_eq!(
        location(&accepted),
        format!("/brouillons/{key}/recapitulatif?fiche=1")
    );
    assert_eq!(app.text(&street).await, "avenue des Tilleuls");
    assert_eq!(
        app.text(&format!(
            "SELECT provenance->'address'->>'certainty' FROM tenant_ca.people WHERE id = '{me}'"
        ))
        .await,
        "declared"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT kind || ' ' || (detail->'changes'->0->>'attribute') FROM tenant_ca.person_events
              WHERE person_id = '{me}' ORDER BY id DESC LIMIT 1"
        ))
        .await,
        "updated_from_demarche address"
    );
    // Nothing left to offer.
    let summary: Value = app
        .post(
            &citizen,
            "ca",
            "portal/draft",
            &[("key", &key), ("summary", "true")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(summary["Summary"][0]["record_updates"], json!([]));
}
