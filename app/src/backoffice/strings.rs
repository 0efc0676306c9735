pub const HOME_TITLE: &str = "Espace agents";
pub const PUBLISH_TITLE: &str = "Publier une actualité";
pub const PUBLISHED: &str = "Actualité publiée sur le portail.";
pub const FIELD_TITLE: &str = "Titre";
pub const FIELD_BODY: &str = "Texte";

pub const SLA_NONE: &str = "Sans échéance";
pub const SLA_ON_TIME: &str = "Dans les temps";
pub const SLA_URGENT: &str = "Urgent";
pub const SLA_LATE: &str = "En retard";

pub const DOSSIER_UNKNOWN: &str =
    "Ce dossier n'existe pas ou vous n'avez pas de droit sur son service.";
pub const AGENT_UNKNOWN: &str = "Cet agent n'existe pas (ou plus).";
pub const SLA_UNKNOWN: &str = "Choisissez un état de délai dans la liste.";
pub const READ_ONLY: &str =
    "Vous avez un droit de consultation sur ce dossier : vous ne pouvez pas le modifier.";
pub const CITIZEN: &str = "L'usager";
pub const HISTORY_TAKEN: &str = "Dossier pris en charge";
pub const HISTORY_ASSIGNED: &str = "Dossier attribué";
pub const HISTORY_REDIRECTED: &str = "Dossier réorienté";
pub const HISTORY_ANSWER_EDITED: &str = "Réponse corrigée";
pub const HISTORY_NOTE: &str = "Note ajoutée";
pub const HISTORY_MESSAGE: &str = "Message envoyé à l'usager";
pub const HISTORY_CITIZEN_MESSAGE: &str = "Message reçu de l'usager";
pub const HISTORY_PIECE: &str = "Pièce examinée";
pub const HISTORY_PIECE_REPLACED: &str = "Pièce refusée remplacée par l'usager";
pub const HISTORY_DEADLINE: &str = "Échéance modifiée";
pub const HISTORY_LINKED: &str = "Dossier lié";
pub const ASSIGN_NEEDS_GESTION: &str =
    "Attribuer un dossier à un collègue demande le droit de gestion sur son service.";
pub const ASSIGNEE_WITHOUT_RIGHT: &str =
    "Cet agent n'a pas le droit de modification sur le service du dossier.";
pub const REASON_REQUIRED: &str = "Indiquez le motif de la réorientation.";
pub const SAME_SERVICE: &str = "Le dossier est déjà dans ce service.";
pub const SERVICE_UNKNOWN: &str = "Ce service n'existe pas (ou plus).";
pub const REQUEST_ID_INVALID: &str = "La page est trop ancienne : rechargez-la puis recommencez.";
pub const TRANSITION_UNKNOWN: &str = "Cette action n'existe pas dans le circuit de la démarche.";
pub const COMMENT_TOO_LONG: &str = "Le commentaire ne doit pas dépasser 5 000 caractères.";
pub const VISIBILITY_UNKNOWN: &str = "Choisissez pour qui est la note.";
pub const NOTE_REQUIRED: &str = "Écrivez la note (5 000 caractères au plus).";
pub const EDITED_MEANWHILE: &str = "Le dossier a été modifié entre-temps par un autre agent : rechargez la page pour voir sa version, votre saisie est conservée ci-dessous.";
pub const FIELD_NOT_EDITABLE: &str = "Cette réponse ne peut pas être corrigée ici.";
pub const EDIT_BREAKS_DOSSIER: &str = "Cette correction rendrait le dossier incomplet.";

/// An answer the owner's identity provider certified (FranceConnect) cannot be corrected.
pub fn certified_answer(provider: &str) -> String {
    format!(
        "Cette réponse est certifiée par {provider} : elle ne peut pas être corrigée. Si elle est inexacte, l'usager doit la faire rectifier auprès de {provider}."
    )
}
pub const REVIEW_UNKNOWN: &str = "Choisissez l'état de la pièce : à vérifier, valide ou refusée.";
pub const REFUSAL_REASON_REQUIRED: &str = "Indiquez le motif du refus : l'usager le lira.";
pub const PIECE_UNKNOWN: &str = "Cette pièce n'appartient pas à ce dossier.";
pub const LINK_UNKNOWN: &str = "Aucun dossier que vous pouvez consulter ne porte cette référence.";
pub const LINK_SELF: &str = "Un dossier ne peut pas être lié à lui-même.";
pub const SEARCH_NAME_REQUIRED: &str = "Donnez un nom à la recherche.";
pub const SHARE_NEEDS_GESTION: &str =
    "Partager une recherche avec un service demande le droit de gestion sur ce service.";

pub fn locked_by(name: &str) -> String {
    format!(
        "{name} travaille sur ce dossier : il est en lecture seule pour vous jusqu'à ce qu'il le libère (ou au plus tard 15 minutes après sa dernière action)."
    )
}

pub fn history_status(name: &str) -> String {
    format!("Statut : {name}")
}

