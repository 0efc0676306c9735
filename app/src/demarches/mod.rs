//! Démarches (citizen procedures): the shared model that the designer, the portal and the
//! server all use, so there is one source of truth for what a démarche is and which answers
//! it accepts. The model is pure Rust, compiled for both sides.
//!
//! - [`model`]: the serde types (démarche, definition, steps, fields, answers).
//! - [`beneficiary`]: on whose behalf a démarche may be filed, and the age rule.
//! - [`condition`]: conditions on steps and fields, and their evaluator.
//! - [`answers`]: validating a citizen's answers; prefilling from their profile, and the
//!   answers a certified identity locks.
//! - [`definition`]: the definition validator, which decides what may be published.
//! - [`document`]: the versioned JSON export/import format.
//! - [`form`] / [`form_data`]: the citizen's form (portal and designer preview) and how its
//!   plain HTML post becomes answers.
//! - [`problems`]: each answer problem named after its field (and item), placed beside it
//!   and linked from the summary — one wording for the server's pages and the WASM checks.
//! - [`api`] / `service` (ssr): drafts, publication of immutable versions, the portal's
//!   catalogue, import and export, stored in the tenant's `demarches` tables.

pub mod answers;
pub mod api;
pub mod beneficiary;
pub mod condition;
pub mod definition;
pub mod document;
pub mod form;
pub mod form_data;
pub mod model;
pub mod problems;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;

#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod testing;
