//! Reward-minter primitives: what the app's minter does on chain, with no database here.
//!
//! The intended cycle, per batch of at most [`MAX_BATCH_SIZE`] rewards:
//! 1. [`Minter::are_paid`] drops what the contract already paid (after a crash, say);
//! 2. [`Minter::simulate`] the batch (`eth_call`); on a revert, [`Minter::isolate`] tells the good entries from
//!    the bad ones, each with a human reason;
//! 3. [`Minter::send`] broadcasts and returns the transaction hash at once: store it *before* waiting — or, to
//!    store it before anything is broadcast and to choose the nonce, [`Minter::sign_payment`] then
//!    [`Minter::broadcast`] (`crate::payment`: replacements with the same nonce);
//! 4. [`Minter::wait`] (or later [`Minter::receipt`]) for the receipt; `None` means "not mined (yet)", so the
//!    stored hash is checked again later, and [`Minter::paid_events`] / [`Minter::are_paid`] reconcile.
//!
//! One entry goes through `payReferral`, several through `payReferralBatch`. They differ on an already-paid order:
//! `payReferral` reverts `ReferralRewards__AlreadyPaid` ([`ChainError::already_paid`]), the batch pays the other
//! entries and reports it as skipped (`ReferralSkipped`, in [`MintReceipt::logs`]).
//!
//! Batches longer than [`MAX_BATCH_SIZE`] are **rejected** with [`ChainError::BatchTooLarge`] before anything is
//! sent, not split: one call = one transaction = one hash to store. Split with `entries.chunks(MAX_BATCH_SIZE)`.
//!
//! Nonces: [`ChainClient`] asks the node for the pending nonce on every send, so a send after a reverted
//! simulation, a reverted send (gas estimation) or a send the node refused goes straight through.

use std::fmt;
use std::time::Duration;

use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::{Filter, TransactionReceipt};
use alloy::sol_types::SolEvent;

use crate::bindings::ReferralRewards::{self, ReferralRewardsInstance};
use crate::bindings::RewardToken;
use crate::error::ChainError;
use crate::mode::Mode;
use crate::provider::ChainClient;
use crate::roles::operator_role;
use crate::tx::{payment_logs, PaymentLogs};

/// The contract's `MAX_BATCH_SIZE`: the most entries one `payReferralBatch` accepts.
pub const MAX_BATCH_SIZE: usize = 300;

/// Order refs per `arePaid` call in [`Minter::are_paid`] (16 KB of calldata, ~1.1 M gas of cold reads).
pub const ARE_PAID_CHUNK: usize = 500;

/// Default block range per `eth_getLogs` request in [`Minter::paid_events`] (many public RPCs cap it near 1 000).
pub const DEFAULT_LOG_CHUNK_BLOCKS: u64 = 1_000;

/// Default interval between receipt polls in [`Minter::wait`].
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// One reward to pay: `amount` token units to `to` for the order whose `order_ref()` is `order_ref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RewardEntry {
    pub to: Address,
    pub amount: U256,
    pub order_ref: B256,
}

/// A mined reward transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MintReceipt {
    pub tx_hash: B256,
    pub block_number: u64,
    /// Receipt status: `false` = mined but reverted (nothing was paid).
    pub success: bool,
    pub gas_used: u64,
    /// The ReferralPaid (paid) and ReferralSkipped (already paid before) events of this transaction.
    pub logs: PaymentLogs,
}

/// What the contract pays rewards from ([`Minter::treasury`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Treasury {
    pub mode: Mode,
    /// The reward token units the contract holds.
    pub balance: U256,
}

/// One `ReferralPaid` event found by [`Minter::paid_events`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PaidEvent {
    pub order_ref: B256,
    pub to: Address,
    pub amount: U256,
    pub tx_hash: B256,
    pub block_number: u64,
    /// Position of the log in its block (orders events of one transaction).
    pub log_index: u64,
}

/// Pays rewards through the ReferralRewards proxy at `rewards`, signing with the client's key (which needs
/// `OPERATOR_ROLE`: [`Minter::has_operator_role`]). Cheap to clone. `Debug` shows public facts only, never the key.
#[derive(Clone)]
pub struct Minter {
    client: ChainClient,
    rewards: Address,
    contract: ReferralRewardsInstance<DynProvider>,
    poll_interval: Duration,
    log_chunk_blocks: u64,
}

impl fmt::Debug for Minter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Minter")
            .field("client", &self.client)
            .field("rewards", &self.rewards)
            .field("poll_interval", &self.poll_interval)
            .field("log_chunk_blocks", &self.log_chunk_blocks)
            .finish()
    }
}

