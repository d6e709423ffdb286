//! The `referral_rewards` collection. Status moves go through [`move_status`] only, whose `WHERE`
//! allows exactly the legal sources of the target status.
use crate::domain::cursor::Cursor;
use crate::domain::reward::{MyReward, RewardKind, RewardStatus};
use crate::domain::store::Rail;
use serde_json::{json, Value};
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
    data: &Value,
) -> Result<(), InsertRewardError> {
    let inserted = sqlx::query!(
        "INSERT INTO referral_rewards (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        id,
        data
    )
    .execute(&mut *db)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(());
    }
    let reference = data["orderReference"].as_str().unwrap_or_default();
    if exists_for_order(&mut *db, reference).await? {
        return Err(InsertRewardError::OrderRewarded);
    }
    match data["kind"].as_str() {
        Some("membership") => Err(InsertRewardError::TierRewarded),
        _ => Err(InsertRewardError::BuyerRewarded),
    }
}

/// Moves the given rewards to `to` where that is legal, merging `patch` into their documents;
/// returns the ids that moved (the others were in a status `to` cannot be reached from).
pub async fn move_status(
    conn: &mut PgConnection,
    ids: &[String],
    to: RewardStatus,
    patch: &Value,
) -> sqlx::Result<Vec<String>> {
    move_status_from(conn, ids, to.legal_sources(), to, patch).await
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
    to: RewardStatus,
    patch: &Value,
) -> sqlx::Result<Vec<String>> {
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
        patch
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
    Ok(row.and_then(|r| RewardStatus::parse(&r.status).map(|s| (r.id, s))))
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
        r#"SELECT id, (data->>'fiatAmount')::bigint AS "fiat!", data->>'currency' AS "currency!",
                  data->>'rail' AS "rail!", data->>'heldReason' IS NOT NULL AS "held!"
           FROM referral_rewards
           WHERE (data->>'priceNeeded')::boolean AND data->>'status' IN ('pending', 'approved', 'failed')
             AND data->>'currency' = ANY($1)
           ORDER BY created_at LIMIT $2"#,
        currencies,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AwaitingPrice {
            id: r.id,
            fiat_amount: r.fiat,
            currency: r.currency,
            rail: if r.rail == "crypto" {
                Rail::Crypto
            } else {
                Rail::Fiat
            },
            held: r.held,
        })
        .collect())
}

/// Freezes a quote on a reward that waited for one, wherever it waits; a pending one is approved with it when
/// `approve` (the crypto rail, not held).
pub async fn set_price(
    db: impl PgExecutor<'_>,
    id: &str,
    oracle: &Value,
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
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'kind' AS "kind!",
                  data->>'referralCode' AS "code!", data->>'rail' AS "rail!",
                  (data->>'fiatAmount')::bigint AS "fiat!", data->>'currency' AS "currency!",
                  data->>'amountWei' AS "wei!", COALESCE(data->>'nettedWei', '0') AS "netted!",
                  COALESCE((data->>'priceNeeded')::boolean, false) AS "price_needed!",
                  data->>'status' AS "status!", data->>'txHash' AS tx_hash,
                  CASE WHEN data->>'status' IN ('pending', 'approved') AND (data->>'holdUntil')::timestamptz > now()
                       THEN (data->>'holdUntil')::timestamptz END AS hold_until,
                  (data->>'status' IN ('pending', 'approved') AND NOT data ? 'mintBatch'
                   AND NOT EXISTS (SELECT 1 FROM wallets p
                                   WHERE p.user_id = $1 AND lower(p.address) = lower(r.data->>'referrerWallet')
                                     AND p.proven_at IS NOT NULL)) AS "held_for_wallet!",
                  created_at
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
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(MyReward {
                id: r.id,
                order_reference: r.order_reference,
                kind: if r.kind == "membership" {
                    RewardKind::Membership
                } else {
                    RewardKind::Store
                },
                referral_code: r.code,
                rail: if r.rail == "crypto" {
                    Rail::Crypto
                } else {
                    Rail::Fiat
                },
                fiat_amount: r.fiat,
                currency: r.currency,
                amount_wei: r.wei,
                netted_wei: r.netted,
                price_needed: r.price_needed,
                status: RewardStatus::parse(&r.status)?,
                tx_hash: r.tx_hash,
                hold_until: r.hold_until,
                held_for_wallet: r.held_for_wallet,
                created_at: r.created_at,
            })
        })
        .collect())
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

