//! What a citizen (or an agent) types about a person, checked strictly and named field by
//! field in French: names, dates of birth (in the past; a child's within the last 25 years),
//! phone numbers, postal addresses. Pure, so the rules are unit-tested apart from the database.

use super::model::{Civility, Relation};
use super::strings as s;
use crate::demarches::model::{Address, IsoDate};
use crate::error::{AppError, Problem};

/// Longest name, place or role kept (in characters).
pub const MAX_TEXT: usize = 100;
/// Oldest birth date accepted.
const EARLIEST_BIRTH: (u16, u8, u8) = (1900, 1, 1);
/// A child of the household is at most this old.
pub const MAX_CHILD_AGE: u16 = 25;

/// The problems found in one form, each on its field.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(Problem {
            path: field.to_owned(),
            message: message.into(),
        });
    }

    /// The value of a check, its problem recorded (`None` then).
    pub fn take<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(problem);
                None
            }
        }
    }

    /// Nothing wrong, or the error naming every problem (one problem: on its field, as the
    /// other forms of the site report it).
    pub fn into_result(self) -> Result<(), AppError> {
        let mut problems = self.0;
        match problems.len() {
            0 => Ok(()),
            1 => {
                let problem = problems.remove(0);
                Err(AppError::invalid(&problem.path, problem.message))
            }
            _ => Err(AppError::Rejected { problems }),
        }
    }
}

fn problem(field: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: field.to_owned(),
        message: message.into(),
    }
}

/// A name or a place: trimmed, inner spaces collapsed, no control characters, at most
/// [`MAX_TEXT`] characters; `None` when empty and not `required`.
pub fn text(
    field: &str,
    label: &str,
    raw: &str,
    required: bool,
) -> Result<Option<String>, Problem> {
    text_up_to(field, label, raw, required, MAX_TEXT)
}

/// [`text`] with another bound (`max` characters).
pub fn text_up_to(
    field: &str,
    label: &str,
    raw: &str,
    required: bool,
    max: usize,
) -> Result<Option<String>, Problem> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return if required {
            Err(problem(field, s::required(label)))
        } else {
            Ok(None)
        };
    }
    if value.chars().count() > max {
        return Err(problem(field, s::too_long(label, max)));
    }
    if value.chars().any(char::is_control) {
        return Err(problem(field, s::invalid_characters(label)));
    }
    Ok(Some(value))
}

/// A person's name: [`text`], and letters at least (not "123").
pub fn name(
    field: &str,
    label: &str,
    raw: &str,
    required: bool,
) -> Result<Option<String>, Problem> {
    let value = text(field, label, raw, required)?;
    if let Some(name) = &value {
        let letters = name.chars().any(char::is_alphabetic);
        let allowed = name
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
        if !letters || !allowed {
            return Err(problem(field, s::name_letters(label)));
        }
    }
    Ok(value)
}

/// `madame`, `monsieur`, or empty (not said).
pub fn civility(field: &str, raw: &str) -> Result<Option<Civility>, Problem> {
    match raw.trim() {
        "" => Ok(None),
        value => Civility::parse(value)
            .map(Some)
            .ok_or_else(|| problem(field, s::CIVILITY_INVALID)),
    }
}

/// A relation a member may be given (the referent is who created the household).
pub fn member_relation(field: &str, raw: &str) -> Result<Relation, Problem> {
    match Relation::parse(raw.trim()) {
        Some(relation) if relation != Relation::Referent => Ok(relation),
        _ => Err(problem(field, s::RELATION_INVALID)),
    }
}

/// Full years between `birth` and `day`.
pub fn age_on(birth: IsoDate, day: IsoDate) -> u16 {
    let years = day.year().saturating_sub(birth.year());
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years.saturating_sub(1)
    } else {
        years
    }
}

/// A date of birth (`AAAA-MM-JJ` from a date input, or `JJ/MM/AAAA`): a real day, not after
/// `today`, not before 1900. `None` when empty and not `required`.
pub fn birth_date(
    field: &str,
    raw: &str,
    today: IsoDate,
    required: bool,
) -> Result<Option<IsoDate>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return if required {
            Err(problem(field, s::BIRTH_DATE_REQUIRED))
        } else {
            Ok(None)
        };
    }
    let Some(date) = IsoDate::parse_input(raw) else {
        return Err(problem(field, s::BIRTH_DATE_FORMAT));
    };
    if date > today {
        return Err(problem(field, s::BIRTH_DATE_FUTURE));
    }
    let (year, month, day) = EARLIEST_BIRTH;
    if IsoDate::new(year, month, day).is_some_and(|earliest| date < earliest) {
        return Err(problem(field, s::BIRTH_DATE_TOO_OLD));
    }
    Ok(Some(date))
}

