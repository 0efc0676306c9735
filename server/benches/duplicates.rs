#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Duplicates benchmark: prints figures (not pass/fail) for the full duplicate detection of one
//! commune.
//!
//! `GUICHET_BENCH_PEOPLE` (default 200,000) person records generated in SQL (`generate_series`:
//! ~100 frequent French family names with particles and accents, ~80 given names with compound
//! ones, birth dates over 80 years, birth places, e-mails for 60 %, phones for half), plus ~1 %
//! injected duplicates of five kinds (capitals without accents, names the wrong way round, a
//! typo in the family name, a second given name with the e-mail, the birth date one day off).
//! Then the full detection job (`guichet duplicates`' code: blocks, every active default rule),
//! twice: the first run also writes every blocking key, the second finds them in place. Printed:
//! time, pairs compared, pairs suspected, and how many injected duplicates were found.
//!
//! Run it through `scripts/bench`. Directly:
//! `GUICHET_BENCH_DATABASE_URL=postgres://… cargo bench -p guichet-server --bench duplicates`

#[allow(dead_code)] // the request-timing helpers: this bench times one job
mod support;

use std::path::PathBuf;
use std::time::Instant;

use app::platform::service::{NewTenant, provision_tenant};
use guichet_server::jobs::duplicates::{Run, run_all};
use sea_orm::ConnectionTrait;

use support::{env_number, progress};

const SLUG: &str = "bench-doublons";
const SCHEMA: &str = "tenant_bench_doublons";

const FAMILY: &[&str] = &[
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Bourgeois",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Le Gall",
    "de La Fontaine",
    "Le Goff",
    "d'Arcy",
    "Nguyen",
    "Diallo",
];

const GIVEN: &[&str] = &[
    "Jean",
    "Marie",
    "Pierre",
    "Michel",
    "Philippe",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Alain",
    "Patrick",
    "Nicolas",
    "Christophe",
    "Christine",
    "Stéphane",
    "Sophie",
    "Valérie",
    "Frédéric",
    "Sandrine",
    "Laurent",
    "Céline",
    "Julien",
    "Aurélie",
    "David",
    "Émilie",
    "Thomas",
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Raphaël",
    "Maël",
    "Noah",
    "Adam",
    "Léo",
    "Anaïs",
    "Hélène",
    "Loïc",
    "Gaëlle",
    "Maëlle",
    "Jean-Pierre",
    "Jean-Claude",
    "Marie-Claire",
    "Anne-Sophie",
    "Marie-Laure",
    "Jean-Luc",
    "Pierre-Yves",
    "Marc",
    "Éric",
    "Olivier",
    "Bernard",
    "Daniel",
    "Claude",
    "Monique",
    "Nicole",
    "Martine",
    "Dominique",
    "Josiane",
    "Yves",
    "René",
    "Paulette",
    "Odette",
    "Gisèle",
    "Thérèse",
    "Rose",
    "Zoé",
    "Lina",
    "Mia",
    "Eden",
    "Timéo",
];

const PLACES: &[&str] = &[
    "Nantes",
    "Saint-Herblain",
    "Rezé",
    "Paris",
    "Lyon",
    "Marseille",
    "Rennes",
    "Angers",
    "Saint-Nazaire",
    "Brest",
    "Bordeaux",
    "Lille",
    "Toulouse",
    "Le Mans",
    "La Roche-sur-Yon",
];

fn array(values: &[&str]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect();
    format!("ARRAY[{}]", quoted.join(", "))
}

fn main() {
    support::run_in_fresh_database(run);
}

/// Names, date, place of person number `i` (the same for the original and its duplicate).
fn person_of_i() -> String {
    format!(
        "SELECT ({given})[(1 + abs(hashtext('g' || i)::bigint) % {g})::int] AS given,
                ({family})[(1 + abs(hashtext('f' || i)::bigint) % {f})::int] AS family,
                date '1940-01-01' + (abs(hashtext('d' || i)::bigint) % 29000)::int AS born,
                ({places})[(1 + abs(hashtext('p' || i)::bigint) % {p})::int] AS place",
        given = array(GIVEN),
        family = array(FAMILY),
        places = array(PLACES),
        g = GIVEN.len(),
        f = FAMILY.len(),
        p = PLACES.len(),
    )
}

