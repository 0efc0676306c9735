//! Types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What an identity provider certified about a citizen (FranceConnect's claim set). Stored on the
/// account (`users.certified_identity`); the citizen cannot edit these attributes, prefill shows
/// them as certified and locks them, agents see the badge.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedIdentity {
    pub given_name: String,
    pub family_name: String,
    /// Nom d'usage (`preferred_username`), when it differs from the birth name.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birthdate: Option<String>,
    /// INSEE code of the birth commune (empty abroad).
    #[serde(default)]
    pub birthplace: Option<String>,
    /// INSEE code of the birth country (99100: France).
    #[serde(default)]
    pub birthcountry: Option<String>,
    /// `male` or `female`.
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// The provider's label as configured ("FranceConnect").
    pub provider: String,
    /// The authentication level the provider stated (`eidas1`…).
    pub acr: String,
    /// RFC 3339, when the provider last certified these values.
    pub certified_at: String,
}

impl CertifiedIdentity {
    /// "Prénom Nom" (the birth name; the usage name is shown apart).
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
            .trim()
            .to_owned()
    }
}
