//! Cleaning an SVG logo so that it can never run script, whoever opens it and however.
//!
//! Logos are shown through `<img>` (where browsers do not run SVG scripts) and served with a
//! CSP that forbids them, but the file itself is cleaned too, because an admin can open its URL
//! directly and browsers differ. Allow-lists, not deny-lists: elements and attributes that draw
//! are kept, everything else is removed and reported. A DOCTYPE (entities: "billion laughs",
//! external files) refuses the file outright.

use quick_xml::Reader;
use quick_xml::Writer;
use quick_xml::events::{BytesStart, Event};

use super::strings as s;

pub struct Cleaned {
    pub svg: String,
    /// What was removed (`<script>`, `onload`…), once each, in order of appearance.
    pub removed: Vec<String>,
}

const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "filter",
    "feGaussianBlur",
    "feOffset",
    "feBlend",
    "feColorMatrix",
    "feFlood",
    "feComposite",
    "feMerge",
    "feMergeNode",
    "metadata",
];

const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "style",
    "xmlns",
    "xmlns:xlink",
    "xml:space",
    "version",
    "viewBox",
    "preserveAspectRatio",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "clip-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "clip-path",
    "mask",
    "filter",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternTransform",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "filterUnits",
    "primitiveUnits",
    "stdDeviation",
    "dx",
    "dy",
    "in",
    "in2",
    "result",
    "mode",
    "type",
    "values",
    "operator",
    "flood-color",
    "flood-opacity",
    "href",
    "xlink:href",
];

/// Does the text start (after a BOM, spaces, an XML declaration and comments) with `<svg`?
pub fn looks_like_svg(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?xml") {
            match after.find("?>") {
                Some(end) => rest = after[end + 2..].trim_start(),
                None => return false,
            }
        } else if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => rest = after[end + 3..].trim_start(),
                None => return false,
            }
        } else {
            return rest.starts_with("<svg") || rest.starts_with("<!DOCTYPE");
        }
    }
}

/// An attribute value that may reference something: only fragments of this same document
/// (`#gradient`, `url(#clip)`), never a URL, a `javascript:` or a `data:`.
fn references_only_fragments(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if compact.contains("javascript:")
        || compact.contains("expression(")
        || compact.contains("@import")
        || compact.contains('\\')
        || compact.contains('<')
    {
        return false;
    }
    compact.match_indices("url(").all(|(at, _)| {
        let inner = compact[at + 4..].trim_start_matches(['\'', '"']);
        inner.starts_with('#')
    })
}

fn note(removed: &mut Vec<String>, what: String) {
    if !removed.contains(&what) {
        removed.push(what);
    }
}

fn clean_start(
    start: &BytesStart,
    removed: &mut Vec<String>,
) -> Result<BytesStart<'static>, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut out = BytesStart::new(name.clone());
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|_| s::SVG_UNREADABLE.to_owned())?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|_| s::SVG_UNREADABLE.to_owned())?
            .into_owned();
        let allowed = ATTRIBUTES.contains(&key.as_str())
            && references_only_fragments(&value)
            && (!matches!(key.as_str(), "href" | "xlink:href") || value.trim().starts_with('#'));
        if allowed {
            out.push_attribute((key.as_str(), value.as_str()));
        } else {
            note(removed, format!("{key}=\"…\" ({name})"));
        }
    }
    Ok(out)
}