// ---- The reward minter (README, Minting) ----

/// The key of the PostgreSQL advisory lock that makes mint runs single flight across app instances.
const MINT_LOCK: i64 = i64::from_be_bytes(*b"refcmint");

/// Takes the mint lock for this session without waiting; `false` when another session holds it.
pub async fn try_mint_lock(conn: &mut sqlx::PgConnection) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT pg_try_advisory_lock($1) AS "locked!""#, MINT_LOCK)
        .fetch_one(conn)
        .await
}

pub async fn mint_unlock(conn: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!(r#"SELECT pg_advisory_unlock($1) AS "unlocked!""#, MINT_LOCK)
        .fetch_one(conn)
        .await
        .map(drop)
}

/// An approved reward claimed by a mint run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub order_reference: String,
    pub wallet: Option<String>,
    pub amount_wei: String,
    /// The chain head before the first claim of this reward: its payment cannot be in an earlier block.
    pub from_block: i64,
    pub referrer_user_id: String,
    /// Claimed for the first time: no transaction can have carried it yet, so clawbacks may still be netted from it.
    pub first_claim: bool,
}

/// Claims up to `limit` approved rewards whose code no admin blocked, whose hold is over, whose wallet its referrer
/// has proven (or that a run claimed before: a transaction may carry it already, so it is never held back from its
/// `paidOrders` check) and whose order was not refunded (a send that did not land for a refunded order comes back approved:
/// the sweeper voids it), oldest first, skipping rows other transactions hold, and records the intent on them (`mintBatch`, the earliest `mintFromBlock`, one more `attempts`) while they stay `approved`.
pub async fn claim_for_mint(
    db: impl PgExecutor<'_>,
    limit: i64,
    batch: &str,
    from_block: i64,
) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as!(
        Claimed,
        r#"UPDATE referral_rewards r
           SET data = r.data || jsonb_build_object('mintBatch', $2::text,
                   'mintFromBlock', LEAST(COALESCE((r.data->>'mintFromBlock')::bigint, $3::bigint), $3::bigint),
                                                  'attempts', COALESCE((r.data->>'attempts')::int, 0) + 1),
               updated_at = now()
           WHERE r.id IN (SELECT w.id FROM referral_rewards w
                          WHERE w.data->>'status' = 'approved'
                            AND NOT COALESCE((w.data->>'priceNeeded')::boolean, false)
                            AND NOT EXISTS (SELECT 1 FROM orders o
                                            WHERE o.data->>'orderReference' = w.data->>'orderReference'
                                              AND o.data->>'status' = 'refunded')
                            AND COALESCE((w.data->>'holdUntil')::timestamptz <= now(), true)
                            AND NOT EXISTS (SELECT 1 FROM refcodes c
                                            WHERE upper(c.data->>'code') = upper(w.data->>'referralCode')
                                              AND (c.data->>'blocked')::boolean)
                            AND (w.data ? 'mintBatch'
                                 OR EXISTS (SELECT 1 FROM wallets p
                                            WHERE p.user_id = w.data->>'referrerUserId'
                                              AND lower(p.address) = lower(w.data->>'referrerWallet')
                                              AND p.proven_at IS NOT NULL))
                          ORDER BY w.created_at, w.id LIMIT $1 FOR UPDATE OF w SKIP LOCKED)
             AND r.data->>'status' = 'approved'
           RETURNING r.id, r.data->>'orderReference' AS "order_reference!", r.data->>'referrerWallet' AS wallet,
                     r.data->>'amountWei' AS "amount_wei!", (r.data->>'mintFromBlock')::bigint AS "from_block!",
                     r.data->>'referrerUserId' AS "referrer_user_id!",
                     (r.data->>'attempts')::int = 1 AS "first_claim!""#,
        limit,
        batch,
        from_block
    )
    .fetch_all(db)
    .await
}

