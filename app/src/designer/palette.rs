//! The kinds of field an agent can drop on a step, and the field each one starts as.

use crate::demarches::model::{ChoiceDisplay, ChoiceOption, Field, FieldKind};

use super::strings as s;

/// One entry of the palette. The order of [`PaletteKind::ALL`] is the palette's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaletteKind {
    ShortText,
    LongText,
    Email,
    Phone,
    Integer,
    Decimal,
    Date,
    YesNo,
    SingleChoice,
    MultipleChoice,
    Address,
    Siret,
    Files,
    Explanation,
    SectionHeader,
    Group,
}

impl PaletteKind {
    pub const ALL: [PaletteKind; 16] = [
        Self::ShortText,
        Self::LongText,
        Self::Email,
        Self::Phone,
        Self::Integer,
        Self::Decimal,
        Self::Date,
        Self::YesNo,
        Self::SingleChoice,
        Self::MultipleChoice,
        Self::Address,
        Self::Siret,
        Self::Files,
        Self::Explanation,
        Self::SectionHeader,
        Self::Group,
    ];

    /// Stable token used in drag-and-drop payloads and test ids.
    pub fn token(self) -> &'static str {
        match self {
            Self::ShortText => "short_text",
            Self::LongText => "long_text",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Date => "date",
            Self::YesNo => "yes_no",
            Self::SingleChoice => "single_choice",
            Self::MultipleChoice => "multiple_choice",
            Self::Address => "address",
            Self::Siret => "siret",
            Self::Files => "files",
            Self::Explanation => "explanation",
            Self::SectionHeader => "section_header",
            Self::Group => "group",
        }
    }

    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.token() == token)
    }

    pub fn of(kind: &FieldKind) -> Self {
        match kind {
            FieldKind::ShortText { .. } => Self::ShortText,
            FieldKind::LongText { .. } => Self::LongText,
            FieldKind::Email {} => Self::Email,
            FieldKind::Phone {} => Self::Phone,
            FieldKind::Integer { .. } => Self::Integer,
            FieldKind::Decimal { .. } => Self::Decimal,
            FieldKind::Date { .. } => Self::Date,
            FieldKind::YesNo {} => Self::YesNo,
            FieldKind::SingleChoice { .. } => Self::SingleChoice,
            FieldKind::MultipleChoice { .. } => Self::MultipleChoice,
            FieldKind::Address {} => Self::Address,
            FieldKind::Siret {} => Self::Siret,
            FieldKind::Files { .. } => Self::Files,
            FieldKind::Explanation { .. } => Self::Explanation,
            FieldKind::SectionHeader {} => Self::SectionHeader,
            FieldKind::Group { .. } => Self::Group,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ShortText => s::KIND_SHORT_TEXT,
            Self::LongText => s::KIND_LONG_TEXT,
            Self::Email => s::KIND_EMAIL,
            Self::Phone => s::KIND_PHONE,
            Self::Integer => s::KIND_INTEGER,
            Self::Decimal => s::KIND_DECIMAL,
            Self::Date => s::KIND_DATE,
            Self::YesNo => s::KIND_YES_NO,
            Self::SingleChoice => s::KIND_SINGLE_CHOICE,
            Self::MultipleChoice => s::KIND_MULTIPLE_CHOICE,
            Self::Address => s::KIND_ADDRESS,
            Self::Siret => s::KIND_SIRET,
            Self::Files => s::KIND_FILES,
            Self::Explanation => s::KIND_EXPLANATION,
            Self::SectionHeader => s::KIND_SECTION_HEADER,
            Self::Group => s::KIND_GROUP,
        }
    }

    /// Prefix of generated codes: readable in exports and conditions.
    pub fn code_base(self) -> &'static str {
        match self {
            Self::ShortText => "texte",
            Self::LongText => "texte_long",
            Self::Email => "courriel",
            Self::Phone => "telephone",
            Self::Integer => "nombre",
            Self::Decimal => "montant",
            Self::Date => "date",
            Self::YesNo => "oui_non",
            Self::SingleChoice => "choix",
            Self::MultipleChoice => "choix_multiple",
            Self::Address => "adresse",
            Self::Siret => "siret",
            Self::Files => "fichiers",
            Self::Explanation => "explication",
            Self::SectionHeader => "section",
            Self::Group => "groupe",
        }
    }

    /// Kinds allowed inside a group (no nested groups: one level of repetition is what the
    /// portal renders).
    pub fn allowed_in_group(self) -> bool {
        !matches!(self, Self::Group)
    }

    /// The settings a freshly dropped field starts with: valid, so that dropping alone never
    /// produces an error the agent did not cause.
    pub fn default_kind(self) -> FieldKind {
        let two_options = || {
            vec![
                ChoiceOption {
                    value: "option_1".to_owned(),
                    label: s::DEFAULT_OPTION_1.to_owned(),
                },
                ChoiceOption {
                    value: "option_2".to_owned(),
                    label: s::DEFAULT_OPTION_2.to_owned(),
                },
            ]
        };
        match self {
            Self::ShortText => FieldKind::ShortText {
                max_length: None,
                pattern: None,
            },
            Self::LongText => FieldKind::LongText {
                max_length: None,
                pattern: None,
            },
            Self::Email => FieldKind::Email {},
            Self::Phone => FieldKind::Phone {},
            Self::Integer => FieldKind::Integer {
                min: None,
                max: None,
            },
            Self::Decimal => FieldKind::Decimal {
                min: None,
                max: None,
            },
            Self::Date => FieldKind::Date {
                min: None,
                max: None,
            },
            Self::YesNo => FieldKind::YesNo {},
            Self::SingleChoice => FieldKind::SingleChoice {
                options: two_options(),
                display: ChoiceDisplay::Radio,
            },
            Self::MultipleChoice => FieldKind::MultipleChoice {
                options: two_options(),
                min_selected: None,
                max_selected: None,
            },
            Self::Address => FieldKind::Address {},
            Self::Siret => FieldKind::Siret {},
            Self::Files => FieldKind::Files {
                accepted_types: vec!["application/pdf".to_owned(), "image/*".to_owned()],
                max_size_bytes: 10 * 1024 * 1024,
                max_files: 1,
            },
            Self::Explanation => FieldKind::Explanation {
                body: s::DEFAULT_EXPLANATION.to_owned(),
            },
            Self::SectionHeader => FieldKind::SectionHeader {},
            Self::Group => FieldKind::Group {
                fields: Vec::new(),
                min_items: 0,
                max_items: 10,
            },
        }
    }

    /// A new field of this kind with the given (unique) code.
    pub fn new_field(self, code: String) -> Field {
        Field {
            code,
            label: self.label().to_owned(),
            help: String::new(),
            required: false,
            condition: None,
            prefill: None,
            kind: self.default_kind(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_kind_of_the_model_is_in_the_palette_with_a_round_tripping_token() {
        for kind in PaletteKind::ALL {
            assert_eq!(PaletteKind::from_token(kind.token()), Some(kind));
            assert_eq!(PaletteKind::of(&kind.default_kind()), kind);
            assert!(crate::demarches::definition::is_valid_code(
                kind.code_base()
            ));
        }
        assert_eq!(PaletteKind::from_token("inconnu"), None);
    }
}
