//! The `credit_ledger` collection: a user's platform credit as signed entries
//! (`kind` grant | order_debit | order_refund; `amount` in minor units).
use super::violated_constraint;
use serde_json::json;
use sqlx::PgExecutor;

pub async fn balance(db: impl PgExecutor<'_>, user_id: &str, currency: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(sum((data->>'amount')::bigint), 0)::bigint AS "balance!" FROM credit_ledger
           WHERE data->>'userId' = $1 AND data->>'currency' = $2"#,
        user_id,
        currency
    )
    .fetch_one(db)
    .await
}

pub async fn grant(
    db: impl PgExecutor<'_>,
    user_id: &str,
    amount: i64,
    currency: &str,
    granted_by: &str,
) -> sqlx::Result<()> {
    let data = json!({
        "userId": user_id, "amount": amount, "currency": currency, "kind": "grant", "grantedBy": granted_by,
    });
    sqlx::query!(
        "INSERT INTO credit_ledger (id, data) VALUES ($1, $2)",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Debits an order's amount; `false` when this order was debited already.
pub async fn debit_order(
    db: impl PgExecutor<'_>,
    user_id: &str,
    amount: i64,
    currency: &str,
    order_reference: &str,
) -> sqlx::Result<bool> {
    let entry = OrderEntry {
        kind: "order_debit",
        user_id,
        amount: -amount,
        currency,
        order_reference,
    };
    insert_once(db, entry, "credit_ledger_order_debit_key").await
}

/// Credits a credit-paid order's amount back; `false` when this order was refunded already.
pub async fn refund_order(
    db: impl PgExecutor<'_>,
    user_id: &str,
    amount: i64,
    currency: &str,
    order_reference: &str,
) -> sqlx::Result<bool> {
    let entry = OrderEntry {
        kind: "order_refund",
        user_id,
        amount,
        currency,
        order_reference,
    };
    insert_once(db, entry, "credit_ledger_order_refund_key").await
}

/// An entry an order makes, at most one of its kind per order.
struct OrderEntry<'a> {
    kind: &'static str,
    user_id: &'a str,
    amount: i64,
    currency: &'a str,
    order_reference: &'a str,
}

/// Inserts `entry`; `false` when the order has one of that kind already (`once` is the unique index saying so).
async fn insert_once(
    db: impl PgExecutor<'_>,
    entry: OrderEntry<'_>,
    once: &str,
) -> sqlx::Result<bool> {
    let data = json!({
        "userId": entry.user_id, "amount": entry.amount, "currency": entry.currency, "kind": entry.kind,
        "orderReference": entry.order_reference,
    });
    match sqlx::query!(
        "INSERT INTO credit_ledger (id, data) VALUES ($1, $2)",
        uuid::Uuid::new_v4().to_string(),
        data
    )
    .execute(db)
    .await
    {
        Ok(_) => Ok(true),
        Err(e) if violated_constraint(&e) == Some(once) => Ok(false),
        Err(e) => Err(e),
    }
}
