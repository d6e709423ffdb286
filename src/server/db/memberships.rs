//! The `memberships` collection — one row per upgrade a payment applied, `data = {userId, tier, orderReference,
//! refunded}` — and the tier kept on the user, which is always the highest tier of the rows not refunded.
use serde_json::json;
use sqlx::PgExecutor;

/// Records an applied upgrade; `false` when this order applied one already.
pub async fn record(
    db: impl PgExecutor<'_>,
    user_id: &str,
    tier: &str,
    order_reference: &str,
) -> sqlx::Result<bool> {
    let data = json!({ "userId": user_id, "tier": tier, "orderReference": order_reference, "refunded": false });
    let done = sqlx::query!(
        "INSERT INTO memberships (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `order_reference` applied an upgrade that still stands (not refunded).
pub async fn applied_by(db: impl PgExecutor<'_>, order_reference: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM memberships WHERE data->>'orderReference' = $1
                          AND NOT COALESCE((data->>'refunded')::boolean, false)) AS "exists!""#,
        order_reference
    )
    .fetch_one(db)
    .await
}

/// Marks the upgrade `order_reference` applied as refunded.
pub async fn mark_refunded(db: impl PgExecutor<'_>, order_reference: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE memberships SET data = data || '{"refunded": true}', updated_at = now()
           WHERE data->>'orderReference' = $1"#,
        order_reference
    )
    .execute(db)
    .await
    .map(drop)
}

/// The tiers of the user's upgrades that still stand.
pub async fn standing_tiers(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT data->>'tier' AS "tier!" FROM memberships
           WHERE data->>'userId' = $1 AND NOT COALESCE((data->>'refunded')::boolean, false)"#,
        user_id
    )
    .fetch_all(db)
    .await
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
