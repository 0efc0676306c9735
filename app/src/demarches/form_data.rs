//! From a posted step form to answers, and the names the form controls carry.
//!
//! The portal's step form is a plain HTML form (it must work before and without WASM), so its
//! controls are named for the server to rebuild [`Answers`] from the posted pairs:
//! `code` for single values (repeated for multiple choice), `code.number` / `code.street` /
//! `code.postcode` / `code.commune` for addresses, `code.keep` for files already attached, and
//! `group[i].code` inside repeatable groups, whose item count travels in `group.items`.

use std::collections::BTreeMap;

use super::model::{Address, Answers, Definition, Field, FieldKind, FileRef, RawAnswer};

/// The most group items a posted form may announce, whatever the definition says: a bound on
/// the work a forged `group.items` can cause.
const MAX_POSTED_ITEMS: usize = 100;

/// What a step form asks the server to do besides saving its answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepAction {
    /// Save, then go to the next step (or the summary) if this step is valid.
    Next,
    /// Save, then go back one step without checking.
    Previous,
    /// Save and stay.
    Save,
    /// Save, then add an empty item to a group.
    AddItem(String),
    /// Save, then remove item `index` of a group.
    RemoveItem(String, usize),
}

impl StepAction {
    pub fn parse(raw: &str) -> Self {
        let mut parts = raw.split(':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("previous"), None, None) => Self::Previous,
            (Some("save"), None, None) => Self::Save,
            (Some("add"), Some(code), None) => Self::AddItem(code.to_owned()),
            (Some("remove"), Some(code), Some(index)) => match index.parse() {
                Ok(index) => Self::RemoveItem(code.to_owned(), index),
                Err(_) => Self::Save,
            },
            _ => Self::Next,
        }
    }

    pub fn encode(&self) -> String {
        match self {
            Self::Next => "next".to_owned(),
            Self::Previous => "previous".to_owned(),
            Self::Save => "save".to_owned(),
            Self::AddItem(code) => format!("add:{code}"),
            Self::RemoveItem(code, index) => format!("remove:{code}:{index}"),
        }
    }
}

/// The posted text parts of a form, by name, in order.
#[derive(Clone, Debug, Default)]
pub struct Posted(BTreeMap<String, Vec<String>>);

