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
//! 3. the reward sweeper repairs the ledger (`rewards/sweep.rs`: after step 2, so a refunded order's reward that
//!    settled is voided or clawed back now), then rewards waiting for a price are priced (crypto ones become
//!    approved);
//! 4. batches of `MINT_BATCH_SIZE`, until none is left: claim approved rewards (`FOR UPDATE SKIP LOCKED`) and
//!    record the intent on them; fail locally malformed ones; drop (and settle as minted) those already paid on
//!    chain; net the referrers' open clawbacks from the rest (`rewards/clawbacks.rs`); simulate; on a revert tell
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
mod batch;
pub mod drift;
pub mod health;
pub mod plan;

pub mod reconcile;
mod sending;

use crate::domain::mint::MintSummary;
use crate::domain::reward::RewardStatus;
use crate::error::AppError;
use crate::server::db;

use crate::server::platform::config::{MintChain, MintConfig};
use crate::server::rewards::ledger::Ledger;
use crate::server::rewards::sweep::{self, Swept};
use refcodes_chain::{ChainClient, ChainError, Minter, Transport};
use sqlx::{PgConnection, PgPool};
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
            other => crate::server::platform::errors::internal("mint run", other),
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
    let repaired = sweep::sweep(pool, ledger).await.unwrap_or_else(|e| {
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
    while batch::mint_batch(conn, &chain, &mut summary).await? {}
    Ok(summary)
}

/// The minter and its settings, as the steps of a run need them.
pub struct Chain<'a> {
    pub minter: &'a Minter,
    pub config: &'a MintConfig,
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
