//! The membership-upgrade handler: a paid upgrade order changes the member's tier; a refund restores it.
use crate::server::db::{self, orders::OrderDoc};
use sqlx::PgConnection;

pub(super) async fn on_paid(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    let Some(tier) = order.tier.as_deref() else {
        return Ok(());
    };
    if db::memberships::record(&mut *tx, &order.buyer_user_id, tier, &order.order_reference).await?
    {
        db::memberships::set_user_tier(&mut *tx, &order.buyer_user_id, Some(tier)).await?;
    }
    Ok(())
}

pub(super) async fn on_refunded(tx: &mut PgConnection, order: &OrderDoc) -> sqlx::Result<()> {
    db::memberships::set_user_tier(
        &mut *tx,
        &order.buyer_user_id,
        order.previous_tier.as_deref(),
    )
    .await
}
