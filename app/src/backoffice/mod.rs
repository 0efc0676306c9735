//! The agents' back office: the home page, and dossier processing (dashboard, list, search,
//! the dossier page, notes, messages, workflow transitions, exports, deadlines).

pub mod model;
pub mod pages;
pub mod strings;
