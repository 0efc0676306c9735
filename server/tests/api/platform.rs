#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The platform operator onboards a commune in one step from the console.

use reqwest::StatusCode;

use crate::helpers::{error_field, spawn_app, spawn_app_with_mail_in_files};

async fn operator(app: &crate::helpers::TestApp) -> reqwest::Client {
    app::platform::service::upsert_operator(
        &app.state,
        "op@guichet.test",
        "Opératrice",
        "Plateforme-2026",
    )
    .await
    .unwrap();
    let client = app.client();
    let response = client
        .post(app.apex_url("/api/platform/login"))
        .form(&[
            ("email", "op@guichet.test"),
            ("password", "Plateforme-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    client
}

async fn create(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.apex_url("/api/platform/create_tenant"))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_operator_onboards_a_commune_whose_portal_answers_at_once() {
    let app = spawn_app().await;
    let op = operator(&app).await;

    let response = create(
        &app,
        &op,
        &[
            ("name", "Ville de Nantes"),
            ("slug", "nantes"),
            ("admin_email", "dsi@nantes.fr"),
            ("hosts", "demarches.nantes.fr"),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );

    let home = app
        .client()
        .get(app.url("nantes", "/"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Ville de Nantes"));
    // The custom domain resolves to the same tenant.
    let custom = app
        .client()
        .get(format!("http://127.0.0.1:{}/", app.addr.port()))
        .header("host", "demarches.nantes.fr")
        .send()
        .await
        .unwrap();
    assert!(custom.text().await.unwrap().contains("Ville de Nantes"));

    let invitation = app.smtp.wait_for("dsi@nantes.fr", 1).await.pop().unwrap();
    assert!(
        invitation
            .link("/invitation")
            .starts_with(&app.url("nantes", "/invitation"))
    );
    let admin = app
        .accept_invitation("nantes", "dsi@nantes.fr", "Admin-Nantes-2026")
        .await;
    let users = app.post(&admin, "nantes", "admin/users", &[]).await;
    assert_eq!(users.status(), StatusCode::OK);

    let list: serde_json::Value = op
        .post(app.apex_url("/api/platform/tenants"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["slug"], "nantes");
    assert_eq!(list[0]["hosts"][0], "demarches.nantes.fr");

    // Suspension from the console takes effect at once.
    let suspend = op
        .post(app.apex_url("/api/platform/set_tenant_status"))
        .form(&[("slug", "nantes"), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(suspend.status(), StatusCode::OK);
    assert_eq!(
        app.client()
            .get(app.url("nantes", "/"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
}

/// A submitted form, then the field the error must name and its message.
type Form<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn bad_onboarding_input_gets_a_precise_message_and_creates_nothing() {
    let app = spawn_app().await;
    let op = operator(&app).await;
    app.create_tenant("reze", "Mairie de Rezé").await;
    let taken =
        app::platform::strings::with_suggested_slug(app::platform::strings::SLUG_TAKEN, "reze-bis");

    let cases: [(Form, &str, &str); 7] = [
        (
            &[
                ("name", ""),
                ("slug", "vertou"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", ""),
            ],
            "name",
            "Saisissez le nom de la collectivité.",
        ),
        (
            &[
                ("name", "Vertou"),
                ("slug", "Vertou!"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", ""),
            ],
            "slug",
            "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets. \
             Identifiant proposé d'après le nom : « vertou ».",
        ),
        (
            &[
                ("name", "Vertou"),
                ("slug", "www"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", ""),
            ],
            "slug",
            "L'identifiant « www » est réservé par la plateforme. Identifiant proposé d'après le nom : « vertou ».",
        ),
        (
            &[
                ("name", "Vertou"),
                ("slug", "vertou"),
                ("admin_email", "pas-un-email"),
                ("hosts", ""),
            ],
            "admin_email",
            app::account::strings::EMAIL_MALFORMED,
        ),
        (
            &[
                ("name", "Vertou"),
                ("slug", "vertou"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", "vertou"),
            ],
            "hosts",
            "« vertou » n'est pas un nom de domaine valide (exemple : demarches.ma-commune.fr).",
        ),
        (
            &[
                ("name", "Rezé bis"),
                ("slug", "reze"),
                ("admin_email", "a@reze.fr"),
                ("hosts", ""),
            ],
            "slug",
            taken.as_str(),
        ),
        (
            &[
                ("name", &"V".repeat(101)),
                ("slug", "vertou"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", ""),
            ],
            "name",
            "Le nom de la collectivité ne peut pas dépasser 100 caractères.",
        ),
    ];
    for (form, field, message) in cases {
        let response = create(&app, &op, form).await;
        assert!(
            response.status() == StatusCode::BAD_REQUEST
                || response.status() == StatusCode::CONFLICT
        );
        assert_eq!(
            error_field(response).await,
            (field.to_owned(), message.to_owned())
        );
    }
    assert_eq!(app.count("platform.tenants").await, 1);
    assert_eq!(
        app.count("pg_namespace WHERE nspname LIKE 'tenant_%'")
            .await,
        1
    );

    // A host already given to another commune: the whole creation is rolled back.
    let first = create(
        &app,
        &op,
        &[
            ("name", "Vertou"),
            ("slug", "vertou"),
            ("admin_email", "a@vertou.fr"),
            ("hosts", "demarches.vertou.fr"),
        ],
    )
    .await;
    assert_eq!(first.status(), StatusCode::OK);
    let clash = create(
        &app,
        &op,
        &[
            ("name", "Bouaye"),
            ("slug", "bouaye"),
            ("admin_email", "a@bouaye.fr"),
            ("hosts", "demarches.vertou.fr"),
        ],
    )
    .await;
    assert_eq!(clash.status(), StatusCode::CONFLICT);
    assert_eq!(app.count("platform.tenants WHERE slug = 'bouaye'").await, 0);
    assert_eq!(
        app.count("pg_namespace WHERE nspname = 'tenant_bouaye'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_refused_slug_comes_with_the_one_the_communes_name_suggests() {
    let app = spawn_app().await;
    let op = operator(&app).await;
    let form = |slug: &'static str| {
        [
            ("name", "Saint-Martin des Champs"),
            ("slug", slug),
            ("admin_email", "dgs@saint-martin.fr"),
            ("hosts", ""),
        ]
    };

    for (slug, refusal) in [
        (
            "Saint-Martin des Champs",
            "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets.",
        ),
        (
            "",
            "Saisissez l'identifiant de la collectivité (par exemple « saint-herblain »).",
        ),
        (
            "saint-martin--champs",
            "L'identifiant ne peut pas finir par un tiret ni en contenir deux de suite.",
        ),
    ] {
        let response = create(&app, &op, &form(slug)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error_field(response).await,
            (
                "slug".to_owned(),
                format!(
                    "{refusal} Identifiant proposé d'après le nom : « saint-martin-des-champs »."
                )
            ),
            "{slug:?}"
        );
    }
    assert_eq!(app.count("platform.tenants").await, 0);

    // The suggestion is accepted as it is.
    let created = create(&app, &op, &form("saint-martin-des-champs")).await;
    assert_eq!(created.status(), StatusCode::OK);

    // Taken: the message says so, and proposes nothing it would refuse again.
    let again = create(&app, &op, &form("saint-martin-des-champs")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_field(again).await,
        (
            "slug".to_owned(),
            app::platform::strings::SLUG_TAKEN.to_owned()
        )
    );
}

#[tokio::test]
async fn only_a_signed_in_operator_on_the_apex_host_may_manage_tenants() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let anonymous = app.client();
    let form = [
        ("name", "X"),
        ("slug", "xx"),
        ("admin_email", "a@x.fr"),
        ("hosts", ""),
    ];
    assert_eq!(
        create(&app, &anonymous, &form).await.status(),
        StatusCode::FORBIDDEN
    );

    // Even an operator cannot reach the platform functions through a tenant's host.
    let op = operator(&app).await;
    let via_tenant = op
        .post(app.url("ca", "/api/platform/create_tenant"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(via_tenant.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.count("platform.tenants").await, 1);

    let wrong = app
        .client()
        .post(app.apex_url("/api/platform/login"))
        .form(&[("email", "op@guichet.test"), ("password", "faux-mot-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
}

/// The demo mail page of `slug` (or of the apex host): status and HTML.
async fn demo_mail_page(app: &crate::helpers::TestApp, slug: Option<&str>) -> (StatusCode, String) {
    let path = app::platform::demo_mail::DEMO_MAIL_PATH;
    let url = match slug {
        Some(slug) => app.url(slug, path),
        None => app.apex_url(path),
    };
    let response = app.client().get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn with_mail_in_files_each_commune_lists_its_own_demo_mail_with_working_links() {
    let app = spawn_app_with_mail_in_files().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;

    let (status, page) = demo_mail_page(&app, Some("ca")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("admin@ca.test"), "{page}");
    assert!(
        page.contains("Commune A – Invitation à rejoindre l'espace agents"),
        "{page}"
    );
    // Another commune's mail is never listed.
    assert!(!page.contains("admin@cb.test"), "{page}");
    let (_, other) = demo_mail_page(&app, Some("cb")).await;
    assert!(other.contains("admin@cb.test") && !other.contains("admin@ca.test"));

    // The link is whole (no quoted-printable `=3D`, no line split) and works.
    let prefix = format!("href=\"{}", app.url("ca", "/invitation?jeton="));
    let start = page.find(&prefix).unwrap_or_else(|| panic!("{page}")) + prefix.len();
    let token = &page[start..start + page[start..].find('"').unwrap()];
    assert!(!token.is_empty() && !token.contains('='), "{token}");
    let client = app.client();
    let accepted = app
        .post(
            &client,
            "ca",
            "accept_invitation",
            &[
                ("jeton", token),
                ("display_name", "Claire Fontaine"),
                ("password", "Clef-Secrete-2026"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);

    // The apex host has no commune, hence no mail.
    assert_eq!(demo_mail_page(&app, None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_an_smtp_server_there_is_no_demo_mail_page() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.smtp.wait_for("admin@ca.test", 1).await;

    let (status, page) = demo_mail_page(&app, Some("ca")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("admin@ca.test"));
}
