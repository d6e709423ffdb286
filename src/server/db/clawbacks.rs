//! The `clawbacks` and `clawback_nettings` tables: what referrers owe back for paid-out rewards on refunded
//! orders, and what of it was taken from which later reward. Amounts are token base units, `NUMERIC` in the
//! database and decimal text here. What is left of a clawback is its amount less its nettings.
use crate::domain::reward::{Clawback, ClawbackStatus};
use sqlx::{PgConnection, PgExecutor};

/// Records a clawback of a paid-out reward (`minted`, or `netted` against earlier clawbacks) for its whole sized
/// amount (what was minted plus what was netted); `false` when the reward is in neither status or has one already.
pub async fn record(db: impl PgExecutor<'_>, id: &str, reward_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO clawbacks (id, reward_id, referrer_user_id, order_reference, amount_wei)
           SELECT $1, r.id, r.data->>'referrerUserId', r.data->>'orderReference', e.earned
           FROM referral_rewards r
           CROSS JOIN LATERAL (SELECT (r.data->>'amountWei')::numeric
                                      + COALESCE((r.data->>'nettedWei')::numeric, 0) AS earned) e
           WHERE r.id = $2 AND r.data->>'status' IN ('minted', 'netted') AND e.earned > 0
           ON CONFLICT (reward_id) DO NOTHING"#,
        id,
        reward_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws the clawback of `reward_id` while nothing was netted from it or waived: the payment it claws back
/// was taken back by a reorganisation. `false` when there is none, or it was netted or waived already.
pub async fn withdraw_unnetted(db: impl PgExecutor<'_>, reward_id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"DELETE FROM clawbacks c
           WHERE c.reward_id = $1 AND c.waived_by IS NULL
             AND NOT EXISTS (SELECT 1 FROM clawback_nettings n WHERE n.clawback_id = c.id)"#,
        reward_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `reward_id` has a clawback.
pub async fn exists_for(db: impl PgExecutor<'_>, reward_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clawbacks WHERE reward_id = $1) AS "exists!""#,
        reward_id
    )
    .fetch_one(db)
    .await
}

/// An open clawback: what is left of it to net.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub id: String,
    pub referrer_user_id: String,
    pub left_wei: String,
}

/// The open clawbacks of these referrers, oldest first, locked until the transaction ends.
pub async fn owed_by(db: impl PgExecutor<'_>, referrers: &[String]) -> sqlx::Result<Vec<Owed>> {
    sqlx::query_as!(
        Owed,
        r#"SELECT c.id, c.referrer_user_id, (c.amount_wei - n.netted)::text AS "left_wei!"
           FROM clawbacks c
           CROSS JOIN LATERAL (SELECT COALESCE(sum(amount_wei), 0) AS netted
                               FROM clawback_nettings WHERE clawback_id = c.id) n
           WHERE c.referrer_user_id = ANY($1) AND c.waived_at IS NULL AND c.amount_wei > n.netted
           ORDER BY c.created_at, c.id
           FOR UPDATE OF c"#,
        referrers
    )
    .fetch_all(db)
    .await
}

/// Notes that `amount_wei` of a clawback was taken from a reward (added to what was taken from it before).
pub async fn add_netting(
    db: impl PgExecutor<'_>,
    clawback_id: &str,
    reward_id: &str,
    amount_wei: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"INSERT INTO clawback_nettings (clawback_id, reward_id, amount_wei)
           VALUES ($1, $2, $3::text::numeric)
           ON CONFLICT (clawback_id, reward_id)
           DO UPDATE SET amount_wei = clawback_nettings.amount_wei + EXCLUDED.amount_wei"#,
        clawback_id,
        reward_id,
        amount_wei
    )
    .execute(db)
    .await
    .map(drop)
}

/// Clawbacks newest first, at most `limit`: of one referrer, or everyone's (`None`) with the referrer's email.
pub async fn list(
    db: impl PgExecutor<'_>,
    referrer_user_id: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Clawback>> {
    let rows = sqlx::query!(
        r#"SELECT c.id, c.reward_id, c.order_reference, r.data->>'referralCode' AS "code!",
                  u.data->>'email' AS email, c.amount_wei::text AS "amount!", n.netted::text AS "netted!",
                  CASE WHEN c.waived_at IS NULL THEN c.amount_wei - n.netted ELSE 0 END::text AS "left!",
                  CASE WHEN c.waived_at IS NOT NULL THEN 'waived'
                       WHEN c.amount_wei > n.netted THEN 'open' ELSE 'settled' END AS "status!",
                  c.waived_reason, c.created_at
           FROM clawbacks c
           JOIN referral_rewards r ON r.id = c.reward_id
           LEFT JOIN users u ON u.id = c.referrer_user_id
           CROSS JOIN LATERAL (SELECT COALESCE(sum(amount_wei), 0) AS netted
                               FROM clawback_nettings WHERE clawback_id = c.id) n
           WHERE $1::text IS NULL OR c.referrer_user_id = $1
           ORDER BY c.created_at DESC, c.id DESC LIMIT $2"#,
        referrer_user_id,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Clawback {
            id: r.id,
            reward_id: r.reward_id,
            order_reference: r.order_reference,
            referral_code: r.code,
            referrer_email: referrer_user_id.is_none().then_some(r.email).flatten(),
            amount_wei: r.amount,
            netted_wei: r.netted,
            left_wei: r.left,
            status: ClawbackStatus::parse(&r.status).unwrap_or(ClawbackStatus::Open),
            waived_reason: r.waived_reason,
            created_at: r.created_at,
        })
        .collect())
}

/// Where a clawback stands, locked until the transaction ends; `None` when there is no such clawback. The row is
/// locked before its nettings are added up, so a netting that committed while this waited is counted.
pub async fn lock_status(
    conn: &mut PgConnection,
    id: &str,
) -> sqlx::Result<Option<(ClawbackStatus, String)>> {
    let Some(waived) = sqlx::query_scalar!(
        r#"SELECT waived_at IS NOT NULL AS "waived!" FROM clawbacks WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let left = sqlx::query_scalar!(
        r#"SELECT (c.amount_wei - COALESCE((SELECT sum(amount_wei) FROM clawback_nettings WHERE clawback_id = c.id), 0))::text
                  AS "left!"
           FROM clawbacks c WHERE c.id = $1"#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let status = match (waived, left.as_str()) {
        (true, _) => ClawbackStatus::Waived,
        (false, "0") => ClawbackStatus::Settled,
        (false, _) => ClawbackStatus::Open,
    };
    Ok(Some((status, left)))
}

/// Forgives what is left of an open clawback.
pub async fn waive(db: impl PgExecutor<'_>, id: &str, by: &str, reason: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE clawbacks SET waived_by = $2, waived_reason = $3, waived_at = now()
           WHERE id = $1 AND waived_at IS NULL"#,
        id,
        by,
        reason
    )
    .execute(db)
    .await
    .map(drop)
}
