//! On whose behalf a démarche may be filed (its "bénéficiaire" setting), and the age rule for
//! persons: shared by the designer, the portal's start page and the server, which enforces it.
//!
//! The setting is part of the démarche's identity card ([`super::model::Demarche`]); a document
//! written before it existed reads as "the citizen themself only", the behaviour it had.

use serde::{Deserialize, Serialize};

use super::model::IsoDate;
use super::strings as s;

/// Who the citizen may file the démarche for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeneficiarySetting {
    /// The citizen themself.
    #[serde(default = "yes")]
    pub citizen: bool,
    /// Any other member of their household (children included).
    #[serde(default)]
    pub household_member: bool,
    /// A child of their household.
    #[serde(default)]
    pub child: bool,
    /// An organisation they represent.
    #[serde(default)]
    pub organisation: bool,
    /// For persons (the citizen and household members alike): their age on a date.
    #[serde(default)]
    pub age: Option<AgeRule>,
}

fn yes() -> bool {
    true
}

impl Default for BeneficiarySetting {
    fn default() -> Self {
        Self {
            citizen: true,
            household_member: false,
            child: false,
            organisation: false,
            age: None,
        }
    }
}

impl BeneficiarySetting {
    /// What every démarche did before the setting existed: left out of exported documents.
    pub fn is_default(&self) -> bool {
        self == &Self::default()
    }

    /// The start page asks "Pour qui ?" only when there is someone else to choose.
    pub fn offers_a_choice(&self) -> bool {
        self.household_member || self.child || self.organisation
    }

    pub fn allows_persons(&self) -> bool {
        self.citizen || self.household_member || self.child
    }
}

/// Ages in whole years, both bounds included, on the reference date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRule {
    #[serde(default)]
    pub min: Option<u32>,
    #[serde(default)]
    pub max: Option<u32>,
    pub on: AgeReference,
}

/// The day the age is counted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeReference {
    /// The day the dossier is started (and submitted: the server checks again).
    Submission,
    /// A fixed day, such as the school year's 1 September.
    Date(IsoDate),
}

/// The oldest age a rule may name: beyond, it is a typing mistake.
pub const MAX_AGE: u32 = 130;

/// Age in whole years on `on` of someone born on `birth` (0 before their first birthday; an
/// `on` before `birth` is 0 too). Someone born on 29 February turns a year older on 1 March
/// in common years, as French civil law counts it (the anniversary day does not exist, the
/// year is complete at the end of 28 February).
pub fn age_on(birth: IsoDate, on: IsoDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let years = u32::from(on.year()) - u32::from(birth.year());
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    years - u32::from(before_birthday)
}

impl AgeRule {
    /// The reference date, `today` for [`AgeReference::Submission`].
    pub fn date(&self, today: IsoDate) -> IsoDate {
        match self.on {
            AgeReference::Submission => today,
            AgeReference::Date(date) => date,
        }
    }

    /// "pour les 3 à 11 ans", "pour les 16 ans et plus", "pour les moins de 12 ans".
    pub fn range_text(&self) -> String {
        match (self.min, self.max) {
            (Some(min), Some(max)) if min == max => s::age_exactly(min),
            (Some(min), Some(max)) => s::age_between(min, max),
            (Some(min), None) => s::age_at_least(min),
            (None, Some(max)) => s::age_at_most(max),
            (None, None) => String::new(),
        }
    }

    /// Why `name`, born on `birth` (unknown: `None`), cannot be the beneficiary; `None` when
    /// they can.
    pub fn refusal(&self, name: &str, birth: Option<IsoDate>, today: IsoDate) -> Option<String> {
        let Some(birth) = birth else {
            return Some(s::age_unknown(name, &self.range_text()));
        };
        let on = self.date(today);
        let age = age_on(birth, on);
        let fits = self.min.is_none_or(|min| age >= min) && self.max.is_none_or(|max| age <= max);
        if fits {
            return None;
        }
        let when = match self.on {
            AgeReference::Submission => s::age_today(name, age),
            AgeReference::Date(date) if date > today => s::age_will_be(name, age, &long_date(date)),
            AgeReference::Date(date) if date == today => s::age_today(name, age),
            AgeReference::Date(date) => s::age_was(name, age, &long_date(date)),
        };
        Some(format!("{when} : {}", s::age_rule(&self.range_text())))
    }
}

