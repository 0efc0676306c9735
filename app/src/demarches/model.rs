//! The démarche model: the serde types shared by the designer, the portal and the server.
//!
//! This JSON is a public exchange format (see [`super::document`]): every enum is externally
//! tagged in snake_case (`{"integer": {"min": 0, "max": null}}`), every struct refuses unknown
//! properties, and optional properties may be left out.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::condition::Condition;
use super::strings as s;

/// A real calendar date, written `YYYY-MM-DD` in JSON. Ordered chronologically.
///
/// Kept dependency-free so the WASM bundle does not need the `time` crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IsoDate {
    year: u16,
    month: u8,
    day: u8,
}

impl IsoDate {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Self { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let year = digits(raw.get(0..4)?)?;
        let month = digits(raw.get(5..7)?)?;
        let day = digits(raw.get(8..10)?)?;
        Self::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Parses what a citizen may type: `YYYY-MM-DD` (HTML date inputs) or `JJ/MM/AAAA`.
    pub fn parse_input(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if let Some(date) = Self::parse(raw) {
            return Some(date);
        }
        let mut parts = raw.split('/');
        let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || day.len() > 2 || month.len() > 2 {
            return None;
        }
        Self::new(
            u16::try_from(digits(year)?).ok()?,
            u8::try_from(digits(month)?).ok()?,
            u8::try_from(digits(day)?).ok()?,
        )
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// `JJ/MM/AAAA`, for messages shown to citizens.
    pub fn to_french(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

fn digits(raw: &str) -> Option<u32> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for IsoDate {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| s::bad_iso_date(&raw))
    }
}

impl From<IsoDate> for String {
    fn from(date: IsoDate) -> Self {
        date.to_string()
    }
}

/// An exact decimal number with at most [`Decimal::SCALE`] fraction digits (no floats, so
/// amounts of money compare and round-trip exactly). Stored as an `i128` count of millionths;
/// written in JSON as a string (`"12.5"`), the canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal(i128);

impl Decimal {
    /// Number of fraction digits kept.
    pub const SCALE: u32 = 6;
    const UNIT: i128 = 1_000_000;
    const MAX_INTEGER_DIGITS: usize = 18;

    pub fn from_integer(value: i64) -> Self {
        Self(i128::from(value) * Self::UNIT)
    }

    /// Parses `-12.5`, `12,50` (French comma) or `1 000,5` (spaces as thousands separators).
    pub fn parse(raw: &str) -> Option<Self> {
        let cleaned: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
            .collect();
        let (negative, unsigned) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
        };
        let (integer, fraction) = match unsigned.split_once(['.', ',']) {
            Some((integer, fraction)) => (integer, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if integer.is_empty()
            || integer.len() > Self::MAX_INTEGER_DIGITS
            || fraction.len() > Self::SCALE as usize
            || !all_digits(integer)
            || !all_digits(fraction)
            || (unsigned.len() > integer.len() && fraction.is_empty())
        {
            return None;
        }
        let integer: i128 = integer.parse().ok()?;
        let mut fraction_value: i128 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().ok()?
        };
        for _ in fraction.len()..Self::SCALE as usize {
            fraction_value *= 10;
        }
        let magnitude = integer * Self::UNIT + fraction_value;
        Some(Self(if negative { -magnitude } else { magnitude }))
    }

    /// With a decimal comma, for messages shown to citizens (`12,5`).
    pub fn to_french(self) -> String {
        self.to_string().replace('.', ",")
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let unit = Self::UNIT.unsigned_abs();
        let (integer, fraction) = (magnitude / unit, magnitude % unit);
        if fraction == 0 {
            return write!(f, "{sign}{integer}");
        }
        let fraction = format!("{fraction:06}");
        write!(f, "{sign}{integer}.{}", fraction.trim_end_matches('0'))
    }
}

impl TryFrom<String> for Decimal {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw).ok_or_else(|| s::bad_decimal(&raw))
    }
}

