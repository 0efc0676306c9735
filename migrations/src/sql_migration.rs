use sea_orm_migration::prelude::*;

/// A migration written as plain SQL (`migrations/src/{platform,tenant}/*.sql`).
///
/// Tenant migrations run with `search_path` pinned to the tenant's schema, so their SQL names
/// tables unqualified; platform migrations qualify them (`platform.tenants`).
pub struct SqlMigration {
    name: &'static str,
    sql: &'static str,
}

impl SqlMigration {
    pub const fn new(name: &'static str, sql: &'static str) -> Self {
        Self { name, sql }
    }
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(self.sql)
            .await?;
        Ok(())
    }
}
