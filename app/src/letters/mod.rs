//! Letters: per-commune templates written in typst with merge fields, rendered in-process to
//! PDF with the commune's letterhead (`infra::pdf`), previewed live on a dossier, and the
//! documents the portal offers (acknowledgement, attestation).
//!
//! - [`model`]: template kinds, templates, problems, what a letter is made of.
//! - `merge` (ssr): the merge data as typst dictionaries, and unknown-field detection.
//! - `render` (ssr): template + data → PDF, problems in the author's lines and columns.
//! - `service` (ssr): templates, merge data from a dossier, rendering for a dossier.
//! - `mail_merge` (ssr): mail merges (publipostage) asked for by agents, run by the job
//!   `server/src/jobs/mail_merge.rs`.
//! - [`api`], [`pages`]: the editor (`/back-office/courriers`) and the mail merges
//!   (`/back-office/publipostages`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod mail_merge;
#[cfg(feature = "ssr")]
pub mod merge;
pub mod merge_pages;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
