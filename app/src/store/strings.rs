//! The store's French text.

pub const ENTRY_UNKNOWN: &str = "Cette démarche n'est pas (ou plus) dans le catalogue partagé.";
pub const DEMARCHE_REQUIRED: &str = "Choisissez la démarche à partager.";
pub const DESCRIPTION_REQUIRED: &str =
    "Décrivez la démarche en quelques lignes : c'est ce que les autres collectivités liront.";
pub const DESCRIPTION_TOO_LONG: &str = "La description ne doit pas dépasser 2 000 caractères.";
pub const DOMAIN_UNKNOWN: &str = "Choisissez un domaine dans la liste (Enfance, État civil, Urbanisme, Voirie, Social, Sports et loisirs, Correspondance, Relation aux entreprises ou Autre).";
pub const ORGANISM_UNKNOWN: &str = "Choisissez un type de collectivité dans la liste (mairie, intercommunalité, département, région ou syndicat).";
pub const PUBLISHER_TOO_LONG: &str = "Le nom de l'éditeur ne doit pas dépasser 200 caractères.";
pub const NOTES_TOO_LONG: &str = "Les notes de version ne doivent pas dépasser 2 000 caractères.";
pub const ENTRY_WITHDRAWN: &str =
    "Cette démarche a été retirée du catalogue partagé par la plateforme.";
pub const SERVICE_UNKNOWN: &str = "Ce service n'existe pas dans votre collectivité.";
pub const SERVICE_REQUIRED: &str = "Choisissez le service qui recevra les dossiers.";
pub const ACTION_UNKNOWN: &str = "Action inconnue.";
pub const STARTER_UNKNOWN: &str =
    "Une démarche du pack de démarrage n'est pas (ou plus) publiée dans le catalogue partagé.";

pub fn private_data(marker: &str) -> String {
    format!(
        "La démarche contient une donnée propre à votre collectivité (« {marker} ») : retirez-la avant de la partager."
    )
}

pub const STATUS_PUBLISHED: &str = "Publiée";
pub const STATUS_HIDDEN: &str = "Masquée";
pub const STATUS_WITHDRAWN: &str = "Retirée";

// The catalogue page.
pub const STORE_TITLE: &str = "Catalogue partagé";
pub const STORE_LINK: &str = "Catalogue partagé des démarches";
pub const STORE_INTRO: &str =
    "Des démarches conçues par d'autres collectivités, à importer comme brouillon et à adapter.";
pub const SEARCH_LABEL: &str = "Rechercher";
pub const SEARCH_HINT: &str = "Par exemple « inscription cantine »";
pub const DOMAIN_LABEL: &str = "Domaine";
pub const ORGANISM_LABEL: &str = "Type de collectivité";
pub const ALL: &str = "Tous";
pub const SORT_LABEL: &str = "Trier par";
pub const SORT_PERTINENCE: &str = "Pertinence";
pub const SORT_RECENT: &str = "Les plus récentes";
pub const SORT_POPULAR: &str = "Les plus importées";
pub const SEARCH_BUTTON: &str = "Rechercher";
pub const NO_RESULT: &str = "Aucune démarche ne correspond à cette recherche.";
pub const FEATURED: &str = "À la une";
pub const UPDATE_AVAILABLE: &str = "Mise à jour disponible";
pub const UPDATES_TITLE: &str = "Mises à jour disponibles pour vos démarches importées";

pub fn update_from_to(imported: u32, latest: u32) -> String {
    format!("vous avez importé la version {imported}, la version {latest} est publiée")
}
pub const PREVIOUS: &str = "Page précédente";
pub const NEXT: &str = "Page suivante";

pub fn results(total: u32) -> String {
    match total {
        0 => "Aucun résultat".to_owned(),
        1 => "1 démarche".to_owned(),
        n => format!("{n} démarches"),
    }
}

pub fn published_by(publisher: &str, organism: &str) -> String {
    format!("Publiée par {publisher} ({organism})")
}

pub fn imports(count: u32) -> String {
    match count {
        0 => "Jamais importée".to_owned(),
        1 => "Importée 1 fois".to_owned(),
        n => format!("Importée {n} fois"),
    }
}

