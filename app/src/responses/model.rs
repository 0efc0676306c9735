//! Responses to dossiers: the shared views, and the visa/signature circuit as a pure state
//! machine ([`act`]) that the service applies to the database rows.

use serde::{Deserialize, Serialize};

use super::strings as s;

/// Where a response is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Being written by its author (also after the circuit sent it back to them).
    Draft,
    /// Going through its steps, one at a time.
    InCircuit,
    /// Signed: the PDF and its hash are frozen.
    Signed,
    /// Signed and sent by the chosen channels.
    Dispatched,
}

impl ResponseStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InCircuit => "in_circuit",
            Self::Signed => "signed",
            Self::Dispatched => "dispatched",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "draft" => Some(Self::Draft),
            "in_circuit" => Some(Self::InCircuit),
            "signed" => Some(Self::Signed),
            "dispatched" => Some(Self::Dispatched),
            _ => None,
        }
    }

    pub fn is_frozen(self) -> bool {
        matches!(self, Self::Signed | Self::Dispatched)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Visa,
    Signature,
}

impl StepKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Visa => "visa",
            Self::Signature => "signature",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "visa" => Some(Self::Visa),
            "signature" => Some(Self::Signature),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Visa => s::KIND_VISA,
            Self::Signature => s::KIND_SIGNATURE,
        }
    }
}

/// The longest circuit accepted.
pub const MAX_STEPS: usize = 10;

/// Why a circuit or a move on it is refused; each has its precise French message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CircuitError {
    Empty,
    TooLong,
    LastNotSignature,
    SignatureNotLast,
    NotInCircuit,
    Frozen,
    StepNotCurrent,
    ApproveAtSignature,
    SignAtVisa,
    SendBackNotEarlier,
    CommentRequired,
}

impl CircuitError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => s::CIRCUIT_EMPTY,
            Self::TooLong => s::CIRCUIT_TOO_LONG,
            Self::LastNotSignature => s::CIRCUIT_LAST_NOT_SIGNATURE,
            Self::SignatureNotLast => s::CIRCUIT_SIGNATURE_NOT_LAST,
            Self::NotInCircuit => s::NOT_IN_CIRCUIT,
            Self::Frozen => s::FROZEN,
            Self::StepNotCurrent => s::STEP_NOT_CURRENT,
            Self::ApproveAtSignature => s::APPROVE_AT_SIGNATURE,
            Self::SignAtVisa => s::SIGN_AT_VISA,
            Self::SendBackNotEarlier => s::SEND_BACK_NOT_EARLIER,
            Self::CommentRequired => s::COMMENT_REQUIRED,
        }
    }

    /// Refusals of the circuit's shape concern the form; the others, the response's state.
    pub fn is_validation(self) -> bool {
        matches!(
            self,
            Self::Empty
                | Self::TooLong
                | Self::LastNotSignature
                | Self::SignatureNotLast
                | Self::CommentRequired
        )
    }
}

/// A circuit is some visas, then exactly one signature, last: signing ends it.
pub fn validate_steps(kinds: &[StepKind]) -> Result<(), CircuitError> {
    match kinds.split_last() {
        None => Err(CircuitError::Empty),
        Some(_) if kinds.len() > MAX_STEPS => Err(CircuitError::TooLong),
        Some((last, _)) if *last != StepKind::Signature => Err(CircuitError::LastNotSignature),
        Some((_, before)) if before.contains(&StepKind::Signature) => {
            Err(CircuitError::SignatureNotLast)
        }
        Some(_) => Ok(()),
    }
}

/// What the state machine reads of a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circuit {
    pub status: ResponseStatus,
    pub current: Option<usize>,
    pub kinds: Vec<StepKind>,
}

/// Where a response is sent back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Its author, who edits it and sends it into a circuit again.
    Author,
    Step(usize),
}

/// An agent's move on the step `at` (the step their page showed them: a stale page acting on
/// a step already passed is refused, not applied to the next one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Move {
    Approve {
        at: usize,
    },
    SendBack {
        at: usize,
        to: Target,
        comment: String,
    },
    Sign {
        at: usize,
    },
}

/// What a move does; the service writes exactly this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Step `from` approved; step `to` now waits.
    Advanced { from: usize, to: usize },
    /// Step `from` sent the letter back to step `to`: the steps from `to` to `from - 1` wait
    /// again, `to` first.
    ReturnedToStep {
        from: usize,
        to: usize,
        comment: String,
    },
    /// Step `from` sent the letter back to its author: a draft again.
    ReturnedToAuthor { from: usize, comment: String },
    /// Step `at` signed: the letter is frozen.
    Signed { at: usize },
}

pub const MAX_COMMENT: usize = 5000;

