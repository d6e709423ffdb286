//! The `payment_events` collection: every provider delivery with its raw body and what we made of it.
use serde_json::json;
use sqlx::PgExecutor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Duplicate,
    Rejected,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Duplicate => "duplicate",
            Verdict::Rejected => "rejected",
        }
    }
}

pub struct Delivery<'a> {
    pub order_reference: &'a str,
    pub transaction_status: &'a str,
    pub raw_body: &'a str,
    pub reason: Option<&'a str>,
}

/// Stores a delivery. For `Accepted`, `false` means this (order, status) was accepted before: the caller
/// holds a duplicate. Concurrent identical deliveries wait on the unique index; one wins.
pub async fn record(
    db: impl PgExecutor<'_>,
    d: &Delivery<'_>,
    verdict: Verdict,
) -> sqlx::Result<bool> {
    let data = json!({
        "orderReference": d.order_reference,
        "transactionStatus": d.transaction_status,
        "verdict": verdict.as_str(),
        "reason": d.reason,
        "rawBody": d.raw_body,
        "provider": "wayforpay",
    });
    let done = sqlx::query!(
        "INSERT INTO payment_events (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many deliveries of an order got each verdict (tests and the admin read it).
pub async fn verdicts(
    db: impl PgExecutor<'_>,
    order_reference: &str,
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT data->>'verdict' AS "verdict!", count(*) AS "n!" FROM payment_events
           WHERE data->>'orderReference' = $1 GROUP BY 1 ORDER BY 1"#,
        order_reference
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.verdict, r.n)).collect())
}
