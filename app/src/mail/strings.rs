//! The mail pages' French text.

pub const PAGE_TITLE: &str = "Courriels";
pub const ADMIN_LINK: &str = "Courriels envoyés et adresse de réponse";
pub const ADMIN_ONLY: &str = "Cette page est réservée aux administrateurs de la collectivité.";
pub const INTRO: &str = "Les courriels partent de l'adresse de la plateforme, au nom de la \
    collectivité ; les réponses des usagers arrivent à l'adresse de réponse choisie ici.";
pub const SETTINGS_TITLE: &str = "Expéditeur";
pub const FIELD_SENDER_NAME: &str = "Nom de l'expéditeur";
pub const FIELD_REPLY_TO: &str = "Adresse de réponse";
pub const REPLY_TO_HINT: &str =
    "Laissez vide pour que les réponses arrivent à l'adresse de la plateforme, qui ne les lit pas.";
pub const SAVE: &str = "Enregistrer";
pub const SAVED: &str = "Expéditeur enregistré.";
pub const LIST_TITLE: &str = "Courriels de la collectivité";
pub const ALL: &str = "Tous";
pub const NONE: &str = "Aucun courriel.";
pub const DOSSIER_NONE: &str = "Aucun courriel pour ce dossier.";
pub const COL_RECIPIENT: &str = "Destinataire";
pub const COL_SUBJECT: &str = "Objet";
pub const COL_STATE: &str = "État";
pub const COL_ATTEMPTS: &str = "Essais";
pub const COL_QUEUED: &str = "Créé le";
pub const COL_DOSSIER: &str = "Dossier";
pub const RESEND: &str = "Renvoyer";
pub const RESENT: &str = "Le courriel est de nouveau en attente d'envoi.";
pub const NOT_RESENDABLE: &str = "Ce courriel est introuvable ou n'est pas en échec : seul un courriel en échec peut être renvoyé.";
pub const SENDER_NAME_TOO_LONG: &str =
    "Le nom de l'expéditeur ne doit pas dépasser 100 caractères.";
pub const SENDER_NAME_CHARACTERS: &str =
    "Le nom de l'expéditeur ne peut contenir ni retour à la ligne ni les caractères < > \" \\.";

pub fn sender_name_hint(default: &str) -> String {
    format!("Laissez vide pour utiliser le nom affiché de la collectivité : « {default} ».")
}

pub fn reply_to_invalid(message: &str) -> String {
    format!("L'adresse de réponse n'est pas valide : {message}")
}

pub fn sent_on(at: &str) -> String {
    format!("Envoyé le {at}")
}

pub fn failed(reason: &str) -> String {
    format!("Échec : {reason}")
}

pub fn retrying(reason: &str) -> String {
    format!("En attente (nouvel essai prévu ; dernier échec : {reason})")
}

pub fn shown(count: usize, limit: i64) -> String {
    if count as i64 >= limit {
        format!("Les {limit} plus récents sont affichés.")
    } else {
        String::new()
    }
}
