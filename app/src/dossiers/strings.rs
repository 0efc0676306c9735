//! French text of drafts, dossiers and their pages, kept in one place for a later translation.

pub const STATUS_RECU: &str = "Reçu";
pub const STATUS_EN_INSTRUCTION: &str = "En cours d'instruction";
pub const STATUS_EN_ATTENTE: &str = "En attente d'informations";
pub const STATUS_ACCEPTE: &str = "Accepté";
pub const STATUS_REFUSE: &str = "Refusé";
pub const STATUS_SANS_SUITE: &str = "Classé sans suite";
pub const YES: &str = "Oui";
pub const NO: &str = "Non";

pub const DEMARCHE_NOT_OFFERED: &str = "Cette démarche n'est pas proposée sur ce portail.";
pub const DEMARCHE_CLOSED: &str =
    "Cette démarche est fermée : il n'est plus possible de déposer un dossier.";
pub fn demarche_closed_since(date: &str) -> String {
    format!(
        "Cette démarche n'est plus ouverte depuis le {date} : il n'est plus possible de déposer un dossier."
    )
}
pub fn demarche_opens_on(date: &str) -> String {
    format!("Cette démarche ouvrira le {date}. Revenez à cette date pour déposer votre dossier.")
}
pub const LOGIN_REQUIRED: &str = "Cette démarche demande d'être connecté : connectez-vous ou créez votre compte pour la commencer.";
pub const DRAFT_UNKNOWN: &str = "Ce brouillon n'existe pas ou n'est pas le vôtre.";
pub const DOSSIER_UNKNOWN: &str = "Ce dossier n'existe pas ou n'est pas le vôtre.";
pub const FILE_UNKNOWN: &str = "Ce fichier n'existe pas ou vous n'y avez pas accès.";
pub const FIELD_NOT_FILES: &str = "Ce champ n'accepte pas de fichier.";
pub const EMPTY_FILE: &str = "Le fichier est vide.";
pub const UPLOAD_UNREADABLE: &str =
    "L'envoi du fichier a été interrompu ou est illisible : réessayez.";
pub const BAD_ANSWERS: &str = "Les réponses envoyées sont illisibles : rechargez la page.";
pub const NOT_AN_AGENT: &str =
    "Seuls les agents de la commune peuvent changer le statut d'un dossier.";
pub fn unknown_status(code: &str) -> String {
    format!("« {code} » n'est pas un statut connu.")
}

pub const EVENT_SUBMITTED: &str = "Dossier déposé";
pub fn event_status(label: &str) -> String {
    format!("Statut : {label}")
}

pub fn ack_subject(reference: &str) -> String {
    format!("Accusé de réception de votre dossier {reference}")
}
pub fn ack_body(tenant: &str, title: &str, reference: &str, date: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\n{tenant} a bien reçu votre dossier « {title} », déposé le {date}.\n\n\
         Numéro de dossier : {reference}\n\n\
         Rappelez ce numéro pour toute question. Vous pouvez suivre l'avancement de votre dossier ici :\n{link}\n\n\
         Ce message vaut accusé de réception. Merci de ne pas y répondre.\n"
    )
}
pub fn status_subject(reference: &str) -> String {
    format!("Votre dossier {reference} a changé de statut")
}
pub fn status_body(reference: &str, title: &str, label: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\nVotre dossier {reference} (« {title} ») est maintenant : {label}.\n\n\
         Détails et suivi : {link}\n"
    )
}

// --- Pages -------------------------------------------------------------------------------------
pub const CATALOGUE_TITLE: &str = "Démarches en ligne";
pub const CATALOGUE_SEARCH: &str = "Rechercher une démarche";
pub const CATALOGUE_SEARCH_BUTTON: &str = "Rechercher";
pub const CATALOGUE_EMPTY: &str = "Aucune démarche n'est proposée en ligne pour le moment.";
pub fn catalogue_no_match(query: &str) -> String {
    format!("Aucune démarche ne correspond à « {query} ».")
}
pub const OTHER_RUBRIQUE: &str = "Autres démarches";
pub const START: &str = "Commencer la démarche";
pub const RESUME: &str = "Reprendre mon brouillon";
pub const START_ANOTHER: &str = "Commencer un autre dossier";
pub fn draft_saved_on(date: &str) -> String {
    format!("Vous avez un brouillon de cette démarche, enregistré le {date}.")
}
pub const LOGIN: &str = "Se connecter";
pub const SIGNUP: &str = "Créer un compte";
pub fn step_progress(current: usize, total: usize) -> String {
    format!("Étape {current} sur {total}")
}
pub const REQUIRED_NOTE: &str = "Les champs marqués d'un astérisque (*) sont obligatoires.";
pub const PREVIOUS: &str = "Étape précédente";
pub const NEXT: &str = "Continuer";
pub const SAVE: &str = "Enregistrer le brouillon";
pub const TO_SUMMARY: &str = "Vérifier et envoyer";
pub const SUMMARY_TITLE: &str = "Récapitulatif";
pub const SUMMARY_INTRO: &str = "Vérifiez vos réponses avant d'envoyer votre dossier. Vous ne pourrez plus les modifier ensuite.";
pub const EDIT_STEP: &str = "Modifier";
pub const SUBMIT: &str = "Envoyer mon dossier";
pub const NO_ANSWER: &str = "Aucune réponse.";
pub const DISCARD: &str = "Supprimer ce brouillon";
pub const ANONYMOUS_DRAFT_NOTE: &str = "Vous n'êtes pas connecté : conservez l'adresse de cette page pour reprendre votre brouillon plus tard.";
pub fn problems_count(count: usize) -> String {
    if count == 1 {
        "Une réponse est à corriger :".to_owned()
    } else {
        format!("{count} réponses sont à corriger :")
    }
}
pub const AUTOSAVE_SAVING: &str = "Enregistrement…";
pub const AUTOSAVE_SAVED: &str = "Brouillon enregistré.";
pub const AUTOSAVE_FAILED: &str =
    "Le brouillon n'a pas pu être enregistré : vos réponses seront enregistrées en continuant.";
