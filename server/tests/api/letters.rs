#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Letter templates: merge fields rendered into real PDFs (read back with pdftotext), problems
//! placed at their line and column with nothing saved, stale saves refused, the documents a
//! citizen downloads, and another commune's templates, previews and documents out of reach.

use reqwest::StatusCode;
use serde_json::Value;

use crate::backoffice::{commune, file};
use crate::dossiers::{signed_in_citizen, transition};
use crate::helpers::{TestApp, error_message, spawn_app};

/// The text of a PDF, whitespace collapsed, as a reader would copy it.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &pdf[..pdf.len().min(200)]
    );
    let dir = std::env::temp_dir().join(format!("guichet-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("lettre.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    std::fs::remove_dir_all(&dir).ok();
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn today_in_french() -> String {
    app::letters::merge::french_long_date(time::OffsetDateTime::now_utc().date())
}

async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    id: &str,
    version: &str,
    name: &str,
    source: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "letters/save",
        &[
            ("id", id),
            ("version", version),
            ("draft[name]", name),
            ("draft[kind]", "reponse_favorable"),
            ("draft[source]", source),
        ],
    )
    .await
}

/// Saves a new template with its letterhead choice (`commune`, `aucun`, `propre`).
async fn save_with_letterhead(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    name: &str,
    source: &str,
    letterhead: &str,
) -> reqwest::Response {
    app.post(
        client,
        slug,
        "letters/save",
        &[
            ("id", ""),
            ("version", "0"),
            ("draft[name]", name),
            ("draft[kind]", "reponse_favorable"),
            ("draft[source]", source),
            ("draft[letterhead]", letterhead),
        ],
    )
    .await
}

async fn preview(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    source: &str,
    reference: &str,
) -> reqwest::Response {
    preview_with_letterhead(app, client, slug, source, reference, "commune").await
}

async fn preview_with_letterhead(
    app: &TestApp,
    client: &reqwest::Client,
    slug: &str,
    source: &str,
    reference: &str,
    letterhead: &str,
) -> reqwest::Response {
    client
        .post(app.url(slug, "/back-office/courriers/apercu"))
        .form(&[
            ("source", source),
            ("letterhead", letterhead),
            ("reference", reference),
            (
                "free_text",
                "Premier paragraphe.\n\nSecond paragraphe de l'agent.",
            ),
        ])
        .send()
        .await
        .unwrap()
}

const TEMPLATE: &str = "Madame, Monsieur #citoyen.nom,\n\n\
Votre demande « #demarche.titre » n° #dossier.reference du #dossier.depot concernant \
« #reponses.objet » (code postal #reponses.code_postal) est au statut #dossier.statut.\n\n\
#texte-libre()\n\nFait le #date.aujourdhui.\n\n#signature()";

#[tokio::test]
async fn a_template_merges_the_dossier_into_a_pdf_with_the_commune_letterhead() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;

    let saved = save(&app, &c.admin, "ca", "", "0", "Réponse voirie", TEMPLATE).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["version"], 1);

    let response = preview(&app, &c.admin, "ca", TEMPLATE, &reference).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        reference.as_str(),
        "Signalement voirie",
        "Nid de poule devant l'école",
        "44000",
        "Premier paragraphe.",
        "Second paragraphe de l'agent.",
        &today_in_french(),
        // The letterhead: the commune's name, and the footer's reference.
        "Commune",
        &format!("Dossier {reference}"),
    ] {
        assert!(text.contains(expected), "{expected:?} missing from: {text}");
    }
    // The PDF says what it is.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(raw.contains("Guichet"), "creator metadata");

    // The same template is offered in the list.
    let list: Value = app
        .post(&c.admin, "ca", "letters/templates", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "Réponse voirie")
    );
}

#[tokio::test]
async fn a_broken_template_is_refused_with_its_line_and_column_and_nothing_is_saved() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let before = app.count("tenant_ca.letter_templates").await;

    let unknown_field = "Bonjour,\n\nVotre dossier\n    #dossier.numero est reçu.";
    let response = save(&app, &c.admin, "ca", "", "0", "Cassé", unknown_field).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let problem = &body["Rejected"]["problems"][0];
    assert_eq!(problem["path"], "4:6", "{body}");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("Champ inconnu « dossier.numero »"),
        "{body}"
    );

    let syntax = "Bonjour\n#let x = (1 + \nFin";
    let response = save(&app, &c.admin, "ca", "", "0", "Cassé", syntax).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let path = body["Rejected"]["problems"][0]["path"]
        .as_str()
        .unwrap_or_default();
    assert!(path.starts_with("2:") || path.starts_with("3:"), "{body}");

    let unknown_variable = "Bonjour #inconnue";
    let checked: Value = app
        .post(
            &c.admin,
            "ca",
            "letters/check",
            &[("source", unknown_variable)],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(checked[0]["line"], 1);
    assert_eq!(checked[0]["column"], 10);
    assert_eq!(checked[0]["message"], "Variable inconnue « inconnue ».");

    assert_eq!(app.count("tenant_ca.letter_templates").await, before);

    // A preview of a broken template explains itself instead of a PDF.
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;
    let response = preview(&app, &c.admin, "ca", unknown_field, &reference).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Ligne 4, colonne 6")
    );
}

