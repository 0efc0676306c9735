#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Contexts (portal variants): bouquets per context, the context recorded on dossiers and used
//! by routing, static paths that keep winning over `/<code>`, context hosts, deleted contexts
//! falling back with a notice, validation, admin rights and tenant isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossiers::{location, post_step, publish_with};
use crate::helpers::{TestApp, error_message, spawn_app};

/// One step, anonymous allowed: a name and an e-mail.
fn document(title: &str) -> String {
    json!({
        "format": "guichet.demarche",
        "format_version": 1,
        "demarche": { "title": title, "description": format!("À propos de {title}."), "rubrique": "Vie locale",
                      "audience": "anonymous_allowed", "state": "draft" },
        "definition": { "steps": [
            { "code": "vous", "title": "Vous", "fields": [
                { "code": "nom", "label": "Nom", "required": true, "kind": { "short_text": {} } },
                { "code": "courriel", "label": "Courriel", "required": true, "kind": { "email": {} } }
            ] }
        ] }
    })
    .to_string()
}

struct Commune {
    admin: reqwest::Client,
    /// Only in "Entreprises".
    enseigne: String,
    /// In "Familles" and "Entreprises".
    cantine: String,
    /// In no context.
    piscine: String,
}

const ENSEIGNE: &str = "Déclaration d'enseigne";
const CANTINE: &str = "Inscription à la cantine";
const PISCINE: &str = "Carte de piscine";