pub fn uploading(name: &str, percent: u32) -> String {
    format!("Envoi de {name} : {percent} %")
}
pub const UPLOAD_DONE: &str = "Fichier ajouté.";

pub const MY_DRAFTS_TITLE: &str = "Mes démarches en cours";
pub const MY_DRAFTS_EMPTY: &str = "Vous n'avez aucun brouillon.";
pub const MY_DOSSIERS_TITLE: &str = "Mes demandes";
pub const MY_DOSSIERS_EMPTY: &str = "Vous n'avez encore déposé aucun dossier.";
pub const SUBMITTED_NOTICE: &str =
    "Votre dossier a bien été envoyé. Un accusé de réception vous a été adressé.";
pub const ANONYMOUS_TRACKING_NOTE: &str =
    "Conservez l'adresse de cette page : c'est elle qui vous permet de suivre votre dossier.";
pub fn reference_line(reference: &str) -> String {
    format!("Dossier n° {reference}")
}
pub fn submitted_on(date: &str) -> String {
    format!("Déposé le {date}")
}
pub const STATUS: &str = "Statut";
pub const HISTORY: &str = "Historique";
pub const ANSWERS: &str = "Vos réponses";
pub const UPLOAD_FAILED: &str = "Le fichier n'a pas pu être envoyé : réessayez.";
pub const LIVE_UPDATED: &str = "Le statut de votre dossier vient de changer.";

pub const ANONYMOUS_CITIZEN: &str = "Usager anonyme";
pub const COMPLEMENT_CLOSED: &str =
    "Ce dossier n'attend plus de complément : il a déjà été renvoyé ou l'instruction a repris.";
pub const COMPLEMENT_TITLE: &str = "Votre dossier doit être complété";
pub const COMPLEMENT_BUTTON: &str = "Compléter mon dossier";
pub const MESSAGES_TITLE: &str = "Messages";
pub const NO_MESSAGES: &str = "Aucun message pour le moment.";
pub const MESSAGE_LABEL: &str = "Votre message à la mairie";
pub const MESSAGE_SEND: &str = "Envoyer le message";
pub const MESSAGE_REQUIRED: &str = "Écrivez votre message avant de l'envoyer.";
pub const MESSAGE_TOO_LONG: &str = "Votre message ne doit pas dépasser 5 000 caractères.";
pub const FROM_YOU: &str = "Vous";
pub const FROM_AGENT: &str = "La mairie";
pub const NOTES_TITLE: &str = "Informations de la mairie";
pub const PIECE_REFUSED: &str = "Pièces refusées";
pub const PIECE_UNKNOWN: &str = "Cette pièce n'existe pas dans ce dossier.";
pub const PIECE_NOT_REFUSED: &str = "Seule une pièce refusée peut être remplacée : celle-ci ne l'est pas (ou a déjà été remplacée).";
pub const REPLACEMENT_MISSING: &str = "Choisissez le fichier qui remplace cette pièce.";
pub const REPLACEMENT_DONE: &str =
    "Votre nouveau fichier a bien été envoyé : le service va le vérifier.";
pub const REPLACE_BUTTON: &str = "Envoyer le nouveau fichier";
pub const EVENT_PIECE_REPLACED: &str = "Pièce remplacée";

pub fn replacement_label(name: &str) -> String {
    format!("Nouveau fichier pour remplacer « {name} »")
}

