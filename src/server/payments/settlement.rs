//! The settlement pipeline (seed: `settlement-pipeline`): what a paid store order does to stock and vendors,
//! and its reversal on refund. Runs inside the caller's transaction.
use crate::domain::store::vendor_shares;
use crate::server::db::{self, orders::OrderDoc};
use sqlx::PgConnection;

fn quantities(order: &OrderDoc) -> (Vec<String>, Vec<i64>) {
    order
        .items
        .iter()
        .map(|l| (l.product_id.clone(), i64::from(l.quantity)))
        .unzip()
}

/// Deducts stock and writes one sale settlement per vendor; returns products that were oversold.
pub async fn settle(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<Vec<String>> {
    let (ids, qty) = quantities(order);
    let oversold = db::catalog::deduct_stock(&mut *tx, &ids, &qty).await?;
    let shares = vendor_shares(&order.items);
    db::settlements::record(
        &mut *tx,
        &order.order_reference,
        &shares,
        &order.currency,
        false,
    )
    .await?;
    if !oversold.is_empty() {
        tracing::warn!(
            order = order.order_reference,
            ?oversold,
            "paid order oversold: stock ran out during payment"
        );
    }
    Ok(oversold)
}

/// Puts the stock back and writes the vendors' reversals.
pub async fn reverse(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    let (ids, qty) = quantities(order);
    db::catalog::restock(&mut *tx, &ids, &qty).await?;
    let shares = vendor_shares(&order.items);
    db::settlements::record(
        &mut *tx,
        &order.order_reference,
        &shares,
        &order.currency,
        true,
    )
    .await?;
    Ok(())
}
