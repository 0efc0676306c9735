//! What the condition editor offers: only fields placed earlier in the form, and only the
//! operators and values that fit the referenced field's type (the rules of
//! [`crate::demarches::definition`]), plus editing a condition tree by path.

use crate::demarches::condition::{CompareOp, Condition, Literal};
use crate::demarches::model::{Decimal, Definition, Field, FieldKind, IsoDate};

use super::strings as s;

/// A field a condition may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRef {
    pub code: String,
    pub label: String,
    pub kind: FieldKind,
}

/// Answerable top-level fields placed before field `index` of step `step` (pass
/// `index = 0` for the step's own condition, which may only read earlier steps).
pub fn earlier_fields(definition: &Definition, step: usize, index: usize) -> Vec<FieldRef> {
    let mut out = Vec::new();
    for (s_index, s) in definition.steps.iter().enumerate().take(step + 1) {
        let take = if s_index == step {
            index
        } else {
            s.fields.len()
        };
        for field in s.fields.iter().take(take) {
            if field.kind.has_answer() {
                out.push(FieldRef {
                    code: field.code.clone(),
                    label: field.label.clone(),
                    kind: field.kind.clone(),
                });
            }
        }
    }
    out
}

/// Answerable sub-fields of `group` placed before sub-field `index`: what a condition on that
/// sub-field may read besides the earlier fields of the form.
pub fn earlier_sub_fields(group: Option<&Field>, index: usize) -> Vec<FieldRef> {
    let fields = match group.map(|g| &g.kind) {
        Some(FieldKind::Group { fields, .. }) => fields.as_slice(),
        _ => &[],
    };
    fields
        .iter()
        .take(index)
        .filter(|field| field.kind.has_answer())
        .map(|field| FieldRef {
            code: field.code.clone(),
            label: field.label.clone(),
            kind: field.kind.clone(),
        })
        .collect()
}

/// The operators of the condition editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Compare(CompareOp),
    In,
    IsEmpty,
}

impl Operator {
    pub fn token(self) -> &'static str {
        match self {
            Self::Compare(CompareOp::Eq) => "eq",
            Self::Compare(CompareOp::Ne) => "ne",
            Self::Compare(CompareOp::Lt) => "lt",
            Self::Compare(CompareOp::Le) => "le",
            Self::Compare(CompareOp::Gt) => "gt",
            Self::Compare(CompareOp::Ge) => "ge",
            Self::In => "in",
            Self::IsEmpty => "is_empty",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        ALL_OPERATORS.into_iter().find(|op| op.token() == token)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Compare(CompareOp::Eq) => "=",
            Self::Compare(CompareOp::Ne) => "≠",
            Self::Compare(CompareOp::Lt) => "<",
            Self::Compare(CompareOp::Le) => "≤",
            Self::Compare(CompareOp::Gt) => ">",
            Self::Compare(CompareOp::Ge) => "≥",
            Self::In => s::OP_IN,
            Self::IsEmpty => s::OP_IS_EMPTY,
        }
    }

    pub fn of(condition: &Condition) -> Option<Self> {
        match condition {
            Condition::Compare { op, .. } => Some(Self::Compare(*op)),
            Condition::In { .. } => Some(Self::In),
            Condition::IsEmpty { .. } => Some(Self::IsEmpty),
            _ => None,
        }
    }
}

const ALL_OPERATORS: [Operator; 8] = [
    Operator::Compare(CompareOp::Eq),
    Operator::Compare(CompareOp::Ne),
    Operator::Compare(CompareOp::Lt),
    Operator::Compare(CompareOp::Le),
    Operator::Compare(CompareOp::Gt),
    Operator::Compare(CompareOp::Ge),
    Operator::In,
    Operator::IsEmpty,
];

/// The operators that make sense for a field of this kind.
pub fn operators_for(kind: &FieldKind) -> Vec<Operator> {
    use Operator::*;
    let equality = [Compare(CompareOp::Eq), Compare(CompareOp::Ne), In, IsEmpty];
    match kind {
        FieldKind::Integer { .. } | FieldKind::Decimal { .. } | FieldKind::Date { .. } => {
            ALL_OPERATORS.to_vec()
        }
        FieldKind::YesNo {} => vec![Compare(CompareOp::Eq), Compare(CompareOp::Ne), IsEmpty],
        FieldKind::ShortText { .. }
        | FieldKind::LongText { .. }
        | FieldKind::Email {}
        | FieldKind::Phone {}
        | FieldKind::Siret {}
        | FieldKind::SingleChoice { .. }
        | FieldKind::MultipleChoice { .. } => equality.to_vec(),
        _ => vec![IsEmpty],
    }
}

