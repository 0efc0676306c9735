//! The citizen's document wallet (porte-documents, `/porte-documents`): pieces kept once —
//! justificatif de domicile, attestation CAF, pièce d'identité… (types per commune, with a
//! validity, managed at `/administration/porte-documents`) — and attached to any démarche's
//! file field as a copy, without uploading again. An agent who marks a dossier's piece valid
//! may keep a copy in the citizen's wallet ("validé par la mairie").
//!
//! Invariant: a piece belongs to a person record (`people`), never to an account directly, so
//! merging two records moves pieces with the rest; every read and write names the signed-in
//! citizen's person, so no piece is reached by its id alone.
//!
//! Invariant: wallet pieces and attachments never share bytes: attaching a piece copies it
//! into a new attachment (new id, new object in the tenant's store), keeping a validated piece
//! copies it into the wallet. Deleting either side never touches the other.

pub mod api;
#[cfg(feature = "ssr")]
pub mod http;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod strings;
