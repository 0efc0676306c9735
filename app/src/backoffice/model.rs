//! Shared types of the agents' dossier processing: list filters, rows, the dossier page.

use serde::{Deserialize, Serialize};

use crate::org::model::Access;

/// Where a dossier stands against its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sla {
    /// No deadline, or finished.
    None,
    OnTime,
    /// Past the alert threshold.
    Urgent,
    /// Past the due date.
    Late,
}

impl Sla {
    pub const ALL: [Sla; 4] = [Self::None, Self::OnTime, Self::Urgent, Self::Late];

    pub fn code(self) -> &'static str {
        match self {
            Self::None => "aucun",
            Self::OnTime => "dans_les_temps",
            Self::Urgent => "urgent",
            Self::Late => "en_retard",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        use super::strings as s;
        match self {
            Self::None => s::SLA_NONE,
            Self::OnTime => s::SLA_ON_TIME,
            Self::Urgent => s::SLA_URGENT,
            Self::Late => s::SLA_LATE,
        }
    }
}

/// The dossier list's filters, as the query string carries them (`?statut=recu&service=…`).
/// Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierFilter {
    #[serde(default)]
    pub demarche: String,
    #[serde(default)]
    pub statut: String,
    #[serde(default)]
    pub service: String,
    /// An agent's id, `moi` (me) or `personne` (unassigned).
    #[serde(default)]
    pub agent: String,
    /// `yyyy-mm-dd`, submission dates (inclusive).
    #[serde(default)]
    pub du: String,
    #[serde(default)]
    pub au: String,
    /// An [`Sla`] code.
    #[serde(default)]
    pub delai: String,
    /// A beneficiary kind (`crate::demarches::beneficiary::BeneficiaryKind` code: `soi`,
    /// `personne`, `enfant`, `organisation`).
    #[serde(default)]
    pub beneficiaire: String,
    /// Words of the beneficiary's name (a person's or an organisation's).
    #[serde(default)]
    pub pour: String,
    /// `recent` (default), `ancien`, `echeance`, `reference`.
    #[serde(default)]
    pub tri: String,
    /// 1-based.
    #[serde(default)]
    pub page: String,
}

impl DossierFilter {
    /// The query string of this filter (without `?`), keeping only what filters.
    pub fn to_query(&self) -> String {
        let pairs = [
            ("demarche", &self.demarche),
            ("statut", &self.statut),
            ("service", &self.service),
            ("agent", &self.agent),
            ("du", &self.du),
            ("au", &self.au),
            ("delai", &self.delai),
            ("beneficiaire", &self.beneficiaire),
            ("pour", &self.pour),
            ("tri", &self.tri),
            ("page", &self.page),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn page_number(&self) -> u32 {
        self.page
            .parse::<u32>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }
}

fn urlencode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Lines per page of the dossier list.
pub const PAGE_SIZE: u32 = 50;

/// The list counts and pages through at most this many dossiers: beyond, "plus de 1 000,
/// affinez" is as useful to an agent, and every page then costs a bounded time (counting or
/// skipping 100,000 rows does not).
pub const COUNT_CAP: u64 = 1_000;

/// One line of the dossier list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierLine {
    pub reference: String,
    pub demarche: String,
    pub citizen: String,
    pub status: String,
    pub status_name: String,
    pub status_colour: String,
    pub service: String,
    pub assignee: Option<String>,
    pub submitted_on: String,
    pub due_on: Option<String>,
    pub sla: Sla,
    /// The context it was submitted through (its name then), if any.
    #[serde(default)]
    pub context: Option<String>,
    /// On whose behalf, when not the account holder: "Léa MARTIN (enfant)".
    #[serde(default)]
    pub beneficiary: Option<String>,
}

/// A page of the dossier list, with what the filter form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierList {
    pub lines: Vec<DossierLine>,
    /// Counted up to [`COUNT_CAP`]; `capped`: there are more.
    pub total: u64,
    pub capped: bool,
    pub page: u32,
    pub pages: u32,
    pub options: FilterOptions,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOptions {
    /// `(id, title)`.
    pub demarches: Vec<(String, String)>,
    /// `(code, name)` over the visible démarches' workflows.
    pub statuses: Vec<(String, String)>,
    /// `(id, path)`: the services the agent can see.
    pub services: Vec<(String, String)>,
    pub agents: Vec<(String, String)>,
    pub saved: Vec<SavedSearch>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub id: String,
    pub name: String,
    /// The filter's query string.
    pub query: String,
    /// Shared with this service (name), or personal.
    pub shared_with: Option<String>,
}

/// The dashboard's counters, for the agent's rights.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub mine: u64,
    pub my_services: u64,
    pub new: u64,
    pub waiting_citizen: u64,
    pub urgent: u64,
    pub late: u64,
}

