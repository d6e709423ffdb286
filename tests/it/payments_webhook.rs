//! The card webhook (WayForPay serviceUrl) against a real PostgreSQL: signatures, idempotency under
//! concurrency, declines, refunds, and the reward the paid order creates.
use crate::common;
use common::*;
use serde_json::Value;
use sqlx::PgPool;

const ESPRESSO: &str = "coffee-espresso-blend";

/// A referred buyer's order for 2 × espresso (840.00 UAH); returns (reference, referrer id).
async fn attributed_order(server: &TestServer) -> (String, String) {
    let (_, referrer_id) = referrer(server, "ref@example.com", "FRIEND-1", WALLET_A).await;
    let (buyer, _) = referred_buyer(server, "FRIEND-1", "buyer@example.com").await;
    let created = order(&buyer, server, ESPRESSO, 2).await;
    assert_eq!(created["amount"], 84_000);
    assert_eq!(created["referral"]["referralCode"], "FRIEND-1");
    assert_eq!(created["referral"]["referrerUserId"], referrer_id.as_str());
    (
        created["orderReference"].as_str().unwrap().to_string(),
        referrer_id,
    )
}

async fn count(pool: &PgPool, sql: &str, reference: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(reference)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_hundred_identical_approvals_pay_once(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, referrer_id) = attributed_order(&server).await;
    let before = stock(&pool, ESPRESSO).await;

    let body = notification(MERCHANT_KEY, MERCHANT, &reference, "840.00", "Approved");
    let deliveries = (0..100).map(|_| deliver(&server, body.clone()));
    let answers = futures::future::join_all(deliveries).await;
    for resp in answers {
        assert_eq!(resp.status(), 200);
        let answer: Value = resp.json().await.unwrap();
        assert_eq!(answer["status"], "accept");
        assert_eq!(answer["orderReference"], reference.as_str());
        let time = answer["time"].as_i64().unwrap().to_string();
        let expected = refcodes::server::payments::wayforpay::sign(
            MERCHANT_KEY,
            &[&reference, "accept", &time],
        );
        assert_eq!(answer["signature"], expected.as_str());
    }

    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(
        stock(&pool, ESPRESSO).await,
        before - 2,
        "stock deducted once"
    );
    let settlements = refcodes::server::db::settlements::net_for_order(&pool, &reference)
        .await
        .unwrap();
    assert_eq!(
        settlements,
        vec![("vendor-kyiv-roasters".to_string(), 84_000, 1)]
    );
    let verdicts = refcodes::server::db::payment_events::verdicts(&pool, &reference)
        .await
        .unwrap();
    assert_eq!(
        verdicts,
        vec![("accepted".to_string(), 1), ("duplicate".to_string(), 99)]
    );
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards.len(), 1);
    let r = &rewards[0];
    assert_eq!(r["status"], "pending", "card rewards wait for an admin");
    assert_eq!(r["rail"], "fiat");
    assert_eq!(r["referrerUserId"], referrer_id.as_str());
    assert_eq!(r["referrerWallet"], WALLET_A);
    assert_eq!(r["attributedVia"], "link");
    assert_eq!(r["fiatAmount"], 4200, "5 % of 840.00 UAH");
    // 42.00 UAH at the default fixed price of 40.00 UAH per token = 1.05 tokens.
    assert_eq!(r["amountWei"], "1050000000000000000");
    assert_eq!(r["oracle"]["source"], "fixed");
    server.stop().await;
}