/// A literal typed for the field, read from what the agent typed (`None`: not a value of
/// that type).
pub fn parse_literal(kind: &FieldKind, raw: &str) -> Option<Literal> {
    let raw = raw.trim();
    match kind {
        FieldKind::Integer { .. } => raw.parse().ok().map(Literal::Integer),
        FieldKind::Decimal { .. } => Decimal::parse(raw).map(Literal::Decimal),
        FieldKind::Date { .. } => IsoDate::parse_input(raw).map(Literal::Date),
        FieldKind::YesNo {} => match raw {
            "oui" | "true" => Some(Literal::YesNo(true)),
            "non" | "false" => Some(Literal::YesNo(false)),
            _ => None,
        },
        _ => Some(Literal::Text(raw.to_owned())),
    }
}

/// How a literal is shown in an input (`parse_literal` reads it back).
pub fn literal_input(literal: &Literal) -> String {
    match literal {
        Literal::Text(text) => text.clone(),
        Literal::Integer(n) => n.to_string(),
        Literal::Decimal(d) => d.to_string(),
        Literal::Date(d) => d.to_string(),
        Literal::YesNo(true) => "oui".to_owned(),
        Literal::YesNo(false) => "non".to_owned(),
    }
}

/// A sensible first value for a comparison on this kind.
pub fn default_literal(kind: &FieldKind) -> Literal {
    match kind {
        FieldKind::Integer { .. } => Literal::Integer(0),
        FieldKind::Decimal { .. } => Literal::Decimal(Decimal::from_integer(0)),
        // 2000-01-01 always exists; the fallback only satisfies the types.
        FieldKind::Date { min, .. } => min
            .or_else(|| IsoDate::new(2000, 1, 1))
            .map_or_else(|| Literal::Text(String::new()), Literal::Date),
        FieldKind::YesNo {} => Literal::YesNo(true),
        FieldKind::SingleChoice { options, .. } | FieldKind::MultipleChoice { options, .. } => {
            Literal::Text(options.first().map(|o| o.value.clone()).unwrap_or_default())
        }
        _ => Literal::Text(String::new()),
    }
}

/// The rule a new condition on `field` starts as.
pub fn new_rule(field: &FieldRef) -> Condition {
    match operators_for(&field.kind).first() {
        Some(Operator::Compare(op)) => Condition::Compare {
            field: field.code.clone(),
            op: *op,
            value: default_literal(&field.kind),
        },
        _ => Condition::IsEmpty {
            field: field.code.clone(),
        },
    }
}

/// The same rule with another operator, keeping its field and, where it fits, its value.
pub fn with_operator(rule: &Condition, operator: Operator, kind: &FieldKind) -> Condition {
    let (field, values) = match rule {
        Condition::Compare { field, value, .. } => (field.clone(), vec![value.clone()]),
        Condition::In { field, values } => (field.clone(), values.clone()),
        Condition::IsEmpty { field } => (field.clone(), Vec::new()),
        other => return other.clone(),
    };
    match operator {
        Operator::Compare(op) => Condition::Compare {
            field,
            op,
            value: values
                .into_iter()
                .next()
                .unwrap_or_else(|| default_literal(kind)),
        },
        Operator::In => Condition::In {
            field,
            values: if values.is_empty() {
                vec![default_literal(kind)]
            } else {
                values
            },
        },
        Operator::IsEmpty => Condition::IsEmpty { field },
    }
}

/// The node at `path` (child indices; `Not` has one child, index 0).
pub fn node_at<'a>(condition: &'a Condition, path: &[usize]) -> Option<&'a Condition> {
    match path.split_first() {
        None => Some(condition),
        Some((first, rest)) => match condition {
            Condition::And(parts) | Condition::Or(parts) => node_at(parts.get(*first)?, rest),
            Condition::Not(inner) if *first == 0 => node_at(inner, rest),
            _ => None,
        },
    }
}

pub fn node_at_mut<'a>(condition: &'a mut Condition, path: &[usize]) -> Option<&'a mut Condition> {
    match path.split_first() {
        None => Some(condition),
        Some((first, rest)) => match condition {
            Condition::And(parts) | Condition::Or(parts) => {
                node_at_mut(parts.get_mut(*first)?, rest)
            }
            Condition::Not(inner) if *first == 0 => node_at_mut(inner, rest),
            _ => None,
        },
    }
}

/// Removes the node at `path`; removing the root gives `None` (no condition).
pub fn remove_at(condition: Condition, path: &[usize]) -> Option<Condition> {
    let (last, parent_path) = path.split_last()?;
    let mut condition = condition;
    if let Some(parent) = node_at_mut(&mut condition, parent_path) {
        match parent {
            Condition::And(parts) | Condition::Or(parts) if *last < parts.len() => {
                parts.remove(*last);
            }
            Condition::Not(_) => return remove_at(condition, parent_path),
            _ => {}
        }
    }
    Some(condition)
}

