//! The French text of the branding feature.

pub const PAGE_TITLE: &str = "Apparence du portail";
pub const INTRO: &str = "Nom, couleurs, police, logo, bannière, pied de page et pages légales du portail. \
    L'aperçu suit vos changements ; rien n'est visible des usagers avant l'enregistrement. \
    Chaque version enregistrée est conservée et peut être restaurée.";
pub const PREVIEW: &str = "Aperçu";
pub const PREVIEW_BUTTON: &str = "Bouton principal";
pub const PREVIEW_LINK: &str = "Un lien du portail";
pub const PREVIEW_SECONDARY: &str = "Bandeau secondaire";
pub const IDENTITY: &str = "Identité";
pub const DISPLAY_NAME: &str = "Nom affiché";
pub const DISPLAY_NAME_HINT: &str =
    "Laissez vide pour utiliser le nom de la collectivité ({name}).";
pub const COLOURS: &str = "Couleurs";
pub const PRIMARY: &str = "Couleur principale";
pub const PRIMARY_HINT: &str = "En-tête, boutons et liens : elle doit se lire sur fond blanc et porter du texte (contraste 4,5:1).";
pub const SECONDARY: &str = "Couleur secondaire";
pub const SECONDARY_HINT: &str =
    "Filets et bandeaux : le texte posé dessus doit rester lisible (contraste 4,5:1).";
pub const CONTRAST: &str = "Contraste mesuré : {ratio}:1";
pub const USE_SUGGESTION: &str = "Utiliser {colour}";
pub const FONT: &str = "Police";
pub const FONT_SYSTEM: &str = "Police du système (par défaut)";
pub const FONT_ATKINSON: &str = "Atkinson Hyperlegible (conçue pour la malvoyance)";
pub const FONT_SOURCE_SERIF: &str = "Source Serif (avec empattements)";
pub const IMAGES: &str = "Logo et bannière";
pub const LOGO: &str = "Logo";
pub const LOGO_HINT: &str = "PNG, JPEG ou SVG, 512 Ko et 2000 × 2000 pixels au plus.";
pub const BANNER: &str = "Bannière de la page d'accueil";
pub const BANNER_HINT: &str = "PNG, JPEG ou SVG, 2 Mo et 4000 × 2000 pixels au plus.";
pub const REMOVE_IMAGE: &str = "Retirer";
pub const UPLOADING: &str = "Envoi…";
pub const LOADING: &str = "Chargement de l’apparence…";
pub const SVG_CLEANED: &str = "Éléments retirés du SVG pour la sécurité : {list}.";
pub const TEXTS: &str = "Textes";
pub const WELCOME: &str = "Texte d'accueil";
pub const FOOTER_TEXT: &str = "Texte du pied de page";
pub const FOOTER_TEXT_HINT: &str = "Par exemple l'adresse et les horaires de la mairie.";
pub const FOOTER_LINKS: &str = "Liens du pied de page";
pub const LINK_LABEL: &str = "Intitulé";
pub const LINK_URL: &str = "Adresse (https://… ou /page)";
pub const ADD_LINK: &str = "Ajouter un lien";
pub const REMOVE_LINK: &str = "Supprimer ce lien";
pub const LEGAL: &str = "Pages légales";
pub const LEGAL_HINT: &str = "Texte simple ; une ligne vide sépare les paragraphes.";
pub const LEGAL_MENTIONS: &str = "Mentions légales";
pub const LEGAL_CGU: &str = "Conditions générales d'utilisation";
pub const LEGAL_ACCESSIBILITY: &str = "Déclaration d'accessibilité";
pub const LEGAL_EMPTY: &str = "Cette page n'a pas encore été rédigée par la collectivité.";
pub const SAVE: &str = "Enregistrer";
pub const SAVED: &str = "Apparence enregistrée (version {version}) : elle est visible dès le prochain chargement de page.";
pub const HISTORY: &str = "Versions enregistrées";
pub const CURRENT: &str = "version actuelle";
pub const RESTORE: &str = "Restaurer";
pub const RESTORED: &str = "Version {from} restaurée (nouvelle version {version}).";
pub const RESTORED_FROM: &str = "restauration de la version {from}";
pub const VERSION: &str = "Version {version}";
pub const BY: &str = "par {name}";
pub const SAVED_ON: &str = "enregistrée le {date}";
pub const HAS_PROBLEMS: &str =
    "L'apparence n'a pas été enregistrée : corrigez les points signalés.";
pub const TOO_LONG: &str = "Ce texte est trop long ({max} caractères au plus).";
pub const ASSET_UNKNOWN: &str = "Cette image est inconnue : envoyez-la de nouveau.";
pub const TOO_MANY_LINKS: &str = "Au plus {max} liens dans le pied de page.";
pub const LINK_LABEL_REQUIRED: &str = "Indiquez l'intitulé du lien.";
pub const LINK_URL_INVALID: &str =
    "Indiquez une adresse commençant par https://, http://, mailto: ou / (une page du portail).";
pub const VERSION_UNKNOWN: &str = "Cette version de l'apparence n'existe pas.";
pub const STALE: &str = "L'apparence a été modifiée entre-temps (version {version}) : rechargez la page pour repartir de la dernière version.";
pub const ADMIN_ONLY: &str = "L'apparence du portail est réservée aux administrateurs.";

pub const IMAGE_EMPTY: &str = "Le fichier est vide.";
pub const IMAGE_TOO_HEAVY: &str = "Le fichier pèse {size} : {max} au plus.";
pub const IMAGE_TOO_LARGE: &str =
    "L'image mesure {w} × {h} pixels : {max_w} × {max_h} pixels au plus.";
pub const IMAGE_NOT_ALLOWED: &str = "Seules les images PNG, JPEG et SVG sont acceptées.";
pub const IMAGE_UNREADABLE: &str = "Cette image JPEG est illisible.";
pub const IMAGE_KIND_UNKNOWN: &str = "Indiquez s'il s'agit du logo ou de la bannière.";
pub const IMAGE_MISSING: &str = "Choisissez un fichier.";
pub const SVG_INVALID: &str = "Ce fichier SVG est mal formé ({error}).";
pub const SVG_UNREADABLE: &str = "Ce fichier SVG est illisible.";
pub const SVG_DOCTYPE: &str =
    "Ce fichier SVG déclare un DOCTYPE (entités, fichiers externes) : enregistrez-le sans DOCTYPE.";
