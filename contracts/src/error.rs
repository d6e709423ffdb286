//! Typed errors of the chain layer, with decoding of the contract's custom errors.

use alloy::primitives::{Bytes, B256};
use alloy::sol_types::SolInterface;

use crate::bindings::ReferralRewards::ReferralRewardsErrors;

/// Everything that can go wrong talking to the chain. Never carries a private key.
/// (Sources are boxed to keep `Result<_, ChainError>` small.)
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("invalid private key: expected 32 bytes as 64 hex digits, optionally 0x-prefixed")]
    InvalidPrivateKey,
    #[error("invalid RPC URL {url:?}: {reason}")]
    InvalidRpcUrl { url: String, reason: String },
    #[error("unknown mode {0:?}: expected `mint` or `transfer`")]
    UnknownMode(String),
    /// A plain RPC request (chain id, balance, logs …) failed.
    #[error("{context}: RPC request failed: {source}")]
    Rpc {
        context: String,
        #[source]
        source: Box<alloy::transports::TransportError>,
    },
    /// A contract call or send failed; a revert (also one found while estimating gas) lands here.
    /// [`ChainError::revert`] decodes the contract's custom error.
    #[error("{context}: {}", describe_contract_error(source))]
    Contract {
        context: String,
        #[source]
        source: Box<alloy::contract::Error>,
    },
    /// The transaction was sent but waiting for its receipt failed (timeout, RPC outage …).
    #[error("{context}: waiting for the receipt of {tx_hash} failed: {source}")]
    Pending {
        context: String,
        tx_hash: B256,
        #[source]
        source: Box<alloy::providers::PendingTransactionError>,
    },
    /// The transaction was mined with status 0.
    #[error("{context}: transaction {tx_hash} was mined but reverted")]
    Reverted { context: String, tx_hash: B256 },
    #[error("{context}: receipt of {tx_hash} has no contract address")]
    NoContractAddress { context: String, tx_hash: B256 },
    #[error("anvil: {0}")]
    Anvil(String),
}

impl ChainError {
    pub(crate) fn contract(context: impl Into<String>, source: alloy::contract::Error) -> Self {
        ChainError::Contract {
            context: context.into(),
            source: Box::new(source),
        }
    }

    pub(crate) fn rpc(
        context: impl Into<String>,
        source: alloy::transports::TransportError,
    ) -> Self {
        ChainError::Rpc {
            context: context.into(),
            source: Box::new(source),
        }
    }

    /// Raw revert data, when the node reported a revert.
    pub fn revert_data(&self) -> Option<Bytes> {
        match self {
            ChainError::Contract { source, .. } => source.as_revert_data(),
            ChainError::Rpc { source, .. } => {
                source.as_error_resp().and_then(|e| e.as_revert_data())
            }
            _ => None,
        }
    }

    /// The ReferralRewards custom error (or inherited OpenZeppelin error) behind this failure, if any.
    pub fn revert(&self) -> Option<ReferralRewardsErrors> {
        self.revert_as::<ReferralRewardsErrors>()
    }

    /// Decodes the revert data into any `sol!` error interface (e.g. `RewardToken::RewardTokenErrors`).
    pub fn revert_as<E: SolInterface>(&self) -> Option<E> {
        self.revert_data()
            .and_then(|data| E::abi_decode(&data).ok())
    }

    /// `Some(orderRef)` when the failure is `ReferralRewards__AlreadyPaid(orderRef)`.
    pub fn already_paid(&self) -> Option<B256> {
        match self.revert()? {
            ReferralRewardsErrors::ReferralRewards__AlreadyPaid(e) => Some(e.orderRef),
            _ => None,
        }
    }
}

/// Decodes a contract error into the ReferralRewards error interface (alloy's
/// `as_decoded_interface_error::<ReferralRewards::ReferralRewardsErrors>()`).
pub fn decode_rewards_error(err: &alloy::contract::Error) -> Option<ReferralRewardsErrors> {
    err.as_decoded_interface_error::<ReferralRewardsErrors>()
}

/// Human-readable text for a ReferralRewards revert.
pub fn describe_revert(err: &ReferralRewardsErrors) -> String {
    use ReferralRewardsErrors as E;
    match err {
        E::ReferralRewards__AlreadyPaid(e) => {
            format!(
                "ReferralRewards__AlreadyPaid: order {} was already paid",
                e.orderRef
            )
        }
        E::ReferralRewards__InsufficientTreasury(e) => format!(
            "ReferralRewards__InsufficientTreasury: needs {} token units, the contract holds {}",
            e.needed, e.available
        ),
        E::ReferralRewards__BatchTooLarge(e) => format!(
            "ReferralRewards__BatchTooLarge: {} entries, at most {}",
            e.size, e.max
        ),
        E::ReferralRewards__LengthMismatch(e) => format!(
            "ReferralRewards__LengthMismatch: {} recipients, {} amounts, {} orderRefs",
            e.recipients, e.amounts, e.orderRefs
        ),
        E::AccessControlUnauthorizedAccount(e) => format!(
            "AccessControlUnauthorizedAccount: {} lacks role {}",
            e.account, e.neededRole
        ),
        E::EnforcedPause(_) => "EnforcedPause: the contract is paused".to_string(),
        other => format!("{other:?}"),
    }
}

fn describe_contract_error(err: &alloy::contract::Error) -> String {
    if let Some(decoded) = decode_rewards_error(err) {
        return format!("reverted with {}", describe_revert(&decoded));
    }
    if let Some(data) = err.as_revert_data() {
        return format!("reverted (undecoded revert data {data}): {err}");
    }
    err.to_string()
}
