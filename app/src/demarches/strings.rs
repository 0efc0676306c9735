//! French text of the démarche model, kept in one place for a later translation. Messages that
//! quote a value are functions.

// --- Answers ---------------------------------------------------------------------------------
pub const REQUIRED: &str = "Ce champ est obligatoire.";
pub const WRONG_ANSWER_TYPE: &str = "La réponse n'a pas le format attendu pour ce champ.";
pub const UNKNOWN_FIELD: &str = "Ce champ n'existe pas dans le formulaire de cette démarche.";
pub const NOT_AN_INTEGER: &str = "Saisissez un nombre entier, sans virgule (par exemple 12).";
pub const NOT_A_NUMBER: &str =
    "Saisissez un nombre, avec au plus 6 chiffres après la virgule (par exemple 12,50).";
pub const INVALID_DATE: &str =
    "Saisissez une date valide au format JJ/MM/AAAA (par exemple 14/07/2024).";
pub const INVALID_PHONE: &str = "Saisissez un numéro de téléphone français valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78.";
pub const INVALID_SIRET: &str = "Le numéro SIRET doit comporter 14 chiffres et être valide (vérifiez qu'il n'y a pas de faute de frappe).";
pub const INVALID_POSTCODE: &str = "Le code postal doit comporter 5 chiffres.";
pub const STREET_REQUIRED: &str = "Saisissez la voie (par exemple « rue de la Mairie »).";
pub const COMMUNE_REQUIRED: &str = "Saisissez la commune.";
pub const INVALID_YES_NO: &str = "Répondez par oui ou par non.";
pub const PATTERN_MISMATCH: &str = "La réponse n'a pas le format demandé.";

pub fn too_long(max: u32) -> String {
    format!("La réponse ne peut pas dépasser {max} caractères.")
}
pub fn at_least<T: std::fmt::Display>(min: T) -> String {
    format!("La valeur doit être supérieure ou égale à {min}.")
}
pub fn at_most<T: std::fmt::Display>(max: T) -> String {
    format!("La valeur doit être inférieure ou égale à {max}.")
}
pub fn between<T: std::fmt::Display>(min: T, max: T) -> String {
    format!("La valeur doit être comprise entre {min} et {max}.")
}
pub fn date_not_before(min: &str) -> String {
    format!("La date doit être le {min} ou après.")
}
pub fn date_not_after(max: &str) -> String {
    format!("La date doit être le {max} ou avant.")
}
pub fn unknown_choice(value: &str) -> String {
    format!("« {value} » ne fait pas partie des choix proposés.")
}
pub fn too_few_choices(min: u32) -> String {
    format!("Cochez au moins {min} choix.")
}
pub fn too_many_choices(max: u32) -> String {
    format!("Cochez au plus {max} choix.")
}
pub fn too_many_files(max: u32) -> String {
    format!("Vous pouvez joindre au plus {max} fichier(s).")
}
pub fn wrong_file_type(name: &str, accepted: &str) -> String {
    format!("Le fichier « {name} » n'est pas d'un type accepté. Types acceptés : {accepted}.")
}
pub fn file_too_large(name: &str, max_bytes: u64) -> String {
    format!(
        "Le fichier « {name} » est trop volumineux : la taille maximale est de {}.",
        human_size(max_bytes)
    )
}
pub fn too_few_items(min: u32) -> String {
    format!("Remplissez au moins {min} bloc(s).")
}
pub fn too_many_items(max: u32) -> String {
    format!("Vous pouvez remplir au plus {max} bloc(s).")
}

/// `1 Mo`, `500 Ko`, `12 octets`, in powers of 1024 as file dialogs do.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} Mo", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} Ko", bytes / KIB)
    } else {
        format!("{bytes} octets")
    }
}

