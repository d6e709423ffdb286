//! The `memberships` collection (one row per paid upgrade) and the tier kept on the user.
use serde_json::json;
use sqlx::PgExecutor;

/// Records a paid upgrade; `false` when this order granted one already.
pub async fn record(
    db: impl PgExecutor<'_>,
    user_id: &str,
    tier: &str,
    order_reference: &str,
) -> sqlx::Result<bool> {
    let data = json!({ "userId": user_id, "tier": tier, "orderReference": order_reference });
    let done = sqlx::query!(
        "INSERT INTO memberships (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets `users.data.membership` (`None`: back to the free tier).
pub async fn set_user_tier(
    db: impl PgExecutor<'_>,
    user_id: &str,
    tier: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE users SET data = jsonb_set(data, '{membership}', COALESCE(to_jsonb($2::text), 'null'::jsonb)), updated_at = now()
           WHERE id = $1"#,
        user_id,
        tier
    )
    .execute(db)
    .await
    .map(|_| ())
}
