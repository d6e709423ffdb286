//! What the minter watches on the chain, as the admin page and `/metrics` show it: the reconciliation report and
//! its drift, the minter's and the treasury's balances, the last run.
use super::mint::MintSummary;
use serde::{Deserialize, Serialize};

/// One disagreement between the ledger and the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Drift {
    /// `minted` in the database, `paidOrders` false on chain.
    MintedNotPaid {
        reward_id: String,
        order_reference: String,
        tx_hash: Option<String>,
    },
    /// A `ReferralPaid` event whose reward is missing or not `minted` (`minting` is in flight, not drift).
    PaidNotMinted {
        order_ref: String,
        reward_id: Option<String>,
        status: Option<String>,
        tx_hash: String,
    },
    RecipientMismatch {
        reward_id: String,
        ledger: String,
        chain: String,
        tx_hash: String,
    },
    AmountMismatch {
        reward_id: String,
        ledger: String,
        chain: String,
        tx_hash: String,
    },
    /// `minted` with another transaction hash (or none) than the one whose `ReferralPaid` event paid it.
    TxMismatch {
        reward_id: String,
        ledger: Option<String>,
        chain: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub rewards: usize,
    pub paid_events: usize,
    pub from_block: u64,
    pub to_block: u64,
    pub drift: Vec<Drift>,
}

impl Drift {
    /// The kind, as `/metrics` labels it and the page names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Drift::MintedNotPaid { .. } => "mintedNotPaid",
            Drift::PaidNotMinted { .. } => "paidNotMinted",
            Drift::RecipientMismatch { .. } => "recipientMismatch",
            Drift::AmountMismatch { .. } => "amountMismatch",
            Drift::TxMismatch { .. } => "txMismatch",
        }
    }

    pub const KINDS: [&'static str; 5] = [
        "mintedNotPaid",
        "paidNotMinted",
        "recipientMismatch",
        "amountMismatch",
        "txMismatch",
    ];

    /// The reward it is about, or the order ref of an event without one.
    pub fn subject(&self) -> &str {
        match self {
            Drift::MintedNotPaid { reward_id, .. }
            | Drift::RecipientMismatch { reward_id, .. }
            | Drift::AmountMismatch { reward_id, .. }
            | Drift::TxMismatch { reward_id, .. } => reward_id,
            Drift::PaidNotMinted {
                reward_id,
                order_ref,
                ..
            } => reward_id.as_deref().unwrap_or(order_ref),
        }
    }
}

/// The minter's and the treasury's balances, read at the last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balances {
    pub minter: String,
    /// The minter's gas-token balance, and the `MINTER_LOW_BALANCE` under which it is low (wei, decimal).
    pub gas_wei: String,
    pub low_gas_wei: String,
    /// `mint` or `transfer`: in TRANSFER mode the treasury pays every reward.
    pub mode: String,
    /// Reward token units the contract holds, and what the approved and in-flight rewards need (decimal).
    pub treasury_wei: String,
    pub owed_wei: String,
    pub gas_low: bool,
    /// TRANSFER mode with less in the treasury than the rewards waiting need.
    pub treasury_short: bool,
}

/// How the last run ended: its summary, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    pub summary: Option<MintSummary>,
    pub error: Option<String>,
}

/// The chain card of the admin page: each part with when it was recorded, absent until first recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainHealth {
    pub last_run: Option<Recorded<LastRun>>,
    pub balances: Option<Recorded<Balances>>,
    pub reconciliation: Option<Recorded<Report>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded<T> {
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(flatten)]
    pub doc: T,
}