async fn run(database_url: String, data_dir: PathBuf) -> String {
    let count = env_number("GUICHET_BENCH_PEOPLE", 200_000);
    let state = support::migrated_state(&database_url, &data_dir).await;
    let input = NewTenant {
        name: "Commune du banc d'essai".to_owned(),
        slug: SLUG.to_owned(),
        admin_email: format!("admin@{SLUG}.test"),
        hosts: vec![],
        starter_pack: Vec::new(),
    };
    provision_tenant(&state, &input).await.expect("provision");

    progress(&format!("generating {count} people and ~1 % duplicates"));
    let started = Instant::now();
    let people = person_of_i();
    let seed = format!(
        "INSERT INTO {SCHEMA}.people (id, civility, given_names, birth_name, birth_date, birth_place, email, phone)
         SELECT md5('p' || i)::uuid, CASE WHEN i % 2 = 0 THEN 'madame' ELSE 'monsieur' END,
                n.given, n.family, n.born, n.place,
                CASE WHEN i % 10 < 6 THEN lower(translate(replace(n.given || '.' || n.family, ' ', ''),
                     'éèêëàâîïôöùûüç''', 'eeeeaaiioouuuc')) || '.' || i || '@exemple.fr' END,
                CASE WHEN i % 2 = 0 THEN '06' || lpad(((i * 7901) % 100000000)::text, 8, '0') END
           FROM generate_series(1::bigint, {count}::bigint) i, LATERAL ({people}) n;
         CREATE TABLE {SCHEMA}.bench_injected (original uuid, copy uuid);
         INSERT INTO {SCHEMA}.bench_injected
         SELECT md5('p' || i)::uuid, md5('c' || i)::uuid FROM generate_series(100::bigint, {count}::bigint, 100) i;
         INSERT INTO {SCHEMA}.people (id, given_names, birth_name, birth_date, birth_place, email)
         SELECT md5('c' || i)::uuid,
                CASE (i / 100) % 5 WHEN 0 THEN upper(n.given) WHEN 1 THEN n.family
                                   WHEN 3 THEN n.given || ' Marie' ELSE n.given END,
                CASE (i / 100) % 5 WHEN 0 THEN upper(translate(n.family, 'éèêëàâîïôöùûüç', 'eeeeaaiioouuuc'))
                                   WHEN 1 THEN n.given
                                   WHEN 2 THEN overlay(n.family placing 'x' from 3 for 1)
                                   ELSE n.family END,
                CASE (i / 100) % 5 WHEN 4 THEN n.born + 1 ELSE n.born END,
                n.place,
                (SELECT p.email FROM {SCHEMA}.people p WHERE p.id = md5('p' || i)::uuid AND (i / 100) % 5 = 3)
           FROM generate_series(100::bigint, {count}::bigint, 100) i, LATERAL ({people}) n;
         ANALYZE {SCHEMA}.people;"
    );
    state.pool().execute_unprepared(&seed).await.expect("seed");
    let generated = started.elapsed();

    let mut out = vec![format!(
        "Duplicates: {count} people and {} injected duplicates generated in {:.1} s",
        count / 100,
        generated.as_secs_f64()
    )];
    for label in ["first run (writes every blocking key)", "second run"] {
        progress(&format!("full detection, {label}"));
        let started = Instant::now();
        let done = run_all(&state, Some(SLUG), Run::Now)
            .await
            .expect("detection");
        let elapsed = started.elapsed();
        let report = &done[0].report;
        out.push(format!(
            "Full detection, {label}: {:.1} s for {} people: {} pairs compared (blocks: same birth date, e-mail, phone or phonetic name key), {} suspected, {} new",
            elapsed.as_secs_f64(),
            report.people,
            report.compared,
            report.suspected,
            report.new,
        ));
    }
    let row = state
        .pool()
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!(
                "SELECT count(*) AS n FROM {SCHEMA}.bench_injected b JOIN {SCHEMA}.duplicate_suspicions s
                   ON s.person_a = least(b.original, b.copy) AND s.person_b = greatest(b.original, b.copy)"
            ),
        ))
        .await
        .expect("recall")
        .expect("a row");
    let found: i64 = row.try_get("", "n").expect("count");
    out.push(format!(
        "Injected duplicates found: {found} of {} ({:.0} %)",
        count / 100,
        100.0 * found as f64 / (count / 100).max(1) as f64
    ));
    out.join("\n")
}
