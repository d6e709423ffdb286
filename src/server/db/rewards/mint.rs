//! The mint run's queries on `referral_rewards` (README, Minting): the single-flight lock, claims, nettings,
//! the nonce a batch waits on, and what reconciliation reads back.
use super::doc::read_status;
use crate::domain::reward::RewardStatus;
use sqlx::PgExecutor;

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
pub async fn count_by_status(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(RewardStatus, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT data->>'status' AS "status!", count(*) AS "count!" FROM referral_rewards GROUP BY 1"#
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| Ok((read_status("(any)", &r.status)?, r.count)))
        .collect()
}

/// A reward as the ledger↔chain reconciliation compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: String,
    pub order_reference: String,
    pub status: RewardStatus,
    pub wallet: Option<String>,
    pub amount_wei: String,
    pub tx_hash: Option<String>,
}

/// Every reward, oldest first.
pub async fn ledger_entries(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<LedgerEntry>> {
    let rows = sqlx::query!(
        r#"SELECT id, data->>'orderReference' AS "order_reference!", data->>'status' AS "status!",
                  data->>'referrerWallet' AS wallet, data->>'amountWei' AS "amount_wei!", data->>'txHash' AS tx_hash
           FROM referral_rewards ORDER BY created_at, id"#
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(LedgerEntry {
                status: read_status(&r.id, &r.status)?,
                id: r.id,
                order_reference: r.order_reference,
                wallet: r.wallet,
                amount_wei: r.amount_wei,
                tx_hash: r.tx_hash,
            })
        })
        .collect()
}
