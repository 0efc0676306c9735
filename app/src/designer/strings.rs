//! French text of the démarche designer. Messages that quote a value are functions.

use super::diff::Change;

// --- Palette ---------------------------------------------------------------------------------
pub const KIND_SHORT_TEXT: &str = "Texte court";
pub const KIND_LONG_TEXT: &str = "Texte long";
pub const KIND_EMAIL: &str = "Adresse e-mail";
pub const KIND_PHONE: &str = "Téléphone";
pub const KIND_INTEGER: &str = "Nombre entier";
pub const KIND_DECIMAL: &str = "Nombre décimal";
pub const KIND_DATE: &str = "Date";
pub const KIND_YES_NO: &str = "Oui / non";
pub const KIND_SINGLE_CHOICE: &str = "Choix unique";
pub const KIND_MULTIPLE_CHOICE: &str = "Choix multiple";
pub const KIND_ADDRESS: &str = "Adresse postale";
pub const KIND_SIRET: &str = "SIRET";
pub const KIND_FILES: &str = "Pièces jointes";
pub const KIND_EXPLANATION: &str = "Texte d'explication";
pub const KIND_SECTION_HEADER: &str = "Titre de section";
pub const KIND_GROUP: &str = "Groupe répétable";
pub const DEFAULT_OPTION_1: &str = "Premier choix";
pub const DEFAULT_OPTION_2: &str = "Second choix";
pub const DEFAULT_EXPLANATION: &str = "Texte affiché à l'usager.";

pub fn copy_of(label: &str) -> String {
    format!("{label} (copie)")
}
pub fn step_title(number: usize) -> String {
    format!("Étape {number}")
}

// --- Conditions ------------------------------------------------------------------------------
pub const OP_IN: &str = "parmi";
pub const OP_IS_EMPTY: &str = "est vide";
pub const AND: &str = " et ";
pub const OR: &str = " ou ";
pub const NOT: &str = "non";
pub const CONDITION_TITLE: &str = "Condition d'affichage";
pub const CONDITION_NONE: &str = "Toujours affiché.";
pub const CONDITION_NO_EARLIER_FIELD: &str =
    "Aucun champ placé avant celui-ci ne peut servir de condition.";
pub const CONDITION_ADD: &str = "Ajouter une condition";
pub const CONDITION_REMOVE: &str = "Retirer la condition";
pub const CONDITION_ADD_RULE: &str = "Ajouter une règle";
pub const CONDITION_ADD_GROUP: &str = "Ajouter un sous-groupe";
pub const CONDITION_NEGATE: &str = "Inverser (non)";
pub const CONDITION_REMOVE_RULE: &str = "Retirer";
pub const CONDITION_ALL: &str = "Toutes les règles (et)";
pub const CONDITION_ANY: &str = "Au moins une règle (ou)";
pub const CONDITION_NOT: &str = "Non :";
pub const CONDITION_FIELD: &str = "Champ";
pub const CONDITION_OPERATOR: &str = "Opérateur";
pub const CONDITION_VALUE: &str = "Valeur";
pub const CONDITION_VALUES_HINT: &str = "Séparez les valeurs par des points-virgules.";
pub const CONDITION_BAD_VALUE: &str = "Valeur non reconnue pour ce type de champ.";
pub const CONDITION_SUMMARY: &str = "Affiché si";
pub const YES: &str = "Oui";
pub const NO: &str = "Non";

// --- Diff ------------------------------------------------------------------------------------
pub const DIFF_DESCRIPTION: &str = "Description modifiée.";
pub const AUDIENCE_ANONYMOUS: &str = "ouverte sans compte";
pub const AUDIENCE_IDENTIFIED: &str = "réservée aux usagers connectés";
pub const WINDOW_ALWAYS: &str = "sans limite de dates";

