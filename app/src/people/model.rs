//! The people and organisations a commune knows, shared by server and browser: identifiers and
//! their checks (SIRET, SIREN, RNA), where each attribute of a person came from and how certain
//! it is, households.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::demarches::model::{Address, IsoDate};

/// How certain an attribute of a person is, weakest first: it decides what prefill may lock
/// (only [`Certainty::Certified`]) and what an agent may edit (not a certified value).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Typed by the citizen or an agent, unchecked.
    Declared,
    /// The e-mail address answered a verification link.
    EmailVerified,
    /// An agent checked it on a document.
    AgentChecked,
    /// Certified by an identity provider (FranceConnect).
    Certified,
}

impl Certainty {
    pub fn label(self) -> &'static str {
        match self {
            Self::Declared => s::CERTAINTY_DECLARED,
            Self::EmailVerified => s::CERTAINTY_EMAIL_VERIFIED,
            Self::AgentChecked => s::CERTAINTY_AGENT_CHECKED,
            Self::Certified => s::CERTAINTY_CERTIFIED,
        }
    }
}

/// The attributes of a person record, as keys of its [`Provenance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Civility,
    GivenNames,
    BirthName,
    UsageName,
    BirthDate,
    BirthPlace,
    BirthCountry,
    Email,
    Phone,
    Address,
}

impl Attribute {
    pub const ALL: [Attribute; 10] = [
        Self::Civility,
        Self::GivenNames,
        Self::BirthName,
        Self::UsageName,
        Self::BirthDate,
        Self::BirthPlace,
        Self::BirthCountry,
        Self::Email,
        Self::Phone,
        Self::Address,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Civility => s::ATTR_CIVILITY,
            Self::GivenNames => s::ATTR_GIVEN_NAMES,
            Self::BirthName => s::ATTR_BIRTH_NAME,
            Self::UsageName => s::ATTR_USAGE_NAME,
            Self::BirthDate => s::ATTR_BIRTH_DATE,
            Self::BirthPlace => s::ATTR_BIRTH_PLACE,
            Self::BirthCountry => s::ATTR_BIRTH_COUNTRY,
            Self::Email => s::ATTR_EMAIL,
            Self::Phone => s::ATTR_PHONE,
            Self::Address => s::ATTR_ADDRESS,
        }
    }
}

/// Where one attribute's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub certainty: Certainty,
    /// Who said so, in words: "FranceConnect", "l'usager", an agent's name.
    pub source: String,
    /// RFC 3339.
    pub at: String,
}

/// The [`Origin`] of each attribute that has a value (the `people.provenance` column).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Provenance(pub BTreeMap<Attribute, Origin>);

impl Provenance {
    /// An attribute without a recorded origin was declared.
    pub fn certainty(&self, attribute: Attribute) -> Certainty {
        self.0
            .get(&attribute)
            .map_or(Certainty::Declared, |origin| origin.certainty)
    }

    /// Certified values are changed by their provider only.
    pub fn editable_by_agent(&self, attribute: Attribute) -> bool {
        self.certainty(attribute) < Certainty::Certified
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Civility {
    Madame,
    Monsieur,
}

/// A person record as pages show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: String,
    pub account_id: Option<String>,
    pub civility: Option<Civility>,
    pub given_names: String,
    pub birth_name: String,
    pub usage_name: Option<String>,
    /// ISO date.
    pub birth_date: Option<String>,
    pub birth_place: Option<String>,
    pub birth_country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub provenance: Provenance,
}

impl PersonView {
    /// The value of one attribute, as compared and recorded in the history.
    pub fn value_of(&self, attribute: Attribute) -> serde_json::Value {
        use serde_json::Value as J;
        let opt = |v: &Option<String>| v.clone().map(J::String).unwrap_or(J::Null);
        match attribute {
            Attribute::Civility => serde_json::to_value(self.civility).unwrap_or(J::Null),
            Attribute::GivenNames => J::String(self.given_names.clone()),
            Attribute::BirthName => J::String(self.birth_name.clone()),
            Attribute::UsageName => opt(&self.usage_name),
            Attribute::BirthDate => opt(&self.birth_date),
            Attribute::BirthPlace => opt(&self.birth_place),
            Attribute::BirthCountry => opt(&self.birth_country),
            Attribute::Email => opt(&self.email),
            Attribute::Phone => opt(&self.phone),
            Attribute::Address => serde_json::to_value(&self.address).unwrap_or(J::Null),
        }
    }

    /// "Prénoms NOM" with the usage name when there is one ("Marie DUPONT née MARTIN").
    pub fn full_name(&self) -> String {
        let given = self.given_names.trim();
        let birth = self.birth_name.trim().to_uppercase();
        match self
            .usage_name
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(usage) if !usage.eq_ignore_ascii_case(&birth) => {
                format!("{given} {} {} {birth}", usage.to_uppercase(), s::NEE)
            }
            _ => format!("{given} {birth}").trim().to_owned(),
        }
    }
}

