//! The `settlements` collection: what each vendor is owed per order (`kind` sale), and its reversal on refund.
use serde_json::json;
use sqlx::PgExecutor;

/// One row per vendor; `sign` is 1 for a sale and -1 for its reversal. A repeat changes nothing.
pub async fn record(
    db: impl PgExecutor<'_>,
    order_reference: &str,
    shares: &[(String, i64)],
    currency: &str,
    reversal: bool,
) -> sqlx::Result<u64> {
    let (kind, sign) = if reversal {
        ("reversal", -1)
    } else {
        ("sale", 1)
    };
    let ids: Vec<String> = shares
        .iter()
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let docs: Vec<serde_json::Value> = shares
        .iter()
        .map(|(vendor, amount)| {
            json!({
                "orderReference": order_reference,
                "vendorId": vendor,
                "amount": sign * amount,
                "currency": currency,
                "kind": kind,
            })
        })
        .collect();
    let done = sqlx::query!(
        r#"INSERT INTO settlements (id, data) SELECT * FROM UNNEST($1::text[], $2::jsonb[])
           ON CONFLICT DO NOTHING"#,
        &ids,
        &docs
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Net amount per vendor of one order (tests and the admin read it).
pub async fn net_for_order(
    db: impl PgExecutor<'_>,
    order_reference: &str,
) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT data->>'vendorId' AS "vendor!", sum((data->>'amount')::bigint)::bigint AS "net!",
                  count(*) AS "rows!"
           FROM settlements WHERE data->>'orderReference' = $1
           GROUP BY 1 ORDER BY 1"#,
        order_reference
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.vendor, r.net, r.rows))
        .collect())
}
