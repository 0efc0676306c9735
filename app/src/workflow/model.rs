//! The instruction document, its default, its validation and routing.

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::demarches::model::{AnswerValue, CleanAnswers};

/// Everything about how one démarche's dossiers are processed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    pub workflow: Workflow,
    pub routing: Routing,
    pub deadlines: Deadlines,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub statuses: Vec<StatusDef>,
    /// The status of a newly submitted dossier.
    pub initial: String,
    pub transitions: Vec<Transition>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDef {
    /// Stable code stored on dossiers: `[a-z0-9_]+`.
    pub code: String,
    /// What agents read.
    pub name: String,
    /// What the citizen reads.
    pub label: String,
    /// `#rrggbb`.
    pub colour: String,
    /// No transition leaves a terminal status; deadlines stop there.
    pub terminal: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Stable within the workflow (`t1`, `t2`…): what the agent's button sends.
    pub id: String,
    pub from: String,
    pub to: String,
    /// The button's text.
    pub label: String,
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// What a transition does besides changing the status. Each runs once per transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Mails the citizen. `{reference}`, `{demarche}`, `{statut}`, `{lien}` and `{commentaire}`
    /// (what the agent typed with the transition) are replaced.
    NotifyCitizen { subject: String, body: String },
    /// Reopens the dossier for the citizen's edits; when they send it back, it moves to
    /// `return_to`. The agent's comment tells them what is missing.
    RequestComplement { return_to: String },
    /// The dossier is due `days` days from now.
    SetDeadline { days: u32 },
    /// Sends the dossier to another service.
    AssignService { service_id: String },
}

/// Where a new dossier goes: the first rule that matches, else the default service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routing {
    /// `None`: the commune's first service.
    pub default_service: Option<String>,
    #[serde(default)]
    pub rules: Vec<RoutingRule>,
    /// Services that get a read-only copy of every dossier.
    #[serde(default)]
    pub copies: Vec<String>,
}

/// The routing rule "field" that reads the context a dossier was submitted through
/// (`crate::contexts`); its values are context codes. `@` keeps it apart from form field codes,
/// which are `[a-z][a-z0-9_]*`, so no démarche field can shadow it.
pub const CONTEXT_FIELD: &str = "@contexte";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// A field code, or `code.postcode` / `code.commune` for an address, or [`CONTEXT_FIELD`].
    pub field: String,
    /// Values that send the dossier to `service_id`; a trailing `*` matches a prefix (`448*`).
    /// Compared without case, accents or surrounding spaces.
    pub values: Vec<String>,
    pub service_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Maximum processing time, in days from submission.
    pub max_days: Option<u32>,
    /// The dossier becomes urgent this many days before it is due.
    pub alert_days: Option<u32>,
    #[serde(default)]
    pub silence: Silence,
    /// Days after which silence is a decision (SVA / SVR).
    pub silence_days: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silence {
    #[default]
    None,
    /// Silence vaut acceptation.
    Acceptation,
    /// Silence vaut rejet.
    Rejet,
}

impl Silence {
    pub fn code(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Acceptation => Some("acceptation"),
            Self::Rejet => Some("rejet"),
        }
    }
}

/// A problem in an instruction document, on the element it concerns (`statuses[2].colour`,
/// `transitions[0].actions[1]`, `routing.rules[0].values`, `deadlines.alert_days`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionProblem {
    pub path: String,
    pub message: String,
}

fn status(code: &str, name: &str, label: &str, colour: &str, terminal: bool) -> StatusDef {
    StatusDef {
        code: code.into(),
        name: name.into(),
        label: label.into(),
        colour: colour.into(),
        terminal,
    }
}

fn transition(id: &str, from: &str, to: &str, label: &str, actions: Vec<Action>) -> Transition {
    Transition {
        id: id.into(),
        from: from.into(),
        to: to.into(),
        label: label.into(),
        actions,
    }
}

fn notify() -> Action {
    Action::NotifyCitizen {
        subject: s::DEFAULT_NOTIFY_SUBJECT.into(),
        body: s::DEFAULT_NOTIFY_BODY.into(),
    }
}

