//! Paid orders to pay back: a card payment for an order another rail paid already, a membership order that
//! applied no upgrade. Marked `toRefund` in the payment's transaction; listed for the admin here.
use crate::domain::admin::OrderToRefund;
use crate::error::AppError;
use crate::server::db;
use sqlx::PgPool;

/// At most this many are listed (the oldest marks beyond it wait for the newer ones to be handled).
const LISTED: i64 = 100;

pub async fn due(pool: &PgPool) -> Result<Vec<OrderToRefund>, AppError> {
    Ok(db::orders::to_refund(pool, LISTED).await?)
}
