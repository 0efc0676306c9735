//! French text of the second factor (TOTP), kept in one place for a later translation.

// The sign-in's second step (`/connexion/code`, `/plateforme/connexion/code`).
pub const CODE_TITLE: &str = "Code de vérification";
pub const CODE_INTRO: &str = "Votre compte est protégé par la double authentification. Saisissez le code à 6 chiffres affiché par votre application d'authentification.";
pub const FIELD_CODE: &str = "Code de vérification";
pub const CODE_HINT: &str = "Les 6 chiffres affichés en ce moment par l'application.";
pub const RECOVERY_SUMMARY: &str = "Vous n'avez plus votre téléphone ? Utilisez un code de secours";
pub const FIELD_RECOVERY: &str = "Code de secours";
pub const RECOVERY_HINT: &str = "L'un des 10 codes notés à l'activation, par exemple « abcde-fghjk ». Chacun ne sert qu'une fois.";
pub const CODE_SUBMIT: &str = "Valider";
pub const CODE_RESTART: &str = "Recommencer la connexion";
pub const CHALLENGE_GONE: &str = "Votre connexion a expiré ou n'a pas été commencée : saisissez à nouveau votre adresse e-mail et votre mot de passe.";
pub const CODE_EMPTY: &str =
    "Saisissez le code à 6 chiffres de votre application d'authentification.";
pub const CODE_WRONG: &str = "Ce code est incorrect. Vérifiez que l'heure de votre téléphone est exacte, ou saisissez l'un de vos codes de secours.";
pub const CODE_REPLAYED: &str =
    "Ce code a déjà été utilisé. Attendez que votre application affiche le code suivant.";
pub const TOO_MANY_CODES: &str =
    "Trop de codes erronés. Réessayez dans 15 minutes, ou saisissez à nouveau votre mot de passe.";
pub const CHALLENGE_SPENT: &str = "Trop de codes erronés pour cette connexion : saisissez à nouveau votre adresse e-mail et votre mot de passe.";

pub fn attempts_left(left: u32) -> String {
    match left {
        1 => "Il vous reste 1 essai pour cette connexion.".to_owned(),
        n => format!("Il vous reste {n} essais pour cette connexion."),
    }
}

/// The name operators' authenticator applications show for their key.
pub const PLATFORM_ISSUER: &str = "Guichet (plateforme)";

// The account's security page (`/mon-compte/securite`, `/plateforme/securite`).
pub const SECURITY_TITLE: &str = "Double authentification";
pub const SECURITY_LINK: &str = "Double authentification";
pub const SECURITY_INTRO: &str = "Après votre mot de passe, un code à 6 chiffres donné par une application d'authentification de votre téléphone (par exemple FreeOTP, Aegis, Google Authenticator ou Microsoft Authenticator) vous sera demandé. Un mot de passe volé ne suffit plus alors pour entrer dans votre compte.";
pub const AGENTS_ONLY: &str =
    "La double authentification est réservée aux agents de la collectivité.";
pub const REQUIRED_NOTICE: &str =
    "La double authentification est obligatoire : activez-la pour accéder à votre espace.";
pub const STATE_OFF: &str = "La double authentification n'est pas activée sur votre compte.";
pub const START: &str = "Activer la double authentification";
pub const SCAN: &str = "1. Scannez ce QR code avec votre application d'authentification.";
pub const MANUAL: &str = "Ou saisissez cette clé dans l'application (compte basé sur l'heure) :";
pub const QR_LABEL: &str = "QR code de la clé de double authentification";
pub const CONFIRM_STEP: &str =
    "2. Saisissez le code à 6 chiffres que l'application affiche, pour confirmer.";
pub const CONFIRM: &str = "Confirmer l'activation";
pub const NOT_STARTED: &str =
    "Commencez par « Activer la double authentification » pour obtenir une clé.";
pub const ALREADY_ON: &str = "La double authentification est déjà activée sur votre compte.";
pub const CONFIRM_WRONG: &str = "Ce code ne correspond pas à la clé affichée. Vérifiez que l'heure de votre téléphone est exacte et saisissez le code affiché en ce moment.";

pub fn state_on(since: &str) -> String {
    format!("La double authentification est activée sur votre compte depuis le {since}.")
}

pub fn codes_left(left: u32) -> String {
    match left {
        0 => "Vous n'avez plus de code de secours : générez-en de nouveaux.".to_owned(),
        1 => "Il vous reste 1 code de secours.".to_owned(),
        n => format!("Il vous reste {n} codes de secours."),
    }
}

