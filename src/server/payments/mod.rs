//! Payments (seed: `PaymentConductor`): the card webhook, credit payments and the test payment page.
//! Whatever the rail, an order becoming paid or refunded runs its kind's handler: first inside the
//! payment's transaction, then — after the commit — the reward ledger, whose failure never fails the payment.
pub mod checkout;
pub mod conductor;
pub mod credit;
mod membership_upgrade;
mod store_order;

use super::db::orders::OrderDoc;
use super::ledger::{Ledger, Outcome};
use super::minter;
use crate::domain::reward::RewardStatus;
use crate::domain::store::{OrderKind, Rail};
use sqlx::{PgConnection, PgPool};

/// Inside the transaction that marked `order` paid.
async fn on_paid(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    match order.kind {
        OrderKind::Store => store_order::on_paid(tx, order).await,
        OrderKind::Membership => membership_upgrade::on_paid(tx, order).await,
    }
}

/// Inside the transaction that marked `order` refunded.
async fn on_refunded(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    match order.kind {
        OrderKind::Store => store_order::on_refunded(tx, order).await,
        OrderKind::Membership => membership_upgrade::on_refunded(tx, order).await,
    }
}

/// After the commit: the reward. Logged, never propagated. A reward approved at once (crypto rail) wakes the
/// minter, which pays it in the background: the payment's answer never waits for the chain.
async fn reward_paid(pool: &PgPool, ledger: &Ledger, order: &OrderDoc, rail: Rail) {
    let outcome = match order.kind {
        OrderKind::Store => ledger.on_order_paid(pool, order, rail).await,
        OrderKind::Membership => ledger.on_membership_paid(pool, order).await,
    };
    match outcome {
        Ok(o) => {
            tracing::info!(order = order.order_reference, outcome = ?o, "reward ledger");
            if matches!(
                o,
                Outcome::Created {
                    status: RewardStatus::Approved,
                    ..
                }
            ) {
                minter::reward_approved();
            }
        }
        Err(e) => {
            tracing::error!(order = order.order_reference, error = %e, "reward ledger failed; the payment stands")
        }
    }
}

async fn reward_refunded(pool: &PgPool, ledger: &Ledger, order: &OrderDoc) {
    match ledger.on_order_refunded(pool, &order.order_reference).await {
        Ok(o) => {
            tracing::info!(order = order.order_reference, outcome = ?o, "reward ledger (refund)")
        }
        Err(e) => {
            tracing::error!(order = order.order_reference, error = %e, "reward ledger refund failed")
        }
    }
}
