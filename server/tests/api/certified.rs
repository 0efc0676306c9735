#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What a certified identity (FranceConnect) changes: démarche fields prefilled from it are
//! locked — shown read-only with the provider's name, and kept by the server whatever the
//! citizen posts, autosaves or leaves in the draft —, the citizen's account shows it, agents
//! see the badge on the owner's dossiers and cannot correct the certified answers; and it
//! belongs to one commune's account only.
//! The identity is set in the database, as the OpenID Connect sign-in will set it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{draft, location, post_step, publish_with, signed_in_citizen, start};
use crate::helpers::{TestApp, spawn_app};

/// One step: the identity attributes (each in the kind of field it fits), the citizen's own
/// email and a free text.
fn etat_civil_document() -> String {
    let prefilled = |code: &str, label: &str, attribute: &str, kind: Value| {
        json!({ "code": code, "label": label, "required": attribute != "usage_name",
                "prefill": attribute, "kind": kind })
    };
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Copie d'acte de naissance", "description": "Pour vous.", "rubrique": "État civil",
                      "audience": "identified_only", "state": "draft" },
        "definition": { "steps": [
            { "code": "identite", "title": "Votre identité", "fields": [
                prefilled("civilite", "Civilité", "gender", json!({ "single_choice": { "options": [
                    { "value": "madame", "label": "Madame" }, { "value": "monsieur", "label": "Monsieur" } ] } })),
                prefilled("prenoms", "Prénom(s)", "given_name", json!({ "short_text": {} })),
                prefilled("nom_naissance", "Nom de naissance", "birth_name", json!({ "short_text": {} })),
                prefilled("nom_usage", "Nom d'usage", "usage_name", json!({ "short_text": {} })),
                prefilled("naissance", "Date de naissance", "birth_date", json!({ "date": {} })),
                prefilled("pays", "Pays de naissance", "birth_country", json!({ "short_text": {} })),
                prefilled("courriel", "Courriel", "email", json!({ "email": {} })),
                { "code": "motif", "label": "Motif", "required": true, "kind": { "long_text": {} } }
            ] }
        ] }
    })
    .to_string()
}

/// FranceConnect's claims for Marie (no usage name), as the sign-in stores them.
fn marie() -> Value {
    json!({
        "given_name": "Marie Salomea", "family_name": "Skłodowska", "preferred_username": null,
        "birthdate": "1867-11-07", "birthplace": "", "birthcountry": "99122", "gender": "female",
        "email": "marie@example.org", "provider": "FranceConnect", "acr": "eidas1",
        "certified_at": "2026-12-07T09:30:00Z"
    })
}

async fn certify(app: &TestApp, slug: &str, email: &str, identity: &Value) {
    app.sql(&format!(
        "UPDATE tenant_{slug}.users SET certified_identity = '{}'::jsonb WHERE email = '{email}'",
        identity.to_string().replace('\'', "''")
    ))
    .await;
}

async fn page(client: &reqwest::Client, url: String) -> String {
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    crate::backoffice::visible(&response.text().await.unwrap())
}

/// The opening tag of the element with this id.
fn tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element #{id}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// The draft's answers as stored (not as its page shows them).
async fn stored_answers(app: &TestApp, key: &str) -> Value {
    let json = app
        .text(&format!(
            "SELECT answers FROM tenant_ca.dossier_drafts WHERE key = '{key}'"
        ))
        .await;
    serde_json::from_str(&json).unwrap()
}

fn answer<'a>(state: &'a Value, code: &str) -> &'a Value {
    &state["Open"]["answers"][code]
}

