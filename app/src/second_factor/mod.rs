//! A second factor for agents and platform operators who sign in with a password: TOTP (RFC
//! 6238) enrolled by QR code, ten single-use recovery codes, a sign-in's second step
//! (`/connexion/code`) with rate-limited verification, and the switch that makes it mandatory
//! for a commune's agents (`/administration/securite`) or for operators (`/plateforme/securite`).
//! Agents and operators share the server functions and pages: the request's site says whose.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
#[cfg(feature = "ssr")]
pub mod totp;

/// The sign-in's second step, at a commune's host and at the platform's.
pub const CODE_PATH: &str = "/connexion/code";
pub const OPERATOR_CODE_PATH: &str = "/plateforme/connexion/code";
/// Where an account enrols; reachable without a second factor while one is required.
pub const ENROL_PATH: &str = "/mon-compte/securite";
pub const OPERATOR_ENROL_PATH: &str = "/plateforme/securite";
/// The tenant admin's page of the mandatory switch.
pub const SETTINGS_PATH: &str = "/administration/securite";