#[sqlx::test]
async fn forged_foreign_or_mismatched_notifications_change_nothing(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    let before = stock(&pool, ESPRESSO).await;
    let cases = [
        (
            notification("wrong key", MERCHANT, &reference, "840.00", "Approved"),
            "bad_signature",
        ),
        (
            notification(
                MERCHANT_KEY,
                "someone_else",
                &reference,
                "840.00",
                "Approved",
            ),
            "wrong_merchant",
        ),
        (
            notification(MERCHANT_KEY, MERCHANT, &reference, "8.40", "Approved"),
            "amount_mismatch",
        ),
        (
            notification(MERCHANT_KEY, MERCHANT, &reference, "840.001", "Approved"),
            "amount_mismatch",
        ),
        (
            notification(MERCHANT_KEY, MERCHANT, "RC-NOPE", "840.00", "Approved"),
            "unknown_order",
        ),
        ("{not json".to_string(), "bad_request"),
    ];
    for (body, code) in cases {
        let resp = deliver(&server, body).await;
        let (status, error) = json_error(resp).await;
        assert!((400..500).contains(&status), "{code}: {status}");
        assert_eq!(error, code);
    }
    // A valid signature over other values than the body carries is a forgery too.
    let tampered = notification(MERCHANT_KEY, MERCHANT, &reference, "840.00", "Approved")
        .replace("Approved", "Refunded");
    let (_, error) = json_error(deliver(&server, tampered).await).await;
    assert_eq!(error, "bad_signature");

    assert_eq!(order_status(&pool, &reference).await, "created");
    assert_eq!(stock(&pool, ESPRESSO).await, before);
    assert!(rewards_of(&pool, &reference).await.is_empty());
    let sql = "SELECT count(*) FROM payment_events WHERE data->>'orderReference' = $1 AND data->>'verdict' = 'rejected'";
    assert_eq!(
        count(&pool, sql, &reference).await,
        5,
        "every rejected delivery is stored"
    );
    let sql = "SELECT count(*) FROM settlements WHERE data->>'orderReference' = $1";
    assert_eq!(count(&pool, sql, &reference).await, 0);
    server.stop().await;
}

#[sqlx::test]
async fn a_decline_fails_the_order_and_a_later_approval_still_pays(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    notify(&server, &reference, "840", "Declined").await;
    assert_eq!(order_status(&pool, &reference).await, "failed");
    assert!(rewards_of(&pool, &reference).await.is_empty());
    notify(&server, &reference, "840.0", "Approved").await;
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(rewards_of(&pool, &reference).await.len(), 1);
    server.stop().await;
}

#[sqlx::test]
async fn a_refund_before_approval_changes_nothing(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    let before = stock(&pool, ESPRESSO).await;
    notify(&server, &reference, "840.00", "Refunded").await;
    assert_eq!(order_status(&pool, &reference).await, "created");
    assert_eq!(stock(&pool, ESPRESSO).await, before);
    let sql = "SELECT count(*) FROM settlements WHERE data->>'orderReference' = $1";
    assert_eq!(count(&pool, sql, &reference).await, 0);
    server.stop().await;
}

#[sqlx::test]
async fn a_refund_after_approval_reverses_stock_settlements_and_the_reward(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    let before = stock(&pool, ESPRESSO).await;
    notify(&server, &reference, "840.00", "Approved").await;
    assert_eq!(stock(&pool, ESPRESSO).await, before - 2);
    for _ in 0..3 {
        notify(&server, &reference, "840.00", "Refunded").await;
    }
    assert_eq!(order_status(&pool, &reference).await, "refunded");
    assert_eq!(stock(&pool, ESPRESSO).await, before, "restocked once");
    let settlements = refcodes::server::db::settlements::net_for_order(&pool, &reference)
        .await
        .unwrap();
    assert_eq!(
        settlements,
        vec![("vendor-kyiv-roasters".to_string(), 0, 2)]
    );
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards[0]["status"], "voided");
    assert_eq!(rewards[0]["voidedReason"], "order refunded");
    server.stop().await;
}

#[sqlx::test]
async fn a_refund_of_a_minted_reward_records_a_clawback_once(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    notify(&server, &reference, "840.00", "Approved").await;
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"status\": \"minted\", \"txHash\": \"0xabc\"}'")
        .execute(&pool)
        .await
        .unwrap();
    notify(&server, &reference, "840.00", "Refunded").await;
    notify(&server, &reference, "840.00", "Refunded").await;
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards[0]["status"], "minted");
    assert_eq!(
        clawback_of(&pool, &reference).await,
        Some(rewards[0]["amountWei"].as_str().unwrap().to_string())
    );
    server.stop().await;
}

