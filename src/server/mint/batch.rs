//! One batch of a mint run: claim approved rewards, plan them, net clawbacks, screen them by simulation, send
//! one transaction and settle what the chain says (see the module docs of `mint/mod.rs`).
use super::plan::{plan, reach, Planned, Reach, SentTx};
use super::reconcile;
use super::sending::{self, Sent};
use super::{Chain, MintError};
use crate::domain::mint::MintSummary;
use crate::domain::reward::RewardStatus;
use crate::server::accounts::auth::new_id;
use crate::server::db::{self, rewards::RewardPatch};
use crate::server::rewards::clawbacks::{self, Candidate};
use refcodes_chain::alloy::primitives::{B256, U256};
use refcodes_chain::bindings::ReferralRewards::ReferralRewardsErrors;
use refcodes_chain::{ChainError, RewardEntry};
use sqlx::PgConnection;
use std::collections::HashSet;
use std::time::Duration;

/// Claims, screens, sends and settles one batch; `true` when the run should go on with the next one.
pub(super) async fn mint_batch(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    summary: &mut MintSummary,
) -> Result<bool, MintError> {
    let head = chain.minter.block_number().await?;
    let batch = new_id();
    let size = chain.config.batch_size as i64;
    let claimed = db::rewards::claim_for_mint(&mut *conn, size, &batch, head as i64).await?;
    if claimed.is_empty() {
        return Ok(false);
    }
    let (planned, malformed) = plan(&claimed);
    summary.failed += fail(conn, &malformed).await?;
    let refs: Vec<B256> = planned.iter().map(|p| p.entry.order_ref).collect();
    let paid = chain.minter.are_paid(&refs).await?;
    let (already, unpaid): (Vec<_>, Vec<_>) =
        planned.into_iter().zip(paid).partition(|(_, paid)| *paid);
    summary.skipped += settle_paid(conn, chain, already.into_iter().map(|(p, _)| p)).await?;
    let unpaid: Vec<Planned> = unpaid.into_iter().map(|(p, _)| p).collect();
    let unpaid = net_clawbacks(conn, &batch, unpaid, summary).await?;
    if unpaid.is_empty() {
        return Ok(true);
    }
    let to_send = match screen(conn, chain, unpaid, summary).await? {
        Screened::Send(list) => list,
        Screened::Hold { ids, reason } => return hold(conn, summary, &ids, reason).await,
    };
    if to_send.is_empty() {
        return Ok(true);
    }
    send_and_settle(conn, chain, &batch, to_send, summary).await
}

enum Screened {
    Send(Vec<Planned>),
    Hold { ids: Vec<String>, reason: String },
}

/// Simulates the batch; on a revert, simulates each entry on its own: bad ones fail with the decoded reason.
async fn screen(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    planned: Vec<Planned>,
    summary: &mut MintSummary,
) -> Result<Screened, MintError> {
    let entries: Vec<RewardEntry> = planned.iter().map(|p| p.entry).collect();
    let ids = || planned.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let err = match chain.minter.simulate(&entries).await {
        Ok(()) => return Ok(Screened::Send(planned)),
        Err(e) => e,
    };
    if let Some(reason) = held(&err)? {
        if matches!(
            err.revert(),
            Some(ReferralRewardsErrors::ReferralRewards__PeriodCapExceeded(_))
        ) {
            return fit_cap(conn, chain, planned, reason, summary).await;
        }
        return Ok(Screened::Hold { ids: ids(), reason });
    }
    let (mut good, mut bad, mut paid) = (Vec::new(), Vec::new(), Vec::new());
    for p in planned.iter() {
        let Err(err) = chain.minter.simulate(std::slice::from_ref(&p.entry)).await else {
            good.push(p.clone());
            continue;
        };
        if let Some(reason) = held(&err)? {
            return Ok(Screened::Hold { ids: ids(), reason });
        }
        let reason = err.revert_reason().unwrap_or_default();
        match reach(err.revert().as_ref()) {
            Reach::Paid => paid.push(p.clone()),
            _ => bad.push((p.id.clone(), reason)),
        }
    }
    summary.failed += fail(conn, &bad).await?;
    summary.skipped += settle_paid(conn, chain, paid.into_iter()).await?;
    Ok(Screened::Send(good))
}

/// The batch would pass the contract's period cap: what fits in the room left goes now (oldest first), a reward
/// larger than the whole cap fails with the reason (an admin retries it once the cap is raised), and the rest stays
/// approved — the next claim holds it until the period turns.
async fn fit_cap(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    planned: Vec<Planned>,
    reason: String,
    summary: &mut MintSummary,
) -> Result<Screened, MintError> {
    let Some((cap, room)) = chain.minter.cap_room().await? else {
        let ids = planned.into_iter().map(|p| p.id).collect();
        return Ok(Screened::Hold { ids, reason });
    };
    let (mut fits, mut too_big, mut waits) = (Vec::new(), Vec::new(), Vec::new());
    let mut total = U256::ZERO;
    for p in planned {
        if p.entry.amount > cap {
            let why =
                format!("the reward is larger than the contract's period cap of {cap} token units");
            too_big.push((p.id, why));
        } else if total + p.entry.amount <= room {
            total += p.entry.amount;
            fits.push(p);
        } else {
            waits.push(p.id);
        }
    }
    summary.failed += fail(conn, &too_big).await?;
    if fits.is_empty() && !waits.is_empty() {
        return Ok(Screened::Hold { ids: waits, reason });
    }
    Ok(Screened::Send(fits))
}

