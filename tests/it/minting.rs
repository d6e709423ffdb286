//! Exactly-once reward minting against a real PostgreSQL and a real anvil: the cron endpoint, its
//! single flight across calls and app instances, chain faults (anvil stopped before the send, after the send,
//! a crash between the send and the database write), a paused contract, a bad wallet, the post-payment run,
//! the reconciliation report, and the minter key never leaking; hung endpoints and runs cut after the mark
//! (`minting/bounds.rs`); transactions stuck, dropped or overtaken (`minting/replacement.rs`); the chain card
//! and its schedule (`minting/health.rs`).
mod bounds;
use crate::common;
mod health;
mod invariants;
mod replacement;
use common::chain::*;
use common::*;
use refcodes::server::db;
use refcodes_chain::alloy::primitives::{Address, U256};
use refcodes_chain::{order_ref, RewardEntry};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::time::Duration;

const ZERO_WALLET: &str = "0x0000000000000000000000000000000000000000";

#[sqlx::test]
async fn approved_rewards_are_minted_by_one_cron_call_and_never_twice(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let mut refs = approved(&pool, "HAPPY-A", 3, WALLET_A, 2 * ONE).await;
    refs.extend(approved(&pool, "HAPPY-B", 2, WALLET_B, ONE / 3).await);

    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["minted"], 5, "{summary}");
    assert_eq!(summary["batches"], 1, "{summary}");
    assert_eq!(summary["txHashes"].as_array().unwrap().len(), 1);
    assert_eq!(
        (summary["failed"].as_u64(), summary["skipped"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(summary["gasUsed"].as_u64().unwrap() > 0);
    assert_eq!(chain.balance(WALLET_A).await, wei(6 * ONE));
    assert_eq!(chain.balance(WALLET_B).await, wei(2 * (ONE / 3)));
    let paid = chain
        .minter()
        .await
        .are_paid(&refs.iter().map(|r| order_ref(r)).collect::<Vec<_>>())
        .await;
    assert_eq!(paid.unwrap(), vec![true; 5]);
    assert_eq!(rewards_of(&pool, &refs[0]).await[0]["attempts"], 1);

    // Again: nothing left to pay, nothing paid twice.
    let (status, again) = cron(&server).await;
    assert_eq!(
        (status, again["minted"].as_u64(), again["batches"].as_u64()),
        (200, Some(0), Some(0))
    );
    assert_eq!(chain.balance(WALLET_A).await, wei(6 * ONE));
    chain.assert_paid_once(&pool, &refs).await;

    let metrics = common::metrics_text(&server).await;
    for name in [
        "refcodes_rewards{status=\"minted\"}",
        "refcodes_mint_batches_total",
        "refcodes_minter_balance_wei",
    ] {
        assert!(metrics.contains(name), "metrics lack {name}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn concurrent_calls_on_two_instances_pay_nothing_twice(pool: PgPool) {
    let chain = Chain::start().await;
    let batch = [("MINT_BATCH_SIZE", "7")];
    let one = server(&pool, &chain, &batch).await;
    let two = server(&pool, &chain, &batch).await;
    let refs = approved(&pool, "RACE", 30, WALLET_A, ONE).await;

    let calls = [cron(&one), cron(&two), cron(&one), cron(&two)];
    let answers = futures::future::join_all(calls).await;
    let mut minted = 0;
    for (status, body) in &answers {
        match status {
            200 => minted += body["minted"].as_u64().unwrap(),
            409 => assert_eq!(body["error"], "mint_busy", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(answers.iter().any(|(s, _)| *s == 200));
    let (_, last) = cron(&two).await;
    minted += last["minted"].as_u64().unwrap();
    assert_eq!(minted, 30, "{answers:?} {last}");
    assert_eq!(chain.balance(WALLET_A).await, wei(30 * ONE));
    chain.assert_paid_once(&pool, &refs).await;

    // While another session holds the lock, a call is answered "busy" at once.
    let mut holder = pool.acquire().await.unwrap();
    assert!(db::rewards::try_mint_lock(&mut holder).await.unwrap());
    let (status, body) = cron(&one).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("mint_busy")),
        "{body}"
    );
    db::rewards::mint_unlock(&mut holder).await.unwrap();
    drop(holder);
    assert_eq!(cron(&one).await.0, 200);
    one.stop().await;
    two.stop().await;
}

#[sqlx::test]
async fn the_cron_endpoint_is_never_open(pool: PgPool) {
    logs();
    let closed = TestServer::start(pool.clone(), &[]).await;
    let resp = client()
        .get(closed.url("/api/cron/refcodes-mint"))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (403, "cron_disabled".to_string()));
    closed.stop().await;

    // A secret but no chain: authorized callers learn minting is not configured.
    let no_chain = TestServer::start(pool.clone(), &[("CRON_SECRET", SECRET)]).await;
    let url = no_chain.url("/api/cron/refcodes-mint");
    let missing = client().get(&url).send().await.unwrap();
    assert_eq!(
        json_error(missing).await,
        (401, "bad_cron_secret".to_string())
    );
    for wrong in [
        "Bearer nope",
        "Basic dGVzdA==",
        &format!("Bearer {SECRET}x"),
        SECRET,
    ] {
        let resp = client()
            .get(&url)
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(
            json_error(resp).await,
            (401, "bad_cron_secret".to_string()),
            "{wrong}"
        );
    }
    let (status, body) = cron(&no_chain).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("minting_not_configured"))
    );
    assert!(body["message"].as_str().unwrap().contains("not configured"));
    no_chain.stop().await;
}

#[sqlx::test]
async fn a_bad_wallet_fails_alone_with_its_reason(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let good = approved(&pool, "GOOD", 2, WALLET_A, ONE).await;
    let bad = approved(&pool, "BADWALLET", 1, ZERO_WALLET, ONE).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (summary["minted"].as_u64(), summary["failed"].as_u64()),
        (Some(2), Some(1)),
        "{summary}"
    );
    let doc = &rewards_of(&pool, &bad[0]).await[0];
    assert_eq!(doc["status"], "failed");
    let why = doc["lastError"].as_str().unwrap();
    assert!(why.contains("ZeroAddress"), "{why}");
    assert_eq!(chain.balance(WALLET_A).await, wei(2 * ONE));
    chain.assert_paid_once(&pool, &good).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_paused_contract_keeps_rewards_approved_until_unpaused(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "PAUSED", 3, WALLET_B, ONE).await;
    chain.set_paused(true).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (summary["minted"].as_u64(), summary["deferred"].as_u64()),
        (Some(0), Some(3))
    );
    assert!(
        summary["stoppedBy"].as_str().unwrap().contains("paused"),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, vec!["approved"; 3]);
    let why = rewards_of(&pool, &refs[0]).await[0]["lastError"].clone();
    assert!(why.as_str().unwrap().contains("EnforcedPause"), "{why}");

    // A send that fails (reverts in gas estimation) with the minter's key leaves no nonce dangling.
    let minter = chain.minter().await;
    let doomed = RewardEntry {
        to: Address::ZERO,
        amount: U256::from(1),
        order_ref: order_ref("DOOMED"),
    };
    assert!(minter.send(&[doomed]).await.is_err());

    chain.set_paused(false).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(3)),
        "{summary}"
    );
    assert_eq!(chain.balance(WALLET_B).await, wei(3 * ONE));
    let doc = &rewards_of(&pool, &refs[0]).await[0];
    assert_eq!(
        (doc["lastError"].clone(), doc["attempts"].clone()),
        (Value::Null, json!(2))
    );
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_run_pays_what_fits_under_the_contracts_period_cap_and_loses_nothing(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    chain.set_period_cap(3 * ONE, 86_400).await;
    let refs = approved(&pool, "CAP", 4, WALLET_C, ONE).await;
    let big = approved(&pool, "BIG", 1, WALLET_D, 5 * ONE).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (
            status,
            summary["minted"].as_u64(),
            summary["failed"].as_u64(),
            summary["deferred"].as_u64()
        ),
        (200, Some(3), Some(1), Some(1)),
        "three fit, the one larger than the cap fails, one waits: {summary}"
    );
    assert!(
        summary["stoppedBy"]
            .as_str()
            .unwrap()
            .contains("PeriodCapExceeded"),
        "{summary}"
    );
    let waiting = statuses(&pool, &refs).await;
    assert_eq!(
        waiting.iter().filter(|s| *s == "approved").count(),
        1,
        "{waiting:?}"
    );
    let failed = &rewards_of(&pool, &big[0]).await[0];
    assert!(
        failed["lastError"]
            .as_str()
            .unwrap()
            .contains("larger than the contract's period cap"),
        "{failed}"
    );
    assert_eq!(chain.balance(WALLET_C).await, wei(3 * ONE));

    chain.set_period_cap(10 * ONE, 86_400).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(1)),
        "{summary}"
    );
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn anvil_down_before_the_send_loses_nothing(pool: PgPool) {
    let mut chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "DOWN", 4, WALLET_A, ONE).await;
    chain.stop().await;
    let resp = client()
        .get(server.url("/api/cron/refcodes-mint"))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(resp).await,
        (502, "chain_unavailable".to_string())
    );
    assert_eq!(statuses(&pool, &refs).await, vec!["approved"; 4]);

    chain.restart().await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(4)),
        "{summary}"
    );
    assert_eq!(chain.balance(WALLET_A).await, wei(4 * ONE));
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn anvil_down_after_the_send_is_reconciled_by_the_next_run(pool: PgPool) {
    // Interval mining: the transaction waits in the pool for a block, so anvil can stop before the receipt.
    let mut chain = Chain::start_with(|a| a.arg("--block-time").arg("4")).await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "AFTER", 4, WALLET_B, ONE).await;
    let base = server.base.clone();
    let call = tokio::spawn(async move {
        client()
            .get(format!("{base}/api/cron/refcodes-mint"))
            .bearer_auth(SECRET)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    // The hash is recorded before the wait: stop the chain as soon as it is.
    let mut sent = false;
    for _ in 0..400 {
        let doc = &rewards_of(&pool, &refs[0]).await[0];
        if doc["status"] == "minting" && doc["txHash"].is_string() {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(sent, "the batch was sent");
    chain.stop().await;
    let first = call.await.unwrap();
    assert!(first == 200 || first == 502, "{first}");
    for status in statuses(&pool, &refs).await {
        assert!(status == "minting" || status == "minted", "{status}");
    }

    chain.restart().await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    if summary["reconciled"] == 0 {
        // The first run saw the receipt after all.
        assert_eq!(statuses(&pool, &refs).await, vec!["minted"; 4]);
    }
    // A transaction lost with the mempool is sent again by the same run; one that survived is settled.
    assert_eq!(chain.balance(WALLET_B).await, wei(4 * ONE));
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_crash_between_the_send_and_the_database_write_is_reconciled(pool: PgPool) {
    let chain = Chain::start().await;
    let refs = approved(&pool, "CRASH", 3, WALLET_A, ONE).await;
    let lost = approved(&pool, "LOST", 1, WALLET_B, ONE).await;
    // The crashed run: it recorded its intent on the claimed rewards and sent, and died before writing `minting`.
    let minter = chain.minter().await;
    let head = minter.block_number().await.unwrap();
    let claimed = db::rewards::claim_for_mint(&pool, 3, "crashed-batch", head as i64)
        .await
        .unwrap();
    let mut claimed_refs: Vec<String> = claimed.iter().map(|c| c.order_reference.clone()).collect();
    claimed_refs.sort();
    assert_eq!(claimed_refs, refs);
    let entries: Vec<RewardEntry> = claimed
        .iter()
        .map(|c| RewardEntry {
            to: WALLET_A.parse().unwrap(),
            amount: U256::from(ONE),
            order_ref: order_ref(&c.order_reference),
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
    assert_eq!(statuses(&pool, &refs).await, vec!["approved"; 3]);
    // And a reward recorded as `minting` with a transaction the chain never saw.
    let id = db::rewards::for_order(&pool, &lost[0])
        .await
        .unwrap()
        .unwrap()
        .0;
    let ghost = format!("0x{}", "ab".repeat(32));
    sent_before_nonces(&pool, &id, &ghost).await;

    let server = server(&pool, &chain, &[]).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (
            summary["skipped"].as_u64(),
            summary["reconciled"].as_u64(),
            summary["minted"].as_u64()
        ),
        (Some(3), Some(1), Some(1)),
        "{summary}"
    );
    for r in &refs {
        assert_eq!(rewards_of(&pool, r).await[0]["txHash"], tx.to_string());
    }
    let doc = &rewards_of(&pool, &lost[0]).await[0];
    assert_eq!(doc["lastTxHash"], ghost.as_str());
    assert_eq!(chain.balance(WALLET_A).await, wei(3 * ONE));
    assert_eq!(chain.balance(WALLET_B).await, wei(ONE));
    let mut all = refs.clone();
    all.extend(lost);
    chain.assert_paid_once(&pool, &all).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_credit_payment_reward_is_minted_in_the_background(pool: PgPool) {
    let chain = Chain::start().await;
    let vars = chain.vars();
    let mut borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    borrowed.retain(|(k, _)| *k != "CRON_SECRET");
    let server = shop(pool.clone(), &borrowed).await;
    referrer(&server, "crypto-ref@r.example", "CRYPTOREF", WALLET_B).await;
    let (buyer, buyer_id) = referred_buyer(&server, "CRYPTOREF", "crypto-buyer@b.example").await;
    let reference = order(&buyer, &server, "coffee-espresso-blend", 1).await["orderReference"]
        .as_str()
        .unwrap()
        .to_string();
    db::credit::grant(&pool, &buyer_id, 42_000, "UAH", "test")
        .await
        .unwrap();
    let resp = buyer
        .post(server.url("/api/store/payments/credit"))
        .json(&json!({"orderReference": reference}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut doc = Value::Null;
    for _ in 0..200 {
        doc = rewards_of(&pool, &reference).await[0].clone();
        if doc["status"] == "minted" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(doc["status"], "minted", "no cron call, no schedule: {doc}");
    let amount: u128 = doc["amountWei"].as_str().unwrap().parse().unwrap();
    assert_eq!(chain.balance(WALLET_B).await, wei(amount));
    chain.assert_paid_once(&pool, &[reference]).await;
    server.stop().await;
}

#[sqlx::test]
async fn the_reconciliation_report_shows_injected_drift(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@refcodes.test").await;
    let stranger = client();
    member(&stranger, &server, "nobody@refcodes.test").await;
    let refs = approved(&pool, "REPORT", 2, WALLET_A, ONE).await;
    assert_eq!(cron(&server).await.0, 200);
    let report = |http: reqwest::Client| {
        let url = server.url("/api/admin/reconciliation");
        async move { http.get(url).send().await.unwrap() }
    };
    let resp = report(stranger.clone()).await;
    assert_eq!(json_error(resp).await, (403, "forbidden".to_string()));
    let healthy: Value = report(admin.clone()).await.json().await.unwrap();
    assert_eq!(healthy["drift"], json!([]), "{healthy}");
    assert_eq!(healthy["paidEvents"], 2);

    // Drift: a reward minted in the ledger only, an amount changed after the payment, a payment unknown to the ledger.
    let ghost = approved(&pool, "GHOST", 1, WALLET_B, ONE).await;
    let id = db::rewards::for_order(&pool, &ghost[0])
        .await
        .unwrap()
        .unwrap()
        .0;
    let unknown_payment = RewardPatch::MintedElsewhere {
        tx: None,
        block: None,
    };
    for patch in [RewardPatch::PaidBefore, unknown_payment] {
        db::rewards::move_status(
            &mut pool.acquire().await.unwrap(),
            std::slice::from_ref(&id),
            &patch,
        )
        .await
        .unwrap();
    }
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"amountWei\": \"5\"}' WHERE data->>'orderReference' = $1")
        .bind(&refs[0])
        .execute(&pool)
        .await
        .unwrap();
    let minter = chain.minter().await;
    let foreign = RewardEntry {
        to: WALLET_B.parse().unwrap(),
        amount: U256::from(7),
        order_ref: order_ref("NOT-IN-LEDGER"),
    };
    let tx = minter.send(&[foreign]).await.unwrap();
    minter
        .wait(tx, 1, Duration::from_secs(10))
        .await
        .unwrap()
        .unwrap();

    let drifted: Value = report(admin).await.json().await.unwrap();
    let kinds: Vec<&str> = drifted["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["mintedNotPaid", "amountMismatch", "paidNotMinted"],
        "{drifted}"
    );
    assert_eq!(drifted["drift"][1]["ledger"], "5");
    assert_eq!(
        drifted["drift"][2]["orderRef"],
        order_ref("NOT-IN-LEDGER").to_string()
    );
    assert_eq!(chain.drift(&pool).await.len(), 3);
    server.stop().await;
}

#[sqlx::test]
async fn the_minter_key_never_appears_in_logs_errors_or_answers(pool: PgPool) {
    let logs = logs();
    let chain = Chain::start().await;
    // A start-up with a malformed key fails naming the variable, not the value.
    let e = chain
        .config(&[("REFERRAL_MINTER_PRIVATE_KEY", format!("{MINTER_KEY}00"))])
        .unwrap_err();
    tracing::error!(error = %e, "start-up failed");
    assert_eq!(e.var, "REFERRAL_MINTER_PRIVATE_KEY");

    let server = server(&pool, &chain, &[]).await;
    approved(&pool, "KEYLOG", 2, WALLET_A, ONE).await;
    approved(&pool, "KEYLOG-BAD", 1, ZERO_WALLET, ONE).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(status, 200);
    let metrics = common::metrics_text(&server).await;
    server.stop().await;

    let hex = MINTER_KEY.trim_start_matches("0x");
    let captured = String::from_utf8_lossy(&logs.lock().unwrap()).to_lowercase();
    assert!(
        captured.contains("mint batch sent"),
        "the logs were captured"
    );
    for (what, text) in [
        ("logs", captured),
        ("answer", summary.to_string()),
        ("metrics", metrics),
        ("error", e.to_string()),
    ] {
        assert!(
            !text.to_lowercase().contains(hex),
            "the key leaked into the {what}"
        );
    }
}

#[sqlx::test]
async fn the_schedule_mints_without_a_call_and_a_wrong_chain_stops_the_start(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[("MINT_INTERVAL_SECS", "1")]).await;
    let refs = approved(&pool, "SCHEDULED", 2, WALLET_A, ONE).await;
    for _ in 0..100 {
        if statuses(&pool, &refs).await == vec!["minted"; 2] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;

    let config = chain.config(&[("CHAIN_ID", "1".into())]).unwrap();
    let Err(e) = refcodes::server::platform::startup::state_for(pool.clone(), config).await else {
        panic!("a minter on the wrong chain must not start");
    };
    assert!(
        e.to_string()
            .contains("CHAIN_ID is 1 but the RPC serves chain 31337"),
        "{e}"
    );
}

#[sqlx::test]
async fn an_admin_mints_now_and_both_pages_link_the_transaction(pool: PgPool) {
    let chain = Chain::start().await;
    let explorer = "https://explorer.example/tx/{tx}";
    let server = server(&pool, &chain, &[("CHAIN_EXPLORER_TX_URL", explorer)]).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let referrer = client();
    let referrer_id = member(&referrer, &server, "earner@example.com").await;
    prove_wallet(&referrer, &server, &signer("A")).await;
    let refs = approved_for(&pool, &referrer_id, "NOW", 3, WALLET_A, ONE).await;

    let resp = referrer
        .post(server.url("/api/admin/mint"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (403, "forbidden".into()));
    let resp = admin
        .post(server.url("/api/admin/mint"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let summary: Value = resp.json().await.unwrap();
    assert_eq!(summary["minted"], 3, "{summary}");
    let hash = summary["txHashes"][0].as_str().unwrap().to_string();
    chain.assert_paid_once(&pool, &refs).await;

    let page: Value = get_json(&admin, &server, "/api/admin/rewards?status=minted").await;
    assert_eq!(page["txLinks"], explorer);
    assert_eq!(page["rows"].as_array().unwrap().len(), 3);
    assert!(page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["txHash"] == hash.as_str()));
    let audit: Value = get_json(&admin, &server, "/api/admin/audit?action=mint").await;
    assert_eq!(audit[0]["data"]["targetIds"][0], hash.as_str(), "{audit}");
    assert_eq!(audit[0]["data"]["detail"]["minted"], 3, "{audit}");

    let (status, body) = call_server_fn(
        &referrer,
        &server,
        &refcodes::api::store::MyRewards { cursor: None },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mine: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(mine["txLinks"], explorer);
    let rewards = mine["rewards"].as_array().unwrap();
    assert_eq!(rewards.len(), 3);
    assert!(
        rewards
            .iter()
            .all(|r| r["status"] == "minted" && r["txHash"] == hash.as_str()),
        "{mine}"
    );
    // A second press finds nothing left to pay.
    let again: Value = post_json(&admin, &server, "/api/admin/mint").await;
    assert_eq!(
        (again["minted"].as_u64(), again["batches"].as_u64()),
        (Some(0), Some(0)),
        "{again}"
    );
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn the_rewards_of_a_blocked_code_are_not_minted_until_the_block_is_lifted(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let refs = approved(&pool, "BLOCKED", 2, WALLET_A, ONE).await;
    let set_block = |blocked: bool| {
        sqlx::query(
            r#"INSERT INTO refcodes (id, data) VALUES ('mintcode', jsonb_build_object('code', 'MINTCODE',
                   'userId', 'referrer', 'wallet', $1::text, 'active', true, 'blocked', $2::boolean, 'visits', 0))
               ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data"#,
        )
        .bind(WALLET_A)
        .bind(blocked)
        .execute(&pool)
    };
    set_block(true).await.unwrap();
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(0)),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, ["approved", "approved"]);
    assert_eq!(chain.balance(WALLET_A).await, wei(0));

    set_block(false).await.unwrap();
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 2, "{summary}");
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn rewards_to_a_wallet_its_referrer_has_not_proven_wait_until_it_is(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let earner = client();
    let earner_id = member(&earner, &server, "earner@example.com").await;
    // Rewards of a code from before proofs, paying to a wallet nobody proved.
    let refs = approved_for(&pool, &earner_id, "UNPROVEN", 2, WALLET_C, ONE).await;
    // One a run claimed before (its transaction may be out there): never held back from its check and send.
    let claimed = approved_for(&pool, &earner_id, "CLAIMED", 1, WALLET_D, ONE).await;
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"mintBatch\": \"earlier\"}' WHERE data->>'orderReference' = $1")
        .bind(&claimed[0])
        .execute(&pool)
        .await
        .unwrap();
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(1)),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &refs).await, ["approved", "approved"]);
    assert_eq!(chain.balance(WALLET_C).await, wei(0));
    assert_eq!(chain.balance(WALLET_D).await, wei(ONE));
    let args = refcodes::api::store::MyRewards { cursor: None };
    let (status, body) = call_server_fn(&earner, &server, &args).await;
    assert_eq!(status, 200, "{body}");
    let mine: Value = serde_json::from_str(&body).unwrap();
    let flags: Vec<&Value> = mine["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["heldForWallet"])
        .collect();
    assert_eq!(flags, [&json!(false), &json!(true), &json!(true)], "{mine}");

    prove_wallet(&earner, &server, &signer("C")).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 2, "{summary}");
    assert_eq!(chain.balance(WALLET_C).await, wei(2 * ONE));
    chain.assert_paid_once(&pool, &refs).await;
    server.stop().await;
}

#[sqlx::test]
async fn a_card_reward_waits_out_its_hold_and_a_refund_inside_it_voids_it(pool: PgPool) {
    const ESPRESSO: &str = "coffee-espresso-blend";
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .unwrap();
    let chain = Chain::start().await;
    let mut vars = PAYMENT_VARS.to_vec();
    vars.push(("REWARD_HOLD_DAYS", "14"));
    let server = server(&pool, &chain, &vars).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let (earner, _) = referrer(&server, "earner@example.com", "HOLD-ME", WALLET_A).await;
    let mut references = Vec::new();
    for buyer in ["one@example.com", "two@example.com"] {
        let (http, _) = referred_buyer(&server, "HOLD-ME", buyer).await;
        let reference = ordered(&http, &server, ESPRESSO, 1).await;
        notify(&server, &reference, "420.00", "Approved").await;
        references.push(reference);
    }
    for reference in &references {
        let reward = &rewards_of(&pool, reference).await[0];
        let paid: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
            "SELECT (data->>'paidAt')::timestamptz FROM orders WHERE data->>'orderReference' = $1",
        )
        .bind(reference)
        .fetch_one(&pool)
        .await
        .unwrap();
        let until: chrono::DateTime<chrono::Utc> =
            reward["holdUntil"].as_str().unwrap().parse().unwrap();
        let off = (until - paid - chrono::Duration::days(14))
            .num_milliseconds()
            .abs();
        assert!(off < 1, "{reward}: 14 days after the payment");
        approve(&pool, &server, &admin, reference).await;
    }

    // Approved, but inside the refund window: nothing is minted, and both pages say until when.
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(0)),
        "{summary}"
    );
    assert_eq!(statuses(&pool, &references).await, ["approved", "approved"]);
    let page = get_text(&earner, &server, "/uk/refcodes").await;
    assert!(page.contains("утримується до"), "the member sees the hold");
    let ledger: Value = get_json(&admin, &server, "/api/admin/rewards?status=approved").await;
    assert!(
        ledger["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["holdUntil"].is_string()),
        "{ledger}"
    );

    // A refund inside the hold voids the reward: nothing to claw back.
    notify(&server, &references[0], "420.00", "Refunded").await;
    assert_eq!(
        rewards_of(&pool, &references[0]).await[0]["status"],
        "voided"
    );
    // Once the window is over, the other one is minted.
    sqlx::query("UPDATE referral_rewards SET data = data || jsonb_build_object('holdUntil', now() - interval '1 second') WHERE data->>'orderReference' = $1")
        .bind(&references[1])
        .execute(&pool)
        .await
        .unwrap();
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 1, "{summary}");
    chain.assert_paid_once(&pool, &references[1..]).await;
    server.stop().await;
}

async fn id_of(pool: &PgPool, reference: &str) -> String {
    sqlx::query_scalar("SELECT id FROM referral_rewards WHERE data->>'orderReference' = $1")
        .bind(reference)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_reward_of_a_refunded_order_is_never_minted_and_the_sweeper_voids_it(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    // Refunded while its send was on the way, then back to approved when that send did not land.
    let refs = approved(&pool, "REFUNDED", 1, WALLET_A, ONE).await;
    refunded_order(&pool, &refs[0]).await;
    let (status, summary) = cron(&server).await;
    assert_eq!(
        (status, summary["minted"].as_u64()),
        (200, Some(0)),
        "{summary}"
    );
    assert_eq!(summary["repaired"], 1, "{summary}");
    let reward = &rewards_of(&pool, &refs[0]).await[0];
    assert_eq!(reward["status"], "voided");
    let clawbacks: i64 = sqlx::query_scalar("SELECT count(*) FROM clawbacks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(clawbacks, 0, "nothing was paid out: nothing to claw back");
    assert_eq!(chain.balance(WALLET_A).await, wei(0));
    server.stop().await;
}

/// The admin approves the reward of `reference`.
async fn approve(pool: &PgPool, server: &TestServer, admin: &reqwest::Client, reference: &str) {
    let id = id_of(pool, reference).await;
    let resp = admin
        .post(server.url(&format!("/api/admin/rewards/{id}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
}

/// The referrer's reward for `reference`, approved by the admin and minted by one cron call; its amount.
async fn approve_and_mint(
    pool: &PgPool,
    server: &TestServer,
    admin: &reqwest::Client,
    reference: &str,
) -> U256 {
    approve(pool, server, admin, reference).await;
    let (status, summary) = cron(server).await;
    assert_eq!(status, 200, "{summary}");
    let reward = &rewards_of(pool, reference).await[0];
    reward["amountWei"].as_str().unwrap().parse().unwrap()
}

async fn clawbacks(admin: &reqwest::Client, server: &TestServer) -> Vec<Value> {
    let list: Value = get_json(admin, server, "/api/admin/clawbacks").await;
    list.as_array().unwrap().clone()
}

#[sqlx::test]
async fn a_refund_after_payout_is_clawed_back_from_the_next_rewards_and_the_rest_can_be_waived(
    pool: PgPool,
) {
    const ESPRESSO: &str = "coffee-espresso-blend";
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .unwrap();
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &PAYMENT_VARS).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let (earner, _) = referrer(&server, "earner@example.com", "CLAW-ME", WALLET_A).await;
    let mut orders = Vec::new();
    for (buyer, cups) in [
        ("one@example.com", 1),
        ("two@example.com", 2),
        ("three@example.com", 1),
    ] {
        let (http, _) = referred_buyer(&server, "CLAW-ME", buyer).await;
        orders.push(ordered(&http, &server, ESPRESSO, cups).await);
    }
    let (first, second, third) = (&orders[0], &orders[1], &orders[2]);

    // Paid out, then refunded: a clawback of the whole reward, and the tokens stay where they went.
    notify(&server, first, "420.00", "Approved").await;
    let one = approve_and_mint(&pool, &server, &admin, first).await;
    assert_eq!(chain.balance(WALLET_A).await, one);
    notify(&server, first, "420.00", "Refunded").await;
    assert_eq!(rewards_of(&pool, first).await[0]["status"], "minted");
    let list = clawbacks(&admin, &server).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        (
            list[0]["orderReference"].as_str(),
            list[0]["status"].as_str()
        ),
        (Some(first.as_str()), Some("open"))
    );
    assert_eq!(list[0]["leftWei"], one.to_string());
    assert_eq!(list[0]["referrerEmail"], "earner@example.com");

    // The next reward (two cups: twice as much) is netted before minting: half goes on chain.
    notify(&server, second, "840.00", "Approved").await;
    let paid = approve_and_mint(&pool, &server, &admin, second).await;
    let reward = &rewards_of(&pool, second).await[0];
    assert_eq!(reward["status"], "minted", "{reward}");
    assert_eq!(
        (paid, reward["nettedWei"].as_str()),
        (one, Some(one.to_string().as_str()))
    );
    assert_eq!(
        chain.balance(WALLET_A).await,
        one + one,
        "one + (2 × one − one)"
    );
    chain
        .assert_paid_once(&pool, std::slice::from_ref(second))
        .await;
    let list = clawbacks(&admin, &server).await;
    assert_eq!(
        (list[0]["status"].as_str(), list[0]["leftWei"].as_str()),
        (Some("settled"), Some("0"))
    );

    // Refunded too: its clawback is what it earned (minted + netted); the third reward is netted entirely.
    notify(&server, second, "840.00", "Refunded").await;
    notify(&server, third, "420.00", "Approved").await;
    approve(&pool, &server, &admin, third).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(
        (summary["minted"].as_u64(), summary["netted"].as_u64()),
        (Some(0), Some(1)),
        "{summary}"
    );
    let reward = &rewards_of(&pool, third).await[0];
    assert_eq!(
        (
            reward["status"].as_str(),
            reward["amountWei"].as_str(),
            reward["txHash"].is_null()
        ),
        (Some("netted"), Some("0"), true),
        "{reward}"
    );
    assert_eq!(
        chain.balance(WALLET_A).await,
        one + one,
        "nothing sent for a netted reward"
    );
    let open = clawbacks(&admin, &server)
        .await
        .into_iter()
        .find(|c| c["orderReference"] == second.as_str())
        .unwrap();
    assert_eq!(
        (
            open["amountWei"].as_str(),
            open["nettedWei"].as_str(),
            open["leftWei"].as_str()
        ),
        (
            Some((one + one).to_string().as_str()),
            Some(one.to_string().as_str()),
            Some(one.to_string().as_str())
        )
    );

    // The member sees both clawbacks and the netted reward, in their language.
    let page = get_text(&earner, &server, "/uk/refcodes").await;
    for shown in [
        "Стягнення",
        "Зараховано в рахунок стягнення",
        "data-testid=\"clawback-row\"",
        "data-testid=\"rewards-clawed-back\"",
    ] {
        assert!(page.contains(shown), "the member page shows {shown}");
    }
    let csv = get_text(&admin, &server, "/api/admin/rewards.csv").await;
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains("amountWei,nettedWei,clawbackWei"),
        "{csv}"
    );
    let line = csv.lines().find(|l| l.contains(second.as_str())).unwrap();
    assert!(
        line.contains(&format!(",{one},{one},{},", one + one)),
        "{line}"
    );

    // An admin waives the rest, with a reason, once; the waiver is audited.
    let waive = |id: String, reason: &'static str| {
        let admin = admin.clone();
        let url = server.url(&format!("/api/admin/clawbacks/{id}/waive"));
        async move {
            admin
                .post(url)
                .json(&json!({ "reason": reason }))
                .send()
                .await
                .unwrap()
        }
    };
    let open_id = open["id"].as_str().unwrap().to_string();
    let resp = waive(open_id.clone(), "  ").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(waive("no-such-clawback".into(), "typo").await.status(), 404);
    assert_eq!(
        waive(open_id.clone(), "goodwill: long-time partner")
            .await
            .status(),
        204
    );
    let again = waive(open_id.clone(), "twice").await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"],
        "clawback_not_open"
    );
    let audit: Value = get_json(&admin, &server, "/api/admin/audit?action=waive_clawback").await;
    let entries = audit
        .as_array()
        .or_else(|| audit["rows"].as_array())
        .unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert!(
        entries[0]
            .to_string()
            .contains("goodwill: long-time partner"),
        "{audit}"
    );
    assert!(entries[0].to_string().contains(&open_id), "{audit}");
    let waived = clawbacks(&admin, &server)
        .await
        .into_iter()
        .find(|c| c["id"] == open_id.as_str())
        .unwrap();
    assert_eq!(
        (waived["status"].as_str(), waived["leftWei"].as_str()),
        (Some("waived"), Some("0"))
    );

    // Minted − clawed back = kept: what the chain paid is what was earned less what was netted.
    let (earned, netted): (String, String) = sqlx::query_as(
        "SELECT sum((data->>'amountWei')::numeric + COALESCE((data->>'nettedWei')::numeric, 0))::text,
                (SELECT sum(amount_wei) FROM clawback_nettings)::text
         FROM referral_rewards WHERE data->>'status' IN ('minted', 'netted')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let (earned, netted): (U256, U256) = (earned.parse().unwrap(), netted.parse().unwrap());
    assert_eq!(earned, one * U256::from(4));
    assert_eq!(chain.balance(WALLET_A).await, earned - netted);
    assert!(chain.drift(&pool).await.is_empty());
    server.stop().await;
}

#[sqlx::test]
async fn a_netted_reward_voided_before_its_mint_gives_the_netting_back(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let paid_out = approved(&pool, "PAID-OUT", 1, WALLET_A, 3 * ONE).await;
    assert_eq!(cron(&server).await.1["minted"], 1);
    let reward_id = id_of(&pool, &paid_out[0]).await;
    sqlx::query(
        "INSERT INTO clawbacks (id, reward_id, referrer_user_id, order_reference, amount_wei)
         VALUES ('cb-1', $1, 'referrer', $2, $3::text::numeric)",
    )
    .bind(&reward_id)
    .bind(&paid_out[0])
    .bind((3 * ONE).to_string())
    .execute(&pool)
    .await
    .unwrap();

    // Netted at its first claim, then held by a paused contract: it waits approved with the smaller amount.
    let next = approved(&pool, "NEXT", 1, WALLET_A, 5 * ONE).await;
    chain.set_paused(true).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 0, "{summary}");
    let reward = &rewards_of(&pool, &next[0]).await[0];
    assert_eq!(
        (
            reward["status"].as_str(),
            reward["amountWei"].as_str(),
            reward["nettedWei"].as_str()
        ),
        (
            Some("approved"),
            Some((2 * ONE).to_string().as_str()),
            Some((3 * ONE).to_string().as_str())
        )
    );

    // Voided before it was minted: the clawback is owed again and the reward whole again.
    let mut tx = pool.begin().await.unwrap();
    let ids = [id_of(&pool, &next[0]).await];
    let moved = db::rewards::move_status(&mut tx, &ids, &voided_by_a_refund())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(moved.len(), 1);
    let reward = &rewards_of(&pool, &next[0]).await[0];
    assert_eq!(
        (reward["amountWei"].as_str(), reward["nettedWei"].as_str()),
        (Some((5 * ONE).to_string().as_str()), Some("0"))
    );
    let left: String = sqlx::query_scalar(
        "SELECT (c.amount_wei - COALESCE((SELECT sum(amount_wei) FROM clawback_nettings n WHERE n.clawback_id = c.id), 0))::text
         FROM clawbacks c WHERE id = 'cb-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (3 * ONE).to_string());

    // A reward claimed before (it may ride on a transaction still out there) is never netted: it mints whole.
    let retried = approved(&pool, "RETRIED", 1, WALLET_B, 4 * ONE).await;
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"attempts\": 1, \"referrerUserId\": \"referrer\"}' WHERE data->>'orderReference' = $1")
        .bind(&retried[0])
        .execute(&pool)
        .await
        .unwrap();
    chain.set_paused(false).await;
    let (_, summary) = cron(&server).await;
    assert_eq!(summary["minted"], 1, "{summary}");
    assert_eq!(chain.balance(WALLET_B).await, wei(4 * ONE));
    server.stop().await;
}

#[sqlx::test]
async fn a_void_waiting_on_a_netting_gives_that_netting_back(pool: PgPool) {
    let paid_out = approved(&pool, "PAID", 1, WALLET_A, 3 * ONE).await;
    let next = approved(&pool, "NEXT", 1, WALLET_A, 5 * ONE).await;
    let (paid_id, next_id) = (
        id_of(&pool, &paid_out[0]).await,
        id_of(&pool, &next[0]).await,
    );
    sqlx::query(
        "UPDATE referral_rewards SET data = data || '{\"status\": \"minted\"}' WHERE id = $1",
    )
    .bind(&paid_id)
    .execute(&pool)
    .await
    .unwrap();
    assert!(db::clawbacks::record(&pool, "cb-1", &paid_id)
        .await
        .unwrap());
    sqlx::query(
        "UPDATE referral_rewards SET data = data || '{\"mintBatch\": \"b-1\"}' WHERE id = $1",
    )
    .bind(&next_id)
    .execute(&pool)
    .await
    .unwrap();

    // The netting transaction holds the reward while a refund's void waits for it, then commits.
    let mut netting = pool.begin().await.unwrap();
    let amount = (3 * ONE).to_string();
    assert!(db::rewards::net(&mut *netting, &next_id, "b-1", &amount)
        .await
        .unwrap());
    db::clawbacks::add_netting(&mut *netting, "cb-1", &next_id, &amount)
        .await
        .unwrap();
    let void = tokio::spawn({
        let (pool, ids) = (pool.clone(), vec![next_id.clone()]);
        async move {
            let mut conn = pool.acquire().await.unwrap();
            db::rewards::move_status(&mut conn, &ids, &voided_by_a_refund())
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !void.is_finished(),
        "the void waits for the netting's row lock"
    );
    netting.commit().await.unwrap();
    assert_eq!(void.await.unwrap().len(), 1);

    let reward = &rewards_of(&pool, &next[0]).await[0];
    assert_eq!(
        (
            reward["status"].as_str(),
            reward["amountWei"].as_str(),
            reward["nettedWei"].as_str()
        ),
        (
            Some("voided"),
            Some((5 * ONE).to_string().as_str()),
            Some("0")
        )
    );
    let nettings: i64 = sqlx::query_scalar("SELECT count(*) FROM clawback_nettings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(nettings, 0, "the clawback is owed again in full");
}

#[sqlx::test]
async fn a_zero_amount_reward_fails_instead_of_looping(pool: PgPool) {
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &[]).await;
    let zero = approved(&pool, "ZERO", 1, WALLET_A, 0).await;
    let (status, summary) = tokio::time::timeout(Duration::from_secs(30), cron(&server))
        .await
        .expect("the run ends");
    assert_eq!(
        (status, summary["failed"].as_u64()),
        (200, Some(1)),
        "{summary}"
    );
    assert_eq!(rewards_of(&pool, &zero[0]).await[0]["status"], "failed");
    server.stop().await;
}
