//! The problems of a citizen's answers as the form shows them: which field each one concerns
//! (named as the citizen reads it, "Personne n° 3 — Date de naissance"), where its message
//! shows beside the field, and which control the summary at the top links to.
//!
//! The server's pages, the designer's preview and the `guichet-enhance` bundle all name
//! problems here, so the wording is the same with and without JavaScript.

use super::form_data::control_id;
use super::model::{AnswerError, ChoiceDisplay, Definition, Field, FieldKind};
use super::strings as s;

/// One problem, placed and named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The answer checker's path (`enfants[2].naissance`, `adresse.postcode`, `pj[0]`).
    pub path: String,
    /// The path of the element whose message block shows it: the field itself, an address
    /// part, a sub-field of one item. A refused file shows on its files field.
    pub at: String,
    /// The id of the control the summary links to (one that can take the focus).
    pub target: String,
    /// What the citizen calls the field: its label, within its item and part when it has one.
    pub name: String,
    pub message: String,
}

impl Problem {
    /// The summary's line: "Nom : ce champ est obligatoire."
    pub fn summary(&self) -> String {
        s::named_problem(&self.name, &self.message)
    }
}

/// The id of the message block beside the element at `at` (see [`Problem::at`]).
pub fn message_id(at: &str) -> String {
    format!("{}-erreur", control_id(at))
}

/// The text of the message block beside the element at `at`, if it has problems.
pub fn messages_at(problems: &[Problem], at: &str) -> Option<String> {
    let messages: Vec<&str> = problems
        .iter()
        .filter(|p| p.at == at)
        .map(|p| p.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join(" "))
}

/// Places and names every error of `errors`, in their order.
pub fn name_problems(definition: &Definition, errors: &[AnswerError]) -> Vec<Problem> {
    let fields: Vec<&Field> = definition
        .steps
        .iter()
        .flat_map(|step| &step.fields)
        .collect();
    errors
        .iter()
        .map(|error| {
            let place = locate(&fields, &error.path, "", "").unwrap_or_else(|| Place {
                at: error.path.clone(),
                target: control_id(&error.path),
                name: error.path.clone(),
            });
            Problem {
                path: error.path.clone(),
                at: place.at,
                target: place.target,
                name: place.name,
                message: error.message.clone(),
            }
        })
        .collect()
}

struct Place {
    at: String,
    target: String,
    name: String,
}

