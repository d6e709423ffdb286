//! The reward minter and the server wallet (README, Minting): every approved
//! reward is paid on chain exactly once, whatever crashes.
//!
//! # Server wallet
//! `REFERRAL_MINTER_PRIVATE_KEY` is parsed at start-up into a local signer (config); [`MintService`] builds one
//! signing provider from it ([`refcodes_chain::ChainClient`], no nonce trap) at start-up — or at the first run
//! when the chain did not answer then — and every run shares it. The key is never logged, shown or returned.
//!
//! # One run ([`run`]; the cron endpoint, the schedule, the post-payment trigger and the benchmark call it)
//! 1. single flight: a PostgreSQL advisory lock taken on a connection detached from the pool, so a crashed or
//!    cancelled run closes it and the lock goes with it; a second caller gets [`MintError::Busy`] at once;
//! 2. reconciliation: minted rewards of recent blocks whose payment a reorganisation took back are `minting`
//!    again (`reconcile::reopen_reorged`); every `minting` reward is settled from its receipt or `paidOrders`
//!    ([`reconcile::settle_minting`]); those whose nonce is still open wait, and their transaction is replaced
//!    or re-sent with that nonce (`sending.rs`);
//! 3. the reward sweeper repairs the ledger (`reward_sweep.rs`: after step 2, so a refunded order's reward that
//!    settled is voided or clawed back now), then rewards waiting for a price are priced (crypto ones become
//!    approved);
//! 4. batches of `MINT_BATCH_SIZE`, until none is left: claim approved rewards (`FOR UPDATE SKIP LOCKED`) and
//!    record the intent on them; fail locally malformed ones; drop (and settle as minted) those already paid on
//!    chain; net the referrers' open clawbacks from the rest (`clawbacks.rs`); simulate; on a revert tell
//!    systemic causes (paused, missing role, short treasury: all stay approved with `lastError`) from entries
//!    that revert on their own (zero address or amount: `failed` with the reason, the others go on); mark them
//!    `minting` with the next nonce and commit; sign; record the hash; broadcast (`sending.rs`); wait for the
//!    receipt (`MINT_CONFIRMATIONS`, `MINT_TIMEOUT_SECS`) and settle them like step 2. A receipt not seen in time
//!    leaves them `minting`.
//!
//! # Bounds
//! No database lock or transaction is held while the chain is called, so voids, refunds and payment
//! notifications never wait on a run. Every chain call is bounded by the HTTP client (`CHAIN_CALL_TIMEOUT_SECS`
//! per request, 10 s to connect), the receipt wait by `MINT_TIMEOUT_SECS` and the whole run by
//! `MINT_RUN_DEADLINE_SECS`: a run cut there closes its connection, which releases the lock; whatever it left
//! `minting` is settled by the next run, as after a crash.
//!
//! # The crash window, the intent and the nonce
//! A crash after the claim leaves rewards `approved` with their intent (the batch id and the chain head before
//! the send: `mintBatch`, `mintFromBlock`); every claim asks `paidOrders` before anything is sent, so a reward
//! paid meanwhile is settled as `minted`, its hash looked up among the `ReferralPaid` events from `mintFromBlock`
//! on, and from `REWARDS_START_BLOCK` on when not found there. A crash after the mark leaves them `minting` with
//! their nonce (`txFrom`, `txNonce`) and every hash signed for it (`txHashes`) — a hash is stored before its
//! transaction is broadcast, so no transaction is ever unknown to the database. Settlement then reads the
//! minter's mined nonce count first: while the nonce is open, any of those transactions may still be mined, so
//! the rewards wait on it and are never sent with another nonce; once another transaction took it, those not
//! paid go back to `approved`. Should a second transaction reach the contract all the same (a reward sent before
//! nonces were recorded, say), it pays nothing twice: `payReferralBatch` skips a paid order and `payReferral`
//! reverts `AlreadyPaid`, and such an entry is settled from `paidOrders` as well.
//!
//! # A database restored from a backup
//! It has forgotten whatever happened after the backup, the chain has not. Rewards it holds `approved` or
//! `minting` that the chain paid since are settled like those of a lost transaction: `paidOrders` says they are
//! paid, nothing is sent, and the paying transaction is found among the `ReferralPaid` events — from
//! `REWARDS_START_BLOCK` on, as the new claim's `mintFromBlock` is later than a payment made before the restore.
pub mod health;
mod sending;

