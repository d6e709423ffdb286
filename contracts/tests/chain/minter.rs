use std::time::{Duration, Instant};

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use refcodes_chain::anvil::{anvil_signer, kill_anvil, spawn_anvil};
use refcodes_chain::roles::operator_role;
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{
    order_ref, ChainClient, ChainError, Minter, Mode, Payment, RewardEntry, MAX_BATCH_SIZE,
};

use crate::common::{entry, ok, recipient, Env, ONE};

const WAIT: Duration = Duration::from_secs(20);

fn payment(e: &RewardEntry) -> Payment {
    Payment {
        order_ref: e.order_ref,
        to: e.to,
        amount: e.amount,
    }
}

#[tokio::test]
async fn happy_batch_pays_exact_amounts_and_marks_orders_paid() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    assert_eq!(minter.sender(), env.operator.sender());
    assert!(minter.has_operator_role().await.unwrap());
    assert!(!minter.is_paused().await.unwrap());

    let entries: Vec<RewardEntry> = (1..=3)
        .map(|i| entry(i, ONE * U256::from(i) + U256::from(7), &format!("ORD-H{i}")))
        .collect();
    let refs: Vec<B256> = entries.iter().map(|e| e.order_ref).collect();
    assert_eq!(minter.are_paid(&refs).await.unwrap(), vec![false; 3]);

    minter.simulate(&entries).await.unwrap();
    let gas_before = minter.native_balance().await.unwrap();
    let tx = minter.send(&entries).await.unwrap();
    let receipt = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");

    assert_eq!(receipt.tx_hash, tx);
    assert!(receipt.success);
    assert!(receipt.block_number > 0);
    assert!(receipt.gas_used > 21_000);
    assert_eq!(
        receipt.logs.paid,
        entries.iter().map(payment).collect::<Vec<_>>()
    );
    assert!(receipt.logs.skipped.is_empty());
    for e in &entries {
        assert_eq!(env.balance(e.to).await, e.amount);
    }
    assert_eq!(
        env.total_supply().await,
        entries.iter().map(|e| e.amount).sum::<U256>()
    );
    assert_eq!(minter.are_paid(&refs).await.unwrap(), vec![true; 3]);
    // The receipt can be read again later without waiting.
    assert_eq!(minter.receipt(tx).await.unwrap(), Some(receipt));
    // Gas was paid by the minter.
    assert!(minter.native_balance().await.unwrap() < gas_before);
    assert_eq!(
        minter.native_balance().await.unwrap(),
        env.operator
            .provider()
            .get_balance(env.operator.sender())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_single_entry_goes_through_pay_referral() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let e = entry(1, ONE, "ORD-SINGLE");
    minter.simulate(&[e]).await.unwrap();
    let tx = minter.send(&[e]).await.unwrap();
    let receipt = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");
    assert_eq!(receipt.logs.paid, vec![payment(&e)]);
    assert_eq!(env.balance(e.to).await, ONE);

    // Alone again, an already-paid order reverts (payReferral); see isolate() for the reason text.
    let err = minter.simulate(&[e]).await.unwrap_err();
    assert_eq!(err.already_paid(), Some(e.order_ref));
    assert!(err.is_revert());
}

#[tokio::test]
async fn batch_with_an_already_paid_entry_skips_it() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let entries = vec![
        entry(1, ONE, "ORD-S1"),
        entry(2, ONE * U256::from(2), "ORD-S2"),
        entry(3, ONE * U256::from(3), "ORD-S3"),
    ];
    // ORD-S2 was paid before (to someone else).
    let earlier = RewardEntry {
        to: recipient(99),
        amount: U256::from(5),
        order_ref: entries[1].order_ref,
    };
    let tx = minter.send(&[earlier]).await.unwrap();
    assert!(minter.wait(tx, 1, WAIT).await.unwrap().unwrap().success);
    let refs: Vec<B256> = entries.iter().map(|e| e.order_ref).collect();
    assert_eq!(
        minter.are_paid(&refs).await.unwrap(),
        vec![false, true, false]
    );

    minter.simulate(&entries).await.unwrap();
    let tx = minter.send(&entries).await.unwrap();
    let receipt = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");
    assert!(receipt.success);
    assert_eq!(
        receipt.logs.paid,
        vec![payment(&entries[0]), payment(&entries[2])]
    );
    assert_eq!(receipt.logs.skipped, vec![payment(&entries[1])]);
    assert_eq!(env.balance(recipient(1)).await, ONE);
    assert_eq!(env.balance(recipient(2)).await, U256::ZERO);
    assert_eq!(env.balance(recipient(3)).await, ONE * U256::from(3));
    assert_eq!(env.balance(recipient(99)).await, U256::from(5));
}

