//! French text of the agents' 360° view.

pub const TITLE: &str = "Usagers";
pub const LINK: &str = "Usagers";
pub const INTRO: &str = "Retrouvez une personne ou une organisation par son nom, sa date de naissance (jj/mm/aaaa), son courriel, son téléphone, son SIRET ou son numéro RNA.";
pub const SEARCH_LABEL: &str = "Rechercher un usager";
pub const SEARCH_BUTTON: &str = "Rechercher";
pub const SEARCH_EMPTY: &str =
    "Saisissez un nom, une date de naissance, un courriel, un téléphone ou un SIRET.";
pub const SEARCH_TOO_LONG: &str = "La recherche est trop longue (200 caractères au plus).";
pub const NO_RESULT: &str =
    "Aucun usager ne correspond à cette recherche parmi ceux que vous pouvez consulter.";
pub const COL_NAME: &str = "Nom";
pub const COL_DETAIL: &str = "Naissance / identifiant";
pub const COL_CONTACT: &str = "Contact";
pub const COL_ACCOUNT: &str = "Compte";
pub const WITH_ACCOUNT: &str = "Compte en ligne";
pub const WITHOUT_ACCOUNT: &str = "Sans compte";
pub const ORGANISATION: &str = "Organisation";
pub const REPRESENTED_BY: &str = "Représentée par";

pub const CREATE_TITLE: &str = "Enregistrer une personne reçue au guichet";
pub const CREATE_HINT: &str = "Sans compte en ligne : la fiche est créée au nom de la mairie et retrouvée aussitôt par la recherche.";
pub const CREATE_BUTTON: &str = "Enregistrer la personne";
pub const CIVILITY_NONE: &str = "Non précisée";
pub const CIVILITY_MADAME: &str = "Madame";
pub const CIVILITY_MONSIEUR: &str = "Monsieur";
pub const ADDRESS_NUMBER: &str = "Numéro";
pub const ADDRESS_STREET: &str = "Voie";
pub const ADDRESS_POSTCODE: &str = "Code postal";
pub const ADDRESS_COMMUNE: &str = "Commune";
pub const BIRTH_DATE_HINT: &str = "Au format jj/mm/aaaa.";

pub const UNKNOWN: &str = "Cet usager n'existe pas ou vous n'avez pas accès à sa fiche.";
pub const BACK_TO_SEARCH: &str = "← Retour à la recherche d'usagers";
pub const IDENTITY: &str = "Identité";
pub const CERTAINTY: &str = "Fiabilité";
pub const NOT_KNOWN: &str = "Non renseigné";
pub const ACCOUNT: &str = "Compte en ligne";
pub const NO_ACCOUNT: &str = "Pas de compte en ligne.";
pub const ACCOUNT_SINCE: &str = "créé le";
pub const EMAIL_VERIFIED: &str = "courriel vérifié";
pub const MET_AT_COUNTER: &str = "Fiche créée au guichet par un agent.";
pub const HOUSEHOLD: &str = "Foyer";
pub const NO_HOUSEHOLD: &str = "Aucun foyer déclaré.";
pub const THIS_PERSON: &str = "(cette personne)";
pub const ORGANISATIONS: &str = "Organisations représentées";
pub const NO_ORGANISATION: &str = "Aucune organisation.";
pub const DOSSIERS: &str = "Dossiers";
pub const NO_DOSSIER: &str = "Aucun dossier que vous puissiez consulter.";
pub const ROLE_OWNER: &str = "Déposé par la personne";
pub const ROLE_BENEFICIARY: &str = "Pour le compte de la personne";
pub const COL_REFERENCE: &str = "Référence";
pub const COL_DEMARCHE: &str = "Démarche";
pub const COL_STATUS: &str = "Statut";
pub const COL_ROLE: &str = "Rôle";
pub const COL_MESSAGES: &str = "Messages";
pub const COL_LETTERS: &str = "Courriers";
pub const NOTES: &str = "Notes internes";
pub const NOTES_HINT: &str = "Visibles des seuls agents, jamais de l'usager.";
pub const NO_NOTE: &str = "Aucune note.";
pub const NOTE_LABEL: &str = "Nouvelle note";
pub const NOTE_BUTTON: &str = "Ajouter la note";
pub const NOTE_EMPTY: &str = "Écrivez la note avant de l'ajouter.";
pub const NOTE_TOO_LONG: &str = "La note est trop longue (5 000 caractères au plus).";
pub const HISTORY: &str = "Historique de la fiche";
pub const EDIT: &str = "Corriger la fiche";
pub const EDIT_HINT: &str =
    "Les valeurs certifiées par FranceConnect ne peuvent pas être corrigées ici.";
pub const CHECKED_ON_DOCUMENT: &str =
    "Vérifié sur pièce (les valeurs enregistrées sont marquées « vérifiées par la mairie »)";
pub const SAVE: &str = "Enregistrer les corrections";
pub const SAVED: &str = "La fiche est enregistrée.";
pub const NOTHING_CHANGED: &str = "Aucune modification : la fiche est inchangée.";
pub const SYSTEM: &str = "Guichet";

pub const BIRTH_NAME_REQUIRED: &str = "Indiquez le nom de naissance.";
pub const NAME_TOO_LONG: &str = "Ce nom est trop long (100 caractères au plus).";
pub const TEXT_TOO_LONG: &str = "Cette valeur est trop longue (200 caractères au plus).";
pub const CIVILITY_INVALID: &str = "Choisissez Madame, Monsieur ou « Non précisée ».";
pub const BIRTH_DATE_INVALID: &str =
    "La date de naissance doit être une date réelle au format jj/mm/aaaa, par exemple 14/03/1985.";
pub const BIRTH_DATE_FUTURE: &str = "La date de naissance ne peut pas être dans le futur.";
pub const EMAIL_INVALID: &str = "Le courriel doit ressembler à nom@exemple.fr.";
pub const PHONE_INVALID: &str = "Le téléphone doit comporter 10 chiffres (par exemple 06 12 34 56 78) ou commencer par + et l'indicatif du pays.";
pub const ADDRESS_INCOMPLETE: &str =
    "L'adresse doit indiquer au moins la voie, le code postal et la commune.";
pub const POSTCODE_INVALID: &str = "Le code postal doit comporter 5 chiffres.";

pub const EVENT_CREATED: &str = "Fiche créée";
pub const EVENT_CREATED_AT_COUNTER: &str = "Fiche créée au guichet";
pub const EVENT_EDITED: &str = "Fiche corrigée";
pub const EVENT_CHECKED: &str = "vérifiée sur pièce";
pub const EVENT_SYNCED: &str = "Mise à jour depuis le compte en ligne";
pub const EVENT_CERTIFICATION_REMOVED: &str = "Certification retirée";

pub fn certified_refused(label: &str) -> String {
    format!("« {label} » est certifié par FranceConnect : un agent ne peut pas le modifier.")
}

pub fn person_title(name: &str) -> String {
    format!("Usager : {name}")
}
