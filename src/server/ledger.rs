//! The reward ledger (seed: `ReferralRewardService`): one reward per attributed paid order, sized by the rate
//! and the oracle, `pending` on the fiat rail (an admin approves) and `approved` on the crypto rail.
//! Idempotent: `exists_for_order` short-circuits, the unique index settles races, the contract's
//! `paidOrders` guards the mint.
use super::config::RewardRates;
use super::db::{self, orders::OrderDoc, rewards::InsertRewardError};
use super::oracle::{PriceOracle, Quote};
use super::sizing::{reward_fiat, token_amount};
use crate::domain::cursor::{cut_page, Cursor};
use crate::domain::reward::{EarnedRewards, RewardKind, RewardStatus, TxLinks, REWARDS_PAGE};
use crate::domain::store::{AttributedVia, Rail, Referral};
use crate::error::AppError;
use serde_json::json;
use sqlx::PgPool;

/// What a call did; none of these is an error for the payment that triggered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created {
        id: String,
        status: RewardStatus,
    },
    /// Created, but without a price yet: it waits (pending) until the oracle answers.
    AwaitingPrice {
        id: String,
        reason: String,
    },
    AlreadyExists,
    /// The buyer brought a store reward before (first purchase only).
    BuyerRewarded,
    NotAttributed,
    /// The rate gives less than one minor unit.
    TooSmall,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    NoReward,
    Voided,
    /// Minted or on its way: it stays, flagged `clawbackDue`.
    ClawbackDue,
    /// Already rejected or voided.
    AlreadySettled,
}

pub struct Ledger {
    rates: RewardRates,
    oracle: PriceOracle,
}

/// What a paid order contributes to its reward.
struct Basis<'a> {
    kind: RewardKind,
    order: &'a OrderDoc,
    referral: Referral,
    via: Option<AttributedVia>,
    rail: Rail,
    bps: u32,
}

impl Ledger {
    pub fn new(rates: RewardRates, oracle: PriceOracle) -> Ledger {
        Ledger { rates, oracle }
    }

    /// A store order became paid (`rail` is how). Uses the referral stored on the order.
    pub async fn on_order_paid(
        &self,
        pool: &PgPool,
        order: &OrderDoc,
        rail: Rail,
    ) -> Result<Outcome, AppError> {
        let Some(referral) = order.referral() else {
            return Ok(Outcome::NotAttributed);
        };
        let basis = Basis {
            kind: RewardKind::Store,
            order,
            referral,
            via: order.referral_via,
            rail,
            bps: self.rates.store_bps,
        };
        self.create(pool, basis).await
    }

