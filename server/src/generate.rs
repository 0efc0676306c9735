//! `guichet generate-dossiers`: many realistic dossiers in one tenant, fast (set-based SQL,
//! 10,000 per transaction), for benchmarks and trying the back office at scale.
//!
//! French names, the demo démarches (imported and published if the tenant has none), the
//! default workflow's statuses, a few services under the first one (some dossiers copied to a
//! second one), deadlines around today, answers with text, notes on one dossier in five (of
//! every visibility, personal ones included). References continue the tenant's counter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use app::demarches::service::{import, publish_by};
use app::infra::{Queries, Tenant, TenantTx};
use app::org::service::FIRST_SERVICE;
use app::platform::service::tenant_by_slug;
use sea_orm::FromQueryResult;
use uuid::Uuid;

use app::infra::AppState;

const CHUNK: u32 = 10_000;

const DEMO_DEMARCHES: [&str; 2] = [
    include_str!("../../tenants/demarches/signalement-voirie.json"),
    include_str!("../../tenants/demarches/permis-de-vegetaliser.json"),
];

const SERVICES: [&str; 4] = ["État civil", "Urbanisme", "Voirie", "Espaces verts"];

pub struct Generated {
    pub tenant: Arc<Tenant>,
    pub count: u32,
    pub first: String,
    pub last: String,
    pub elapsed: Duration,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct Last {
    last: i32,
}

fn sql_array(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("'{}'", s.replace('\'', "''")))
        .collect();
    format!("ARRAY[{}]", quoted.join(","))
}

const FIRST_NAMES: [&str; 40] = [
    "Marie",
    "Jean",
    "Camille",
    "Louis",
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Manon",
    "Gabriel",
    "Inès",
    "Arthur",
    "Jade",
    "Jules",
    "Louise",
    "Raphaël",
    "Emma",
    "Nathan",
    "Alice",
    "Théo",
    "Zoé",
    "Paul",
    "Juliette",
    "Tom",
    "Lina",
    "Maël",
    "Anaïs",
    "Victor",
    "Sarah",
    "Noé",
    "Éloïse",
    "Mathis",
    "Clémence",
    "Adrien",
    "Margaux",
    "Bastien",
    "Océane",
    "Rémi",
    "Hélène",
    "François",
];

const LAST_NAMES: [&str; 60] = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Le Goff",
];

const SUBJECTS: [&str; 20] = [
    "Élagage des arbres devant chez moi",
    "Nid-de-poule sur la chaussée",
    "Éclairage public en panne depuis une semaine",
    "Dépôt sauvage de déchets encombrants",
    "Projet de végétalisation du pied de mur",
    "Inscription à la cantine scolaire",
    "Trottoir abîmé et dangereux pour les poussettes",
    "Stationnement gênant récurrent",
    "Bruit de chantier tôt le matin",
    "Demande de place en crèche",
    "Arbre tombé après la tempête",
    "Tags sur le mur de l'école",
    "Fuite d'eau sur la voie publique",
    "Réservation de la salle des fêtes",
    "Haie débordant sur le trottoir",
    "Panneau de signalisation arraché",
    "Demande d'autorisation de travaux",
    "Plantation de fleurs sur le trottoir",
    "Poubelles non ramassées",
    "Passage piéton effacé",
];

const STREETS: [&str; 16] = [
    "rue des Lilas",
    "avenue de la République",
    "rue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue de la Paix",
    "place de la Mairie",
    "rue du Moulin",
    "chemin des Vignes",
    "rue Pasteur",
    "allée des Tilleuls",
    "rue de Nantes",
    "rue des Écoles",
    "impasse des Roses",
    "rue Gambetta",
    "quai de la Loire",
    "route de Vannes",
];

