use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgExecutor;

pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &str,
    user_id: &str,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        json!({ "userId": user_id }),
        expires_at
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// The user of a live session.
pub async fn user_id(db: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT data->>'userId' AS "user_id!" FROM sessions WHERE id = $1 AND expires_at > now()"#,
        token_hash
    )
    .fetch_optional(db)
    .await
}

pub async fn delete(db: impl PgExecutor<'_>, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE id = $1", token_hash)
        .execute(db)
        .await
        .map(|_| ())
}

/// Ends every session of the user; how many there were.
pub async fn delete_for_user(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<u64> {
    Ok(
        sqlx::query!("DELETE FROM sessions WHERE data->>'userId' = $1", user_id)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

pub async fn purge_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    Ok(
        sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
            .execute(db)
            .await?
            .rows_affected(),
    )
}
