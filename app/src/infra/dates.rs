use time::OffsetDateTime;

/// `25/11/2026`: dates as French users write them.
pub fn french_date(at: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", at.day(), u8::from(at.month()), at.year())
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
    }
}
