#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Citizens sign up, verify, log in; agents are invited; bad input is refused precisely.

use app::account::strings as s;
use app::infra::rate_limit::RATE_LIMITED_MESSAGE;
use reqwest::StatusCode;

use crate::helpers::{error_field, error_message, spawn_app};

#[tokio::test]
async fn a_citizen_signs_up_verifies_by_mail_and_logs_in() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();

    let response = app
        .signup(&client, "ca", "Jeanne.Martin@Example.FR", "Velo-Cargo-2026")
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Not verified yet: the right password is not enough.
    let early = app
        .login(&client, "ca", "jeanne.martin@example.fr", "Velo-Cargo-2026")
        .await;
    assert_eq!(early.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_message(early).await, s::EMAIL_NOT_VERIFIED);

    // The verification mail went through the real SMTP server.
    let mail = app
        .smtp
        .wait_for("jeanne.martin@example.fr", 1)
        .await
        .pop()
        .unwrap();
    assert!(
        mail.subject.contains("Confirmez votre adresse e-mail"),
        "{}",
        mail.subject
    );
    assert!(mail.from.contains("Commune A"));
    let page = client.get(mail.link("/verifier")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains(s::VERIFY_DONE));
    // A link works once.
    let again = client.get(mail.link("/verifier")).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);

    let login = app
        .login(&client, "ca", "jeanne.martin@example.fr", "Velo-Cargo-2026")
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let me: serde_json::Value = app
        .post(&client, "ca", "me", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "jeanne.martin@example.fr");
    assert_eq!(me["kind"], "Citizen");
    let account = app
        .get(&client, "ca", "/mon-compte")
        .await
        .text()
        .await
        .unwrap();
    assert!(account.contains("jeanne.martin@example.fr"));

    // Logging out ends the session on the server, not only in the browser.
    assert_eq!(
        app.post(&client, "ca", "logout", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&client, "ca", "me", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_the_sixth_attempt_is_rate_limited() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let client = app.client();
    app.citizen(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    app.citizen(&client, "cb", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;

    for _ in 0..5 {
        let response = app
            .login(&client, "ca", "jeanne@example.fr", "mauvais-mot-2026")
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(error_message(response).await, s::LOGIN_FAILED);
    }
    let limited = app
        .login(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_message(limited).await, RATE_LIMITED_MESSAGE);
    // The other commune's account is not locked by guesses made at A.
    assert_eq!(
        app.login(&client, "cb", "jeanne@example.fr", "Velo-Cargo-2026")
            .await
            .status(),
        StatusCode::OK
    );
    // An unknown account answers exactly like a wrong password.
    let unknown = app
        .login(&client, "cb", "personne@example.fr", "Velo-Cargo-2026")
        .await;
    assert_eq!(error_message(unknown).await, s::LOGIN_FAILED);
}

#[tokio::test]
async fn a_state_changing_request_from_another_site_is_rejected() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();
    let form = [
        ("email", "x@example.fr"),
        ("password", "Velo-Cargo-2026"),
        ("display_name", "X"),
    ];

    let forged = client
        .post(app.url("ca", "/api/signup"))
        .header("origin", "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let cross_site = client
        .post(app.url("ca", "/api/signup"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    // Sibling tenants (a.guichet.fr, b.guichet.fr) are the same *site* to a browser, so Lax
    // cookies flow between them: only same-origin requests may change anything.
    let same_site = client
        .post(app.url("ca", "/api/signup"))
        .header("sec-fetch-site", "same-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::FORBIDDEN);
    // Another tenant of the same platform is another origin too.
    let sibling = client
        .post(app.url("ca", "/api/signup"))
        .header("origin", format!("http://cb.localhost:{}", app.addr.port()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(sibling.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("tenant_ca.users").await,
        1,
        "only the admin invited at provisioning exists"
    );

    let same_origin = client
        .post(app.url("ca", "/api/signup"))
        .header("origin", format!("http://ca.localhost:{}", app.addr.port()))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_same_email_on_two_tenants_makes_two_separate_accounts() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let client = app.client();
    app.citizen(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    app.citizen(&client, "cb", "jeanne@example.fr", "Autre-Velo-2026")
        .await;

    let other = app.client();
    assert_eq!(
        app.login(&other, "ca", "jeanne@example.fr", "Autre-Velo-2026")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.login(&other, "cb", "jeanne@example.fr", "Velo-Cargo-2026")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.login(&other, "cb", "jeanne@example.fr", "Autre-Velo-2026")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("tenant_ca.users WHERE email = 'jeanne@example.fr'")
            .await,
        1
    );
    assert_eq!(
        app.count("tenant_cb.users WHERE email = 'jeanne@example.fr'")
            .await,
        1
    );
}

#[tokio::test]
async fn bad_sign_up_input_gets_a_precise_message_and_writes_nothing() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();
    let long_email = format!("{}@example.fr", "a".repeat(250));
    let long_name = "N".repeat(101);
    let cases: [(&str, &str, &str, &str, &str); 8] = [
        ("", "Velo-Cargo-2026", "Jeanne", "email", s::EMAIL_EMPTY),
        (
            "jeanne",
            "Velo-Cargo-2026",
            "Jeanne",
            "email",
            s::EMAIL_MALFORMED,
        ),
        (
            "jeanne@example",
            "Velo-Cargo-2026",
            "Jeanne",
            "email",
            s::EMAIL_MALFORMED,
        ),
        (
            &long_email,
            "Velo-Cargo-2026",
            "Jeanne",
            "email",
            s::EMAIL_TOO_LONG,
        ),
        (
            "jeanne@example.fr",
            "court1",
            "Jeanne",
            "password",
            s::PASSWORD_TOO_SHORT,
        ),
        (
            "jeanne@example.fr",
            "seulementdeslettres",
            "Jeanne",
            "password",
            s::PASSWORD_WEAK,
        ),
        (
            "jeanne@example.fr",
            "Velo-Cargo-2026",
            "  ",
            "display_name",
            s::NAME_EMPTY,
        ),
        (
            "jeanne@example.fr",
            "Velo-Cargo-2026",
            &long_name,
            "display_name",
            s::NAME_TOO_LONG,
        ),
    ];
    for (email, password, name, field, message) in cases {
        let response = app
            .post(
                &client,
                "ca",
                "signup",
                &[
                    ("email", email),
                    ("password", password),
                    ("display_name", name),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{email} / {password} / {name}"
        );
        assert_eq!(
            error_field(response).await,
            (field.to_owned(), message.to_owned())
        );
    }
    // A missing argument is a malformed request, also answered precisely.
    let missing = app
        .post(&client, "ca", "signup", &[("email", "jeanne@example.fr")])
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);

    assert_eq!(
        app.count("tenant_ca.users").await,
        1,
        "only the admin invited at provisioning"
    );
    assert_eq!(
        app.count("tenant_ca.mail_outbox").await,
        1,
        "only the admin's invitation"
    );

    // A duplicate is a conflict on the email field, and adds nothing either.
    app.citizen(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    let duplicate = app
        .signup(&client, "ca", "JEANNE@example.fr", "Velo-Cargo-2027")
        .await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_field(duplicate).await,
        ("email".to_owned(), s::EMAIL_TAKEN.to_owned())
    );
    assert_eq!(app.count("tenant_ca.users").await, 2);
    assert_eq!(app.count("tenant_ca.mail_outbox").await, 2);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_through_the_mailed_link() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let client = app.client();
    app.citizen(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;

    // Unknown addresses get the same answer and no mail.
    assert_eq!(
        app.post(
            &client,
            "ca",
            "forgot_password",
            &[("email", "nobody@example.fr")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(
            &client,
            "ca",
            "forgot_password",
            &[("email", "jeanne@example.fr")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    let mails = app.smtp.wait_for("jeanne@example.fr", 2).await;
    let token = mails.last().unwrap().token("/reinitialiser");
    assert!(app.smtp.to("nobody@example.fr").is_empty());

    let weak = app
        .post(
            &client,
            "ca",
            "reset_password",
            &[("jeton", &token), ("password", "court")],
        )
        .await;
    assert_eq!(
        error_field(weak).await,
        ("password".to_owned(), s::PASSWORD_TOO_SHORT.to_owned())
    );
    // The failed attempt did not use the link up.
    let reset = app
        .post(
            &client,
            "ca",
            "reset_password",
            &[("jeton", &token), ("password", "Nouveau-Velo-2026")],
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    // The old session ended with the old password.
    assert_eq!(
        app.post(&client, "ca", "me", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&client, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.login(&client, "ca", "jeanne@example.fr", "Nouveau-Velo-2026")
            .await
            .status(),
        StatusCode::OK
    );
    let reused = app
        .post(
            &client,
            "ca",
            "reset_password",
            &[("jeton", &token), ("password", "Encore-Velo-2026")],
        )
        .await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_invites_an_agent_who_then_logs_in_to_the_back_office() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;

    let response = app
        .post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "yann@commune-a.fr"),
                ("display_name", "Yann Le Goff"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
    let mail = app
        .smtp
        .wait_for("yann@commune-a.fr", 1)
        .await
        .pop()
        .unwrap();
    assert!(
        mail.body.contains("Claire Fontaine vous invite"),
        "{}",
        mail.body
    );

    // Until accepted, the agent cannot log in.
    let anonymous = app.client();
    assert_eq!(
        app.login(&anonymous, "ca", "yann@commune-a.fr", "Agent-Password-1")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let agent = app
        .accept_invitation("ca", "yann@commune-a.fr", "Agent-Password-1")
        .await;
    let page = app
        .get(&agent, "ca", "/back-office")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Bonjour Yann Le Goff"), "{page}");
    // Later logins work with the chosen password.
    assert_eq!(
        app.login(&app.client(), "ca", "yann@commune-a.fr", "Agent-Password-1")
            .await
            .status(),
        StatusCode::OK
    );

    // Agents cannot invite; citizens cannot publish.
    let denied = app
        .post(
            &agent,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "z@commune-a.fr"),
                ("display_name", "Z"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_message(denied).await, s::NOT_AN_ADMIN);
    let citizen = app.client();
    app.citizen(&citizen, "ca", "jeanne@example.fr", "Velo-Cargo-2026")
        .await;
    let publish = app
        .post(
            &citizen,
            "ca",
            "news/publish",
            &[("title", "t"), ("body", "cb")],
        )
        .await;
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);

    // Bad invitations are refused precisely.
    let bad_role = app
        .post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "w@commune-a.fr"),
                ("display_name", "W"),
                ("role", "maire"),
            ],
        )
        .await;
    assert_eq!(
        error_field(bad_role).await,
        ("role".to_owned(), s::ROLE_INVALID.to_owned())
    );
    let taken = app
        .post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "yann@commune-a.fr"),
                ("display_name", "Yann"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
}

/// A submitted form.
type Form<'a> = &'a [(&'a str, &'a str)];

#[tokio::test]
async fn a_first_admin_gives_their_name_on_accepting_and_the_back_office_greets_them_by_it() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let token = app.smtp.last_to("admin@ca.test").await.token("/invitation");
    let client = app.client();
    let user = "SELECT display_name || '|' || (password_hash IS NULL)::text
                FROM tenant_ca.users WHERE email = 'admin@ca.test'";

    // The platform does not know the admin's name: the form starts empty.
    let prefilled: String = app
        .post(&client, "ca", "invitation_name", &[("jeton", &token)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefilled, "");

    let long = "Claire ".repeat(20);
    let refused: [(Form, &str, &str); 5] = [
        (
            &[("jeton", &token), ("password", "Clef-Secrete-2026")],
            "display_name",
            s::NAME_EMPTY,
        ),
        (
            &[
                ("jeton", &token),
                ("display_name", "   "),
                ("password", "Clef-Secrete-2026"),
            ],
            "display_name",
            s::NAME_EMPTY,
        ),
        (
            &[
                ("jeton", &token),
                ("display_name", &long),
                ("password", "Clef-Secrete-2026"),
            ],
            "display_name",
            s::NAME_TOO_LONG,
        ),
        (
            &[
                ("jeton", &token),
                ("display_name", "Claire\u{7}Fontaine"),
                ("password", "Clef-Secrete-2026"),
            ],
            "display_name",
            s::NAME_INVALID,
        ),
        // A good name with a refused password is not kept either.
        (
            &[
                ("jeton", &token),
                ("display_name", "Claire Fontaine"),
                ("password", "court1"),
            ],
            "password",
            s::PASSWORD_TOO_SHORT,
        ),
    ];
    for (form, field, message) in refused {
        let response = app.post(&client, "ca", "accept_invitation", form).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            error_field(response).await,
            (field.to_owned(), message.to_owned())
        );
        assert_eq!(app.text(user).await, "Administrateur|true", "{form:?}");
    }

    let accepted = app
        .post(
            &client,
            "ca",
            "accept_invitation",
            &[
                ("jeton", &token),
                ("display_name", "  Claire Fontaine "),
                ("password", "Clef-Secrete-2026"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(app.text(user).await, "Claire Fontaine|false");
    let page = app
        .get(&client, "ca", "/back-office")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Bonjour Claire Fontaine — Administrateur, Commune A"),
        "{page}"
    );
}

#[tokio::test]
async fn an_invited_agents_form_starts_with_the_name_the_admin_gave_and_keeps_their_own() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let invited = app
        .post(
            &admin,
            "ca",
            "admin/invite_agent",
            &[
                ("email", "yann@commune-a.fr"),
                ("display_name", "Yann Le Goff"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    let token = app
        .smtp
        .last_to("yann@commune-a.fr")
        .await
        .token("/invitation");
    let client = app.client();

    let page = app
        .get(&client, "ca", &format!("/invitation?jeton={token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"value="Yann Le Goff""#), "{page}");

    let accepted = app
        .post(
            &client,
            "ca",
            "accept_invitation",
            &[
                ("jeton", &token),
                ("display_name", "Yann Le Goff-Kerjean"),
                ("password", "Agent-Password-1"),
            ],
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let home = app
        .get(&client, "ca", "/back-office")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("Bonjour Yann Le Goff-Kerjean — Agent"),
        "{home}"
    );
}
