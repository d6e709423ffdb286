//! The reward ledger (seed: `ReferralRewardService`): one reward per attributed paid order, sized by the rate
//! and the oracle, `pending` on the fiat rail (an admin approves) and `approved` on the crypto rail.
//!
//! The reward is written in the transaction that marks the order paid, and a refund voids it in the transaction
//! that records the refund: a crash or a cancelled request loses both or neither. The price is read before that
//! transaction opens (a feed is a network call no row lock should wait on). The reward's step runs in a savepoint
//! and notes its decision on the order (`rewardOutcome`); a database error there leaves the payment standing and
//! the order undecided, and the sweeper (`rewards/sweep.rs`) decides it later. Idempotent: the unique indexes settle
//! races, the contract's `paidOrders` guards the mint.
use crate::domain::attribution::{attribute, Occasion, Party};
use crate::domain::reward::{RewardKind, RewardStatus};
use crate::domain::store::{AttributedVia, OrderKind, Rail, Referral};
use crate::error::AppError;
use crate::server::db::rewards::{
    initial_status, InsertRewardError, OracleDoc, RewardDoc, RewardPatch,
};
use crate::server::db::{self, orders::OrderDoc};
use crate::server::platform::config::RewardRates;
use crate::server::referral::attribution::guard_view;
use crate::server::rewards::oracle::{PriceOracle, Quote};
use crate::server::rewards::sizing::{reward_fiat, token_amount};
use sqlx::{Acquire, PgConnection, PgPool};
use std::collections::HashMap;
use tokio::sync::watch;

/// The token's price for a reward: a quote, or why there is none ("price unavailable: …").
pub type Priced = Result<Quote, String>;

/// What the ledger decided for a paid order; none of these is an error for the payment that triggered it.
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
    /// A membership order that applied no upgrade (a higher tier was paid meanwhile).
    NotAnUpgrade,
    /// The buyer's referrer was rewarded for this tier before.
    TierRewarded,
    /// The database failed the reward's step: the payment stands, the sweeper decides the order later.
    Deferred,
}

impl Outcome {
    /// As noted on the order (`rewardOutcome`); `None` for [`Outcome::Deferred`], which leaves it undecided.
    fn note(&self) -> Option<&'static str> {
        Some(match self {
            Outcome::Created { .. } => "created",
            Outcome::AwaitingPrice { .. } => "awaitingPrice",
            Outcome::AlreadyExists => "alreadyExists",
            Outcome::BuyerRewarded => "buyerRewarded",
            Outcome::NotAttributed => "notAttributed",
            Outcome::TooSmall => "tooSmall",
            Outcome::NotAnUpgrade => "notAnUpgrade",
            Outcome::TierRewarded => "tierRewarded",
            Outcome::Deferred => return None,
        })
    }

    /// A reward the minter can pay now (the crypto rail, priced).
    pub fn approved(&self) -> bool {
        matches!(
            self,
            Outcome::Created {
                status: RewardStatus::Approved,
                ..
            }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    NoReward,
    Voided,
    /// Paid out (minted or netted): it stays, and a clawback is recorded against the referrer.
    Clawback,
    /// On its way on chain (`minting`): the sweeper voids it or records its clawback once it settles.
    InFlight,
    /// Already rejected, voided or clawed back.
    AlreadySettled,
}

pub struct Ledger {
    rates: RewardRates,
    oracle: PriceOracle,
    /// Bumped whenever a payment wrote a reward the minter can pay now: this server's minter wakes on it.
    approved: watch::Sender<u64>,
}

/// What a paid order contributes to its reward.
struct Basis<'a> {
    kind: RewardKind,
    order: &'a OrderDoc,
    referral: Referral,
    via: Option<AttributedVia>,
    bps: u32,
    /// Why the reward must wait for an admin whatever its rail (`codeBlocked`).
    held: Option<&'static str>,
}

/// Why a reward waits for an admin whatever its rail: its code is blocked.
const CODE_BLOCKED: &str = "codeBlocked";

