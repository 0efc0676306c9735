//! The instruction settings' French text.

pub const NAME_RECU: &str = "Nouveau";
pub const NAME_EN_INSTRUCTION: &str = "En instruction";
pub const NAME_EN_ATTENTE: &str = "Attente du demandeur";
pub const NAME_ACCEPTE: &str = "Accepté";
pub const NAME_REFUSE: &str = "Refusé";
pub const NAME_SANS_SUITE: &str = "Sans suite";

pub const T_START: &str = "Prendre en instruction";
pub const T_CLOSE: &str = "Classer sans suite";
pub const T_COMPLEMENT: &str = "Demander un complément";
pub const T_RESUME: &str = "Reprendre l'instruction";
pub const T_ACCEPT: &str = "Accepter";
pub const T_REFUSE: &str = "Refuser";

pub const DEFAULT_NOTIFY_SUBJECT: &str = "Votre dossier {reference} : {statut}";
pub const DEFAULT_NOTIFY_BODY: &str = "Bonjour,\n\nVotre dossier {reference} ({demarche}) est maintenant : {statut}.\n\n{commentaire}\n\nVous pouvez le suivre ici : {lien}\n";

pub const NO_STATUS: &str = "Le circuit doit avoir au moins un statut.";
pub const CODE_INVALID: &str = "Le code d'un statut s'écrit en minuscules sans accent, chiffres et « _ » (40 caractères au plus).";
pub const CODE_DUPLICATE: &str = "Deux statuts ne peuvent pas avoir le même code.";
pub const NAME_REQUIRED: &str = "Indiquez le nom du statut pour les agents.";
pub const LABEL_REQUIRED: &str = "Indiquez le libellé du statut pour l'usager.";
pub const COLOUR_INVALID: &str = "La couleur s'écrit #rrvvbb (par exemple #0063cb).";
pub const INITIAL_UNKNOWN: &str = "Choisissez le statut d'un dossier qui vient d'arriver.";
pub const INITIAL_TERMINAL: &str = "Le statut initial ne peut pas être un statut final.";
pub const TRANSITION_ID_DUPLICATE: &str = "Chaque transition doit avoir un identifiant unique.";
pub const STATUS_UNKNOWN: &str = "Ce statut n'existe pas dans le circuit.";
pub const FROM_TERMINAL: &str = "Aucune transition ne peut partir d'un statut final.";
pub const SAME_STATUS: &str = "Une transition doit mener à un autre statut.";
pub const TRANSITION_DUPLICATE: &str = "Cette transition existe déjà.";
pub const BUTTON_REQUIRED: &str = "Indiquez le texte du bouton de la transition.";
pub const SUBJECT_REQUIRED: &str = "Indiquez l'objet du courriel.";
pub const BODY_REQUIRED: &str = "Indiquez le texte du courriel.";
pub const RETURN_TERMINAL: &str = "Le dossier complété ne peut pas revenir sur un statut final.";
pub const RETURN_SAME: &str =
    "Le dossier complété doit revenir sur un autre statut que celui de l'attente.";
pub const DAYS_RANGE: &str = "Indiquez un nombre de jours entre 1 et 3650.";
pub const SERVICE_UNKNOWN: &str = "Ce service n'existe pas (ou plus) dans l'organigramme.";
pub const RULE_FIELD_REQUIRED: &str = "Choisissez la question dont la réponse oriente le dossier.";
pub const RULE_VALUES_REQUIRED: &str = "Indiquez au moins une valeur.";
pub const ALERT_WITHOUT_MAX: &str = "Le seuil d'alerte suppose un délai maximal de traitement.";
pub const ALERT_AFTER_MAX: &str = "Le seuil d'alerte doit être inférieur au délai maximal.";
pub const SILENCE_DAYS_REQUIRED: &str =
    "Indiquez au bout de combien de jours le silence vaut décision.";
pub const STATUS_IN_USE: &str =
    "Des dossiers sont dans ce statut : il ne peut pas être retiré du circuit.";
pub const DOCUMENT_INVALID: &str = "Le paramétrage de l'instruction est illisible.";
pub const DEMARCHE_UNKNOWN: &str = "Cette démarche n'existe pas (ou plus).";
pub const MANAGERS_ONLY: &str =
    "Seuls les responsables et les administrateurs paramètrent l'instruction des démarches.";

pub fn postcode_of(label: &str) -> String {
    format!("{label} — code postal")
}

pub fn commune_of(label: &str) -> String {
    format!("{label} — commune")
}

