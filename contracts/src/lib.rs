//! refcodes-chain: the on-chain layer of refcodes.
//!
//! - [`bindings`] — `sol!` bindings generated from `contracts/artifacts/*.json` (ReferralRewards, RewardToken,
//!   ERC1967Proxy, TestPriceFeed) and Chainlink's `AggregatorV3Interface`;
//! - [`order_ref()`] — `keccak256(bytes(orderReference))`;
//! - [`ChainClient`] — a signing provider built to avoid alloy's nonce trap;
//! - [`deploy()`] — token + implementation + initialized proxy;
//! - [`Minter`] — the reward minter's primitives: are_paid, simulate, isolate, send, wait, receipt, paid_events;
//! - [`payment`] — payments signed before they are broadcast, with a chosen nonce, and their replacements;
//! - [`price_feed`] — a checked Chainlink price read ([`price_feed::latest_price`]);
//! - [`ChainError`] — typed errors, with the contract's custom errors decoded ([`ChainError::revert`]);
//! - [`reason`] — chain failures in words safe to store and show (never the endpoint's URL);
//! - [`signatures`] — who signed a text message (EIP-191 `personal_sign` recovery);
//! - [`anvil`] — start a local anvil for tests (also used by the app's tests), with state kept across restarts.
//!
//! `alloy` itself is re-exported ([`alloy`], and [`alloy_provider`] for `alloy::providers`) so dependents use the
//! very same types.

pub mod anvil;
pub mod bindings;
pub mod deploy;
pub mod error;
pub mod minter;
pub mod mode;
pub mod order_ref;
pub mod payment;
pub mod price_feed;
pub mod provider;
pub mod reason;
pub mod roles;
pub mod signatures;
pub mod tx;

pub use alloy;
pub use alloy::providers as alloy_provider;
pub use alloy::transports::http::reqwest;
pub use bindings::{
    AggregatorV3Interface, ERC1967Proxy, ReferralRewards, RewardToken, TestPriceFeed,
};
pub use deploy::{deploy, deploy_rewards, Deployment};
pub use error::{decode_rewards_error, describe_revert, ChainError};
pub use minter::{MintReceipt, Minter, PaidEvent, RewardEntry, Treasury, MAX_BATCH_SIZE};
pub use mode::Mode;
pub use order_ref::order_ref;
pub use payment::{Fees, Nonces, SignedPayment};
pub use price_feed::{latest_price, FeedError, PriceQuote};
pub use provider::{read_only_provider, signer_from_hex, ChainClient, Transport, CONNECT_TIMEOUT};
pub use tx::{payment_logs, send_and_confirm, Payment, PaymentLogs};
