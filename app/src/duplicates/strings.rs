//! French text of the duplicates feature.

pub const LIST_FILLED: &str = "obligatoirement renseignés";
pub const LIST_EQUAL: &str = "comparés exactement";
pub const LIST_MISSING: &str = "autorisés absents";
pub const LIST_APPROXIMATE: &str = "comparés de façon approchée";
pub const LIST_DIFFERENT: &str = "obligatoirement différents";

pub fn unknown_attribute(code: &str) -> String {
    format!("Attribut inconnu : « {code} ».")
}
pub const RULE_NAME_MISSING: &str = "Donnez un nom à la règle.";
pub const RULE_NAME_TOO_LONG: &str = "Le nom de la règle ne doit pas dépasser 120 caractères.";
pub const RULE_NAME_TAKEN: &str = "Une autre règle porte déjà ce nom.";
pub const RULE_PRIORITY: &str =
    "La priorité est un nombre entier de 1 à 99 (1 : la règle la plus forte).";
pub const RULE_COMPARES_NOTHING: &str =
    "Une règle compare au moins un attribut, exactement ou de façon approchée.";
pub fn both_lists(label: &str, first: &str, second: &str) -> String {
    format!("« {label} » ne peut pas être à la fois parmi les attributs {first} et {second}.")
}
pub fn missing_not_compared(label: &str) -> String {
    format!(
        "« {label} » ne peut être autorisé absent que s'il est comparé (exactement, de façon \
         approchée ou comme différent)."
    )
}
pub const RULE_NOT_FINDABLE: &str = "Pour que la recherche de doublons reste rapide, une règle \
     exige au moins l'une de ces comparaisons, sans absence autorisée : même date de naissance, \
     même courriel, même téléphone, ou nom de naissance et prénoms comparés ensemble.";
pub const RULE_UNKNOWN: &str = "Cette règle n'existe pas (ou plus).";

pub const PAIR_UNKNOWN: &str = "Ce doublon suspecté n'existe pas (ou plus).";
pub const PAIR_DECIDED: &str = "Ce doublon suspecté a déjà été traité.";
pub const PERSON_UNKNOWN: &str = "Cette personne n'existe pas (ou plus).";
pub const SAME_PERSON: &str = "Choisissez deux fiches différentes.";
pub const ALREADY_MERGED: &str =
    "Ces deux fiches sont déjà fusionnées (ou l'une d'elles l'a été entre-temps).";
pub const TWO_ACCOUNTS: &str = "Ces deux fiches ont chacune un compte usager : deux comptes ne \
     se fusionnent pas ici. Demandez à l'usager lequel il garde et faites supprimer l'autre.";
pub const TWO_HOUSEHOLDS: &str = "Ces deux fiches appartiennent à deux foyers différents : \
     retirez d'abord l'une d'elles de son foyer (ou rassemblez-les dans le même), puis fusionnez.";
pub fn certified_kept(label: &str) -> String {
    format!(
        "La valeur certifiée de « {label} » (FranceConnect) est conservée : elle ne peut pas être \
         remplacée."
    )
}
pub fn choice_unknown(label: &str) -> String {
    format!("Choisissez l'une des deux valeurs de « {label} ».")
}
pub const MERGE_UNKNOWN: &str = "Cette fusion n'existe pas.";
pub const MERGE_UNDONE: &str = "Cette fusion a déjà été annulée.";
pub const MERGE_NOT_LATEST: &str =
    "Une fusion plus récente concerne l'une de ces fiches : annulez-la d'abord.";

// Pages.
pub const QUEUE_TITLE: &str = "Doublons suspectés";
pub const QUEUE_INTRO: &str = "Les fiches qui semblent décrire la même personne, trouvées à la \
     création d'une fiche et par la recherche de chaque nuit, selon les règles de la commune. \
     Fusionnez-les, ou déclarez-les distinctes : elles ne seront plus proposées.";
pub const QUEUE_EMPTY: &str = "Aucun doublon suspecté en attente.";
pub const RULES_LINK: &str = "Règles de détection";
pub const LAST_RUN: &str = "Dernière recherche complète :";
pub const NEVER_RUN: &str = "La recherche complète n'a pas encore tourné.";
pub const RULE: &str = "Règle";
pub const SCORE: &str = "Ressemblance";
pub const MERGE: &str = "Fusionner";
pub const DISTINCT: &str = "Personnes distinctes";
pub const RECENT_MERGES: &str = "Fusions récentes";
pub const UNDO: &str = "Annuler la fusion";
pub const UNDONE: &str = "Fusion annulée : les deux fiches et leurs liens sont rétablis.";
pub const DECLARED_DISTINCT: &str = "C'est noté : ces deux fiches ne seront plus proposées.";
pub const FIRST_RECORD: &str = "Fiche 1";
pub const SECOND_RECORD: &str = "Fiche 2";
pub const ACCOUNT: &str = "Compte usager";
pub const YES: &str = "oui";
pub const NO: &str = "non";
pub const CERTIFIED: &str = "certifié";
pub const EMPTY: &str = "—";
pub const FOUND_AT_CREATION: &str = "à la création";
pub const FOUND_BY_JOB: &str = "recherche complète";
pub fn merged_line(survivor: &str, merged: &str, by: &str, at: &str) -> String {
    format!("{merged} fusionnée dans {survivor}, par {by} le {at}")
}

pub const MERGE_TITLE: &str = "Fusionner deux fiches";
pub const MERGE_INTRO: &str = "La fiche conservée est celle qui a un compte usager, sinon la \
     plus ancienne. Choisissez pour chaque attribut la valeur à garder ; une valeur certifiée \
     l'emporte toujours. Tout ce qui est rattaché à l'autre fiche (dossiers, brouillons, foyer, \
     organisations, pièces) passe à la fiche conservée ; l'autre fiche est gardée, masquée, et la \
     fusion peut être annulée.";
pub const KEPT_RECORD: &str = "Fiche conservée";
pub const MERGED_RECORD: &str = "Fiche fusionnée";
pub const CONFIRM_MERGE: &str = "Fusionner les deux fiches";
pub const MERGE_DONE: &str = "Fusion enregistrée.";
pub const BACK_TO_QUEUE: &str = "Retour aux doublons suspectés";
pub const ATTRIBUTE: &str = "Attribut";

pub const RULES_TITLE: &str = "Règles de détection des doublons";
pub const RULES_INTRO: &str = "Une paire de fiches est suspectée quand elle satisfait une règle \
     active : les attributs obligatoires renseignés sur les deux fiches, les attributs comparés \
     égaux (exactement, ou de façon approchée : accents, casse, tirets, particules, une faute de \
     frappe, nom et prénom inversés), les attributs différents différents. La première règle \
     satisfaite, par priorité, est retenue.";
pub const NEW_RULE: &str = "Nouvelle règle";
pub const FIELD_NAME: &str = "Nom de la règle";
pub const FIELD_PRIORITY: &str = "Priorité (1 : la plus forte)";
pub const FIELD_ACTIVE: &str = "Règle active";
pub const SAVE: &str = "Enregistrer";
pub const CREATE: &str = "Créer la règle";
pub const DELETE: &str = "Supprimer la règle";
pub const SAVED: &str = "Règle enregistrée.";
pub const INACTIVE: &str = "inactive";
