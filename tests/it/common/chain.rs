//! A real anvil with the contracts deployed, and the app's minting helpers the chain tests share: a server on
//! that chain, the cron call, approved rewards, and checks of the chain against the ledger.
use super::*;
use refcodes::server::db;
pub use refcodes::server::db::rewards::RewardPatch;
use refcodes::server::mint::drift::{self, Drift};
use refcodes::server::mint::{Chain as MintChain, MintService};
use refcodes::server::platform::config::Config;
use refcodes_chain::alloy::node_bindings::AnvilInstance;
use refcodes_chain::alloy::primitives::U256;
use refcodes_chain::alloy::providers::Provider;
use refcodes_chain::anvil::{anvil_signer, spawn_anvil_with, spawn_anvil_with_state, stop_anvil};
use refcodes_chain::{
    deploy, order_ref, send_and_confirm, signer_from_hex, ChainClient, Deployment, Minter, Mode,
    ReferralRewards, RewardToken, Transport,
};
use serde_json::Value;
use sqlx::PgPool;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// anvil's development account 1: the operator the contracts are deployed with (a public test fixture).
pub const MINTER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
pub const SECRET: &str = "test-cron-secret-0123456789";
pub const ONE: u128 = 1_000_000_000_000_000_000;

/// Every log line of this test binary, from the first test that asks on.
pub fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,hyper_util=info,h2=info,reqwest=info,sqlx=info")
            .with_writer(move || Sink(sink.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A folder removed at the end of the test.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("refcodes-minting-{}", uuid()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn uuid() -> String {
    refcodes::server::accounts::auth::new_id()
}

/// anvil with its state kept in a file (so it survives a graceful stop), and the contracts deployed
/// (admin: account 0, operator = the minter: account 1).
pub struct Chain {
    anvil: Option<AnvilInstance>,
    port: u16,
    dir: TempDir,
    pub admin: ChainClient,
    pub d: Deployment,
}

impl Chain {
    pub async fn start() -> Chain {
        Chain::start_with(|a| a).await
    }

    /// With extra anvil arguments for the first run (e.g. interval mining).
    pub async fn start_with(
        configure: impl FnOnce(
            refcodes_chain::alloy::node_bindings::Anvil,
        ) -> refcodes_chain::alloy::node_bindings::Anvil,
    ) -> Chain {
        logs();
        let dir = TempDir::new();
        let state = dir.0.join("state.json");
        let anvil =
            spawn_anvil_with(|a| configure(a.arg("--state").arg(state.as_os_str()))).unwrap();
        let admin = ChainClient::connect(&anvil.endpoint(), anvil_signer(&anvil, 0).unwrap())
            .await
            .unwrap();
        let operator = signer_from_hex(MINTER_KEY).unwrap().address();
        let d = deploy(&admin, admin.sender(), operator, Mode::Mint, U256::ZERO)
            .await
            .unwrap();
        Chain {
            port: anvil.port(),
            anvil: Some(anvil),
            dir,
            admin,
            d,
        }
    }

    /// anvil's plain-HTTP port on loopback.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CHAIN_RPC_URL", format!("http://127.0.0.1:{}", self.port)),
            ("REWARDS_CONTRACT_ADDRESS", self.d.proxy.to_string()),
            ("REFERRAL_MINTER_PRIVATE_KEY", MINTER_KEY.into()),
            ("CHAIN_ID", "31337".into()),
            ("CRON_SECRET", SECRET.into()),
            ("MINT_TIMEOUT_SECS", "3".into()),
        ]
    }

    /// The configuration a server on this chain reads, with `overrides` (no database needed to build it).
    pub fn config(
        &self,
        overrides: &[(&str, String)],
    ) -> Result<Config, refcodes::server::platform::config::ConfigError> {
        let mut vars: HashMap<String, String> = self
            .vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        vars.insert("DATABASE_URL".into(), "postgres://x@h/db".into());
        vars.extend(overrides.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Config::from_source(|k| vars.get(k).cloned())
    }

    /// Graceful stop: anvil writes its state.
    pub async fn stop(&mut self) {
        let anvil = self.anvil.take().expect("running");
        tokio::task::spawn_blocking(move || stop_anvil(anvil))
            .await
            .unwrap()
            .unwrap();
    }

    /// Stopped (and not restarted yet).
    pub fn is_down(&self) -> bool {
        self.anvil.is_none()
    }

    /// Back on the same port with the saved state (automine).
    pub async fn restart(&mut self) {
        let state = self.dir.0.join("state.json");
        let port = self.port;
        let anvil = tokio::task::spawn_blocking(move || spawn_anvil_with_state(&state, Some(port)))
            .await
            .unwrap()
            .unwrap();
        self.anvil = Some(anvil);
    }

    /// A minter with the app's key: the "other process" of the crash test.
    pub async fn minter(&self) -> Minter {
        let client = ChainClient::connect(
            &format!("http://127.0.0.1:{}", self.port),
            signer_from_hex(MINTER_KEY).unwrap(),
        )
        .await
        .unwrap();
        Minter::new(client, self.d.proxy).with_poll_interval(Duration::from_millis(50))
    }

    pub async fn balance(&self, wallet: &str) -> U256 {
        let token = RewardToken::new(self.d.token, self.admin.provider().clone());
        token
            .balanceOf(wallet.parse().unwrap())
            .call()
            .await
            .unwrap()
    }

    pub async fn set_paused(&self, paused: bool) {
        let rewards = ReferralRewards::new(self.d.proxy, self.admin.provider().clone());
        if paused {
            send_and_confirm(&rewards.pause(), "pause").await.unwrap();
        } else {
            send_and_confirm(&rewards.unpause(), "unpause")
                .await
                .unwrap();
        }
    }

    /// At most `cap` wei of rewards paid per `length` seconds (the contract admin's setting; 0: no cap).
    pub async fn set_period_cap(&self, cap: u128, length: u64) {
        let rewards = ReferralRewards::new(self.d.proxy, self.admin.provider().clone());
        send_and_confirm(
            &rewards.setPeriodCap(U256::from(cap), length),
            "setPeriodCap",
        )
        .await
        .unwrap();
    }

    /// `blocks` empty blocks: the chain moves on.
    pub async fn mine(&self, blocks: usize) {
        for _ in 0..blocks {
            let _: Value = self
                .admin
                .provider()
                .raw_request("evm_mine".into(), ())
                .await
                .unwrap();
        }
    }

    /// Automatic mining on or off (off: transactions wait in the pool until [`Chain::mine`]).
    pub async fn set_automine(&self, on: bool) {
        let _: Value = self
            .admin
            .provider()
            .raw_request("evm_setAutomine".into(), (on,))
            .await
            .unwrap();
    }

    /// The base fee of the next block, in wei: blocks get dearer (or cheaper).
    pub async fn set_next_base_fee(&self, wei: u128) {
        let _: Value = self
            .admin
            .provider()
            .raw_request("anvil_setNextBlockBaseFeePerGas".into(), (U256::from(wei),))
            .await
            .unwrap();
    }

    /// A snapshot of the chain to go back to ([`Chain::reorganise_to`]).
    pub async fn snapshot(&self) -> Value {
        self.admin
            .provider()
            .raw_request("evm_snapshot".into(), ())
            .await
            .unwrap()
    }

    /// Back to `snapshot`, then `blocks` new blocks: a reorganisation that took every later block (and its
    /// transactions) away.
    pub async fn reorganise_to(&self, snapshot: Value, blocks: usize) {
        let reverted: bool = self
            .admin
            .provider()
            .raw_request("evm_revert".into(), (snapshot,))
            .await
            .unwrap();
        assert!(reverted, "reverted to the snapshot");
        self.mine(blocks).await;
    }

    /// Drops a pooled transaction, as a node that evicts it does.
    pub async fn drop_tx(&self, tx: &str) {
        let _: Value = self
            .admin
            .provider()
            .raw_request("anvil_dropTransaction".into(), (tx,))
            .await
            .unwrap();
    }

    /// `ReferralPaid` events per order reference.
    pub async fn payments(&self, references: &[String]) -> HashMap<String, usize> {
        let events = self.minter().await.paid_events(0, None).await.unwrap();
        references
            .iter()
            .map(|r| {
                let n = events
                    .iter()
                    .filter(|e| e.order_ref == order_ref(r))
                    .count();
                (r.clone(), n)
            })
            .collect()
    }

    /// Every reward's order paid exactly once on chain, minted in the ledger with that transaction, and no drift.
    pub async fn assert_paid_once(&self, pool: &PgPool, references: &[String]) {
        let payments = self.payments(references).await;
        let events = self.minter().await.paid_events(0, None).await.unwrap();
        for r in references {
            assert_eq!(payments[r], 1, "{r} paid once on chain");
            let doc = &rewards_of(pool, r).await[0];
            assert_eq!(doc["status"], "minted", "{r}: {doc}");
            let event = events.iter().find(|e| e.order_ref == order_ref(r)).unwrap();
            assert_eq!(doc["txHash"], event.tx_hash.to_string(), "{r}: {doc}");
            assert_eq!(doc["blockNumber"], event.block_number, "{r}: {doc}");
        }
        assert_eq!(self.drift(pool).await, Vec::<Drift>::new());
    }

    /// The reconciliation report, as the admin endpoint and the command compute it.
    pub async fn drift(&self, pool: &PgPool) -> Vec<Drift> {
        let vars: HashMap<String, String> = self
            .vars()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .chain([("DATABASE_URL".into(), "postgres://x@h/db".into())])
            .collect();
        let config = Config::from_source(|k| vars.get(k).cloned()).unwrap();
        let service = MintService::new(config.mint.clone(), Transport::new(None).unwrap());
        let chain = MintChain {
            minter: service.minter().await.unwrap(),
            config: service.config(),
        };
        drift::report(pool, &chain).await.unwrap().drift
    }
}

pub async fn server(pool: &PgPool, chain: &Chain, extra: &[(&str, &str)]) -> TestServer {
    let vars = chain.vars();
    let mut borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    borrowed.extend_from_slice(extra);
    TestServer::start(pool.clone(), &borrowed).await
}

pub async fn cron(server: &TestServer) -> (u16, Value) {
    let resp = client()
        .get(server.url("/api/cron/refcodes-mint"))
        .bearer_auth(SECRET)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// The account `referrer` of the seeded rewards, with `wallet` stored as proven (a fixture: the proof flow itself
/// is tested in tests/it/refcodes_registry/wallet_proofs.rs), so the minter pays it.
pub async fn proven_by_referrer(pool: &PgPool, wallet: &str) {
    sqlx::query(
        r#"INSERT INTO users (id, data) VALUES ('referrer', '{"email": "referrer@chain.test", "role": "member"}')
           ON CONFLICT DO NOTHING"#,
    )
    .execute(pool)
    .await
    .unwrap();
    db::wallets::insert_proven(pool, "referrer", &[wallet.to_string()], "test fixture")
        .await
        .unwrap();
}

/// `n` approved rewards of `amount` wei each to `wallet`, proven by their referrer; returns their order references.
pub async fn approved(
    pool: &PgPool,
    tag: &str,
    n: usize,
    wallet: &str,
    amount: u128,
) -> Vec<String> {
    proven_by_referrer(pool, wallet).await;
    approved_for(pool, "referrer", tag, n, wallet, amount).await
}

/// `n` approved rewards of `referrer` of `amount` wei each to `wallet`; returns their order references.
pub async fn approved_for(
    pool: &PgPool,
    referrer: &str,
    tag: &str,
    n: usize,
    wallet: &str,
    amount: u128,
) -> Vec<String> {
    let mut references = Vec::new();
    for i in 0..n {
        let reference = format!("{tag}-{i}");
        let data = RewardDoc {
            approved_by: Some("admin".into()),
            ..reward_doc(
                referrer,
                &reference,
                wallet,
                amount.to_string(),
                RewardStatus::Approved,
            )
        };
        let mut conn = pool.acquire().await.unwrap();
        db::rewards::insert(&mut conn, &uuid(), &data)
            .await
            .unwrap();
        references.push(reference);
    }
    references
}

/// A refunded store order for `reference` (a seeded reward's order, refunded at the provider).
pub async fn refunded_order(pool: &PgPool, reference: &str) {
    sqlx::query(
        r#"INSERT INTO orders (id, data) VALUES ($1, jsonb_build_object('orderReference', $1::text,
               'kind', 'store', 'buyerUserId', 'buyer', 'amount', 42000, 'currency', 'UAH', 'status', 'refunded'))"#,
    )
    .bind(reference)
    .execute(pool)
    .await
    .unwrap();
}

pub async fn statuses(pool: &PgPool, references: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for r in references {
        out.push(
            rewards_of(pool, r).await[0]["status"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    out
}

pub fn wei(n: u128) -> U256 {
    U256::from(n)
}

/// Makes an approved reward `minting` with `tx_hash` and nothing else, as a release that did not record nonces
/// left it.
pub async fn sent_before_nonces(pool: &PgPool, id: &str, tx_hash: &str) {
    let moved = sqlx::query(
        r#"UPDATE referral_rewards SET data = data || jsonb_build_object('status', 'minting', 'txHash', $2::text)
           WHERE id = $1 AND data->>'status' = 'approved'"#,
    )
    .bind(id)
    .bind(tx_hash)
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(moved.rows_affected(), 1);
}

/// The patch of a reward whose order was refunded.
pub fn voided_by_a_refund() -> RewardPatch {
    RewardPatch::Voided {
        why: "order refunded".into(),
        by: None,
        at: chrono::Utc::now(),
    }
}
