//! The member's wallets (`wallets`) and the messages issued to prove them (`wallet_challenges`).
use super::violated_constraint;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A wallet in a member's profile; `proven_at` is `None` for one declared before proofs existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletRow {
    pub address: String,
    pub proven_at: Option<DateTime<Utc>>,
}

pub struct NewChallenge<'a> {
    pub nonce: &'a str,
    pub user_id: &'a str,
    pub address: &'a str,
    pub message: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// An issued message, as the proof that names its nonce finds it.
pub struct ChallengeRow {
    pub user_id: String,
    pub address: String,
    pub message: String,
    pub expires_at: DateTime<Utc>,
    pub consumed: bool,
}

pub struct Proof<'a> {
    pub user_id: &'a str,
    pub address: &'a str,
    pub message: &'a str,
    pub signature: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Proved {
    Stored,
    /// The member had proven this wallet already.
    AlreadyProven,
    /// Another account has proven it.
    Taken,
}

/// A member's wallets, in the order they were added.
pub async fn list(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<Vec<WalletRow>> {
    sqlx::query_as!(
        WalletRow,
        "SELECT address, proven_at FROM wallets WHERE user_id = $1 ORDER BY created_at, address",
        user_id
    )
    .fetch_all(db)
    .await
}

/// Every wallet that is the buyer's own as far as the wallet-overlap guard is concerned: their wallets and the
/// payout wallets of their own codes.
pub async fn of_buyer(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT address AS "address!" FROM wallets WHERE user_id = $1
           UNION SELECT data->>'wallet' FROM refcodes WHERE data->>'userId' = $1"#,
        user_id
    )
    .fetch_all(db)
    .await
}

