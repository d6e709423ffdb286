//! Upgrades: from the deployed version 1 to this one (paid orders, roles and the one admin kept), to a later one,
//! never to a non-UUPS contract; the admin role handed over in two steps; the period cap.
use alloy::primitives::{Address, Bytes, U256};
use alloy::sol_types::SolCall;
use refcodes_chain::roles::{minter_role, operator_role, DEFAULT_ADMIN_ROLE};
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, ERC1967Proxy, Mode, ReferralRewards};

use crate::common::{ok, recipient, reverts, Env, ReferralRewardsNext, ReferralRewardsV1, ONE};

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
async fn upgrade_to_a_later_version_keeps_paid_orders_roles_and_balances() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let operator = env.rewards(&env.operator);
    let paid_ref = order_ref("ORD-BEFORE-UPGRADE");
    ok(operator.payReferral(recipient(1), ONE * U256::from(2), paid_ref)).await;

    let next = ReferralRewardsNext::deploy(env.admin.provider().clone())
        .await
        .unwrap();
    // A later implementation is itself locked.
    assert!(next
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
        .upgradeToAndCall(*next.address(), Bytes::new()))
    .await;

    let upgraded = ReferralRewardsNext::new(env.deployment.proxy, env.admin.provider().clone());
    assert_eq!(upgraded.version().call().await.unwrap(), U256::from(3));
    // ERC-1967 implementation slot points at the new implementation.
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
    assert_eq!(Address::from_word(raw.into()), *next.address());

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
        U256::from(2)
    );
}

/// The deployed first version, behind its proxy, with two orders paid: (proxy, token).
async fn version_one(env: &Env) -> (Address, Address) {
    let provider = env.admin.provider().clone();
    let v1 = ReferralRewardsV1::deploy(provider.clone()).await.unwrap();
    let init = ReferralRewardsV1::initializeCall {
        admin: env.admin.sender(),
        operator: env.operator.sender(),
        token: env.deployment.token,
        mode_: Mode::Mint.as_u8(),
    }
    .abi_encode();
    let proxy = ERC1967Proxy::deploy(provider.clone(), *v1.address(), init.into())
        .await
        .unwrap();
    let proxy = *proxy.address();
    ok(env.token(&env.admin).grantRole(minter_role(), proxy)).await;
    // Version 1 allowed more than one admin: the operator's account is one too.
    let admin = ReferralRewardsV1::new(proxy, env.admin.provider().clone());
    ok(admin.grantRole(DEFAULT_ADMIN_ROLE, env.operator.sender())).await;
    let paying = ReferralRewardsV1::new(proxy, env.operator.provider().clone());
    ok(paying.payReferral(recipient(1), ONE, order_ref("V1-SINGLE"))).await;
    ok(paying.payReferralBatch(
        vec![recipient(2), recipient(3)],
        vec![ONE, ONE],
        vec![order_ref("V1-BATCH-0"), order_ref("V1-BATCH-1")],
    ))
    .await;
    (proxy, env.deployment.token)
}