impl Posted {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (name, value) in pairs {
            map.entry(name).or_default().push(value);
        }
        Self(map)
    }

    pub fn first(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Merges the answers posted for step `step` into `existing` (the draft): the step's fields
/// take their posted values (blank ones are removed), other steps' answers are kept.
/// `uploaded` holds files received with this post, by field path; files already attached
/// stay only if the form still lists them in `code.keep`.
pub fn apply_step(
    definition: &Definition,
    step: usize,
    existing: &Answers,
    posted: &Posted,
    uploaded: &BTreeMap<String, Vec<FileRef>>,
) -> Answers {
    let mut answers = existing.clone();
    let Some(step) = definition.steps.get(step) else {
        return answers;
    };
    read_fields(&step.fields, "", &mut answers.0, posted, uploaded);
    answers
}

fn read_fields(
    fields: &[Field],
    prefix: &str,
    answers: &mut BTreeMap<String, RawAnswer>,
    posted: &Posted,
    uploaded: &BTreeMap<String, Vec<FileRef>>,
) {
    for field in fields.iter().filter(|f| f.kind.has_answer()) {
        let name = format!("{prefix}{}", field.code);
        let value = read_field(field, &name, answers.get(&field.code), posted, uploaded);
        match value {
            Some(value) => answers.insert(field.code.clone(), value),
            None => answers.remove(&field.code),
        };
    }
}

fn read_field(
    field: &Field,
    name: &str,
    previous: Option<&RawAnswer>,
    posted: &Posted,
    uploaded: &BTreeMap<String, Vec<FileRef>>,
) -> Option<RawAnswer> {
    match &field.kind {
        FieldKind::YesNo {} => match posted.first(name)? {
            "oui" => Some(RawAnswer::YesNo(true)),
            "non" => Some(RawAnswer::YesNo(false)),
            other => Some(RawAnswer::Text(other.to_owned())),
        },
        FieldKind::MultipleChoice { .. } => {
            let values = posted.all(name).to_vec();
            (!values.is_empty()).then_some(RawAnswer::Choices(values))
        }
        FieldKind::Address {} => {
            let part = |p: &str| {
                posted
                    .first(&format!("{name}.{p}"))
                    .unwrap_or_default()
                    .to_owned()
            };
            let address = Address {
                number: part("number"),
                street: part("street"),
                postcode: part("postcode"),
                commune: part("commune"),
            };
            let blank = [
                &address.number,
                &address.street,
                &address.postcode,
                &address.commune,
            ]
            .iter()
            .all(|p| p.trim().is_empty());
            (!blank).then_some(RawAnswer::Address(address))
        }
        FieldKind::Files { .. } => {
            let keep = posted.all(&keep_name(name));
            let mut files: Vec<FileRef> = match previous {
                Some(RawAnswer::Files(files)) => files
                    .iter()
                    .filter(|f| keep.contains(&f.id))
                    .cloned()
                    .collect(),
                _ => Vec::new(),
            };
            files.extend(uploaded.get(name).into_iter().flatten().cloned());
            (!files.is_empty()).then_some(RawAnswer::Files(files))
        }
        FieldKind::Group { fields, .. } => {
            let count = posted_items(posted, name);
            let previous_items = match previous {
                Some(RawAnswer::Group(items)) => items.as_slice(),
                _ => &[],
            };
            let items: Vec<Answers> = (0..count)
                .map(|index| {
                    let mut item = previous_items.get(index).cloned().unwrap_or_default();
                    read_fields(
                        fields,
                        &format!("{name}[{index}]."),
                        &mut item.0,
                        posted,
                        uploaded,
                    );
                    item
                })
                .collect();
            (!items.is_empty()).then_some(RawAnswer::Group(items))
        }
        FieldKind::Explanation { .. } | FieldKind::SectionHeader {} => None,
        _ => {
            let text = posted.first(name)?;
            (!text.trim().is_empty()).then(|| RawAnswer::Text(text.to_owned()))
        }
    }
}

/// Applies a group action to answers: adds an empty item or removes one.
pub fn apply_group_action(answers: &mut Answers, action: &StepAction) {
    match action {
        StepAction::AddItem(code) => {
            let entry = answers
                .0
                .entry(code.clone())
                .or_insert_with(|| RawAnswer::Group(Vec::new()));
            if let RawAnswer::Group(items) = entry {
                if items.len() < MAX_POSTED_ITEMS {
                    items.push(Answers::default());
                }
            } else {
                *entry = RawAnswer::Group(vec![Answers::default()]);
            }
        }
        StepAction::RemoveItem(code, index) => {
            if let Some(RawAnswer::Group(items)) = answers.0.get_mut(code)
                && *index < items.len()
            {
                items.remove(*index);
            }
        }
        _ => {}
    }
}

/// The checkboxes keeping the files already attached to the files field `path`.
pub fn keep_name(path: &str) -> String {
    format!("{path}.keep")
}

/// The select choosing a piece of the citizen's wallet for the files field `path`.
pub fn wallet_name(path: &str) -> String {
    format!("{path}.porte-documents")
}

/// The files fields a posted step form may carry, each with the name of its control: the
/// top-level ones (`code`) and those of every posted group item (`group[i].code`).
pub fn file_field_paths<'a>(
    definition: &'a Definition,
    posted: &Posted,
) -> Vec<(String, &'a Field)> {
    let mut paths = Vec::new();
    for field in definition.steps.iter().flat_map(|step| &step.fields) {
        match &field.kind {
            FieldKind::Files { .. } => paths.push((field.code.clone(), field)),
            FieldKind::Group { fields, .. } => {
                let count = posted_items(posted, &field.code);
                for inner in fields
                    .iter()
                    .filter(|f| matches!(f.kind, FieldKind::Files { .. }))
                {
                    for index in 0..count {
                        paths.push((format!("{}[{index}].{}", field.code, inner.code), inner));
                    }
                }
            }
            _ => {}
        }
    }
    paths
}

fn posted_items(posted: &Posted, group_path: &str) -> usize {
    posted
        .first(&items_name(group_path))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_POSTED_ITEMS)
}