/// The amount of the clawback recorded for `reference`'s reward, if any.
async fn clawback_of(pool: &PgPool, reference: &str) -> Option<String> {
    let amounts: Vec<String> =
        sqlx::query_scalar("SELECT amount_wei::text FROM clawbacks WHERE order_reference = $1")
            .bind(reference)
            .fetch_all(pool)
            .await
            .unwrap();
    assert!(amounts.len() <= 1, "one clawback per reward: {amounts:?}");
    amounts.into_iter().next()
}

#[sqlx::test]
async fn an_oversized_body_is_refused_unread_and_a_rejected_one_is_kept_only_as_a_summary(
    pool: PgPool,
) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    let events = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM payment_events")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let signed = notification(MERCHANT_KEY, MERCHANT, &reference, "840.00", "Approved");
    let padded = format!("{}{}", signed, " ".repeat(2 * 1024 * 1024));
    let (status, code) = json_error(deliver(&server, padded).await).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
    assert_eq!(events(pool.clone()).await, 0, "nothing stored");
    assert_eq!(order_status(&pool, &reference).await, "created");

    let junk = notification("not-the-key", MERCHANT, &reference, "840.00", "Approved")
        + &" ".repeat(12 * 1024);
    let (status, _) = json_error(deliver(&server, junk.clone()).await).await;
    assert_eq!(status, 400);
    let stored: Value = sqlx::query_scalar("SELECT data FROM payment_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.get("rawBody").is_none(), "{stored}");
    assert_eq!(stored["rawBodySize"], junk.len());
    assert_eq!(
        stored["rawBodyPrefix"].as_str().unwrap().chars().count(),
        256
    );
    assert_eq!(stored["rawBodySha256"].as_str().unwrap().len(), 64);

    notify(&server, &reference, "840.00", "Approved").await;
    let kept: Value =
        sqlx::query_scalar("SELECT data FROM payment_events WHERE data->>'verdict' = 'accepted'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        kept["rawBody"].as_str().is_some(),
        "a signed delivery keeps its body"
    );
    server.stop().await;
}