use super::auth::new_id;
use super::clawbacks::{self, Candidate};
use super::config::{MintChain, MintConfig};
use super::db::{
    self,
    rewards::{Claimed, RewardPatch},
};
use super::ledger::Ledger;
use super::reconcile;
use super::reward_sweep::{self, Swept};
use crate::domain::mint::MintSummary;
use crate::domain::reward::RewardStatus;
use crate::error::AppError;
use refcodes_chain::alloy::primitives::{Address, B256, U256};
use refcodes_chain::bindings::ReferralRewards::ReferralRewardsErrors;
use refcodes_chain::{order_ref, ChainClient, ChainError, Minter, RewardEntry, Transport};
use sending::{Sent, SentTx};
use sqlx::{PgConnection, PgPool};
use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, OnceCell};
use tokio::task::JoinHandle;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const RECEIPT_POLL: Duration = Duration::from_millis(200);
/// A background run that found the lock taken tries again after this.
const BUSY_RETRY: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error("minting is not configured")]
    NotConfigured,
    #[error("another mint run holds the lock")]
    Busy,
    /// The chain did not answer: what failed, in words that never name the RPC URL (`ChainError::reason`).
    #[error("chain: {0}")]
    Chain(String),
    /// The RPC endpoint's certificate was refused: a setting to fix, so start-up stops on it.
    #[error("the chain RPC endpoint at {endpoint} is not trusted (check CHAIN_RPC_URL and EXTRA_CA_CERTS): {reason}")]
    Untrusted { endpoint: String, reason: String },
    #[error("the run did not end within {0} s (MINT_RUN_DEADLINE_SECS); the next run goes on from where it stopped")]
    Deadline(u64),
    #[error("CHAIN_ID is {want} but the RPC serves chain {got}")]
    WrongChain { want: u64, got: u64 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<ChainError> for MintError {
    fn from(e: ChainError) -> Self {
        MintError::Chain(e.reason())
    }
}

impl From<MintError> for AppError {
    fn from(e: MintError) -> Self {
        match e {
            MintError::NotConfigured => AppError::MintingNotConfigured,
            MintError::Busy => AppError::MintBusy,
            MintError::Chain(_) | MintError::Untrusted { .. } | MintError::Deadline(_) => {
                tracing::warn!(error = %e, "mint run: chain unavailable");
                AppError::ChainUnavailable
            }
            other => super::errors::internal("mint run", other),
        }
    }
}

/// The minter's settings and its one shared signing connection.
pub struct MintService {
    config: MintConfig,
    transport: Transport,
    minter: OnceCell<Minter>,
}

impl MintService {
    /// Reaches the chain through `transport` (its TLS trust and timeouts).
    pub fn new(config: MintConfig, transport: Transport) -> MintService {
        MintService {
            config,
            transport,
            minter: OnceCell::new(),
        }
    }

    pub fn config(&self) -> &MintConfig {
        &self.config
    }

    pub fn is_configured(&self) -> bool {
        self.config.chain.is_some()
    }

    /// The shared minter, connected on first use.
    pub async fn minter(&self) -> Result<&Minter, MintError> {
        let chain = self.config.chain.as_ref().ok_or(MintError::NotConfigured)?;
        self.minter
            .get_or_try_init(|| connect(&self.transport, chain))
            .await
    }

    /// At start-up: connect when the chain answers (a wrong chain id or a refused certificate is an error), else
    /// leave it to the first run.
    pub async fn connect_at_start(&self) -> Result<(), MintError> {
        match self.minter().await {
            Ok(m) => {
                let operator = m.has_operator_role().await.unwrap_or(false);
                tracing::info!(minter = %m.sender(), contract = %m.rewards(), chain_id = m.client().chain_id(), operator, "reward minter ready");
                if !operator {
                    tracing::warn!(minter = %m.sender(), "the minter lacks OPERATOR_ROLE: every payment will revert");
                }
                Ok(())
            }
            Err(MintError::NotConfigured) => {
                tracing::info!("minting is not configured (no minter key and contract)");
                Ok(())
            }
            Err(MintError::Chain(why)) => {
                tracing::warn!(
                    error = why,
                    "the chain does not answer; the minter connects at its first run"
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

async fn connect(transport: &Transport, chain: &MintChain) -> Result<Minter, MintError> {
    let client = tokio::time::timeout(
        CONNECT_TIMEOUT,
        ChainClient::connect_via(transport, &chain.rpc_url, chain.signer.clone()),
    )
    .await
    .map_err(|_| MintError::Chain("connecting to the chain timed out".into()))?
    .map_err(|e| match e.tls_refusal() {
        Some(reason) => MintError::Untrusted {
            endpoint: chain.endpoint(),
            reason,
        },
        None => e.into(),
    })?;
    match chain.chain_id {
        Some(want) if want != client.chain_id() => Err(MintError::WrongChain {
            want,
            got: client.chain_id(),
        }),
        _ => Ok(Minter::new(client, chain.contract).with_poll_interval(RECEIPT_POLL)),
    }
}

/// One mint run (see the module docs).
pub async fn run(
    pool: &PgPool,
    ledger: &Ledger,
    service: &MintService,
) -> Result<MintSummary, MintError> {
    let outcome = single_flight(pool, ledger, service).await;
    if !matches!(outcome, Err(MintError::Busy | MintError::NotConfigured)) {
        record(pool, &outcome).await;
    }
    outcome
}

/// Connects, takes the lock (or answers `Busy`), runs within the deadline and releases the lock.
async fn single_flight(
    pool: &PgPool,
    ledger: &Ledger,
    service: &MintService,
) -> Result<MintSummary, MintError> {
    let minter = service.minter().await?;
    // Detached: if this run dies, the connection closes and PostgreSQL releases the lock.
    let mut conn = pool.acquire().await?.detach();
    if !db::rewards::try_mint_lock(&mut conn).await? {
        metrics::counter!("refcodes_mint_runs_total", "outcome" => "busy").increment(1);
        return Err(MintError::Busy);
    }
    let deadline = service.config.run_deadline;
    let run = run_locked(&mut conn, pool, ledger, minter, &service.config);
    let outcome = match tokio::time::timeout(deadline, run).await {
        Ok(outcome) => {
            let _ = db::rewards::mint_unlock(&mut conn).await;
            outcome
        }
        // Cut wherever it was: the connection is closed below, not reused, and the lock goes with it; what the
        // run left `minting` is settled by the next one.
        Err(_) => Err(MintError::Deadline(deadline.as_secs())),
    };
    drop(conn);
    outcome
}

async fn run_locked(
    conn: &mut PgConnection,
    pool: &PgPool,
    ledger: &Ledger,
    minter: &Minter,
    config: &MintConfig,
) -> Result<MintSummary, MintError> {
    let chain = Chain { minter, config };
    // A chain that does not answer fails the run, after the sweep and the pricing, which need no chain.
    let (reopened, reconciled) = match reconcile::reopen_reorged(conn, &chain).await {
        Ok(reopened) => (reopened, reconcile::settle_minting(conn, &chain).await),
        Err(e) => (0, Err(e)),
    };
    let repaired = reward_sweep::sweep(pool, ledger).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "the reward sweeper failed");
        Swept::default()
    });
    let priced = ledger.price_waiting(pool).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "pricing waiting rewards failed");
        0
    });
    let reconciled = reconciled?;
    let mut summary = MintSummary {
        reopened,
        reconciled: reconciled.total(),
        repaired: repaired.total(),
        priced,
        ..MintSummary::default()
    };
    sending::resend_open(conn, &chain, &reconciled.open, &mut summary).await?;
    health::record_balances(pool, minter, config.low_balance_wei).await;
    while mint_batch(conn, &chain, &mut summary).await? {}
    Ok(summary)
}