/// A household member's relation to the household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Referent,
    Conjoint,
    Enfant,
    Autre,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referent => "referent",
            Self::Conjoint => "conjoint",
            Self::Enfant => "enfant",
            Self::Autre => "autre",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "referent" => Some(Self::Referent),
            "conjoint" => Some(Self::Conjoint),
            "enfant" => Some(Self::Enfant),
            "autre" => Some(Self::Autre),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Referent => s::RELATION_REFERENT,
            Self::Conjoint => s::RELATION_CONJOINT,
            Self::Enfant => s::RELATION_ENFANT,
            Self::Autre => s::RELATION_AUTRE,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Entreprise,
    Association,
}

impl OrganisationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entreprise => "entreprise",
            Self::Association => "association",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "entreprise" => Some(Self::Entreprise),
            "association" => Some(Self::Association),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Entreprise => s::KIND_ENTREPRISE,
            Self::Association => s::KIND_ASSOCIATION,
        }
    }
}

impl Civility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Madame => "madame",
            Self::Monsieur => "monsieur",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "madame" => Some(Self::Madame),
            "monsieur" => Some(Self::Monsieur),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Madame => s::CIVILITY_MADAME,
            Self::Monsieur => s::CIVILITY_MONSIEUR,
        }
    }
}

/// The citizen's own record as `/mon-compte/informations` shows it: the person, and the
/// account's e-mail (the one attribute the account owns).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub person: PersonView,
    pub account_email: String,
    pub email_verified: bool,
}

/// One member of a household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub person_id: String,
    pub relation: Relation,
    pub civility: Option<Civility>,
    pub given_names: String,
    pub birth_name: String,
    pub usage_name: Option<String>,
    /// ISO date.
    pub birth_date: Option<String>,
    /// The member signs in with their own account: only they change their record.
    pub has_account: bool,
}

impl MemberView {
    /// "Prénoms NOM".
    pub fn full_name(&self) -> String {
        PersonView {
            given_names: self.given_names.clone(),
            birth_name: self.birth_name.clone(),
            usage_name: self.usage_name.clone(),
            ..Default::default()
        }
        .full_name()
    }

    /// The birth date as `JJ/MM/AAAA`, if known.
    pub fn birth_date_french(&self) -> Option<String> {
        self.birth_date
            .as_deref()
            .and_then(IsoDate::parse)
            .map(IsoDate::to_french)
    }
}

/// A household (foyer) as its members see it on `/mon-foyer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: String,
    pub referent_id: String,
    /// The person of the citizen looking at it.
    pub viewer_id: String,
    /// The referent first, then conjoint, children (eldest first), others.
    pub members: Vec<MemberView>,
}

impl HouseholdView {
    /// What the viewer may change: members without their own account, other than the viewer.
    pub fn editable(&self, member: &MemberView) -> bool {
        !member.has_account && member.person_id != self.viewer_id
    }
}

/// An organisation someone represents, with their role in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationView {
    pub id: String,
    pub kind: OrganisationKind,
    pub name: String,
    pub siret: Option<String>,
    pub siren: Option<String>,
    pub rna: Option<String>,
    /// The representative's role ("président", "gérant"…), possibly empty.
    pub role: String,
}

impl OrganisationView {
    /// "SIRET 214 401 622 00011" or "RNA W751234567".
    pub fn identifier(&self) -> String {
        match (&self.siret, &self.rna) {
            (Some(siret), _) => format!("{} {}", s::SIRET, spaced_siret(siret)),
            (None, Some(rna)) => format!("{} {rna}", s::RNA),
            (None, None) => String::new(),
        }
    }
}

/// A SIRET as it is usually written: `214 401 622 00011`.
pub fn spaced_siret(siret: &str) -> String {
    if siret.len() != 14 || !siret.is_ascii() {
        return siret.to_owned();
    }
    format!(
        "{} {} {} {}",
        &siret[..3],
        &siret[3..6],
        &siret[6..9],
        &siret[9..]
    )
}

/// The Luhn check the INSEE uses for SIREN and SIRET numbers.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The digits of `value` once spaces are removed, if it is exactly `len` digits.
fn digits(value: &str, len: usize) -> Option<Vec<u8>> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != len || !compact.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(compact.bytes().map(|b| b - b'0').collect())
}

/// La Poste's establishments share one SIREN and are too many for Luhn keys: INSEE checks
/// theirs by a sum of digits divisible by 5.
const LA_POSTE_SIREN: &str = "356000000";

/// A SIREN (9 digits, Luhn key), spaces allowed: the compact form, or the reason it is wrong.
pub fn check_siren(value: &str) -> Result<String, &'static str> {
    let Some(d) = digits(value, 9) else {
        return Err(s::SIREN_FORMAT);
    };
    if !luhn(&d) {
        return Err(s::SIREN_KEY);
    }
    Ok(d.iter().map(|d| char::from(b'0' + d)).collect())
}

