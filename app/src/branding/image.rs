//! Checking an uploaded logo or banner: PNG, JPEG or SVG by their bytes (never by the name or
//! the declared type), bounded in bytes and pixels, SVGs cleaned by [`super::svg`].

use super::strings as s;
use super::svg;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
    Logo,
    Banner,
}

impl AssetKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "logo" => Some(Self::Logo),
            "banner" => Some(Self::Banner),
            _ => None,
        }
    }

    pub fn max_bytes(self) -> usize {
        match self {
            Self::Logo => 512 * 1024,
            Self::Banner => 2 * 1024 * 1024,
        }
    }

    pub fn max_pixels(self) -> (u32, u32) {
        match self {
            Self::Logo => (2000, 2000),
            Self::Banner => (4000, 2000),
        }
    }
}

/// An accepted image, ready to store.
#[derive(Debug)]
pub struct CheckedImage {
    pub bytes: Vec<u8>,
    pub extension: &'static str,
    pub content_type: &'static str,
    pub size: Option<(u32, u32)>,
    /// What the SVG cleaner removed.
    pub removed: Vec<String>,
}

fn kibibytes(bytes: usize) -> String {
    format!("{} Ko", bytes / 1024)
}

pub fn check(kind: AssetKind, bytes: Vec<u8>) -> Result<CheckedImage, String> {
    if bytes.is_empty() {
        return Err(s::IMAGE_EMPTY.to_owned());
    }
    if bytes.len() > kind.max_bytes() {
        return Err(s::IMAGE_TOO_HEAVY
            .replace("{size}", &kibibytes(bytes.len()))
            .replace("{max}", &kibibytes(kind.max_bytes())));
    }
    let (max_w, max_h) = kind.max_pixels();
    let bounded = |(w, h): (u32, u32)| -> Result<(u32, u32), String> {
        if w == 0 || h == 0 || w > max_w || h > max_h {
            Err(s::IMAGE_TOO_LARGE
                .replace("{w}", &w.to_string())
                .replace("{h}", &h.to_string())
                .replace("{max_w}", &max_w.to_string())
                .replace("{max_h}", &max_h.to_string()))
        } else {
            Ok((w, h))
        }
    };
    if let Some(size) = png_size(&bytes) {
        let size = bounded(size)?;
        return Ok(CheckedImage {
            bytes,
            extension: "png",
            content_type: "image/png",
            size: Some(size),
            removed: Vec::new(),
        });
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        let size = jpeg_size(&bytes).ok_or_else(|| s::IMAGE_UNREADABLE.to_owned())?;
        let size = bounded(size)?;
        return Ok(CheckedImage {
            bytes,
            extension: "jpg",
            content_type: "image/jpeg",
            size: Some(size),
            removed: Vec::new(),
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| s::IMAGE_NOT_ALLOWED.to_owned())?;
    if !svg::looks_like_svg(text) {
        return Err(s::IMAGE_NOT_ALLOWED.to_owned());
    }
    let cleaned = svg::clean(text)?;
    Ok(CheckedImage {
        bytes: cleaned.svg.into_bytes(),
        extension: "svg",
        content_type: "image/svg+xml",
        size: None,
        removed: cleaned.removed,
    })
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    if bytes.len() < 24 || bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((be(16), be(20)))
}

/// Width and height from a JPEG's start-of-frame segment.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    let mut i = 2;
    loop {
        while *bytes.get(i)? == 0xff && *bytes.get(i + 1)? == 0xff {
            i += 1;
        }
        if *bytes.get(i)? != 0xff {
            return None;
        }
        let marker = *bytes.get(i + 1)?;
        match marker {
            // Start of frame (baseline, progressive…), not DHT, JPG or DAC.
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                return Some((be16(i + 7)?, be16(i + 5)?));
            }
            // Start of scan: no frame header before the image data.
            0xda | 0xd9 => return None,
            0xd0..=0xd7 | 0x01 => i += 2,
            _ => i += 2 + usize::try_from(be16(i + 2)?).ok()?,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid 1×1 PNG header claiming `width`×`height`.
    pub fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];
        bytes.extend_from_slice(b"IHDR");
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    fn jpeg(width: u16, height: u16) -> Vec<u8> {
        let mut bytes = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
        bytes.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        bytes.extend_from_slice(&[0xff, 0xc0, 0, 17, 8]);
        bytes.extend_from_slice(&height.to_be_bytes());
        bytes.extend_from_slice(&width.to_be_bytes());
        bytes.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        bytes.extend_from_slice(&[0xff, 0xd9]);
        bytes
    }

    #[test]
    fn png_and_jpeg_are_recognised_by_their_bytes_with_their_size() {
        let checked = check(AssetKind::Logo, png(320, 120)).unwrap();
        assert_eq!((checked.extension, checked.size), ("png", Some((320, 120))));
        let checked = check(AssetKind::Banner, jpeg(1600, 400)).unwrap();
        assert_eq!(
            (checked.extension, checked.size),
            ("jpg", Some((1600, 400)))
        );
    }

    #[test]
    fn images_too_large_or_too_heavy_are_refused_with_the_limits() {
        let error = check(AssetKind::Logo, png(5000, 100)).unwrap_err();
        assert!(
            error.contains("5000 × 100") && error.contains("2000 × 2000"),
            "{error}"
        );
        let mut heavy = png(100, 100);
        heavy.resize(600 * 1024, 0);
        let error = check(AssetKind::Logo, heavy).unwrap_err();
        assert!(
            error.contains("600 Ko") && error.contains("512 Ko"),
            "{error}"
        );
    }

    #[test]
    fn other_files_are_refused_whatever_their_name() {
        for bytes in [
            b"GIF89a....".to_vec(),
            b"<html><script>alert(1)</script></html>".to_vec(),
            b"%PDF-1.7".to_vec(),
        ] {
            assert!(check(AssetKind::Logo, bytes).is_err());
        }
        assert!(check(AssetKind::Logo, Vec::new()).is_err());
    }
}
