//! Server functions of the instruction designer (managers and admins).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Instruction, InstructionProblem};
use crate::demarches::model::{Definition, FieldKind};
use crate::error::AppError;

/// What the instruction designer opens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionPage {
    pub title: String,
    pub instruction: Instruction,
    /// `(id, path)` of the commune's services, in tree order.
    pub services: Vec<(String, String)>,
    /// `(code, label)` of the fields a routing rule may read.
    pub fields: Vec<(String, String)>,
    /// Status codes that dossiers of this démarche are in: they cannot be removed.
    pub statuses_in_use: Vec<String>,
}

/// The fields a routing rule may read, from the démarche's form: its answerable top-level
/// fields (not files nor repeated groups, whose answers route nothing), and for an address
/// its postcode and commune.
pub fn routing_fields(definition: &Definition) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in definition.steps.iter().flat_map(|s| &s.fields) {
        match &field.kind {
            FieldKind::Explanation { .. }
            | FieldKind::SectionHeader {}
            | FieldKind::Files { .. }
            | FieldKind::Group { .. } => {}
            FieldKind::Address {} => {
                out.push((
                    format!("{}.postcode", field.code),
                    super::strings::postcode_of(&field.label),
                ));
                out.push((
                    format!("{}.commune", field.code),
                    super::strings::commune_of(&field.label),
                ));
            }
            _ => out.push((field.code.clone(), field.label.clone())),
        }
    }
    out
}

#[server(endpoint = "instruction/load")]
pub async fn load_instruction(demarche: String) -> Result<InstructionPage, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::demarches::service::require_designer(&tx).await?;
            let page = super::service::page(&tx, &demarche).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

/// Validates and saves the document (JSON of [`Instruction`]). Problems come back on their
/// element, and then nothing is saved.
#[server(endpoint = "instruction/save")]
pub async fn save_instruction(
    demarche: String,
    document: String,
) -> Result<Vec<InstructionProblem>, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let designer = crate::demarches::service::require_designer(&tx).await?;
            let instruction: Instruction = serde_json::from_str(&document).map_err(|error| {
                AppError::invalid(
                    "document",
                    format!("{} ({error})", super::strings::DOCUMENT_INVALID),
                )
            })?;
            let problems = super::service::save(&tx, &designer, &demarche, &instruction).await?;
            tx.commit().await?;
            Ok(problems)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routing_offers_answerable_fields_and_the_parts_of_an_address() {
        let definition: Definition = serde_json::from_value(serde_json::json!({ "steps": [
            { "code": "a", "title": "A", "fields": [
                { "code": "intro", "label": "Intro", "kind": { "explanation": { "body": "…" } } },
                { "code": "nature", "label": "Nature", "kind": { "single_choice": { "options": [] } } },
                { "code": "lieu", "label": "Lieu", "kind": { "address": {} } },
                { "code": "photo", "label": "Photo", "kind": { "files": { "max_size_bytes": 1, "max_files": 1 } } }
            ] }
        ] }))
        .unwrap();
        let codes: Vec<String> = routing_fields(&definition)
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        assert_eq!(codes, vec!["nature", "lieu.postcode", "lieu.commune"]);
    }
}
