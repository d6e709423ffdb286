//! Sending a batch, and its transaction until it is mined: the nonce is chosen and recorded before anything is
//! signed, the hash before anything is broadcast (`contracts/src/payment.rs`), so every transaction that leaves
//! the process is in the database first.
//!
//! # A new batch ([`send_batch`])
//! Next nonce: the node's pending count, or one past the highest nonce `minting` rewards still wait on (a
//! transaction the node dropped keeps its nonce). Mark the rewards `minting` with it and commit; sign; record the
//! hash; broadcast. Nothing is broadcast before its hash is stored, and no row is locked while the chain is
//! called. A payment that reverts at signing, or that the node refuses, was never broadcast: its rewards go back
//! to `approved`. A broadcast that got no answer may have arrived: its rewards stay `minting` on their nonce.
//!
//! # A nonce still open ([`resend_open`], after the run's settlement)
//! Rewards whose transaction is not mined while its nonce is open (`reconcile.rs` `Verdict::Open`) are never sent
//! with another nonce. Their payment is signed again **with the same nonce**: with fees raised over the pooled
//! ones (`Fees::replacing`, EIP-1559 replacement) once none of its transactions was mined within
//! `MINT_REPLACE_AFTER_SECS`, at once when the node holds none of them (dropped, or never broadcast). Any of the
//! transactions of a nonce may be mined, and settlement checks them all. A signed-again payment leaves out the
//! rewards whose order was refunded meanwhile (if the first transaction is mined all the same, they are clawed
//! back). A payment that would revert now, or has no reward left, is replaced by a cancellation with that nonce
//! (nothing sent to the minter itself), so later nonces are not stuck behind it; once that is mined, its rewards
//! go back to `approved` (and those of refunded orders are voided by the sweeper).
use super::plan::{entry, Planned, SentTx};
use super::{Chain, MintError};
use crate::domain::mint::MintSummary;
use crate::domain::reward::RewardStatus;
use crate::server::db::{
    self,
    rewards::{RewardPatch, Waiting},
};
use crate::server::mint::reconcile;
use refcodes_chain::alloy::primitives::B256;
use refcodes_chain::{ChainError, Fees, RewardEntry, SignedPayment};
use sqlx::PgConnection;
use std::collections::{BTreeSet, HashSet};
use std::str::FromStr;
use std::time::Duration;

pub enum Sent {
    /// Every reward of the batch left `approved` since the claim (voided, say).
    Nothing,
    /// Refused before anything was broadcast (a revert, a refusal by the node): back to `approved`.
    Failed {
        ids: Vec<String>,
        reason: String,
    },
    Tx(SentTx, Vec<Planned>),
}

/// Sends a screened batch (see the module docs).
pub async fn send_batch(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    batch: &str,
    planned: Vec<Planned>,
) -> Result<Sent, MintError> {
    let from = chain.minter.sender();
    let nonce = next_nonce(conn, chain).await?;
    let ids: Vec<String> = planned.iter().map(|p| p.id.clone()).collect();
    let marked: HashSet<String> =
        db::rewards::mark_sending(&mut *conn, &ids, batch, &from.to_string(), nonce as i64)
            .await?
            .into_iter()
            .collect();
    let planned: Vec<Planned> = planned
        .into_iter()
        .filter(|p| marked.contains(&p.id))
        .collect();
    if planned.is_empty() {
        return Ok(Sent::Nothing);
    }
    let ids: Vec<String> = planned.iter().map(|p| p.id.clone()).collect();
    let entries: Vec<RewardEntry> = planned.iter().map(|p| p.entry).collect();
    let payment = match chain.minter.sign_payment(&entries, nonce, None).await {
        Ok(payment) => payment,
        Err(e) => {
            let why = e.revert_reason().unwrap_or_else(|| e.reason());
            return unsend(conn, ids, why, e.node_answered()).await;
        }
    };
    let cap = chain.config.max_fee_per_gas;
    if payment.fees.max_fee_per_gas > cap {
        let why = over_cap(&payment, cap);
        return unsend(conn, ids, why, true).await;
    }
    db::rewards::record_signed(&mut *conn, &ids, nonce as i64, &payment.hash.to_string()).await?;
    match chain.minter.broadcast(&payment).await {
        Ok(()) => {}
        Err(e) if e.refused_transaction() => return unsend(conn, ids, e.reason(), true).await,
        // It may have arrived all the same: the rewards wait on their nonce, settled by the next run.
        Err(e) => {
            let note = format!(
                "broadcasting {} failed ({}); the next run checks its nonce",
                payment.hash,
                e.reason()
            );
            db::rewards::note_error(&mut *conn, &ids, &note).await?;
            return Err(MintError::Chain(note));
        }
    }
    tracing::info!(tx = %payment.hash, nonce, rewards = ids.len(), "mint batch sent");
    let tx = SentTx {
        hash: payment.hash,
        nonce,
        from,
    };
    Ok(Sent::Tx(tx, planned))
}