/// A transition the agent may take from the dossier's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionOption {
    pub id: String,
    pub label: String,
    pub to_name: String,
    pub requests_complement: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub author: String,
    pub on_behalf_of: Option<String>,
    /// `service`, `personal` or `citizen`.
    pub visibility: String,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub from_citizen: bool,
    pub author: String,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceView {
    pub id: String,
    pub name: String,
    pub field: String,
    pub size: u64,
    /// `pending`, `valid` or `refused`.
    pub review: String,
    pub refusal_reason: Option<String>,
    /// The refused piece the citizen replaced with this one: (id, name).
    #[serde(default)]
    pub replaces: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub on_behalf_of: Option<String>,
    pub what: String,
}

/// An editable answer: its path, label and current text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableAnswer {
    pub code: String,
    pub label: String,
    pub value: String,
}

/// Everything the agent's dossier page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentDossier {
    pub reference: String,
    pub demarche: String,
    pub citizen: String,
    pub contact_email: Option<String>,
    /// The person records behind the dossier, for the usagers' 360° page: (person id, whether
    /// it is the owner's — else the beneficiary's).
    #[serde(default)]
    pub people: Vec<(String, bool)>,
    /// The identity a provider certified for the dossier's owner (their account's, now).
    #[serde(default)]
    pub owner_identity: Option<crate::identity::model::CertifiedIdentity>,
    /// The channel's code (`portal`, `guichet`, `telephone`: `dossiers::model::Channel`).
    pub channel: String,
    /// How agents read it: "en ligne", "au guichet", "par téléphone".
    #[serde(default)]
    pub channel_label: String,
    /// The name of the context (`crate::contexts`) it was submitted through, as it was then.
    #[serde(default)]
    pub context: Option<String>,
    /// "Pour le compte de": the beneficiary, when not the account holder.
    #[serde(default)]
    pub beneficiary: Option<String>,
    pub status: String,
    pub status_name: String,
    pub status_colour: String,
    pub service_id: String,
    pub service: String,
    pub assignee: Option<String>,
    pub submitted_on: String,
    pub due_on: Option<String>,
    pub silence: Option<String>,
    pub sla: Sla,
    pub complement_open: bool,
    pub access: Access,
    /// Someone else holds the lock until this time: the page is read-only.
    pub locked_by_other: Option<String>,
    pub i_hold_lock: bool,
    pub revision: i32,
    pub answers: Vec<crate::dossiers::model::AnswerLine>,
    pub editable: Vec<EditableAnswer>,
    pub pieces: Vec<PieceView>,
    /// The wallet's piece types (id, label) a valid piece may be kept as in the citizen's
    /// wallet; empty when the dossier has no citizen account behind it.
    #[serde(default)]
    pub wallet_types: Vec<(String, String)>,
    pub transitions: Vec<TransitionOption>,
    pub notes: Vec<NoteView>,
    pub messages: Vec<MessageView>,
    pub history: Vec<HistoryLine>,
    pub links: Vec<(String, String)>,
    /// The mails about this dossier and where each stands (queued, sent, failed).
    #[serde(default)]
    pub mails: Vec<crate::mail::model::MailLine>,
    pub services: Vec<(String, String)>,
    pub agents: Vec<(String, String)>,
    /// Idempotency key for the next transition, made when the page was rendered.
    pub request_id: String,
}
