//! Shared types of drafts and dossiers, as the portal shows them.

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::demarches::model::{
    AnswerError, AnswerValue, Answers, CleanAnswers, Definition, Field, FieldKind,
};

/// Whether a démarche can be filed today, and if not why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    Open,
    /// Opens on this date (`dd/mm/yyyy`).
    NotYetOpen(String),
    /// Closed since this date, or closed by the commune (`None`).
    Closed(Option<String>),
}

/// The démarche's start page: what it is, whether it is open, the citizen's draft if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingStart {
    pub demarche_id: String,
    pub title: String,
    pub description: String,
    pub availability: Availability,
    /// Identified-only démarche and nobody signed in.
    pub needs_login: bool,
    pub draft: Option<DraftSummary>,
    /// The context the page is shown in (`?contexte=` or the host's).
    #[serde(default)]
    pub space: crate::contexts::model::Space,
    /// That context does not offer this démarche: the page says so and offers no start.
    #[serde(default)]
    pub outside_space: bool,
    /// "Pour qui faites-vous cette démarche ?": empty when the démarche is for the citizen
    /// themself only.
    #[serde(default)]
    pub beneficiaries: Vec<crate::demarches::beneficiary::BeneficiaryOption>,
    /// Why the choice the citizen posted (`?pour=`) was refused.
    #[serde(default)]
    pub beneficiary_refusal: Option<String>,
    /// The choice to show selected (`?pour=`).
    #[serde(default)]
    pub chosen: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub key: String,
    pub demarche_id: String,
    pub title: String,
    /// `dd/mm/yyyy à HHhMM`
    pub updated: String,
    pub step: usize,
    pub steps: usize,
}

/// Everything the step page needs to render a draft.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftPage {
    pub key: String,
    pub demarche_id: String,
    pub title: String,
    pub definition: Definition,
    pub answers: Answers,
    pub problems: Vec<AnswerError>,
    /// The step the citizen was last on.
    pub step: usize,
    /// Anonymous draft: the link is the only way back to it.
    pub anonymous: bool,
    /// The answers its owner's certified identity fixes: read-only on the page.
    #[serde(default)]
    pub locks: crate::demarches::model::Locks,
    /// On whose behalf it is filed ("Léa MARTIN"), when not the account holder themself.
    #[serde(default)]
    pub beneficiary: Option<String>,
    /// What its answers would change in the citizen's own record (the summary offers them).
    #[serde(default)]
    pub record_updates: Vec<RecordUpdate>,
    /// The owner's wallet pieces that may be attached instead of uploading (not expired).
    #[serde(default)]
    pub wallet: Vec<crate::wallet::model::WalletChoice>,
}

/// A change a draft's answers would bring to the citizen's record, offered on the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordUpdate {
    /// `address`, `phone`, `email`: the checkbox's value.
    pub code: String,
    pub label: String,
    pub value: String,
}

/// The draft as the step page embeds it for the browser bundle (`guichet-enhance`), which
/// reads the form with the same code as the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepData {
    pub key: String,
    pub step: usize,
    pub definition: Definition,
    pub answers: Answers,
}

impl StepData {
    /// JSON safe inside a `<script>` element: `<` only occurs in strings, where `\u003c` is
    /// the same character, so no `</script>` can close the element early.
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_default()
            .replace('<', "\\u003c")
    }
}

/// One answer as a line of the summary page or the dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLine {
    pub step: String,
    pub label: String,
    pub value: String,
    /// Attachments: (id, name) to link to.
    pub files: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummary {
    pub reference: String,
    pub title: String,
    /// The workflow's status code, and what the citizen reads.
    pub status: String,
    pub status_label: String,
    /// `dd/mm/yyyy`
    pub submitted_on: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierEvent {
    /// `dd/mm/yyyy à HHhMM`
    pub at: String,
    pub label: String,
}

/// A dossier as its citizen sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierView {
    pub reference: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub submitted_on: String,
    pub answers: Vec<AnswerLine>,
    pub events: Vec<DossierEvent>,
    /// What the commune asks for, while the dossier waits for a complement.
    pub complement: Option<String>,
    /// Where the complement is filled (a POST that opens the draft).
    pub complement_url: String,
    pub messages: Vec<CitizenMessage>,
    /// Where the citizen posts a message.
    pub messages_url: String,
    /// Notes the agents made visible to the citizen: (date, text).
    pub notes: Vec<(String, String)>,
    /// Refused pieces, each with its reason and the form that replaces it.
    pub refused_pieces: Vec<RefusedPiece>,
    /// Where its live status stream is (`/api/...`).
    pub events_url: String,
    /// Documents the citizen can download (label, address): the acknowledgement, and the
    /// attestation once the dossier's status is final.
    pub documents: Vec<(String, String)>,
    /// Signed letters the commune made available on the portal.
    #[serde(default)]
    pub letters: Vec<crate::responses::model::CitizenLetter>,
}

