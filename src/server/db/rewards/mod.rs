//! The `referral_rewards` collection: each row's `data` is a [`RewardDoc`]. Status moves go through
//! [`move_status`] only, whose `WHERE` allows exactly the legal sources of the target status and which merges
//! the move's [`RewardPatch`].
mod doc;
mod mint;

pub use doc::{initial_status, AdminRowFacts, OracleDoc, RewardDoc, RewardPatch};
pub use mint::*;

use crate::domain::cursor::Cursor;
use crate::domain::reward::{MyReward, RewardKind, RewardStatus};
use crate::domain::store::Rail;
pub(in crate::server::db) use doc::{read, read_status};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{Acquire, PgConnection, PgExecutor};

#[derive(Debug, thiserror::Error)]
pub enum InsertRewardError {
    #[error("a reward exists for this order")]
    OrderRewarded,
    #[error("this buyer already brought a store reward")]
    BuyerRewarded,
    #[error("this buyer's upgrade to this tier was rewarded before")]
    TierRewarded,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn exists_for_order(
    db: impl PgExecutor<'_>,
    order_reference: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM referral_rewards WHERE data->>'orderReference' = $1) AS "exists!""#,
        order_reference
    )
    .fetch_one(db)
    .await
}

/// Inserts a reward. A conflict on one of the unique indexes does nothing (the caller's transaction stays usable)
/// and says which rule it broke.
pub async fn insert(
    db: &mut sqlx::PgConnection,
    id: &str,
    doc: &RewardDoc,
) -> Result<(), InsertRewardError> {
    let inserted = sqlx::query!(
        "INSERT INTO referral_rewards (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        id,
        Json(doc) as _
    )
    .execute(&mut *db)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(());
    }
    if exists_for_order(&mut *db, &doc.order_reference).await? {
        return Err(InsertRewardError::OrderRewarded);
    }
    match doc.kind {
        RewardKind::Membership => Err(InsertRewardError::TierRewarded),
        RewardKind::Store => Err(InsertRewardError::BuyerRewarded),
    }
}

/// Moves the given rewards to the status of `patch` where that is legal, merging it into their documents;
/// returns the ids that moved (the others were in a status it cannot be reached from).
pub async fn move_status(
    conn: &mut PgConnection,
    ids: &[String],
    patch: &RewardPatch,
) -> sqlx::Result<Vec<String>> {
    move_status_from(conn, ids, patch.status().legal_sources(), patch).await
}

