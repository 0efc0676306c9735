//! PDFs typeset in-process with typst: bundled fonts, a fixed set of virtual files, no package
//! downloads, no external process. Letters (`crate::letters`) build their sources on top.
//!
//! typst interns every file path it sees for the life of the process (at most 2^16), so a
//! document's files are always named from the fixed list in [`VirtualFile`], never per render.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// The files a document may consist of. The main file is always `/main.typ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtualFile {
    Main,
    /// Shared definitions (letterhead, helpers), imported by the main file.
    Prelude,
    /// The merge data, as typst dictionaries, imported by the prelude.
    Data,
    Logo,
    Signature,
    QrCode,
}

impl VirtualFile {
    const ALL: [VirtualFile; 6] = [
        Self::Main,
        Self::Prelude,
        Self::Data,
        Self::Logo,
        Self::Signature,
        Self::QrCode,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Self::Main => "/main.typ",
            Self::Prelude => "/guichet.typ",
            Self::Data => "/champs.typ",
            Self::Logo => "/logo",
            Self::Signature => "/signature",
            Self::QrCode => "/qr",
        }
    }

    fn id(self) -> FileId {
        static IDS: LazyLock<Vec<FileId>> = LazyLock::new(|| {
            VirtualFile::ALL
                .iter()
                .map(|file| {
                    // The paths above are constant and valid: this cannot fail.
                    let path = VirtualPath::new(file.path())
                        .unwrap_or_else(|_| unreachable!("constant virtual path"));
                    RootedPath::new(VirtualRoot::Project, path).intern()
                })
                .collect()
        });
        let index = Self::ALL.iter().position(|f| *f == self).unwrap_or(0);
        IDS[index]
    }

    fn of(id: FileId) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }
}

/// A document to typeset: typst sources and binary files by their virtual name.
pub struct PdfSources {
    pub main: String,
    pub prelude: String,
    pub data: String,
    pub logo: Option<Vec<u8>>,
    pub signature: Option<Vec<u8>>,
    /// Raw 8-bit grey pixels (see [`QrCode`]), read by the prelude with
    /// `format: (encoding: "luma8", …)`.
    pub qr_code: Option<Vec<u8>>,
    /// Stable identifier of the document (the PDF's `/ID`), e.g. the letter's id.
    pub ident: String,
    /// The document's date, as `datetime.today()` and the PDF's creation date.
    pub today: time::OffsetDateTime,
}

/// A problem found by typst, placed in the file the author wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: VirtualFile,
    /// 1-based; 0 when typst could not place it.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    pub hints: Vec<String>,
}

#[derive(Debug)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Parsed once per process: parsing the bundled fonts costs far more than a letter.
static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

struct DocumentWorld {
    main: Source,
    prelude: Source,
    data: Source,
    logo: Option<Bytes>,
    signature: Option<Bytes>,
    qr_code: Option<Bytes>,
    today: Datetime,
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match VirtualFile::of(id) {
            Some(VirtualFile::Main) => Ok(self.main.clone()),
            Some(VirtualFile::Prelude) => Ok(self.prelude.clone()),
            Some(VirtualFile::Data) => Ok(self.data.clone()),
            _ => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let bytes = match VirtualFile::of(id) {
            Some(VirtualFile::Logo) => self.logo.clone(),
            Some(VirtualFile::Signature) => self.signature.clone(),
            Some(VirtualFile::QrCode) => self.qr_code.clone(),
            _ => None,
        };
        bytes.ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_without_slash().into())
}

fn datetime(at: time::OffsetDateTime) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
}

/// The main file and prelude, parsed once: a mail merge renders the same template thousands
/// of times, and typst would otherwise parse and hash both for every letter. Matched by text;
/// the few most recent are kept.
fn parsed(file: VirtualFile, text: String) -> Source {
    const KEPT: usize = 16;
    static PARSED: std::sync::Mutex<Vec<Source>> = std::sync::Mutex::new(Vec::new());
    let id = file.id();
    let Ok(mut parsed) = PARSED.lock() else {
        return Source::new(id, text);
    };
    if let Some(index) = parsed
        .iter()
        .position(|source| source.id() == id && source.text() == text)
    {
        let source = parsed.remove(index);
        parsed.push(source.clone());
        return source;
    }
    let source = Source::new(id, text);
    if parsed.len() >= KEPT {
        parsed.remove(0);
    }
    parsed.push(source.clone());
    source
}

