//! The citizen-facing portal of a commune: home page and the commune's news.

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