/// An admin's block on the code holds its new rewards.
fn hold_for(code: &db::refcodes::CodeFacts) -> Option<&'static str> {
    code.blocked.then_some(CODE_BLOCKED)
}

impl Ledger {
    pub fn new(rates: RewardRates, oracle: PriceOracle) -> Ledger {
        Ledger {
            rates,
            oracle,
            approved: watch::channel(0).0,
        }
    }

    /// After the payment's commit: a reward approved by it wakes this server's minter (`mint::spawn_worker`).
    pub fn announce(&self, outcome: &Outcome) {
        if outcome.approved() {
            self.approved.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Changes whenever [`Ledger::announce`] told of an approved reward.
    pub fn approvals(&self) -> watch::Receiver<u64> {
        self.approved.subscribe()
    }

    /// The current price in `currency`, or why there is none.
    pub async fn quote(&self, currency: &str) -> Priced {
        self.oracle.quote(currency).await
    }

    /// The current price in every configured currency (read before a batch of orders, outside any row lock).
    pub async fn quotes(&self) -> HashMap<String, Priced> {
        let mut quotes = HashMap::new();
        for currency in self.oracle.currencies() {
            quotes.insert(currency.to_string(), self.quote(currency).await);
        }
        quotes
    }

    /// The price `order`'s reward would be sized with (in the order's currency), read before the payment's
    /// transaction opens; `None` when the order cannot earn one (a store order without a referral).
    pub async fn quote_for(&self, order: &OrderDoc) -> Option<Priced> {
        let may_earn = order.kind == OrderKind::Membership || order.referral().is_some();
        match may_earn {
            true => Some(self.quote(&order.currency).await),
            false => None,
        }
    }

    /// Inside the transaction that marked `order` paid (its `rail` set): decides and writes its reward and notes the
    /// decision on the order, in a savepoint (see the module docs). `price` comes from [`Ledger::quote_for`].
    pub async fn on_paid(
        &self,
        tx: &mut PgConnection,
        order: &OrderDoc,
        price: Option<&Priced>,
    ) -> Outcome {
        let reference = &order.order_reference;
        match self.decide_in_savepoint(tx, order, price).await {
            Ok(outcome) => {
                tracing::info!(order = %reference, outcome = ?outcome, "reward ledger");
                outcome
            }
            Err(e) => {
                tracing::error!(order = %reference, error = %e, "reward ledger failed; the payment stands and the sweeper retries");
                metrics::counter!("refcodes_reward_ledger_errors_total").increment(1);
                Outcome::Deferred
            }
        }
    }

    async fn decide_in_savepoint(
        &self,
        tx: &mut PgConnection,
        order: &OrderDoc,
        price: Option<&Priced>,
    ) -> Result<Outcome, AppError> {
        let mut savepoint = tx.begin().await?;
        let decided = self.decide(&mut savepoint, order, price).await;
        let outcome = match decided {
            Ok(outcome) => outcome,
            Err(e) => {
                savepoint.rollback().await?;
                return Err(e);
            }
        };
        if let Some(note) = outcome.note() {
            db::orders::note_reward_outcome(&mut *savepoint, &order.order_reference, note).await?;
        }
        savepoint.commit().await?;
        Ok(outcome)
    }

    async fn decide(
        &self,
        conn: &mut PgConnection,
        order: &OrderDoc,
        price: Option<&Priced>,
    ) -> Result<Outcome, AppError> {
        let basis = match order.kind {
            OrderKind::Store => match order.referral() {
                Some(referral) => {
                    let code = db::refcodes::facts(&mut *conn, &referral.referral_code).await?;
                    Some(Basis {
                        kind: RewardKind::Store,
                        order,
                        referral,
                        via: order.referral_via,
                        bps: self.rates.store_bps,
                        held: code.as_ref().and_then(hold_for),
                    })
                }
                None => None,
            },
            OrderKind::Membership => {
                if !db::memberships::applied_by(&mut *conn, &order.order_reference).await? {
                    return Ok(Outcome::NotAnUpgrade);
                }
                self.membership_basis(conn, order).await?
            }
        };
        let Some(basis) = basis else {
            return Ok(Outcome::NotAttributed);
        };
        let unread = Err("price unavailable: not read".to_string());
        self.create(conn, basis, price.unwrap_or(&unread)).await
    }

    /// A membership upgrade rewards the code the member signed up through, paying to the code's current wallet,
    /// when the guards of `domain::attribution` let it (an admin's block holds the reward).
    async fn membership_basis<'a>(
        &self,
        conn: &mut PgConnection,
        order: &'a OrderDoc,
    ) -> Result<Option<Basis<'a>>, AppError> {
        let Some(referred_by) = db::users::referred_by(&mut *conn, &order.buyer_user_id).await?
        else {
            return Ok(None);
        };
        let facts = db::refcodes::facts(&mut *conn, &referred_by.code).await?;
        let wallets = db::wallets::of_buyer(&mut *conn, &order.buyer_user_id).await?;
        let occasion = Occasion::Membership {
            referred_by: &referred_by.user_id,
        };
        let party = Party {
            user_id: Some(&order.buyer_user_id),
            wallets: &wallets,
        };
        let stored = facts
            .as_ref()
            .map_or(referred_by.code.as_str(), |f| f.code.as_str());
        let counted = match attribute(occasion, guard_view(stored, &facts), party) {
            Ok(counted) => counted,
            Err(reason) => {
                tracing::info!(code = stored, ?reason, "membership reward skipped");
                return Ok(None);
            }
        };
        Ok(Some(Basis {
            kind: RewardKind::Membership,
            order,
            referral: counted.referral,
            via: Some(AttributedVia::Signup),
            bps: self.rates.membership_bps,
            held: counted.held.then_some(CODE_BLOCKED),
        }))
    }

