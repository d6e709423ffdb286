//! A run against an endpoint that accepts and never answers ends in time, releases its lock and blocks nothing
//! (`tests/common/gate.rs` stalls the calls); a run cut anywhere after it marked a batch loses nothing.
use super::*;
use common::gate::{Gate, RpcGate};
use std::time::Instant;

const ESPRESSO: &str = "coffee-espresso-blend";

/// A server on `chain` reached through `gate`, with `extra` settings.
async fn gated(pool: &PgPool, chain: &Chain, gate: &RpcGate, extra: &[(&str, &str)]) -> TestServer {
    let url = gate.url();
    let mut vars = vec![("CHAIN_RPC_URL", url.as_str())];
    vars.extend_from_slice(extra);
    server(pool, chain, &vars).await
}

/// The cron call that fails, timed: (status, error code, seconds).
async fn timed_cron(base: String) -> (u16, String, f64) {
    let started = Instant::now();
    let resp = client()
        .get(format!("{base}/api/cron/refcodes-mint"))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    let (status, code) = json_error(resp).await;
    (status, code, started.elapsed().as_secs_f64())
}

#[sqlx::test]
async fn a_send_that_hangs_ends_the_run_in_time_and_never_blocks_a_refund(pool: PgPool) {
    refcodes::server::demo::seed_catalog(&pool).await.unwrap();
    let chain = Chain::start().await;
    let gate = RpcGate::start(chain.port()).await;
    let mut vars = PAYMENT_VARS.to_vec();
    vars.push(("CHAIN_CALL_TIMEOUT_SECS", "3"));
    let server = gated(&pool, &chain, &gate, &vars).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    referrer(&server, "earner@example.com", "HANG-ON", WALLET_A).await;
    let mut refs = Vec::new();
    for buyer in ["one@example.com", "two@example.com"] {
        let (http, _) = referred_buyer(&server, "HANG-ON", buyer).await;
        let reference = ordered(&http, &server, ESPRESSO, 1).await;
        notify(&server, &reference, "420.00", "Approved").await;
        approve(&pool, &server, &admin, &reference).await;
        refs.push(reference);
    }

    gate.set(Gate::HangSends);
    let run = tokio::spawn(timed_cron(server.base.clone()));
    let mut marked = false;
    for _ in 0..500 {
        if statuses(&pool, &refs).await == ["minting", "minting"] {
            marked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(marked, "the batch was marked before its send");
    // The send hangs; a refund of one of its orders is answered at once all the same.
    let started = Instant::now();
    notify(&server, &refs[0], "420.00", "Refunded").await;
    let refund_secs = started.elapsed().as_secs_f64();
    assert!(!run.is_finished(), "the run still waits on its send");
    assert!(refund_secs < 1.5, "the refund waited {refund_secs} s");
    assert_eq!(order_status(&pool, &refs[0]).await, "refunded");

    let (status, code, secs) = run.await.unwrap();
    assert_eq!((status, code.as_str()), (502, "chain_unavailable"));
    assert!(secs < 10.0, "the hung send ended the run after {secs} s");
    assert_eq!(statuses(&pool, &refs).await, ["approved", "approved"]);
    let doc = &rewards_of(&pool, &refs[1]).await[0];
    assert!(
        doc["lastError"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{doc}"
    );

    gate.set(Gate::Pass);
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "the lock was released: {summary}");
    assert_eq!(
        (summary["minted"].as_u64(), summary["repaired"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    assert_eq!(rewards_of(&pool, &refs[0]).await[0]["status"], "voided");
    chain.assert_paid_once(&pool, &refs[1..]).await;
    let paid: U256 = rewards_of(&pool, &refs[1]).await[0]["amountWei"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(chain.balance(WALLET_A).await, paid);
    server.stop().await;
}

#[sqlx::test]
async fn a_run_past_its_deadline_ends_and_releases_the_lock(pool: PgPool) {
    let chain = Chain::start().await;
    let gate = RpcGate::start(chain.port()).await;
    // Each call may take 60 s: only the run's deadline can end a run this soon.
    let vars = [
        ("CHAIN_CALL_TIMEOUT_SECS", "60"),
        ("MINT_RUN_DEADLINE_SECS", "2"),
    ];
    let server = gated(&pool, &chain, &gate, &vars).await;
    let refs = approved(&pool, "DEADLINE", 3, WALLET_B, ONE).await;
    gate.set(Gate::HangAll);
    for _ in 0..2 {
        let (status, code, secs) = timed_cron(server.base.clone()).await;
        assert_eq!((status, code.as_str()), (502, "chain_unavailable"));
        assert!(secs < 8.0, "the run ended after {secs} s");
    }
    assert_eq!(statuses(&pool, &refs).await, vec!["approved"; 3]);

    gate.set(Gate::Pass);
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(3)),
        "{summary}"
    );
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_run_cut_after_marking_its_batch_loses_nothing_sent_or_not(pool: PgPool) {
    let chain = Chain::start().await;
    let unsent = approved(&pool, "UNSENT", 2, WALLET_A, ONE).await;
    let minter = chain.minter().await;
    let head = minter.block_number().await.unwrap() as i64;
    // A run that marked its batch and died before the send.
    mark(&pool, "unsent-batch", head).await;
    let sent = approved(&pool, "SENT", 2, WALLET_B, ONE).await;
    // And one that marked its batch, sent it and died before recording the hash.
    let ids = mark(&pool, "sent-batch", head).await;
    assert_eq!(ids.len(), 2);
    let entries: Vec<RewardEntry> = sent
        .iter()
        .map(|r| RewardEntry {
            to: WALLET_B.parse().unwrap(),
            amount: U256::from(ONE),
            order_ref: order_ref(r),
        })
        .collect();
    let tx = minter.send(&entries).await.unwrap();
    assert!(
        minter
            .wait(tx, 1, Duration::from_secs(10))
            .await
            .unwrap()
            .unwrap()
            .success
    );
    for r in unsent.iter().chain(&sent) {
        let doc = &rewards_of(&pool, r).await[0];
        assert_eq!(
            (doc["status"].as_str(), doc["txHash"].as_str()),
            (Some("minting"), None),
            "{doc}"
        );
    }

    let server = server(&pool, &chain, &[]).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (summary["reconciled"].as_u64(), summary["minted"].as_u64()),
        (Some(4), Some(2)),
        "the sent pair is settled from the chain, the other pair sent now: {summary}"
    );
    for r in &sent {
        assert_eq!(rewards_of(&pool, r).await[0]["txHash"], tx.to_string());
    }
    assert_eq!(chain.balance(WALLET_A).await, wei(2 * ONE));
    assert_eq!(chain.balance(WALLET_B).await, wei(2 * ONE));
    let mut all = unsent.clone();
    all.extend(sent);
    chain.assert_paid_once(&pool, &all).await;
    server.stop().await;
}

/// Claims every approved reward for `batch` and marks it as being sent, as a run does before its send.
async fn mark(pool: &PgPool, batch: &str, head: i64) -> Vec<String> {
    let claimed = db::rewards::claim_for_mint(pool, 100, batch, head)
        .await
        .unwrap();
    let ids: Vec<String> = claimed.into_iter().map(|c| c.id).collect();
    db::rewards::mark_sending(pool, &ids, batch).await.unwrap()
}
