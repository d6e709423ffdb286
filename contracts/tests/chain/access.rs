use alloy::primitives::{Bytes, U256};
use refcodes_chain::roles::{operator_role, DEFAULT_ADMIN_ROLE};
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, ChainClient, Mode};

use crate::common::{ok, recipient, reverts, Env, ReferralRewardsNext, ONE};

fn assert_unauthorized(err: E, who: &ChainClient, role: alloy::primitives::B256) {
    match err {
        E::AccessControlUnauthorizedAccount(e) => {
            assert_eq!(e.account, who.sender());
            assert_eq!(e.neededRole, role);
        }
        other => panic!("expected AccessControlUnauthorizedAccount, got {other:?}"),
    }
}

#[tokio::test]
async fn only_the_operator_can_pay() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let r = order_ref("ORD-ACL");
    for who in [&env.stranger, &env.admin] {
        let rewards = env.rewards(who);
        assert_unauthorized(
            reverts(rewards.payReferral(recipient(1), ONE, r)).await,
            who,
            operator_role(),
        );
        assert_unauthorized(
            reverts(rewards.payReferralBatch(vec![recipient(1)], vec![ONE], vec![r])).await,
            who,
            operator_role(),
        );
    }
    assert!(!env.is_paid(r).await);
    assert_eq!(env.balance(recipient(1)).await, U256::ZERO);
}

#[tokio::test]
async fn only_the_admin_can_pause_set_token_set_mode_or_upgrade() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let v2 = ReferralRewardsNext::deploy(env.admin.provider().clone())
        .await
        .unwrap();
    for who in [&env.stranger, &env.operator] {
        let rewards = env.rewards(who);
        assert_unauthorized(reverts(rewards.pause()).await, who, DEFAULT_ADMIN_ROLE);
        assert_unauthorized(reverts(rewards.unpause()).await, who, DEFAULT_ADMIN_ROLE);
        assert_unauthorized(
            reverts(rewards.setRewardToken(env.deployment.token)).await,
            who,
            DEFAULT_ADMIN_ROLE,
        );
        assert_unauthorized(
            reverts(rewards.setMode(Mode::Transfer.as_u8())).await,
            who,
            DEFAULT_ADMIN_ROLE,
        );
        assert_unauthorized(
            reverts(rewards.upgradeToAndCall(*v2.address(), Bytes::new())).await,
            who,
            DEFAULT_ADMIN_ROLE,
        );
        assert_unauthorized(
            reverts(rewards.grantRole(operator_role(), who.sender())).await,
            who,
            DEFAULT_ADMIN_ROLE,
        );
    }
    let rewards = env.rewards(&env.admin);
    assert!(!rewards.paused().call().await.unwrap());
    assert_eq!(rewards.mode().call().await.unwrap(), Mode::Mint.as_u8());
    assert_eq!(rewards.version().call().await.unwrap(), U256::from(2));
}

#[tokio::test]
async fn paused_blocks_payments_and_unpause_restores() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let admin = env.rewards(&env.admin);
    let operator = env.rewards(&env.operator);
    let r = order_ref("ORD-PAUSE");

    ok(admin.pause()).await;
    assert!(admin.paused().call().await.unwrap());
    assert!(matches!(
        reverts(operator.payReferral(recipient(1), ONE, r)).await,
        E::EnforcedPause(_)
    ));
    assert!(matches!(
        reverts(operator.payReferralBatch(vec![recipient(1)], vec![ONE], vec![r])).await,
        E::EnforcedPause(_)
    ));
    assert!(!env.is_paid(r).await);
    // Pausing twice is an error too (OpenZeppelin's EnforcedPause).
    assert!(matches!(reverts(admin.pause()).await, E::EnforcedPause(_)));

    ok(admin.unpause()).await;
    assert!(!admin.paused().call().await.unwrap());
    ok(operator.payReferral(recipient(1), ONE, r)).await;
    assert!(env.is_paid(r).await);
    assert_eq!(env.balance(recipient(1)).await, ONE);
}

#[tokio::test]
async fn minting_without_the_minter_role_fails_cleanly() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let token = env.token(&env.admin);
    ok(token.revokeRole(refcodes_chain::roles::minter_role(), env.deployment.proxy)).await;
    let r = order_ref("ORD-NOMINT");
    // The token's AccessControl error bubbles up and decodes with the same interface.
    match reverts(env.rewards(&env.operator).payReferral(recipient(1), ONE, r)).await {
        E::AccessControlUnauthorizedAccount(e) => {
            assert_eq!(e.account, env.deployment.proxy);
            assert_eq!(e.neededRole, refcodes_chain::roles::minter_role());
        }
        other => panic!("expected the token's AccessControlUnauthorizedAccount, got {other:?}"),
    }
    assert!(
        !env.is_paid(r).await,
        "a failed mint leaves the order unpaid"
    );
}