/// "1er septembre 2027", "14 juillet 2026".
pub fn long_date(date: IsoDate) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = MONTHS
        .get(usize::from(date.month()).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    let day = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {month} {}", date.year())
}

/// Problems of the setting, as `(path, message)` for the definition validator; `organisation
/// prefill` says whether some field reads the represented organisation.
pub fn problems(setting: &BeneficiarySetting, organisation_prefill: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !setting.allows_persons() && !setting.organisation {
        out.push(s::BENEFICIARY_NONE.to_owned());
    }
    if let Some(rule) = &setting.age {
        if !setting.allows_persons() {
            out.push(s::AGE_WITHOUT_PERSON.to_owned());
        }
        if rule.min.is_none() && rule.max.is_none() {
            out.push(s::AGE_EMPTY.to_owned());
        }
        if let Some(too_old) = [rule.min, rule.max]
            .into_iter()
            .flatten()
            .find(|a| *a > MAX_AGE)
        {
            out.push(s::age_too_old(too_old, MAX_AGE));
        }
        if let (Some(min), Some(max)) = (rule.min, rule.max)
            && min > max
        {
            out.push(s::age_reversed(min, max));
        }
    }
    if organisation_prefill && !setting.organisation {
        out.push(s::ORGANISATION_PREFILL_NOT_ALLOWED.to_owned());
    }
    out
}

/// The kind of beneficiary a draft or dossier is for, as stored (`dossiers.beneficiary_kind`)
/// and filtered by in the back office.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeneficiaryKind {
    /// The account holder themself.
    Soi,
    /// Another member of their household.
    Personne,
    /// A child of their household.
    Enfant,
    Organisation,
}

impl BeneficiaryKind {
    pub const ALL: [Self; 4] = [Self::Soi, Self::Personne, Self::Enfant, Self::Organisation];

    pub fn code(self) -> &'static str {
        match self {
            Self::Soi => "soi",
            Self::Personne => "personne",
            Self::Enfant => "enfant",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Soi => s::KIND_SELF,
            Self::Personne => s::KIND_MEMBER,
            Self::Enfant => s::KIND_CHILD,
            Self::Organisation => s::KIND_ORGANISATION,
        }
    }
}

/// The value of the start page's radio for the citizen themself; others are
/// `personne:<uuid>` and `organisation:<uuid>`.
pub const CHOICE_SELF: &str = "moi";

