//! Reward sizing with a Chainlink-style feed on a real anvil: a fresh price is frozen on the reward; a stale
//! or negative one leaves the reward waiting ("price unavailable") until the feed answers again.
use crate::common;
use common::*;
use refcodes::server::platform::config::Config;
use refcodes::server::rewards::ledger::Ledger;
use refcodes::server::rewards::oracle::PriceOracle;
use refcodes_chain::alloy::node_bindings::AnvilInstance;
use refcodes_chain::alloy::primitives::{Address, I256};
use refcodes_chain::anvil::{anvil_signer, spawn_anvil};
use refcodes_chain::price_feed::{deploy_test_price_feed, set_test_round};
use refcodes_chain::{ChainClient, Transport};
use sqlx::PgPool;
use std::collections::HashMap;

const ESPRESSO: &str = "coffee-espresso-blend";
/// 41.50 UAH per token with 8 decimals, as Chainlink feeds answer.
const PRICE: i64 = 4_150_000_000;

struct Feed {
    _anvil: AnvilInstance,
    client: ChainClient,
    address: Address,
    rpc: String,
}

async fn feed() -> Feed {
    let anvil = spawn_anvil().expect("anvil");
    let rpc = anvil.endpoint();
    let client = ChainClient::connect(&rpc, anvil_signer(&anvil, 0).unwrap())
        .await
        .unwrap();
    let address = deploy_test_price_feed(&client, 8, I256::try_from(PRICE).unwrap())
        .await
        .unwrap();
    Feed {
        _anvil: anvil,
        client,
        address,
        rpc,
    }
}

impl Feed {
    fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CHAIN_RPC_URL", self.rpc.clone()),
            ("ORACLE_FEED_ADDRESS", self.address.to_string()),
            ("ORACLE_MAX_AGE_SECS", "3600".into()),
        ]
    }

    async fn set(&self, answer: i64, age_secs: u64) {
        let now = chrono::Utc::now().timestamp() as u64;
        set_test_round(
            &self.client,
            self.address,
            I256::try_from(answer).unwrap(),
            now - age_secs,
        )
        .await
        .unwrap();
    }

    /// The ledger the server runs, built from the same settings.
    fn ledger(&self) -> Ledger {
        let vars: HashMap<String, String> = self
            .vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .chain([("DATABASE_URL".to_string(), "postgres://x@h/db".to_string())])
            .collect();
        let config = Config::from_source(|k| vars.get(k).cloned()).unwrap();
        Ledger::new(
            config.rates,
            PriceOracle::from_config(&config, &Transport::new(None).unwrap()).unwrap(),
        )
    }
}

async fn server_with(pool: PgPool, feed: &Feed) -> TestServer {
    let vars = feed.vars();
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    shop(pool, &borrowed).await
}