/// The minter and its settings, as the steps of a run need them.
pub struct Chain<'a> {
    pub minter: &'a Minter,
    pub config: &'a MintConfig,
}

/// Claims, screens, sends and settles one batch; `true` when the run should go on with the next one.
async fn mint_batch(
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

/// A claimed reward ready to be paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub id: String,
    pub order_reference: String,
    pub entry: RewardEntry,
    pub from_block: i64,
    pub referrer_user_id: String,
    /// Claimed for the first time (clawbacks may be netted from it).
    pub first_claim: bool,
}

impl Planned {
    /// As an in-flight reward (`tx`: the transaction that was to pay it, if any).
    fn in_flight(self, tx: Option<&SentTx>) -> db::rewards::InFlight {
        db::rewards::InFlight {
            id: self.id,
            order_reference: self.order_reference,
            tx_hash: tx.map(|t| t.hash.to_string()),
            from_block: Some(self.from_block),
            tx_from: tx.map(|t| t.from.to_string()),
            nonce: tx.map(|t| t.nonce as i64),
            tx_hashes: tx.map(|t| vec![t.hash.to_string()]).unwrap_or_default(),
        }
    }
}

/// Splits claimed rewards into payable entries and locally malformed ones (with the reason).
pub fn plan(claimed: &[Claimed]) -> (Vec<Planned>, Vec<(String, String)>) {
    let mut planned = Vec::new();
    let mut malformed = Vec::new();
    for c in claimed {
        match entry_of(c) {
            Ok(entry) => planned.push(Planned {
                id: c.id.clone(),
                order_reference: c.order_reference.clone(),
                entry,
                from_block: c.from_block,
                referrer_user_id: c.referrer_user_id.clone(),
                first_claim: c.first_claim,
            }),
            Err(reason) => malformed.push((c.id.clone(), reason)),
        }
    }
    (planned, malformed)
}

