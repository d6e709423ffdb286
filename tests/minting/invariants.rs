//! The money invariants over random histories (`proptest`): sequences of orders, card notifications (duplicated,
//! reordered), refunds at the provider and by an admin, credit payments, admin approve/reject/void/block, mint
//! runs and anvil outages, played against the real server, PostgreSQL and anvil. After each history: at most one
//! reward per order; nothing live or paid out without a clawback on a refunded order; what the chain paid each
//! wallet is what the ledger minted to it, with no drift; nettings never exceed what they net; stock and credit
//! move only with payments and refunds. `PROPTEST_CASES` sets the number of histories (the test command's
//! default is below); a failure is shrunk and printed, to be kept as a named regression test beside this one.
use super::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use std::collections::HashMap;

const ESPRESSO: &str = "coffee-espresso-blend";
const PRICE: i64 = 42_000;
const CASES: u32 = 200;
const WALLETS: [&str; 2] = [WALLET_A, WALLET_B];

#[derive(Debug, Clone, Copy)]
enum Event {
    Order { buyer: u8 },
    CardPaid { order: u8, twice: bool },
    CardRefunded { order: u8 },
    CreditPaid { order: u8 },
    AdminRefund { order: u8 },
    Approve { order: u8 },
    Reject { order: u8 },
    Void { order: u8 },
    Block { on: bool },
    Mint,
    Outage,
}

fn event() -> impl Strategy<Value = Event> {
    use proptest::prelude::*;
    let order = 0u8..4;
    prop_oneof![
        4 => (0u8..3).prop_map(|buyer| Event::Order { buyer }),
        4 => (order.clone(), any::<bool>()).prop_map(|(order, twice)| Event::CardPaid { order, twice }),
        2 => order.clone().prop_map(|order| Event::CardRefunded { order }),
        3 => order.clone().prop_map(|order| Event::CreditPaid { order }),
        2 => order.clone().prop_map(|order| Event::AdminRefund { order }),
        3 => order.clone().prop_map(|order| Event::Approve { order }),
        1 => order.clone().prop_map(|order| Event::Reject { order }),
        1 => order.prop_map(|order| Event::Void { order }),
        1 => any::<bool>().prop_map(|on| Event::Block { on }),
        3 => Just(Event::Mint),
        1 => Just(Event::Outage),
    ]
}

/// One history: the referrer's wallet and the events.
fn history() -> impl Strategy<Value = (usize, Vec<Event>)> {
    (0..WALLETS.len(), proptest::collection::vec(event(), 1..10))
}

struct World {
    pool: PgPool,
    chain: Chain,
    server: TestServer,
    admin: reqwest::Client,
    played: usize,
    /// Credit granted per buyer, in kopecks.
    granted: HashMap<String, i64>,
}

/// What a history created: its code, its buyers and their orders.
struct Played {
    code: String,
    buyers: Vec<Option<(reqwest::Client, String)>>,
    orders: Vec<(String, usize)>,
}

impl World {
    async fn play(&mut self, wallet: usize, events: &[Event]) -> Result<(), String> {
        self.played += 1;
        let code = format!("INV-{}", self.played);
        let owner = format!("inv-{}@r.example", self.played);
        referrer(&self.server, &owner, &code, WALLETS[wallet]).await;
        let mut p = Played {
            code,
            buyers: vec![None, None, None],
            orders: Vec::new(),
        };
        for e in events {
            self.apply(&mut p, *e).await?;
        }
        if self.chain.is_down() {
            self.chain.restart().await;
        }
        self.settle().await?;
        self.check().await
    }

    /// One whole mint run, waiting (bounded) for a background run a credit payment started to finish first.
    async fn settle(&self) -> Result<(), String> {
        for _ in 0..100 {
            match cron(&self.server).await {
                (200, _) => return Ok(()),
                (409, _) => tokio::time::sleep(Duration::from_millis(100)).await,
                (status, summary) => {
                    return Err(format!(
                        "the settling mint run answered {status}: {summary}"
                    ))
                }
            }
        }
        Err("the settling mint run found the lock taken for 10 s".into())
    }