pub fn transition_not_from(label: &str) -> String {
    format!(
        "Le dossier est maintenant « {label} » : cette action n'est plus possible. Rechargez la page."
    )
}

pub fn silence_line(kind: &str, date: &str) -> String {
    match kind {
        "acceptation" => format!("Silence vaut acceptation le {date}"),
        _ => format!("Silence vaut rejet le {date}"),
    }
}

pub fn piece_review(name: &str, review: &str) -> String {
    let state = match review {
        "valid" => "valide",
        "refused" => "refusée",
        _ => "à vérifier",
    };
    format!("{name} : {state}")
}
pub const ACTION_UNKNOWN: &str = "Cette action n'existe pas.";

pub const DOSSIERS_TITLE: &str = "Dossiers";
pub const DOSSIERS_LINK: &str = "Traiter les dossiers";
pub const COUNTERS_LABEL: &str = "Tableau de bord";
pub const COUNTER_MINE: &str = "qui me sont attribués";
pub const COUNTER_MY_SERVICES: &str = "dans mes services";
pub const COUNTER_NEW: &str = "nouveaux, non attribués";
pub const COUNTER_WAITING: &str = "en attente de l'usager";
pub const COUNTER_URGENT: &str = "urgents";
pub const COUNTER_LATE: &str = "en retard";
pub const FILTERS_LABEL: &str = "Filtrer les dossiers";
pub const F_DEMARCHE: &str = "Démarche";
pub const F_STATUS: &str = "Statut";
pub const F_SERVICE: &str = "Service";
pub const F_AGENT: &str = "Agent";
pub const F_FROM: &str = "Déposés du";
pub const F_TO: &str = "au";
pub const F_SLA: &str = "Délai";
pub const F_SORT: &str = "Trier par";
pub const ALL: &str = "Tous";
pub const AGENT_ME: &str = "Moi";
pub const AGENT_NOBODY: &str = "Personne (non attribués)";
pub const SORT_RECENT: &str = "Plus récents";
pub const SORT_OLD: &str = "Plus anciens";
pub const SORT_DUE: &str = "Échéance la plus proche";
pub const SORT_REFERENCE: &str = "Référence";
pub const FILTER: &str = "Filtrer";
pub const SAVED_LABEL: &str = "Recherches enregistrées";
pub const SAVE_SEARCH: &str = "Enregistrer cette recherche";
pub const SEARCH_NAME: &str = "Nom de la recherche";
pub const SHARE_WITH: &str = "Partager avec";
pub const ONLY_ME: &str = "Personne (pour moi seul)";
pub const SAVE: &str = "Enregistrer";
pub const EXPORT_CSV: &str = "Exporter la sélection (CSV)";
pub const COL_REFERENCE: &str = "Référence";
pub const COL_DEMARCHE: &str = "Démarche";
pub const COL_CITIZEN: &str = "Usager";
pub const COL_STATUS: &str = "Statut";
pub const COL_SERVICE: &str = "Service";
pub const COL_AGENT: &str = "Agent";
pub const COL_SUBMITTED: &str = "Déposé le";
pub const COL_DUE: &str = "Échéance";
pub const PAGES_LABEL: &str = "Pages";
pub const PREVIOUS: &str = "Page précédente";
pub const NEXT: &str = "Page suivante";
pub const BACK_TO_LIST: &str = "← Retour aux dossiers";
pub const WAITING_COMPLEMENT: &str = "(complément demandé à l'usager)";
pub const NOBODY: &str = "Personne";
pub const SILENCE: &str = "Silence de l'administration";
pub const ACTIONS: &str = "Traiter le dossier";
pub const LOCK: &str = "Verrouiller pendant que je travaille";
pub const UNLOCK: &str = "Libérer le dossier";
pub const TAKE_CHARGE: &str = "Prendre en charge";
pub const CHANGE_STATUS: &str = "Faire avancer le dossier";
pub const COMPLEMENT_HINT: &str =
    "(le dossier est rouvert à l'usager ; le commentaire lui dit quoi compléter)";
pub const COMMENT: &str = "Commentaire (transmis à l'usager dans le courriel)";
pub const APPLY: &str = "Valider";
pub const ASSIGN: &str = "Attribuer";
pub const REDIRECT: &str = "Réorienter vers un autre service";
pub const REASON: &str = "Motif";
pub const LINK: &str = "Lier à un autre dossier";
pub const ANSWERS: &str = "Réponses";
pub const EDIT_ANSWER: &str = "Corriger une réponse";
pub const QUESTION: &str = "Question";
pub const NEW_VALUE: &str = "Nouvelle réponse";
pub const PIECES: &str = "Pièces justificatives";
pub const NO_PIECES: &str = "Aucune pièce.";
pub const REVIEW: &str = "État";
pub const NOTES: &str = "Notes";
pub const NEW_NOTE: &str = "Nouvelle note";
pub const NOTE_FOR: &str = "Visible par";
pub const ADD_NOTE: &str = "Ajouter la note";
pub const MESSAGES: &str = "Messages avec l'usager";
pub const NEW_MESSAGE: &str = "Message à l'usager (il le reçoit par courriel)";
pub const SEND: &str = "Envoyer";
pub const LINKED: &str = "Dossiers liés";
pub const HISTORY: &str = "Historique";

