//! Attribution (seed: `attribution-service`). At sign-up: the first-touch `ring_ref` counts when it names an
//! active code of someone else that no admin blocked. At an order: the guards of `domain::store::attribute`, the
//! wallet overlap counting every wallet of the buyer and the payout wallets of the buyer's own codes.
use super::db::{self, orders::AttributionRejected};
use crate::domain::refcode::normalize_code;
use crate::domain::store::{attribute, AttributedVia, AttributionFacts};
use crate::domain::user::{Me, ReferredBy};
use crate::error::AppError;
use sqlx::PgPool;

/// The `referredBy` of a new account. `signed_in` is whoever is signed in on the device that signs up:
/// a member opening their own link and then creating an account refers no one.
pub async fn for_signup(
    pool: &PgPool,
    ring_ref: Option<&str>,
    signed_in: Option<&str>,
) -> Result<Option<ReferredBy>, AppError> {
    let Some(code) = ring_ref.and_then(|raw| normalize_code(raw).ok()) else {
        return Ok(None);
    };
    let Some(owner) = db::refcodes::active_owner(pool, &code).await? else {
        return Ok(None);
    };
    if signed_in == Some(owner.as_str()) {
        tracing::info!(
            code,
            "signup referral ignored: the code's owner is signing up"
        );
        return Ok(None);
    }
    Ok(Some(ReferredBy {
        code,
        user_id: owner,
    }))
}

/// An order's attribution, resolved before the order exists: the referral it carries, or why it carries none.
#[derive(Debug, Default)]
pub struct OrderAttribution {
    pub referral: Option<crate::domain::store::Referral>,
    pub via: Option<AttributedVia>,
    pub rejected: Option<AttributionRejected>,
}

/// The code comes from the first-touch `ring_ref` cookie, or from the buyer's signup referral when there is
/// none; then the seed's guards decide.
pub async fn for_order(
    pool: &PgPool,
    buyer: &Me,
    ring_ref: Option<&str>,
) -> Result<OrderAttribution, AppError> {
    let cookie_code = ring_ref.and_then(|raw| normalize_code(raw).ok());
    let signup_code = || buyer.referred_by.as_ref().map(|r| r.code.clone());
    let (code, via) = match (cookie_code, signup_code()) {
        (Some(code), _) => (code, AttributedVia::Link),
        (None, Some(code)) => (code, AttributedVia::Signup),
        (None, None) => return Ok(OrderAttribution::default()),
    };
    let facts = db::refcodes::facts(pool, &code).await?;
    let has_purchase = db::orders::buyer_has_purchase(pool, &buyer.user_id).await?;
    let buyer_wallets = db::wallets::of_buyer(pool, &buyer.user_id).await?;
    let guard_facts = AttributionFacts {
        code: facts
            .as_ref()
            .map(|f| (f.owner.as_str(), f.wallet.as_str(), f.state())),
        buyer_user_id: &buyer.user_id,
        buyer_wallets: &buyer_wallets,
        buyer_has_paid_order: has_purchase,
    };
    Ok(match attribute(&code, &guard_facts) {
        Ok(referral) => OrderAttribution {
            referral: Some(referral),
            via: Some(via),
            rejected: None,
        },
        Err(reason) => {
            tracing::info!(code, ?reason, "order attribution rejected");
            OrderAttribution {
                referral: None,
                via: None,
                rejected: Some(AttributionRejected { code, reason }),
            }
        }
    })
}
