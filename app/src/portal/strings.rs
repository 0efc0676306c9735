pub const HOME_NEWS_TITLE: &str = "Actualités";
pub const NO_NEWS: &str = "Aucune actualité publiée pour le moment.";
pub const WELCOME_DEFAULT: &str =
    "Bienvenue sur le portail des démarches en ligne de votre commune.";
pub const TITLE_EMPTY: &str = "Saisissez le titre de l'actualité.";
pub const TITLE_TOO_LONG: &str = "Le titre ne peut pas dépasser 150 caractères.";
pub const BODY_EMPTY: &str = "Saisissez le texte de l'actualité.";
pub const BODY_TOO_LONG: &str = "Le texte ne peut pas dépasser 5 000 caractères.";
