//! Wallet types shared by the server and the pages, and the pure rules: expiry dates, quota.

use serde::{Deserialize, Serialize};

use crate::demarches::model::IsoDate;

/// The citizen's wallet page.
pub const PAGE: &str = "/porte-documents";

/// Most pieces one citizen keeps.
pub const MAX_PIECES: usize = 20;
/// Most bytes of all one citizen's pieces together.
pub const MAX_TOTAL_BYTES: u64 = 50 * 1024 * 1024;
/// Largest single piece.
pub const MAX_PIECE_BYTES: u64 = 10 * 1024 * 1024;
/// What a wallet keeps: documents and their scans or photos (sniffed from the bytes).
pub const ACCEPTED_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// A kind of piece, as the commune's admins define it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceType {
    pub id: String,
    pub label: String,
    /// Months a piece stays valid from the date of the document; `None`: it does not expire.
    pub validity_months: Option<u32>,
    pub active: bool,
}

/// Who put a piece in the wallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Déposé par l'usager.
    Citizen,
    /// Validé par la mairie: copied from a dossier's piece an agent marked valid.
    Agent,
}

impl Origin {
    pub fn code(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Agent => "agent",
        }
    }

    pub fn parse(code: &str) -> Self {
        match code {
            "agent" => Self::Agent,
            _ => Self::Citizen,
        }
    }
}

/// One piece as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletPiece {
    pub id: String,
    pub type_label: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    /// `JJ/MM/AAAA`.
    pub document_date: String,
    /// `JJ/MM/AAAA`; `None`: it does not expire.
    pub expires_on: Option<String>,
    pub expired: bool,
    pub origin: Origin,
}

/// The citizen's wallet page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletView {
    pub pieces: Vec<WalletPiece>,
    /// The types a new piece may have (active ones).
    pub types: Vec<PieceType>,
    pub used_bytes: u64,
}

/// A piece offered on a démarche's file field: not expired; the renderer keeps those whose
/// type the field accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletChoice {
    pub id: String,
    /// "Justificatif de domicile – facture.pdf (expire le 01/03/2027)".
    pub label: String,
    pub content_type: String,
}

/// Why a piece was not added; its code travels in the redirect back to `/porte-documents`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NoFile,
    Empty,
    TooLarge,
    WrongType,
    UnknownType,
    BadDate,
    FutureDate,
    AlreadyExpired,
    TooManyPieces,
    QuotaExceeded,
}

impl Refusal {
    pub const ALL: [Self; 10] = [
        Self::NoFile,
        Self::Empty,
        Self::TooLarge,
        Self::WrongType,
        Self::UnknownType,
        Self::BadDate,
        Self::FutureDate,
        Self::AlreadyExpired,
        Self::TooManyPieces,
        Self::QuotaExceeded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NoFile => "fichier",
            Self::Empty => "vide",
            Self::TooLarge => "taille",
            Self::WrongType => "format",
            Self::UnknownType => "type",
            Self::BadDate => "date",
            Self::FutureDate => "date-future",
            Self::AlreadyExpired => "expire",
            Self::TooManyPieces => "nombre",
            Self::QuotaExceeded => "quota",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The date a piece dated `date` stops being valid after `months` (`None`: never). A month
/// later is the same day, or the month's last day when it has fewer (31/01 + 1 → 28/02).
pub fn expiry(date: IsoDate, months: Option<u32>) -> Option<IsoDate> {
    let months = months?;
    let index = u32::from(date.year()) * 12 + u32::from(date.month()) - 1 + months;
    let year = u16::try_from(index / 12).ok()?;
    let month = u8::try_from(index % 12 + 1).ok()?;
    let mut day = date.day();
    loop {
        if let Some(found) = IsoDate::new(year, month, day) {
            return Some(found);
        }
        day = day.checked_sub(1)?;
    }
}

/// A piece is expired from its expiry date on (a 3-month proof dated 07/09 no longer proves
/// anything on 07/12).
pub fn is_expired(expires_on: Option<IsoDate>, today: IsoDate) -> bool {
    expires_on.is_some_and(|end| end <= today)
}

/// Whether one more piece of `size` bytes fits, given what the citizen already keeps.
pub fn quota_check(pieces: usize, used_bytes: u64, size: u64) -> Result<(), Refusal> {
    if pieces >= MAX_PIECES {
        return Err(Refusal::TooManyPieces);
    }
    if used_bytes.saturating_add(size) > MAX_TOTAL_BYTES {
        return Err(Refusal::QuotaExceeded);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(raw: &str) -> IsoDate {
        IsoDate::parse(raw).unwrap_or_else(|| panic!("{raw}"))
    }

    #[test]
    fn expiry_adds_calendar_months_and_keeps_within_the_month() {
        assert_eq!(
            expiry(date("2026-09-07"), Some(3)),
            Some(date("2026-12-07"))
        );
        assert_eq!(
            expiry(date("2026-11-30"), Some(3)),
            Some(date("2027-02-28"))
        );
        assert_eq!(
            expiry(date("2028-01-31"), Some(1)),
            Some(date("2028-02-29"))
        );
        assert_eq!(
            expiry(date("2020-05-15"), Some(120)),
            Some(date("2030-05-15"))
        );
        assert_eq!(expiry(date("2020-05-15"), None), None);
    }

    #[test]
    fn a_piece_is_expired_from_its_expiry_date_on() {
        let end = Some(date("2026-12-07"));
        assert!(!is_expired(end, date("2026-12-06")));
        assert!(is_expired(end, date("2026-12-07")));
        assert!(!is_expired(None, date("2999-01-01")));
    }

    #[test]
    fn the_quota_counts_pieces_and_bytes() {
        assert_eq!(quota_check(0, 0, 1), Ok(()));
        assert_eq!(quota_check(MAX_PIECES, 0, 1), Err(Refusal::TooManyPieces));
        assert_eq!(
            quota_check(1, MAX_TOTAL_BYTES - 10, 11),
            Err(Refusal::QuotaExceeded)
        );
        assert_eq!(quota_check(1, MAX_TOTAL_BYTES - 10, 10), Ok(()));
    }

    #[test]
    fn refusal_codes_round_trip() {
        for refusal in Refusal::ALL {
            assert_eq!(Refusal::parse(refusal.code()), Some(refusal));
        }
    }
}