/// Finds the field `path` designates among `fields` (one level: the form, or one item).
/// `base` is the path of that level (`enfants[2].`), `item` its name (`Enfant n° 3 — `).
fn locate(fields: &[&Field], path: &str, base: &str, item: &str) -> Option<Place> {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    let (code, rest) = path.split_at(end);
    let field = fields.iter().find(|f| f.code == code)?;
    let own = format!("{base}{code}");
    let name = format!("{item}{}", field.label);
    if let FieldKind::Group { fields: inner, .. } = &field.kind
        && let Some(after) = rest.strip_prefix('[')
        && let Some((index, inner_path)) = after.split_once("].")
        && let Ok(index) = index.parse::<usize>()
    {
        let inner: Vec<&Field> = inner.iter().collect();
        let base = format!("{own}[{index}].");
        let item = format!("{} — ", s::item_legend(&field.label, index + 1));
        return locate(&inner, inner_path, &base, &item);
    }
    if let (FieldKind::Address {}, Some(part)) = (&field.kind, rest.strip_prefix('.')) {
        let at = format!("{own}.{part}");
        let part_label = match part {
            "number" => s::ADDRESS_NUMBER,
            "street" => s::ADDRESS_STREET,
            "postcode" => s::ADDRESS_POSTCODE,
            _ => s::ADDRESS_COMMUNE,
        };
        return Some(Place {
            target: control_id(&at),
            at,
            name: format!("{name} — {part_label}"),
        });
    }
    // The field as a whole (a refused file `pj[0]` included): linked to its first control.
    let id = control_id(&own);
    let target = match &field.kind {
        FieldKind::YesNo {}
        | FieldKind::MultipleChoice { .. }
        | FieldKind::SingleChoice {
            display: ChoiceDisplay::Radio,
            ..
        } => format!("{id}-0"),
        FieldKind::Address {} => control_id(&format!("{own}.number")),
        _ => id,
    };
    Some(Place {
        at: own,
        target,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::{IsoDate, Step};
    use crate::demarches::testing::*;

    fn error(path: &str, message: &str) -> AnswerError {
        AnswerError {
            path: path.to_owned(),
            message: message.to_owned(),
        }
    }

    fn labelled(code: &str, label: &str, kind: FieldKind) -> Field {
        let mut field = field(code, kind);
        field.label = label.to_owned();
        field
    }

    fn people() -> Definition {
        Definition {
            steps: vec![
                step("qui", vec![labelled("nom", "Nom", short_text())]),
                step(
                    "foyer",
                    vec![
                        labelled(
                            "personnes",
                            "Personne",
                            FieldKind::Group {
                                fields: vec![
                                    labelled("prenom", "Prénom", short_text()),
                                    labelled(
                                        "naissance",
                                        "Date de naissance",
                                        FieldKind::Date {
                                            min: None,
                                            max: IsoDate::parse("2026-01-01"),
                                        },
                                    ),
                                ],
                                min_items: 1,
                                max_items: 5,
                            },
                        ),
                        labelled("adresse", "Adresse du logement", FieldKind::Address {}),
                        labelled(
                            "situation",
                            "Situation",
                            FieldKind::SingleChoice {
                                options: options(&["a", "b"]),
                                display: ChoiceDisplay::Radio,
                            },
                        ),
                        labelled(
                            "pj",
                            "Justificatif",
                            FieldKind::Files {
                                accepted_types: vec![],
                                max_size_bytes: 10,
                                max_files: 2,
                            },
                        ),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn a_problem_names_its_field_in_the_summary_and_links_to_its_control() {
        let problems = name_problems(&people(), &[error("nom", s::REQUIRED)]);
        assert_eq!(problems[0].summary(), "Nom : ce champ est obligatoire.");
        assert_eq!(problems[0].target, "champ-nom");
        assert_eq!(problems[0].at, "nom");
        assert_eq!(message_id(&problems[0].at), "champ-nom-erreur");
    }

    #[test]
    fn a_problem_inside_a_repeatable_group_names_the_item() {
        let problems = name_problems(
            &people(),
            &[
                error("personnes[2].naissance", &s::date_not_after("01/01/2026")),
                error("personnes", &s::too_few_items(1)),
            ],
        );
        assert_eq!(
            problems[0].summary(),
            "Personne n° 3 — Date de naissance : la date doit être le 01/01/2026 ou avant."
        );
        assert_eq!(problems[0].at, "personnes[2].naissance");
        assert_eq!(problems[0].target, "champ-personnes-2-naissance");
        assert_eq!(
            problems[1].summary(),
            "Personne : remplissez au moins 1 bloc(s)."
        );
        assert_eq!(problems[1].at, "personnes");
    }

    #[test]
    fn address_parts_choices_and_files_are_placed_on_the_control_that_shows_them() {
        let problems = name_problems(
            &people(),
            &[
                error("adresse.postcode", s::INVALID_POSTCODE),
                error("adresse", s::REQUIRED),
                error("situation", s::REQUIRED),
                error("pj[1]", &s::file_too_large("scan.pdf", 10)),
            ],
        );
        let placed: Vec<(&str, &str, String)> = problems
            .iter()
            .map(|p| (p.at.as_str(), p.target.as_str(), p.summary()))
            .collect();
        assert_eq!(
            placed,
            vec![
                (
                    "adresse.postcode",
                    "champ-adresse-postcode",
                    "Adresse du logement — Code postal : le code postal doit comporter 5 chiffres."
                        .to_owned()
                ),
                (
                    "adresse",
                    "champ-adresse-number",
                    "Adresse du logement : ce champ est obligatoire.".to_owned()
                ),
                (
                    "situation",
                    "champ-situation-0",
                    "Situation : ce champ est obligatoire.".to_owned()
                ),
                (
                    "pj",
                    "champ-pj",
                    "Justificatif : le fichier « scan.pdf » est trop volumineux : la taille maximale est de 10 octets."
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn the_message_beside_a_field_gathers_only_its_own_problems() {
        let problems = name_problems(
            &people(),
            &[
                error("personnes[0].prenom", s::REQUIRED),
                error("personnes[1].prenom", s::REQUIRED),
                error("pj[0]", "Premier."),
                error("pj[1]", "Second."),
            ],
        );
        assert_eq!(
            messages_at(&problems, "personnes[1].prenom").as_deref(),
            Some(s::REQUIRED)
        );
        assert_eq!(messages_at(&problems, "personnes"), None);
        assert_eq!(
            messages_at(&problems, "pj").as_deref(),
            Some("Premier. Second.")
        );
    }

    #[test]
    fn the_message_reads_on_after_the_name_but_acronyms_keep_their_capitals() {
        assert_eq!(
            s::named_problem("Numéro", s::INVALID_SIRET),
            "Numéro : le numéro SIRET doit comporter 14 chiffres et être valide (vérifiez qu'il n'y a pas de faute de frappe)."
        );
        assert_eq!(
            s::named_problem("Code", "SIRET inconnu."),
            "Code : SIRET inconnu."
        );
        assert_eq!(
            s::named_problem("Date", "Échéance passée."),
            "Date : échéance passée."
        );
        assert_eq!(
            s::named_problem("Choix", &s::unknown_choice("z")),
            "Choix : « z » ne fait pas partie des choix proposés."
        );
    }

    #[test]
    fn an_unknown_path_is_named_by_itself_rather_than_dropped() {
        let problems = name_problems(
            &Definition {
                steps: vec![Step {
                    code: "e".into(),
                    title: "E".into(),
                    condition: None,
                    fields: vec![],
                }],
            },
            &[error("intrus", s::UNKNOWN_FIELD)],
        );
        assert_eq!(
            problems[0].summary(),
            "intrus : ce champ n'existe pas dans le formulaire de cette démarche."
        );
    }
}