#[tokio::test]
async fn a_save_over_a_newer_version_is_refused() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let saved: Value = save(
        &app,
        &c.admin,
        "ca",
        "",
        "0",
        "Modèle",
        "Bonjour #citoyen.nom",
    )
    .await
    .json()
    .await
    .unwrap();
    let id = saved["id"].as_str().unwrap();
    let second = save(&app, &c.admin, "ca", id, "1", "Modèle", "Bonjour !").await;
    assert_eq!(second.status(), StatusCode::OK);
    let stale = save(&app, &c.admin, "ca", id, "1", "Modèle", "Écrasé ?").await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.text(&format!(
            "SELECT source FROM tenant_ca.letter_templates WHERE id = '{id}'"
        ))
        .await,
        "Bonjour !"
    );
    // Citizens and plain agents do not edit templates.
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let refused = save(&app, &citizen, "ca", id, "2", "Modèle", "Piraté").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_citizen_downloads_the_acknowledgement_and_the_attestation_once_final() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;

    let ack = app
        .get(
            &citizen,
            "ca",
            &format!("/mes-demandes/{reference}/documents/accuse-reception.pdf"),
        )
        .await;
    assert_eq!(ack.status(), StatusCode::OK);
    assert!(
        ack.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = pdf_text(&ack.bytes().await.unwrap());
    assert!(text.contains(&reference), "{text}");
    assert!(text.contains("Signalement voirie"), "{text}");
    assert!(text.contains("accusé de réception"), "{text}");

    let attestation = format!("/mes-demandes/{reference}/documents/attestation.pdf");
    let early = app.get(&citizen, "ca", &attestation).await;
    assert_eq!(early.status(), StatusCode::NOT_FOUND);
    assert!(error_message(early).await.contains("terminée"));

    // Accepted by an agent: the status is final, the attestation is there.
    app.grant("ca", "admin@ca.test", Some("Voirie"), "gestion")
        .await;
    assert_eq!(
        transition(&app, &c.admin, "ca", &reference, "t1")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        transition(&app, &c.admin, "ca", &reference, "t5")
            .await
            .status(),
        StatusCode::OK
    );
    let late = app.get(&citizen, "ca", &attestation).await;
    assert_eq!(late.status(), StatusCode::OK);
    let text = pdf_text(&late.bytes().await.unwrap());
    assert!(text.contains("Attestation"), "{text}");
    assert!(text.contains(&reference), "{text}");

    // Someone else's dossier is not theirs to download.
    let other = signed_in_citizen(&app, "ca", "autre@example.org").await;
    let refused = app
        .get(
            &other,
            "ca",
            &format!("/mes-demandes/{reference}/documents/accuse-reception.pdf"),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_communes_templates_previews_and_documents_are_out_of_reach() {
    let app = spawn_app().await;
    let a = commune(&app, "ca").await;
    let b = commune(&app, "cb").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "gestion")
        .await;
    app.grant("cb", "admin@cb.test", Some("Voirie"), "gestion")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &a, "Camille Durand", "44000").await;
    let saved: Value = save(
        &app,
        &a.admin,
        "ca",
        "",
        "0",
        "Secret de A",
        "Bonjour #citoyen.nom",
    )
    .await
    .json()
    .await
    .unwrap();
    let id = saved["id"].as_str().unwrap();

    // B's admin cannot read, overwrite or list A's template…
    let read = app
        .post(&b.admin, "cb", "letters/template", &[("id", id)])
        .await;
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    let write = save(&app, &b.admin, "cb", id, "1", "Pris", "Bonjour").await;
    assert_eq!(write.status(), StatusCode::NOT_FOUND);
    let list = app
        .post(&b.admin, "cb", "letters/templates", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains("Secret de A"));
    // … nor preview anything on A's dossier, even with the same reference format.
    let response = preview(&app, &b.admin, "cb", "#dossier.reference", &reference).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    // A's citizen's session and dossier mean nothing at B.
    let at_b = app
        .get(
            &citizen,
            "cb",
            &format!("/mes-demandes/{reference}/documents/accuse-reception.pdf"),
        )
        .await;
    assert_ne!(at_b.status(), StatusCode::OK);
    assert_eq!(
        app.text("SELECT source FROM tenant_ca.letter_templates WHERE name = 'Secret de A'")
            .await,
        "Bonjour #citoyen.nom"
    );
}