pub fn replacement_hint(accepted: &str, max_bytes: u64) -> String {
    let size = crate::demarches::strings::human_size(max_bytes);
    if accepted.is_empty() {
        format!("Taille maximale : {size}.")
    } else {
        format!("Types acceptés : {accepted}. Taille maximale : {size}.")
    }
}

pub fn replacement_too_large(max_bytes: u64) -> String {
    format!(
        "Le fichier est trop volumineux : la taille maximale est de {}.",
        crate::demarches::strings::human_size(max_bytes)
    )
}

pub fn replacement_wrong_type(accepted: &str) -> String {
    format!("Ce fichier n'est pas d'un type accepté pour cette pièce. Types acceptés : {accepted}.")
}

pub fn piece_refused_subject(reference: &str) -> String {
    format!("Une pièce de votre dossier {reference} a été refusée")
}

pub fn piece_refused_body(
    reference: &str,
    title: &str,
    name: &str,
    field: &str,
    reason: &str,
    link: &str,
) -> String {
    format!(
        "Bonjour,\n\nDans votre dossier {reference} (« {title} »), la pièce « {name} » ({field}) a été refusée pour le motif suivant :\n\n{reason}\n\n\
         Vous pouvez envoyer un autre fichier pour la remplacer depuis la page de votre dossier :\n{link}\n"
    )
}

pub fn piece_replaced_subject(reference: &str) -> String {
    format!("Pièce remplacée sur le dossier {reference}")
}

pub fn piece_replaced_body(reference: &str, old: &str, new: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\nL'usager a remplacé la pièce refusée « {old} » du dossier {reference} par « {new} ». Elle est à vérifier.\n\nVoir le dossier : {link}\n"
    )
}

pub fn piece_replaced_detail(old: &str, new: &str) -> String {
    format!("« {old} » remplacée par « {new} »")
}
pub const EVENT_COMPLEMENT_ANSWERED: &str = "Complément envoyé";
pub const EVENT_COMPLEMENT_REQUESTED: &str = "Complément demandé";

pub fn message_subject(reference: &str) -> String {
    format!("Nouveau message sur le dossier {reference}")
}

pub fn message_body(reference: &str, body: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\nUn nouveau message a été ajouté au dossier {reference} :\n\n{body}\n\nPour le lire et répondre : {link}\n"
    )
}

pub fn complement_subject(reference: &str) -> String {
    format!("Votre dossier {reference} doit être complété")
}

pub fn complement_body(reference: &str, message: &str, link: &str) -> String {
    format!(
        "Bonjour,\n\nPour poursuivre l'instruction de votre dossier {reference}, nous avons besoin d'informations complémentaires :\n\n{message}\n\nCompléter votre dossier : {link}\n"
    )
}
pub const CHANNEL_UNKNOWN: &str = "Choisissez le canal : au guichet ou par téléphone.";
/// How a dossier was filed, as agents read it after "Déposé le …".
pub const CHANNEL_PORTAL: &str = "en ligne";
pub const CHANNEL_COUNTER: &str = "au guichet";
pub const CHANNEL_PHONE: &str = "par téléphone";
pub const ON_BEHALF_NOT_OFFERED: &str =
    "Cette démarche n'est pas ouverte : elle ne peut pas être enregistrée pour un usager.";

pub const DOCUMENTS_TITLE: &str = "Documents";
pub const DOCUMENT_ACKNOWLEDGEMENT: &str = "Accusé de réception (PDF)";
pub const DOCUMENT_ATTESTATION: &str = "Attestation (PDF)";

// --- Beneficiary and the citizen's record ------------------------------------------------------
pub const FOR_WHOM: &str = "Pour qui faites-vous cette démarche ?";
pub const FOR_WHOM_HINT: &str = "Les membres de votre foyer et les organisations que vous représentez, tels que votre compte les connaît.";
pub const FOR_WHOM_NOBODY: &str = "Personne de votre foyer ni aucune organisation ne peut bénéficier de cette démarche. Complétez « Mon foyer » si besoin.";
pub fn on_behalf_of(name: &str) -> String {
    format!("Pour le compte de : {name}")
}
pub const RECORD_UPDATE_TITLE: &str = "Mettre à jour votre fiche";
pub const RECORD_UPDATE_INTRO: &str = "Vos réponses diffèrent de ce que la mairie connaît de vous. Cochez ce que vous voulez mettre à jour :";
pub const RECORD_UPDATE_BUTTON: &str = "Mettre à jour ma fiche";
pub const RECORD_UPDATED: &str = "Votre fiche a été mise à jour.";
pub const RECORD_UPDATE_NOTHING: &str = "Cochez au moins une information à mettre à jour.";
pub const RECORD_UPDATE_INCOMPLETE: &str = "Corrigez d'abord les réponses signalées : votre fiche ne peut être mise à jour qu'avec des réponses valides.";
pub fn record_update_source(title: &str) -> String {
    format!("l'usager, démarche « {title} »")
}
