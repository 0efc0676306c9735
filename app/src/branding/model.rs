//! The branding document: what a commune's portal, back office and mails look like, as one
//! value that is validated whole, saved as a new version and restorable.

use serde::{Deserialize, Serialize};

use super::colour::{check_theme, parse_colour, text_colour_on};
use super::strings as s;

/// The look every page needs (sent with the site to the browser): small on purpose — the legal
/// pages travel only to their own page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    /// The name shown in the header and as the mail sender; empty: the tenant's name.
    pub display_name: String,
    pub primary_color: String,
    pub secondary_color: String,
    pub font: Font,
    /// An asset name (`<hash>.png`), served at [`asset_url`].
    pub logo: Option<String>,
    pub banner: Option<String>,
    pub welcome_text: String,
    pub footer_text: String,
    pub footer_links: Vec<FooterLink>,
}

impl Default for Branding {
    fn default() -> Self {
        Self {
            display_name: String::new(),
            primary_color: "#000091".to_owned(),
            secondary_color: "#e1000f".to_owned(),
            font: Font::System,
            logo: None,
            banner: None,
            welcome_text: String::new(),
            footer_text: String::new(),
            footer_links: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FooterLink {
    pub label: String,
    pub url: String,
}

/// The legal pages, edited as plain text (paragraphs separated by blank lines).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LegalPages {
    pub mentions: String,
    pub cgu: String,
    pub accessibility: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LegalPage {
    Mentions,
    Cgu,
    Accessibility,
}

impl LegalPage {
    pub const ALL: [LegalPage; 3] = [Self::Mentions, Self::Cgu, Self::Accessibility];

    pub fn path(self) -> &'static str {
        match self {
            Self::Mentions => "/mentions-legales",
            Self::Cgu => "/cgu",
            Self::Accessibility => "/accessibilite",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Mentions => s::LEGAL_MENTIONS,
            Self::Cgu => s::LEGAL_CGU,
            Self::Accessibility => s::LEGAL_ACCESSIBILITY,
        }
    }

    pub fn text(self, pages: &LegalPages) -> &str {
        match self {
            Self::Mentions => &pages.mentions,
            Self::Cgu => &pages.cgu,
            Self::Accessibility => &pages.accessibility,
        }
    }
}

/// What is saved and versioned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrandingDocument {
    pub look: Branding,
    pub legal: LegalPages,
}

/// The bundled fonts (served from `/fonts/`, no third-party request) and the system's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Font {
    #[default]
    System,
    AtkinsonHyperlegible,
    SourceSerif,
}

impl Font {
    pub const ALL: [Font; 3] = [Self::System, Self::AtkinsonHyperlegible, Self::SourceSerif];

    pub fn code(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::AtkinsonHyperlegible => "atkinson-hyperlegible",
            Self::SourceSerif => "source-serif",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|font| font.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => s::FONT_SYSTEM,
            Self::AtkinsonHyperlegible => s::FONT_ATKINSON,
            Self::SourceSerif => s::FONT_SOURCE_SERIF,
        }
    }

    /// The CSS `font-family` (the `@font-face` rules are in `style/main.css`).
    pub fn stack(self) -> &'static str {
        match self {
            Self::System => {
                "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Marianne\", Arial, sans-serif"
            }
            Self::AtkinsonHyperlegible => "\"Atkinson Hyperlegible\", system-ui, Arial, sans-serif",
            Self::SourceSerif => "\"Source Serif 4\", Georgia, \"Times New Roman\", serif",
        }
    }
}

/// Where a branding asset is served (per tenant: the host decides whose).
pub fn asset_url(name: &str) -> String {
    format!("/marque/{name}")
}

/// `<32 hex>.(png|jpg|svg)`: the only asset names there are.
pub fn is_asset_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 32
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && matches!(ext, "png" | "jpg" | "svg")
}

impl Branding {
    /// The name to show: the display name, or the tenant's.
    pub fn name_or<'a>(&'a self, tenant_name: &'a str) -> &'a str {
        if self.display_name.trim().is_empty() {
            tenant_name
        } else {
            &self.display_name
        }
    }