fn entry_of(c: &Claimed) -> Result<RewardEntry, String> {
    entry(c.wallet.as_deref(), &c.amount_wei, &c.order_reference)
}

/// The payment of `amount_wei` to `wallet` for the order `order_reference`, or why it cannot be made.
fn entry(
    wallet: Option<&str>,
    amount_wei: &str,
    order_reference: &str,
) -> Result<RewardEntry, String> {
    let wallet = wallet.ok_or("the reward has no referrer wallet")?;
    let to = Address::from_str(wallet.trim())
        .map_err(|_| format!("the referrer wallet {wallet:?} is not an address"))?;
    let amount = U256::from_str_radix(amount_wei, 10)
        .map_err(|_| format!("amountWei {amount_wei:?} is not a whole number"))?;
    Ok(RewardEntry {
        to,
        amount,
        order_ref: order_ref(order_reference),
    })
}

/// How far a revert reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// This entry is bad on its own (zero address, amount or order ref): it fails, the others go on.
    Entry,
    /// Already paid: it is settled as minted.
    Paid,
    /// Paused, missing role, short treasury, anything unknown: nothing can be paid now.
    Everything,
}

pub fn reach(revert: Option<&ReferralRewardsErrors>) -> Reach {
    use ReferralRewardsErrors as E;
    match revert {
        Some(
            E::ReferralRewards__ZeroAddress(_)
            | E::ReferralRewards__ZeroAmount(_)
            | E::ReferralRewards__ZeroOrderRef(_),
        ) => Reach::Entry,
        Some(E::ReferralRewards__AlreadyPaid(_)) => Reach::Paid,
        _ => Reach::Everything,
    }
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

/// Nets the referrers' open clawbacks from the rewards claimed for the first time (`clawbacks.rs`): their
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

/// Run counters, rewards by status.
async fn record(pool: &PgPool, outcome: &Result<MintSummary, MintError>) {
    health::record_run(pool, outcome).await;
    match outcome {
        Ok(s) => {
            metrics::counter!("refcodes_mint_runs_total", "outcome" => "ok").increment(1);
            metrics::counter!("refcodes_mint_rewards_total", "result" => "minted")
                .increment(s.minted);
            metrics::counter!("refcodes_mint_rewards_total", "result" => "skipped")
                .increment(s.skipped);
            if s.minted + s.failed + s.skipped + s.reconciled + s.pending > 0 {
                tracing::info!(summary = ?s, "mint run");
            }
        }
        Err(e) => {
            metrics::counter!("refcodes_mint_runs_total", "outcome" => "error").increment(1);
            tracing::warn!(error = %e, "mint run failed");
        }
    }
    if let Ok(counts) = db::rewards::count_by_status(pool).await {
        for status in RewardStatus::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            metrics::gauge!("refcodes_rewards", "status" => status.as_str()).set(n as f64);
        }
    }
}

