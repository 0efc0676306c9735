//! The agents' back office: the home page, and dossier processing (dashboard, list, search,
//! the dossier page, notes, messages, workflow transitions, exports, deadlines).

pub mod api;
pub mod dossiers;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
