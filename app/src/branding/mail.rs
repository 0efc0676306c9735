//! The HTML version of every mail a tenant sends: its text, under a header in the tenant's
//! colours with its logo and name, so citizens recognise their town hall. The text version
//! stays the reference (same words); nothing from the tenant reaches the HTML unescaped.

use super::model::{Branding, asset_url, paragraphs};
use crate::infra::html::escape;

/// `origin` is the tenant portal's (`https://saint-herblain.guichet.fr`), for the logo's URL.
pub fn html_body(look: &Branding, tenant_name: &str, origin: &str, text: &str) -> String {
    let css = |value: &str, fallback: &str| {
        if super::colour::Rgb::parse(value).is_some() {
            value.to_owned()
        } else {
            fallback.to_owned()
        }
    };
    let primary = css(&look.primary_color, "#000091");
    let secondary = css(&look.secondary_color, "#e1000f");
    let on_primary = super::colour::text_colour_on(&primary);
    let name = escape(look.name_or(tenant_name));
    let logo = look.logo.as_deref().map_or(String::new(), |logo| {
        format!(
            "<img src=\"{}{}\" alt=\"\" height=\"40\" style=\"vertical-align:middle;margin-right:12px;background:#ffffff\">",
            escape(origin),
            escape(&asset_url(logo))
        )
    });
    let body: String = paragraphs(text)
        .into_iter()
        .map(|lines| {
            let lines: Vec<String> = lines.iter().map(|line| escape(line)).collect();
            format!("<p style=\"margin:0 0 16px\">{}</p>", lines.join("<br>"))
        })
        .collect();
    let footer = if look.footer_text.trim().is_empty() {
        String::new()
    } else {
        let lines: Vec<String> = look.footer_text.lines().map(escape).collect();
        format!(
            "<p style=\"margin:0;padding:16px 24px;color:#3a3a3a;font-size:13px;background:#f6f6f6\">{}</p>",
            lines.join("<br>")
        )
    };
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\
         <body style=\"margin:0;background:#f6f6f6;font-family:Arial,sans-serif;color:#161616\">\
         <div style=\"max-width:600px;margin:0 auto;background:#ffffff\">\
         <div style=\"background:{primary};color:{on_primary};padding:16px 24px;border-bottom:4px solid {secondary};font-size:20px;font-weight:bold\">{logo}{name}</div>\
         <div style=\"padding:24px;line-height:1.5\">{body}</div>{footer}</div></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_wears_the_tenant_colours_and_escapes_everything() {
        let look = Branding {
            display_name: "Ville <b>de</b> Test".into(),
            primary_color: "#00589c".into(),
            logo: Some("0123456789abcdef0123456789abcdef.svg".into()),
            ..Branding::default()
        };
        let html = html_body(
            &look,
            "Test",
            "https://test.example",
            "Bonjour,\n\n<script>x</script> ok",
        );
        assert!(html.contains("background:#00589c"));
        assert!(html.contains("Ville &lt;b&gt;de&lt;/b&gt; Test"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("https://test.example/marque/0123456789abcdef0123456789abcdef.svg"));
    }
}
