//! The citizen-facing portal of a commune: home page and news, the catalogue of démarches,
//! filling one step by step, and following one's drafts and dossiers.

pub mod api;
pub mod catalogue;
pub mod filling;
pub mod follow;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
