//! Conditions on steps and fields: an expression tree over earlier answers, and its evaluator.
//!
//! Semantics, typed by the kind of the field referenced:
//! - numbers (integer, decimal) compare numerically, an integer literal against a decimal field
//!   and vice versa included; dates compare chronologically; text compares exactly (after the
//!   trimming done by answer validation); yes/no compares as a boolean and cannot be ordered.
//! - a single choice compares its option `value` as text.
//! - a multiple choice: `eq` means "this option is among those ticked", `ne` its negation, and
//!   `in` means "at least one ticked option is in the list". It cannot be ordered.
//! - `in` on other fields: the answer equals one of the listed values.
//! - a missing answer (empty or hidden field) satisfies only `is_empty`: every comparison and
//!   `in` on it is false, `ne` included (write `not` around `eq` to include empty answers).
//! - addresses, files and groups support only `is_empty`.
//!
//! The evaluator never fails: a comparison the definition validator would refuse (a type
//! mismatch) is simply false.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::model::{AnswerValue, Decimal, IsoDate};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    Compare {
        field: String,
        op: CompareOp,
        value: Literal,
    },
    In {
        field: String,
        values: Vec<Literal>,
    },
    IsEmpty {
        field: String,
    },
    /// True when every part holds (true when empty).
    And(Vec<Condition>),
    /// True when any part holds (false when empty).
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    pub fn is_ordering(self) -> bool {
        matches!(self, Self::Lt | Self::Le | Self::Gt | Self::Ge)
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Self::Eq => ordering == Ordering::Equal,
            Self::Ne => ordering != Ordering::Equal,
            Self::Lt => ordering == Ordering::Less,
            Self::Le => ordering != Ordering::Greater,
            Self::Gt => ordering == Ordering::Greater,
            Self::Ge => ordering != Ordering::Less,
        }
    }
}

/// A constant in a condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Date(IsoDate),
    YesNo(bool),
}

impl Condition {
    /// Every field code this condition reads, in order, with repeats.
    pub fn referenced_fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Self::Compare { field, .. } | Self::In { field, .. } | Self::IsEmpty { field } => {
                out.push(field)
            }
            Self::And(parts) | Self::Or(parts) => {
                for part in parts {
                    part.collect_fields(out);
                }
            }
            Self::Not(inner) => inner.collect_fields(out),
        }
    }
}

/// Evaluates `condition` against the (validated) answers known so far.
pub fn evaluate(condition: &Condition, answers: &BTreeMap<String, AnswerValue>) -> bool {
    match condition {
        Condition::Compare { field, op, value } => match answers.get(field) {
            None => false,
            Some(AnswerValue::Choices(ticked)) => match (op, value) {
                (CompareOp::Eq, Literal::Text(option)) => ticked.contains(option),
                (CompareOp::Ne, Literal::Text(option)) => !ticked.contains(option),
                _ => false,
            },
            Some(answer) => compare(answer, value).is_some_and(|ordering| {
                op.holds(ordering) && (!op.is_ordering() || orderable(answer))
            }),
        },
        Condition::In { field, values } => match answers.get(field) {
            None => false,
            Some(AnswerValue::Choices(ticked)) => ticked.iter().any(|option| {
                values
                    .iter()
                    .any(|v| matches!(v, Literal::Text(t) if t == option))
            }),
            Some(answer) => values
                .iter()
                .any(|v| compare(answer, v) == Some(Ordering::Equal)),
        },
        Condition::IsEmpty { field } => !answers.contains_key(field),
        Condition::And(parts) => parts.iter().all(|part| evaluate(part, answers)),
        Condition::Or(parts) => parts.iter().any(|part| evaluate(part, answers)),
        Condition::Not(inner) => !evaluate(inner, answers),
    }
}

fn orderable(answer: &AnswerValue) -> bool {
    matches!(
        answer,
        AnswerValue::Integer(_) | AnswerValue::Decimal(_) | AnswerValue::Date(_)
    )
}

