//! The `chain_reports` table: one document per kind, replaced each time it is recorded (`chain_watch.rs`).
use serde_json::Value;
use sqlx::PgExecutor;

/// What a report is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    MintRun,
    Balances,
    Reconciliation,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::MintRun => "mint_run",
            ReportKind::Balances => "balances",
            ReportKind::Reconciliation => "reconciliation",
        }
    }
}

/// Replaces the report of `kind` with `data`.
pub async fn record(db: impl PgExecutor<'_>, kind: ReportKind, data: &Value) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO chain_reports (kind, data) VALUES ($1, $2)
           ON CONFLICT (kind) DO UPDATE SET data = EXCLUDED.data, recorded_at = now()"#,
        kind.as_str(),
        data
    )
    .execute(db)
    .await
    .map(drop)
}

/// A stored report: its kind, document and when it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub kind: String,
    pub data: Value,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Every stored report.
pub async fn all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<StoredReport>> {
    sqlx::query_as!(
        StoredReport,
        "SELECT kind, data, recorded_at FROM chain_reports"
    )
    .fetch_all(db)
    .await
}

/// What the approved and in-flight rewards still need paid, in token units (decimal).
pub async fn owed_wei(db: impl PgExecutor<'_>) -> sqlx::Result<String> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(sum((data->>'amountWei')::numeric), 0)::text AS "owed!"
           FROM referral_rewards
           WHERE data->>'status' IN ('approved', 'minting')
             AND NOT COALESCE((data->>'priceNeeded')::boolean, false)"#
    )
    .fetch_one(db)
    .await
}
