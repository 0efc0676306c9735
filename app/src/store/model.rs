//! The store's exchange payload and the types its pages read (compiled for both sides).
//!
//! A payload is what travels from the publishing commune to every importer, so it is built by
//! [`strip`]: the démarche document and its instruction without anything that names the
//! publisher's own organisation (service ids in routing, copies and "send to service"
//! actions, the default service, publication dates), plus the attachments the form asks for
//! and the letter templates (none yet: the list is part of the format so that it is versioned
//! when letters arrive).

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::demarches::document::DemarcheDocument;
use crate::demarches::model::{Definition, DemarcheState, Field, FieldKind, PublicationWindow};
use crate::workflow::model::{Action, Instruction, Routing};

pub const PAYLOAD_FORMAT: &str = "guichet.store";
pub const PAYLOAD_VERSION: u32 = 1;

/// Domains an entry is filed under: (code stored, label shown).
pub const DOMAINS: &[(&str, &str)] = &[
    ("enfance", "Enfance"),
    ("etat_civil", "État civil"),
    ("urbanisme", "Urbanisme"),
    ("voirie", "Voirie"),
    ("social", "Social"),
    ("sports_loisirs", "Sports et loisirs"),
    ("correspondance", "Correspondance"),
    ("entreprises", "Relation aux entreprises"),
    ("autre", "Autre"),
];

/// Kinds of publishing organisation: (code stored, label shown).
pub const ORGANISM_TYPES: &[(&str, &str)] = &[
    ("mairie", "Mairie"),
    ("intercommunalite", "Intercommunalité"),
    ("departement", "Département"),
    ("region", "Région"),
    ("syndicat", "Syndicat"),
];

pub fn domain_label(code: &str) -> Option<&'static str> {
    DOMAINS.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

pub fn organism_label(code: &str) -> Option<&'static str> {
    ORGANISM_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
}

/// One version of an entry, as stored and as imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorePayload {
    pub format: String,
    pub format_version: u32,
    pub document: DemarcheDocument,
    pub instruction: Instruction,
    /// Derived from the form's file fields: what citizens will be asked to attach.
    pub attachments: Vec<AttachmentSpec>,
    pub letters: Vec<LetterTemplate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentSpec {
    /// The file field's code.
    pub code: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    pub required: bool,
    #[serde(default)]
    pub accepted_types: Vec<String>,
    pub max_files: u32,
    pub max_size_bytes: u64,
}

/// A letter model (issue 6). Reserved: always empty today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterTemplate {
    pub code: String,
    pub title: String,
    pub body: String,
}