/// The nonce of a new batch: never one a `minting` reward still waits on.
async fn next_nonce(conn: &mut PgConnection, chain: &Chain<'_>) -> Result<u64, MintError> {
    let pending = chain.minter.nonces().await?.pending;
    let sender = chain.minter.sender().to_string();
    let recorded = db::rewards::highest_open_nonce(&mut *conn, &sender).await?;
    Ok(recorded.map_or(pending, |n| pending.max(n.max(0) as u64 + 1)))
}

/// A batch that never reached the pool (not signed, over the fee cap, or refused by the node): back to
/// `approved` with the reason; the run goes on (`Failed`) when the chain `answered`, and ends when it did not.
async fn unsend(
    conn: &mut PgConnection,
    ids: Vec<String>,
    why: String,
    answered: bool,
) -> Result<Sent, MintError> {
    metrics::counter!("refcodes_mint_batches_total", "outcome" => "send_failed").increment(1);
    let reason = format!("sending failed: {why}");
    let patch = RewardPatch::Unsent {
        why: reason.clone(),
    };
    let from = [RewardStatus::Minting];
    db::rewards::move_status_from(conn, &ids, &from, &patch).await?;
    if answered {
        Ok(Sent::Failed { ids, reason })
    } else {
        Err(MintError::Chain(reason))
    }
}

/// Replaces or re-sends the transactions of the open nonces settlement found (see the module docs), waits for the
/// last of them like a new batch (`MINT_TIMEOUT_SECS`) and settles again what was mined.
pub async fn resend_open(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    open: &BTreeSet<i64>,
    summary: &mut MintSummary,
) -> Result<(), MintError> {
    let sender = chain.minter.sender().to_string();
    let mut last = None;
    for &nonce in open {
        let waiting = db::rewards::waiting_on(&mut *conn, &sender, nonce).await?;
        if let Some(resent) = resend(conn, chain, nonce, &waiting).await? {
            summary.resent += resent.rewards;
            last = Some(resent.hash);
        }
    }
    let Some(last) = last else {
        return Ok(());
    };
    let timeout = Duration::from_secs(chain.config.timeout_secs);
    chain
        .minter
        .wait(last, chain.config.confirmations, timeout)
        .await?;
    summary.reconciled += reconcile::settle_minting(conn, chain).await?.total();
    Ok(())
}

/// A transaction signed again for an open nonce: its hash, and how many rewards it pays (0: a cancellation).
struct Resent {
    hash: B256,
    rewards: u64,
}

