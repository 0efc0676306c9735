#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Agents processing dossiers: routing, rights per service, the workflow and its actions,
//! complements through the citizen, locks and concurrent edits, notes, messages, exports,
//! live counters, and tenant isolation of all of it.

use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::dossiers::{
    PNG, location, post_step, publish_with, signed_in_citizen, start, transition,
};
use crate::helpers::{Mail, TestApp, error_message, spawn_app};

/// One step: name, contact, postcode (routes the dossier) and the request's object.
fn voirie_document() -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": "Signalement voirie", "description": "Un trou, un lampadaire.", "rubrique": "Voirie",
                      "audience": "anonymous_allowed", "state": "draft" },
        "definition": { "steps": [
            { "code": "signalement", "title": "Signalement", "fields": [
                { "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } },
                { "code": "courriel", "label": "Courriel", "required": true, "kind": { "email": {} } },
                { "code": "code_postal", "label": "Code postal", "required": true, "kind": { "short_text": {} } },
                { "code": "objet", "label": "Objet", "required": true, "kind": { "long_text": {} } }
            ] }
        ] }
    })
    .to_string()
}

pub(crate) struct Commune {
    pub(crate) admin: reqwest::Client,
    pub(crate) demarche: String,
}

/// A commune with services Nord and Sud under Voirie, and the voirie démarche routed by
/// postcode (44800 → Nord, 44700 → Sud, else Voirie), due in 10 days with an alert at 3.
pub(crate) async fn commune(app: &TestApp, slug: &str) -> Commune {
    app.create_tenant(slug, "Commune").await;
    let admin = app.admin(slug).await;
    let demarche = publish_with(app, &admin, slug, None, &voirie_document()).await;
    let schema = format!("tenant_{slug}");
    app.sql(&format!(
        "INSERT INTO {schema}.services (id, parent_id, name, kind) VALUES
           ('10000000-0000-4000-8000-000000000001', NULL, 'Voirie', 'service'),
           ('10000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'Nord', 'pole'),
           ('10000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001', 'Sud', 'pole')"
    ))
    .await;
    let mut instruction: Value =
        serde_json::to_value(app::workflow::model::Instruction::default()).unwrap();
    instruction["routing"] = json!({
        "default_service": "10000000-0000-4000-8000-000000000001",
        "rules": [
            { "field": "code_postal", "values": ["44800"], "service_id": "10000000-0000-4000-8000-000000000002" },
            { "field": "code_postal", "values": ["447*"], "service_id": "10000000-0000-4000-8000-000000000003" }
        ],
        "copies": []
    });
    instruction["deadlines"] =
        json!({ "max_days": 10, "alert_days": 3, "silence": "acceptation", "silence_days": 60 });
    app.sql(&format!(
        "INSERT INTO {schema}.demarche_instruction (demarche_id, document) VALUES ('{demarche}', '{}')",
        instruction.to_string().replace('\'', "''")
    ))
    .await;
    Commune { admin, demarche }
}

/// An invited agent of `slug`, signed in.
pub(crate) async fn agent(
    app: &TestApp,
    commune: &Commune,
    slug: &str,
    email: &str,
) -> reqwest::Client {
    let invited = app
        .post(
            &commune.admin,
            slug,
            "admin/invite_agent",
            &[("email", email), ("display_name", email), ("role", "agent")],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    app.accept_invitation(slug, email, "Tournesol-Cle-2026")
        .await
}

/// Files a dossier as `citizen`; returns its reference.
pub(crate) async fn file(
    app: &TestApp,
    citizen: &reqwest::Client,
    slug: &str,
    commune: &Commune,
    name: &str,
    postcode: &str,
) -> String {
    let key = start(app, citizen, slug, &commune.demarche, true).await;
    post_step(
        app,
        citizen,
        slug,
        &key,
        0,
        &[
            ("nom", name),
            ("courriel", "usager@example.org"),
            ("code_postal", postcode),
            ("objet", "Nid de poule devant l'école"),
        ],
        vec![],
    )
    .await;
    let submitted = app
        .post(citizen, slug, "portal/submit", &[("key", &key)])
        .await;
    location(&submitted);
    app.text(&format!(
        "SELECT d.reference FROM tenant_{slug}.dossiers d JOIN tenant_{slug}.dossier_drafts dr ON dr.dossier_id = d.id
         WHERE dr.key = '{key}'"
    ))
    .await
}

async fn list(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    filter: &[(&str, &str)],
) -> Value {
    let mut form: Vec<(String, String)> = filter
        .iter()
        .map(|(k, v)| (format!("filter[{k}]"), v.to_string()))
        .collect();
    form.push(("filter[page]".into(), String::new()));
    let response = client
        .post(app.url(slug, "/api/backoffice/dossiers"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

fn references(list: &Value) -> Vec<String> {
    let mut refs: Vec<String> = list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reference"].as_str().unwrap().to_owned())
        .collect();
    refs.sort();
    refs
}

pub(crate) async fn dossier(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    reference: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "backoffice/dossier",
        &[("reference", reference)],
    )
    .await
}

async fn act(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    reference: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("reference", reference)];
    form.extend_from_slice(fields);
    app.post(client, slug, "backoffice/act", &form).await
}

async fn csv(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    query: &str,
) -> reqwest::Response {
    app.get(client, slug, &format!("/back-office/dossiers.csv?{query}"))
        .await
}

/// The first `counters` event of the live dashboard stream.
async fn first_counters(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
) -> Result<Value, StatusCode> {
    let response = app.get(client, slug, "/api/back-office/compteurs").await;
    if response.status() != StatusCode::OK {
        return Err(response.status());
    }
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    loop {
        if let Some(data) = buffer
            .split("\n\n")
            .find_map(|event| event.lines().find_map(|l| l.strip_prefix("data:")))
        {
            return Ok(serde_json::from_str(data.trim()).unwrap());
        }
        // A guard against a hang, not a wait.
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("no event within 20 s")
            .expect("stream ended")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn dossiers_are_routed_by_postcode_and_agents_see_only_their_services() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    let sud = agent(&app, &c, "ca", "sud@ca.test").await;
    let chef = agent(&app, &c, "ca", "chef@ca.test").await;
    let nobody = agent(&app, &c, "ca", "stagiaire@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    app.grant("ca", "sud@ca.test", Some("Sud"), "consultation")
        .await;
    // A right on Voirie covers its pôles.
    app.grant("ca", "chef@ca.test", Some("Voirie"), "gestion")
        .await;
    let citizen = app.client();
    let in_nord = file(&app, &citizen, "ca", &c, "Dupont", "44800").await;
    let in_sud = file(&app, &citizen, "ca", &c, "Martin", "44700").await;
    let elsewhere = file(&app, &citizen, "ca", &c, "Durand", "75001").await;

    assert_eq!(
        references(&list(&app, &nord, "ca", &[]).await),
        vec![in_nord.clone()]
    );
    assert_eq!(
        references(&list(&app, &sud, "ca", &[]).await),
        vec![in_sud.clone()]
    );
    let mut all = vec![in_nord.clone(), in_sud.clone(), elsewhere.clone()];
    all.sort();
    assert_eq!(references(&list(&app, &chef, "ca", &[]).await), all);
    assert!(references(&list(&app, &nobody, "ca", &[]).await).is_empty());
    let page = dossier(&app, &chef, "ca", &elsewhere)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(page["service"], "Voirie");
    assert!(
        page["due_on"].as_str().is_some(),
        "deadline set from the démarche"
    );
    assert!(
        page["silence"]
            .as_str()
            .unwrap()
            .starts_with("Silence vaut acceptation")
    );

    // A direct reference, an export and the live counters say nothing more.
    let refused = dossier(&app, &nord, "ca", &in_sud).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        dossier(&app, &nobody, "ca", &in_nord).await.status(),
        StatusCode::NOT_FOUND
    );
    let export = csv(&app, &nord, "ca", "").await;
    assert_eq!(export.status(), StatusCode::OK);
    assert_eq!(export.headers()["x-total-count"], "1");
    let text = export.text().await.unwrap();
    assert!(text.contains(&in_nord) && !text.contains(&in_sud) && !text.contains(&elsewhere));
    assert_eq!(text.lines().count(), 2, "header and one line: {text}");
    let counters = first_counters(&app, &nord, "ca").await.unwrap();
    assert_eq!(counters["new"], 1);
    assert_eq!(first_counters(&app, &chef, "ca").await.unwrap()["new"], 3);
    assert_eq!(first_counters(&app, &nobody, "ca").await.unwrap()["new"], 0);
    assert_eq!(
        first_counters(&app, &citizen, "ca").await,
        Err(StatusCode::UNAUTHORIZED)
    );

    // Consultation reads but cannot modify.
    assert_eq!(
        dossier(&app, &sud, "ca", &in_sud).await.status(),
        StatusCode::OK
    );
    let denied = act(&app, &sud, "ca", &in_sud, &[("action", "take")]).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let denied = transition(&app, &sud, "ca", &in_sud, "t1").await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    // Filters combine with rights, never widen them.
    let filtered = list(
        &app,
        &nord,
        "ca",
        &[("service", "10000000-0000-4000-8000-000000000003")],
    )
    .await;
    assert!(references(&filtered).is_empty());

    // Redirecting with a reason moves the dossier out of the agent's reach.
    let no_reason = act(
        &app,
        &nord,
        "ca",
        &in_nord,
        &[
            ("action", "redirect"),
            ("service", "10000000-0000-4000-8000-000000000003"),
        ],
    )
    .await;
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    let moved = act(
        &app,
        &nord,
        "ca",
        &in_nord,
        &[
            ("action", "redirect"),
            ("service", "10000000-0000-4000-8000-000000000003"),
            ("reason", "Rue côté sud"),
        ],
    )
    .await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert!(references(&list(&app, &nord, "ca", &[]).await).is_empty());
    let history = dossier(&app, &chef, "ca", &in_nord)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let last = history["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["who"], "nord@ca.test");
    assert!(last["what"].as_str().unwrap().contains("Rue côté sud"));
}

#[tokio::test]
async fn transitions_follow_the_workflow_run_their_actions_once_and_a_complement_round_trips() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Dupont", "44800").await;
    // The verification mail, then the acknowledgement.
    let mails_before = app.smtp.wait_for("usager@example.org", 2).await.len();

    // Accepting straight from "Reçu" is not in the workflow.
    let skipped = transition(&app, &nord, "ca", &reference, "t5").await;
    assert_eq!(skipped.status(), StatusCode::CONFLICT);
    // The same request sent twice: one status change, one mail.
    let request_id = uuid::Uuid::new_v4().to_string();
    for _ in 0..2 {
        let response = act(
            &app,
            &nord,
            "ca",
            &reference,
            &[
                ("action", "transition"),
                ("transition", "t1"),
                ("request_id", &request_id),
                ("comment", "Nous regardons."),
            ],
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let mails = app
        .smtp
        .wait_for("usager@example.org", mails_before + 1)
        .await;
    assert!(mails.last().unwrap().body.contains("Nous regardons."));
    assert_eq!(
        app.count("tenant_ca.dossier_events WHERE kind = 'status'")
            .await,
        1
    );

    // A complement request reopens the dossier to the citizen, who answers it.
    let asked = act(
        &app,
        &nord,
        "ca",
        &reference,
        &[
            ("action", "transition"),
            ("transition", "t3"),
            ("request_id", &uuid::Uuid::new_v4().to_string()),
            ("comment", "Précisez le numéro de la rue."),
        ],
    )
    .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let mail = app
        .smtp
        .wait_for("usager@example.org", mails_before + 2)
        .await
        .pop()
        .unwrap();
    assert!(mail.body.contains("Précisez le numéro de la rue."));
    let page = app
        .get(&citizen, "ca", &format!("/mes-demandes/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Précisez le numéro de la rue."));
    let opened = citizen
        .post(app.url("ca", &format!("/mes-demandes/{reference}/complement")))
        .send()
        .await
        .unwrap();
    let draft_url = location(&opened);
    let key = draft_url
        .trim_start_matches("/brouillons/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned();
    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("courriel", "usager@example.org"),
            ("code_postal", "44800"),
            ("objet", "Nid de poule devant le 12 rue des Écoles"),
        ],
        vec![],
    )
    .await;
    let sent = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    assert_eq!(location(&sent), format!("/mes-demandes/{reference}"));
    let back = dossier(&app, &nord, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(back["status"], "en_instruction");
    assert_eq!(back["complement_open"], false);
    assert!(back["answers"].to_string().contains("12 rue des Écoles"));
    // Only one dossier: the complement did not file a new one.
    assert_eq!(app.count("tenant_ca.dossiers").await, 1);
    // A second send of the same complement is refused, nothing changes.
    let again = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    assert_eq!(location(&again), format!("/mes-demandes/{reference}"));

    // Notes and messages: the citizen reads what is meant for them only.
    for (visibility, body) in [
        ("service", "Voir avec l'équipe nord"),
        ("personal", "Rappeler lundi"),
        ("citizen", "Intervention prévue la semaine prochaine"),
    ] {
        let added = act(
            &app,
            &nord,
            "ca",
            &reference,
            &[
                ("action", "note"),
                ("visibility", visibility),
                ("body", body),
            ],
        )
        .await;
        assert_eq!(added.status(), StatusCode::OK);
    }
    let blank = act(
        &app,
        &nord,
        "ca",
        &reference,
        &[
            ("action", "note"),
            ("visibility", "service"),
            ("body", "  "),
        ],
    )
    .await;
    assert_eq!(blank.status(), StatusCode::BAD_REQUEST);
    let sent = act(
        &app,
        &nord,
        "ca",
        &reference,
        &[
            ("action", "message"),
            ("body", "Pouvez-vous joindre une photo ?"),
        ],
    )
    .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let replied = citizen
        .post(app.url("ca", &format!("/mes-demandes/{reference}/messages")))
        .form(&[("body", "Je passe en mairie demain.")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&replied),
        format!("/mes-demandes/{reference}#messages")
    );
    app.smtp.wait_for("nord@ca.test", 2).await;
    let page = app
        .get(&citizen, "ca", &format!("/mes-demandes/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Intervention prévue")
            && page.contains("Pouvez-vous joindre")
            && page.contains("Je passe en mairie")
    );
    assert!(!page.contains("Voir avec l'équipe") && !page.contains("Rappeler lundi"));

    // Accepting is terminal: no transition is left, deadlines stop.
    let accepted = transition(&app, &nord, "ca", &reference, "t5").await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let done = dossier(&app, &nord, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(done["transitions"].as_array().unwrap().len(), 0);
    assert_eq!(done["sla"], "none");
}

#[tokio::test]
async fn a_lock_makes_the_dossier_read_only_for_others_and_stale_edits_are_refused() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let a = agent(&app, &c, "ca", "alice@ca.test").await;
    let b = agent(&app, &c, "ca", "bruno@ca.test").await;
    app.grant("ca", "alice@ca.test", Some("Voirie"), "gestion")
        .await;
    app.grant("ca", "bruno@ca.test", Some("Voirie"), "modification")
        .await;
    let citizen = app.client();
    let reference = file(&app, &citizen, "ca", &c, "Dupont", "75001").await;

    assert_eq!(
        act(&app, &a, "ca", &reference, &[("action", "lock")])
            .await
            .status(),
        StatusCode::OK
    );
    let blocked = act(&app, &b, "ca", &reference, &[("action", "take")]).await;
    assert_eq!(blocked.status(), StatusCode::CONFLICT);
    assert!(error_message(blocked).await.contains("alice@ca.test"));
    let seen = dossier(&app, &b, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["locked_by_other"], "alice@ca.test");
    assert_eq!(
        act(&app, &a, "ca", &reference, &[("action", "unlock")])
            .await
            .status(),
        StatusCode::OK
    );

    // Both open the page at the same revision; the second edit does not overwrite the first.
    let revision = seen["revision"].as_i64().unwrap().to_string();
    let edit = |client: &reqwest::Client, value: &'static str| {
        let revision = revision.clone();
        let reference = reference.clone();
        let client = client.clone();
        let app = &app;
        async move {
            app.post(
                &client,
                "ca",
                "backoffice/edit_answer",
                &[
                    ("reference", &reference),
                    ("code", "objet"),
                    ("value", value),
                    ("revision", &revision),
                ],
            )
            .await
        }
    };
    assert_eq!(
        edit(&a, "Trou rue des Lilas").await.status(),
        StatusCode::OK
    );
    let stale = edit(&b, "Lampadaire éteint").await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let page = dossier(&app, &b, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(page["answers"].to_string().contains("Trou rue des Lilas"));
    let history = page["history"].to_string();
    assert!(history.contains("Réponse corrigée"));
    // An invalid value is refused with the field's own message; nothing changes.
    let current = page["revision"].as_i64().unwrap().to_string();
    let invalid = app
        .post(
            &a,
            "ca",
            "backoffice/edit_answer",
            &[
                ("reference", &reference),
                ("code", "courriel"),
                ("value", "pas-un-courriel"),
                ("revision", &current),
            ],
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);

    // Assigning to someone else takes the management right; taking charge does not.
    assert_eq!(
        act(&app, &b, "ca", &reference, &[("action", "take")])
            .await
            .status(),
        StatusCode::OK
    );
    let alice = app
        .count("tenant_ca.users WHERE email = 'alice@ca.test'")
        .await;
    assert_eq!(alice, 1);
}

#[tokio::test]
async fn back_office_endpoints_of_one_tenant_never_reach_another() {
    let app = spawn_app().await;
    let ca = commune(&app, "ca").await;
    let cb = commune(&app, "cb").await;
    let agent_a = agent(&app, &ca, "ca", "agent@ca.test").await;
    let agent_b = agent(&app, &cb, "cb", "agent@cb.test").await;
    app.grant("ca", "agent@ca.test", Some("Voirie"), "gestion")
        .await;
    app.grant("cb", "agent@cb.test", Some("Voirie"), "gestion")
        .await;
    let citizen = app.client_for(&["ca", "cb"]);
    let reference = file(&app, &citizen, "ca", &ca, "Dupont", "44800").await;

    assert_eq!(
        references(&list(&app, &agent_a, "ca", &[]).await),
        vec![reference.clone()]
    );
    assert!(references(&list(&app, &agent_b, "cb", &[]).await).is_empty());
    assert_eq!(
        dossier(&app, &agent_b, "cb", &reference).await.status(),
        StatusCode::NOT_FOUND
    );
    let taken = act(&app, &agent_b, "cb", &reference, &[("action", "take")]).await;
    assert_eq!(taken.status(), StatusCode::NOT_FOUND);
    let export = csv(&app, &agent_b, "cb", "").await.text().await.unwrap();
    assert!(!export.contains(&reference));
    assert_eq!(
        first_counters(&app, &agent_b, "cb").await.unwrap()["new"],
        0
    );
    // A's session cookie is worthless at B.
    assert_eq!(
        first_counters(&app, &agent_a, "cb").await,
        Err(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        csv(&app, &agent_a, "cb", "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("tenant_cb.dossier_events").await, 0);
}

#[tokio::test]
async fn agents_get_one_daily_digest_of_their_urgent_and_late_dossiers() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    let citizen = app.client();
    let urgent = file(&app, &citizen, "ca", &c, "Dupont", "44800").await;
    let late = file(&app, &citizen, "ca", &c, "Martin", "44800").await;
    let calm = file(&app, &citizen, "ca", &c, "Durand", "44800").await;
    for reference in [&urgent, &late, &calm] {
        assert_eq!(
            act(&app, &nord, "ca", reference, &[("action", "take")])
                .await
                .status(),
            StatusCode::OK
        );
    }
    app.sql(&format!(
        "UPDATE tenant_ca.dossiers SET due_on = current_date + 2, alert_on = current_date WHERE reference = '{urgent}';
         UPDATE tenant_ca.dossiers SET due_on = current_date - 1, alert_on = current_date - 4 WHERE reference = '{late}'"
    ))
    .await;

    let report = guichet_server::jobs::digest::run_all(&app.state, Some("ca"))
        .await
        .unwrap();
    assert_eq!(report, vec![("ca".to_owned(), 1)]);
    let mail = app.smtp.wait_for("nord@ca.test", 2).await.pop().unwrap();
    assert!(mail.subject.contains("2 dossiers"));
    assert!(
        mail.body.contains(&format!("{urgent} (Dupont)")) && mail.body.contains("urgent"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains(&format!("{late} (Martin)")) && mail.body.contains("en retard"));
    assert!(!mail.body.contains(&calm));
    // Once a day, whoever runs it again.
    let again = guichet_server::jobs::digest::run_all(&app.state, Some("ca"))
        .await
        .unwrap();
    assert_eq!(again, vec![("ca".to_owned(), 0)]);
    let counters = first_counters(&app, &nord, "ca").await.unwrap();
    assert_eq!(
        (
            counters["urgent"].as_u64(),
            counters["late"].as_u64(),
            counters["mine"].as_u64()
        ),
        (Some(1), Some(1), Some(3))
    );
}

#[tokio::test]
async fn an_agent_registers_a_dossier_for_a_citizen_at_the_counter_and_delegates_act_on_behalf() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    let renfort = agent(&app, &c, "ca", "renfort@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "habitant@example.org").await;

    let refused = app
        .post(
            &nord,
            "ca",
            "backoffice/register",
            &[("demarche", &c.demarche), ("channel", "courrier")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let by_citizen = app
        .post(
            &citizen,
            "ca",
            "backoffice/register",
            &[("demarche", &c.demarche), ("channel", "guichet")],
        )
        .await;
    assert_eq!(by_citizen.status(), StatusCode::FORBIDDEN);
    let started = app
        .post(
            &nord,
            "ca",
            "backoffice/register",
            &[
                ("demarche", &c.demarche),
                ("channel", "guichet"),
                ("email", "Habitant@Example.org"),
            ],
        )
        .await;
    assert_eq!(started.status(), StatusCode::OK);
    let url: String = started.json().await.unwrap();
    let key = url
        .trim_start_matches("/brouillons/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .to_owned();
    post_step(
        &app,
        &nord,
        "ca",
        &key,
        0,
        &[
            ("nom", "Habitant"),
            ("courriel", "habitant@example.org"),
            ("code_postal", "44800"),
            ("objet", "Lampadaire éteint"),
        ],
        vec![],
    )
    .await;
    let filed = app
        .post(&nord, "ca", "portal/submit", &[("key", &key)])
        .await;
    let to = location(&filed);
    let reference = to
        .strip_prefix("/back-office/dossiers/")
        .expect("the agent lands on the dossier")
        .to_owned();
    let page = dossier(&app, &nord, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(page["channel"], "guichet");
    assert_eq!(page["history"][0]["who"], "nord@ca.test");
    // The citizen owns it: it is in their "Mes demandes", and they were told.
    let mine = app
        .post(&citizen, "ca", "portal/my_dossiers", &[])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(mine[0]["reference"], reference.as_str());
    let mail = app
        .smtp
        .wait_for("habitant@example.org", 2)
        .await
        .pop()
        .unwrap();
    assert!(mail.subject.contains(&reference));

    // Nord is away: Renfort acts on Nord's dossiers, recorded as on Nord's behalf.
    let me = act(&app, &nord, "ca", &reference, &[("action", "take")]).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        dossier(&app, &renfort, "ca", &reference).await.status(),
        StatusCode::NOT_FOUND
    );
    app.sql(
        "INSERT INTO tenant_ca.delegations (id, from_user, to_user, starts_on, ends_on)
         SELECT gen_random_uuid(), f.id, t.id, current_date, current_date + 7
         FROM tenant_ca.users f, tenant_ca.users t WHERE f.email = 'nord@ca.test' AND t.email = 'renfort@ca.test'",
    )
    .await;
    let noted = act(
        &app,
        &renfort,
        "ca",
        &reference,
        &[
            ("action", "note"),
            ("visibility", "service"),
            ("body", "Vu pendant l'absence de Nord"),
        ],
    )
    .await;
    assert_eq!(noted.status(), StatusCode::OK);
    let page = dossier(&app, &renfort, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let last = page["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["who"], "renfort@ca.test");
    assert_eq!(last["on_behalf_of"], "nord@ca.test");
}

#[tokio::test]
async fn saved_searches_are_personal_or_shared_with_a_service_its_manager_chooses() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    let chef = agent(&app, &c, "ca", "chef@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    app.grant("ca", "chef@ca.test", Some("Voirie"), "gestion")
        .await;
    let save = |client: &reqwest::Client, name: &'static str, service: &'static str| {
        let client = client.clone();
        let app = &app;
        async move {
            client
                .post(app.url("ca", "/api/backoffice/save_search"))
                .form(&[
                    ("name", name),
                    ("filter[statut]", "recu"),
                    ("filter[delai]", "urgent"),
                    ("service", service),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    const NORD: &str = "10000000-0000-4000-8000-000000000002";
    assert_eq!(save(&nord, "", "").await.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        save(&nord, "Mes urgents", "").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        save(&nord, "Urgents du pôle", NORD).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save(&chef, "Urgents du pôle", NORD).await.status(),
        StatusCode::OK
    );
    let saved = list(&app, &nord, "ca", &[]).await["options"]["saved"].clone();
    let names: Vec<&str> = saved
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Mes urgents", "Urgents du pôle"]);
    assert_eq!(saved[0]["query"], "statut=recu&delai=urgent");
    // The chef does not see Nord's personal search.
    let theirs = list(&app, &chef, "ca", &[]).await["options"]["saved"].clone();
    assert_eq!(theirs.as_array().unwrap().len(), 1);
}

async fn quick_search(app: &TestApp, client: &reqwest::Client, slug: &str, q: &str) -> Vec<String> {
    let response = app
        .post(client, slug, "backoffice/search", &[("q", q)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let lines: Value = response.json().await.unwrap();
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reference"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn quick_search_finds_a_typo_within_the_agents_rights_only() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let nord = agent(&app, &c, "ca", "nord@ca.test").await;
    let sud = agent(&app, &c, "ca", "sud@ca.test").await;
    app.grant("ca", "nord@ca.test", Some("Nord"), "modification")
        .await;
    app.grant("ca", "sud@ca.test", Some("Sud"), "modification")
        .await;
    let citizen = app.client();
    let reference = file(&app, &citizen, "ca", &c, "Dupont", "44800").await;
    let empty = app
        .post(&nord, "ca", "backoffice/search", &[("q", " ")])
        .await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);

    // Indexing follows the change within about a second; a bounded poll, not a sleep.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let found = loop {
        let found = quick_search(&app, &nord, "ca", "dupon").await;
        if !found.is_empty() || tokio::time::Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(found, vec![reference.clone()]);
    assert_eq!(
        quick_search(&app, &nord, "ca", &reference).await,
        vec![reference.clone()]
    );
    assert!(quick_search(&app, &sud, "ca", "dupon").await.is_empty());
    let anonymous = app
        .post(&citizen, "ca", "backoffice/search", &[("q", "dupon")])
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refused_piece_needs_a_reason_which_the_citizen_reads() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let demarche = publish_with(
        &app,
        &admin,
        "ca",
        None,
        &crate::dossiers::permit_document("identified_only", None),
    )
    .await;
    let citizen = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let key = start(&app, &citizen, "ca", &demarche, true).await;
    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        0,
        &[("nom", "Dupont"), ("entreprise", "non")],
        vec![],
    )
    .await;
    post_step(
        &app,
        &citizen,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", crate::dossiers::PDF)],
    )
    .await;
    let filed = app
        .post(&citizen, "ca", "portal/submit", &[("key", &key)])
        .await;
    let reference = location(&filed)
        .trim_start_matches("/mes-demandes/")
        .to_owned();
    let page = dossier(&app, &admin, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let piece = page["pieces"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(page["pieces"][0]["review"], "pending");

    let no_reason = act(
        &app,
        &admin,
        "ca",
        &reference,
        &[
            ("action", "piece"),
            ("piece", &piece),
            ("review", "refused"),
        ],
    )
    .await;
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    let unknown = act(
        &app,
        &admin,
        "ca",
        &reference,
        &[
            ("action", "piece"),
            ("piece", &uuid::Uuid::new_v4().to_string()),
            ("review", "valid"),
        ],
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let refused = act(
        &app,
        &admin,
        "ca",
        &reference,
        &[
            ("action", "piece"),
            ("piece", &piece),
            ("review", "refused"),
            ("reason", "Plan illisible, merci d'en joindre un net."),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::OK);
    let page = app
        .get(&citizen, "ca", &format!("/mes-demandes/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Plan illisible"));
    // The agent reads the piece; a download by its id works for them, not for another citizen.
    let bytes = app.get(&admin, "ca", &format!("/pieces/{piece}")).await;
    assert_eq!(bytes.status(), StatusCode::OK);
    let stranger = signed_in_citizen(&app, "ca", "autre@example.org").await;
    let denied = app.get(&stranger, "ca", &format!("/pieces/{piece}")).await;
    assert_eq!(denied.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_dossiers_mails_and_their_status_are_shown_to_its_agents_and_admins_resend_failures() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let chef = agent(&app, &c, "ca", "chef@ca.test").await;
    app.grant("ca", "chef@ca.test", Some("Voirie"), "gestion")
        .await;
    let citizen = app.client();
    let reference = file(&app, &citizen, "ca", &c, "Dupont", "75001").await;
    let ack = app.smtp.wait_for("usager@example.org", 1).await.remove(0);
    let (mail_id, message_id) = (
        app.text(&format!(
            "SELECT m.id FROM tenant_ca.mail_outbox m JOIN tenant_ca.dossiers d ON d.id = m.dossier_id
             WHERE d.reference = '{reference}'"
        ))
        .await,
        app.text("SELECT message_id FROM tenant_ca.mail_outbox WHERE recipient = 'usager@example.org'")
            .await,
    );
    assert_eq!(ack.message_id, message_id);

    // Sent: shown with its date on the dossier page (data and rendered HTML).
    let page = dossier(&app, &chef, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let mails = page["mails"].as_array().unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["recipient"], "usager@example.org");
    assert_eq!(mails[0]["status"], "Sent");
    assert!(
        mails[0]["state"]
            .as_str()
            .unwrap()
            .starts_with("Envoyé le ")
    );

    // The server gave up on it: the page says why.
    app.sql(&format!(
        "UPDATE tenant_ca.mail_outbox SET status = 'failed', attempts = 8,
             last_error = '550 5.1.1 Boîte aux lettres inconnue' WHERE id = '{mail_id}'"
    ))
    .await;
    let html = app
        .get(&chef, "ca", &format!("/back-office/dossiers/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("data-mail=\"{mail_id}\" data-status=\"failed\"")),
        "the row is rendered in the dossier page's Courriels section"
    );
    assert!(
        html.contains("Échec : 550 5.1.1 Boîte aux lettres inconnue"),
        "failure reason on the dossier page"
    );

    // The admin page: filtered by status, with the failure and a button to send it again.
    let admin = &c.admin;
    let failed = app
        .get(admin, "ca", "/administration/courriels?statut=echec")
        .await;
    assert_eq!(failed.status(), StatusCode::OK);
    let html = failed.text().await.unwrap();
    assert!(html.contains("Échec : 550 5.1.1") && html.contains(&reference));
    assert!(html.contains("Renvoyer"));
    let listed = app
        .post(admin, "ca", "mail/outbox", &[("status", "envoye")])
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        listed["mails"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["status"] == "Sent" && m["id"] != mail_id.as_str()),
        "the sent filter leaves the failed mail out"
    );
    // Agents are not admins.
    assert_eq!(
        app.post(&chef, "ca", "mail/resend", &[("id", &mail_id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Another commune's admin can neither see nor re-send it.
    app.create_tenant("cb", "Commune B").await;
    let other = app.admin("cb").await;
    let theirs = app
        .post(&other, "cb", "mail/outbox", &[("status", "")])
        .await
        .json::<Value>()
        .await
        .unwrap();
    let ids: Vec<&str> = theirs["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty() && !ids.contains(&mail_id.as_str()));
    let html = app
        .get(&other, "cb", "/administration/courriels")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&mail_id) && !html.contains("usager@example.org"));
    let refused = app
        .post(&other, "cb", "mail/resend", &[("id", &mail_id)])
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.text(&format!(
            "SELECT status FROM tenant_ca.mail_outbox WHERE id = '{mail_id}'"
        ))
        .await,
        "failed"
    );

    // Renvoyer: queued again with the same Message-ID, attempts start over; the worker sends it.
    let resent = app
        .post(admin, "ca", "mail/resend", &[("id", &mail_id)])
        .await;
    assert_eq!(resent.status(), StatusCode::OK);
    let again = app.smtp.wait_for("usager@example.org", 2).await;
    assert_eq!(again[1].message_id, message_id);
    // The row is marked sent just after the server's 250.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let state = app
            .text(&format!(
                "SELECT status || ' ' || attempts FROM tenant_ca.mail_outbox WHERE id = '{mail_id}'"
            ))
            .await;
        if state == "sent 1" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {state}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Only a failed mail can be sent again.
    assert_eq!(
        app.post(admin, "ca", "mail/resend", &[("id", &mail_id)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

/// The text of a page without Leptos' hydration markers between adjacent texts.
pub(crate) fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out.replace("<!>", "")
}

/// The HTML of `path` at `ca`, as `client`'s browser gets it.
async fn html(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = app.get(client, "ca", path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    visible(&response.text().await.unwrap())
}

/// A permit dossier filed at `ca` with its plan (a PDF), by `citizen` (signed in) or
/// anonymously (`None`): its reference, the page the citizen follows it on, and the plan's id.
async fn permit_with_plan(
    app: &TestApp,
    admin: &reqwest::Client,
    citizen: Option<&reqwest::Client>,
) -> (String, String, String) {
    let audience = if citizen.is_some() {
        "identified_only"
    } else {
        "anonymous_allowed"
    };
    let demarche = publish_with(
        app,
        admin,
        "ca",
        None,
        &crate::dossiers::permit_document(audience, None),
    )
    .await;
    let visitor = app.client();
    let client = citizen.unwrap_or(&visitor);
    let key = start(app, client, "ca", &demarche, true).await;
    post_step(
        app,
        client,
        "ca",
        &key,
        0,
        &[
            ("nom", "Dupont"),
            ("courriel", "anonyme@example.org"),
            ("entreprise", "non"),
        ],
        vec![],
    )
    .await;
    post_step(
        app,
        client,
        "ca",
        &key,
        1,
        &[],
        vec![("plan", "plan.pdf", crate::dossiers::PDF)],
    )
    .await;
    let filed = app
        .post(client, "ca", "portal/submit", &[("key", &key)])
        .await;
    let page = location(&filed);
    let reference = app
        .text(&format!(
            "SELECT d.reference FROM tenant_ca.dossiers d JOIN tenant_ca.dossier_drafts dr ON dr.dossier_id = d.id
             WHERE dr.key = '{key}'"
        ))
        .await;
    let piece = app
        .text(&format!(
            "SELECT a.id FROM tenant_ca.attachments a JOIN tenant_ca.dossiers d ON d.id = a.dossier_id
             WHERE d.reference = '{reference}'"
        ))
        .await;
    (reference, page, piece)
}

/// Waits (up to 20 s) for a mail to `address` whose subject contains `subject`.
async fn mail_about(app: &TestApp, address: &str, subject: &str) -> Mail {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(mail) = app
            .smtp
            .to(address)
            .into_iter()
            .find(|m| m.subject.contains(subject))
        {
            return mail;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail « {subject} » to {address}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Posts the dossier page's replacement form for `piece`, as a browser without script does.
async fn replace(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    page: &str,
    piece: &str,
    file: Option<(&str, Vec<u8>)>,
) -> reqwest::Response {
    let part = match file {
        Some((name, bytes)) => Part::bytes(bytes).file_name(name.to_owned()),
        // A file input left empty still sends its part, nameless and empty.
        None => Part::bytes(Vec::new()).file_name(""),
    };
    client
        .post(app.url(slug, &format!("{page}/pieces/{piece}")))
        .multipart(Form::new().part("fichier", part))
        .send()
        .await
        .unwrap()
}

async fn review(
    app: &TestApp,
    agent: &reqwest::Client,
    reference: &str,
    piece: &str,
    state: &str,
    reason: &str,
) -> reqwest::Response {
    act(
        app,
        agent,
        "ca",
        reference,
        &[
            ("action", "piece"),
            ("piece", piece),
            ("review", state),
            ("reason", reason),
        ],
    )
    .await
}

#[tokio::test]
async fn the_piece_selector_shows_the_pieces_real_state_and_the_channel_reads_in_french() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let citizen = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let (reference, _, piece) = permit_with_plan(&app, &admin, Some(&citizen)).await;

    let page = html(&app, &admin, &format!("/back-office/dossiers/{reference}")).await;

    let select = page
        .split(&format!("id=\"review-{piece}\""))
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .expect("the piece's state selector");
    let selected: Vec<&str> = select
        .split("<option")
        .filter(|option| option.contains("selected"))
        .collect();
    assert_eq!(selected.len(), 1, "one current state: {select}");
    assert!(selected[0].contains("value=\"pending\""), "{select}");
    let submitted = page
        .split("data-testid=\"agent-submitted\"")
        .nth(1)
        .and_then(|rest| rest.split("</dd>").next())
        .expect("the submission line");
    assert!(submitted.contains("(en ligne)"), "{submitted}");
    assert!(!page.contains("portal)"));
    let json = dossier(&app, &admin, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(json["channel"], "portal", "the code stays machine-readable");
    assert_eq!(json["channel_label"], "en ligne");

    // Once refused, the selector shows "Refusée" and keeps the reason.
    let refused = review(&app, &admin, &reference, &piece, "refused", "Plan flou").await;
    assert_eq!(refused.status(), StatusCode::OK);
    let page = html(&app, &admin, &format!("/back-office/dossiers/{reference}")).await;
    let select = page
        .split(&format!("id=\"review-{piece}\""))
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap();
    let selected: Vec<&str> = select
        .split("<option")
        .filter(|option| option.contains("selected"))
        .collect();
    assert_eq!(selected.len(), 1, "{select}");
    assert!(selected[0].contains("value=\"refused\""), "{select}");
}

#[tokio::test]
async fn a_refused_piece_is_mailed_to_its_citizen_who_replaces_it_and_the_service_is_told() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let citizen = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let (reference, page, piece) = permit_with_plan(&app, &admin, Some(&citizen)).await;
    assert_eq!(page, format!("/mes-demandes/{reference}"));

    // The agent refuses the plan: the citizen is mailed what, why, and where to replace it.
    let refused = review(
        &app,
        &admin,
        &reference,
        &piece,
        "refused",
        "Plan illisible, merci d'en joindre un net.",
    )
    .await;
    assert_eq!(refused.status(), StatusCode::OK);
    let mail = mail_about(
        &app,
        "paul@example.org",
        &format!("Une pièce de votre dossier {reference} a été refusée"),
    )
    .await;
    assert!(mail.body.contains("« plan.pdf » (Plan)"), "{}", mail.body);
    assert!(
        mail.body
            .contains("Plan illisible, merci d'en joindre un net.")
    );
    assert!(mail.link(&page).ends_with(&page));
    // Saving the same refusal again does not mail twice (queued with the review, or not at all).
    let queued = "SELECT count(*) FROM tenant_ca.mail_outbox WHERE recipient = 'paul@example.org'";
    let before = app.text(queued).await;
    let again = review(
        &app,
        &admin,
        &reference,
        &piece,
        "refused",
        "Plan illisible, merci d'en joindre un net.",
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(app.text(queued).await, before);

    // The citizen's page shows the reason and a plain form to replace the piece.
    let citizen_page = html(&app, &citizen, &page).await;
    assert!(citizen_page.contains("Plan illisible"));
    assert!(citizen_page.contains(&format!("action=\"{page}/pieces/{piece}\"")));
    assert!(citizen_page.contains("multipart/form-data"));

    // A file that the plan's field would not have taken is refused the same way, beside it.
    let wrong = replace(
        &app,
        &citizen,
        "ca",
        &page,
        &piece,
        Some(("plan.png", PNG.to_vec())),
    )
    .await;
    assert_eq!(
        location(&wrong),
        format!("{page}?piece={piece}&erreur=type#piece-{piece}")
    );
    let shown = html(&app, &citizen, &format!("{page}?piece={piece}&erreur=type")).await;
    assert!(shown.contains("type accepté pour cette pièce. Types acceptés : application/pdf."));
    assert!(shown.contains("aria-invalid=\"true\""));
    let mut large = crate::dossiers::PDF.to_vec();
    large.resize(1001, b' ');
    let too_large = replace(
        &app,
        &citizen,
        "ca",
        &page,
        &piece,
        Some(("plan.pdf", large)),
    )
    .await;
    assert!(location(&too_large).contains("erreur=taille"));
    let missing = replace(&app, &citizen, "ca", &page, &piece, None).await;
    assert!(location(&missing).contains("erreur=fichier"));
    assert_eq!(
        app.count("tenant_ca.attachments").await,
        1,
        "nothing refused was stored"
    );

    // A proper PDF replaces it: "à vérifier" again, in the answers, the history, and the
    // service (here its agent with the right) is told.
    let replaced = replace(
        &app,
        &citizen,
        "ca",
        &page,
        &piece,
        Some(("plan-net.pdf", crate::dossiers::PDF.to_vec())),
    )
    .await;
    assert_eq!(
        location(&replaced),
        format!("{page}?piece=remplacee#pieces")
    );
    let shown = html(&app, &citizen, &format!("{page}?piece=remplacee")).await;
    assert!(shown.contains("Votre nouveau fichier a bien été envoyé"));
    assert!(!shown.contains(&format!("{page}/pieces/{piece}")));
    let agent_view = dossier(&app, &admin, "ca", &reference)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let pieces = agent_view["pieces"].as_array().unwrap();
    assert_eq!(pieces.len(), 1, "the current piece only: {pieces:?}");
    assert_eq!(pieces[0]["name"], "plan-net.pdf");
    assert_eq!(pieces[0]["review"], "pending");
    assert_eq!(pieces[0]["replaces"], json!([piece, "plan.pdf"]));
    let new_piece = pieces[0]["id"].as_str().unwrap().to_owned();
    let answer_files = agent_view["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"] == "Plan")
        .unwrap()["files"]
        .clone();
    assert_eq!(answer_files, json!([[new_piece, "plan-net.pdf"]]));
    let history = agent_view["history"].to_string();
    assert!(
        history.contains(
            "Pièce refusée remplacée par l'usager — « plan.pdf » remplacée par « plan-net.pdf »"
        ),
        "{history}"
    );
    let told = mail_about(
        &app,
        "admin@ca.test",
        &format!("Pièce remplacée sur le dossier {reference}"),
    )
    .await;
    assert!(told.body.contains("plan-net.pdf"));
    assert!(told.link("/back-office/dossiers/").ends_with(&reference));
    // Both files stay readable: the new one by its citizen, the old one by the agent.
    for (client, id) in [(&citizen, &new_piece), (&admin, &piece)] {
        let file = app.get(client, "ca", &format!("/pieces/{id}")).await;
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.bytes().await.unwrap().as_ref(), crate::dossiers::PDF);
    }

    // Neither the replaced piece nor a piece waiting for review can be replaced.
    for id in [&piece, &new_piece] {
        let refused = replace(
            &app,
            &citizen,
            "ca",
            &page,
            id,
            Some(("plan.pdf", crate::dossiers::PDF.to_vec())),
        )
        .await;
        assert_eq!(refused.status(), StatusCode::CONFLICT);
    }
    // The replaced piece is history: the agents review the current one.
    let stale = review(&app, &admin, &reference, &piece, "valid", "").await;
    assert_eq!(stale.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_the_dossiers_citizen_in_its_commune_replaces_a_refused_piece_tracked_dossiers_included()
 {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin = app.admin("ca").await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;
    let owner = signed_in_citizen(&app, "ca", "paul@example.org").await;
    let (reference, page, piece) = permit_with_plan(&app, &admin, Some(&owner)).await;
    let (tracked_ref, tracked_page, tracked_piece) = permit_with_plan(&app, &admin, None).await;
    assert!(tracked_page.starts_with("/suivi/"));
    for (r, p) in [(&reference, &piece), (&tracked_ref, &tracked_piece)] {
        let refused = review(&app, &admin, r, p, "refused", "Illisible").await;
        assert_eq!(refused.status(), StatusCode::OK);
    }
    let pdf = || Some(("plan.pdf", crate::dossiers::PDF.to_vec()));

    // Another citizen, nobody, and another commune (even holding the tracking link) get nothing.
    let stranger = signed_in_citizen(&app, "ca", "autre@example.org").await;
    let denied = replace(&app, &stranger, "ca", &page, &piece, pdf()).await;
    assert_eq!(denied.status(), StatusCode::NOT_FOUND);
    let anonymous = replace(&app, &app.client(), "ca", &page, &piece, pdf()).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let other_commune = signed_in_citizen(&app, "cb", "paul@example.org").await;
    for (client, path, id) in [
        (&other_commune, &page, &piece),
        (&other_commune, &tracked_page, &tracked_piece),
    ] {
        let denied = replace(&app, client, "cb", path, id, pdf()).await;
        assert_eq!(denied.status(), StatusCode::NOT_FOUND);
    }
    // A piece of another dossier through one's own dossier: unknown.
    let crossed = replace(&app, &owner, "ca", &page, &tracked_piece, pdf()).await;
    assert_eq!(crossed.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("tenant_ca.attachments").await, 2);
    assert_eq!(app.count("tenant_cb.attachments").await, 0);

    // The anonymous citizen was mailed the tracking link, and replaces the piece through it.
    let mail = mail_about(
        &app,
        "anonyme@example.org",
        &format!("Une pièce de votre dossier {tracked_ref} a été refusée"),
    )
    .await;
    assert!(mail.link(&tracked_page).ends_with(&tracked_page));
    let replaced = replace(
        &app,
        &app.client(),
        "ca",
        &tracked_page,
        &tracked_piece,
        pdf(),
    )
    .await;
    assert_eq!(
        location(&replaced),
        format!("{tracked_page}?piece=remplacee#pieces")
    );
    let tracked = app
        .post(
            &app.client(),
            "ca",
            "portal/dossier",
            &[("tracking", tracked_page.trim_start_matches("/suivi/"))],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(tracked["refused_pieces"], json!([]));
    assert!(tracked["events"].to_string().contains("Pièce remplacée"));
}
