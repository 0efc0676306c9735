#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Page access: decided before the page renders, the same answer to the same request however
//! many arrive at once; anonymous visitors sent to sign in and brought back, users without the
//! role refused with a 403 in French, another commune's session worth nothing. Also the pages'
//! Content-Security-Policy and the commune's icon.

use futures::future::join_all;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const ADMIN_PASSWORD: &str = "Clef-Secrete-2026";
pub const PASSWORD: &str = "Tournesol-Cle-2026";
/// An id no template, démarche or dossier has.
const UNKNOWN: &str = "00000000-0000-4000-8000-000000000042";

/// An agent of `slug` with `role`, invited by its admin, signed in.
pub async fn member(
    app: &TestApp,
    admin: &reqwest::Client,
    slug: &str,
    email: &str,
    role: &str,
) -> reqwest::Client {
    let invited = app
        .post(
            admin,
            slug,
            "admin/invite_agent",
            &[("email", email), ("display_name", email), ("role", role)],
        )
        .await;
    assert_eq!(invited.status(), StatusCode::OK);
    app.accept_invitation(slug, email, PASSWORD).await
}

async fn citizen(app: &TestApp, slug: &str) -> reqwest::Client {
    let client = app.client();
    app.citizen(&client, slug, "jeanne@example.org", "Tournesol-Jardin-44")
        .await;
    client
}

/// A page: its status, `Location` and body.
pub async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, String, String) {
    let response = client.get(url).send().await.unwrap();
    let location = response
        .headers()
        .get(LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status(), location, response.text().await.unwrap())
}

/// The session token a successful sign-in sets.
fn session_of(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("guichet_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned()
}

/// `count` identical requests at once; their (status, location) answers, deduplicated.
async fn answers_at_once(
    client: &reqwest::Client,
    url: &str,
    count: usize,
) -> Vec<(StatusCode, String)> {
    let answers = join_all((0..count).map(|_| async {
        let (status, location, _) = get(client, url).await;
        (status, location)
    }))
    .await;
    let mut distinct = answers;
    distinct.sort();
    distinct.dedup();
    distinct
}

#[tokio::test]
async fn identical_requests_to_protected_pages_get_identical_answers_however_many_arrive_at_once() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let agent = member(&app, &admin, "ca", "agent@ca.test", "agent").await;
    let anonymous = app.client();

    for path in [
        format!("/back-office/courriers/{UNKNOWN}"),
        format!("/back-office/demarches/{UNKNOWN}"),
        "/back-office/catalogue".to_owned(),
        "/administration/apparence".to_owned(),
        "/admin/agents".to_owned(),
        "/back-office".to_owned(),
    ] {
        let answers = answers_at_once(&anonymous, &app.url("ca", &path), 50).await;
        assert_eq!(answers.len(), 1, "{path}: {answers:?}");
        assert_eq!(answers[0].0, StatusCode::SEE_OTHER, "{path}");
    }
    // Signed in without the role: always the refusal, never the page nor another status.
    let answers = answers_at_once(
        &agent,
        &app.url("ca", &format!("/back-office/courriers/{UNKNOWN}")),
        50,
    )
    .await;
    assert_eq!(answers, vec![(StatusCode::FORBIDDEN, String::new())]);
    // With the role, the page renders and awaits its data: an unknown template, every time.
    let answers = answers_at_once(
        &admin,
        &app.url("ca", &format!("/back-office/courriers/{UNKNOWN}")),
        50,
    )
    .await;
    assert_eq!(answers, vec![(StatusCode::NOT_FOUND, String::new())]);
}