/// Signs the payment of `waiting` again with `nonce` when it is due (`None`: not due, or refused by the node).
async fn resend(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    nonce: i64,
    waiting: &[Waiting],
) -> Result<Option<Resent>, MintError> {
    if waiting.is_empty() {
        return Ok(None);
    }
    let pooled = pooled(chain, waiting).await?;
    if let Some(pooled) = pooled {
        if !replace_due(conn, chain, nonce, waiting, pooled).await? {
            return Ok(None);
        }
    }
    let why = if pooled.is_some() { "stuck" } else { "dropped" };
    let ids: Vec<String> = waiting.iter().map(|w| w.id.clone()).collect();
    let entries: Result<Vec<RewardEntry>, String> = waiting
        .iter()
        .filter(|w| !w.refunded)
        .map(|w| entry(w.wallet.as_deref(), &w.amount_wei, &w.order_reference))
        .collect();
    let signed = match entries {
        Ok(entries) if entries.is_empty() => {
            Err(sign_error("every order of the batch was refunded"))
        }
        Ok(entries) => {
            chain
                .minter
                .sign_payment(&entries, nonce as u64, pooled)
                .await
        }
        Err(reason) => Err(sign_error(&reason)),
    };
    let payment = match signed {
        Ok(payment) => payment,
        Err(e) if e.is_revert() || matches!(e, ChainError::Sign { .. }) => {
            return cancel(conn, chain, nonce, &ids, pooled, &e).await;
        }
        Err(e) if e.node_answered() => {
            let note = format!(
                "signing the payment of nonce {nonce} again failed: {}",
                e.reason()
            );
            db::rewards::note_error(&mut *conn, &ids, &note).await?;
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let cap = chain.config.max_fee_per_gas;
    if payment.fees.max_fee_per_gas > cap {
        db::rewards::note_error(&mut *conn, &ids, &over_cap(&payment, cap)).await?;
        return Ok(None);
    }
    db::rewards::record_signed(&mut *conn, &ids, nonce, &payment.hash.to_string()).await?;
    if !broadcast(conn, chain, &payment, &ids).await? {
        // Refused, and nothing of the nonce waits in the pool: a cancellation takes it, so later nonces are not
        // stuck behind a payment the node will not take.
        if pooled.is_none() {
            let refused = sign_error("the node refused the payment signed again");
            return cancel(conn, chain, nonce, &ids, None, &refused).await;
        }
        return Ok(None);
    }
    let rewards = waiting.iter().filter(|w| !w.refunded).count() as u64;
    tracing::info!(tx = %payment.hash, nonce, rewards, why, "mint transaction signed again with its nonce");
    metrics::counter!("refcodes_mint_resent_total", "why" => why).increment(1);
    Ok(Some(Resent {
        hash: payment.hash,
        rewards,
    }))
}

fn sign_error(reason: &str) -> ChainError {
    ChainError::Sign {
        context: "signing the payment again".into(),
        reason: reason.into(),
    }
}

/// Whether a pooled transaction of `nonce` is to be replaced now: it waited `MINT_REPLACE_AFTER_SECS`, it is the
/// one the account's next block waits for (a later nonce waits behind it whatever its fees), and the raised fees
/// stay under `MINT_MAX_FEE_GWEI` (noted on the rewards when they would not): each replacement raises them by
/// 12 % at least, so the cap is what bounds a transaction that waits for another reason than its fees.
async fn replace_due(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    nonce: i64,
    waiting: &[Waiting],
    pooled: Fees,
) -> Result<bool, MintError> {
    let age = waiting.iter().map(|w| w.age_secs).min().unwrap_or_default();
    if age < chain.config.replace_after_secs as i64 {
        return Ok(false);
    }
    if chain.minter.nonces().await?.mined != nonce as u64 {
        return Ok(false);
    }
    let estimate = chain.minter.fee_estimate().await?;
    let cap = chain.config.max_fee_per_gas;
    if pooled.replacing(estimate).max_fee_per_gas > cap {
        let ids: Vec<String> = waiting.iter().map(|w| w.id.clone()).collect();
        let note = format!(
            "the transaction of nonce {nonce} waits for fees above MINT_MAX_FEE_GWEI ({} gwei): it is not replaced",
            cap / GWEI
        );
        db::rewards::note_error(&mut *conn, &ids, &note).await?;
        return Ok(false);
    }
    Ok(true)
}

const GWEI: u128 = 1_000_000_000;

fn over_cap(payment: &SignedPayment, cap: u128) -> String {
    format!(
        "fees of {} gwei per gas are above MINT_MAX_FEE_GWEI ({} gwei); it waits for cheaper blocks",
        payment.fees.max_fee_per_gas.div_ceil(GWEI),
        cap / GWEI
    )
}

/// The fees of a transaction of the rewards' nonce the node holds unmined, if any (a pool keeps one per nonce).
async fn pooled(chain: &Chain<'_>, waiting: &[Waiting]) -> Result<Option<Fees>, MintError> {
    let hashes: BTreeSet<&String> = waiting.iter().flat_map(|w| &w.tx_hashes).collect();
    for hash in hashes {
        let Ok(hash) = B256::from_str(hash) else {
            continue;
        };
        if let Some(fees) = chain.minter.pooled(hash).await? {
            return Ok(Some(fees));
        }
    }
    Ok(None)
}

/// Takes `nonce` with a transfer of nothing to the minter itself, because the rewards' own payment cannot be
/// signed now: its hash is recorded among theirs (a receipt without their payment), so once it is mined,
/// settlement puts them back to `approved`.
async fn cancel(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    nonce: i64,
    ids: &[String],
    pooled: Option<Fees>,
    e: &ChainError,
) -> Result<Option<Resent>, MintError> {
    let why = e.revert_reason().unwrap_or_else(|| e.reason());
    let cancellation = chain.minter.sign_cancel(nonce as u64, pooled).await?;
    let cap = chain.config.max_fee_per_gas;
    if cancellation.fees.max_fee_per_gas > cap {
        db::rewards::note_error(&mut *conn, ids, &over_cap(&cancellation, cap)).await?;
        return Ok(None);
    }
    db::rewards::record_signed(&mut *conn, ids, nonce, &cancellation.hash.to_string()).await?;
    if !broadcast(conn, chain, &cancellation, ids).await? {
        return Ok(None);
    }
    let note = format!(
        "nonce {nonce} cancelled by transaction {}: the payment cannot be signed again ({why})",
        cancellation.hash
    );
    db::rewards::note_error(&mut *conn, ids, &note).await?;
    tracing::warn!(nonce, tx = %cancellation.hash, reason = why, "mint nonce cancelled");
    metrics::counter!("refcodes_mint_resent_total", "why" => "cancelled").increment(1);
    Ok(Some(Resent {
        hash: cancellation.hash,
        rewards: 0,
    }))
}

/// Broadcasts a re-signed transaction; `false` when the node refused it (noted on the rewards, which keep waiting
/// on their nonce). No answer ends the run.
async fn broadcast(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    payment: &SignedPayment,
    ids: &[String],
) -> Result<bool, MintError> {
    match chain.minter.broadcast(payment).await {
        Ok(()) => Ok(true),
        Err(e) if e.node_answered() => {
            let note = format!(
                "broadcasting {} again was refused: {}",
                payment.hash,
                e.reason()
            );
            tracing::warn!(tx = %payment.hash, reason = e.reason(), "re-sent mint transaction refused");
            db::rewards::note_error(&mut *conn, ids, &note).await?;
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}
