//! Tenant administration: the commune's agents and their roles.

pub mod api;
pub mod pages;
pub mod strings;