impl From<Decimal> for String {
    fn from(value: Decimal) -> Self {
        value.to_string()
    }
}

/// Who may file the démarche.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    AnonymousAllowed,
    IdentifiedOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemarcheState {
    Draft,
    Published,
    Closed,
}

/// Inclusive dates between which a published démarche is open; either end may be open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicationWindow {
    #[serde(default)]
    pub from: Option<IsoDate>,
    #[serde(default)]
    pub to: Option<IsoDate>,
}

/// A démarche's identity card; its form is the separate [`Definition`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demarche {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The category the démarche is listed under on the portal.
    #[serde(default)]
    pub rubrique: String,
    pub audience: Audience,
    #[serde(default)]
    pub publication: PublicationWindow,
    pub state: DemarcheState,
    /// Identifier of the service that receives the dossiers unless a rule says otherwise.
    #[serde(default)]
    pub default_service: Option<String>,
    /// On whose behalf it may be filed; left out of documents when it is the citizen only.
    #[serde(
        default,
        skip_serializing_if = "super::beneficiary::BeneficiarySetting::is_default"
    )]
    pub beneficiary: super::beneficiary::BeneficiarySetting,
}

/// The form: ordered steps of ordered fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub code: String,
    pub title: String,
    /// Shown only when this holds; a hidden step hides all its fields.
    #[serde(default)]
    pub condition: Option<Condition>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Stable identifier: lowercase ASCII letters, digits and `_`, starting with a letter.
    /// Unique in the whole definition, groups included.
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub required: bool,
    /// Shown only when this holds; a hidden field is never required and its answer is dropped.
    #[serde(default)]
    pub condition: Option<Condition>,
    /// Profile attribute used as the initial (still editable) answer.
    #[serde(default)]
    pub prefill: Option<ProfileAttribute>,
    pub kind: FieldKind,
}

/// What a field asks for. Text limits default to [`SHORT_TEXT_MAX`] / [`LONG_TEXT_MAX`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    ShortText {
        #[serde(default)]
        max_length: Option<u32>,
        #[serde(default)]
        pattern: Option<TextPattern>,
    },
    LongText {
        #[serde(default)]
        max_length: Option<u32>,
        #[serde(default)]
        pattern: Option<TextPattern>,
    },
    Email {},
    /// A French phone number, normalised to `+33XXXXXXXXX`.
    Phone {},
    Integer {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    Decimal {
        #[serde(default)]
        min: Option<Decimal>,
        #[serde(default)]
        max: Option<Decimal>,
    },
    Date {
        #[serde(default)]
        min: Option<IsoDate>,
        #[serde(default)]
        max: Option<IsoDate>,
    },
    YesNo {},
    SingleChoice {
        options: Vec<ChoiceOption>,
        #[serde(default)]
        display: ChoiceDisplay,
    },
    /// `min_selected` applies once something is ticked; `required` forbids ticking nothing.
    MultipleChoice {
        options: Vec<ChoiceOption>,
        #[serde(default)]
        min_selected: Option<u32>,
        #[serde(default)]
        max_selected: Option<u32>,
    },
    /// A French postal address: number, street, 5-digit postcode, commune.
    Address {},
    /// 14 digits with a valid Luhn key.
    Siret {},
    /// Attachments, uploaded elsewhere and referenced by [`FileRef`]. An empty
    /// `accepted_types` accepts every type.
    Files {
        #[serde(default)]
        accepted_types: Vec<String>,
        max_size_bytes: u64,
        max_files: u32,
    },
    /// Text shown to the citizen (the label is its title); expects no answer.
    Explanation {
        body: String,
    },
    /// A section title (the label); expects no answer.
    SectionHeader {},
    /// Sub-fields answered once per item (e.g. one block per child). A non-empty answer has
    /// `min_items..=max_items` items; no item at all is allowed unless the field is required.
    Group {
        fields: Vec<Field>,
        #[serde(default)]
        min_items: u32,
        max_items: u32,
    },
}