#[tokio::test]
async fn a_certified_citizens_identity_fields_are_prefilled_locked_and_kept_through_submission_and_instruction()
 {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let id = publish_with(&app, &admin, "ca", None, &etat_civil_document()).await;
    let citizen = signed_in_citizen(&app, "ca", "marie@example.org").await;
    certify(&app, "ca", "marie@example.org", &marie()).await;

    // Prefilled from the certified identity; the citizen's own email too, but not locked.
    let key = start(&app, &citizen, "ca", &id, false).await;
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(
        answer(&state, "prenoms"),
        &json!({ "text": "Marie Salomea" })
    );
    assert_eq!(
        answer(&state, "naissance"),
        &json!({ "text": "1867-11-07" })
    );
    assert_eq!(answer(&state, "civilite"), &json!({ "text": "madame" }));
    assert_eq!(
        answer(&state, "courriel"),
        &json!({ "text": "marie@example.org" })
    );
    let locked: Vec<&str> = state["Open"]["locks"]["values"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        locked,
        vec!["civilite", "naissance", "nom_naissance", "pays", "prenoms"]
    );

    // The step page (plain HTML, as without JavaScript): read-only, with the mention.
    let html = page(
        &citizen,
        app.url("ca", &format!("/brouillons/{key}?etape=1")),
    )
    .await;
    let given = tag(&html, "champ-prenoms");
    assert!(
        given.contains("readonly") && given.contains("value=\"Marie Salomea\""),
        "{given}"
    );
    assert!(
        given.contains("champ-prenoms-certifie"),
        "described by the mention: {given}"
    );
    assert!(tag(&html, "champ-naissance").contains("readonly"));
    assert!(html.contains("Certifié par FranceConnect : non modifiable"));
    assert!(
        tag(&html, "champ-civilite-1").contains("disabled"),
        "monsieur cannot be chosen"
    );
    assert!(
        !tag(&html, "champ-civilite-0").contains("disabled"),
        "madame stays posted"
    );
    for editable in ["champ-courriel", "champ-nom_usage", "champ-motif"] {
        assert!(!tag(&html, editable).contains("readonly"), "{editable}");
    }

    // A forged post: the certified values stay, the rest is taken.
    let response = post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("civilite", "monsieur"),
            ("prenoms", "Pierre"),
            ("nom_naissance", ""),
            ("nom_usage", "Curie"),
            ("naissance", "1859-05-15"),
            ("pays", "99100"),
            ("courriel", "m.curie@example.org"),
            ("motif", "Mariage"),
            ("_action", "save"),
        ],
        vec![],
    )
    .await;
    assert_eq!(location(&response), format!("/brouillons/{key}?etape=1"));
    let stored = stored_answers(&app, &key).await;
    assert_eq!(stored["prenoms"], json!({ "text": "Marie Salomea" }));
    assert_eq!(stored["nom_naissance"], json!({ "text": "Skłodowska" }));
    assert_eq!(stored["civilite"], json!({ "text": "madame" }));
    assert_eq!(stored["naissance"], json!({ "text": "1867-11-07" }));
    assert_eq!(stored["pays"], json!({ "text": "99122" }));
    assert_eq!(stored["nom_usage"], json!({ "text": "Curie" }));
    assert_eq!(stored["courriel"], json!({ "text": "m.curie@example.org" }));

    // Autosave (the enhanced page) cannot change them either.
    let forged = json!({ "prenoms": { "text": "Pierre" }, "motif": { "text": "Mariage" },
                         "courriel": { "text": "m.curie@example.org" } });
    let saved = app
        .post(
            &citizen,
            "ca",
            "portal/autosave",
            &[("key", &key), ("answers", &forged.to_string())],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let stored = stored_answers(&app, &key).await;
    assert_eq!(stored["prenoms"], json!({ "text": "Marie Salomea" }));

    // The page shows the certified value even over a draft saved before the certification.
    app.sql(&format!(
        "UPDATE tenant_ca.dossier_drafts SET answers = answers || '{{\"prenoms\": {{\"text\": \"Pierre\"}}}}'::jsonb
         WHERE key = '{key}'"
    ))
    .await;
    let state = draft(&app, &citizen, "ca", &key).await;
    assert_eq!(
        answer(&state, "prenoms"),
        &json!({ "text": "Marie Salomea" })
    );

    // Whatever the draft still holds at submission, the dossier gets the certified values.
    assert_eq!(
        stored_answers(&app, &key).await["prenoms"],
        json!({ "text": "Pierre" })
    );
    let filed = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    let followed = location(&filed);
    assert!(followed.starts_with("/mes-demandes/"), "{followed}");
    let reference = followed.trim_start_matches("/mes-demandes/").to_owned();
    let dossier = app
        .text(&format!(
            "SELECT answers::text FROM tenant_ca.dossiers WHERE reference = '{reference}'"
        ))
        .await;
    let dossier: Value = serde_json::from_str(&dossier).unwrap();
    assert_eq!(dossier["prenoms"], json!({ "text": "Marie Salomea" }));
    assert_eq!(dossier["naissance"], json!({ "date": "1867-11-07" }));
    assert_eq!(dossier["civilite"], json!({ "text": "madame" }));

    // Agents see the owner's certified identity, with its badge.
    let back_office = page(
        &admin,
        app.url("ca", &format!("/back-office/dossiers/{reference}")),
    )
    .await;
    assert!(
        back_office.contains("Identité certifiée FranceConnect — eidas1"),
        "{back_office}"
    );
    assert!(back_office.contains("Skłodowska") && back_office.contains("07/11/1867"));

    // Agents correct answers, but not a certified one: refused in French, nothing changes.
    let edit = |code: &'static str, value: &'static str| {
        let (app, admin, reference) = (&app, &admin, reference.clone());
        async move {
            let revision = app
                .text(&format!(
                    "SELECT revision::text FROM tenant_ca.dossiers WHERE reference = '{reference}'"
                ))
                .await;
            app.post(
                admin,
                "ca",
                "backoffice/edit_answer",
                &[
                    ("reference", reference.as_str()),
                    ("code", code),
                    ("value", value),
                    ("revision", revision.as_str()),
                ],
            )
            .await
        }
    };
    for (code, value) in [
        ("prenoms", "Pierre"),
        ("naissance", "1859-05-15"),
        ("nom_naissance", "Curie"),
    ] {
        let refused = edit(code, value).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(
            crate::helpers::error_message(refused).await,
            app::backoffice::strings::certified_answer("FranceConnect")
        );
    }
    let corrected = edit("motif", "Mariage à Nantes").await;
    assert_eq!(corrected.status(), StatusCode::OK);
    let dossier = app
        .text(&format!(
            "SELECT answers::text FROM tenant_ca.dossiers WHERE reference = '{reference}'"
        ))
        .await;
    let dossier: Value = serde_json::from_str(&dossier).unwrap();
    assert_eq!(dossier["prenoms"], json!({ "text": "Marie Salomea" }));
    assert_eq!(dossier["civilite"], json!({ "text": "madame" }));
    assert_eq!(dossier["motif"], json!({ "text": "Mariage à Nantes" }));

    // The citizen's account shows it, read-only, in French.
    let account = page(&citizen, app.url("ca", "/mon-compte")).await;
    assert!(account.contains("Identité certifiée par FranceConnect"));
    assert!(account.contains("Niveau de garantie : eidas1. Certifiée le 07/12/2026."));
    for shown in ["Madame", "Marie Salomea", "07/11/1867", "99122"] {
        assert!(account.contains(shown), "{shown}");
    }
    let section = account
        .split("data-testid=\"certified-identity\"")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap();
    assert!(
        !section.contains("Nom d'usage"),
        "not certified, not listed"
    );
    assert!(!section.contains("<input"), "nothing to edit");
}

