//! Input rules for accounts. Pure functions, so the same rules can run in the browser.

use super::strings as s;
use crate::error::AppError;

pub const MAX_EMAIL_LEN: usize = 254;
pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 128;
pub const MAX_NAME_LEN: usize = 100;

const COMMON_PASSWORDS: &[&str] = &[
    "motdepasse1",
    "motdepasse",
    "password1",
    "password123",
    "azertyuiop",
    "azerty1234",
    "1234567890",
    "qwertyuiop",
    "soleil1234",
    "bonjour1234",
    "0123456789",
    "administrateur",
];

/// Trimmed, lowercased address: one account per mailbox and tenant, whatever the case typed.
pub fn email(field: &str, raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(AppError::invalid(field, s::EMAIL_EMPTY));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(AppError::invalid(field, s::EMAIL_TOO_LONG));
    }
    let malformed = || AppError::invalid(field, s::EMAIL_MALFORMED);
    let (local, domain) = email.rsplit_once('@').ok_or_else(malformed)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !local_ok || !domain_ok {
        return Err(malformed());
    }
    Ok(email)
}

pub fn password(raw: &str, email: &str) -> Result<(), AppError> {
    let field = "password";
    let length = raw.chars().count();
    if raw.is_empty() {
        return Err(AppError::invalid(field, s::PASSWORD_EMPTY));
    }
    if length < MIN_PASSWORD_LEN {
        return Err(AppError::invalid(field, s::PASSWORD_TOO_SHORT));
    }
    if length > MAX_PASSWORD_LEN {
        return Err(AppError::invalid(field, s::PASSWORD_TOO_LONG));
    }
    let has_letter = raw.chars().any(char::is_alphabetic);
    let has_other = raw.chars().any(|c| !c.is_alphabetic());
    if !has_letter || !has_other {
        return Err(AppError::invalid(field, s::PASSWORD_WEAK));
    }
    let lowered = raw.to_lowercase();
    if !email.is_empty()
        && (lowered == email
            || email
                .split('@')
                .next()
                .is_some_and(|l| l.len() > 3 && lowered.contains(l)))
    {
        return Err(AppError::invalid(field, s::PASSWORD_IS_EMAIL));
    }
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(AppError::invalid(field, s::PASSWORD_COMMON));
    }
    Ok(())
}

/// `YYYY-MM-DD` with a real month and a day that month can have (29 February only in leap years).
pub fn is_iso_date(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| value.get(range)?.parse::<u32>().ok();
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

pub fn display_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::invalid("display_name", s::NAME_EMPTY));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::invalid("display_name", s::NAME_TOO_LONG));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid("display_name", s::NAME_INVALID));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {

    #[test]
    fn iso_dates_are_checked_against_the_calendar() {
        assert!(super::is_iso_date("1980-02-29"));
        assert!(!super::is_iso_date("1981-02-29"));
        assert!(super::is_iso_date("2000-02-29"));
        assert!(!super::is_iso_date("1900-02-29"));
        assert!(!super::is_iso_date("1962-13-01"));
        assert!(!super::is_iso_date("1962-8-24"));
        assert!(!super::is_iso_date("24/08/1962"));
    }
    use super::*;

    fn message(result: Result<impl std::fmt::Debug, AppError>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn emails_are_normalised_and_malformed_ones_are_named() {
        assert_eq!(
            email("email", "  Marie.Curie@Mairie-Nantes.FR ").unwrap(),
            "marie.curie@mairie-nantes.fr"
        );
        assert_eq!(message(email("email", "")), s::EMAIL_EMPTY);
        assert_eq!(
            message(email("email", &format!("{}@x.fr", "a".repeat(260)))),
            s::EMAIL_TOO_LONG
        );
        for bad in [
            "marie",
            "marie@",
            "@x.fr",
            "marie@localhost",
            "ma rie@x.fr",
            "marie@x..fr",
            ".m@x.fr",
        ] {
            assert_eq!(message(email("email", bad)), s::EMAIL_MALFORMED, "{bad}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert_eq!(message(password("", "a@b.fr")), s::PASSWORD_EMPTY);
        assert_eq!(message(password("court1", "a@b.fr")), s::PASSWORD_TOO_SHORT);
        assert_eq!(
            message(password("seulementdeslettres", "a@b.fr")),
            s::PASSWORD_WEAK
        );
        assert_eq!(message(password("12345678901", "a@b.fr")), s::PASSWORD_WEAK);
        assert_eq!(
            message(password("Motdepasse1", "a@b.fr")),
            s::PASSWORD_COMMON
        );
        assert_eq!(
            message(password("jeanne.dupont99", "jeanne.dupont@b.fr")),
            s::PASSWORD_IS_EMAIL
        );
        assert_eq!(
            message(password(&"a1".repeat(70), "a@b.fr")),
            s::PASSWORD_TOO_LONG
        );
        assert!(password("Velo-Cargo-2026", "a@b.fr").is_ok());
    }
}
