//! The definition validator: what keeps a démarche from being published.
//!
//! Codes form one namespace for the whole form (steps, fields and fields inside groups), so
//! a code names one element everywhere: in answers, conditions and error paths. A condition may
//! only read answerable fields placed before the element it guards: fields of earlier steps,
//! earlier fields of the same step, and, inside a group, earlier fields of the same item. Fields
//! inside a group cannot be read from outside it (which item would it be?).

use std::collections::{BTreeMap, BTreeSet};

use super::condition::{CompareOp, Condition, Literal};
use super::model::{
    ChoiceOption, Definition, DefinitionError, Demarche, Field, FieldKind, LONG_TEXT_MAX,
    ProfileAttribute, Step, TextPattern, gender_option,
};
use super::strings as s;

pub const MAX_CODE_LEN: usize = 64;

/// Every problem of `demarche` and `definition`; empty when it can be published.
pub fn validate_definition(demarche: &Demarche, definition: &Definition) -> Vec<DefinitionError> {
    let mut validator = Validator {
        all: BTreeMap::new(),
        all_prefills: Vec::new(),
        seen: BTreeSet::new(),
        errors: Vec::new(),
    };
    for step in &definition.steps {
        collect(&step.fields, &mut validator.all);
        collect_prefills(&step.fields, &mut validator.all_prefills);
    }
    if demarche.title.trim().is_empty() {
        validator.error("title", s::TITLE_EMPTY);
    }
    if let (Some(from), Some(to)) = (demarche.publication.from, demarche.publication.to)
        && from > to
    {
        validator.error("publication", s::WINDOW_REVERSED);
    }
    if definition.steps.is_empty() {
        validator.error("steps", s::NO_STEPS);
    }
    let mut scope = Vec::new();
    for (index, step) in definition.steps.iter().enumerate() {
        validator.step(index, step, &mut scope);
    }
    let organisation_prefill = validator
        .all_prefills
        .iter()
        .any(|attribute| attribute.is_organisation());
    for message in super::beneficiary::problems(&demarche.beneficiary, organisation_prefill) {
        validator.error("beneficiary", message);
    }
    validator.errors
}

/// `Ok` when the démarche may be published, otherwise every reason it may not.
pub fn publishable(
    demarche: &Demarche,
    definition: &Definition,
) -> Result<(), Vec<DefinitionError>> {
    let errors = validate_definition(demarche, definition);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Lowercase ASCII letters, digits and `_`, starting with a letter, at most 64 characters.
pub fn is_valid_code(code: &str) -> bool {
    code.len() <= MAX_CODE_LEN
        && code.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn collect<'a>(fields: &'a [Field], all: &mut BTreeMap<&'a str, &'a FieldKind>) {
    for field in fields {
        all.entry(field.code.as_str()).or_insert(&field.kind);
        if let FieldKind::Group { fields, .. } = &field.kind {
            collect(fields, all);
        }
    }
}

fn collect_prefills(fields: &[Field], all: &mut Vec<ProfileAttribute>) {
    for field in fields {
        all.extend(field.prefill);
        if let FieldKind::Group { fields, .. } = &field.kind {
            collect_prefills(fields, all);
        }
    }
}

/// Where a field sits: at the top of a step, or in a group (prefilled with the household's
/// children or not).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    Group,
    ChildrenGroup,
}

/// The type a field's answer has in conditions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueType {
    Text,
    Number,
    Date,
    YesNo,
    Choices,
    /// Address, files, group: only `is_empty`.
    Opaque,
}

fn value_type(kind: &FieldKind) -> ValueType {
    match kind {
        FieldKind::ShortText { .. }
        | FieldKind::LongText { .. }
        | FieldKind::Email {}
        | FieldKind::Phone {}
        | FieldKind::Siret {}
        | FieldKind::SingleChoice { .. } => ValueType::Text,
        FieldKind::Integer { .. } | FieldKind::Decimal { .. } => ValueType::Number,
        FieldKind::Date { .. } => ValueType::Date,
        FieldKind::YesNo {} => ValueType::YesNo,
        FieldKind::MultipleChoice { .. } => ValueType::Choices,
        _ => ValueType::Opaque,
    }
}

fn literal_type(literal: &Literal) -> ValueType {
    match literal {
        Literal::Text(_) => ValueType::Text,
        Literal::Integer(_) | Literal::Decimal(_) => ValueType::Number,
        Literal::Date(_) => ValueType::Date,
        Literal::YesNo(_) => ValueType::YesNo,
    }
}