/// A child's date of birth: required, in the past, and the child at most [`MAX_CHILD_AGE`].
pub fn child_birth_date(field: &str, raw: &str, today: IsoDate) -> Result<IsoDate, Problem> {
    let date = birth_date(field, raw, today, true)?.ok_or_else(|| {
        // `birth_date` with `required` answers a date or a problem.
        problem(field, s::BIRTH_DATE_REQUIRED)
    })?;
    if age_on(date, today) > MAX_CHILD_AGE {
        return Err(problem(field, s::CHILD_TOO_OLD));
    }
    Ok(date)
}

/// A phone number: French (`06 12 34 56 78`, `+33 6…`, `0033 6…`, kept as `+33612345678`) or
/// international (`+` and 8 to 15 digits, kept without spaces). `None` when empty.
pub fn phone(field: &str, raw: &str) -> Result<Option<String>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Some(french) = crate::demarches::answers::normalise_phone(raw) {
        return Ok(Some(french));
    }
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}' | '\u{202f}'))
        .collect();
    let international = compact.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with("33")
            && !digits.starts_with('0')
    });
    if international {
        Ok(Some(compact))
    } else {
        Err(problem(field, s::PHONE_INVALID))
    }
}

/// The form's four address inputs (`address_number`, `address_street`, `address_postcode`,
/// `address_commune`): all empty is no address; otherwise street, a 5-digit postcode and the
/// commune are required.
pub fn address(
    problems: &mut Problems,
    number: &str,
    street: &str,
    postcode: &str,
    commune: &str,
) -> Option<Address> {
    if [number, street, postcode, commune]
        .iter()
        .all(|part| part.trim().is_empty())
    {
        return None;
    }
    let before = problems.0.len();
    let number = problems
        .take(text("address_number", s::ADDRESS_NUMBER, number, false))
        .flatten();
    let street = problems
        .take(text("address_street", s::ADDRESS_STREET, street, true))
        .flatten();
    let postcode_value: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
    if postcode_value.len() != 5 || !postcode_value.bytes().all(|b| b.is_ascii_digit()) {
        problems.add("address_postcode", s::POSTCODE_INVALID);
    }
    let commune = problems
        .take(text("address_commune", s::ADDRESS_COMMUNE, commune, true))
        .flatten();
    if problems.0.len() != before {
        return None;
    }
    Some(Address {
        number: number.unwrap_or_default(),
        street: street.unwrap_or_default(),
        postcode: postcode_value,
        commune: commune.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> IsoDate {
        IsoDate::parse(raw).unwrap()
    }

    const TODAY: &str = "2026-12-07";

    #[test]
    fn a_birth_date_is_a_real_day_in_the_past() {
        let today = day(TODAY);
        assert_eq!(
            birth_date("d", "1980-02-29", today, true).unwrap(),
            Some(day("1980-02-29"))
        );
        assert_eq!(
            birth_date("d", "07/12/2026", today, true).unwrap(),
            Some(today)
        );
        assert_eq!(birth_date("d", " ", today, false).unwrap(), None);
        let message = |raw: &str| birth_date("d", raw, today, true).unwrap_err().message;
        assert_eq!(message(""), s::BIRTH_DATE_REQUIRED);
        assert_eq!(message("1981-02-29"), s::BIRTH_DATE_FORMAT);
        assert_eq!(message("demain"), s::BIRTH_DATE_FORMAT);
        assert_eq!(message("2026-12-08"), s::BIRTH_DATE_FUTURE);
        assert_eq!(message("1899-12-31"), s::BIRTH_DATE_TOO_OLD);
    }

    #[test]
    fn a_child_is_born_and_at_most_twenty_five() {
        let today = day(TODAY);
        assert_eq!(
            child_birth_date("d", "2001-12-07", today).unwrap(),
            day("2001-12-07")
        );
        assert_eq!(
            child_birth_date("d", "2000-12-08", today).unwrap(),
            day("2000-12-08")
        );
        let message = |raw: &str| child_birth_date("d", raw, today).unwrap_err().message;
        assert_eq!(message("2000-12-07"), s::CHILD_TOO_OLD);
        assert_eq!(message("2027-01-01"), s::BIRTH_DATE_FUTURE);
        assert_eq!(message(""), s::BIRTH_DATE_REQUIRED);
    }

    #[test]
    fn ages_count_full_years() {
        assert_eq!(age_on(day("2000-02-29"), day("2001-02-28")), 0);
        assert_eq!(age_on(day("2000-02-29"), day("2001-03-01")), 1);
        assert_eq!(age_on(day("2026-12-07"), day("2026-12-07")), 0);
    }

    #[test]
    fn phones_are_french_or_international() {
        assert_eq!(
            phone("p", "06 12 34 56 78").unwrap(),
            Some("+33612345678".into())
        );
        assert_eq!(
            phone("p", "+33 (0)6 12 34 56 78").unwrap(),
            Some("+33612345678".into())
        );
        assert_eq!(
            phone("p", "+32 470 12 34 56").unwrap(),
            Some("+32470123456".into())
        );
        assert_eq!(phone("p", "").unwrap(), None);
        for bad in [
            "12 34",
            "06 12 34 56",
            "+33 6 12",
            "+1",
            "0612345678x",
            "+0612345678",
        ] {
            assert_eq!(
                phone("p", bad).unwrap_err().message,
                s::PHONE_INVALID,
                "{bad}"
            );
        }
    }

    #[test]
    fn an_address_needs_a_street_a_five_digit_postcode_and_a_commune() {
        let mut problems = Problems::default();
        assert_eq!(address(&mut problems, "", " ", "", ""), None);
        assert!(problems.0.is_empty());
        let found = address(
            &mut problems,
            "3 bis",
            "rue  des Lilas",
            "44 800",
            "Saint-Herblain",
        );
        assert_eq!(
            found,
            Some(Address {
                number: "3 bis".into(),
                street: "rue des Lilas".into(),
                postcode: "44800".into(),
                commune: "Saint-Herblain".into(),
            })
        );
        assert!(problems.0.is_empty());
        assert_eq!(address(&mut problems, "3", "", "4480", "Nantes"), None);
        let fields: Vec<_> = problems.0.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(fields, ["address_street", "address_postcode"]);
        assert_eq!(problems.0[1].message, s::POSTCODE_INVALID);
    }

    #[test]
    fn names_are_letters_trimmed_and_bounded() {
        assert_eq!(
            name("n", "Nom", "  Le  Goff-Élise ", true).unwrap(),
            Some("Le Goff-Élise".into())
        );
        assert_eq!(
            name("n", "Nom", "O’Neil", true).unwrap(),
            Some("O’Neil".into())
        );
        assert_eq!(name("n", "Nom", "", false).unwrap(), None);
        assert_eq!(
            name("n", "Nom", "", true).unwrap_err().message,
            s::required("Nom")
        );
        assert_eq!(
            name("n", "Nom", "R2D2", true).unwrap_err().message,
            s::name_letters("Nom")
        );
        assert_eq!(
            name("n", "Nom", &"a".repeat(MAX_TEXT + 1), true)
                .unwrap_err()
                .message,
            s::too_long("Nom", MAX_TEXT)
        );
    }

    #[test]
    fn members_are_conjoint_child_or_other() {
        assert_eq!(member_relation("r", "enfant").unwrap(), Relation::Enfant);
        assert_eq!(
            member_relation("r", "referent").unwrap_err().message,
            s::RELATION_INVALID
        );
        assert_eq!(
            member_relation("r", "cousin").unwrap_err().message,
            s::RELATION_INVALID
        );
        assert_eq!(civility("c", "").unwrap(), None);
        assert_eq!(civility("c", "madame").unwrap(), Some(Civility::Madame));
        assert_eq!(
            civility("c", "mme").unwrap_err().message,
            s::CIVILITY_INVALID
        );
    }

    #[test]
    fn one_problem_is_on_its_field_several_are_listed() {
        assert!(Problems::default().into_result().is_ok());
        let mut one = Problems::default();
        one.add("phone", s::PHONE_INVALID);
        assert_eq!(
            one.into_result().unwrap_err(),
            AppError::invalid("phone", s::PHONE_INVALID)
        );
        let mut two = Problems::default();
        two.add("phone", s::PHONE_INVALID);
        two.add("address_postcode", s::POSTCODE_INVALID);
        assert!(matches!(
            two.into_result().unwrap_err(),
            AppError::Rejected { problems } if problems.len() == 2
        ));
    }
}
