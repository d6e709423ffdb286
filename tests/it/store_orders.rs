//! Orders through `POST /api/store/orders`: server-side prices, clear errors, and attribution resolved
//! before the order exists with every guard of the seed.
use crate::common;
use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const ESPRESSO: &str = "coffee-espresso-blend";
const BLANKET: &str = "wool-blanket";

async fn post_order(http: &reqwest::Client, server: &TestServer, body: Value) -> reqwest::Response {
    http.post(server.url("/api/store/orders"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn prices_come_from_the_catalog_and_bad_orders_are_clear_errors(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let products: Vec<Value> = client()
        .get(server.url("/api/store/products"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(products.len(), 4);
    assert_eq!(products[0]["name"]["uk"], "Еспресо-суміш, 1 кг");

    let anonymous = post_order(
        &client(),
        &server,
        json!({"items": [{"productId": ESPRESSO, "quantity": 1}]}),
    )
    .await;
    assert_eq!(json_error(anonymous).await, (401, "unauthorized".into()));

    let http = client();
    member(&http, &server, "buyer@example.com").await;
    let body = json!({"items": [{"productId": ESPRESSO, "quantity": 2}, {"productId": BLANKET, "quantity": 1}]});
    let created: Value = post_order(&http, &server, body).await.json().await.unwrap();
    assert_eq!(created["amount"], 2 * 42_000 + 249_900);
    assert_eq!(created["currency"], "UAH");
    assert_eq!(created["referral"], Value::Null);
    assert!(created["orderReference"]
        .as_str()
        .unwrap()
        .starts_with("RC-"));

    let cases = [
        (json!({"items": []}), 400, "empty_order"),
        (
            json!({"items": [{"productId": "nope", "quantity": 1}]}),
            400,
            "unknown_product",
        ),
        (
            json!({"items": [{"productId": ESPRESSO, "quantity": 0}]}),
            400,
            "invalid_quantity",
        ),
        (
            json!({"items": [{"productId": ESPRESSO, "quantity": 100}]}),
            400,
            "invalid_quantity",
        ),
        (
            json!({"items": [{"productId": BLANKET, "quantity": 41}]}),
            409,
            "out_of_stock",
        ),
        (
            json!({"items": [{"productId": ESPRESSO, "quantity": 1, "price": 1}]}),
            400,
            "bad_request",
        ),
        (
            json!({"items": [{"productId": ESPRESSO, "quantity": -1}]}),
            400,
            "bad_request",
        ),
        (json!({"items": "all"}), 400, "bad_request"),
    ];
    for (body, status, code) in cases {
        let resp = post_order(&http, &server, body.clone()).await;
        assert_eq!(json_error(resp).await, (status, code.to_string()), "{body}");
    }
    let orders: i64 = sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(orders, 1, "no half-written orders");
    server.stop().await;
}

async fn rejection(created: &Value) -> (Value, Value) {
    (
        created["referral"].clone(),
        created["attributionRejected"].clone(),
    )
}

#[sqlx::test]
async fn the_cookie_code_is_attributed_and_falls_back_to_the_signup_referral(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (_, referrer_id) = referrer(&server, "r@example.com", "SPRING", WALLET_A).await;
    let (buyer, _) = referred_buyer(&server, "spring", "b@example.com").await;
    let created = order(&buyer, &server, ESPRESSO, 1).await;
    assert_eq!(
        created["referral"],
        json!({"referralCode": "SPRING", "referrerUserId": referrer_id, "referrerWallet": WALLET_A})
    );
    let stored: Value =
        sqlx::query_scalar("SELECT data FROM orders WHERE data->>'orderReference' = $1")
            .bind(created["orderReference"].as_str().unwrap())
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored["referralCode"], "SPRING");
    assert_eq!(stored["referrerUserId"], referrer_id.as_str());
    assert_eq!(stored["referrerWallet"], WALLET_A);
    assert_eq!(stored["referralVia"], "link");

    // Another device without the cookie: the signup referral still names the code.
    let elsewhere = client();
    let resp = elsewhere
        .post(server.url("/api/auth/login"))
        .json(&json!({"email": "b@example.com", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let created = order(&elsewhere, &server, ESPRESSO, 1).await;
    assert_eq!(created["referral"]["referralCode"], "SPRING");
    let via: Option<String> = sqlx::query_scalar(
        "SELECT data->>'referralVia' FROM orders WHERE data->>'orderReference' = $1",
    )
    .bind(created["orderReference"].as_str().unwrap())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(via.as_deref(), Some("signup"));
    server.stop().await;
}

#[sqlx::test]
async fn each_guard_refuses_and_records_why(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (ref_http, _) = referrer(&server, "r@example.com", "GUARDED", WALLET_A).await;

    // Self-referral: the owner opens their own link and buys.
    let own = ref_http
        .get(server.url("/en/store?ref=GUARDED"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let created = order(&ref_http, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("self_referral"))
    );

    // Wallet overlap: the code pays to a wallet of the buyer's own (any case): one declared before proofs
    // existed (the migration keeps those, unproven, for this guard)…
    let (overlap, overlap_id) = referred_buyer(&server, "GUARDED", "o@example.com").await;
    sqlx::query("INSERT INTO wallets (user_id, address) VALUES ($1, $2)")
        .bind(&overlap_id)
        .bind(WALLET_A.to_lowercase())
        .execute(&pool)
        .await
        .unwrap();
    let created = order(&overlap, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("wallet_overlap"))
    );

    // First purchase only: a buyer with a paid order gets no referral on the next.
    let (repeat, _) = referred_buyer(&server, "GUARDED", "p@example.com").await;
    let first = order(&repeat, &server, ESPRESSO, 1).await;
    assert_eq!(first["referral"]["referralCode"], "GUARDED");
    let reference = first["orderReference"].as_str().unwrap();
    notify(&server, reference, "420.00", "Approved").await;
    let second = order(&repeat, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&second).await,
        (Value::Null, json!("not_first_purchase"))
    );

    // An inactive code attributes nothing.
    let (inactive, _) = referred_buyer(&server, "GUARDED", "i@example.com").await;
    let resp = ref_http
        .patch(server.url("/api/refcodes/GUARDED"))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let created = order(&inactive, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("inactive_code"))
    );

    // The rejections are on the orders for the admin; none carries referral fields.
    let rows: Vec<Value> = sqlx::query_scalar(
        "SELECT data FROM orders WHERE data->'attributionRejected' IS NOT NULL AND data->'attributionRejected' <> 'null'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        assert_eq!(row["attributionRejected"]["code"], "GUARDED");
        assert_eq!(row["referralCode"], Value::Null);
        assert_eq!(row["referrerWallet"], Value::Null);
    }
    server.stop().await;
}

#[sqlx::test]
async fn wallet_overlap_counts_the_buyers_proven_wallets_and_their_own_codes_wallets(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let old_timer = client();
    let owner = member(&old_timer, &server, "old@example.com").await;
    code_from_before_proofs(&pool, &owner, "OLD-C", WALLET_C).await;
    code_from_before_proofs(&pool, &owner, "OLD-D", WALLET_D).await;

    // The buyer proves the wallet the referrer's old code pays to.
    let (prover, _) = referred_buyer(&server, "OLD-C", "prover@example.com").await;
    prove_wallet(&prover, &server, &signer("C")).await;
    let created = order(&prover, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("wallet_overlap"))
    );

    // The buyer's own code pays to the same wallet as the referrer's.
    let (coder, coder_id) = referred_buyer(&server, "OLD-D", "coder@example.com").await;
    code_from_before_proofs(&pool, &coder_id, "CODER-OWN", &WALLET_D.to_lowercase()).await;
    let created = order(&coder, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("wallet_overlap"))
    );

    // A buyer with wallets of their own that the code does not pay to is attributed.
    let (clean, _) = referred_buyer(&server, "OLD-D", "clean@example.com").await;
    prove_wallet(&clean, &server, &signer("A")).await;
    let created = order(&clean, &server, ESPRESSO, 1).await;
    assert_eq!(created["referral"]["referralCode"], "OLD-D");
    server.stop().await;
}

#[sqlx::test]
async fn a_code_deleted_after_the_visit_is_recorded_as_unknown(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (owner, _) = referrer(&server, "gone@example.com", "GONE-SOON", WALLET_A).await;
    let buyer = client();
    let visit = buyer
        .get(server.url("/en/store?ref=GONE-SOON"))
        .send()
        .await
        .unwrap();
    assert_eq!(visit.status(), 200);
    let deleted = owner
        .delete(server.url("/api/refcodes/GONE-SOON"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    member(&buyer, &server, "u@example.com").await;
    let created = order(&buyer, &server, ESPRESSO, 1).await;
    assert_eq!(
        rejection(&created).await,
        (Value::Null, json!("unknown_code"))
    );
    server.stop().await;
}
