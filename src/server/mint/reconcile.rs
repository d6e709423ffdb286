//! Ledger ↔ chain, for rewards on their way: [`settle`] decides what became of them (from the receipt of their
//! transaction, else from the contract's `paidOrders`), and a reorganisation that took a payment back makes its
//! reward `minting` again ([`reopen_reorged`]). The whole ledger against the chain is `drift.rs`.
use crate::domain::reward::RewardStatus;
use crate::server::db::{
    self,
    rewards::{InFlight, RewardPatch},
};
use crate::server::mint::{Chain, MintError};
use refcodes_chain::alloy::primitives::{Address, B256};
use refcodes_chain::{order_ref, MintReceipt, Minter, PaidEvent};
use sqlx::{Acquire, PgConnection};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;

/// At most this many `minting` rewards are settled per run (the rest wait for the next one).
const SETTLE_LIMIT: i64 = 10_000;

/// Blocks back from the head (at least four times `MINT_CONFIRMATIONS`) in which every run checks minted rewards
/// again for a reorganisation; one deeper than that is left to the report, as `mintedNotPaid` drift.
const REORG_WINDOW: u64 = 256;

/// What became of a reward on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its own transaction paid it.
    Minted { tx: B256, block: u64 },
    /// Paid on chain by another transaction (a lost one, or before a skip).
    PaidElsewhere,
    /// Not paid, and its transaction can no longer be mined (its nonce is used, or none was recorded): back to
    /// approved, sent again later.
    NotPaid,
    /// Not mined, and its nonce is still open: its transaction may yet be mined. It waits (and is replaced or
    /// re-sent with that nonce, `sending.rs`), never sent with another nonce.
    Open,
    /// Mined, not confirmed deep enough yet.
    Pending,
}

/// Decides from the receipt of the reward's transaction (if one of them is mined), `paidOrders`, the chain head
/// and whether its nonce is still open (`open`: the account's mined count is not past it).
pub fn verdict(
    receipt: Option<&MintReceipt>,
    order_ref: B256,
    paid: bool,
    head: u64,
    confirmations: u64,
    open: bool,
) -> Verdict {
    if let Some(r) = receipt {
        if head.saturating_add(1) < r.block_number.saturating_add(confirmations.max(1)) {
            return Verdict::Pending;
        }
        if r.success && r.logs.paid.iter().any(|p| p.order_ref == order_ref) {
            return Verdict::Minted {
                tx: r.tx_hash,
                block: r.block_number,
            };
        }
    }
    match (paid, open) {
        (true, _) => Verdict::PaidElsewhere,
        (false, true) if receipt.is_none() => Verdict::Open,
        _ => Verdict::NotPaid,
    }
}

/// How many rewards ended where.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    pub minted: u64,
    pub elsewhere: u64,
    pub returned: u64,
    /// Left `minting`: mined but not deep enough, or waiting on an open nonce.
    pub pending: u64,
    /// The open nonces rewards wait on, lowest first.
    pub open: BTreeSet<i64>,
}

impl Settled {
    /// Rewards whose status was settled (pending ones were not).
    pub fn total(&self) -> u64 {
        self.minted + self.elsewhere + self.returned
    }
}

/// Minted rewards whose payment a reorganisation took back (`paidOrders` denies it again): `minting` once more,
/// with their nonce and hashes, so settlement finds their transaction mined again, waits for it while its nonce is
/// open, or signs it again with that nonce (`sending.rs`) — paid exactly once all the same. Returns how many.
pub async fn reopen_reorged(conn: &mut PgConnection, chain: &Chain<'_>) -> Result<u64, MintError> {
    let head = chain.minter.block_number().await?;
    let window = REORG_WINDOW.max(chain.config.confirmations.saturating_mul(4));
    let since = head.saturating_sub(window) as i64;
    // A reward minted in a block the node has not reached is a node behind, not a reorganisation.
    let recent: Vec<_> = db::rewards::minted_since(&mut *conn, since)
        .await?
        .into_iter()
        .filter(|r| r.block_number <= head as i64)
        .collect();
    if recent.is_empty() {
        return Ok(0);
    }
    let refs: Vec<B256> = recent
        .iter()
        .map(|r| order_ref(&r.order_reference))
        .collect();
    let paid = chain.minter.are_paid(&refs).await?;
    let mut reopened = 0;
    for (r, _) in recent.iter().zip(paid).filter(|(_, paid)| !paid) {
        // Its receipt still there: the node's state lags its receipts, nothing was taken back.
        if let Some(tx) = r.tx_hash.as_deref().and_then(|h| B256::from_str(h).ok()) {
            if chain
                .minter
                .receipt(tx)
                .await?
                .is_some_and(|receipt| receipt.success)
            {
                continue;
            }
        }
        let tx = r.tx_hash.as_deref().unwrap_or("(unknown)");
        tracing::warn!(
            reward = r.id,
            tx,
            "a reorganisation took a minted reward's payment back: minting again"
        );
        let patch = RewardPatch::Reorged {
            tx: r.tx_hash.clone(),
            why: format!("transaction {tx} is no longer on the chain (a reorganisation took it back); it waits on its nonce again"),
        };
        reopened += reopen(conn, &r.id, &patch).await?;
    }
    metrics::counter!("refcodes_rewards_reorged_total").increment(reopened);
    Ok(reopened)
}