/// A piece the agents refused, as its citizen sees it: the reason, and where to send the file
/// that replaces it (with the same checks as the original upload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedPiece {
    pub id: String,
    pub name: String,
    /// The question it answers.
    pub field: String,
    pub reason: String,
    /// Where the replacement is posted: a multipart form with the file in `fichier`.
    pub replace_url: String,
    /// The field's accepted types (`image/*`, `application/pdf`); empty: any type.
    pub accepted_types: Vec<String>,
    pub max_size_bytes: u64,
}

impl RefusedPiece {
    /// The file input's `accept` attribute.
    pub fn accept(&self) -> String {
        self.accepted_types.join(",")
    }

    /// What the file must be, under its input.
    pub fn hint(&self) -> String {
        s::replacement_hint(&self.accepted_types.join(", "), self.max_size_bytes)
    }
}

/// Why a replacement file was refused before being stored; its code travels in the redirect
/// back to the dossier page (`?piece=<id>&erreur=<code>`), which shows the message beside
/// the piece's file input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
    /// The form came without a file.
    Missing,
    Empty,
    TooLarge,
    WrongType,
}

impl UploadRefusal {
    pub const ALL: [Self; 4] = [Self::Missing, Self::Empty, Self::TooLarge, Self::WrongType];

    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "fichier",
            Self::Empty => "vide",
            Self::TooLarge => "taille",
            Self::WrongType => "type",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The French message beside the piece's file input.
    pub fn message(self, piece: &RefusedPiece) -> String {
        match self {
            Self::Missing => s::REPLACEMENT_MISSING.to_owned(),
            Self::Empty => s::EMPTY_FILE.to_owned(),
            Self::TooLarge => s::replacement_too_large(piece.max_size_bytes),
            Self::WrongType => s::replacement_wrong_type(&piece.accepted_types.join(", ")),
        }
    }
}

/// The field a value's path names (`plan`, `enfants[1].justificatif`): groups are walked
/// into, item indexes ignored.
pub fn field_at<'a>(definition: &'a Definition, path: &str) -> Option<&'a Field> {
    let mut fields: Vec<&'a Field> = definition.steps.iter().flat_map(|s| &s.fields).collect();
    let mut found = None;
    for segment in path.split('.') {
        let code = segment.split('[').next().unwrap_or_default();
        let field = fields.iter().copied().find(|f| f.code == code)?;
        fields = match &field.kind {
            FieldKind::Group { fields, .. } => fields.iter().collect(),
            _ => Vec::new(),
        };
        found = Some(field);
    }
    found
}

/// How a dossier reached the commune. The code is what `dossiers.channel` stores (and the
/// counter registration form posts); the label is what agents read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Filed by the citizen on the portal.
    Portal,
    /// Registered by an agent at the counter.
    Counter,
    /// Registered by an agent on the phone.
    Phone,
}

impl Channel {
    pub const ALL: [Self; 3] = [Self::Portal, Self::Counter, Self::Phone];

    pub fn code(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Counter => "guichet",
            Self::Phone => "telephone",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// "Déposé le 07/12/2026 (en ligne)".
    pub fn label(self) -> &'static str {
        match self {
            Self::Portal => s::CHANNEL_PORTAL,
            Self::Counter => s::CHANNEL_COUNTER,
            Self::Phone => s::CHANNEL_PHONE,
        }
    }

    /// The label of a stored code; an unknown code (none today) is shown as it is.
    pub fn label_of(code: &str) -> String {
        Self::parse(code)
            .map(|c| c.label().to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}

/// The status pushed on a dossier's event stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveStatus {
    pub status: String,
    pub label: String,
}

/// A message of the thread between the citizen and the agents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenMessage {
    pub from_citizen: bool,
    pub body: String,
    /// `dd/mm/yyyy à HHhMM`
    pub at: String,
}

/// The cleaned answers as readable lines, in form order.
pub fn answer_lines(definition: &Definition, answers: &CleanAnswers) -> Vec<AnswerLine> {
    let mut lines = Vec::new();
    for step in &definition.steps {
        collect_lines(&step.title, &step.fields, answers, "", &mut lines);
    }
    lines
}