pub fn total_line(total: u64, capped: bool) -> String {
    if capped {
        return format!("Plus de {total} dossiers : affinez les filtres pour les voir tous");
    }
    match total {
        0 => "Aucun dossier".to_owned(),
        1 => "1 dossier".to_owned(),
        n => format!("{n} dossiers"),
    }
}

pub fn page_line(page: u32, pages: u32, capped: bool) -> String {
    if capped {
        return format!(
            "Page {page} sur {pages} (les {} premiers dossiers)",
            pages * super::model::PAGE_SIZE
        );
    }
    format!("Page {page} sur {pages}")
}

pub fn dossier_title(reference: &str) -> String {
    format!("Dossier {reference}")
}

pub fn locked_notice(name: &str) -> String {
    format!("{name} travaille sur ce dossier : vous le consultez en lecture seule.")
}

pub fn on_behalf(name: &str) -> String {
    format!("(pour le compte de {name})")
}

pub fn replaces(name: &str) -> String {
    format!("(remplace « {name} », refusée)")
}

pub fn review_label(review: &str) -> &'static str {
    match review {
        "valid" => "Valide",
        "refused" => "Refusée",
        _ => "À vérifier",
    }
}

pub fn visibility_label(visibility: &str) -> &'static str {
    match visibility {
        "personal" => "moi seul",
        "citizen" => "l'usager",
        _ => "le service",
    }
}

pub fn digest_subject(count: usize) -> String {
    match count {
        1 => "1 dossier urgent ou en retard".to_owned(),
        n => format!("{n} dossiers urgents ou en retard"),
    }
}

pub fn digest_line(reference: &str, citizen: &str, due: &str, late: bool) -> String {
    let state = if late { "en retard" } else { "urgent" };
    format!("- {reference} ({citizen}) : échéance le {due}, {state}")
}

pub fn digest_body(lines: &[String], link: &str) -> String {
    format!(
        "Bonjour,\n\nVoici les dossiers qui vous sont attribués et qui demandent votre attention :\n\n{}\n\nLes voir : {link}\n",
        lines.join("\n")
    )
}
pub const REGISTER: &str = "Enregistrer une demande pour un usager (guichet, téléphone)";
pub const CHANNEL: &str = "Canal";
pub const CHANNEL_COUNTER: &str = "Au guichet";
pub const CHANNEL_PHONE: &str = "Par téléphone";
pub const CITIZEN_EMAIL: &str = "Adresse e-mail de l'usager (facultatif : il recevra le suivi)";
pub const REGISTER_START: &str = "Remplir la démarche";
pub const EXPORT_FAILED: &str =
    "L'export a échoué : réessayez, ou téléchargez le fichier avec le lien.";

pub fn export_progress(rows: u64, total: u64) -> String {
    format!("Export en cours : environ {rows} dossiers sur {total}…")
}

pub fn export_done(total: u64) -> String {
    format!("Export terminé : {total} dossiers.")
}
pub const QUICK_SEARCH: &str = "Recherche rapide";
pub const QUICK_SEARCH_HINT: &str =
    "Référence, nom de l'usager, objet, réponses ou notes (« dupon » trouve Dupont).";
pub const SEARCH: &str = "Rechercher";
pub const SEARCH_EMPTY: &str = "Saisissez ce que vous cherchez.";
pub const SEARCH_TOO_LONG: &str = "La recherche ne doit pas dépasser 200 caractères.";

pub fn search_results(count: usize) -> String {
    match count {
        0 => "Aucun dossier trouvé".to_owned(),
        1 => "1 dossier trouvé".to_owned(),
        n => format!("{n} dossiers trouvés"),
    }
}

// --- Beneficiary -----------------------------------------------------------------------------
pub const F_BENEFICIARY_KIND: &str = "Bénéficiaire";
pub const F_BENEFICIARY_NAME: &str = "Nom du bénéficiaire";
pub const BENEFICIARY_KIND_UNKNOWN: &str = "Type de bénéficiaire inconnu : choisissez l'usager lui-même, un membre du foyer, un enfant ou une organisation.";
pub const ON_BEHALF_OF: &str = "Pour le compte de";
pub fn beneficiary_line(
    name: &str,
    kind: crate::demarches::beneficiary::BeneficiaryKind,
) -> String {
    use crate::demarches::beneficiary::BeneficiaryKind;
    let what = match kind {
        BeneficiaryKind::Enfant => "enfant du foyer",
        BeneficiaryKind::Organisation => "organisation",
        BeneficiaryKind::Personne | BeneficiaryKind::Soi => "membre du foyer",
    };
    format!("{name} ({what})")
}
pub const OWNER_360: &str = "Fiche usager du demandeur";
pub const BENEFICIARY_360: &str = "Fiche usager du bénéficiaire";