    /// A membership upgrade became paid: rewards the code the member signed up through, paying to the
    /// code's current wallet, unless that code is gone or the wallet is the member's own.
    pub async fn on_membership_paid(
        &self,
        pool: &PgPool,
        order: &OrderDoc,
    ) -> Result<Outcome, AppError> {
        let Some(referred_by) = db::users::referred_by(pool, &order.buyer_user_id).await? else {
            return Ok(Outcome::NotAttributed);
        };
        let Some(code) = db::refcodes::facts(pool, &referred_by.code).await? else {
            tracing::warn!(
                code = referred_by.code,
                "membership reward skipped: the signup code no longer exists"
            );
            return Ok(Outcome::NotAttributed);
        };
        let me = db::users::me(pool, &order.buyer_user_id).await?;
        let own_wallet = me.is_some_and(|m| {
            m.wallets
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&code.wallet))
        });
        if code.owner != referred_by.user_id || code.owner == order.buyer_user_id || own_wallet {
            tracing::warn!(
                code = code.code,
                "membership reward skipped: wallet overlap or owner changed"
            );
            return Ok(Outcome::NotAttributed);
        }
        let basis = Basis {
            kind: RewardKind::Membership,
            order,
            referral: Referral {
                referral_code: code.code,
                referrer_user_id: code.owner,
                referrer_wallet: code.wallet,
            },
            via: Some(AttributedVia::Signup),
            rail: order.rail.unwrap_or(Rail::Fiat),
            bps: self.rates.membership_bps,
        };
        self.create(pool, basis).await
    }

    async fn create(&self, pool: &PgPool, b: Basis<'_>) -> Result<Outcome, AppError> {
        let reference = &b.order.order_reference;
        if db::rewards::exists_for_order(pool, reference).await? {
            return Ok(Outcome::AlreadyExists);
        }
        let fiat = reward_fiat(b.order.amount, b.bps);
        if fiat <= 0 {
            return Ok(Outcome::TooSmall);
        }
        let priced = self.oracle.quote().await.and_then(|q| {
            token_amount(fiat, &b.order.currency, q.answer, q.decimals)
                .filter(|wei| !wei.is_zero())
                .map(|wei| (q, wei.to_string()))
                .ok_or_else(|| "price unavailable: the price gives no token amount".to_string())
        });
        let status = match (&priced, b.rail) {
            (Ok(_), Rail::Crypto) => RewardStatus::Approved,
            _ => RewardStatus::Pending,
        };
        let (oracle, amount_wei, last_error) = match &priced {
            Ok((q, wei)) => (Quote::to_json(q), wei.clone(), None),
            Err(reason) => (
                serde_json::Value::Null,
                "0".to_string(),
                Some(reason.clone()),
            ),
        };
        let id = super::auth::new_id();
        let data = json!({
            "orderReference": reference,
            "kind": b.kind.as_str(),
            "referralCode": b.referral.referral_code,
            "referrerUserId": b.referral.referrer_user_id,
            "referrerWallet": b.referral.referrer_wallet,
            "attributedVia": b.via,
            "buyerUserId": b.order.buyer_user_id,
            "rail": b.rail.as_str(),
            "fiatAmount": fiat,
            "currency": b.order.currency,
            "rateBps": b.bps,
            "oracle": oracle,
            "amountWei": amount_wei,
            "priceNeeded": priced.is_err(),
            "status": status.as_str(),
            "txHash": null,
            "blockNumber": null,
            "attempts": 0,
            "lastError": last_error,
            "approvedBy": (status == RewardStatus::Approved).then_some("auto"),
            "rejectedReason": null,
        });
        match db::rewards::insert(pool, &id, &data).await {
            Ok(()) => {
                tracing::info!(reward = id, order = %reference, status = status.as_str(), "referral reward created");
                Ok(match priced {
                    Ok(_) => Outcome::Created { id, status },
                    Err(reason) => Outcome::AwaitingPrice { id, reason },
                })
            }
            Err(InsertRewardError::OrderRewarded) => Ok(Outcome::AlreadyExists),
            Err(InsertRewardError::BuyerRewarded) => Ok(Outcome::BuyerRewarded),
            Err(InsertRewardError::Db(e)) => Err(e.into()),
        }
    }

    /// The order was refunded: a reward not minted yet is voided; a minted (or minting) one is flagged.
    pub async fn on_order_refunded(
        &self,
        pool: &PgPool,
        reference: &str,
    ) -> Result<RefundOutcome, AppError> {
        let Some((id, status)) = db::rewards::for_order(pool, reference).await? else {
            return Ok(RefundOutcome::NoReward);
        };
        if status.can_become(RewardStatus::Voided) {
            let patch = json!({ "voidedReason": "order refunded" });
            let moved = db::rewards::move_status(
                pool,
                std::slice::from_ref(&id),
                RewardStatus::Voided,
                &patch,
            )
            .await?;
            if !moved.is_empty() {
                return Ok(RefundOutcome::Voided);
            }
        }
        match db::rewards::for_order(pool, reference).await? {
            Some((_, RewardStatus::Rejected | RewardStatus::Voided)) => {
                Ok(RefundOutcome::AlreadySettled)
            }
            _ => {
                db::rewards::flag_clawback(pool, &id).await?;
                tracing::warn!(
                    reward = id,
                    order = reference,
                    "refunded order's reward is on chain: clawback due"
                );
                Ok(RefundOutcome::ClawbackDue)
            }
        }
    }

    /// Prices the rewards that waited for the oracle; returns how many got a price.
    pub async fn price_waiting(&self, pool: &PgPool) -> Result<u64, AppError> {
        let waiting = db::rewards::awaiting_price(pool, 500).await?;
        if waiting.is_empty() {
            return Ok(0);
        }
        let quote = match self.oracle.quote().await {
            Ok(q) => q,
            Err(reason) => {
                for w in &waiting {
                    db::rewards::set_last_error(pool, &w.id, &reason).await?;
                }
                return Ok(0);
            }
        };
        let mut priced = 0;
        for w in waiting {
            let Some(wei) = token_amount(w.fiat_amount, &w.currency, quote.answer, quote.decimals)
            else {
                continue;
            };
            let approve = w.rail == Rail::Crypto;
            if db::rewards::set_price(pool, &w.id, &quote.to_json(), &wei.to_string(), approve)
                .await?
            {
                priced += 1;
            }
        }
        Ok(priced)
    }
}

/// One page of the rewards a member earned as a referrer, newest first; `cursor` is where the previous page ended.
pub async fn earned(
    pool: &PgPool,
    referrer_user_id: &str,
    cursor: Option<&str>,
    tx_links: &TxLinks,
) -> Result<EarnedRewards, AppError> {
    let after = Cursor::from_param(cursor)?;
    let limit = REWARDS_PAGE as i64 + 1;
    let mut rewards =
        db::rewards::for_referrer(pool, referrer_user_id, after.as_ref(), limit).await?;
    let next_cursor = cut_page(&mut rewards, REWARDS_PAGE, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok(EarnedRewards {
        rewards,
        tx_links: tx_links.clone(),
        next_cursor,
    })
}