/// Typesets `sources` into an A4 PDF (the page size is the prelude's business).
pub fn render(sources: PdfSources) -> Result<Pdf, Vec<Diagnostic>> {
    let today = datetime(sources.today)
        .or_else(|| Datetime::from_ymd(2000, 1, 1))
        .ok_or_else(Vec::new)?;
    let world = DocumentWorld {
        main: parsed(VirtualFile::Main, sources.main),
        prelude: parsed(VirtualFile::Prelude, sources.prelude),
        data: Source::new(VirtualFile::Data.id(), sources.data),
        logo: sources.logo.map(Bytes::new),
        signature: sources.signature.map(Bytes::new),
        qr_code: sources.qr_code.map(Bytes::new),
        today,
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| diagnostics(&world, &errors))?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(sources.ident),
        creator: Smart::Custom(Some("Guichet".to_owned())),
        timestamp: Some(typst_pdf::Timestamp::new_utc(today)),
        ..Default::default()
    };
    let bytes =
        typst_pdf::pdf(&document, &options).map_err(|errors| diagnostics(&world, &errors))?;
    Ok(Pdf {
        bytes,
        pages: document.pages().len(),
    })
}

/// PDFs joined into one at most, and the virtual names they are read under (interned once:
/// typst keeps every path it sees for the life of the process).
pub const JOIN_MAX: usize = 500;

fn joined_file(index: usize) -> Option<FileId> {
    static IDS: LazyLock<Vec<FileId>> = LazyLock::new(|| {
        (0..JOIN_MAX)
            .filter_map(|i| {
                VirtualPath::new(format!("/lettres/{i}.pdf"))
                    .ok()
                    .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
            })
            .collect()
    });
    IDS.get(index).copied()
}

/// A document made of the pages of other PDFs, each placed whole on an A4 page.
struct JoinWorld {
    main: Source,
    pdfs: Vec<Bytes>,
}

impl World for JoinWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        (0..self.pdfs.len())
            .find(|i| joined_file(*i) == Some(id))
            .and_then(|i| self.pdfs.get(i).cloned())
            .ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// Joins A4 PDFs (with their page counts) into one, in order: a mail merge's single PDF. Their
/// pages are embedded as they are (text stays text). At most [`JOIN_MAX`] PDFs.
pub fn concatenate(pdfs: &[(Vec<u8>, usize)]) -> Result<Vec<u8>, String> {
    if pdfs.len() > JOIN_MAX {
        return Err(format!("more than {JOIN_MAX} PDFs to join"));
    }
    let mut main = String::from("#set page(paper: \"a4\", margin: 0pt)\n");
    for (index, (_, pages)) in pdfs.iter().enumerate() {
        for page in 1..=(*pages).max(1) {
            main.push_str(&format!(
                "#page(image(\"/lettres/{index}.pdf\", page: {page}, width: 100%, height: 100%))\n"
            ));
        }
    }
    let world = JoinWorld {
        main: Source::new(VirtualFile::Main.id(), main),
        pdfs: pdfs
            .iter()
            .map(|(bytes, _)| Bytes::new(bytes.clone()))
            .collect(),
    };
    let document = typst::compile::<PagedDocument>(&world)
        .output
        .map_err(|errors| format!("{errors:?}"))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| format!("{errors:?}"))
}

/// Bounds the memory of typst's memoisation across many renders (a mail merge): entries
/// unused for `max_age` renders are dropped.
pub fn evict_caches(max_age: usize) {
    typst::comemo::evict(max_age);
}

fn diagnostics(world: &DocumentWorld, errors: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|error| {
            let file = error
                .span
                .id()
                .and_then(VirtualFile::of)
                .unwrap_or(VirtualFile::Main);
            let (line, column) = world
                .range(error.span)
                .and_then(|range| {
                    let source = world.source(file.id()).ok()?;
                    let (line, column) = source.lines().byte_to_line_column(range.start)?;
                    Some((line + 1, column + 1))
                })
                .unwrap_or((0, 0));
            Diagnostic {
                file,
                line,
                column,
                message: error.message.to_string(),
                hints: error.hints.iter().map(|h| h.v.to_string()).collect(),
            }
        })
        .collect()
}

