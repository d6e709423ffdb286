use alloy::primitives::U256;
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, Mode};

use crate::common::{ok, recipient, reverts, Env, ONE};

#[tokio::test]
async fn short_treasury_fails_clearly_and_pays_nothing() {
    let funding = ONE * U256::from(5);
    let env = Env::new(Mode::Transfer, funding).await;
    let rewards = env.rewards(&env.operator);

    // Single payment larger than the treasury.
    let r = order_ref("T-BIG");
    match reverts(rewards.payReferral(recipient(1), ONE * U256::from(6), r)).await {
        E::ReferralRewards__InsufficientTreasury(e) => {
            assert_eq!(e.needed, ONE * U256::from(6));
            assert_eq!(e.available, funding);
        }
        other => panic!("expected InsufficientTreasury, got {other:?}"),
    }
    assert!(!env.is_paid(r).await);

    // Batch: the first two fit, the third does not: nothing at all is paid, and the error reports the total.
    let refs = vec![order_ref("T-1"), order_ref("T-2"), order_ref("T-3")];
    let to = vec![recipient(1), recipient(2), recipient(3)];
    let amounts = vec![
        ONE * U256::from(2),
        ONE * U256::from(2),
        ONE * U256::from(2),
    ];
    match reverts(rewards.payReferralBatch(to.clone(), amounts.clone(), refs.clone())).await {
        E::ReferralRewards__InsufficientTreasury(e) => {
            assert_eq!(e.needed, ONE * U256::from(6));
            assert_eq!(e.available, funding);
        }
        other => panic!("expected InsufficientTreasury, got {other:?}"),
    }
    for (i, r) in refs.iter().enumerate() {
        assert!(!env.is_paid(*r).await, "entry {i} must stay unpaid");
        assert_eq!(env.balance(to[i]).await, U256::ZERO);
    }
    assert_eq!(env.balance(env.deployment.proxy).await, funding);

    // Entries already paid do not count toward the total: after T-1 is paid alone (3 left), the batch needs 4.
    ok(rewards.payReferral(to[0], amounts[0], refs[0])).await;
    match reverts(rewards.payReferralBatch(to.clone(), amounts.clone(), refs.clone())).await {
        E::ReferralRewards__InsufficientTreasury(e) => {
            assert_eq!(e.needed, ONE * U256::from(4));
            assert_eq!(e.available, ONE * U256::from(3));
        }
        other => panic!("expected InsufficientTreasury, got {other:?}"),
    }
    // Top up by 1: now it goes through, skipping T-1, and empties the treasury.
    ok(env.token(&env.admin).mint(env.deployment.proxy, ONE)).await;
    let receipt = ok(rewards.payReferralBatch(to.clone(), amounts.clone(), refs.clone())).await;
    let logs = refcodes_chain::payment_logs(&receipt, env.deployment.proxy);
    assert_eq!((logs.paid.len(), logs.skipped.len()), (2, 1));
    assert_eq!(env.balance(env.deployment.proxy).await, U256::ZERO);
    for (i, r) in refs.iter().enumerate() {
        assert!(env.is_paid(*r).await);
        assert_eq!(env.balance(to[i]).await, amounts[i]);
    }
}

#[tokio::test]
async fn switching_modes_works() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let admin = env.rewards(&env.admin);
    let operator = env.rewards(&env.operator);

    ok(operator.payReferral(recipient(1), ONE, order_ref("M-1"))).await;
    assert_eq!(env.total_supply().await, ONE);

    // MINT -> TRANSFER with an empty treasury: clear failure.
    let receipt = ok(admin.setMode(Mode::Transfer.as_u8())).await;
    assert!(receipt
        .inner
        .logs()
        .iter()
        .any(|l| l.address() == env.deployment.proxy));
    assert_eq!(admin.mode().call().await.unwrap(), Mode::Transfer.as_u8());
    match reverts(operator.payReferral(recipient(2), ONE, order_ref("M-2"))).await {
        E::ReferralRewards__InsufficientTreasury(e) => assert_eq!(e.available, U256::ZERO),
        other => panic!("expected InsufficientTreasury, got {other:?}"),
    }

    // Fund the treasury: TRANSFER pays from it, supply unchanged.
    ok(env
        .token(&env.admin)
        .mint(env.deployment.proxy, ONE * U256::from(10)))
    .await;
    let supply = env.total_supply().await;
    ok(operator.payReferral(recipient(2), ONE, order_ref("M-2"))).await;
    assert_eq!(env.total_supply().await, supply);
    assert_eq!(env.balance(env.deployment.proxy).await, ONE * U256::from(9));

    // Back to MINT: supply grows, treasury untouched.
    ok(admin.setMode(Mode::Mint.as_u8())).await;
    ok(operator.payReferral(recipient(3), ONE, order_ref("M-3"))).await;
    assert_eq!(env.total_supply().await, supply + ONE);
    assert_eq!(env.balance(env.deployment.proxy).await, ONE * U256::from(9));
    assert_eq!(env.balance(recipient(3)).await, ONE);
}

#[tokio::test]
async fn set_reward_token_switches_the_paying_token() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let admin = env.rewards(&env.admin);
    // A second token, with the proxy as minter.
    let other = refcodes_chain::RewardToken::deploy(
        env.admin.provider().clone(),
        "Other".to_string(),
        "OTH".to_string(),
        env.admin.sender(),
    )
    .await
    .unwrap();
    ok(other.grantRole(refcodes_chain::roles::minter_role(), env.deployment.proxy)).await;
    ok(admin.setRewardToken(*other.address())).await;
    assert_eq!(admin.rewardToken().call().await.unwrap(), *other.address());

    ok(env
        .rewards(&env.operator)
        .payReferral(recipient(1), ONE, order_ref("S-1")))
    .await;
    assert_eq!(other.balanceOf(recipient(1)).call().await.unwrap(), ONE);
    assert_eq!(env.balance(recipient(1)).await, U256::ZERO);

    // Zero address and an address without code are refused.
    assert!(matches!(
        reverts(admin.setRewardToken(alloy::primitives::Address::ZERO)).await,
        E::ReferralRewards__ZeroAddress(_)
    ));
    match reverts(admin.setRewardToken(recipient(7))).await {
        E::ReferralRewards__NotAContract(e) => assert_eq!(e.token, recipient(7)),
        other => panic!("expected NotAContract, got {other:?}"),
    }
}
