//! The real OpenID provider the identity tests run against (npm `oidc-provider`, see
//! end2end/oidc/provider.mjs), configured like FranceConnect v2, and the glue to drive it as a
//! browser would: `sign_in` and `logout`. The self-tests at the bottom prove it behaves like
//! FranceConnect without Guichet, by a code flow done by hand.
//!
//! Accounts (end2end/oidc/accounts.mjs, password `motdepasse` for all): citizens `angela`
//! (reaches eidas3), `jean` (eidas2), `claire` (eidas1, email claire.local@example.org); agents
//! `agent.reze`, `manager.syndicat`, `admin.syndicat`, `stranger` with a `groups` claim.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use uuid::Uuid;

/// The password of every test account.
pub const PASSWORD: &str = "motdepasse";

/// A client (relying party) registered at the provider. Its subjects are pairwise by sector:
/// the redirect URIs' host (several hosts share one sector made up for the client).
pub struct TestClient {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// "RS256" | "ES256" | "HS256" (with the client secret).
    pub id_token_alg: &'static str,
    /// Userinfo as a JWT signed with `id_token_alg` (`application/jwt`, as FranceConnect v2)
    /// rather than JSON.
    pub userinfo_jwt: bool,
}

impl TestClient {
    fn metadata(&self) -> serde_json::Value {
        let mut client = json!({
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "id_token_signed_response_alg": self.id_token_alg,
        });
        if self.userinfo_jwt {
            client["userinfo_signed_response_alg"] = json!(self.id_token_alg);
        }
        client
    }
}

