//! French text of the account feature, kept in one place for a later translation.

pub const ROLE_AGENT: &str = "Agent";
pub const ROLE_MANAGER: &str = "Responsable";
pub const ROLE_ADMIN: &str = "Administrateur";
pub const ROLE_INVALID: &str = "Choisissez un rôle : agent, responsable ou administrateur.";

pub const EMAIL_EMPTY: &str = "Saisissez votre adresse e-mail.";
pub const EMAIL_TOO_LONG: &str = "L'adresse e-mail ne peut pas dépasser 254 caractères.";
pub const EMAIL_MALFORMED: &str =
    "L'adresse e-mail n'est pas valide : elle doit être de la forme nom@domaine.fr.";
pub const EMAIL_TAKEN: &str = "Un compte existe déjà avec cette adresse e-mail sur ce portail. Connectez-vous ou utilisez « Mot de passe oublié ».";

pub const PASSWORD_EMPTY: &str = "Saisissez un mot de passe.";
pub const PASSWORD_TOO_SHORT: &str = "Le mot de passe doit contenir au moins 10 caractères.";
pub const PASSWORD_TOO_LONG: &str = "Le mot de passe ne peut pas dépasser 128 caractères.";
pub const PASSWORD_WEAK: &str =
    "Le mot de passe doit mélanger des lettres et au moins un chiffre ou un symbole.";
pub const PASSWORD_IS_EMAIL: &str = "Le mot de passe ne doit pas reprendre votre adresse e-mail.";
pub const PASSWORD_COMMON: &str = "Ce mot de passe est trop courant. Choisissez-en un autre.";

pub const NAME_EMPTY: &str = "Saisissez votre nom.";
pub const NAME_TOO_LONG: &str = "Le nom ne peut pas dépasser 100 caractères.";
pub const NAME_INVALID: &str = "Le nom contient des caractères non autorisés.";

pub const LOGIN_FAILED: &str = "Adresse e-mail ou mot de passe incorrect.";
pub const LOGIN_PASSWORD_EMPTY: &str = "Saisissez votre mot de passe.";
pub const EMAIL_NOT_VERIFIED: &str = "Votre adresse e-mail n'est pas encore vérifiée : ouvrez le lien que nous vous avons envoyé par e-mail.";
pub const INVITATION_NOT_ACCEPTED: &str = "Votre invitation n'a pas encore été acceptée : ouvrez le lien reçu par e-mail pour choisir votre mot de passe.";
pub const LINK_INVALID: &str =
    "Ce lien n'est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.";
pub const NOT_AN_AGENT: &str = "Cette page est réservée aux agents de la collectivité.";
pub const NOT_AN_ADMIN: &str = "Cette page est réservée aux administrateurs de la collectivité.";
pub const NOT_A_MANAGER: &str =
    "Cette page est réservée aux responsables et aux administrateurs de la collectivité.";
pub const ACCESS_DENIED_TITLE: &str = "Accès refusé";

pub const VERIFY_SUBJECT: &str = "Confirmez votre adresse e-mail";
pub const RESET_SUBJECT: &str = "Réinitialisation de votre mot de passe";
/// The name a commune's first admin has until they accept their invitation and give theirs.
pub const UNNAMED_ADMIN: &str = "Administrateur";
pub const INVITATION_SUBJECT: &str = "Invitation à rejoindre l'espace agents";

pub const SIGNUP_TITLE: &str = "Créer mon compte";
pub const SIGNUP_DONE: &str = "Votre compte est créé. Nous vous avons envoyé un e-mail : cliquez sur le lien qu'il contient pour activer votre compte.";
pub const LOGIN_TITLE: &str = "Se connecter";
pub const LOGOUT: &str = "Se déconnecter";
pub const FORGOT_TITLE: &str = "Mot de passe oublié";
pub const FORGOT_DONE: &str = "Si un compte existe avec cette adresse, vous allez recevoir un e-mail pour choisir un nouveau mot de passe.";
pub const RESET_TITLE: &str = "Choisir un nouveau mot de passe";
pub const RESET_DONE: &str = "Votre mot de passe a été changé. Vous pouvez vous connecter.";
pub const VERIFY_TITLE: &str = "Vérification de l'adresse e-mail";
pub const VERIFY_DONE: &str =
    "Votre adresse e-mail est vérifiée. Vous pouvez maintenant vous connecter.";
pub const INVITATION_TITLE: &str = "Rejoindre l'espace agents";
pub const ACCOUNT_TITLE: &str = "Mon compte";

pub const FIELD_EMAIL: &str = "Adresse e-mail";
pub const FIELD_PASSWORD: &str = "Mot de passe";
pub const FIELD_NEW_PASSWORD: &str = "Nouveau mot de passe";
pub const FIELD_NAME: &str = "Prénom et nom";
pub const NAME_HINT: &str =
    "Tel que vos collègues et les usagers le liront, par exemple « Camille Martin ».";
pub const PASSWORD_HINT: &str =
    "Au moins 10 caractères, avec des lettres et au moins un chiffre ou un symbole.";
pub const ACCOUNT_DEACTIVATED: &str =
    "Ce compte a été désactivé par un administrateur de la collectivité.";
pub const DEACTIVATE: &str = "Désactiver";
pub const REACTIVATE: &str = "Réactiver";
pub const DEACTIVATED: &str = "Désactivé";
pub const CANNOT_DEACTIVATE_SELF: &str = "Vous ne pouvez pas désactiver votre propre compte.";
pub const USER_UNKNOWN: &str = "Ce compte n'existe pas dans cette collectivité.";
