//! `sol!` bindings generated from the committed artifacts in `contracts/artifacts/` (built by `build.mjs`).
//! No ABI is written by hand here: change the Solidity, run `node build.mjs`, and the bindings follow
//! (`AggregatorV3Interface` is read straight from its `.sol` file: an interface has no artifact).

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

sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    TestPriceFeed,
    "artifacts/TestPriceFeed.json"
);

// Chainlink's feed interface, read from the same Solidity file `TestPriceFeed` implements (solc checks that file
// when `build.mjs` compiles; an interface has no bytecode, hence no artifact). Used to read any real feed.
sol!(
    #[sol(rpc, extra_derives(Debug, PartialEq, Eq))]
    "sol/interfaces/AggregatorV3Interface.sol"
);
