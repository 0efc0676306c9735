//! Property tests: random definitions and answers never make the validators or the evaluator
//! panic, and every definition the validator accepts survives export then import unchanged.

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::answers::{prefill, validate_answers};
use super::condition::{CompareOp, Condition, Literal, evaluate};
use super::definition::validate_definition;
use super::document::{DemarcheDocument, export, import};
use super::model::*;

const CODES: &[&str] = &["a", "b", "c", "d", "enfants", "prenom", "Nom", ""];
const TEXTS: &[&str] = &[
    "",
    "  ",
    "a",
    "oui",
    "non",
    "12",
    "-3,5",
    "2024-02-29",
    "31/12/2023",
    "06 12 34 56 78",
    "73282932000074",
    "marie@exemple.fr",
    "é",
    "(",
    "[0-9]{2}",
    "x y z",
];

fn code() -> impl Strategy<Value = String> {
    select(CODES).prop_map(str::to_owned)
}

fn text() -> impl Strategy<Value = String> {
    select(TEXTS).prop_map(str::to_owned)
}

fn date() -> impl Strategy<Value = IsoDate> {
    (1u16..=9999, 1u8..=12, 1u8..=31)
        .prop_map(|(y, m, d)| IsoDate::new(y, m, d).or(IsoDate::new(y, m, 28)))
        .prop_filter_map("real date", |d| d)
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i32>(), 0u32..1_000_000)
        .prop_filter_map("decimal", |(i, f)| Decimal::parse(&format!("{i}.{f:06}")))
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        text().prop_map(Literal::Text),
        any::<i64>().prop_map(Literal::Integer),
        decimal().prop_map(Literal::Decimal),
        date().prop_map(Literal::Date),
        any::<bool>().prop_map(Literal::YesNo),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
    ])
}

fn condition() -> impl Strategy<Value = Condition> {
    let leaf = prop_oneof![
        (code(), op(), literal()).prop_map(|(field, op, value)| Condition::Compare {
            field,
            op,
            value
        }),
        (code(), vec(literal(), 0..3)).prop_map(|(field, values)| Condition::In { field, values }),
        code().prop_map(|field| Condition::IsEmpty { field }),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Condition::And),
            vec(inner.clone(), 0..3).prop_map(Condition::Or),
            inner.prop_map(|c| Condition::Not(Box::new(c))),
        ]
    })
}

fn choice_options() -> impl Strategy<Value = Vec<ChoiceOption>> {
    vec((text(), text()), 0..4).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(value, label)| ChoiceOption { value, label })
            .collect()
    })
}

fn pattern() -> impl Strategy<Value = Option<TextPattern>> {
    option::of((text(), text()).prop_map(|(regex, message)| TextPattern { regex, message }))
}

fn leaf_kind() -> impl Strategy<Value = FieldKind> {
    prop_oneof![
        (option::of(0u32..12_000), pattern()).prop_map(|(max_length, pattern)| {
            FieldKind::ShortText {
                max_length,
                pattern,
            }
        }),
        (option::of(0u32..12_000), pattern()).prop_map(|(max_length, pattern)| {
            FieldKind::LongText {
                max_length,
                pattern,
            }
        }),
        Just(FieldKind::Email {}),
        Just(FieldKind::Phone {}),
        (option::of(any::<i64>()), option::of(any::<i64>()))
            .prop_map(|(min, max)| FieldKind::Integer { min, max }),
        (option::of(decimal()), option::of(decimal()))
            .prop_map(|(min, max)| FieldKind::Decimal { min, max }),
        (option::of(date()), option::of(date()))
            .prop_map(|(min, max)| FieldKind::Date { min, max }),
        Just(FieldKind::YesNo {}),
        (choice_options(), any::<bool>()).prop_map(|(options, list)| FieldKind::SingleChoice {
            options,
            display: if list {
                ChoiceDisplay::List
            } else {
                ChoiceDisplay::Radio
            },
        }),
        (choice_options(), option::of(0u32..4), option::of(0u32..4)).prop_map(
            |(options, min_selected, max_selected)| FieldKind::MultipleChoice {
                options,
                min_selected,
                max_selected,
            }
        ),
        Just(FieldKind::Address {}),
        Just(FieldKind::Siret {}),
        (
            vec(select(vec!["application/pdf", "image/*", "pdf"]), 0..3),
            0u64..3000,
            0u32..3
        )
            .prop_map(|(types, max_size_bytes, max_files)| FieldKind::Files {
                accepted_types: types.into_iter().map(str::to_owned).collect(),
                max_size_bytes,
                max_files,
            }),
        text().prop_map(|body| FieldKind::Explanation { body }),
        Just(FieldKind::SectionHeader {}),
    ]
}

fn field_with(kind: impl Strategy<Value = FieldKind>) -> impl Strategy<Value = Field> {
    (
        code(),
        text(),
        any::<bool>(),
        option::of(condition()),
        option::of(select(vec![
            ProfileAttribute::DisplayName,
            ProfileAttribute::Email,
            ProfileAttribute::Phone,
            ProfileAttribute::Address,
            ProfileAttribute::GivenName,
            ProfileAttribute::BirthDate,
            ProfileAttribute::Gender,
        ])),
        kind,
    )
        .prop_map(|(code, label, required, condition, prefill, kind)| Field {
            code,
            label,
            help: String::new(),
            required,
            condition,
            prefill,
            kind,
        })
}

fn kind() -> impl Strategy<Value = FieldKind> {
    prop_oneof![
        4 => leaf_kind(),
        1 => (vec(field_with(leaf_kind()), 0..3), 0u32..3, 0u32..4).prop_map(
            |(fields, min_items, max_items)| FieldKind::Group { fields, min_items, max_items }
        ),
    ]
}

