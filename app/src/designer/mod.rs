//! The démarche designer (back office, managers and admins): the list of démarches and the
//! editor of one démarche's identity card and form.
//!
//! - [`state`]: the editing state and every operation on it, with undo/redo (pure Rust).
//! - `doc`: the editor made reactive part by part (structure, one field, one step…).
//! - [`palette`]: the field kinds an agent can drop, and their starting settings.
//! - [`conditions`]: what the condition editor offers (earlier fields, fitting operators).
//! - [`diff`]: what changed since the last published version, in French.
//! - [`pages`]: the list page and the designer page (`editor`, `properties`).

pub mod conditions;
pub mod diff;
mod doc;
mod editor;
pub mod pages;
pub mod palette;
mod properties;
pub mod state;
pub mod strings;