/// The one place where the rules of a circuit are decided.
pub fn act(circuit: &Circuit, mv: &Move) -> Result<Outcome, CircuitError> {
    if circuit.status.is_frozen() {
        return Err(CircuitError::Frozen);
    }
    let current = match (circuit.status, circuit.current) {
        (ResponseStatus::InCircuit, Some(current)) if current < circuit.kinds.len() => current,
        _ => return Err(CircuitError::NotInCircuit),
    };
    let at = match mv {
        Move::Approve { at } | Move::SendBack { at, .. } | Move::Sign { at } => *at,
    };
    if at != current {
        return Err(CircuitError::StepNotCurrent);
    }
    let kind = circuit.kinds[current];
    match mv {
        Move::Approve { .. } => match kind {
            StepKind::Signature => Err(CircuitError::ApproveAtSignature),
            // A valid circuit ends with a signature, so a visa always has a next step.
            StepKind::Visa if current + 1 < circuit.kinds.len() => Ok(Outcome::Advanced {
                from: current,
                to: current + 1,
            }),
            StepKind::Visa => Err(CircuitError::ApproveAtSignature),
        },
        Move::Sign { .. } => match kind {
            StepKind::Visa => Err(CircuitError::SignAtVisa),
            StepKind::Signature => Ok(Outcome::Signed { at: current }),
        },
        Move::SendBack { to, comment, .. } => {
            let comment = comment.trim();
            if comment.is_empty() {
                return Err(CircuitError::CommentRequired);
            }
            match to {
                Target::Author => Ok(Outcome::ReturnedToAuthor {
                    from: current,
                    comment: comment.to_owned(),
                }),
                Target::Step(to) if *to < current => Ok(Outcome::ReturnedToStep {
                    from: current,
                    to: *to,
                    comment: comment.to_owned(),
                }),
                Target::Step(_) => Err(CircuitError::SendBackNotEarlier),
            }
        }
    }
}

/// Who a step is for, as a form value: `u:<agent id>` or `s:<service id>`.
pub fn assignee_code(user: Option<&str>, service: Option<&str>) -> String {
    match (user, service) {
        (Some(user), _) => format!("u:{user}"),
        (None, Some(service)) => format!("s:{service}"),
        (None, None) => String::new(),
    }
}

/// The dispatch channels chosen for a response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channels {
    pub email: bool,
    pub portal: bool,
    pub postal: bool,
}

impl Channels {
    pub fn any(self) -> bool {
        self.email || self.portal || self.postal
    }

    pub fn labels(self) -> Vec<&'static str> {
        [
            (self.email, s::BY_EMAIL),
            (self.portal, s::BY_PORTAL),
            (self.postal, s::BY_POSTAL),
        ]
        .into_iter()
        .filter_map(|(on, label)| on.then_some(label))
        .collect()
    }
}

/// One step as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub position: usize,
    pub kind: StepKind,
    pub assignee: String,
    pub state: String,
    pub acted_by: Option<String>,
    pub acted_for: Option<String>,
    pub acted_at: Option<String>,
    pub comment: Option<String>,
    pub current: bool,
}

/// One response of a dossier, for its back-office page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseView {
    pub id: String,
    pub template_name: String,
    pub free_text: String,
    pub status: ResponseStatus,
    pub author: String,
    pub returned_comment: Option<String>,
    pub channels: Channels,
    pub steps: Vec<StepView>,
    /// The signed-in agent may edit it and send it into a circuit.
    pub editable: bool,
    pub signed_on: Option<String>,
    pub signed_by: Option<String>,
    pub on_behalf_of: Option<String>,
    pub sha256: Option<String>,
    /// The draft's preview, or the signed PDF.
    pub pdf_url: String,
}

/// Everything the dossier page's "Courriers" section needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponsesPanel {
    pub reference: String,
    pub can_create: bool,
    pub templates: Vec<(String, String)>,
    pub models: Vec<(String, String)>,
    /// Agents and services a step may be given to: (`u:…`/`s:…`, label).
    pub assignees: Vec<(String, String)>,
    pub responses: Vec<ResponseView>,
}