pub const PAGE_TITLE: &str = "Instruction de la démarche";
pub const LINK: &str = "Instruction (circuit, aiguillage, délais)";
pub const BACK: &str = "Retour aux démarches";
pub const LOADING: &str = "Chargement du paramétrage…";
pub const NEEDS_JS: &str = "Ce paramétrage nécessite JavaScript.";
pub const INTRO: &str = "Le circuit des dossiers (statuts et transitions), leur aiguillage vers un service et les délais de traitement. Les modifications s'appliquent aux dossiers reçus ensuite ; les dossiers en cours gardent leur statut.";
pub const STATUSES_TITLE: &str = "Statuts";
pub const COL_CODE: &str = "Code";
pub const COL_NAME: &str = "Nom (agents)";
pub const COL_LABEL: &str = "Libellé (usager)";
pub const COL_COLOUR: &str = "Couleur";
pub const COL_TERMINAL: &str = "Final";
pub const COL_ACTIONS: &str = "Actions";
pub const ADD_STATUS: &str = "Ajouter un statut";
pub const MOVE_UP: &str = "Monter";
pub const MOVE_DOWN: &str = "Descendre";
pub const REMOVE: &str = "Retirer";
pub const IN_USE: &str = "utilisé par des dossiers";
pub const INITIAL: &str = "Statut d'un dossier qui arrive";
pub const TRANSITIONS_TITLE: &str = "Transitions";
pub const NO_TRANSITIONS: &str =
    "Aucune transition : les dossiers resteront dans leur statut initial.";
pub const FROM: &str = "Depuis le statut";
pub const TO: &str = "Vers le statut";
pub const BUTTON: &str = "Texte du bouton";
pub const ACTIONS: &str = "Actions de la transition";
pub const NO_ACTIONS: &str = "Aucune action : seul le statut change.";
pub const ADD_TRANSITION: &str = "Ajouter une transition";
pub const REMOVE_TRANSITION: &str = "Retirer la transition";
pub const ACTION_KIND: &str = "Action à ajouter";
pub const ADD_ACTION: &str = "Ajouter l'action";
pub const REMOVE_ACTION: &str = "Retirer l'action";
pub const ACTION_NOTIFY: &str = "Prévenir l'usager par courriel";
pub const ACTION_COMPLEMENT: &str = "Demander un complément à l'usager";
pub const ACTION_DEADLINE: &str = "Fixer une échéance";
pub const ACTION_ASSIGN: &str = "Transmettre à un service";
pub const SUBJECT: &str = "Objet du courriel";
pub const BODY: &str = "Texte du courriel";
pub const PLACEHOLDERS: &str = "Remplacés à l'envoi : {reference} (numéro du dossier), {demarche} (titre de la démarche), {statut} (nouveau statut), {lien} (lien de suivi), {commentaire} (ce que l'agent a écrit).";
pub const RETURN_TO: &str = "Statut au retour du complément";
pub const DAYS: &str = "Nombre de jours";
pub const SERVICE: &str = "Service";
pub const ROUTING_TITLE: &str = "Aiguillage";
pub const DEFAULT_SERVICE: &str = "Service par défaut";
pub const FIRST_SERVICE: &str = "(le premier service de l'organigramme)";
pub const RULES: &str = "Règles, dans l'ordre : la première qui correspond l'emporte";
pub const NO_RULES: &str = "Aucune règle : tous les dossiers vont au service par défaut.";
pub const RULE_FIELD: &str = "Question";
pub const CHOOSE_FIELD: &str = "Choisissez une question";
pub const RULE_VALUES: &str = "Valeurs, séparées par des virgules";
pub const RULE_VALUES_HINT: &str =
    "Sans tenir compte des majuscules ni des accents ; 448* pour tout ce qui commence par 448.";
pub const RULE_SERVICE: &str = "Service destinataire";
pub const ADD_RULE: &str = "Ajouter une règle";
pub const REMOVE_RULE: &str = "Retirer la règle";
pub const COPIES: &str = "Services qui reçoivent une copie (en lecture)";
pub const DEADLINES_TITLE: &str = "Délais";
pub const MAX_DAYS: &str = "Délai maximal de traitement (jours)";
pub const ALERT_DAYS: &str = "Alerte, en jours avant l'échéance";
pub const SILENCE: &str = "Silence de l'administration";
pub const SILENCE_NONE: &str = "Sans effet";
pub const SILENCE_ACCEPTATION: &str = "Vaut acceptation";
pub const SILENCE_REJET: &str = "Vaut rejet";
pub const SILENCE_DAYS: &str = "Au bout de (jours)";
pub const SAVE: &str = "Enregistrer";
pub const SAVING: &str = "Enregistrement…";
pub const SAVED: &str = "Paramétrage de l'instruction enregistré.";
pub const NOT_SAVED: &str = "Rien n'a été enregistré : corrigez les points suivants.";

pub fn transition_legend(n: usize) -> String {
    format!("Transition {n}")
}

pub fn rule_legend(n: usize) -> String {
    format!("Règle {n}")
}

pub fn status_row_label(n: usize, what: &str) -> String {
    format!("{what} du statut {n}")
}

pub fn unknown_option(code: &str) -> String {
    format!("{code} (inconnu)")
}

pub fn heading(title: &str) -> String {
    format!("Instruction : {title}")
}

pub fn link_label(title: &str) -> String {
    format!("Paramétrer l'instruction de « {title} »")
}

pub fn status_legend(n: usize) -> String {
    format!("Statut {n}")
}

/// The routing rule choice that reads the context of submission (values: context codes).
pub const CONTEXT_FIELD_LABEL: &str = "Contexte de dépôt (codes des espaces, ex. : entreprises)";
