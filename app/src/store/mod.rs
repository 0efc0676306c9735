//! The shared store of démarches: a catalogue across communes, kept in the platform schema.
//! A commune publishes one of its démarches (document + instruction, stripped of everything
//! that is its own); any commune's designers search it, preview it as a citizen would see it,
//! and import it as a new draft routed to a service they choose; newer versions are offered
//! with what they change. Platform operators feature, hide or withdraw entries and give new
//! communes a starter pack.
//!
//! - [`model`]: the payload format, [`model::strip`] and the page types.
//! - [`api`] / `service` (ssr): publication, catalogue, import, updates, operators.
//! - `search` (ssr): the platform-wide tantivy index.
//! - [`pages`]: `/back-office/catalogue`, `/back-office/catalogue/:id`, the console's panel.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