pub const SHORT_TEXT_MAX: u32 = 255;
pub const LONG_TEXT_MAX: u32 = 10_000;

impl FieldKind {
    /// Whether the field expects an answer at all.
    pub fn has_answer(&self) -> bool {
        !matches!(self, Self::Explanation { .. } | Self::SectionHeader {})
    }
}

/// A regular expression (`regex-lite` syntax) the whole trimmed answer must match, and the
/// designer's message shown when it does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextPattern {
    pub regex: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// What is stored in answers and compared by conditions.
    pub value: String,
    pub label: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceDisplay {
    #[default]
    Radio,
    List,
}

/// What a field may be prefilled with. The identity attributes (from [`Self::GivenName`] on) are
/// filled only from an identity certified by a provider (FranceConnect), and then locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileAttribute {
    DisplayName,
    Email,
    Phone,
    Address,
    /// Prénom(s).
    GivenName,
    /// Nom de naissance.
    BirthName,
    /// Nom d'usage.
    UsageName,
    BirthDate,
    /// INSEE code of the birth commune.
    BirthPlace,
    /// INSEE code of the birth country.
    BirthCountry,
    /// Sexe, as a single choice offering a female and a male option (see [`gender_option`]).
    Gender,
    /// The represented organisation's raison sociale (beneficiary: an organisation).
    OrganisationName,
    /// Its SIRET (companies).
    OrganisationSiret,
    /// Its RNA number (associations).
    OrganisationRna,
    /// On a group: one item per child of the citizen's household, its sub-fields filled by
    /// their own attribute (given names, birth name, birth date).
    HouseholdChildren,
}

impl ProfileAttribute {
    /// An identity attribute: locked when it comes from an identity certified by a provider
    /// (the citizen filing for themself), otherwise read from the beneficiary's record.
    pub fn is_identity(self) -> bool {
        matches!(
            self,
            Self::GivenName
                | Self::BirthName
                | Self::UsageName
                | Self::BirthDate
                | Self::BirthPlace
                | Self::BirthCountry
                | Self::Gender
        )
    }

    /// Read from the organisation the citizen files for.
    pub fn is_organisation(self) -> bool {
        matches!(
            self,
            Self::OrganisationName | Self::OrganisationSiret | Self::OrganisationRna
        )
    }

    /// What a sub-field of a group prefilled with the household's children may read.
    pub fn fits_a_child(self) -> bool {
        matches!(self, Self::GivenName | Self::BirthName | Self::BirthDate)
    }
}

/// What the citizen's account knows about them, used to prefill answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    /// The identity a provider certified: the only source of the identity attributes, whose
    /// fields it locks. The other values above are the citizen's own, and stay editable.
    #[serde(default)]
    pub certified: Option<crate::identity::model::CertifiedIdentity>,
    /// The beneficiary's person record, where nothing certified says otherwise: editable.
    #[serde(default)]
    pub person: Option<PersonProfile>,
    /// The organisation the citizen files for, if they file for one.
    #[serde(default)]
    pub organisation: Option<OrganisationProfile>,
    /// The children of the citizen's household, eldest first (groups prefilled with them).
    #[serde(default)]
    pub children: Vec<PersonProfile>,
}

/// A person record's identity as prefill reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonProfile {
    pub given_names: Option<String>,
    pub birth_name: Option<String>,
    pub usage_name: Option<String>,
    pub birth_date: Option<IsoDate>,
    pub birth_place: Option<String>,
    pub birth_country: Option<String>,
    /// `female` or `male`, as [`gender_option`] reads it.
    pub gender: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationProfile {
    pub name: String,
    pub siret: Option<String>,
    pub rna: Option<String>,
}

