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
    /// The extra certificate authorities are not a PEM bundle of certificates, or TLS cannot start.
    #[error("TLS set-up: {0}")]
    Tls(String),
    #[error("unknown mode {0:?}: expected `mint` or `transfer`")]
    UnknownMode(String),
    /// A plain RPC request (chain id, balance, logs …) failed; the message carries every cause (the reason of a
    /// refused TLS certificate sits a few levels down).
    #[error("{context}: RPC request failed: {}", with_causes(source.as_ref()))]
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
    /// A transaction could not be signed (a field the key or the network refuses).
    #[error("{context}: {reason}")]
    Sign { context: String, reason: String },
    /// A reward batch longer than the contract accepts (`MAX_BATCH_SIZE`). Nothing was sent: split it.
    #[error("a batch of {size} rewards is too large: the contract accepts at most {max} per transaction; split it")]
    BatchTooLarge { size: usize, max: usize },
    /// An empty reward batch. Nothing was sent.
    #[error("no rewards to pay: the batch is empty")]
    EmptyBatch,
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

    /// What went wrong, safe to store, log and show: a revert's decoded reason, or the kind of RPC failure and what
    /// the node answered — never the endpoint's URL (see [`crate::reason`]).
    pub fn reason(&self) -> String {
        crate::reason::bounded(self.unbounded_reason())
    }

    fn unbounded_reason(&self) -> String {
        use crate::reason::{redact_urls, transport};
        match self {
            // A context may name the endpoint it read from ("reading the chain id from …").
            ChainError::Rpc { context, source } => {
                format!("{}: {}", redact_urls(context), transport(source))
            }
            ChainError::Contract { context, source } if !self.is_revert() => {
                match source.as_ref() {
                    alloy::contract::Error::TransportError(e) => {
                        format!("{}: {}", redact_urls(context), transport(e))
                    }
                    other => redact_urls(&format!("{context}: {other}")),
                }
            }
            ChainError::Pending {
                context,
                tx_hash,
                source,
            } => {
                let why = match source.as_ref() {
                    alloy::providers::PendingTransactionError::TransportError(e) => transport(e),
                    other => redact_urls(&other.to_string()),
                };
                format!(
                    "{}: waiting for the receipt of {tx_hash} failed: {why}",
                    redact_urls(context)
                )
            }
            other => redact_urls(&other.to_string()),
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

    /// Whether the node reported a revert (execution reverted, with or without revert data), as opposed to an RPC
    /// failure, a timeout or a bad input.
    pub fn is_revert(&self) -> bool {
        self.error_answer()
            .is_some_and(|message| message.to_ascii_lowercase().contains("revert"))
    }

    /// Whether the node answered with a JSON-RPC error (a revert, "insufficient funds", "nonce too low" …), as
    /// opposed to no answer at all: a timeout, a refused connection, an HTTP error status.
    pub fn node_answered(&self) -> bool {
        self.error_answer().is_some()
    }

    /// Whether the node refused a transaction for a reason that means it is not in its pool and cannot be mined as
    /// signed: its nonce is used, the account cannot pay for it, or its gas or fees are out of bounds. Any other
    /// answer to a broadcast (an upstream timeout, an internal error) may come after the transaction arrived.
    pub fn refused_transaction(&self) -> bool {
        const REFUSALS: [&str; 11] = [
            "nonce too low",
            "insufficient funds",
            "intrinsic gas too low",
            "exceeds block gas limit",
            "fee cap",
            "exceeds the configured cap",
            "max fee per gas less than block base fee",
            "transaction underpriced",
            "gas limit reached",
            "transaction type not supported",
            "invalid sender",
        ];
        self.error_answer().is_some_and(|message| {
            let m = message.to_ascii_lowercase();
            REFUSALS.iter().any(|r| m.contains(r))
        })
    }

    /// The message of the node's JSON-RPC error answer, if it answered with one.
    fn error_answer(&self) -> Option<&str> {
        let payload = match self {
            ChainError::Contract { source, .. } => match source.as_ref() {
                alloy::contract::Error::TransportError(e) => e.as_error_resp(),
                _ => None,
            },
            ChainError::Rpc { source, .. } => source.as_error_resp(),
            _ => None,
        };
        payload.map(|p| p.message.as_ref())
    }

    /// A human reason for a revert (`None` when this is not a revert): the ReferralRewards custom error in words
    /// ([`describe_revert`]), else a Solidity `Error(string)`/`Panic(uint256)`, else the raw data or the node's
    /// message.
    pub fn revert_reason(&self) -> Option<String> {
        if !self.is_revert() {
            return None;
        }
        if let Some(decoded) = self.revert() {
            return Some(describe_revert(&decoded));
        }
        match self.revert_data() {
            Some(data) if !data.is_empty() => Some(
                alloy::sol_types::decode_revert_reason(&data)
                    .unwrap_or_else(|| format!("reverted with unknown error data {data}")),
            ),
            _ => Some("reverted without a reason".to_string()),
        }
    }

    /// The TLS refusal behind a failed request (the endpoint's certificate is not trusted, has expired, names another
    /// host …), if that is what it was: a setting to fix, not an outage to wait out.
    pub fn tls_refusal(&self) -> Option<String> {
        let ChainError::Rpc { source, .. } = self else {
            return None;
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(error) = cause {
            if let Some(tls) = error.downcast_ref::<rustls::Error>() {
                return Some(tls.to_string());
            }
            // An I/O error's `source` skips the error it wraps (TLS errors come wrapped, sometimes twice).
            cause = match error
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => error.source(),
            };
        }
        None
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
        E::ReferralRewards__PeriodCapExceeded(e) => format!(
            "ReferralRewards__PeriodCapExceeded: the period's cap of {} token units would be passed ({} with this \
             payment); it starts again at unix time {} (or when an admin raises it)",
            e.cap, e.wouldPay, e.periodEnds
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
        E::ExpectedPause(_) => "ExpectedPause: the contract is not paused".to_string(),
        E::ReferralRewards__ZeroAddress(_) => {
            "ReferralRewards__ZeroAddress: the recipient (or the given address) is the zero address"
                .to_string()
        }
        E::ReferralRewards__ZeroAmount(_) => {
            "ReferralRewards__ZeroAmount: the reward amount is zero".to_string()
        }
        E::ReferralRewards__ZeroOrderRef(_) => {
            "ReferralRewards__ZeroOrderRef: the order reference hash is zero".to_string()
        }
        E::ReferralRewards__EmptyBatch(_) => {
            "ReferralRewards__EmptyBatch: the batch is empty".to_string()
        }
        E::ReferralRewards__NotAContract(e) => format!(
            "ReferralRewards__NotAContract: {} has no code, so it cannot be the reward token",
            e.token
        ),
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

/// `error: cause: cause …`, each cause once (wrappers often repeat their source's text).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text = format!("{text}: {part}");
        }
        cause = c.source();
    }
    text
}