impl Default for Instruction {
    /// Reçu → En cours d'instruction → En attente d'informations → Accepté / Refusé / Sans suite.
    fn default() -> Self {
        use crate::dossiers::strings as d;
        Self {
            workflow: Workflow {
                statuses: vec![
                    status("recu", s::NAME_RECU, d::STATUS_RECU, "#0063cb", false),
                    status(
                        "en_instruction",
                        s::NAME_EN_INSTRUCTION,
                        d::STATUS_EN_INSTRUCTION,
                        "#b34000",
                        false,
                    ),
                    status(
                        "en_attente",
                        s::NAME_EN_ATTENTE,
                        d::STATUS_EN_ATTENTE,
                        "#716043",
                        false,
                    ),
                    status(
                        "accepte",
                        s::NAME_ACCEPTE,
                        d::STATUS_ACCEPTE,
                        "#18753c",
                        true,
                    ),
                    status("refuse", s::NAME_REFUSE, d::STATUS_REFUSE, "#ce0500", true),
                    status(
                        "sans_suite",
                        s::NAME_SANS_SUITE,
                        d::STATUS_SANS_SUITE,
                        "#3a3a3a",
                        true,
                    ),
                ],
                initial: "recu".into(),
                transitions: vec![
                    transition("t1", "recu", "en_instruction", s::T_START, vec![notify()]),
                    transition("t2", "recu", "sans_suite", s::T_CLOSE, vec![notify()]),
                    transition(
                        "t3",
                        "en_instruction",
                        "en_attente",
                        s::T_COMPLEMENT,
                        vec![Action::RequestComplement {
                            return_to: "en_instruction".into(),
                        }],
                    ),
                    transition(
                        "t4",
                        "en_attente",
                        "en_instruction",
                        s::T_RESUME,
                        vec![notify()],
                    ),
                    transition(
                        "t5",
                        "en_instruction",
                        "accepte",
                        s::T_ACCEPT,
                        vec![notify()],
                    ),
                    transition(
                        "t6",
                        "en_instruction",
                        "refuse",
                        s::T_REFUSE,
                        vec![notify()],
                    ),
                    transition(
                        "t7",
                        "en_instruction",
                        "sans_suite",
                        s::T_CLOSE,
                        vec![notify()],
                    ),
                ],
            },
            routing: Routing::default(),
            deadlines: Deadlines::default(),
        }
    }
}

impl Workflow {
    pub fn status(&self, code: &str) -> Option<&StatusDef> {
        self.statuses.iter().find(|s| s.code == code)
    }

