use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

pub async fn record(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<()> {
    sqlx::query!("INSERT INTO login_failures (email) VALUES ($1)", email)
        .execute(db)
        .await
        .map(|_| ())
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
