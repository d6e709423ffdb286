//! A run against an endpoint that accepts and never answers ends in time, releases its lock and blocks nothing
//! (`tests/it/common/gate.rs` stalls the calls); a run cut anywhere after it marked a batch loses nothing.
use super::*;
use common::gate::{Gate, RpcGate};
use refcodes_chain::signer_from_hex;
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
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .unwrap();
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
    let first = chain.minter().await.nonces().await.unwrap().mined;
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
    // The broadcast may have arrived: they wait on their nonce.
    assert_eq!(statuses(&pool, &refs).await, ["minting", "minting"]);
    let doc = &rewards_of(&pool, &refs[1]).await[0];
    assert!(
        doc["lastError"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{doc}"
    );

    // It had not: signed again with its nonce, without the refunded order's reward; that one goes back and is voided.
    gate.set(Gate::Pass);
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["resent"].as_u64(),
            summary["reconciled"].as_u64()
        ),
        (200, Some(1), Some(2)),
        "the lock was released: {summary}"
    );
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["repaired"].as_u64()),
        (200, Some(1)),
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
    let clawbacks: i64 = sqlx::query_scalar("SELECT count(*) FROM clawbacks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(clawbacks, 0, "the refunded order's reward was never paid");
    let mined = chain.minter().await.nonces().await.unwrap().mined;
    assert_eq!(mined, first + 1, "one transaction for the batch");
    server.stop().await;
}

#[sqlx::test]
async fn a_send_whose_answer_was_lost_is_found_on_chain_and_never_sent_again(pool: PgPool) {
    let chain = Chain::start().await;
    let gate = RpcGate::start(chain.port()).await;
    let server = gated(&pool, &chain, &gate, &[("CHAIN_CALL_TIMEOUT_SECS", "2")]).await;
    let refs = approved(&pool, "LOST-ANSWER", 2, WALLET_C, ONE).await;
    let minter = chain.minter().await;
    let first = minter.nonces().await.unwrap().mined;
    gate.set(Gate::LoseSendAnswers);
    let (status, code, _) = timed_cron(server.base.clone()).await;
    assert_eq!((status, code.as_str()), (502, "chain_unavailable"));
    // The node took it (and mined it) though the run never heard: the rewards wait on their nonce.
    assert_eq!(chain.balance(WALLET_C).await, wei(2 * ONE));
    assert_eq!(statuses(&pool, &refs).await, ["minting", "minting"]);

    gate.set(Gate::Pass);
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["reconciled"].as_u64(),
            summary["resent"].as_u64()
        ),
        (200, Some(2), Some(0)),
        "{summary}"
    );
    assert_eq!(
        minter.nonces().await.unwrap().mined,
        first + 1,
        "never sent again"
    );
    chain.assert_paid_once(&pool, &refs).await;
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
        ("MINT_TIMEOUT_SECS", "1"),
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
async fn a_run_cut_at_any_step_of_its_send_loses_nothing_and_uses_no_extra_nonce(pool: PgPool) {
    let chain = Chain::start().await;
    let minter = chain.minter().await;
    let head = minter.block_number().await.unwrap() as i64;
    let first = minter.nonces().await.unwrap().pending;
    // Three runs that died: after the broadcast, after the mark, after recording a hash never broadcast.
    let sent = approved(&pool, "SENT", 2, WALLET_A, ONE).await;
    let payment = sign_marked(&pool, &minter, "sent-batch", head, first).await;
    minter.broadcast(&payment).await.unwrap();
    let unsigned = approved(&pool, "UNSIGNED", 2, WALLET_B, ONE).await;
    mark(&pool, "unsigned-batch", head, first + 1).await;
    let unsent = approved(&pool, "UNSENT", 2, WALLET_C, ONE).await;
    let never = sign_marked(&pool, &minter, "unsent-batch", head, first + 2).await;
    for r in sent.iter().chain(&unsigned).chain(&unsent) {
        assert_eq!(rewards_of(&pool, r).await[0]["status"], "minting", "{r}");
    }

    let server = server(&pool, &chain, &[]).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (summary["reconciled"].as_u64(), summary["resent"].as_u64()),
        (Some(6), Some(4)),
        "the broadcast pair is settled from its receipt, the others signed again with their nonces and settled: {summary}"
    );
    for r in &sent {
        assert_eq!(
            rewards_of(&pool, r).await[0]["txHash"],
            payment.hash.to_string()
        );
    }
    for r in &unsent {
        let doc = &rewards_of(&pool, r).await[0];
        assert_eq!(doc["txNonce"], first + 2, "{doc}");
        assert_eq!(doc["txHashes"][0], never.hash.to_string(), "{doc}");
    }
    for wallet in [WALLET_A, WALLET_B, WALLET_C] {
        assert_eq!(chain.balance(wallet).await, wei(2 * ONE), "{wallet}");
    }
    assert_eq!(
        minter.nonces().await.unwrap().mined,
        first + 3,
        "one nonce per batch"
    );
    let mut all = sent.clone();
    all.extend(unsigned);
    all.extend(unsent);
    chain.assert_paid_once(&pool, &all).await;
    server.stop().await;
}

/// Claims every approved reward for `batch` and marks it `minting` with `nonce`, as a run does before it signs.
async fn mark(pool: &PgPool, batch: &str, head: i64, nonce: u64) -> Vec<String> {
    let claimed = db::rewards::claim_for_mint(pool, 100, batch, head)
        .await
        .unwrap();
    let ids: Vec<String> = claimed.into_iter().map(|c| c.id).collect();
    let sender = signer_from_hex(MINTER_KEY).unwrap().address().to_string();
    db::rewards::mark_sending(pool, &ids, batch, &sender, nonce as i64)
        .await
        .unwrap()
}

/// [`mark`], then signs the batch's payment and records its hash, as a run does before it broadcasts.
async fn sign_marked(
    pool: &PgPool,
    minter: &refcodes_chain::Minter,
    batch: &str,
    head: i64,
    nonce: u64,
) -> refcodes_chain::SignedPayment {
    let ids = mark(pool, batch, head, nonce).await;
    let mut entries = Vec::new();
    for id in &ids {
        let doc: Value = sqlx::query_scalar("SELECT data FROM referral_rewards WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
        entries.push(RewardEntry {
            to: doc["referrerWallet"].as_str().unwrap().parse().unwrap(),
            amount: doc["amountWei"].as_str().unwrap().parse().unwrap(),
            order_ref: order_ref(doc["orderReference"].as_str().unwrap()),
        });
    }
    let payment = minter.sign_payment(&entries, nonce, None).await.unwrap();
    db::rewards::record_signed(pool, &ids, nonce as i64, &payment.hash.to_string())
        .await
        .unwrap();
    payment
}