/// Saves a context as the admin form does (`id` empty: a new one); the bouquet as checkboxes.
async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    fields: &[(&str, &str)],
    demarches: &[&str],
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // Checkboxes of a longer list: indices need not be contiguous.
    for (i, id) in demarches.iter().enumerate() {
        form.push((format!("demarches[{}]", i * 2 + 1), id.to_string()));
    }
    client
        .post(app.url(slug, "/api/contexts/save"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    code: &str,
    name: &str,
    demarches: &[&str],
) -> String {
    let response = save(
        app,
        client,
        slug,
        &[
            ("code", code),
            ("name", name),
            ("welcome_text", &format!("Bienvenue dans l'espace {name}.")),
        ],
        demarches,
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    response
        .json::<Value>()
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// A commune with three published démarches and the contexts Familles (cantine) and
/// Entreprises (enseigne, cantine).
async fn commune(app: &TestApp, slug: &str) -> Commune {
    app.create_tenant(slug, "Commune").await;
    let admin = app.admin(slug).await;
    let enseigne = publish_with(app, &admin, slug, None, &document(ENSEIGNE)).await;
    let cantine = publish_with(app, &admin, slug, None, &document(CANTINE)).await;
    let piscine = publish_with(app, &admin, slug, None, &document(PISCINE)).await;
    create(app, &admin, slug, "familles", "Familles", &[&cantine]).await;
    create(
        app,
        &admin,
        slug,
        "entreprises",
        "Entreprises",
        &[&enseigne, &cantine],
    )
    .await;
    Commune {
        admin,
        enseigne,
        cantine,
        piscine,
    }
}

async fn page(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Starts a draft from a start page's form; returns where it redirects.
async fn start_in(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    demarche: &str,
    context: &str,
) -> String {
    let response = app
        .post(
            client,
            slug,
            "portal/start",
            &[
                ("demarche", demarche),
                ("contexte", context),
                ("fresh", "1"),
            ],
        )
        .await;
    location(&response)
}

/// Files a dossier through `context` ("" for the plain portal); returns its reference.
async fn file(app: &TestApp, slug: &str, demarche: &str, context: &str) -> String {
    let citizen = app.client();
    let to = start_in(app, &citizen, slug, demarche, context).await;
    let key = to
        .strip_prefix("/brouillons/")
        .and_then(|rest| rest.strip_suffix("?etape=1"))
        .unwrap_or_else(|| panic!("not started: {to}"))
        .to_owned();
    post_step(
        app,
        &citizen,
        slug,
        &key,
        0,
        &[("nom", "Dupont"), ("courriel", "usager@example.org")],
        vec![],
    )
    .await;
    let submitted = app
        .post(&citizen, slug, "portal/submit", &[("key", &key)])
        .await;
    location(&submitted);
    let schema = format!("tenant_{slug}");
    app.text(&format!(
        "SELECT d.reference FROM {schema}.dossiers d JOIN {schema}.dossier_drafts dr ON dr.dossier_id = d.id
         WHERE dr.key = '{key}'"
    ))
    .await
}

async fn agent_dossier(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    reference: &str,
) -> Value {
    let response = app
        .post(
            client,
            slug,
            "backoffice/dossier",
            &[("reference", reference)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

fn problems(body: &Value) -> Vec<(String, String)> {
    body["Rejected"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("not rejected: {body}"))
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_demarche_only_in_entreprises_is_offered_there_and_on_the_portal_but_not_in_familles() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let visitor = app.client();

    let (status, familles) = page(&visitor, &app.url("ca", "/familles")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        familles.contains("Bienvenue dans l'espace Familles."),
        "{familles}"
    );
    assert!(familles.contains(CANTINE));
    assert!(!familles.contains("enseigne"), "{familles}");
    assert!(familles.contains(&format!("/demarches/{}?contexte=familles", c.cantine)));
    let (_, entreprises) = page(&visitor, &app.url("ca", "/entreprises")).await;
    assert!(entreprises.contains("enseigne") && entreprises.contains(CANTINE));
    assert!(!entreprises.contains(PISCINE));
    let (_, portal) = page(&visitor, &app.url("ca", "/demarches")).await;
    assert!(portal.contains("enseigne") && portal.contains(CANTINE) && portal.contains(PISCINE));
    let (_, catalogue) = page(&visitor, &app.url("ca", "/demarches?contexte=familles")).await;
    assert!(
        catalogue.contains(CANTINE)
            && !catalogue.contains("enseigne")
            && !catalogue.contains(PISCINE)
    );

    // Not startable in Familles: the page says why and has no start form; nor by a forged post.
    let (status, refused) = page(
        &visitor,
        &app.url(
            "ca",
            &format!("/demarches/{}?contexte=familles", c.enseigne),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        refused.contains("n&#x27;est pas proposée dans l&#x27;espace « Familles »")
            || refused.contains("n'est pas proposée dans l'espace « Familles »"),
        "{refused}"
    );
    assert!(!refused.contains("/api/portal/start"));
    let to = start_in(&app, &visitor, "ca", &c.enseigne, "familles").await;
    assert_eq!(to, format!("/demarches/{}?contexte=familles", c.enseigne));
    assert_eq!(app.count("tenant_ca.dossier_drafts").await, 0);

    // Startable in Entreprises (the form carries the context) and on the plain portal.
    let (_, offered) = page(
        &visitor,
        &app.url(
            "ca",
            &format!("/demarches/{}?contexte=entreprises", c.enseigne),
        ),
    )
    .await;
    assert!(offered.contains("/api/portal/start"));
    assert!(
        offered.contains(r#"name="contexte" value="entreprises""#),
        "{offered}"
    );
    let (_, plain) = page(
        &visitor,
        &app.url("ca", &format!("/demarches/{}", c.enseigne)),
    )
    .await;
    assert!(plain.contains("/api/portal/start") && !plain.contains("contexte"));
    assert!(
        start_in(&app, &visitor, "ca", &c.enseigne, "entreprises")
            .await
            .starts_with("/brouillons/")
    );
    assert!(
        start_in(&app, &visitor, "ca", &c.enseigne, "")
            .await
            .starts_with("/brouillons/")
    );
    assert!(
        start_in(&app, &visitor, "ca", &c.piscine, "")
            .await
            .starts_with("/brouillons/")
    );
}

#[tokio::test]
async fn a_dossier_filed_through_a_context_records_it_is_routed_by_it_and_survives_its_deletion() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.sql(
        "INSERT INTO tenant_ca.services (id, parent_id, name, kind) VALUES
           ('20000000-0000-4000-8000-000000000001', NULL, 'Économie', 'service')",
    )
    .await;
    let mut instruction: Value =
        serde_json::to_value(app::workflow::model::Instruction::default()).unwrap();
    instruction["routing"] = json!({
        "default_service": null,
        "rules": [
            { "field": app::workflow::model::CONTEXT_FIELD, "values": ["entreprises"],
              "service_id": "20000000-0000-4000-8000-000000000001" }
        ],
        "copies": []
    });
    app.sql(&format!(
        "INSERT INTO tenant_ca.demarche_instruction (demarche_id, document) VALUES ('{}', '{}')",
        c.cantine,
        instruction.to_string().replace('\'', "''")
    ))
    .await;
    app.grant("ca", "admin@ca.test", Some("Économie"), "gestion")
        .await;
    app.grant("ca", "admin@ca.test", None, "gestion").await;

    let through_entreprises = file(&app, "ca", &c.cantine, "entreprises").await;
    let through_familles = file(&app, "ca", &c.cantine, "familles").await;
    let plain = file(&app, "ca", &c.cantine, "").await;
    assert_eq!(
        app.text(&format!(
            "SELECT context_code || '/' || context_name FROM tenant_ca.dossiers WHERE reference = '{through_entreprises}'"
        ))
        .await,
        "entreprises/Entreprises"
    );
    let page = agent_dossier(&app, &c.admin, "ca", &through_entreprises).await;
    assert_eq!(page["service"], "Économie");
    assert_eq!(page["context"], "Entreprises");
    let page = agent_dossier(&app, &c.admin, "ca", &through_familles).await;
    assert_eq!(page["service"], "Accueil");
    assert_eq!(page["context"], "Familles");
    let page = agent_dossier(&app, &c.admin, "ca", &plain).await;
    assert_eq!(page["service"], "Accueil");
    assert_eq!(page["context"], Value::Null);
    let export = app
        .get(&c.admin, "ca", "/back-office/dossiers.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        export.lines().next().unwrap().contains("Espace de dépôt"),
        "{export}"
    );
    let line = |reference: &str| {
        export
            .lines()
            .find(|l| l.contains(reference))
            .unwrap()
            .to_owned()
    };
    assert!(
        line(&through_entreprises).ends_with("Entreprises"),
        "{export}"
    );
    assert!(line(&plain).ends_with(';'), "{export}");

    // Deleting needs the confirmation, then keeps the dossiers readable with their context.
    let id = app
        .text("SELECT id FROM tenant_ca.contexts WHERE code = 'entreprises'")
        .await;
    let unconfirmed = app
        .post(&c.admin, "ca", "contexts/delete", &[("id", &id)])
        .await;
    assert_eq!(unconfirmed.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(unconfirmed).await.contains("confirmation"));
    let deleted = app
        .post(
            &c.admin,
            "ca",
            "contexts/delete",
            &[("id", &id), ("confirm", "1")],
        )
        .await;
    assert_eq!(
        deleted.status(),
        StatusCode::OK,
        "{}",
        deleted.text().await.unwrap()
    );
    let page = agent_dossier(&app, &c.admin, "ca", &through_entreprises).await;
    assert_eq!(page["context"], "Entreprises");
    assert_eq!(page["service"], "Économie");

    // Its old links fall back to the plain portal with a notice, never a 404.
    let visitor = app.client();
    let notice =
        "L&#x27;espace « Entreprises » n&#x27;existe plus : voici le portail de la commune.";
    let plain_notice = "L'espace « Entreprises » n'existe plus : voici le portail de la commune.";
    let (status, home) = self::page(&visitor, &app.url("ca", "/entreprises")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains(notice) || home.contains(plain_notice),
        "{home}"
    );
    let (status, start) = self::page(
        &visitor,
        &app.url(
            "ca",
            &format!("/demarches/{}?contexte=entreprises", c.enseigne),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        start.contains(notice) || start.contains(plain_notice),
        "{start}"
    );
    assert!(
        start.contains("/api/portal/start"),
        "the plain portal offers it"
    );
    let (status, catalogue) =
        self::page(&visitor, &app.url("ca", "/demarches?contexte=entreprises")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(catalogue.contains(PISCINE), "the whole catalogue");
    // A started draft of a deleted context goes on through the plain portal.
    assert!(
        start_in(&app, &visitor, "ca", &c.enseigne, "entreprises")
            .await
            .starts_with("/brouillons/")
    );
    // An address that never was a context is still a 404.
    let (status, _) = self::page(&visitor, &app.url("ca", "/jamais-vu")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn static_paths_win_over_contexts_and_context_hosts_open_their_own_tenants_context() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    app.create_tenant("cb", "Autre commune").await;
    let admin_b = app.admin("cb").await;
    let b_demarche = publish_with(&app, &admin_b, "cb", None, &document("Démarche de B")).await;
    create(
        &app,
        &admin_b,
        "cb",
        "familles",
        "Familles de B",
        &[&b_demarche],
    )
    .await;
    let visitor = app.client();

    for (path, marker) in [
        ("/connexion", "name=\"password\""),
        ("/demarches", PISCINE),
        ("/inscription", "name=\"password\""),
    ] {
        let (status, body) = page(&visitor, &app.url("ca", path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains(marker), "{path}: {body}");
        assert!(!body.contains("context-home"), "{path}");
    }
    // The agents' space sends a visitor to sign in (see access.rs), it is no context.
    let (status, _) = page(&visitor, &app.url("ca", "/back-office")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // One-segment paths that are no context stay 404s, at a commune and at the platform; the
    // icon is served (access.rs).
    for url in [
        app.url("ca", "/robots-absent.txt"),
        app.apex_url("/robots-absent.txt"),
    ] {
        let (status, _) = page(&visitor, &url).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
    }

    // Hosts: one per context, each opening its tenant's context.
    let familles_a = a_context(&app, &a.admin, "ca", "familles").await;
    let saved = save(
        &app,
        &a.admin,
        "ca",
        &[
            ("id", &familles_a),
            ("code", "familles"),
            ("name", "Familles"),
            ("host", "familles.ville-a.test"),
            ("primary_color", "#6a1b9a"),
        ],
        &[&a.cantine],
    )
    .await;
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap()
    );
    let familles_b = a_context(&app, &admin_b, "cb", "familles").await;
    let saved = save(
        &app,
        &admin_b,
        "cb",
        &[
            ("id", &familles_b),
            ("code", "familles"),
            ("name", "Familles de B"),
            ("host", "familles.ville-b.test"),
        ],
        &[&b_demarche],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::OK);
    // A host already taken, by the same or another tenant, is refused.
    let taken = save(
        &app,
        &admin_b,
        "cb",
        &[
            ("id", &familles_b),
            ("code", "familles"),
            ("name", "Familles de B"),
            ("host", "familles.ville-a.test"),
        ],
        &[&b_demarche],
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(error_message(taken).await.contains("déjà utilisé"));
    let under_base = save(
        &app,
        &admin_b,
        "cb",
        &[
            ("id", &familles_b),
            ("code", "familles"),
            ("name", "Familles de B"),
            ("host", "familles.localhost"),
        ],
        &[&b_demarche],
    )
    .await;
    assert_eq!(under_base.status(), StatusCode::BAD_REQUEST);
    assert_eq!(problems(&under_base.json().await.unwrap())[0].0, "host");

    let port = app.addr.port();
    let hosts = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve("familles.ville-a.test", app.addr)
        .resolve("familles.ville-b.test", app.addr)
        .build()
        .unwrap();
    let (status, home_a) = page(&hosts, &format!("http://familles.ville-a.test:{port}/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home_a.contains(r#"data-context="familles""#), "{home_a}");
    assert!(
        home_a.contains(CANTINE)
            && !home_a.contains("Démarche de B")
            && !home_a.contains("Familles de B")
    );
    let (_, catalogue_a) = page(
        &hosts,
        &format!("http://familles.ville-a.test:{port}/demarches"),
    )
    .await;
    assert!(
        catalogue_a.contains(CANTINE)
            && !catalogue_a.contains(PISCINE)
            && !catalogue_a.contains("Démarche de B")
    );
    let (_, home_b) = page(&hosts, &format!("http://familles.ville-b.test:{port}/")).await;
    assert!(
        home_b.contains("Familles de B")
            && home_b.contains("Démarche de B")
            && !home_b.contains(CANTINE)
    );
    // Every page of a context's host wears its colours; the commune's host keeps its own.
    let (_, login_a) = page(
        &hosts,
        &format!("http://familles.ville-a.test:{port}/connexion"),
    )
    .await;
    assert!(login_a.contains("--brand-primary: #6a1b9a"), "{login_a}");
    let (_, commune_login) = page(&app.client(), &app.url("ca", "/connexion")).await;
    assert!(!commune_login.contains("#6a1b9a"));
    // Tenant B's démarche is unknown on A's context host.
    let (status, _) = page(
        &hosts,
        &format!("http://familles.ville-a.test:{port}/demarches/{b_demarche}"),
    )
    .await;
    assert_ne!(status, StatusCode::OK);

    // Deleting the context frees its host.
    let deleted = app
        .post(
            &admin_b,
            "cb",
            "contexts/delete",
            &[("id", &familles_b), ("confirm", "1")],
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::OK);
    let (status, _) = page(&hosts, &format!("http://familles.ville-b.test:{port}/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("platform.tenant_hosts WHERE host = 'familles.ville-b.test'")
            .await,
        0
    );
}

/// The id of the context `code`, as its admin lists it.
async fn a_context(app: &TestApp, admin: &reqwest::Client, slug: &str, code: &str) -> String {
    let response = app.post(admin, slug, "contexts/admin", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    page["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap()
}

#[tokio::test]
async fn reserved_codes_illegible_colours_and_taken_codes_are_refused_on_their_fields() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;

    let refused = save(
        &app,
        &c.admin,
        "ca",
        &[
            ("code", "demarches"),
            ("name", ""),
            ("primary_color", "#ffe552"),
            ("secondary_color", "#777777"),
        ],
        &[],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problems = problems(&refused.json().await.unwrap());
    let on = |field: &str| {
        problems
            .iter()
            .find(|(path, _)| path == field)
            .map(|(_, message)| message.clone())
            .unwrap_or_else(|| panic!("no problem on {field}: {problems:?}"))
    };
    assert!(
        on("code").contains("« demarches » est déjà une adresse du portail"),
        "{}",
        on("code")
    );
    assert!(on("name").contains("Indiquez le nom"));
    assert!(on("primary_color").contains("4,5:1") && on("primary_color").contains("Essayez #"));
    assert!(on("secondary_color").contains("Contraste insuffisant"));

    for (code, expected) in [
        ("Mes Familles", "lettres minuscules"),
        ("back-office", "déjà une adresse du portail"),
        ("connexion", "déjà une adresse du portail"),
    ] {
        let refused = save(&app, &c.admin, "ca", &[("code", code), ("name", "X")], &[]).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{code}");
        let problems = self::problems(&refused.json().await.unwrap());
        assert_eq!(problems[0].0, "code");
        assert!(
            problems[0].1.contains(expected),
            "{code}: {}",
            problems[0].1
        );
    }
    let taken = save(
        &app,
        &c.admin,
        "ca",
        &[("code", "familles"), ("name", "Bis")],
        &[],
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(error_message(taken).await.contains("déjà cette adresse"));
    // A legible override is saved and applied on the context's pages.
    let ok = save(
        &app,
        &c.admin,
        "ca",
        &[
            ("code", "associations"),
            ("name", "Associations"),
            ("primary_color", "#1B5E20"),
        ],
        &[&c.piscine],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK, "{}", ok.text().await.unwrap());
    let (_, home) = page(&app.client(), &app.url("ca", "/associations")).await;
    assert!(
        home.contains("html:root { --brand-primary: #1b5e20;"),
        "{home}"
    );
    assert_eq!(app.count("tenant_ca.contexts").await, 3);

    // The admin page lists them with their bouquet as checkboxes, and links them.
    let (status, admin_page) = page(&c.admin, &app.url("ca", "/administration/contextes")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        admin_page.contains("Espaces du portail")
            && admin_page.contains(r#"name="code" type="text" value="associations""#),
        "{admin_page}"
    );
    assert!(
        admin_page.contains(r#"name="demarches[2]""#),
        "{admin_page}"
    );
    let (_, admin_home) = page(&c.admin, &app.url("ca", "/admin/agents")).await;
    assert!(admin_home.contains(r#"href="/administration/contextes""#));
}

#[tokio::test]
async fn contexts_need_an_admin_and_are_unreachable_from_another_tenant() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    let familles = a_context(&app, &a.admin, "ca", "familles").await;
    app.create_tenant("cb", "Autre commune").await;
    let admin_b = app.admin("cb").await;
    let b_demarche = publish_with(&app, &admin_b, "cb", None, &document("Démarche de B")).await;

    // Another tenant's admin sees none of them, and cannot change or delete them by id.
    let listed: Value = app
        .post(&admin_b, "cb", "contexts/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["contexts"].as_array().unwrap().is_empty());
    let forged = save(
        &app,
        &admin_b,
        "cb",
        &[("id", &familles), ("code", "pirate"), ("name", "Pirate")],
        &[],
    )
    .await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    let forged = app
        .post(
            &admin_b,
            "cb",
            "contexts/delete",
            &[("id", &familles), ("confirm", "1")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.text("SELECT name FROM tenant_ca.contexts WHERE code = 'familles'")
            .await,
        "Familles"
    );
    // Nor put its démarches in a bouquet, nor reach A's context at B's portal.
    let foreign = save(
        &app,
        &a.admin,
        "ca",
        &[
            ("id", &familles),
            ("code", "familles"),
            ("name", "Familles"),
        ],
        &[&b_demarche],
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
    let (status, _) = page(&app.client(), &app.url("cb", "/familles")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A's session is worthless at B.
    let at_b = app.post(&a.admin, "cb", "contexts/admin", &[]).await;
    assert_eq!(at_b.status(), StatusCode::UNAUTHORIZED);

    // Agents and managers without the admin role, and visitors, cannot manage contexts.
    for role in ["agent", "manager"] {
        let email = format!("{role}@ca.test");
        let invited = app
            .post(
                &a.admin,
                "ca",
                "admin/invite_agent",
                &[("email", &email), ("display_name", role), ("role", role)],
            )
            .await;
        assert_eq!(invited.status(), StatusCode::OK);
        let agent = app
            .accept_invitation("ca", &email, "Tournesol-Cle-2026")
            .await;
        let listed = app.post(&agent, "ca", "contexts/admin", &[]).await;
        assert_eq!(listed.status(), StatusCode::FORBIDDEN, "{role}");
        let created = save(
            &app,
            &agent,
            "ca",
            &[("code", "pirate"), ("name", "Pirate")],
            &[],
        )
        .await;
        assert_eq!(created.status(), StatusCode::FORBIDDEN, "{role}");
        let deleted = app
            .post(
                &agent,
                "ca",
                "contexts/delete",
                &[("id", &familles), ("confirm", "1")],
            )
            .await;
        assert_eq!(deleted.status(), StatusCode::FORBIDDEN, "{role}");
    }
    let anonymous = save(
        &app,
        &app.client(),
        "ca",
        &[("code", "pirate"), ("name", "Pirate")],
        &[],
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("tenant_ca.contexts").await, 2);
}
