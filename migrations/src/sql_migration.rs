use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm_migration::prelude::*;

/// A migration written as plain SQL (`migrations/src/{platform,tenant}/*.sql`).
///
/// Tenant migrations run with `search_path` pinned to the tenant's schema, so their SQL names
/// tables unqualified; platform migrations qualify them (`platform.tenants`).
pub struct SqlMigration {
    name: &'static str,
    sql: &'static str,
}

/// Whether migrations are sent one statement per round trip. Citus forwards the query string of
/// a DDL command on a distributed schema to the worker as a prepared statement, which refuses
/// several commands; plain PostgreSQL takes a whole file in one round trip, which keeps
/// provisioning fast. Set by the runner when it finds Citus (one database per process).
static ONE_STATEMENT_AT_A_TIME: AtomicBool = AtomicBool::new(false);

pub(crate) fn send_one_statement_at_a_time(on: bool) {
    ONE_STATEMENT_AT_A_TIME.store(on, Ordering::Relaxed);
}

pub(crate) fn one_statement_at_a_time() -> bool {
    ONE_STATEMENT_AT_A_TIME.load(Ordering::Relaxed)
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
        let connection = manager.get_connection();
        if one_statement_at_a_time() {
            for statement in statements(self.sql) {
                connection.execute_unprepared(statement).await?;
            }
        } else {
            connection.execute_unprepared(self.sql).await?;
        }
        Ok(())
    }
}

/// Splits a SQL script into its statements at the semicolons that end them — not those inside
/// quotes, quoted identifiers, dollar-quoted bodies or comments. Blank statements are dropped.
pub(crate) fn statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut found = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                let quote = bytes[i];
                i += 1;
                // A doubled quote is an escaped quote: the loop sees it as close-then-open.
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                i += 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'$' => {
                let tag_end = bytes[i + 1..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                    .map(|n| i + 1 + n);
                match tag_end {
                    Some(end) if bytes[end] == b'$' => {
                        let tag = &sql[i..=end];
                        let body = end + 1;
                        i = sql[body..]
                            .find(tag)
                            .map_or(bytes.len(), |n| body + n + tag.len());
                    }
                    _ => i += 1,
                }
            }
            b';' => {
                found.push(&sql[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    found.push(&sql[start..]);
    found
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !only_comments(s))
        .collect()
}

fn only_comments(statement: &str) -> bool {
    statement
        .lines()
        .all(|line| line.trim().is_empty() || line.trim_start().starts_with("--"))
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn splits_at_the_semicolons_that_end_statements_only() {
        let sql = "-- a comment; not a statement\n\
                   CREATE TABLE a (x text DEFAULT 'a;b', \"we;ird\" int);\n\
                   /* block; comment */ INSERT INTO a VALUES ('it''s; fine');\n\
                   CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$\n\
                   BEGIN RAISE EXCEPTION 'no; never'; END;\n\
                   $body$;\n\
                   CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n\
                   -- trailing comment only\n";
        let found = statements(sql);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].ends_with("\"we;ird\" int)"));
        assert!(found[1].ends_with("('it''s; fine')"));
        assert!(found[2].contains("'no; never'; END;"));
        assert!(found[3].ends_with("SELECT 1; $$"));
    }
}