/// A step waiting for the signed-in agent (or their services, or a colleague they replace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxItem {
    pub response_id: String,
    pub reference: String,
    pub template_name: String,
    pub position: usize,
    pub kind: StepKind,
    pub on_behalf_of: Option<String>,
    /// Where it may be sent back: ("author" or the position, label).
    pub targets: Vec<(String, String)>,
    pub pdf_url: String,
    pub dossier_url: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parapheur {
    pub items: Vec<InboxItem>,
    pub has_signature: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitModelView {
    pub id: String,
    pub name: String,
    /// (kind, who) in order.
    pub steps: Vec<(StepKind, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitsPage {
    pub models: Vec<CircuitModelView>,
    pub assignees: Vec<(String, String)>,
}

/// A signed letter on the citizen's dossier page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitizenLetter {
    pub title: String,
    pub signed_on: String,
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circuit(kinds: &[StepKind], current: usize) -> Circuit {
        Circuit {
            status: ResponseStatus::InCircuit,
            current: Some(current),
            kinds: kinds.to_vec(),
        }
    }

    const VVS: [StepKind; 3] = [StepKind::Visa, StepKind::Visa, StepKind::Signature];

    #[test]
    fn a_circuit_is_visas_then_one_signature_last() {
        assert_eq!(validate_steps(&VVS), Ok(()));
        assert_eq!(validate_steps(&[StepKind::Signature]), Ok(()));
        assert_eq!(validate_steps(&[]), Err(CircuitError::Empty));
        assert_eq!(
            validate_steps(&[StepKind::Signature, StepKind::Visa]),
            Err(CircuitError::LastNotSignature)
        );
        assert_eq!(
            validate_steps(&[StepKind::Signature, StepKind::Signature]),
            Err(CircuitError::SignatureNotLast)
        );
        assert_eq!(
            validate_steps(&[StepKind::Visa; MAX_STEPS + 1]),
            Err(CircuitError::TooLong)
        );
    }

    #[test]
    fn approving_a_visa_moves_to_the_next_step() {
        assert_eq!(
            act(&circuit(&VVS, 0), &Move::Approve { at: 0 }),
            Ok(Outcome::Advanced { from: 0, to: 1 })
        );
        assert_eq!(
            act(&circuit(&VVS, 1), &Move::Approve { at: 1 }),
            Ok(Outcome::Advanced { from: 1, to: 2 })
        );
    }

    #[test]
    fn a_signature_step_signs_and_a_visa_step_does_not() {
        assert_eq!(
            act(&circuit(&VVS, 2), &Move::Sign { at: 2 }),
            Ok(Outcome::Signed { at: 2 })
        );
        assert_eq!(
            act(&circuit(&VVS, 0), &Move::Sign { at: 0 }),
            Err(CircuitError::SignAtVisa)
        );
        assert_eq!(
            act(&circuit(&VVS, 2), &Move::Approve { at: 2 }),
            Err(CircuitError::ApproveAtSignature)
        );
    }

    #[test]
    fn sending_back_goes_to_an_earlier_step_or_the_author_with_a_comment() {
        let back = |to, comment: &str| Move::SendBack {
            at: 2,
            to,
            comment: comment.to_owned(),
        };
        assert_eq!(
            act(
                &circuit(&VVS, 2),
                &back(Target::Step(0), "  Revoir le montant ")
            ),
            Ok(Outcome::ReturnedToStep {
                from: 2,
                to: 0,
                comment: "Revoir le montant".into()
            })
        );
        assert_eq!(
            act(&circuit(&VVS, 2), &back(Target::Author, "Reprendre")),
            Ok(Outcome::ReturnedToAuthor {
                from: 2,
                comment: "Reprendre".into()
            })
        );
        assert_eq!(
            act(&circuit(&VVS, 2), &back(Target::Step(2), "Moi-même")),
            Err(CircuitError::SendBackNotEarlier)
        );
        assert_eq!(
            act(&circuit(&VVS, 2), &back(Target::Step(1), "   ")),
            Err(CircuitError::CommentRequired)
        );
    }

    #[test]
    fn a_stale_page_cannot_act_on_another_step() {
        assert_eq!(
            act(&circuit(&VVS, 1), &Move::Approve { at: 0 }),
            Err(CircuitError::StepNotCurrent)
        );
    }

    #[test]
    fn a_draft_or_a_signed_letter_has_no_step_to_act_on() {
        let draft = Circuit {
            status: ResponseStatus::Draft,
            current: None,
            kinds: VVS.to_vec(),
        };
        assert_eq!(
            act(&draft, &Move::Approve { at: 0 }),
            Err(CircuitError::NotInCircuit)
        );
        for status in [ResponseStatus::Signed, ResponseStatus::Dispatched] {
            let frozen = Circuit {
                status,
                current: None,
                kinds: VVS.to_vec(),
            };
            for mv in [
                Move::Sign { at: 2 },
                Move::Approve { at: 0 },
                Move::SendBack {
                    at: 2,
                    to: Target::Author,
                    comment: "x".into(),
                },
            ] {
                assert_eq!(act(&frozen, &mv), Err(CircuitError::Frozen));
            }
        }
    }

    #[test]
    fn channels_list_what_was_chosen() {
        let none = Channels::default();
        assert!(!none.any());
        let some = Channels {
            email: true,
            portal: false,
            postal: true,
        };
        assert!(some.any());
        assert_eq!(some.labels(), vec![s::BY_EMAIL, s::BY_POSTAL]);
    }
}
