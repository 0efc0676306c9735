//! French text of identity federation.

pub const FAIL_TITLE: &str = "La connexion n'a pas abouti";
pub const FAIL_DENIED: &str = "Vous avez annulé la connexion ou refusé de transmettre vos informations. Aucun compte n'a été créé ni modifié.";
pub const FAIL_PROVIDER_ERROR: &str =
    "Le fournisseur d'identité a signalé une erreur et n'a pas transmis votre identité.";
pub const FAIL_WRONG_STATE: &str = "Cette tentative de connexion a expiré ou a été ouverte dans un autre navigateur. Recommencez depuis la page de connexion.";
pub const FAIL_CODE_REJECTED: &str = "Le fournisseur d'identité a refusé l'autorisation transmise : elle a expiré ou a déjà servi. Recommencez la connexion.";
pub const FAIL_INVALID_TOKEN: &str = "L'identité transmise n'a pas pu être vérifiée (signature, émetteur, destinataire, validité ou niveau de garantie). Par sécurité, elle a été refusée.";
pub const FAIL_UNREACHABLE: &str =
    "Le fournisseur d'identité ne répond pas. Réessayez dans quelques minutes.";
pub const FAIL_DISCOVERY: &str = "La configuration du fournisseur d'identité est inaccessible. Réessayez plus tard ; si cela persiste, prévenez la mairie.";
pub const FAIL_NOT_CONFIGURED: &str = "Cette connexion n'est pas proposée par ce portail.";
pub const FAIL_AGENT_REFUSED: &str = "Votre compte n'a pas accès à l'espace agents de cette collectivité (compte inconnu, désactivé ou sans rôle). Adressez-vous à un administrateur.";
pub const FAIL_INCOMPLETE: &str = "Le fournisseur d'identité n'a pas transmis les informations nécessaires (nom, prénom ou adresse électronique).";
pub const FAIL_ACCOUNT_CONFLICT: &str = "Un compte existe déjà sur ce portail avec l'adresse électronique transmise, sans mot de passe permettant de l'associer. Connectez-vous comme lors de sa création, ou choisissez un mot de passe avec « Mot de passe oublié », puis recommencez.";
pub const FAIL_LOCAL_SIGN_IN: &str =
    "Se connecter avec une adresse électronique et un mot de passe";
pub const FAIL_RETRY: &str = "Réessayer";

pub const SIGN_IN_WITH: &str = "S'identifier avec";
pub const FRANCECONNECT_WHAT: &str = "Qu'est-ce que FranceConnect ?";
pub const FRANCECONNECT_URL: &str = "https://franceconnect.gouv.fr/";
pub const AGENTS_SIGN_IN: &str = "Agents : se connecter avec";
pub const OR: &str = "ou";

pub const LINK_TITLE: &str = "Associer votre compte existant";
pub const LINK_INTRO: &str = "Un compte existe déjà sur ce portail avec l'adresse électronique transmise. Pour l'associer à votre identité, saisissez le mot de passe de ce compte. Vous pourrez ensuite vous connecter des deux façons et retrouverez les mêmes demandes.";
pub const LINK_PASSWORD: &str = "Mot de passe de votre compte";
pub const LINK_SUBMIT: &str = "Associer mon compte";
pub const LINK_EXPIRED: &str = "Cette demande d'association a expiré. Recommencez la connexion.";
pub const LINK_WRONG_PASSWORD: &str = "Mot de passe incorrect.";

pub const UNLINK: &str = "Dissocier";
pub const UNLINK_INTRO: &str = "Votre compte est associé à :";
pub const UNLINK_NEEDS_PASSWORD: &str = "Pour dissocier votre compte, choisissez d'abord un mot de passe (« Mot de passe oublié ») : sans lui, vous ne pourriez plus vous connecter.";
pub const UNLINK_DONE: &str = "Votre compte n'est plus associé à ce fournisseur d'identité.";
pub const NOT_LINKED: &str = "Ce compte n'est associé à aucun fournisseur d'identité.";

pub const LOCAL_ACCOUNTS_CLOSED: &str = "Ce portail n'ouvre plus de compte par adresse électronique et mot de passe : identifiez-vous avec le fournisseur d'identité proposé.";

pub const ADMIN_TITLE: &str = "Identité et connexion";
pub const ADMIN_INTRO: &str = "Fournisseurs d'identité OpenID Connect : FranceConnect pour les usagers, l'authentification unique de la collectivité ou du syndicat (ou ProConnect) pour les agents.";
pub const ADMIN_CITIZENS: &str = "Usagers";
pub const ADMIN_AGENTS: &str = "Agents";
pub const ADMIN_PLATFORM_TITLE: &str = "Fournisseurs d'identité par défaut";
pub const ADMIN_PLATFORM_INTRO: &str = "Les communes sans fournisseur propre héritent de ceux-ci.";
pub const ADMIN_INHERITED: &str = "Hérité de la plateforme :";
pub const ADMIN_NONE: &str = "Aucun fournisseur configuré.";
pub const ADMIN_REGISTER: &str = "À déclarer chez le fournisseur :";
pub const ADMIN_REDIRECT_URI: &str = "URL de retour (redirect_uri)";
pub const ADMIN_LOGOUT_URI: &str = "URL après déconnexion (post_logout_redirect_uri)";
pub const ADMIN_PRESET: &str = "Modèle";
pub const ADMIN_PRESET_CUSTOM: &str = "Autre fournisseur OpenID Connect";
pub const ADMIN_LABEL: &str = "Nom affiché sur le bouton";
pub const ADMIN_ISSUER: &str = "Émetteur (issuer, URL de découverte)";
pub const ADMIN_CLIENT_ID: &str = "Identifiant client (client_id)";
pub const ADMIN_CLIENT_SECRET: &str = "Secret client (client_secret)";
pub const ADMIN_SECRET_KEPT: &str =
    "Un secret est enregistré ; il n'est jamais réaffiché. Laissez vide pour le conserver.";