// --- Definitions -----------------------------------------------------------------------------
pub const TITLE_EMPTY: &str = "Donnez un titre à la démarche.";
pub const WINDOW_REVERSED: &str = "La date de début de publication doit précéder la date de fin.";
pub const NO_STEPS: &str = "Le formulaire doit comporter au moins une étape.";
pub const STEP_EMPTY: &str = "Cette étape ne contient aucun champ.";
pub const STEP_TITLE_EMPTY: &str = "Donnez un titre à cette étape.";
pub const LABEL_EMPTY: &str = "Donnez un libellé à ce champ.";
pub const CODE_INVALID: &str = "Le code doit commencer par une lettre minuscule et ne contenir que des lettres minuscules sans accent, des chiffres et des tirets bas (_), 64 caractères au plus.";
pub const MAX_LENGTH_INVALID: &str =
    "La longueur maximale doit être comprise entre 1 et 10 000 caractères.";
pub const BOUNDS_REVERSED: &str = "Le minimum ne peut pas être supérieur au maximum.";
pub const NO_OPTIONS: &str = "Proposez au moins un choix.";
pub const OPTION_VALUE_EMPTY: &str = "Donnez une valeur à ce choix.";
pub const OPTION_LABEL_EMPTY: &str = "Donnez un libellé à ce choix.";
pub const SELECTION_BOUNDS_INVALID: &str = "Le nombre de choix à cocher est incohérent : le minimum dépasse le maximum ou le nombre de choix proposés.";
pub const FILES_LIMITS_INVALID: &str =
    "La taille maximale et le nombre maximal de fichiers doivent être d'au moins 1.";
pub const GROUP_EMPTY: &str = "Le groupe répétable doit contenir au moins un champ.";
pub const GROUP_BOUNDS_INVALID: &str = "Le nombre de blocs est incohérent : le maximum doit être d'au moins 1 et pas inférieur au minimum.";
pub const PATTERN_MESSAGE_EMPTY: &str =
    "Rédigez le message affiché quand la réponse ne respecte pas le format.";
pub const NO_ANSWER_CANNOT_BE_REQUIRED: &str =
    "Ce champ n'attend pas de réponse : il ne peut pas être obligatoire ni prérempli.";
pub const PREFILL_IN_GROUP: &str =
    "Un champ d'un groupe répétable ne peut pas être prérempli depuis le profil.";
pub const PREFILL_INCOMPATIBLE: &str =
    "Cette information du profil ne peut pas préremplir ce type de champ.";
pub const PREFILL_GENDER_OPTIONS: &str = "Pour être prérempli par le sexe, ce choix doit proposer une option de valeur « femme » (ou « f », « madame ») et une de valeur « homme » (ou « m », « monsieur »).";
pub const ORDERING_NOT_ALLOWED: &str = "Ce champ ne peut pas être comparé avec <, ≤, > ou ≥ : seuls les nombres et les dates peuvent l'être.";
pub const CONDITION_TYPE_MISMATCH: &str =
    "La valeur de la condition n'est pas du même type que le champ comparé.";
pub const CONDITION_ONLY_IS_EMPTY: &str = "Ce champ ne peut être testé que par « est vide ».";
pub const CONDITION_EMPTY_LIST: &str = "La liste de valeurs de la condition est vide.";

pub fn invalid_accepted_type(value: &str) -> String {
    format!(
        "« {value} » n'est pas un type de fichier valide (par exemple application/pdf ou image/*)."
    )
}
pub fn duplicate_code(code: &str) -> String {
    format!("Le code « {code} » est déjà utilisé ailleurs dans ce formulaire.")
}
pub fn duplicate_option(value: &str) -> String {
    format!("Le choix « {value} » est proposé deux fois.")
}
pub fn invalid_pattern(detail: &str) -> String {
    format!("Le format (expression régulière) n'est pas valide : {detail}")
}
pub fn condition_unknown_field(code: &str) -> String {
    format!("La condition porte sur le champ « {code} », qui n'existe pas.")
}
pub fn condition_not_earlier(code: &str) -> String {
    format!(
        "La condition porte sur le champ « {code} », qui n'est pas placé avant dans le formulaire."
    )
}
pub fn condition_no_answer(code: &str) -> String {
    format!("La condition porte sur « {code} », qui n'attend pas de réponse.")
}
pub fn condition_unknown_option(value: &str) -> String {
    format!("La condition compare avec « {value} », qui ne fait pas partie des choix du champ.")
}

