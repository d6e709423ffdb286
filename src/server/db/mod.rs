//! The only place with SQL: one repository per collection.
pub mod audit_log;
pub mod catalog;
pub mod chain_reports;
pub mod clawbacks;
pub mod credit;
pub mod databases;
pub mod login_failures;
pub mod memberships;
pub mod orders;
pub mod payment_events;
pub mod refcodes;
pub mod reward_admin;
pub mod rewards;
pub mod sessions;
pub mod settlements;
pub mod users;
pub mod wallets;

use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;

pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    sqlx::migrate!("./migrations").run(pool).await
}

pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(pool)
        .await
        .map(|_| ())
}

/// The name of the constraint a write violated, if that is why it failed.
pub(crate) fn violated_constraint(err: &sqlx::Error) -> Option<&str> {
    err.as_database_error().and_then(|e| e.constraint())
}
