//! Guichet's application: UI, server functions, shared types, and (behind `ssr`) the business
//! logic and infrastructure they run on. Organised by feature; see ARCHITECTURE.md.
#![recursion_limit = "256"]

pub mod access;
pub mod account;
pub mod admin;
pub mod backoffice;
pub mod branding;
pub mod context;
pub mod contexts;
pub mod demarches;
pub mod designer;
pub mod dossiers;
pub mod duplicates;
pub mod error;
pub mod identity;
#[cfg(feature = "ssr")]
pub mod infra;
pub mod letters;
pub mod mail;
pub mod org;
pub mod people;
pub mod platform;
pub mod portal;
pub mod responses;
pub mod routes;
pub mod second_factor;
pub mod store;
pub mod text;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod uploads;
pub mod usagers;
pub mod wallet;
pub mod workflow;

pub use routes::{App, shell};