pub fn version_of(version: u32, date: &str) -> String {
    format!("Version {version} du {date}")
}

pub fn imported_version(version: u32) -> String {
    format!("Vous avez importé la version {version}.")
}

pub fn page_of(page: u32, pages: u32) -> String {
    format!("Page {page} sur {pages}")
}

// Publication.
pub const PUBLISH_TITLE: &str = "Partager une de vos démarches";
pub const PUBLISH_INTRO: &str = "La dernière version publiée de la démarche (ou son brouillon si elle n'a jamais été publiée) est copiée dans le catalogue, avec son circuit de traitement. Rien de propre à votre collectivité n'est partagé : ni vos services, ni vos agents, ni les dossiers ou les usagers.";
pub const PUBLISH_DEMARCHE: &str = "Démarche";
pub const PUBLISH_DESCRIPTION: &str = "Description pour les autres collectivités";
pub const PUBLISH_PUBLISHER: &str = "Nom de l'éditeur";
pub const PUBLISH_PUBLISHER_HINT: &str = "Par défaut, le nom de votre collectivité.";
pub const PUBLISH_NOTES: &str = "Notes de version (facultatif)";
pub const PUBLISH_BUTTON: &str = "Partager dans le catalogue";
pub const ALREADY_SHARED: &str = " (déjà partagée : nouvelle version)";
pub const CHOOSE: &str = "Choisissez…";

pub fn published(version: u32) -> String {
    format!("Démarche partagée dans le catalogue (version {version}).")
}

// An entry's page.
pub const BACK_TO_STORE: &str = "Retour au catalogue";
pub const ATTACHMENTS: &str = "Pièces justificatives demandées";
pub const NO_ATTACHMENT: &str = "Aucune pièce justificative.";
pub const WORKFLOW: &str = "Circuit de traitement";
pub const PREVIEW: &str = "Aperçu du formulaire, tel que l'usager le verra";
pub const VERSIONS: &str = "Versions";
pub const IMPORT_TITLE: &str = "Importer cette démarche";
pub const IMPORT_INTRO: &str = "Elle est copiée dans vos démarches comme brouillon : vous pourrez l'adapter avant de la publier.";
pub const IMPORT_SERVICE: &str = "Service qui recevra les dossiers";
pub const IMPORT_BUTTON: &str = "Importer comme brouillon";
pub const REIMPORT_BUTTON: &str = "Importer la dernière version comme nouveau brouillon";
pub const MY_COPIES: &str = "Vos copies de cette démarche";
pub const CHANGES_TITLE: &str = "Ce que la dernière version change";
pub const LOCAL_CHANGES_TITLE: &str = "Attention : vos modifications depuis l'import";
pub const LOCAL_CHANGES_WARNING: &str = "Elles ne seront pas reprises dans le nouveau brouillon ; votre copie actuelle reste inchangée.";
pub const UP_TO_DATE: &str = "À jour.";
pub const IMPORTED_NOTICE: &str = "Démarche importée du catalogue comme brouillon : adaptez-la ici, puis publiez-la quand elle est prête.";

// The operators' console.
pub const OPERATOR_TITLE: &str = "Catalogue partagé";
pub const OPERATOR_EMPTY: &str = "Aucune démarche n'a encore été partagée.";
pub const COL_TITLE: &str = "Démarche";
pub const COL_PUBLISHER: &str = "Éditeur";
pub const COL_STATUS: &str = "État";
pub const COL_IMPORTS: &str = "Imports";
pub const COL_ACTIONS: &str = "Actions";
pub const FEATURE: &str = "Mettre à la une";
pub const UNFEATURE: &str = "Retirer de la une";
pub const HIDE: &str = "Masquer";
pub const SHOW: &str = "Afficher";
pub const WITHDRAW: &str = "Retirer définitivement";
pub const STARTER_PACK: &str = "Pack de démarrage (facultatif)";
pub const STARTER_PACK_HINT: &str =
    "Ces démarches sont importées comme brouillons, routées vers le service « Accueil ».";
