//! The `payment_events` collection: every provider delivery and what we made of it. A signed delivery keeps its
//! raw body (the provider's record); a rejected one — anyone can post it — keeps only its SHA-256, its size and
//! a short prefix, so a flood of junk cannot fill the disk.
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
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
    let mut data = json!({
        "orderReference": d.order_reference,
        "transactionStatus": d.transaction_status,
        "verdict": verdict.as_str(),
        "reason": d.reason,
        "provider": "wayforpay",
    });
    let body = match verdict {
        Verdict::Rejected => body_summary(d.raw_body),
        Verdict::Accepted | Verdict::Duplicate => json!({ "rawBody": d.raw_body }),
    };
    if let (Some(data), Value::Object(body)) = (data.as_object_mut(), body) {
        data.extend(body);
    }
    let done = sqlx::query!(
        "INSERT INTO payment_events (id, data) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Characters of a rejected body kept to tell junk from a misconfigured provider.
const REJECTED_PREFIX_CHARS: usize = 256;

fn body_summary(raw: &str) -> Value {
    json!({
        "rawBodySha256": hex::encode(Sha256::digest(raw.as_bytes())),
        "rawBodySize": raw.len(),
        "rawBodyPrefix": raw.chars().take(REJECTED_PREFIX_CHARS).collect::<String>(),
    })
}

/// Deletes rejected deliveries older than `days`: the count removed.
pub async fn purge_rejected(db: impl PgExecutor<'_>, days: u32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"DELETE FROM payment_events
           WHERE data->>'verdict' = 'rejected' AND created_at < now() - make_interval(days => $1)"#,
        days as i32
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
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
