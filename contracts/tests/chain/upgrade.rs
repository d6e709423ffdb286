use alloy::primitives::{Address, Bytes, U256};
use refcodes_chain::roles::{operator_role, DEFAULT_ADMIN_ROLE};
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, Mode, ReferralRewards};

use crate::common::{ok, recipient, reverts, Env, ReferralRewardsV2, ONE};

#[tokio::test]
async fn initialize_cannot_run_twice() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    for who in [&env.admin, &env.stranger] {
        let err = reverts(env.rewards(who).initialize(
            who.sender(),
            who.sender(),
            env.deployment.token,
            Mode::Transfer.as_u8(),
        ))
        .await;
        assert!(matches!(err, E::InvalidInitialization(_)), "{err:?}");
    }
    // Roles unchanged.
    let rewards = env.rewards(&env.admin);
    assert!(!rewards
        .hasRole(operator_role(), env.stranger.sender())
        .call()
        .await
        .unwrap());
    assert_eq!(rewards.mode().call().await.unwrap(), Mode::Mint.as_u8());
}

#[tokio::test]
async fn the_implementation_cannot_be_initialized() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let implementation = ReferralRewards::new(
        env.deployment.implementation,
        env.stranger.provider().clone(),
    );
    let err = reverts(implementation.initialize(
        env.stranger.sender(),
        env.stranger.sender(),
        env.deployment.token,
        Mode::Mint.as_u8(),
    ))
    .await;
    assert!(matches!(err, E::InvalidInitialization(_)), "{err:?}");
    assert!(!implementation
        .hasRole(DEFAULT_ADMIN_ROLE, env.stranger.sender())
        .call()
        .await
        .unwrap());
}

#[tokio::test]
async fn upgrade_to_v2_keeps_paid_orders_roles_and_balances() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let operator = env.rewards(&env.operator);
    let paid_ref = order_ref("ORD-BEFORE-UPGRADE");
    ok(operator.payReferral(recipient(1), ONE * U256::from(2), paid_ref)).await;

    let v2 = ReferralRewardsV2::deploy(env.admin.provider().clone())
        .await
        .unwrap();
    // A V2 implementation is itself locked.
    assert!(v2
        .initialize(
            Address::repeat_byte(1),
            Address::repeat_byte(1),
            env.deployment.token,
            0
        )
        .call()
        .await
        .is_err());
    ok(env
        .rewards(&env.admin)
        .upgradeToAndCall(*v2.address(), Bytes::new()))
    .await;

    let upgraded = ReferralRewardsV2::new(env.deployment.proxy, env.admin.provider().clone());
    assert_eq!(upgraded.version().call().await.unwrap(), U256::from(2));
    // ERC-1967 implementation slot points at V2.
    let slot = alloy::primitives::b256!(
        "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"
    );
    let raw = alloy::providers::Provider::get_storage_at(
        env.admin.provider(),
        env.deployment.proxy,
        slot.into(),
    )
    .await
    .unwrap();
    assert_eq!(Address::from_word(raw.into()), *v2.address());

    assert!(upgraded.paidOrders(paid_ref).call().await.unwrap());
    assert!(upgraded
        .hasRole(DEFAULT_ADMIN_ROLE, env.admin.sender())
        .call()
        .await
        .unwrap());
    assert!(upgraded
        .hasRole(operator_role(), env.operator.sender())
        .call()
        .await
        .unwrap());
    assert_eq!(
        upgraded.rewardToken().call().await.unwrap(),
        env.deployment.token
    );
    assert_eq!(upgraded.mode().call().await.unwrap(), Mode::Mint.as_u8());
    assert_eq!(env.balance(recipient(1)).await, ONE * U256::from(2));

    // Still exactly once, and still paying.
    let err = reverts(operator.payReferral(recipient(1), ONE, paid_ref)).await;
    assert!(matches!(err, E::ReferralRewards__AlreadyPaid(_)), "{err:?}");
    ok(operator.payReferral(recipient(2), ONE, order_ref("ORD-AFTER-UPGRADE"))).await;
    assert_eq!(env.balance(recipient(2)).await, ONE);
}

#[tokio::test]
async fn upgrade_rejects_a_non_uups_implementation() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    // The token has no proxiableUUID: OpenZeppelin's ERC1967InvalidImplementation.
    let err = reverts(
        env.rewards(&env.admin)
            .upgradeToAndCall(env.deployment.token, Bytes::new()),
    )
    .await;
    assert!(matches!(err, E::ERC1967InvalidImplementation(_)), "{err:?}");
    assert_eq!(
        env.rewards(&env.admin).version().call().await.unwrap(),
        U256::from(1)
    );
}
