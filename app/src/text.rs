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

#[cfg(test)]
mod tests {
    #[test]
    fn case_and_accents_fold_away() {
        assert_eq!(super::fold("École Ÿ Ç"), "ecole y c");
    }
}
