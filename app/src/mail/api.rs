//! Server functions of the mail page: thin — tenant transaction + admin → service.

use leptos::prelude::*;

use super::model::{MailSettingsView, OutboxPage};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::require_role;
    pub use crate::infra::reply;
    pub use crate::mail::service;
}

/// `status`: a `MailStatus::slug` (`en-attente`, `envoye`, `echec`), or empty for all.
#[server(endpoint = "mail/outbox")]
pub async fn load_outbox(#[server(default)] status: String) -> Result<OutboxPage, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let page =
                service::outbox(&tx, crate::mail::model::MailStatus::from_slug(&status)).await?;
            tx.commit().await?;
            Ok(page)
        }
        .await,
    )
}

#[server(endpoint = "mail/resend")]
pub async fn resend_mail(id: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            service::resend(&tx, &id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "mail/settings")]
pub async fn save_mail_settings(
    #[server(default)] sender_name: String,
    #[server(default)] reply_to: String,
) -> Result<MailSettingsView, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let saved = service::save_settings(&tx, &sender_name, &reply_to).await?;
            tx.commit().await?;
            Ok(saved)
        }
        .await,
    )
}
