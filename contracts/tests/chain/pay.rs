use alloy::primitives::{B256, U256};
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, payment_logs, Mode, Payment};

use crate::common::{ok, recipient, reverts, Env, ONE};

#[tokio::test]
async fn pay_mints_exact_amount_and_marks_paid() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let to = recipient(1);
    let r = order_ref("ORD-1001");
    let amount = ONE * U256::from(3) + U256::from(7);
    assert!(!env.is_paid(r).await);

    let receipt = ok(rewards.payReferral(to, amount, r)).await;

    assert_eq!(env.balance(to).await, amount);
    assert_eq!(env.total_supply().await, amount);
    assert!(env.is_paid(r).await);
    let logs = payment_logs(&receipt, env.deployment.proxy);
    assert_eq!(
        logs.paid,
        vec![Payment {
            order_ref: r,
            to,
            amount
        }]
    );
    assert!(logs.skipped.is_empty());
}

#[tokio::test]
async fn repeat_reverts_with_already_paid_and_pays_nothing_more() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let to = recipient(1);
    let r = order_ref("ORD-1002");
    ok(rewards.payReferral(to, ONE, r)).await;

    let call = rewards.payReferral(to, ONE, r);
    let err = refcodes_chain::send_and_confirm(&call, "repeat")
        .await
        .unwrap_err();
    assert_eq!(err.already_paid(), Some(r));
    match err.revert() {
        Some(E::ReferralRewards__AlreadyPaid(e)) => assert_eq!(e.orderRef, r),
        other => panic!("expected AlreadyPaid, got {other:?}"),
    }
    // alloy's own decoding path gives the same answer.
    let raw = call.call().await.unwrap_err();
    assert_eq!(
        raw.as_decoded_interface_error::<E>(),
        Some(E::ReferralRewards__AlreadyPaid(
            refcodes_chain::ReferralRewards::ReferralRewards__AlreadyPaid { orderRef: r }
        ))
    );
    assert!(err.to_string().contains("AlreadyPaid"), "{err}");
    assert_eq!(env.balance(to).await, ONE);
}

#[tokio::test]
async fn batch_pays_unpaid_skips_paid_and_emits_events() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let refs: Vec<B256> = (0..4).map(|i| order_ref(&format!("ORD-B{i}"))).collect();
    let to: Vec<_> = (10..14).map(recipient).collect();
    let amounts: Vec<U256> = (1..=4).map(|i| ONE * U256::from(i)).collect();

    // refs[1] is already paid (to someone else, for a different amount).
    ok(rewards.payReferral(recipient(99), U256::from(5), refs[1])).await;

    let call = rewards.payReferralBatch(to.clone(), amounts.clone(), refs.clone());
    let simulated = call.call().await.expect("simulate");
    assert_eq!(simulated.paidCount, U256::from(3));
    assert_eq!(simulated.paidTotal, amounts[0] + amounts[2] + amounts[3]);
    let receipt = ok(call).await;

    for i in [0, 2, 3] {
        assert_eq!(env.balance(to[i]).await, amounts[i], "entry {i}");
        assert!(env.is_paid(refs[i]).await);
    }
    assert_eq!(
        env.balance(to[1]).await,
        U256::ZERO,
        "the skipped entry is not paid"
    );
    assert_eq!(env.balance(recipient(99)).await, U256::from(5));

    let logs = payment_logs(&receipt, env.deployment.proxy);
    let expect = |i: usize| Payment {
        order_ref: refs[i],
        to: to[i],
        amount: amounts[i],
    };
    assert_eq!(logs.paid, vec![expect(0), expect(2), expect(3)]);
    assert_eq!(logs.skipped, vec![expect(1)]);

    // The whole batch again: everything skipped, nothing minted.
    let supply = env.total_supply().await;
    let receipt = ok(rewards.payReferralBatch(to.clone(), amounts.clone(), refs.clone())).await;
    let logs = payment_logs(&receipt, env.deployment.proxy);
    assert!(logs.paid.is_empty());
    assert_eq!(logs.skipped.len(), 4);
    assert_eq!(env.total_supply().await, supply);
}

#[tokio::test]
async fn duplicate_order_within_a_batch_is_paid_once() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let r = order_ref("ORD-DUP");
    let receipt =
        ok(rewards.payReferralBatch(vec![recipient(1), recipient(2)], vec![ONE, ONE], vec![r, r]))
            .await;
    let logs = payment_logs(&receipt, env.deployment.proxy);
    assert_eq!(logs.paid.len(), 1);
    assert_eq!(logs.skipped.len(), 1);
    assert_eq!(env.balance(recipient(1)).await, ONE);
    assert_eq!(env.balance(recipient(2)).await, U256::ZERO);
}

