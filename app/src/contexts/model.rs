//! Contexts as both sides see them, and the validation of what an admin types.

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::error::Problem;

/// Top-level paths of the portal and of the server that a context code would shadow. Kept in
/// step with `routes.rs` by a test that reads its top-level segments.
pub const RESERVED_CODES: &[&str] = &[
    "accessibilite",
    "admin",
    "administration",
    "api",
    "back-office",
    "brouillons",
    "cgu",
    "connexion",
    "deconnexion",
    "demarches",
    "fonts",
    "health",
    "healthz",
    "inscription",
    "invitation",
    "marque",
    "metrics",
    "mentions-legales",
    "mes-demandes",
    "mes-demarches",
    "mes-structures",
    "mon-compte",
    "mon-foyer",
    "mot-de-passe-oublie",
    "pieces",
    "pkg",
    "plateforme",
    "porte-documents",
    "readyz",
    "reinitialiser",
    "suivi",
    "verifier",
    // Kept free for features to come (catalogue, accounts, appointments, payments).
    "catalogue",
    "compte",
    "contexte",
    "contextes",
    "espaces",
    "rendez-vous",
    "paiement",
];

pub const MAX_CODE_LEN: usize = 40;
pub const MAX_NAME_LEN: usize = 80;
pub const MAX_TEXT_LEN: usize = 4000;

/// `familles`, `vie-associative`: lowercase ASCII letters and digits in words joined by single
/// hyphens, and not one of the portal's own addresses.
pub fn parse_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.is_empty() {
        return Err(s::CODE_REQUIRED.to_owned());
    }
    if code.len() > MAX_CODE_LEN {
        return Err(s::CODE_TOO_LONG.to_owned());
    }
    let well_formed = code.split('-').all(|word| {
        !word.is_empty()
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !well_formed {
        return Err(s::code_invalid(code));
    }
    if RESERVED_CODES.contains(&code) {
        return Err(s::code_reserved(code));
    }
    Ok(code.to_owned())
}

/// What a citizen page needs about the context it is shown in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextSummary {
    pub code: String,
    pub name: String,
    pub welcome_text: String,
    pub help_text: String,
    /// CSS custom properties of its theme (the commune's, with this context's overrides), or
    /// `None` when it overrides nothing.
    pub theme: Option<String>,
    /// Where the plain portal is: `` (this host) or the commune's own origin when the page is
    /// served on the context's host (whose `/` is the context).
    pub portal: String,
}

/// The context a citizen page is shown in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Space {
    /// The plain portal: every published démarche.
    #[default]
    Portal,
    Context(ContextSummary),
    /// A context that no longer exists (its name, or its code if it never did): the page falls
    /// back to the plain portal and says so.
    Gone {
        name: String,
    },
}

impl Space {
    /// The code démarche links carry (`?contexte=`), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            Space::Context(context) => Some(&context.code),
            _ => None,
        }
    }

    /// `?contexte=<code>` for links from a context, else nothing.
    pub fn query(&self) -> String {
        self.code()
            .map(|code| format!("?contexte={code}"))
            .unwrap_or_default()
    }

    /// The theme to apply on top of the commune's, if any.
    pub fn theme(&self) -> Option<String> {
        match self {
            Space::Context(context) => context.theme.clone(),
            _ => None,
        }
    }
}

/// A context as the admin page edits it. Colours and host are empty when not set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextAdmin {
    pub id: String,
    pub code: String,
    pub name: String,
    pub welcome_text: String,
    pub help_text: String,
    pub primary_color: String,
    pub secondary_color: String,
    pub host: String,
    pub position: i32,
    /// Ids of the démarches of its bouquet.
    pub demarches: Vec<String>,
}

/// What `/administration/contextes` opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextsAdmin {
    pub contexts: Vec<ContextAdmin>,
    /// `(id, title)` of the commune's démarches (drafts included: a bouquet can be prepared
    /// before publication).
    pub demarches: Vec<(String, String)>,
}

/// What the admin's form posts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextInput {
    pub code: String,
    pub name: String,
    pub welcome_text: String,
    pub help_text: String,
    pub primary_color: String,
    pub secondary_color: String,
    pub host: String,
    pub position: String,
    pub demarches: Vec<String>,
}

