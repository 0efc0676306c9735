//! The commune's look: colours (checked for contrast), logo and banner, font, footer and legal
//! pages, with every saved version kept.

pub mod colour;
