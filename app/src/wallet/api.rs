//! Server functions of the wallet: the citizen's page and the admins' types. Uploads,
//! downloads and deletions are plain routes (`http.rs`): they carry files or answer with them.

use leptos::prelude::*;

use super::model::{PieceType, WalletView};
use crate::error::AppError;

#[server(endpoint = "wallet/mine")]
pub async fn load_wallet() -> Result<WalletView, AppError> {
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let user = crate::account::service::require_user(&tx).await?;
            let view = super::service::wallet(&tx, &user).await?;
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

#[server(endpoint = "wallet/types")]
pub async fn load_piece_types() -> Result<Vec<PieceType>, AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::account::service::require_role(&tx, Role::Admin).await?;
            let types = super::service::types(&tx).await?;
            tx.commit().await?;
            Ok(types)
        }
        .await,
    )
}

/// Creates (`id` empty) or changes a piece type; `active` is a checkbox (`oui` when ticked).
#[server(endpoint = "wallet/save_type")]
pub async fn save_piece_type(
    #[server(default)] id: String,
    #[server(default)] label: String,
    #[server(default)] validity: String,
    #[server(default)] active: String,
) -> Result<(), AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::account::service::require_role(&tx, Role::Admin).await?;
            super::service::save_type(&tx, &id, &label, &validity, !active.is_empty()).await?;
            tx.commit().await
        }
        .await,
    )
}
