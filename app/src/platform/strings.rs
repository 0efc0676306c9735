pub const CONSOLE_TITLE: &str = "Console de la plateforme";
pub const OPERATOR_LOGIN_TITLE: &str = "Connexion opérateur";
pub const SLUG_TAKEN: &str = "Cet identifiant est déjà utilisé par une autre collectivité.";
pub const HOST_TAKEN: &str = "Ce nom de domaine est déjà attribué à une autre collectivité.";
pub const HOST_UNDER_BASE: &str = "Les adresses en .{base} sont attribuées automatiquement : indiquez seulement les domaines propres à la collectivité.";
pub const TENANT_UNKNOWN: &str = "Aucune collectivité ne porte cet identifiant.";
pub const PLATFORM_ONLY: &str =
    "Cette fonction n'est disponible que sur la console de la plateforme.";
pub const OPERATOR_REQUIRED: &str = "Connectez-vous en tant qu'opérateur de la plateforme.";
pub const ADMIN_NAME: &str = "Administrateur";
pub const ADMIN_EMAIL_FIELD: &str = "admin_email";
pub const TOO_MANY_HOSTS: &str = "Indiquez au plus 10 noms de domaine.";
