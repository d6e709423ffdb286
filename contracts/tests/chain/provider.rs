use alloy::primitives::U256;
use alloy::providers::Provider;
use refcodes_chain::ReferralRewards::ReferralRewardsErrors as E;
use refcodes_chain::{order_ref, Mode};

use crate::common::{ok, recipient, reverts, Env, ONE};

/// The nonce trap: with alloy's default (cached) nonce manager, a send that reverts during gas estimation
/// burns a nonce locally and the next send hangs. Our provider must go straight on.
#[tokio::test]
async fn a_send_after_reverted_sends_goes_through() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let rewards = env.rewards(&env.operator);
    let r = order_ref("ORD-NONCE");
    ok(rewards.payReferral(recipient(1), ONE, r)).await;
    let nonce_before = env
        .operator
        .provider()
        .get_transaction_count(env.operator.sender())
        .await
        .unwrap();

    for _ in 0..3 {
        assert!(matches!(
            reverts(rewards.payReferral(recipient(1), ONE, r)).await,
            E::ReferralRewards__AlreadyPaid(_)
        ));
    }
    assert_eq!(
        env.operator
            .provider()
            .get_transaction_count(env.operator.sender())
            .await
            .unwrap(),
        nonce_before,
        "reverted estimations must not consume nonces"
    );

    let next = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        ok(rewards.payReferral(recipient(2), ONE, order_ref("ORD-NONCE-2"))),
    )
    .await
    .expect("the send after the reverts must not hang");
    assert_eq!(next.from, env.operator.sender());
    assert_eq!(env.balance(recipient(2)).await, ONE);
    assert_eq!(
        env.operator
            .provider()
            .get_transaction_count(env.operator.sender())
            .await
            .unwrap(),
        nonce_before + 1
    );
}

#[tokio::test]
async fn client_reports_chain_and_sender() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    assert_eq!(env.admin.chain_id(), 31337);
    assert_ne!(env.admin.sender(), env.operator.sender());
    // Debug output shows public facts only.
    let debug = format!("{:?}", env.admin);
    assert!(debug.contains("chain_id: 31337"), "{debug}");
}

#[tokio::test]
async fn connect_to_a_dead_endpoint_fails_with_context() {
    // Bind then drop a listener: nothing listens on that port afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let signer = refcodes_chain::signer_from_hex(
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    )
    .unwrap();
    let err = refcodes_chain::ChainClient::connect(&format!("http://127.0.0.1:{port}"), signer)
        .await
        .unwrap_err();
    assert!(
        matches!(err, refcodes_chain::ChainError::Rpc { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("reading the chain id"), "{err}");
}
