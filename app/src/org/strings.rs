//! The org chart's French text.

pub const ACCESS_CONSULTATION: &str = "Consultation";
pub const ACCESS_MODIFICATION: &str = "Modification";
pub const ACCESS_GESTION: &str = "Gestion";
pub const ACCESS_INVALID: &str = "Choisissez un droit : consultation, modification ou gestion.";
pub const KIND_DIRECTION: &str = "Direction";
pub const KIND_SERVICE: &str = "Service";
pub const KIND_POLE: &str = "Pôle";
pub const KIND_INVALID: &str = "Choisissez un niveau : direction, service ou pôle.";
pub const UNKNOWN_ID: &str = "Cet élément n'existe pas (ou plus).";
pub const NAME_REQUIRED: &str = "Indiquez le nom du service.";
pub const NAME_TOO_LONG: &str = "Le nom du service ne doit pas dépasser 120 caractères.";
pub const NAME_TAKEN: &str = "Un service de ce nom existe déjà à cet endroit de l'organigramme.";
pub const SERVICE_UNKNOWN: &str = "Ce service n'existe pas (ou plus).";
pub const PARENT_CYCLE: &str =
    "Un service ne peut pas être rattaché à lui-même ni à l'un de ses sous-services.";
pub const SERVICE_HAS_CHILDREN: &str =
    "Ce service a des sous-services : déplacez-les ou supprimez-les d'abord.";
pub const SERVICE_HAS_DOSSIERS: &str =
    "Ce service a des dossiers : redirigez-les vers un autre service d'abord.";
pub const SERVICE_IS_ROUTED: &str =
    "Des démarches orientent leurs dossiers vers ce service : modifiez leur aiguillage d'abord.";
pub const AGENT_UNKNOWN: &str = "Cet agent n'existe pas (ou plus).";
pub const DATE_INVALID: &str = "Indiquez une date valide (jj/mm/aaaa).";
pub const DATES_REVERSED: &str =
    "La date de fin doit être postérieure ou égale à la date de début.";
pub const DELEGATE_TO_SELF: &str = "Choisissez un autre agent que la personne absente.";
pub const DELEGATE_ONLY_YOURSELF: &str =
    "Vous ne pouvez déléguer que vos propres dossiers ; un administrateur peut le faire pour tous.";
pub const DELEGATION_UNKNOWN: &str = "Cette délégation n'existe pas (ou plus).";

pub const PAGE_TITLE: &str = "Organigramme";
pub const SERVICES_TITLE: &str = "Services";
pub const NEW_SERVICE_TITLE: &str = "Ajouter un service";
pub const FIELD_NAME: &str = "Nom";
pub const FIELD_KIND: &str = "Niveau";
pub const FIELD_PARENT: &str = "Rattaché à";
pub const NO_PARENT: &str = "(aucun : premier niveau)";
pub const ADD_SERVICE: &str = "Ajouter le service";
pub const DELETE_SERVICE: &str = "Supprimer";
pub const MEMBERS: &str = "Agents";
pub const NO_MEMBERS: &str = "Aucun agent.";
pub const FIELD_AGENT: &str = "Agent";
pub const FIELD_ACCESS: &str = "Droit";
pub const ADD_MEMBER: &str = "Ajouter";
pub const REMOVE_MEMBER: &str = "Retirer";
pub const DELEGATIONS_TITLE: &str = "Délégations pendant une absence";
pub const NO_DELEGATIONS: &str = "Aucune délégation en cours ou à venir.";
pub const FIELD_FROM: &str = "Agent absent";
pub const FIELD_TO: &str = "Délégué à";
pub const FIELD_STARTS: &str = "Du";
pub const FIELD_ENDS: &str = "Au";
pub const ADD_DELEGATION: &str = "Enregistrer la délégation";
pub const REMOVE_DELEGATION: &str = "Supprimer";
pub const SAVED: &str = "Organigramme mis à jour.";

pub fn delegation_line(from: &str, to: &str, starts: &str, ends: &str) -> String {
    format!("{from} → {to}, du {starts} au {ends}")
}

pub const INTRO: &str = "Les droits donnés sur un service valent pour ses sous-services. Consultation : lire les dossiers ; modification : les traiter ; gestion : organiser le travail du service.";
pub const EDIT_SERVICE: &str = "Renommer ou déplacer";
pub const SAVE_SERVICE: &str = "Enregistrer";
pub const CHANGE_ACCESS: &str = "Changer le droit";
pub const ADD_MEMBER_TITLE: &str = "Ajouter un agent";
pub const NO_SERVICES: &str = "Aucun service.";
pub const CHOOSE_AGENT: &str = "Choisissez un agent";
pub const DATES_HINT: &str = "Dates incluses.";
pub const BACK_TO_ADMIN: &str = "Retour à l'administration";
pub const ORG_LINK: &str = "Organigramme : services, agents et délégations";
pub const ABSENCES_LINK: &str = "Mes absences et délégations";
pub const ABSENCES_TITLE: &str = "Mes absences";
pub const ABSENCES_INTRO: &str =
    "Pendant votre absence, la personne choisie traite vos dossiers en votre nom, avec vos droits.";
pub const MY_DELEGATIONS: &str = "Mes délégations en cours ou à venir";
pub const MY_RIGHTS: &str = "Mes droits aujourd'hui";
pub const NO_RIGHTS: &str = "Vous n'êtes rattaché(e) à aucun service.";
pub const DELEGATION_SAVED: &str = "Délégation enregistrée.";

pub fn service_heading(name: &str, kind: &str) -> String {
    format!("{name} ({kind})")
}

pub fn delete_service_label(name: &str) -> String {
    format!("Supprimer le service {name}")
}

pub fn edit_service_label(name: &str) -> String {
    format!("Renommer ou déplacer le service {name}")
}

pub fn members_caption(name: &str) -> String {
    format!("Agents du service {name}")
}

pub fn access_label(agent: &str) -> String {
    format!("Droit de {agent}")
}

pub fn remove_member_label(agent: &str, service: &str) -> String {
    format!("Retirer {agent} du service {service}")
}

pub fn remove_delegation_label(line: &str) -> String {
    format!("Supprimer la délégation {line}")
}

pub fn right_line(path: &str, access: &str) -> String {
    format!("{path} : {access}")
}
