//! The commune's look: name, colours (checked for contrast), font, logo and banner, footer and
//! legal pages — one document, every saved version kept and restorable — applied through CSS
//! custom properties and images served per tenant under content-hashed names.

pub mod api;
pub mod colour;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
#[cfg(feature = "ssr")]
pub mod svg;
