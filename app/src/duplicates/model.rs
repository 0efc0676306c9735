//! Duplicate rules in the form of Lutece's identity store, and what pages show: a rule names
//! the attributes that must be filled, compared exactly, compared approximately, required
//! different, and which of the compared ones may be missing; the first active rule (by
//! priority) a pair satisfies makes it a suspected duplicate.

use serde::{Deserialize, Serialize};

use super::compare::{
    Closeness, Prepared, close_words, dates_close, family_close, given_close, names_close,
};
use super::strings as s;
use crate::error::AppError;
use crate::people::model::{Attribute, Civility, PersonView};

/// The attribute's code in forms and in the rule's columns (`given_names`…).
pub fn attribute_code(attribute: Attribute) -> &'static str {
    match attribute {
        Attribute::Civility => "civility",
        Attribute::GivenNames => "given_names",
        Attribute::BirthName => "birth_name",
        Attribute::UsageName => "usage_name",
        Attribute::BirthDate => "birth_date",
        Attribute::BirthPlace => "birth_place",
        Attribute::BirthCountry => "birth_country",
        Attribute::Email => "email",
        Attribute::Phone => "phone",
        Attribute::Address => "address",
    }
}

pub fn parse_attribute(code: &str) -> Option<Attribute> {
    Attribute::ALL
        .into_iter()
        .find(|a| attribute_code(*a) == code)
}

/// A rule as stored and shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    /// 1 is the strongest.
    pub priority: i32,
    pub active: bool,
    pub filled: Vec<Attribute>,
    pub equal: Vec<Attribute>,
    pub missing_allowed: Vec<Attribute>,
    pub approximate: Vec<Attribute>,
    pub different: Vec<Attribute>,
}

/// A rule as the form posts it (attribute codes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleInput {
    pub name: String,
    pub priority: String,
    pub active: bool,
    pub filled: Vec<String>,
    pub equal: Vec<String>,
    pub missing_allowed: Vec<String>,
    pub approximate: Vec<String>,
    pub different: Vec<String>,
}

fn attributes(field: &str, codes: &[String]) -> Result<Vec<Attribute>, AppError> {
    let mut out = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let attribute = parse_attribute(code)
            .ok_or_else(|| AppError::invalid(field, s::unknown_attribute(code)))?;
        if !out.contains(&attribute) {
            out.push(attribute);
        }
    }
    out.sort();
    Ok(out)
}

impl RuleInput {
    /// The rule, or the first precise problem, named after its field.
    pub fn validate(&self) -> Result<Rule, AppError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(AppError::invalid("name", s::RULE_NAME_MISSING));
        }
        if name.chars().count() > 120 {
            return Err(AppError::invalid("name", s::RULE_NAME_TOO_LONG));
        }
        let priority = self
            .priority
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|p| (1..=99).contains(p))
            .ok_or_else(|| AppError::invalid("priority", s::RULE_PRIORITY))?;
        let rule = Rule {
            id: String::new(),
            name: name.to_owned(),
            priority,
            active: self.active,
            filled: attributes("filled", &self.filled)?,
            equal: attributes("equal", &self.equal)?,
            missing_allowed: attributes("missing_allowed", &self.missing_allowed)?,
            approximate: attributes("approximate", &self.approximate)?,
            different: attributes("different", &self.different)?,
        };
        rule.check()?;
        Ok(rule)
    }
}