#[tokio::test]
async fn a_certification_at_one_commune_is_worth_nothing_for_the_same_email_at_another() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Saint-Herblain").await;
    app.create_tenant("cb", "Orvault").await;
    let admin_b = app.admin("cb").await;
    app.grant("cb", "admin@cb.test", None, "gestion").await;
    let id = publish_with(&app, &admin_b, "cb", None, &etat_civil_document()).await;
    signed_in_citizen(&app, "ca", "marie@example.org").await;
    certify(&app, "ca", "marie@example.org", &marie()).await;
    let at_b = signed_in_citizen(&app, "cb", "marie@example.org").await;

    // Nothing prefilled but her own email, nothing locked: she types her identity herself.
    let key = start(&app, &at_b, "cb", &id, false).await;
    let state = draft(&app, &at_b, "cb", &key).await;
    assert_eq!(answer(&state, "prenoms"), &Value::Null);
    assert_eq!(
        answer(&state, "courriel"),
        &json!({ "text": "marie@example.org" })
    );
    assert_eq!(state["Open"]["locks"]["values"], json!({}));
    let html = page(&at_b, app.url("cb", &format!("/brouillons/{key}?etape=1"))).await;
    assert!(!tag(&html, "champ-prenoms").contains("readonly"));
    assert!(!html.contains("Certifié par"));
    let response = post_step(
        &app,
        &at_b,
        "cb",
        &key,
        0,
        &[
            ("civilite", "madame"),
            ("prenoms", "Marie"),
            ("nom_naissance", "Curie"),
            ("naissance", "1867-11-07"),
            ("pays", "99122"),
            ("courriel", "marie@example.org"),
            ("motif", "Mariage"),
            ("_action", "next"),
        ],
        vec![],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/brouillons/{key}/recapitulatif")
    );
    let filed = app
        .post(&at_b, "cb", "portal/submit", &[("key", &key)])
        .await;
    let reference = location(&filed)
        .trim_start_matches("/mes-demandes/")
        .to_owned();
    let prenoms = app
        .text(&format!(
            "SELECT answers->'prenoms'->>'text' FROM tenant_cb.dossiers WHERE reference = '{reference}'"
        ))
        .await;
    assert_eq!(prenoms, "Marie", "what she typed");

    // No badge for agents, no certified identity on her account there.
    let back_office = page(
        &admin_b,
        app.url("cb", &format!("/back-office/dossiers/{reference}")),
    )
    .await;
    assert!(!back_office.contains("Identité certifiée"));
    assert!(!back_office.contains("owner-identity"));
    let account = page(&at_b, app.url("cb", "/mon-compte")).await;
    assert!(!account.contains("Identité certifiée"));
}
