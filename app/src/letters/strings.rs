//! The letters' French text, kept together for a later translation.

use super::model::{LetterheadChoice, TemplateKind};

pub fn kind_label(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::AccuseReception => "Accusé de réception",
        TemplateKind::DemandeComplement => "Demande de complément",
        TemplateKind::ReponseFavorable => "Réponse favorable",
        TemplateKind::ReponseDefavorable => "Réponse défavorable",
        TemplateKind::Attestation => "Attestation",
        TemplateKind::Convocation => "Convocation",
        TemplateKind::Autre => "Autre courrier",
    }
}

pub fn letterhead_label(choice: LetterheadChoice) -> &'static str {
    match choice {
        LetterheadChoice::Commune => "En-tête de la collectivité (logo, nom, adresse)",
        LetterheadChoice::Blank => {
            "Sans en-tête (papier à en-tête pré-imprimé ou document sans en-tête)"
        }
        LetterheadChoice::Own => {
            "En-tête propre au modèle, écrit avec #en-tete[…] (partenaire, département…)"
        }
    }
}

pub const LETTERHEAD_LABEL: &str = "En-tête des pages";
pub const LETTERHEAD_HINT: &str = "Avec un en-tête propre au modèle, écrivez-le dans le texte du modèle, par exemple : #en-tete[*Département de Loire-Atlantique* \\ Direction des routes]. Il est imprimé en haut de chaque page à la place de celui de la collectivité.";
pub const OWN_LETTERHEAD_MISSING: &str = "Vous avez choisi un en-tête propre au modèle : écrivez-le dans le modèle avec #en-tete[…], par exemple #en-tete[*Département de Loire-Atlantique*].";
pub const OWN_LETTERHEAD_UNUSED: &str = "#en-tete[…] n'est imprimé qu'avec l'en-tête « propre au modèle » : choisissez-le dans « En-tête des pages », ou retirez #en-tete.";
pub const OWN_LETTERHEAD_TWICE: &str = "Un modèle n'a qu'un en-tête : gardez un seul #en-tete[…].";

/// The merge fields a template may use, with what they hold. `reponses.<code>` comes on top:
/// any answer of the dossier by its field code.
pub const FIELDS: &[(&str, &str)] = &[
    ("collectivite.nom", "Nom de la collectivité"),
    (
        "collectivite.adresse",
        "Adresse de la collectivité (pied de page du portail)",
    ),
    ("collectivite.site", "Adresse du portail"),
    ("collectivite.couleur", "Couleur principale (#rrggbb)"),
    ("collectivite.logo", "Vrai si un logo est défini"),
    ("dossier.reference", "Référence du dossier (2026-000123)"),
    ("dossier.depot", "Date de dépôt, en toutes lettres"),
    ("dossier.statut", "Statut du dossier"),
    (
        "dossier.date-statut",
        "Date du dernier changement de statut",
    ),
    ("dossier.lien", "Lien de suivi du dossier"),
    ("demarche.titre", "Titre de la démarche"),
    ("citoyen.nom", "Nom de l'usager"),
    ("citoyen.courriel", "Adresse électronique de l'usager"),
    ("beneficiaire.nom", "Nom du bénéficiaire"),
    ("agent.nom", "Agent qui rédige le courrier"),
    ("agent.service", "Service du dossier"),
    ("signataire.nom", "Nom du signataire"),
    ("signataire.qualite", "Qualité du signataire"),
    ("signataire.pour", "Au nom de qui signe un délégataire"),
    (
        "signataire.image",
        "Vrai si la signature graphique est apposée",
    ),
    ("courrier.titre", "Titre du courrier (métadonnées du PDF)"),
    ("courrier.texte", "Texte libre saisi par l'agent"),
    (
        "courrier.paragraphes",
        "Texte libre, paragraphe par paragraphe",
    ),
    ("date.aujourdhui", "Date du jour en toutes lettres"),
    ("date.annee", "Année en cours"),
];

/// Helpers of the prelude, listed in the editor.
pub const HELPERS: &[(&str, &str)] = &[
    (
        "#texte-libre()",
        "Le texte libre de l'agent, en paragraphes",
    ),
    (
        "#signature()",
        "Le bloc de signature (nom, qualité, signature graphique)",
    ),
    (
        "#en-tete[…]",
        "L'en-tête propre au modèle (avec « En-tête propre au modèle »)",
    ),
    (
        "#reponses.at(\"code\", default: \"\")",
        "Une réponse du dossier par le code de son champ",
    ),
];

