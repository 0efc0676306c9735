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

/// Where a signed-out citizen or agent whose session came from a provider is sent: the page
/// that sends them on to the provider's logout (a redirect straight from the logout form would
/// be refused by the browser: the pages' CSP has `form-action 'self'`).
pub const PROVIDER_LOGOUT_PATH: &str = "/deconnexion/fournisseur";

/// Who signs in through a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Citizens,
    Agents,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizens => "citizens",
            Self::Agents => "agents",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "citizens" => Some(Self::Citizens),
            "agents" => Some(Self::Agents),
            _ => None,
        }
    }

    /// The sign-in start and callback paths at a commune's host (the callback is the redirect
    /// URI to register at the provider).
    pub fn start_path(self) -> &'static str {
        match self {
            Self::Citizens => "/connexion/franceconnect",
            Self::Agents => "/connexion/agents",
        }
    }

    pub fn callback_path(self) -> &'static str {
        match self {
            Self::Citizens => "/connexion/franceconnect/retour",
            Self::Agents => "/connexion/agents/retour",
        }
    }
}

/// Why a federated sign-in did not happen. Each has its French page (`/connexion/echec?motif=`),
/// which offers the local sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Failure {
    /// The citizen refused (or cancelled) at the provider.
    Denied,
    /// The provider answered the callback with another error.
    ProviderError,
    /// The callback's state is unknown, used, expired, or from another browser.
    WrongState,
    /// The provider refused the code (expired or already used).
    CodeRejected,
    /// A token or signed response did not verify (signature, issuer, audience, expiry, nonce,
    /// level of assurance).
    InvalidToken,
    /// A key id the provider's keys do not have, even after fetching them again.
    UnknownKey,
    /// The provider could not be reached during the sign-in.
    ProviderUnreachable,
    /// The provider's discovery document could not be fetched or read.
    DiscoveryFailed,
    /// No provider is configured for this audience at this commune.
    NotConfigured,
    /// Agents: the provider's account is unknown here and provisioning is off, has no role
    /// mapped, or the agent is deactivated.
    AgentRefused,
    /// The provider gave no usable identity (no name, no email where one is needed).
    IncompleteIdentity,
    /// The email is an account's that has no password to prove (made through another way).
    AccountConflict,
}

impl Failure {
    pub const ALL: [Failure; 12] = [
        Self::Denied,
        Self::ProviderError,
        Self::WrongState,
        Self::CodeRejected,
        Self::InvalidToken,
        Self::UnknownKey,
        Self::ProviderUnreachable,
        Self::DiscoveryFailed,
        Self::NotConfigured,
        Self::AgentRefused,
        Self::IncompleteIdentity,
        Self::AccountConflict,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Denied => "refus",
            Self::ProviderError => "erreur-fournisseur",
            Self::WrongState => "session-expiree",
            Self::CodeRejected => "code-expire",
            Self::InvalidToken | Self::UnknownKey => "jeton-invalide",
            Self::ProviderUnreachable => "fournisseur-injoignable",
            Self::DiscoveryFailed => "configuration-injoignable",
            Self::NotConfigured => "non-configure",
            Self::AgentRefused => "agent-refuse",
            Self::IncompleteIdentity => "identite-incomplete",
            Self::AccountConflict => "compte-existant",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn message(self) -> &'static str {
        use super::strings as s;
        match self {
            Self::Denied => s::FAIL_DENIED,
            Self::ProviderError => s::FAIL_PROVIDER_ERROR,
            Self::WrongState => s::FAIL_WRONG_STATE,
            Self::CodeRejected => s::FAIL_CODE_REJECTED,
            Self::InvalidToken | Self::UnknownKey => s::FAIL_INVALID_TOKEN,
            Self::ProviderUnreachable => s::FAIL_UNREACHABLE,
            Self::DiscoveryFailed => s::FAIL_DISCOVERY,
            Self::NotConfigured => s::FAIL_NOT_CONFIGURED,
            Self::AgentRefused => s::FAIL_AGENT_REFUSED,
            Self::IncompleteIdentity => s::FAIL_INCOMPLETE,
            Self::AccountConflict => s::FAIL_ACCOUNT_CONFLICT,
        }
    }
}