/// `Some(reason)` when a simulation failure stops the whole batch; `Err` when the chain did not answer.
fn held(err: &ChainError) -> Result<Option<String>, MintError> {
    if !err.is_revert() {
        return Err(MintError::Chain(err.reason()));
    }
    Ok(match reach(err.revert().as_ref()) {
        Reach::Everything => Some(err.revert_reason().unwrap_or_else(|| err.reason())),
        Reach::Entry | Reach::Paid => None,
    })
}

async fn hold(
    conn: &mut PgConnection,
    summary: &mut MintSummary,
    ids: &[String],
    reason: String,
) -> Result<bool, MintError> {
    tracing::warn!(
        rewards = ids.len(),
        reason,
        "mint batch held: nothing can be paid now"
    );
    db::rewards::note_error(&mut *conn, ids, &reason).await?;
    summary.deferred += ids.len() as u64;
    summary.stopped_by = Some(reason);
    Ok(false)
}

/// Rewards that revert on their own: `failed`, with the reason.
async fn fail(conn: &mut PgConnection, bad: &[(String, String)]) -> Result<u64, MintError> {
    for (id, reason) in bad {
        tracing::warn!(reward = id, reason, "reward failed");
        let patch = RewardPatch::Failed {
            why: reason.clone(),
        };
        let one = std::slice::from_ref(id);
        db::rewards::move_status_from(&mut *conn, one, &[RewardStatus::Approved], &patch).await?;
    }
    metrics::counter!("refcodes_mint_rewards_total", "result" => "failed")
        .increment(bad.len() as u64);
    Ok(bad.len() as u64)
}

/// Nets the referrers' open clawbacks from the rewards claimed for the first time (`rewards/clawbacks.rs`): their
/// entries shrink, and those with nothing left (`netted`) leave the batch.
async fn net_clawbacks(
    conn: &mut PgConnection,
    batch: &str,
    planned: Vec<Planned>,
    summary: &mut MintSummary,
) -> Result<Vec<Planned>, MintError> {
    let candidates: Vec<Candidate> = planned
        .iter()
        .filter(|p| p.first_claim)
        .map(|p| Candidate {
            reward_id: p.id.clone(),
            referrer_user_id: p.referrer_user_id.clone(),
            amount: p.entry.amount,
        })
        .collect();
    let taken = clawbacks::net(conn, batch, &candidates).await?;
    let mut left = Vec::with_capacity(planned.len());
    for mut p in planned {
        match taken.get(&p.id) {
            Some(t) if *t == p.entry.amount => summary.netted += 1,
            Some(t) => {
                p.entry.amount -= *t;
                left.push(p);
            }
            None => left.push(p),
        }
    }
    Ok(left)
}

/// Claimed rewards the contract already paid: through `minting` to `minted`, with the paying transaction's hash.
async fn settle_paid(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    paid: impl Iterator<Item = Planned>,
) -> Result<u64, MintError> {
    let paid: Vec<Planned> = paid.collect();
    if paid.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = paid.iter().map(|p| p.id.clone()).collect();
    let from = [RewardStatus::Approved];
    let moved: HashSet<String> =
        db::rewards::move_status_from(&mut *conn, &ids, &from, &RewardPatch::PaidBefore)
            .await?
            .into_iter()
            .collect();
    let flights = paid
        .into_iter()
        .filter(|p| moved.contains(&p.id))
        .map(|p| p.in_flight(None))
        .collect();
    let settled = reconcile::settle(conn, chain, flights).await?;
    Ok(settled.total())
}

/// Sends, waits for the receipt, settles; `true` when every reward of the batch was settled.
async fn send_and_settle(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    batch: &str,
    planned: Vec<Planned>,
    summary: &mut MintSummary,
) -> Result<bool, MintError> {
    let (tx, planned) = match sending::send_batch(conn, chain, batch, planned).await? {
        Sent::Nothing => return Ok(true),
        Sent::Failed { ids, reason } => return hold(conn, summary, &ids, reason).await,
        Sent::Tx(tx, planned) => (tx, planned),
    };
    summary.batches += 1;
    summary.tx_hashes.push(tx.hash.to_string());
    confirm(conn, chain, tx, planned, summary).await
}

/// Waits for the receipt of `hash` and settles its rewards; without a receipt in time they stay `minting`.
async fn confirm(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    tx: SentTx,
    planned: Vec<Planned>,
    summary: &mut MintSummary,
) -> Result<bool, MintError> {
    let hash = tx.hash;
    let timeout = Duration::from_secs(chain.config.timeout_secs);
    let confirmations = chain.config.confirmations;
    let receipt = chain.minter.wait(hash, confirmations, timeout).await;
    let Ok(Some(receipt)) = receipt else {
        let why = match receipt {
            Err(e) => format!(
                "transaction {hash} sent; its receipt could not be read: {}",
                e.reason()
            ),
            _ => format!(
                "transaction {hash} sent; not confirmed within {} s",
                timeout.as_secs()
            ),
        };
        metrics::counter!("refcodes_mint_batches_total", "outcome" => "pending").increment(1);
        let ids: Vec<String> = planned.into_iter().map(|p| p.id).collect();
        db::rewards::note_error(&mut *conn, &ids, &why).await?;
        summary.pending += ids.len() as u64;
        summary.stopped_by = Some(why);
        return Ok(false);
    };
    summary.gas_used += receipt.gas_used;
    metrics::counter!("refcodes_mint_batches_total", "outcome" => "confirmed").increment(1);
    let flights = planned
        .into_iter()
        .map(|p| p.in_flight(Some(&tx)))
        .collect();
    let settled = reconcile::settle(conn, chain, flights).await?;
    summary.minted += settled.minted;
    summary.skipped += settled.elsewhere;
    summary.pending += settled.pending;
    Ok(settled.returned == 0 && settled.pending == 0)
}
