//! Payments (seed: `PaymentConductor`): the card webhook, credit payments and the test payment page.
//! Whatever the rail, an order becoming paid or refunded runs, inside the payment's transaction, its kind's
//! handler and then the reward ledger (whose failure never fails the payment: see `rewards/ledger.rs`). After the commit a
//! reward approved at once (crypto rail) wakes the minter, which pays it in the background.
pub mod checkout;
pub mod conductor;
pub mod credit;
mod membership_upgrade;
pub mod orders;
pub mod refunds;
pub mod settlement;
mod store_order;
pub mod wayforpay;

use crate::domain::store::OrderKind;
use crate::error::AppError;
use crate::server::db::orders::OrderDoc;
use crate::server::rewards::ledger::{Ledger, Outcome, Priced};
use sqlx::PgConnection;

/// Inside the transaction that marked `order` paid; `price` from [`Ledger::quote_for`], read before it opened.
async fn on_paid(
    tx: &mut PgConnection,
    ledger: &Ledger,
    order: &OrderDoc,
    price: Option<&Priced>,
) -> Result<Outcome, AppError> {
    match order.kind {
        OrderKind::Store => store_order::on_paid(tx, order).await?,
        OrderKind::Membership => membership_upgrade::on_paid(tx, order).await?,
    }
    Ok(ledger.on_paid(tx, order, price).await)
}

/// Inside the transaction that marked `order` refunded.
async fn on_refunded(
    tx: &mut PgConnection,
    ledger: &Ledger,
    order: &OrderDoc,
) -> Result<(), AppError> {
    match order.kind {
        OrderKind::Store => store_order::on_refunded(tx, order).await?,
        OrderKind::Membership => membership_upgrade::on_refunded(tx, order).await?,
    }
    ledger.on_refunded(tx, &order.order_reference).await?;
    Ok(())
}