/// Runs [`run`] on the schedule (`MINT_INTERVAL_SECS`, 0 = off) and after every reward a payment approved (`Ledger::announce`, this server's only), until
/// `stop` turns true (a run in progress is abandoned: that is crash-safe by design). `None` without minting.
pub fn spawn_worker(
    pool: PgPool,
    ledger: Arc<Ledger>,
    service: Arc<MintService>,
    mut stop: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    if !service.is_configured() {
        return None;
    }
    let mut approved = ledger.approvals();
    let interval = service.config.interval_secs;
    Some(tokio::spawn(async move {
        let mut busy = false;
        loop {
            let pause = if busy {
                BUSY_RETRY
            } else {
                Duration::from_secs(interval)
            };
            tokio::select! {
                _ = stop.changed() => break,
                _ = approved.changed() => {}
                _ = tokio::time::sleep(pause), if busy || interval > 0 => {}
            }
            tokio::select! {
                _ = stop.changed() => break,
                outcome = run(&pool, &ledger, &service) => busy = matches!(outcome, Err(MintError::Busy)),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use refcodes_chain::bindings::ReferralRewards as R;

    fn claimed(wallet: Option<&str>, amount: &str) -> Claimed {
        Claimed {
            id: "r1".into(),
            order_reference: "ORD-1".into(),
            wallet: wallet.map(str::to_string),
            amount_wei: amount.into(),
            from_block: 7,
            referrer_user_id: "u1".into(),
            first_claim: true,
        }
    }

    #[test]
    fn malformed_rewards_are_refused_before_any_chain_call() {
        let good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        let (planned, bad) = plan(&[
            claimed(Some(good), "1000"),
            claimed(None, "1"),
            claimed(Some("0x12"), "1"),
            claimed(Some(good), "1e18"),
        ]);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].entry.amount, U256::from(1000));
        assert_eq!(planned[0].entry.order_ref, order_ref("ORD-1"));
        let reasons: Vec<&str> = bad.iter().map(|(_, r)| r.as_str()).collect();
        assert!(reasons[0].contains("no referrer wallet"), "{reasons:?}");
        assert!(reasons[1].contains("not an address"), "{reasons:?}");
        assert!(reasons[2].contains("not a whole number"), "{reasons:?}");
    }

    #[test]
    fn only_entry_errors_fail_a_single_reward() {
        use ReferralRewardsErrors as E;
        let entry = [
            E::ReferralRewards__ZeroAddress(R::ReferralRewards__ZeroAddress {}),
            E::ReferralRewards__ZeroAmount(R::ReferralRewards__ZeroAmount {}),
            E::ReferralRewards__ZeroOrderRef(R::ReferralRewards__ZeroOrderRef {}),
        ];
        for e in &entry {
            assert_eq!(reach(Some(e)), Reach::Entry);
        }
        let paid = E::ReferralRewards__AlreadyPaid(R::ReferralRewards__AlreadyPaid {
            orderRef: B256::ZERO,
        });
        assert_eq!(reach(Some(&paid)), Reach::Paid);
        let systemic = [
            E::EnforcedPause(R::EnforcedPause {}),
            E::ReferralRewards__InsufficientTreasury(R::ReferralRewards__InsufficientTreasury {
                needed: U256::from(2),
                available: U256::from(1),
            }),
        ];
        for e in &systemic {
            assert_eq!(reach(Some(e)), Reach::Everything);
        }
        assert_eq!(reach(None), Reach::Everything);
    }

    #[test]
    fn the_summary_has_the_seed_fields() {
        let json = serde_json::to_value(MintSummary::default()).unwrap();
        for key in ["minted", "failed", "skipped", "reconciled", "txHashes"] {
            assert!(json.get(key).is_some(), "{key}");
        }
    }
}
