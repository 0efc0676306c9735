//! The commune's mail as agents and admins see it: each message's status (queued, sent,
//! failed with its reason) on its dossier's page and on `/administration/courriels`, where
//! admins re-send failed messages and set the commune's sender identity (name, Reply-To).
//! Queuing and delivery themselves live in `infra::mail` and the server's outbox worker.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
