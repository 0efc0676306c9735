use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserKind {
    Citizen,
    Agent,
}

/// An agent's role in the tenant; each includes the rights of the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Agent,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Agent, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    pub fn parse(value: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == value)
            .ok_or_else(|| AppError::invalid("role", s::ROLE_INVALID))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Agent => s::ROLE_AGENT,
            Self::Manager => s::ROLE_MANAGER,
            Self::Admin => s::ROLE_ADMIN,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub kind: UserKind,
    pub role: Option<Role>,
    pub verified: bool,
    /// Invited agents who have not chosen a password yet.
    pub pending_invitation: bool,
    /// What an identity provider certified (FranceConnect), if the account is linked to one.
    #[serde(default)]
    pub certified: Option<crate::identity::model::CertifiedIdentity>,
    /// Agents deactivated by an admin sign in no more (password or single sign-on).
    #[serde(default)]
    pub deactivated: bool,
}

/// What the sign-in form's password led to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginOutcome {
    /// Signed in (the browser is sent on to the return page or the user's space).
    SignedIn(Box<UserView>),
    /// The account has a second factor: the browser is sent to the code page
    /// (`second_factor::CODE_PATH`), no session yet.
    CodeRequired,
}

impl UserView {
    pub fn has_role(&self, at_least: Role) -> bool {
        self.role.is_some_and(|role| role >= at_least)
    }

    /// The user's id as the database stores it.
    #[cfg(feature = "ssr")]
    pub fn uuid(&self) -> Option<uuid::Uuid> {
        uuid::Uuid::parse_str(&self.id).ok()
    }
}
