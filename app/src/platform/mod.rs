//! The hosting syndicate's console on the apex host: operators, tenants, onboarding.

pub mod api;
#[cfg(feature = "ssr")]
pub mod deletion;
#[cfg(feature = "ssr")]
pub mod demo_mail;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
