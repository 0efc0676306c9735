//! Text placed into hand-written HTML (error pages outside Leptos' rendering).

/// Escapes text for an HTML element's content or a double-quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x">Tom & Léa</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Léa&lt;/a&gt;"
        );
    }
}
