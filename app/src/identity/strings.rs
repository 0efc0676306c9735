//! The French text of identity federation.

/// Heading of the citizen's own certified identity (`/mon-compte`).
pub fn certified_by(provider: &str) -> String {
    format!("Identité certifiée par {provider}")
}

/// The agents' badge on a dossier whose owner's identity is certified.
pub fn badge(provider: &str, acr: &str) -> String {
    format!("Identité certifiée {provider} — {acr}")
}

/// `acr`: the level the provider stated (`eidas1`…); `on`: `JJ/MM/AAAA`, if known.
pub fn level_and_date(acr: &str, on: Option<&str>) -> String {
    match on {
        Some(on) => format!("Niveau de garantie : {acr}. Certifiée le {on}."),
        None => format!("Niveau de garantie : {acr}."),
    }
}

pub fn read_only_note(provider: &str) -> String {
    format!(
        "Ces informations viennent de {provider} : elles ne peuvent pas être modifiées ici. Les démarches qui les demandent les reprennent telles quelles."
    )
}

pub const OWNER_HEADING: &str = "Identité de l'usager";
pub const CIVILITY: &str = "Civilité";
pub const MADAME: &str = "Madame";
pub const MONSIEUR: &str = "Monsieur";
pub const GIVEN_NAME: &str = "Prénom(s)";
pub const BIRTH_NAME: &str = "Nom de naissance";
pub const USAGE_NAME: &str = "Nom d'usage";
pub const BIRTH_DATE: &str = "Date de naissance";
pub const BIRTH_PLACE: &str = "Lieu de naissance (code INSEE)";
pub const BIRTH_COUNTRY: &str = "Pays de naissance (code INSEE)";
pub const FRANCE: &str = "France";
pub const EMAIL: &str = "Adresse e-mail";
