//! Credit payments (crypto rail, auto-approved rewards) and membership upgrades paid through the webhook.
use crate::common;
use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const ESPRESSO: &str = "coffee-espresso-blend";
const SOCKS: &str = "wool-socks";

async fn grant(pool: &PgPool, user_id: &str, amount: i64) {
    refcodes::server::db::credit::grant(pool, user_id, amount, "UAH", "test")
        .await
        .unwrap();
}

async fn pay_credit(
    http: &reqwest::Client,
    server: &TestServer,
    reference: &str,
) -> reqwest::Response {
    http.post(server.url("/api/store/payments/credit"))
        .json(&json!({"orderReference": reference}))
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn credit_pays_and_the_reward_is_approved_at_once(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    referrer(&server, "r@example.com", "CRYPTO", WALLET_A).await;
    let (buyer, buyer_id) = referred_buyer(&server, "CRYPTO", "b@example.com").await;
    grant(&pool, &buyer_id, 100_000).await;
    let before = stock(&pool, ESPRESSO).await;
    let reference = ordered(&buyer, &server, ESPRESSO, 1).await;

    let resp = pay_credit(&buyer, &server, &reference).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"status": "paid"})
    );
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(credit_balance(&pool, &buyer_id).await, 100_000 - 42_000);
    assert_eq!(stock(&pool, ESPRESSO).await, before - 1);
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards.len(), 1);
    assert_eq!(rewards[0]["status"], "approved");
    assert_eq!(rewards[0]["approvedBy"], "auto");
    assert_eq!(rewards[0]["rail"], "crypto");

    // Paying again is a clear error and charges nothing.
    let (status, code) = json_error(pay_credit(&buyer, &server, &reference).await).await;
    assert_eq!((status, code.as_str()), (409, "order_not_payable"));
    assert_eq!(credit_balance(&pool, &buyer_id).await, 58_000);
    server.stop().await;
}

#[sqlx::test]
async fn insufficient_credit_changes_nothing(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let buyer = client();
    let buyer_id = member(&buyer, &server, "poor@example.com").await;
    grant(&pool, &buyer_id, 1_000).await;
    let reference = ordered(&buyer, &server, ESPRESSO, 1).await;
    let before = stock(&pool, ESPRESSO).await;
    let resp = pay_credit(&buyer, &server, &reference).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_credit");
    assert!(
        body["message"].as_str().unwrap().contains("10.00 UAH"),
        "{body}"
    );
    assert_eq!(order_status(&pool, &reference).await, "created");
    assert_eq!(credit_balance(&pool, &buyer_id).await, 1_000);
    assert_eq!(stock(&pool, ESPRESSO).await, before);

    // Someone else's order is as good as missing.
    let other = client();
    member(&other, &server, "other@example.com").await;
    let (status, code) = json_error(pay_credit(&other, &server, &reference).await).await;
    assert_eq!((status, code.as_str()), (404, "unknown_order"));
    server.stop().await;
}

#[sqlx::test]
async fn racing_payments_never_overdraw_one_balance(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let buyer = client();
    let buyer_id = member(&buyer, &server, "racer@example.com").await;
    // Enough for one pair of socks (380.00), not two.
    grant(&pool, &buyer_id, 50_000).await;
    let mut references = Vec::new();
    for _ in 0..6 {
        references.push(ordered(&buyer, &server, SOCKS, 1).await);
    }
    let payments = references.iter().map(|r| pay_credit(&buyer, &server, r));
    let statuses: Vec<u16> = futures::future::join_all(payments)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(credit_balance(&pool, &buyer_id).await, 50_000 - 38_000);
    let paid: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE data->>'status' = 'paid'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(paid, 1);
    server.stop().await;
}

