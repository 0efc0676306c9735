#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One command brings the platform and every tenant up to date, tenant by tenant.

use guichet_migrations::{
    MigrationTrait, SchemaName, apply_in_transaction, migrate_platform, migrate_tenants,
    platform_migrations, schema_versions, tenant_migrations,
};
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use uuid::Uuid;

use crate::helpers::spawn_app;

/// Registers a tenant whose schema has only the first `version` migrations.
async fn tenant_at_version(
    app: &crate::helpers::TestApp,
    slug: &str,
    version: usize,
) -> SchemaName {
    let schema = SchemaName::parse(&format!("tenant_{slug}")).unwrap();
    let db = app.state.pool();
    let tx = db.begin().await.unwrap();
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO platform.tenants (id, slug, name, schema_name) VALUES ($1, $2, $3, $4)",
        [
            Uuid::new_v4().into(),
            slug.into(),
            format!("Commune {slug}").into(),
            schema.as_str().into(),
        ],
    ))
    .await
    .unwrap();
    apply_in_transaction(&tx, &schema, &tenant_migrations()[..version])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    schema
}

async fn table_exists(app: &crate::helpers::TestApp, schema: &SchemaName, table: &str) -> bool {
    let row = app
        .state
        .pool()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT to_regclass('{}.{table}') IS NOT NULL AS present",
                schema.quoted()
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "present").unwrap()
}

/// The line of the printed report about one tenant.
fn report_line(report: &guichet_migrations::TenantsReport, slug: &str) -> String {
    report
        .to_string()
        .lines()
        .find(|l| l.split_whitespace().next() == Some(slug))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_fresh_install_migrates_the_platform_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    let db = app.state.pool();
    // spawn_app already ran the migration once; running again is a no-op.
    let known = platform_migrations().len() as u32;
    assert_eq!(
        migrate_platform(db, &platform_migrations()).await.unwrap(),
        (known, known)
    );
    let report = migrate_tenants(db, &tenant_migrations()).await.unwrap();
    assert!(report.outcomes.is_empty());
    assert_eq!(
        app.count("platform.guichet_migrations").await,
        i64::from(known)
    );
}

#[tokio::test]
async fn existing_tenants_are_upgraded_and_their_versions_recorded() {
    let app = spawn_app().await;
    let latest = tenant_migrations().len();
    let old = [
        tenant_at_version(&app, "ca", 1).await,
        tenant_at_version(&app, "cb", 2).await,
    ];
    let current = app.create_tenant("cc", "Commune C").await;

    let report = migrate_tenants(app.state.pool(), &tenant_migrations())
        .await
        .unwrap();
    assert_eq!(report.failures().count(), 0, "{report}");
    let upgraded: Vec<_> = report
        .upgraded()
        .map(|o| (o.slug.as_str(), o.from, o.to))
        .collect();
    assert_eq!(
        upgraded,
        vec![("ca", 1, latest as u32), ("cb", 2, latest as u32)]
    );
    assert!(
        report_line(&report, "cc").contains(&format!("up to date (version {latest})")),
        "{report}"
    );

    let mut schemas = old.to_vec();
    schemas.push(current.schema.clone());
    let versions = schema_versions(app.state.pool(), &schemas).await.unwrap();
    assert!(
        versions.values().all(|v| *v == latest as u32),
        "{versions:?}"
    );
    for schema in &old {
        assert!(table_exists(&app, schema, "news").await);
    }
    // Nothing left to do: a second run upgrades nobody.
    let again = migrate_tenants(app.state.pool(), &tenant_migrations())
        .await
        .unwrap();
    assert_eq!(again.upgraded().count(), 0);
}

#[tokio::test]
async fn a_tenant_whose_migration_fails_stays_consistent_and_the_others_are_upgraded() {
    let app = spawn_app().await;
    let a = tenant_at_version(&app, "ca", 2).await;
    let broken = tenant_at_version(&app, "broken", 2).await;
    let z = tenant_at_version(&app, "cz", 2).await;
    // Someone created a table by hand that migration 3 also creates.
    app.state
        .pool()
        .execute_unprepared(&format!("CREATE TABLE {}.news (id int)", broken.quoted()))
        .await
        .unwrap();

    let report = migrate_tenants(app.state.pool(), &tenant_migrations())
        .await
        .unwrap();
    let failures: Vec<_> = report.failures().collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].slug, "broken");
    assert_eq!((failures[0].from, failures[0].to), (2, 2));
    assert!(
        failures[0]
            .error
            .as_deref()
            .unwrap()
            .contains("m0003_portal"),
        "{report}"
    );
    assert!(
        report_line(&report, "broken").contains("FAILED at version 2"),
        "{report}"
    );

    // The failing tenant is exactly where it was: no half-applied migration 3.
    assert!(!table_exists(&app, &broken, "branding").await);
    let versions = schema_versions(app.state.pool(), &[a.clone(), broken.clone(), z.clone()])
        .await
        .unwrap();
    assert_eq!(versions[&broken], 2);
    let latest = tenant_migrations().len() as u32;
    assert_eq!(versions[&a], latest);
    assert_eq!(versions[&z], latest);
}

#[tokio::test]
async fn a_migration_added_later_reaches_every_tenant() {
    struct AddColumn;
    impl sea_orm_migration::MigrationName for AddColumn {
        fn name(&self) -> &str {
            "m9999_test_column"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for AddColumn {
        async fn up(
            &self,
            manager: &sea_orm_migration::SchemaManager,
        ) -> Result<(), sea_orm::DbErr> {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE news ADD COLUMN summary text")
                .await?;
            Ok(())
        }
    }
    let app = spawn_app().await;
    for slug in ["ca", "cb", "cc", "cd"] {
        app.create_tenant(slug, slug).await;
    }
    let mut migrations = tenant_migrations();
    migrations.push(Box::new(AddColumn));
    let report = migrate_tenants(app.state.pool(), &migrations)
        .await
        .unwrap();
    assert_eq!(report.upgraded().count(), 4, "{report}");
    assert_eq!(
        app.count("tenant_cd.guichet_migrations WHERE name = 'm9999_test_column'")
            .await,
        1
    );
}