/// Each top-level answer as one line of text, by field code (what letters merge): groups as
/// their items' lines joined, files by their names.
pub fn answer_values(
    definition: &Definition,
    answers: &CleanAnswers,
) -> std::collections::BTreeMap<String, String> {
    let mut values = std::collections::BTreeMap::new();
    for step in &definition.steps {
        for field in &step.fields {
            let Some(value) = answers.0.get(&field.code) else {
                continue;
            };
            let text = match value {
                AnswerValue::Group(_) => {
                    let mut lines = Vec::new();
                    collect_lines(
                        &step.title,
                        std::slice::from_ref(field),
                        answers,
                        "",
                        &mut lines,
                    );
                    lines
                        .iter()
                        .map(|l| format!("{} : {}", l.label, l.value))
                        .collect::<Vec<_>>()
                        .join("\n")
                }
                AnswerValue::Files(files) => files
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                other => display_value(field, other),
            };
            values.insert(field.code.clone(), text);
        }
    }
    values
}

fn collect_lines(
    step: &str,
    fields: &[Field],
    answers: &CleanAnswers,
    prefix: &str,
    lines: &mut Vec<AnswerLine>,
) {
    for field in fields {
        let Some(value) = answers.0.get(&field.code) else {
            continue;
        };
        let label = format!("{prefix}{}", field.label);
        match value {
            AnswerValue::Group(items) => {
                if let FieldKind::Group { fields, .. } = &field.kind {
                    for (index, item) in items.iter().enumerate() {
                        let prefix = format!("{label} n° {} – ", index + 1);
                        collect_lines(step, fields, item, &prefix, lines);
                    }
                }
            }
            AnswerValue::Files(files) => lines.push(AnswerLine {
                step: step.to_owned(),
                label,
                value: files
                    .iter()
                    .map(|f| f.name.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                files: files
                    .iter()
                    .map(|f| (f.id.clone(), f.name.clone()))
                    .collect(),
            }),
            other => lines.push(AnswerLine {
                step: step.to_owned(),
                label,
                value: display_value(field, other),
                files: Vec::new(),
            }),
        }
    }
}

fn display_value(field: &Field, value: &AnswerValue) -> String {
    let option_label = |v: &str| match &field.kind {
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            options
                .iter()
                .find(|o| o.value == v)
                .map_or_else(|| v.to_owned(), |o| o.label.clone())
        }
        _ => v.to_owned(),
    };
    match value {
        AnswerValue::Text(text) => option_label(text),
        AnswerValue::Integer(n) => n.to_string(),
        AnswerValue::Decimal(d) => d.to_french(),
        AnswerValue::Date(d) => d.to_french(),
        AnswerValue::YesNo(true) => s::YES.to_owned(),
        AnswerValue::YesNo(false) => s::NO.to_owned(),
        AnswerValue::Choices(values) => values
            .iter()
            .map(|v| option_label(v))
            .collect::<Vec<_>>()
            .join(", "),
        AnswerValue::Address(a) => {
            let street = if a.number.is_empty() {
                a.street.clone()
            } else {
                format!("{} {}", a.number, a.street)
            };
            format!("{street}, {} {}", a.postcode, a.commune)
        }
        AnswerValue::Files(_) | AnswerValue::Group(_) => String::new(),
    }
}

/// The first step holding one of `problems` (by top-level field code), to send the citizen
/// back to.
pub fn first_step_with_problem(definition: &Definition, problems: &[AnswerError]) -> usize {
    definition
        .steps
        .iter()
        .position(|step| {
            step.fields.iter().any(|field| {
                problems
                    .iter()
                    .any(|p| crate::demarches::answers::path_within(&p.path, &field.code))
            })
        })
        .unwrap_or(0)
}