    async fn apply(&mut self, p: &mut Played, e: Event) -> Result<(), String> {
        let order = |i: u8| p.orders.get(i as usize % p.orders.len().max(1)).cloned();
        let status = match e {
            Event::Order { buyer } => {
                let b = buyer as usize;
                if p.buyers[b].is_none() {
                    let email = format!("inv-{}-{b}@b.example", self.played);
                    p.buyers[b] = Some(referred_buyer(&self.server, &p.code, &email).await);
                }
                let (http, _) = p.buyers[b].as_ref().unwrap();
                let reference = ordered(http, &self.server, ESPRESSO, 1).await;
                p.orders.push((reference, b));
                201
            }
            Event::CardPaid { order: i, twice } => match order(i) {
                None => return Ok(()),
                Some((reference, _)) => {
                    let first = pay_event(&self.server, &reference, "420.00", "Approved").await;
                    if twice {
                        pay_event(&self.server, &reference, "420.00", "Approved").await;
                    }
                    first.status().as_u16()
                }
            },
            Event::CardRefunded { order: i } => match order(i) {
                None => return Ok(()),
                Some((reference, _)) => pay_event(&self.server, &reference, "420.00", "Refunded")
                    .await
                    .status()
                    .as_u16(),
            },
            Event::CreditPaid { order: i } => match order(i) {
                None => return Ok(()),
                Some((reference, b)) => {
                    let (http, buyer_id) = p.buyers[b].as_ref().unwrap();
                    db::credit::grant(&self.pool, buyer_id, PRICE, "UAH", "test")
                        .await
                        .unwrap();
                    *self.granted.entry(buyer_id.clone()).or_default() += PRICE;
                    http.post(self.server.url("/api/store/payments/credit"))
                        .json(&json!({ "orderReference": reference }))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16()
                }
            },
            Event::AdminRefund { order: i } => match order(i) {
                None => return Ok(()),
                Some((reference, _)) => {
                    self.admin_post(&format!("/api/admin/orders/{reference}/refund"), None)
                        .await
                }
            },
            Event::Approve { order: i } | Event::Reject { order: i } | Event::Void { order: i } => {
                let Some((reference, _)) = order(i) else {
                    return Ok(());
                };
                let Some(id) = reward_id(&self.pool, &reference).await else {
                    return Ok(());
                };
                let (action, body) = match e {
                    Event::Approve { .. } => ("approve", None),
                    Event::Reject { .. } => ("reject", Some(json!({ "reason": "fraud" }))),
                    _ => ("void", None),
                };
                self.admin_post(&format!("/api/admin/rewards/{id}/{action}"), body)
                    .await
            }
            Event::Block { on } => {
                let action = if on { "block" } else { "unblock" };
                self.admin_post(&format!("/api/admin/refcodes/{}/{action}", p.code), None)
                    .await
            }
            Event::Mint => cron(&self.server).await.0,
            Event::Outage => {
                if !self.chain.is_down() {
                    self.chain.stop().await;
                }
                let status = cron(&self.server).await.0;
                self.chain.restart().await;
                status
            }
        };
        match status {
            500..=599 if !(matches!(e, Event::Outage) && status == 502) => {
                Err(format!("{e:?} answered {status}"))
            }
            _ => Ok(()),
        }
    }