// --- Documents -------------------------------------------------------------------------------
pub const NOT_AN_OBJECT: &str = "Le document doit être un objet JSON.";
pub const FORMAT_MISSING: &str =
    "Ce fichier n'est pas une démarche Guichet : la propriété « format » est absente.";

pub fn syntax_error(line: usize, column: usize, detail: &str) -> String {
    format!("Le fichier n'est pas du JSON valide (ligne {line}, colonne {column}) : {detail}")
}
pub fn wrong_format(found: &str) -> String {
    format!(
        "Ce fichier n'est pas une démarche Guichet : format « {found} » au lieu de « guichet.demarche »."
    )
}
pub fn unsupported_version(found: &str) -> String {
    format!("La version de format {found} n'est pas prise en charge : seule la version 1 l'est.")
}
pub fn unknown_property(name: &str, expected: &str) -> String {
    format!("Propriété inconnue « {name} ». Propriétés possibles : {expected}.")
}
pub fn missing_property(name: &str) -> String {
    format!("La propriété obligatoire « {name} » est absente.")
}
pub fn unknown_variant(name: &str, expected: &str) -> String {
    format!("Valeur inconnue « {name} ». Valeurs possibles : {expected}.")
}
pub fn wrong_value(detail: &str) -> String {
    format!("Valeur incorrecte : {detail}.")
}
pub fn bad_iso_date(raw: &str) -> String {
    format!("« {raw} » n'est pas une date valide au format AAAA-MM-JJ.")
}
pub fn bad_decimal(raw: &str) -> String {
    format!("« {raw} » n'est pas un nombre décimal valide (au plus 6 chiffres après la virgule).")
}

// Persistence and publication.
pub const DEMARCHE_UNKNOWN: &str = "Cette démarche n'existe pas.";
pub const TITLE_REQUIRED: &str = "Saisissez le titre de la démarche.";
pub const TITLE_TOO_LONG: &str = "Le titre de la démarche ne peut pas dépasser 200 caractères.";
pub const NOT_A_DESIGNER: &str =
    "La conception des démarches est réservée aux responsables et aux administrateurs.";
pub const CLOSED_CANNOT_PUBLISH: &str =
    "Cette démarche est close : rouvrez-la avant de la publier.";

// --- The citizen's form ------------------------------------------------------------------------
pub const YES: &str = "Oui";
pub const NO: &str = "Non";
pub const CHOOSE: &str = "— Choisir —";
/// Beside a field holding a certified value, which the citizen cannot change.
pub fn certified_by(provider: &str) -> String {
    format!("Certifié par {provider} : non modifiable")
}
pub const ADDRESS_NUMBER: &str = "Numéro";
pub const ADDRESS_STREET: &str = "Voie";
pub const ADDRESS_POSTCODE: &str = "Code postal";
pub const ADDRESS_COMMUNE: &str = "Commune";
pub const ADD_ITEM: &str = "Ajouter";
/// How one item of a repeatable group is called: its legend, and in problems' names.
pub fn item_legend(group_label: &str, number: usize) -> String {
    format!("{group_label} n° {number}")
}

/// A problem as the summary lists it, naming its field: "Nom : ce champ est obligatoire."
pub fn named_problem(name: &str, message: &str) -> String {
    let mut chars = message.chars();
    // "Ce champ…" reads "ce champ…" after the name; "SIRET…" keeps its capitals. French
    // capitals by hand: the Unicode case tables would weigh on the enhance bundle.
    let lower = match (chars.next(), chars.next()) {
        (Some(_), Some(second)) if second.is_ascii_uppercase() => None,
        (Some(first), _) if first.is_ascii_uppercase() => Some(first.to_ascii_lowercase()),
        (Some('É'), _) => Some('é'),
        (Some('À'), _) => Some('à'),
        (Some('Ê'), _) => Some('ê'),
        _ => None,
    };
    match lower {
        Some(first) => {
            let rest: String = message.chars().skip(1).collect();
            format!("{name} : {first}{rest}")
        }
        None => format!("{name} : {message}"),
    }
}
pub const REMOVE_ITEM: &str = "Retirer";

