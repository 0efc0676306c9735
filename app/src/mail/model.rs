use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MailStatus {
    Pending,
    Sent,
    Failed,
}

impl MailStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Sent, Self::Failed];

    /// The value stored in `mail_outbox.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The value of the page's `?statut=` filter.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Pending => "en-attente",
            Self::Sent => "envoye",
            Self::Failed => "echec",
        }
    }

    pub fn from_slug(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "En attente",
            Self::Sent => "Envoyé",
            Self::Failed => "Échec",
        }
    }
}

/// One queued mail, as agents see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailLine {
    pub id: String,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    /// "En attente", "Envoyé le 05/03/2026 à 09h07", "Échec : <raison>".
    pub state: String,
    pub attempts: i32,
    pub queued_at: String,
    /// The dossier it is about (its reference), on the admin page.
    pub dossier: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailSettingsView {
    /// The saved name, empty when the default is used.
    pub sender_name: String,
    /// What the From name is when `sender_name` is empty: the branding's displayed name.
    pub default_sender_name: String,
    pub reply_to: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub settings: MailSettingsView,
    pub mails: Vec<MailLine>,
    /// Counts by status, in [`MailStatus::ALL`] order.
    pub counts: Vec<(MailStatus, i64)>,
    /// The list shows at most this many (the most recent).
    pub limit: i64,
}
