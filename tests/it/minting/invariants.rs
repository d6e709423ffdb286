//! The money invariants over random histories (`proptest`): sequences of orders, card notifications (duplicated,
//! reordered), refunds at the provider and by an admin, credit payments, admin approve/reject/void/block, mint
//! runs and anvil outages, played against the real server, PostgreSQL and anvil. After each history: at most one
//! reward per order; nothing live or paid out without a clawback on a refunded order; what the chain paid the
//! referrer's wallet is what the ledger minted to it, with no drift; every reward's minted and netted parts add up
//! to its size, and nettings never exceed a clawback; stock and credit move only with payments and refunds. Each
//! history has a code, a wallet and buyers of its own and is checked on its own, so a failure shrinks to the
//! history that causes it. `PROPTEST_CASES` sets the number of histories (the test command's
//! default is below); a failure is shrunk and printed, to be kept as a named regression test beside this one.
use super::*;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use std::collections::HashMap;

const ESPRESSO: &str = "coffee-espresso-blend";
/// One espresso, in kopecks; 5 % of it at 40.00 UAH per token is 0.525 token.
const PRICE: i64 = 42_000;
const CASES: u32 = 200;
const STOCK: i64 = 1_000_000;
const SHRINK_STEPS: usize = 64;

#[derive(Debug, Clone, Copy)]
enum Event {
    Order {
        buyer: u8,
        cups: u8,
    },
    /// A buyer's order paid with credit, minted, then refunded by an admin: a clawback to net.
    PaidOutRefunded {
        buyer: u8,
        cups: u8,
    },
    CardPaid {
        order: u8,
        twice: bool,
    },
    CardRefunded {
        order: u8,
    },
    CreditPaid {
        order: u8,
    },
    AdminRefund {
        order: u8,
    },
    Approve {
        order: u8,
    },
    Reject {
        order: u8,
    },
    Void {
        order: u8,
    },
    Block {
        on: bool,
    },
    Mint,
    Outage,
}

fn event() -> impl Strategy<Value = Event> {
    use proptest::prelude::*;
    let order = 0u8..3;
    prop_oneof![
        3 => (0u8..3, 1u8..4).prop_map(|(buyer, cups)| Event::Order { buyer, cups }),
        2 => (0u8..3, 1u8..4).prop_map(|(buyer, cups)| Event::PaidOutRefunded { buyer, cups }),
        4 => (order.clone(), any::<bool>()).prop_map(|(order, twice)| Event::CardPaid { order, twice }),
        3 => order.clone().prop_map(|order| Event::CardRefunded { order }),
        4 => order.clone().prop_map(|order| Event::CreditPaid { order }),
        3 => order.clone().prop_map(|order| Event::AdminRefund { order }),
        4 => order.clone().prop_map(|order| Event::Approve { order }),
        1 => order.clone().prop_map(|order| Event::Reject { order }),
        1 => order.prop_map(|order| Event::Void { order }),
        1 => any::<bool>().prop_map(|on| Event::Block { on }),
        4 => Just(Event::Mint),
        1 => Just(Event::Outage),
    ]
}

fn history() -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(event(), 1..12)
}

struct World {
    pool: PgPool,
    chain: Chain,
    server: TestServer,
    admin: reqwest::Client,
    played: usize,
}

/// An order of a history: its reference, its buyer and how many cups.
#[derive(Clone)]
struct Placed {
    reference: String,
    buyer: usize,
    cups: i64,
}

/// What one history created: its code and wallet, its buyers, their orders and the credit granted to them.
struct Played {
    code: String,
    wallet: String,
    buyers: Vec<Option<(reqwest::Client, String)>>,
    orders: Vec<Placed>,
    granted: HashMap<String, i64>,
    stock_before: i64,
}

impl Placed {
    /// The order's amount as the provider writes it.
    fn amount(&self) -> String {
        format!("{}.00", PRICE / 100 * self.cups)
    }
}

