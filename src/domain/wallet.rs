//! A member's payout wallets as pages and API clients see them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wallet {
    /// EIP-55 form.
    pub address: String,
    /// When the member proved control by signature; `None` for a wallet declared before proofs existed.
    pub proven_at: Option<DateTime<Utc>>,
}

impl Wallet {
    pub fn proven(&self) -> bool {
        self.proven_at.is_some()
    }
}

/// An issued EIP-4361 message waiting for the member's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WalletChallenge {
    pub address: String,
    pub message: String,
    pub expires_at: DateTime<Utc>,
}

/// Whether `address` is among the proven `wallets` (any case).
pub fn is_proven(wallets: &[Wallet], address: &str) -> bool {
    wallets
        .iter()
        .any(|w| w.proven() && w.address.eq_ignore_ascii_case(address))
}

/// A member's wallets and the messages waiting for their signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletBoard {
    pub wallets: Vec<Wallet>,
    pub challenges: Vec<WalletChallenge>,
}