#[sqlx::test]
async fn a_membership_upgrade_paid_by_card_rewards_the_signup_referrer(pool: PgPool) {
    let server = shop(pool.clone(), &[("MEMBERSHIP_REWARD_BPS", "2000")]).await;
    let (_, referrer_id) = referrer(&server, "r@example.com", "CLUB", WALLET_B).await;
    let (member_http, member_id) = referred_buyer(&server, "CLUB", "m@example.com").await;

    let resp = member_http
        .post(server.url("/api/membership/orders"))
        .json(&json!({"tier": "gold"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (400, "unknown_tier".into()));
    let resp = member_http
        .post(server.url("/api/membership/orders"))
        .json(&json!({"tier": "plus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(
        (created["amount"].as_i64(), created["currency"].as_str()),
        (Some(19_900), Some("UAH"))
    );
    let reference = created["orderReference"].as_str().unwrap().to_string();

    notify(&server, &reference, "199.00", "Approved").await;
    let me: Value = member_http
        .get(server.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["membership"], "plus");
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards.len(), 1);
    let r = &rewards[0];
    assert_eq!(
        (r["kind"].as_str(), r["status"].as_str()),
        (Some("membership"), Some("pending"))
    );
    assert_eq!(r["referrerUserId"], referrer_id.as_str());
    assert_eq!(r["referrerWallet"], WALLET_B);
    assert_eq!(r["attributedVia"], "signup");
    assert_eq!(
        (r["fiatAmount"].as_i64(), r["rateBps"].as_i64()),
        (Some(3_980), Some(2000))
    );
    assert_eq!(r["buyerUserId"], member_id.as_str());

    // The same tier again is not an upgrade; a refund restores the free tier.
    let resp = member_http
        .post(server.url("/api/membership/orders"))
        .json(&json!({"tier": "plus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (409, "not_an_upgrade".into()));
    notify(&server, &reference, "199.00", "Refunded").await;
    let me: Value = member_http
        .get(server.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["membership"], Value::Null);
    assert_eq!(rewards_of(&pool, &reference).await[0]["status"], "voided");
    server.stop().await;
}

#[sqlx::test]
async fn a_member_without_a_referrer_upgrades_without_a_reward(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let http = client();
    let id = member(&http, &server, "solo@example.com").await;
    grant(&pool, &id, 100_000).await;
    let created: Value = http
        .post(server.url("/api/membership/orders"))
        .json(&json!({"tier": "pro"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reference = created["orderReference"].as_str().unwrap();
    assert_eq!(pay_credit(&http, &server, reference).await.status(), 200);
    let me: Value = http
        .get(server.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["membership"], "pro");
    assert!(rewards_of(&pool, reference).await.is_empty());
    server.stop().await;
}

#[sqlx::test]
async fn only_admins_grant_credit(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let plain = client();
    let plain_id = member(&plain, &server, "plain@example.com").await;
    let body = json!({"userId": plain_id, "amount": "250.00"});
    let resp = post_grant(&plain, &server, &body).await;
    assert_eq!(json_error(resp).await, (403, "forbidden".into()));
    let resp = post_grant(&client(), &server, &body).await;
    assert_eq!(json_error(resp).await, (401, "unauthorized".into()));
    let resp = post_grant(&admin, &server, &body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(credit_balance(&pool, &plain_id).await, 25_000);
    for bad in ["0", "-5", "1.234", "abc"] {
        let resp = post_grant(&admin, &server, &json!({"userId": plain_id, "amount": bad})).await;
        assert_eq!(
            json_error(resp).await,
            (400, "invalid_amount".into()),
            "{bad}"
        );
    }
    // The admin page's way: by email (any case, spaces around); both or neither of userId and email is an error.
    let resp = post_grant(
        &admin,
        &server,
        &json!({"email": " Plain@Example.com ", "amount": "1.50"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let granted: Value = resp.json().await.unwrap();
    assert_eq!(granted["userId"], plain_id.as_str());
    assert_eq!(credit_balance(&pool, &plain_id).await, 25_150);
    for ambiguous in [
        json!({"userId": plain_id, "email": "plain@example.com", "amount": "1.00"}),
        json!({"amount": "1.00"}),
    ] {
        let resp = post_grant(&admin, &server, &ambiguous).await;
        assert_eq!(json_error(resp).await, (400, "bad_request".into()));
    }
    let resp = post_grant(
        &admin,
        &server,
        &json!({"email": "nobody@example.com", "amount": "1.00"}),
    )
    .await;
    assert_eq!(json_error(resp).await, (404, "unknown_user".into()));
    assert_eq!(credit_balance(&pool, &plain_id).await, 25_150);
    server.stop().await;
}

async fn post_grant(
    http: &reqwest::Client,
    server: &TestServer,
    body: &Value,
) -> reqwest::Response {
    let url = server.url("/api/admin/credit-grants");
    http.post(url).json(body).send().await.unwrap()
}

#[sqlx::test]
async fn a_credit_payment_whose_reward_step_failed_gets_its_reward_at_the_next_start(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    referrer(&server, "r@example.com", "CRYPTO", WALLET_A).await;
    let (buyer, buyer_id) = referred_buyer(&server, "CRYPTO", "b@example.com").await;
    grant(&pool, &buyer_id, 100_000).await;
    let reference = ordered(&buyer, &server, ESPRESSO, 1).await;

    break_reward_inserts(&pool).await;
    assert_eq!(pay_credit(&buyer, &server, &reference).await.status(), 200);
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(credit_balance(&pool, &buyer_id).await, 58_000);
    assert!(rewards_of(&pool, &reference).await.is_empty());
    heal_reward_inserts(&pool).await;
    server.stop().await;

    let restarted = shop(pool.clone(), &[]).await;
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(rewards.len(), 1, "the start-up sweep wrote it");
    assert_eq!(
        (rewards[0]["status"].as_str(), rewards[0]["rail"].as_str()),
        (Some("approved"), Some("crypto"))
    );
    assert_eq!(
        reward_outcome(&pool, &reference).await.as_deref(),
        Some("created")
    );
    restarted.stop().await;
}

/// Asks for an upgrade to `tier`; returns the order's reference.
async fn upgrade_order(http: &reqwest::Client, server: &TestServer, tier: &str) -> String {
    let resp = http
        .post(server.url("/api/membership/orders"))
        .json(&json!({ "tier": tier }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "upgrade to {tier}");
    let created: Value = resp.json().await.unwrap();
    created["orderReference"].as_str().unwrap().to_string()
}

async fn tier_of(http: &reqwest::Client, server: &TestServer) -> Value {
    let me: Value = get_json(http, server, "/api/me").await;
    me["membership"].clone()
}

async fn order_field(pool: &PgPool, reference: &str, field: &str) -> Value {
    sqlx::query_scalar::<_, Option<Value>>(
        "SELECT data->$2 FROM orders WHERE data->>'orderReference' = $1",
    )
    .bind(reference)
    .bind(field)
    .fetch_one(pool)
    .await
    .unwrap()
    .unwrap_or(Value::Null)
}

#[sqlx::test]
async fn a_membership_is_paid_for_once_and_rewarded_once_per_tier(pool: PgPool) {
    let server = shop(pool.clone(), &[("MEMBERSHIP_REWARD_BPS", "2000")]).await;
    referrer(&server, "r@example.com", "CLUB", WALLET_B).await;
    let (member, _) = referred_buyer(&server, "CLUB", "m@example.com").await;

    // One upgrade waits for payment at most: the same tier twice (even at once) is one order, another replaces it.
    let (a, b) = tokio::join!(
        upgrade_order(&member, &server, "pro"),
        upgrade_order(&member, &server, "pro")
    );
    assert_eq!(a, b);
    let pro = a;
    let plus = upgrade_order(&member, &server, "plus").await;
    assert_ne!(plus, pro);
    assert_eq!(order_status(&pool, &pro).await, "failed");
    assert_eq!(order_field(&pool, &pro, "replacedBy").await, plus.as_str());

    // Both are paid on the provider's page anyway: the later one is no upgrade any more.
    notify(&server, &pro, "499.00", "Approved").await;
    notify(&server, &plus, "199.00", "Approved").await;
    assert_eq!(
        tier_of(&member, &server).await,
        "pro",
        "paying plus does not downgrade"
    );
    assert_eq!(order_field(&pool, &plus, "toRefund").await, "notAnUpgrade");
    assert_eq!(
        reward_outcome(&pool, &plus).await.as_deref(),
        Some("notAnUpgrade")
    );
    assert!(rewards_of(&pool, &plus).await.is_empty());
    assert_eq!(rewards_of(&pool, &pro).await.len(), 1);

    // Refunded and bought again: the referrer earned for "pro" already.
    notify(&server, &pro, "499.00", "Refunded").await;
    assert_eq!(tier_of(&member, &server).await, Value::Null);
    assert_eq!(rewards_of(&pool, &pro).await[0]["status"], "voided");
    let again = upgrade_order(&member, &server, "pro").await;
    notify(&server, &again, "499.00", "Approved").await;
    assert_eq!(tier_of(&member, &server).await, "pro");
    assert!(rewards_of(&pool, &again).await.is_empty());
    assert_eq!(
        reward_outcome(&pool, &again).await.as_deref(),
        Some("tierRewarded")
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_refund_leaves_the_highest_upgrade_still_standing(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let member_http = client();
    member(&member_http, &server, "m@example.com").await;
    let plus = upgrade_order(&member_http, &server, "plus").await;
    notify(&server, &plus, "199.00", "Approved").await;
    let pro = upgrade_order(&member_http, &server, "pro").await;
    notify(&server, &pro, "499.00", "Approved").await;

    notify(&server, &plus, "199.00", "Refunded").await;
    assert_eq!(
        tier_of(&member_http, &server).await,
        "pro",
        "the older refund keeps pro"
    );
    notify(&server, &pro, "499.00", "Refunded").await;
    assert_eq!(tier_of(&member_http, &server).await, Value::Null);
    server.stop().await;
}

#[sqlx::test]
async fn a_membership_upgrade_is_not_a_first_store_purchase(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    referrer(&server, "r@example.com", "FIRST", WALLET_A).await;
    let (buyer, _) = referred_buyer(&server, "FIRST", "b@example.com").await;
    let plus = upgrade_order(&buyer, &server, "plus").await;
    notify(&server, &plus, "199.00", "Approved").await;

    let created = order(&buyer, &server, ESPRESSO, 1).await;
    assert_eq!(created["referral"]["referralCode"], "FIRST");
    let reference = created["orderReference"].as_str().unwrap();
    notify(&server, reference, "420.00", "Approved").await;
    let rewards = rewards_of(&pool, reference).await;
    assert_eq!(
        (rewards.len(), rewards[0]["kind"].as_str()),
        (1, Some("store"))
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_card_payment_for_an_order_paid_with_credit_is_listed_to_refund(pool: PgPool) {
    use refcodes::api::admin::LoadOrdersToRefund;
    let server = shop(pool.clone(), &[]).await;
    let http = client();
    let buyer_id = member(&http, &server, "twice@example.com").await;
    grant(&pool, &buyer_id, 100_000).await;
    let reference = ordered(&http, &server, ESPRESSO, 1).await;
    assert_eq!(pay_credit(&http, &server, &reference).await.status(), 200);

    let card = pay_event(&server, &reference, "420.00", "Approved").await;
    assert_eq!(
        card.status(),
        200,
        "the provider's notification is accepted"
    );
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(order_field(&pool, &reference, "rail").await, "crypto");
    assert_eq!(
        order_field(&pool, &reference, "toRefund").await,
        "paidTwice"
    );
    assert_eq!(
        credit_balance(&pool, &buyer_id).await,
        58_000,
        "charged once by credit"
    );

    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let (status, body) = call_server_fn(&admin, &server, &LoadOrdersToRefund {}).await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(listed.len(), 1, "{body}");
    assert_eq!(
        (
            listed[0]["orderReference"].as_str(),
            listed[0]["reason"].as_str()
        ),
        (Some(reference.as_str()), Some("paidTwice"))
    );
    assert_eq!(listed[0]["buyerEmail"], "twice@example.com");
    let (status, _) = call_server_fn(&http, &server, &LoadOrdersToRefund {}).await;
    assert_eq!(status, 403, "members do not see it");
    let page = admin
        .get(server.url("/uk/admin/refcodes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("оплачено двічі"),
        "listed on the admin page, translated"
    );

    // The admin refunds the card at the provider: its notification clears the mark and leaves the order alone.
    let card_refund = pay_event(&server, &reference, "420.00", "Refunded").await;
    assert_eq!(card_refund.status(), 200);
    assert_eq!(order_status(&pool, &reference).await, "paid");
    assert_eq!(credit_balance(&pool, &buyer_id).await, 58_000);
    assert_eq!(
        order_field(&pool, &reference, "toRefund").await,
        Value::Null
    );
    assert!(order_field(&pool, &reference, "cardRefundedAt")
        .await
        .is_string());
    let (_, body) = call_server_fn(&admin, &server, &LoadOrdersToRefund {}).await;
    assert_eq!(body, "[]");
    server.stop().await;
}

#[sqlx::test]
async fn an_admin_refunds_a_credit_paid_order_and_everything_moves_back_once(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    referrer(&server, "r@example.com", "CREDIT-BACK", WALLET_A).await;
    let (buyer, buyer_id) = referred_buyer(&server, "CREDIT-BACK", "b@example.com").await;
    grant(&pool, &buyer_id, 100_000).await;
    let before = stock(&pool, ESPRESSO).await;
    let reference = ordered(&buyer, &server, ESPRESSO, 1).await;
    assert_eq!(pay_credit(&buyer, &server, &reference).await.status(), 200);
    assert_eq!(rewards_of(&pool, &reference).await[0]["status"], "approved");
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let refund = |http: &reqwest::Client, reference: &str| {
        http.post(server.url(&format!("/api/admin/orders/{reference}/refund")))
            .send()
    };

    let by_member = refund(&buyer, &reference).await.unwrap();
    assert_eq!(json_error(by_member).await, (403, "forbidden".into()));
    let (a, b) = tokio::join!(refund(&admin, &reference), refund(&admin, &reference));
    let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [204, 409], "refunded once");
    assert_eq!(order_status(&pool, &reference).await, "refunded");
    assert_eq!(
        credit_balance(&pool, &buyer_id).await,
        100_000,
        "the credit is back"
    );
    assert_eq!(stock(&pool, ESPRESSO).await, before, "the stock is back");
    assert_eq!(rewards_of(&pool, &reference).await[0]["status"], "voided");
    let audit: Value = get_json(&admin, &server, "/api/admin/audit?action=refund_order").await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
    assert_eq!(audit[0]["data"]["targetIds"][0], reference.as_str());

    // A card payment is refunded at the provider, not here.
    let (card_buyer, _) = referred_buyer(&server, "CREDIT-BACK", "card@example.com").await;
    let card = ordered(&card_buyer, &server, ESPRESSO, 1).await;
    notify(&server, &card, "420.00", "Approved").await;
    let refused = refund(&admin, &card).await.unwrap();
    assert_eq!(json_error(refused).await, (409, "not_refundable".into()));
    assert_eq!(order_status(&pool, &card).await, "paid");
    let unknown = refund(&admin, "RC-NO-SUCH-ORDER").await.unwrap();
    assert_eq!(json_error(unknown).await, (404, "unknown_order".into()));
    server.stop().await;
}
