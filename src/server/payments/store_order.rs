//! The store-order handler: stock and vendor settlements move with the order's payment.
use crate::server::db::orders::OrderDoc;
use crate::server::payments::settlement;
use sqlx::PgConnection;

pub(super) async fn on_paid(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    let oversold = settlement::settle(tx, order).await?;
    if !oversold.is_empty() {
        crate::server::db::orders::flag_oversold(&mut *tx, &order.order_reference, &oversold)
            .await?;
    }
    Ok(())
}

pub(super) async fn on_refunded(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    settlement::reverse(tx, order).await
}