#[tokio::test]
async fn an_anonymous_visitor_is_sent_to_sign_in_and_brought_back_to_the_page_afterwards() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.admin("ca").await;
    let visitor = app.client();
    let page = format!("/back-office/demarches/{UNKNOWN}?onglet=apercu");

    let (status, location, _) = get(&visitor, &app.url("ca", &page)).await;

    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/connexion?retour=/back-office/demarches/{UNKNOWN}%3Fonglet%3Dapercu")
    );
    // The sign-in page carries the return path in its form…
    let (status, _, form) = get(&visitor, &app.url("ca", &location)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(&format!(
            r#"name="retour" value="{}""#,
            page.replace('&', "&amp;")
        )),
        "{form}"
    );
    // …and signing in from it leads there.
    let signed_in = app
        .post(
            &visitor,
            "ca",
            "login",
            &[
                ("email", "admin@ca.test"),
                ("password", ADMIN_PASSWORD),
                ("retour", &page),
            ],
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(signed_in.headers()[LOCATION], page.as_str());
    // Without JavaScript (a plain form post), the same, as a redirect the browser follows.
    let plain = app
        .client()
        .post(app.url("ca", "/api/login"))
        .header("accept", "text/html")
        .form(&[
            ("email", "admin@ca.test"),
            ("password", ADMIN_PASSWORD),
            ("retour", &page),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::FOUND);
    assert_eq!(plain.headers()[LOCATION], page.as_str());
    let (status, _, _) = get(&visitor, &app.url("ca", &page)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_return_path_to_another_site_is_ignored_after_sign_in() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.admin("ca").await;

    for hostile in [
        "//evil.test/x",
        "https://evil.test/",
        "/\\evil.test",
        "/a\r\nSet-Cookie: x=1",
    ] {
        let response = app
            .post(
                &app.client(),
                "ca",
                "login",
                &[
                    ("email", "admin@ca.test"),
                    ("password", ADMIN_PASSWORD),
                    ("retour", hostile),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{hostile:?}");
        assert_eq!(response.headers()[LOCATION], "/back-office", "{hostile:?}");
    }
}

#[tokio::test]
async fn a_signed_in_citizen_gets_a_403_in_french_on_agents_and_administration_pages() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let jeanne = citizen(&app, "ca").await;

    for (path, message) in [
        ("/back-office", app::account::strings::NOT_AN_AGENT),
        (
            "/back-office/courriers",
            app::account::strings::NOT_A_MANAGER,
        ),
        (
            "/administration/organigramme",
            app::account::strings::NOT_AN_ADMIN,
        ),
    ] {
        let (status, _, body) = get(&jeanne, &app.url("ca", path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            body.contains(&message.replace('\'', "&#39;")) || body.contains(message),
            "{path}: {body}"
        );
        assert!(body.contains("Accès refusé"), "{path}");
        // The page itself is not rendered, nor the app started on it.
        assert!(!body.contains("Chargement"), "{path}");
        assert!(!body.contains("/pkg/guichet.js"), "{path}");
    }
}

#[tokio::test]
async fn an_agent_is_refused_a_managers_page_that_a_manager_opens() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let admin = app.admin("ca").await;
    let agent = member(&app, &admin, "ca", "agent@ca.test", "agent").await;
    let manager = member(&app, &admin, "ca", "chef@ca.test", "manager").await;

    let (status, _, body) = get(&agent, &app.url("ca", "/back-office/courriers")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("responsables"), "{body}");
    let (status, _, _) = get(&agent, &app.url("ca", "/back-office")).await;
    assert_eq!(status, StatusCode::OK, "an agent's own space");

    let (status, _, body) = get(&manager, &app.url("ca", "/back-office/courriers")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(app::letters::strings::LIST_TITLE), "{body}");
    let (status, _, _) = get(&manager, &app.url("ca", "/admin/agents")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "administration is admins' only"
    );
    let (status, _, _) = get(&admin, &app.url("ca", "/admin/agents")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_session_of_another_commune_opens_no_page_here() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    app.admin("ca").await;
    let signed_in = app
        .login(&app.client(), "ca", "admin@ca.test", ADMIN_PASSWORD)
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let token = session_of(&signed_in);
    let send = |slug: &str| {
        app.client()
            .get(app.url(slug, "/administration/apparence"))
            .header(COOKIE, format!("guichet_session={token}"))
            .send()
    };

    let at_a = send("ca").await.unwrap();
    let at_b = send("cb").await.unwrap();

    assert_eq!(at_a.status(), StatusCode::OK, "the session is A's");
    assert_eq!(
        at_b.status(),
        StatusCode::SEE_OTHER,
        "at B it is no session"
    );
    assert_eq!(
        at_b.headers()[LOCATION],
        "/connexion?retour=/administration/apparence"
    );
}

/// The opening tags of the inline scripts and styles of `html` (not data blocks nor files).
fn inline_script_and_style_tags(html: &str) -> Vec<&str> {
    ["<script", "<style"]
        .into_iter()
        .flat_map(|open| html.match_indices(open))
        .filter_map(|(at, _)| html[at..].split_once('>').map(|(tag, _)| tag))
        .filter(|tag| !tag.contains("application/json") && !tag.contains(" src="))
        .collect()
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_whose_nonce_is_on_every_inline_script() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let visitor = app.client();

    let mut nonces = Vec::new();
    // A hydrated page, a citizen's lean page, the not-found page.
    for path in ["/connexion", "/demarches", "/jamais-vu"] {
        let response = app.get(&visitor, "ca", path).await;
        let policy = response.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let body = response.text().await.unwrap();

        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap()
            .to_owned();
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{policy}");
        let tags = inline_script_and_style_tags(&body);
        assert!(!tags.is_empty(), "{path}");
        for tag in tags {
            assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: {tag}");
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a new nonce per response");
    // Server functions answer JSON: no page policy there.
    let site = visitor
        .post(app.url("ca", "/api/site"))
        .send()
        .await
        .unwrap();
    assert_eq!(site.status(), StatusCode::OK);
    assert!(!site.headers().contains_key(CONTENT_SECURITY_POLICY));
}

async fn json_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A 1×1 PNG.
const LOGO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// Uploads `LOGO` as `slug`'s logo and saves the look naming it; returns its asset name.
async fn set_logo(app: &TestApp, admin: &reqwest::Client, slug: &str) -> String {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(LOGO.to_vec()).file_name("logo.png"),
    );
    let uploaded = json_of(
        admin
            .post(app.url(slug, "/api/administration/apparence/images?type=logo"))
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let name = uploaded["name"].as_str().unwrap().to_owned();
    let state = json_of(app.post(admin, slug, "branding/state", &[]).await).await;
    let mut document = state["document"].clone();
    document["look"]["logo"] = json!(name);
    let seen = state["version"].as_u64().unwrap().to_string();
    json_of(
        app.post(
            admin,
            slug,
            "branding/save",
            &[("seen", &seen), ("document", &document.to_string())],
        )
        .await,
    )
    .await;
    name
}

#[tokio::test]
async fn the_icon_is_the_communes_logo_or_guichets_own_and_never_another_communes() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    app.create_tenant("cb", "Commune B").await;
    let admin_b = app.admin("cb").await;
    let logo = set_logo(&app, &admin_b, "cb").await;
    let visitor = app.client();
    let default_icon = include_bytes!("../../../public/favicon.png");

    let at_b = app.get(&visitor, "cb", "/favicon.ico").await;
    assert_eq!(at_b.status(), StatusCode::OK);
    assert_eq!(at_b.headers()[CONTENT_TYPE], "image/png");
    assert_eq!(at_b.bytes().await.unwrap().as_ref(), LOGO, "B's own logo");
    let (_, _, page) = get(&visitor, &app.url("cb", "/")).await;
    assert!(
        page.contains(&format!(r#"<link rel="icon" href="/favicon.ico?v={logo}""#)),
        "{page}"
    );

    for url in [app.url("ca", "/favicon.ico"), app.apex_url("/favicon.ico")] {
        let response = visitor.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_eq!(response.headers()[CONTENT_TYPE], "image/png", "{url}");
        assert_eq!(
            response.bytes().await.unwrap().as_ref(),
            default_icon,
            "{url}: Guichet's icon, not B's logo"
        );
    }
}
