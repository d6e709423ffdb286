//! Creating orders (seed: `StoreOrdersService`): prices from the catalog, attribution resolved first,
//! referral fields stored in the order document. Membership upgrades are orders too.
use crate::domain::membership::{self, TIER_CURRENCY};
use crate::domain::store::{
    price_order, CreatedOrder, LineInput, OrderKind, OrderStatus, OrderView, Product,
};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::accounts::auth::new_id;
use crate::server::db::{self, orders::OrderDoc, orders::OrderRecord};
use crate::server::referral::attribution;
use serde_json::json;
use sqlx::PgPool;

/// How many orders a buyer's list shows.
const MY_ORDERS: i64 = 20;

/// A reference the payment provider and the contract (`keccak256(bytes(orderReference))`) both see.
pub fn new_reference() -> String {
    let id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    format!("RC-{}", &id[..16])
}

pub async fn catalog(pool: &PgPool) -> Result<Vec<Product>, AppError> {
    Ok(db::catalog::products(pool, None).await?)
}

pub async fn create_store_order(
    pool: &PgPool,
    buyer: &Me,
    lines: &[LineInput],
    ring_ref: Option<&str>,
) -> Result<CreatedOrder, AppError> {
    if lines.is_empty() {
        return Err(AppError::EmptyOrder);
    }
    let ids: Vec<String> = lines.iter().map(|l| l.product_id.clone()).collect();
    let products = db::catalog::products(pool, Some(&ids)).await?;
    let priced = price_order(lines, &products)?;
    let attribution = attribution::for_order(pool, buyer, ring_ref).await?;
    let referral = attribution.referral.clone();
    let doc = OrderDoc {
        order_reference: new_reference(),
        kind: OrderKind::Store,
        buyer_user_id: buyer.user_id.clone(),
        items: priced.lines,
        amount: priced.amount,
        currency: priced.currency,
        status: OrderStatus::Created,
        rail: None,
        referral_code: referral.as_ref().map(|r| r.referral_code.clone()),
        referrer_user_id: referral.as_ref().map(|r| r.referrer_user_id.clone()),
        referrer_wallet: referral.as_ref().map(|r| r.referrer_wallet.clone()),
        referral_via: attribution.via,
        attribution_rejected: attribution.rejected.clone(),
        tier: None,
        paid_at: None,
    };
    let record = db::orders::insert(pool, &new_id(), &doc).await?;
    tracing::info!(
        order = doc.order_reference,
        amount = doc.amount,
        attributed = referral.is_some(),
        "store order created"
    );
    Ok(created(&record))
}

/// A membership upgrade order for `tier`, paid like any order. Attribution comes from the signup
/// (`users.data.referredBy`) when it is paid, so none is stored here. A member has one upgrade waiting for payment at
/// most: asking again for the same tier gives that order back, asking for another tier closes it (`failed`,
/// `replacedBy`) — one paid anyway is checked again when the payment lands (`payments/membership_upgrade.rs`).
pub async fn create_membership_order(
    pool: &PgPool,
    buyer: &Me,
    tier_id: &str,
) -> Result<CreatedOrder, AppError> {
    let tier = membership::tier(tier_id).ok_or_else(|| AppError::UnknownTier {
        tier: tier_id.chars().take(32).collect(),
    })?;
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, &buyer.user_id).await? {
        return Err(AppError::Unauthorized);
    }
    let current = db::users::user_tier(&mut *tx, &buyer.user_id).await?;
    if !membership::is_upgrade(current.as_deref(), &tier) {
        return Err(AppError::NotAnUpgrade);
    }
    let reference = new_reference();
    if let Some(open) = db::orders::open_membership(&mut *tx, &buyer.user_id).await? {
        if open.doc.tier.as_deref() == Some(tier.id) {
            return Ok(created(&open));
        }
        let replaced = json!({ "replacedBy": reference, "failedAt": chrono::Utc::now() });
        let from = open.doc.order_reference.as_str();
        db::orders::change_status(
            &mut *tx,
            from,
            OrderStatus::Created,
            OrderStatus::Failed,
            replaced,
        )
        .await?;
    }
    let doc = OrderDoc {
        order_reference: reference,
        kind: OrderKind::Membership,
        buyer_user_id: buyer.user_id.clone(),
        items: Vec::new(),
        amount: tier.price,
        currency: TIER_CURRENCY.to_string(),
        status: OrderStatus::Created,
        rail: None,
        referral_code: None,
        referrer_user_id: None,
        referrer_wallet: None,
        referral_via: None,
        attribution_rejected: None,
        tier: Some(tier.id.to_string()),
        paid_at: None,
    };
    let record = db::orders::insert(&mut *tx, &new_id(), &doc).await?;
    tx.commit().await?;
    Ok(created(&record))
}

fn created(record: &OrderRecord) -> CreatedOrder {
    let d = &record.doc;
    CreatedOrder {
        order_reference: d.order_reference.clone(),
        amount: d.amount,
        currency: d.currency.clone(),
        referral: d.referral(),
        attribution_rejected: d.attribution_rejected.as_ref().map(|r| r.reason),
    }
}

/// The buyer's own order; someone else's is as good as missing.
pub async fn buyer_order(
    pool: &PgPool,
    buyer_id: &str,
    reference: &str,
) -> Result<OrderRecord, AppError> {
    db::orders::by_reference(pool, reference.trim())
        .await?
        .filter(|o| o.doc.buyer_user_id == buyer_id)
        .ok_or(AppError::UnknownOrder)
}

/// The buyer's latest orders, newest first.
pub async fn mine(pool: &PgPool, buyer_id: &str) -> Result<Vec<OrderView>, AppError> {
    let records = db::orders::for_buyer(pool, buyer_id, MY_ORDERS).await?;
    Ok(records.iter().map(OrderRecord::view).collect())
}
