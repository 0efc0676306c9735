pub const AGENTS_TITLE: &str = "Agents et comptes";
pub const INVITE_TITLE: &str = "Inviter un agent";
pub const INVITE_DONE: &str =
    "Invitation envoyée. L'agent va recevoir un e-mail pour choisir son mot de passe.";
pub const FIELD_ROLE: &str = "Rôle";
pub const PENDING: &str = "Invitation en attente";
pub const CITIZEN: &str = "Usager";
