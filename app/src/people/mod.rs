//! The people a commune knows, behind accounts or without one: person records whose
//! attributes keep their origin and certainty, organisations (companies by SIRET, associations
//! by RNA) and who represents them, households. The portal's "Mon foyer", the beneficiary of a
//! démarche, the wallet and the agents' 360° view (`usagers`) build on it.

#[cfg(feature = "ssr")]
pub mod beneficiary;
pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
