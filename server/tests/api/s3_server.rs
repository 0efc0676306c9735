//! The real S3-compatible server the file tests run against (PyPI `moto[server]`, see
//! end2end/s3_server.py): one shared by the whole test run, a bucket per test; or one of a
//! test's own, to stop it under a running server.
//!
//! Moto's Python comes from `GUICHET_TEST_MOTO_PYTHON` (set by scripts/test, which installs
//! moto once per machine), else from `data/tools/moto` in the checkout.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use uuid::Uuid;

/// A running moto server on loopback; it ends when its standard input closes (when this is
/// dropped, or when the test process exits).
pub struct S3Server {
    pub port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
}

/// A bucket of a running server, and what a test needs to look inside it without Guichet.
#[derive(Clone, Debug)]
pub struct S3Bucket {
    pub endpoint: String,
    pub bucket: String,
}

fn python() -> PathBuf {
    std::env::var_os("GUICHET_TEST_MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/tools/moto/bin/python3")
        })
}

impl S3Server {
    /// Starts a server of the test's own (the shared one is [`shared_bucket`]'s).
    pub fn start() -> Self {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/s3_server.py");
        let python = python();
        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start moto with {} ({error}): scripts/test installs it (ensure_moto)",
                    python.display()
                )
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the S3 server did not start: {line:?}"));
        let stdin = child.stdin.take();
        Self { port, child, stdin }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A new, empty bucket.
    pub async fn bucket(&self) -> S3Bucket {
        let bucket = format!("guichet-{}", Uuid::new_v4().simple());
        // Setting up the test's world, not what is tested: Guichet's own requests are signed.
        let created = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint()))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success(), "{}", created.status());
        S3Bucket {
            endpoint: self.endpoint(),
            bucket,
        }
    }

    /// Stops the server now (the store goes down under a running Guichet).
    pub fn stop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A new bucket on the server shared by the whole test run (started on first use).
pub async fn shared_bucket() -> S3Bucket {
    static SHARED: OnceLock<S3Server> = OnceLock::new();
    SHARED.get_or_init(S3Server::start).bucket().await
}

impl S3Bucket {
    /// The keys under `prefix` (e.g. `tenant_ca/`), as the store lists them.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let listing = reqwest::Client::new()
            .get(format!(
                "{}/{}?list-type=2&prefix={prefix}",
                self.endpoint, self.bucket
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        between(&listing, "<Key>", "</Key>")
    }

    /// An object's bytes, read straight from the store.
    pub async fn get(&self, key: &str) -> Vec<u8> {
        let response = reqwest::Client::new()
            .get(format!("{}/{}/{key}", self.endpoint, self.bucket))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{key}: {}",
            response.status()
        );
        response.bytes().await.unwrap().to_vec()
    }

    /// Multipart uploads started and neither completed nor aborted.
    pub async fn unfinished_uploads(&self) -> Vec<String> {
        let listing = reqwest::Client::new()
            .get(format!("{}/{}?uploads", self.endpoint, self.bucket))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        between(&listing, "<UploadId>", "</UploadId>")
    }
}

fn between(text: &str, open: &str, close: &str) -> Vec<String> {
    text.split(open)
        .skip(1)
        .filter_map(|rest| rest.split(close).next())
        .map(str::to_owned)
        .collect()
}
