//! Types shared by the server and the browser.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::account::model::Role;
use crate::org::model::Access;

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

    /// `settings` with what the preset knows filled where they were left empty (and the agents'
    /// usual claim, `groups`).
    pub fn fill(self, mut settings: ProviderSettings) -> ProviderSettings {
        let fill = |field: &mut String, value: &str| {
            if field.trim().is_empty() {
                *field = value.to_owned();
            }
        };
        if let Some((label, issuer, scopes, acr)) = self.defaults() {
            fill(&mut settings.label, label);
            fill(&mut settings.issuer, issuer);
            fill(&mut settings.scopes, scopes);
            fill(&mut settings.acr_values, acr);
        }
        if settings.audience == Audience::Agents {
            fill(&mut settings.role_claim, "groups");
        }
        settings
    }
}

/// What one value of the agents' provider's claim gives in Guichet: a role, memberships of org
/// chart services (the rights the org chart gives their members), or both.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    #[serde(default, with = "role_code", skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceGrant>,
}

/// A membership of an org chart service, named as the admin wrote it (resolved in the commune's
/// org chart at each sign-on: a syndicate-wide mapping names services every commune may have).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGrant {
    pub name: String,
    pub access: Access,
}

/// Roles are stored by their code (`agent`), as the mapping's lines write them.
mod role_code {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::account::model::Role;

