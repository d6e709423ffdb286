//! Starts the real server (router, services, PostgreSQL) on a free loopback port for one test.
#![allow(dead_code)]
pub mod chain;
pub mod gate;
pub mod pg;
pub mod tls;
pub mod tls_pg;

use refcodes::domain::reward::{RewardKind, RewardStatus};
use refcodes::domain::store::Rail;
use refcodes::domain::user::Role;
use refcodes::server::accounts::roles;
use refcodes::server::db::rewards::{OracleDoc, RewardDoc};
use refcodes::server::platform::config::Config;
use refcodes::server::platform::startup;
use refcodes_chain::alloy::primitives::{hex, keccak256};
pub use refcodes_chain::alloy::signers::local::PrivateKeySigner;
use refcodes_chain::alloy::signers::Signer;
use sqlx::PgPool;
use std::collections::HashMap;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    pub base: String,
    pub pool: PgPool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(pool: PgPool, vars: &[(&str, &str)]) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr").to_string();
        let mut map: HashMap<String, String> = HashMap::from([
            (
                "DATABASE_URL".into(),
                "postgres://unused-in-tests@127.0.0.1/x".into(),
            ),
            ("LEPTOS_SITE_ADDR".into(), addr.clone()),
            ("SITE_URL".into(), format!("http://{addr}")),
            ("METRICS_TOKEN".into(), METRICS_TOKEN.into()),
        ]);
        // Every test client is 127.0.0.1, faster than any person: the per-address limits are lifted unless a
        // test sets its own.
        for var in RATE_VARS {
            map.insert(var.into(), "100000".into());
        }
        // Card rewards are minted once approved, as in the demo, unless a test sets a hold.
        map.insert("REWARD_HOLD_DAYS".into(), "0".into());
        map.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_source(|k| map.get(k).cloned()).expect("test config");
        let state = startup::state_for(pool.clone(), config)
            .await
            .expect("state");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(startup::serve(state, listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            pool,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Graceful stop, as on SIGTERM.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
        }
    }
}

/// The per-address limits (`src/server/platform/rate_limit.rs`).
pub const RATE_VARS: [&str; 5] = [
    "RATE_SIGN_IN_PER_MINUTE",
    "RATE_SIGN_UP_PER_MINUTE",
    "RATE_TRACK_PER_MINUTE",
    "RATE_ORDER_PER_MINUTE",
    "RATE_WEBHOOK_PER_MINUTE",
];