#[tokio::test]
async fn an_answer_named_like_another_fields_key_is_saved_and_its_absence_explained_in_french() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;
    // `collectivite.adresse` exists; the voirie démarche has no answer `adresse`.
    let source = "Bonjour #citoyen.nom,\n\nVotre adresse : #reponses.adresse.\n\n#signature()";

    let checked: Value = app
        .post(&c.admin, "ca", "letters/check", &[("source", source)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(checked, serde_json::json!([]));
    let saved = save(&app, &c.admin, "ca", "", "0", "Adresse", source).await;
    assert_eq!(
        saved.status(),
        StatusCode::OK,
        "{}",
        saved.text().await.unwrap()
    );

    let response = preview(&app, &c.admin, "ca", source, &reference).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Ligne 3, colonne 27 : Ce dossier n&#39;a pas de réponse « adresse »")
            || page.contains("Ligne 3, colonne 27 : Ce dossier n'a pas de réponse « adresse »"),
        "{page}"
    );
    assert!(!page.contains("dictionary"), "{page}");
}

#[tokio::test]
async fn the_preview_alone_may_be_framed_by_the_applications_own_pages() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;

    // The PDF and the problems page both show in the editor's frame.
    for source in ["Bonjour #citoyen.nom", "Bonjour #inconnue"] {
        let response = preview(&app, &c.admin, "ca", source, &reference).await;
        assert_eq!(
            response.headers()["x-frame-options"],
            "SAMEORIGIN",
            "{source}"
        );
        assert_eq!(
            response.headers()["content-security-policy"],
            "frame-ancestors 'self'",
            "{source}"
        );
    }
    // Every other response is never framed: the editor's page, a server function, a document.
    for response in [
        app.get(&c.admin, "ca", "/back-office/courriers").await,
        app.post(&c.admin, "ca", "letters/templates", &[]).await,
        app.get(
            &citizen,
            "ca",
            &format!("/mes-demandes/{reference}/documents/accuse-reception.pdf"),
        )
        .await,
    ] {
        assert_eq!(
            response.headers()["x-frame-options"],
            "DENY",
            "{}",
            response.url()
        );
    }
}

