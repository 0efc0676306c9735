//! How a démarche's dossiers are processed ("instruction"): the workflow (statuses, allowed
//! transitions and the actions they run), the routing rules that send a new dossier to a
//! service, and the deadlines. One validated document per démarche (`model::Instruction`),
//! designed in the back office; a démarche without one gets [`model::Instruction::default`].

pub mod api;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