    async fn create(
        &self,
        conn: &mut PgConnection,
        b: Basis<'_>,
        price: &Priced,
    ) -> Result<Outcome, AppError> {
        let reference = &b.order.order_reference;
        if db::rewards::exists_for_order(&mut *conn, reference).await? {
            return Ok(Outcome::AlreadyExists);
        }
        let fiat = reward_fiat(b.order.amount, b.bps);
        if fiat <= 0 {
            return Ok(Outcome::TooSmall);
        }
        let priced = price.as_ref().map_err(Clone::clone).and_then(|q| {
            token_amount(fiat, &b.order.currency, q.answer, q.decimals)
                .filter(|wei| !wei.is_zero())
                .map(|wei| (q, wei.to_string()))
                .ok_or_else(|| "price unavailable: the price gives no token amount".to_string())
        });
        let rail = b.order.rail.unwrap_or(Rail::Fiat);
        let hold_until = (rail == Rail::Fiat && self.rates.hold_days > 0).then(|| {
            let paid = b.order.paid_at.unwrap_or_else(chrono::Utc::now);
            paid + chrono::Duration::days(self.rates.hold_days.into())
        });
        let status = initial_status(priced.is_ok(), rail, b.held.is_some());
        let (oracle, amount_wei, last_error) = match &priced {
            Ok((q, wei)) => (Some(OracleDoc::from(*q)), wei.clone(), None),
            Err(reason) => (None, "0".to_string(), Some(reason.clone())),
        };
        let id = crate::server::accounts::auth::new_id();
        let doc = RewardDoc {
            order_reference: reference.clone(),
            kind: b.kind,
            referral_code: b.referral.referral_code,
            referrer_user_id: b.referral.referrer_user_id,
            referrer_wallet: b.referral.referrer_wallet,
            attributed_via: b.via,
            buyer_user_id: b.order.buyer_user_id.clone(),
            tier: b.order.tier.clone(),
            rail,
            fiat_amount: fiat,
            currency: b.order.currency.clone(),
            rate_bps: b.bps,
            oracle,
            amount_wei,
            netted_wei: None,
            price_needed: priced.is_err(),
            status,
            tx_hash: None,
            block_number: None,
            attempts: 0,
            last_error,
            approved_by: (status == RewardStatus::Approved).then(|| "auto".to_string()),
            rejected_reason: None,
            held_reason: b.held.map(str::to_string),
            hold_until,
        };
        match db::rewards::insert(&mut *conn, &id, &doc).await {
            Ok(()) => {
                tracing::info!(reward = id, order = %reference, status = status.as_str(), "referral reward created");
                Ok(match priced {
                    Ok(_) => Outcome::Created { id, status },
                    Err(reason) => Outcome::AwaitingPrice { id, reason },
                })
            }
            Err(InsertRewardError::OrderRewarded) => Ok(Outcome::AlreadyExists),
            Err(InsertRewardError::BuyerRewarded) => Ok(Outcome::BuyerRewarded),
            Err(InsertRewardError::TierRewarded) => Ok(Outcome::TierRewarded),
            Err(InsertRewardError::Db(e)) => Err(e.into()),
        }
    }

