//! Transactions are the only door to the database for feature code.
//!
//! Invariant: tenant data is read and written through a [`TenantTx`], which pins
//! `search_path` to the tenant's schema with `set_config(.., true)`: transaction-local, so the
//! setting dies with the transaction and a pooled connection never carries it to the next
//! request. Services take `&TenantTx` as their first argument: code that has no tenant has no
//! way to call them.

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Statement, TransactionTrait,
    Value,
};

use super::state::AppState;
use super::tenancy::{Tenant, current_tenant};
use crate::error::AppError;

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Queries, for both transaction kinds.
pub trait Queries {
    fn transaction(&self) -> &DatabaseTransaction;

    fn fetch_all<T: FromQueryResult + Send>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> impl Future<Output = Result<Vec<T>, AppError>> + Send
    where
        Self: Sync,
    {
        async move {
            Ok(T::find_by_statement(statement(sql, values))
                .all(self.transaction())
                .await?)
        }
    }

    fn fetch_optional<T: FromQueryResult + Send>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> impl Future<Output = Result<Option<T>, AppError>> + Send
    where
        Self: Sync,
    {
        async move {
            Ok(T::find_by_statement(statement(sql, values))
                .one(self.transaction())
                .await?)
        }
    }

    fn execute(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> impl Future<Output = Result<u64, AppError>> + Send
    where
        Self: Sync,
    {
        async move {
            Ok(self
                .transaction()
                .execute_raw(statement(sql, values))
                .await?
                .rows_affected())
        }
    }
}

/// A transaction inside one tenant's schema.
pub struct TenantTx {
    tx: DatabaseTransaction,
    tenant: Arc<Tenant>,
}

impl TenantTx {
    pub async fn begin(state: &AppState, tenant: Arc<Tenant>) -> Result<Self, AppError> {
        let tx = state.pool().begin().await?;
        Self::pin(tx, tenant).await
    }

    /// A transaction for the tenant the current request was addressed to.
    pub async fn for_request(state: &AppState) -> Result<Self, AppError> {
        Self::begin(state, current_tenant()?).await
    }

    /// Turns an open transaction into a tenant-scoped one (used when provisioning a tenant,
    /// whose schema is created in the same transaction).
    pub async fn pin(tx: DatabaseTransaction, tenant: Arc<Tenant>) -> Result<Self, AppError> {
        tx.execute_raw(statement(
            "SELECT set_config('search_path', $1, true)",
            vec![tenant.schema.as_str().into()],
        ))
        .await?;
        Ok(Self { tx, tenant })
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    pub async fn commit(self) -> Result<(), AppError> {
        Ok(self.tx.commit().await?)
    }
}

/// A transaction on the platform schema (tenants, hosts, operators). Platform tables are
/// always written schema-qualified (`platform.tenants`).
pub struct PlatformTx {
    tx: DatabaseTransaction,
}

impl PlatformTx {
    pub async fn begin(state: &AppState) -> Result<Self, AppError> {
        Ok(Self {
            tx: state.pool().begin().await?,
        })
    }

    pub fn into_raw(self) -> DatabaseTransaction {
        self.tx
    }

    pub async fn commit(self) -> Result<(), AppError> {
        Ok(self.tx.commit().await?)
    }
}

impl Queries for TenantTx {
    fn transaction(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

impl Queries for PlatformTx {
    fn transaction(&self) -> &DatabaseTransaction {
        &self.tx
    }
}