    /// CSS custom properties for the tenant's theme. Values that are not `#rrggbb` fall back to
    /// the defaults and the font is one of an enum, so nothing else can reach the style
    /// element.
    pub fn css_vars(&self) -> String {
        let defaults = Self::default();
        let pick = |value: &str, fallback: &str| -> String {
            if parse_colour(value).is_some() {
                value.to_owned()
            } else {
                fallback.to_owned()
            }
        };
        let primary = pick(&self.primary_color, &defaults.primary_color);
        let secondary = pick(&self.secondary_color, &defaults.secondary_color);
        format!(
            "--brand-primary: {primary}; --brand-on-primary: {}; --brand-secondary: {secondary}; --brand-on-secondary: {}; --brand-font: {};",
            text_colour_on(&primary),
            text_colour_on(&secondary),
            self.font.stack()
        )
    }
}

/// One problem of a branding document, on its form field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrandingProblem {
    pub field: String,
    pub message: String,
    /// For a colour: a legible colour of the same hue.
    pub suggestion: Option<String>,
}

pub const MAX_NAME: usize = 120;
pub const MAX_SHORT_TEXT: usize = 2_000;
pub const MAX_LEGAL_TEXT: usize = 50_000;
pub const MAX_FOOTER_LINKS: usize = 10;

fn too_long(field: &str, text: &str, max: usize, out: &mut Vec<BrandingProblem>) {
    if text.chars().count() > max {
        out.push(BrandingProblem {
            field: field.to_owned(),
            message: s::TOO_LONG.replace("{max}", &max.to_string()),
            suggestion: None,
        });
    }
}

/// A footer link goes to a page of the portal (`/…`) or to an `https://` / `http://` /
/// `mailto:` address: never `javascript:` or anything a browser would run.
pub fn is_safe_link(url: &str) -> bool {
    let url = url.trim();
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    (url.starts_with('/') && !url.starts_with("//"))
        || ["https://", "http://", "mailto:"]
            .iter()
            .any(|scheme| url.len() > scheme.len() && url.starts_with(scheme))
}

/// Every problem of the document, each on its field (`footer_links[1].url`…).
pub fn validate(document: &BrandingDocument) -> Vec<BrandingProblem> {
    let look = &document.look;
    let mut out: Vec<BrandingProblem> = check_theme(&look.primary_color, &look.secondary_color)
        .into_iter()
        .map(|problem| BrandingProblem {
            field: problem.field,
            message: problem.message,
            suggestion: Some(problem.suggestion),
        })
        .collect();
    too_long("display_name", &look.display_name, MAX_NAME, &mut out);
    too_long("welcome_text", &look.welcome_text, MAX_SHORT_TEXT, &mut out);
    too_long("footer_text", &look.footer_text, MAX_SHORT_TEXT, &mut out);
    for (field, asset) in [("logo", &look.logo), ("banner", &look.banner)] {
        if asset.as_deref().is_some_and(|name| !is_asset_name(name)) {
            out.push(BrandingProblem {
                field: field.to_owned(),
                message: s::ASSET_UNKNOWN.to_owned(),
                suggestion: None,
            });
        }
    }
    if look.footer_links.len() > MAX_FOOTER_LINKS {
        out.push(BrandingProblem {
            field: "footer_links".to_owned(),
            message: s::TOO_MANY_LINKS.replace("{max}", &MAX_FOOTER_LINKS.to_string()),
            suggestion: None,
        });
    }
    for (i, link) in look.footer_links.iter().enumerate() {
        if link.label.trim().is_empty() {
            out.push(BrandingProblem {
                field: format!("footer_links[{i}].label"),
                message: s::LINK_LABEL_REQUIRED.to_owned(),
                suggestion: None,
            });
        }
        too_long(
            &format!("footer_links[{i}].label"),
            &link.label,
            MAX_NAME,
            &mut out,
        );
        if !is_safe_link(&link.url) {
            out.push(BrandingProblem {
                field: format!("footer_links[{i}].url"),
                message: s::LINK_URL_INVALID.to_owned(),
                suggestion: None,
            });
        }
    }
    for page in LegalPage::ALL {
        let field = match page {
            LegalPage::Mentions => "legal.mentions",
            LegalPage::Cgu => "legal.cgu",
            LegalPage::Accessibility => "legal.accessibility",
        };
        too_long(field, page.text(&document.legal), MAX_LEGAL_TEXT, &mut out);
    }
    out
}

