#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Identity benchmark: prints figures (not pass/fail) for the full FranceConnect-style sign-in
//! round trip through the local OpenID provider (npm `oidc-provider`, end2end/oidc/).
//!
//! `GUICHET_BENCH_CITIZENS` (default 50) citizens sign in concurrently, `GUICHET_BENCH_SIGNINS`
//! (default 500) sign-ins in all, each in a fresh browser: `/connexion/franceconnect` → the
//! provider's login and consent pages → the callback → a session. Guichet's own time is the
//! start request plus the callback minus what the callback waited for the provider (token,
//! userinfo, keys: the callback's `Server-Timing`), printed apart from the provider's.
//!
//! Run it through `scripts/bench`. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench identity`

#[path = "../tests/api/oidc_provider.rs"]
mod oidc_provider;
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::identity::model::{Audience, Preset, ProviderSettings};
use app::infra::{Settings, TenantTx};
use app::platform::service::{NewTenant, provision_tenant};
use guichet_server::config::Config;
use leptos::config::{Env, LeptosOptions};
use oidc_provider::{Consent, OidcProvider, TestClient};
use support::{env_number, ms, percentile, progress};
use tokio::sync::Mutex;

const SLUG: &str = "bench-idp";

fn main() {
    support::run_in_fresh_database(run);
}

struct Sample {
    guichet: Duration,
    provider_in_callback: Duration,
    at_provider: Duration,
    total: Duration,
}

