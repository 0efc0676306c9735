//! French text of responses and their visa/signature circuit.

pub const SECTION: &str = "Courriers de réponse";
pub const NO_RESPONSES: &str = "Aucun courrier pour ce dossier.";
pub const NEW_RESPONSE: &str = "Rédiger un courrier";
pub const TEMPLATE: &str = "Modèle de courrier";
pub const NO_TEMPLATES: &str = "Aucun modèle de courrier n'est disponible.";
pub const CREATE: &str = "Créer le brouillon";
pub const FREE_TEXT: &str = "Texte libre du courrier";
pub const SAVE_TEXT: &str = "Enregistrer le texte";
pub const PREVIEW: &str = "Aperçu PDF";
pub const DOWNLOAD_SIGNED: &str = "Télécharger le courrier signé (PDF)";
pub const START_CIRCUIT: &str = "Envoyer dans le circuit de visa et signature";
pub const CIRCUIT_MODEL: &str = "Circuit enregistré";
pub const AD_HOC: &str = "— ou composer le circuit ci-dessous —";
pub const STEP: &str = "Étape";
pub const STEP_KIND: &str = "Nature";
pub const STEP_WHO: &str = "Agent ou service";
pub const NOBODY: &str = "—";
pub const CHANNELS: &str = "Envoi une fois signé";
pub const BY_EMAIL: &str = "Courriel avec le PDF";
pub const BY_PORTAL: &str = "Mis à disposition sur le portail";
pub const BY_POSTAL: &str = "Courrier postal (PDF à imprimer)";
pub const SEND: &str = "Envoyer dans le circuit";
pub const UPDATING: &str = "Mise à jour des courriers…";
pub const RETURNED_NOTICE: &str = "Renvoyé à l'auteur : ";
pub const SHA256: &str = "Empreinte SHA-256";
pub const SIGNED_ON: &str = "Signé le";
pub const APPROVE: &str = "Viser";
pub const SIGN: &str = "Signer";
pub const SEND_BACK: &str = "Renvoyer";
pub const SEND_BACK_TO: &str = "Renvoyer à";
pub const TO_AUTHOR: &str = "l'auteur du courrier";
pub const COMMENT: &str = "Commentaire (obligatoire pour un renvoi)";
pub const PARAPHEUR_TITLE: &str = "Mes visas et signatures";
pub const PARAPHEUR_EMPTY: &str = "Aucun courrier n'attend votre visa ou votre signature.";
pub const MY_SIGNATURE: &str = "Ma signature";
pub const SIGNATURE_HINT: &str =
    "Image PNG, JPEG ou SVG (512 Ko au plus), apposée sur les courriers que vous signez.";
pub const SIGNATURE_NONE: &str = "Vous n'avez pas encore déposé de signature.";
pub const SIGNATURE_UPLOAD: &str = "Déposer ma signature";
pub const SIGNATURE_SAVED: &str = "Votre signature est enregistrée.";
pub const SIGNATURE_ALT: &str = "Votre signature actuelle";
pub const DOSSIER: &str = "Dossier";
pub const ON_BEHALF: &str = "pour";
pub const CIRCUITS_TITLE: &str = "Circuits de visa et signature";
pub const CIRCUITS_EMPTY: &str = "Aucun circuit enregistré.";
pub const CIRCUIT_NAME: &str = "Nom du circuit";
pub const CIRCUIT_SAVE: &str = "Enregistrer le circuit";
pub const CIRCUIT_DELETE: &str = "Supprimer";
pub const NEW_CIRCUIT: &str = "Nouveau circuit";
pub const KIND_VISA: &str = "Visa";
pub const KIND_SIGNATURE: &str = "Signature";

pub const STATUS_DRAFT: &str = "Brouillon";
pub const STATUS_IN_CIRCUIT: &str = "Dans le circuit";
pub const STATUS_SIGNED: &str = "Signé";
pub const STATUS_DISPATCHED: &str = "Envoyé";
pub const STATE_PENDING: &str = "En attente";
pub const STATE_APPROVED: &str = "Visé";
pub const STATE_SIGNED: &str = "Signé";
pub const STATE_RETURNED: &str = "Renvoyé";
pub const CURRENT: &str = "(étape en cours)";

// Errors.
pub const RESPONSE_UNKNOWN: &str = "Ce courrier est introuvable.";
pub const TEMPLATE_UNKNOWN: &str = "Choisissez un modèle de courrier existant.";
pub const MODEL_UNKNOWN: &str = "Ce circuit enregistré est introuvable.";
pub const ASSIGNEE_UNKNOWN: &str = "Choisissez un agent ou un service existant.";
pub const STEP_KIND_UNKNOWN: &str = "Choisissez « Visa » ou « Signature » pour chaque étape.";
pub const CIRCUIT_EMPTY: &str = "Le circuit doit compter au moins une étape.";
pub const CIRCUIT_TOO_LONG: &str = "Un circuit compte au plus 10 étapes.";
pub const CIRCUIT_LAST_NOT_SIGNATURE: &str =
    "La dernière étape du circuit doit être une signature.";
