//! The reward sweeper: repairs what a failed reward step left behind. The ledger writes a paid order's reward in
//! the payment's transaction, inside a savepoint whose failure leaves the payment standing and the order without
//! a `rewardOutcome` (see `ledger.rs`); a refund voids or claws back in its own transaction. The sweeper decides every
//! paid order still undecided (under the order's row lock, so a refund cannot slip in between) and settles every
//! reward still live on a refunded order. It runs at start-up and at the start of every mint run, and reports what
//! it repaired (log, `/metrics`, the mint run's summary).
use crate::error::AppError;
use crate::server::db;
use crate::server::rewards::ledger::{Ledger, Outcome, RefundOutcome};
use sqlx::PgPool;

/// How many orders one pass looks at, per kind of repair.
const BATCH: i64 = 200;

/// What one pass repaired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Undecided paid orders decided now (with or without a reward).
    pub decided: u64,
    /// Rewards created by those decisions.
    pub created: u64,
    /// Rewards on refunded orders voided now.
    pub voided: u64,
    /// Paid-out rewards on refunded orders clawed back now (`minting` ones once they settled).
    pub clawbacks: u64,
}

impl Swept {
    pub fn total(&self) -> u64 {
        self.decided + self.voided + self.clawbacks
    }
}

/// One pass (see the module docs).
pub async fn sweep(pool: &PgPool, ledger: &Ledger) -> Result<Swept, AppError> {
    let mut swept = Swept::default();
    decide_paid(pool, ledger, &mut swept).await?;
    settle_refunded(pool, ledger, &mut swept).await?;
    if swept.total() > 0 {
        tracing::warn!(
            decided = swept.decided,
            created = swept.created,
            voided = swept.voided,
            clawbacks = swept.clawbacks,
            "reward sweeper repaired the ledger"
        );
        for (what, n) in [
            ("created", swept.created),
            ("voided", swept.voided),
            ("clawback", swept.clawbacks),
        ] {
            metrics::counter!("refcodes_rewards_repaired_total", "what" => what).increment(n);
        }
    }
    Ok(swept)
}

async fn decide_paid(pool: &PgPool, ledger: &Ledger, swept: &mut Swept) -> Result<(), AppError> {
    let undecided = db::orders::paid_undecided(pool, BATCH).await?;
    if undecided.is_empty() {
        return Ok(());
    }
    let quotes = ledger.quotes().await;
    for reference in undecided {
        let mut tx = pool.begin().await?;
        let Some(order) = db::orders::lock_paid_undecided(&mut *tx, &reference).await? else {
            continue;
        };
        let unpriced = Err(crate::server::rewards::oracle::unpriced(
            &order.doc.currency,
        ));
        let price = quotes.get(&order.doc.currency).unwrap_or(&unpriced);
        let outcome = ledger.on_paid(&mut tx, &order.doc, Some(price)).await;
        tx.commit().await?;
        match outcome {
            Outcome::Deferred => continue,
            Outcome::Created { .. } | Outcome::AwaitingPrice { .. } => swept.created += 1,
            _ => {}
        }
        swept.decided += 1;
    }
    Ok(())
}

async fn settle_refunded(
    pool: &PgPool,
    ledger: &Ledger,
    swept: &mut Swept,
) -> Result<(), AppError> {
    for reference in db::rewards::live_on_refunded_orders(pool, BATCH).await? {
        let mut tx = pool.begin().await?;
        let outcome = ledger.on_refunded(&mut tx, &reference).await?;
        tx.commit().await?;
        match outcome {
            RefundOutcome::Voided => swept.voided += 1,
            RefundOutcome::Clawback => swept.clawbacks += 1,
            RefundOutcome::NoReward | RefundOutcome::InFlight | RefundOutcome::AlreadySettled => {}
        }
    }
    Ok(())
}
