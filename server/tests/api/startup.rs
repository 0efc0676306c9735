#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Starting a server must not disturb the servers already running in the same process (the
//! API tests start one per test, side by side).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// Leptos walks the route tree with resource loading suspended process-wide; a page whose
/// data was being fetched meanwhile never answered (seen as rare 90-second time-outs in CI).
#[tokio::test]
async fn pages_keep_answering_while_other_routers_are_built_in_the_same_process() {
    let app = spawn_app().await;
    app.create_tenant("ca", "Commune A").await;
    let stop = Arc::new(AtomicBool::new(false));
    let builder = std::thread::spawn({
        let state = app.state.clone();
        let stop = stop.clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _inside = runtime.enter();
            let mut built = 0u32;
            while !stop.load(Ordering::Relaxed) {
                drop(guichet_server::http::router(state.clone()));
                built += 1;
            }
            built
        }
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .resolve("ca.localhost", app.addr)
        .build()
        .unwrap();

    let mut failure = None;
    for path in ["/", "/demarches", "/connexion"]
        .into_iter()
        .cycle()
        .take(150)
    {
        match client.get(app.url("ca", path)).send().await {
            Ok(response) if response.status() == StatusCode::OK => {}
            Ok(response) => failure = Some(format!("{path}: {}", response.status())),
            Err(error) => failure = Some(format!("{path}: {error}")),
        }
        if failure.is_some() {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().unwrap();

    assert_eq!(failure, None);
    assert!(built > 0, "no router was built meanwhile");
}
