//! The store, order, payment and membership pages' server functions, thin over `server/payments/`
//! (orders and their payment). Form actions end in a redirect, so they work before hydration too.
#[cfg(feature = "ssr")]
use super::ssr;
use crate::domain::reward::EarnedRewards;
use crate::domain::store::{CardCheckout, OrderView, Product};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An order page: the order, how to pay it by card, and the buyer's credit in its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub order: OrderView,
    pub card: CardCheckout,
    pub credit_balance: i64,
}

/// The membership page: the tiers on offer, and whether the reader is signed in (else upgrades need a sign-in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierBoard {
    pub signed_in: bool,
    pub tiers: Vec<TierOffer>,
}

/// A membership tier on offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierOffer {
    pub id: String,
    pub price: i64,
    pub currency: String,
    pub current: bool,
    pub available: bool,
}

#[server]
pub async fn load_catalog() -> Result<Vec<Product>, AppError> {
    let s = ssr::state()?;
    ssr::respond(crate::server::payments::orders::catalog(&s.pool).await)
}

#[server]
pub async fn buy_product(
    locale: String,
    product_id: String,
    quantity: u32,
) -> Result<(), AppError> {
    let s = ssr::state()?;
    ssr::limit(&s, crate::server::platform::rate_limit::Action::Order)?;
    let me = ssr::user(&s).await?;
    let line = crate::domain::store::LineInput {
        product_id,
        quantity,
    };
    let ring_ref = ssr::cookie(crate::domain::refcode::REF_COOKIE);
    let created = ssr::respond(
        crate::server::payments::orders::create_store_order(
            &s.pool,
            &me,
            &[line],
            ring_ref.as_deref(),
        )
        .await,
    )?;
    leptos_axum::redirect(&crate::routes::order(
        ssr::locale(&locale),
        &created.order_reference,
    ));
    Ok(())
}

#[server]
pub async fn load_order(locale: String, reference: String) -> Result<OrderPage, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let record = ssr::respond(
        crate::server::payments::orders::buyer_order(&s.pool, &me.user_id, &reference).await,
    )?;
    let card =
        crate::server::payments::checkout::card_checkout(&s.config, &record, ssr::locale(&locale));
    let credit_balance = ssr::respond(
        crate::server::payments::credit::balance(&s.pool, &me.user_id, &record.doc.currency).await,
    )?;
    Ok(OrderPage {
        order: record.view(),
        card,
        credit_balance,
    })
}

#[server]
pub async fn my_orders() -> Result<Vec<OrderView>, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let records = ssr::respond(
        crate::server::db::orders::for_buyer(&s.pool, &me.user_id, 20)
            .await
            .map_err(AppError::from),
    )?;
    Ok(records.iter().map(|r| r.view()).collect())
}

#[server]
pub async fn pay_with_credit(locale: String, reference: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    ssr::respond(
        crate::server::payments::credit::pay(&s.pool, &s.ledger, &me.user_id, &reference).await,
    )?;
    leptos_axum::redirect(&crate::routes::order(
        ssr::locale(&locale),
        reference.trim(),
    ));
    Ok(())
}

/// The test payment page's buttons: `outcome` is approve, decline or refund.
#[server]
pub async fn test_payment(
    locale: String,
    reference: String,
    outcome: String,
) -> Result<(), AppError> {
    use crate::server::payments::checkout::{send_test_notification, TestOutcome};
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    let outcome = match outcome.as_str() {
        "approve" => TestOutcome::Approve,
        "decline" => TestOutcome::Decline,
        "refund" => TestOutcome::Refund,
        _ => return ssr::respond(Err(AppError::BadRequest("unknown test outcome".into()))),
    };
    let record = ssr::respond(
        crate::server::payments::orders::buyer_order(&s.pool, &me.user_id, &reference).await,
    )?;
    ssr::respond(send_test_notification(&s.config, &s.http, &record, outcome).await)?;
    leptos_axum::redirect(&crate::routes::order(
        ssr::locale(&locale),
        &record.doc.order_reference,
    ));
    Ok(())
}

/// The tiers for everyone; `current` and `available` for the signed-in member (anonymous: the free tier).
#[server]
pub async fn load_tiers() -> Result<TierBoard, AppError> {
    use crate::domain::membership::{current, is_upgrade, TIERS, TIER_CURRENCY};
    let s = ssr::state()?;
    let me = ssr::respond(
        crate::server::accounts::auth::current_user(&s.pool, ssr::session_token().as_deref()).await,
    )?;
    let signed_in = me.is_some();
    let membership = me.and_then(|m| m.membership);
    let held = current(membership.as_deref());
    let tiers = TIERS
        .iter()
        .map(|t| TierOffer {
            id: t.id.to_string(),
            price: t.price,
            currency: TIER_CURRENCY.to_string(),
            current: t.id == held.id,
            available: is_upgrade(membership.as_deref(), t),
        })
        .collect();
    Ok(TierBoard { signed_in, tiers })
}

#[server]
pub async fn upgrade_membership(locale: String, tier: String) -> Result<(), AppError> {
    let s = ssr::state()?;
    ssr::limit(&s, crate::server::platform::rate_limit::Action::Order)?;
    let me = ssr::user(&s).await?;
    let created = ssr::respond(
        crate::server::payments::orders::create_membership_order(&s.pool, &me, &tier).await,
    )?;
    leptos_axum::redirect(&crate::routes::order(
        ssr::locale(&locale),
        &created.order_reference,
    ));
    Ok(())
}

/// The rewards the signed-in member earned as a referrer, a page at a time (`cursor`: where the last page ended).
#[server]
pub async fn my_rewards(cursor: Option<String>) -> Result<EarnedRewards, AppError> {
    let s = ssr::state()?;
    let me = ssr::user(&s).await?;
    ssr::respond(
        crate::server::rewards::earned::earned(
            &s.pool,
            &me.user_id,
            cursor.as_deref(),
            &s.config.tx_links,
        )
        .await,
    )
}