/// `answer` compared with `literal`, or `None` when their types do not match.
fn compare(answer: &AnswerValue, literal: &Literal) -> Option<Ordering> {
    match (answer, literal) {
        (AnswerValue::Text(a), Literal::Text(b)) => Some(a.as_str().cmp(b.as_str())),
        (AnswerValue::Integer(a), Literal::Integer(b)) => Some(a.cmp(b)),
        (AnswerValue::Integer(a), Literal::Decimal(b)) => Some(Decimal::from_integer(*a).cmp(b)),
        (AnswerValue::Decimal(a), Literal::Decimal(b)) => Some(a.cmp(b)),
        (AnswerValue::Decimal(a), Literal::Integer(b)) => Some(a.cmp(&Decimal::from_integer(*b))),
        (AnswerValue::Date(a), Literal::Date(b)) => Some(a.cmp(b)),
        (AnswerValue::YesNo(a), Literal::YesNo(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, AnswerValue)]) -> BTreeMap<String, AnswerValue> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn cmp(field: &str, op: CompareOp, value: Literal) -> Condition {
        Condition::Compare {
            field: field.to_owned(),
            op,
            value,
        }
    }

    fn date(raw: &str) -> IsoDate {
        IsoDate::parse(raw).unwrap()
    }

    #[test]
    fn numbers_compare_numerically_across_integer_and_decimal() {
        let values = answers(&[
            ("age", AnswerValue::Integer(9)),
            (
                "montant",
                AnswerValue::Decimal(Decimal::parse("10.5").unwrap()),
            ),
        ]);
        assert!(evaluate(
            &cmp("age", CompareOp::Lt, Literal::Integer(10)),
            &values
        ));
        assert!(!evaluate(
            &cmp("age", CompareOp::Gt, Literal::Integer(10)),
            &values
        ));
        assert!(evaluate(
            &cmp("age", CompareOp::Le, Literal::Integer(9)),
            &values
        ));
        assert!(evaluate(
            &cmp("age", CompareOp::Ge, Literal::Integer(9)),
            &values
        ));
        assert!(evaluate(
            &cmp(
                "age",
                CompareOp::Lt,
                Literal::Decimal(Decimal::parse("9.01").unwrap())
            ),
            &values
        ));
        assert!(evaluate(
            &cmp("montant", CompareOp::Gt, Literal::Integer(10)),
            &values
        ));
        assert!(evaluate(
            &cmp("montant", CompareOp::Ne, Literal::Integer(10)),
            &values
        ));
        // "9" < "10" is false as text, true as numbers.
        assert!(evaluate(
            &cmp("age", CompareOp::Lt, Literal::Integer(10)),
            &values
        ));
    }

    #[test]
    fn dates_compare_as_dates_and_text_as_text() {
        let values = answers(&[
            ("naissance", AnswerValue::Date(date("2010-05-01"))),
            ("ville", AnswerValue::Text("Nantes".into())),
        ]);
        assert!(evaluate(
            &cmp(
                "naissance",
                CompareOp::Ge,
                Literal::Date(date("2009-12-31"))
            ),
            &values
        ));
        assert!(!evaluate(
            &cmp(
                "naissance",
                CompareOp::Eq,
                Literal::Date(date("2010-05-02"))
            ),
            &values
        ));
        assert!(evaluate(
            &cmp("ville", CompareOp::Eq, Literal::Text("Nantes".into())),
            &values
        ));
        assert!(!evaluate(
            &cmp("ville", CompareOp::Eq, Literal::Text("nantes".into())),
            &values
        ));
        assert!(evaluate(
            &cmp("ville", CompareOp::Ne, Literal::Text("Rezé".into())),
            &values
        ));
    }

    #[test]
    fn type_mismatches_and_ordered_booleans_are_false_not_errors() {
        let values = answers(&[
            ("age", AnswerValue::Integer(9)),
            ("majeur", AnswerValue::YesNo(true)),
            ("ville", AnswerValue::Text("Nantes".into())),
        ]);
        assert!(!evaluate(
            &cmp("age", CompareOp::Eq, Literal::Text("9".into())),
            &values
        ));
        assert!(!evaluate(
            &cmp("age", CompareOp::Ne, Literal::Text("9".into())),
            &values
        ));
        assert!(!evaluate(
            &cmp("majeur", CompareOp::Gt, Literal::YesNo(false)),
            &values
        ));
        assert!(!evaluate(
            &cmp("ville", CompareOp::Lt, Literal::Text("Paris".into())),
            &values
        ));
        assert!(evaluate(
            &cmp("majeur", CompareOp::Eq, Literal::YesNo(true)),
            &values
        ));
    }

    #[test]
    fn missing_answers_satisfy_only_is_empty() {
        let values = answers(&[]);
        assert!(!evaluate(
            &cmp("age", CompareOp::Ne, Literal::Integer(1)),
            &values
        ));
        assert!(!evaluate(
            &Condition::In {
                field: "age".into(),
                values: vec![Literal::Integer(1)]
            },
            &values
        ));
        assert!(evaluate(
            &Condition::IsEmpty {
                field: "age".into()
            },
            &values
        ));
        assert!(evaluate(
            &Condition::Not(Box::new(cmp("age", CompareOp::Eq, Literal::Integer(1)))),
            &values
        ));
    }

    #[test]
    fn multiple_choice_eq_means_contains_and_in_means_any_ticked() {
        let values = answers(&[(
            "aides",
            AnswerValue::Choices(vec!["cantine".into(), "transport".into()]),
        )]);
        assert!(evaluate(
            &cmp("aides", CompareOp::Eq, Literal::Text("cantine".into())),
            &values
        ));
        assert!(!evaluate(
            &cmp("aides", CompareOp::Eq, Literal::Text("centre".into())),
            &values
        ));
        assert!(evaluate(
            &cmp("aides", CompareOp::Ne, Literal::Text("centre".into())),
            &values
        ));
        assert!(evaluate(
            &Condition::In {
                field: "aides".into(),
                values: vec![
                    Literal::Text("centre".into()),
                    Literal::Text("transport".into())
                ]
            },
            &values
        ));
        assert!(!evaluate(
            &Condition::In {
                field: "aides".into(),
                values: vec![Literal::Text("centre".into())]
            },
            &values
        ));
    }

    #[test]
    fn and_or_not_nest() {
        let values = answers(&[
            ("a", AnswerValue::Integer(1)),
            ("b", AnswerValue::YesNo(false)),
        ]);
        let a1 = cmp("a", CompareOp::Eq, Literal::Integer(1));
        let b_true = cmp("b", CompareOp::Eq, Literal::YesNo(true));
        assert!(!evaluate(
            &Condition::And(vec![a1.clone(), b_true.clone()]),
            &values
        ));
        assert!(evaluate(
            &Condition::Or(vec![a1.clone(), b_true.clone()]),
            &values
        ));
        assert!(evaluate(
            &Condition::And(vec![a1.clone(), Condition::Not(Box::new(b_true.clone()))]),
            &values
        ));
        assert!(evaluate(&Condition::And(vec![]), &values));
        assert!(!evaluate(&Condition::Or(vec![]), &values));
        assert!(evaluate(
            &Condition::In {
                field: "a".into(),
                values: vec![Literal::Integer(3), Literal::Integer(1)]
            },
            &values
        ));
        assert_eq!(
            Condition::Or(vec![a1, Condition::Not(Box::new(b_true))]).referenced_fields(),
            vec!["a", "b"]
        );
    }

    #[test]
    fn conditions_serialise_with_explicit_snake_case_tags() {
        let condition = Condition::Not(Box::new(cmp("age", CompareOp::Ge, Literal::Integer(18))));
        assert_eq!(
            serde_json::to_string(&condition).unwrap(),
            r#"{"not":{"compare":{"field":"age","op":"ge","value":{"integer":18}}}}"#
        );
    }
}