    /// Inside the transaction that marked the order refunded: a reward not paid out yet is voided; a paid-out one
    /// gets a clawback (`clawbacks.rs`).
    pub async fn on_refunded(
        &self,
        conn: &mut PgConnection,
        reference: &str,
    ) -> Result<RefundOutcome, AppError> {
        let Some((id, status)) = db::rewards::for_order(&mut *conn, reference).await? else {
            return Ok(RefundOutcome::NoReward);
        };
        if matches!(status, RewardStatus::Rejected | RewardStatus::Voided) {
            return Ok(RefundOutcome::AlreadySettled);
        }
        let patch = RewardPatch::Voided {
            why: "order refunded".to_string(),
            by: None,
            at: chrono::Utc::now(),
        };
        let ids = std::slice::from_ref(&id);
        // The statements' WHEREs decide: a reward a mint run moved on meanwhile is clawed back (or waits while
        // minting), not voided; one an admin settled meanwhile is neither.
        let voided = db::rewards::move_status(&mut *conn, ids, &patch).await?;
        let outcome = if !voided.is_empty() {
            RefundOutcome::Voided
        } else if db::clawbacks::record(&mut *conn, &crate::server::accounts::auth::new_id(), &id)
            .await?
        {
            tracing::warn!(
                reward = id,
                order = reference,
                "refunded order's reward was paid out: clawback recorded"
            );
            RefundOutcome::Clawback
        } else if status == RewardStatus::Minting {
            RefundOutcome::InFlight
        } else {
            RefundOutcome::AlreadySettled
        };
        tracing::info!(order = reference, outcome = ?outcome, "reward ledger (refund)");
        Ok(outcome)
    }

    /// Prices the rewards that waited for the oracle, each in its currency; returns how many got a price.
    pub async fn price_waiting(&self, pool: &PgPool) -> Result<u64, AppError> {
        let currencies: Vec<String> = self.oracle.currencies().map(str::to_string).collect();
        let waiting = db::rewards::awaiting_price(pool, &currencies, 500).await?;
        let mut quotes: HashMap<String, Priced> = HashMap::new();
        let mut priced = 0;
        for w in waiting {
            if !quotes.contains_key(&w.currency) {
                quotes.insert(w.currency.clone(), self.quote(&w.currency).await);
            }
            let quote = match &quotes[&w.currency] {
                Ok(q) => q,
                Err(reason) => {
                    db::rewards::set_last_error(pool, &w.id, reason).await?;
                    continue;
                }
            };
            let Some(wei) = token_amount(w.fiat_amount, &w.currency, quote.answer, quote.decimals)
                .filter(|wei| !wei.is_zero())
            else {
                continue;
            };
            let approve = w.rail == Rail::Crypto && !w.held;
            let oracle = OracleDoc::from(quote);
            if db::rewards::set_price(pool, &w.id, &oracle, &wei.to_string(), approve).await? {
                priced += 1;
            }
        }
        Ok(priced)
    }
}