#[tokio::test]
async fn paused_contract_fails_simulation_with_a_clear_reason() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    ok(env.rewards(&env.admin).pause()).await;
    assert!(minter.is_paused().await.unwrap());

    for entries in [
        vec![entry(1, ONE, "ORD-P1")],
        vec![entry(1, ONE, "ORD-P1"), entry(2, ONE, "ORD-P2")],
    ] {
        let err = minter.simulate(&entries).await.unwrap_err();
        assert!(matches!(err.revert(), Some(E::EnforcedPause(_))), "{err:?}");
        assert!(err.is_revert());
        assert_eq!(
            err.revert_reason().as_deref(),
            Some("EnforcedPause: the contract is paused")
        );
        let text = err.to_string();
        assert!(text.starts_with("simulating payReferral"), "{text}");
        assert!(
            text.ends_with("reverted with EnforcedPause: the contract is paused"),
            "{text}"
        );
        // Sending fails the same way, before broadcasting.
        let err = minter.send(&entries).await.unwrap_err();
        assert!(matches!(err.revert(), Some(E::EnforcedPause(_))), "{err:?}");
    }
    assert!(!env.is_paid(order_ref("ORD-P1")).await);
}

#[tokio::test]
async fn isolate_separates_good_entries_from_bad_ones_with_reasons() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let good1 = entry(1, ONE, "ORD-I1");
    let zero_address = RewardEntry {
        to: Address::ZERO,
        ..entry(2, ONE, "ORD-I2")
    };
    let good2 = entry(3, ONE * U256::from(3), "ORD-I3");
    let zero_amount = entry(4, U256::ZERO, "ORD-I4");
    let entries = vec![good1, zero_address, good2, zero_amount];

    // The batch as a whole reverts on the first bad entry.
    let err = minter.simulate(&entries).await.unwrap_err();
    assert!(
        matches!(err.revert(), Some(E::ReferralRewards__ZeroAddress(_))),
        "{err:?}"
    );

    let (good, bad) = minter.isolate(&entries).await.unwrap();
    assert_eq!(good, vec![good1, good2]);
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0].0, zero_address);
    assert!(bad[0].1.contains("zero address"), "{}", bad[0].1);
    assert_eq!(bad[1].0, zero_amount);
    assert!(bad[1].1.contains("amount is zero"), "{}", bad[1].1);

    // The good ones then pay as a batch.
    let tx = minter.send(&good).await.unwrap();
    assert!(minter.wait(tx, 1, WAIT).await.unwrap().unwrap().success);
    assert_eq!(env.balance(good2.to).await, good2.amount);

    // Already paid is a reason too (each entry is simulated alone, through payReferral).
    let (good, bad) = minter
        .isolate(&[good1, entry(5, ONE, "ORD-I5")])
        .await
        .unwrap();
    assert_eq!(good, vec![entry(5, ONE, "ORD-I5")]);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].1.contains("already paid"), "{}", bad[0].1);
}

#[tokio::test]
async fn rpc_failures_are_errors_not_reasons_or_timeouts() {
    // A minter whose node went away after it connected.
    let anvil = spawn_anvil().unwrap();
    let client = ChainClient::connect(&anvil.endpoint(), anvil_signer(&anvil, 1).unwrap())
        .await
        .unwrap();
    kill_anvil(anvil).unwrap();
    let minter = Minter::new(client, Address::repeat_byte(0x11));

    let err = minter
        .isolate(&[entry(1, ONE, "ORD-RPC")])
        .await
        .unwrap_err();
    assert!(!err.is_revert(), "{err:?}");
    assert!(matches!(err, ChainError::Contract { .. }), "{err:?}");
    let err = minter
        .wait(B256::repeat_byte(1), 1, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(err, ChainError::Rpc { .. }), "{err:?}");
    assert!(minter.are_paid(&[B256::repeat_byte(1)]).await.is_err());
    assert!(minter.paid_events(0, None).await.is_err());
}

