#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The second factor (TOTP) of agents and operators: enrolment by the key the page shows (the
//! codes computed here from it, as an authenticator would), the sign-in's code step, wrong and
//! replayed codes, recovery codes, rate limiting, the mandatory switches, and communes kept
//! apart.

use app::second_factor::strings as s;
use app::second_factor::totp;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use crate::access::{get as page, member};
use crate::helpers::{TestApp, error_message, spawn_app};

const ADMIN_PASSWORD: &str = "Clef-Secrete-2026";
const OPERATOR_PASSWORD: &str = "Plateforme-2026";

/// An authenticator: the key read from the page, and the last step it gave a code for (each
/// code is used once; the server accepts the current step ±1).
struct Authenticator {
    key: Vec<u8>,
    last: i64,
}

impl Authenticator {
    /// The key shown on the security page (`<code class="totp-secret">`, grouped).
    fn from_page(page: &str) -> Self {
        let start = page
            .find(r#"class="totp-secret">"#)
            .unwrap_or_else(|| panic!("no key on the page: {page}"))
            + r#"class="totp-secret">"#.len();
        let shown = &page[start..start + page[start..].find('<').unwrap()];
        let key = totp::base32_decode(shown).expect("the key is base32");
        assert_eq!(key.len(), totp::SECRET_BYTES, "{shown}");
        Self {
            key,
            last: i64::MIN,
        }
    }

    fn now() -> i64 {
        let unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        totp::step_at(i64::try_from(unix).unwrap())
    }

    /// A code of a step not used yet (the earliest the server still accepts).
    fn next_code(&mut self) -> String {
        let now = Self::now();
        let step = (now - 1..=now + 1)
            .find(|step| *step > self.last)
            .expect("three codes used within one step");
        self.last = step;
        totp::code_at_step(&self.key, step).unwrap()
    }

    /// The code last given (to replay it).
    fn last_code(&self) -> String {
        totp::code_at_step(&self.key, self.last).unwrap()
    }

    /// Six digits that are no code the server would accept now.
    fn wrong_code(&self) -> String {
        let now = Self::now();
        let valid: Vec<String> = (now - 2..=now + 2)
            .map(|step| totp::code_at_step(&self.key, step).unwrap())
            .collect();
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
            .find(|code| !valid.contains(code))
            .unwrap()
    }
}

fn sets_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Enrols the signed-in `client` at `slug` (a commune, or `None` for the platform) through
/// its security page; returns its authenticator and the recovery codes shown once.
async fn enrol(
    app: &TestApp,
    client: &reqwest::Client,
    slug: Option<&str>,
) -> (Authenticator, Vec<String>) {
    let page_url = match slug {
        Some(slug) => app.url(slug, "/mon-compte/securite"),
        None => app.apex_url("/plateforme/securite"),
    };
    let api_url = |endpoint: &str| match slug {
        Some(slug) => app.url(slug, &format!("/api/{endpoint}")),
        None => app.apex_url(&format!("/api/{endpoint}")),
    };
    let (status, _, before) = page(client, &page_url).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert!(before.contains(s::STATE_OFF), "{before}");
    let started = client
        .post(api_url("second_factor/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::OK);
    let (_, _, pending) = page(client, &page_url).await;
    assert!(pending.contains("<svg"), "the QR code is on the page");
    assert!(pending.contains(r#"autocomplete="one-time-code""#));
    assert!(pending.contains(r#"inputmode="numeric""#));
    let mut authenticator = Authenticator::from_page(&pending);
    let confirmed = client
        .post(api_url("second_factor/confirm"))
        .form(&[("code", authenticator.next_code())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        confirmed.status(),
        StatusCode::OK,
        "{}",
        confirmed.text().await.unwrap()
    );
    let (_, _, done) = page(client, &page_url).await;
    let codes = recovery_codes(&done);
    assert_eq!(codes.len(), 10, "{done}");
    (authenticator, codes)
}

/// Commune A, its admin signed in and enrolled: their authenticator and recovery codes.
async fn enrolled_admin() -> (TestApp, reqwest::Client, Authenticator, Vec<String>) {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let (authenticator, codes) = enrol(&app, &admin, Some("ca")).await;
    (app, admin, authenticator, codes)
}

fn recovery_codes(page: &str) -> Vec<String> {
    let Some(start) = page.find(r#"data-testid="recovery-codes""#) else {
        return Vec::new();
    };
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|item| item[..item.find('<').unwrap()].to_owned())
        .collect()
}

async fn verify(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.post(client, slug, "second_factor/verify", form).await
}

#[tokio::test]
async fn an_agent_enrols_with_the_key_shown_and_sees_ten_recovery_codes_only_once() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;

    let (_, codes) = enrol(&app, &admin, Some("ca")).await;

    let distinct: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 10);
    let (_, _, again) = page(&admin, &app.url("ca", "/mon-compte/securite")).await;
    assert!(recovery_codes(&again).is_empty(), "shown once: {again}");
    assert!(again.contains(&s::codes_left(10)), "{again}");
    // The key is sealed at rest, the codes hashed.
    let schema = "tenant_ca";
    assert_eq!(
        app.count(&format!(
            "{schema}.second_factor_recovery_codes WHERE used_at IS NULL"
        ))
        .await,
        10
    );
    for code in &codes {
        assert_eq!(
            app.count(&format!(
                "{schema}.second_factor_recovery_codes WHERE position(convert_to('{code}', 'UTF8') in code_hash) > 0"
            ))
            .await,
            0
        );
    }
    assert_eq!(
        app.count(&format!(
            "{schema}.second_factors WHERE codes_to_show IS NULL AND confirmed_at IS NOT NULL"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_wrong_code_does_not_confirm_an_enrolment() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let started = app.post(&admin, "ca", "second_factor/start", &[]).await;
    assert_eq!(started.status(), StatusCode::OK);
    let (_, _, pending) = page(&admin, &app.url("ca", "/mon-compte/securite")).await;
    let authenticator = Authenticator::from_page(&pending);

    let refused = app
        .post(
            &admin,
            "ca",
            "second_factor/confirm",
            &[("code", &authenticator.wrong_code())],
        )
        .await;

    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(refused).await, s::CONFIRM_WRONG);
    assert_eq!(
        app.count("tenant_ca.second_factors WHERE confirmed_at IS NULL")
            .await,
        1
    );
    // Signing in again still needs no code.
    let login = app
        .login(&app.client(), "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    assert_eq!(login.headers()[LOCATION], "/back-office");
}

#[tokio::test]
async fn signing_in_asks_for_the_code_before_any_session_then_goes_where_the_sign_in_started() {
    let (app, _, mut authenticator, _) = enrolled_admin().await;
    let browser = app.client();

    let login = app
        .post(
            &browser,
            "ca",
            "login",
            &[
                ("email", "admin@ca.test"),
                ("password", ADMIN_PASSWORD),
                ("retour", "/back-office/dossiers"),
            ],
        )
        .await;

    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(login.headers()[LOCATION], "/connexion/code");
    assert!(sets_cookie(&login, "guichet_session").is_none());
    assert!(sets_cookie(&login, "guichet_code").is_some());
    let (status, location, _) = page(&browser, &app.url("ca", "/back-office")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no session yet");
    assert!(location.starts_with("/connexion?"));
    // The code page: the form, and nothing about the account.
    let (status, _, form) = page(&browser, &app.url("ca", "/connexion/code")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(s::CODE_INTRO), "{form}");
    assert!(form.contains(r#"autocomplete="one-time-code""#));
    assert!(!form.contains("admin@ca.test") && !form.contains(crate::helpers::FIRST_ADMIN_NAME));

    let code = authenticator.next_code();
    let passed = verify(&app, &browser, "ca", &[("code", &code)]).await;

    assert_eq!(passed.status(), StatusCode::OK);
    assert_eq!(passed.headers()[LOCATION], "/back-office/dossiers");
    assert!(sets_cookie(&passed, "guichet_session").is_some());
    let (status, _, _) = page(&browser, &app.url("ca", "/back-office/dossiers")).await;
    assert_eq!(status, StatusCode::OK);
    // The same code, at another sign-in: replayed.
    let other = app.client();
    let again = app
        .login(&other, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    assert_eq!(again.headers()[LOCATION], "/connexion/code");
    let replayed = verify(&app, &other, "ca", &[("code", &authenticator.last_code())]).await;
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(replayed).await, s::CODE_REPLAYED);
    // Without JavaScript, the same steps as redirects.
    let plain = app
        .client()
        .post(app.url("ca", "/api/second_factor/verify"))
        .header("accept", "text/html")
        .header(
            "cookie",
            format!(
                "guichet_code={}",
                sets_cookie(&again, "guichet_code").unwrap()
            ),
        )
        .form(&[("code", authenticator.next_code())])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::FOUND);
    assert_eq!(plain.headers()[LOCATION], "/back-office");
}

#[tokio::test]
async fn wrong_codes_are_counted_five_end_the_sign_in_and_the_account_is_throttled() {
    let (app, _, mut authenticator, _) = enrolled_admin().await;
    let browser = app.client();
    app.login(&browser, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;

    for attempt in 1..=4 {
        let refused = verify(
            &app,
            &browser,
            "ca",
            &[("code", &authenticator.wrong_code())],
        )
        .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{attempt}");
        assert_eq!(error_message(refused).await, s::CODE_WRONG);
    }
    let (_, _, form) = page(&browser, &app.url("ca", "/connexion/code")).await;
    assert!(form.contains(&s::attempts_left(1)), "{form}");
    let fifth = verify(
        &app,
        &browser,
        "ca",
        &[("code", &authenticator.wrong_code())],
    )
    .await;
    assert_eq!(error_message(fifth).await, s::CHALLENGE_SPENT);
    let code = authenticator.next_code();
    let too_late = verify(&app, &browser, "ca", &[("code", &code)]).await;
    assert_eq!(error_message(too_late).await, s::CHALLENGE_GONE);
    let (_, _, gone) = page(&browser, &app.url("ca", "/connexion/code")).await;
    assert!(gone.contains(s::CHALLENGE_GONE));

    // A new sign-in with the password: the account has had five wrong codes in 15 minutes.
    app.login(&browser, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    let throttled = verify(
        &app,
        &browser,
        "ca",
        &[("code", &authenticator.next_code())],
    )
    .await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_message(throttled).await, s::TOO_MANY_CODES);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_typed_in_any_case_with_or_without_its_dash() {
    let (app, _, _, codes) = enrolled_admin().await;

    let first = app.client();
    app.login(&first, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    let passed = verify(&app, &first, "ca", &[("secours", &codes[0])]).await;
    assert_eq!(passed.status(), StatusCode::OK);
    assert_eq!(passed.headers()[LOCATION], "/back-office");

    let second = app.client();
    app.login(&second, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    let used = verify(&app, &second, "ca", &[("secours", &codes[0])]).await;
    assert_eq!(used.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(used).await, s::CODE_WRONG);
    let typed = codes[1].replace('-', " ").to_uppercase();
    let passed = verify(&app, &second, "ca", &[("secours", &typed)]).await;
    assert_eq!(passed.status(), StatusCode::OK);
    let (_, _, security) = page(&second, &app.url("ca", "/mon-compte/securite")).await;
    assert!(security.contains(&s::codes_left(8)), "{security}");
}

#[tokio::test]
async fn disabling_needs_a_current_code_or_the_password() {
    let (app, admin, authenticator, _) = enrolled_admin().await;

    let refused = app
        .post(
            &admin,
            "ca",
            "second_factor/disable",
            &[("preuve", "Pas-le-bon-2026")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(refused).await, s::PROOF_WRONG);
    let replayed = app
        .post(
            &admin,
            "ca",
            "second_factor/disable",
            &[("preuve", &authenticator.last_code())],
        )
        .await;
    assert_eq!(error_message(replayed).await, s::PROOF_WRONG);
    let disabled = app
        .post(
            &admin,
            "ca",
            "second_factor/disable",
            &[("preuve", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);

    let login = app
        .login(&app.client(), "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    assert_eq!(login.headers()[LOCATION], "/back-office");
    assert_eq!(app.count("tenant_ca.second_factor_recovery_codes").await, 0);
}

#[tokio::test]
async fn when_the_commune_requires_it_an_agent_without_a_second_factor_enrols_before_the_back_office()
 {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin = app.admin("ca").await;
    let paul = member(&app, &admin, "ca", "paul@ca.test", "agent").await;
    let admin_b = app.admin("cb").await;
    let agent_b = member(&app, &admin_b, "cb", "zoe@cb.test", "agent").await;

    // The admin cannot require what they do not have themselves.
    let refused = app
        .post(
            &admin,
            "ca",
            "second_factor/set_required",
            &[("required", "true")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(refused).await, s::ENROL_YOURSELF_FIRST);
    enrol(&app, &admin, Some("ca")).await;
    let saved = app
        .post(
            &admin,
            "ca",
            "second_factor/set_required",
            &[("required", "true")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let (status, _, settings) = page(&admin, &app.url("ca", "/administration/securite")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(settings.contains(&s::enrolled_agents(1, 2)), "{settings}");
    assert!(settings.contains("paul@ca.test"), "{settings}");

    // Paul, signed in before, is sent to enrol from any back-office page…
    let (status, location, _) = page(&paul, &app.url("ca", "/back-office/dossiers")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        "/mon-compte/securite?retour=/back-office/dossiers"
    );
    let (status, location, _) = page(&paul, &app.url("ca", "/back-office")).await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/mon-compte/securite?retour=/back-office"
        )
    );
    // …and the back office's server functions refuse him, in French.
    let counters = app.post(&paul, "ca", "backoffice/counters", &[]).await;
    assert_eq!(counters.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_message(counters).await, s::REQUIRED_FORBIDDEN);
    // The enrolment page itself is open to him, with the notice.
    let (status, _, security) = page(&paul, &app.url("ca", "/mon-compte/securite")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(security.contains(s::REQUIRED_NOTICE), "{security}");
    // Once enrolled, the back office opens.
    enrol(&app, &paul, Some("ca")).await;
    let (status, _, _) = page(&paul, &app.url("ca", "/back-office/dossiers")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.post(&paul, "ca", "backoffice/counters", &[])
            .await
            .status(),
        StatusCode::OK
    );

    // Commune B's agents are not concerned.
    let (status, _, _) = page(&agent_b, &app.url("cb", "/back-office/dossiers")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.post(&agent_b, "cb", "backoffice/counters", &[])
            .await
            .status(),
        StatusCode::OK
    );
    // An agent cannot turn the switch, nor a citizen open the page.
    let switch = app
        .post(
            &agent_b,
            "cb",
            "second_factor/set_required",
            &[("required", "true")],
        )
        .await;
    assert_eq!(switch.status(), StatusCode::FORBIDDEN);
    let citizen = app.client();
    app.citizen(&citizen, "cb", "jeanne@example.org", "Tournesol-Jardin-44")
        .await;
    let (status, _, body) = page(&citizen, &app.url("cb", "/mon-compte/securite")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let start = app.post(&citizen, "cb", "second_factor/start", &[]).await;
    assert_eq!(start.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_message(start).await, s::AGENTS_ONLY);
}

#[tokio::test]
async fn a_communes_pending_sign_in_is_no_sign_in_at_another_commune() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin = app.admin("ca").await;
    app.admin("cb").await;
    let (mut authenticator, _) = enrol(&app, &admin, Some("ca")).await;
    let browser = app.client();
    let login = app
        .login(&browser, "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    let challenge = sets_cookie(&login, "guichet_code").unwrap();
    let code = authenticator.next_code();

    // The cookie is host-only; sent to B by hand with a right code, it opens nothing there.
    let elsewhere = app
        .client()
        .post(app.url("cb", "/api/second_factor/verify"))
        .header("cookie", format!("guichet_code={challenge}"))
        .form(&[("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert!(sets_cookie(&elsewhere, "guichet_session").is_none());
    assert_eq!(error_message(elsewhere).await, s::CHALLENGE_GONE);
    let (_, _, page_b) = page(&app.client_for(&["cb"]), &app.url("cb", "/connexion/code")).await;
    assert!(page_b.contains(s::CHALLENGE_GONE));
    // At A, the same code still completes the sign-in.
    let passed = verify(&app, &browser, "ca", &[("code", &code)]).await;
    assert_eq!(
        passed.status(),
        StatusCode::OK,
        "{}",
        passed.text().await.unwrap()
    );
}

async fn operator(app: &TestApp, email: &str) -> reqwest::Client {
    app::platform::service::upsert_operator(&app.state, email, "Opératrice", OPERATOR_PASSWORD)
        .await
        .unwrap();
    let client = app.client();
    let response = client
        .post(app.apex_url("/api/platform/login"))
        .form(&[("email", email), ("password", OPERATOR_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    client
}

#[tokio::test]
async fn operators_enrol_sign_in_with_a_code_and_can_be_required_to_have_one() {
    let app = spawn_app().await;
    let anne = operator(&app, "anne@guichet.test").await;
    let bruno = operator(&app, "bruno@guichet.test").await;

    let refused = anne
        .post(app.apex_url("/api/second_factor/set_required"))
        .form(&[("required", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(error_message(refused).await, s::ENROL_YOURSELF_FIRST);
    let (mut authenticator, _) = enrol(&app, &anne, None).await;
    let saved = anne
        .post(app.apex_url("/api/second_factor/set_required"))
        .form(&[("required", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::OK);

    // Bruno, without one, is sent to enrol and his console actions are refused.
    let (status, location, _) = page(&bruno, &app.apex_url("/plateforme")).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/plateforme/securite")
    );
    let (status, _, security) = page(&bruno, &app.apex_url("/plateforme/securite")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(security.contains(s::REQUIRED_NOTICE), "{security}");
    let tenants = bruno
        .post(app.apex_url("/api/platform/tenants"))
        .send()
        .await
        .unwrap();
    assert_eq!(tenants.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_message(tenants).await, s::REQUIRED_FORBIDDEN_OPERATOR);

    // Anne signs in again: her code first.
    let browser = app.client();
    let login = browser
        .post(app.apex_url("/api/platform/login"))
        .form(&[
            ("email", "anne@guichet.test"),
            ("password", OPERATOR_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.headers()[LOCATION], "/plateforme/connexion/code");
    assert!(sets_cookie(&login, "guichet_operator").is_none());
    let (status, _, form) = page(&browser, &app.apex_url("/plateforme/connexion/code")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(s::CODE_INTRO));
    let wrong = browser
        .post(app.apex_url("/api/second_factor/verify"))
        .form(&[("code", authenticator.wrong_code())])
        .send()
        .await
        .unwrap();
    assert_eq!(error_message(wrong).await, s::CODE_WRONG);
    let passed = browser
        .post(app.apex_url("/api/second_factor/verify"))
        .form(&[("code", authenticator.next_code())])
        .send()
        .await
        .unwrap();
    assert_eq!(passed.status(), StatusCode::OK);
    assert_eq!(passed.headers()[LOCATION], "/plateforme");
    assert!(sets_cookie(&passed, "guichet_operator").is_some());
    let tenants = browser
        .post(app.apex_url("/api/platform/tenants"))
        .send()
        .await
        .unwrap();
    assert_eq!(tenants.status(), StatusCode::OK);
    let (status, _, console) = page(&browser, &app.apex_url("/plateforme")).await;
    assert_eq!(status, StatusCode::OK, "{console}");
}

#[tokio::test]
async fn an_admin_resets_an_agents_lost_second_factor_recorded_and_the_agent_enrols_again() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin = app.admin("ca").await;
    enrol(&app, &admin, Some("ca")).await;
    let required = app
        .post(
            &admin,
            "ca",
            "second_factor/set_required",
            &[("required", "true")],
        )
        .await;
    assert_eq!(required.status(), StatusCode::OK);
    let paul = member(&app, &admin, "ca", "paul@ca.test", "agent").await;
    enrol(&app, &paul, Some("ca")).await;
    let id_of =
        |email: &str| format!("SELECT id::text FROM tenant_ca.users WHERE email = '{email}'");
    let paul_id = app.text(&id_of("paul@ca.test")).await;
    let admin_id = app.text(&id_of("admin@ca.test")).await;

    // The admin's page lists who has one, each with a reset but their own.
    let (_, _, settings) = page(&admin, &app.url("ca", "/administration/securite")).await;
    let enrolled = settings
        .split(r#"data-testid="enrolled""#)
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap_or_else(|| panic!("no list of enrolled accounts: {settings}"));
    assert!(
        enrolled.contains(&format!(r#"value="{paul_id}""#)),
        "{enrolled}"
    );
    assert!(
        !enrolled.contains(&format!(r#"value="{admin_id}""#)),
        "{enrolled}"
    );

    // An agent cannot reset anyone's; another commune's admin does not know Paul; nobody
    // resets their own here (that takes a code or the password on their security page).
    let by_agent = app
        .post(&paul, "ca", "second_factor/reset", &[("compte", &admin_id)])
        .await;
    assert_eq!(by_agent.status(), StatusCode::FORBIDDEN);
    let admin_b = app.admin("cb").await;
    let elsewhere = app
        .post(
            &admin_b,
            "cb",
            "second_factor/reset",
            &[("compte", &paul_id)],
        )
        .await;
    assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_message(elsewhere).await, s::RESET_UNKNOWN);
    let own = app
        .post(
            &admin,
            "ca",
            "second_factor/reset",
            &[("compte", &admin_id)],
        )
        .await;
    assert_eq!(error_message(own).await, s::RESET_SELF);
    assert_eq!(app.count("tenant_ca.second_factors").await, 2);

    // The admin resets Paul's: recorded, and once only.
    let reset = app
        .post(&admin, "ca", "second_factor/reset", &[("compte", &paul_id)])
        .await;
    assert_eq!(
        reset.status(),
        StatusCode::OK,
        "{}",
        reset.text().await.unwrap()
    );
    assert_eq!(
        app.text(&format!(
            "SELECT count(*)::text FROM tenant_ca.second_factor_resets
             WHERE account_id = '{paul_id}' AND reset_by = '{admin_id}'"
        ))
        .await,
        "1"
    );
    assert_eq!(
        app.text(&format!(
            "SELECT count(*)::text FROM tenant_ca.second_factor_recovery_codes WHERE account_id = '{paul_id}'"
        ))
        .await,
        "0"
    );
    let again = app
        .post(&admin, "ca", "second_factor/reset", &[("compte", &paul_id)])
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_message(again).await, s::RESET_NOTHING);

    // Paul signs in with his password alone, and must enrol again before the back office.
    let browser = app.client();
    let login = app
        .login(&browser, "ca", "paul@ca.test", crate::access::PASSWORD)
        .await;
    assert!(sets_cookie(&login, "guichet_code").is_none());
    assert!(sets_cookie(&login, "guichet_session").is_some());
    let (status, location, _) = page(&browser, &app.url("ca", "/back-office/dossiers")).await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            "/mon-compte/securite?retour=/back-office/dossiers"
        )
    );
    enrol(&app, &browser, Some("ca")).await;
    let (status, _, _) = page(&browser, &app.url("ca", "/back-office/dossiers")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn an_operator_resets_another_operators_lost_second_factor_recorded() {
    let app = spawn_app().await;
    let anne = operator(&app, "anne@guichet.test").await;
    let bruno = operator(&app, "bruno@guichet.test").await;
    enrol(&app, &anne, None).await;
    enrol(&app, &bruno, None).await;
    let bruno_id = app
        .text("SELECT id::text FROM platform.operators WHERE email = 'bruno@guichet.test'")
        .await;
    let (_, _, settings) = page(&anne, &app.apex_url("/plateforme/securite")).await;
    assert!(
        settings.contains(&format!(r#"value="{bruno_id}""#)),
        "{settings}"
    );

    let reset = anne
        .post(app.apex_url("/api/second_factor/reset"))
        .form(&[("compte", &bruno_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        reset.status(),
        StatusCode::OK,
        "{}",
        reset.text().await.unwrap()
    );
    assert_eq!(
        app.text(&format!(
            "SELECT count(*)::text FROM platform.second_factor_resets WHERE account_id = '{bruno_id}'"
        ))
        .await,
        "1"
    );
    // Bruno's next sign-in asks for no code.
    let browser = app.client();
    let login = browser
        .post(app.apex_url("/api/platform/login"))
        .form(&[
            ("email", "bruno@guichet.test"),
            ("password", OPERATOR_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(sets_cookie(&login, "guichet_operator").is_some());
}
