//! Ledger ↔ chain. [`settle`] decides what became of rewards on their way on chain (from the receipt of their
//! transaction, else from the contract's `paidOrders`); [`report`] lists every drift between the ledger and the
//! chain: minted in the database but not paid on chain, paid on chain but not minted in the database, and
//! payments whose recipient, amount or transaction differ from the reward's. A healthy system reports nothing.
pub use crate::domain::chain_watch::{Drift, Report};
use crate::domain::reward::RewardStatus;
use crate::server::db::{
    self,
    rewards::{InFlight, LedgerEntry, RewardPatch},
};
use crate::server::mint::{Chain, MintError};
use refcodes_chain::alloy::primitives::{Address, B256, U256};
use refcodes_chain::{order_ref, MintReceipt, Minter, PaidEvent};
use sqlx::{Acquire, PgConnection, PgPool};
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
    /// re-sent with that nonce, `minter/sending.rs`), never sent with another nonce.
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
/// open, or signs it again with that nonce (`minter/sending.rs`) — paid exactly once all the same. Returns how many.
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
            let patch = RewardPatch::Returned {
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

/// Compares every reward with `paidOrders` and every `ReferralPaid` event since `REWARDS_START_BLOCK`.
///
/// The chain's events are read before the ledger: a run that pays a reward meanwhile then shows it `minting` or
/// `minted` in the ledger, never as paid on chain but not minted here.
pub async fn report(pool: &PgPool, chain: &Chain<'_>) -> Result<Report, MintError> {
    let m = chain.minter;
    let head = m.block_number().await?;
    let from = chain.config.start_block.min(head);
    let events = m.paid_events(from, Some(head)).await?;
    let entries = db::rewards::ledger_entries(pool).await?;
    let minted: Vec<B256> = entries
        .iter()
        .filter(|e| e.status == RewardStatus::Minted)
        .map(|e| order_ref(&e.order_reference))
        .collect();
    let paid = m.are_paid(&minted).await?;
    let unpaid: HashSet<B256> = minted
        .into_iter()
        .zip(paid)
        .filter(|(_, paid)| !paid)
        .map(|(r, _)| r)
        .collect();
    Ok(Report {
        rewards: entries.len(),
        paid_events: events.len(),
        from_block: from,
        to_block: head,
        drift: drift(&entries, &unpaid, &events),
    })
}

/// The drift between the ledger (`entries`; `unpaid`: refs of minted rewards `paidOrders` denies) and the events.
pub fn drift(entries: &[LedgerEntry], unpaid: &HashSet<B256>, events: &[PaidEvent]) -> Vec<Drift> {
    let by_ref: HashMap<B256, &LedgerEntry> = entries
        .iter()
        .map(|e| (order_ref(&e.order_reference), e))
        .collect();
    let mut out: Vec<Drift> = entries
        .iter()
        .filter(|e| e.status == RewardStatus::Minted)
        .filter(|e| unpaid.contains(&order_ref(&e.order_reference)))
        .map(|e| Drift::MintedNotPaid {
            reward_id: e.id.clone(),
            order_reference: e.order_reference.clone(),
            tx_hash: e.tx_hash.clone(),
        })
        .collect();
    for event in events {
        out.extend(event_drift(by_ref.get(&event.order_ref).copied(), event));
    }
    out
}

fn event_drift(entry: Option<&LedgerEntry>, event: &PaidEvent) -> Vec<Drift> {
    let tx_hash = event.tx_hash.to_string();
    let Some(e) = entry.filter(|e| e.status == RewardStatus::Minted) else {
        if entry.is_some_and(|e| e.status == RewardStatus::Minting) {
            return Vec::new();
        }
        return vec![Drift::PaidNotMinted {
            order_ref: event.order_ref.to_string(),
            reward_id: entry.map(|e| e.id.clone()),
            status: entry.map(|e| e.status.as_str().to_string()),
            tx_hash,
        }];
    };
    let mut out = Vec::new();
    let wallet = e
        .wallet
        .as_deref()
        .and_then(|w| Address::from_str(w.trim()).ok());
    if wallet != Some(event.to) {
        out.push(Drift::RecipientMismatch {
            reward_id: e.id.clone(),
            ledger: e.wallet.clone().unwrap_or_default(),
            chain: event.to.to_string(),
            tx_hash: tx_hash.clone(),
        });
    }
    if U256::from_str_radix(&e.amount_wei, 10).ok() != Some(event.amount) {
        out.push(Drift::AmountMismatch {
            reward_id: e.id.clone(),
            ledger: e.amount_wei.clone(),
            chain: event.amount.to_string(),
            tx_hash: tx_hash.clone(),
        });
    }
    let ledger_tx = e.tx_hash.as_deref().and_then(|h| B256::from_str(h).ok());
    if ledger_tx != Some(event.tx_hash) {
        out.push(Drift::TxMismatch {
            reward_id: e.id.clone(),
            ledger: e.tx_hash.clone(),
            chain: tx_hash,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use refcodes_chain::tx::{Payment, PaymentLogs};

    const WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    fn receipt(success: bool, block: u64, paid: &[&str]) -> MintReceipt {
        MintReceipt {
            tx_hash: B256::repeat_byte(7),
            block_number: block,
            success,
            gas_used: 1,
            logs: PaymentLogs {
                paid: paid
                    .iter()
                    .map(|r| Payment {
                        order_ref: order_ref(r),
                        to: Address::ZERO,
                        amount: U256::from(1),
                    })
                    .collect(),
                skipped: Vec::new(),
            },
        }
    }

    #[test]
    fn a_reward_is_minted_by_its_own_confirmed_transaction_only() {
        let r = order_ref("ORD-1");
        let own = receipt(true, 10, &["ORD-1"]);
        assert_eq!(
            verdict(Some(&own), r, true, 10, 1, false),
            Verdict::Minted {
                tx: B256::repeat_byte(7),
                block: 10
            }
        );
        assert_eq!(verdict(Some(&own), r, true, 10, 3, false), Verdict::Pending);
        assert!(matches!(
            verdict(Some(&own), r, true, 12, 3, false),
            Verdict::Minted { .. }
        ));
        // Skipped by its transaction (paid before), or the transaction reverted / is unknown.
        let other = receipt(true, 10, &["ORD-2"]);
        assert_eq!(
            verdict(Some(&other), r, true, 10, 1, false),
            Verdict::PaidElsewhere
        );
        assert_eq!(
            verdict(Some(&receipt(false, 10, &[])), r, false, 10, 1, false),
            Verdict::NotPaid
        );
        assert_eq!(verdict(None, r, true, 10, 1, false), Verdict::PaidElsewhere);
        assert_eq!(verdict(None, r, false, 10, 1, false), Verdict::NotPaid);
    }

    #[test]
    fn an_unmined_reward_waits_while_its_nonce_is_open_and_only_then() {
        let r = order_ref("ORD-1");
        assert_eq!(verdict(None, r, false, 10, 1, true), Verdict::Open);
        // Paid by another transaction: settled whatever its own nonce does.
        assert_eq!(verdict(None, r, true, 10, 1, true), Verdict::PaidElsewhere);
        // Its transaction was mined and reverted: the nonce is used up by it.
        let reverted = receipt(false, 10, &[]);
        assert_eq!(
            verdict(Some(&reverted), r, false, 10, 1, true),
            Verdict::NotPaid
        );
        assert_eq!(verdict(None, r, false, 10, 1, false), Verdict::NotPaid);
    }

    fn flight(from: Option<&str>, nonce: Option<i64>) -> InFlight {
        InFlight {
            id: "r".into(),
            order_reference: "ORD-1".into(),
            tx_hash: None,
            from_block: None,
            tx_from: from.map(str::to_string),
            nonce,
            tx_hashes: Vec::new(),
        }
    }

    #[test]
    fn a_nonce_is_open_until_its_signer_mined_past_it() {
        let me: Address = WALLET.parse().unwrap();
        let earlier = Address::repeat_byte(1);
        let mined = HashMap::from([(me, 5), (earlier, 9)]);
        let mine = Some(WALLET.to_lowercase());
        assert_eq!(
            nonce_open(&flight(mine.as_deref(), Some(5)), &mined),
            Some(true)
        );
        assert_eq!(
            nonce_open(&flight(mine.as_deref(), Some(4)), &mined),
            Some(false)
        );
        let other = earlier.to_string();
        assert_eq!(
            nonce_open(&flight(Some(&other), Some(9)), &mined),
            Some(true)
        );
        assert_eq!(
            nonce_open(&flight(Some(&other), Some(8)), &mined),
            Some(false)
        );
        assert_eq!(nonce_open(&flight(None, None), &mined), None);
        assert_eq!(nonce_open(&flight(mine.as_deref(), None), &mined), None);
    }

    #[test]
    fn only_the_minters_own_open_nonces_are_signed_again() {
        let me: Address = WALLET.parse().unwrap();
        let mine = flight(Some(&WALLET.to_lowercase()), Some(3));
        assert_eq!(Group::of(Verdict::Open, &mine, me), Group::Open(Some(3)));
        let theirs = flight(Some(&Address::repeat_byte(1).to_string()), Some(3));
        assert_eq!(Group::of(Verdict::Open, &theirs, me), Group::Open(None));
        assert_eq!(
            Group::of(Verdict::Open, &flight(None, None), me),
            Group::Open(None)
        );
    }

    #[test]
    fn every_hash_of_a_reward_is_checked_the_latest_first() {
        let mut f = flight(None, Some(1));
        let (a, b) = (B256::repeat_byte(1), B256::repeat_byte(2));
        f.tx_hashes = vec![a.to_string(), b.to_string()];
        f.tx_hash = Some(b.to_string());
        let all: Vec<B256> = hashes_of(&f).collect();
        assert_eq!(all, vec![b, a]);
        let legacy = InFlight {
            tx_hashes: Vec::new(),
            ..f
        };
        assert_eq!(hashes_of(&legacy).collect::<Vec<_>>(), vec![b]);
    }

    fn entry(id: &str, status: &str, amount: &str) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            order_reference: format!("ORD-{id}"),
            status: RewardStatus::parse(status).unwrap(),
            wallet: Some(WALLET.to_lowercase()),
            amount_wei: amount.into(),
            tx_hash: Some(B256::repeat_byte(1).to_string()),
        }
    }

    fn event(id: &str, to: &str, amount: u64) -> PaidEvent {
        PaidEvent {
            order_ref: order_ref(&format!("ORD-{id}")),
            to: Address::from_str(to).unwrap(),
            amount: U256::from(amount),
            tx_hash: B256::repeat_byte(1),
            block_number: 5,
            log_index: 0,
        }
    }

    #[test]
    fn a_healthy_ledger_has_no_drift() {
        let entries = [
            entry("a", "minted", "100"),
            entry("b", "minting", "5"),
            entry("c", "approved", "7"),
        ];
        let events = [event("a", WALLET, 100), event("b", WALLET, 5)];
        assert!(drift(&entries, &HashSet::new(), &events).is_empty());
    }

    #[test]
    fn every_kind_of_drift_is_reported() {
        let entries = [
            entry("a", "minted", "100"),
            entry("b", "approved", "5"),
            entry("c", "minted", "7"),
            entry("d", "minted", "8"),
            LedgerEntry {
                tx_hash: None,
                ..entry("e", "minted", "3")
            },
        ];
        let other = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
        let events = [
            event("b", WALLET, 5),
            event("c", other, 7),
            event("d", WALLET, 9),
            event("e", WALLET, 3),
            event("zzz", WALLET, 1),
        ];
        let unpaid = HashSet::from([order_ref("ORD-a")]);
        let found = drift(&entries, &unpaid, &events);
        let kinds: Vec<String> = found
            .iter()
            .map(|d| {
                serde_json::to_value(d).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "mintedNotPaid",
                "paidNotMinted",
                "recipientMismatch",
                "amountMismatch",
                "txMismatch",
                "paidNotMinted"
            ]
        );
        assert!(
            matches!(&found[1], Drift::PaidNotMinted { status: Some(s), .. } if s == "approved")
        );
        assert!(matches!(
            &found[4],
            Drift::TxMismatch { reward_id, ledger: None, .. } if reward_id == "e"
        ));
        assert!(matches!(
            &found[5],
            Drift::PaidNotMinted {
                reward_id: None,
                ..
            }
        ));
    }
}
