//! Accounts of one tenant: citizens (self sign-up, verified by mail) and agents (invited by a
//! tenant admin), sessions, password reset.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
pub mod validate;