pub fn unknown_field(path: &str, root: &str) -> String {
    let known: Vec<&str> = FIELDS
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| p.split('.').next() == Some(root))
        .collect();
    format!(
        "Champ inconnu « {path} ». Champs disponibles : {}.",
        known.join(", ")
    )
}

pub fn unknown_variable(name: &str) -> String {
    format!("Variable inconnue « {name} ».")
}

/// The start of [`missing_answer`]'s message.
pub const MISSING_ANSWER: &str = "Ce dossier n'a pas de réponse";

pub fn missing_answer(code: &str) -> String {
    format!(
        "{MISSING_ANSWER} « {code} » : écrivez #reponses.at(\"{code}\", default: \"\") si elle est facultative."
    )
}

/// typst's messages not translated: a French sentence that quotes typst's (the position is
/// given beside it).
pub fn typst_error(message: &str) -> String {
    format!("Le modèle contient une erreur à cet endroit (message de typst : « {message} »).")
}

pub fn missing_key(key: &str) -> String {
    format!("Ce dictionnaire n'a pas de clé « {key} ».")
}

pub fn unexpected(what: &str) -> String {
    format!("Élément inattendu ici : {what}.")
}

pub fn expected(what: &str) -> String {
    format!("Il manque ici {what}.")
}

pub fn expected_found(what: &str, found: &str) -> String {
    format!("Il manque ici {what} (trouvé : {found}).")
}

pub fn missing_argument(name: &str) -> String {
    format!("Argument manquant : « {name} ».")
}

pub fn unexpected_argument(name: &str) -> String {
    format!("Argument inattendu : « {name} ».")
}

pub const UNCLOSED_PAREN: &str = "Cette parenthèse « ( » n'est jamais fermée : ajoutez la parenthèse « ) » qui lui correspond (la suite du modèle n'a pas pu être lue).";
pub const UNCLOSED_BRACKET: &str = "Ce crochet « [ » n'est jamais fermé : ajoutez le crochet « ] » qui lui correspond (la suite du modèle n'a pas pu être lue).";
pub const UNCLOSED_BRACE: &str = "Cette accolade « { » n'est jamais fermée : ajoutez l'accolade « } » qui lui correspond (la suite du modèle n'a pas pu être lue).";
pub const UNCLOSED_EQUATION: &str =
    "Cette formule « $ » n'est jamais fermée : ajoutez le « $ » qui la termine.";
pub const UNCLOSED_DELIMITER: &str =
    "Ce qui est ouvert ici n'est jamais fermé (la suite du modèle n'a pas pu être lue).";
pub const UNCLOSED_STRING: &str =
    "Ce texte entre guillemets n'est jamais fermé : ajoutez le guillemet « \" » qui le termine.";
pub const UNCLOSED_RAW: &str =
    "Ce texte brut « ` » n'est jamais fermé : ajoutez le « ` » qui le termine.";
pub const UNCLOSED_LABEL: &str = "Cette étiquette « < » n'est jamais fermée : ajoutez « > ».";
pub const FILE_NOT_FOUND: &str = "Fichier introuvable : un modèle ne lit pas de fichiers (le logo de l'en-tête et la signature sont ajoutés par Guichet).";

pub const NAME_REQUIRED: &str = "Donnez un nom au modèle.";
pub const NAME_TOO_LONG: &str = "Le nom du modèle ne doit pas dépasser 120 caractères.";
pub const SOURCE_REQUIRED: &str = "Le modèle est vide.";
pub const SOURCE_TOO_LONG: &str = "Le modèle ne doit pas dépasser 100 000 caractères.";
pub const TEMPLATE_UNKNOWN: &str = "Ce modèle de courrier n'existe pas.";
pub const TEMPLATE_STALE: &str = "Ce modèle a été modifié entre-temps par quelqu'un d'autre : rechargez la page avant d'enregistrer.";
pub const NO_TEMPLATE_OF_KIND: &str = "La collectivité n'a pas de modèle pour ce document.";
pub const DOSSIER_REQUIRED: &str = "Indiquez la référence d'un dossier pour l'aperçu.";
pub const SIGNATURE_FORMAT: &str = "La signature graphique doit être une image PNG, JPEG ou SVG.";
pub const RENDER_FAILED: &str = "Le courrier n'a pas pu être produit.";
pub const PREVIEW_PROBLEMS: &str = "Le modèle ne peut pas être rendu";
pub const DOCUMENT_UNKNOWN: &str = "Ce document n'existe pas.";
pub const ATTESTATION_NOT_YET: &str =
    "L'attestation sera disponible quand l'instruction de votre demande sera terminée.";