/// A SIRET (14 digits: the SIREN and the establishment's NIC, Luhn key over the 14 — or
/// La Poste's sum rule), spaces allowed: the compact form, or the reason it is wrong.
pub fn check_siret(value: &str) -> Result<String, &'static str> {
    let Some(d) = digits(value, 14) else {
        return Err(s::SIRET_FORMAT);
    };
    let compact: String = d.iter().map(|d| char::from(b'0' + d)).collect();
    let la_poste = compact.starts_with(LA_POSTE_SIREN)
        && d.iter()
            .map(|&d| u32::from(d))
            .sum::<u32>()
            .is_multiple_of(5);
    if !luhn(&d) && !la_poste {
        return Err(s::SIRET_KEY);
    }
    if !compact.starts_with(LA_POSTE_SIREN) && !luhn(&d[..9]) {
        return Err(s::SIRET_SIREN_KEY);
    }
    Ok(compact)
}

/// An RNA number (répertoire national des associations): `W` and 9 digits, spaces allowed.
pub fn check_rna(value: &str) -> Result<String, &'static str> {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let valid = compact.len() == 10
        && compact.starts_with('W')
        && compact[1..].bytes().all(|b| b.is_ascii_digit());
    if valid {
        Ok(compact)
    } else {
        Err(s::RNA_FORMAT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siren_needs_nine_digits_and_a_luhn_key() {
        assert_eq!(check_siren("214 401 622"), Ok("214401622".to_owned()));
        assert_eq!(check_siren("732829320"), Ok("732829320".to_owned()));
        assert_eq!(check_siren("732829321"), Err(s::SIREN_KEY));
        assert_eq!(check_siren("73282932"), Err(s::SIREN_FORMAT));
        assert_eq!(check_siren("73282932A"), Err(s::SIREN_FORMAT));
    }

    #[test]
    fn siret_needs_fourteen_digits_a_luhn_key_and_a_valid_siren() {
        assert_eq!(
            check_siret("21440162200011"),
            Ok("21440162200011".to_owned())
        );
        assert_eq!(
            check_siret("214 401 622 00011"),
            Ok("21440162200011".to_owned())
        );
        assert_eq!(check_siret("21440162200018"), Err(s::SIRET_KEY));
        assert_eq!(check_siret("2144016220001"), Err(s::SIRET_FORMAT));
    }

    #[test]
    fn la_poste_establishments_follow_the_sum_of_digits_rule() {
        // Head office: an ordinary Luhn key.
        assert_eq!(
            check_siret("35600000000048"),
            Ok("35600000000048".to_owned())
        );
        // An establishment whose digits sum to a multiple of 5 but fail Luhn.
        let sum_rule = "35600000000001";
        let digits: Vec<u8> = sum_rule.bytes().map(|b| b - b'0').collect();
        assert!(!luhn(&digits));
        assert_eq!(digits.iter().map(|&d| u32::from(d)).sum::<u32>() % 5, 0);
        assert_eq!(check_siret(sum_rule), Ok(sum_rule.to_owned()));
        // The same rule does not apply to any other SIREN.
        let not_la_poste = "73282932000004";
        let digits: Vec<u8> = not_la_poste.bytes().map(|b| b - b'0').collect();
        assert_eq!(digits.iter().map(|&d| u32::from(d)).sum::<u32>() % 5, 0);
        assert_eq!(check_siret(not_la_poste), Err(s::SIRET_KEY));
    }

    #[test]
    fn rna_is_w_and_nine_digits() {
        assert_eq!(check_rna("w751234567"), Ok("W751234567".to_owned()));
        assert_eq!(check_rna("W75123456"), Err(s::RNA_FORMAT));
        assert_eq!(check_rna("A751234567"), Err(s::RNA_FORMAT));
    }

    #[test]
    fn only_certified_values_are_out_of_an_agents_reach() {
        let mut provenance = Provenance::default();
        provenance.0.insert(
            Attribute::BirthDate,
            Origin {
                certainty: Certainty::Certified,
                source: "FranceConnect".into(),
                at: "2026-12-07T10:00:00Z".into(),
            },
        );
        assert!(!provenance.editable_by_agent(Attribute::BirthDate));
        assert!(provenance.editable_by_agent(Attribute::Phone));
        assert_eq!(provenance.certainty(Attribute::Phone), Certainty::Declared);
    }

    #[test]
    fn full_name_shows_the_usage_name_before_the_birth_name() {
        let person = PersonView {
            given_names: "Marie".into(),
            birth_name: "Martin".into(),
            usage_name: Some("Dupont".into()),
            ..Default::default()
        };
        assert_eq!(person.full_name(), "Marie DUPONT née MARTIN");
        let plain = PersonView {
            given_names: "Jean".into(),
            birth_name: "Durand".into(),
            ..Default::default()
        };
        assert_eq!(plain.full_name(), "Jean DURAND");
    }
}
