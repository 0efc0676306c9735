//! French text of the people feature.

pub const CERTAINTY_DECLARED: &str = "Déclaré";
pub const CERTAINTY_EMAIL_VERIFIED: &str = "Courriel vérifié";
pub const CERTAINTY_AGENT_CHECKED: &str = "Vérifié sur pièce par la mairie";
pub const CERTAINTY_CERTIFIED: &str = "Certifié par FranceConnect";

pub const ATTR_CIVILITY: &str = "Civilité";
pub const ATTR_GIVEN_NAMES: &str = "Prénoms";
pub const ATTR_BIRTH_NAME: &str = "Nom de naissance";
pub const ATTR_USAGE_NAME: &str = "Nom d'usage";
pub const ATTR_BIRTH_DATE: &str = "Date de naissance";
pub const ATTR_BIRTH_PLACE: &str = "Lieu de naissance";
pub const ATTR_BIRTH_COUNTRY: &str = "Pays de naissance";
pub const ATTR_EMAIL: &str = "Courriel";
pub const ATTR_PHONE: &str = "Téléphone";
pub const ATTR_ADDRESS: &str = "Adresse";
pub const NEE: &str = "née";

pub const RELATION_REFERENT: &str = "Référent du foyer";
pub const RELATION_CONJOINT: &str = "Conjoint";
pub const RELATION_ENFANT: &str = "Enfant";
pub const RELATION_AUTRE: &str = "Autre";

pub const SIREN_FORMAT: &str = "Le SIREN doit comporter exactement 9 chiffres.";
pub const SIREN_KEY: &str =
    "Ce SIREN n'existe pas : sa clé de contrôle est fausse. Vérifiez les 9 chiffres.";
pub const SIRET_FORMAT: &str = "Le SIRET doit comporter exactement 14 chiffres (SIREN + NIC).";
pub const SIRET_KEY: &str =
    "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres.";
pub const SIRET_SIREN_KEY: &str =
    "Les 9 premiers chiffres de ce SIRET ne forment pas un SIREN valide.";
pub const RNA_FORMAT: &str =
    "Le numéro RNA commence par W suivi de 9 chiffres (par exemple W751234567).";
pub const SOURCE_ACCOUNT: &str = "compte usager";

pub const CIVILITY_MADAME: &str = "Madame";
pub const CIVILITY_MONSIEUR: &str = "Monsieur";
pub const CIVILITY_NONE: &str = "Non précisée";
pub const KIND_ENTREPRISE: &str = "Entreprise";
pub const KIND_ASSOCIATION: &str = "Association";
pub const SIRET: &str = "SIRET";
pub const RNA: &str = "RNA";
/// Where a value the citizen typed came from (`Origin::source`).
pub const SOURCE_CITIZEN: &str = "l'usager";

// Validation (people::validate).
pub fn required(label: &str) -> String {
    format!("Indiquez le champ « {label} ».")
}
pub fn too_long(label: &str, max: usize) -> String {
    format!("Le champ « {label} » ne peut pas dépasser {max} caractères.")
}
pub fn invalid_characters(label: &str) -> String {
    format!("Le champ « {label} » contient des caractères non autorisés.")
}
pub fn name_letters(label: &str) -> String {
    format!(
        "Le champ « {label} » ne peut contenir que des lettres, des espaces, des tirets et des apostrophes."
    )
}
pub const CIVILITY_INVALID: &str = "Choisissez « Madame », « Monsieur » ou « Non précisée ».";
pub const RELATION_INVALID: &str =
    "Choisissez le lien avec vous : « Conjoint », « Enfant » ou « Autre ».";
pub const BIRTH_DATE_REQUIRED: &str = "Indiquez la date de naissance.";
pub const BIRTH_DATE_FORMAT: &str = "La date de naissance doit être une date réelle, au format JJ/MM/AAAA (par exemple 24/08/2015).";
pub const BIRTH_DATE_FUTURE: &str = "La date de naissance ne peut pas être dans le futur.";
pub const BIRTH_DATE_TOO_OLD: &str = "La date de naissance ne peut pas être antérieure à 1900.";
pub const CHILD_TOO_OLD: &str =
    "Un enfant du foyer a au plus 25 ans : choisissez « Autre » pour un enfant plus âgé.";
pub const PHONE_INVALID: &str = "Le numéro de téléphone doit être un numéro français (par exemple 06 12 34 56 78) ou international commençant par + (par exemple +32 470 12 34 56).";
pub const POSTCODE_INVALID: &str = "Le code postal doit comporter exactement 5 chiffres.";
pub const ADDRESS_NUMBER: &str = "Numéro";
pub const ADDRESS_STREET: &str = "Voie";
pub const ADDRESS_POSTCODE: &str = "Code postal";
pub const ADDRESS_COMMUNE: &str = "Commune";

