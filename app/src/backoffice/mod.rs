//! The agents' back office. For now: the agent's home and publishing the commune's news.

pub mod pages;
pub mod strings;
