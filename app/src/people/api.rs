//! Server functions of the people feature: the citizen's own record, household and
//! organisations, and an agent's correction of a household member. Thin: tenant transaction +
//! signed-in user → service.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::model::{HouseholdView, OrganisationView, RecordView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::account::api::tenant_tx;
    pub use crate::account::model::Role;
    pub use crate::account::service::{require_role, require_user};
    pub use crate::infra::reply;
    pub use crate::people::{household, organisations, record};
}

#[server(endpoint = "people/my_record")]
pub async fn my_record() -> Result<RecordView, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let view = record::my_record(&tx, &user).await?;
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

/// An input left out (a certified value is shown, not posted) leaves its attribute alone.
#[server(endpoint = "people/save_my_record")]
pub async fn save_my_record(
    civility: Option<String>,
    given_names: Option<String>,
    birth_name: Option<String>,
    usage_name: Option<String>,
    birth_date: Option<String>,
    birth_place: Option<String>,
    phone: Option<String>,
    address_number: Option<String>,
    address_street: Option<String>,
    address_postcode: Option<String>,
    address_commune: Option<String>,
) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let input = record::RecordInput {
                civility,
                given_names,
                birth_name,
                usage_name,
                birth_date,
                birth_place,
                phone,
                address_number,
                address_street,
                address_postcode,
                address_commune,
            };
            record::save_my_record(&tx, &user, &input).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "people/my_household")]
pub async fn my_household() -> Result<HouseholdView, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let view = household::my_household(&tx, &user).await?;
            tx.commit().await?;
            Ok(view)
        }
        .await,
    )
}

/// Returns the new member's person id.
#[server(endpoint = "people/add_member")]
pub async fn add_household_member(
    #[server(default)] relation: String,
    #[server(default)] civility: String,
    #[server(default)] given_names: String,
    #[server(default)] birth_name: String,
    #[server(default)] birth_date: String,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let input = household::MemberInput {
                relation,
                civility,
                given_names,
                birth_name,
                birth_date,
            };
            let id = household::add_member(&tx, &user, &input).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

#[server(endpoint = "people/update_member")]
pub async fn update_household_member(
    member: String,
    #[server(default)] relation: String,
    #[server(default)] civility: String,
    #[server(default)] given_names: String,
    #[server(default)] birth_name: String,
    #[server(default)] birth_date: String,
) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let input = household::MemberInput {
                relation,
                civility,
                given_names,
                birth_name,
                birth_date,
            };
            household::update_member(&tx, &user, &member, &input).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "people/remove_member")]
pub async fn remove_household_member(member: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            household::remove_member(&tx, &user, &member).await?;
            tx.commit().await
        }
        .await,
    )
}

/// An agent corrects a household member (the 360° page's form): `relation` empty keeps it.
#[server(endpoint = "people/correct_member")]
pub async fn correct_household_member(
    member: String,
    #[server(default)] relation: String,
    #[server(default)] civility: String,
    #[server(default)] given_names: String,
    #[server(default)] birth_name: String,
    #[server(default)] birth_date: String,
) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let agent = require_role(&tx, Role::Agent).await?;
            let input = household::Correction {
                relation,
                civility,
                given_names,
                birth_name,
                birth_date,
            };
            household::correct_member(&tx, &agent, &member, &input).await?;
            tx.commit().await
        }
        .await,
    )
}

#[server(endpoint = "people/my_organisations")]
pub async fn my_organisations() -> Result<Vec<OrganisationView>, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let list = organisations::my_organisations(&tx, &user).await?;
            tx.commit().await?;
            Ok(list)
        }
        .await,
    )
}

/// Returns the organisation's id.
#[server(endpoint = "people/add_organisation")]
pub async fn add_organisation(
    #[server(default)] kind: String,
    #[server(default)] name: String,
    #[server(default)] number: String,
    #[server(default)] role: String,
) -> Result<String, AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            let input = organisations::OrganisationInput {
                kind,
                name,
                number,
                role,
            };
            let id = organisations::add_organisation(&tx, &user, &input).await?;
            tx.commit().await?;
            Ok(id.to_string())
        }
        .await,
    )
}

#[server(endpoint = "people/leave_organisation")]
pub async fn leave_organisation(organisation: String) -> Result<(), AppError> {
    use ssr::*;
    reply(
        async {
            let (_, tx) = tenant_tx().await?;
            let user = require_user(&tx).await?;
            organisations::leave_organisation(&tx, &user, &organisation).await?;
            tx.commit().await
        }
        .await,
    )
}
