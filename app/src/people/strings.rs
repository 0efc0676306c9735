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

// --- Beneficiary of a démarche ----------------------------------------------------------------
pub const MYSELF: &str = "Moi-même";
pub fn myself(name: &str) -> String {
    if name.trim().is_empty() {
        MYSELF.to_owned()
    } else {
        format!("Moi-même ({name})")
    }
}
pub fn member_born(relation: &str, date: &str) -> String {
    format!("{relation}, né(e) le {date}")
}
pub fn company(siret: &str) -> String {
    format!("Entreprise, SIRET {siret}")
}
pub fn association(rna: &str) -> String {
    format!("Association, RNA {rna}")
}
pub const CHOOSE_BENEFICIARY: &str = "Choisissez pour qui vous faites cette démarche.";
pub const NOT_FOR_SELF: &str =
    "Cette démarche ne peut pas être faite pour vous-même : choisissez un bénéficiaire proposé.";
pub const NOT_IN_HOUSEHOLD: &str = "Cette personne ne fait pas partie de votre foyer : vous ne pouvez faire cette démarche que pour vous-même ou un membre de votre foyer.";
pub const ONLY_CHILDREN: &str = "Cette démarche ne peut être faite que pour un enfant du foyer.";
pub const NOT_FOR_MEMBERS: &str =
    "Cette démarche ne peut pas être faite pour un autre membre du foyer.";
pub const NOT_REPRESENTED: &str = "Vous ne représentez pas cette organisation : ajoutez-la d'abord à votre compte, avec la preuve que vous la représentez.";
pub const NOT_FOR_ORGANISATIONS: &str =
    "Cette démarche ne peut pas être faite pour une organisation.";
pub const NO_RECORD: &str = "Votre fiche est introuvable.";
