//! Builders shared by the tests of this feature.

use super::condition::{CompareOp, Condition, Literal};
use super::model::*;

pub fn field(code: &str, kind: FieldKind) -> Field {
    Field {
        code: code.to_owned(),
        label: format!("Libellé {code}"),
        help: String::new(),
        required: false,
        condition: None,
        prefill: None,
        kind,
    }
}

pub fn required(mut field: Field) -> Field {
    field.required = true;
    field
}

pub fn when(mut field: Field, condition: Condition) -> Field {
    field.condition = Some(condition);
    field
}

pub fn step(code: &str, fields: Vec<Field>) -> Step {
    Step {
        code: code.to_owned(),
        title: format!("Étape {code}"),
        condition: None,
        fields,
    }
}

pub fn definition(fields: Vec<Field>) -> Definition {
    Definition {
        steps: vec![step("etape", fields)],
    }
}

pub fn demarche() -> Demarche {
    Demarche {
        title: "Inscription à la cantine".to_owned(),
        description: "Pour les enfants des écoles publiques.".to_owned(),
        rubrique: "Enfance".to_owned(),
        audience: Audience::IdentifiedOnly,
        publication: PublicationWindow::default(),
        state: DemarcheState::Draft,
        default_service: Some("enfance".to_owned()),
        beneficiary: Default::default(),
    }
}

pub fn cmp(field: &str, op: CompareOp, value: Literal) -> Condition {
    Condition::Compare {
        field: field.to_owned(),
        op,
        value,
    }
}

pub fn short_text() -> FieldKind {
    FieldKind::ShortText {
        max_length: None,
        pattern: None,
    }
}

pub fn options(values: &[&str]) -> Vec<ChoiceOption> {
    values
        .iter()
        .map(|v| ChoiceOption {
            value: (*v).to_owned(),
            label: v.to_uppercase(),
        })
        .collect()
}

pub fn text(value: &str) -> RawAnswer {
    RawAnswer::Text(value.to_owned())
}

pub fn answers(pairs: Vec<(&str, RawAnswer)>) -> Answers {
    Answers(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// A realistic, valid form using every kind of field.
pub fn full_definition() -> Definition {
    Definition {
        steps: vec![
            step(
                "demandeur",
                vec![
                    field("intro", FieldKind::SectionHeader {}),
                    Field {
                        prefill: Some(ProfileAttribute::DisplayName),
                        ..required(field("nom", short_text()))
                    },
                    Field {
                        prefill: Some(ProfileAttribute::Email),
                        ..field("courriel", FieldKind::Email {})
                    },
                    Field {
                        prefill: Some(ProfileAttribute::Phone),
                        ..field("telephone", FieldKind::Phone {})
                    },
                    Field {
                        prefill: Some(ProfileAttribute::Address),
                        ..field("adresse", FieldKind::Address {})
                    },
                    field("entreprise", FieldKind::YesNo {}),
                    when(
                        required(field("siret", FieldKind::Siret {})),
                        cmp("entreprise", CompareOp::Eq, Literal::YesNo(true)),
                    ),
                ],
            ),
            step(
                "enfants_etape",
                vec![
                    field(
                        "note",
                        FieldKind::Explanation {
                            body: "Un bloc par enfant.".to_owned(),
                        },
                    ),
                    field(
                        "enfants",
                        FieldKind::Group {
                            fields: vec![
                                required(field("prenom", short_text())),
                                field(
                                    "naissance",
                                    FieldKind::Date {
                                        min: IsoDate::parse("2010-01-01"),
                                        max: None,
                                    },
                                ),
                                field(
                                    "regime",
                                    FieldKind::SingleChoice {
                                        options: options(&["standard", "sans_porc", "vegetarien"]),
                                        display: ChoiceDisplay::Radio,
                                    },
                                ),
                            ],
                            min_items: 1,
                            max_items: 5,
                        },
                    ),
                    field(
                        "jours",
                        FieldKind::MultipleChoice {
                            options: options(&["lundi", "mardi", "jeudi", "vendredi"]),
                            min_selected: Some(1),
                            max_selected: Some(4),
                        },
                    ),
                    field(
                        "quotient",
                        FieldKind::Integer {
                            min: Some(0),
                            max: Some(5000),
                        },
                    ),
                    field(
                        "montant",
                        FieldKind::Decimal {
                            min: Decimal::parse("0"),
                            max: Decimal::parse("999.99"),
                        },
                    ),
                    field(
                        "commentaire",
                        FieldKind::LongText {
                            max_length: Some(500),
                            pattern: None,
                        },
                    ),
                    field(
                        "justificatifs",
                        FieldKind::Files {
                            accepted_types: vec!["application/pdf".into(), "image/*".into()],
                            max_size_bytes: 1024 * 1024,
                            max_files: 2,
                        },
                    ),
                ],
            ),
        ],
    }
}

pub fn prefilled(code: &str, kind: FieldKind, attribute: ProfileAttribute) -> Field {
    Field {
        prefill: Some(attribute),
        ..field(code, kind)
    }
}

pub fn civilite(values: [&str; 2]) -> FieldKind {
    FieldKind::SingleChoice {
        options: values
            .iter()
            .map(|v| ChoiceOption {
                value: (*v).to_owned(),
                label: format!("Libellé {v}"),
            })
            .collect(),
        display: ChoiceDisplay::Radio,
    }
}

/// A form asking for every identity attribute, each in the kind of field it fits.
pub fn identity_definition() -> Definition {
    let text = short_text;
    definition(vec![
        prefilled("prenoms", text(), ProfileAttribute::GivenName),
        prefilled("nom_naissance", text(), ProfileAttribute::BirthName),
        prefilled("nom_usage", text(), ProfileAttribute::UsageName),
        prefilled(
            "naissance",
            FieldKind::Date {
                min: None,
                max: None,
            },
            ProfileAttribute::BirthDate,
        ),
        prefilled("lieu", text(), ProfileAttribute::BirthPlace),
        prefilled("pays", text(), ProfileAttribute::BirthCountry),
        prefilled(
            "civilite",
            civilite(["madame", "monsieur"]),
            ProfileAttribute::Gender,
        ),
        prefilled("nom", text(), ProfileAttribute::DisplayName),
        prefilled("courriel", FieldKind::Email {}, ProfileAttribute::Email),
    ])
}

/// What FranceConnect certifies about Marie Curie (no usage name).
pub fn certified_marie() -> crate::identity::model::CertifiedIdentity {
    crate::identity::model::CertifiedIdentity {
        given_name: "Marie Salomea".into(),
        family_name: "Skłodowska".into(),
        preferred_username: None,
        birthdate: Some("1867-11-07".into()),
        birthplace: Some(String::new()),
        birthcountry: Some("99122".into()),
        gender: Some("female".into()),
        email: Some("marie@exemple.fr".into()),
        provider: "FranceConnect".into(),
        acr: "eidas1".into(),
        certified_at: "2026-12-07T10:00:00Z".into(),
    }
}
