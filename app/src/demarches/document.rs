//! The versioned JSON exchange format of a démarche (export from one commune, import into
//! another, the future shared store).
//!
//! ```json
//! { "format": "guichet.demarche", "format_version": 1, "demarche": {…}, "definition": {…} }
//! ```
//! Import checks, in order, and stops at the first stage that fails: JSON syntax (with line and
//! column), the format name and version, the structure (unknown or missing properties, wrong
//! values, with their path such as `definition.steps[0].fields[2].kind`), then the definition
//! validator.

use serde::{Deserialize, Serialize};

use super::definition::validate_definition;
use super::model::{Definition, DefinitionError, Demarche};
use super::strings as s;

pub const FORMAT: &str = "guichet.demarche";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemarcheDocument {
    pub format: String,
    pub format_version: u32,
    pub demarche: Demarche,
    pub definition: Definition,
}

impl DemarcheDocument {
    pub fn new(demarche: Demarche, definition: Definition) -> Self {
        Self {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            demarche,
            definition,
        }
    }
}

/// Why a document could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportError {
    /// Not JSON; `line` and `column` start at 1.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// Not a démarche document, or a version this code does not read.
    Format { message: String },
    /// Valid JSON of the wrong shape; `path` is where (`definition.steps[0].title`).
    Structure { path: String, message: String },
    /// Well-formed, but the definition validator refuses it.
    Definition(DefinitionError),
}

impl ImportError {
    pub fn message(&self) -> &str {
        match self {
            Self::Syntax { message, .. }
            | Self::Format { message }
            | Self::Structure { message, .. } => message,
            Self::Definition(error) => &error.message,
        }
    }
}

/// The document as pretty-printed JSON.
pub fn export(demarche: &Demarche, definition: &Definition) -> String {
    let document = DemarcheDocument::new(demarche.clone(), definition.clone());
    // Serialising these types cannot fail: every map key is a string.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// Reads a document's syntax, format and structure, but not whether its definition could be
/// published: what saving a draft needs.
pub fn parse(json: &str) -> Result<DemarcheDocument, Vec<ImportError>> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|error| {
        let detail = match error.classify() {
            serde_json::error::Category::Eof => "le fichier s'arrête trop tôt.",
            _ => "caractère inattendu.",
        };
        vec![ImportError::Syntax {
            line: error.line(),
            column: error.column(),
            message: s::syntax_error(error.line(), error.column(), detail),
        }]
    })?;
    check_format(&value).map_err(|message| vec![ImportError::Format { message }])?;
    let document: DemarcheDocument = serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = french_serde_message(&error.inner().to_string());
        vec![ImportError::Structure { path, message }]
    })?;
    Ok(document)
}

/// Reads a document, saying exactly what is wrong with it.
pub fn import(json: &str) -> Result<DemarcheDocument, Vec<ImportError>> {
    let document = parse(json)?;
    let errors = validate_definition(&document.demarche, &document.definition);
    if errors.is_empty() {
        Ok(document)
    } else {
        Err(errors.into_iter().map(ImportError::Definition).collect())
    }
}

fn check_format(value: &serde_json::Value) -> Result<(), String> {
    let object = value
        .as_object()
        .ok_or_else(|| s::NOT_AN_OBJECT.to_owned())?;
    match object.get("format") {
        None => return Err(s::FORMAT_MISSING.to_owned()),
        Some(serde_json::Value::String(format)) if format == FORMAT => {}
        Some(serde_json::Value::String(format)) => return Err(s::wrong_format(format)),
        Some(other) => return Err(s::wrong_format(&other.to_string())),
    }
    match object.get("format_version") {
        Some(version) if version.as_u64() == Some(u64::from(FORMAT_VERSION)) => Ok(()),
        Some(version) => Err(s::unsupported_version(&version.to_string())),
        None => Err(s::missing_property("format_version")),
    }
}

