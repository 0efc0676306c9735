//! Colours of a theme and their WCAG contrast: what decides whether a brand colour is legible.
//!
//! Colours are `#rrggbb` only, so nothing but a colour can reach a style attribute.

use serde::{Deserialize, Serialize};

/// WCAG 2.1 AA for normal text (success criterion 1.4.3).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

/// The page background text colours are read on, and the dark text used on light colours.
pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
pub const DARK_TEXT: Rgb = Rgb(0x16, 0x16, 0x16);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb` (either case) → the colour, or `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let hex = value.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self(channel(0)?, channel(2)?, channel(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    fn relative_luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// The WCAG contrast ratio between two colours (1 to 21, order does not matter).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (light, dark) = if a >= b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// White or near-black, whichever reads better on this colour.
    pub fn text_on(self) -> Rgb {
        if self.contrast(WHITE) >= self.contrast(DARK_TEXT) {
            WHITE
        } else {
            DARK_TEXT
        }
    }

    /// The same hue, `step` parts in 100 closer to black.
    fn darker(self, step: f64) -> Rgb {
        let scale = |c: u8| (f64::from(c) * (1.0 - step)).round().clamp(0.0, 255.0) as u8;
        Rgb(scale(self.0), scale(self.1), scale(self.2))
    }
}

/// `#rrggbb` → (r, g, b), or `None` for anything else.
pub fn parse_colour(value: &str) -> Option<(u8, u8, u8)> {
    Rgb::parse(value).map(|Rgb(r, g, b)| (r, g, b))
}

/// White or near-black, whichever reads better on `background` (WCAG contrast ratio).
pub fn text_colour_on(background: &str) -> &'static str {
    match Rgb::parse(background).map(Rgb::text_on) {
        Some(DARK_TEXT) => "#161616",
        _ => "#ffffff",
    }
}

/// A theme colour that fails WCAG AA, with what was measured and a legible colour of the same
/// hue to offer instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContrastProblem {
    /// The form field of the colour (`primary_color`, `secondary_color`).
    pub field: String,
    /// The measured ratio, rounded down to two decimals (never shown better than it is).
    pub ratio: f64,
    pub suggestion: String,
    /// French, ready to show next to the field.
    pub message: String,
}

fn floor2(ratio: f64) -> f64 {
    (ratio * 100.0).floor() / 100.0
}

/// The closest darker colour of the same hue that meets `check`.
fn suggest(colour: Rgb, check: impl Fn(Rgb) -> bool) -> Rgb {
    (1..=100)
        .map(|step| colour.darker(f64::from(step) / 100.0))
        .find(|candidate| check(*candidate))
        .unwrap_or(DARK_TEXT)
}

/// The primary colour is both a background (header, buttons: with white or dark text on it)
/// and the colour of links and headings on the white page, so it must read both ways; the
/// secondary colour is a background with text on it.
pub fn check_theme(primary: &str, secondary: &str) -> Vec<ContrastProblem> {
    let mut problems = Vec::new();
    for (field, value) in [("primary_color", primary), ("secondary_color", secondary)] {
        let Some(colour) = Rgb::parse(value) else {
            problems.push(ContrastProblem {
                field: field.to_owned(),
                ratio: 0.0,
                suggestion: "#000091".to_owned(),
                message: format!("« {value} » n'est pas une couleur au format #rrggbb."),
            });
            continue;
        };
        let as_text = field == "primary_color";
        let ratio_of = |c: Rgb| {
            let on_it = c.contrast(c.text_on());
            if as_text {
                on_it.min(c.contrast(WHITE))
            } else {
                on_it
            }
        };
        let ratio = ratio_of(colour);
        if ratio < MIN_TEXT_CONTRAST {
            let suggestion = suggest(colour, |c| ratio_of(c) >= MIN_TEXT_CONTRAST).hex();
            let use_ = if as_text {
                "pour le texte sur fond blanc et sur cette couleur"
            } else {
                "pour le texte sur cette couleur"
            };
            problems.push(ContrastProblem {
                field: field.to_owned(),
                ratio: floor2(ratio),
                message: format!(
                    "Contraste insuffisant {use_} : {}:1, il faut au moins 4,5:1 (RGAA / WCAG AA). Essayez {suggestion}.",
                    format!("{:.2}", floor2(ratio)).replace('.', ",")
                ),
                suggestion,
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_brand_colours_get_white_text_and_light_ones_dark_text() {
        assert_eq!(text_colour_on("#000091"), "#ffffff");
        assert_eq!(text_colour_on("#ffe552"), "#161616");
    }

    #[test]
    fn contrast_ratios_match_the_wcag_examples() {
        assert!((WHITE.contrast(Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((WHITE.contrast(WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the lightest grey that passes on white.
        assert!(WHITE.contrast(Rgb(0x76, 0x76, 0x76)) >= 4.5);
        assert!(WHITE.contrast(Rgb(0x77, 0x77, 0x77)) < 4.5);
    }

    #[test]
    fn a_legible_theme_has_no_problem() {
        assert!(check_theme("#000091", "#e1000f").is_empty());
    }

    #[test]
    fn an_illegible_primary_is_refused_with_its_ratio_and_a_legible_suggestion() {
        let problems = check_theme("#ffe552", "#e1000f");
        assert_eq!(problems.len(), 1);
        let problem = &problems[0];
        assert_eq!(problem.field, "primary_color");
        assert!(problem.ratio < 1.5, "{problem:?}");
        assert!(problem.message.contains("4,5:1"), "{}", problem.message);
        assert!(problem.message.contains(&problem.suggestion));
        assert!(check_theme(&problem.suggestion, "#e1000f").is_empty());
    }

    #[test]
    fn a_pale_secondary_is_refused_too() {
        let problems = check_theme("#000091", "#777777");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "secondary_color");
        assert!(check_theme("#000091", &problems[0].suggestion).is_empty());
    }

    #[test]
    fn something_that_is_not_a_colour_is_refused() {
        let problems = check_theme("red; background: url(x)", "#e1000f");
        assert_eq!(problems[0].field, "primary_color");
        assert!(problems[0].message.contains("#rrggbb"));
    }
}