pub const CIRCUIT_SIGNATURE_NOT_LAST: &str =
    "Seule la dernière étape du circuit peut être une signature.";
pub const CIRCUIT_BOTH: &str =
    "Choisissez soit un circuit enregistré, soit des étapes composées, pas les deux.";
pub const NO_CHANNEL: &str = "Choisissez au moins un mode d'envoi.";
pub const NO_EMAIL: &str = "Ce dossier n'a pas d'adresse électronique : choisissez un autre envoi.";
pub const NOT_DRAFT: &str = "Ce courrier n'est plus un brouillon : il ne peut plus être modifié.";
pub const FROZEN: &str = "Ce courrier est signé : il ne peut plus changer.";
pub const NOT_IN_CIRCUIT: &str = "Ce courrier n'est pas dans un circuit de visa et signature.";
pub const STEP_NOT_CURRENT: &str =
    "Cette étape n'est pas l'étape en cours du circuit (elle a peut-être déjà été traitée).";
pub const APPROVE_AT_SIGNATURE: &str =
    "Cette étape attend une signature : signez le courrier ou renvoyez-le.";
pub const SIGN_AT_VISA: &str =
    "Cette étape est un visa : visez le courrier ou renvoyez-le ; seule la dernière étape signe.";
pub const SEND_BACK_NOT_EARLIER: &str =
    "Un courrier ne peut être renvoyé qu'à une étape antérieure ou à son auteur.";
pub const COMMENT_REQUIRED: &str = "Expliquez le renvoi dans un commentaire.";
pub const COMMENT_TOO_LONG: &str = "Le commentaire dépasse 5 000 caractères.";
pub const TEXT_TOO_LONG: &str = "Le texte du courrier dépasse 20 000 caractères.";
pub const NOT_YOUR_STEP: &str =
    "Cette étape est confiée à un autre agent ou service : vous ne pouvez pas la traiter.";
pub const NOT_AUTHOR: &str =
    "Seul l'auteur du courrier peut le modifier ou l'envoyer dans le circuit.";
pub const MANAGERS_ONLY: &str = "Seuls les responsables gèrent les circuits enregistrés.";
pub const NAME_REQUIRED: &str = "Donnez un nom au circuit.";
pub const NAME_TAKEN: &str = "Un circuit porte déjà ce nom.";
pub const ACTION_UNKNOWN: &str = "Action inconnue.";
pub const SIGNATURE_MISSING: &str = "Joignez une image de signature.";

pub const CITIZEN_LETTERS: &str = "Courriers de la commune";

pub fn signed_on(date: &str) -> String {
    format!("signé le {date}")
}

pub fn status_label(code: &str) -> &'static str {
    match code {
        "in_circuit" => STATUS_IN_CIRCUIT,
        "signed" => STATUS_SIGNED,
        "dispatched" => STATUS_DISPATCHED,
        _ => STATUS_DRAFT,
    }
}

pub fn state_label(code: &str) -> &'static str {
    match code {
        "approved" => STATE_APPROVED,
        "signed" => STATE_SIGNED,
        "returned" => STATE_RETURNED,
        _ => STATE_PENDING,
    }
}

pub fn step_label(position: usize) -> String {
    format!("{STEP} {}", position + 1)
}

/// A line of the dossier's history for a response event.
pub fn history(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "response_created" => "Courrier rédigé",
        "response_edited" => "Texte du courrier modifié",
        "response_circuit" => "Courrier envoyé dans le circuit de visa et signature",
        "response_approved" => "Courrier visé",
        "response_returned" => "Courrier renvoyé",
        "response_signed" => "Courrier signé",
        "response_dispatched" => "Courrier envoyé",
        _ => return None,
    })
}

pub fn mail_subject(reference: &str) -> String {
    format!("Courrier concernant votre dossier {reference}")
}

pub fn mail_body(reference: &str, title: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\nVous trouverez ci-joint le courrier « {title} » concernant votre dossier {reference}.\n\
         Il est aussi consultable sur la page de votre dossier : {link}\n\nCordialement."
    )
}

pub fn pdf_name(reference: &str, title: &str) -> String {
    let slug: String = crate::text::fold(title)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-');
    format!("courrier-{reference}-{slug}.pdf")
}
