//! Dates and times as French users read them: in Paris time (the database keeps UTC).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

/// `25/11/2026`: dates as French users write them, in Paris time.
pub fn french_date(at: OffsetDateTime) -> String {
    let at = paris_time(at);
    format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year())
}

/// `25/11/2026 à 14h05`, in Paris time.
pub fn french_date_time(at: OffsetDateTime) -> String {
    let at = paris_time(at);
    format!("{} à {:02}h{:02}", french_date(at), at.hour(), at.minute())
}

/// The same instant on Paris's clock: UTC+1, or UTC+2 (summer time) from the last Sunday of
/// March to the last Sunday of October, changing at 01:00 UTC (the EU rule, France's since
/// 1996) — no time zone database needed.
pub fn paris_time(at: OffsetDateTime) -> OffsetDateTime {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let summer = change_of(year, Month::March) <= utc && utc < change_of(year, Month::October);
    let hours = if summer { 2 } else { 1 };
    match UtcOffset::from_hms(hours, 0, 0) {
        Ok(offset) => utc.to_offset(offset),
        Err(_) => utc,
    }
}

/// 01:00 UTC on the last Sunday of `month` (March or October: both have 31 days).
fn change_of(year: i32, month: Month) -> OffsetDateTime {
    let last = Date::from_calendar_date(year, month, 31).unwrap_or(Date::MIN);
    let back = last.weekday().number_days_from_sunday();
    let sunday = last - time::Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sunday);
    PrimitiveDateTime::new(sunday, Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> OffsetDateTime {
        let month = Month::try_from(month).unwrap();
        PrimitiveDateTime::new(
            Date::from_calendar_date(year, month, day).unwrap(),
            Time::from_hms(hour, minute, 0).unwrap(),
        )
        .assume_utc()
    }

    #[test]
    fn days_and_months_take_two_digits() {
        let at = time::Date::from_calendar_date(2026, time::Month::March, 5)
            .unwrap()
            .midnight()
            .assume_utc();
        assert_eq!(super::french_date(at), "05/03/2026");
        let later = at + time::Duration::minutes(8 * 60 + 7);
        assert_eq!(super::french_date_time(later), "05/03/2026 à 09h07");
    }

    #[test]
    fn times_are_on_pariss_clock_winter_and_summer() {
        // Winter: UTC+1.
        assert_eq!(
            french_date_time(utc(2026, 12, 7, 7, 1)),
            "07/12/2026 à 08h01"
        );
        // Summer: UTC+2.
        assert_eq!(
            french_date_time(utc(2026, 7, 14, 10, 30)),
            "14/07/2026 à 12h30"
        );
        // Late in the evening in UTC is already tomorrow in Paris.
        assert_eq!(french_date(utc(2026, 12, 31, 23, 30)), "01/01/2027");
    }

    #[test]
    fn summer_time_starts_and_ends_on_the_last_sundays_at_one_utc() {
        // 2026: Sunday 29 March and Sunday 25 October.
        assert_eq!(
            french_date_time(utc(2026, 3, 29, 0, 59)),
            "29/03/2026 à 01h59"
        );
        assert_eq!(
            french_date_time(utc(2026, 3, 29, 1, 0)),
            "29/03/2026 à 03h00"
        );
        assert_eq!(
            french_date_time(utc(2026, 10, 25, 0, 59)),
            "25/10/2026 à 02h59"
        );
        assert_eq!(
            french_date_time(utc(2026, 10, 25, 1, 0)),
            "25/10/2026 à 02h00"
        );
    }
}