    /// The citizen-facing label of `code` (the code itself if the workflow lost it).
    pub fn label(&self, code: &str) -> String {
        self.status(code)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn is_terminal(&self, code: &str) -> bool {
        self.status(code).is_some_and(|s| s.terminal)
    }

    /// The transitions an agent may take from `code`.
    pub fn from(&self, code: &str) -> impl Iterator<Item = &Transition> {
        self.transitions.iter().filter(move |t| t.from == code)
    }
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn valid_colour(colour: &str) -> bool {
    colour.len() == 7
        && colour.starts_with('#')
        && colour[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Checks the document on its own; `services` are the ids that exist in the tenant. Every
/// problem is reported, each on its element.
pub fn validate(instruction: &Instruction, services: &[String]) -> Vec<InstructionProblem> {
    let mut problems = Vec::new();
    let mut problem = |path: String, message: &str| {
        problems.push(InstructionProblem {
            path,
            message: message.to_owned(),
        })
    };
    let workflow = &instruction.workflow;
    if workflow.statuses.is_empty() {
        problem("statuses".into(), s::NO_STATUS);
    }
    for (i, st) in workflow.statuses.iter().enumerate() {
        if !valid_code(&st.code) {
            problem(format!("statuses[{i}].code"), s::CODE_INVALID);
        } else if workflow.statuses[..i].iter().any(|o| o.code == st.code) {
            problem(format!("statuses[{i}].code"), s::CODE_DUPLICATE);
        }
        if st.name.trim().is_empty() {
            problem(format!("statuses[{i}].name"), s::NAME_REQUIRED);
        }
        if st.label.trim().is_empty() {
            problem(format!("statuses[{i}].label"), s::LABEL_REQUIRED);
        }
        if !valid_colour(&st.colour) {
            problem(format!("statuses[{i}].colour"), s::COLOUR_INVALID);
        }
    }
    match workflow.status(&workflow.initial) {
        None => problem("initial".into(), s::INITIAL_UNKNOWN),
        Some(st) if st.terminal => problem("initial".into(), s::INITIAL_TERMINAL),
        Some(_) => {}
    }
    for (i, t) in workflow.transitions.iter().enumerate() {
        let at = format!("transitions[{i}]");
        if t.id.trim().is_empty() || workflow.transitions[..i].iter().any(|o| o.id == t.id) {
            problem(format!("{at}.id"), s::TRANSITION_ID_DUPLICATE);
        }
        match workflow.status(&t.from) {
            None => problem(format!("{at}.from"), s::STATUS_UNKNOWN),
            Some(st) if st.terminal => problem(format!("{at}.from"), s::FROM_TERMINAL),
            Some(_) => {}
        }
        if workflow.status(&t.to).is_none() {
            problem(format!("{at}.to"), s::STATUS_UNKNOWN);
        } else if t.to == t.from {
            problem(format!("{at}.to"), s::SAME_STATUS);
        } else if workflow.transitions[..i]
            .iter()
            .any(|o| o.from == t.from && o.to == t.to)
        {
            problem(format!("{at}.to"), s::TRANSITION_DUPLICATE);
        }
        if t.label.trim().is_empty() {
            problem(format!("{at}.label"), s::BUTTON_REQUIRED);
        }
        for (j, action) in t.actions.iter().enumerate() {
            let at = format!("{at}.actions[{j}]");
            match action {
                Action::NotifyCitizen { subject, body } => {
                    if subject.trim().is_empty() {
                        problem(format!("{at}.subject"), s::SUBJECT_REQUIRED);
                    }
                    if body.trim().is_empty() {
                        problem(format!("{at}.body"), s::BODY_REQUIRED);
                    }
                }
                Action::RequestComplement { return_to } => match workflow.status(return_to) {
                    None => problem(format!("{at}.return_to"), s::STATUS_UNKNOWN),
                    Some(st) if st.terminal => {
                        problem(format!("{at}.return_to"), s::RETURN_TERMINAL)
                    }
                    Some(_) if return_to == &t.to => {
                        problem(format!("{at}.return_to"), s::RETURN_SAME)
                    }
                    Some(_) => {}
                },
                Action::SetDeadline { days } => {
                    if !(1..=3650).contains(days) {
                        problem(format!("{at}.days"), s::DAYS_RANGE);
                    }
                }
                Action::AssignService { service_id } => {
                    if !services.contains(service_id) {
                        problem(format!("{at}.service_id"), s::SERVICE_UNKNOWN);
                    }
                }
            }
        }
    }
    let routing = &instruction.routing;
    if let Some(service) = &routing.default_service
        && !services.contains(service)
    {
        problem("routing.default_service".into(), s::SERVICE_UNKNOWN);
    }
    for (i, rule) in routing.rules.iter().enumerate() {
        if rule.field.trim().is_empty() {
            problem(format!("routing.rules[{i}].field"), s::RULE_FIELD_REQUIRED);
        }
        if rule.values.iter().all(|v| v.trim().is_empty()) {
            problem(
                format!("routing.rules[{i}].values"),
                s::RULE_VALUES_REQUIRED,
            );
        }
        if !services.contains(&rule.service_id) {
            problem(format!("routing.rules[{i}].service_id"), s::SERVICE_UNKNOWN);
        }
    }
    for (i, copy) in routing.copies.iter().enumerate() {
        if !services.contains(copy) {
            problem(format!("routing.copies[{i}]"), s::SERVICE_UNKNOWN);
        }
    }
    let deadlines = &instruction.deadlines;
    for (path, days) in [
        ("deadlines.max_days", deadlines.max_days),
        ("deadlines.alert_days", deadlines.alert_days),
        ("deadlines.silence_days", deadlines.silence_days),
    ] {
        if days.is_some_and(|d| !(1..=3650).contains(&d)) {
            problem(path.into(), s::DAYS_RANGE);
        }
    }
    match (deadlines.max_days, deadlines.alert_days) {
        (None, Some(_)) => problem("deadlines.alert_days".into(), s::ALERT_WITHOUT_MAX),
        (Some(max), Some(alert)) if alert >= max => {
            problem("deadlines.alert_days".into(), s::ALERT_AFTER_MAX)
        }
        _ => {}
    }
    if deadlines.silence != Silence::None && deadlines.silence_days.is_none() {
        problem("deadlines.silence_days".into(), s::SILENCE_DAYS_REQUIRED);
    }
    problems
}

/// Lowercase, without accents or surrounding spaces: how routing compares values.
fn fold(value: &str) -> String {
    crate::text::fold(value.trim())
}

/// The values an answer offers to a routing rule's field (`code` or `code.postcode`).
fn answer_values(answers: &CleanAnswers, field: &str) -> Vec<String> {
    let (code, part) = match field.split_once('.') {
        Some((code, part)) => (code, Some(part)),
        None => (field, None),
    };
    match (answers.0.get(code), part) {
        (Some(AnswerValue::Text(t)), None) => vec![t.clone()],
        (Some(AnswerValue::Integer(n)), None) => vec![n.to_string()],
        (Some(AnswerValue::YesNo(b)), None) => vec![if *b { "oui" } else { "non" }.into()],
        (Some(AnswerValue::Choices(c)), None) => c.clone(),
        (Some(AnswerValue::Address(a)), Some("postcode")) => vec![a.postcode.clone()],
        (Some(AnswerValue::Address(a)), Some("commune")) => vec![a.commune.clone()],
        (Some(AnswerValue::Address(a)), None) => vec![a.postcode.clone(), a.commune.clone()],
        _ => Vec::new(),
    }
}

fn matches(pattern: &str, value: &str) -> bool {
    let pattern = fold(pattern);
    let value = fold(value);
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => !pattern.is_empty() && pattern == value,
    }
}

impl Routing {
    /// The service a dossier with these answers goes to (`None`: the commune's first service),
    /// and the services that get a copy.
    pub fn route(&self, answers: &CleanAnswers) -> Option<String> {
        self.route_in(answers, None)
    }

    /// [`Self::route`] for a dossier submitted through `context` (its code; `None`: the plain
    /// portal, which no context rule matches).
    pub fn route_in(&self, answers: &CleanAnswers, context: Option<&str>) -> Option<String> {
        self.rules
            .iter()
            .find(|rule| {
                let values = if rule.field == CONTEXT_FIELD {
                    context.map(str::to_owned).into_iter().collect()
                } else {
                    answer_values(answers, &rule.field)
                };
                values
                    .iter()
                    .any(|value| rule.values.iter().any(|p| matches(p, value)))
            })
            .map(|rule| rule.service_id.clone())
            .or_else(|| self.default_service.clone())
    }
}

/// Replaces the placeholders of a notification template.
pub fn fill_template(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    // An empty placeholder on its own line leaves no hole in the mail.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::Address;

    fn services() -> Vec<String> {
        vec!["s1".into(), "s2".into()]
    }

    #[test]
    fn the_default_instruction_is_valid() {
        assert_eq!(validate(&Instruction::default(), &services()), vec![]);
    }

    #[test]
    fn each_problem_is_reported_on_its_element() {
        let mut doc = Instruction::default();
        doc.workflow.statuses[1].colour = "rouge".into();
        doc.workflow.statuses[2].code = "recu".into();
        doc.workflow.transitions[0].to = "nulle_part".into();
        doc.workflow.transitions.push(Transition {
            id: "t9".into(),
            from: "accepte".into(),
            to: "recu".into(),
            label: "".into(),
            actions: vec![Action::AssignService {
                service_id: "s9".into(),
            }],
        });
        doc.routing.rules.push(RoutingRule {
            field: "adresse.postcode".into(),
            values: vec![" ".into()],
            service_id: "s1".into(),
        });
        doc.deadlines = Deadlines {
            max_days: Some(10),
            alert_days: Some(12),
            ..Deadlines::default()
        };
        let paths: Vec<String> = validate(&doc, &services())
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            vec![
                "statuses[1].colour",
                "statuses[2].code",
                "transitions[0].to",
                // "en_attente" was renamed away: the transitions that used it are reported too.
                "transitions[2].to",
                "transitions[3].from",
                "transitions[7].from",
                "transitions[7].label",
                "transitions[7].actions[0].service_id",
                "routing.rules[0].values",
                "deadlines.alert_days",
            ]
        );
    }

    fn answers(postcode: &str, commune: &str) -> CleanAnswers {
        let mut answers = CleanAnswers::default();
        answers.0.insert(
            "adresse".into(),
            AnswerValue::Address(Address {
                number: "3".into(),
                street: "rue de la Paix".into(),
                postcode: postcode.into(),
                commune: commune.into(),
            }),
        );
        answers
    }

    #[test]
    fn the_first_matching_rule_wins_and_the_default_catches_the_rest() {
        let routing = Routing {
            default_service: Some("accueil".into()),
            rules: vec![
                RoutingRule {
                    field: "adresse.postcode".into(),
                    values: vec!["44800".into()],
                    service_id: "nord".into(),
                },
                RoutingRule {
                    field: "adresse.commune".into(),
                    values: vec!["Saint-Herblain".into(), "Indre".into()],
                    service_id: "ouest".into(),
                },
                RoutingRule {
                    field: "adresse.postcode".into(),
                    values: vec!["44*".into()],
                    service_id: "departement".into(),
                },
            ],
            copies: vec![],
        };
        assert_eq!(
            routing
                .route(&answers("44800", "Saint-Herblain"))
                .as_deref(),
            Some("nord")
        );
        assert_eq!(
            routing.route(&answers("44610", " INDRE ")).as_deref(),
            Some("ouest")
        );
        assert_eq!(
            routing.route(&answers("44000", "Nantes")).as_deref(),
            Some("departement")
        );
        assert_eq!(
            routing.route(&answers("75001", "Paris")).as_deref(),
            Some("accueil")
        );
        assert_eq!(
            routing.route(&CleanAnswers::default()).as_deref(),
            Some("accueil")
        );
    }

    #[test]
    fn a_context_rule_matches_the_context_of_submission_only() {
        let routing = Routing {
            default_service: Some("accueil".into()),
            rules: vec![
                RoutingRule {
                    field: CONTEXT_FIELD.into(),
                    values: vec!["entreprises".into()],
                    service_id: "economie".into(),
                },
                RoutingRule {
                    field: "adresse.postcode".into(),
                    values: vec!["44800".into()],
                    service_id: "nord".into(),
                },
            ],
            copies: vec![],
        };
        let answers = answers("44800", "Saint-Herblain");
        assert_eq!(
            routing.route_in(&answers, Some("entreprises")).as_deref(),
            Some("economie")
        );
        assert_eq!(
            routing.route_in(&answers, Some("familles")).as_deref(),
            Some("nord")
        );
        assert_eq!(routing.route(&answers).as_deref(), Some("nord"));
        assert_eq!(
            routing.route_in(&CleanAnswers::default(), None).as_deref(),
            Some("accueil")
        );
    }

    #[test]
    fn accents_and_case_do_not_matter_in_routing() {
        assert!(matches("Nantes Érdre", "nantes erdre"));
        assert!(!matches("", ""));
    }

    #[test]
    fn templates_replace_known_placeholders() {
        assert_eq!(
            fill_template(
                "Dossier {reference} : {statut}",
                &[("reference", "2026-000001"), ("statut", "Accepté")]
            ),
            "Dossier 2026-000001 : Accepté"
        );
    }
}
