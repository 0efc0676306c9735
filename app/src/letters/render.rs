//! A template + merge data → a PDF, and template problems in the author's own lines and
//! columns. CPU-bound: callers run it off the async runtime (`spawn_blocking`).

use typst::syntax::{FileId, LinkedNode, RootedPath, Source, VirtualPath, VirtualRoot};

use super::merge::{
    MergeData, answer_codes, own_letterhead_calls, position, reads_answer_at, unknown_fields,
};
use super::model::{LetterheadChoice, RenderedLetter, TemplateProblem};
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
    let source = template_source(input.template);
    // What can be told without typesetting: syntax, field names, the letterhead's use.
    let syntax = syntax_problems(&source);
    if !syntax.is_empty() {
        return Err(syntax);
    }
    let mut problems = unknown_fields(&source);
    problems.extend(letterhead_problems(&source, input.data.en_tete));
    if !problems.is_empty() {
        return Err(problems);
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
    let letterhead = data.en_tete;
    let data = data.to_typst();
    let render = |paginate: bool| {
        pdf::render(PdfSources {
            main: format!("{PREFIX}{}", input.template),
            prelude: PRELUDE.to_owned(),
            data: format!("{data}\n{}", layout(paginate, qr.as_ref(), letterhead)),
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
        .map_err(|diagnostics| {
            let found = diagnostics
                .into_iter()
                .map(|d| problem(&source, d))
                .collect();
            independent(found)
        })
}

/// Page layout settings for the prelude (not merge fields): whether to number pages, the QR
/// code's size in pixels, and the letterhead.
fn layout(paginate: bool, qr: Option<&pdf::QrCode>, letterhead: LetterheadChoice) -> String {
    let qr = qr.map_or_else(|| "none".to_owned(), |code| code.size.to_string());
    format!(
        "#let mise-en-page = (paginer: {paginate}, qr: {qr}, en-tete: \"{}\")",
        letterhead.code()
    )
}

/// A template's own letterhead is written once with `#en-tete[…]`, and only when chosen.
fn letterhead_problems(source: &Source, choice: LetterheadChoice) -> Vec<TemplateProblem> {
    let calls = own_letterhead_calls(source);
    let at = |(line, column): (usize, usize), message: &str| TemplateProblem {
        line,
        column,
        message: message.to_owned(),
    };
    match (choice, calls.as_slice()) {
        (LetterheadChoice::Own, []) => vec![at((1, 1), s::OWN_LETTERHEAD_MISSING)],
        (LetterheadChoice::Own, [_]) => Vec::new(),
        (LetterheadChoice::Own, [_, second, ..]) => vec![at(*second, s::OWN_LETTERHEAD_TWICE)],
        (_, [first, ..]) => vec![at(*first, s::OWN_LETTERHEAD_UNUSED)],
        (_, []) => Vec::new(),
    }
}

/// Checks a template against sample data: its own fields, then a full render. Answers depend
/// on the dossier: every answer the template reads by name gets a placeholder, and answers
/// still missing (read under a computed name) are not held against it.
pub fn check(template: &str, sample: &MergeData) -> Vec<TemplateProblem> {
    let mut sample = sample.clone();
    for code in answer_codes(&template_source(template)) {
        sample
            .reponses
            .entry(code.clone())
            .or_insert_with(|| format!("[{code}]"));
    }
    let input = LetterInput {
        template,
        data: &sample,
        logo: None,
        signature: None,
        ident: "verification".to_owned(),
        now: time::OffsetDateTime::now_utc(),
    };
    match render_letter(input) {
        Ok(_) => Vec::new(),
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

/// A problem where the author wrote it, and whether it is a syntax error that makes the parser
/// read the rest of the template as part of it (an unclosed delimiter or string).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Found {
    problem: TemplateProblem,
    swallows_rest: bool,
}

/// The template's syntax errors (typst parses before it evaluates anything), in French,
/// keeping only the independent ones.
fn syntax_problems(source: &Source) -> Vec<TemplateProblem> {
    independent(syntax_errors(source))
}

/// Every syntax error typst's parser reports, cascades included.
fn syntax_errors(source: &Source) -> Vec<Found> {
    fn walk(node: &LinkedNode, source: &Source, found: &mut Vec<Found>) {
        let errors = node.diagnosis().errors;
        if !errors {
            return;
        }
        // An error node is a leaf that carries its message (an inner node only holds them).
        if node.children().len() == 0 {
            let (messages, _) = node.errors_and_warnings();
            if let Some(error) = messages.first() {
                let (line, column) = position(source, node.offset());
                let opening = source
                    .text()
                    .get(node.offset()..)
                    .and_then(|t| t.chars().next());
                found.push(Found {
                    swallows_rest: error.message.starts_with("unclosed"),
                    problem: TemplateProblem {
                        line,
                        column,
                        message: french(&error.message, opening),
                    },
                });
            }
            return;
        }
        for child in node.children() {
            walk(&child, source, found);
        }
    }
    let mut found = Vec::new();
    walk(&LinkedNode::new(source.root()), source, &mut found);
    found
}

/// The problems worth showing: the first one, always; each later one only if it is on a line
/// of its own (a second problem on a line is the parser stumbling on what the first left) and
/// no problem before it swallows the rest of the template (after an unclosed parenthesis,
/// bracket, brace or string, typst reads everything that follows as its inside, and each
/// "problem" there is a consequence, not a mistake of the author).
fn independent(mut found: Vec<Found>) -> Vec<TemplateProblem> {
    found.sort_by_key(|f| (f.problem.line, f.problem.column));
    let mut kept: Vec<TemplateProblem> = Vec::new();
    for f in found {
        if kept.iter().any(|k| k.line == f.problem.line) {
            continue;
        }
        let swallows = f.swallows_rest;
        kept.push(f.problem);
        if swallows {
            break;
        }
    }
    kept
}

fn problem(source: &Source, diagnostic: pdf::Diagnostic) -> Found {
    let (line, column) = match diagnostic.file {
        VirtualFile::Main if diagnostic.line == 1 => (
            1,
            diagnostic
                .column
                .saturating_sub(PREFIX.chars().count())
                .max(1),
        ),
        VirtualFile::Main => (diagnostic.line, diagnostic.column),
        // The prelude and data are ours: place the problem at the template's start.
        _ => (1, 1),
    };
    let offset = source
        .lines()
        .line_column_to_byte(line.saturating_sub(1), column.saturating_sub(1));
    let message = match diagnostic
        .message
        .strip_prefix("dictionary does not contain key ")
    {
        // A read of `reponses`: the dossier has no such answer, whatever other fields are
        // called (`collectivite.adresse` does not make `reponses.adresse` any less an answer).
        Some(rest)
            if diagnostic.file == VirtualFile::Main
                && offset.is_some_and(|at| reads_answer_at(source, at)) =>
        {
            s::missing_answer(key_of(rest))
        }
        _ => french(&diagnostic.message, None),
    };
    Found {
        problem: TemplateProblem {
            line,
            column,
            message,
        },
        swallows_rest: false,
    }
}

/// `"adresse" and no default value was specified` → `adresse`.
fn key_of(rest: &str) -> &str {
    let quoted = rest
        .strip_suffix(" and no default value was specified")
        .unwrap_or(rest);
    quoted.trim().trim_matches('"')
}

/// typst's common messages in French; others get a French sentence that quotes typst's
/// (the position is given beside every message). `opening`: the character at the problem's
/// place, for an unclosed delimiter.
fn french(message: &str, opening: Option<char>) -> String {
    if let Some(name) = message.strip_prefix("unknown variable: ") {
        return s::unknown_variable(name);
    }
    if let Some(rest) = message.strip_prefix("dictionary does not contain key ") {
        return s::missing_key(key_of(rest));
    }
    match message {
        "unclosed delimiter" => {
            return match opening {
                Some('(') => s::UNCLOSED_PAREN,
                Some('[') => s::UNCLOSED_BRACKET,
                Some('{') => s::UNCLOSED_BRACE,
                Some('$') => s::UNCLOSED_EQUATION,
                _ => s::UNCLOSED_DELIMITER,
            }
            .to_owned();
        }
        "unclosed string" => return s::UNCLOSED_STRING.to_owned(),
        "unclosed raw text" => return s::UNCLOSED_RAW.to_owned(),
        "unclosed label" => return s::UNCLOSED_LABEL.to_owned(),
        _ => {}
    }
    if let Some(what) = message.strip_prefix("unexpected ") {
        return s::unexpected(&token_name(what));
    }
    if let Some(what) = message.strip_prefix("expected ") {
        return match what.split_once(", found ") {
            Some((wanted, found)) => s::expected_found(&token_names(wanted), &token_name(found)),
            None => s::expected(&token_names(what)),
        };
    }
    if let Some(name) = message.strip_prefix("missing argument: ") {
        return s::missing_argument(name);
    }
    if let Some(name) = message.strip_prefix("unexpected argument: ") {
        return s::unexpected_argument(name);
    }
    if let Some(rest) = message.strip_prefix("file not found") {
        let _ = rest;
        return s::FILE_NOT_FOUND.to_owned();
    }
    s::typst_error(message)
}

/// `closing paren or comma` → `« ) » ou une virgule`.
fn token_names(what: &str) -> String {
    what.split(" or ")
        .map(token_name)
        .collect::<Vec<_>>()
        .join(" ou ")
}

/// typst's names of syntax elements, in French (unknown ones are quoted as they are).
fn token_name(what: &str) -> String {
    let name = match what {
        "opening paren" => "une parenthèse ouvrante « ( »",
        "closing paren" => "une parenthèse fermante « ) »",
        "opening bracket" => "un crochet ouvrant « [ »",
        "closing bracket" => "un crochet fermant « ] »",
        "opening brace" => "une accolade ouvrante « { »",
        "closing brace" => "une accolade fermante « } »",
        "comma" => "une virgule",
        "colon" => "deux-points « : »",
        "semicolon" => "un point-virgule",
        "semicolon or line break" => "un point-virgule ou un retour à la ligne",
        "equals sign" => "un signe « = »",
        "hash" => "un « # »",
        "dot" => "un point",
        "star" => "une étoile « * »",
        "underscore" => "un tiret bas « _ »",
        "dollar sign" => "un « $ »",
        "expression" => "une expression (un champ, une valeur, un appel)",
        "identifier" => "un nom",
        "string" => "un texte entre guillemets",
        "integer" => "un nombre entier",
        "float" => "un nombre",
        "block" => "un bloc « [ … ] » ou « { … } »",
        "argument list" => "des arguments entre parenthèses",
        "content block" => "un bloc « [ … ] »",
        "code block" => "un bloc « { … } »",
        "end of tokens" => "la fin du modèle",
        "keyword `in`" => "le mot-clé « in »",
        "pattern" => "un nom ou un motif",
        "named or keyed pair" => "une paire « clé: valeur »",
        "plus" => "un « + »",
        "minus" => "un « - »",
        "slash" => "une barre oblique « / »",
        "arrow" => "une flèche « => »",
        other => return format!("« {other} »"),
    };
    name.to_owned()
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
    fn a_syntax_error_is_reported_in_french_at_its_place() {
        let problems = render("Texte\n#(1 + ").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 2, "{problems:?}");
        assert!(!problems[0].message.contains("expected"), "{problems:?}");
    }

    #[test]
    fn a_missing_answer_is_named_even_when_another_field_has_its_name() {
        // `collectivite.adresse` exists; the dossier has no answer `adresse`.
        let problems = render("Bonjour\n\nVotre adresse : #reponses.adresse").unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (3, 27));
        assert!(
            problems[0].message.starts_with(s::MISSING_ANSWER),
            "{problems:?}"
        );
        assert!(problems[0].message.contains("« adresse »"), "{problems:?}");
        // `reponses.at("nom")` without a default, too (`citoyen.nom` exists).
        let problems = render("#reponses.at(\"nom\")").unwrap_err();
        assert!(
            problems[0].message.starts_with(s::MISSING_ANSWER),
            "{problems:?}"
        );
        // A template reading it is not refused: answers depend on the dossier.
        let sample = MergeData::sample("X", "#000091");
        assert_eq!(check("Votre adresse : #reponses.adresse", &sample), vec![]);
    }

    #[test]
    fn an_answer_read_by_name_does_not_hide_the_problems_after_it() {
        let problems = check(
            "#reponses.adresse\n#inconnue",
            &MergeData::sample("X", "#000091"),
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert_eq!(problems[0].message, "Variable inconnue « inconnue ».");
    }

    #[test]
    fn a_key_missing_from_the_templates_own_dictionary_is_not_an_answer() {
        let problems = render("#let d = (a: 1)\n#d.adresse").unwrap_err();
        assert_eq!(
            problems[0].message,
            "Ce dictionnaire n'a pas de clé « adresse »."
        );
    }

    #[test]
    fn a_missing_parenthesis_is_one_problem_in_french_where_it_was_opened() {
        let template = "Madame, Monsieur,\n\n#align(right, [Le #date.aujourdhui]\n\n\
                        Votre dossier #dossier.reference est *complet*.\n\n\
                        #texte-libre()\n\n#signature()\n";
        // typst's parser reads everything after the parenthesis as its arguments.
        let cascade = syntax_errors(&template_source(template));
        assert!(cascade.len() > 5, "{cascade:?}");
        let problems = render(template).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (3, 7));
        assert_eq!(problems[0].message, s::UNCLOSED_PAREN);
    }

    #[test]
    fn independent_syntax_errors_on_other_lines_are_all_shown() {
        let problems = render("#let = 1\nTexte\n#let = 2\n").unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 3], "{problems:?}");
        assert!(
            problems
                .iter()
                .all(|p| p.message.starts_with("Il manque ici")),
            "{problems:?}"
        );
    }

    #[test]
    fn only_the_first_problem_of_a_line_and_none_after_an_unclosed_delimiter_are_kept() {
        let at = |line, column, swallows_rest| Found {
            problem: TemplateProblem {
                line,
                column,
                message: format!("{line}:{column}"),
            },
            swallows_rest,
        };
        let kept = independent(vec![
            at(4, 1, false),
            at(1, 9, false),
            at(1, 3, false),
            at(2, 5, true),
            at(3, 1, false),
        ]);
        let places: Vec<(usize, usize)> = kept.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(places, vec![(1, 3), (2, 5)]);
    }

    #[test]
    fn typst_messages_are_translated_with_a_french_fallback() {
        assert_eq!(
            french("unexpected closing paren", None),
            "Élément inattendu ici : une parenthèse fermante « ) »."
        );
        assert_eq!(
            french("expected comma or closing paren", None),
            "Il manque ici une virgule ou une parenthèse fermante « ) »."
        );
        assert_eq!(french("unclosed delimiter", Some('[')), s::UNCLOSED_BRACKET);
        assert_eq!(french("unclosed string", None), s::UNCLOSED_STRING);
        assert_eq!(
            french("cannot add integer and dictionary", None),
            "Le modèle contient une erreur à cet endroit (message de typst : « cannot add integer and dictionary »)."
        );
    }

    fn render_with(
        template: &str,
        letterhead: LetterheadChoice,
    ) -> Result<String, Vec<TemplateProblem>> {
        let mut data = data();
        data.en_tete = letterhead;
        data.collectivite.adresse = "1 place de la Mairie".to_owned();
        render_letter(LetterInput {
            template,
            data: &data,
            logo: None,
            signature: None,
            ident: "t".to_owned(),
            now: time::OffsetDateTime::UNIX_EPOCH,
        })
        .map(|letter| String::from_utf8_lossy(&letter.pdf).into_owned())
    }

    #[test]
    fn a_template_uses_its_own_letterhead_only_when_it_chooses_it() {
        let own = "#en-tete[Département]\nBonjour";
        assert!(render_with(own, LetterheadChoice::Own).is_ok());
        let problems = render_with(own, LetterheadChoice::Commune).unwrap_err();
        assert_eq!(
            problems,
            vec![TemplateProblem {
                line: 1,
                column: 2,
                message: s::OWN_LETTERHEAD_UNUSED.to_owned()
            }]
        );
        let problems = render_with("Bonjour", LetterheadChoice::Own).unwrap_err();
        assert_eq!(problems[0].message, s::OWN_LETTERHEAD_MISSING);
        let problems = render_with("#en-tete[A]\n#en-tete[B]", LetterheadChoice::Own).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].message.as_str()),
            (2, s::OWN_LETTERHEAD_TWICE)
        );
        assert!(render_with("Bonjour", LetterheadChoice::Blank).is_ok());
    }
}
