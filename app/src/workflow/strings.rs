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