pub const LETTERS_LINK: &str = "Modèles de courrier";
pub const LIST_TITLE: &str = "Modèles de courrier";
pub const LIST_INTRO: &str = "Les courriers envoyés aux usagers (accusés de réception, réponses, attestations, convocations) sont produits à partir de ces modèles, avec l'en-tête de la collectivité.";
pub const NEW_TEMPLATE: &str = "Nouveau modèle";
pub const NO_TEMPLATES: &str = "Aucun modèle pour le moment.";
pub const NAME_LABEL: &str = "Nom du modèle";
pub const KIND_LABEL: &str = "Type de document";
pub const UPDATED_LABEL: &str = "Dernière modification";
pub const EDITOR_TITLE: &str = "Modèle de courrier";
pub const BACK_TO_LIST: &str = "← Tous les modèles de courrier";
pub const SOURCE_LABEL: &str = "Texte du modèle (typst)";
pub const SOURCE_HINT: &str = "Texte libre mis en forme avec typst : *gras*, _italique_, une ligne vide entre deux paragraphes. Insérez les champs de fusion listés à côté, par exemple #citoyen.nom. L'en-tête choisi ci-dessus, le pied de page et le QR code du dossier sont ajoutés automatiquement.";
pub const SAVE: &str = "Enregistrer le modèle";
pub const SAVE_REFUSED: &str = "Le modèle n'a pas été enregistré :";
pub const PREVIEW_LEGEND: &str = "Aperçu sur un dossier";
pub const PREVIEW_DOSSIER: &str = "Référence du dossier";
pub const PREVIEW_DOSSIER_HINT: &str =
    "Par exemple 2026-000123 : un dossier que vous pouvez consulter.";
pub const PREVIEW_FREE_TEXT: &str = "Texte libre de l'aperçu (facultatif)";
pub const PREVIEW: &str = "Afficher l'aperçu PDF";
pub const PREVIEW_FRAME: &str = "Aperçu du courrier";
pub const FIELDS_TITLE: &str = "Champs de fusion";
pub const NEW_SOURCE: &str = "#align(right)[#collectivite.nom, le #date.aujourdhui]\n\n*#citoyen.nom*\n\n*Objet : #demarche.titre — dossier #dossier.reference*\n\nMadame, Monsieur,\n\n#texte-libre()\n\n#signature()\n";

pub fn saved(version: i32) -> String {
    format!("Modèle enregistré (version {version}).")
}

// Mail merges (publipostage).
pub const MERGE_TITLE: &str = "Publipostage";
pub const MERGE_INTRO: &str = "Un modèle de courrier appliqué à une sélection de dossiers : une archive ZIP d'un PDF par dossier, ou un seul PDF, et si vous le souhaitez un courriel à chaque usager avec son courrier en pièce jointe. La production se fait en arrière-plan ; vous pouvez quitter la page.";
pub const MERGE_NEW: &str = "Nouveau publipostage";
pub const MERGE_TEMPLATE: &str = "Modèle de courrier";
pub const MERGE_SOURCE: &str = "Dossiers";
pub const MERGE_SOURCE_SEARCH: &str = "Une recherche enregistrée";
pub const MERGE_SOURCE_LIST: &str = "La sélection de la liste des dossiers";
pub const MERGE_SOURCE_REFERENCES: &str = "Des références de dossiers";
pub const MERGE_SAVED_SEARCH: &str = "Recherche enregistrée";
pub const MERGE_REFERENCES: &str = "Références, une par ligne";
pub const MERGE_OUTPUT: &str = "Résultat";
pub const MERGE_OUTPUT_ZIP: &str = "Archive ZIP (un PDF par dossier)";
pub const MERGE_OUTPUT_PDF: &str = "Un seul PDF (500 courriers au plus)";
pub const MERGE_EMAILS: &str = "Envoyer aussi chaque courrier par courriel à l'usager";
pub const MERGE_FREE_TEXT: &str = "Texte libre (#texte-libre() dans le modèle)";
pub const MERGE_SUBMIT: &str = "Lancer le publipostage";
pub const MERGE_STARTED: &str = "Publipostage lancé.";
pub const MERGE_LIST: &str = "Publipostages";
pub const MERGE_NONE: &str = "Aucun publipostage pour l'instant.";
pub const MERGE_CANCEL: &str = "Annuler";
pub const MERGE_DOWNLOAD: &str = "Télécharger";
pub const MERGE_ENTRY: &str = "Publipostage de cette sélection";
pub const COL_CREATED: &str = "Demandé le";
pub const COL_SELECTION: &str = "Sélection";
pub const COL_PROGRESS: &str = "Avancement";
pub const COL_ACTIONS: &str = "Actions";
pub const LIST_FILTER_SELECTION: &str = "Sélection de la liste des dossiers";

