//! Paying back. Marked orders to refund at the provider (a card payment for an order another rail paid already, a
//! membership order that applied no upgrade) are listed for the admin; an order paid with credit is refunded here by
//! an admin: the order, the credit, stock, settlements, the reward (voided, or flagged for clawback once paid out)
//! and the membership move back in one transaction with its audit entry.
use super::on_refunded;
use crate::domain::admin::OrderToRefund;
use crate::domain::money::display;
use crate::domain::store::{OrderStatus, Rail};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::db::{self, audit_log::Entry};
use crate::server::rewards::ledger::Ledger;
use serde_json::json;
use sqlx::PgPool;

/// At most this many are listed (the oldest marks beyond it wait for the newer ones to be handled).
const LISTED: i64 = 100;

pub async fn due(pool: &PgPool) -> Result<Vec<OrderToRefund>, AppError> {
    Ok(db::orders::to_refund(pool, LISTED).await?)
}

/// An admin refunds an order paid with credit; any other order is [`AppError::NotRefundable`] (a card payment is
/// refunded at the payment provider, whose notification then refunds the order).
pub async fn refund_credit_order(
    pool: &PgPool,
    ledger: &Ledger,
    admin: &Me,
    reference: &str,
) -> Result<(), AppError> {
    let reference = reference.trim();
    let order = db::orders::by_reference(pool, reference)
        .await?
        .ok_or(AppError::UnknownOrder)?;
    let mut tx = pool.begin().await?;
    db::users::lock(&mut *tx, &order.doc.buyer_user_id).await?;
    let patch = json!({ "refundedAt": chrono::Utc::now(), "refundedBy": admin.email });
    let refunded = db::orders::change_status(
        &mut *tx,
        reference,
        OrderStatus::Paid,
        OrderStatus::Refunded,
        patch,
    )
    .await?
    .filter(|o| o.doc.rail == Some(Rail::Crypto))
    .ok_or(AppError::NotRefundable)?;
    let doc = &refunded.doc;
    if !db::credit::refund_order(
        &mut *tx,
        &doc.buyer_user_id,
        doc.amount,
        &doc.currency,
        reference,
    )
    .await?
    {
        return Err(AppError::NotRefundable);
    }
    on_refunded(&mut tx, ledger, doc).await?;
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: "refund_order",
        target_ids: &[reference.to_string()],
        before: json!({ reference: "paid" }),
        after: json!("refunded"),
        detail: json!({ "amount": display(doc.amount, &doc.currency), "currency": doc.currency }),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        admin = admin.user_id,
        order = reference,
        "credit-paid order refunded"
    );
    Ok(())
}
