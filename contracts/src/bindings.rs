//! `sol!` bindings generated from the committed artifacts in `contracts/artifacts/` (built by `build.mjs`).
//! No ABI is written by hand here: change the Solidity, run `node build.mjs`, and the bindings follow.

#![allow(missing_docs, clippy::too_many_arguments)]

use alloy::sol;

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ReferralRewards,
    "artifacts/ReferralRewards.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    RewardToken,
    "artifacts/RewardToken.json"
);

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ERC1967Proxy,
    "artifacts/ERC1967Proxy.json"
);
