//! The `audit_log` collection: every admin action — who, what, which records, before → after, when.
use crate::domain::admin::AuditLine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sqlx::PgExecutor;

pub struct Entry<'a> {
    pub actor_user_id: &'a str,
    pub actor_email: &'a str,
    pub action: &'a str,
    pub target_ids: &'a [String],
    /// Each target's state before, e.g. `{"<id>": "pending"}`.
    pub before: Value,
    pub after: Value,
    pub detail: Value,
}

pub async fn record(db: impl PgExecutor<'_>, e: &Entry<'_>) -> sqlx::Result<()> {
    let data = json!({
        "actorUserId": e.actor_user_id,
        "actorEmail": e.actor_email,
        "action": e.action,
        "targetIds": e.target_ids,
        "before": e.before,
        "after": e.after,
        "detail": e.detail,
    });
    sqlx::query!(
        "INSERT INTO audit_log (id, data) VALUES ($1, $2)",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await
    .map(|_| ())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub id: String,
    pub data: Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl AuditRow {
    /// The entry as the audit log page shows it.
    pub fn line(&self) -> AuditLine {
        let d = &self.data;
        let text = |k: &str| match d.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        AuditLine {
            at: self.created_at,
            actor: text("actorEmail"),
            action: text("action"),
            count: d
                .get("targetIds")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
            after: text("after"),
            reason: d
                .pointer("/detail/reason")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }
}

/// Newest first, optionally one action's or one record's entries.
pub async fn list(
    db: impl PgExecutor<'_>,
    action: Option<&str>,
    target_id: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<AuditRow>> {
    sqlx::query_as!(
        AuditRow,
        r#"SELECT id, data, created_at FROM audit_log
           WHERE ($1::text IS NULL OR data->>'action' = $1)
             AND ($2::text IS NULL OR data->'targetIds' ? $2)
           ORDER BY created_at DESC, id DESC LIMIT $3"#,
        action,
        target_id,
        limit
    )
    .fetch_all(db)
    .await
}
