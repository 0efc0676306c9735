use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::AppError;

/// Subdomains a tenant may not take.
const RESERVED_SLUGS: &[&str] = &[
    "www",
    "api",
    "admin",
    "app",
    "platform",
    "plateforme",
    "mail",
    "smtp",
    "static",
    "pkg",
    "assets",
    "localhost",
    "guichet",
    "store",
    "status",
];

/// The longest slug accepted (a DNS label may have 63 characters; schema names stay short).
pub const MAX_SLUG_LEN: usize = 40;

/// A tenant's identifier, used as its subdomain and (with `-` → `_`) its schema name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let slug = raw.trim();
        let invalid = |message: &str| Err(AppError::invalid("slug", message));
        if slug.is_empty() {
            return invalid(
                "Saisissez l'identifiant de la collectivité (par exemple « saint-herblain »).",
            );
        }
        if slug.len() < 2 || slug.len() > MAX_SLUG_LEN {
            return invalid("L'identifiant doit faire entre 2 et 40 caractères.");
        }
        let allowed = slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !allowed {
            return invalid(
                "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets.",
            );
        }
        if !slug.as_bytes()[0].is_ascii_lowercase() {
            return invalid("L'identifiant doit commencer par une lettre.");
        }
        if slug.ends_with('-') || slug.contains("--") {
            return invalid(
                "L'identifiant ne peut pas finir par un tiret ni en contenir deux de suite.",
            );
        }
        if RESERVED_SLUGS.contains(&slug) {
            return invalid(&format!(
                "L'identifiant « {slug} » est réservé par la plateforme."
            ));
        }
        Ok(Self(slug.to_owned()))
    }

    /// The slug a commune's name suggests ("L'Île-d'Yeu" → `l-ile-d-yeu`), if that is a
    /// valid one (not reserved, long enough).
    pub fn suggest(name: &str) -> Option<Self> {
        Self::parse(&slug_from_name(name)).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The PostgreSQL schema of this tenant. Injective: slugs contain no `_`.
    pub fn schema_name(&self) -> String {
        format!("tenant_{}", self.0.replace('-', "_"))
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name written as a slug: French accents folded, ligatures spelled out, every other
/// character a hyphen (at most one in a row, none at either end), no leading digit, cut at a
/// word boundary to fit [`MAX_SLUG_LEN`]. Not validated: the console prefills its slug field
/// with it as the operator types, before the name is complete.
pub fn slug_from_name(name: &str) -> String {
    let mut spelled = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'œ' => spelled.push_str("oe"),
            'æ' => spelled.push_str("ae"),
            'ß' => spelled.push_str("ss"),
            'á' | 'ã' | 'å' => spelled.push('a'),
            'í' | 'ì' => spelled.push('i'),
            'ó' | 'ò' | 'õ' | 'ø' => spelled.push('o'),
            'ú' => spelled.push('u'),
            'ñ' => spelled.push('n'),
            'ý' => spelled.push('y'),
            other => spelled.push(other),
        }
    }
    let mut slug = String::with_capacity(spelled.len());
    for c in crate::text::fold(&spelled).chars() {
        if c.is_ascii_lowercase() || (c.is_ascii_digit() && !slug.is_empty()) {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG_LEN {
        let cut = &slug[..=MAX_SLUG_LEN];
        // Whole words when a hyphen falls within the limit, else a hard cut.
        slug = match cut.rfind('-') {
            Some(at) if at > 1 => cut[..at].to_owned(),
            _ => slug[..MAX_SLUG_LEN].to_owned(),
        };
    }
    slug.trim_end_matches('-').to_owned()
}

/// A custom domain for a tenant's portal (e.g. `demarches.saint-herblain.fr`).
pub fn parse_host(raw: &str) -> Result<String, AppError> {
    let host = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let invalid = || {
        Err(AppError::invalid(
            "hosts",
            format!(
                "« {} » n'est pas un nom de domaine valide (exemple : demarches.ma-commune.fr).",
                raw.trim()
            ),
        ))
    };
    if host.len() > 253 || !host.contains('.') {
        return invalid();
    }
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return invalid();
        }
    }
    Ok(host)
}

pub fn parse_tenant_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Saisissez le nom de la collectivité.",
        ));
    }
    if name.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "Le nom de la collectivité ne peut pas dépasser 100 caractères.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "Le nom de la collectivité contient des caractères non autorisés.",
        ));
    }
    Ok(name.to_owned())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub slug: String,
    pub name: String,
    pub active: bool,
    pub created_at: String,
    pub portal_url: String,
    pub hosts: Vec<String>,
    /// When a commune leaving the syndicate will be deleted (`guichet tenant delete`):
    /// `dd/mm/yyyy` (Paris); reactivating it cancels.
    pub deletion_due: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_subdomain_rules() {
        assert_eq!(
            Slug::parse(" saint-herblain ").unwrap().schema_name(),
            "tenant_saint_herblain"
        );
        for bad in [
            "",
            "a",
            "Nantes",
            "1abc",
            "a_b",
            "ab-",
            "a--b",
            "www",
            "é",
            &"a".repeat(41),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn a_communes_name_suggests_its_slug() {
        for (name, slug) in [
            ("Saint-Martin des Champs", "saint-martin-des-champs"),
            ("L'Île-d'Yeu", "l-ile-d-yeu"),
            ("L’Haÿ-les-Roses", "l-hay-les-roses"),
            ("Œuilly", "oeuilly"),
            ("Cœur d'Æsir", "coeur-d-aesir"),
            ("  Rezé -- Centre  ", "reze-centre"),
            ("Châteauneuf-sur-Loire !", "chateauneuf-sur-loire"),
            ("44 Nantes 2", "nantes-2"),
            ("Ville de NANTES", "ville-de-nantes"),
        ] {
            assert_eq!(slug_from_name(name), slug, "{name}");
            assert_eq!(Slug::suggest(name).unwrap().as_str(), slug, "{name}");
        }
    }

    #[test]
    fn a_long_name_is_cut_at_a_word_within_the_limit() {
        let name = "Communauté de communes du Pays de Saint-Gilles-Croix-de-Vie";
        let slug = slug_from_name(name);
        assert_eq!(slug, "communaute-de-communes-du-pays-de-saint");
        assert!(slug.len() <= MAX_SLUG_LEN);
        let unbroken = "a".repeat(60);
        assert_eq!(slug_from_name(&unbroken), "a".repeat(MAX_SLUG_LEN));
    }

    #[test]
    fn names_without_a_valid_slug_suggest_none() {
        for name in ["", "!!!", "é", "WWW", "123"] {
            assert_eq!(Slug::suggest(name), None, "{name}");
        }
    }

    #[test]
    fn custom_hosts_are_domain_names() {
        assert_eq!(
            parse_host("Demarches.Reze.FR.").unwrap(),
            "demarches.reze.fr"
        );
        for bad in ["", "localhost", "a..b", "-a.fr", "a_b.fr", "x y.fr"] {
            assert!(parse_host(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
