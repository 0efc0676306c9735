//! The contexts' French text.

pub const CODE_REQUIRED: &str =
    "Indiquez l'adresse de l'espace, par exemple « familles » pour /familles.";
pub const CODE_TOO_LONG: &str = "L'adresse de l'espace ne doit pas dépasser 40 caractères.";

pub fn code_invalid(code: &str) -> String {
    format!(
        "« {code} » ne convient pas : l'adresse d'un espace ne contient que des lettres minuscules sans accent et des chiffres, en mots reliés par un seul tiret (par exemple « familles » ou « vie-associative »)."
    )
}

pub fn code_reserved(code: &str) -> String {
    format!(
        "« {code} » est déjà une adresse du portail (/{code}) : choisissez-en une autre, par exemple « espace-{code} »."
    )
}

pub const CODE_TAKEN: &str = "Un autre espace utilise déjà cette adresse.";
pub const NAME_REQUIRED: &str = "Indiquez le nom de l'espace, par exemple « Familles ».";
pub const NAME_TOO_LONG: &str = "Le nom de l'espace ne doit pas dépasser 80 caractères.";
pub const TEXT_TOO_LONG: &str = "Ce texte ne doit pas dépasser 4 000 caractères.";
pub const POSITION_INVALID: &str = "Indiquez un rang entre 0 et 999 (ou laissez vide).";
pub const HOST_TAKEN: &str = "Ce nom de domaine est déjà utilisé (par la commune, un autre espace ou une autre collectivité).";
pub const HOST_UNDER_BASE: &str = "Les adresses en .{base} sont réservées à la plateforme : indiquez un domaine propre à la commune.";
pub const DEMARCHE_UNKNOWN: &str = "Une des démarches cochées n'existe pas (ou plus).";
pub const CONTEXT_UNKNOWN: &str = "Cet espace n'existe pas (ou plus).";

pub fn gone_notice(name: &str) -> String {
    format!("L'espace « {name} » n'existe plus : voici le portail de la commune.")
}

pub fn not_in_context(title: &str, context: &str) -> String {
    format!(
        "La démarche « {title} » n'est pas proposée dans l'espace « {context} ». Elle reste accessible depuis le portail de la commune."
    )
}

pub const ALL_DEMARCHES: &str = "Toutes les démarches de la commune";
pub const TO_PORTAL: &str = "Aller au portail de la commune";
pub const BOUQUET_TITLE: &str = "Vos démarches";
pub const BOUQUET_EMPTY: &str = "Aucune démarche n'est proposée dans cet espace pour le moment.";
pub const HELP_TITLE: &str = "Besoin d'aide ?";

// Administration.
pub const PAGE_TITLE: &str = "Espaces du portail";
pub const INTRO: &str = "Un espace présente le portail à un public (familles, entreprises, associations) : sa propre adresse, ses textes, ses couleurs et ses démarches. Le portail habituel reste l'espace par défaut et propose toutes les démarches.";
pub const ADMIN_LINK: &str = "Espaces du portail (familles, entreprises…)";
pub const BACK_TO_ADMIN: &str = "← Administration";
pub const NEW_TITLE: &str = "Créer un espace";
pub const LIST_TITLE: &str = "Espaces";
pub const NONE_YET: &str = "Aucun espace pour le moment : le portail est le même pour tous.";
pub const FIELD_CODE: &str = "Adresse (/…)";
pub const FIELD_CODE_HINT: &str =
    "Lettres minuscules sans accent, chiffres et tirets : « familles » ouvre /familles.";
pub const FIELD_NAME: &str = "Nom";
pub const FIELD_WELCOME: &str = "Texte d'accueil";
pub const FIELD_HELP: &str = "Texte d'aide";
pub const FIELD_PRIMARY: &str = "Couleur principale (#rrggbb, vide : celle de la commune)";
pub const FIELD_SECONDARY: &str = "Couleur secondaire (#rrggbb, vide : celle de la commune)";
pub const FIELD_HOST: &str = "Nom de domaine propre (facultatif)";
pub const FIELD_HOST_HINT: &str =
    "Par exemple familles.ma-commune.fr, une fois ce domaine dirigé vers la plateforme.";
pub const FIELD_POSITION: &str = "Rang dans la liste";
pub const FIELD_DEMARCHES: &str = "Démarches proposées dans cet espace";
pub const NO_DEMARCHES: &str = "La commune n'a encore aucune démarche.";
pub const CREATE: &str = "Créer l'espace";
pub const SAVE: &str = "Enregistrer";
pub const DELETE: &str = "Supprimer cet espace";
pub const DELETE_CONFIRM: &str = "Je confirme la suppression (les dossiers déposés gardent le nom de l'espace ; ses anciens liens mèneront au portail de la commune)";
pub const DELETE_NOT_CONFIRMED: &str = "Cochez la case de confirmation pour supprimer l'espace.";
pub const SAVED: &str = "Modifications enregistrées.";
pub const OPEN: &str = "Voir l'espace";

/// The back office's dossier fact.
pub const DOSSIER_CONTEXT: &str = "Déposé depuis l'espace";
/// The dossier export's column (last, so existing columns keep their place).
pub const CSV_CONTEXT: &str = "Espace de dépôt";
