//! The membership-upgrade handler. Under the member's row lock, inside the payment's transaction: a paid order
//! that is still an upgrade is applied (a row in the memberships ledger, the member's tier); one that is not any
//! more (a higher tier was paid meanwhile) changes nothing and is marked `toRefund` for the admin. A refund marks
//! its upgrade refunded and sets the tier to the highest one still standing.
use crate::domain::admin::RefundReason;
use crate::domain::membership;
use crate::server::db::{self, orders::OrderDoc};
use sqlx::PgConnection;

pub(super) async fn on_paid(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    let Some(tier) = order.tier.as_deref().and_then(membership::tier) else {
        return Ok(());
    };
    let user = &order.buyer_user_id;
    db::users::lock(&mut *tx, user).await?;
    let current = db::users::user_tier(&mut *tx, user).await?;
    if !membership::is_upgrade(current.as_deref(), &tier) {
        tracing::warn!(
            order = order.order_reference,
            tier = tier.id,
            current = current.as_deref().unwrap_or("basic"),
            "a membership order was paid that is no upgrade any more: to refund"
        );
        let reference = &order.order_reference;
        return db::orders::flag_to_refund(&mut *tx, reference, RefundReason::NotAnUpgrade).await;
    }
    if db::memberships::record(&mut *tx, user, tier.id, &order.order_reference).await? {
        db::memberships::set_user_tier(&mut *tx, user, Some(tier.id)).await?;
    }
    Ok(())
}

pub(super) async fn on_refunded(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    let user = &order.buyer_user_id;
    db::users::lock(&mut *tx, user).await?;
    db::memberships::mark_refunded(&mut *tx, &order.order_reference).await?;
    let standing = db::memberships::standing_tiers(&mut *tx, user).await?;
    let tier = membership::highest(standing.iter().map(String::as_str));
    db::memberships::set_user_tier(&mut *tx, user, tier.map(|t| t.id)).await
}
