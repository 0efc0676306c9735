#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Identity federation, end to end against a real OpenID provider (npm `oidc-provider`,
//! configured like FranceConnect v2: pairwise subjects, signed userinfo, acr_values eidas1–3,
//! RP-initiated logout) started beside the real server.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestApp, error_message, spawn_app};
use crate::oidc_provider::{Consent, OidcProvider, TestClient};

const SECRET: &str = "secret-citoyens-tres-long-0123456789";

fn client_for(
    app: &TestApp,
    slug: &str,
    id: &str,
    alg: &'static str,
    userinfo_jwt: bool,
) -> TestClient {
    TestClient {
        client_id: id.to_owned(),
        client_secret: SECRET.to_owned(),
        redirect_uris: vec![
            app.url(slug, "/connexion/franceconnect/retour"),
            app.url(slug, "/connexion/agents/retour"),
        ],
        post_logout_redirect_uris: vec![app.url(slug, "/")],
        id_token_alg: alg,
        userinfo_jwt,
    }
}

/// The commune's admin configures its citizens' provider (the FranceConnect preset).
async fn configure(
    app: &TestApp,
    admin: &reqwest::Client,
    slug: &str,
    audience: &str,
    issuer: &str,
    client_id: &str,
    extra: &[(&str, &str)],
) {
    let mut form = vec![
        ("audience", audience),
        (
            "preset",
            if audience == "citizens" {
                "franceconnect"
            } else {
                "custom"
            },
        ),
        (
            "label",
            if audience == "citizens" {
                "FranceConnect"
            } else {
                "Syndicat SSO"
            },
        ),
        ("issuer", issuer),
        ("client_id", client_id),
        ("client_secret", SECRET),
        ("enabled", "on"),
    ];
    form.extend_from_slice(extra);
    let response = app.post(admin, slug, "identity/save", &form).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location on {}", response.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Starts a sign-in at the commune and returns the provider's authorization URL.
async fn start(app: &TestApp, browser: &reqwest::Client, slug: &str, path: &str) -> String {
    let response = app.get(browser, slug, path).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    location(&response)
}

const CITIZENS: &str = "/connexion/franceconnect";
const AGENTS: &str = "/connexion/agents";

/// Commune (`start_path`: [`CITIZENS`] or [`AGENTS`]) → provider, signed in as `login`, consent
/// given or refused: the callback URL the provider sends the browser back to (not followed).
async fn at_provider(
    app: &TestApp,
    browser: &reqwest::Client,
    slug: &str,
    start_path: &str,
    login: &str,
    consent: Consent,
) -> String {
    let authorize = start(app, browser, slug, start_path).await;
    crate::oidc_provider::sign_in(browser, &authorize, login, consent).await
}

/// The whole round trip, consent given and the callback followed: its response.
async fn round_trip(
    app: &TestApp,
    browser: &reqwest::Client,
    slug: &str,
    start_path: &str,
    login: &str,
) -> reqwest::Response {
    let callback = at_provider(app, browser, slug, start_path, login, Consent::Grant).await;
    browser.get(callback).send().await.unwrap()
}

/// A citizen's round trip ("S'identifier avec FranceConnect").
async fn sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    slug: &str,
    login: &str,
) -> reqwest::Response {
    round_trip(app, browser, slug, CITIZENS, login).await
}

