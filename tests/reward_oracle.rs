//! Reward sizing with a Chainlink-style feed on a real anvil: a fresh price is frozen on the reward; a stale
//! or negative one leaves the reward waiting ("price unavailable") until the feed answers again.
mod common;
use common::*;
use refcodes::server::config::Config;
use refcodes::server::ledger::Ledger;
use refcodes::server::oracle::PriceOracle;
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
    referrer(server, &format!("{code}@r.example"), code, WALLET_A).await;
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
