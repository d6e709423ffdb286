use alloy::primitives::U256;
use refcodes_chain::roles::{minter_role, operator_role, DEFAULT_ADMIN_ROLE};
use refcodes_chain::{Mode, ReferralRewards, RewardToken};

use crate::common::{Env, ONE};

#[tokio::test]
async fn mint_deployment_is_wired() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let d = env.deployment;
    let rewards = env.rewards(&env.stranger);
    let token = env.token(&env.stranger);

    assert_eq!(rewards.rewardToken().call().await.unwrap(), d.token);
    assert_eq!(rewards.mode().call().await.unwrap(), Mode::Mint.as_u8());
    assert!(rewards.hasRole(DEFAULT_ADMIN_ROLE, env.admin.sender()).call().await.unwrap());
    assert!(rewards.hasRole(operator_role(), env.operator.sender()).call().await.unwrap());
    assert!(!rewards.hasRole(operator_role(), env.admin.sender()).call().await.unwrap());
    assert!(token.hasRole(minter_role(), d.proxy).call().await.unwrap());
    assert!(!token.hasRole(minter_role(), d.implementation).call().await.unwrap());
    assert_eq!(env.balance(d.proxy).await, U256::ZERO);
    assert_eq!(token.symbol().call().await.unwrap(), "RREF");
    assert_eq!(token.decimals().call().await.unwrap(), 18);

    // The role ids computed in Rust match the contracts' getters.
    assert_eq!(rewards.OPERATOR_ROLE().call().await.unwrap(), operator_role());
    assert_eq!(rewards.DEFAULT_ADMIN_ROLE().call().await.unwrap(), DEFAULT_ADMIN_ROLE);
    assert_eq!(token.MINTER_ROLE().call().await.unwrap(), minter_role());

    // The proxy delegates to the implementation; the implementation holds no state of its own.
    let implementation = ReferralRewards::new(d.implementation, env.stranger.provider().clone());
    assert_eq!(implementation.rewardToken().call().await.unwrap(), alloy::primitives::Address::ZERO);
}

#[tokio::test]
async fn transfer_deployment_funds_the_treasury() {
    let funding = ONE * U256::from(1234);
    let env = Env::new(Mode::Transfer, funding).await;
    let d = env.deployment;
    let token = RewardToken::new(d.token, env.stranger.provider().clone());
    assert_eq!(env.rewards(&env.stranger).mode().call().await.unwrap(), Mode::Transfer.as_u8());
    assert_eq!(token.balanceOf(d.proxy).call().await.unwrap(), funding);
    assert!(!token.hasRole(minter_role(), d.proxy).call().await.unwrap(), "TRANSFER does not need minting");
    let json = serde_json::to_value(d).unwrap();
    assert_eq!(json["mode"], "transfer");
}