/// One answer to "Pour qui faites-vous cette démarche ?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeneficiaryOption {
    /// The radio's value ([`CHOICE_SELF`], `personne:<id>`, `organisation:<id>`).
    pub value: String,
    pub label: String,
    /// "Enfant, né(e) le 03/04/2018", "Association, RNA W441234567".
    pub detail: String,
    pub kind: BeneficiaryKind,
    /// Shown but not selectable, for this reason.
    pub refusal: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> IsoDate {
        IsoDate::parse(raw).unwrap()
    }

    #[test]
    fn age_counts_whole_years_and_turns_on_the_birthday() {
        assert_eq!(age_on(date("2015-09-01"), date("2027-08-31")), 11);
        assert_eq!(age_on(date("2015-09-01"), date("2027-09-01")), 12);
        assert_eq!(age_on(date("2015-09-02"), date("2027-09-01")), 11);
        assert_eq!(age_on(date("2027-09-01"), date("2027-09-01")), 0);
        assert_eq!(age_on(date("2028-01-01"), date("2027-09-01")), 0);
        assert_eq!(age_on(date("1999-12-31"), date("2000-01-01")), 0);
    }

    #[test]
    fn a_leap_day_birthday_turns_a_year_older_on_the_first_of_march_in_common_years() {
        let born = date("2016-02-29");
        assert_eq!(age_on(born, date("2026-02-28")), 9);
        assert_eq!(age_on(born, date("2026-03-01")), 10);
        // In a leap year the day exists.
        assert_eq!(age_on(born, date("2024-02-28")), 7);
        assert_eq!(age_on(born, date("2024-02-29")), 8);
        // Born on 1 March, a leap year's 29 February is still before the birthday.
        assert_eq!(age_on(date("2016-03-01"), date("2024-02-29")), 7);
    }

    #[test]
    fn the_rule_counts_on_its_fixed_date_or_on_the_day_of_submission() {
        let rule = AgeRule {
            min: Some(3),
            max: Some(11),
            on: AgeReference::Date(date("2027-09-01")),
        };
        let today = date("2027-05-10");
        // 11 today, 12 on 1 September: refused, with the date said in words.
        assert_eq!(
            rule.refusal("Léa", Some(date("2015-06-15")), today)
                .as_deref(),
            Some("Léa aura 12 ans le 1er septembre 2027 : cette démarche est pour les 3 à 11 ans")
        );
        assert_eq!(rule.refusal("Tom", Some(date("2020-01-01")), today), None);
        assert_eq!(
            rule.refusal("Bébé", Some(date("2025-01-01")), today)
                .as_deref(),
            Some("Bébé aura 2 ans le 1er septembre 2027 : cette démarche est pour les 3 à 11 ans")
        );
        let on_submission = AgeRule {
            on: AgeReference::Submission,
            ..rule.clone()
        };
        assert_eq!(
            on_submission.refusal("Léa", Some(date("2015-06-15")), today),
            None
        );
        assert_eq!(
            on_submission
                .refusal("Léa", Some(date("2015-05-10")), today)
                .as_deref(),
            Some("Léa a 12 ans aujourd'hui : cette démarche est pour les 3 à 11 ans")
        );
        let past = AgeRule {
            on: AgeReference::Date(date("2026-09-01")),
            ..rule.clone()
        };
        assert_eq!(
            past.refusal("Léa", Some(date("2014-01-01")), today)
                .as_deref(),
            Some("Léa avait 12 ans le 1er septembre 2026 : cette démarche est pour les 3 à 11 ans")
        );
        assert!(
            rule.refusal("Zoé", None, today)
                .unwrap()
                .contains("date de naissance")
        );
    }

    #[test]
    fn one_sided_rules_say_their_bound() {
        let at_least = AgeRule {
            min: Some(16),
            max: None,
            on: AgeReference::Submission,
        };
        assert_eq!(at_least.range_text(), "pour les 16 ans et plus");
        let at_most = AgeRule {
            min: None,
            max: Some(5),
            on: AgeReference::Submission,
        };
        assert_eq!(at_most.range_text(), "pour les 5 ans et moins");
        assert_eq!(long_date(date("2026-07-14")), "14 juillet 2026");
    }

    #[test]
    fn the_setting_needs_someone_and_a_coherent_age_range() {
        assert!(problems(&BeneficiarySetting::default(), false).is_empty());
        let nobody = BeneficiarySetting {
            citizen: false,
            ..Default::default()
        };
        assert_eq!(problems(&nobody, false), vec![s::BENEFICIARY_NONE]);
        let organisations_with_age = BeneficiarySetting {
            citizen: false,
            organisation: true,
            age: Some(AgeRule {
                min: None,
                max: None,
                on: AgeReference::Submission,
            }),
            ..Default::default()
        };
        assert_eq!(
            problems(&organisations_with_age, false),
            vec![s::AGE_WITHOUT_PERSON, s::AGE_EMPTY]
        );
        let reversed = BeneficiarySetting {
            child: true,
            age: Some(AgeRule {
                min: Some(200),
                max: Some(3),
                on: AgeReference::Submission,
            }),
            ..Default::default()
        };
        assert_eq!(
            problems(&reversed, true),
            vec![
                s::age_too_old(200, MAX_AGE),
                s::age_reversed(200, 3),
                s::ORGANISATION_PREFILL_NOT_ALLOWED.to_owned()
            ]
        );
    }

    #[test]
    fn documents_without_the_setting_read_as_the_citizen_only_and_new_ones_round_trip() {
        let old: BeneficiarySetting = serde_json::from_str("{}").unwrap();
        assert!(old.is_default() && !old.offers_a_choice());
        let setting = BeneficiarySetting {
            citizen: false,
            child: true,
            age: Some(AgeRule {
                min: Some(3),
                max: Some(11),
                on: AgeReference::Date(date("2027-09-01")),
            }),
            ..Default::default()
        };
        let json = serde_json::to_string(&setting).unwrap();
        assert_eq!(
            json,
            r#"{"citizen":false,"household_member":false,"child":true,"organisation":false,"age":{"min":3,"max":11,"on":{"date":"2027-09-01"}}}"#
        );
        assert_eq!(
            serde_json::from_str::<BeneficiarySetting>(&json).unwrap(),
            setting
        );
        assert!(serde_json::from_str::<BeneficiarySetting>(r#"{"enfant":true}"#).is_err());
    }
}