/// Takes `amount_wei` of a reward claimed by `batch` (still `approved`) for the referrer's clawbacks: its
/// `amountWei` goes down, its `nettedWei` up, and it is `netted` when nothing is left to mint; `false` when
/// the reward moved on since the claim or has less than that.
pub async fn net(
    db: impl PgExecutor<'_>,
    id: &str,
    batch: &str,
    amount_wei: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        r#"UPDATE referral_rewards
           SET data = data || jsonb_build_object(
                   'amountWei', ((data->>'amountWei')::numeric - $3::text::numeric)::text,
                   'nettedWei', (COALESCE((data->>'nettedWei')::numeric, 0) + $3::text::numeric)::text,
                   'status', CASE WHEN (data->>'amountWei')::numeric = $3::text::numeric
                                  THEN 'netted' ELSE 'approved' END),
               updated_at = now()
           WHERE id = $1 AND data->>'status' = 'approved' AND data->>'mintBatch' = $2
             AND (data->>'amountWei')::numeric >= $3::text::numeric"#,
        id,
        batch,
        amount_wei
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks (until the transaction ends) the given rewards that are still approved and claimed by `batch`;
/// returns their ids (one voided since the claim is left out).
pub async fn lock_claimed(
    db: impl PgExecutor<'_>,
    ids: &[String],
    batch: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT id FROM referral_rewards
           WHERE id = ANY($1) AND data->>'status' = 'approved' AND data->>'mintBatch' = $2
           FOR UPDATE"#,
        ids,
        batch
    )
    .fetch_all(db)
    .await
}

/// Moves the given rewards that are still approved and claimed by `batch` to `minting`, to be paid by the
/// transaction of `nonce` from `sender` (not signed yet: no hash), and returns their ids (one voided since the
/// claim is left out). It commits before anything is sent: no row stays locked while the chain is called.
pub async fn mark_sending(
    db: impl PgExecutor<'_>,
    ids: &[String],
    batch: &str,
    sender: &str,
    nonce: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"UPDATE referral_rewards
           SET data = data || jsonb_build_object('status', 'minting', 'txHash', NULL, 'txHashes', '[]'::jsonb,
                                                 'txFrom', $3::text, 'txNonce', $4::bigint, 'blockNumber', NULL,
                                                 'lastError', NULL, 'sentAt', now()),
               updated_at = now()
           WHERE id = ANY($1) AND data->>'status' = 'approved' AND data->>'mintBatch' = $2
           RETURNING id"#,
        ids,
        batch,
        sender,
        nonce
    )
    .fetch_all(db)
    .await
}

/// Records `tx_hash`, signed with `nonce` and not broadcast yet, as the transaction that pays the given rewards
/// (still `minting` with that nonce); the earlier ones of the nonce stay in `txHashes`, as any of them may be
/// mined.
pub async fn record_signed(
    db: impl PgExecutor<'_>,
    ids: &[String],
    nonce: i64,
    tx_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE referral_rewards
           SET data = data || jsonb_build_object(
                   'txHash', $3::text, 'sentAt', now(),
                   'txHashes', CASE WHEN COALESCE(data->'txHashes', '[]'::jsonb) ? $3
                                    THEN data->'txHashes'
                                    ELSE COALESCE(data->'txHashes', '[]'::jsonb) || to_jsonb($3::text) END),
               updated_at = now()
           WHERE id = ANY($1) AND data->>'status' = 'minting' AND (data->>'txNonce')::bigint = $2"#,
        ids,
        nonce,
        tx_hash
    )
    .execute(db)
    .await
    .map(drop)
}

/// The highest nonce `minting` rewards of `sender` wait on, if any.
pub async fn highest_open_nonce(
    db: impl PgExecutor<'_>,
    sender: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"SELECT max((data->>'txNonce')::bigint) FROM referral_rewards
           WHERE data->>'status' = 'minting' AND lower(data->>'txFrom') = lower($1)"#,
        sender
    )
    .fetch_one(db)
    .await
}

/// A `minting` reward waiting on a nonce, as its transaction pays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub id: String,
    pub order_reference: String,
    pub wallet: Option<String>,
    pub amount_wei: String,
    /// Newest last.
    pub tx_hashes: Vec<String>,
    /// Seconds since its latest transaction was signed (the database's clock).
    pub age_secs: i64,
    /// Its order was refunded since it was sent.
    pub refunded: bool,
}