async fn me(app: &TestApp, browser: &reqwest::Client, slug: &str) -> Value {
    let response = app.post(browser, slug, "me", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn users(app: &TestApp, slug: &str) -> i64 {
    app.count(&format!("tenant_{slug}.users")).await
}

async fn failure_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    assert!(target.starts_with("/connexion/echec?motif="), "{target}");
    query_param(&target, "motif").unwrap()
}

#[tokio::test]
async fn a_citizen_signs_in_with_franceconnect_and_gets_a_certified_identity() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "ES256", true)]).await;
    let admin = app.admin("ca").await;
    configure(
        &app,
        &admin,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[("acr_values", "eidas1"), ("local_accounts_allowed", "on")],
    )
    .await;

    // The sign-in page offers the button.
    let page = app
        .client()
        .get(app.url("ca", "/connexion"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("S'identifier avec") && page.contains("/connexion/franceconnect"),
        "{page}"
    );

    let browser = app.client();
    let authorize = start(
        &app,
        &browser,
        "ca",
        "/connexion/franceconnect?retour=/mes-demandes",
    )
    .await;
    assert!(authorize.starts_with(&provider.issuer), "{authorize}");
    for (name, at_least) in [("state", 32), ("nonce", 32), ("code_challenge", 43)] {
        let value =
            query_param(&authorize, name).unwrap_or_else(|| panic!("no {name} in {authorize}"));
        assert!(value.len() >= at_least, "{name} = {value}");
    }
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(&authorize, "acr_values").as_deref(),
        Some("eidas1")
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri").as_deref(),
        Some(app.url("ca", "/connexion/franceconnect/retour").as_str())
    );

    let before = users(&app, "ca").await;
    let callback =
        crate::oidc_provider::sign_in(&browser, &authorize, "jean", Consent::Grant).await;
    let landed = browser.get(callback).send().await.unwrap();
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&landed),
        "/mes-demandes",
        "back to the page the sign-in was for"
    );
    assert_eq!(users(&app, "ca").await, before + 1);

    let user = me(&app, &browser, "ca").await;
    assert_eq!(user["email"], "jean.martin@example.org");
    assert_eq!(user["display_name"], "Jean MARTIN");
    let certified = &user["certified"];
    assert_eq!(certified["given_name"], "Jean");
    assert_eq!(certified["family_name"], "MARTIN");
    assert_eq!(certified["preferred_username"], "DURAND");
    assert_eq!(certified["birthdate"], "1980-02-29");
    assert_eq!(certified["birthplace"], "44109");
    assert_eq!(certified["birthcountry"], "99100");
    assert_eq!(certified["gender"], "male");
    assert_eq!(certified["provider"], "FranceConnect");
    assert_eq!(certified["acr"], "eidas1");

    // The pairwise sub is a link, never the account's key; no password was made up.
    assert_eq!(
        app.text("SELECT count(*)::text FROM tenant_ca.identity_links l JOIN tenant_ca.users u ON u.id = l.user_id WHERE u.email = 'jean.martin@example.org'").await,
        "1"
    );
    assert_eq!(
        app.text("SELECT (password_hash IS NULL)::text FROM tenant_ca.users WHERE email = 'jean.martin@example.org'").await,
        "true"
    );

    // Signing in again reaches the same account.
    let again = app.client();
    let landed = sign_in(&app, &again, "ca", "jean").await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    assert_eq!(me(&app, &again, "ca").await["id"], user["id"]);
    assert_eq!(users(&app, "ca").await, before + 1);
}

