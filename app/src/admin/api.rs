use leptos::prelude::*;

use crate::account::model::UserView;
use crate::error::AppError;

#[server(endpoint = "admin/invite_agent")]
pub async fn invite_agent(
    email: String,
    display_name: String,
    role: String,
) -> Result<UserView, AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (state, tx) = crate::account::api::tenant_tx().await?;
            let admin = crate::account::service::require_role(&tx, Role::Admin).await?;
            let role = Role::parse(&role)?;
            let invited = crate::account::service::invite_agent(
                &tx,
                state.settings(),
                &admin.display_name,
                &email,
                &display_name,
                role,
            )
            .await?;
            tx.commit().await?;
            Ok(invited)
        }
        .await,
    )
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserView>, AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            crate::account::service::require_role(&tx, Role::Admin).await?;
            let users = crate::account::service::list_users(&tx).await?;
            tx.commit().await?;
            Ok(users)
        }
        .await,
    )
}

/// Deactivates or reactivates an agent (`actif`: "1" to reactivate).
#[server(endpoint = "admin/agent_active")]
pub async fn set_agent_active(user_id: String, actif: String) -> Result<(), AppError> {
    use crate::account::model::Role;
    crate::infra::reply(
        async {
            let (_, tx) = crate::account::api::tenant_tx().await?;
            let admin = crate::account::service::require_role(&tx, Role::Admin).await?;
            crate::account::service::set_agent_active(&tx, &admin, &user_id, actif == "1").await?;
            tx.commit().await
        }
        .await,
    )
}