fn options_of(kind: &FieldKind) -> Option<&[ChoiceOption]> {
    match kind {
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            Some(options)
        }
        _ => None,
    }
}

struct Validator<'a> {
    /// Every field of the form by code (the first one when a code is repeated).
    all: BTreeMap<&'a str, &'a FieldKind>,
    /// Every prefill attribute of the form, groups included.
    all_prefills: Vec<ProfileAttribute>,
    seen: BTreeSet<&'a str>,
    errors: Vec<DefinitionError>,
}

/// Answerable fields a condition may read at a given point, by code.
type Scope<'a> = Vec<(&'a str, &'a FieldKind)>;

impl<'a> Validator<'a> {
    fn error(&mut self, path: &str, message: impl Into<String>) {
        self.errors.push(DefinitionError {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn code(&mut self, path: &str, code: &'a str) {
        if !is_valid_code(code) {
            self.error(path, s::CODE_INVALID);
        } else if !self.seen.insert(code) {
            self.error(path, s::duplicate_code(code));
        }
    }

    fn step(&mut self, index: usize, step: &'a Step, scope: &mut Scope<'a>) {
        let path = if step.code.is_empty() {
            format!("steps[{index}]")
        } else {
            step.code.clone()
        };
        self.code(&path, &step.code);
        if step.title.trim().is_empty() {
            self.error(&path, s::STEP_TITLE_EMPTY);
        }
        if step.fields.is_empty() {
            self.error(&path, s::STEP_EMPTY);
        }
        if let Some(condition) = &step.condition {
            self.condition(&path, condition, scope);
        }
        self.fields(&step.fields, "", Place::Top, scope);
    }

    fn fields(&mut self, fields: &'a [Field], prefix: &str, place: Place, scope: &mut Scope<'a>) {
        for (index, field) in fields.iter().enumerate() {
            let path = if field.code.is_empty() {
                format!("{prefix}fields[{index}]")
            } else {
                format!("{prefix}{}", field.code)
            };
            self.field(&path, field, place, scope);
            if field.kind.has_answer() {
                scope.push((field.code.as_str(), &field.kind));
            }
        }
    }

    fn field(&mut self, path: &str, field: &'a Field, place: Place, scope: &Scope<'a>) {
        self.code(path, &field.code);
        let explanation = matches!(field.kind, FieldKind::Explanation { .. });
        if field.label.trim().is_empty() && !explanation {
            self.error(path, s::LABEL_EMPTY);
        }
        if !field.kind.has_answer() && (field.required || field.prefill.is_some()) {
            self.error(path, s::NO_ANSWER_CANNOT_BE_REQUIRED);
        } else if let Some(attribute) = field.prefill {
            if place == Place::Group {
                self.error(path, s::PREFILL_IN_GROUP);
            } else if place == Place::ChildrenGroup && !attribute.fits_a_child() {
                self.error(path, s::PREFILL_IN_CHILDREN_GROUP);
            } else if attribute == ProfileAttribute::HouseholdChildren
                && !matches!(field.kind, FieldKind::Group { .. })
            {
                self.error(path, s::PREFILL_CHILDREN_KIND);
            } else if !prefill_fits(attribute, &field.kind) {
                self.error(path, s::PREFILL_INCOMPATIBLE);
            } else if let (ProfileAttribute::Gender, FieldKind::SingleChoice { options, .. }) =
                (attribute, &field.kind)
                && ["female", "male"]
                    .iter()
                    .any(|gender| gender_option(options, gender).is_none())
            {
                self.error(path, s::PREFILL_GENDER_OPTIONS);
            }
        }
        if let Some(condition) = &field.condition {
            self.condition(path, condition, scope);
        }
        match &field.kind {
            FieldKind::ShortText {
                max_length,
                pattern,
            }
            | FieldKind::LongText {
                max_length,
                pattern,
            } => {
                if max_length.is_some_and(|max| max == 0 || max > LONG_TEXT_MAX) {
                    self.error(path, s::MAX_LENGTH_INVALID);
                }
                if let Some(pattern) = pattern {
                    self.pattern(path, pattern);
                }
            }
            FieldKind::Integer { min, max } => self.bounds(path, *min, *max),
            FieldKind::Decimal { min, max } => self.bounds(path, *min, *max),
            FieldKind::Date { min, max } => self.bounds(path, *min, *max),
            FieldKind::SingleChoice { options, .. } => self.options(path, options),
            FieldKind::MultipleChoice {
                options,
                min_selected,
                max_selected,
            } => {
                self.options(path, options);
                let count = u32::try_from(options.len()).unwrap_or(u32::MAX);
                let incoherent = min_selected.is_some_and(|min| min > count)
                    || max_selected == &Some(0)
                    || matches!((min_selected, max_selected), (Some(min), Some(max)) if min > max);
                if incoherent {
                    self.error(path, s::SELECTION_BOUNDS_INVALID);
                }
            }
            FieldKind::Files {
                accepted_types,
                max_size_bytes,
                max_files,
            } => {
                if *max_size_bytes == 0 || *max_files == 0 {
                    self.error(path, s::FILES_LIMITS_INVALID);
                }
                for accepted in accepted_types {
                    if !is_valid_media_range(accepted) {
                        self.error(path, s::invalid_accepted_type(accepted));
                    }
                }
            }
            FieldKind::Group {
                fields,
                min_items,
                max_items,
            } => {
                if fields.is_empty() {
                    self.error(path, s::GROUP_EMPTY);
                }
                if *max_items == 0 || min_items > max_items {
                    self.error(path, s::GROUP_BOUNDS_INVALID);
                }
                let mut inner = scope.clone();
                let place = if field.prefill == Some(ProfileAttribute::HouseholdChildren) {
                    Place::ChildrenGroup
                } else {
                    Place::Group
                };
                self.fields(fields, &format!("{path}."), place, &mut inner);
            }
            FieldKind::Email {}
            | FieldKind::Phone {}
            | FieldKind::YesNo {}
            | FieldKind::Address {}
            | FieldKind::Siret {}
            | FieldKind::Explanation { .. }
            | FieldKind::SectionHeader {} => {}
        }
    }

    fn pattern(&mut self, path: &str, pattern: &TextPattern) {
        if let Err(error) = regex_lite::Regex::new(&format!("^(?:{})$", pattern.regex)) {
            let detail = error.to_string();
            let first_line = detail.lines().last().unwrap_or_default().trim();
            self.error(path, s::invalid_pattern(first_line));
        }
        if pattern.message.trim().is_empty() {
            self.error(path, s::PATTERN_MESSAGE_EMPTY);
        }
    }

    fn bounds<T: PartialOrd>(&mut self, path: &str, min: Option<T>, max: Option<T>) {
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            self.error(path, s::BOUNDS_REVERSED);
        }
    }

    fn options(&mut self, path: &str, options: &[ChoiceOption]) {
        if options.is_empty() {
            self.error(path, s::NO_OPTIONS);
        }
        let mut values = BTreeSet::new();
        for (index, option) in options.iter().enumerate() {
            let option_path = format!("{path}.options[{index}]");
            if option.value.trim().is_empty() {
                self.error(&option_path, s::OPTION_VALUE_EMPTY);
            } else if !values.insert(option.value.as_str()) {
                self.error(&option_path, s::duplicate_option(&option.value));
            }
            if option.label.trim().is_empty() {
                self.error(&option_path, s::OPTION_LABEL_EMPTY);
            }
        }
    }

    fn condition(&mut self, path: &str, condition: &Condition, scope: &Scope<'a>) {
        match condition {
            Condition::And(parts) | Condition::Or(parts) => {
                for part in parts {
                    self.condition(path, part, scope);
                }
            }
            Condition::Not(inner) => self.condition(path, inner, scope),
            Condition::IsEmpty { field } => {
                self.reference(path, field, scope);
            }
            Condition::Compare { field, op, value } => {
                if let Some(kind) = self.reference(path, field, scope) {
                    self.comparison(path, kind, *op, value);
                }
            }
            Condition::In { field, values } => {
                if let Some(kind) = self.reference(path, field, scope) {
                    if values.is_empty() {
                        self.error(path, s::CONDITION_EMPTY_LIST);
                    }
                    for value in values {
                        self.comparison(path, kind, CompareOp::Eq, value);
                    }
                }
            }
        }
    }

    /// The kind of the field `code` if a condition at this point may read it.
    fn reference(&mut self, path: &str, code: &str, scope: &Scope<'a>) -> Option<&'a FieldKind> {
        if let Some((_, kind)) = scope.iter().rev().find(|(c, _)| *c == code) {
            return Some(kind);
        }
        match self.all.get(code) {
            None => self.error(path, s::condition_unknown_field(code)),
            Some(kind) if !kind.has_answer() => self.error(path, s::condition_no_answer(code)),
            Some(_) => self.error(path, s::condition_not_earlier(code)),
        }
        None
    }

    fn comparison(&mut self, path: &str, kind: &FieldKind, op: CompareOp, value: &Literal) {
        let field_type = value_type(kind);
        if field_type == ValueType::Opaque {
            return self.error(path, s::CONDITION_ONLY_IS_EMPTY);
        }
        if op.is_ordering() && !matches!(field_type, ValueType::Number | ValueType::Date) {
            return self.error(path, s::ORDERING_NOT_ALLOWED);
        }
        let expected = match field_type {
            ValueType::Choices => ValueType::Text,
            other => other,
        };
        if literal_type(value) != expected {
            return self.error(path, s::CONDITION_TYPE_MISMATCH);
        }
        if let (Some(options), Literal::Text(text)) = (options_of(kind), value)
            && !options.iter().any(|option| &option.value == text)
        {
            self.error(path, s::condition_unknown_option(text));
        }
    }
}

fn prefill_fits(attribute: ProfileAttribute, kind: &FieldKind) -> bool {
    matches!(
        (attribute, kind),
        (ProfileAttribute::DisplayName, FieldKind::ShortText { .. })
            | (
                ProfileAttribute::Email,
                FieldKind::Email {} | FieldKind::ShortText { .. }
            )
            | (
                ProfileAttribute::Phone,
                FieldKind::Phone {} | FieldKind::ShortText { .. }
            )
            | (ProfileAttribute::Address, FieldKind::Address {})
            | (
                ProfileAttribute::GivenName
                    | ProfileAttribute::BirthName
                    | ProfileAttribute::UsageName
                    | ProfileAttribute::BirthPlace
                    | ProfileAttribute::BirthCountry,
                FieldKind::ShortText { .. }
            )
            | (ProfileAttribute::BirthDate, FieldKind::Date { .. })
            | (ProfileAttribute::Gender, FieldKind::SingleChoice { .. })
            | (
                ProfileAttribute::OrganisationName | ProfileAttribute::OrganisationRna,
                FieldKind::ShortText { .. }
            )
            | (
                ProfileAttribute::OrganisationSiret,
                FieldKind::Siret {} | FieldKind::ShortText { .. }
            )
            | (ProfileAttribute::HouseholdChildren, FieldKind::Group { .. })
    )
}

/// `type/subtype` or `type/*`, in lowercase-insensitive MIME token characters.
fn is_valid_media_range(raw: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match raw.split_once('/') {
        Some((kind, sub)) => token(kind) && (sub == "*" || token(sub)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::model::{Decimal, IsoDate};
    use crate::demarches::testing::*;

    fn problems(definition: &Definition) -> Vec<(String, String)> {
        validate_definition(&demarche(), definition)
            .into_iter()
            .map(|e| (e.path, e.message))
            .collect()
    }

    fn problem(path: &str, message: impl Into<String>) -> (String, String) {
        (path.to_owned(), message.into())
    }

    #[test]
    fn a_complete_realistic_form_is_publishable() {
        assert_eq!(problems(&full_definition()), vec![]);
        assert_eq!(publishable(&demarche(), &full_definition()), Ok(()));
    }

    #[test]
    fn the_demarche_needs_a_title_and_an_ordered_publication_window() {
        let mut card = demarche();
        card.title = "  ".into();
        card.publication.from = IsoDate::parse("2025-06-01");
        card.publication.to = IsoDate::parse("2025-05-31");
        let errors = publishable(&card, &full_definition()).unwrap_err();
        assert_eq!(
            errors,
            vec![
                DefinitionError {
                    path: "title".into(),
                    message: s::TITLE_EMPTY.into()
                },
                DefinitionError {
                    path: "publication".into(),
                    message: s::WINDOW_REVERSED.into()
                },
            ]
        );
        card.title = "Titre".into();
        card.publication.to = IsoDate::parse("2025-06-01");
        assert_eq!(publishable(&card, &full_definition()), Ok(()));
    }

    #[test]
    fn empty_forms_and_empty_steps_are_refused() {
        assert_eq!(
            problems(&Definition::default()),
            vec![problem("steps", s::NO_STEPS)]
        );
        let mut empty = step("vide", vec![]);
        empty.title = String::new();
        assert_eq!(
            problems(&Definition { steps: vec![empty] }),
            vec![
                problem("vide", s::STEP_TITLE_EMPTY),
                problem("vide", s::STEP_EMPTY)
            ]
        );
    }

    #[test]
    fn codes_must_be_well_formed_and_unique_including_inside_groups() {
        for good in ["a", "nom", "enfant_2", "x_"] {
            assert!(is_valid_code(good), "{good}");
        }
        for bad in ["", "2a", "_a", "Nom", "pré", "a-b", "a b", &"a".repeat(65)] {
            assert!(!is_valid_code(bad), "{bad}");
        }
        let form = definition(vec![
            field("Nom", short_text()),
            field("", short_text()),
            field("prenom", short_text()),
            field(
                "enfants",
                FieldKind::Group {
                    fields: vec![field("prenom", short_text())],
                    min_items: 0,
                    max_items: 2,
                },
            ),
            field("etape", short_text()),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("Nom", s::CODE_INVALID),
                problem("fields[1]", s::CODE_INVALID),
                problem("enfants.prenom", s::duplicate_code("prenom")),
                problem("etape", s::duplicate_code("etape")),
            ]
        );
    }

    #[test]
    fn incoherent_bounds_and_limits_are_refused() {
        let form = definition(vec![
            field(
                "entier",
                FieldKind::Integer {
                    min: Some(5),
                    max: Some(4),
                },
            ),
            field(
                "decimal",
                FieldKind::Decimal {
                    min: Decimal::parse("1.5"),
                    max: Decimal::parse("1.25"),
                },
            ),
            field(
                "date",
                FieldKind::Date {
                    min: IsoDate::parse("2025-01-02"),
                    max: IsoDate::parse("2025-01-01"),
                },
            ),
            field(
                "texte",
                FieldKind::ShortText {
                    max_length: Some(0),
                    pattern: None,
                },
            ),
            field(
                "long",
                FieldKind::LongText {
                    max_length: Some(10_001),
                    pattern: None,
                },
            ),
            field(
                "coches",
                FieldKind::MultipleChoice {
                    options: options(&["a", "b"]),
                    min_selected: Some(3),
                    max_selected: None,
                },
            ),
            field(
                "coches2",
                FieldKind::MultipleChoice {
                    options: options(&["a", "b"]),
                    min_selected: Some(2),
                    max_selected: Some(1),
                },
            ),
            field(
                "pj",
                FieldKind::Files {
                    accepted_types: vec!["pdf".into(), "image/*".into()],
                    max_size_bytes: 0,
                    max_files: 1,
                },
            ),
            field(
                "groupe",
                FieldKind::Group {
                    fields: vec![],
                    min_items: 3,
                    max_items: 2,
                },
            ),
            field(
                "groupe2",
                FieldKind::Group {
                    fields: vec![field("x", short_text())],
                    min_items: 0,
                    max_items: 0,
                },
            ),
            field(
                "entier_ok",
                FieldKind::Integer {
                    min: Some(4),
                    max: Some(4),
                },
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("entier", s::BOUNDS_REVERSED),
                problem("decimal", s::BOUNDS_REVERSED),
                problem("date", s::BOUNDS_REVERSED),
                problem("texte", s::MAX_LENGTH_INVALID),
                problem("long", s::MAX_LENGTH_INVALID),
                problem("coches", s::SELECTION_BOUNDS_INVALID),
                problem("coches2", s::SELECTION_BOUNDS_INVALID),
                problem("pj", s::FILES_LIMITS_INVALID),
                problem("pj", s::invalid_accepted_type("pdf")),
                problem("groupe", s::GROUP_EMPTY),
                problem("groupe", s::GROUP_BOUNDS_INVALID),
                problem("groupe2", s::GROUP_BOUNDS_INVALID),
            ]
        );
    }

    #[test]
    fn choice_options_must_be_present_filled_and_distinct() {
        let mut opts = options(&["a", "a", ""]);
        if let Some(option) = opts.get_mut(1) {
            option.label = " ".into();
        }
        let form = definition(vec![
            field(
                "vide",
                FieldKind::SingleChoice {
                    options: vec![],
                    display: Default::default(),
                },
            ),
            field(
                "choix",
                FieldKind::SingleChoice {
                    options: opts,
                    display: Default::default(),
                },
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("vide", s::NO_OPTIONS),
                problem("choix.options[1]", s::duplicate_option("a")),
                problem("choix.options[1]", s::OPTION_LABEL_EMPTY),
                problem("choix.options[2]", s::OPTION_VALUE_EMPTY),
                problem("choix.options[2]", s::OPTION_LABEL_EMPTY),
            ]
        );
    }

    #[test]
    fn patterns_must_compile_and_carry_a_message() {
        let pattern = |regex: &str, message: &str| FieldKind::ShortText {
            max_length: None,
            pattern: Some(TextPattern {
                regex: regex.into(),
                message: message.into(),
            }),
        };
        let form = definition(vec![
            field("bon", pattern("[0-9]{5}", "Cinq chiffres.")),
            field("mauvais", pattern("[0-9", "Cinq chiffres.")),
            field("muet", pattern("[0-9]+", " ")),
        ]);
        let found = problems(&form);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "mauvais");
        assert!(
            found[0]
                .1
                .starts_with("Le format (expression régulière) n'est pas valide : "),
            "{}",
            found[0].1
        );
        assert_eq!(found[1], problem("muet", s::PATTERN_MESSAGE_EMPTY));
    }

    #[test]
    fn fields_without_answer_cannot_be_required_or_prefilled_and_need_no_label() {
        let mut note = required(field(
            "note",
            FieldKind::Explanation {
                body: "Texte".into(),
            },
        ));
        note.label = String::new();
        let mut sans_libelle = field("sans_libelle", short_text());
        sans_libelle.label = " ".into();
        assert_eq!(
            problems(&definition(vec![note, sans_libelle])),
            vec![
                problem("note", s::NO_ANSWER_CANNOT_BE_REQUIRED),
                problem("sans_libelle", s::LABEL_EMPTY),
            ]
        );
    }

    #[test]
    fn prefill_must_fit_the_field_and_stay_outside_groups() {
        let form = definition(vec![
            prefilled(
                "tel",
                FieldKind::Integer {
                    min: None,
                    max: None,
                },
                ProfileAttribute::Phone,
            ),
            prefilled("adresse", short_text(), ProfileAttribute::Address),
            prefilled("nom", short_text(), ProfileAttribute::DisplayName),
            field(
                "membres",
                FieldKind::Group {
                    fields: vec![prefilled(
                        "courriel",
                        FieldKind::Email {},
                        ProfileAttribute::Email,
                    )],
                    min_items: 0,
                    max_items: 3,
                },
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("tel", s::PREFILL_INCOMPATIBLE),
                problem("adresse", s::PREFILL_INCOMPATIBLE),
                problem("membres.courriel", s::PREFILL_IN_GROUP),
            ]
        );
    }

    #[test]
    fn a_group_prefilled_with_the_households_children_maps_its_sub_fields_to_a_childs_identity() {
        let date = || FieldKind::Date {
            min: None,
            max: None,
        };
        let children = |fields: Vec<Field>| {
            prefilled(
                "enfants",
                FieldKind::Group {
                    fields,
                    min_items: 0,
                    max_items: 6,
                },
                ProfileAttribute::HouseholdChildren,
            )
        };
        let good = definition(vec![children(vec![
            prefilled("prenom", short_text(), ProfileAttribute::GivenName),
            prefilled("nom", short_text(), ProfileAttribute::BirthName),
            prefilled("ne_le", date(), ProfileAttribute::BirthDate),
            field("classe", short_text()),
        ])]);
        assert_eq!(problems(&good), vec![]);
        let bad = definition(vec![
            children(vec![
                prefilled("lieu", short_text(), ProfileAttribute::BirthPlace),
                prefilled("courriel", FieldKind::Email {}, ProfileAttribute::Email),
            ]),
            prefilled("fratrie", short_text(), ProfileAttribute::HouseholdChildren),
        ]);
        assert_eq!(
            problems(&bad),
            vec![
                problem("enfants.lieu", s::PREFILL_IN_CHILDREN_GROUP),
                problem("enfants.courriel", s::PREFILL_IN_CHILDREN_GROUP),
                problem("fratrie", s::PREFILL_CHILDREN_KIND),
            ]
        );
    }

    #[test]
    fn organisation_prefill_needs_the_demarche_to_allow_organisations() {
        let form = definition(vec![
            prefilled("raison", short_text(), ProfileAttribute::OrganisationName),
            prefilled(
                "siret",
                FieldKind::Siret {},
                ProfileAttribute::OrganisationSiret,
            ),
            prefilled(
                "rna",
                FieldKind::Email {},
                ProfileAttribute::OrganisationRna,
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("rna", s::PREFILL_INCOMPATIBLE),
                problem("beneficiary", s::ORGANISATION_PREFILL_NOT_ALLOWED),
            ]
        );
        let mut demarche = demarche();
        demarche.beneficiary.organisation = true;
        demarche.beneficiary.age = Some(crate::demarches::beneficiary::AgeRule {
            min: Some(12),
            max: Some(3),
            on: crate::demarches::beneficiary::AgeReference::Submission,
        });
        let found: Vec<(String, String)> = validate_definition(&demarche, &form)
            .into_iter()
            .map(|e| (e.path, e.message))
            .collect();
        assert_eq!(
            found,
            vec![
                problem("rna", s::PREFILL_INCOMPATIBLE),
                problem("beneficiary", s::age_reversed(12, 3)),
            ]
        );
    }

    #[test]
    fn identity_attributes_fit_only_their_kind_of_field() {
        assert_eq!(problems(&identity_definition()), vec![]);
        let date = || FieldKind::Date {
            min: None,
            max: None,
        };
        let form = definition(vec![
            prefilled("naissance_texte", short_text(), ProfileAttribute::BirthDate),
            prefilled("prenom_date", date(), ProfileAttribute::GivenName),
            prefilled("sexe_texte", short_text(), ProfileAttribute::Gender),
            prefilled(
                "pays_courriel",
                FieldKind::Email {},
                ProfileAttribute::BirthCountry,
            ),
            prefilled(
                "sexe_incomplet",
                civilite(["madame", "autre"]),
                ProfileAttribute::Gender,
            ),
            prefilled("sexe_court", civilite(["F", "M"]), ProfileAttribute::Gender),
            prefilled(
                "sexe_anglais",
                civilite(["female", "male"]),
                ProfileAttribute::Gender,
            ),
            field(
                "membres",
                FieldKind::Group {
                    fields: vec![prefilled("nee_le", date(), ProfileAttribute::BirthDate)],
                    min_items: 0,
                    max_items: 3,
                },
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("naissance_texte", s::PREFILL_INCOMPATIBLE),
                problem("prenom_date", s::PREFILL_INCOMPATIBLE),
                problem("sexe_texte", s::PREFILL_INCOMPATIBLE),
                problem("pays_courriel", s::PREFILL_INCOMPATIBLE),
                problem("sexe_incomplet", s::PREFILL_GENDER_OPTIONS),
                problem("membres.nee_le", s::PREFILL_IN_GROUP),
            ]
        );
    }

    #[test]
    fn documents_written_before_the_identity_attributes_still_read_and_new_ones_round_trip() {
        let old =
            r#"{"code":"nom","label":"Nom","prefill":"display_name","kind":{"short_text":{}}}"#;
        let field: Field = serde_json::from_str(old).unwrap();
        assert_eq!(field.prefill, Some(ProfileAttribute::DisplayName));
        let birth = prefilled(
            "naissance",
            FieldKind::Date {
                min: None,
                max: None,
            },
            ProfileAttribute::BirthDate,
        );
        let json = serde_json::to_string(&birth).unwrap();
        assert!(json.contains(r#""prefill":"birth_date""#), "{json}");
        assert_eq!(serde_json::from_str::<Field>(&json).unwrap(), birth);
    }

    #[test]
    fn conditions_may_only_read_earlier_answerable_fields() {
        let mut later_step = step("suite", vec![field("apres", FieldKind::YesNo {})]);
        later_step.condition = Some(cmp("avant", CompareOp::Eq, Literal::YesNo(true)));
        let mut first = step(
            "debut",
            vec![
                field("avant", FieldKind::YesNo {}),
                field("note", FieldKind::SectionHeader {}),
                when(
                    field("a", short_text()),
                    cmp("apres", CompareOp::Eq, Literal::YesNo(true)),
                ),
                when(
                    field("b", short_text()),
                    Condition::IsEmpty {
                        field: "inconnu".into(),
                    },
                ),
                when(
                    field("c", short_text()),
                    Condition::IsEmpty {
                        field: "note".into(),
                    },
                ),
                when(
                    field("d", short_text()),
                    Condition::IsEmpty { field: "d".into() },
                ),
                field(
                    "groupe",
                    FieldKind::Group {
                        fields: vec![
                            field("interne", FieldKind::YesNo {}),
                            when(
                                field("suite_interne", short_text()),
                                Condition::And(vec![
                                    cmp("interne", CompareOp::Eq, Literal::YesNo(true)),
                                    cmp("avant", CompareOp::Eq, Literal::YesNo(true)),
                                ]),
                            ),
                        ],
                        min_items: 0,
                        max_items: 2,
                    },
                ),
                when(
                    field("e", short_text()),
                    Condition::IsEmpty {
                        field: "interne".into(),
                    },
                ),
            ],
        );
        first.condition = Some(Condition::IsEmpty {
            field: "avant".into(),
        });
        let found = problems(&Definition {
            steps: vec![first, later_step],
        });
        assert_eq!(
            found,
            vec![
                problem("debut", s::condition_not_earlier("avant")),
                problem("a", s::condition_not_earlier("apres")),
                problem("b", s::condition_unknown_field("inconnu")),
                problem("c", s::condition_no_answer("note")),
                problem("d", s::condition_not_earlier("d")),
                problem("e", s::condition_not_earlier("interne")),
            ]
        );
    }

    #[test]
    fn conditions_must_compare_values_of_the_fields_type() {
        let form = definition(vec![
            field(
                "age",
                FieldKind::Integer {
                    min: None,
                    max: None,
                },
            ),
            field("oui", FieldKind::YesNo {}),
            field("nom", short_text()),
            field(
                "choix",
                FieldKind::SingleChoice {
                    options: options(&["a", "b"]),
                    display: Default::default(),
                },
            ),
            field(
                "coches",
                FieldKind::MultipleChoice {
                    options: options(&["x", "y"]),
                    min_selected: None,
                    max_selected: None,
                },
            ),
            field("adresse", FieldKind::Address {}),
            field(
                "jour",
                FieldKind::Date {
                    min: None,
                    max: None,
                },
            ),
            when(
                field("t1", short_text()),
                cmp("age", CompareOp::Eq, Literal::Text("18".into())),
            ),
            when(
                field("t2", short_text()),
                cmp("oui", CompareOp::Gt, Literal::YesNo(false)),
            ),
            when(
                field("t3", short_text()),
                cmp("nom", CompareOp::Lt, Literal::Text("M".into())),
            ),
            when(
                field("t4", short_text()),
                cmp("choix", CompareOp::Eq, Literal::Text("c".into())),
            ),
            when(
                field("t5", short_text()),
                Condition::In {
                    field: "coches".into(),
                    values: vec![Literal::Text("z".into())],
                },
            ),
            when(
                field("t6", short_text()),
                cmp("adresse", CompareOp::Eq, Literal::Text("x".into())),
            ),
            when(
                field("t7", short_text()),
                Condition::In {
                    field: "age".into(),
                    values: vec![],
                },
            ),
            when(
                field("t8", short_text()),
                cmp("coches", CompareOp::Ge, Literal::Text("x".into())),
            ),
            when(
                field("ok", short_text()),
                Condition::Or(vec![
                    cmp(
                        "age",
                        CompareOp::Ge,
                        Literal::Decimal(Decimal::parse("17.5").unwrap()),
                    ),
                    cmp(
                        "jour",
                        CompareOp::Lt,
                        Literal::Date(IsoDate::parse("2025-01-01").unwrap()),
                    ),
                    Condition::Not(Box::new(cmp(
                        "coches",
                        CompareOp::Eq,
                        Literal::Text("x".into()),
                    ))),
                    Condition::In {
                        field: "choix".into(),
                        values: vec![Literal::Text("a".into())],
                    },
                    Condition::IsEmpty {
                        field: "adresse".into(),
                    },
                ]),
            ),
        ]);
        assert_eq!(
            problems(&form),
            vec![
                problem("t1", s::CONDITION_TYPE_MISMATCH),
                problem("t2", s::ORDERING_NOT_ALLOWED),
                problem("t3", s::ORDERING_NOT_ALLOWED),
                problem("t4", s::condition_unknown_option("c")),
                problem("t5", s::condition_unknown_option("z")),
                problem("t6", s::CONDITION_ONLY_IS_EMPTY),
                problem("t7", s::CONDITION_EMPTY_LIST),
                problem("t8", s::ORDERING_NOT_ALLOWED),
            ]
        );
    }
}
