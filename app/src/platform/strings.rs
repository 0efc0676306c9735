pub const CONSOLE_TITLE: &str = "Console de la plateforme";
pub const OPERATOR_LOGIN_TITLE: &str = "Connexion opérateur";
pub const SLUG_TAKEN: &str = "Cet identifiant est déjà utilisé par une autre collectivité.";
pub const HOST_TAKEN: &str = "Ce nom de domaine est déjà attribué à une autre collectivité.";
pub const HOST_UNDER_BASE: &str = "Les adresses en .{base} sont attribuées automatiquement : indiquez seulement les domaines propres à la collectivité.";
pub const TENANT_UNKNOWN: &str = "Aucune collectivité ne porte cet identifiant.";
pub const PLATFORM_ONLY: &str =
    "Cette fonction n'est disponible que sur la console de la plateforme.";
pub const OPERATOR_REQUIRED: &str = "Connectez-vous en tant qu'opérateur de la plateforme.";
pub const ADMIN_EMAIL_FIELD: &str = "admin_email";
pub const TOO_MANY_HOSTS: &str = "Indiquez au plus 10 noms de domaine.";

/// A refused slug's message, followed by the slug the commune's name suggests.
pub fn with_suggested_slug(message: &str, slug: &str) -> String {
    format!("{message} Identifiant proposé d'après le nom : « {slug} ».")
}

// The demo's mail page (`/courriels-demo`, only when mail goes to files).
pub const DEMO_MAIL_TITLE: &str = "Courriels de la démonstration";
pub const DEMO_MAIL_NOT_SENT: &str = "Aucun serveur de messagerie n'est configuré (GUICHET_SMTP_URL) : ces courriels n'ont pas été envoyés, ils sont écrits dans des fichiers .eml et listés ici, les plus récents d'abord, avec leurs liens.";
pub const DEMO_MAIL_EMPTY: &str = "Aucun courriel pour l'instant.";
pub const DEMO_MAIL_TO: &str = "À :";
pub const DEMO_MAIL_NOT_FOUND_TITLE: &str = "Page introuvable";
pub const DEMO_MAIL_NOT_FOUND: &str = "La page demandée n'existe pas.";

pub fn demo_mail_intro(tenant: &str) -> String {
    format!("Les courriels envoyés par le portail de {tenant}.")
}

pub const ACTIVE: &str = "Active";
pub const SUSPENDED: &str = "Suspendue";

/// The status of a commune whose deletion is scheduled.
pub fn deletion_due(day: &str) -> String {
    format!("Suspendue, supprimée le {day}")
}