impl Rule {
    /// The rule's lists hold together, and the detection can find its pairs by blocks.
    pub fn check(&self) -> Result<(), AppError> {
        if self.equal.is_empty() && self.approximate.is_empty() {
            return Err(AppError::invalid("equal", s::RULE_COMPARES_NOTHING));
        }
        for a in &self.approximate {
            if self.equal.contains(a) {
                return Err(AppError::invalid(
                    "approximate",
                    s::both_lists(a.label(), s::LIST_EQUAL, s::LIST_APPROXIMATE),
                ));
            }
        }
        for a in &self.different {
            if self.equal.contains(a) || self.approximate.contains(a) {
                let other = if self.equal.contains(a) {
                    s::LIST_EQUAL
                } else {
                    s::LIST_APPROXIMATE
                };
                return Err(AppError::invalid(
                    "different",
                    s::both_lists(a.label(), other, s::LIST_DIFFERENT),
                ));
            }
        }
        for a in &self.missing_allowed {
            if !self.compared(*a) {
                return Err(AppError::invalid(
                    "missing_allowed",
                    s::missing_not_compared(a.label()),
                ));
            }
            if self.filled.contains(a) {
                return Err(AppError::invalid(
                    "missing_allowed",
                    s::both_lists(a.label(), s::LIST_FILLED, s::LIST_MISSING),
                ));
            }
        }
        let firm = |a: Attribute| {
            !self.missing_allowed.contains(&a)
                && (self.equal.contains(&a) || self.approximate.contains(&a))
        };
        let exact = |a: Attribute| self.equal.contains(&a) && !self.missing_allowed.contains(&a);
        let findable = exact(Attribute::BirthDate)
            || exact(Attribute::Email)
            || exact(Attribute::Phone)
            || (firm(Attribute::GivenNames) && firm(Attribute::BirthName));
        if !findable {
            return Err(AppError::invalid("equal", s::RULE_NOT_FINDABLE));
        }
        Ok(())
    }

    fn compared(&self, a: Attribute) -> bool {
        self.equal.contains(&a) || self.approximate.contains(&a) || self.different.contains(&a)
    }

    /// The pair's score (percent) if it satisfies the rule.
    pub fn matches(&self, a: &Prepared, b: &Prepared) -> Option<u32> {
        for attribute in &self.filled {
            if !filled(a, *attribute) || !filled(b, *attribute) {
                return None;
            }
        }
        let mut weights = Vec::new();
        // The cheap exact comparisons first: most pairs of a block fail there.
        for attribute in &self.equal {
            match compare(a, b, *attribute, Mode::Exact) {
                Outcome::Close(c) => weights.push(c.weight()),
                Outcome::Missing if self.missing_allowed.contains(attribute) => weights.push(50),
                _ => return None,
            }
        }
        for attribute in &self.different {
            match compare(a, b, *attribute, Mode::Exact) {
                Outcome::Far => {}
                Outcome::Missing if self.missing_allowed.contains(attribute) => {}
                _ => return None,
            }
        }
        let joint_names = self.approximate.contains(&Attribute::GivenNames)
            && self.approximate.contains(&Attribute::BirthName);
        if joint_names {
            match names_close(a, b) {
                Some(closeness) => weights.push(closeness.weight()),
                None => {
                    // One record without given names: the family names alone, if allowed.
                    let given_missing = a.given.is_empty() || b.given.is_empty();
                    if !(given_missing
                        && self.missing_allowed.contains(&Attribute::GivenNames)
                        && family_close(&a.birth, &b.birth).is_some())
                    {
                        return None;
                    }
                    weights.push(50);
                }
            }
        }
        for attribute in &self.approximate {
            if joint_names && matches!(attribute, Attribute::GivenNames | Attribute::BirthName) {
                continue;
            }
            match compare(a, b, *attribute, Mode::Approximate) {
                Outcome::Close(c) => weights.push(c.weight()),
                Outcome::Missing if self.missing_allowed.contains(attribute) => weights.push(50),
                _ => return None,
            }
        }
        let total: u32 = weights.iter().sum();
        Some(total / u32::try_from(weights.len().max(1)).unwrap_or(1))
    }
}