/// Every file field of the form, groups included, in form order.
pub fn attachments(definition: &Definition) -> Vec<AttachmentSpec> {
    fn walk(fields: &[Field], out: &mut Vec<AttachmentSpec>) {
        for field in fields {
            match &field.kind {
                FieldKind::Files {
                    accepted_types,
                    max_size_bytes,
                    max_files,
                } => out.push(AttachmentSpec {
                    code: field.code.clone(),
                    label: field.label.clone(),
                    help: field.help.clone(),
                    required: field.required,
                    accepted_types: accepted_types.clone(),
                    max_files: *max_files,
                    max_size_bytes: *max_size_bytes,
                }),
                FieldKind::Group { fields, .. } => walk(fields, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for step in &definition.steps {
        walk(&step.fields, &mut out);
    }
    out
}

/// The payload to publish: the publisher's document and instruction without what belongs to
/// the publisher alone. The démarche becomes a draft with no publication window; routing
/// (default service, rules, copies) is emptied and "send to service" actions are dropped —
/// the importer chooses where dossiers go.
pub fn strip(document: &DemarcheDocument, instruction: &Instruction) -> StorePayload {
    let mut document = document.clone();
    document.demarche.state = DemarcheState::Draft;
    document.demarche.default_service = None;
    document.demarche.publication = PublicationWindow::default();
    let mut instruction = instruction.clone();
    instruction.routing = Routing::default();
    for transition in &mut instruction.workflow.transitions {
        transition
            .actions
            .retain(|action| !matches!(action, Action::AssignService { .. }));
    }
    StorePayload {
        format: PAYLOAD_FORMAT.to_owned(),
        format_version: PAYLOAD_VERSION,
        attachments: attachments(&document.definition),
        document,
        instruction,
        letters: Vec::new(),
    }
}

/// The instruction an importer gets: every dossier goes to `service_id`.
pub fn localize(instruction: &Instruction, service_id: &str) -> Instruction {
    let mut instruction = instruction.clone();
    instruction.routing = Routing {
        default_service: Some(service_id.to_owned()),
        rules: Vec::new(),
        copies: Vec::new(),
    };
    instruction
}

/// How the catalogue is ordered (featured entries always come first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreSort {
    /// By relevance to the words typed; without words, like `Recent`.
    #[default]
    Pertinence,
    Recent,
    Populaire,
}

impl StoreSort {
    pub fn parse(raw: &str) -> Self {
        match raw.trim() {
            "recent" => Self::Recent,
            "populaire" => Self::Populaire,
            _ => Self::Pertinence,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Pertinence => "pertinence",
            Self::Recent => "recent",
            Self::Populaire => "populaire",
        }
    }
}

/// A search of the catalogue, as the page's form sends it (empty strings: no filter).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub domaine: String,
    #[serde(default)]
    pub organisme: String,
    #[serde(default)]
    pub tri: String,
    #[serde(default)]
    pub page: String,
}

/// An entry as the catalogue lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSummary {
    pub id: String,
    pub title: String,
    pub description: String,
    pub domain: String,
    pub domain_label: String,
    pub organism_type: String,
    pub organism_label: String,
    pub publisher_name: String,
    pub featured: bool,
    pub import_count: u32,
    pub latest_version: u32,
    /// `JJ/MM/AAAA`.
    pub updated_on: String,
    /// The latest version this commune imported, if any.
    pub imported_version: Option<u32>,
}

impl StoreSummary {
    pub fn update_available(&self) -> bool {
        self.imported_version
            .is_some_and(|imported| imported < self.latest_version)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreResults {
    /// Entries this commune imported that have a newer version, whatever the search.
    pub updates: Vec<StoreSummary>,
    pub entries: Vec<StoreSummary>,
    pub total: u32,
    pub page: u32,
    pub pages: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionNote {
    pub version: u32,
    pub notes: String,
    pub published_on: String,
}

/// One of this commune's démarches imported from the entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCopy {
    pub demarche_id: String,
    pub title: String,
    pub version: u32,
    /// What the latest version changes compared with the imported one (empty: up to date).
    pub changes: Vec<String>,
    /// What the commune changed in its copy since the import: not carried into a re-import.
    pub local_changes: Vec<String>,
}

/// An entry's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreEntryView {
    pub summary: StoreSummary,
    pub payload: StorePayload,
    /// Names of the workflow's statuses, in order.
    pub statuses: Vec<String>,
    pub versions: Vec<VersionNote>,
    pub imported: Vec<ImportedCopy>,
    /// The commune's services an import may route to: (id, path).
    pub services: Vec<(String, String)>,
}

/// A démarche the commune may publish, for the publication form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publishable {
    pub id: String,
    pub title: String,
    /// Already in the catalogue (publishing again adds a version).
    pub entry_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishForm {
    pub demarches: Vec<Publishable>,
    /// The default publisher name: the commune's.
    pub publisher_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub entry_id: String,
    pub version: u32,
}

/// An entry as the platform's operators list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorEntry {
    pub id: String,
    pub title: String,
    pub publisher_name: String,
    pub domain_label: String,
    /// `published`, `hidden` or `withdrawn`.
    pub status: String,
    pub featured: bool,
    pub import_count: u32,
    pub latest_version: u32,
}

impl OperatorEntry {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "hidden" => s::STATUS_HIDDEN,
            "withdrawn" => s::STATUS_WITHDRAWN,
            _ => s::STATUS_PUBLISHED,
        }
    }
}

/// What an operator does to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorAction {
    Feature,
    Unfeature,
    Hide,
    Show,
    Withdraw,
}

impl OperatorAction {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.trim() {
            "feature" => Self::Feature,
            "unfeature" => Self::Unfeature,
            "hide" => Self::Hide,
            "show" => Self::Show,
            "withdraw" => Self::Withdraw,
            _ => return None,
        })
    }
}

/// The query flag the designer reads to say its démarche was just imported.
pub const IMPORTED_FLAG: &str = "importe";

