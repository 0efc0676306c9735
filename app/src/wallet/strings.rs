//! French text of the wallet.

use super::model::{MAX_PIECE_BYTES, MAX_PIECES, MAX_TOTAL_BYTES, Refusal};
use crate::demarches::strings::human_size;

pub const TITLE: &str = "Mon porte-documents";
pub const INTRO: &str = "Gardez ici vos justificatifs une seule fois : vous pourrez les joindre à vos démarches sans les déposer à nouveau. Une pièce jointe à une démarche en est une copie : supprimer une pièce d'ici ne la retire d'aucun dossier.";
pub const ACCOUNT_LINK: &str = "Mon porte-documents";
pub const EMPTY: &str = "Votre porte-documents est vide.";
pub const COL_TYPE: &str = "Type";
pub const COL_NAME: &str = "Fichier";
pub const COL_DATE: &str = "Date du document";
pub const COL_EXPIRY: &str = "Validité";
pub const COL_ORIGIN: &str = "Origine";
pub const COL_ACTIONS: &str = "Actions";
pub const EXPIRED: &str = "Expiré";
pub const NO_EXPIRY: &str = "sans limite";
pub const BY_CITIZEN: &str = "déposé par vous";
pub const BY_AGENT: &str = "validé par la mairie";
pub const DOWNLOAD: &str = "Télécharger";
pub const DELETE: &str = "Supprimer";
pub const ADD_TITLE: &str = "Ajouter une pièce";
pub const FIELD_TYPE: &str = "Type de pièce";
pub const FIELD_DATE: &str = "Date du document (ou date de délivrance)";
pub const FIELD_DATE_HINT: &str = "La date d'expiration en est déduite selon le type de pièce.";
pub const FIELD_FILE: &str = "Fichier";
pub const ADD: &str = "Ajouter au porte-documents";
pub const ADDED: &str = "La pièce a été ajoutée à votre porte-documents.";
pub const DELETED: &str = "La pièce a été supprimée de votre porte-documents.";
pub const NOT_A_CITIZEN: &str = "Le porte-documents est réservé aux usagers.";
pub const PIECE_UNKNOWN: &str = "Cette pièce n'existe pas dans votre porte-documents.";

/// "expire le 07/12/2026".
pub fn expires_on(date: &str) -> String {
    format!("expire le {date}")
}

/// "Expiré le 07/12/2026".
pub fn expired_on(date: &str) -> String {
    format!("Expiré le {date}")
}

pub fn usage(pieces: usize, bytes: u64) -> String {
    format!(
        "{pieces} pièce(s) sur {MAX_PIECES}, {} utilisés sur {}.",
        human_size_rounded(bytes),
        human_size(MAX_TOTAL_BYTES)
    )
}

pub fn rules() -> String {
    format!(
        "Formats acceptés : PDF, JPEG, PNG ; {} au plus par pièce.",
        human_size(MAX_PIECE_BYTES)
    )
}

fn human_size_rounded(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} Mo", bytes as f64 / MIB as f64).replace('.', ",")
    } else {
        format!("{} Ko", bytes.div_ceil(1024))
    }
}

/// What the citizen reads when a piece is refused.
pub fn refusal(refusal: Refusal) -> String {
    match refusal {
        Refusal::NoFile => "Choisissez le fichier à ajouter.".to_owned(),
        Refusal::Empty => "Le fichier est vide.".to_owned(),
        Refusal::TooLarge => format!(
            "Le fichier dépasse la taille maximale d'une pièce ({}).",
            human_size(MAX_PIECE_BYTES)
        ),
        Refusal::WrongType => "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas seulement son nom).".to_owned(),
        Refusal::UnknownType => "Choisissez le type de la pièce dans la liste.".to_owned(),
        Refusal::BadDate => "Indiquez la date du document au format JJ/MM/AAAA.".to_owned(),
        Refusal::FutureDate => "La date du document ne peut pas être dans le futur.".to_owned(),
        Refusal::AlreadyExpired => "Ce document n'est plus valide pour ce type de pièce : déposez-en un plus récent.".to_owned(),
        Refusal::TooManyPieces => format!(
            "Votre porte-documents contient déjà {MAX_PIECES} pièces, le maximum : supprimez-en une avant d'en ajouter une autre."
        ),
        Refusal::QuotaExceeded => format!(
            "Cette pièce dépasserait l'espace de votre porte-documents ({} au total) : supprimez des pièces avant de l'ajouter.",
            human_size(MAX_TOTAL_BYTES)
        ),
    }
}

// Démarches: choosing a piece instead of uploading.
pub const PICK_LABEL: &str = "Choisir dans mon porte-documents";
pub const PICK_NONE: &str = "— Aucune pièce —";
pub const PICK_EXPIRED: &str = "Cette pièce de votre porte-documents a expiré : elle ne peut plus être jointe. Déposez un document plus récent.";
pub const PICK_UNKNOWN: &str = "Cette pièce n'est pas dans votre porte-documents.";

/// A piece in the démarche's list.
pub fn choice_label(type_label: &str, name: &str, expiry: Option<&str>) -> String {
    match expiry {
        Some(date) => format!("{type_label} – {name} ({})", expires_on(date)),
        None => format!("{type_label} – {name}"),
    }
}

// Back office: keeping a validated piece.
pub const KEEP_IN_WALLET: &str = "Conserver dans le porte-documents de l'usager";
pub const KEEP_AS: &str = "comme";
pub const KEEP_NEEDS_VALID: &str =
    "Seule une pièce marquée valide peut être conservée dans le porte-documents de l'usager.";
pub const KEEP_NEEDS_ACCOUNT: &str =
    "Ce dossier n'a pas été déposé depuis un compte usager : il n'a pas de porte-documents.";
pub const KEEP_NEEDS_TYPE: &str = "Choisissez le type de pièce à conserver.";
pub const KEEP_EXPIRED: &str =
    "Cette pièce a déjà dépassé la validité de ce type : elle ne peut pas être conservée.";

// Administration of types.
pub const ADMIN_TITLE: &str = "Porte-documents : types de pièces";
pub const ADMIN_INTRO: &str = "Les types de pièces que les usagers peuvent garder dans leur porte-documents, et leur durée de validité à compter de la date du document.";
pub const ADMIN_LABEL: &str = "Libellé";
pub const ADMIN_VALIDITY: &str = "Validité (mois, vide : sans limite)";
pub const ADMIN_ACTIVE: &str = "Proposé aux usagers";
pub const ADMIN_SAVE: &str = "Enregistrer";
pub const ADMIN_ADD: &str = "Ajouter un type";
pub const ADMIN_NEW: &str = "Nouveau type";
pub const LABEL_REQUIRED: &str = "Le libellé est obligatoire (120 caractères au plus).";
pub const LABEL_TAKEN: &str = "Un type de pièce porte déjà ce libellé.";
pub const VALIDITY_INVALID: &str =
    "La validité est un nombre de mois entre 1 et 1200, ou vide pour une pièce sans limite.";
pub const TYPE_UNKNOWN: &str = "Ce type de pièce n'existe pas.";
pub const ADMIN_SAVED: &str = "Type enregistré.";

/// "3 mois", "sans limite".
pub fn validity(months: Option<u32>) -> String {
    match months {
        Some(months) => format!("{months} mois"),
        None => NO_EXPIRY.to_owned(),
    }
}
