//! Transactions that are not mined, or no longer (a reorganisation took their block back), on anvil: replaced with their nonce and higher fees
//! once they waited `MINT_REPLACE_AFTER_SECS` (never above `MINT_MAX_FEE_GWEI`), re-sent with their nonce when the node dropped them, cancelled with
//! their nonce when their payment can no longer be signed, and their rewards sent with the next nonce only once
//! another transaction used theirs; a minted reward whose block a reorganisation took back is minting again and
//! paid once with its nonce. Every reward is paid once and every batch takes one nonce.
use super::*;
use refcodes_chain::Minter;

const VARS: [(&str, &str); 2] = [("MINT_TIMEOUT_SECS", "1"), ("MINT_REPLACE_AFTER_SECS", "1")];

/// A chain, the app's minter on it, a server, and `n` approved rewards to `wallet`, sent by a first run that left
/// them `minting` (automatic mining is off from then on): (…, the references, the batch's nonce, its hash).
async fn sent_not_mined(
    pool: &PgPool,
    tag: &str,
    wallet: &str,
) -> (Chain, Minter, TestServer, Vec<String>, u64, String) {
    let chain = Chain::start().await;
    let minter = chain.minter().await;
    let server = server(pool, &chain, &VARS).await;
    let refs = approved(pool, tag, 2, wallet, ONE).await;
    chain.set_automine(false).await;
    let nonce = minter.nonces().await.unwrap().mined;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["pending"].as_u64()),
        (200, Some(2)),
        "{summary}"
    );
    let doc = &rewards_of(pool, &refs[0]).await[0];
    assert_eq!(doc["txNonce"], nonce, "{doc}");
    let hash = doc["txHash"].as_str().unwrap().to_string();
    (chain, minter, server, refs, nonce, hash)
}

/// Mines the waiting transaction and settles it with a run: every one of `refs` paid once, the minter's mined
/// nonce count at `mined`.
async fn mine_and_settle(
    pool: &PgPool,
    chain: &Chain,
    minter: &Minter,
    server: &TestServer,
    refs: &[String],
    mined: u64,
) {
    chain.mine(1).await;
    let (status, summary) = cron(server).await;
    let settled = (status, summary["reconciled"].as_u64());
    assert_eq!(settled, (200, Some(refs.len() as u64)), "{summary}");
    assert_eq!(minter.nonces().await.unwrap().mined, mined);
    chain.assert_paid_once(pool, refs).await;
}

fn hash(s: &str) -> refcodes_chain::alloy::primitives::B256 {
    s.parse().unwrap()
}

#[sqlx::test]
async fn a_transaction_not_mined_in_time_is_replaced_with_its_nonce_and_higher_fees(pool: PgPool) {
    let (chain, minter, server, refs, nonce, first) =
        sent_not_mined(&pool, "STUCK", WALLET_A).await;
    let pooled = minter.pooled(hash(&first)).await.unwrap().expect("pooled");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["resent"].as_u64()),
        (200, Some(2)),
        "{summary}"
    );
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    let second = doc["txHash"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    assert_eq!(doc["txHashes"], json!([first, second]), "{doc}");
    assert_eq!(doc["txNonce"], nonce, "{doc}");
    let raised = minter.pooled(hash(&second)).await.unwrap().expect("pooled");
    assert!(
        raised.max_fee_per_gas * 100 > pooled.max_fee_per_gas * 110,
        "{raised:?} over {pooled:?}"
    );
    assert!(
        raised.max_priority_fee_per_gas * 100 > pooled.max_priority_fee_per_gas * 110,
        "{raised:?} over {pooled:?}"
    );
    assert_eq!(
        minter.pooled(hash(&first)).await.unwrap(),
        None,
        "replaced in the pool"
    );

    mine_and_settle(&pool, &chain, &minter, &server, &refs, nonce + 1).await;
    let doc = &rewards_of(&pool, &refs[1]).await[0];
    assert_eq!(doc["txHash"], second, "{doc}");
    server.stop().await;
}

#[sqlx::test]
async fn a_transaction_the_node_dropped_is_sent_again_with_its_nonce(pool: PgPool) {
    let (chain, minter, server, refs, nonce, first) =
        sent_not_mined(&pool, "DROPPED", WALLET_B).await;
    chain.drop_tx(&first).await;
    assert_eq!(minter.pooled(hash(&first)).await.unwrap(), None);
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["resent"].as_u64()),
        (200, Some(2)),
        "{summary}"
    );
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    assert_eq!(doc["txNonce"], nonce, "{doc}");
    let again = doc["txHash"].as_str().unwrap();
    assert!(
        minter.pooled(hash(again)).await.unwrap().is_some(),
        "back in the pool"
    );

    mine_and_settle(&pool, &chain, &minter, &server, &refs, nonce + 1).await;
    server.stop().await;
}