/// Where an import lands: the new draft's designer, with the import's notice.
pub fn designer_after_import(demarche_id: &str) -> String {
    format!("/back-office/demarches/{demarche_id}?{IMPORTED_FLAG}=1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::testing::{demarche, full_definition};
    use crate::workflow::model::{RoutingRule, Transition};

    fn instruction_with_services() -> Instruction {
        let mut instruction = Instruction {
            routing: Routing {
                default_service: Some("aaaaaaaa-0000-4000-8000-000000000001".into()),
                rules: vec![RoutingRule {
                    field: "code_postal".into(),
                    values: vec!["44800".into()],
                    service_id: "aaaaaaaa-0000-4000-8000-000000000002".into(),
                }],
                copies: vec!["aaaaaaaa-0000-4000-8000-000000000003".into()],
            },
            ..Instruction::default()
        };
        instruction.workflow.transitions.push(Transition {
            id: "t99".into(),
            from: "en_attente".into(),
            to: "accepte".into(),
            label: "Transmettre".into(),
            actions: vec![
                Action::AssignService {
                    service_id: "aaaaaaaa-0000-4000-8000-000000000004".into(),
                },
                Action::SetDeadline { days: 5 },
            ],
        });
        instruction
    }

    #[test]
    fn stripping_removes_every_service_of_the_publisher_and_keeps_the_workflow() {
        let mut document = DemarcheDocument::new(demarche(), full_definition());
        document.demarche.state = DemarcheState::Published;
        let payload = strip(&document, &instruction_with_services());
        let json = serde_json::to_string(&payload).unwrap();
        assert!(!json.contains("aaaaaaaa-0000"), "{json}");
        assert!(
            !json.contains("enfance"),
            "the document's default service stays home"
        );
        assert_eq!(payload.document.demarche.state, DemarcheState::Draft);
        assert_eq!(payload.instruction.routing, Routing::default());
        let t99 = payload
            .instruction
            .workflow
            .transitions
            .iter()
            .find(|t| t.id == "t99")
            .unwrap();
        assert_eq!(t99.actions, vec![Action::SetDeadline { days: 5 }]);
        assert_eq!(
            payload.instruction.workflow.statuses,
            Instruction::default().workflow.statuses
        );
        assert!(payload.letters.is_empty());
        assert_eq!(payload.format, PAYLOAD_FORMAT);
    }

    #[test]
    fn attachments_list_every_file_field_groups_included() {
        let definition = full_definition();
        let list = attachments(&definition);
        assert!(!list.is_empty());
        let codes: Vec<&str> = list.iter().map(|a| a.code.as_str()).collect();
        let mut expected = Vec::new();
        fn walk<'a>(fields: &'a [Field], out: &mut Vec<&'a str>) {
            for f in fields {
                match &f.kind {
                    FieldKind::Files { .. } => out.push(&f.code),
                    FieldKind::Group { fields, .. } => walk(fields, out),
                    _ => {}
                }
            }
        }
        for step in &definition.steps {
            walk(&step.fields, &mut expected);
        }
        assert_eq!(codes, expected);
    }

    #[test]
    fn localizing_routes_everything_to_the_chosen_service() {
        let payload = strip(
            &DemarcheDocument::new(demarche(), full_definition()),
            &instruction_with_services(),
        );
        let local = localize(&payload.instruction, "bbbbbbbb-0000-4000-8000-000000000001");
        assert_eq!(
            local.routing.default_service.as_deref(),
            Some("bbbbbbbb-0000-4000-8000-000000000001")
        );
        assert!(local.routing.rules.is_empty() && local.routing.copies.is_empty());
        assert!(
            crate::workflow::model::validate(
                &local,
                &["bbbbbbbb-0000-4000-8000-000000000001".to_owned()]
            )
            .is_empty()
        );
    }

    #[test]
    fn domains_and_organisms_have_french_labels() {
        assert_eq!(domain_label("etat_civil"), Some("État civil"));
        assert_eq!(domain_label("inconnu"), None);
        assert_eq!(organism_label("intercommunalite"), Some("Intercommunalité"));
        assert_eq!(StoreSort::parse("populaire"), StoreSort::Populaire);
        assert_eq!(StoreSort::parse("n'importe"), StoreSort::Pertinence);
    }
}