impl Minter {
    pub fn new(client: ChainClient, rewards: Address) -> Self {
        let contract = ReferralRewards::new(rewards, client.provider().clone());
        Minter {
            client,
            rewards,
            contract,
            poll_interval: DEFAULT_POLL_INTERVAL,
            log_chunk_blocks: DEFAULT_LOG_CHUNK_BLOCKS,
        }
    }

    /// How often [`Minter::wait`] polls for the receipt (default [`DEFAULT_POLL_INTERVAL`]; at least 10 ms).
    pub fn with_poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(10));
        self
    }

    /// Block range per `eth_getLogs` request in [`Minter::paid_events`] (default [`DEFAULT_LOG_CHUNK_BLOCKS`];
    /// at least 1).
    pub fn with_log_chunk_blocks(mut self, blocks: u64) -> Self {
        self.log_chunk_blocks = blocks.max(1);
        self
    }

    /// The address that signs and pays gas.
    pub fn sender(&self) -> Address {
        self.client.sender()
    }

    /// The ReferralRewards proxy.
    pub fn rewards(&self) -> Address {
        self.rewards
    }

    pub fn client(&self) -> &ChainClient {
        &self.client
    }

    pub(crate) fn contract(&self) -> &ReferralRewardsInstance<DynProvider> {
        &self.contract
    }

    /// `paidOrders` of every ref, in order (`arePaid`, [`ARE_PAID_CHUNK`] refs per call). Empty in, empty out.
    pub async fn are_paid(&self, refs: &[B256]) -> Result<Vec<bool>, ChainError> {
        let mut out = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(ARE_PAID_CHUNK) {
            let paid = self
                .contract
                .arePaid(chunk.to_vec())
                .call()
                .await
                .map_err(|e| {
                    ChainError::contract(format!("reading arePaid for {} refs", chunk.len()), e)
                })?;
            out.extend(paid);
        }
        Ok(out)
    }

    /// Simulates paying `entries` from the minter's address (`eth_call` at the latest block; `payReferral` for
    /// one entry, `payReferralBatch` for more). A revert is [`ChainError::Contract`]: see
    /// [`ChainError::revert`] / [`ChainError::revert_reason`]. Empty or over-long batches fail before any call.
    pub async fn simulate(&self, entries: &[RewardEntry]) -> Result<(), ChainError> {
        check_batch(entries)?;
        let context = format!("simulating {}", describe(entries));
        let result = match entries {
            [one] => self
                .contract
                .payReferral(one.to, one.amount, one.order_ref)
                .from(self.sender())
                .call()
                .await
                .map(drop),
            many => {
                let (to, amounts, refs) = columns(many);
                self.contract
                    .payReferralBatch(to, amounts, refs)
                    .from(self.sender())
                    .call()
                    .await
                    .map(drop)
            }
        };
        result.map_err(|e| ChainError::contract(context, e))
    }

    /// Simulates every entry on its own. Returns the entries that would pay and, for the others, the human reason
    /// of their revert ([`ChainError::revert_reason`]: zero address, zero amount, already paid, paused …).
    /// Anything that is not a revert (RPC failure) is an `Err`. One `eth_call` per entry; no size limit.
    #[allow(clippy::type_complexity)]
    pub async fn isolate(
        &self,
        entries: &[RewardEntry],
    ) -> Result<(Vec<RewardEntry>, Vec<(RewardEntry, String)>), ChainError> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for entry in entries {
            match self.simulate(std::slice::from_ref(entry)).await {
                Ok(()) => good.push(*entry),
                Err(err) => match err.revert_reason() {
                    Some(reason) => bad.push((*entry, reason)),
                    None => return Err(err),
                },
            }
        }
        Ok((good, bad))
    }

    /// Signs and broadcasts the payment of `entries` (gas is estimated first, so a revert fails here, before
    /// broadcasting, as [`ChainError::Contract`]) and returns the transaction hash as soon as the node accepted it,
    /// without waiting for it to be mined. Empty or over-long batches fail before anything is sent.
    pub async fn send(&self, entries: &[RewardEntry]) -> Result<B256, ChainError> {
        check_batch(entries)?;
        let context = format!("sending {}", describe(entries));
        let pending = match entries {
            [one] => {
                self.contract
                    .payReferral(one.to, one.amount, one.order_ref)
                    .from(self.sender())
                    .send()
                    .await
            }
            many => {
                let (to, amounts, refs) = columns(many);
                self.contract
                    .payReferralBatch(to, amounts, refs)
                    .from(self.sender())
                    .send()
                    .await
            }
        }
        .map_err(|e| ChainError::contract(context, e))?;
        Ok(*pending.tx_hash())
    }

    /// Waits until `tx` is mined with `confirmations` blocks (1 = in the latest block; 0 counts as 1), polling
    /// every poll interval. `Ok(None)` when `timeout` passes first: the transaction is unknown to the node or not
    /// mined (deep enough) yet; the whole call never takes much longer than `timeout`, even if the node hangs.
    /// An RPC failure is an `Err`. A mined-but-reverted transaction is `Some` with `success == false`.
    pub async fn wait(
        &self,
        tx: B256,
        confirmations: u64,
        timeout: Duration,
    ) -> Result<Option<MintReceipt>, ChainError> {
        let needed = confirmations.max(1);
        let poll = async {
            loop {
                if let Some(receipt) = self.receipt(tx).await? {
                    let head = self.block_number().await?;
                    if head.saturating_add(1) >= receipt.block_number.saturating_add(needed) {
                        return Ok(receipt);
                    }
                }
                tokio::time::sleep(self.poll_interval).await;
            }
        };
        match tokio::time::timeout(timeout, poll).await {
            Ok(Ok(receipt)) => Ok(Some(receipt)),
            Ok(Err(e)) => Err(e),
            Err(_elapsed) => Ok(None),
        }
    }

    /// The receipt of `tx` if it is mined, without waiting; `None` if the node does not know it or it is pending.
    pub async fn receipt(&self, tx: B256) -> Result<Option<MintReceipt>, ChainError> {
        let receipt = self
            .client
            .provider()
            .get_transaction_receipt(tx)
            .await
            .map_err(|e| ChainError::rpc(format!("reading the receipt of {tx}"), e))?;
        Ok(receipt.and_then(|r| self.mint_receipt(&r)))
    }

    fn mint_receipt(&self, r: &TransactionReceipt) -> Option<MintReceipt> {
        Some(MintReceipt {
            tx_hash: r.transaction_hash,
            block_number: r.block_number?,
            success: r.status(),
            gas_used: r.gas_used,
            logs: payment_logs(r, self.rewards),
        })
    }

    /// Every `ReferralPaid` event of the contract in blocks `from_block..=to_block` (`None` = up to the latest
    /// block), in chain order, asking for at most the log chunk size of blocks per request. Logs flagged
    /// `removed` (reorged away) are left out.
    pub async fn paid_events(
        &self,
        from_block: u64,
        to_block: Option<u64>,
    ) -> Result<Vec<PaidEvent>, ChainError> {
        let to_block = match to_block {
            Some(b) => b,
            None => self.block_number().await?,
        };
        let mut events = Vec::new();
        let mut start = from_block;
        while start <= to_block {
            let end = start
                .saturating_add(self.log_chunk_blocks - 1)
                .min(to_block);
            let filter = Filter::new()
                .address(self.rewards)
                .event_signature(ReferralRewards::ReferralPaid::SIGNATURE_HASH)
                .from_block(start)
                .to_block(end);
            let logs = self
                .client
                .provider()
                .get_logs(&filter)
                .await
                .map_err(|e| {
                    ChainError::rpc(
                        format!("reading ReferralPaid logs of blocks {start}..={end}"),
                        e,
                    )
                })?;
            for log in logs.iter().filter(|l| !l.removed) {
                let Ok(e) = ReferralRewards::ReferralPaid::decode_log(&log.inner) else {
                    continue;
                };
                let (Some(tx_hash), Some(block_number)) = (log.transaction_hash, log.block_number)
                else {
                    continue;
                };
                events.push(PaidEvent {
                    order_ref: e.data.orderRef,
                    to: e.data.to,
                    amount: e.data.amount,
                    tx_hash,
                    block_number,
                    log_index: log.log_index.unwrap_or_default(),
                });
            }
            if end == u64::MAX {
                break;
            }
            start = end + 1;
        }
        Ok(events)
    }

    /// The minter's gas-token (ETH/POL …) balance in wei.
    pub async fn native_balance(&self) -> Result<U256, ChainError> {
        let sender = self.sender();
        self.client
            .provider()
            .get_balance(sender)
            .await
            .map_err(|e| ChainError::rpc(format!("reading the gas balance of {sender}"), e))
    }

    /// What the contract pays from: its mode, and the reward token balance it holds (the treasury, which pays
    /// every reward in TRANSFER mode).
    pub async fn treasury(&self) -> Result<Treasury, ChainError> {
        let mode = self
            .contract
            .mode()
            .call()
            .await
            .map_err(|e| ChainError::contract("reading mode()", e))?;
        let token = self
            .contract
            .rewardToken()
            .call()
            .await
            .map_err(|e| ChainError::contract("reading rewardToken()", e))?;
        let balance = RewardToken::new(token, self.client.provider().clone())
            .balanceOf(self.rewards)
            .call()
            .await
            .map_err(|e| ChainError::contract("reading the treasury balance", e))?;
        Ok(Treasury {
            mode: Mode::from_u8(mode)?,
            balance,
        })
    }

    /// The contract's period cap and what may still be paid in the current period (the whole cap once the
    /// period is over at the latest block); `None` without a cap.
    pub async fn cap_room(&self) -> Result<Option<(U256, U256)>, ChainError> {
        let c = self
            .contract
            .periodCap()
            .call()
            .await
            .map_err(|e| ChainError::contract("reading periodCap()", e))?;
        if c.cap.is_zero() {
            return Ok(None);
        }
        let latest = self
            .client
            .provider()
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .map_err(|e| ChainError::rpc("reading the latest block", e))?;
        let now = latest.map_or(0, |b| b.header.timestamp);
        let ended = now >= c.start.saturating_add(c.length);
        let paid = if ended { U256::ZERO } else { c.paid };
        Ok(Some((c.cap, c.cap.saturating_sub(paid))))
    }

    /// Whether the contract is paused (every payment would revert `EnforcedPause`).
    pub async fn is_paused(&self) -> Result<bool, ChainError> {
        self.contract
            .paused()
            .call()
            .await
            .map_err(|e| ChainError::contract("reading paused()", e))
    }

    /// Whether the minter's address holds `OPERATOR_ROLE` (without it every payment reverts).
    pub async fn has_operator_role(&self) -> Result<bool, ChainError> {
        self.contract
            .hasRole(operator_role(), self.sender())
            .call()
            .await
            .map_err(|e| ChainError::contract("reading hasRole(OPERATOR_ROLE)", e))
    }

    /// The latest block number.
    pub async fn block_number(&self) -> Result<u64, ChainError> {
        self.client
            .provider()
            .get_block_number()
            .await
            .map_err(|e| ChainError::rpc("reading the latest block number", e))
    }
}

