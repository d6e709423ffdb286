//! What a minter run reports (the cron endpoint's answer and the admin's "Mint now").
use serde::{Deserialize, Serialize};

/// What one run did (the cron endpoint's answer).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MintSummary {
    /// Paid by this run's transactions.
    pub minted: u64,
    /// Moved to `failed`, each with its reason in `lastError`.
    pub failed: u64,
    /// Settled entirely against the referrers' clawbacks: `netted`, nothing sent.
    #[serde(default)]
    pub netted: u64,
    /// Claimed but already paid on chain: settled as minted without paying again.
    pub skipped: u64,
    /// `minting` rewards settled by the reconciliation (minted, or back to approved when not paid).
    pub reconciled: u64,
    /// Minted rewards whose payment a reorganisation took back: `minting` again, settled like the others.
    #[serde(default)]
    pub reopened: u64,
    /// Sent, receipt not seen in time: they stay `minting` for the next run.
    pub pending: u64,
    /// `minting` rewards whose transaction was signed again with its nonce: replaced with higher fees (not mined
    /// within `MINT_REPLACE_AFTER_SECS`) or re-sent (the node dropped it, or it was never broadcast).
    #[serde(default)]
    pub resent: u64,
    /// Left approved by a systemic cause (paused contract, chain error …), with `lastError`.
    pub deferred: u64,
    /// Rewards that got their price at the start of the run.
    pub priced: u64,
    /// Ledger repairs made by the sweeper at the start of the run (undecided paid orders decided, rewards on
    /// refunded orders voided or clawed back).
    pub repaired: u64,
    pub batches: u64,
    pub gas_used: u64,
    pub tx_hashes: Vec<String>,
    /// Why the run stopped before every approved reward was sent, if it did.
    pub stopped_by: Option<String>,
}
