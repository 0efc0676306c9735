#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The platform operator onboards a commune in one step from the console.

use reqwest::StatusCode;

use crate::helpers::{error_field, spawn_app};

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
            "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets.",
        ),
        (
            &[
                ("name", "Vertou"),
                ("slug", "www"),
                ("admin_email", "a@vertou.fr"),
                ("hosts", ""),
            ],
            "slug",
            "L'identifiant « www » est réservé par la plateforme.",
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
            app::platform::strings::SLUG_TAKEN,
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
