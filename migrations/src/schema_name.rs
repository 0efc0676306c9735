use std::fmt;

/// The schema holding platform-wide tables.
pub const PLATFORM_SCHEMA: &str = "platform";

/// A PostgreSQL schema name that is safe to splice into SQL.
///
/// Schema names cannot be bound as query parameters in DDL, so they are only ever built through
/// this type: lowercase ASCII letters, digits and `_`, starting with a letter, at most 63 bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

impl SchemaName {
    pub fn parse(name: &str) -> Result<Self, String> {
        let valid_chars = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let starts_with_letter = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if !valid_chars || !starts_with_letter || name.len() > 63 {
            return Err(format!("invalid schema name: {name:?}"));
        }
        if name.starts_with("pg_") || name == "public" || name == "information_schema" {
            return Err(format!("reserved schema name: {name:?}"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn platform() -> Self {
        Self(PLATFORM_SCHEMA.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name quoted as an SQL identifier.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SchemaName({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_tenant_schema_names() {
        assert!(SchemaName::parse("tenant_saint_herblain").is_ok());
    }

    #[test]
    fn rejects_anything_that_could_escape_an_identifier() {
        for bad in [
            "",
            "Tenant",
            "t\"; drop",
            "1abc",
            "a-b",
            "pg_catalog",
            "public",
            &"a".repeat(64),
        ] {
            assert!(SchemaName::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