pub fn diff_title(old: &str, new: &str) -> String {
    format!("Titre : « {old} » devient « {new} ».")
}
pub fn diff_rubrique(old: &str, new: &str) -> String {
    format!("Rubrique : « {old} » devient « {new} ».")
}
pub fn diff_audience(label: &str) -> String {
    format!("Public : {label}.")
}
pub fn diff_window(window: &str) -> String {
    format!("Période de publication : {window}.")
}
pub fn window_from(from: &str) -> String {
    format!("à partir du {from}")
}
pub fn window_to(to: &str) -> String {
    format!("jusqu'au {to}")
}
pub fn window_between(from: &str, to: &str) -> String {
    format!("du {from} au {to}")
}
pub fn diff_service(service: &str) -> String {
    if service.is_empty() {
        "Service destinataire par défaut retiré.".to_owned()
    } else {
        format!("Service destinataire par défaut : « {service} ».")
    }
}
pub fn diff_step_added(title: &str) -> String {
    format!("Étape « {title} » ajoutée.")
}
pub fn diff_step_removed(title: &str) -> String {
    format!("Étape « {title} » supprimée.")
}
pub fn diff_step_renamed(old: &str, new: &str) -> String {
    format!("Étape « {old} » renommée en « {new} ».")
}
pub fn diff_step_moved(title: &str) -> String {
    format!("Étape « {title} » déplacée.")
}
fn change_word(change: Change) -> &'static str {
    match change {
        Change::Added => "ajoutée",
        Change::Removed => "retirée",
        Change::Modified => "modifiée",
    }
}
pub fn diff_step_condition(title: &str, change: Change) -> String {
    format!("Condition de l’étape « {title} » {}.", change_word(change))
}
pub fn diff_field_added(label: &str, step: &str) -> String {
    format!("Champ « {label} » ajouté à l’étape « {step} ».")
}
pub fn diff_field_removed(label: &str, step: &str) -> String {
    format!("Champ « {label} » supprimé (étape « {step} »).")
}
pub fn diff_field_moved(label: &str, step: &str) -> String {
    format!("Champ « {label} » déplacé dans l’étape « {step} ».")
}
pub fn diff_field_moved_to(label: &str, from: &str, to: &str) -> String {
    format!("Champ « {label} » déplacé de l’étape « {from} » à l’étape « {to} ».")
}
pub fn diff_field_renamed(old: &str, new: &str) -> String {
    format!("Champ « {old} » renommé en « {new} ».")
}
pub fn diff_field_required(label: &str, required: bool) -> String {
    if required {
        format!("Champ « {label} » rendu obligatoire.")
    } else {
        format!("Champ « {label} » rendu facultatif.")
    }
}
pub fn diff_field_condition(label: &str, change: Change) -> String {
    format!("Condition du champ « {label} » {}.", change_word(change))
}
pub fn diff_field_help(label: &str) -> String {
    format!("Aide du champ « {label} » modifiée.")
}
pub fn diff_field_prefill(label: &str) -> String {
    format!("Préremplissage du champ « {label} » modifié.")
}
pub fn diff_field_kind(label: &str, old: &str, new: &str) -> String {
    format!("Type du champ « {label} » : {old} devient {new}.")
}
pub fn diff_field_settings(label: &str) -> String {
    format!("Réglages du champ « {label} » modifiés.")
}
pub fn diff_group_fields(label: &str) -> String {
    format!("Sous-champs du groupe « {label} » modifiés.")
}
pub fn first_publication(steps: usize, fields: usize) -> String {
    format!("Première publication : {steps} étape(s), {fields} champ(s).")
}

// --- List page -------------------------------------------------------------------------------
pub const LIST_TITLE: &str = "Démarches";
pub const LIST_LINK: &str = "Concevoir les démarches";
pub const CREATE_TITLE: &str = "Nouvelle démarche";
pub const CREATE_FIELD: &str = "Titre de la démarche";
pub const CREATE_BUTTON: &str = "Créer la démarche";
pub const IMPORT_TITLE: &str = "Importer une démarche";
pub const IMPORT_FIELD: &str = "Fichier JSON exporté depuis Guichet";
pub const IMPORT_BUTTON: &str = "Importer";
pub const IMPORT_NO_FILE: &str = "Choisissez un fichier à importer.";
pub const IMPORT_UNREADABLE: &str = "Le fichier n'a pas pu être lu.";
pub const IMPORTED: &str = "Démarche importée.";
pub const EMPTY_LIST: &str = "Aucune démarche pour l'instant.";
pub const COL_TITLE: &str = "Titre";
pub const COL_RUBRIQUE: &str = "Rubrique";
pub const COL_STATE: &str = "État";
pub const COL_ACTIONS: &str = "Actions";
pub const EXPORT: &str = "Exporter";
pub const DOWNLOAD: &str = "Télécharger le fichier JSON";
pub const STATE_DRAFT: &str = "Brouillon";
pub const STATE_CLOSED: &str = "Close";
pub const UNPUBLISHED_CHANGES: &str = "modifications non publiées";