    async fn admin_post(&self, path: &str, body: Option<Value>) -> u16 {
        let mut req = self.admin.post(self.server.url(path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap().status().as_u16()
    }

    /// The invariants, over everything every history so far left behind.
    async fn check(&self) -> Result<(), String> {
        let none = |what: &str, rows: Vec<String>| match rows.is_empty() {
            true => Ok(()),
            false => Err(format!("{what}: {rows:?}")),
        };
        none(
            "orders with more than one reward",
            strings(&self.pool, "SELECT data->>'orderReference' FROM referral_rewards GROUP BY 1 HAVING count(*) > 1").await,
        )?;
        none(
            "refunded orders with a live reward, or a paid-out one without a clawback",
            strings(
                &self.pool,
                "SELECT r.data->>'orderReference' || ' ' || (r.data->>'status')
                 FROM referral_rewards r JOIN orders o ON o.data->>'orderReference' = r.data->>'orderReference'
                 WHERE o.data->>'status' = 'refunded'
                   AND (r.data->>'status' IN ('pending', 'approved', 'failed', 'minting')
                        OR (r.data->>'status' IN ('minted', 'netted')
                            AND NOT EXISTS (SELECT 1 FROM clawbacks c WHERE c.reward_id = r.id)))",
            )
            .await,
        )?;
        none(
            // Each espresso reward is 5 % of 420.00 UAH at 40.00 UAH per token: 0.525 token, minted or netted.
            "nettings that do not add up (reward's nettedWei, minted + netted ≠ its size, or more than a clawback's amount)",
            strings(
                &self.pool,
                "SELECT r.id FROM referral_rewards r
                 WHERE COALESCE((r.data->>'nettedWei')::numeric, 0)
                       <> COALESCE((SELECT sum(amount_wei) FROM clawback_nettings n WHERE n.reward_id = r.id), 0)
                 UNION ALL
                 SELECT r.id FROM referral_rewards r
                 WHERE NOT (r.data->>'priceNeeded')::boolean AND r.data->>'status' <> 'voided'
                   AND (r.data->>'amountWei')::numeric + COALESCE((r.data->>'nettedWei')::numeric, 0) <> 525000000000000000
                 UNION ALL
                 SELECT c.id FROM clawbacks c
                 WHERE c.amount_wei < (SELECT COALESCE(sum(amount_wei), 0) FROM clawback_nettings n WHERE n.clawback_id = c.id)",
            )
            .await,
        )?;
        let drift = self.chain.drift(&self.pool).await;
        if !drift.is_empty() {
            return Err(format!("ledger↔chain drift: {drift:?}"));
        }
        for wallet in WALLETS {
            let minted: String = sqlx::query_scalar(
                "SELECT COALESCE(sum((data->>'amountWei')::numeric), 0)::text FROM referral_rewards
                 WHERE data->>'status' = 'minted' AND lower(data->>'referrerWallet') = lower($1)",
            )
            .bind(wallet)
            .fetch_one(&self.pool)
            .await
            .unwrap();
            let on_chain = self.chain.balance(wallet).await;
            if on_chain.to_string() != minted {
                return Err(format!(
                    "{wallet}: the chain paid {on_chain}, the ledger minted {minted}"
                ));
            }
        }
        self.check_goods().await
    }

    /// Stock leaves with each paid order and comes back with its refund; credit is what was granted less what
    /// pays for orders still paid with it.
    async fn check_goods(&self) -> Result<(), String> {
        let (stock, paid): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT (data->>'stock')::bigint FROM products WHERE id = $1),
                    (SELECT count(*) FROM orders WHERE data->>'status' = 'paid')",
        )
        .bind(ESPRESSO)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| e.to_string())?;
        if stock != STOCK - paid {
            return Err(format!("stock {stock}, expected {STOCK} − {paid} paid"));
        }
        for (buyer, granted) in &self.granted {
            let balance = db::credit::balance(&self.pool, buyer, "UAH").await.unwrap();
            let spent: i64 = sqlx::query_scalar(
                "SELECT count(*) * $2 FROM orders
                 WHERE data->>'buyerUserId' = $1 AND data->>'status' = 'paid' AND data->>'rail' = 'crypto'",
            )
            .bind(buyer)
            .bind(PRICE)
            .fetch_one(&self.pool)
            .await
            .unwrap();
            if balance != granted - spent {
                return Err(format!(
                    "{buyer}: credit {balance}, granted {granted}, spent {spent}"
                ));
            }
        }
        Ok(())
    }
}

const STOCK: i64 = 1_000_000;
const SHRINK_STEPS: usize = 64;

async fn strings(pool: &PgPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

async fn reward_id(pool: &PgPool, reference: &str) -> Option<String> {
    sqlx::query_scalar("SELECT id FROM referral_rewards WHERE data->>'orderReference' = $1")
        .bind(reference)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn random_histories_keep_the_money_invariants(pool: PgPool) {
    refcodes::server::demo::seed_catalog(&pool).await.unwrap();
    sqlx::query(
        "UPDATE products SET data = data || jsonb_build_object('stock', $1::bigint) WHERE id = $2",
    )
    .bind(STOCK)
    .bind(ESPRESSO)
    .execute(&pool)
    .await
    .unwrap();
    let chain = Chain::start().await;
    let server = server(&pool, &chain, &PAYMENT_VARS).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let mut world = World {
        pool,
        chain,
        server,
        admin,
        played: 0,
        granted: HashMap::new(),
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        ..RunnerConfig::default()
    });
    let strategy = history();
    for _ in 0..cases {
        let mut tree = strategy.new_tree(&mut runner).unwrap();
        let (wallet, events) = tree.current();
        let Err(why) = world.play(wallet, &events).await else {
            continue;
        };
        // Shrink (at most SHRINK_STEPS replays): keep the simplest history that still fails; each replay starts
        // with a code and buyers of its own.
        let mut smallest = ((wallet, events), why);
        let mut more = tree.simplify();
        for _ in 0..SHRINK_STEPS {
            if !more {
                break;
            }
            let (wallet, events) = tree.current();
            more = match world.play(wallet, &events).await {
                Err(why) => {
                    smallest = ((wallet, events), why);
                    tree.simplify()
                }
                Ok(()) => tree.complicate(),
            };
        }
        world.server.stop().await;
        panic!(
            "a money invariant broke; keep this history as a named regression test:\n{:?}\n{}",
            smallest.0, smallest.1
        );
    }
    world.server.stop().await;
}