fn filled(p: &Prepared, attribute: Attribute) -> bool {
    match attribute {
        Attribute::Civility => p.civility.is_some(),
        Attribute::GivenNames => !p.given.is_empty(),
        Attribute::BirthName => !p.birth.is_empty(),
        Attribute::UsageName => !p.usage.is_empty(),
        Attribute::BirthDate => p.birth_date.is_some(),
        Attribute::BirthPlace => p.birth_place.is_some(),
        Attribute::BirthCountry => p.birth_country.is_some(),
        Attribute::Email => p.email.is_some(),
        Attribute::Phone => p.phone.is_some(),
        Attribute::Address => p.address.is_some(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Exact,
    Approximate,
}

enum Outcome {
    Close(Closeness),
    Far,
    Missing,
}

fn outcome(found: Option<Closeness>, mode: Mode) -> Outcome {
    match found {
        Some(Closeness::Exact) => Outcome::Close(Closeness::Exact),
        Some(c) if mode == Mode::Approximate => Outcome::Close(c),
        _ => Outcome::Far,
    }
}

fn both<'a, T>(a: &'a Option<T>, b: &'a Option<T>) -> Option<(&'a T, &'a T)> {
    a.as_ref().zip(b.as_ref())
}

/// The family names an attribute compares.
fn family_names(p: &Prepared, attribute: Attribute, mode: Mode) -> &[String] {
    match (attribute, mode) {
        (Attribute::UsageName, _) => &p.usage,
        // Approximately, a birth name also matches the other's usage name (a married name
        // typed as the birth name at the counter).
        (_, Mode::Approximate) => &p.families,
        _ => &p.birth,
    }
}

/// One attribute of two records, exactly (normalised: case, accents, punctuation) or
/// approximately (one slip).
fn compare(a: &Prepared, b: &Prepared, attribute: Attribute, mode: Mode) -> Outcome {
    let words = |x: &Option<String>, y: &Option<String>| match both(x, y) {
        Some((x, y)) => outcome(close_words(x, y), mode),
        None => Outcome::Missing,
    };
    match attribute {
        Attribute::Civility => match both(&a.civility, &b.civility) {
            Some((x, y)) if x == y => Outcome::Close(Closeness::Exact),
            Some(_) => Outcome::Far,
            None => Outcome::Missing,
        },
        Attribute::GivenNames => {
            if a.given.is_empty() || b.given.is_empty() {
                Outcome::Missing
            } else if mode == Mode::Exact {
                let flat = |p: &Prepared| p.given.concat();
                if flat(a) == flat(b) {
                    Outcome::Close(Closeness::Exact)
                } else {
                    Outcome::Far
                }
            } else {
                outcome(given_close(&a.given, &b.given), mode)
            }
        }
        Attribute::BirthName | Attribute::UsageName => {
            let (x, y) = (
                family_names(a, attribute, mode),
                family_names(b, attribute, mode),
            );
            if x.is_empty() || y.is_empty() {
                Outcome::Missing
            } else if mode == Mode::Exact {
                // Particle-insensitive: the form without particles is the last variant.
                if x.last() == y.last() {
                    Outcome::Close(Closeness::Exact)
                } else {
                    Outcome::Far
                }
            } else {
                outcome(family_close(x, y), mode)
            }
        }
        Attribute::BirthDate => match both(&a.birth_date, &b.birth_date) {
            Some((x, y)) => outcome(dates_close(x, y), mode),
            None => Outcome::Missing,
        },
        Attribute::BirthPlace => words(&a.birth_place, &b.birth_place),
        Attribute::BirthCountry => words(&a.birth_country, &b.birth_country),
        Attribute::Email => words(&a.email, &b.email),
        Attribute::Phone => words(&a.phone, &b.phone),
        Attribute::Address => match both(&a.address, &b.address) {
            Some(((pa, sa), (pb, sb))) if pa == pb => outcome(close_words(sa, sb), mode),
            Some(_) => Outcome::Far,
            None => Outcome::Missing,
        },
    }
}

/// An attribute's value as pages show it (empty when missing).
pub fn shown(person: &PersonView, attribute: Attribute) -> String {
    match attribute {
        Attribute::Civility => match person.civility {
            Some(Civility::Madame) => "Madame".to_owned(),
            Some(Civility::Monsieur) => "Monsieur".to_owned(),
            None => String::new(),
        },
        Attribute::GivenNames => person.given_names.clone(),
        Attribute::BirthName => person.birth_name.clone(),
        Attribute::UsageName => person.usage_name.clone().unwrap_or_default(),
        Attribute::BirthDate => person.birth_date.clone().unwrap_or_default(),
        Attribute::BirthPlace => person.birth_place.clone().unwrap_or_default(),
        Attribute::BirthCountry => person.birth_country.clone().unwrap_or_default(),
        Attribute::Email => person.email.clone().unwrap_or_default(),
        Attribute::Phone => person.phone.clone().unwrap_or_default(),
        Attribute::Address => person
            .address
            .as_ref()
            .map(|a| {
                format!("{} {}, {} {}", a.number, a.street, a.postcode, a.commune)
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default(),
    }
}

/// One suspected pair in the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspectedPair {
    pub id: String,
    pub rule_name: String,
    pub score: i32,
    /// "creation" or "job".
    pub found_by: String,
    pub found_at: String,
    pub a: PersonView,
    pub b: PersonView,
}

/// A merge that can be undone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeSummary {
    pub id: String,
    pub survivor: String,
    pub merged: String,
    pub by: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateQueue {
    pub pairs: Vec<SuspectedPair>,
    pub merges: Vec<MergeSummary>,
    /// When the detection last ran over all records, and what it found.
    pub last_run: Option<String>,
}

/// One attribute on the merge form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeChoice {
    pub attribute: Attribute,
    pub survivor_value: String,
    pub merged_value: String,
    pub survivor_certified: bool,
    pub merged_certified: bool,
}

/// The merge form of two records: which survives (the one with an account, else the older),
/// and the attributes to choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeForm {
    pub survivor: PersonView,
    pub merged: PersonView,
    pub choices: Vec<MergeChoice>,
    /// Why the merge cannot be done, if it cannot (both have an account…).
    pub refusal: Option<String>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::compare::Record;
    use super::*;

    fn rule(equal: &[Attribute], approximate: &[Attribute], missing: &[Attribute]) -> Rule {
        Rule {
            name: "r".into(),
            priority: 1,
            active: true,
            equal: equal.to_vec(),
            approximate: approximate.to_vec(),
            missing_allowed: missing.to_vec(),
            ..Default::default()
        }
    }

    /// The rules the migration seeds.
    pub(crate) fn defaults() -> Vec<Rule> {
        use Attribute::*;
        vec![
            rule(&[BirthDate], &[GivenNames, BirthName], &[]),
            rule(&[Email], &[GivenNames, BirthName, BirthDate], &[BirthDate]),
            rule(&[Phone], &[GivenNames, BirthName, BirthDate], &[BirthDate]),
            rule(&[BirthPlace], &[GivenNames, BirthName, BirthDate], &[]),
        ]
    }

    struct Fixture {
        given: &'static str,
        birth: &'static str,
        date: Option<&'static str>,
        email: Option<&'static str>,
        place: Option<&'static str>,
    }

    const fn f(
        given: &'static str,
        birth: &'static str,
        date: Option<&'static str>,
        email: Option<&'static str>,
        place: Option<&'static str>,
    ) -> Fixture {
        Fixture {
            given,
            birth,
            date,
            email,
            place,
        }
    }

    fn prepared(x: &Fixture) -> Prepared {
        Prepared::new(&Record {
            given_names: x.given.into(),
            birth_name: x.birth.into(),
            birth_date: x.date.map(str::to_owned),
            email: x.email.map(str::to_owned),
            birth_place: x.place.map(str::to_owned),
            ..Default::default()
        })
    }

    fn suspected(a: &Fixture, b: &Fixture) -> bool {
        let (a, b) = (prepared(a), prepared(b));
        defaults().iter().any(|r| r.matches(&a, &b).is_some())
            && defaults().iter().any(|r| r.matches(&b, &a).is_some())
    }

    const D: Option<&str> = Some("1984-06-17");

    #[test]
    fn realistic_french_records_pair_as_expected() {
        let pairs = [
            (
                f("Hélène", "Lefèvre", D, None, None),
                f("HELENE", "LEFEVRE", D, None, None),
            ),
            (
                f("Jean-Pierre", "Dupont", D, None, None),
                f("Jean Pierre", "Dupont", D, None, None),
            ),
            (
                f("Jean-Pierre Marie", "Dupont", D, None, None),
                f("Jean-Pierre", "DUPONT", D, None, None),
            ),
            (
                f("Jean-Pierre", "Dupont", D, None, None),
                f("Jean-Pierre", "Dupond", D, None, None),
            ),
            (
                f("Maëlle", "Le Goff", D, None, None),
                f("Maelle", "LEGOFF", D, None, None),
            ),
            (
                f("Charles", "de Gaulle", D, None, None),
                f("Charles", "Gaulle", D, None, None),
            ),
            (
                f("Benoît", "d'Aubigné", D, None, None),
                f("Benoit", "Daubigne", D, None, None),
            ),
            (
                f("Martin", "Sophie", D, None, None),
                f("Sophie", "Martin", D, None, None),
            ),
            (
                f("Nathalie", "Bernard", D, None, None),
                f("Nathalie", "Bernrad", D, None, None),
            ),
            (
                f(
                    "François",
                    "Girard",
                    None,
                    Some("f.girard@exemple.fr"),
                    None,
                ),
                f(
                    "Francois",
                    "GIRARD",
                    None,
                    Some("F.Girard@Exemple.fr"),
                    None,
                ),
            ),
            (
                f(
                    "",
                    "Camille Rousseau",
                    None,
                    Some("camille@exemple.fr"),
                    None,
                ),
                f(
                    "Camille",
                    "Rousseau",
                    Some("1990-01-02"),
                    Some("camille@exemple.fr"),
                    None,
                ),
            ),
            (
                f(
                    "Thomas",
                    "Moreau",
                    Some("1975-04-11"),
                    None,
                    Some("Saint-Nazaire"),
                ),
                f(
                    "Thomas",
                    "Moreau",
                    Some("1975-11-04"),
                    None,
                    Some("St Nazaire"),
                ),
            ),
        ];
        for (a, b) in &pairs {
            assert!(
                suspected(a, b),
                "{} {} ~ {} {}",
                a.given,
                a.birth,
                b.given,
                b.birth
            );
        }
    }

    #[test]
    fn twins_homonyms_and_relatives_are_not_pairs() {
        let non_pairs = [
            // Twins: same family name and birth date, other given names.
            (
                f("Lucas", "Petit", D, None, None),
                f("Léo", "Petit", D, None, None),
            ),
            (
                f("Marie-Claire", "Roux", D, None, None),
                f("Marie-Laure", "Roux", D, None, None),
            ),
            // Homonyms born on other days.
            (
                f("Jean", "Martin", Some("1950-01-01"), None, None),
                f("Jean", "Martin", Some("1982-07-30"), None, None),
            ),
            // Father and son sharing an e-mail address.
            (
                f(
                    "Jean",
                    "Martin",
                    Some("1950-01-01"),
                    Some("famille.martin@exemple.fr"),
                    None,
                ),
                f(
                    "Jean",
                    "Martin",
                    Some("1982-07-30"),
                    Some("famille.martin@exemple.fr"),
                    None,
                ),
            ),
            // "Jean" is not "Jean-Pierre".
            (
                f("Jean", "Dupont", D, None, None),
                f("Jean-Pierre", "Dupont", D, None, None),
            ),
            // Different people who share nothing but a birth date.
            (
                f("Paul", "Durand", D, None, None),
                f("Inès", "Faure", D, None, None),
            ),
        ];
        for (a, b) in &non_pairs {
            assert!(
                !suspected(a, b),
                "{} {} ≁ {} {}",
                a.given,
                a.birth,
                b.given,
                b.birth
            );
        }
    }

    #[test]
    fn every_default_rule_passes_its_own_checks() {
        for r in defaults() {
            assert_eq!(r.check(), Ok(()));
        }
    }

    fn input(equal: &[&str], approximate: &[&str]) -> RuleInput {
        RuleInput {
            name: "Règle".into(),
            priority: "3".into(),
            active: true,
            equal: equal.iter().map(|s| s.to_string()).collect(),
            approximate: approximate.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn rules_are_refused_with_the_field_at_fault() {
        let field = |r: RuleInput| {
            r.validate()
                .err()
                .and_then(|e| e.field().map(str::to_owned))
        };
        assert_eq!(
            field(RuleInput {
                name: " ".into(),
                ..input(&["email"], &[])
            })
            .as_deref(),
            Some("name")
        );
        assert_eq!(
            field(RuleInput {
                priority: "0".into(),
                ..input(&["email"], &[])
            })
            .as_deref(),
            Some("priority")
        );
        assert_eq!(field(input(&["pointure"], &[])).as_deref(), Some("equal"));
        assert_eq!(field(input(&[], &[])).as_deref(), Some("equal"));
        assert_eq!(
            field(input(&["email"], &["email"])).as_deref(),
            Some("approximate")
        );
        assert_eq!(
            field(input(&["birth_place"], &["given_names"])).as_deref(),
            Some("equal")
        );
        assert_eq!(
            field(RuleInput {
                missing_allowed: vec!["phone".into()],
                ..input(&["email"], &[])
            })
            .as_deref(),
            Some("missing_allowed")
        );
        assert!(
            input(&["birth_date"], &["given_names", "birth_name"])
                .validate()
                .is_ok()
        );
    }
}