#[tokio::test]
async fn wait_times_out_with_none_for_an_unknown_transaction() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let unknown = alloy::primitives::keccak256("no such transaction");
    assert_eq!(minter.receipt(unknown).await.unwrap(), None);
    let started = Instant::now();
    let waited = minter
        .wait(unknown, 1, Duration::from_millis(700))
        .await
        .unwrap();
    assert_eq!(waited, None);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(700) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn wait_honours_confirmations() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let tx = minter.send(&[entry(1, ONE, "ORD-C1")]).await.unwrap();
    // anvil mines one block per transaction: mined, but only 1 confirmation so far.
    assert!(minter.wait(tx, 1, WAIT).await.unwrap().is_some());
    assert_eq!(
        minter
            .wait(tx, 2, Duration::from_millis(300))
            .await
            .unwrap(),
        None
    );
    // One more block.
    let _: serde_json::Value = env
        .admin
        .provider()
        .raw_request("evm_mine".into(), ())
        .await
        .unwrap();
    let r = minter
        .wait(tx, 2, WAIT)
        .await
        .unwrap()
        .expect("2 confirmations");
    assert_eq!(r.tx_hash, tx);
}

#[tokio::test]
async fn send_goes_through_after_a_reverted_simulation_and_failed_sends() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let nonce = || async {
        env.operator
            .provider()
            .get_transaction_count(env.operator.sender())
            .await
            .unwrap()
    };
    let before = nonce().await;
    let e = entry(1, ONE, "ORD-NONCE");

    ok(env.rewards(&env.admin).pause()).await;
    assert!(minter.simulate(&[e]).await.is_err());
    for _ in 0..2 {
        let err = minter.send(&[e]).await.unwrap_err();
        assert!(err.is_revert(), "{err:?}");
    }
    assert_eq!(nonce().await, before, "failed sends must not use nonces");
    ok(env.rewards(&env.admin).unpause()).await;

    let tx = tokio::time::timeout(WAIT, minter.send(&[e]))
        .await
        .expect("the send after the failures must not hang")
        .unwrap();
    let receipt = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");
    assert!(receipt.success);
    assert_eq!(nonce().await, before + 1);
    assert_eq!(env.balance(e.to).await, ONE);
}

#[tokio::test]
async fn a_minter_without_gas_fails_without_leaking_its_key_then_recovers() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let signer = PrivateKeySigner::random();
    let key_hex = alloy::hex::encode(signer.to_bytes());
    let address = signer.address();
    ok(env.rewards(&env.admin).grantRole(operator_role(), address)).await;
    let client = ChainClient::connect(env.admin.rpc_url(), signer)
        .await
        .unwrap();
    let minter = Minter::new(client, env.deployment.proxy);
    assert_eq!(minter.sender(), address);
    assert_eq!(minter.native_balance().await.unwrap(), U256::ZERO);

    let e = entry(1, ONE, "ORD-NOGAS");
    // The simulation passes (eth_call needs no funds), the send is refused: no gas money.
    minter.simulate(&[e]).await.unwrap();
    let err = minter.send(&[e]).await.unwrap_err();
    assert!(!err.is_revert(), "{err:?}");
    assert_eq!(err.revert_reason(), None);

    let mut texts = vec![
        err.to_string(),
        format!("{err:?}"),
        format!("{minter:?}"),
        format!("{:?}", minter.client()),
    ];
    texts.push(
        minter
            .send(&vec![e; MAX_BATCH_SIZE + 1])
            .await
            .unwrap_err()
            .to_string(),
    );
    for text in &texts {
        assert!(
            !text.to_ascii_lowercase().contains(&key_hex),
            "the key leaked: {text}"
        );
    }
    assert!(format!("{minter:?}").contains(&format!("{address:?}")));

    // Fund it: the next send goes through (no nonce was used up by the refusal).
    let fund = TransactionRequest::default()
        .with_to(address)
        .with_value(ONE);
    env.admin
        .provider()
        .send_transaction(fund)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    let tx = minter.send(&[e]).await.unwrap();
    let receipt = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");
    assert!(receipt.success);
    assert_eq!(env.balance(e.to).await, ONE);
}