fn server_timing(response: &reqwest::Response, name: &str) -> Duration {
    let header = response
        .headers()
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    header
        .split(',')
        .filter_map(|part| part.trim().strip_prefix(&format!("{name};dur=")))
        .filter_map(|v| v.parse::<f64>().ok())
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .next()
        .unwrap_or_default()
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let citizens = env_number("GUICHET_BENCH_CITIZENS", 50);
    let signins = env_number("GUICHET_BENCH_SIGNINS", 500);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        database_url,
        settings: Settings {
            base_domain: "localhost".to_owned(),
            public_scheme: "http".to_owned(),
            public_port: Some(addr.port()),
            trust_forwarded_for: false,
            files_dir: data_dir.join("files"),
            files: app::infra::storage::FileStore::local(&data_dir.join("files")).unwrap(),
        },
        leptos: LeptosOptions::builder()
            .output_name("guichet")
            .site_root("target/site")
            .site_addr(addr)
            .env(Env::PROD)
            .build(),
        data_dir: data_dir.clone(),
        smtp_url: None,
        mail_from: "ne-pas-repondre@guichet.test".to_owned(),
        db_max_connections: 16,
    };
    let state = guichet_server::state(&config).await.expect("connect");
    guichet_server::migrate(&state).await.expect("migrate");
    let tenant = provision_tenant(
        &state,
        &NewTenant {
            name: "Commune du banc d'essai".to_owned(),
            slug: SLUG.to_owned(),
            admin_email: format!("admin@{SLUG}.test"),
            hosts: vec![],
            starter_pack: Vec::new(),
        },
    )
    .await
    .expect("provision")
    .tenant;
    let origin = format!("http://{SLUG}.localhost:{}", addr.port());
    let provider = OidcProvider::start(vec![TestClient {
        client_id: "guichet-bench".to_owned(),
        client_secret: "secret-du-banc-d-essai-0123456789".to_owned(),
        redirect_uris: vec![format!("{origin}/connexion/franceconnect/retour")],
        post_logout_redirect_uris: vec![format!("{origin}/")],
        id_token_alg: "ES256",
        userinfo_jwt: true,
    }])
    .await;
    let tx = TenantTx::begin(&state, tenant).await.expect("tx");
    app::identity::service::save(
        &tx,
        state.secrets().expect("secret key"),
        &ProviderSettings {
            audience: Audience::Citizens,
            preset: Preset::FranceConnect,
            label: "FranceConnect".to_owned(),
            issuer: provider.issuer.clone(),
            client_id: "guichet-bench".to_owned(),
            client_secret: "secret-du-banc-d-essai-0123456789".to_owned(),
            secret_set: false,
            scopes: "openid given_name family_name birthdate birthplace birthcountry gender email preferred_username".to_owned(),
            acr_values: "eidas1".to_owned(),
            local_accounts_allowed: true,
            role_claim: String::new(),
            role_mapping: String::new(),
            just_in_time: false,
            enabled: true,
        },
    )
    .await
    .expect("provider settings");
    tx.commit().await.expect("commit");
    let server_state = state.clone();
    tokio::spawn(guichet_server::serve_http(server_state, listener));

    progress(&format!(
        "{signins} sign-ins by {citizens} concurrent citizens through the local provider"
    ));
    let logins = ["angela", "jean", "claire"];
    let remaining = Arc::new(Mutex::new(signins));
    let samples = Arc::new(Mutex::new(Vec::with_capacity(signins)));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..citizens {
        let (remaining, samples, origin) = (remaining.clone(), samples.clone(), origin.clone());
        workers.push(tokio::spawn(async move {
            loop {
                {
                    let mut left = remaining.lock().await;
                    if *left == 0 {
                        break;
                    }
                    *left -= 1;
                }
                let browser = reqwest::Client::builder()
                    .cookie_store(true)
                    .redirect(reqwest::redirect::Policy::none())
                    .resolve(&format!("{SLUG}.localhost"), addr)
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap();
                let login = logins[worker % logins.len()];
                let t0 = Instant::now();
                let start = browser
                    .get(format!("{origin}/connexion/franceconnect"))
                    .send()
                    .await
                    .unwrap();
                let start_time = t0.elapsed();
                let authorize = start.headers()["location"].to_str().unwrap().to_owned();
                let t1 = Instant::now();
                let callback =
                    oidc_provider::sign_in(&browser, &authorize, login, Consent::Grant).await;
                let at_provider = t1.elapsed();
                let t2 = Instant::now();
                let landed = browser.get(&callback).send().await.unwrap();
                let callback_time = t2.elapsed();
                assert_eq!(landed.status(), reqwest::StatusCode::SEE_OTHER);
                let target = landed.headers()["location"].to_str().unwrap().to_owned();
                // A claire that met no local account is signed in too; anything else is a failure.
                assert!(
                    !target.starts_with("/connexion/echec"),
                    "sign-in failed: {target}"
                );
                let waited = server_timing(&landed, "provider");
                samples.lock().await.push(Sample {
                    guichet: start_time + callback_time.saturating_sub(waited),
                    provider_in_callback: waited,
                    at_provider,
                    total: t0.elapsed(),
                });
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let elapsed = started.elapsed();
    let samples = samples.lock().await;
    let sorted = |pick: fn(&Sample) -> Duration| {
        let mut values: Vec<Duration> = samples.iter().map(pick).collect();
        values.sort();
        values
    };
    let guichet = sorted(|s| s.guichet);
    let waited = sorted(|s| s.provider_in_callback);
    let at_provider = sorted(|s| s.at_provider);
    let total = sorted(|s| s.total);
    drop(provider);
    format!(
        "Identity: FranceConnect-style sign-in through the local provider (oidc-provider, ES256, signed userinfo)\n\
         {} sign-ins by {citizens} concurrent citizens in {:.1} s ({:.1} sign-ins/s)\n\
         Guichet's own time (start + callback, without waiting for the provider): p50 {:.1} ms, p99 {:.1} ms\n\
         callback waiting for the provider (token, userinfo): p50 {:.1} ms, p99 {:.1} ms\n\
         at the provider (login and consent pages, as the browser sees them): p50 {:.1} ms, p99 {:.1} ms\n\
         whole round trip: p50 {:.1} ms, p99 {:.1} ms",
        samples.len(),
        elapsed.as_secs_f64(),
        samples.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&guichet, 0.50)),
        ms(percentile(&guichet, 0.99)),
        ms(percentile(&waited, 0.50)),
        ms(percentile(&waited, 0.99)),
        ms(percentile(&at_provider, 0.50)),
        ms(percentile(&at_provider, 0.99)),
        ms(percentile(&total, 0.50)),
        ms(percentile(&total, 0.99)),
    )
}
