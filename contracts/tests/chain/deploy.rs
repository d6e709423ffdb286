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
    assert!(rewards
        .hasRole(DEFAULT_ADMIN_ROLE, env.admin.sender())
        .call()
        .await
        .unwrap());
    assert!(rewards
        .hasRole(operator_role(), env.operator.sender())
        .call()
        .await
        .unwrap());
    assert!(!rewards
        .hasRole(operator_role(), env.admin.sender())
        .call()
        .await
        .unwrap());
    assert!(token.hasRole(minter_role(), d.proxy).call().await.unwrap());
    assert!(!token
        .hasRole(minter_role(), d.implementation)
        .call()
        .await
        .unwrap());
    assert_eq!(env.balance(d.proxy).await, U256::ZERO);
    assert_eq!(token.symbol().call().await.unwrap(), "RREF");
    assert_eq!(token.decimals().call().await.unwrap(), 18);

    // The role ids computed in Rust match the contracts' getters.
    assert_eq!(
        rewards.OPERATOR_ROLE().call().await.unwrap(),
        operator_role()
    );
    assert_eq!(
        rewards.DEFAULT_ADMIN_ROLE().call().await.unwrap(),
        DEFAULT_ADMIN_ROLE
    );
    assert_eq!(token.MINTER_ROLE().call().await.unwrap(), minter_role());

    // The proxy delegates to the implementation; the implementation holds no state of its own.
    let implementation = ReferralRewards::new(d.implementation, env.stranger.provider().clone());
    assert_eq!(
        implementation.rewardToken().call().await.unwrap(),
        alloy::primitives::Address::ZERO
    );
}

#[tokio::test]
async fn transfer_deployment_funds_the_treasury() {
    let funding = ONE * U256::from(1234);
    let env = Env::new(Mode::Transfer, funding).await;
    let d = env.deployment;
    let token = RewardToken::new(d.token, env.stranger.provider().clone());
    assert_eq!(
        env.rewards(&env.stranger).mode().call().await.unwrap(),
        Mode::Transfer.as_u8()
    );
    assert_eq!(token.balanceOf(d.proxy).call().await.unwrap(), funding);
    assert!(
        !token.hasRole(minter_role(), d.proxy).call().await.unwrap(),
        "TRANSFER does not need minting"
    );
    let json = serde_json::to_value(d).unwrap();
    assert_eq!(json["mode"], "transfer");
}

/// State lives at the ERC-7201 namespace `refcodes.storage.ReferralRewards`:
/// base = keccak256(abi.encode(uint256(keccak256("refcodes.storage.ReferralRewards")) - 1)) & ~0xff,
/// slot base = paidOrders mapping, slot base + 1 = token (low 20 bytes) | mode (next byte).
#[tokio::test]
async fn state_lives_in_the_erc7201_namespace() {
    use alloy::primitives::{keccak256, B256};
    use alloy::providers::Provider;

    let env = Env::new(Mode::Transfer, ONE).await;
    let d = env.deployment;
    let inner =
        U256::from_be_bytes(keccak256("refcodes.storage.ReferralRewards").0) - U256::from(1);
    let base = U256::from_be_bytes(keccak256(inner.to_be_bytes::<32>()).0) & !U256::from(0xff);
    let provider = env.admin.provider();

    let slot1: B256 = provider
        .get_storage_at(d.proxy, base + U256::from(1))
        .await
        .unwrap()
        .into();
    assert_eq!(
        alloy::primitives::Address::from_slice(&slot1[12..]),
        d.token
    );
    assert_eq!(slot1[11], Mode::Transfer.as_u8());

    let r = refcodes_chain::order_ref("ORD-7201");
    crate::common::ok(
        env.rewards(&env.operator)
            .payReferral(crate::common::recipient(1), ONE, r),
    )
    .await;
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(r.as_slice());
    key[32..].copy_from_slice(&base.to_be_bytes::<32>());
    let paid_slot = U256::from_be_bytes(keccak256(key).0);
    assert_eq!(
        provider.get_storage_at(d.proxy, paid_slot).await.unwrap(),
        U256::from(1)
    );
    // Nothing at the legacy slot 0.
    assert_eq!(
        provider.get_storage_at(d.proxy, U256::ZERO).await.unwrap(),
        U256::ZERO
    );
}
