//! Merge data: what a template can say about a dossier, written as typst dictionaries
//! (`/champs.typ`), and the check that a template only names fields that exist.

use std::collections::BTreeMap;

use typst::syntax::{LinkedNode, Source, SyntaxKind, ast};

use super::model::{LetterheadChoice, TemplateProblem};
use super::strings as s;

/// Everything a letter can merge. Values are plain text: a citizen's answer can never become
/// typst markup (they are written as string literals).
#[derive(Clone, Debug, Default)]
pub struct MergeData {
    pub collectivite: Collectivite,
    pub dossier: DossierFields,
    pub demarche_titre: String,
    pub citoyen_nom: String,
    pub citoyen_courriel: String,
    pub beneficiaire_nom: String,
    pub agent_nom: String,
    pub agent_service: String,
    pub signataire: SignataireFields,
    pub courrier_titre: String,
    pub courrier_texte: String,
    /// `25 novembre 2026`
    pub aujourdhui: String,
    pub annee: i32,
    /// Answers by field code, as displayed.
    pub reponses: BTreeMap<String, String>,
    /// The template's letterhead (not a merge field: a page setting of the prelude).
    pub en_tete: LetterheadChoice,
}

#[derive(Clone, Debug, Default)]
pub struct Collectivite {
    pub nom: String,
    pub adresse: String,
    pub site: String,
    /// `#rrggbb`
    pub couleur: String,
    pub logo: bool,
}

#[derive(Clone, Debug, Default)]
pub struct DossierFields {
    pub reference: String,
    pub depot: String,
    pub statut: String,
    pub date_statut: String,
    pub lien: String,
}

#[derive(Clone, Debug, Default)]
pub struct SignataireFields {
    pub nom: String,
    pub qualite: String,
    pub pour: String,
    pub image: bool,
}

/// A typst string literal.
fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dict(entries: &[(&str, String)]) -> String {
    if entries.is_empty() {
        return "(:)".to_owned();
    }
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("({})", body.join(", "))
}

fn boolean(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

/// The free text's paragraphs: blocks separated by an empty line; single line breaks kept.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

impl MergeData {
    /// The `/champs.typ` module.
    pub fn to_typst(&self) -> String {
        let c = &self.collectivite;
        let d = &self.dossier;
        let sg = &self.signataire;
        let paragraphes: Vec<String> = paragraphs(&self.courrier_texte)
            .iter()
            .map(|p| lit(p))
            .collect();
        let paragraphes = match paragraphes.len() {
            0 => "()".to_owned(),
            1 => format!("({},)", paragraphes[0]),
            _ => format!("({})", paragraphes.join(", ")),
        };
        let reponses: Vec<String> = self
            .reponses
            .iter()
            .map(|(k, v)| format!("{}: {}", lit(k), lit(v)))
            .collect();
        let reponses = if reponses.is_empty() {
            "(:)".to_owned()
        } else {
            format!("({})", reponses.join(", "))
        };
        [
            format!(
                "#let collectivite = {}",
                dict(&[
                    ("nom", lit(&c.nom)),
                    ("adresse", lit(&c.adresse)),
                    ("site", lit(&c.site)),
                    ("couleur", lit(&c.couleur)),
                    ("logo", boolean(c.logo)),
                ])
            ),
            format!(
                "#let dossier = {}",
                dict(&[
                    ("reference", lit(&d.reference)),
                    ("depot", lit(&d.depot)),
                    ("statut", lit(&d.statut)),
                    ("date-statut", lit(&d.date_statut)),
                    ("lien", lit(&d.lien)),
                ])
            ),
            format!(
                "#let demarche = {}",
                dict(&[("titre", lit(&self.demarche_titre))])
            ),
            format!(
                "#let citoyen = {}",
                dict(&[
                    ("nom", lit(&self.citoyen_nom)),
                    ("courriel", lit(&self.citoyen_courriel)),
                ])
            ),
            format!(
                "#let beneficiaire = {}",
                dict(&[("nom", lit(&self.beneficiaire_nom))])
            ),
            format!(
                "#let agent = {}",
                dict(&[
                    ("nom", lit(&self.agent_nom)),
                    ("service", lit(&self.agent_service)),
                ])
            ),
            format!(
                "#let signataire = {}",
                dict(&[
                    ("nom", lit(&sg.nom)),
                    ("qualite", lit(&sg.qualite)),
                    ("pour", lit(&sg.pour)),
                    ("image", boolean(sg.image)),
                ])
            ),
            format!(
                "#let courrier = {}",
                dict(&[
                    ("titre", lit(&self.courrier_titre)),
                    ("texte", lit(&self.courrier_texte)),
                    ("paragraphes", paragraphes),
                ])
            ),
            format!(
                "#let date = {}",
                dict(&[
                    ("aujourdhui", lit(&self.aujourdhui)),
                    ("annee", self.annee.to_string()),
                ])
            ),
            format!("#let reponses = {reponses}"),
        ]
        .join("\n")
    }

    /// Plausible values for checking a template without a dossier.
    pub fn sample(tenant_name: &str, colour: &str) -> Self {
        Self {
            collectivite: Collectivite {
                nom: tenant_name.to_owned(),
                adresse: "1 place de la Mairie, 44000 Exemple".to_owned(),
                site: "https://exemple.fr".to_owned(),
                couleur: colour.to_owned(),
                logo: false,
            },
            dossier: DossierFields {
                reference: "2026-000001".to_owned(),
                depot: "3 novembre 2026".to_owned(),
                statut: "En cours d'instruction".to_owned(),
                date_statut: "5 novembre 2026".to_owned(),
                lien: "https://exemple.fr/mes-demandes/2026-000001".to_owned(),
            },
            demarche_titre: "Démarche d'exemple".to_owned(),
            citoyen_nom: "Marie Dupont".to_owned(),
            citoyen_courriel: "marie.dupont@example.test".to_owned(),
            beneficiaire_nom: "Marie Dupont".to_owned(),
            agent_nom: "Agent instructeur".to_owned(),
            agent_service: "État civil".to_owned(),
            signataire: SignataireFields {
                nom: "Le Maire".to_owned(),
                qualite: "Maire".to_owned(),
                pour: String::new(),
                image: false,
            },
            courrier_titre: "Courrier".to_owned(),
            courrier_texte: "Texte libre de l'agent.".to_owned(),
            aujourdhui: "25 novembre 2026".to_owned(),
            annee: 2026,
            reponses: BTreeMap::new(),
            en_tete: LetterheadChoice::Commune,
        }
    }
}

/// `25 novembre 2026`.
pub fn french_long_date(date: time::Date) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let month = MONTHS[usize::from(u8::from(date.month())) - 1];
    let day = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {month} {}", date.year())
}

