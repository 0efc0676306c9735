//! Server functions of the org chart: thin — tenant transaction + current user → service.
//! The chart itself is the tenant admins'; any agent records their own absences.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Access, AgentOption, DelegationView, OrgChart, ServiceView};
use crate::error::AppError;

/// What the "Mes absences" page shows an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAbsences {
    /// The signed-in agent's id: the absent one of the delegations they record.
    pub me: String,
    /// Colleagues they may delegate to (themselves excluded).
    pub agents: Vec<AgentOption>,
    /// Their delegations not yet over.
    pub delegations: Vec<DelegationView>,
    /// Their rights today, by service path, own or through a colleague's delegation.
    pub rights: Vec<(String, Access)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::require_role;
    pub use crate::infra::reply;
    pub use crate::org::service;
}

/// The whole chart: services in tree order with their members, agents, delegations.
#[server(endpoint = "org/chart")]
pub async fn load_org_chart() -> Result<OrgChart, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let chart = service::org_chart(&tx).await?;
            tx.commit().await?;
            Ok(chart)
        }
        .await,
    )
}

/// The services in tree order, without members (for pickers).
#[server(endpoint = "org/services")]
pub async fn list_services() -> Result<Vec<ServiceView>, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Agent).await?;
            let services = service::services(&tx).await?;
            tx.commit().await?;
            Ok(services)
        }
        .await,
    )
}

/// The commune's agents (for pickers).
#[server(endpoint = "org/agents")]
pub async fn list_agents() -> Result<Vec<AgentOption>, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Agent).await?;
            let agents = service::agents(&tx).await?;
            tx.commit().await?;
            Ok(agents)
        }
        .await,
    )
}

/// Adds a service; `parent` empty or absent: at the first level. Answers its id.
#[server(endpoint = "org/create_service")]
pub async fn create_service(
    name: String,
    kind: String,
    parent: Option<String>,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            let id = service::create_service(&tx, &name, &kind, parent.as_deref()).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

/// Renames a service, changes its level or moves it (never under itself or a sub-service).
#[server(endpoint = "org/update_service")]
pub async fn update_service(
    id: String,
    name: String,
    kind: String,
    parent: Option<String>,
) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            service::update_service(&tx, &id, &name, &kind, parent.as_deref()).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "org/delete_service")]
pub async fn delete_service(id: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            service::delete_service(&tx, &id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Gives an agent a right on a service, or changes it.
#[server(endpoint = "org/set_member")]
pub async fn set_member(service: String, user: String, access: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            service::set_member(&tx, &service, &user, &access).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "org/remove_member")]
pub async fn remove_member(service: String, user: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            require_role(&tx, Role::Admin).await?;
            service::remove_member(&tx, &service, &user).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// Records that `from` is away and `to` acts for them (dates `yyyy-mm-dd`, inclusive). An
/// agent records their own; an admin anyone's.
#[server(endpoint = "org/add_delegation")]
pub async fn add_delegation(
    from: String,
    to: String,
    starts_on: String,
    ends_on: String,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let actor = require_role(&tx, Role::Agent).await?;
            let id = service::add_delegation(&tx, &actor, &from, &to, &starts_on, &ends_on).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

#[server(endpoint = "org/remove_delegation")]
pub async fn remove_delegation(id: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let actor = require_role(&tx, Role::Agent).await?;
            service::remove_delegation(&tx, &actor, &id).await?;
            tx.commit().await?;
            Ok(())
        }
        .await,
    )
}

/// The signed-in agent's absences, the colleagues they may delegate to, and their rights.
#[server(endpoint = "org/my_absences")]
pub async fn load_my_absences() -> Result<MyAbsences, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let me = require_role(&tx, Role::Agent).await?;
            let user = me.uuid().ok_or(AppError::Unauthenticated)?;
            let rights = service::rights_of(&tx, &me).await?;
            let paths = service::services(&tx).await?;
            let answer = MyAbsences {
                agents: service::agents(&tx)
                    .await?
                    .into_iter()
                    .filter(|a| a.id != me.id)
                    .collect(),
                delegations: service::delegations(&tx, Some(user)).await?,
                rights: paths
                    .into_iter()
                    .filter_map(|s| {
                        let id = uuid::Uuid::parse_str(&s.id).ok()?;
                        rights.access(id).map(|a| (s.path, a))
                    })
                    .collect(),
                me: me.id,
            };
            tx.commit().await?;
            Ok(answer)
        }
        .await,
    )
}