/// Makes one reward `minting` again and, in the same transaction, withdraws its clawback if nothing was netted
/// from it yet (the payout it claws back is gone; should the transaction be mined again, the sweeper records it
/// anew). One partly netted or waived is left for an admin to review.
async fn reopen(conn: &mut PgConnection, id: &str, patch: &RewardPatch) -> Result<u64, MintError> {
    let mut tx = conn.begin().await?;
    let withdrawn = db::clawbacks::withdraw_unnetted(&mut *tx, id).await?;
    let one = [id.to_string()];
    let from = [RewardStatus::Minted];
    let moved = db::rewards::move_status_from(&mut tx, &one, &from, patch).await?;
    tx.commit().await?;
    if withdrawn {
        tracing::warn!(
            reward = id,
            "its clawback was withdrawn: the payout it clawed back was taken back"
        );
    } else if db::clawbacks::exists_for(&mut *conn, id).await? {
        tracing::warn!(reward = id, "its clawback was netted or waived before a reorganisation took the payout back: review it");
    }
    Ok(moved.len() as u64)
}

/// Settles every `minting` reward (the start of each run).
pub async fn settle_minting(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
) -> Result<Settled, MintError> {
    let flights = db::rewards::minting(&mut *conn, SETTLE_LIMIT).await?;
    settle(conn, chain, flights).await
}

/// Settles rewards in `minting`: minted by their transaction, minted by another one, back to approved, or left.
/// Whether each transaction may still be mined is read first (`still_open`): one mined after that read is found
/// by its receipt.
pub async fn settle(
    conn: &mut PgConnection,
    chain: &Chain<'_>,
    flights: Vec<InFlight>,
) -> Result<Settled, MintError> {
    if flights.is_empty() {
        return Ok(Settled::default());
    }
    let m = chain.minter;
    let open = still_open(m, &flights).await?;
    let receipts = receipts(m, &flights).await?;
    let head = m.block_number().await?;
    let refs: Vec<B256> = flights
        .iter()
        .map(|f| order_ref(&f.order_reference))
        .collect();
    let paid = m.are_paid(&refs).await?;
    let mut groups: BTreeMap<Group, Vec<&InFlight>> = BTreeMap::new();
    for (((f, r), paid), open) in flights.iter().zip(&refs).zip(paid).zip(open) {
        let receipt = hashes_of(f).find_map(|tx| receipts.get(&tx));
        let v = verdict(receipt, *r, paid, head, chain.config.confirmations, open);
        groups
            .entry(Group::of(v, f, m.sender()))
            .or_default()
            .push(f);
    }
    let elsewhere: Vec<&InFlight> = groups
        .iter()
        .filter(|(g, _)| matches!(g, Group::Elsewhere))
        .flat_map(|(_, fs)| fs.iter().copied())
        .collect();
    let found = find_payments(chain, &elsewhere).await?;
    let mut settled = Settled::default();
    for (group, fs) in &groups {
        apply(conn, group, fs, &found, &mut settled).await?;
    }
    Ok(settled)
}

/// Rewards that end the same way in one statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Minted(B256, u64),
    Elsewhere,
    NotPaid(Option<String>),
    Pending,
    /// Waiting on an open nonce: the current minter's (to replace or re-send), or `None` for another signer's or a
    /// transaction sent before nonces were recorded (it can only be waited for).
    Open(Option<i64>),
}

impl Group {
    fn of(v: Verdict, f: &InFlight, sender: Address) -> Group {
        match v {
            Verdict::Minted { tx, block } => Group::Minted(tx, block),
            Verdict::PaidElsewhere => Group::Elsewhere,
            Verdict::NotPaid => Group::NotPaid(f.tx_hash.clone()),
            Verdict::Pending => Group::Pending,
            Verdict::Open => Group::Open(f.nonce.filter(|_| signer_of(f) == Some(sender))),
        }
    }
}

fn signer_of(f: &InFlight) -> Option<Address> {
    f.tx_from.as_deref().and_then(|a| a.parse().ok())
}

/// Whether each reward's transaction may still be mined: its signer's nonce is not used yet (read once per
/// signer: the minter's key, or an earlier one), or — sent before nonces were recorded — the node still holds
/// it in its pool.
async fn still_open(m: &Minter, flights: &[InFlight]) -> Result<Vec<bool>, MintError> {
    let mut mined: HashMap<Address, u64> = HashMap::new();
    let mut pooled: HashMap<B256, bool> = HashMap::new();
    let mut out = Vec::with_capacity(flights.len());
    for f in flights {
        if let Some(signer) = signer_of(f).filter(|_| f.nonce.is_some()) {
            if let Entry::Vacant(slot) = mined.entry(signer) {
                slot.insert(m.nonces_of(signer).await?.mined);
            }
            out.push(nonce_open(f, &mined).unwrap_or(false));
            continue;
        }
        let Some(tx) = hashes_of(f).next() else {
            out.push(false);
            continue;
        };
        if let Entry::Vacant(slot) = pooled.entry(tx) {
            slot.insert(m.pooled(tx).await?.is_some());
        }
        out.push(pooled[&tx]);
    }
    Ok(out)
}