/// The answers level holding the answer at `path` (`code`, or `group[i].code` inside a
/// group item, created if missing) and the code to read or write there. `None` for a path
/// that names no group item (a bad index, a non-group answer in the way).
pub fn answer_level_mut<'a>(
    answers: &'a mut Answers,
    path: &'a str,
) -> Option<(&'a mut BTreeMap<String, RawAnswer>, &'a str)> {
    let Some((group, rest)) = path.split_once('[') else {
        return Some((&mut answers.0, path));
    };
    let (index, code) = rest.split_once("].")?;
    let index: usize = index.parse().ok().filter(|i| *i < MAX_POSTED_ITEMS)?;
    let entry = answers
        .0
        .entry(group.to_owned())
        .or_insert_with(|| RawAnswer::Group(Vec::new()));
    let RawAnswer::Group(items) = entry else {
        return None;
    };
    while items.len() <= index {
        items.push(Answers::default());
    }
    Some((&mut items[index].0, code))
}

/// What a browser checks a step with when wallet pieces are chosen (`path.porte-documents`,
/// group items included): each choice stands for a file of the field's first accepted type,
/// so a required field is not reported empty. The server attaches the real copy on posting,
/// with its own checks (and the form only offers pieces whose type fits).
pub fn wallet_placeholders(
    definition: &Definition,
    posted: &Posted,
) -> BTreeMap<String, Vec<FileRef>> {
    let mut placeholders: BTreeMap<String, Vec<FileRef>> = BTreeMap::new();
    for (path, field) in file_field_paths(definition, posted) {
        let FieldKind::Files { accepted_types, .. } = &field.kind else {
            continue;
        };
        for id in posted
            .all(&wallet_name(&path))
            .iter()
            .filter(|id| !id.trim().is_empty())
        {
            placeholders.entry(path.clone()).or_default().push(FileRef {
                id: format!("porte-documents:{id}"),
                name: String::new(),
                size: 0,
                content_type: accepted_types.first().cloned().unwrap_or_default(),
            });
        }
    }
    placeholders
}

/// The `id` of the checkbox keeping file `file_id` of the files field `path`.
pub fn keep_control_id(path: &str, file_id: &str) -> String {
    format!("{}-garder-{file_id}", control_id(&keep_name(path)))
}

/// The hidden input carrying the number of items of the group `path`.
pub fn items_name(path: &str) -> String {
    format!("{path}.items")
}

