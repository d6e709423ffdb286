//! The audit log as admins read it (the page's table and `GET /api/admin/audit`): the newest entries, one
//! action's or one record's.
use crate::error::AppError;
use crate::server::db::{self, audit_log::AuditRow};
use sqlx::PgPool;

/// How many entries one read returns at most.
pub const AUDIT_PAGE: i64 = 200;

/// `action` (`approve`, `mint`, `grant_credit` …) and `target` (a reward id, a user id, a code, a transaction
/// hash) narrow the list; blank means any.
pub async fn recent(
    pool: &PgPool,
    action: Option<&str>,
    target: Option<&str>,
) -> Result<Vec<AuditRow>, AppError> {
    Ok(db::audit_log::list(pool, given(action), given(target), AUDIT_PAGE).await?)
}

fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}
