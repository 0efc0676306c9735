//! Duplicate people (doublons): rules per commune in the form of Lutece's identity store
//! (model.rs), a comparison fit for French names (compare.rs), detection when a record is
//! created and by the nightly job over blocks of records, the review queue where a manager
//! merges two records — attribute by attribute, undoably — or declares them distinct
//! (`/back-office/doublons`), and the rules' page (`/back-office/doublons/regles`).

pub mod api;
pub mod compare;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
