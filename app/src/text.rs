//! French text helpers shared by the server and the browser.

/// Lowercase without French accents, so "ecole" finds "École" and "Indre" matches " INDRE ".
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' | 'œ' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Percent-encodes every byte but RFC 3986's unreserved characters (a query value, a URI's
/// label).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn case_and_accents_fold_away() {
        assert_eq!(super::fold("École Ÿ Ç"), "ecole y c");
    }

    #[test]
    fn only_unreserved_characters_stay_unencoded() {
        assert_eq!(
            super::percent_encode("a-Z_0.~ /é@"),
            "a-Z_0.~%20%2F%C3%A9%40"
        );
    }
}
