//! Attribution (seed: `attribution-service`): gathers what the guards of `domain::attribution` need — the code,
//! who signs up or buys, their wallets (every wallet of the buyer and the payout wallets of the buyer's own
//! codes) and whether they paid before — and records their verdict.
use crate::domain::attribution::{self, Occasion, Party};
use crate::domain::refcode::normalize_code;
use crate::domain::store::AttributedVia;
use crate::domain::user::{Me, ReferredBy};
use crate::error::AppError;
use crate::server::db::{self, orders::AttributionRejected, refcodes::CodeFacts};
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
    let facts = db::refcodes::facts(pool, &code).await?;
    let party = Party {
        user_id: signed_in,
        wallets: &[],
    };
    match attribution::attribute(Occasion::Signup, guard_view(&code, &facts), party) {
        Ok(counted) => Ok(Some(ReferredBy {
            code,
            user_id: counted.referral.referrer_user_id,
        })),
        Err(reason) => {
            tracing::info!(code, ?reason, "signup referral ignored");
            Ok(None)
        }
    }
}

/// The code as the guards see it, spelled `code`.
pub fn guard_view<'a>(
    code: &'a str,
    facts: &'a Option<CodeFacts>,
) -> Option<attribution::CodeFacts<'a>> {
    facts.as_ref().map(|f| attribution::CodeFacts {
        code,
        owner: &f.owner,
        wallet: &f.wallet,
        state: f.state(),
    })
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
    let occasion = Occasion::Order {
        buyer_has_paid_order: has_purchase,
    };
    let party = Party {
        user_id: Some(&buyer.user_id),
        wallets: &buyer_wallets,
    };
    Ok(
        match attribution::attribute(occasion, guard_view(&code, &facts), party) {
            Ok(counted) => OrderAttribution {
                referral: Some(counted.referral),
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
        },
    )
}
