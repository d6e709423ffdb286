use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

/// How many sign-in attempts may fail within a window: per email and client address, and per email from anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_client: u32,
    pub per_account: u32,
    pub window_minutes: u32,
}

/// Records a sign-in attempt for `email` from `client` unless that pair already has `per_client` within the window,
/// or the email `per_account` from every address (then the recent failures that stand in the way come back instead).
/// Atomic per email: a transaction-scoped advisory lock on the email orders concurrent attempts, so no more than
/// the limits allow can pass. A successful sign-in [`clear`]s that client's.
pub async fn reserve(
    pool: &PgPool,
    email: &str,
    client: &str,
    limits: Limits,
) -> sqlx::Result<Result<(), RecentFailures>> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('login:' || $1))",
        email
    )
    .execute(&mut *tx)
    .await?;
    let window = limits.window_minutes;
    let mine = recent(&mut *tx, email, Some(client), window).await?;
    if mine.count >= i64::from(limits.per_client) {
        return Ok(Err(mine));
    }
    let everyone = recent(&mut *tx, email, None, window).await?;
    if everyone.count >= i64::from(limits.per_account) {
        return Ok(Err(everyone));
    }
    sqlx::query!(
        "INSERT INTO login_failures (email, client_ip) VALUES ($1, $2)",
        email,
        client
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

pub struct RecentFailures {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// The failures for `email` within the window, from `client` only or (`None`) from every address.
pub async fn recent(
    db: impl PgExecutor<'_>,
    email: &str,
    client: Option<&str>,
    window_minutes: u32,
) -> sqlx::Result<RecentFailures> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "count!", min(created_at) AS oldest FROM login_failures
           WHERE email = $1 AND ($2::text IS NULL OR client_ip = $2)
             AND created_at > now() - make_interval(mins => $3)"#,
        email,
        client,
        window_minutes as i32
    )
    .fetch_one(db)
    .await?;
    Ok(RecentFailures {
        count: row.count,
        oldest: row.oldest,
    })
}

/// A successful sign-in from `client` forgets that client's attempts at `email`.
pub async fn clear(db: impl PgExecutor<'_>, email: &str, client: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM login_failures WHERE email = $1 AND client_ip = $2",
        email,
        client
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Deletes failures older than `hours` (long past any throttle window): the count removed.
pub async fn purge_older_than(db: impl PgExecutor<'_>, hours: u32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "DELETE FROM login_failures WHERE created_at < now() - make_interval(hours => $1)",
        hours as i32
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