/// Presets that fill the known values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    Custom,
    FranceConnect,
    ProConnect,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::FranceConnect => "franceconnect",
            Self::ProConnect => "proconnect",
        }
    }

    pub fn parse(value: &str) -> Self {
        match value {
            "franceconnect" => Self::FranceConnect,
            "proconnect" => Self::ProConnect,
            _ => Self::Custom,
        }
    }

    /// (label, issuer, scopes, acr_values) the preset fills; the issuer is FranceConnect v2's
    /// production one, to be replaced by the integration platform's while testing.
    pub fn defaults(self) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
        match self {
            Self::FranceConnect => Some((
                "FranceConnect",
                "https://oidc.franceconnect.gouv.fr/api/v2",
                "openid given_name family_name preferred_username birthdate birthplace birthcountry gender email",
                "eidas1",
            )),
            Self::ProConnect => Some((
                "ProConnect",
                "https://auth.agentconnect.gouv.fr/api/v2",
                "openid given_name usual_name email uid siret",
                "eidas1",
            )),
            Self::Custom => None,
        }
    }
}

/// What an agents' provider's claim value gives in Guichet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    /// `agent`, `manager` or `admin`.
    pub role: String,
    /// Org chart services (ids) the agent is made a member of.
    #[serde(default)]
    pub services: Vec<String>,
}

/// A provider's settings as the administration page shows and edits them. The secret is never
/// sent back: `secret_set` says whether one is stored; an empty `client_secret` on save keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderSettings {
    pub audience: Audience,
    pub preset: Preset,
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    #[serde(default)]
    pub secret_set: bool,
    pub scopes: String,
    pub acr_values: String,
    pub local_accounts_allowed: bool,
    /// Agents: the claim holding groups or roles (e.g. `groups`).
    #[serde(default)]
    pub role_claim: String,
    /// Agents: `claim value = role` lines, e.g. `guichet-admins = admin`.
    #[serde(default)]
    pub role_mapping: String,
    /// Agents: create unknown agents with the mapped role (else refuse them).
    #[serde(default)]
    pub just_in_time: bool,
    pub enabled: bool,
}

/// What this commune offers on its sign-in page, and where it comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The citizens' provider's label, if one is configured and enabled.
    pub citizens: Option<String>,
    pub citizens_is_franceconnect: bool,
    pub agents: Option<String>,
    pub local_accounts_allowed: bool,
}

/// An administration page's view of one audience.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    /// The commune's own settings, if any.
    pub own: Option<ProviderSettings>,
    /// The platform's default, inherited while the commune has none of its own.
    pub inherited: Option<ProviderSettings>,
    /// The redirect and post-logout URIs to register at the provider.
    pub redirect_uri: String,
    pub post_logout_redirect_uri: String,
}

/// Parses `value = role` lines (role mapping of the agents' provider).
pub fn parse_role_mapping(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((value, role)) = line.split_once('=') else {
            return Err(format!(
                "ligne {} : écrivez « valeur = rôle » (agent, manager ou admin)",
                number + 1
            ));
        };
        let (value, role) = (value.trim(), role.trim());
        if value.is_empty() || !["agent", "manager", "admin"].contains(&role) {
            return Err(format!(
                "ligne {} : « {line} » — le rôle doit être agent, manager ou admin",
                number + 1
            ));
        }
        out.push((value.to_owned(), role.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_mapping_lines_are_checked_with_their_line_number() {
        assert_eq!(
            parse_role_mapping("a = admin\n\n# note\nb=agent").unwrap(),
            vec![("a".into(), "admin".into()), ("b".into(), "agent".into())]
        );
        assert!(
            parse_role_mapping("a = admin\nb chef")
                .unwrap_err()
                .starts_with("ligne 2")
        );
        assert!(
            parse_role_mapping("a = chef")
                .unwrap_err()
                .contains("agent, manager ou admin")
        );
    }

    #[test]
    fn every_failure_has_a_code_that_reads_back_and_a_message() {
        for failure in Failure::ALL {
            let read = Failure::from_code(failure.code()).unwrap();
            // UnknownKey and InvalidToken share their page.
            assert_eq!(read.message(), failure.message());
            assert!(!failure.message().is_empty());
        }
    }
}
