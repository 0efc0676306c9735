//! Identity federation: OpenID Connect sign-in for citizens (FranceConnect-ready) and single
//! sign-on for agents, per commune or inherited from the platform; identities certified by a
//! provider, and the links (issuer, pairwise `sub`) → account.

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
#[cfg(feature = "ssr")]
pub mod oidc;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