#[sqlx::test]
async fn retention_removes_what_is_past_its_time_and_nothing_else(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (reference, _) = attributed_order(&server).await;
    for key in ["wrong-key-1", "wrong-key-2"] {
        let body = notification(key, MERCHANT, &reference, "840.00", "Approved");
        assert_eq!(deliver(&server, body).await.status(), 400);
    }
    notify(&server, &reference, "840.00", "Approved").await;
    sqlx::query(
        "UPDATE payment_events SET created_at = now() - interval '31 days'
         WHERE id = (SELECT id FROM payment_events WHERE data->>'verdict' = 'rejected' LIMIT 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE payment_events SET created_at = now() - interval '400 days' WHERE data->>'verdict' = 'accepted'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO login_failures (email, created_at) VALUES ('a@x.com', now() - interval '2 days'), ('a@x.com', now())")
        .execute(&pool)
        .await
        .unwrap();
    let purged = refcodes::server::platform::retention::purge(&pool, 30)
        .await
        .unwrap();
    assert_eq!((purged.rejected_events, purged.login_failures), (1, 1));
    let left: Vec<(String, i64)> = sqlx::query_as(
        "SELECT data->>'verdict', count(*) FROM payment_events GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        left,
        [("accepted".to_string(), 1), ("rejected".to_string(), 1)]
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_failed_reward_step_leaves_the_payment_standing_and_the_sweeper_writes_the_reward(
    pool: PgPool,
) {
    use refcodes::server::rewards::sweep::{sweep, Swept};
    let server = shop(pool.clone(), &[]).await;
    let (reference, referrer_id) = attributed_order(&server).await;
    let before = stock(&pool, ESPRESSO).await;

    break_reward_inserts(&pool).await;
    for _ in 0..2 {
        let resp = pay_event(&server, &reference, "840.00", "Approved").await;
        assert_eq!(resp.status(), 200, "the payment is accepted");
    }
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(stock(&pool, ESPRESSO).await, before - 2);
    assert!(rewards_of(&pool, &reference).await.is_empty());
    assert_eq!(reward_outcome(&pool, &reference).await, None, "undecided");

    heal_reward_inserts(&pool).await;
    let ledger = default_ledger();
    let swept = sweep(&pool, &ledger).await.unwrap();
    let expected = Swept {
        decided: 1,
        created: 1,
        ..Swept::default()
    };
    assert_eq!(swept, expected);
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards.len(), 1);
    assert_eq!(rewards[0]["status"], "pending");
    assert_eq!(rewards[0]["referrerUserId"], referrer_id.as_str());
    assert_eq!(
        reward_outcome(&pool, &reference).await.as_deref(),
        Some("created")
    );
    assert_eq!(
        sweep(&pool, &ledger).await.unwrap(),
        Swept::default(),
        "nothing left"
    );
    server.stop().await;
}

#[sqlx::test]
async fn the_sweeper_voids_or_claws_back_a_reward_left_live_on_a_refunded_order(pool: PgPool) {
    use refcodes::server::rewards::sweep::{sweep, Swept};
    let server = shop(pool.clone(), &[]).await;
    let (pending, _) = attributed_order(&server).await;
    let (buyer, _) = referred_buyer(&server, "FRIEND-1", "second@example.com").await;
    let minted = ordered(&buyer, &server, ESPRESSO, 1).await;
    notify(&server, &pending, "840.00", "Approved").await;
    notify(&server, &minted, "420.00", "Approved").await;
    // What a refund recorded without its void leaves behind (the ledger before it shared the refund's transaction).
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"status\": \"minted\", \"txHash\": \"0xabc\"}' WHERE data->>'orderReference' = $1")
        .bind(&minted)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orders SET data = data || '{\"status\": \"refunded\"}'")
        .execute(&pool)
        .await
        .unwrap();

    let swept = sweep(&pool, &default_ledger()).await.unwrap();
    let expected = Swept {
        voided: 1,
        clawbacks: 1,
        ..Swept::default()
    };
    assert_eq!(swept, expected);
    assert_eq!(rewards_of(&pool, &pending).await[0]["status"], "voided");
    let on_chain = &rewards_of(&pool, &minted).await[0];
    assert_eq!(on_chain["status"], "minted");
    assert_eq!(
        clawback_of(&pool, &minted).await.as_deref(),
        on_chain["amountWei"].as_str()
    );
    assert_eq!(
        sweep(&pool, &default_ledger()).await.unwrap(),
        Swept::default()
    );
    server.stop().await;
}

#[sqlx::test]
async fn approvals_and_refunds_racing_never_leave_a_live_reward_on_a_refunded_order(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    referrer(&server, "ref@example.com", "RACE", WALLET_A).await;
    let before = stock(&pool, ESPRESSO).await;
    let mut paid = 0;
    for round in 0..20 {
        let (buyer, _) = referred_buyer(&server, "RACE", &format!("b{round}@example.com")).await;
        let reference = ordered(&buyer, &server, ESPRESSO, 1).await;
        let deliveries = ["Approved", "Refunded", "Approved", "Refunded"]
            .map(|status| pay_event(&server, &reference, "420.00", status));
        for resp in futures::future::join_all(deliveries).await {
            assert_eq!(resp.status(), 200);
        }
        let rewards = rewards_of(&pool, &reference).await;
        assert_eq!(
            rewards.len(),
            1,
            "round {round}: the paid order was decided once"
        );
        match order_status(&pool, &reference).await.as_str() {
            "refunded" => assert_eq!(rewards[0]["status"], "voided", "round {round}"),
            "paid" => {
                paid += 1;
                assert_eq!(rewards[0]["status"], "pending", "round {round}");
            }
            other => panic!("round {round}: order {other}"),
        }
    }
    assert_eq!(
        stock(&pool, ESPRESSO).await,
        before - paid,
        "stock follows the orders"
    );
    server.stop().await;
}