/// One saved version, for the history list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingVersion {
    pub version: u32,
    /// `07/12/2026 à 08h01`, Paris time.
    pub saved_at: String,
    pub saved_by: Option<String>,
    pub restored_from: Option<u32>,
    pub primary_color: String,
    pub secondary_color: String,
}

/// The admin page's data: the current document and its history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingState {
    pub tenant_name: String,
    pub version: u32,
    pub document: BrandingDocument,
    pub history: Vec<BrandingVersion>,
}

/// What an upload stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedAsset {
    pub name: String,
    pub url: String,
    /// What the SVG cleaner removed (elements and attributes), to tell the admin.
    pub removed: Vec<String>,
}

/// Splits a plain text into paragraphs (blank lines) of lines: how legal pages and welcome
/// texts are shown, without any HTML from the tenant.
pub fn paragraphs(text: &str) -> Vec<Vec<String>> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|paragraph| {
            paragraph
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|lines| !lines.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_that_is_not_hex_never_reaches_the_css() {
        let branding = Branding {
            primary_color: "red; background: url(x)".into(),
            ..Branding::default()
        };
        assert!(branding.css_vars().contains("--brand-primary: #000091;"));
        assert!(!branding.css_vars().contains("url("));
    }

    #[test]
    fn the_font_reaches_the_css_as_its_stack() {
        let branding = Branding {
            font: Font::AtkinsonHyperlegible,
            ..Branding::default()
        };
        assert!(branding.css_vars().contains("--brand-font: \"Atkinson"));
    }

    #[test]
    fn documents_of_older_versions_load_with_defaults() {
        let document: BrandingDocument = serde_json::from_str(
            r##"{"look": {"primary_color": "#123456", "secondary_color": "#e1000f", "welcome_text": "Bonjour"}, "legal": {}}"##,
        )
        .unwrap();
        assert_eq!(document.look.primary_color, "#123456");
        assert_eq!(document.look.font, Font::System);
        assert!(document.legal.mentions.is_empty());
    }

    #[test]
    fn links_that_could_run_script_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "https://",
            "https://a b",
            "vbscript:x",
        ] {
            assert!(!is_safe_link(bad), "{bad}");
        }
        for good in [
            "/mentions-legales",
            "https://www.saint-herblain.fr",
            "mailto:mairie@example.fr",
        ] {
            assert!(is_safe_link(good), "{good}");
        }
    }

    #[test]
    fn every_problem_is_on_its_field() {
        let mut document = BrandingDocument::default();
        document.look.primary_color = "#ffff00".into();
        document.look.logo = Some("../../etc/passwd".into());
        document.look.footer_links = vec![FooterLink {
            label: String::new(),
            url: "javascript:alert(1)".into(),
        }];
        document.legal.cgu = "x".repeat(MAX_LEGAL_TEXT + 1);
        let fields: Vec<String> = validate(&document).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "primary_color",
                "logo",
                "footer_links[0].label",
                "footer_links[0].url",
                "legal.cgu"
            ]
        );
        assert!(validate(&BrandingDocument::default()).is_empty());
    }

    #[test]
    fn asset_names_are_hashes_with_a_known_extension() {
        assert!(is_asset_name("0123456789abcdef0123456789abcdef.png"));
        assert!(!is_asset_name("0123456789abcdef0123456789abcdef.html"));
        assert!(!is_asset_name("../0123456789abcdef0123456789abcd.png"));
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("Éditeur : Mairie\nAdresse : 2 rue\n\n\nHébergeur : X\r\n"),
            vec![
                vec!["Éditeur : Mairie".to_owned(), "Adresse : 2 rue".to_owned()],
                vec!["Hébergeur : X".to_owned()]
            ]
        );
    }
}
