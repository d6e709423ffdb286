//! AccessControl role ids (`bytes32`), as the contracts define them. `tests/roles.rs` checks them against the
//! contracts' own getters.

use alloy::primitives::{keccak256, B256};

/// OpenZeppelin's `DEFAULT_ADMIN_ROLE` (`0x00…00`).
pub const DEFAULT_ADMIN_ROLE: B256 = B256::ZERO;

/// ReferralRewards `OPERATOR_ROLE = keccak256("OPERATOR_ROLE")`: may pay rewards.
pub fn operator_role() -> B256 {
    keccak256("OPERATOR_ROLE")
}

/// RewardToken `MINTER_ROLE = keccak256("MINTER_ROLE")`: may mint.
pub fn minter_role() -> B256 {
    keccak256("MINTER_ROLE")
}