pub fn state_published(version: u32) -> String {
    format!("Publiée (version {version})")
}
pub fn edit_link(title: &str) -> String {
    format!("Concevoir « {title} »")
}
pub fn export_label(title: &str) -> String {
    format!("Exporter « {title} »")
}

// --- Designer page ---------------------------------------------------------------------------
pub const DESIGNER_TITLE: &str = "Concepteur de démarche";
pub const LOADING: &str = "Chargement du concepteur…";
pub const NEEDS_JS: &str = "Le concepteur de démarches nécessite JavaScript.";
pub const BACK_TO_LIST: &str = "Retour à la liste des démarches";
pub const PALETTE_TITLE: &str = "Types de champ";
pub const PALETTE_HINT: &str = "Glissez un type de champ sur une étape, ou choisissez-le puis « Ajouter » pour l'ajouter à l'étape sélectionnée.";
pub const FORM_TITLE: &str = "Formulaire";
pub const PROPERTIES_TITLE: &str = "Propriétés";
pub const NOTHING_SELECTED: &str =
    "Sélectionnez une étape ou un champ pour modifier ses propriétés.";
pub const IDENTITY_TITLE: &str = "Fiche de la démarche";
pub const ADD_STEP: &str = "Ajouter une étape";
pub const DROP_HERE: &str = "Déposez un champ ici";
pub const EMPTY_STEP: &str = "Étape vide : déposez-y un champ.";
pub const UP: &str = "Monter";
pub const DOWN: &str = "Descendre";
pub const DELETE: &str = "Supprimer";
pub const DUPLICATE: &str = "Dupliquer";
pub const UNDO: &str = "Annuler";
pub const REDO: &str = "Rétablir";
pub const UNDO_HINT: &str = "Ctrl+Z";
pub const REDO_HINT: &str = "Ctrl+Maj+Z";
pub const REQUIRED_MARK: &str = "obligatoire";
pub const CONDITIONAL_MARK: &str = "conditionnel";
pub const ADD_TO_STEP: &str = "Ajouter à l'étape sélectionnée";
pub const REORDER_HINT: &str = "Alt+Flèche haut / bas pour déplacer l'élément sélectionné.";
pub const PUBLISH: &str = "Publier";
pub const PUBLISH_CONFIRM_TITLE: &str = "Publier cette version ?";
pub const PUBLISH_CONFIRM: &str = "Confirmer la publication";
pub const CANCEL: &str = "Annuler";
pub const NO_CHANGES: &str =
    "Aucune modification depuis la dernière version publiée : republier ne crée pas de version.";
pub const PUBLISH_REFUSED: &str = "La publication est refusée :";
pub const SAVED: &str = "Enregistré";
pub const SAVING: &str = "Enregistrement…";
pub const ERRORS_TITLE: &str = "Problèmes à corriger avant publication";
pub const NO_ERRORS: &str = "Aucun problème : la démarche peut être publiée.";
pub const PREVIEW_TITLE: &str = "Aperçu pour l'usager";
pub const PREVIEW_SHOW: &str = "Afficher l'aperçu de l'étape sélectionnée";
pub const PREVIEW_HIDE: &str = "Masquer l'aperçu";

