//! Identity federation: OpenID Connect sign-in for citizens (FranceConnect-ready) and single
//! sign-on for agents, per commune or inherited from the platform; identities certified by a
//! provider, and the links (issuer, pairwise `sub`) → account.

pub mod model;
pub mod pages;
pub mod strings;