#[tokio::test]
async fn batches_over_the_limit_or_empty_are_rejected_before_any_call() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    let too_many: Vec<RewardEntry> = (0..=MAX_BATCH_SIZE as u64)
        .map(|i| entry(i + 1, ONE, &format!("ORD-BIG-{i}")))
        .collect();
    for err in [
        minter.simulate(&too_many).await.unwrap_err(),
        minter.send(&too_many).await.unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                ChainError::BatchTooLarge {
                    size: 301,
                    max: 300
                }
            ),
            "{err:?}"
        );
    }
    assert!(matches!(
        minter.send(&[]).await.unwrap_err(),
        ChainError::EmptyBatch
    ));
    assert_eq!(
        env.operator
            .provider()
            .get_transaction_count(env.operator.sender())
            .await
            .unwrap(),
        0
    );
    // Exactly the maximum simulates fine (and matches the contract's constant).
    assert_eq!(
        env.rewards(&env.admin)
            .MAX_BATCH_SIZE()
            .call()
            .await
            .unwrap(),
        U256::from(MAX_BATCH_SIZE)
    );
    minter.simulate(&too_many[..MAX_BATCH_SIZE]).await.unwrap();
}

#[tokio::test]
async fn are_paid_handles_long_lists_in_chunks() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let minter = env.minter();
    assert_eq!(minter.are_paid(&[]).await.unwrap(), Vec::<bool>::new());
    let paid = [entry(1, ONE, "ORD-L-7"), entry(2, ONE, "ORD-L-1100")];
    let tx = minter.send(&paid).await.unwrap();
    minter.wait(tx, 1, WAIT).await.unwrap().unwrap();

    let refs: Vec<B256> = (0..1_201)
        .map(|i| order_ref(&format!("ORD-L-{i}")))
        .collect();
    let flags = minter.are_paid(&refs).await.unwrap();
    assert_eq!(flags.len(), refs.len());
    let set: Vec<usize> = flags
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(set, vec![7, 1100]);
}

#[tokio::test]
async fn paid_events_over_a_block_range() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    // 2 blocks per getLogs request, to exercise the chunking.
    let minter = env.minter().with_log_chunk_blocks(2);
    let start = minter.block_number().await.unwrap() + 1;

    let batches = [
        vec![entry(1, ONE, "ORD-E1")],
        vec![entry(2, ONE, "ORD-E2"), entry(3, ONE, "ORD-E3")],
        vec![entry(4, ONE, "ORD-E4")],
        // Already-paid E1 is skipped: not a ReferralPaid event.
        vec![entry(1, ONE, "ORD-E1"), entry(5, ONE, "ORD-E5")],
    ];
    let mut mined = Vec::new();
    for batch in &batches {
        let tx = minter.send(batch).await.unwrap();
        mined.push(minter.wait(tx, 1, WAIT).await.unwrap().unwrap());
        // An unrelated block in between.
        let _: serde_json::Value = env
            .admin
            .provider()
            .raw_request("evm_mine".into(), ())
            .await
            .unwrap();
    }

    let all = minter.paid_events(start, None).await.unwrap();
    let refs: Vec<B256> = all.iter().map(|e| e.order_ref).collect();
    let expected: Vec<B256> = ["ORD-E1", "ORD-E2", "ORD-E3", "ORD-E4", "ORD-E5"]
        .iter()
        .map(|r| order_ref(r))
        .collect();
    assert_eq!(refs, expected);
    assert_eq!(all[0].tx_hash, mined[0].tx_hash);
    assert_eq!(all[0].block_number, mined[0].block_number);
    assert_eq!(all[0].to, recipient(1));
    assert_eq!(all[0].amount, ONE);
    assert_eq!(all[1].tx_hash, all[2].tx_hash);
    assert!(all[1].log_index < all[2].log_index);
    assert_eq!(all[4].tx_hash, mined[3].tx_hash);

    // Only the blocks of the 2nd and 3rd transactions.
    let middle = minter
        .paid_events(mined[1].block_number, Some(mined[2].block_number))
        .await
        .unwrap();
    assert_eq!(
        middle.iter().map(|e| e.order_ref).collect::<Vec<_>>(),
        expected[1..4].to_vec()
    );
    // An empty range, and one past the head.
    assert!(minter
        .paid_events(mined[3].block_number + 1, None)
        .await
        .unwrap()
        .is_empty());
    assert!(minter.paid_events(10, Some(5)).await.unwrap().is_empty());

    // The same answer in one request per 1000 blocks.
    assert_eq!(env.minter().paid_events(start, None).await.unwrap(), all);
}