pub fn save_failed(message: &str) -> String {
    format!("Échec de l'enregistrement : {message}")
}
pub fn published(version: u32) -> String {
    format!("Version {version} publiée.")
}
pub fn errors_count(count: usize) -> String {
    format!("{count} problème(s)")
}
pub fn move_field_label(label: &str, direction: &str) -> String {
    format!("{direction} « {label} »")
}
pub fn announce_field_moved(label: &str, position: usize, count: usize, step: &str) -> String {
    format!("« {label} » déplacé : position {position} sur {count}, étape « {step} ».")
}
pub fn announce_step_moved(title: &str, position: usize, count: usize) -> String {
    format!("Étape « {title} » déplacée : position {position} sur {count}.")
}
pub fn announce_field_added(label: &str, step: &str) -> String {
    format!("Champ « {label} » ajouté à l'étape « {step} ».")
}
pub fn announce_removed(label: &str) -> String {
    format!("« {label} » supprimé.")
}
pub const ALREADY_FIRST: &str = "Ce champ est déjà le premier du formulaire.";
pub const ALREADY_LAST: &str = "Ce champ est déjà le dernier du formulaire.";
pub const ANNOUNCE_UNDONE: &str = "Modification annulée.";
pub const ANNOUNCE_REDONE: &str = "Modification rétablie.";

// --- Properties ------------------------------------------------------------------------------
pub const PROP_CODE: &str = "Code";
pub const PROP_CODE_HINT: &str = "Identifiant stable : minuscules sans accent, chiffres et _ ; sert dans les conditions et les exports.";
pub const PROP_LABEL: &str = "Libellé";
pub const PROP_TITLE: &str = "Titre de l'étape";
pub const PROP_HELP: &str = "Aide";
pub const PROP_REQUIRED: &str = "Obligatoire";
pub const PROP_PREFILL: &str = "Préremplir depuis le profil";
pub const PREFILL_NONE: &str = "Ne pas préremplir";
pub const PREFILL_NAME: &str = "Nom";
pub const PREFILL_EMAIL: &str = "Adresse e-mail";
pub const PREFILL_PHONE: &str = "Téléphone";
pub const PREFILL_ADDRESS: &str = "Adresse";
pub const PREFILL_GIVEN_NAME: &str = "Prénom(s) (identité certifiée)";
pub const PREFILL_BIRTH_NAME: &str = "Nom de naissance (identité certifiée)";
pub const PREFILL_USAGE_NAME: &str = "Nom d'usage (identité certifiée)";
pub const PREFILL_BIRTH_DATE: &str = "Date de naissance (identité certifiée)";
pub const PREFILL_BIRTH_PLACE: &str = "Lieu de naissance, code INSEE (identité certifiée)";
pub const PREFILL_BIRTH_COUNTRY: &str = "Pays de naissance, code INSEE (identité certifiée)";
pub const PREFILL_GENDER: &str = "Sexe / civilité (identité certifiée)";
/// Under the prefill choice: what an identity attribute does to the citizen's field.
pub const PREFILL_CERTIFIED_HINT: &str = "Les informations « identité certifiée » ne sont préremplies que pour un usager connecté avec FranceConnect ; elles sont alors verrouillées.";
pub const PROP_MAX_LENGTH: &str = "Longueur maximale (caractères)";
pub const PROP_PATTERN: &str = "Format imposé (expression régulière)";
pub const PROP_PATTERN_MESSAGE: &str = "Message si le format n'est pas respecté";
pub const PROP_MIN: &str = "Minimum";
pub const PROP_MAX: &str = "Maximum";
pub const PROP_OPTIONS: &str = "Choix proposés";
pub const PROP_OPTION_VALUE: &str = "Valeur";
pub const PROP_OPTION_LABEL: &str = "Libellé du choix";
pub const PROP_ADD_OPTION: &str = "Ajouter un choix";
pub const PROP_DISPLAY: &str = "Affichage";
pub const DISPLAY_RADIO: &str = "Boutons radio";
pub const DISPLAY_LIST: &str = "Liste déroulante";
pub const PROP_MIN_SELECTED: &str = "Nombre minimal de choix cochés";
pub const PROP_MAX_SELECTED: &str = "Nombre maximal de choix cochés";
pub const PROP_ACCEPTED: &str = "Types de fichier acceptés";
pub const PROP_ACCEPTED_HINT: &str =
    "Séparés par des virgules, par exemple application/pdf, image/* ; vide : tous les types.";
