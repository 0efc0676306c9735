//! Secrets stored at rest (identity providers' client secrets, second-factor keys): sealed with
//! XChaCha20-Poly1305 under the platform's key, each bound to where it belongs.
//!
//! The key comes from `GUICHET_SECRET_KEY` (32 bytes, base64) — every node of a deployment must
//! share it — or, for a single machine, from `<data dir>/secret.key`, created at first use.
//! A sealed value carries its *binding* (schema and purpose) as associated data: a ciphertext
//! copied into another tenant's schema, or into another column, does not open.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::error::AppError;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The platform's sealing key.
pub struct Secrets {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(…)")
    }
}

impl Secrets {
    pub fn from_key(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// `GUICHET_SECRET_KEY` if set, else the key file in `data_dir` (created if missing).
    pub fn load(data_dir: &Path) -> Result<Self, String> {
        if let Ok(encoded) = std::env::var("GUICHET_SECRET_KEY")
            && !encoded.trim().is_empty()
        {
            return Self::decode(encoded.trim()).map_err(|e| format!("GUICHET_SECRET_KEY: {e}"));
        }
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(encoded) => {
                Self::decode(encoded.trim()).map_err(|e| format!("{}: {e}", path.display()))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| format!("{}: {e}", data_dir.display()))?;
                write_private(&path, &STANDARD.encode(key))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                // Another process may have written its key first: the file decides.
                let encoded = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Self::decode(encoded.trim()).map_err(|e| format!("{}: {e}", path.display()))
            }
            Err(error) => Err(format!("{}: {error}", path.display())),
        }
    }

    fn decode(encoded: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "not base64".to_owned())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the key must be 32 bytes (base64 of 32 random bytes)".to_owned())?;
        Ok(Self::from_key(&key))
    }

    /// Seals `plain` for `binding` (e.g. `tenant_reze/identity.citizens.client_secret`).
    pub fn seal(&self, binding: &str, plain: &str) -> Result<Vec<u8>, AppError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: binding.as_bytes(),
                },
            )
            .map_err(|_| {
                tracing::error!("sealing a secret failed");
                AppError::Internal
            })?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what `seal` made for the same `binding`; anything else is an internal error (the
    /// key changed, or the value was moved), logged without the value.
    pub fn open(&self, binding: &str, sealed: &[u8]) -> Result<String, AppError> {
        let fail = || {
            tracing::error!(%binding, "a stored secret does not open (key changed or value moved)");
            AppError::Internal
        };
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(fail());
        }
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(&sealed[1..1 + NONCE_LEN]),
                Payload {
                    msg: &sealed[1 + NONCE_LEN..],
                    aad: binding.as_bytes(),
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => file.write_all(contents.as_bytes()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_binding() {
        let secrets = Secrets::from_key(&[7; 32]);
        let sealed = secrets
            .seal("tenant_a/identity.citizens", "s3cr3t")
            .unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        assert_eq!(
            secrets.open("tenant_a/identity.citizens", &sealed).unwrap(),
            "s3cr3t"
        );
        assert!(secrets.open("tenant_b/identity.citizens", &sealed).is_err());
        assert!(
            Secrets::from_key(&[8; 32])
                .open("tenant_a/identity.citizens", &sealed)
                .is_err()
        );
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("guichet-secrets-{}", uuid::Uuid::new_v4()));
        let first = Secrets::load(&dir).unwrap();
        let sealed = first.seal("x", "value").unwrap();
        let again = Secrets::load(&dir).unwrap();
        assert_eq!(again.open("x", &sealed).unwrap(), "value");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
