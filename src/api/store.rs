//! The store, order, payment and membership pages' server functions, thin over `server/payments/`
//! (orders and their payment) and the tiers of `domain/membership.rs`. Form actions end in a redirect, so they work before hydration too.
#[cfg(feature = "ssr")]
use super::ssr;
use crate::domain::membership::TierBoard;
pub use crate::domain::membership::TierOffer;
use crate::domain::reward::EarnedRewards;
pub use crate::domain::store::OrderPage;
use crate::domain::store::{OrderView, Product};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn load_catalog() -> Result<Vec<Product>, AppError> {
    use crate::server::payments::orders;
    ssr::anyone(|s, _| async move { orders::catalog(&s.pool).await }).await
}

#[server]
pub async fn buy_product(
    locale: String,
    product_id: String,
    quantity: u32,
) -> Result<(), AppError> {
    use crate::domain::store::LineInput;
    use crate::server::{payments::orders, platform::rate_limit::Action};
    ssr::limited(Action::Order)
        .member(|s, me| async move {
            let line = LineInput {
                product_id,
                quantity,
            };
            let ring_ref = ssr::cookie(crate::domain::refcode::REF_COOKIE);
            let created =
                orders::create_store_order(&s.pool, &me, &[line], ring_ref.as_deref()).await?;
            ssr::redirect_to_order(&locale, &created.order_reference);
            Ok(())
        })
        .await
}

#[server]
pub async fn load_order(locale: String, reference: String) -> Result<OrderPage, AppError> {
    use crate::server::payments::checkout;
    ssr::member(|s, me| async move {
        let locale = ssr::locale(&locale);
        checkout::order_page(&s.pool, &s.config, &me.user_id, &reference, locale).await
    })
    .await
}

#[server]
pub async fn my_orders() -> Result<Vec<OrderView>, AppError> {
    use crate::server::payments::orders;
    ssr::member(|s, me| async move { orders::mine(&s.pool, &me.user_id).await }).await
}

#[server]
pub async fn pay_with_credit(locale: String, reference: String) -> Result<(), AppError> {
    use crate::server::payments::credit;
    ssr::member(|s, me| async move {
        credit::pay(&s.pool, &s.ledger, &me.user_id, &reference).await?;
        ssr::redirect_to_order(&locale, reference.trim());
        Ok(())
    })
    .await
}

/// The test payment page's buttons: `outcome` is approve, decline or refund.
#[server]
pub async fn test_payment(
    locale: String,
    reference: String,
    outcome: String,
) -> Result<(), AppError> {
    use crate::server::payments::checkout;
    ssr::member(|s, me| async move {
        let (pool, config) = (&s.pool, &s.config);
        let paid = checkout::test_payment(pool, config, &s.http, &me.user_id, &reference, &outcome)
            .await?;
        ssr::redirect_to_order(&locale, &paid);
        Ok(())
    })
    .await
}

/// The tiers for everyone; `current` and `available` for the signed-in member (anonymous: the free tier).
#[server]
pub async fn load_tiers() -> Result<TierBoard, AppError> {
    use crate::server::accounts::auth;
    ssr::anyone(|s, token| async move {
        let me = auth::current_user(&s.pool, token.as_deref()).await?;
        let reader = me.as_ref().map(|m| m.membership.as_deref());
        Ok(crate::domain::membership::tier_board(reader))
    })
    .await
}

#[server]
pub async fn upgrade_membership(locale: String, tier: String) -> Result<(), AppError> {
    use crate::server::{payments::orders, platform::rate_limit::Action};
    ssr::limited(Action::Order)
        .member(|s, me| async move {
            let created = orders::create_membership_order(&s.pool, &me, &tier).await?;
            ssr::redirect_to_order(&locale, &created.order_reference);
            Ok(())
        })
        .await
}

/// The rewards the signed-in member earned as a referrer, a page at a time (`cursor`: where the last page ended).
#[server]
pub async fn my_rewards(cursor: Option<String>) -> Result<EarnedRewards, AppError> {
    use crate::server::rewards::earned;
    ssr::member(|s, me| async move {
        earned::earned(&s.pool, &me.user_id, cursor.as_deref(), &s.config.tx_links).await
    })
    .await
}
