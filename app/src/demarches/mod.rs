//! Démarches (citizen procedures): the shared model that the designer, the portal and the
//! server all use, so there is one source of truth for what a démarche is and which answers
//! it accepts. Pure Rust, compiled for both sides; no database, no server functions here.
//!
//! - [`model`]: the serde types (démarche, definition, steps, fields, answers).
//! - [`condition`]: conditions on steps and fields, and their evaluator.
//! - [`answers`]: validating a citizen's answers; prefilling from their profile.
//! - [`definition`]: the definition validator, which decides what may be published.
//! - [`document`]: the versioned JSON export/import format.

pub mod answers;
pub mod condition;
pub mod definition;
pub mod document;
pub mod model;
pub mod strings;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod testing;