const NOTES: [&str; 8] = [
    "Appel du demandeur, il relance pour avoir des nouvelles",
    "Transmis aux services techniques pour intervention",
    "Pièce justificative manquante, à redemander",
    "Visite sur place prévue la semaine prochaine",
    "Dossier similaire déjà traité l'an dernier",
    "Devis de l'entreprise reçu",
    "Le demandeur a confirmé son adresse",
    "Intervention réalisée, à clôturer",
];

/// Ensures the tenant has services and published démarches to file dossiers under.
async fn prepare(tx: &TenantTx) -> anyhow::Result<()> {
    for name in SERVICES {
        tx.execute(
            "INSERT INTO services (id, parent_id, name, kind) VALUES ($1, $2, $3, 'service')
             ON CONFLICT DO NOTHING",
            vec![Uuid::new_v4().into(), FIRST_SERVICE.into(), name.into()],
        )
        .await?;
    }
    let published: Option<Count> = tx
        .fetch_optional(
            "SELECT count(*) AS n FROM demarches WHERE state = 'published'",
            vec![],
        )
        .await?;
    if published.is_none_or(|c| c.n == 0) {
        for json in DEMO_DEMARCHES {
            let id = import(tx, json)
                .await
                .map_err(|e| anyhow::anyhow!("importing a demo démarche: {e}"))?;
            publish_by(tx, None, &id.to_string())
                .await
                .map_err(|e| anyhow::anyhow!("publishing a demo démarche: {e}"))?;
        }
    }
    Ok(())
}

fn insert_sql() -> String {
    format!(
        "WITH dem AS (
             SELECT row_number() OVER (ORDER BY d.id) - 1 AS n, d.id, d.current_version AS version
             FROM demarches d WHERE d.state = 'published' AND d.current_version IS NOT NULL
         ), nd AS (SELECT count(*) AS c FROM dem),
         svc AS (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM services),
         ns AS (SELECT count(*) AS c FROM svc),
         g AS (
             SELECT i,
                 ({first})[1 + (i * 7 + 3) % {nfirst}] AS first_name,
                 ({last})[1 + ((i * 13) / 7 + i) % {nlast}] AS last_name,
                 ({subjects})[1 + (i * 11) % {nsubjects}] AS subject,
                 ({streets})[1 + (i * 5) % {nstreets}] AS street,
                 (ARRAY['recu','en_instruction','en_attente','accepte','refuse','sans_suite'])[1 + (i * 3) % 6] AS status,
                 now() - (random() * 365) * interval '1 day' AS submitted_at
             FROM generate_series($1::int + 1, $1::int + $2::int) AS i
         )
         INSERT INTO dossiers (id, reference, demarche_id, version, contact_email, answers, status,
                               submitted_at, status_changed_at, updated_at, closed_at, service_id,
                               copy_services, citizen_name, due_on, alert_on)
         SELECT gen_random_uuid(),
                $3::text || '-' || lpad(g.i::text, greatest(6, length(g.i::text)), '0'),
                dem.id, dem.version,
                translate(lower(replace(g.first_name || '.' || g.last_name, ' ', '')), 'éèêëàâîïôöùûüç', 'eeeeaaiioouuuc') || '@example.test',
                jsonb_build_object(
                    'objet', jsonb_build_object('text', g.subject),
                    'precision', jsonb_build_object('text', 'Signalé par ' || g.first_name || ' ' || g.last_name || ' au ' || (1 + g.i % 150) || ' ' || g.street),
                    'lieu', jsonb_build_object('address', jsonb_build_object(
                        'number', (1 + g.i % 150)::text, 'street', g.street, 'postcode', '44800', 'commune', 'Saint-Herblain'))),
                g.status, g.submitted_at, g.submitted_at, g.submitted_at,
                CASE WHEN g.status IN ('accepte', 'refuse', 'sans_suite') THEN g.submitted_at END,
                svc.id,
                CASE WHEN g.i % 10 = 0 THEN ARRAY[copy.id] ELSE '{{}}'::uuid[] END,
                g.first_name || ' ' || g.last_name,
                current_date + ((g.i % 120) - 60),
                current_date + ((g.i % 120) - 67)
         FROM g CROSS JOIN nd CROSS JOIN ns
         JOIN dem ON dem.n = g.i % nd.c
         JOIN svc ON svc.n = g.i % ns.c
         JOIN svc copy ON copy.n = (g.i + 1) % ns.c",
        first = sql_array(&FIRST_NAMES),
        nfirst = FIRST_NAMES.len(),
        last = sql_array(&LAST_NAMES),
        nlast = LAST_NAMES.len(),
        subjects = sql_array(&SUBJECTS),
        nsubjects = SUBJECTS.len(),
        streets = sql_array(&STREETS),
        nstreets = STREETS.len(),
    )
}