pub const CODES_TITLE: &str = "Vos codes de secours";
pub const CODES_INTRO: &str = "Notez ou imprimez ces 10 codes et gardez-les en lieu sûr : chacun permet une seule fois de vous connecter sans votre téléphone. Ils ne seront plus jamais affichés.";
pub const CONTINUE: &str = "Continuer vers mon espace";
pub const REGENERATE_TITLE: &str = "Nouveaux codes de secours";
pub const REGENERATE_INTRO: &str = "Les codes de secours actuels cesseront de fonctionner.";
pub const REGENERATE: &str = "Générer de nouveaux codes";
pub const DISABLE_TITLE: &str = "Désactiver la double authentification";
pub const FIELD_PROOF: &str = "Code de vérification ou mot de passe";
pub const PROOF_HINT: &str = "Le code à 6 chiffres de votre application, ou votre mot de passe.";
pub const PROOF_EMPTY: &str = "Saisissez un code de vérification ou votre mot de passe.";
pub const PROOF_WRONG: &str = "Ce code ou ce mot de passe est incorrect.";
pub const DISABLE: &str = "Désactiver";
pub const DISABLED: &str = "La double authentification est désactivée.";
pub const NOT_ON: &str = "La double authentification n'est pas activée sur votre compte.";

// The mandatory switch (`/administration/securite`, `/plateforme/securite`).
pub const SETTINGS_TITLE: &str = "Sécurité des connexions";
pub const ADMIN_LINK: &str = "Sécurité des connexions";
pub const REQUIRED_AGENTS_LABEL: &str =
    "Rendre la double authentification obligatoire pour les agents";
pub const REQUIRED_AGENTS_HINT: &str = "Un agent qui ne l'a pas activée y sera conduit à sa prochaine page de l'espace agents. Les connexions par un fournisseur d'identité (authentification unique) ne sont pas concernées.";
pub const REQUIRED_OPERATORS_LABEL: &str =
    "Rendre la double authentification obligatoire pour les opérateurs";
pub const REQUIRED_OPERATORS_HINT: &str =
    "Un opérateur qui ne l'a pas activée y sera conduit avant d'utiliser la console.";
pub const SAVE: &str = "Enregistrer";
pub const SAVED: &str = "Réglage enregistré.";
pub const ENROL_YOURSELF_FIRST: &str = "Activez d'abord la double authentification sur votre propre compte : sans elle, vous n'auriez plus accès à votre espace.";
pub const REQUIRED_FORBIDDEN: &str = "La double authentification est obligatoire : activez-la depuis la page « Double authentification » de votre compte (/mon-compte/securite) avant de continuer.";
pub const REQUIRED_FORBIDDEN_OPERATOR: &str = "La double authentification est obligatoire pour les opérateurs : activez-la depuis /plateforme/securite avant de continuer.";

pub fn enrolled_agents(enrolled: u32, total: u32) -> String {
    format!("Agents ayant activé la double authentification : {enrolled} sur {total}.")
}

pub fn enrolled_operators(enrolled: u32, total: u32) -> String {
    format!("Opérateurs ayant activé la double authentification : {enrolled} sur {total}.")
}

pub const AGENTS_MISSING: &str = "Agents sans double authentification";
pub const OPERATORS_MISSING: &str = "Opérateurs sans double authentification";
pub const OWN_FACTOR_LINK: &str = "Gérer votre propre double authentification";

pub const ENROLLED_TITLE: &str = "Double authentification activée";
pub const RESET_HINT: &str = "Si quelqu'un a perdu son application d'authentification et ses codes de secours, réinitialisez sa double authentification : il se connectera avec son mot de passe et devra l'activer de nouveau si elle est obligatoire. La réinitialisation est enregistrée.";
pub const RESET: &str = "Réinitialiser";
pub const RESET_DONE: &str = "Double authentification réinitialisée.";
pub const RESET_SELF: &str = "Vous ne pouvez pas réinitialiser votre propre double authentification : désactivez-la depuis votre page Sécurité.";
pub const RESET_UNKNOWN: &str = "Ce compte n'existe pas ici.";
pub const RESET_NOTHING: &str = "Ce compte n'a pas de double authentification à réinitialiser.";

/// The reset button's accessible name.
pub fn reset_label(name: &str) -> String {
    format!("Réinitialiser la double authentification de {name}")
}