/// serde's English messages, in French. Messages from our own types (dates, decimals) are
/// already French and pass through.
fn french_serde_message(message: &str) -> String {
    let quoted = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    if message.starts_with("unknown field") || message.starts_with("unknown variant") {
        let names = quoted(message);
        let (name, expected) = names
            .split_first()
            .map_or((String::new(), String::new()), |(name, rest)| {
                (name.clone(), rest.join(", "))
            });
        let expected = if expected.is_empty() {
            "aucune".to_owned()
        } else {
            expected
        };
        if message.starts_with("unknown field") {
            s::unknown_property(&name, &expected)
        } else {
            s::unknown_variant(&name, &expected)
        }
    } else if message.starts_with("missing field") {
        let names = quoted(message);
        s::missing_property(names.first().map_or("", String::as_str))
    } else if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        s::wrong_value(message)
    } else {
        message.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demarches::testing::*;

    fn import_errors(json: &str) -> Vec<ImportError> {
        import(json).unwrap_err()
    }

    #[test]
    fn an_exported_demarche_imports_back_unchanged() {
        let json = export(&demarche(), &full_definition());
        assert!(
            json.starts_with("{\n  \"format\": \"guichet.demarche\",\n  \"format_version\": 1,")
        );
        assert_eq!(
            import(&json),
            Ok(DemarcheDocument::new(demarche(), full_definition()))
        );
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let errors = import_errors("{\n  \"format\": \"guichet.demarche\",\n  oops\n}");
        assert_eq!(
            errors,
            vec![ImportError::Syntax {
                line: 3,
                column: 3,
                message: s::syntax_error(3, 3, "caractère inattendu."),
            }]
        );
        assert!(matches!(
            import_errors("{\"format\": ").as_slice(),
            [ImportError::Syntax { line: 1, .. }]
        ));
    }

    #[test]
    fn other_formats_and_versions_are_refused() {
        assert_eq!(
            import_errors("[]"),
            vec![ImportError::Format {
                message: s::NOT_AN_OBJECT.into()
            }]
        );
        assert_eq!(
            import_errors("{}"),
            vec![ImportError::Format {
                message: s::FORMAT_MISSING.into()
            }]
        );
        assert_eq!(
            import_errors(r#"{"format": "autre.chose", "format_version": 1}"#),
            vec![ImportError::Format {
                message: s::wrong_format("autre.chose")
            }]
        );
        assert_eq!(
            import_errors(r#"{"format": "guichet.demarche", "format_version": 2}"#),
            vec![ImportError::Format {
                message: s::unsupported_version("2")
            }]
        );
    }

    fn document_json() -> serde_json::Value {
        serde_json::from_str(&export(&demarche(), &full_definition())).unwrap()
    }

    #[test]
    fn unknown_properties_are_named_with_their_path() {
        let mut json = document_json();
        json["definition"]["steps"][1]["fields"][1]["colour"] = "rouge".into();
        let errors = import_errors(&json.to_string());
        assert_eq!(errors.len(), 1);
        let ImportError::Structure { path, message } = &errors[0] else {
            panic!("{errors:?}")
        };
        assert_eq!(path, "definition.steps[1].fields[1].colour");
        assert!(
            message
                .starts_with("Propriété inconnue « colour ». Propriétés possibles : code, label"),
            "{message}"
        );
    }

    #[test]
    fn missing_properties_and_wrong_values_are_named_with_their_path() {
        let mut json = document_json();
        if let Some(step) = json["definition"]["steps"][0].as_object_mut() {
            step.remove("title");
        }
        assert_eq!(
            import_errors(&json.to_string()),
            vec![ImportError::Structure {
                path: "definition.steps[0]".into(),
                message: s::missing_property("title"),
            }]
        );
        let mut json = document_json();
        json["definition"]["steps"][1]["fields"][1]["kind"]["group"]["fields"][1]["kind"]["date"]
            ["min"] = "2024-02-30".into();
        assert_eq!(
            import_errors(&json.to_string()),
            vec![ImportError::Structure {
                path: "definition.steps[1].fields[1].kind.group.fields[1].kind.date.min".into(),
                message: "« 2024-02-30 » n'est pas une date valide au format AAAA-MM-JJ.".into(),
            }]
        );
        let mut json = document_json();
        json["definition"]["steps"][0]["fields"][1]["kind"] =
            serde_json::json!({"texte_court": {}});
        let errors = import_errors(&json.to_string());
        let ImportError::Structure { path, message } = &errors[0] else {
            panic!("{errors:?}")
        };
        assert_eq!(path, "definition.steps[0].fields[1].kind");
        assert!(
            message.starts_with(
                "Valeur inconnue « texte_court ». Valeurs possibles : short_text, long_text"
            ),
            "{message}"
        );
        let mut json = document_json();
        json["demarche"]["audience"] = 3.into();
        let errors = import_errors(&json.to_string());
        let ImportError::Structure { path, message } = &errors[0] else {
            panic!("{errors:?}")
        };
        assert_eq!(path, "demarche.audience");
        assert!(
            message.starts_with("Valeur incorrecte : invalid type"),
            "{message}"
        );
    }

    #[test]
    fn a_well_formed_but_invalid_definition_reports_the_validators_errors() {
        let mut json = document_json();
        json["demarche"]["title"] = "".into();
        json["definition"]["steps"][0]["fields"][1]["code"] = "courriel".into();
        assert_eq!(
            import_errors(&json.to_string()),
            vec![
                ImportError::Definition(DefinitionError {
                    path: "title".into(),
                    message: s::TITLE_EMPTY.into()
                }),
                ImportError::Definition(DefinitionError {
                    path: "courriel".into(),
                    message: s::duplicate_code("courriel"),
                }),
            ]
        );
        assert_eq!(
            import_errors(&json.to_string())[0].message(),
            s::TITLE_EMPTY
        );
    }
}
