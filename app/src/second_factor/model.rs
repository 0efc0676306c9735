//! What the second factor's pages show (shared by the server and the browser).

use serde::{Deserialize, Serialize};

/// The signed-in account's second factor, as its security page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    pub state: FactorState,
    /// The tenant (for agents) or the platform (for operators) requires one.
    pub required: bool,
    /// Recovery codes just generated: sent once, never again.
    pub fresh_codes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactorState {
    Off,
    /// A key was made and shown; no code has confirmed it yet.
    Pending(Enrolment),
    On {
        /// The French date of its confirmation.
        since: String,
        codes_left: u32,
    },
}

/// A key being enrolled: what the agent scans or types into their application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Base32, in groups of four characters for typing.
    pub secret: String,
    /// The `otpauth://` URI as a QR code, an `<svg>` element.
    pub qr_svg: String,
}

/// A sign-in waiting for its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeView {
    /// Wrong codes this sign-in may still take.
    pub attempts_left: u32,
    /// Some codes were already refused.
    pub refused: bool,
}

/// The mandatory switch and who has a second factor (tenant admins, platform operators).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettingsView {
    pub required: bool,
    pub enrolled: u32,
    pub total: u32,
    /// Names of the accounts without one.
    pub missing: Vec<String>,
    /// The accounts with one, which an admin (an operator) can reset when it is lost.
    #[serde(default)]
    pub enrolled_accounts: Vec<EnrolledAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolledAccount {
    pub id: String,
    pub display_name: String,
    pub email: String,
    /// The account is the viewer's (reset from one's own security page instead).
    pub is_self: bool,
}

/// Four characters, a space, four…: a base32 key as people type it.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_is_shown_in_groups_of_four() {
        assert_eq!(super::grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(super::grouped(""), "");
    }
}