/// The variables a template may use, besides typst's own.
pub const ROOTS: [&str; 11] = [
    "collectivite",
    "dossier",
    "demarche",
    "citoyen",
    "beneficiaire",
    "agent",
    "signataire",
    "courrier",
    "date",
    "reponses",
    "signature",
];

/// Finds every `root.field` naming a field that does not exist, anywhere in the template
/// (in branches typst would not evaluate too). Answers (`reponses.x`) depend on the dossier's
/// démarche and are checked when rendering.
pub fn unknown_fields(source: &Source) -> Vec<TemplateProblem> {
    let mut problems = Vec::new();
    walk(&LinkedNode::new(source.root()), source, &mut problems);
    problems
}

fn walk(node: &LinkedNode, source: &Source, problems: &mut Vec<TemplateProblem>) {
    if node.kind() == SyntaxKind::FieldAccess
        && let Some(access) = node.cast::<ast::FieldAccess>()
        && let ast::Expr::Ident(root) = access.target()
    {
        let root = root.as_str();
        let field = access.field();
        let path = format!("{root}.{}", field.as_str());
        let known_root = s::FIELDS
            .iter()
            .any(|(p, _)| p.split('.').next() == Some(root));
        if known_root && !s::FIELDS.iter().any(|(p, _)| *p == path) {
            let (line, column) = position(source, node.offset());
            problems.push(TemplateProblem {
                line,
                column,
                message: s::unknown_field(&path, root),
            });
        }
    }
    for child in node.children() {
        walk(&child, source, problems);
    }
}

/// The answers a template reads by name: `reponses.<code>` and `reponses.at("<code>", …)`.
/// A template is checked with a placeholder for each (answers depend on the dossier), so that
/// an answer missing from the sample neither hides the problems after it nor is mistaken for
/// another field of the same name (`collectivite.adresse`).
pub fn answer_codes(source: &Source) -> Vec<String> {
    let mut codes = Vec::new();
    each_answer_read(&LinkedNode::new(source.root()), &mut |access, _| {
        if let Some(code) = access {
            codes.push(code);
        }
    });
    codes.sort();
    codes.dedup();
    codes
}

/// Whether the template's byte `offset` lies inside a read of an answer (`reponses.x`,
/// `reponses.at(…)`): a "missing key" error there is a missing answer, whatever the key's
/// name.
pub fn reads_answer_at(source: &Source, offset: usize) -> bool {
    let mut found = false;
    each_answer_read(&LinkedNode::new(source.root()), &mut |_, range| {
        found |= range.contains(&offset);
    });
    found
}