/// The problems that concern the fields of step `step`.
pub fn step_problems(
    definition: &Definition,
    step: usize,
    problems: &[AnswerError],
) -> Vec<AnswerError> {
    let Some(step) = definition.steps.get(step) else {
        return Vec::new();
    };
    problems
        .iter()
        .filter(|p| {
            step.fields
                .iter()
                .any(|f| crate::demarches::answers::path_within(&p.path, &f.code))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::{Address, ChoiceDisplay, ChoiceOption, IsoDate, Step};

    fn field(code: &str, label: &str, kind: FieldKind) -> Field {
        Field {
            code: code.into(),
            label: label.into(),
            help: String::new(),
            required: false,
            condition: None,
            prefill: None,
            kind,
        }
    }

    #[test]
    fn answers_read_as_french_lines_in_form_order() {
        let definition = Definition {
            steps: vec![Step {
                code: "e".into(),
                title: "Étape".into(),
                condition: None,
                fields: vec![
                    field(
                        "mode",
                        "Mode",
                        FieldKind::SingleChoice {
                            options: vec![ChoiceOption {
                                value: "cb".into(),
                                label: "Carte bancaire".into(),
                            }],
                            display: ChoiceDisplay::Radio,
                        },
                    ),
                    field(
                        "naissance",
                        "Né le",
                        FieldKind::Date {
                            min: None,
                            max: None,
                        },
                    ),
                    field("adresse", "Adresse", FieldKind::Address {}),
                    field("majeur", "Majeur", FieldKind::YesNo {}),
                ],
            }],
        };
        let answers = CleanAnswers(
            [
                ("majeur".to_owned(), AnswerValue::YesNo(true)),
                ("mode".to_owned(), AnswerValue::Text("cb".into())),
                (
                    "naissance".to_owned(),
                    AnswerValue::Date(IsoDate::new(2001, 7, 4).unwrap()),
                ),
                (
                    "adresse".to_owned(),
                    AnswerValue::Address(Address {
                        number: "3".into(),
                        street: "rue Neuve".into(),
                        postcode: "44400".into(),
                        commune: "Rezé".into(),
                    }),
                ),
            ]
            .into(),
        );
        let lines: Vec<(String, String)> = answer_lines(&definition, &answers)
            .into_iter()
            .map(|l| (l.label, l.value))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("Mode".into(), "Carte bancaire".into()),
                ("Né le".into(), "04/07/2001".into()),
                ("Adresse".into(), "3 rue Neuve, 44400 Rezé".into()),
                ("Majeur".into(), "Oui".into()),
            ]
        );
    }

    #[test]
    fn problems_point_at_their_step() {
        let definition = Definition {
            steps: vec![
                Step {
                    code: "a".into(),
                    title: "A".into(),
                    condition: None,
                    fields: vec![field("nom", "Nom", FieldKind::Email {})],
                },
                Step {
                    code: "b".into(),
                    title: "B".into(),
                    condition: None,
                    fields: vec![field("adresse", "Adresse", FieldKind::Address {})],
                },
            ],
        };
        let problems = vec![AnswerError {
            path: "adresse.postcode".into(),
            message: "x".into(),
        }];
        assert_eq!(first_step_with_problem(&definition, &problems), 1);
        assert_eq!(step_problems(&definition, 1, &problems).len(), 1);
        assert!(step_problems(&definition, 0, &problems).is_empty());
    }

    #[test]
    fn a_pieces_path_finds_its_file_field_inside_groups_too() {
        let files = || FieldKind::Files {
            accepted_types: vec!["application/pdf".into()],
            max_size_bytes: 1000,
            max_files: 1,
        };
        let definition = Definition {
            steps: vec![Step {
                code: "a".into(),
                title: "A".into(),
                condition: None,
                fields: vec![
                    field("plan", "Plan", files()),
                    field(
                        "enfants",
                        "Enfants",
                        FieldKind::Group {
                            fields: vec![field("justificatif", "Justificatif", files())],
                            min_items: 0,
                            max_items: 5,
                        },
                    ),
                ],
            }],
        };
        let label = |path: &str| field_at(&definition, path).map(|f| f.label.clone());
        assert_eq!(label("plan").as_deref(), Some("Plan"));
        assert_eq!(
            label("enfants[2].justificatif").as_deref(),
            Some("Justificatif")
        );
        assert_eq!(label("enfants[2].inconnu"), None);
        assert_eq!(label("plan.x"), None);
    }

    #[test]
    fn channels_are_stored_as_codes_and_shown_in_french() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.code()), Some(channel));
        }
        assert_eq!(Channel::label_of("portal"), "en ligne");
        assert_eq!(Channel::label_of("guichet"), "au guichet");
        assert_eq!(Channel::label_of("telephone"), "par téléphone");
        assert_eq!(Channel::parse("courrier"), None);
    }

    #[test]
    fn a_refused_replacement_says_what_the_piece_must_be() {
        let piece = RefusedPiece {
            id: "p".into(),
            name: "plan.pdf".into(),
            field: "Plan".into(),
            reason: "Illisible".into(),
            replace_url: "/mes-demandes/2026-000001/pieces/p".into(),
            accepted_types: vec!["image/*".into(), "application/pdf".into()],
            max_size_bytes: 5 * 1024 * 1024,
        };
        for refusal in UploadRefusal::ALL {
            assert_eq!(UploadRefusal::parse(refusal.code()), Some(refusal));
        }
        assert_eq!(piece.accept(), "image/*,application/pdf");
        assert!(UploadRefusal::TooLarge.message(&piece).contains("5 Mo"));
        assert!(
            UploadRefusal::WrongType
                .message(&piece)
                .contains("image/*, application/pdf")
        );
    }
}