/// A running provider on loopback; killed when dropped.
pub struct OidcProvider {
    /// `http://127.0.0.1:<port>` (discovery at `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

#[derive(Deserialize)]
struct Ready {
    issuer: String,
    port: u16,
}

impl OidcProvider {
    pub async fn start(clients: Vec<TestClient>) -> Self {
        let dir = std::env::temp_dir().join(format!("guichet-oidc-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let clients: Vec<_> = clients.iter().map(TestClient::metadata).collect();
        write_config(&dir, 0, &clients);
        let (child, ready) = spawn_provider(&dir).await;
        // Restarts come back on the same port.
        write_config(&dir, ready.port, &clients);
        Self {
            issuer: ready.issuer,
            port: ready.port,
            dir,
            child: Some(child),
        }
    }

    /// Kills the provider: its port refuses connections until `restart`.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
    }

    /// Starts it again on the same port, with the same keys or (`new_keys`) new ones under new
    /// key ids. Its sessions, codes and tokens are gone either way (they live in its memory);
    /// subjects stay the same.
    pub async fn restart(&mut self, new_keys: bool) {
        self.stop().await;
        if new_keys {
            std::fs::remove_file(self.dir.join("jwks.json")).unwrap();
        }
        let (child, ready) = spawn_provider(&self.dir).await;
        assert_eq!(
            ready.port, self.port,
            "the provider came back on another port"
        );
        self.child = Some(child);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// Every access token the provider issued so far (in its memory only otherwise).
    pub fn issued_access_tokens(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("issued.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write_config(dir: &Path, port: u16, clients: &[serde_json::Value]) {
    let config = json!({
        "port": port,
        "clients": clients,
        "keys": dir.join("jwks.json"),
        "issued": dir.join("issued.txt"),
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
}

async fn spawn_provider(dir: &Path) -> (Child, Ready) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/oidc/provider.mjs");
    let log = std::fs::File::create(dir.join("provider.log")).unwrap();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(dir.join("config.json"))
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("node must be installed (and `cd end2end && npm ci` run)");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).await.unwrap();
    let ready = serde_json::from_str(&line).unwrap_or_else(|_| {
        let log = std::fs::read_to_string(dir.join("provider.log")).unwrap_or_default();
        panic!("the OpenID provider did not start (`cd end2end && npm ci`?): {line:?}\n{log}")
    });
    (child, ready)
}

pub enum Consent {
    Grant,
    Deny,
}

/// Follows an authorization URL as a browser would (give it a client with a cookie store and no
/// automatic redirects), signs in as `login` with `motdepasse` if the provider asks (it does not
/// while its session lasts), grants or denies consent (asked at every authorization), and
/// returns the final redirect Location pointing back to the relying party
/// (`redirect_uri?code=…&state=…&iss=…` or `?error=…`). Panics with the page's text if
/// something unexpected is shown (wrong password, an error page, another account's session).
pub async fn sign_in(
    http: &reqwest::Client,
    authorize_url: &str,
    login: &str,
    consent: Consent,
) -> String {
    let provider = origin(authorize_url);
    let mut url = Url::parse(authorize_url).unwrap();
    let mut form: Option<Vec<(String, String)>> = None;
    let mut signed_in = false;
    for _ in 0..20 {
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let response = request.send().await.unwrap();
        if let Some(location) = location(&response) {
            let next = url.join(&location).unwrap();
            if origin(next.as_str()) != provider {
                return next.to_string();
            }
            url = next;
            continue;
        }
        let status = response.status();
        let page = response.text().await.unwrap();
        if status == StatusCode::OK && page.contains(r#"id="password""#) && !signed_in {
            signed_in = true;
            url = url.join(&form_action(&page, "/login")).unwrap();
            form = Some(vec![
                ("login".to_owned(), login.to_owned()),
                ("password".to_owned(), PASSWORD.to_owned()),
            ]);
        } else if status == StatusCode::OK && page.contains(r#"id="confirm""#) {
            let account = between(&page, r#"<strong id="account">"#, "</strong>");
            assert_eq!(
                account, login,
                "the provider's session is {account}'s, not {login}'s"
            );
            let action = match consent {
                Consent::Grant => "/confirm",
                Consent::Deny => "/abort",
            };
            url = url.join(&form_action(&page, action)).unwrap();
            form = Some(vec![]);
        } else {
            panic!("unexpected page at {url} ({status}): {}", text_of(&page));
        }
    }
    panic!("sign-in at {authorize_url} did not come back to the relying party");
}

/// Follows an end_session URL (with `id_token_hint`, `post_logout_redirect_uri`, `state`) to its
/// end — the provider's logout page is a form the browser submits by itself; this posts it — and
/// returns the final redirect Location: the post_logout_redirect_uri with `state` (or the
/// provider's own "logged out" page without one). The provider session is gone afterwards: the
/// next authorization shows the login form again.
pub async fn logout(http: &reqwest::Client, end_session_url: &str) -> String {
    let provider = origin(end_session_url);
    let mut url = Url::parse(end_session_url).unwrap();
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..10 {
        let request = match form.take() {
            Some(fields) => http.post(url.clone()).form(&fields),
            None => http.get(url.clone()),
        };
        let response = request.send().await.unwrap();
        if let Some(location) = location(&response) {
            let next = url.join(&location).unwrap();
            if origin(next.as_str()) != provider {
                return next.to_string();
            }
            url = next;
            continue;
        }
        let status = response.status();
        let page = response.text().await.unwrap();
        if status == StatusCode::OK && page.contains(r#"id="logged-out""#) {
            return url.to_string();
        }
        if status == StatusCode::OK && page.contains(r#"name="xsrf""#) {
            url = url.join(&form_action(&page, "")).unwrap();
            let mut fields = hidden_inputs(&page);
            if !fields.iter().any(|(name, _)| name == "logout") {
                fields.push(("logout".to_owned(), "yes".to_owned()));
            }
            form = Some(fields);
            continue;
        }
        panic!("unexpected page at {url} ({status}): {}", text_of(&page));
    }
    panic!("logout at {end_session_url} did not end");
}

fn origin(url: &str) -> String {
    Url::parse(url).unwrap().origin().ascii_serialization()
}

fn location(response: &reqwest::Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let value = response.headers().get(reqwest::header::LOCATION)?;
    Some(value.to_str().unwrap().to_owned())
}

/// The `action` of the first form whose action ends with `suffix`.
fn form_action(page: &str, suffix: &str) -> String {
    page.split("<form")
        .skip(1)
        .map(|form| unescape(&between(form, r#"action=""#, "\"")))
        .find(|action| action.ends_with(suffix))
        .unwrap_or_else(|| panic!("no form posting to …{suffix} in: {}", text_of(page)))
}

fn hidden_inputs(page: &str) -> Vec<(String, String)> {
    page.split("<input")
        .skip(1)
        .map(|rest| &rest[..rest.find('>').unwrap_or(rest.len())])
        .filter(|tag| tag.contains(r#"type="hidden""#))
        .map(|tag| {
            (
                unescape(&between(tag, r#"name=""#, "\"")),
                unescape(&between(tag, r#"value=""#, "\"")),
            )
        })
        .collect()
}

fn between(text: &str, start: &str, end: &str) -> String {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in: {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    text[from..from + len].to_owned()
}

fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A page's visible text, roughly (tags, styles and scripts removed), for failure messages.
fn text_of(page: &str) -> String {
    let mut text = String::new();
    let mut rest = page;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let tag = &rest[open..];
        let skip_to = ["<style", "<script"]
            .into_iter()
            .find(|name| tag.starts_with(name))
            .and_then(|name| tag.find(&format!("</{}>", &name[1..])))
            .unwrap_or(0);
        rest = &tag[skip_to..];
        rest = rest.find('>').map_or("", |close| &rest[close + 1..]);
    }
    text.push_str(rest);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The self-tests: the provider, without Guichet, behaves like FranceConnect v2.
#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::{Digest, Sha256};

    const SECRET: &str = "un-secret-de-test-assez-long-pour-hs256-0123456789";

    fn client(id: &str, host: &str, id_token_alg: &'static str, userinfo_jwt: bool) -> TestClient {
        TestClient {
            client_id: id.to_owned(),
            client_secret: SECRET.to_owned(),
            redirect_uris: vec![format!(
                "http://{host}.localhost:4000/connexion/franceconnect/retour"
            )],
            post_logout_redirect_uris: vec![format!("http://{host}.localhost:4000/deconnexion")],
            id_token_alg,
            userinfo_jwt,
        }
    }

    /// Citizens of two communes (two sectors), the first one as FranceConnect v2 (ES256, JWT
    /// userinfo), plus agents whose redirect URIs span two hosts.
    async fn provider() -> OidcProvider {
        OidcProvider::start(vec![
            client("citoyens-reze", "reze", "ES256", true),
            client("citoyens-nantes", "nantes", "RS256", false),
            client("citoyens-hs", "hs", "HS256", false),
            TestClient {
                redirect_uris: vec![
                    "http://reze.localhost:4000/connexion/sso/retour".to_owned(),
                    "http://saint-herblain.localhost:4000/connexion/sso/retour".to_owned(),
                ],
                ..client("agents", "reze", "RS256", false)
            },
        ])
        .await
    }

    fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    struct Request {
        url: String,
        state: String,
        nonce: String,
        verifier: String,
        redirect_uri: String,
    }

    fn authorize(
        provider: &OidcProvider,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        extra: &[(&str, &str)],
    ) -> Request {
        let state = Uuid::new_v4().simple().to_string();
        let nonce = Uuid::new_v4().simple().to_string();
        let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut url = Url::parse(&provider.url("/auth")).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope)
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .extend_pairs(extra);
        Request {
            url: url.to_string(),
            state,
            nonce,
            verifier,
            redirect_uri: redirect_uri.to_owned(),
        }
    }

    fn citizen_request(provider: &OidcProvider, client: &str, host: &str) -> Request {
        authorize(
            provider,
            client,
            &format!("http://{host}.localhost:4000/connexion/franceconnect/retour"),
            "openid profile email birth",
            &[("acr_values", "eidas1")],
        )
    }

    fn param(url: &str, name: &str) -> Option<String> {
        Url::parse(url)
            .unwrap()
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    /// The code in the callback URL, after checking its state.
    fn code(callback: &str, request: &Request) -> String {
        assert!(
            callback.starts_with(&request.redirect_uri),
            "unexpected callback {callback}"
        );
        assert_eq!(param(callback, "state").as_deref(), Some(&*request.state));
        param(callback, "code").unwrap_or_else(|| panic!("no code in {callback}"))
    }

    /// The token endpoint's answer (status, JSON), authenticating with client_secret_post.
    async fn exchange(
        provider: &OidcProvider,
        client_id: &str,
        code: &str,
        request: &Request,
    ) -> (StatusCode, serde_json::Value) {
        let response = reqwest::Client::new()
            .post(provider.url("/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &request.redirect_uri),
                ("code_verifier", &request.verifier),
                ("client_id", client_id),
                ("client_secret", SECRET),
            ])
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    fn jwt_part(token: &str, index: usize) -> serde_json::Value {
        let part = token.split('.').nth(index).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// A full sign-in of `login` at `client`: the ID token's payload and the access token.
    async fn signed_in(
        provider: &OidcProvider,
        http: &reqwest::Client,
        client_id: &str,
        host: &str,
        login: &str,
    ) -> (serde_json::Value, String) {
        let request = citizen_request(provider, client_id, host);
        let callback = sign_in(http, &request.url, login, Consent::Grant).await;
        let (status, tokens) =
            exchange(provider, client_id, &code(&callback, &request), &request).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let id_token = tokens["id_token"].as_str().unwrap();
        let claims = jwt_part(id_token, 1);
        assert_eq!(claims["nonce"], request.nonce.as_str());
        (claims, tokens["access_token"].as_str().unwrap().to_owned())
    }

    /// The page an authorization request redirects to (its URL and HTML).
    async fn first_page(http: &reqwest::Client, authorize_url: &str) -> (Url, String) {
        let response = http.get(authorize_url).send().await.unwrap();
        let url = Url::parse(authorize_url)
            .unwrap()
            .join(&location(&response).unwrap())
            .unwrap();
        let page = http.get(url.clone()).send().await.unwrap();
        (url, page.text().await.unwrap())
    }

    async fn kids(provider: &OidcProvider) -> Vec<String> {
        let jwks: serde_json::Value = reqwest::get(provider.url("/jwks"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|key| key["kid"].as_str().unwrap().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn discovery_advertises_what_franceconnect_v2_offers() {
        let provider = provider().await;

        let discovery: serde_json::Value =
            reqwest::get(provider.url("/.well-known/openid-configuration"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();

        assert_eq!(discovery["issuer"], provider.issuer.as_str());
        assert_eq!(
            discovery["acr_values_supported"],
            json!(["eidas1", "eidas2", "eidas3"])
        );
        assert_eq!(discovery["subject_types_supported"], json!(["pairwise"]));
        assert_eq!(discovery["claims_parameter_supported"], json!(true));
        assert_eq!(discovery["response_types_supported"], json!(["code"]));
        for alg in ["RS256", "ES256"] {
            for list in [
                "id_token_signing_alg_values_supported",
                "userinfo_signing_alg_values_supported",
            ] {
                assert!(
                    discovery[list].as_array().unwrap().contains(&json!(alg)),
                    "{list}: {}",
                    discovery[list]
                );
            }
        }
        assert_eq!(
            discovery["end_session_endpoint"],
            provider.url("/session/end").as_str()
        );
        assert!(
            discovery["code_challenge_methods_supported"]
                .as_array()
                .unwrap()
                .contains(&json!("S256"))
        );
        for claim in [
            "given_name",
            "family_name",
            "preferred_username",
            "birthdate",
            "birthplace",
            "birthcountry",
            "gender",
            "email",
            "groups",
            "acr",
            "amr",
        ] {
            assert!(
                discovery["claims_supported"]
                    .as_array()
                    .unwrap()
                    .contains(&json!(claim)),
                "claims_supported lacks {claim}"
            );
        }
    }

    #[tokio::test]
    async fn a_code_flow_gives_an_id_token_with_acr_amr_nonce_and_a_pairwise_subject() {
        let provider = provider().await;
        let http = browser();

        let (reze, _) = signed_in(&provider, &http, "citoyens-reze", "reze", "angela").await;
        let (again, _) = signed_in(&provider, &http, "citoyens-reze", "reze", "angela").await;
        let (nantes, _) = signed_in(&provider, &http, "citoyens-nantes", "nantes", "angela").await;

        assert_eq!(reze["iss"], provider.issuer.as_str());
        assert_eq!(reze["aud"], "citoyens-reze");
        assert_eq!(reze["acr"], "eidas1");
        assert_eq!(reze["amr"], json!(["pwd"]));
        let sub = reze["sub"].as_str().unwrap();
        assert_eq!(sub.len(), 64, "{sub}");
        assert_eq!(again["sub"], sub, "a subject is stable for one client");
        assert_ne!(nantes["sub"], sub, "two sectors see two subjects");
        assert_ne!(sub, "angela");
        // No identity claim in the ID token: they come from userinfo, as at FranceConnect.
        assert!(reze.get("given_name").is_none(), "{reze}");
    }

    #[tokio::test]
    async fn id_tokens_are_signed_with_the_client_s_algorithm_and_a_published_key() {
        let provider = provider().await;
        let published = kids(&provider).await;

        for (client_id, host, alg) in [
            ("citoyens-reze", "reze", "ES256"),
            ("citoyens-nantes", "nantes", "RS256"),
            ("citoyens-hs", "hs", "HS256"),
        ] {
            let request = citizen_request(&provider, client_id, host);
            let callback = sign_in(&browser(), &request.url, "jean", Consent::Grant).await;
            let (_, tokens) =
                exchange(&provider, client_id, &code(&callback, &request), &request).await;
            let header = jwt_part(tokens["id_token"].as_str().unwrap(), 0);

            assert_eq!(header["alg"], alg, "{client_id}");
            if alg != "HS256" {
                let kid = header["kid"].as_str().unwrap().to_owned();
                assert!(published.contains(&kid), "{kid} not in {published:?}");
            }
        }
    }

    #[tokio::test]
    async fn the_id_token_carries_the_first_requested_acr_the_account_reaches() {
        let provider = provider().await;
        let redirect = "http://reze.localhost:4000/connexion/franceconnect/retour";

        for (login, acr_values, expected) in [
            ("angela", "eidas3 eidas2", "eidas3"),
            ("jean", "eidas3 eidas2", "eidas2"),
            ("jean", "eidas3", "eidas2"),
            ("claire", "eidas2", "eidas1"),
        ] {
            let request = authorize(
                &provider,
                "citoyens-reze",
                redirect,
                "openid",
                &[("acr_values", acr_values)],
            );
            let callback = sign_in(&browser(), &request.url, login, Consent::Grant).await;
            let (_, tokens) = exchange(
                &provider,
                "citoyens-reze",
                &code(&callback, &request),
                &request,
            )
            .await;

            let claims = jwt_part(tokens["id_token"].as_str().unwrap(), 1);
            assert_eq!(claims["acr"], expected, "{login} asking {acr_values}");
        }
    }

    #[tokio::test]
    async fn userinfo_is_a_signed_jwt_for_a_client_registered_for_it_and_json_otherwise() {
        let provider = provider().await;
        let http = browser();
        let (id_reze, token_reze) =
            signed_in(&provider, &http, "citoyens-reze", "reze", "angela").await;
        let (id_nantes, token_nantes) =
            signed_in(&provider, &http, "citoyens-nantes", "nantes", "angela").await;

        let jwt = reqwest::Client::new()
            .get(provider.url("/me"))
            .bearer_auth(&token_reze)
            .send()
            .await
            .unwrap();
        let plain = reqwest::Client::new()
            .get(provider.url("/me"))
            .bearer_auth(&token_nantes)
            .send()
            .await
            .unwrap();

        assert!(
            jwt.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/jwt")
        );
        let jwt = jwt.text().await.unwrap();
        assert_eq!(jwt_part(&jwt, 0)["alg"], "ES256");
        let from_jwt = jwt_part(&jwt, 1);
        assert_eq!(from_jwt["iss"], provider.issuer.as_str());
        assert_eq!(from_jwt["aud"], "citoyens-reze");
        assert!(
            plain.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let from_json: serde_json::Value = plain.json().await.unwrap();
        for (claims, id_token) in [(&from_jwt, &id_reze), (&from_json, &id_nantes)] {
            assert_eq!(claims["sub"], id_token["sub"]);
            assert_eq!(claims["given_name"], "Angela Claire Louise");
            assert_eq!(claims["family_name"], "DUBOIS");
            assert_eq!(claims["preferred_username"], "");
            assert_eq!(claims["birthdate"], "1962-08-24");
            assert_eq!(claims["birthplace"], "75107");
            assert_eq!(claims["birthcountry"], "99100");
            assert_eq!(claims["gender"], "female");
            assert_eq!(claims["email"], "wossewodda-3728@yopmail.com");
            assert!(claims.get("groups").is_none(), "not in the scopes asked");
        }
    }

    #[tokio::test]
    async fn the_claims_parameter_puts_requested_claims_in_the_id_token() {
        let provider = provider().await;
        let request = authorize(
            &provider,
            "citoyens-nantes",
            "http://nantes.localhost:4000/connexion/franceconnect/retour",
            "openid",
            &[(
                "claims",
                r#"{"id_token":{"given_name":null,"birthdate":{"essential":true}}}"#,
            )],
        );

        let callback = sign_in(&browser(), &request.url, "jean", Consent::Grant).await;
        let (_, tokens) = exchange(
            &provider,
            "citoyens-nantes",
            &code(&callback, &request),
            &request,
        )
        .await;

        let claims = jwt_part(tokens["id_token"].as_str().unwrap(), 1);
        assert_eq!(claims["given_name"], "Jean");
        assert_eq!(claims["birthdate"], "1980-02-29");
        assert!(claims.get("family_name").is_none(), "{claims}");
    }

    #[tokio::test]
    async fn agents_carry_their_groups_and_one_subject_across_the_communes_hosts() {
        let provider = provider().await;
        let http = browser();
        let mut subs = vec![];

        for host in ["reze", "saint-herblain"] {
            let request = authorize(
                &provider,
                "agents",
                &format!("http://{host}.localhost:4000/connexion/sso/retour"),
                "openid email profile groups",
                &[],
            );
            // The second commune: no login form, the provider's session signs the agent in.
            let callback = sign_in(&http, &request.url, "agent.reze", Consent::Grant).await;
            let (_, tokens) =
                exchange(&provider, "agents", &code(&callback, &request), &request).await;
            let userinfo: serde_json::Value = reqwest::Client::new()
                .get(provider.url("/me"))
                .bearer_auth(tokens["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();

            assert_eq!(userinfo["groups"], json!(["guichet-agents", "etat-civil"]));
            assert_eq!(userinfo["email"], "agent.reze@example.org");
            subs.push(userinfo["sub"].clone());
        }

        assert_eq!(subs[0], subs[1]);
    }

    #[tokio::test]
    async fn denying_consent_returns_access_denied() {
        let provider = provider().await;
        let request = citizen_request(&provider, "citoyens-reze", "reze");

        let callback = sign_in(&browser(), &request.url, "angela", Consent::Deny).await;

        assert!(callback.starts_with(&request.redirect_uri), "{callback}");
        assert_eq!(param(&callback, "error").as_deref(), Some("access_denied"));
        assert_eq!(
            param(&callback, "error_description").as_deref(),
            Some("L'usager a refusé")
        );
        assert_eq!(param(&callback, "state").as_deref(), Some(&*request.state));
        assert!(param(&callback, "code").is_none());
    }

    #[tokio::test]
    async fn a_wrong_password_shows_the_login_form_again_with_an_error() {
        let provider = provider().await;
        let http = browser();
        let request = citizen_request(&provider, "citoyens-reze", "reze");
        let (login_page, page) = first_page(&http, &request.url).await;
        let action = login_page.join(&form_action(&page, "/login")).unwrap();

        let again = http
            .post(action)
            .form(&[("login", "angela"), ("password", "mauvais")])
            .send()
            .await
            .unwrap();

        assert_eq!(again.status(), StatusCode::OK);
        let again = again.text().await.unwrap();
        assert!(again.contains(r#"id="password""#));
        assert!(
            text_of(&again).contains("Identifiant ou mot de passe incorrect."),
            "{again}"
        );
    }

    #[tokio::test]
    async fn an_unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
        let provider = provider().await;
        let request = authorize(
            &provider,
            "citoyens-reze",
            "http://reze.localhost:4000/ailleurs",
            "openid",
            &[],
        );

        let response = browser().get(&request.url).send().await.unwrap();

        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let page = text_of(&response.text().await.unwrap());
        assert!(page.contains("redirect_uri did not match"), "{page}");
    }

    #[tokio::test]
    async fn a_code_can_be_used_only_once() {
        let provider = provider().await;
        let request = citizen_request(&provider, "citoyens-reze", "reze");
        let callback = sign_in(&browser(), &request.url, "jean", Consent::Grant).await;
        let code = code(&callback, &request);
        let (first, _) = exchange(&provider, "citoyens-reze", &code, &request).await;

        let (second, error) = exchange(&provider, "citoyens-reze", &code, &request).await;

        assert_eq!(first, StatusCode::OK);
        assert_eq!(second, StatusCode::BAD_REQUEST);
        assert_eq!(error["error"], "invalid_grant");
    }

    #[tokio::test]
    async fn the_token_endpoint_also_takes_client_secret_basic() {
        let provider = provider().await;
        let request = citizen_request(&provider, "citoyens-nantes", "nantes");
        let callback = sign_in(&browser(), &request.url, "jean", Consent::Grant).await;

        let response = reqwest::Client::new()
            .post(provider.url("/token"))
            .basic_auth("citoyens-nantes", Some(SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code(&callback, &request)),
                ("redirect_uri", &request.redirect_uri),
                ("code_verifier", &request.verifier),
            ])
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::OK);
        let tokens: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            jwt_part(tokens["id_token"].as_str().unwrap(), 1)["aud"],
            "citoyens-nantes"
        );
    }

    #[tokio::test]
    async fn a_wrong_pkce_verifier_is_refused() {
        let provider = provider().await;
        let mut request = citizen_request(&provider, "citoyens-reze", "reze");
        let callback = sign_in(&browser(), &request.url, "jean", Consent::Grant).await;
        let code = code(&callback, &request);
        request.verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());

        let (status, error) = exchange(&provider, "citoyens-reze", &code, &request).await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(error["error"], "invalid_grant");
    }

    #[tokio::test]
    async fn restarting_with_new_keys_changes_the_key_ids_on_the_same_port() {
        let mut provider = provider().await;
        let first = kids(&provider).await;
        let port = provider.port;

        provider.restart(false).await;
        let same = kids(&provider).await;
        provider.restart(true).await;
        let renewed = kids(&provider).await;

        assert_eq!(provider.port, port);
        assert_eq!(first.len(), 2);
        assert_eq!(same, first);
        assert!(
            renewed.iter().all(|kid| !first.contains(kid)),
            "{renewed:?}"
        );
    }

    #[tokio::test]
    async fn a_stopped_provider_refuses_connections_until_restarted() {
        let mut provider = provider().await;
        let discovery = provider.url("/.well-known/openid-configuration");

        provider.stop().await;
        let down = reqwest::get(&discovery).await;
        provider.restart(false).await;
        let up = reqwest::get(&discovery).await.unwrap();

        assert!(down.unwrap_err().is_connect());
        assert_eq!(up.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn logout_ends_the_provider_session() {
        let provider = provider().await;
        let http = browser();
        let request = citizen_request(&provider, "citoyens-reze", "reze");
        let callback = sign_in(&http, &request.url, "angela", Consent::Grant).await;
        let (_, tokens) = exchange(
            &provider,
            "citoyens-reze",
            &code(&callback, &request),
            &request,
        )
        .await;
        let mut end_session = Url::parse(&provider.url("/session/end")).unwrap();
        end_session
            .query_pairs_mut()
            .append_pair("id_token_hint", tokens["id_token"].as_str().unwrap())
            .append_pair(
                "post_logout_redirect_uri",
                "http://reze.localhost:4000/deconnexion",
            )
            .append_pair("state", "etat-de-deconnexion");
        // While the session lasts, an authorization asks for no password.
        let (_, before) = first_page(
            &http,
            &citizen_request(&provider, "citoyens-reze", "reze").url,
        )
        .await;

        let back = logout(&http, end_session.as_str()).await;

        assert!(before.contains(r#"id="confirm""#), "{}", text_of(&before));
        assert_eq!(
            back,
            "http://reze.localhost:4000/deconnexion?state=etat-de-deconnexion"
        );
        let (_, after) = first_page(
            &http,
            &citizen_request(&provider, "citoyens-reze", "reze").url,
        )
        .await;
        assert!(after.contains(r#"id="password""#), "{}", text_of(&after));
    }

    #[tokio::test]
    async fn a_post_logout_redirect_uri_not_registered_is_refused() {
        let provider = provider().await;
        let http = browser();
        let request = citizen_request(&provider, "citoyens-reze", "reze");
        let callback = sign_in(&http, &request.url, "angela", Consent::Grant).await;
        let (_, tokens) = exchange(
            &provider,
            "citoyens-reze",
            &code(&callback, &request),
            &request,
        )
        .await;
        let mut end_session = Url::parse(&provider.url("/session/end")).unwrap();
        end_session
            .query_pairs_mut()
            .append_pair("id_token_hint", tokens["id_token"].as_str().unwrap())
            .append_pair("post_logout_redirect_uri", "http://evil.localhost:4000/");

        let response = http.get(end_session).send().await.unwrap();

        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("post_logout_redirect_uri not registered")
        );
    }
}