/// The SVG with only drawing elements and attributes left, or why it is refused.
pub fn clean(text: &str) -> Result<Cleaned, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut writer = Writer::new(Vec::with_capacity(text.len()));
    let mut removed = Vec::new();
    // Depth inside a removed element: its whole content goes with it.
    let mut skipping = 0usize;
    let mut saw_root = false;
    // Open elements that were kept: the document must close them all.
    let mut open = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| s::SVG_INVALID.replace("{error}", &error.to_string()))?;
        let kept: Option<Event> = match event {
            Event::Eof => break,
            Event::DocType(_) => return Err(s::SVG_DOCTYPE.to_owned()),
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if skipping > 0 {
                    skipping += 1;
                    None
                } else if !saw_root && name != "svg" {
                    return Err(s::IMAGE_NOT_ALLOWED.to_owned());
                } else if ELEMENTS.contains(&name.as_str()) {
                    saw_root = true;
                    open += 1;
                    Some(Event::Start(clean_start(&start, &mut removed)?))
                } else {
                    note(&mut removed, format!("<{name}>"));
                    skipping = 1;
                    None
                }
            }
            Event::End(end) => {
                if skipping > 0 {
                    skipping -= 1;
                    None
                } else {
                    open = open.saturating_sub(1);
                    Some(Event::End(end))
                }
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if skipping > 0 {
                    None
                } else if !saw_root && name != "svg" {
                    return Err(s::IMAGE_NOT_ALLOWED.to_owned());
                } else if ELEMENTS.contains(&name.as_str()) {
                    saw_root = true;
                    Some(Event::Empty(clean_start(&start, &mut removed)?))
                } else {
                    note(&mut removed, format!("<{name}>"));
                    None
                }
            }
            Event::Text(text) if skipping == 0 => Some(Event::Text(text)),
            Event::Decl(decl) if skipping == 0 && !saw_root => Some(Event::Decl(decl)),
            // Comments, processing instructions (`xml-stylesheet`), CDATA (only meaningful in
            // scripts and style sheets) and anything inside a removed element.
            Event::PI(_) => {
                note(&mut removed, "<?…?>".to_owned());
                None
            }
            Event::CData(_) if skipping == 0 => {
                note(&mut removed, "CDATA".to_owned());
                None
            }
            _ => None,
        };
        if let Some(event) = kept {
            writer
                .write_event(event)
                .map_err(|_| s::SVG_UNREADABLE.to_owned())?;
        }
    }
    if !saw_root {
        return Err(s::IMAGE_NOT_ALLOWED.to_owned());
    }
    if open > 0 || skipping > 0 {
        return Err(s::SVG_INVALID.replace("{error}", "fin de fichier inattendue"));
    }
    let svg = String::from_utf8(writer.into_inner()).map_err(|_| s::SVG_UNREADABLE.to_owned())?;
    Ok(Cleaned { svg, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGO: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 40">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#000091"/></linearGradient></defs>
  <title>Mairie</title>
  <rect width="100" height="40" fill="url(#g)"/>
  <use xlink:href="#g"/>
  <text x="10" y="25" font-family="Arial">Saint-Herblain &amp; co</text>
</svg>"##;

    #[test]
    fn a_clean_logo_keeps_everything_that_draws() {
        let cleaned = clean(LOGO).unwrap();
        assert!(cleaned.removed.is_empty(), "{:?}", cleaned.removed);
        for kept in [
            "viewBox=\"0 0 100 40\"",
            "fill=\"url(#g)\"",
            "xlink:href=\"#g\"",
            "Saint-Herblain &amp; co",
            "<title>Mairie</title>",
        ] {
            assert!(cleaned.svg.contains(kept), "{kept} in {}", cleaned.svg);
        }
    }

    #[test]
    fn scripts_handlers_and_foreign_content_are_removed_and_reported() {
        let hostile = r##"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" viewBox="0 0 10 10">
  <script type="text/javascript">alert(document.cookie)</script>
  <script><![CDATA[ alert(2) ]]></script>
  <a href="javascript:alert(3)"><rect width="10" height="10"/></a>
  <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
  <image href="https://tracker.example/pixel.png"/>
  <rect style="fill: url(https://evil.example/x)" onclick="alert(4)" width="5" height="5"/>
  <use href="https://evil.example/sprite.svg#a"/>
  <set attributeName="onmouseover" to="alert(5)"/>
  <animate attributeName="href" values="javascript:alert(6)"/>
  <style>@import url(https://evil.example/x.css);</style>
</svg>"##;
        let cleaned = clean(hostile).unwrap();
        let lower = cleaned.svg.to_ascii_lowercase();
        for gone in [
            "script",
            "alert",
            "onload",
            "onclick",
            "javascript",
            "evil.example",
            "tracker",
            "<a",
            "foreignobject",
            "iframe",
            "<set",
            "<animate",
            "<style",
            "@import",
        ] {
            assert!(!lower.contains(gone), "{gone} still in {}", cleaned.svg);
        }
        assert!(cleaned.removed.contains(&"<script>".to_owned()));
        assert!(cleaned.removed.iter().any(|r| r.starts_with("onload")));
        assert!(
            cleaned.svg.contains("<rect width=\"5\" height=\"5\"/>"),
            "{}",
            cleaned.svg
        );
    }

    #[test]
    fn a_doctype_refuses_the_file() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>"#;
        assert_eq!(clean(laughs).err().as_deref(), Some(s::SVG_DOCTYPE));
    }

    #[test]
    fn only_an_svg_root_is_accepted() {
        assert!(clean("<html><body>x</body></html>").is_err());
        assert!(clean("<svg><rect").is_err());
        assert!(looks_like_svg(
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n<svg/>"
        ));
        assert!(!looks_like_svg("<html>"));
    }
}