/// Calls `visit(code, range)` for each read of `reponses`: the code when written literally,
/// and the byte range of the read (the whole call for `reponses.at(…)`).
fn each_answer_read(
    node: &LinkedNode,
    visit: &mut dyn FnMut(Option<String>, std::ops::Range<usize>),
) {
    if let Some(access) = node.cast::<ast::FieldAccess>()
        && let ast::Expr::Ident(root) = access.target()
        && root.as_str() == "reponses"
    {
        let field = access.field();
        let call = node
            .parent()
            .filter(|parent| parent.kind() == SyntaxKind::FuncCall);
        match call {
            Some(call) if field.as_str() == "at" => {
                let code = call
                    .cast::<ast::FuncCall>()
                    .and_then(|c| c.args().items().next())
                    .and_then(|arg| match arg {
                        ast::Arg::Pos(ast::Expr::Str(code)) => Some(code.get().to_string()),
                        _ => None,
                    });
                visit(code, call.range());
            }
            _ => visit(Some(field.as_str().to_owned()), node.range()),
        }
    }
    for child in node.children() {
        each_answer_read(&child, visit);
    }
}

/// Where the template calls `#en-tete[…]`, its own letterhead (1-based line and column).
pub fn own_letterhead_calls(source: &Source) -> Vec<(usize, usize)> {
    fn walk(node: &LinkedNode, source: &Source, out: &mut Vec<(usize, usize)>) {
        if let Some(call) = node.cast::<ast::FuncCall>()
            && let ast::Expr::Ident(callee) = call.callee()
            && callee.as_str() == "en-tete"
        {
            out.push(position(source, node.offset()));
        }
        for child in node.children() {
            walk(&child, source, out);
        }
    }
    let mut out = Vec::new();
    walk(&LinkedNode::new(source.root()), source, &mut out);
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub fn position(source: &Source, offset: usize) -> (usize, usize) {
    source
        .lines()
        .byte_to_line_column(offset)
        .map_or((0, 0), |(l, c)| (l + 1, c + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::syntax::{RootedPath, VirtualPath, VirtualRoot};

    fn source(text: &str) -> Source {
        let id =
            RootedPath::new(VirtualRoot::Project, VirtualPath::new("/t.typ").unwrap()).intern();
        Source::new(id, text.to_owned())
    }

    #[test]
    fn text_is_written_as_string_literals() {
        assert_eq!(lit("a \"b\" \\ #c\nd"), r#""a \"b\" \\ #c\nd""#);
    }

    #[test]
    fn dates_are_written_in_french() {
        let date = time::Date::from_calendar_date(2026, time::Month::August, 1).unwrap();
        assert_eq!(french_long_date(date), "1er août 2026");
        let date = time::Date::from_calendar_date(2026, time::Month::November, 25).unwrap();
        assert_eq!(french_long_date(date), "25 novembre 2026");
    }

    #[test]
    fn unknown_fields_are_found_with_their_line_and_column() {
        let text = "Bonjour #citoyen.nom,\n\n#if false [#dossier.numero]\n#reponses.quelconque";
        let problems = unknown_fields(&source(text));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].column), (3, 13));
        assert!(problems[0].message.contains("dossier.numero"));
        assert!(problems[0].message.contains("dossier.reference"));
    }

    #[test]
    fn answers_read_by_name_are_found_whatever_other_fields_are_called() {
        let text =
            "#reponses.adresse, #reponses.at(\"motif\", default: \"\")\n#collectivite.adresse";
        let source = source(text);
        assert_eq!(
            answer_codes(&source),
            vec!["adresse".to_owned(), "motif".to_owned()]
        );
        // Inside `reponses.adresse` (its field), not inside `collectivite.adresse`.
        assert!(reads_answer_at(&source, text.find("adresse").unwrap()));
        assert!(!reads_answer_at(&source, text.rfind("adresse").unwrap()));
        assert!(reads_answer_at(&source, text.find("motif").unwrap()));
    }

    #[test]
    fn own_letterhead_calls_are_found_with_their_place() {
        let source = source("Texte\n  #en-tete[*Département*]\n#en-tete");
        assert_eq!(own_letterhead_calls(&source), vec![(2, 4)]);
    }

    #[test]
    fn free_text_is_split_into_paragraphs() {
        assert_eq!(
            paragraphs("Un\ndeux\r\n\r\n\n trois \n\n"),
            vec!["Un\ndeux".to_owned(), "trois".to_owned()]
        );
    }
}