pub const ADMIN_SCOPES: &str = "Scopes demandés";
pub const ADMIN_ACR: &str = "Niveaux de garantie demandés (acr_values)";
pub const ADMIN_LOCAL: &str =
    "Les usagers peuvent aussi créer un compte avec adresse électronique et mot de passe";
pub const ADMIN_ROLE_CLAIM: &str = "Attribut portant les groupes ou rôles (claim)";
pub const ADMIN_ROLE_MAPPING: &str = "Correspondance « valeur = rôle, service : Nom du service (droit) » (une par ligne ; rôles : agent, manager, admin ; droits : consultation, modification — par défaut —, gestion ; rôle et services facultatifs, au moins l'un des deux)";
pub const ADMIN_JIT: &str = "Créer automatiquement les agents inconnus avec le rôle correspondant (sinon, ils sont refusés)";
pub const ADMIN_ENABLED: &str = "Activé";
pub const ADMIN_SAVE: &str = "Enregistrer";
pub const ADMIN_SAVED: &str = "Configuration enregistrée.";
pub const ADMIN_REMOVE: &str = "Supprimer la configuration propre";
pub const ADMIN_REMOVED: &str = "Configuration supprimée.";

pub const ISSUER_INVALID: &str =
    "L'émetteur doit être une URL https:// (ou http:// sur la machine locale), sans paramètres.";
pub const CLIENT_ID_EMPTY: &str =
    "Indiquez l'identifiant client fourni par le fournisseur d'identité.";
pub const SECRET_EMPTY: &str = "Indiquez le secret client fourni par le fournisseur d'identité.";
pub const LABEL_EMPTY: &str = "Indiquez le nom affiché sur le bouton de connexion.";
pub const SCOPES_INVALID: &str =
    "Les scopes doivent contenir « openid » et n'être séparés que par des espaces.";
pub const ACR_INVALID: &str =
    "Niveaux de garantie : des valeurs séparées par des espaces (par exemple « eidas1 »).";
pub const ROLE_CLAIM_EMPTY: &str = "Indiquez l'attribut qui porte les groupes ou rôles des agents.";

/// A mapping line that is not `valeur = rôle, service : Nom (droit)`.
pub fn mapping_syntax(line: usize) -> String {
    format!(
        "ligne {line} : écrivez « valeur = rôle » (agent, manager ou admin), éventuellement suivi de « , service : Nom du service »"
    )
}

pub fn mapping_unknown(line: usize, part: &str) -> String {
    format!(
        "ligne {line} : « {part} » — le rôle doit être agent, manager ou admin, un service s'écrit « service : Nom du service »"
    )
}

pub fn mapping_access(line: usize, access: &str) -> String {
    format!(
        "ligne {line} : « {access} » — le droit sur un service doit être consultation, modification ou gestion"
    )
}

/// A service the mapping names that the commune's org chart does not have (exactly once).
pub fn mapping_service_unknown(name: &str) -> String {
    format!(
        "Correspondance : aucun service ne s'appelle « {name} » dans l'organigramme de la commune."
    )
}

pub fn mapping_service_ambiguous(name: &str) -> String {
    format!(
        "Correspondance : plusieurs services s'appellent « {name} » dans l'organigramme ; renommez l'un d'eux."
    )
}

pub const LOGOUT_TITLE: &str = "Déconnexion";
pub const LOGOUT_AT_PROVIDER: &str = "Vous êtes déconnecté du portail. Nous terminons aussi votre session auprès du fournisseur d'identité…";
pub const LOGOUT_CONTINUE: &str = "Terminer la déconnexion";
pub const LOGOUT_DONE: &str = "Vous êtes déconnecté.";
pub const LOGOUT_HOME: &str = "Retour à l'accueil";

// Showing a certified identity.
/// Heading of the citizen's own certified identity (`/mon-compte`).
pub fn certified_by(provider: &str) -> String {
    format!("Identité certifiée par {provider}")
}

/// The agents' badge on a dossier whose owner's identity is certified.
pub fn badge(provider: &str, acr: &str) -> String {
    format!("Identité certifiée {provider} — {acr}")
}

/// `acr`: the level the provider stated (`eidas1`…); `on`: `JJ/MM/AAAA`, if known.
pub fn level_and_date(acr: &str, on: Option<&str>) -> String {
    match on {
        Some(on) => format!("Niveau de garantie : {acr}. Certifiée le {on}."),
        None => format!("Niveau de garantie : {acr}."),
    }
}

pub fn read_only_note(provider: &str) -> String {
    format!(
        "Ces informations viennent de {provider} : elles ne peuvent pas être modifiées ici. Les démarches qui les demandent les reprennent telles quelles."
    )
}

pub const OWNER_HEADING: &str = "Identité de l'usager";
pub const CIVILITY: &str = "Civilité";
pub const MADAME: &str = "Madame";
pub const MONSIEUR: &str = "Monsieur";
pub const GIVEN_NAME: &str = "Prénom(s)";
pub const BIRTH_NAME: &str = "Nom de naissance";
pub const USAGE_NAME: &str = "Nom d'usage";
pub const BIRTH_DATE: &str = "Date de naissance";
pub const BIRTH_PLACE: &str = "Lieu de naissance (code INSEE)";
pub const BIRTH_COUNTRY: &str = "Pays de naissance (code INSEE)";
pub const FRANCE: &str = "France";
pub const EMAIL: &str = "Adresse e-mail";
