//! anvil with `--state`: the chain survives a graceful stop and a restart on the same port; a SIGKILL loses
//! what happened since the last dump. (Findings documented in `src/anvil.rs`.)

use std::time::Duration;

use alloy::primitives::U256;
use alloy::providers::Provider;
use refcodes_chain::anvil::{
    anvil_signer, free_local_port, kill_anvil, spawn_anvil_with_state, stop_anvil,
};
use refcodes_chain::{deploy, order_ref, ChainClient, Minter, Mode, RewardToken};

use crate::common::{entry, TempDir, ONE};

const WAIT: Duration = Duration::from_secs(20);

async fn operator_minter(
    anvil: &alloy::node_bindings::AnvilInstance,
    rewards: alloy::primitives::Address,
) -> Minter {
    let client = ChainClient::connect(&anvil.endpoint(), anvil_signer(anvil, 1).unwrap())
        .await
        .unwrap();
    Minter::new(client, rewards).with_poll_interval(Duration::from_millis(50))
}

#[tokio::test]
async fn chain_state_survives_a_stop_and_a_restart_on_the_same_port() {
    let dir = TempDir::new("state");
    let state = dir.0.join("anvil-state.json");

    let anvil = spawn_anvil_with_state(&state, None).unwrap();
    let port = anvil.port();
    let admin = ChainClient::connect(&anvil.endpoint(), anvil_signer(&anvil, 0).unwrap())
        .await
        .unwrap();
    let operator = anvil_signer(&anvil, 1).unwrap().address();
    let d = deploy(&admin, admin.sender(), operator, Mode::Mint, U256::ZERO)
        .await
        .unwrap();
    let minter = operator_minter(&anvil, d.proxy).await;
    let paid = entry(1, ONE, "ORD-BEFORE-RESTART");
    let tx = minter.send(&[paid]).await.unwrap();
    let before = minter.wait(tx, 1, WAIT).await.unwrap().expect("mined");
    let head = minter.block_number().await.unwrap();
    let nonce = admin
        .provider()
        .get_transaction_count(operator)
        .await
        .unwrap();
    assert!(!state.exists(), "nothing is written before the stop");

    stop_anvil(anvil).unwrap();
    assert!(state.is_file(), "anvil must dump its state on SIGTERM");

    let anvil = spawn_anvil_with_state(&state, Some(port)).unwrap();
    assert_eq!(anvil.port(), port);
    let minter = operator_minter(&anvil, d.proxy).await;

    // Contract state, balances, nonces and the chain itself are back.
    assert_eq!(
        minter.are_paid(&[paid.order_ref]).await.unwrap(),
        vec![true]
    );
    let token = RewardToken::new(d.token, minter.client().provider().clone());
    assert_eq!(token.balanceOf(paid.to).call().await.unwrap(), ONE);
    assert_eq!(minter.block_number().await.unwrap(), head);
    assert_eq!(
        minter
            .client()
            .provider()
            .get_transaction_count(operator)
            .await
            .unwrap(),
        nonce
    );
    assert_eq!(minter.receipt(tx).await.unwrap(), Some(before.clone()));
    let events = minter.paid_events(0, None).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].tx_hash, tx);

    // And it goes on: a new payment is mined after the old head.
    let next = entry(2, ONE, "ORD-AFTER-RESTART");
    let tx2 = minter.send(&[next]).await.unwrap();
    let after = minter.wait(tx2, 1, WAIT).await.unwrap().expect("mined");
    assert!(after.success);
    assert_eq!(after.block_number, head + 1);
    assert_eq!(
        minter
            .are_paid(&[paid.order_ref, next.order_ref])
            .await
            .unwrap(),
        vec![true, true]
    );
    stop_anvil(anvil).unwrap();
}

#[tokio::test]
async fn sigkill_loses_what_happened_since_the_last_dump() {
    let dir = TempDir::new("kill");
    let state = dir.0.join("anvil-state.json");
    let port = free_local_port().unwrap();

    // Deploy, then a graceful stop: the deployment is in the file.
    let anvil = spawn_anvil_with_state(&state, Some(port)).unwrap();
    assert_eq!(anvil.port(), port);
    let admin = ChainClient::connect(&anvil.endpoint(), anvil_signer(&anvil, 0).unwrap())
        .await
        .unwrap();
    let operator = anvil_signer(&anvil, 1).unwrap().address();
    let d = deploy(&admin, admin.sender(), operator, Mode::Mint, U256::ZERO)
        .await
        .unwrap();
    stop_anvil(anvil).unwrap();

    // Pay after the restart, then crash.
    let anvil = spawn_anvil_with_state(&state, Some(port)).unwrap();
    let minter = operator_minter(&anvil, d.proxy).await;
    let lost = entry(1, ONE, "ORD-LOST");
    let tx = minter.send(&[lost]).await.unwrap();
    assert!(minter.wait(tx, 1, WAIT).await.unwrap().unwrap().success);
    kill_anvil(anvil).unwrap();

    // Back to the last dump: deployed, but the payment and its transaction are gone.
    let anvil = spawn_anvil_with_state(&state, Some(port)).unwrap();
    let minter = operator_minter(&anvil, d.proxy).await;
    assert_eq!(
        minter.are_paid(&[order_ref("ORD-LOST")]).await.unwrap(),
        vec![false]
    );
    assert_eq!(minter.receipt(tx).await.unwrap(), None);
    assert_eq!(
        minter
            .wait(tx, 1, Duration::from_millis(300))
            .await
            .unwrap(),
        None
    );
    // The same payment can be made again.
    let tx = minter.send(&[lost]).await.unwrap();
    assert!(minter.wait(tx, 1, WAIT).await.unwrap().unwrap().success);

    // Dropping the instance is graceful too (alloy 2.x sends SIGTERM first): the payment is kept.
    drop(anvil);
    let anvil = spawn_anvil_with_state(&state, Some(port)).unwrap();
    let minter = operator_minter(&anvil, d.proxy).await;
    assert_eq!(
        minter.are_paid(&[lost.order_ref]).await.unwrap(),
        vec![true]
    );
    stop_anvil(anvil).unwrap();
}