/// Every transaction signed for the reward, the latest first (a reward sent before nonces were recorded has its
/// one `txHash` only).
fn hashes_of(f: &InFlight) -> impl Iterator<Item = B256> + '_ {
    let legacy = f.tx_hash.iter().filter(|_| f.tx_hashes.is_empty());
    f.tx_hashes
        .iter()
        .rev()
        .chain(legacy)
        .filter_map(|h| B256::from_str(h).ok())
}

/// Whether the reward's nonce is not used yet by its signer (`mined`: mined counts by signer); `None` without a
/// recorded signer and nonce, or with a signer whose count was not read.
fn nonce_open(f: &InFlight, mined: &HashMap<Address, u64>) -> Option<bool> {
    let count = mined.get(&signer_of(f)?)?;
    let nonce = f.nonce?;
    Some(nonce >= 0 && nonce as u64 >= *count)
}

async fn receipts(
    m: &Minter,
    flights: &[InFlight],
) -> Result<HashMap<B256, MintReceipt>, MintError> {
    let hashes: HashSet<B256> = flights.iter().flat_map(hashes_of).collect();
    let mut out = HashMap::new();
    for tx in hashes {
        if let Some(r) = m.receipt(tx).await? {
            out.insert(tx, r);
        }
    }
    Ok(out)
}

/// The `ReferralPaid` events of rewards paid by other transactions: searched from the earliest block the claims
/// recorded (`mintFromBlock`), then, for those not found there, from `REWARDS_START_BLOCK` on. A claim's block
/// bounds only the payments the database has seen the claims of: a database restored from a backup has forgotten
/// the claims made after it, so a reward the chain paid then is claimed again with a later block.
async fn find_payments(
    chain: &Chain<'_>,
    flights: &[&InFlight],
) -> Result<HashMap<B256, PaidEvent>, MintError> {
    if flights.is_empty() {
        return Ok(HashMap::new());
    }
    let start = chain.config.start_block;
    let from = flights
        .iter()
        .filter_map(|f| f.from_block)
        .min()
        .map_or(start, |b| b.max(0) as u64);
    let wanted: HashSet<B256> = flights
        .iter()
        .map(|f| order_ref(&f.order_reference))
        .collect();
    let mut found = payments_of(chain.minter, &wanted, from, None).await?;
    let missing: HashSet<B256> = wanted
        .into_iter()
        .filter(|r| !found.contains_key(r))
        .collect();
    if !missing.is_empty() && from > start {
        found.extend(payments_of(chain.minter, &missing, start, Some(from - 1)).await?);
    }
    Ok(found)
}

/// The `ReferralPaid` events of the `wanted` order refs in blocks `from..=to` (`None`: the head).
async fn payments_of(
    m: &Minter,
    wanted: &HashSet<B256>,
    from: u64,
    to: Option<u64>,
) -> Result<HashMap<B256, PaidEvent>, MintError> {
    Ok(m.paid_events(from, to)
        .await?
        .into_iter()
        .filter(|e| wanted.contains(&e.order_ref))
        .map(|e| (e.order_ref, e))
        .collect())
}

async fn apply(
    conn: &mut PgConnection,
    group: &Group,
    flights: &[&InFlight],
    found: &HashMap<B256, PaidEvent>,
    settled: &mut Settled,
) -> Result<(), MintError> {
    let ids: Vec<String> = flights.iter().map(|f| f.id.clone()).collect();
    match group {
        Group::Minted(tx, block) => {
            let patch = RewardPatch::Minted {
                tx: tx.to_string(),
                block: *block as i64,
            };
            let moved = db::rewards::move_status(&mut *conn, &ids, &patch).await?;
            settled.minted += moved.len() as u64;
        }
        Group::Elsewhere => {
            for f in flights {
                let event = found.get(&order_ref(&f.order_reference));
                let patch = RewardPatch::MintedElsewhere {
                    tx: event.map(|e| e.tx_hash.to_string()),
                    block: event.map(|e| e.block_number as i64),
                };
                let one = std::slice::from_ref(&f.id);
                let moved = db::rewards::move_status(&mut *conn, one, &patch).await?;
                settled.elsewhere += moved.len() as u64;
            }
        }
        Group::NotPaid(tx) => {
            let why = match tx {
                Some(tx) => format!("not paid on chain: transaction {tx} was not mined or reverted; it will be sent again"),
                None => "not paid on chain; it will be sent again".to_string(),
            };
            let patch = RewardPatch::NotPaid {
                why,
                last_tx: tx.clone(),
            };
            let from = [RewardStatus::Minting];
            let moved = db::rewards::move_status_from(&mut *conn, &ids, &from, &patch).await?;
            settled.returned += moved.len() as u64;
        }
        Group::Pending => settled.pending += ids.len() as u64,
        Group::Open(nonce) => {
            settled.pending += ids.len() as u64;
            settled.open.extend(*nonce);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