/// Like [`move_status`], narrowed to rewards now in one of `from` (an admin's approve starts from
/// `pending` only); a status in `from` that cannot legally become `to` is ignored. A reward without a price
/// (`priceNeeded`) never becomes `approved`. A voided reward gives back what was netted from it: its amount is
/// whole again and its nettings go (the clawbacks are owed again) — in a second statement of the same
/// transaction, whose snapshot sees a netting that committed while the void waited for the row.
pub async fn move_status_from(
    conn: &mut PgConnection,
    ids: &[String],
    from: &[RewardStatus],
    patch: &RewardPatch,
) -> sqlx::Result<Vec<String>> {
    let to = patch.status();
    let from: Vec<String> = from
        .iter()
        .filter(|s| s.can_become(to))
        .map(|s| s.as_str().to_string())
        .collect();
    let mut tx = conn.begin().await?;
    let moved = sqlx::query_scalar!(
        r#"UPDATE referral_rewards
           SET data = data || $4 || jsonb_build_object('status', $3::text)
                      || CASE WHEN $3 = 'voided' AND data ? 'nettedWei'
                              THEN jsonb_build_object('amountWei', ((data->>'amountWei')::numeric
                                                                   + (data->>'nettedWei')::numeric)::text,
                                                      'nettedWei', '0')
                              ELSE '{}'::jsonb END,
               updated_at = now()
           WHERE id = ANY($1) AND data->>'status' = ANY($2)
             AND NOT ($3 = 'approved' AND COALESCE((data->>'priceNeeded')::boolean, false))
           RETURNING id"#,
        ids,
        &from,
        to.as_str(),
        patch.to_json()
    )
    .fetch_all(&mut *tx)
    .await?;
    if to == RewardStatus::Voided && !moved.is_empty() {
        sqlx::query!(
            "DELETE FROM clawback_nettings WHERE reward_id = ANY($1)",
            &moved
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(moved)
}

/// The reward of an order, if any: its id and status.
pub async fn for_order(
    db: impl PgExecutor<'_>,
    order_reference: &str,
) -> sqlx::Result<Option<(String, RewardStatus)>> {
    let row = sqlx::query!(
        r#"SELECT id, data->>'status' AS "status!" FROM referral_rewards WHERE data->>'orderReference' = $1"#,
        order_reference
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| {
        let status = read_status(&r.id, &r.status)?;
        Ok((r.id, status))
    })
    .transpose()
}

/// The orders whose reward should have been voided or clawed back by their refund and was not (at most `limit`);
/// a reward still `minting` waits until it settles.
pub async fn live_on_refunded_orders(
    db: impl PgExecutor<'_>,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT r.data->>'orderReference' AS "reference!"
           FROM referral_rewards r JOIN orders o ON o.data->>'orderReference' = r.data->>'orderReference'
           WHERE o.data->>'status' = 'refunded'
             AND (r.data->>'status' IN ('pending', 'approved', 'failed')
                  OR (r.data->>'status' IN ('minted', 'netted')
                      AND NOT EXISTS (SELECT 1 FROM clawbacks c WHERE c.reward_id = r.id)))
           ORDER BY r.created_at LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// Whether a reward waits for a price; `None` when there is no such reward.
pub async fn needs_price(db: impl PgExecutor<'_>, id: &str) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE((data->>'priceNeeded')::boolean, false) AS "needed!" FROM referral_rewards WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// A reward created without a price (the oracle was unavailable).
pub struct AwaitingPrice {
    pub id: String,
    pub fiat_amount: i64,
    pub currency: String,
    pub rail: Rail,
    /// Held for an admin (`heldReason`): priced, it stays pending whatever its rail.
    pub held: bool,
}

/// Rewards waiting for a price in one of `currencies` (those with a price source), oldest first.
pub async fn awaiting_price(
    db: impl PgExecutor<'_>,
    currencies: &[String],
    limit: i64,
) -> sqlx::Result<Vec<AwaitingPrice>> {
    let rows = sqlx::query!(
        r#"SELECT id, data
           FROM referral_rewards
           WHERE (data->>'priceNeeded')::boolean AND data->>'status' IN ('pending', 'approved', 'failed')
             AND data->>'currency' = ANY($1)
           ORDER BY created_at LIMIT $2"#,
        currencies,
        limit
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let doc = read(&r.id, r.data)?;
            Ok(AwaitingPrice {
                id: r.id,
                fiat_amount: doc.fiat_amount,
                currency: doc.currency,
                rail: doc.rail,
                held: doc.held_reason.is_some(),
            })
        })
        .collect()
}

/// Freezes a quote on a reward that waited for one, wherever it waits; a pending one is approved with it when
/// `approve` (the crypto rail, not held).
pub async fn set_price(
    db: impl PgExecutor<'_>,
    id: &str,
    oracle: &OracleDoc,
    amount_wei: &str,
    approve: bool,
) -> sqlx::Result<bool> {
    let patch = json!({
        "oracle": oracle, "amountWei": amount_wei, "priceNeeded": false, "lastError": null,
    });
    let done = sqlx::query!(
        r#"UPDATE referral_rewards
           SET data = data || $2
                      || CASE WHEN $3 AND data->>'status' = 'pending'
                              THEN '{"status": "approved", "approvedBy": "auto"}'::jsonb ELSE '{}'::jsonb END,
               updated_at = now()
           WHERE id = $1 AND (data->>'priceNeeded')::boolean
             AND data->>'status' IN ('pending', 'approved', 'failed')"#,
        id,
        patch,
        approve
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Notes why a reward is waiting (e.g. the price is unavailable), without moving it.
pub async fn set_last_error(db: impl PgExecutor<'_>, id: &str, error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE referral_rewards SET data = jsonb_set(data, '{lastError}', to_jsonb($2::text)), updated_at = now()
           WHERE id = $1 AND data->>'lastError' IS DISTINCT FROM $2"#,
        id,
        error
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// The rewards a referrer earned, newest first, from after `after`.
pub async fn for_referrer(
    db: impl PgExecutor<'_>,
    user_id: &str,
    after: Option<&Cursor>,
    limit: i64,
) -> sqlx::Result<Vec<MyReward>> {
    let rows = sqlx::query!(
        r#"SELECT id, data, created_at,
                  (data->>'status' IN ('pending', 'approved') AND NOT data ? 'mintBatch'
                   AND NOT EXISTS (SELECT 1 FROM wallets p
                                   WHERE p.user_id = $1 AND lower(p.address) = lower(r.data->>'referrerWallet')
                                     AND p.proven_at IS NOT NULL)) AS "held_for_wallet!"
           FROM referral_rewards r
           WHERE data->>'referrerUserId' = $1
             AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::text))
           ORDER BY created_at DESC, id DESC LIMIT $4"#,
        user_id,
        after.map(|c| c.created_at),
        after.map(|c| c.id.clone()),
        limit
    )
    .fetch_all(db)
    .await?;
    let now = chrono::Utc::now();
    rows.into_iter()
        .map(|r| {
            let doc = read(&r.id, r.data)?;
            Ok(doc.to_member_view(r.id, r.created_at, r.held_for_wallet, now))
        })
        .collect()
}

/// Points the not-yet-claimed rewards of a member's code at `wallet`, noting the wallet they had; returns their order
/// references. A reward a mint run ever claimed keeps its wallet: a transaction carrying it may still land.
pub async fn repoint(
    db: impl PgExecutor<'_>,
    user_id: &str,
    code: &str,
    wallet: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"UPDATE referral_rewards
           SET data = data || jsonb_build_object('referrerWallet', $3::text,
                   'repointedFrom', data->>'referrerWallet', 'repointedAt', now()), updated_at = now()
           WHERE data->>'referrerUserId' = $1 AND upper(data->>'referralCode') = upper($2)
             AND data->>'status' IN ('pending', 'approved') AND NOT data ? 'mintBatch'
             AND lower(data->>'referrerWallet') <> lower($3)
           RETURNING data->>'orderReference' AS "order_reference!""#,
        user_id,
        code,
        wallet
    )
    .fetch_all(db)
    .await
}