fn notes_sql() -> String {
    format!(
        "INSERT INTO dossier_notes (id, dossier_id, visibility, body, created_at)
         SELECT gen_random_uuid(), d.id,
                (ARRAY['service','personal','citizen'])[1 + (n / 5) % 3],
                ({notes})[1 + (n / 5) % {nnotes}],
                d.submitted_at + interval '1 day'
         FROM (SELECT id, submitted_at, split_part(reference, '-', 2)::int AS n FROM dossiers
               WHERE reference LIKE $3::text || '-%') d
         WHERE d.n > $1::int AND d.n <= $1::int + $2::int AND d.n % 5 = 0",
        notes = sql_array(&NOTES),
        nnotes = NOTES.len(),
    )
}

/// Inserts `count` dossiers into the tenant `slug`.
pub async fn dossiers(state: &AppState, slug: &str, count: u32) -> anyhow::Result<Generated> {
    let started = Instant::now();
    let tenant = tenant_by_slug(state, slug)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("tenant {slug}"))?;
    let tx = TenantTx::begin(state, tenant.clone()).await?;
    prepare(&tx).await?;
    tx.commit().await?;
    let year = time::OffsetDateTime::now_utc().year();
    let (insert, notes) = (insert_sql(), notes_sql());
    let mut done = 0;
    let mut first = None;
    let mut last = String::new();
    while done < count {
        let n = CHUNK.min(count - done);
        let tx = TenantTx::begin(state, tenant.clone()).await?;
        tx.execute(
            "INSERT INTO dossier_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING",
            vec![year.into()],
        )
        .await?;
        let start = tx
            .fetch_optional::<Last>(
                "SELECT last FROM dossier_counters WHERE year = $1 FOR UPDATE",
                vec![year.into()],
            )
            .await?
            .map_or(0, |l| l.last);
        let params = || vec![start.into(), (n as i32).into(), year.to_string().into()];
        tx.execute(&insert, params()).await?;
        tx.execute(&notes, params()).await?;
        tx.execute(
            "INSERT INTO dossier_events (dossier_id, kind, status, at)
             SELECT id, 'submitted', 'recu', submitted_at FROM dossiers
             WHERE reference LIKE $3::text || '-%'
               AND split_part(reference, '-', 2)::int > $1::int
               AND split_part(reference, '-', 2)::int <= $1::int + $2::int",
            params(),
        )
        .await?;
        let end = start + n as i32;
        tx.execute(
            "UPDATE dossier_counters SET last = $2 WHERE year = $1",
            vec![year.into(), end.into()],
        )
        .await?;
        tx.commit().await?;
        first.get_or_insert_with(|| format!("{year}-{:06}", start + 1));
        last = format!("{year}-{end:06}");
        done += n;
    }
    // Fresh statistics, so that the first queries over the new rows get good plans (autovacuum
    // would analyse them only later).
    let tx = TenantTx::begin(state, tenant.clone()).await?;
    tx.execute("ANALYZE dossiers, dossier_notes, dossier_events", vec![])
        .await?;
    tx.commit().await?;
    Ok(Generated {
        tenant,
        count,
        first: first.unwrap_or_default(),
        last,
        elapsed: started.elapsed(),
    })
}
