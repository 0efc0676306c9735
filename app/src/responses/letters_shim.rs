//! TEMPORARY stand-in for `crate::letters` (the typst letter engine, landing on main soon):
//! the same names and signatures, deleted at the merge.
#![allow(dead_code)]

pub mod model {
    #[derive(Clone, Debug, Default)]
    pub struct LetterExtras {
        pub free_text: String,
        pub signatory: Option<Signatory>,
    }

    #[derive(Clone, Debug)]
    pub struct Signatory {
        pub name: String,
        pub title: String,
        pub on_behalf_of: Option<String>,
        pub signature: Option<SignatureImage>,
    }

    #[derive(Clone, Debug)]
    pub struct SignatureImage {
        pub bytes: Vec<u8>,
        pub content_type: String,
    }

    pub struct RenderedLetter {
        pub pdf: Vec<u8>,
        pub pages: usize,
    }

    #[derive(Clone, Debug)]
    pub struct TemplateSummary {
        pub id: uuid::Uuid,
        pub name: String,
        pub kind: String,
    }
}

pub mod service {
    use uuid::Uuid;

    use super::model::{LetterExtras, RenderedLetter, TemplateSummary};
    use crate::error::AppError;
    use crate::infra::{AppState, TenantTx};

    pub const SHIM_TEMPLATE: Uuid = Uuid::from_u128(0x5a5a_0000_0000_4000_8000_0000_0000_0001);

    pub async fn list_templates(_tx: &TenantTx) -> Result<Vec<TemplateSummary>, AppError> {
        Ok(vec![TemplateSummary {
            id: SHIM_TEMPLATE,
            name: "Courrier simple".into(),
            kind: "reponse".into(),
        }])
    }

    pub async fn render_for_dossier(
        _tx: &TenantTx,
        _state: &AppState,
        template_id: Uuid,
        dossier_id: Uuid,
        extras: &LetterExtras,
    ) -> Result<RenderedLetter, AppError> {
        if template_id != SHIM_TEMPLATE {
            return Err(AppError::NotFound("Modèle inconnu".into()));
        }
        let signer = extras
            .signatory
            .as_ref()
            .map(|s| {
                format!(
                    "{} {} {}",
                    s.name,
                    s.on_behalf_of.clone().unwrap_or_default(),
                    s.signature.as_ref().map(|i| i.bytes.len()).unwrap_or(0)
                )
            })
            .unwrap_or_default();
        Ok(RenderedLetter {
            pdf: format!(
                "%PDF-1.7\n% dossier {dossier_id}\n{}\n{signer}\n%%EOF\n",
                extras.free_text
            )
            .into_bytes(),
            pages: 1,
        })
    }
}
