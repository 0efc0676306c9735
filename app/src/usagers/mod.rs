//! The agents' 360° view of the people a commune knows (`/back-office/usagers`): search of
//! people and organisations within the agent's rights (the index is `infra::search::people`),
//! one page per person (identity and its certainty, account, household, organisations, the
//! dossiers the agent may read, notes, history), corrections of what is not certified, and
//! people met at the counter.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