pub const PROP_MAX_SIZE: &str = "Taille maximale par fichier (Mo)";
pub const PROP_MAX_FILES: &str = "Nombre maximal de fichiers";
pub const PROP_BODY: &str = "Texte affiché";
pub const PROP_MIN_ITEMS: &str = "Nombre minimal de blocs";
pub const PROP_MAX_ITEMS: &str = "Nombre maximal de blocs";
pub const PROP_SUB_FIELDS: &str = "Sous-champs du groupe";
pub const PROP_ADD_SUB_FIELD: &str = "Ajouter un sous-champ";
pub const PROP_SUB_KIND: &str = "Type";
pub const SUB_FIELD_PROPERTIES: &str = "Toutes ses propriétés";
pub const BACK_TO_GROUP: &str = "Revenir au groupe";
pub fn sub_field_properties_label(label: &str) -> String {
    format!("Toutes les propriétés du sous-champ « {label} »")
}
pub fn sub_field_of(group: &str) -> String {
    format!("Sous-champ du groupe répétable « {group} ».")
}
pub const PROP_NUMBER_BAD: &str = "Saisissez un nombre entier.";
pub const ID_DESCRIPTION: &str = "Description";
pub const ID_RUBRIQUE: &str = "Rubrique";
pub const ID_AUDIENCE: &str = "Public";
pub const ID_AUDIENCE_IDENTIFIED: &str = "Usagers connectés uniquement";
pub const ID_AUDIENCE_ANONYMOUS: &str = "Ouverte sans compte";
pub const ID_FROM: &str = "Publiée à partir du";
pub const ID_TO: &str = "Publiée jusqu'au";
pub const ID_SERVICE: &str = "Service destinataire par défaut";
pub const ID_SERVICE_HINT: &str =
    "Le service de l'organigramme qui reçoit les dossiers, sauf règle contraire.";
pub const ID_SERVICE_NONE: &str = "— Aucun —";
pub const ID_SERVICES_LOADING: &str = "Chargement des services…";
pub fn unknown_service(id: &str) -> String {
    format!("Service inconnu ou supprimé de l'organigramme ({id})")
}
pub const ID_SERVICE_UNKNOWN: &str =
    "Ce service n'existe plus dans l'organigramme : choisissez-en un autre.";
pub const ID_TITLE: &str = "Titre de la démarche";

// --- Beneficiary setting ------------------------------------------------------------------------
pub const BENEFICIARY_TITLE: &str = "Bénéficiaire";
pub const BENEFICIARY_HINT: &str = "Pour qui l'usager peut faire cette démarche. Au-delà de lui-même, la page de démarrage lui demande « Pour qui faites-vous cette démarche ? ».";
pub const BENEFICIARY_CITIZEN: &str = "L'usager lui-même";
pub const BENEFICIARY_MEMBER: &str = "Un membre de son foyer";
pub const BENEFICIARY_CHILD: &str = "Un enfant du foyer";
pub const BENEFICIARY_ORGANISATION: &str = "Une organisation qu'il représente";
pub const AGE_MIN: &str = "Âge minimum (ans)";
pub const AGE_MAX: &str = "Âge maximum (ans)";
pub const AGE_ON: &str = "Âge atteint au";
pub const AGE_ON_HINT: &str =
    "Par exemple le 1er septembre de l'année scolaire. Vide : le jour de la demande.";
pub const PREFILL_ORGANISATION_NAME: &str = "Raison sociale de l'organisation représentée";
pub const PREFILL_ORGANISATION_SIRET: &str = "SIRET de l'organisation représentée";
pub const PREFILL_ORGANISATION_RNA: &str = "Numéro RNA de l'association représentée";
pub const PREFILL_HOUSEHOLD_CHILDREN: &str = "Les enfants du foyer (un élément par enfant)";
pub const DIFF_BENEFICIARY: &str = "Bénéficiaires possibles ou condition d'âge modifiés.";
