//! The commune's organisation: services as a tree (Direction → Service → Pôle), agents'
//! rights per service, and delegations during absence. Everything an agent may see or do in the
//! back office is decided from here ([`service::Rights`]).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
