//! Responses to dossiers: a letter drafted from a template, its visa/signature circuit (the
//! state machine in `model.rs`), signing (the PDF rendered, hashed and frozen) and dispatch
//! (mail with the PDF, the citizen's portal, print for the post); the agents' "parapheur" and
//! the saved circuits.

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