/// Whether `user_id` has proven `address` (any case). `FOR SHARE` holds the proof until the caller's
/// transaction ends, so the wallet cannot be removed under a code being pointed at it.
pub async fn is_proven_by(
    db: impl PgExecutor<'_>,
    user_id: &str,
    address: &str,
) -> sqlx::Result<bool> {
    let row = sqlx::query_scalar!(
        r#"SELECT 1 AS "one!" FROM wallets
           WHERE user_id = $1 AND lower(address) = lower($2) AND proven_at IS NOT NULL FOR SHARE"#,
        user_id,
        address
    )
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

pub async fn count(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM wallets WHERE user_id = $1"#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// Stores an issued message after dropping the member's expired ones and all but the newest `keep - 1` still open,
/// so a member holds at most `keep` open messages however often they ask.
pub async fn issue_challenge(
    db: &mut PgConnection,
    challenge: &NewChallenge<'_>,
    keep: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"DELETE FROM wallet_challenges
           WHERE user_id = $1 AND consumed_at IS NULL
             AND (expires_at < now()
                  OR nonce IN (SELECT nonce FROM wallet_challenges
                               WHERE user_id = $1 AND consumed_at IS NULL
                               ORDER BY issued_at DESC, nonce OFFSET $2))"#,
        challenge.user_id,
        keep - 1
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        r#"INSERT INTO wallet_challenges (nonce, user_id, address, message, expires_at)
           VALUES ($1, $2, $3, $4, $5)"#,
        challenge.nonce,
        challenge.user_id,
        challenge.address,
        challenge.message,
        challenge.expires_at
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// The member's messages still open (not used, not expired), newest first.
pub async fn open_challenges(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> sqlx::Result<Vec<ChallengeRow>> {
    sqlx::query_as!(
        ChallengeRow,
        r#"SELECT user_id, address, message, expires_at, false AS "consumed!"
           FROM wallet_challenges
           WHERE user_id = $1 AND consumed_at IS NULL AND expires_at >= now()
           ORDER BY issued_at DESC, nonce"#,
        user_id
    )
    .fetch_all(db)
    .await
}

/// The message issued with `nonce`, locked until the caller's transaction ends.
pub async fn challenge_for_update(
    db: impl PgExecutor<'_>,
    nonce: &str,
) -> sqlx::Result<Option<ChallengeRow>> {
    sqlx::query_as!(
        ChallengeRow,
        r#"SELECT user_id, address, message, expires_at, consumed_at IS NOT NULL AS "consumed!"
           FROM wallet_challenges WHERE nonce = $1 FOR UPDATE"#,
        nonce
    )
    .fetch_optional(db)
    .await
}

/// Uses the message up and stores the proof: a new wallet, or the proof of one declared before proofs existed.
/// Expects a transaction (the caller rolls back on anything but `Stored`).
pub async fn prove(db: &mut PgConnection, nonce: &str, proof: &Proof<'_>) -> sqlx::Result<Proved> {
    sqlx::query!(
        "UPDATE wallet_challenges SET consumed_at = now() WHERE nonce = $1",
        nonce
    )
    .execute(&mut *db)
    .await?;
    let stored = sqlx::query_scalar!(
        r#"INSERT INTO wallets (user_id, address, message, signature, proven_at)
           VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (user_id, lower(address)) DO UPDATE
              SET address = EXCLUDED.address, message = EXCLUDED.message,
                  signature = EXCLUDED.signature, proven_at = EXCLUDED.proven_at
              WHERE wallets.proven_at IS NULL
           RETURNING 1 AS "one!""#,
        proof.user_id,
        proof.address,
        proof.message,
        proof.signature
    )
    .fetch_optional(&mut *db)
    .await;
    match stored {
        Ok(Some(_)) => {
            sqlx::query!(
                r#"DELETE FROM wallet_challenges
                   WHERE user_id = $1 AND lower(address) = lower($2) AND consumed_at IS NULL"#,
                proof.user_id,
                proof.address
            )
            .execute(&mut *db)
            .await?;
            Ok(Proved::Stored)
        }
        Ok(None) => Ok(Proved::AlreadyProven),
        Err(e) if violated_constraint(&e) == Some("wallets_proven_address_key") => {
            Ok(Proved::Taken)
        }
        Err(e) => Err(e),
    }
}

/// The member's codes that pay to `address` (any case), or whose rewards or orders no mint run has claimed yet
/// still do (editing the code points them at its wallet).
pub async fn codes_paying_to(
    db: impl PgExecutor<'_>,
    user_id: &str,
    address: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT code AS "code!" FROM (
               SELECT data->>'code' AS code FROM refcodes
                WHERE data->>'userId' = $1 AND lower(data->>'wallet') = lower($2)
               UNION
               SELECT upper(data->>'referralCode') FROM referral_rewards
                WHERE data->>'referrerUserId' = $1 AND lower(data->>'referrerWallet') = lower($2)
                  AND data->>'status' IN ('pending', 'approved') AND NOT data ? 'mintBatch'
               UNION
               SELECT upper(data->>'referralCode') FROM orders
                WHERE data->>'referrerUserId' = $1 AND lower(data->>'referrerWallet') = lower($2)
                  AND (data->>'status' IN ('created', 'failed')
                       OR (data->>'status' = 'paid' AND NOT data ? 'rewardOutcome'))
           ) paying WHERE code IS NOT NULL ORDER BY code"#,
        user_id,
        address
    )
    .fetch_all(db)
    .await
}

/// Removes a wallet (any case); `false` when it was not in the profile.
pub async fn remove(db: impl PgExecutor<'_>, user_id: &str, address: &str) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "DELETE FROM wallets WHERE user_id = $1 AND lower(address) = lower($2)",
        user_id,
        address
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes the messages issued more than `hours` ago, used or not.
pub async fn purge_challenges_older_than(db: impl PgExecutor<'_>, hours: u32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM wallet_challenges WHERE issued_at < now() - make_interval(hours => $1)",
        hours as i32
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Stores proven wallets as they are, with no message issued and no check: for seeding benchmark and test
/// databases only.
pub async fn insert_proven(
    db: impl PgExecutor<'_>,
    user_id: &str,
    addresses: &[String],
    note: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"INSERT INTO wallets (user_id, address, message, signature, proven_at)
           SELECT $1, a, $3, $3, now() FROM UNNEST($2::text[]) a
           ON CONFLICT DO NOTHING"#,
        user_id,
        addresses,
        note
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
