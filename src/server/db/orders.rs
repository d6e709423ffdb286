//! The `orders` collection. `data = {orderReference, kind, buyerUserId, items, amount, currency, status, rail,
//! referralCode, referrerUserId, referrerWallet, attributionRejected, tier, oversold, rewardOutcome, toRefund}`
//! (`rewardOutcome`: what the reward ledger decided when the order was paid, absent while undecided; `toRefund`: why a
//! paid order should be refunded, e.g. `notAnUpgrade`).
use crate::domain::admin::{OrderToRefund, RefundReason};
use crate::domain::store::{
    AttributedVia, OrderKind, OrderLine, OrderStatus, OrderView, Rail, Referral, Rejection,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgExecutor;

/// Why an order's referral was refused, kept on the order for the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionRejected {
    pub code: String,
    pub reason: Rejection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDoc {
    pub order_reference: String,
    pub kind: OrderKind,
    pub buyer_user_id: String,
    #[serde(default)]
    pub items: Vec<OrderLine>,
    pub amount: i64,
    pub currency: String,
    pub status: OrderStatus,
    #[serde(default)]
    pub rail: Option<Rail>,
    #[serde(default)]
    pub referral_code: Option<String>,
    #[serde(default)]
    pub referrer_user_id: Option<String>,
    #[serde(default)]
    pub referrer_wallet: Option<String>,
    #[serde(default)]
    pub referral_via: Option<AttributedVia>,
    #[serde(default)]
    pub attribution_rejected: Option<AttributionRejected>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl OrderDoc {
    pub fn referral(&self) -> Option<Referral> {
        Some(Referral {
            referral_code: self.referral_code.clone()?,
            referrer_user_id: self.referrer_user_id.clone()?,
            referrer_wallet: self.referrer_wallet.clone()?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct OrderRecord {
    pub id: String,
    pub doc: OrderDoc,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl OrderRecord {
    pub fn view(&self) -> OrderView {
        let d = &self.doc;
        OrderView {
            order_reference: d.order_reference.clone(),
            kind: d.kind,
            status: d.status,
            rail: d.rail,
            lines: d.items.clone(),
            tier: d.tier.clone(),
            amount: d.amount,
            currency: d.currency.clone(),
            referral_code: d.referral_code.clone(),
            created_at: self.created_at,
        }
    }
}

fn record(
    id: String,
    data: Value,
    created_at: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<OrderRecord> {
    let doc = serde_json::from_value(data).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(OrderRecord {
        id,
        doc,
        created_at,
    })
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    id: &str,
    doc: &OrderDoc,
) -> sqlx::Result<OrderRecord> {
    let data = serde_json::to_value(doc).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let row = sqlx::query!(
        "INSERT INTO orders (id, data) VALUES ($1, $2) RETURNING id, data, created_at",
        id,
        data
    )
    .fetch_one(db)
    .await?;
    record(row.id, row.data, row.created_at)
}

pub async fn by_reference(
    db: impl PgExecutor<'_>,
    reference: &str,
) -> sqlx::Result<Option<OrderRecord>> {
    let row = sqlx::query!(
        "SELECT id, data, created_at FROM orders WHERE data->>'orderReference' = $1",
        reference
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| record(r.id, r.data, r.created_at)).transpose()
}

/// Whether the buyer already bought from the store (a paid store order, or one paid and refunded since).
pub async fn buyer_has_purchase(db: impl PgExecutor<'_>, buyer: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM orders WHERE data->>'buyerUserId' = $1 AND data->>'kind' = 'store'
                          AND data->>'status' IN ('paid', 'refunded')) AS "exists!""#,
        buyer
    )
    .fetch_one(db)
    .await
}

/// Moves an order from `from` to `to` (the check and the write are one statement, so exactly one of
/// several concurrent callers gets the order back: that one made the change).
pub async fn change_status(
    db: impl PgExecutor<'_>,
    reference: &str,
    from: OrderStatus,
    to: OrderStatus,
    patch: Value,
) -> sqlx::Result<Option<OrderRecord>> {
    let from = serde_json::to_value(from).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let to = serde_json::to_value(to).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let row = sqlx::query!(
        r#"UPDATE orders SET data = data || $4 || jsonb_build_object('status', $3::jsonb), updated_at = now()
           WHERE data->>'orderReference' = $1 AND data->'status' = $2
           RETURNING id, data, created_at"#,
        reference,
        from,
        to,
        patch
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| record(r.id, r.data, r.created_at)).transpose()
}

/// A buyer's latest orders.
pub async fn for_buyer(
    db: impl PgExecutor<'_>,
    buyer: &str,
    limit: i64,
) -> sqlx::Result<Vec<OrderRecord>> {
    let rows = sqlx::query!(
        r#"SELECT id, data, created_at FROM orders WHERE data->>'buyerUserId' = $1
           ORDER BY created_at DESC, id DESC LIMIT $2"#,
        buyer,
        limit
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| record(r.id, r.data, r.created_at))
        .collect()
}

/// Notes products that ran out while the order was being paid (the admin follows up).
pub async fn flag_oversold(
    db: impl PgExecutor<'_>,
    reference: &str,
    products: &[String],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE orders SET data = jsonb_set(data, '{oversold}', to_jsonb($2::text[])), updated_at = now()
           WHERE data->>'orderReference' = $1"#,
        reference,
        products
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Notes what the reward ledger decided for a paid order.
pub async fn note_reward_outcome(
    db: impl PgExecutor<'_>,
    reference: &str,
    outcome: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE orders SET data = jsonb_set(data, '{rewardOutcome}', to_jsonb($2::text)), updated_at = now()
           WHERE data->>'orderReference' = $1"#,
        reference,
        outcome
    )
    .execute(db)
    .await
    .map(drop)
}

/// Paid orders the reward ledger has not decided yet, oldest first (at most `limit`).
pub async fn paid_undecided(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"SELECT data->>'orderReference' AS "reference!" FROM orders
           WHERE data->>'status' = 'paid' AND NOT data ? 'rewardOutcome'
           ORDER BY created_at, id LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// Locks a paid, undecided order until the transaction ends; `None` once it is decided, refunded or gone.
pub async fn lock_paid_undecided(
    db: impl PgExecutor<'_>,
    reference: &str,
) -> sqlx::Result<Option<OrderRecord>> {
    let row = sqlx::query!(
        r#"SELECT id, data, created_at FROM orders
           WHERE data->>'orderReference' = $1 AND data->>'status' = 'paid' AND NOT data ? 'rewardOutcome'
           FOR UPDATE"#,
        reference
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| record(r.id, r.data, r.created_at)).transpose()
}

/// Marks a paid order for the admin to refund, with why.
pub async fn flag_to_refund(
    db: impl PgExecutor<'_>,
    reference: &str,
    reason: RefundReason,
) -> sqlx::Result<()> {
    let reason = serde_json::to_value(reason).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let reason = reason.as_str().unwrap_or_default();
    sqlx::query!(
        r#"UPDATE orders SET data = jsonb_set(data, '{toRefund}', to_jsonb($2::text)), updated_at = now()
           WHERE data->>'orderReference' = $1"#,
        reference,
        reason
    )
    .execute(db)
    .await
    .map(drop)
}

/// The member's membership order waiting for payment, if any (at most one: a unique index).
pub async fn open_membership(
    db: impl PgExecutor<'_>,
    buyer: &str,
) -> sqlx::Result<Option<OrderRecord>> {
    let row = sqlx::query!(
        r#"SELECT id, data, created_at FROM orders
           WHERE data->>'buyerUserId' = $1 AND data->>'kind' = 'membership' AND data->>'status' = 'created'"#,
        buyer
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| record(r.id, r.data, r.created_at)).transpose()
}

/// Moves a card-paid order to `refunded`; `None` when it is not paid, or paid by another rail (a card refund of a
/// second payment must not refund the order).
pub async fn refund_card_paid(
    db: impl PgExecutor<'_>,
    reference: &str,
    patch: Value,
) -> sqlx::Result<Option<OrderRecord>> {
    let row = sqlx::query!(
        r#"UPDATE orders SET data = data || $2 || '{"status": "refunded"}', updated_at = now()
           WHERE data->>'orderReference' = $1 AND data->>'status' = 'paid' AND data->>'rail' = 'fiat'
           RETURNING id, data, created_at"#,
        reference,
        patch
    )
    .fetch_optional(db)
    .await?;
    row.map(|r| record(r.id, r.data, r.created_at)).transpose()
}

/// The card refund of a second payment arrived: the order is no longer to refund (`cardRefundedAt` says when).
pub async fn resolve_double_charge(db: impl PgExecutor<'_>, reference: &str) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE orders SET data = (data - 'toRefund') || jsonb_build_object('cardRefundedAt', now()),
                             updated_at = now()
           WHERE data->>'orderReference' = $1 AND data->>'toRefund' = 'paidTwice'"#,
        reference
    )
    .execute(db)
    .await
    .map(drop)
}

/// Orders marked for the admin to refund, most recently marked first (at most `limit`).
pub async fn to_refund(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<OrderToRefund>> {
    let rows = sqlx::query!(
        r#"SELECT o.data->>'orderReference' AS "reference!", u.data->>'email' AS email,
                  (o.data->>'amount')::bigint AS "amount!", o.data->>'currency' AS "currency!",
                  o.data->'rail' AS rail, o.data->'toRefund' AS "reason!", o.updated_at
           FROM orders o LEFT JOIN users u ON u.id = o.data->>'buyerUserId'
           WHERE o.data ? 'toRefund'
           ORDER BY o.updated_at DESC, o.id LIMIT $1"#,
        limit
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let decode = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
            Ok(OrderToRefund {
                order_reference: r.reference,
                buyer_email: r.email,
                amount: r.amount,
                currency: r.currency,
                rail: r
                    .rail
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(decode)?,
                reason: serde_json::from_value(r.reason).map_err(decode)?,
                updated_at: r.updated_at,
            })
        })
        .collect()
}

/// Points the orders of a member's code whose reward is still to be written (not paid yet, or paid and not decided)
/// at `wallet`: the reward, once written, pays there. Returns their references.
pub async fn repoint_unrewarded(
    db: impl PgExecutor<'_>,
    user_id: &str,
    code: &str,
    wallet: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"UPDATE orders
           SET data = data || jsonb_build_object('referrerWallet', $3::text), updated_at = now()
           WHERE data->>'referrerUserId' = $1 AND upper(data->>'referralCode') = upper($2)
             AND (data->>'status' IN ('created', 'failed') OR (data->>'status' = 'paid' AND NOT data ? 'rewardOutcome'))
             AND lower(data->>'referrerWallet') <> lower($3)
           RETURNING data->>'orderReference' AS "order_reference!""#,
        user_id,
        code,
        wallet
    )
    .fetch_all(db)
    .await
}