pub fn file_rules(accepted: &[String], max_size: u64, max_files: u32) -> String {
    let types = if accepted.is_empty() {
        "tous formats".to_owned()
    } else {
        format!("formats acceptés : {}", accepted.join(", "))
    };
    let count = if max_files > 1 {
        format!("{max_files} fichiers au plus")
    } else {
        "un fichier".to_owned()
    };
    format!(
        "{count}, {types}, {} maximum par fichier.",
        human_size(max_size)
    )
}

pub fn group_rules(min_items: u32, max_items: u32) -> String {
    if min_items > 0 {
        format!("Entre {min_items} et {max_items} éléments.")
    } else {
        format!("Jusqu'à {max_items} éléments.")
    }
}

// --- Beneficiary (on whose behalf) -------------------------------------------------------------
pub const BENEFICIARY_NONE: &str = "Choisissez au moins un bénéficiaire possible : l'usager lui-même, un membre de son foyer, un enfant du foyer ou une organisation qu'il représente.";
pub const AGE_WITHOUT_PERSON: &str = "Une condition d'âge ne s'applique qu'aux personnes : autorisez l'usager, un membre du foyer ou un enfant, ou retirez la condition.";
pub const AGE_EMPTY: &str =
    "Indiquez un âge minimum, un âge maximum ou les deux (ou retirez la condition d'âge).";
pub const ORGANISATION_PREFILL_NOT_ALLOWED: &str = "Des champs sont préremplis avec l'organisation représentée (raison sociale, SIRET, RNA) : autorisez une organisation comme bénéficiaire.";
pub fn age_too_old(age: u32, max: u32) -> String {
    format!("Un âge de {age} ans n'est pas plausible : {max} ans au plus.")
}
pub fn age_reversed(min: u32, max: u32) -> String {
    format!("L'âge minimum ({min} ans) dépasse l'âge maximum ({max} ans).")
}
pub fn age_exactly(age: u32) -> String {
    format!("pour les enfants de {age} ans")
}
pub fn age_between(min: u32, max: u32) -> String {
    format!("pour les {min} à {max} ans")
}
pub fn age_at_least(min: u32) -> String {
    format!("pour les {min} ans et plus")
}
pub fn age_at_most(max: u32) -> String {
    format!("pour les {max} ans et moins")
}
pub fn age_rule(range: &str) -> String {
    format!("cette démarche est {range}")
}
pub fn age_today(name: &str, age: u32) -> String {
    format!("{name} a {age} ans aujourd'hui")
}
pub fn age_will_be(name: &str, age: u32, date: &str) -> String {
    format!("{name} aura {age} ans le {date}")
}
pub fn age_was(name: &str, age: u32, date: &str) -> String {
    format!("{name} avait {age} ans le {date}")
}
pub fn age_unknown(name: &str, range: &str) -> String {
    format!(
        "La date de naissance de {name} n'est pas connue : cette démarche est {range}. Complétez-la dans « Mon foyer »."
    )
}
pub const KIND_SELF: &str = "L'usager lui-même";
pub const KIND_MEMBER: &str = "Un membre du foyer";
pub const KIND_CHILD: &str = "Un enfant du foyer";
pub const KIND_ORGANISATION: &str = "Une organisation";
pub const PREFILL_CHILDREN_KIND: &str =
    "Seul un groupe de champs peut être prérempli avec les enfants du foyer.";
pub const PREFILL_IN_CHILDREN_GROUP: &str = "Dans un groupe prérempli avec les enfants du foyer, un champ ne peut être prérempli qu'avec le prénom, le nom de naissance ou la date de naissance de l'enfant.";