/// The `/metrics` token of every test server.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// `/metrics` as a scraper with the token reads it.
pub async fn metrics_text(server: &TestServer) -> String {
    let resp = reqwest::Client::new()
        .get(server.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client")
}

pub async fn json_error(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.expect("json error body");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error has a message: {body}"
    );
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

/// Test wallets whose keys the tests hold (`signer`), in checksum form: a wallet is proven by signing.
pub const WALLET_A: &str = "0x4d3DE99F42dD4ae734eC3190af37e51F92C55D2F";
pub const WALLET_B: &str = "0x309Be3369034Ada95bd83aFa05bEA19351DA399f";
pub const WALLET_C: &str = "0xd9091075256E037C8A34c024A2Ca1c536eEd552E";
pub const WALLET_D: &str = "0x84854CBD66421dC19e467301Ba426ad07e676514";

/// The key of a test wallet: keccak256("refcodes test wallet <name>"); WALLET_A is `signer("A")`, and so on.
pub fn signer(name: &str) -> PrivateKeySigner {
    let key = keccak256(format!("refcodes test wallet {name}"));
    PrivateKeySigner::from_bytes(&key).expect("a valid test key")
}

/// The key of WALLET_A…WALLET_D.
pub fn signer_of(wallet: &str) -> PrivateKeySigner {
    ["A", "B", "C", "D"]
        .into_iter()
        .map(signer)
        .find(|s| s.address().to_checksum(None).eq_ignore_ascii_case(wallet))
        .unwrap_or_else(|| panic!("{wallet} is not a test wallet with a known key"))
}

/// `personal_sign` of `message`: 0x and 65 bytes (r, s, v as 27/28), as wallets give it.
pub async fn sign(signer: &PrivateKeySigner, message: &str) -> String {
    let signature = signer.sign_message(message.as_bytes()).await.unwrap();
    hex::encode_prefixed(signature.as_bytes())
}

/// Asks for the message that proves `wallet` as the member signed in on `http`; returns it.
pub async fn wallet_message(http: &reqwest::Client, server: &TestServer, wallet: &str) -> String {
    let resp = http
        .post(server.url("/api/me/wallets/challenge"))
        .json(&serde_json::json!({ "address": wallet }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "wallet challenge");
    let body: serde_json::Value = resp.json().await.unwrap();
    body["message"].as_str().unwrap().to_string()
}

/// Sends a signed proof; returns the response.
pub async fn send_proof(
    http: &reqwest::Client,
    server: &TestServer,
    message: &str,
    signature: &str,
) -> reqwest::Response {
    http.post(server.url("/api/me/wallets"))
        .json(&serde_json::json!({ "message": message, "signature": signature }))
        .send()
        .await
        .unwrap()
}

/// Proves `signer`'s wallet for the member signed in on `http`, the whole way: message, signature, proof.
pub async fn prove_wallet(http: &reqwest::Client, server: &TestServer, signer: &PrivateKeySigner) {
    let wallet = signer.address().to_checksum(None);
    let message = wallet_message(http, server, &wallet).await;
    let resp = send_proof(http, server, &message, &sign(signer, &message).await).await;
    assert_eq!(resp.status(), 201, "proof of {wallet}");
}

/// Signs a new member up on `http` (which keeps the session) and returns their user id.
pub async fn member(http: &reqwest::Client, server: &TestServer, email: &str) -> String {
    let resp = http
        .post(server.url("/api/auth/signup"))
        .json(&serde_json::json!({"email": email, "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "sign-up of {email}");
    let body: serde_json::Value = resp.json().await.unwrap();
    body["userId"].as_str().unwrap().to_string()
}

/// Creates a code as the member signed in on `http`; returns the response.
pub async fn create_code(
    http: &reqwest::Client,
    server: &TestServer,
    body: serde_json::Value,
) -> reqwest::Response {
    http.post(server.url("/api/refcodes"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The member's codes as `GET /api/refcodes` lists them.
pub async fn list_codes(http: &reqwest::Client, server: &TestServer) -> Vec<serde_json::Value> {
    let resp = http.get(server.url("/api/refcodes")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// The merchant settings every payment test runs with.
pub const MERCHANT: &str = "test_merchant";
pub const MERCHANT_KEY: &str = "test-merchant-secret";
pub const PAYMENT_VARS: [(&str, &str); 3] = [
    ("PAYMENTS_MODE", "test"),
    ("WAYFORPAY_MERCHANT_ACCOUNT", MERCHANT),
    ("WAYFORPAY_SECRET_KEY", MERCHANT_KEY),
];

/// A store with the demo catalog.
pub async fn shop(pool: PgPool, extra: &[(&str, &str)]) -> TestServer {
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .expect("catalog");
    let mut vars: Vec<(&str, &str)> = PAYMENT_VARS.to_vec();
    vars.extend_from_slice(extra);
    TestServer::start(pool, &vars).await
}

/// Orders `quantity` of `product` as the member on `http`; returns the 201 body.
pub async fn order(
    http: &reqwest::Client,
    server: &TestServer,
    product: &str,
    quantity: u32,
) -> serde_json::Value {
    let resp = http
        .post(server.url("/api/store/orders"))
        .json(&serde_json::json!({"items": [{"productId": product, "quantity": quantity}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "order of {product}");
    resp.json().await.unwrap()
}

/// Orders `quantity` of `product` as the member on `http`; returns the order's reference.
pub async fn ordered(
    http: &reqwest::Client,
    server: &TestServer,
    product: &str,
    quantity: u32,
) -> String {
    let created = order(http, server, product, quantity).await;
    created["orderReference"].as_str().unwrap().to_string()
}

/// A notification as WayForPay would send it, signed with `key`.
pub fn notification(
    key: &str,
    account: &str,
    reference: &str,
    amount: &str,
    status: &str,
) -> String {
    refcodes::server::payments::wayforpay::notification_body(
        key,
        &refcodes::server::payments::wayforpay::TestNotice {
            merchant_account: account,
            order_reference: reference,
            amount,
            currency: "UAH",
            transaction_status: status,
            reason_code: "1100",
            time: 1_700_000_000,
        },
    )
    .unwrap()
}

pub async fn deliver(server: &TestServer, body: String) -> reqwest::Response {
    client()
        .post(server.url("/api/payments/wayforpay"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Delivers a correctly signed notification for `reference` and `amount` (decimal) with `status`.
pub async fn pay_event(
    server: &TestServer,
    reference: &str,
    amount: &str,
    status: &str,
) -> reqwest::Response {
    deliver(
        server,
        notification(MERCHANT_KEY, MERCHANT, reference, amount, status),
    )
    .await
}

/// Delivers a correctly signed notification (like [`pay_event`]) that must be accepted.
pub async fn notify(server: &TestServer, reference: &str, amount: &str, status: &str) {
    let resp = pay_event(server, reference, amount, status).await;
    assert_eq!(resp.status(), 200, "{status} for {reference} accepted");
}

pub async fn order_status(pool: &PgPool, reference: &str) -> String {
    sqlx::query_scalar::<_, String>(
        "SELECT data->>'status' FROM orders WHERE data->>'orderReference' = $1",
    )
    .bind(reference)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn stock(pool: &PgPool, product: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT (data->>'stock')::bigint FROM products WHERE id = $1")
        .bind(product)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The rewards of an order: (status, kind, fiatAmount, amountWei, rail).
pub async fn rewards_of(pool: &PgPool, reference: &str) -> Vec<serde_json::Value> {
    sqlx::query_scalar::<_, serde_json::Value>(
        "SELECT data FROM referral_rewards WHERE data->>'orderReference' = $1",
    )
    .bind(reference)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// A referrer with code `code` paying to `wallet` (a test wallet), proven; returns (their client, their user id).
pub async fn referrer(
    server: &TestServer,
    email: &str,
    code: &str,
    wallet: &str,
) -> (reqwest::Client, String) {
    referrer_signing(server, email, code, &signer_of(wallet)).await
}

/// A referrer with code `code` paying to the wallet of `signer`, proven; returns (their client, their user id).
pub async fn referrer_signing(
    server: &TestServer,
    email: &str,
    code: &str,
    signer: &PrivateKeySigner,
) -> (reqwest::Client, String) {
    let http = client();
    let id = member(&http, server, email).await;
    prove_wallet(&http, server, signer).await;
    let wallet = signer.address().to_checksum(None);
    let resp = create_code(
        &http,
        server,
        serde_json::json!({"code": code, "wallet": wallet}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    (http, id)
}

/// A visitor who opened a `?ref=` link and then signed up; returns their client and id.
pub async fn referred_buyer(
    server: &TestServer,
    code: &str,
    email: &str,
) -> (reqwest::Client, String) {
    let http = client();
    let page = http
        .get(server.url(&format!("/en/store?ref={code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let id = member(&http, server, email).await;
    (http, id)
}

/// A server function call as a page's form makes it (URL-encoded arguments, a JSON answer), ready to send.
pub fn server_fn_request<F>(
    http: &reqwest::Client,
    server: &TestServer,
    args: &F,
) -> reqwest::RequestBuilder
where
    F: leptos::server_fn::ServerFn + serde::Serialize,
{
    http.post(server.url(F::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_qs::to_string(args).expect("server function arguments"))
}

/// Calls a server function as a page does: its status and body.
pub async fn call_server_fn<F>(
    http: &reqwest::Client,
    server: &TestServer,
    args: &F,
) -> (u16, String)
where
    F: leptos::server_fn::ServerFn + serde::Serialize,
{
    let resp = server_fn_request(http, server, args).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The member's credit balance in UAH minor units.
pub async fn credit_balance(pool: &PgPool, user_id: &str) -> i64 {
    refcodes::server::db::credit::balance(pool, user_id, "UAH")
        .await
        .unwrap()
}

/// The status `GET /api/me` answers on `http`: 200 signed in, 401 not.
pub async fn me_status(http: &reqwest::Client, server: &TestServer) -> u16 {
    http.get(server.url("/api/me"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs `email` up on `http`, makes the account an admin as an operator does (which ends its sessions) and signs
/// it in again: the user id.
pub async fn sign_up_admin(http: &reqwest::Client, server: &TestServer, email: &str) -> String {
    let id = member(http, server, email).await;
    roles::set_role(&server.pool, email, Role::Admin, roles::OPERATOR)
        .await
        .expect("grant the admin role");
    let resp = http
        .post(server.url("/api/auth/login"))
        .json(&serde_json::json!({"email": email, "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "sign-in of {email}");
    id
}

/// An admin and a plain member, each signed in on a client of their own: `(admin, member, member's user id)`.
pub async fn admin_and_member(
    server: &TestServer,
    admin_email: &str,
) -> (reqwest::Client, reqwest::Client, String) {
    let admin = client();
    sign_up_admin(&admin, server, admin_email).await;
    let plain = client();
    let plain_id = member(&plain, server, "plain@example.com").await;
    (admin, plain, plain_id)
}

/// `GET path` on the test server as `http`'s user: the JSON answer.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    server: &TestServer,
    path: &str,
) -> T {
    let resp = http.get(server.url(path)).send().await.unwrap();
    resp.json().await.expect("a JSON answer")
}

/// `GET path` on the test server as `http`'s user: the answer's text (a page, a CSV).
pub async fn get_text(http: &reqwest::Client, server: &TestServer, path: &str) -> String {
    let resp = http.get(server.url(path)).send().await.unwrap();
    resp.text().await.expect("a text answer")
}

/// `POST path` without a body on the test server as `http`'s user: the JSON answer.
pub async fn post_json(
    http: &reqwest::Client,
    server: &TestServer,
    path: &str,
) -> serde_json::Value {
    let resp = http.post(server.url(path)).send().await.unwrap();
    resp.json().await.expect("a JSON answer")
}

/// A card store reward of 21.00 UAH through `MINTCODE`: `referrer`'s for `reference`, `amount_wei` to `wallet`.
pub fn reward_doc(
    referrer: &str,
    reference: &str,
    wallet: &str,
    amount_wei: String,
    status: RewardStatus,
) -> RewardDoc {
    RewardDoc {
        order_reference: reference.to_string(),
        kind: RewardKind::Store,
        referral_code: "MINTCODE".to_string(),
        referrer_user_id: referrer.to_string(),
        referrer_wallet: wallet.to_string(),
        attributed_via: None,
        buyer_user_id: format!("buyer-{reference}"),
        tier: None,
        rail: Rail::Fiat,
        fiat_amount: 2100,
        currency: "UAH".to_string(),
        rate_bps: 500,
        oracle: None,
        amount_wei,
        netted_wei: None,
        price_needed: false,
        status,
        tx_hash: None,
        block_number: None,
        attempts: 0,
        last_error: None,
        approved_by: None,
        rejected_reason: None,
        held_reason: None,
        hold_until: None,
    }
}

const SEEDED_WALLET: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

/// `n` rewards referred by `referrer`, with the given status and rail, one second apart (newest last).
pub async fn seed_rewards(
    pool: &PgPool,
    referrer: &str,
    prefix: &str,
    n: i32,
    status: &str,
    rail: &str,
) {
    let status = RewardStatus::parse(status).expect("a reward status");
    let rail = serde_json::from_value(serde_json::json!(rail)).expect("a rail");
    let oracle = OracleDoc {
        price: "4000".into(),
        decimals: 2,
        updated_at: None,
        source: "fixed".into(),
    };
    let (mut ids, mut docs, mut created) = (Vec::new(), Vec::new(), Vec::new());
    for g in 1..=n {
        let reference = format!("RC-{prefix}-{g}");
        let wei = (250_000_000_000_000_000u128 * g as u128).to_string();
        let doc = RewardDoc {
            referral_code: format!("CODE-{}", prefix.to_uppercase()),
            buyer_user_id: format!("buyer-{prefix}-{g}"),
            rail,
            fiat_amount: 1000 + i64::from(g),
            oracle: Some(oracle.clone()),
            ..reward_doc(referrer, &reference, SEEDED_WALLET, wei, status)
        };
        ids.push(format!("{prefix}-{g}"));
        docs.push(serde_json::to_value(doc).unwrap());
        created.push(
            chrono::Utc::now() - chrono::Duration::days(1) + chrono::Duration::seconds(g.into()),
        );
    }
    sqlx::query(
        "INSERT INTO referral_rewards (id, data, created_at) SELECT * FROM UNNEST($1::text[], $2::jsonb[], $3::timestamptz[])",
    )
    .bind(ids)
    .bind(docs)
    .bind(created)
    .execute(pool)
    .await
    .unwrap();
}

/// The reward ledger a test server with default settings runs (fixed price, default rates, no hold).
pub fn default_ledger() -> refcodes::server::rewards::ledger::Ledger {
    use refcodes::server::rewards::oracle::PriceOracle;
    let vars = HashMap::from([
        ("DATABASE_URL", "postgres://x@h/db"),
        ("REWARD_HOLD_DAYS", "0"),
    ]);
    let config = Config::from_source(|k| vars.get(k).map(|v| v.to_string())).unwrap();
    let transport = refcodes_chain::Transport::new(None).unwrap();
    let oracle = PriceOracle::from_config(&config, &transport).unwrap();
    refcodes::server::rewards::ledger::Ledger::new(config.rates, oracle)
}

/// Makes every reward insert fail inside PostgreSQL (a trigger) until [`heal_reward_inserts`].
pub async fn break_reward_inserts(pool: &PgPool) {
    sqlx::raw_sql(
        r#"CREATE FUNCTION refuse_reward() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN RAISE EXCEPTION 'reward inserts refused by the test'; END $$;
           CREATE TRIGGER refuse_reward BEFORE INSERT ON referral_rewards
               FOR EACH ROW EXECUTE FUNCTION refuse_reward();"#,
    )
    .execute(pool)
    .await
    .unwrap();
}

pub async fn heal_reward_inserts(pool: &PgPool) {
    sqlx::raw_sql("DROP TRIGGER refuse_reward ON referral_rewards; DROP FUNCTION refuse_reward();")
        .execute(pool)
        .await
        .unwrap();
}

/// What the reward ledger noted on an order (`rewardOutcome`), if anything.
pub async fn reward_outcome(pool: &PgPool, reference: &str) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT data->>'rewardOutcome' FROM orders WHERE data->>'orderReference' = $1",
    )
    .bind(reference)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A code of `owner` created before payout wallets were proven: it pays to `wallet`, which nobody proved.
pub async fn code_from_before_proofs(pool: &PgPool, owner: &str, code: &str, wallet: &str) {
    sqlx::query(
        r#"INSERT INTO refcodes (id, data) VALUES ($1, jsonb_build_object('code', $1::text, 'userId', $2::text,
               'wallet', $3::text, 'active', true, 'visits', 0))"#,
    )
    .bind(code)
    .bind(owner)
    .bind(wallet)
    .execute(pool)
    .await
    .unwrap();
}