/// A referred buyer's paid espresso order (420.00 UAH → 21.00 UAH reward); `credit` pays on the crypto rail.
async fn paid_order(pool: &PgPool, server: &TestServer, code: &str, credit: bool) -> String {
    referrer_signing(server, &format!("{code}@r.example"), code, &signer(code)).await;
    let (buyer, buyer_id) = referred_buyer(server, code, &format!("{code}@b.example")).await;
    let reference = order(&buyer, server, ESPRESSO, 1).await["orderReference"]
        .as_str()
        .unwrap()
        .to_string();
    if credit {
        refcodes::server::db::credit::grant(pool, &buyer_id, 42_000, "UAH", "test")
            .await
            .unwrap();
        let resp = buyer
            .post(server.url("/api/store/payments/credit"))
            .json(&serde_json::json!({"orderReference": reference}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    } else {
        assert_eq!(
            pay_event(server, &reference, "420.00", "Approved")
                .await
                .status(),
            200
        );
    }
    reference
}

#[sqlx::test]
async fn a_fresh_feed_price_is_frozen_on_the_reward(pool: PgPool) {
    let feed = feed().await;
    let server = server_with(pool.clone(), &feed).await;
    let reference = paid_order(&pool, &server, "FRESH", false).await;
    let r = &rewards_of(&pool, &reference).await[0];
    assert_eq!(r["status"], "pending");
    assert_eq!(r["fiatAmount"], 2100);
    // Python: 2100 * 10**18 * 10**8 // (100 * 4150000000)
    assert_eq!(r["amountWei"], "506024096385542168");
    assert_eq!(r["oracle"]["price"], PRICE.to_string());
    assert_eq!(r["oracle"]["decimals"], 8);
    assert_eq!(r["oracle"]["source"], format!("chainlink:{}", feed.address));
    assert_eq!(r["priceNeeded"], false);
    server.stop().await;
}

#[sqlx::test]
async fn a_stale_price_leaves_the_reward_waiting_until_the_feed_is_fresh(pool: PgPool) {
    let feed = feed().await;
    let server = server_with(pool.clone(), &feed).await;
    feed.set(PRICE, 7200).await;
    let reference = paid_order(&pool, &server, "STALE", true).await;
    let r = &rewards_of(&pool, &reference).await[0];
    assert_eq!(
        r["status"], "pending",
        "a crypto reward without a price is not approved"
    );
    assert_eq!(r["priceNeeded"], true);
    assert_eq!(r["amountWei"], "0");
    let why = r["lastError"].as_str().unwrap();
    assert!(
        why.starts_with("price unavailable") && why.contains("at most 3600 s"),
        "{why}"
    );

    let ledger = feed.ledger();
    assert_eq!(ledger.price_waiting(&pool).await.unwrap(), 0, "still stale");
    feed.set(PRICE, 10).await;
    assert_eq!(ledger.price_waiting(&pool).await.unwrap(), 1);
    let r = &rewards_of(&pool, &reference).await[0];
    assert_eq!(r["status"], "approved");
    assert_eq!(r["approvedBy"], "auto");
    assert_eq!(r["amountWei"], "506024096385542168");
    assert_eq!(r["lastError"], serde_json::Value::Null);
    server.stop().await;
}

#[sqlx::test]
async fn a_negative_answer_is_no_price(pool: PgPool) {
    let feed = feed().await;
    let server = server_with(pool.clone(), &feed).await;
    feed.set(-5, 0).await;
    let reference = paid_order(&pool, &server, "NEGATIVE", false).await;
    let r = &rewards_of(&pool, &reference).await[0];
    assert_eq!(
        (r["status"].as_str(), r["priceNeeded"].as_bool()),
        (Some("pending"), Some(true))
    );
    let why = r["lastError"].as_str().unwrap();
    assert!(why.contains("not positive"), "{why}");
    server.stop().await;
}

/// A referred buyer's order of `product`, paid with credit in its currency (the crypto rail).
async fn credit_paid(
    pool: &PgPool,
    server: &TestServer,
    code: &str,
    buyer: &str,
    product: &str,
    currency: &str,
) -> String {
    let (http, buyer_id) = referred_buyer(server, code, buyer).await;
    let reference = ordered(&http, server, product, 1).await;
    refcodes::server::db::credit::grant(pool, &buyer_id, 1_000, currency, "test")
        .await
        .unwrap();
    let resp = http
        .post(server.url("/api/store/payments/credit"))
        .json(&serde_json::json!({"orderReference": reference}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
    reference
}

#[sqlx::test]
async fn each_currency_is_priced_by_its_own_setting_and_one_without_a_price_waits(pool: PgPool) {
    use refcodes::domain::store::{Localized, Product};
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .unwrap();
    for (id, currency) in [("mug-usd", "USD"), ("mug-eur", "EUR")] {
        let product = Product {
            id: id.into(),
            vendor_id: "vendor-kyiv-roasters".into(),
            vendor_name: String::new(),
            name: Localized([("en".to_string(), format!("Mug ({currency})"))].into()),
            price: 1_000,
            currency: currency.into(),
            stock: 10,
        };
        refcodes::server::db::catalog::upsert_product(&pool, &product)
            .await
            .unwrap();
    }
    let vars = [("ORACLE_PRICES", "USD=2.00")];
    let server = shop(pool.clone(), &vars).await;
    let (earner, _) = referrer(&server, "earner@r.example", "CURRENCY", WALLET_A).await;
    let usd = credit_paid(
        &pool,
        &server,
        "CURRENCY",
        "usd@b.example",
        "mug-usd",
        "USD",
    )
    .await;
    let eur = credit_paid(
        &pool,
        &server,
        "CURRENCY",
        "eur@b.example",
        "mug-eur",
        "EUR",
    )
    .await;

    // 5 % of 10.00 USD = 0.50 USD at 2.00 USD per token: 0.25 token, approved at once on the crypto rail.
    let r = &rewards_of(&pool, &usd).await[0];
    assert_eq!(
        (
            r["status"].as_str(),
            r["amountWei"].as_str(),
            r["currency"].as_str()
        ),
        (Some("approved"), Some("250000000000000000"), Some("USD")),
        "{r}"
    );
    assert_eq!(
        (
            r["oracle"]["price"].as_str(),
            r["oracle"]["decimals"].as_u64()
        ),
        (Some("200"), Some(2))
    );

    // No EUR price: the reward waits with the reason, is never approved, and both pages say so.
    let r = &rewards_of(&pool, &eur).await[0];
    assert_eq!(
        (
            r["status"].as_str(),
            r["priceNeeded"].as_bool(),
            r["amountWei"].as_str()
        ),
        (Some("pending"), Some(true), Some("0")),
        "{r}"
    );
    assert!(
        r["lastError"]
            .as_str()
            .unwrap()
            .contains("no price is configured for EUR"),
        "{r}"
    );
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let id: String =
        sqlx::query_scalar("SELECT id FROM referral_rewards WHERE data->>'orderReference' = $1")
            .bind(&eur)
            .fetch_one(&pool)
            .await
            .unwrap();
    let resp = admin
        .post(server.url(&format!("/api/admin/rewards/{id}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (409, "price_needed".to_string()));
    let page = get_text(&earner, &server, "/ru/refcodes").await;
    assert!(
        page.contains("ожидает цены в своей валюте"),
        "the member sees why it waits"
    );
    let ledger = get_text(&admin, &server, "/uk/admin/refcodes").await;
    assert!(
        ledger.contains("очікує на ціну у своїй валюті"),
        "so does the admin"
    );
    server.stop().await;

    // Once EUR has a price (the next start with ORACLE_PRICES=…,EUR=…), the waiting reward is priced where it waits.
    let vars: HashMap<String, String> = [
        ("DATABASE_URL", "postgres://x@h/db"),
        ("ORACLE_PRICES", "USD=2.00,EUR=0.50"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let config = Config::from_source(|k| vars.get(k).cloned()).unwrap();
    let oracle = PriceOracle::from_config(&config, &Transport::new(None).unwrap()).unwrap();
    let priced = Ledger::new(config.rates, oracle)
        .price_waiting(&pool)
        .await
        .unwrap();
    assert_eq!(priced, 1);
    let r = &rewards_of(&pool, &eur).await[0];
    assert_eq!(
        (
            r["status"].as_str(),
            r["priceNeeded"].as_bool(),
            r["amountWei"].as_str()
        ),
        (Some("approved"), Some(false), Some("1000000000000000000")),
        "0.50 EUR at 0.50 EUR per token: {r}"
    );
}

#[sqlx::test]
async fn a_price_feed_behind_a_keyed_url_never_stores_or_shows_the_key(pool: PgPool) {
    const KEY: &str = "sk-live-feedkey-0123456789";
    // A hosted node whose URL carries an API key, down: nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let rpc = format!("http://{}/v2/{KEY}", closed.local_addr().unwrap());
    drop(closed);
    let vars = [
        ("CHAIN_RPC_URL", rpc.as_str()),
        (
            "ORACLE_FEED_ADDRESS",
            "0x2222222222222222222222222222222222222222",
        ),
    ];
    let server = shop(pool.clone(), &vars).await;
    let reference = paid_order(&pool, &server, "KEYED", false).await;
    let reward = &rewards_of(&pool, &reference).await[0];
    let stored = reward["lastError"].as_str().unwrap();
    assert!(stored.starts_with("price unavailable: "), "{stored}");
    assert!(stored.contains("could not be reached"), "{stored}");
    let (admin, _, _) = admin_and_member(&server, "boss@example.com").await;
    let ledger = get_text(&admin, &server, "/api/admin/rewards").await;
    let csv = get_text(&admin, &server, "/api/admin/rewards.csv").await;
    for text in [stored, ledger.as_str(), csv.as_str(), &reward.to_string()] {
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }
    server.stop().await;
}