/// The `minting` rewards of `sender` waiting on `nonce`, in the order a batch lists them.
pub async fn waiting_on(
    db: impl PgExecutor<'_>,
    sender: &str,
    nonce: i64,
) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as!(
        Waiting,
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'referrerWallet' AS wallet,
                  data->>'amountWei' AS "amount_wei!",
                  ARRAY(SELECT jsonb_array_elements_text(COALESCE(data->'txHashes', '[]'::jsonb))) AS "tx_hashes!",
                  EXTRACT(EPOCH FROM now() - COALESCE((data->>'sentAt')::timestamptz, updated_at))::bigint
                    AS "age_secs!",
                  EXISTS (SELECT 1 FROM orders o WHERE o.data->>'orderReference' = r.data->>'orderReference'
                                                   AND o.data->>'status' = 'refunded') AS "refunded!"
           FROM referral_rewards r
           WHERE data->>'status' = 'minting' AND lower(data->>'txFrom') = lower($1)
             AND (data->>'txNonce')::bigint = $2
           ORDER BY created_at, id"#,
        sender,
        nonce
    )
    .fetch_all(db)
    .await
}

/// A `minted` reward whose payment is recent enough to be checked again for a reorganisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentlyMinted {
    pub id: String,
    pub order_reference: String,
    pub tx_hash: Option<String>,
    pub block_number: i64,
}

/// The `minted` rewards paid in block `since` or later.
pub async fn minted_since(
    db: impl PgExecutor<'_>,
    since: i64,
) -> sqlx::Result<Vec<RecentlyMinted>> {
    sqlx::query_as!(
        RecentlyMinted,
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'txHash' AS tx_hash,
                  (data->>'blockNumber')::bigint AS "block_number!"
           FROM referral_rewards
           WHERE data->>'status' = 'minted' AND jsonb_typeof(data->'blockNumber') = 'number'
             AND (data->>'blockNumber')::bigint >= $1
           ORDER BY created_at, id"#,
        since
    )
    .fetch_all(db)
    .await
}

/// A reward that is (or may be) on its way on chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub id: String,
    pub order_reference: String,
    pub tx_hash: Option<String>,
    pub from_block: Option<i64>,
    /// Who signed its transactions, and with which nonce (none for a reward sent before nonces were recorded).
    pub tx_from: Option<String>,
    pub nonce: Option<i64>,
    /// Every transaction signed for it with that nonce, the latest included.
    pub tx_hashes: Vec<String>,
}

/// Rewards in `minting`, oldest first.
pub async fn minting(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<InFlight>> {
    sqlx::query_as!(
        InFlight,
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'txHash' AS tx_hash,
                  (data->>'mintFromBlock')::bigint AS from_block, data->>'txFrom' AS tx_from,
                  (data->>'txNonce')::bigint AS nonce,
                  ARRAY(SELECT jsonb_array_elements_text(COALESCE(data->'txHashes', '[]'::jsonb))) AS "tx_hashes!"
           FROM referral_rewards WHERE data->>'status' = 'minting'
           ORDER BY created_at, id LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// Notes why the given rewards are waiting, without moving them.
pub async fn note_error(db: impl PgExecutor<'_>, ids: &[String], error: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE referral_rewards SET data = jsonb_set(data, '{lastError}', to_jsonb($2::text)), updated_at = now()
           WHERE id = ANY($1)"#,
        ids,
        error
    )
    .execute(db)
    .await
    .map(drop)
}

/// How many rewards are in each status.
pub async fn count_by_status(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT data->>'status' AS "status!", count(*) AS "count!" FROM referral_rewards GROUP BY 1"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.count)).collect())
}

/// A reward as the ledger↔chain reconciliation compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: String,
    pub order_reference: String,
    pub status: String,
    pub wallet: Option<String>,
    pub amount_wei: String,
    pub tx_hash: Option<String>,
}

/// Every reward, oldest first.
pub async fn ledger_entries(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<LedgerEntry>> {
    sqlx::query_as!(
        LedgerEntry,
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'status' AS "status!",
                  data->>'referrerWallet' AS wallet, data->>'amountWei' AS "amount_wei!", data->>'txHash' AS tx_hash
           FROM referral_rewards ORDER BY created_at, id"#
    )
    .fetch_all(db)
    .await
}
