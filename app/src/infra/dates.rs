use time::OffsetDateTime;

/// `25/11/2026`: dates as French users write them.
pub fn french_date(at: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year())
}

/// `25/11/2026 à 14h05`.
pub fn french_date_time(at: OffsetDateTime) -> String {
    format!("{} à {:02}h{:02}", french_date(at), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_and_months_take_two_digits() {
        let at = time::Date::from_calendar_date(2026, time::Month::March, 5)
            .unwrap()
            .midnight()
            .assume_utc();
        assert_eq!(super::french_date(at), "05/03/2026");
        let later = at + time::Duration::minutes(9 * 60 + 7);
        assert_eq!(super::french_date_time(later), "05/03/2026 à 09h07");
    }
}