impl World {
    async fn play(&mut self, events: &[Event]) -> Result<(), String> {
        self.played += 1;
        // A wallet of its own for each history, proven with its key.
        let signer = signer(&format!("invariants {}", self.played));
        let mut p = Played {
            code: format!("INV-{}", self.played),
            wallet: signer.address().to_checksum(None),
            buyers: vec![None, None, None],
            orders: Vec::new(),
            granted: HashMap::new(),
            stock_before: self.stock().await,
        };
        let owner = format!("inv-{}@r.example", self.played);
        referrer_signing(&self.server, &owner, &p.code, &signer).await;
        for e in events {
            self.apply(&mut p, *e).await?;
        }
        if self.chain.is_down() {
            self.chain.restart().await;
        }
        self.settle().await?;
        self.check(&p).await
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
        if let Event::PaidOutRefunded { buyer, cups } = e {
            return self.paid_out_refunded(p, buyer, cups).await;
        }
        let placed = |i: u8| p.orders.get(i as usize % p.orders.len().max(1)).cloned();
        let status = match e {
            Event::Order { buyer, cups } => {
                let b = buyer as usize;
                if p.buyers[b].is_none() {
                    let email = format!("inv-{}-{b}@b.example", self.played);
                    p.buyers[b] = Some(referred_buyer(&self.server, &p.code, &email).await);
                }
                let (http, _) = p.buyers[b].as_ref().unwrap();
                let reference = ordered(http, &self.server, ESPRESSO, cups.into()).await;
                p.orders.push(Placed {
                    reference,
                    buyer: b,
                    cups: cups.into(),
                });
                201
            }
            Event::PaidOutRefunded { .. } => unreachable!("played by paid_out_refunded"),
            Event::CardPaid { order, twice } => {
                let Some(o) = placed(order) else {
                    return Ok(());
                };
                let first = pay_event(&self.server, &o.reference, &o.amount(), "Approved").await;
                if twice {
                    pay_event(&self.server, &o.reference, &o.amount(), "Approved").await;
                }
                first.status().as_u16()
            }
            Event::CardRefunded { order } => {
                let Some(o) = placed(order) else {
                    return Ok(());
                };
                let resp = pay_event(&self.server, &o.reference, &o.amount(), "Refunded").await;
                resp.status().as_u16()
            }
            Event::CreditPaid { order } => {
                let Some(o) = placed(order) else {
                    return Ok(());
                };
                let (http, buyer_id) = p.buyers[o.buyer].as_ref().unwrap();
                let amount = PRICE * o.cups;
                db::credit::grant(&self.pool, buyer_id, amount, "UAH", "test")
                    .await
                    .unwrap();
                *p.granted.entry(buyer_id.clone()).or_default() += amount;
                http.post(self.server.url("/api/store/payments/credit"))
                    .json(&json!({ "orderReference": o.reference }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
            Event::AdminRefund { order } => {
                let Some(o) = placed(order) else {
                    return Ok(());
                };
                self.admin_post(&format!("/api/admin/orders/{}/refund", o.reference), None)
                    .await
            }
            Event::Approve { order } | Event::Reject { order } | Event::Void { order } => {
                let Some(o) = placed(order) else {
                    return Ok(());
                };
                let Some(id) = reward_id(&self.pool, &o.reference).await else {
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
            502 if matches!(e, Event::Outage) => Ok(()),
            500..=599 => Err(format!("{e:?} answered {status}")),
            _ => Ok(()),
        }
    }

    async fn paid_out_refunded(
        &mut self,
        p: &mut Played,
        buyer: u8,
        cups: u8,
    ) -> Result<(), String> {
        Box::pin(self.apply(p, Event::Order { buyer, cups })).await?;
        let last = (p.orders.len() - 1) as u8;
        Box::pin(self.apply(p, Event::CreditPaid { order: last })).await?;
        if self.chain.is_down() {
            self.chain.restart().await;
        }
        self.settle().await?;
        Box::pin(self.apply(p, Event::AdminRefund { order: last })).await
    }

    async fn admin_post(&self, path: &str, body: Option<Value>) -> u16 {
        let mut req = self.admin.post(self.server.url(path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap().status().as_u16()
    }

    async fn stock(&self) -> i64 {
        sqlx::query_scalar("SELECT (data->>'stock')::bigint FROM products WHERE id = $1")
            .bind(ESPRESSO)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// The invariants over what history `p` left behind.
    async fn check(&self, p: &Played) -> Result<(), String> {
        for (what, sql) in [
            ("orders with more than one reward", ONE_REWARD),
            (
                "refunded orders with a live reward, or a paid-out one without a clawback",
                REFUNDED,
            ),
            (
                "rewards whose minted and netted parts do not add up to their size",
                SIZES,
            ),
            ("clawbacks netted beyond their amount", CLAWBACKS),
        ] {
            let rows: Vec<String> = sqlx::query_scalar(sql)
                .bind(&p.code)
                .fetch_all(&self.pool)
                .await
                .unwrap();
            if !rows.is_empty() {
                return Err(format!("{what}: {rows:?}"));
            }
        }
        let ours: Vec<String> = p
            .orders
            .iter()
            .map(|o| order_ref(&o.reference).to_string())
            .chain(p.orders.iter().map(|o| o.reference.clone()))
            .collect();
        let drift: Vec<_> = self
            .chain
            .drift(&self.pool)
            .await
            .into_iter()
            .filter(|d| {
                let d = format!("{d:?}");
                ours.iter().any(|o| d.contains(o.as_str()))
            })
            .collect();
        if !drift.is_empty() {
            return Err(format!("ledger↔chain drift: {drift:?}"));
        }
        let minted: String = sqlx::query_scalar(
            "SELECT COALESCE(sum((data->>'amountWei')::numeric), 0)::text FROM referral_rewards
             WHERE data->>'status' = 'minted' AND data->>'referralCode' = $1",
        )
        .bind(&p.code)
        .fetch_one(&self.pool)
        .await
        .unwrap();
        let on_chain = self.chain.balance(&p.wallet).await;
        if on_chain.to_string() != minted {
            return Err(format!(
                "the chain paid {on_chain}, the ledger minted {minted}"
            ));
        }
        self.check_goods(p).await
    }

    /// Stock leaves with each paid order and comes back with its refund; credit is what was granted less what
    /// pays for orders still paid with it.
    async fn check_goods(&self, p: &Played) -> Result<(), String> {
        let mut sold = 0;
        let mut spent: HashMap<&str, i64> = HashMap::new();
        for o in &p.orders {
            let (status, rail) = order_state(&self.pool, &o.reference).await;
            if status == "paid" {
                sold += o.cups;
                if rail.as_deref() == Some("crypto") {
                    *spent
                        .entry(&p.buyers[o.buyer].as_ref().unwrap().1)
                        .or_default() += PRICE * o.cups;
                }
            }
        }
        let stock = self.stock().await;
        if stock != p.stock_before - sold {
            return Err(format!(
                "stock {stock}, expected {} − {sold} sold",
                p.stock_before
            ));
        }
        for (buyer, granted) in &p.granted {
            let balance = db::credit::balance(&self.pool, buyer, "UAH").await.unwrap();
            let spent = spent.get(buyer.as_str()).copied().unwrap_or(0);
            if balance != granted - spent {
                return Err(format!(
                    "{buyer}: credit {balance}, granted {granted}, spent {spent}"
                ));
            }
        }
        Ok(())
    }
}

/// The rewards of the history's code (`$1`).
const ONE_REWARD: &str =
    "SELECT data->>'orderReference' FROM referral_rewards WHERE data->>'referralCode' = $1
                          GROUP BY 1 HAVING count(*) > 1";
const REFUNDED: &str = "SELECT r.data->>'orderReference' || ' ' || (r.data->>'status')
    FROM referral_rewards r JOIN orders o ON o.data->>'orderReference' = r.data->>'orderReference'
    WHERE r.data->>'referralCode' = $1 AND o.data->>'status' = 'refunded'
      AND (r.data->>'status' IN ('pending', 'approved', 'failed', 'minting')
           OR (r.data->>'status' IN ('minted', 'netted')
               AND NOT EXISTS (SELECT 1 FROM clawbacks c WHERE c.reward_id = r.id)))";
const SIZES: &str = "SELECT r.id || ' ' || (r.data->>'amountWei') || '+' || COALESCE(r.data->>'nettedWei', '0')
    FROM referral_rewards r
    WHERE r.data->>'referralCode' = $1 AND NOT (r.data->>'priceNeeded')::boolean
      AND ((r.data->>'amountWei')::numeric + COALESCE((r.data->>'nettedWei')::numeric, 0)
             <> div((r.data->>'fiatAmount')::numeric * 1000000000000000000, 4000)
           OR COALESCE((r.data->>'nettedWei')::numeric, 0)
             <> COALESCE((SELECT sum(amount_wei) FROM clawback_nettings n WHERE n.reward_id = r.id), 0))";
const CLAWBACKS: &str = "SELECT c.id FROM clawbacks c JOIN referral_rewards r ON r.id = c.reward_id
    WHERE r.data->>'referralCode' = $1
      AND c.amount_wei < (SELECT COALESCE(sum(amount_wei), 0) FROM clawback_nettings n WHERE n.clawback_id = c.id)";

/// The runner's seed: `PROPTEST_RNG_SEED` (a number) or a fixed one.
fn seed() -> [u8; 32] {
    let n: u64 = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261201);
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    seed
}

async fn order_state(pool: &PgPool, reference: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT data->>'status', data->>'rail' FROM orders WHERE data->>'orderReference' = $1",
    )
    .bind(reference)
    .fetch_one(pool)
    .await
    .unwrap()
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
    refcodes::server::platform::demo::seed_catalog(&pool)
        .await
        .unwrap();
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
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES);
    // A fixed seed: the same histories on every run (set PROPTEST_RNG_SEED for others).
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig {
            cases,
            ..RunnerConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed()),
    );
    let strategy = history();
    for _ in 0..cases {
        let mut tree = strategy.new_tree(&mut runner).unwrap();
        let events = tree.current();
        let Err(why) = world.play(&events).await else {
            continue;
        };
        // Shrink (at most SHRINK_STEPS replays): keep the simplest history that still fails.
        let mut smallest = (events, why);
        let mut more = tree.simplify();
        for _ in 0..SHRINK_STEPS {
            if !more {
                break;
            }
            let events = tree.current();
            more = match world.play(&events).await {
                Err(why) => {
                    smallest = (events, why);
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
    // The histories reached the paths that matter: paid-out rewards clawed back and netted, partly and wholly.
    let reached: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM clawbacks), (SELECT count(*) FROM clawback_nettings),
                (SELECT count(*) FROM referral_rewards WHERE data->>'status' = 'netted'),
                (SELECT count(*) FROM referral_rewards WHERE data->>'status' = 'minted'
                                                        AND (data->>'nettedWei')::numeric > 0)",
    )
    .fetch_one(&world.pool)
    .await
    .unwrap();
    println!("{cases} histories: (clawbacks, nettings, netted rewards, partly netted minted rewards) = {reached:?}");
    if cases >= CASES {
        assert!(
            reached.0 > 0 && reached.1 > 0,
            "no history clawed back and netted: {reached:?}"
        );
    }
    world.server.stop().await;
}
