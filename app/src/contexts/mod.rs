//! Contexts ("espaces"): variants of a commune's portal for an audience — Familles,
//! Entreprises, Associations — each at `/<code>` (and optionally its own host), with its own
//! texts, theme overrides and bouquet of démarches. The plain portal is the default context.
//! A dossier records the context it was submitted through; routing rules can read it
//! (`workflow::model::CONTEXT_FIELD`). Deleting a context never breaks a dossier or a link:
//! dossiers keep its code and name as text, and its old addresses fall back to the plain
//! portal with a notice (`retired_contexts`).

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