    pub fn serialize<S: Serializer>(role: &Option<Role>, serializer: S) -> Result<S::Ok, S::Error> {
        match role {
            Some(role) => serializer.serialize_str(role.as_str()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Role>, D::Error> {
        let code = Option::<String>::deserialize(deserializer)?;
        code.map(|code| Role::parse(&code).map_err(|_| serde::de::Error::custom("unknown role")))
            .transpose()
    }
}

/// The agents' provider's mapping, claim value → grant: parsed once from the admin's lines
/// ([`RoleMapping::parse`]), stored as this JSON (`identity_providers.role_mapping`), and
/// written back as lines for the form ([`RoleMapping::lines`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleMapping(pub BTreeMap<String, RoleGrant>);

impl RoleMapping {
    /// Parses `valeur = rôle` lines, where the right side is a comma-separated list of a role
    /// (`agent`, `manager`, `admin`) and services (`service : Nom` with an optional right in
    /// parentheses, `modification` by default): `etat-civil = agent, service : État civil
    /// (gestion)`. Blank lines and `#` comments are skipped; a value on several lines adds up.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut mapping = BTreeMap::<String, RoleGrant>::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let number = number + 1;
            let Some((value, right)) = line.split_once('=') else {
                return Err(super::strings::mapping_syntax(number));
            };
            let value = value.trim();
            if value.is_empty() || right.trim().is_empty() {
                return Err(super::strings::mapping_syntax(number));
            }
            let grant = mapping.entry(value.to_owned()).or_default();
            for part in right.split(',').map(str::trim) {
                if let Some(service) = strip_prefix_ignore_case(part, "service") {
                    let service = service.trim_start();
                    let Some(service) = service.strip_prefix(':') else {
                        return Err(super::strings::mapping_syntax(number));
                    };
                    grant.services.push(parse_service(service.trim(), number)?);
                } else if let Ok(role) = Role::parse(part) {
                    grant.role = grant.role.max(Some(role));
                } else {
                    return Err(super::strings::mapping_unknown(number, part));
                }
            }
        }
        Ok(Self(mapping))
    }

    /// The mapping as the form's lines (one per claim value, in order).
    pub fn lines(&self) -> String {
        self.0
            .iter()
            .map(|(value, grant)| {
                let mut parts: Vec<String> = grant
                    .role
                    .iter()
                    .map(|role| role.as_str().to_owned())
                    .collect();
                parts.extend(grant.services.iter().map(|service| {
                    format!("service : {} ({})", service.name, service.access.code())
                }));
                format!("{value} = {}", parts.join(", "))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What the claim's `values` give: the highest role mapped, and each service once with the
    /// highest right mapped to it (by name, case-insensitively).
    pub fn grant_for<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> RoleGrant {
        let mut out = RoleGrant::default();
        for value in values {
            let Some(grant) = self.0.get(value) else {
                continue;
            };
            out.role = out.role.max(grant.role);
            for service in &grant.services {
                match out
                    .services
                    .iter_mut()
                    .find(|s| s.name.to_lowercase() == service.name.to_lowercase())
                {
                    Some(seen) => seen.access = seen.access.max(service.access),
                    None => out.services.push(service.clone()),
                }
            }
        }
        out
    }

    /// Every service the mapping names, once.
    pub fn service_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .0
            .values()
            .flat_map(|grant| grant.services.iter().map(|s| s.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// `Nom du service` or `Nom du service (gestion)`.
fn parse_service(text: &str, number: usize) -> Result<ServiceGrant, String> {
    let (name, access) = match text.strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
        Some((name, access)) => (
            name.trim(),
            Access::parse(access.trim())
                .map_err(|_| super::strings::mapping_access(number, access.trim()))?,
        ),
        None => (text, Access::Modification),
    };
    if name.is_empty() || name.chars().count() > 200 {
        return Err(super::strings::mapping_syntax(number));
    }
    Ok(ServiceGrant {
        name: name.to_owned(),
        access,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_mapping_lines_are_checked_with_their_line_number() {
        let mapping = RoleMapping::parse("a = admin\n\n# note\nb=agent").unwrap();
        assert_eq!(mapping.0["a"].role, Some(Role::Admin));
        assert_eq!(mapping.0["b"].role, Some(Role::Agent));
        assert!(
            RoleMapping::parse("a = admin\nb chef")
                .unwrap_err()
                .starts_with("ligne 2")
        );
        assert!(
            RoleMapping::parse("a = chef")
                .unwrap_err()
                .contains("agent, manager ou admin")
        );
        assert!(
            RoleMapping::parse("a = service : État civil (chef)")
                .unwrap_err()
                .contains("consultation, modification ou gestion")
        );
    }

    #[test]
    fn a_claim_value_maps_to_a_role_and_services_that_read_back_as_the_same_lines() {
        let text = "etat-civil = agent, service : État civil (gestion), Service : Accueil\n\
                    chefs = manager\nurbanisme = service: Urbanisme";
        let mapping = RoleMapping::parse(text).unwrap();
        let grant = &mapping.0["etat-civil"];
        assert_eq!(grant.role, Some(Role::Agent));
        assert_eq!(
            grant.services,
            vec![
                ServiceGrant {
                    name: "État civil".into(),
                    access: Access::Gestion
                },
                ServiceGrant {
                    name: "Accueil".into(),
                    access: Access::Modification
                },
            ]
        );
        assert_eq!(mapping.0["urbanisme"].role, None);
        // Stored as JSON, shown again as lines, parsed to the same mapping.
        let stored = serde_json::to_string(&mapping).unwrap();
        let read: RoleMapping = serde_json::from_str(&stored).unwrap();
        assert_eq!(read, mapping);
        assert_eq!(RoleMapping::parse(&read.lines()).unwrap(), mapping);
        // Mappings stored before services existed still read.
        let old: RoleMapping = serde_json::from_str(r#"{"g": {"role": "admin"}}"#).unwrap();
        assert_eq!(old.0["g"].role, Some(Role::Admin));
        assert_eq!(old.lines(), "g = admin");
    }

    #[test]
    fn the_values_an_agent_has_give_the_highest_role_and_each_service_once() {
        let mapping = RoleMapping::parse(
            "a = agent, service : État civil (consultation)\n\
             b = manager, service : état civil (gestion)\nc = service : Urbanisme",
        )
        .unwrap();
        let grant = mapping.grant_for(["a", "b", "c", "autre"]);
        assert_eq!(grant.role, Some(Role::Manager));
        assert_eq!(grant.services.len(), 2);
        assert_eq!(grant.services[0].access, Access::Gestion);
        assert_eq!(mapping.grant_for(["c"]).role, None);
        assert_eq!(mapping.grant_for(std::iter::empty()), RoleGrant::default());
        assert_eq!(
            mapping.service_names(),
            vec!["Urbanisme", "État civil", "état civil"]
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