pub(crate) fn check_batch(entries: &[RewardEntry]) -> Result<(), ChainError> {
    match entries.len() {
        0 => Err(ChainError::EmptyBatch),
        n if n > MAX_BATCH_SIZE => Err(ChainError::BatchTooLarge {
            size: n,
            max: MAX_BATCH_SIZE,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn describe(entries: &[RewardEntry]) -> String {
    match entries {
        [one] => format!("payReferral of order {} to {}", one.order_ref, one.to),
        many => format!("payReferralBatch of {} rewards", many.len()),
    }
}

pub(crate) fn columns(entries: &[RewardEntry]) -> (Vec<Address>, Vec<U256>, Vec<B256>) {
    (
        entries.iter().map(|e| e.to).collect(),
        entries.iter().map(|e| e.amount).collect(),
        entries.iter().map(|e| e.order_ref).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8) -> RewardEntry {
        RewardEntry {
            to: Address::repeat_byte(n),
            amount: U256::from(n),
            order_ref: B256::repeat_byte(n),
        }
    }

    #[test]
    fn batch_limits() {
        assert!(matches!(check_batch(&[]), Err(ChainError::EmptyBatch)));
        let max: Vec<_> = (0..MAX_BATCH_SIZE).map(|i| entry(i as u8)).collect();
        assert!(check_batch(&max).is_ok());
        let over: Vec<_> = (0..=MAX_BATCH_SIZE).map(|i| entry(i as u8)).collect();
        let err = check_batch(&over).unwrap_err();
        assert!(
            matches!(
                err,
                ChainError::BatchTooLarge {
                    size: 301,
                    max: 300
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "a batch of 301 rewards is too large: the contract accepts at most 300 per transaction; split it"
        );
    }

    #[test]
    fn columns_keep_order() {
        let (to, amounts, refs) = columns(&[entry(1), entry(2)]);
        assert_eq!(to, vec![Address::repeat_byte(1), Address::repeat_byte(2)]);
        assert_eq!(amounts, vec![U256::from(1), U256::from(2)]);
        assert_eq!(refs, vec![B256::repeat_byte(1), B256::repeat_byte(2)]);
    }
}