#[tokio::test]
async fn every_failure_ends_on_a_french_page_and_creates_no_account() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    app.create_tenant("cc", "Commune C").await;
    let mut provider = OidcProvider::start(vec![
        client_for(&app, "ca", "guichet-ca", "RS256", false),
        // Signs its ID tokens with the client secret (HS256): Guichet accepts only RS256/ES256.
        client_for(&app, "cb", "guichet-cb", "HS256", false),
    ])
    .await;
    let admin_a = app.admin("ca").await;
    configure(
        &app,
        &admin_a,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[],
    )
    .await;
    let admin_b = app.admin("cb").await;
    configure(
        &app,
        &admin_b,
        "cb",
        "citizens",
        &provider.issuer,
        "guichet-cb",
        &[],
    )
    .await;
    let admin_c = app.admin("cc").await;
    configure(
        &app,
        &admin_c,
        "cc",
        "citizens",
        "http://127.0.0.1:9",
        "guichet-cc",
        &[],
    )
    .await;
    let before = users(&app, "ca").await;

    // Denied consent.
    let browser = app.client();
    let callback = at_provider(&app, &browser, "ca", CITIZENS, "angela", Consent::Deny).await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        failure_of(browser.get(&callback).send().await.unwrap()).await,
        "refus"
    );

    // A state this browser did not start (forged, or another browser's).
    let other = app.client();
    let callback = at_provider(&app, &other, "ca", CITIZENS, "angela", Consent::Grant).await;
    assert_eq!(
        failure_of(app.client().get(&callback).send().await.unwrap()).await,
        "session-expiree"
    );
    // …and the flow is used up: the right browser cannot replay it either.
    assert_eq!(
        failure_of(other.get(&callback).send().await.unwrap()).await,
        "session-expiree"
    );

    // A code already used (or expired): the provider refuses it.
    let browser = app.client();
    let used = at_provider(&app, &browser, "ca", CITIZENS, "angela", Consent::Grant).await;
    assert_eq!(
        browser.get(&used).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let fresh = start(&app, &browser, "ca", "/connexion/franceconnect").await;
    let state = query_param(&fresh, "state").unwrap();
    let code = query_param(&used, "code").unwrap();
    let replay = app.url(
        "ca",
        &format!("/connexion/franceconnect/retour?code={code}&state={state}"),
    );
    assert_eq!(
        failure_of(browser.get(&replay).send().await.unwrap()).await,
        "code-expire"
    );
    let after_angela = users(&app, "ca").await;
    assert_eq!(
        after_angela,
        before + 1,
        "only the one completed sign-in made an account"
    );

    // A token that does not verify (HS256 at commune B).
    let browser = app.client();
    let before_b = users(&app, "cb").await;
    let landed = sign_in(&app, &browser, "cb", "jean").await;
    assert_eq!(failure_of(landed).await, "jeton-invalide");
    assert_eq!(users(&app, "cb").await, before_b);

    // Discovery unreachable.
    let browser = app.client();
    let response = app.get(&browser, "cc", "/connexion/franceconnect").await;
    assert_eq!(failure_of(response).await, "configuration-injoignable");

    // The provider goes down between the sign-in and the callback.
    let browser = app.client();
    let callback = at_provider(&app, &browser, "ca", CITIZENS, "jean", Consent::Grant).await;
    provider.stop().await;
    assert_eq!(
        failure_of(browser.get(&callback).send().await.unwrap()).await,
        "fournisseur-injoignable"
    );
    assert_eq!(users(&app, "ca").await, after_angela);

    // Each page says it in French and offers the local sign-in; no page is a 500.
    for motif in [
        "refus",
        "session-expiree",
        "code-expire",
        "jeton-invalide",
        "configuration-injoignable",
        "fournisseur-injoignable",
    ] {
        let page = app
            .client()
            .get(app.url("ca", &format!("/connexion/echec?motif={motif}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("La connexion n&#x27;a pas abouti")
                || html.contains("La connexion n'a pas abouti"),
            "{html}"
        );
        assert!(
            html.contains("href=\"/connexion\""),
            "{motif}: no local sign-in offered"
        );
    }
}

#[tokio::test]
async fn an_existing_account_is_linked_only_after_its_password_and_can_be_unlinked() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "RS256", true)]).await;
    let admin = app.admin("ca").await;
    configure(
        &app,
        &admin,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[("local_accounts_allowed", "on")],
    )
    .await;
    let local = app.client();
    app.citizen(
        &local,
        "ca",
        "claire.local@example.org",
        "Mot-de-passe-2026",
    )
    .await;
    let local_id = me(&app, &local, "ca").await["id"].clone();
    let before = users(&app, "ca").await;

    let browser = app.client();
    let landed = sign_in(&app, &browser, "ca", "claire").await;
    assert_eq!(landed.status(), StatusCode::SEE_OTHER);
    let target = location(&landed);
    assert!(
        target.starts_with("/connexion/associer?jeton="),
        "never linked on the email alone: {target}"
    );
    let token = query_param(&target, "jeton").unwrap();
    assert_eq!(
        app.post(&browser, "ca", "me", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let page = app.get(&browser, "ca", &target).await.text().await.unwrap();
    assert!(page.contains("claire.local@example.org"));

    let wrong = app
        .post(
            &browser,
            "ca",
            "identity/confirm_link",
            &[("jeton", &token), ("password", "pas-le-bon-1")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(wrong).await, "Mot de passe incorrect.");
    let right = app
        .post(
            &browser,
            "ca",
            "identity/confirm_link",
            &[("jeton", &token), ("password", "Mot-de-passe-2026")],
        )
        .await;
    assert_eq!(right.status(), StatusCode::OK);
    let linked = me(&app, &browser, "ca").await;
    assert_eq!(linked["id"], local_id, "the same account, now certified");
    assert_eq!(linked["certified"]["given_name"], "Claire");
    assert_eq!(users(&app, "ca").await, before);

    // Either way reaches the same account.
    let again = app.client();
    assert_eq!(
        sign_in(&app, &again, "ca", "claire").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(me(&app, &again, "ca").await["id"], local_id);
    let by_password = app.client();
    assert_eq!(
        app.login(
            &by_password,
            "ca",
            "claire.local@example.org",
            "Mot-de-passe-2026"
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(me(&app, &by_password, "ca").await["id"], local_id);

    // Unlinking removes the link and the certified identity.
    assert_eq!(
        app.post(&by_password, "ca", "identity/unlink", &[])
            .await
            .status(),
        StatusCode::OK
    );
    assert!(me(&app, &by_password, "ca").await["certified"].is_null());
    assert_eq!(app.count("tenant_ca.identity_links").await, 0);
    // The next provider sign-in asks for the password again.
    let after = app.client();
    let landed = sign_in(&app, &after, "ca", "claire").await;
    assert!(location(&landed).starts_with("/connexion/associer"));

    // An account created by the provider alone has no password: unlinking it would lock it out.
    let fc_only = app.client();
    sign_in(&app, &fc_only, "ca", "angela").await;
    let refused = app.post(&fc_only, "ca", "identity/unlink", &[]).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn logging_out_ends_the_providers_session_too() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "ES256", true)]).await;
    let admin = app.admin("ca").await;
    configure(
        &app,
        &admin,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[],
    )
    .await;
    let browser = app.client();
    sign_in(&app, &browser, "ca", "angela").await;

    let logout = app.post(&browser, "ca", "logout", &[]).await;
    let next = logout
        .headers()
        .get("location")
        .or_else(|| logout.headers().get("serverfnredirect"))
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(next, "/deconnexion/fournisseur");
    // Signed out here at once.
    assert_eq!(
        app.post(&browser, "ca", "me", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The page sends the browser on to the provider (meta refresh without JavaScript).
    let page = app.get(&browser, "ca", &next).await.text().await.unwrap();
    let refresh = page
        .split("url=")
        .nth(1)
        .expect("a meta refresh")
        .split('"')
        .next()
        .unwrap();
    let end_session = refresh.replace("&amp;", "&");
    assert!(end_session.starts_with(&provider.issuer), "{end_session}");
    assert!(query_param(&end_session, "id_token_hint").is_some());
    assert_eq!(
        query_param(&end_session, "post_logout_redirect_uri").as_deref(),
        Some(app.url("ca", "/").as_str())
    );
    // Once: the page shown again has nothing more to end.
    let again = app.get(&browser, "ca", &next).await.text().await.unwrap();
    assert!(!again.contains("id_token_hint") && again.contains("Vous êtes déconnecté"));
    let back = crate::oidc_provider::logout(&browser, &end_session).await;
    assert!(back.starts_with(&app.url("ca", "/")), "{back}");
}

#[tokio::test]
async fn a_communes_provider_is_never_used_at_another_communes_host() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "RS256", false)]).await;
    let admin = app.admin("ca").await;
    configure(
        &app,
        &admin,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[],
    )
    .await;

    // B has no provider: nothing is offered, the start fails cleanly.
    let page = app
        .client()
        .get(app.url("cb", "/connexion"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/connexion/franceconnect"));
    assert_eq!(
        failure_of(
            app.client()
                .get(app.url("cb", "/connexion/franceconnect"))
                .send()
                .await
                .unwrap()
        )
        .await,
        "non-configure"
    );
    // B's admin does not see A's settings.
    let admin_b = app.admin("cb").await;
    let views: Value = app
        .post(&admin_b, "cb", "identity/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(views[0]["own"].is_null(), "{views}");

    // A's callback, replayed at B's host, finds no flow there.
    let browser = app.client();
    let callback = at_provider(&app, &browser, "ca", CITIZENS, "angela", Consent::Grant).await;
    let at_b = callback.replace(&crate::helpers::host("ca"), &crate::helpers::host("cb"));
    assert_eq!(
        failure_of(browser.get(&at_b).send().await.unwrap()).await,
        "session-expiree"
    );
    assert_eq!(app.count("tenant_cb.users").await, 1, "only B's admin");

    // The secret is sealed and never shown.
    let views: Value = app
        .post(&admin, "ca", "identity/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!views.to_string().contains(SECRET));
    assert_eq!(views[0]["own"]["secret_set"], true);
    let page = app
        .get(&admin, "ca", "/administration/identite")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("guichet-ca") && !page.contains(SECRET));
    let stored = app
        .text("SELECT encode(client_secret, 'escape') FROM tenant_ca.identity_providers")
        .await;
    assert!(!stored.contains(SECRET));
    // Moved into B's schema, the sealed secret does not open: B's sign-in fails, B's host never
    // reaches A's client.
    app.sql("INSERT INTO tenant_cb.identity_providers SELECT * FROM tenant_ca.identity_providers")
        .await;
    let response = app
        .client()
        .get(app.url("cb", "/connexion/franceconnect"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn the_admin_form_explains_what_it_refuses_and_local_accounts_can_be_closed() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let bad = app
        .post(
            &admin,
            "ca",
            "identity/save",
            &[
                ("audience", "citizens"),
                ("preset", "custom"),
                ("label", "X"),
                ("issuer", "ftp://idp"),
                ("client_id", "c"),
                ("client_secret", "s"),
                ("scopes", "openid"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(bad).await.contains("https://"));
    let no_secret = app
        .post(
            &admin,
            "ca",
            "identity/save",
            &[
                ("audience", "citizens"),
                ("preset", "franceconnect"),
                ("client_id", "c"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(no_secret.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("tenant_ca.identity_providers").await,
        0,
        "nothing half-written"
    );
    let bad_mapping = app
        .post(
            &admin,
            "ca",
            "identity/save",
            &[
                ("audience", "agents"),
                ("preset", "custom"),
                ("label", "SSO"),
                ("issuer", "https://sso.example.org"),
                ("client_id", "c"),
                ("client_secret", "s"),
                ("scopes", "openid"),
                ("role_claim", "groups"),
                ("role_mapping", "admins = chef"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(bad_mapping.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(bad_mapping).await.contains("ligne 1"));

    // The FranceConnect preset fills the endpoints and scopes; local accounts closed.
    let saved = app
        .post(
            &admin,
            "ca",
            "identity/save",
            &[
                ("audience", "citizens"),
                ("preset", "franceconnect"),
                ("client_id", "abc"),
                ("client_secret", "s3cret-value"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let views: Value = app
        .post(&admin, "ca", "identity/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        views[0]["own"]["issuer"],
        "https://oidc.franceconnect.gouv.fr/api/v2"
    );
    assert!(
        views[0]["own"]["scopes"]
            .as_str()
            .unwrap()
            .contains("birthplace")
    );
    assert_eq!(views[0]["own"]["acr_values"], "eidas1");
    assert_eq!(views[0]["own"]["local_accounts_allowed"], false);
    let signup = app
        .signup(&app.client(), "ca", "new@example.org", "Mot-de-passe-2026")
        .await;
    assert_eq!(signup.status(), StatusCode::FORBIDDEN);
    assert!(
        error_message(signup)
            .await
            .contains("n'ouvre plus de compte")
    );
}

fn agents_form<'a>(jit: bool) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("scopes", "openid profile email groups"),
        ("role_claim", "groups"),
        (
            "role_mapping",
            "guichet-admins = admin\nguichet-managers = manager\nguichet-agents = agent",
        ),
    ];
    if jit {
        form.push(("just_in_time", "on"));
    }
    form
}

#[tokio::test]
async fn agents_sign_in_once_and_reach_each_communes_back_office_with_its_own_roles() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let provider = OidcProvider::start(vec![
        client_for(&app, "ca", "guichet-ca", "RS256", false),
        client_for(&app, "cb", "guichet-cb", "RS256", false),
    ])
    .await;
    let admin_a = app.admin("ca").await;
    configure(
        &app,
        &admin_a,
        "ca",
        "agents",
        &provider.issuer,
        "guichet-ca",
        &agents_form(true),
    )
    .await;
    let admin_b = app.admin("cb").await;
    configure(
        &app,
        &admin_b,
        "cb",
        "agents",
        &provider.issuer,
        "guichet-cb",
        &agents_form(false),
    )
    .await;

    // A provisions the syndicate's manager just in time, with the mapped role.
    let browser = app.client();
    let callback = at_provider(
        &app,
        &browser,
        "ca",
        AGENTS,
        "manager.syndicat",
        Consent::Grant,
    )
    .await;
    let landed = browser.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/back-office");
    let user = me(&app, &browser, "ca").await;
    assert_eq!(user["kind"], "Agent");
    assert_eq!(user["role"], "Manager");
    assert_eq!(
        app.get(&browser, "ca", "/back-office").await.status(),
        StatusCode::OK
    );

    // B refuses an agent it does not know (no provisioning), without a new password…
    let callback = at_provider(
        &app,
        &browser,
        "cb",
        AGENTS,
        "manager.syndicat",
        Consent::Grant,
    )
    .await;
    assert_eq!(
        failure_of(browser.get(&callback).send().await.unwrap()).await,
        "agent-refuse"
    );
    // …until B's admin invites them: then the same provider session lets them in, with B's role.
    app.post(
        &admin_b,
        "cb",
        "admin/invite_agent",
        &[
            ("email", "manager.syndicat@example.org"),
            ("display_name", "Marie Syndicat"),
            ("role", "agent"),
        ],
    )
    .await;
    configure(
        &app,
        &admin_b,
        "cb",
        "agents",
        &provider.issuer,
        "guichet-cb",
        &[
            ("scopes", "openid profile email groups"),
            ("role_claim", "groups"),
            ("role_mapping", "guichet-admins = admin"),
        ],
    )
    .await;
    let callback = at_provider(
        &app,
        &browser,
        "cb",
        AGENTS,
        "manager.syndicat",
        Consent::Grant,
    )
    .await;
    assert_eq!(
        location(&browser.get(&callback).send().await.unwrap()),
        "/back-office"
    );
    assert_eq!(
        me(&app, &browser, "cb").await["role"],
        "Agent",
        "B decides the role"
    );
    assert_eq!(me(&app, &browser, "ca").await["role"], "Manager");

    // An agent with no mapped group is refused even with provisioning on.
    let stranger = app.client();
    let callback = at_provider(&app, &stranger, "ca", AGENTS, "stranger", Consent::Grant).await;
    assert_eq!(
        failure_of(stranger.get(&callback).send().await.unwrap()).await,
        "agent-refuse"
    );

    // Deactivated in A: their session ends and single sign-on refuses them.
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.post(
            &admin_a,
            "ca",
            "admin/agent_active",
            &[("user_id", &id), ("actif", "0")]
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&browser, "ca", "me", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let again = app.client();
    let callback = at_provider(
        &app,
        &again,
        "ca",
        AGENTS,
        "manager.syndicat",
        Consent::Grant,
    )
    .await;
    assert_eq!(
        failure_of(again.get(&callback).send().await.unwrap()).await,
        "agent-refuse"
    );
    // Still welcome at B.
    assert_eq!(me(&app, &browser, "cb").await["role"], "Agent");
}

/// `email`'s memberships at `slug`: "service:access:from the provider", by service name.
async fn memberships(app: &TestApp, slug: &str, email: &str) -> String {
    app.text(&format!(
        "SELECT coalesce(string_agg(s.name || ':' || m.access || ':' || m.from_provider, ' ' ORDER BY s.name), '')
         FROM tenant_{slug}.service_members m JOIN tenant_{slug}.services s ON s.id = m.service_id
         JOIN tenant_{slug}.users u ON u.id = m.user_id WHERE u.email = '{email}'"
    ))
    .await
}

#[tokio::test]
async fn an_agents_groups_give_services_of_the_org_chart_again_at_each_sign_on() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "RS256", false)]).await;
    let admin = app.admin("ca").await;
    let mut services = Vec::new();
    for name in ["État civil", "Urbanisme"] {
        let created = app
            .post(
                &admin,
                "ca",
                "org/create_service",
                &[("name", name), ("kind", "service"), ("parent", "")],
            )
            .await;
        assert_eq!(created.status(), StatusCode::OK);
        services.push(created.json::<String>().await.unwrap());
    }
    let urbanisme = services[1].clone();
    let mapping = |lines: &'static str| {
        vec![
            ("scopes", "openid profile email groups"),
            ("role_claim", "groups"),
            ("role_mapping", lines),
            ("just_in_time", "on"),
        ]
    };

    // A mapping naming a service the org chart does not have is refused, in French.
    let mut form = vec![
        ("audience", "agents"),
        ("preset", "custom"),
        ("label", "SSO"),
        ("issuer", provider.issuer.as_str()),
        ("client_id", "guichet-ca"),
        ("client_secret", SECRET),
        ("enabled", "on"),
    ];
    form.extend(mapping("guichet-agents = agent, service : Cadastre"));
    let refused = app.post(&admin, "ca", "identity/save", &form).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(refused).await.contains("« Cadastre »"));

    // `etat-civil` gives État civil with the right "gestion"; the lines read back as written.
    configure(
        &app,
        &admin,
        "ca",
        "agents",
        &provider.issuer,
        "guichet-ca",
        &mapping("guichet-agents = agent\netat-civil = service : état civil (gestion)"),
    )
    .await;
    let views: Value = app
        .post(&admin, "ca", "identity/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        views[1]["own"]["role_mapping"],
        "etat-civil = service : état civil (gestion)\nguichet-agents = agent"
    );

    // agent.reze (groups guichet-agents and etat-civil) is provisioned as an agent of État civil.
    let browser = app.client();
    let landed = round_trip(&app, &browser, "ca", AGENTS, "agent.reze").await;
    assert_eq!(location(&landed), "/back-office");
    let user = me(&app, &browser, "ca").await;
    assert_eq!(user["role"], "Agent");
    assert_eq!(
        memberships(&app, "ca", "agent.reze@example.org").await,
        "État civil:gestion:true"
    );
    let chart: Value = app
        .post(&admin, "ca", "org/chart", &[])
        .await
        .json()
        .await
        .unwrap();
    let etat_civil = chart["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "État civil")
        .unwrap();
    assert_eq!(etat_civil["members"][0]["email"], "agent.reze@example.org");
    assert_eq!(etat_civil["members"][0]["access"], "gestion");

    // The admin gives Urbanisme by hand; the mapping drops État civil and makes agents managers.
    let id = user["id"].as_str().unwrap().to_owned();
    let granted = app
        .post(
            &admin,
            "ca",
            "org/set_member",
            &[
                ("service", urbanisme.as_str()),
                ("user", id.as_str()),
                ("access", "consultation"),
            ],
        )
        .await;
    assert_eq!(granted.status(), StatusCode::OK);
    configure(
        &app,
        &admin,
        "ca",
        "agents",
        &provider.issuer,
        "guichet-ca",
        &mapping("guichet-agents = manager"),
    )
    .await;
    // The next sign-on applies the mapping again: the provider's membership goes, the admin's
    // stays, the role follows.
    let landed = round_trip(&app, &browser, "ca", AGENTS, "agent.reze").await;
    assert_eq!(location(&landed), "/back-office");
    assert_eq!(me(&app, &browser, "ca").await["role"], "Manager");
    assert_eq!(
        memberships(&app, "ca", "agent.reze@example.org").await,
        "Urbanisme:consultation:false"
    );
}

#[tokio::test]
async fn new_provider_keys_are_fetched_and_a_weaker_level_than_asked_is_refused() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let mut provider = OidcProvider::start(vec![
        client_for(&app, "ca", "guichet-ca", "ES256", true),
        client_for(&app, "cb", "guichet-cb", "RS256", false),
    ])
    .await;
    let admin = app.admin("ca").await;
    configure(
        &app,
        &admin,
        "ca",
        "citizens",
        &provider.issuer,
        "guichet-ca",
        &[],
    )
    .await;
    let browser = app.client();
    assert_eq!(
        location(&sign_in(&app, &browser, "ca", "angela").await),
        "/mon-compte"
    );

    // The provider rotates its keys: the cached ones do not name the new key id; Guichet
    // fetches them again instead of refusing the citizen.
    provider.restart(true).await;
    let browser = app.client();
    assert_eq!(
        location(&sign_in(&app, &browser, "ca", "angela").await),
        "/mon-compte"
    );
    assert_eq!(
        me(&app, &browser, "ca").await["certified"]["given_name"],
        "Angela Claire Louise"
    );

    // Commune B asks for eidas3; Jean's account reaches eidas2 only: refused.
    let admin_b = app.admin("cb").await;
    configure(
        &app,
        &admin_b,
        "cb",
        "citizens",
        &provider.issuer,
        "guichet-cb",
        &[("acr_values", "eidas3")],
    )
    .await;
    let browser = app.client();
    let before = users(&app, "cb").await;
    assert_eq!(
        failure_of(sign_in(&app, &browser, "cb", "jean").await).await,
        "jeton-invalide"
    );
    assert_eq!(users(&app, "cb").await, before);
}

#[tokio::test]
async fn a_commune_without_its_own_provider_inherits_the_platforms_and_its_own_wins() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let provider = OidcProvider::start(vec![
        client_for(&app, "ca", "guichet-syndicat", "RS256", false),
        client_for(&app, "cb", "guichet-cb", "RS256", false),
    ])
    .await;
    app::platform::service::upsert_operator(
        &app.state,
        "op@guichet.test",
        "Opératrice",
        "Plateforme-2026",
    )
    .await
    .unwrap();
    let operator = app.client();
    let login = operator
        .post(app.apex_url("/api/platform/login"))
        .form(&[
            ("email", "op@guichet.test"),
            ("password", "Plateforme-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let saved = operator
        .post(app.apex_url("/api/identity/save"))
        .form(&[
            ("audience", "citizens"),
            ("preset", "franceconnect"),
            ("label", "FranceConnect (syndicat)"),
            ("issuer", provider.issuer.as_str()),
            ("client_id", "guichet-syndicat"),
            ("client_secret", SECRET),
            ("local_accounts_allowed", "on"),
            ("enabled", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap()
    );
    // A commune's admin cannot write the platform's settings (the same form, at the platform's
    // host: no operator there).
    let admin_a = app.admin("ca").await;
    let refused = admin_a
        .post(app.apex_url("/api/identity/save"))
        .form(&[
            ("audience", "citizens"),
            ("preset", "custom"),
            ("label", "Piraté"),
            ("issuer", "https://idp.example.org"),
            ("client_id", "x"),
            ("client_secret", "y"),
            ("enabled", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(refused.status(), StatusCode::OK);
    assert_eq!(
        app.text("SELECT label FROM platform.identity_providers WHERE audience = 'citizens'")
            .await,
        "FranceConnect (syndicat)"
    );

    // Commune A has none of its own: it inherits, and its sign-in works with the platform's client.
    let views: Value = app
        .post(&admin_a, "ca", "identity/admin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(views[0]["own"].is_null());
    assert_eq!(views[0]["inherited"]["label"], "FranceConnect (syndicat)");
    let page = app
        .client()
        .get(app.url("ca", "/connexion"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("FranceConnect (syndicat)"));
    let browser = app.client();
    let authorize = start(&app, &browser, "ca", "/connexion/franceconnect").await;
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("guichet-syndicat")
    );
    let callback =
        crate::oidc_provider::sign_in(&browser, &authorize, "jean", Consent::Grant).await;
    assert_eq!(
        location(&browser.get(&callback).send().await.unwrap()),
        "/mon-compte"
    );

    // Commune B's own settings win over the platform's.
    let admin_b = app.admin("cb").await;
    configure(
        &app,
        &admin_b,
        "cb",
        "citizens",
        &provider.issuer,
        "guichet-cb",
        &[],
    )
    .await;
    let authorize = start(&app, &app.client(), "cb", "/connexion/franceconnect").await;
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("guichet-cb")
    );
}

/// The follow-up of a redirect, as a browser shows it: the page's HTML.
async fn followed(
    app: &TestApp,
    browser: &reqwest::Client,
    slug: &str,
    redirect: reqwest::Response,
) -> String {
    let target = location(&redirect);
    let body = redirect.text().await.unwrap();
    let page = app.get(browser, slug, &target).await.text().await.unwrap();
    format!("{target}\n{body}\n{page}")
}

#[tokio::test]
async fn secrets_codes_tokens_state_and_nonce_appear_in_no_log_page_or_error() {
    let logs = crate::helpers::capture_logs();
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let provider =
        OidcProvider::start(vec![client_for(&app, "ca", "guichet-ca", "ES256", true)]).await;
    let admin = app.admin("ca").await;
    for audience in ["citizens", "agents"] {
        let extra = if audience == "agents" {
            agents_form(true)
        } else {
            vec![]
        };
        configure(
            &app,
            &admin,
            "ca",
            audience,
            &provider.issuer,
            "guichet-ca",
            &extra,
        )
        .await;
    }
    // What must stay secret, gathered along the way; what was shown or written, likewise.
    let mut secrets = vec![SECRET.to_owned()];
    let mut shown: Vec<String> = Vec::new();
    fn flow(authorize: &str, callback: &str, secrets: &mut Vec<String>) {
        for (url, name) in [
            (authorize, "state"),
            (authorize, "nonce"),
            (callback, "code"),
        ] {
            if let Some(value) = query_param(url, name) {
                assert!(value.len() >= 20, "{name} = {value}");
                secrets.push(value);
            }
        }
    }

    // A citizen signs in, sees their account, and signs out (here and at the provider).
    let citizen = app.client();
    let authorize = start(&app, &citizen, "ca", CITIZENS).await;
    let callback =
        crate::oidc_provider::sign_in(&citizen, &authorize, "jean", Consent::Grant).await;
    flow(&authorize, &callback, &mut secrets);
    let landed = citizen.get(&callback).send().await.unwrap();
    shown.push(followed(&app, &citizen, "ca", landed).await);
    for endpoint in ["me", "identity/my_links", "identity/sign_in_options"] {
        shown.push(
            app.post(&citizen, "ca", endpoint, &[])
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    // The code again (replayed with a fresh state): the provider refuses it.
    let fresh = start(&app, &citizen, "ca", CITIZENS).await;
    flow(&fresh, "", &mut secrets);
    let replay = app.url(
        "ca",
        &format!(
            "/connexion/franceconnect/retour?code={}&state={}",
            query_param(&callback, "code").unwrap(),
            query_param(&fresh, "state").unwrap()
        ),
    );
    let refused = citizen.get(&replay).send().await.unwrap();
    shown.push(followed(&app, &citizen, "ca", refused).await);

    // An agent signs in through single sign-on.
    let agent = app.client();
    let authorize = start(&app, &agent, "ca", AGENTS).await;
    let callback =
        crate::oidc_provider::sign_in(&agent, &authorize, "agent.reze", Consent::Grant).await;
    flow(&authorize, &callback, &mut secrets);
    let landed = agent.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/back-office");
    shown.push(followed(&app, &agent, "ca", landed).await);

    // Failing flows: refused consent, a state from another browser.
    let denied = app.client();
    let authorize = start(&app, &denied, "ca", CITIZENS).await;
    let callback =
        crate::oidc_provider::sign_in(&denied, &authorize, "angela", Consent::Deny).await;
    flow(&authorize, &callback, &mut secrets);
    let failed = denied.get(&callback).send().await.unwrap();
    shown.push(followed(&app, &denied, "ca", failed).await);
    let other = app.client();
    let authorize = start(&app, &other, "ca", CITIZENS).await;
    let callback =
        crate::oidc_provider::sign_in(&other, &authorize, "claire", Consent::Grant).await;
    flow(&authorize, &callback, &mut secrets);
    let stolen = app.client().get(&callback).send().await.unwrap();
    shown.push(followed(&app, &app.client(), "ca", stolen).await);

    // The tokens Guichet received: the ID tokens it keeps for logout, the access tokens issued.
    let id_tokens = app
        .text("SELECT string_agg(id_token, ' ') FROM tenant_ca.sessions WHERE id_token IS NOT NULL")
        .await;
    let id_tokens: Vec<String> = id_tokens.split(' ').map(str::to_owned).collect();
    assert_eq!(id_tokens.len(), 2, "the citizen's and the agent's");
    let access_tokens = provider.issued_access_tokens();
    assert!(access_tokens.len() >= 2, "{access_tokens:?}");
    secrets.extend(id_tokens);
    secrets.extend(access_tokens);

    let logout = app.post(&citizen, "ca", "logout", &[]).await;
    assert!(logout.status().is_success() || logout.status().is_redirection());

    // The admin's page and server functions.
    shown.push(
        app.get(&admin, "ca", "/administration/identite")
            .await
            .text()
            .await
            .unwrap(),
    );
    shown.push(
        app.post(&admin, "ca", "identity/admin", &[])
            .await
            .text()
            .await
            .unwrap(),
    );
    // Each failure page, as its redirect names it.
    for failure in app::identity::model::Failure::ALL {
        shown.push(
            app.client()
                .get(app.url("ca", &format!("/connexion/echec?motif={}", failure.code())))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
    }

    let logs = logs.text();
    // The capture is live: the server's sign-ins and the failures were logged.
    assert!(logs.contains("federated sign-in failed"), "{logs}");
    assert!(logs.contains("/connexion/franceconnect/retour"), "{logs}");
    assert!(secrets.len() > 15, "{secrets:?}");
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "logged: {secret}");
        for page in &shown {
            assert!(!page.contains(secret.as_str()), "shown: {secret} in {page}");
        }
    }
}
