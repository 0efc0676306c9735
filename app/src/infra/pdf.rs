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
            Self::QrCode => "/qr.svg",
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
    pub qr_code: Option<String>,
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

/// Typesets `sources` into an A4 PDF (the page size is the prelude's business).
pub fn render(sources: PdfSources) -> Result<Pdf, Vec<Diagnostic>> {
    let today = datetime(sources.today)
        .or_else(|| Datetime::from_ymd(2000, 1, 1))
        .ok_or_else(Vec::new)?;
    let world = DocumentWorld {
        main: Source::new(VirtualFile::Main.id(), sources.main),
        prelude: Source::new(VirtualFile::Prelude.id(), sources.prelude),
        data: Source::new(VirtualFile::Data.id(), sources.data),
        logo: sources.logo.map(Bytes::new),
        signature: sources.signature.map(Bytes::new),
        qr_code: sources.qr_code.map(Bytes::from_string),
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

/// A QR code for `text` as an SVG (drawn here: typst's QR packages come from the internet).
pub fn qr_code_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let quiet = 2;
    let size = width + 2 * quiet;
    // One rectangle per horizontal run of dark modules: a third of the path of one per module,
    // parsed and drawn for every letter.
    let colors = code.to_colors();
    let mut path = String::with_capacity(width * width);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = quiet;
        for run in row.chunk_by(|a, b| a == b) {
            if run.first() == Some(&qrcode::Color::Dark) {
                let (length, y) = (run.len(), y + quiet);
                path.push_str(&format!("M{x} {y}h{length}v1h-{length}z"));
            }
            x += run.len();
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
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
            qr_code: qr_code_svg("2026-000001"),
            ident: "test".to_owned(),
            today: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_document_becomes_a_pdf() {
        let pdf = render(sources(
            "#import \"/guichet.typ\": *\n#bonjour le monde\n#image(\"/qr.svg\", width: 2cm)",
        ))
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

    #[test]
    fn the_qr_code_draws_exactly_the_dark_modules_of_the_code() {
        let text = "https://saint-herblain.guichet.test/suivi/5f0c2a";
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let width = code.width();
        let svg = qr_code_svg(text).unwrap();
        let path = svg.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut drawn = vec![false; width * width];
        for rect in path.split('z').filter(|r| !r.is_empty()) {
            // "M{x} {y}h{run}v1h-{run}"
            let (origin, rest) = rect[1..].split_once('h').unwrap();
            let (x, y) = origin.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (
                x.parse::<usize>().unwrap() - 2,
                y.parse::<usize>().unwrap() - 2,
            );
            let run: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            for dx in 0..run {
                assert!(!drawn[y * width + x + dx], "drawn twice");
                drawn[y * width + x + dx] = true;
            }
        }
        let dark: Vec<bool> = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        assert_eq!(drawn, dark);
    }
}