#[sqlx::test]
async fn rewards_whose_nonce_another_transaction_took_are_sent_with_the_next_one(pool: PgPool) {
    let (chain, minter, server, refs, nonce, first) =
        sent_not_mined(&pool, "OVERTAKEN", WALLET_C).await;
    // The minter's key used elsewhere: a transfer takes the batch's nonce first.
    chain.drop_tx(&first).await;
    let other = minter.sign_cancel(nonce, None).await.unwrap();
    minter.broadcast(&other).await.unwrap();
    chain.mine(1).await;
    assert_eq!(minter.nonces().await.unwrap().mined, nonce + 1);

    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["reconciled"].as_u64(),
            summary["pending"].as_u64()
        ),
        (200, Some(2), Some(2)),
        "back to approved, then sent with the next nonce: {summary}"
    );
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    assert_eq!(doc["txNonce"], nonce + 1, "{doc}");
    assert_eq!(doc["lastTxHash"], first, "{doc}");
    mine_and_settle(&pool, &chain, &minter, &server, &refs, nonce + 2).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_dropped_payment_that_would_revert_now_gives_its_nonce_to_a_cancellation(pool: PgPool) {
    let (chain, minter, server, refs, nonce, first) =
        sent_not_mined(&pool, "CANCEL", WALLET_D).await;
    chain.drop_tx(&first).await;
    chain.set_automine(true).await;
    chain.set_paused(true).await;
    chain.set_automine(false).await;

    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["resent"].as_u64()),
        (200, Some(0)),
        "{summary}"
    );
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    assert!(
        doc["lastError"]
            .as_str()
            .unwrap()
            .contains(&format!("nonce {nonce} cancelled")),
        "{doc}"
    );
    chain.mine(1).await;
    assert_eq!(
        minter.nonces().await.unwrap().mined,
        nonce + 1,
        "the cancellation took it"
    );
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["reconciled"].as_u64(),
            summary["deferred"].as_u64()
        ),
        (200, Some(2), Some(2)),
        "back to approved, held while paused: {summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, ["approved", "approved"]);

    chain.set_automine(true).await;
    chain.set_paused(false).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 2, "{summary}");
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn no_transaction_offers_more_than_the_fee_cap(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[("MINT_MAX_FEE_GWEI", "1")]).await;
    let refs = approved(&pool, "CAPPED", 2, WALLET_A, ONE).await;
    chain.set_next_base_fee(5_000_000_000).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["deferred"].as_u64()),
        (200, Some(2)),
        "{summary}"
    );
    let stopped = summary["stoppedBy"].as_str().unwrap();
    assert!(
        stopped.contains("above MINT_MAX_FEE_GWEI (1 gwei)"),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, ["approved", "approved"]);
    assert_eq!(chain.balance(WALLET_A).await, wei(0));
    server.stop().await;
}

#[sqlx::test]
async fn a_reward_sent_before_nonces_were_recorded_waits_while_its_transaction_is_pooled(
    pool: PgPool,
) {
    let chain = Chain::start().await;
    let minter = chain.minter().await;
    let refs = approved(&pool, "LEGACY", 1, WALLET_B, ONE).await;
    chain.set_automine(false).await;
    let entry = RewardEntry {
        to: WALLET_B.parse().unwrap(),
        amount: U256::from(ONE),
        order_ref: order_ref(&refs[0]),
    };
    let tx = minter.send(&[entry]).await.unwrap();
    let id = db::rewards::for_order(&pool, &refs[0])
        .await
        .unwrap()
        .unwrap()
        .0;
    sent_before_nonces(&pool, &id, &tx.to_string()).await;
    let server = server(&pool, &chain, &VARS).await;
    let before = minter.nonces().await.unwrap();

    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["reconciled"].as_u64()),
        (200, Some(0)),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, ["minting"]);
    assert_eq!(
        minter.nonces().await.unwrap(),
        before,
        "nothing else was sent"
    );

    chain.mine(1).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["reconciled"], 1, "{summary}");
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_reorganisation_after_rewards_were_minted_reopens_them_and_they_are_paid_once(
    pool: PgPool,
) {
    let chain = Chain::start().await;
    let minter = chain.minter().await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "REORG", 2, WALLET_A, ONE).await;
    let nonce = minter.nonces().await.unwrap().mined;
    let before = chain.snapshot().await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(2)),
        "{summary}"
    );
    let paid_in = rewards_of(&pool, &refs[0]).await[0]["txHash"].clone();

    chain.reorganise_to(before, 3).await;
    assert_eq!(chain.balance(WALLET_A).await, wei(0), "the payment is gone");
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["reopened"].as_u64(),
            summary["resent"].as_u64()
        ),
        (200, Some(2), Some(2)),
        "reopened and signed again with their nonce: {summary}"
    );
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    assert_eq!(doc["reorgedTxHash"], paid_in, "{doc}");
    assert_eq!(doc["txNonce"], nonce, "{doc}");
    assert_eq!(statuses(&pool, &refs).await, ["minted", "minted"]);
    assert_eq!(
        minter.nonces().await.unwrap().mined,
        nonce + 1,
        "the same nonce"
    );
    assert_eq!(chain.balance(WALLET_A).await, wei(2 * ONE));
    chain.assert_paid_once(&pool, &refs).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["reopened"], 0, "{summary}");
    server.stop().await;
}

#[sqlx::test]
async fn a_clawback_whose_payout_a_reorganisation_took_back_is_withdrawn(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "REORG-REFUND", 1, WALLET_B, ONE).await;
    let before = chain.snapshot().await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 1, "{summary}");
    // Its order is refunded after the payout: the next run records a clawback.
    refunded_order(&pool, &refs[0]).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["repaired"], 1, "{summary}");
    let clawbacks = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM clawbacks")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(clawbacks().await, 1);

    // The payout is taken back: the clawback goes, the refunded order's reward is never paid again, and is voided.
    chain.reorganise_to(before, 3).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["reopened"], 1, "{summary}");
    assert_eq!(clawbacks().await, 0);
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["repaired"], 1, "{summary}");
    assert_eq!(rewards_of(&pool, &refs[0]).await[0]["status"], "voided");
    assert_eq!(chain.balance(WALLET_B).await, wei(0));
    server.stop().await;
}