pub const MERGE_TEMPLATE_REQUIRED: &str = "Choisissez un modèle de courrier.";
pub const MERGE_SOURCE_UNKNOWN: &str = "Choisissez d'où viennent les dossiers : une recherche enregistrée, la liste ou des références.";
pub const MERGE_SEARCH_UNKNOWN: &str = "Recherche enregistrée inconnue.";
pub const MERGE_REFERENCES_REQUIRED: &str =
    "Collez au moins une référence de dossier, une par ligne.";
pub const MERGE_EMPTY: &str =
    "La sélection ne contient aucun dossier que vous pouvez consulter : aucun courrier à produire.";
pub const MERGE_OUTPUT_UNKNOWN: &str = "Choisissez le résultat : une archive ZIP ou un seul PDF.";
pub const MERGE_FREE_TEXT_TOO_LONG: &str = "Le texte libre ne peut dépasser 10 000 caractères.";
pub const MERGE_UNKNOWN: &str = "Publipostage inconnu.";
pub const MERGE_FINISHED: &str = "Ce publipostage est terminé : il ne peut plus être annulé.";
pub const MERGE_NO_RESULT: &str = "Ce publipostage n'a pas de résultat à télécharger.";
pub const MERGE_INTERRUPTED: &str = "Le publipostage a été interrompu (redémarrage du serveur).";
pub const MERGE_MAIL_BODY: &str = "Bonjour,\n\nVous trouverez ci-joint un courrier de {commune} concernant votre dossier {reference}.\n\nVous pouvez suivre votre dossier à tout moment : {lien}";

pub fn merge_too_many() -> String {
    format!(
        "La sélection compte plus de {} dossiers : un publipostage est limité à {} courriers. Affinez la sélection ou découpez-la.",
        thousands(super::model::MERGE_MAX),
        thousands(super::model::MERGE_MAX)
    )
}

pub fn merge_pdf_too_many(count: usize) -> String {
    format!(
        "Un seul PDF est limité à {} courriers et la sélection en compte {} : choisissez l'archive ZIP.",
        super::model::PDF_MERGE_MAX,
        thousands(count)
    )
}

pub fn merge_unknown_references(references: &[String]) -> String {
    let shown: Vec<&str> = references.iter().take(10).map(String::as_str).collect();
    let more = if references.len() > 10 {
        format!(" (et {} autres)", references.len() - 10)
    } else {
        String::new()
    };
    format!(
        "Dossiers introuvables ou que vous ne pouvez pas consulter : {}{more}.",
        shown.join(", ")
    )
}

pub fn merge_mail_subject(commune: &str, reference: &str) -> String {
    format!("{commune} : courrier concernant votre dossier {reference}")
}

pub fn merge_failed_letter(reference: &str, message: &str) -> String {
    format!("Le courrier du dossier {reference} n'a pas pu être produit : {message}")
}

pub fn merge_progress(done: i32, total: i32) -> String {
    format!(
        "{} / {} courriers",
        thousands(done.max(0) as usize),
        thousands(total.max(0) as usize)
    )
}

pub fn merge_emails(emails: i32, no_email: i32) -> String {
    let mut out = format!("{emails} courriel(s) mis en file");
    if no_email > 0 {
        out.push_str(&format!(", {no_email} dossier(s) sans adresse"));
    }
    out
}

pub fn merge_selection_search(name: &str) -> String {
    format!("Recherche « {name} »")
}

pub fn merge_selection_references(count: usize) -> String {
    format!("{count} référence(s) collée(s)")
}

pub fn file_size(bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    if bytes >= 1_048_576.0 {
        format!("{:.1} Mo", bytes / 1_048_576.0).replace('.', ",")
    } else {
        format!("{} ko", (bytes / 1024.0).ceil() as i64)
    }
}

pub fn merge_status_label(status: super::model::MergeStatus) -> &'static str {
    use super::model::MergeStatus;
    match status {
        MergeStatus::Queued => "En attente",
        MergeStatus::Running => "En cours",
        MergeStatus::Done => "Terminé",
        MergeStatus::Cancelled => "Annulé",
        MergeStatus::Failed => "Échec",
    }
}

/// `12 345`: thousands separated by a narrow no-break space, as French writes them.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}
