//! A template + merge data → a PDF, and template problems in the author's own lines and
//! columns. CPU-bound: callers run it off the async runtime (`spawn_blocking`).

use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};

use super::merge::{MergeData, unknown_fields};
use super::model::{RenderedLetter, TemplateProblem};
use super::strings as s;
use crate::infra::pdf::{self, PdfSources, VirtualFile};

/// Put before the template on its first line (no newline: the author's line numbers stay
/// theirs; first-line columns are shifted back by its length).
const PREFIX: &str = "#import \"/guichet.typ\": *; #show: papier; ";
const PRELUDE: &str = include_str!("guichet.typ");

/// A letter to typeset.
pub struct LetterInput<'a> {
    pub template: &'a str,
    pub data: &'a MergeData,
    pub logo: Option<Vec<u8>>,
    pub signature: Option<Vec<u8>>,
    /// Stable identifier of the PDF (the letter's id, or template + dossier).
    pub ident: String,
    pub now: time::OffsetDateTime,
}

pub fn render_letter(input: LetterInput<'_>) -> Result<RenderedLetter, Vec<TemplateProblem>> {
    let fields = unknown_fields(&template_source(input.template));
    if !fields.is_empty() {
        return Err(fields);
    }
    let qr_text = if input.data.dossier.lien.is_empty() {
        input.data.dossier.reference.clone()
    } else {
        input.data.dossier.lien.clone()
    };
    let qr = pdf::qr_code(&qr_text);
    let mut data = input.data.clone();
    data.collectivite.logo = input.logo.is_some();
    data.signataire.image = input.signature.is_some();
    let data = data.to_typst();
    let render = |paginate: bool| {
        pdf::render(PdfSources {
            main: format!("{PREFIX}{}", input.template),
            prelude: PRELUDE.to_owned(),
            data: format!("{data}\n{}", layout(paginate, qr.as_ref())),
            logo: input.logo.clone(),
            signature: input.signature.clone(),
            qr_code: qr.as_ref().map(|code| code.pixels.clone()),
            ident: input.ident.clone(),
            today: input.now,
        })
    };
    // Page numbers ("Page 1 / 2") only on letters of more than one page: numbering against
    // the total needs typst's second layout pass, about a tenth of a letter's time, for
    // nothing on the one-page letters that most are.
    let mut rendered = render(false);
    if rendered.as_ref().is_ok_and(|pdf| pdf.pages > 1) {
        rendered = render(true);
    }
    rendered
        .map(|pdf| RenderedLetter {
            pdf: pdf.bytes,
            pages: pdf.pages,
        })
        .map_err(|diagnostics| diagnostics.into_iter().map(problem).collect())
}

/// Page layout settings for the prelude (not merge fields): whether to number pages, and the
/// QR code's size in pixels.
fn layout(paginate: bool, qr: Option<&pdf::QrCode>) -> String {
    let qr = qr.map_or_else(|| "none".to_owned(), |code| code.size.to_string());
    format!("#let mise-en-page = (paginer: {paginate}, qr: {qr})")
}

/// Checks a template against sample data: its own fields, then a full render.
pub fn check(template: &str, sample: &MergeData) -> Vec<TemplateProblem> {
    let input = LetterInput {
        template,
        data: sample,
        logo: None,
        signature: None,
        ident: "verification".to_owned(),
        now: time::OffsetDateTime::now_utc(),
    };
    match render_letter(input) {
        Ok(_) => Vec::new(),
        // Answers depend on the dossier: a sample has none, so only they may be missing.
        Err(problems) => problems
            .into_iter()
            .filter(|p| !p.message.starts_with(s::MISSING_ANSWER))
            .collect(),
    }
}

fn template_source(template: &str) -> Source {
    static ID: std::sync::LazyLock<Option<FileId>> = std::sync::LazyLock::new(|| {
        VirtualPath::new("/modele.typ")
            .ok()
            .map(|path| RootedPath::new(VirtualRoot::Project, path).intern())
    });
    match *ID {
        Some(id) => Source::new(id, template.to_owned()),
        None => Source::detached(template),
    }
}

fn problem(diagnostic: pdf::Diagnostic) -> TemplateProblem {
    let message = french(&diagnostic.message);
    match diagnostic.file {
        VirtualFile::Main => {
            let column = if diagnostic.line == 1 {
                diagnostic
                    .column
                    .saturating_sub(PREFIX.chars().count())
                    .max(1)
            } else {
                diagnostic.column
            };
            TemplateProblem {
                line: diagnostic.line,
                column,
                message,
            }
        }
        // The prelude and data are ours: place the problem at the template's start.
        _ => TemplateProblem {
            line: 1,
            column: 1,
            message,
        },
    }
}

/// typst's most common messages, in French; others are passed on as they are.
fn french(message: &str) -> String {
    if let Some(name) = message.strip_prefix("unknown variable: ") {
        return s::unknown_variable(name);
    }
    if let Some(rest) = message.strip_prefix("dictionary does not contain key ") {
        let key = rest.trim_matches('"');
        if !super::strings::FIELDS
            .iter()
            .any(|(path, _)| path.ends_with(&format!(".{key}")))
        {
            return s::missing_answer(key);
        }
    }
    s::typst_error(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> MergeData {
        let mut data = MergeData::sample("Ville d'Exemple", "#000091");
        data.citoyen_nom = "Jeanne \"Jo\" Martin #not-code".to_owned();
        data.reponses
            .insert("motif".to_owned(), "Mariage civil".to_owned());
        data
    }

    fn render(template: &str) -> Result<RenderedLetter, Vec<TemplateProblem>> {
        render_letter(LetterInput {
            template,
            data: &data(),
            logo: None,
            signature: None,
            ident: "t".to_owned(),
            now: time::OffsetDateTime::UNIX_EPOCH,
        })
    }

    #[test]
    fn a_template_with_fields_renders_on_one_a4_page() {
        let letter = render(
            "Madame, Monsieur #citoyen.nom,\n\nVotre dossier #dossier.reference du #dossier.depot \
             (#reponses.motif) est #dossier.date-statut.\n\n#texte-libre()\n\n#signature()",
        )
        .unwrap();
        assert!(letter.pdf.starts_with(b"%PDF-"));
        assert_eq!(letter.pages, 1);
    }

    #[test]
    fn an_unknown_field_is_refused_before_rendering_with_its_place() {
        let problems = render("Bonjour\n  #citoyen.prenom").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].column), (2, 4));
        assert!(problems[0].message.contains("citoyen.nom"), "{problems:?}");
    }

    #[test]
    fn typst_errors_on_the_first_line_keep_the_authors_columns() {
        let problems = render("Bonjour #inconnue").unwrap_err();
        assert_eq!((problems[0].line, problems[0].column), (1, 10));
        assert_eq!(problems[0].message, "Variable inconnue « inconnue ».");
    }

    #[test]
    fn a_missing_answer_is_named() {
        let problems = render("\n#reponses.absente").unwrap_err();
        assert_eq!(problems[0].line, 2);
        assert!(problems[0].message.contains("absente"), "{problems:?}");
        // … and a template is not refused for it: answers depend on the dossier.
        assert!(check("\n#reponses.absente", &MergeData::sample("X", "#000091")).is_empty());
    }

    #[test]
    fn a_syntax_error_is_reported() {
        let problems = render("Texte\n#(1 + ").unwrap_err();
        assert_eq!(problems[0].line, 2, "{problems:?}");
        assert!(problems[0].message.starts_with("Erreur dans le modèle"));
    }
}
