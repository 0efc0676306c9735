//! The people a commune knows, behind accounts or without one: person records whose
//! attributes keep their origin and certainty, organisations (companies by SIRET, associations
//! by RNA) and who represents them, households. The portal's "Mon foyer", the beneficiary of a
//! démarche, the wallet and the agents' 360° view (`usagers`) build on it.
//!
//! - [`model`]: shared types and identifier checks; [`validate`]: what people type, checked.
//! - `service` (ssr): the record of each citizen account, loading, storing, history.
//! - `record` (ssr): the citizen's own record and what prefill reads from it.
//! - `household` (ssr): households (`members_of`), the citizen's and an agent's changes.
//! - `organisations` (ssr): organisations and their representatives (`represented_by`).
//! - [`api`], [`pages`]: `/mon-compte/informations`, `/mon-foyer`, `/mes-structures`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod beneficiary;
#[cfg(feature = "ssr")]
pub mod household;
pub mod model;
#[cfg(feature = "ssr")]
pub mod organisations;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod record;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
pub mod validate;