/// The input, checked field by field (every problem at once, each on its form field), except
/// what needs the database (a taken code or host) and the colours' contrast (see
/// [`check_colours`]).
pub fn check(input: &ContextInput) -> Result<CheckedContext, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |path: &str, message: String| {
        problems.push(Problem {
            path: path.to_owned(),
            message,
        })
    };
    let code = parse_code(&input.code).unwrap_or_else(|message| {
        problem("code", message);
        String::new()
    });
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        problem("name", s::NAME_REQUIRED.to_owned());
    } else if name.chars().count() > MAX_NAME_LEN {
        problem("name", s::NAME_TOO_LONG.to_owned());
    }
    for (field, text) in [
        ("welcome_text", &input.welcome_text),
        ("help_text", &input.help_text),
    ] {
        if text.chars().count() > MAX_TEXT_LEN {
            problem(field, s::TEXT_TOO_LONG.to_owned());
        }
    }
    let position = match input.position.trim() {
        "" => 0,
        raw => raw
            .parse::<i32>()
            .ok()
            .filter(|p| (0..=999).contains(p))
            .unwrap_or_else(|| {
                problem("position", s::POSITION_INVALID.to_owned());
                0
            }),
    };
    let host = match input.host.trim() {
        "" => None,
        raw => match crate::platform::model::parse_host(raw) {
            Ok(host) => Some(host),
            Err(error) => {
                problem("host", error.to_string());
                None
            }
        },
    };
    let colour = |value: &str| {
        let value = value.trim().to_ascii_lowercase();
        (!value.is_empty()).then_some(value)
    };
    let mut demarches = input.demarches.clone();
    demarches.sort();
    demarches.dedup();
    let checked = CheckedContext {
        code,
        name,
        welcome_text: input.welcome_text.trim().to_owned(),
        help_text: input.help_text.trim().to_owned(),
        primary_color: colour(&input.primary_color),
        secondary_color: colour(&input.secondary_color),
        host,
        position,
        demarches,
    };
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

/// A context ready to be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedContext {
    pub code: String,
    pub name: String,
    pub welcome_text: String,
    pub help_text: String,
    pub primary_color: Option<String>,
    pub secondary_color: Option<String>,
    pub host: Option<String>,
    pub position: i32,
    pub demarches: Vec<String>,
}

/// The overrides' legibility, measured as the commune's theme is (WCAG AA, with the ratio and
/// a suggestion): an override is checked together with the commune's other colour, and only
/// the overridden fields are reported.
pub fn check_colours(
    primary: Option<&str>,
    secondary: Option<&str>,
    commune_primary: &str,
    commune_secondary: &str,
) -> Vec<Problem> {
    crate::branding::colour::check_theme(
        primary.unwrap_or(commune_primary),
        secondary.unwrap_or(commune_secondary),
    )
    .into_iter()
    .filter(|p| match p.field.as_str() {
        "primary_color" => primary.is_some(),
        "secondary_color" => secondary.is_some(),
        _ => true,
    })
    .map(|p| Problem {
        path: p.field,
        message: p.message,
    })
    .collect()
}

/// The message of the problem on `field`, if any (forms show it next to the field).
pub fn problem_on(error: Option<&crate::error::AppError>, field: &str) -> Option<String> {
    use crate::error::AppError;
    match error? {
        AppError::Rejected { problems } => problems
            .iter()
            .find(|p| p.path == field)
            .map(|p| p.message.clone()),
        error if error.field() == Some(field) => Some(error.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lowercase_words_joined_by_hyphens() {
        assert_eq!(parse_code(" familles ").unwrap(), "familles");
        assert_eq!(parse_code("vie-associative2").unwrap(), "vie-associative2");
        for bad in [
            "Familles",
            "vie_associative",
            "-a",
            "a--b",
            "a-",
            "écoles",
            "a/b",
            "a.b",
        ] {
            let message = parse_code(bad).unwrap_err();
            assert!(message.contains("lettres minuscules"), "{bad}: {message}");
        }
        assert!(parse_code("").unwrap_err().contains("Indiquez"));
        assert!(parse_code(&"a".repeat(41)).is_err());
    }

    #[test]
    fn the_portals_own_addresses_are_refused_with_a_precise_message() {
        let message = parse_code("demarches").unwrap_err();
        assert!(message.contains("« demarches »"), "{message}");
        assert!(message.contains("déjà une adresse du portail"), "{message}");
        assert!(parse_code("back-office").is_err());
        assert!(parse_code("api").is_err());
    }

    /// Every top-level path of the route tree is reserved: a context can never hide a page,
    /// including pages added later.
    #[test]
    fn every_top_level_path_of_the_routes_is_reserved() {
        let routes = include_str!("../routes.rs");
        let mut found = 0;
        for piece in routes.split("path!(\"/").skip(1) {
            let segment: String = piece
                .chars()
                .take_while(|c| *c != '/' && *c != '"')
                .collect();
            if segment.is_empty() || segment.starts_with(':') {
                continue;
            }
            found += 1;
            assert!(
                RESERVED_CODES.contains(&segment.as_str()),
                "the route /{segment} is not in RESERVED_CODES"
            );
        }
        assert!(found > 10, "routes.rs was not read: {found}");
    }

    #[test]
    fn every_problem_of_the_form_is_reported_on_its_field() {
        let problems = check(&ContextInput {
            code: "Mes Familles".into(),
            name: " ".into(),
            host: "pas un domaine".into(),
            position: "-3".into(),
            ..ContextInput::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(fields, vec!["code", "name", "position", "host"]);
    }

    #[test]
    fn illegible_overrides_are_refused_with_their_ratio_and_unset_colours_are_the_communes() {
        let problems = check_colours(Some("#ffe552"), None, "#000091", "#e1000f");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "primary_color");
        assert!(
            problems[0].message.contains("4,5:1"),
            "{}",
            problems[0].message
        );
        // The commune's own (illegible) secondary is not the context's to fix.
        assert!(check_colours(Some("#000091"), None, "#000091", "#ffffff").is_empty());
        assert!(check_colours(None, None, "#000091", "#e1000f").is_empty());
    }
}
