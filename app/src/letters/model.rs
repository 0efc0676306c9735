//! Letter templates and what a letter is made of (shared by server and browser).

use serde::{Deserialize, Serialize};

use super::strings as s;

/// What a template is for; the portal picks the acknowledgement and the attestation by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    AccuseReception,
    DemandeComplement,
    ReponseFavorable,
    ReponseDefavorable,
    Attestation,
    Convocation,
    Autre,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 7] = [
        Self::AccuseReception,
        Self::DemandeComplement,
        Self::ReponseFavorable,
        Self::ReponseDefavorable,
        Self::Attestation,
        Self::Convocation,
        Self::Autre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AccuseReception => "accuse_reception",
            Self::DemandeComplement => "demande_complement",
            Self::ReponseFavorable => "reponse_favorable",
            Self::ReponseDefavorable => "reponse_defavorable",
            Self::Attestation => "attestation",
            Self::Convocation => "convocation",
            Self::Autre => "autre",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        s::kind_label(self)
    }
}

/// What a template prints at the top of its pages. Serialized as its [`code`](Self::code),
/// as stored and as forms post it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LetterheadChoice {
    /// The commune's: logo, name, address, a rule in its colour.
    #[default]
    #[serde(rename = "commune")]
    Commune,
    /// Nothing (pre-printed letterhead paper, a document that needs none): the space is kept.
    #[serde(rename = "aucun")]
    Blank,
    /// The template's own, written in it with `#en-tete[…]` (a partner's, the département's).
    #[serde(rename = "propre")]
    Own,
}

impl LetterheadChoice {
    pub const ALL: [LetterheadChoice; 3] = [Self::Commune, Self::Blank, Self::Own];

    pub fn code(self) -> &'static str {
        match self {
            Self::Commune => "commune",
            Self::Blank => "aucun",
            Self::Own => "propre",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        s::letterhead_label(self)
    }
}

/// A line of the templates list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub id: String,
    pub name: String,
    pub kind: TemplateKind,
    pub version: i32,
    /// `dd/mm/yyyy à HHhMM`
    pub updated_at: String,
    pub updated_by: Option<String>,
}

/// A template as the editor loads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterTemplate {
    pub id: String,
    pub name: String,
    pub kind: TemplateKind,
    pub source: String,
    #[serde(default)]
    pub letterhead: LetterheadChoice,
    /// Saves carry the version they started from: a save over a newer one is refused.
    pub version: i32,
}

/// What the editor sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateDraft {
    pub name: String,
    pub kind: TemplateKind,
    pub source: String,
    #[serde(default)]
    pub letterhead: LetterheadChoice,
}

/// A problem in a template, where the author wrote it (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl TemplateProblem {
    /// `3:12`, the path of [`crate::error::Problem`].
    pub fn path(&self) -> String {
        format!("{}:{}", self.line, self.column)
    }
}

/// What varies between letters of one template on one dossier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetterExtras {
    /// The agent's free text (paragraphs separated by an empty line).
    pub free_text: String,
    pub signatory: Option<Signatory>,
    /// The agent who wrote the letter (`agent.nom`).
    #[serde(default)]
    pub author: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: String,
    /// "Maire", "Adjointe déléguée à l'état civil"…
    pub title: String,
    /// The delegator's name when a delegate signs.
    pub on_behalf_of: Option<String>,
    pub signature: Option<SignatureImage>,
}

/// A graphic signature: PNG, JPEG or (cleaned) SVG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureImage {
    pub bytes: Vec<u8>,
    pub content_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedLetter {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

/// Names and size limits.
pub const NAME_MAX: usize = 120;
pub const SOURCE_MAX: usize = 100_000;

/// A mail merge (publipostage) as an agent asks for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRequest {
    pub template_id: String,
    /// Where the dossiers come from: [`SOURCE_SEARCH`], [`SOURCE_LIST`] or [`SOURCE_REFERENCES`].
    pub source: String,
    /// A saved search's id.
    #[serde(default)]
    pub saved_search: String,
    /// The dossier list's filter, as its query string.
    #[serde(default)]
    pub filter: String,
    /// Dossier references, one per line.
    #[serde(default)]
    pub references: String,
    /// `zip` or `pdf`.
    pub output: String,
    #[serde(default)]
    pub send_emails: bool,
    #[serde(default)]
    pub free_text: String,
}

pub const SOURCE_SEARCH: &str = "recherche";
pub const SOURCE_LIST: &str = "liste";
pub const SOURCE_REFERENCES: &str = "references";

/// Letters in one mail merge, at most.
pub const MERGE_MAX: usize = 20_000;
/// Letters in one merged PDF, at most: that PDF is assembled in memory (the ZIP is streamed).
pub const PDF_MERGE_MAX: usize = 500;
pub const FREE_TEXT_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeStatus {
    Queued,
    Running,
    Done,
    Cancelled,
    Failed,
}

impl MergeStatus {
    pub fn parse(code: &str) -> Self {
        match code {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "cancelled" => Self::Cancelled,
            _ => Self::Failed,
        }
    }

    pub fn label(self) -> &'static str {
        s::merge_status_label(self)
    }

    /// Still to run or running: it can be cancelled, and the page follows its progress.
    pub fn active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// A line of the mail merges list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeView {
    pub id: String,
    pub template: String,
    pub selection: String,
    /// `zip` or `pdf`.
    pub output: String,
    pub send_emails: bool,
    pub status: MergeStatus,
    pub total: i32,
    pub done: i32,
    pub emails: i32,
    /// Dossiers without an address to mail their letter to.
    pub no_email: i32,
    pub error: Option<String>,
    pub result_size: Option<i64>,
    /// `dd/mm/yyyy à HHhMM`
    pub created_at: String,
    pub created_by: Option<String>,
}

/// What the mail merge form offers: (id, name) of the templates and saved searches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeOptions {
    pub templates: Vec<(String, String)>,
    pub searches: Vec<(String, String)>,
}