/// A QR code as an image: one grey pixel per module (0 dark, 255 light), quiet zone included,
/// `size` × `size`. Drawn here (typst's QR packages come from the internet) and given to typst
/// as raw pixels, shown unsmoothed: parsing and drawing an SVG path of the same code cost
/// more than the rest of a letter's footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub pixels: Vec<u8>,
    pub size: usize,
}

/// Light modules around the code, on each side.
const QUIET_ZONE: usize = 2;

pub fn qr_code(text: &str) -> Option<QrCode> {
    let (dark, width) = qr_modules(text)?;
    let size = width + 2 * QUIET_ZONE;
    let mut pixels = vec![255u8; size * size];
    for (row, modules) in dark.chunks(width).enumerate() {
        let start = (row + QUIET_ZONE) * size + QUIET_ZONE;
        for (pixel, dark) in pixels[start..start + width].iter_mut().zip(modules) {
            if *dark {
                *pixel = 0;
            }
        }
    }
    Some(QrCode { pixels, size })
}

/// The eight mask patterns of a (non-micro) QR code.
const QR_MASKS: [qrcode::canvas::MaskPattern; 8] = {
    use qrcode::canvas::MaskPattern;
    [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ]
};

/// The code's modules (true = dark, row by row) and its width, with error correction level M
/// and the mask of lowest penalty. The `qrcode` crate encodes and masks; the mask is chosen
/// here because the crate's own scoring of the eight masks cost more than the rest of the code
/// (codes too wide to score, never a dossier's link, keep the first mask: still a valid code).
fn qr_modules(text: &str) -> Option<(Vec<bool>, usize)> {
    use qrcode::EcLevel;
    use qrcode::canvas::Canvas;
    let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let (data, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let width = usize::try_from(version.width()).ok()?;
    QR_MASKS
        .iter()
        .map(|mask| {
            let mut masked = canvas.clone();
            masked.apply_mask(*mask);
            let dark: Vec<bool> = masked
                .into_colors()
                .into_iter()
                .map(|c| c == qrcode::Color::Dark)
                .collect();
            (mask_penalty(&dark, width), dark)
        })
        .min_by_key(|(penalty, _)| *penalty)
        .map(|(_, dark)| (dark, width))
}

/// ISO/IEC 18004 mask penalty of a `width` × `width` code: lines of five or more modules of
/// one colour, 2×2 blocks, finder-like 1:1:3:1:1 patterns beside four light modules, and the
/// imbalance of dark and light. Rows and columns are scored as bit masks (bit x = module x,
/// set when dark), a few word operations per line where a module-by-module scan cost more
/// than typesetting the letter's footer; codes wider than [`QR_MAX_WIDTH`] are not scored.
fn mask_penalty(dark: &[bool], width: usize) -> u32 {
    if width == 0 || width > QR_MAX_WIDTH || dark.len() != width * width {
        return u32::MAX;
    }
    let mut rows = vec![0u128; width];
    let mut columns = vec![0u128; width];
    for (y, modules) in dark.chunks(width).enumerate() {
        for (x, _) in modules.iter().enumerate().filter(|(_, dark)| **dark) {
            rows[y] |= 1 << x;
            columns[x] |= 1 << y;
        }
    }
    let all = (1u128 << width) - 1;
    let mut penalty: u32 = rows
        .iter()
        .chain(&columns)
        .map(|line| line_penalty(*line, all))
        .sum();
    // 2×2 blocks: x where both rows keep their colour from x to x + 1 and agree with each other.
    let pairs = all >> 1;
    for pair in rows.windows(2) {
        let (above, below) = (pair[0], pair[1]);
        let same = !(above ^ (above >> 1)) & !(below ^ (below >> 1)) & !(above ^ below) & pairs;
        penalty += 3 * same.count_ones();
    }
    let dark_count: u32 = rows.iter().map(|row| row.count_ones()).sum();
    let dark_percent = dark_count as usize * 100 / dark.len();
    penalty + 10 * (dark_percent.abs_diff(50) / 5) as u32
}

/// Widest code [`mask_penalty`] scores: a line and the four light modules past either end fit
/// in a `u128` (version 25, about 1,000 bytes: far beyond a dossier's link).
const QR_MAX_WIDTH: usize = 117;

/// The penalties of one row or column (`all`: the line's modules): runs of five or more, and
/// finder-like patterns; the quiet zone beyond the code counts as light (bits past the line
/// are zero).
fn line_penalty(line: u128, all: u128) -> u32 {
    let runs = |modules: u128| {
        // Bit i: modules i to i + 4 all set. A run of n ≥ 5 sets n − 4 bits and costs n − 2.
        let fives = modules & (modules >> 1) & (modules >> 2) & (modules >> 3) & (modules >> 4);
        let starts = fives & !(fives << 1);
        fives.count_ones() + 2 * starts.count_ones()
    };
    // Bit i: modules i to i + 6 are dark, light, dark, dark, dark, light, dark.
    let finder =
        line & !(line >> 1) & (line >> 2) & (line >> 3) & (line >> 4) & !(line >> 5) & (line >> 6);
    let light_before = !((line << 1) | (line << 2) | (line << 3) | (line << 4));
    let light_after = !((line >> 7) | (line >> 8) | (line >> 9) | (line >> 10));
    runs(line) + runs(!line & all) + 40 * (finder & (light_before | light_after)).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(main: &str) -> PdfSources {
        PdfSources {
            main: main.to_owned(),
            prelude: "#let bonjour = \"Bonjour\"".to_owned(),
            data: String::new(),
            logo: None,
            signature: None,
            qr_code: qr_code("2026-000001").map(|code| code.pixels),
            ident: "test".to_owned(),
            today: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_document_becomes_a_pdf() {
        let size = qr_code("2026-000001").unwrap().size;
        let pdf = render(sources(&format!(
            "#import \"/guichet.typ\": *\n#bonjour le monde\n\
             #image(\"/qr\", format: (encoding: \"luma8\", width: {size}, height: {size}), width: 2cm)"
        )))
        .unwrap();
        assert!(pdf.bytes.starts_with(b"%PDF-"));
        assert_eq!(pdf.pages, 1);
    }

    #[test]
    fn errors_are_placed_at_their_line_and_column() {
        let problems = render(sources("Bonjour\n\nIci #inconnu")).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].file, VirtualFile::Main);
        assert_eq!((problems[0].line, problems[0].column), (3, 6));
        assert!(problems[0].message.contains("inconnu"), "{problems:?}");
    }

    #[test]
    fn only_the_documents_own_files_can_be_read() {
        let problems = render(sources("#read(\"/etc/passwd\")")).unwrap_err();
        assert!(problems[0].message.contains("not found"), "{problems:?}");
    }

    /// The `qrcode` crate's code for `text` under each of the eight masks (true = dark), and
    /// its width.
    fn masked_codes(text: &str) -> (Vec<Vec<bool>>, usize) {
        use qrcode::EcLevel;
        use qrcode::canvas::Canvas;
        let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).unwrap();
        let version = bits.version();
        let (data, ec) =
            qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).unwrap();
        let masked = QR_MASKS
            .into_iter()
            .map(|mask| {
                let mut canvas = Canvas::new(version, EcLevel::M);
                canvas.draw_all_functional_patterns();
                canvas.draw_data(&data, &ec);
                canvas.apply_mask(mask);
                canvas
                    .into_colors()
                    .into_iter()
                    .map(|c| c == qrcode::Color::Dark)
                    .collect()
            })
            .collect();
        (masked, version.width() as usize)
    }

    #[test]
    fn the_qr_code_is_the_crates_code_under_its_least_penalised_mask() {
        let text = "https://saint-herblain.guichet.test/suivi/5f0c2a";
        let (masked, width) = masked_codes(text);
        let (chosen, chosen_width) = qr_modules(text).unwrap();
        assert_eq!(chosen_width, width);
        assert!(masked.contains(&chosen), "one of the eight masked codes");
        let lowest = masked.iter().map(|m| mask_penalty(m, width)).min().unwrap();
        assert_eq!(mask_penalty(&chosen, width), lowest);

        // The image: the modules, dark = 0, inside a light quiet zone.
        let code = qr_code(text).unwrap();
        assert_eq!(code.size, width + 4);
        assert_eq!(code.pixels.len(), code.size * code.size);
        for y in 0..code.size {
            for x in 0..code.size {
                let inside = (2..width + 2).contains(&x) && (2..width + 2).contains(&y);
                let dark = inside && chosen[(y - 2) * width + (x - 2)];
                assert_eq!(code.pixels[y * code.size + x], if dark { 0 } else { 255 });
            }
        }
    }

    /// The rules module by module, as ISO/IEC 18004 states them: what the bit masks must match.
    fn reference_penalty(dark: &[bool], width: usize) -> u32 {
        fn line(line: &[bool]) -> u32 {
            const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
            let mut penalty = 0;
            for run in line.chunk_by(|a, b| a == b) {
                if run.len() >= 5 {
                    penalty += run.len() as u32 - 2;
                }
            }
            let end = line.len();
            for (i, window) in line.windows(7).enumerate() {
                if window == FINDER {
                    let before = &line[i.saturating_sub(4)..i];
                    let after = &line[(i + 7).min(end)..(i + 11).min(end)];
                    if !before.contains(&true) || !after.contains(&true) {
                        penalty += 40;
                    }
                }
            }
            penalty
        }
        let rows: Vec<&[bool]> = dark.chunks(width).collect();
        let transposed: Vec<bool> = (0..width)
            .flat_map(|x| rows.iter().map(move |row| row[x]))
            .collect();
        let mut penalty: u32 = rows
            .iter()
            .copied()
            .chain(transposed.chunks(width))
            .map(line)
            .sum();
        for pair in rows.windows(2) {
            let (above, below) = (pair[0], pair[1]);
            for x in 0..width - 1 {
                let colour = above[x];
                if above[x + 1] == colour && below[x] == colour && below[x + 1] == colour {
                    penalty += 3;
                }
            }
        }
        let dark_percent = dark.iter().filter(|d| **d).count() * 100 / dark.len();
        penalty + 10 * (dark_percent.abs_diff(50) / 5) as u32
    }

    #[test]
    fn the_bitwise_penalty_agrees_with_the_rules_module_by_module() {
        // Every mask of codes of several versions (21 to 117 modules), and pseudo-random grids.
        let mut checked = 0;
        for length in [5, 40, 90, 200, 400, 900] {
            let text: String = (0..length)
                .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                .collect();
            let (masked, width) = masked_codes(&text);
            for dark in &masked {
                assert_eq!(mask_penalty(dark, width), reference_penalty(dark, width));
                checked += 1;
            }
        }
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for width in [1, 7, 11, 21, 64, 65, 117] {
            for density in [2, 5, 8] {
                let dark: Vec<bool> = (0..width * width)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state % 10 < density
                    })
                    .collect();
                assert_eq!(
                    mask_penalty(&dark, width),
                    reference_penalty(&dark, width),
                    "{width}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 6 * 8 + 7 * 3);
        assert_eq!(
            mask_penalty(&[false; 118 * 118], 118),
            u32::MAX,
            "too wide to score"
        );
    }

    #[test]
    fn the_mask_penalty_counts_lines_blocks_finder_patterns_and_balance() {
        // All dark, 21 × 21: 42 lines of 21 (19 each), 400 blocks (3 each), 100 % dark (100).
        assert_eq!(mask_penalty(&[true; 21 * 21], 21), 42 * 19 + 400 * 3 + 100);
        // A checkerboard: nothing to penalise.
        let checkerboard: Vec<bool> = (0..21 * 21).map(|i| (i % 21 + i / 21) % 2 == 0).collect();
        assert_eq!(mask_penalty(&checkerboard, 21), 0);
        // 11 × 11, light but for a finder-like pattern at the start of the first row.
        let mut finder = vec![false; 11 * 11];
        for x in [0, 2, 3, 4, 6] {
            finder[x] = true;
        }
        let finder_pattern = 40;
        let rows = 10 * 9; // ten light rows of 11
        let columns = 5 * 8 + 6 * 9; // five columns broken by the first row's dark module
        let blocks = (9 * 10 + 3) * 3; // light 2×2 blocks below the first row, and three in it
        let balance = 10 * 9; // 5 dark modules of 121: 4 %
        assert_eq!(
            mask_penalty(&finder, 11),
            finder_pattern + rows + columns + blocks + balance
        );
    }
}