/// A short French reading of a condition, with field labels (`« Âge » < 18`).
pub fn describe(condition: &Condition, definition: &Definition) -> String {
    let label = |code: &str| {
        definition
            .steps
            .iter()
            .flat_map(|step| &step.fields)
            .find(|field| field.code == code)
            .map_or_else(|| code.to_owned(), |field| field.label.clone())
    };
    match condition {
        Condition::Compare { field, op, value } => format!(
            "« {} » {} {}",
            label(field),
            Operator::Compare(*op).label(),
            literal_input(value)
        ),
        Condition::In { field, values } => format!(
            "« {} » {} ({})",
            label(field),
            s::OP_IN,
            values
                .iter()
                .map(literal_input)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::IsEmpty { field } => format!("« {} » {}", label(field), s::OP_IS_EMPTY),
        Condition::And(parts) | Condition::Or(parts) => {
            let joiner = if matches!(condition, Condition::And(_)) {
                s::AND
            } else {
                s::OR
            };
            let parts: Vec<String> = parts
                .iter()
                .map(|part| format!("({})", describe(part, definition)))
                .collect();
            parts.join(joiner)
        }
        Condition::Not(inner) => format!("{} ({})", s::NOT, describe(inner, definition)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::testing::*;

    #[test]
    fn only_answerable_fields_placed_earlier_are_offered() {
        let definition = full_definition();
        let codes = |step, index| -> Vec<String> {
            earlier_fields(&definition, step, index)
                .into_iter()
                .map(|f| f.code)
                .collect()
        };
        assert!(codes(0, 0).is_empty());
        assert_eq!(codes(0, 2), ["nom"], "the section header expects no answer");
        // Second step: all the first step's answerable fields, then earlier ones of its own.
        assert_eq!(
            codes(1, 2),
            [
                "nom",
                "courriel",
                "telephone",
                "adresse",
                "entreprise",
                "siret",
                "enfants"
            ]
        );
    }

    #[test]
    fn operators_fit_the_type_of_the_field() {
        let labels = |kind: FieldKind| -> Vec<&str> {
            operators_for(&kind)
                .into_iter()
                .map(Operator::label)
                .collect()
        };
        assert_eq!(
            labels(FieldKind::Integer {
                min: None,
                max: None
            }),
            ["=", "≠", "<", "≤", ">", "≥", s::OP_IN, s::OP_IS_EMPTY]
        );
        assert_eq!(labels(FieldKind::YesNo {}), ["=", "≠", s::OP_IS_EMPTY]);
        assert_eq!(labels(short_text()), ["=", "≠", s::OP_IN, s::OP_IS_EMPTY]);
        assert_eq!(labels(FieldKind::Address {}), [s::OP_IS_EMPTY]);
        for op in ALL_OPERATORS {
            assert_eq!(Operator::from_token(op.token()), Some(op));
        }
    }

    #[test]
    fn every_rule_the_editor_builds_passes_the_definition_validator() {
        use crate::demarches::definition::validate_definition;
        let mut definition = full_definition();
        let offered = earlier_fields(&definition, 1, 2);
        for field in &offered {
            for op in operators_for(&field.kind) {
                let rule = with_operator(&new_rule(field), op, &field.kind);
                definition.steps[1].fields[2].condition = Some(rule.clone());
                assert_eq!(
                    validate_definition(&demarche(), &definition),
                    vec![],
                    "{rule:?}"
                );
            }
        }
    }

    #[test]
    fn literals_are_read_in_the_type_of_the_field() {
        let integer = FieldKind::Integer {
            min: None,
            max: None,
        };
        assert_eq!(parse_literal(&integer, " 12 "), Some(Literal::Integer(12)));
        assert_eq!(parse_literal(&integer, "12,5"), None);
        let date = FieldKind::Date {
            min: None,
            max: None,
        };
        assert_eq!(
            parse_literal(&date, "14/07/2024"),
            IsoDate::parse("2024-07-14").map(Literal::Date)
        );
        assert_eq!(
            parse_literal(&FieldKind::YesNo {}, "non"),
            Some(Literal::YesNo(false))
        );
        let decimal = Literal::Decimal(Decimal::parse("2,5").unwrap());
        assert_eq!(
            parse_literal(
                &FieldKind::Decimal {
                    min: None,
                    max: None
                },
                &literal_input(&decimal)
            ),
            Some(decimal)
        );
    }

    #[test]
    fn nested_conditions_are_edited_by_path_and_described_in_french() {
        let age = cmp("quotient", CompareOp::Lt, Literal::Integer(18));
        let mut tree = Condition::And(vec![
            age.clone(),
            Condition::Not(Box::new(Condition::IsEmpty {
                field: "nom".into(),
            })),
        ]);
        assert_eq!(node_at(&tree, &[0]), Some(&age));
        assert!(matches!(
            node_at(&tree, &[1, 0]),
            Some(Condition::IsEmpty { .. })
        ));
        assert_eq!(node_at(&tree, &[5]), None);
        *node_at_mut(&mut tree, &[0]).unwrap() =
            cmp("quotient", CompareOp::Ge, Literal::Integer(3));
        assert_eq!(
            describe(&tree, &full_definition()),
            "(« Libellé quotient » ≥ 3) et (non (« Libellé nom » est vide))"
        );
        let tree = remove_at(tree, &[1, 0]).unwrap();
        assert_eq!(
            tree,
            Condition::And(vec![cmp("quotient", CompareOp::Ge, Literal::Integer(3))])
        );
        assert_eq!(remove_at(tree, &[]), None);
    }
}