/// The `id` attribute of the control for `path` (`enfants[1].prenom` → `champ-enfants-1-prenom`).
pub fn control_id(path: &str) -> String {
    let mut id = String::from("champ-");
    for c in path.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            other => id.push(other),
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::{ChoiceOption, Step};

    fn field(code: &str, kind: FieldKind) -> Field {
        Field {
            code: code.to_owned(),
            label: code.to_owned(),
            help: String::new(),
            required: false,
            condition: None,
            prefill: None,
            kind,
        }
    }

    fn definition() -> Definition {
        let options = vec![
            ChoiceOption {
                value: "a".into(),
                label: "A".into(),
            },
            ChoiceOption {
                value: "b".into(),
                label: "B".into(),
            },
        ];
        Definition {
            steps: vec![
                Step {
                    code: "un".into(),
                    title: "Un".into(),
                    condition: None,
                    fields: vec![
                        field(
                            "nom",
                            FieldKind::ShortText {
                                max_length: None,
                                pattern: None,
                            },
                        ),
                        field("majeur", FieldKind::YesNo {}),
                        field(
                            "choix",
                            FieldKind::MultipleChoice {
                                options,
                                min_selected: None,
                                max_selected: None,
                            },
                        ),
                        field("adresse", FieldKind::Address {}),
                        field(
                            "pj",
                            FieldKind::Files {
                                accepted_types: vec![],
                                max_size_bytes: 1000,
                                max_files: 3,
                            },
                        ),
                        field(
                            "enfants",
                            FieldKind::Group {
                                fields: vec![
                                    field(
                                        "prenom",
                                        FieldKind::ShortText {
                                            max_length: None,
                                            pattern: None,
                                        },
                                    ),
                                    field(
                                        "certificat",
                                        FieldKind::Files {
                                            accepted_types: vec!["application/pdf".into()],
                                            max_size_bytes: 1000,
                                            max_files: 1,
                                        },
                                    ),
                                ],
                                min_items: 0,
                                max_items: 5,
                            },
                        ),
                    ],
                },
                Step {
                    code: "deux".into(),
                    title: "Deux".into(),
                    condition: None,
                    fields: vec![field(
                        "commentaire",
                        FieldKind::LongText {
                            max_length: None,
                            pattern: None,
                        },
                    )],
                },
            ],
        }
    }

    fn file(id: &str) -> FileRef {
        FileRef {
            id: id.into(),
            name: format!("{id}.pdf"),
            size: 10,
            content_type: "application/pdf".into(),
        }
    }

    fn posted(pairs: &[(&str, &str)]) -> Posted {
        Posted::new(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
        )
    }

    #[test]
    fn a_posted_step_becomes_answers_and_other_steps_are_kept() {
        let mut existing = Answers::default();
        existing
            .0
            .insert("commentaire".into(), RawAnswer::Text("garde".into()));
        existing
            .0
            .insert("nom".into(), RawAnswer::Text("Ancien".into()));
        existing
            .0
            .insert("pj".into(), RawAnswer::Files(vec![file("f1"), file("f2")]));
        let form = posted(&[
            ("nom", "Dupont"),
            ("majeur", "oui"),
            ("choix", "a"),
            ("choix", "b"),
            ("adresse.number", "3"),
            ("adresse.street", "rue de la Mairie"),
            ("adresse.postcode", "44800"),
            ("adresse.commune", "Saint-Herblain"),
            ("pj.keep", "f2"),
            ("enfants.items", "2"),
            ("enfants[0].prenom", "Léa"),
            ("enfants[1].prenom", "Tom"),
        ]);
        let uploaded = BTreeMap::from([("pj".to_owned(), vec![file("f3")])]);
        let answers = apply_step(&definition(), 0, &existing, &form, &uploaded);
        assert_eq!(answers.0["nom"], RawAnswer::Text("Dupont".into()));
        assert_eq!(answers.0["majeur"], RawAnswer::YesNo(true));
        assert_eq!(
            answers.0["choix"],
            RawAnswer::Choices(vec!["a".into(), "b".into()])
        );
        assert!(
            matches!(&answers.0["adresse"], RawAnswer::Address(a) if a.postcode == "44800" && a.number == "3")
        );
        assert_eq!(
            answers.0["pj"],
            RawAnswer::Files(vec![file("f2"), file("f3")])
        );
        match &answers.0["enfants"] {
            RawAnswer::Group(items) => {
                assert_eq!(items.len(), 2);
                assert_eq!(items[1].0["prenom"], RawAnswer::Text("Tom".into()));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(answers.0["commentaire"], RawAnswer::Text("garde".into()));
    }

    #[test]
    fn blank_controls_remove_answers_and_forged_item_counts_are_bounded() {
        let mut existing = Answers::default();
        existing.0.insert("nom".into(), RawAnswer::Text("X".into()));
        existing
            .0
            .insert("pj".into(), RawAnswer::Files(vec![file("f1")]));
        let form = posted(&[("nom", "  "), ("enfants.items", "1000000")]);
        let answers = apply_step(&definition(), 0, &existing, &form, &BTreeMap::new());
        assert!(!answers.0.contains_key("nom"));
        assert!(!answers.0.contains_key("pj"), "unlisted files are detached");
        match &answers.0["enfants"] {
            RawAnswer::Group(items) => assert_eq!(items.len(), MAX_POSTED_ITEMS),
            other => panic!("{other:?}"),
        }
        let untouched = apply_step(&definition(), 9, &existing, &form, &BTreeMap::new());
        assert_eq!(untouched, existing);
    }

    #[test]
    fn actions_round_trip_and_group_actions_edit_items() {
        for action in [
            StepAction::Next,
            StepAction::Previous,
            StepAction::Save,
            StepAction::AddItem("enfants".into()),
            StepAction::RemoveItem("enfants".into(), 2),
        ] {
            assert_eq!(StepAction::parse(&action.encode()), action);
        }
        assert_eq!(StepAction::parse("n'importe quoi"), StepAction::Next);
        let mut answers = Answers::default();
        apply_group_action(&mut answers, &StepAction::AddItem("enfants".into()));
        apply_group_action(&mut answers, &StepAction::AddItem("enfants".into()));
        apply_group_action(&mut answers, &StepAction::RemoveItem("enfants".into(), 0));
        apply_group_action(&mut answers, &StepAction::RemoveItem("enfants".into(), 7));
        assert_eq!(
            answers.0["enfants"],
            RawAnswer::Group(vec![Answers::default()])
        );
        assert_eq!(control_id("enfants[1].prenom"), "champ-enfants-1-prenom");
    }

    #[test]
    fn a_wallet_piece_chosen_answers_its_files_field_in_the_browsers_check() {
        let definition = definition();
        let posted = Posted::new([
            ("pj.porte-documents".to_owned(), "p1".to_owned()),
            ("nom.porte-documents".to_owned(), "p2".to_owned()),
        ]);
        let chosen = wallet_placeholders(&definition, &posted);
        assert_eq!(chosen.keys().collect::<Vec<_>>(), vec!["pj"]);
        let answers = apply_step(&definition, 0, &Answers::default(), &posted, &chosen);
        assert!(matches!(answers.0.get("pj"), Some(RawAnswer::Files(files)) if files.len() == 1));
        let none = Posted::new([("pj.porte-documents".to_owned(), String::new())]);
        assert!(wallet_placeholders(&definition, &none).is_empty());
    }

    #[test]
    fn a_wallet_piece_chosen_in_a_group_item_answers_that_item_only() {
        let definition = definition();
        let posted = posted(&[
            ("enfants.items", "2"),
            ("enfants[0].prenom", "Léa"),
            ("enfants[1].prenom", "Hugo"),
            ("enfants[1].certificat.porte-documents", "p1"),
            // An item the form does not announce is no item: its choice is ignored.
            ("enfants[2].certificat.porte-documents", "p2"),
        ]);
        let paths: Vec<String> = file_field_paths(&definition, &posted)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            paths,
            vec!["pj", "enfants[0].certificat", "enfants[1].certificat"]
        );
        let chosen = wallet_placeholders(&definition, &posted);
        assert_eq!(
            chosen.keys().collect::<Vec<_>>(),
            vec!["enfants[1].certificat"]
        );
        assert_eq!(
            chosen["enfants[1].certificat"][0].content_type,
            "application/pdf"
        );
        let answers = apply_step(&definition, 0, &Answers::default(), &posted, &chosen);
        let RawAnswer::Group(items) = &answers.0["enfants"] else {
            panic!("{answers:?}");
        };
        assert!(!items[0].0.contains_key("certificat"));
        assert!(matches!(items[1].0.get("certificat"), Some(RawAnswer::Files(f)) if f.len() == 1));
    }

    #[test]
    fn an_answer_path_reaches_its_group_item_and_a_bad_one_reaches_nothing() {
        let mut answers = Answers::default();
        let (level, code) = answer_level_mut(&mut answers, "enfants[1].certificat").unwrap();
        assert_eq!(code, "certificat");
        level.insert(code.to_owned(), RawAnswer::Files(vec![file("f1")]));
        let RawAnswer::Group(items) = &answers.0["enfants"] else {
            panic!("{answers:?}");
        };
        assert_eq!(items.len(), 2, "the missing first item is created empty");
        assert_eq!(items[1].0["certificat"], RawAnswer::Files(vec![file("f1")]));
        let (level, code) = answer_level_mut(&mut answers, "pj").unwrap();
        assert_eq!(code, "pj");
        assert!(level.contains_key("enfants"));
        answers.0.insert("nom".into(), RawAnswer::Text("X".into()));
        assert!(answer_level_mut(&mut answers, "nom[0].pj").is_none());
        assert!(answer_level_mut(&mut answers, "enfants[x].pj").is_none());
        assert!(answer_level_mut(&mut answers, "enfants[100000].pj").is_none());
    }
}
