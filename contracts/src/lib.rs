//! refcodes-chain: the on-chain layer of refcodes.
//!
//! - [`bindings`] — `sol!` bindings generated from `contracts/artifacts/*.json` (ReferralRewards, RewardToken,
//!   ERC1967Proxy);
//! - [`order_ref()`] — `keccak256(bytes(orderReference))`;
//! - [`ChainClient`] — a signing provider built to avoid alloy's nonce trap;
//! - [`deploy()`] — token + implementation + initialized proxy;
//! - [`ChainError`] — typed errors, with the contract's custom errors decoded ([`ChainError::revert`]);
//! - [`anvil`] — start a local anvil for tests (also used by the app's tests).

pub mod anvil;
pub mod bindings;
pub mod deploy;
pub mod error;
pub mod mode;
pub mod order_ref;
pub mod provider;
pub mod roles;
pub mod tx;

pub use bindings::{ERC1967Proxy, ReferralRewards, RewardToken};
pub use deploy::{deploy, deploy_rewards, Deployment};
pub use error::{decode_rewards_error, describe_revert, ChainError};
pub use mode::Mode;
pub use order_ref::order_ref;
pub use provider::{read_only_provider, signer_from_hex, ChainClient};
pub use tx::{payment_logs, send_and_confirm, Payment, PaymentLogs};