/// The first problem of a refused template.
async fn rejection(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["Rejected"]["problems"][0]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// A letter's text (pdftotext) with its header, body and footer.
async fn previewed_text(
    app: &TestApp,
    c: &crate::backoffice::Commune,
    source: &str,
    reference: &str,
    letterhead: &str,
) -> String {
    let response =
        preview_with_letterhead(app, &c.admin, "ca", source, reference, letterhead).await;
    assert_eq!(response.status(), StatusCode::OK, "{letterhead}");
    pdf_text(&response.bytes().await.unwrap())
}

#[tokio::test]
async fn a_template_prints_the_communes_letterhead_none_or_its_own() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    app.grant("ca", "admin@ca.test", Some("Voirie"), "consultation")
        .await;
    let citizen = signed_in_citizen(&app, "ca", "usager@example.org").await;
    let reference = file(&app, &citizen, "ca", &c, "Camille Durand", "44000").await;
    let plain = "Madame, Monsieur #citoyen.nom,\n\n#texte-libre()";
    let own = "#en-tete[*Département de Loire-Atlantique* \\ Direction des routes]\n\
               Madame, Monsieur #citoyen.nom,\n\n#texte-libre()";

    // The commune's (the default): its name heads the letter, once.
    let text = previewed_text(&app, &c, plain, &reference, "commune").await;
    assert!(text.starts_with("Commune"), "{text}");
    // None: nothing above the text, the footer stays.
    let text = previewed_text(&app, &c, plain, &reference, "aucun").await;
    assert!(!text.contains("Commune"), "{text}");
    assert!(text.contains(&format!("Dossier {reference}")), "{text}");
    // Its own, instead of the commune's.
    let text = previewed_text(&app, &c, own, &reference, "propre").await;
    assert!(
        text.starts_with("Département de Loire-Atlantique Direction des routes"),
        "{text}"
    );
    assert!(!text.contains("Commune"), "{text}");
    assert!(text.contains("Madame, Monsieur Jeanne Martin,"), "{text}");

    // The choice is saved with the template and checked: its own letterhead must be written…
    let refused = save_with_letterhead(&app, &c.admin, "ca", "Sans", plain, "propre").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(rejection(refused).await.contains("#en-tete["));
    // … and only used when chosen.
    let refused = save_with_letterhead(&app, &c.admin, "ca", "Deux", own, "commune").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(rejection(refused).await.contains("propre au modèle"));
    let saved: Value = save_with_letterhead(&app, &c.admin, "ca", "Département", own, "propre")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["letterhead"], "propre");
    let id = saved["id"].as_str().unwrap();
    let loaded: Value = app
        .post(&c.admin, "ca", "letters/template", &[("id", id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(loaded["letterhead"], "propre");
    assert_eq!(
        app.text(&format!(
            "SELECT letterhead FROM tenant_ca.letter_templates WHERE id = '{id}'"
        ))
        .await,
        "propre"
    );

    // The citizen's documents follow their template's choice (here: the acknowledgement, on
    // pre-printed paper).
    app.sql(
        "UPDATE tenant_ca.letter_templates SET letterhead = 'aucun',
             source = replace(source, '#collectivite.nom', 'la mairie')
         WHERE kind = 'accuse_reception'",
    )
    .await;
    let ack = app
        .get(
            &citizen,
            "ca",
            &format!("/mes-demandes/{reference}/documents/accuse-reception.pdf"),
        )
        .await;
    let text = pdf_text(&ack.bytes().await.unwrap());
    assert!(text.contains(&reference), "{text}");
    assert!(!text.contains("Commune"), "{text}");
}

#[tokio::test]
async fn one_missing_parenthesis_is_one_problem_in_french_where_it_was_opened() {
    let app = spawn_app().await;
    let c = commune(&app, "ca").await;
    let source = "Madame, Monsieur,\n\n#align(right, [Le #date.aujourdhui]\n\n\
                  Votre dossier #dossier.reference est *complet*.\n\n\
                  #texte-libre()\n\n#signature()\n";
    let checked: Value = app
        .post(&c.admin, "ca", "letters/check", &[("source", source)])
        .await
        .json()
        .await
        .unwrap();
    let problems = checked.as_array().unwrap();
    assert_eq!(problems.len(), 1, "{checked}");
    assert_eq!(
        (problems[0]["line"].as_i64(), problems[0]["column"].as_i64()),
        (Some(3), Some(7))
    );
    let message = problems[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Cette parenthèse « ( » n'est jamais fermée"),
        "{message}"
    );

    // Two independent mistakes on two lines are both shown, each in French.
    let checked: Value = app
        .post(
            &c.admin,
            "ca",
            "letters/check",
            &[("source", "#let = 1\nBonjour\n#let = 2\n")],
        )
        .await
        .json()
        .await
        .unwrap();
    let lines: Vec<i64> = checked
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![1, 3], "{checked}");
    assert!(
        checked
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["message"].as_str().unwrap().starts_with("Il manque ici")),
        "{checked}"
    );
}

/// Renders `template` on sample data, in-process.
fn render_sample(template: &str) -> app::letters::model::RenderedLetter {
    let mut data = app::letters::merge::MergeData::sample("Ville d'Exemple", "#000091");
    data.courrier_texte = "Premier paragraphe.\n\nSecond paragraphe.".to_owned();
    app::letters::render::render_letter(app::letters::render::LetterInput {
        template,
        data: &data,
        logo: None,
        signature: None,
        ident: "essai".to_owned(),
        now: time::OffsetDateTime::now_utc(),
    })
    .unwrap()
}

#[test]
fn pages_are_numbered_against_their_total_only_when_a_letter_has_more_than_one() {
    let short = render_sample("Madame, Monsieur #citoyen.nom,\n\n#texte-libre()\n\n#signature()");
    assert_eq!(short.pages, 1);
    let text = pdf_text(&short.pdf);
    assert!(text.contains("Dossier 2026-000001"), "{text}");
    assert!(!text.contains("Page"), "{text}");

    let long = render_sample(&format!(
        "Madame, Monsieur,\n\n{}\n\n#signature()",
        "Un paragraphe assez long pour remplir la page, répété encore et encore. ".repeat(150)
    ));
    assert!(long.pages >= 2, "{} page(s)", long.pages);
    let text = pdf_text(&long.pdf);
    let total = long.pages;
    for page in 1..=total {
        assert!(text.contains(&format!("Page {page} / {total}")), "{text}");
    }
}
