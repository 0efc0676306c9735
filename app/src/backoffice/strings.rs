pub const HOME_TITLE: &str = "Espace agents";
pub const PUBLISH_TITLE: &str = "Publier une actualité";
pub const PUBLISHED: &str = "Actualité publiée sur le portail.";
pub const FIELD_TITLE: &str = "Titre";
pub const FIELD_BODY: &str = "Texte";

pub const SLA_NONE: &str = "Sans échéance";
pub const SLA_ON_TIME: &str = "Dans les temps";
pub const SLA_URGENT: &str = "Urgent";
pub const SLA_LATE: &str = "En retard";
