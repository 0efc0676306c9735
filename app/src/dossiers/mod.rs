//! Dossiers: a citizen's draft of a démarche, the dossier it becomes once submitted, and its
//! follow-up (status, history, live updates). The portal's pages and the back office build on
//! this.
//!
//! - [`model`]: shared types (drafts, dossiers, statuses) and how answers read as lines.
//! - [`api`]: server functions; `service` (ssr): the logic; `http` (ssr): the routes that are
//!   not server functions — multipart step posts and uploads, downloads, event streams.

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
