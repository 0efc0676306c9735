//! Shared types of the org chart.

use serde::{Deserialize, Serialize};

use super::strings as s;
use crate::error::AppError;

/// An agent's right on a service (and its sub-services); each includes the ones before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Reads the service's dossiers.
    Consultation,
    /// Processes them: statuses, answers, notes, messages, pieces, taking charge.
    Modification,
    /// Organises the work: assigns dossiers to other agents, shares saved searches.
    Gestion,
}

impl Access {
    pub const ALL: [Access; 3] = [Self::Consultation, Self::Modification, Self::Gestion];

    pub fn code(self) -> &'static str {
        match self {
            Self::Consultation => "consultation",
            Self::Modification => "modification",
            Self::Gestion => "gestion",
        }
    }

    pub fn parse(code: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|a| a.code() == code)
            .ok_or_else(|| AppError::invalid("access", s::ACCESS_INVALID))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Consultation => s::ACCESS_CONSULTATION,
            Self::Modification => s::ACCESS_MODIFICATION,
            Self::Gestion => s::ACCESS_GESTION,
        }
    }
}

/// The level of a service in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Direction,
    Service,
    Pole,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 3] = [Self::Direction, Self::Service, Self::Pole];

    pub fn code(self) -> &'static str {
        match self {
            Self::Direction => "direction",
            Self::Service => "service",
            Self::Pole => "pole",
        }
    }

    pub fn parse(code: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| AppError::invalid("kind", s::KIND_INVALID))
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Direction => s::KIND_DIRECTION,
            Self::Service => s::KIND_SERVICE,
            Self::Pole => s::KIND_POLE,
        }
    }
}

/// A service as the org chart shows it, with its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub kind: ServiceKind,
    /// Depth in the tree (0 for a root), for indentation.
    pub depth: usize,
    /// "Direction générale › Urbanisme", for pickers.
    pub path: String,
    pub members: Vec<MemberView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub access: Access,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationView {
    pub id: String,
    pub from_name: String,
    pub to_name: String,
    /// `dd/mm/yyyy`.
    pub starts_on: String,
    pub ends_on: String,
}

/// An agent, as pickers list them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentOption {
    pub id: String,
    pub display_name: String,
}

/// Everything the org chart page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChart {
    pub services: Vec<ServiceView>,
    pub agents: Vec<AgentOption>,
    pub delegations: Vec<DelegationView>,
}

/// Orders services depth-first under their parents (by name), computing depth and path.
/// Input: `(id, parent_id, name, kind)`. Orphans (a parent not in the list) become roots.
pub fn tree_order(
    services: Vec<(String, Option<String>, String, ServiceKind)>,
) -> Vec<ServiceView> {
    let ids: std::collections::HashSet<&str> = services.iter().map(|s| s.0.as_str()).collect();
    let mut children: std::collections::BTreeMap<Option<String>, Vec<usize>> = Default::default();
    for (index, service) in services.iter().enumerate() {
        let parent = service.1.clone().filter(|p| ids.contains(p.as_str()));
        children.entry(parent).or_default().push(index);
    }
    for list in children.values_mut() {
        list.sort_by_key(|&i| services[i].2.to_lowercase());
    }
    let mut out = Vec::with_capacity(services.len());
    let mut stack: Vec<(usize, usize, String)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|&i| (i, 0, String::new())).collect())
        .unwrap_or_default();
    while let Some((index, depth, prefix)) = stack.pop() {
        let (id, parent_id, name, kind) = &services[index];
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix} › {name}")
        };
        if let Some(kids) = children.get(&Some(id.clone())) {
            for &kid in kids.iter().rev() {
                stack.push((kid, depth + 1, path.clone()));
            }
        }
        out.push(ServiceView {
            id: id.clone(),
            parent_id: parent_id.clone(),
            name: name.clone(),
            kind: *kind,
            depth,
            path,
            members: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(
        id: &str,
        parent: Option<&str>,
        name: &str,
    ) -> (String, Option<String>, String, ServiceKind) {
        (
            id.into(),
            parent.map(Into::into),
            name.into(),
            ServiceKind::Service,
        )
    }

    #[test]
    fn services_are_listed_depth_first_with_their_path() {
        let ordered = tree_order(vec![
            service("c", Some("a"), "Voirie"),
            service("a", None, "Technique"),
            service("b", None, "Accueil"),
            service("d", Some("a"), "Espaces verts"),
            service("e", Some("d"), "Pôle nord"),
        ]);
        let lines: Vec<(usize, &str)> =
            ordered.iter().map(|s| (s.depth, s.path.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (0, "Accueil"),
                (0, "Technique"),
                (1, "Technique › Espaces verts"),
                (2, "Technique › Espaces verts › Pôle nord"),
                (1, "Technique › Voirie"),
            ]
        );
    }

    #[test]
    fn an_unknown_access_code_is_refused_with_a_message() {
        assert_eq!(
            Access::parse("modification").ok(),
            Some(Access::Modification)
        );
        assert!(matches!(
            Access::parse("root"),
            Err(AppError::Invalid { .. })
        ));
    }
}