/// The option of a single choice that stands for `gender` (`female` or `male`, as
/// FranceConnect says): the one whose value is a usual word for it (`f`, `femme`, `madame`…).
pub fn gender_option<'a>(options: &'a [ChoiceOption], gender: &str) -> Option<&'a ChoiceOption> {
    let words: &[&str] = match gender {
        "female" => &["female", "f", "femme", "madame", "mme", "feminin"],
        "male" => &["male", "m", "homme", "monsieur", "m.", "masculin"],
        _ => return None,
    };
    options
        .iter()
        .find(|option| words.contains(&option.value.trim().to_ascii_lowercase().as_str()))
}

/// The answers an identity certified by a provider fixes on a draft: the step page shows them
/// read-only with the provider's name, and the server puts them back whatever is posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locks {
    /// Who certified them ("FranceConnect").
    pub provider: String,
    /// The certified answer by field code (top-level fields only).
    pub values: BTreeMap<String, RawAnswer>,
}

impl Locks {
    /// The provider's name if the field `code` is locked.
    pub fn certifier(&self, code: &str) -> Option<&str> {
        self.values
            .contains_key(code)
            .then_some(self.provider.as_str())
    }

    /// Puts the certified values back into `answers`, whatever they held.
    pub fn enforce(&self, answers: &mut Answers) {
        for (code, value) in &self.values {
            answers.0.insert(code.clone(), value.clone());
        }
    }
}

/// A postal address; `number` may be empty (lieu-dit).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub number: String,
    pub street: String,
    pub postcode: String,
    pub commune: String,
}

/// An uploaded file, as referenced by an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
}

/// One submitted answer, as it comes from the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawAnswer {
    /// Text fields, numbers, dates, single choice; yes/no as `oui`/`non`.
    Text(String),
    YesNo(bool),
    Choices(Vec<String>),
    Address(Address),
    Files(Vec<FileRef>),
    Group(Vec<Answers>),
}

/// Submitted answers by field code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<String, RawAnswer>);

/// A validated, normalised answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Date(IsoDate),
    YesNo(bool),
    Choices(Vec<String>),
    Address(Address),
    Files(Vec<FileRef>),
    Group(Vec<CleanAnswers>),
}

/// Validated answers by field code: only visible, non-empty answers are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CleanAnswers(pub BTreeMap<String, AnswerValue>);

impl AnswerValue {
    /// The answer as the form would post it: validating it again gives it back.
    pub fn to_raw(&self) -> RawAnswer {
        match self {
            Self::Text(text) => RawAnswer::Text(text.clone()),
            Self::Integer(n) => RawAnswer::Text(n.to_string()),
            Self::Decimal(d) => RawAnswer::Text(d.to_string()),
            Self::Date(d) => RawAnswer::Text(d.to_string()),
            Self::YesNo(b) => RawAnswer::YesNo(*b),
            Self::Choices(c) => RawAnswer::Choices(c.clone()),
            Self::Address(a) => RawAnswer::Address(a.clone()),
            Self::Files(f) => RawAnswer::Files(f.clone()),
            Self::Group(items) => {
                RawAnswer::Group(items.iter().map(CleanAnswers::to_raw).collect())
            }
        }
    }
}

impl CleanAnswers {
    /// Back to posted answers: what a complement or an agent's edit starts from.
    pub fn to_raw(&self) -> Answers {
        Answers(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), v.to_raw()))
                .collect(),
        )
    }
}

/// A rule broken by submitted answers. `path` names the field: `nom`, `enfants[1].prenom`
/// (group items counted from 0), `adresse.postcode`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub path: String,
    pub message: String,
}