// The citizen's own record (/mon-compte/informations).
pub const RECORD_TITLE: &str = "Mes informations";
pub const RECORD_INTRO: &str = "Ces informations préremplissent vos démarches. Les informations certifiées par FranceConnect ne peuvent être modifiées que chez FranceConnect.";
pub const RECORD_LINK: &str = "Mes informations personnelles";
pub const RECORD_SAVED: &str = "Vos informations ont été enregistrées.";
pub const RECORD_SAVE: &str = "Enregistrer mes informations";
pub const BADGE_CERTIFIED: &str = "Certifié par FranceConnect";
pub const BADGE_EMAIL_VERIFIED: &str = "Courriel vérifié";
pub const EMAIL_NOT_VERIFIED: &str = "Courriel non vérifié";
pub const EMAIL_HINT: &str = "C'est l'adresse de votre compte : elle ne se modifie pas ici.";
pub const PHONE_HINT: &str = "Par exemple 06 12 34 56 78, ou +32 470 12 34 56 depuis l'étranger.";
pub const BIRTH_DATE_HINT: &str = "Au format JJ/MM/AAAA, par exemple 24/08/1962.";
pub const ADDRESS_LEGEND: &str = "Adresse postale";
pub const ADDRESS_HINT: &str = "Laissez tous les champs vides si vous ne souhaitez pas l'indiquer.";
pub const NOT_GIVEN: &str = "Non renseigné";
pub fn certified_unchangeable(label: &str) -> String {
    format!(
        "« {label} » est certifié par FranceConnect : il ne peut pas être modifié ici. Modifiez-le auprès de FranceConnect."
    )
}
pub const CITIZENS_ONLY: &str =
    "Cette page est réservée aux usagers : les comptes agents n'ont pas de fiche personnelle.";
pub const PROBLEMS_TITLE: &str = "Le formulaire contient des erreurs :";

// Households (/mon-foyer).
pub const HOUSEHOLD_TITLE: &str = "Mon foyer";
pub const HOUSEHOLD_INTRO: &str = "Les membres de votre foyer peuvent être les bénéficiaires de vos démarches (inscription d'un enfant à la cantine, par exemple).";
pub const HOUSEHOLD_LINK: &str = "Mon foyer";
pub const MEMBERS_TITLE: &str = "Membres du foyer";
pub const YOU: &str = "(vous)";
pub const OWN_ACCOUNT: &str = "A son propre compte : lui seul peut modifier ses informations.";
pub const MEMBER_ADD_TITLE: &str = "Ajouter un membre";
pub const MEMBER_ADD: &str = "Ajouter ce membre";
pub const MEMBER_ADDED: &str = "Le membre a été ajouté à votre foyer.";
pub const MEMBER_EDIT: &str = "Modifier";
pub const MEMBER_SAVE: &str = "Enregistrer les modifications";
pub const MEMBER_SAVED: &str = "Les informations du membre ont été enregistrées.";
pub const MEMBER_REMOVE: &str = "Retirer du foyer";
pub const MEMBER_REMOVED: &str = "Le membre a été retiré de votre foyer.";
pub const MEMBER_RELATION: &str = "Lien avec vous";
pub const MEMBER_BIRTH_DATE_HINT: &str =
    "Obligatoire pour un enfant. Au format JJ/MM/AAAA, par exemple 24/08/2015.";
pub const MEMBER_NAME: &str = "Nom";
pub const MEMBER_UNKNOWN: &str = "Ce membre ne fait pas partie de votre foyer.";
pub const MEMBER_HAS_ACCOUNT: &str =
    "Ce membre a son propre compte : lui seul peut modifier ses informations.";
pub const MEMBER_IS_YOU: &str =
    "Vos propres informations se modifient depuis « Mes informations personnelles ».";
pub const ONE_CONJOINT: &str = "Votre foyer a déjà un conjoint.";
pub const REFERENT_RELATION: &str =
    "Le référent du foyer le reste : son lien ne peut pas être modifié.";
pub const NO_MEMBERS: &str = "Vous êtes le seul membre de votre foyer pour l'instant.";
pub const AGENT_CORRECTED: &str = "corrigé par";
pub fn certified_not_for_agents(label: &str) -> String {
    format!("« {label} » est certifié par FranceConnect : un agent ne peut pas le corriger.")
}
pub const NOT_AN_AGENT: &str = "Seuls les agents de la commune peuvent corriger un foyer.";

// Organisations (/mes-structures).
pub const ORGANISATIONS_TITLE: &str = "Mes structures";
pub const ORGANISATIONS_INTRO: &str = "Les entreprises et associations que vous représentez : vous pourrez faire des démarches en leur nom.";
pub const ORGANISATIONS_LINK: &str = "Mes structures (entreprises, associations)";
pub const ORGANISATIONS_NONE: &str = "Vous ne représentez encore aucune structure.";
pub const ORGANISATION_ADD_TITLE: &str = "Ajouter une structure";
pub const ORGANISATION_ADD: &str = "Ajouter cette structure";
pub const ORGANISATION_ADDED: &str = "La structure a été ajoutée.";
pub const ORGANISATION_KIND: &str = "Type de structure";
pub const ORGANISATION_NAME: &str = "Nom de la structure";
pub const ORGANISATION_NUMBER: &str = "SIRET (entreprise) ou numéro RNA (association)";
pub const ORGANISATION_NUMBER_HINT: &str =
    "14 chiffres pour un SIRET, W suivi de 9 chiffres pour un RNA (W751234567).";
pub const ORGANISATION_ROLE: &str = "Votre rôle";
pub const ORGANISATION_ROLE_HINT: &str = "Par exemple : président, gérant, trésorière.";
pub const ORGANISATION_LEAVE: &str = "Ne plus représenter cette structure";
pub const ORGANISATION_LEFT: &str = "Vous ne représentez plus cette structure.";
pub const ORGANISATION_KIND_INVALID: &str = "Choisissez « Entreprise » ou « Association ».";
pub const ORGANISATION_ALREADY: &str = "Vous représentez déjà cette structure.";
pub const ORGANISATION_UNKNOWN: &str = "Vous ne représentez pas cette structure.";
pub const ROLE_COLUMN: &str = "Rôle";
pub const IDENTIFIER_COLUMN: &str = "Identifiant";
pub const MEMBER_NOT_IN_HOUSEHOLD: &str = "Cette personne ne fait partie d'aucun foyer.";