#[tokio::test]
async fn transfer_mode_pays_from_the_treasury() {
    let funding = ONE * U256::from(100);
    let env = Env::new(Mode::Transfer, funding).await;
    let rewards = env.rewards(&env.operator);
    assert_eq!(env.balance(env.deployment.proxy).await, funding);
    let supply = env.total_supply().await;

    ok(rewards.payReferral(recipient(1), ONE * U256::from(10), order_ref("T-1"))).await;
    ok(rewards.payReferralBatch(
        vec![recipient(2), recipient(3)],
        vec![ONE, ONE * U256::from(2)],
        vec![order_ref("T-2"), order_ref("T-3")],
    ))
    .await;

    assert_eq!(env.balance(recipient(1)).await, ONE * U256::from(10));
    assert_eq!(env.balance(recipient(2)).await, ONE);
    assert_eq!(env.balance(recipient(3)).await, ONE * U256::from(2));
    assert_eq!(
        env.balance(env.deployment.proxy).await,
        funding - ONE * U256::from(13)
    );
    assert_eq!(env.total_supply().await, supply, "TRANSFER mints nothing");
    assert!(env.is_paid(order_ref("T-3")).await);
}

#[tokio::test]
async fn zero_address_amount_and_order_ref_are_rejected() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let r = order_ref("ORD-Z");
    assert!(matches!(
        reverts(rewards.payReferral(alloy::primitives::Address::ZERO, ONE, r)).await,
        E::ReferralRewards__ZeroAddress(_)
    ));
    assert!(matches!(
        reverts(rewards.payReferral(recipient(1), U256::ZERO, r)).await,
        E::ReferralRewards__ZeroAmount(_)
    ));
    assert!(matches!(
        reverts(rewards.payReferral(recipient(1), ONE, B256::ZERO)).await,
        E::ReferralRewards__ZeroOrderRef(_)
    ));
    // In a batch, one bad entry fails the whole batch.
    assert!(matches!(
        reverts(rewards.payReferralBatch(
            vec![recipient(1), recipient(2)],
            vec![ONE, U256::ZERO],
            vec![r, order_ref("x")]
        ))
        .await,
        E::ReferralRewards__ZeroAmount(_)
    ));
    assert!(matches!(
        reverts(rewards.payReferralBatch(
            vec![recipient(1), alloy::primitives::Address::ZERO],
            vec![ONE, ONE],
            vec![r, order_ref("x")]
        ))
        .await,
        E::ReferralRewards__ZeroAddress(_)
    ));
    assert!(!env.is_paid(r).await);
    assert_eq!(env.balance(recipient(1)).await, U256::ZERO);
}

#[tokio::test]
async fn batch_size_and_length_errors() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let max: u64 = rewards.MAX_BATCH_SIZE().call().await.unwrap().to();
    assert_eq!(max, 300);

    let n = max as usize + 1;
    let err = reverts(rewards.payReferralBatch(
        (0..n as u64).map(recipient).collect(),
        vec![ONE; n],
        (0..n).map(|i| order_ref(&format!("big-{i}"))).collect(),
    ))
    .await;
    match err {
        E::ReferralRewards__BatchTooLarge(e) => {
            assert_eq!(e.size, U256::from(n));
            assert_eq!(e.max, U256::from(max));
        }
        other => panic!("expected BatchTooLarge, got {other:?}"),
    }

    let err = reverts(rewards.payReferralBatch(
        vec![recipient(1), recipient(2)],
        vec![ONE],
        vec![order_ref("a"), order_ref("b")],
    ))
    .await;
    match err {
        E::ReferralRewards__LengthMismatch(e) => {
            assert_eq!(
                (e.recipients, e.amounts, e.orderRefs),
                (U256::from(2), U256::from(1), U256::from(2))
            );
        }
        other => panic!("expected LengthMismatch, got {other:?}"),
    }
    let err = reverts(rewards.payReferralBatch(vec![recipient(1)], vec![ONE], vec![])).await;
    assert!(
        matches!(err, E::ReferralRewards__LengthMismatch(_)),
        "{err:?}"
    );
    let err = reverts(rewards.payReferralBatch(vec![], vec![], vec![])).await;
    assert!(matches!(err, E::ReferralRewards__EmptyBatch(_)), "{err:?}");
    assert!(!env.is_paid(order_ref("a")).await);
}

#[tokio::test]
async fn are_paid_reports_each_ref() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    ok(rewards.payReferral(recipient(1), ONE, order_ref("P-1"))).await;
    let paid = rewards
        .arePaid(vec![order_ref("P-0"), order_ref("P-1"), order_ref("P-2")])
        .call()
        .await
        .unwrap();
    assert_eq!(paid, vec![false, true, false]);
}