/// A problem in a démarche or its definition. `path` names the element: `title`,
/// `publication`, a step code, a field code (`enfants.prenom` inside groups),
/// `choix.options[2]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionError {
    pub path: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_accept_only_real_calendar_days() {
        assert_eq!(IsoDate::parse("2024-02-29"), IsoDate::new(2024, 2, 29));
        assert!(IsoDate::new(2024, 2, 29).is_some());
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-04-31",
            "2024-4-01",
            "24-04-01",
            "2024/04/01",
            "0000-01-01",
            "2024-00-10",
            "abcd-ef-gh",
            "2024-01-3é",
        ] {
            assert_eq!(IsoDate::parse(bad), None, "{bad}");
        }
        assert_eq!(IsoDate::parse("2000-02-29").map(|d| d.day()), Some(29));
    }

    #[test]
    fn iso_dates_compare_chronologically_and_read_french_input() {
        let a = IsoDate::parse("2023-12-31").unwrap();
        let b = IsoDate::parse("2024-01-01").unwrap();
        assert!(a < b);
        assert_eq!(IsoDate::parse_input(" 01/01/2024 "), Some(b));
        assert_eq!(IsoDate::parse_input("1/1/2024"), Some(b));
        assert_eq!(IsoDate::parse_input("31/02/2024"), None);
        assert_eq!(b.to_french(), "01/01/2024");
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"2024-01-01\"");
        let error = serde_json::from_str::<IsoDate>("\"2024-02-30\"").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&s::bad_iso_date("2024-02-30"))
        );
    }

    #[test]
    fn decimals_are_exact_and_canonical() {
        let parse = |raw| Decimal::parse(raw).map(|d| d.to_string());
        assert_eq!(parse("12,50").as_deref(), Some("12.5"));
        assert_eq!(parse(" 1 000,05 ").as_deref(), Some("1000.05"));
        assert_eq!(parse("-0.000001").as_deref(), Some("-0.000001"));
        assert_eq!(parse("+7").as_deref(), Some("7"));
        assert_eq!(parse("-0").as_deref(), Some("0"));
        for bad in [
            "",
            "-",
            "1.",
            ".5",
            "1.2.3",
            "1e3",
            "0.0000001",
            "abc",
            "1 000 000 000 000 000 000",
        ] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
        assert!(Decimal::parse("0.1").unwrap() < Decimal::parse("0.10001").unwrap());
        assert_eq!(Decimal::from_integer(3), Decimal::parse("3.000").unwrap());
        assert_eq!(
            serde_json::to_string(&Decimal::parse("2,5").unwrap()).unwrap(),
            "\"2.5\""
        );
    }

    #[test]
    fn field_kinds_have_a_stable_snake_case_json_shape_and_refuse_unknown_settings() {
        let integer = FieldKind::Integer {
            min: Some(0),
            max: None,
        };
        assert_eq!(
            serde_json::to_string(&integer).unwrap(),
            r#"{"integer":{"min":0,"max":null}}"#
        );
        assert_eq!(
            serde_json::to_string(&FieldKind::YesNo {}).unwrap(),
            r#"{"yes_no":{}}"#
        );
        assert_eq!(
            serde_json::from_str::<FieldKind>(r#"{"integer":{}}"#).unwrap(),
            FieldKind::Integer {
                min: None,
                max: None
            }
        );
        assert!(serde_json::from_str::<FieldKind>(r#"{"email":{"max":3}}"#).is_err());
        assert!(serde_json::from_str::<FieldKind>(r#""email""#).is_err());
        let answer = RawAnswer::Group(vec![Answers(
            [("prenom".to_owned(), RawAnswer::Text("Léa".into()))].into(),
        )]);
        assert_eq!(
            serde_json::to_string(&answer).unwrap(),
            r#"{"group":[{"prenom":{"text":"Léa"}}]}"#
        );
    }

    #[test]
    fn file_sizes_are_shown_in_french_units() {
        assert_eq!(s::human_size(5 * 1024 * 1024), "5 Mo");
        assert_eq!(s::human_size(500 * 1024), "500 Ko");
        assert_eq!(s::human_size(1500), "1500 octets");
    }
}
