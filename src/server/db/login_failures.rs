use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

/// Records a sign-in attempt for `email` unless it already has `max` within the last `window_minutes` (then the
/// recent failures come back instead). Atomic per email: a transaction-scoped advisory lock on the email orders
/// concurrent attempts, so no more than `max` can pass. A successful sign-in [`clear`]s them.
pub async fn reserve(
    pool: &PgPool,
    email: &str,
    max: u32,
    window_minutes: u32,
) -> sqlx::Result<Result<(), RecentFailures>> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtext('login:' || $1))",
        email
    )
    .execute(&mut *tx)
    .await?;
    let recent = recent(&mut *tx, email, window_minutes).await?;
    if recent.count >= i64::from(max) {
        return Ok(Err(recent));
    }
    sqlx::query!("INSERT INTO login_failures (email) VALUES ($1)", email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(()))
}

pub struct RecentFailures {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn recent(
    db: impl PgExecutor<'_>,
    email: &str,
    window_minutes: u32,
) -> sqlx::Result<RecentFailures> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "count!", min(created_at) AS oldest FROM login_failures
           WHERE email = $1 AND created_at > now() - make_interval(mins => $2)"#,
        email,
        window_minutes as i32
    )
    .fetch_one(db)
    .await?;
    Ok(RecentFailures {
        count: row.count,
        oldest: row.oldest,
    })
}

pub async fn clear(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM login_failures WHERE email = $1", email)
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