#[tokio::test]
async fn the_deployed_version_1_upgrades_to_2_keeping_paid_orders_roles_and_its_one_admin() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let (proxy, token) = version_one(&env).await;
    let v2 = ReferralRewards::deploy(env.admin.provider().clone())
        .await
        .unwrap();
    let upgrade = ReferralRewards::initializeV2Call {
        otherAdmins: vec![env.operator.sender()],
    }
    .abi_encode();
    let as_stranger = ReferralRewards::new(proxy, env.stranger.provider().clone());
    let err = reverts(as_stranger.upgradeToAndCall(*v2.address(), upgrade.clone().into())).await;
    assert!(
        matches!(err, E::AccessControlUnauthorizedAccount(_)),
        "{err:?}"
    );
    let rewards = ReferralRewards::new(proxy, env.admin.provider().clone());
    ok(rewards.upgradeToAndCall(*v2.address(), upgrade.into())).await;

    assert_eq!(rewards.version().call().await.unwrap(), U256::from(2));
    for reference in ["V1-SINGLE", "V1-BATCH-0", "V1-BATCH-1"] {
        assert!(
            rewards
                .paidOrders(order_ref(reference))
                .call()
                .await
                .unwrap(),
            "{reference}"
        );
    }
    assert_eq!(
        rewards.defaultAdmin().call().await.unwrap(),
        env.admin.sender()
    );
    assert_eq!(
        rewards.defaultAdminDelay().call().await.unwrap(),
        2 * 24 * 3600
    );
    assert!(rewards
        .hasRole(operator_role(), env.operator.sender())
        .call()
        .await
        .unwrap());
    let former = rewards.hasRole(DEFAULT_ADMIN_ROLE, env.operator.sender());
    assert!(
        !former.call().await.unwrap(),
        "the other version-1 admin is one no more"
    );
    assert_eq!(rewards.rewardToken().call().await.unwrap(), token);
    // Neither initializer runs again, for anyone.
    let err = reverts(as_stranger.initializeV2(Vec::new())).await;
    assert!(matches!(err, E::InvalidInitialization(_)), "{err:?}");
    let err =
        reverts(as_stranger.initialize(env.stranger.sender(), env.stranger.sender(), token, 0))
            .await;
    assert!(matches!(err, E::InvalidInitialization(_)), "{err:?}");
    // Still exactly once, and still paying.
    let paying = ReferralRewards::new(proxy, env.operator.provider().clone());
    let err = reverts(paying.payReferral(recipient(1), ONE, order_ref("V1-SINGLE"))).await;
    assert!(matches!(err, E::ReferralRewards__AlreadyPaid(_)), "{err:?}");
    ok(paying.payReferral(recipient(4), ONE, order_ref("V2-SINGLE"))).await;
    assert_eq!(env.balance(recipient(4)).await, ONE);
}

#[tokio::test]
async fn the_admin_role_moves_in_two_steps_after_its_delay() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.admin);
    let err = reverts(rewards.grantRole(DEFAULT_ADMIN_ROLE, env.stranger.sender())).await;
    assert!(
        matches!(err, E::AccessControlEnforcedDefaultAdminRules(_)),
        "{err:?}"
    );
    ok(rewards.beginDefaultAdminTransfer(env.stranger.sender())).await;
    let taking = env.rewards(&env.stranger);
    let err = reverts(taking.acceptDefaultAdminTransfer()).await;
    assert!(
        matches!(err, E::AccessControlEnforcedDefaultAdminDelay(_)),
        "{err:?}"
    );
    env.wait(2 * 24 * 3600 + 1).await;
    ok(taking.acceptDefaultAdminTransfer()).await;
    assert_eq!(
        rewards.defaultAdmin().call().await.unwrap(),
        env.stranger.sender()
    );
    assert!(!rewards
        .hasRole(DEFAULT_ADMIN_ROLE, env.admin.sender())
        .call()
        .await
        .unwrap());
}

#[tokio::test]
async fn a_period_cap_stops_what_would_pay_over_it_until_the_next_period() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let day = 24 * 3600;
    let err = reverts(
        env.rewards(&env.operator)
            .setPeriodCap(ONE * U256::from(3), day),
    )
    .await;
    assert!(
        matches!(err, E::AccessControlUnauthorizedAccount(_)),
        "{err:?}"
    );
    ok(env
        .rewards(&env.admin)
        .setPeriodCap(ONE * U256::from(3), day))
    .await;
    let paying = env.rewards(&env.operator);
    ok(paying.payReferral(recipient(1), ONE * U256::from(2), order_ref("CAP-1"))).await;
    let over = paying.payReferralBatch(
        vec![recipient(2), recipient(3)],
        vec![ONE, ONE],
        vec![order_ref("CAP-2"), order_ref("CAP-3")],
    );
    match reverts(over).await {
        E::ReferralRewards__PeriodCapExceeded(e) => {
            assert_eq!(
                (e.cap, e.wouldPay),
                (ONE * U256::from(3), ONE * U256::from(4))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !env.is_paid(order_ref("CAP-2")).await,
        "nothing of the batch was paid"
    );
    ok(paying.payReferral(recipient(2), ONE, order_ref("CAP-2"))).await;
    env.wait(day).await;
    ok(paying.payReferralBatch(
        vec![recipient(3)],
        vec![ONE * U256::from(3)],
        vec![order_ref("CAP-3")],
    ))
    .await;
    let (cap, _, _, paid) = {
        let c = env.rewards(&env.admin).periodCap().call().await.unwrap();
        (c.cap, c.length, c.start, c.paid)
    };
    assert_eq!((cap, paid), (ONE * U256::from(3), ONE * U256::from(3)));
}