fn definition() -> impl Strategy<Value = Definition> {
    vec(
        (
            code(),
            text(),
            option::of(condition()),
            vec(field_with(kind()), 0..4),
        ),
        0..4,
    )
    .prop_map(|steps| Definition {
        steps: steps
            .into_iter()
            .map(|(code, title, condition, fields)| Step {
                code,
                title,
                condition,
                fields,
            })
            .collect(),
    })
}

fn demarche() -> impl Strategy<Value = Demarche> {
    (
        select(vec!["", "Titre"]),
        option::of(date()),
        option::of(date()),
        any::<bool>(),
    )
        .prop_map(|(title, from, to, anonymous)| Demarche {
            title: title.to_owned(),
            description: String::new(),
            rubrique: "Rubrique".to_owned(),
            audience: if anonymous {
                Audience::AnonymousAllowed
            } else {
                Audience::IdentifiedOnly
            },
            publication: PublicationWindow { from, to },
            state: DemarcheState::Draft,
            default_service: None,
            beneficiary: Default::default(),
        })
}

fn raw_leaf() -> impl Strategy<Value = RawAnswer> {
    prop_oneof![
        text().prop_map(RawAnswer::Text),
        any::<bool>().prop_map(RawAnswer::YesNo),
        vec(text(), 0..4).prop_map(RawAnswer::Choices),
        (text(), text(), select(vec!["44000", "4400", ""]), text()).prop_map(
            |(number, street, postcode, commune)| RawAnswer::Address(Address {
                number,
                street,
                postcode: postcode.to_owned(),
                commune,
            })
        ),
        vec(
            (
                text(),
                0u64..5000,
                select(vec!["application/pdf", "image/png", "text/html"])
            ),
            0..4
        )
        .prop_map(|files| RawAnswer::Files(
            files
                .into_iter()
                .map(|(name, size, content_type)| FileRef {
                    id: "id".to_owned(),
                    name,
                    size,
                    content_type: content_type.to_owned(),
                })
                .collect()
        )),
    ]
}

fn answers() -> impl Strategy<Value = Answers> {
    let raw = prop_oneof![
        4 => raw_leaf(),
        1 => vec(btree_map(code(), raw_leaf(), 0..4).prop_map(Answers), 0..3).prop_map(RawAnswer::Group),
    ];
    btree_map(code(), raw, 0..7).prop_map(Answers)
}

fn clean_values() -> impl Strategy<Value = std::collections::BTreeMap<String, AnswerValue>> {
    let value = prop_oneof![
        text().prop_map(AnswerValue::Text),
        any::<i64>().prop_map(AnswerValue::Integer),
        decimal().prop_map(AnswerValue::Decimal),
        date().prop_map(AnswerValue::Date),
        any::<bool>().prop_map(AnswerValue::YesNo),
        vec(text(), 0..3).prop_map(AnswerValue::Choices),
    ];
    btree_map(code(), value, 0..6)
}

/// Unique codes, labels and titles, no conditions and no prefill: what is left to accept or
/// refuse is the kinds' own settings.
fn sanitise(definition: &mut Definition) {
    fn rename(fields: &mut [Field], next: &mut usize) {
        for field in fields {
            field.code = format!("f{next}");
            field.label = format!("Champ {next}");
            *next += 1;
            field.condition = None;
            field.prefill = None;
            if let FieldKind::Group { fields, .. } = &mut field.kind {
                rename(fields, next);
            }
        }
    }
    let mut next = 0;
    for (index, step) in definition.steps.iter_mut().enumerate() {
        step.code = format!("s{index}");
        step.title = format!("Étape {index}");
        step.condition = None;
        rename(&mut step.fields, &mut next);
    }
}

proptest! {
    // Only about one random definition in ten is accepted; more cases give the round trip
    // enough accepted ones to check.
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_definitions_and_answers_never_panic_the_validators(
        demarche in demarche(),
        definition in definition(),
        answers in answers(),
        profile_name in option::of(text()),
    ) {
        let _ = validate_definition(&demarche, &definition);
        let _ = validate_answers(&definition, &answers);
        let profile = Profile {
            display_name: profile_name,
            certified: Some(crate::demarches::testing::certified_marie()),
            ..Profile::default()
        };
        let mut prefilled = prefill(&definition, &profile);
        crate::demarches::answers::locks(&definition, &profile).enforce(&mut prefilled);
        let _ = validate_answers(&definition, &prefilled);
    }

    #[test]
    fn random_conditions_never_panic_the_evaluator(
        condition in condition(),
        values in clean_values(),
    ) {
        let result = evaluate(&condition, &values);
        let negated = evaluate(&Condition::Not(Box::new(condition)), &values);
        prop_assert_eq!(result, !negated);
    }

    #[test]
    fn accepted_definitions_round_trip_through_export_and_import(
        mut demarche in demarche(),
        mut definition in definition(),
    ) {
        sanitise(&mut definition);
        demarche.title = "Titre".to_owned();
        let json = export(&demarche, &definition);
        let document = DemarcheDocument::new(demarche.clone(), definition.clone());
        // Every definition keeps its structure through JSON…
        prop_assert_eq!(serde_json::from_str::<DemarcheDocument>(&json).ok(), Some(document.clone()));
        // …and an accepted one imports back unchanged.
        if validate_definition(&demarche, &definition).is_empty() {
            prop_assert_eq!(import(&json), Ok(document));
        } else {
            prop_assert!(import(&json).is_err());
        }
    }
}
