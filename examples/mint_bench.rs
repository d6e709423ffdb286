//! Mints N approved rewards end to end: a fresh anvil with the contracts deployed, the real server in process over
//! a fresh database, N approved rewards to 1 000 wallets, then one `GET /api/cron/refcodes-mint`. Prints the time,
//! the rewards per second, the batches and transactions and the gas per reward, and checks that every reward is
//! minted once (exit 1 otherwise).
//!
//! `cargo run --release --no-default-features --features ssr --example mint_bench -- [N] [BATCH] [BLOCK_SECS]`
//! (defaults 10000, 300 and 0: anvil mines each transaction at once; 1 mines a block a second, as a real chain
//! does, and each batch waits for its block). It runs over its own database `refcodes_bench_mint`, dropped and created again at
//! every run; `DATABASE_URL` only chooses the server (default `127.0.0.1:5432`, user `postgres`) and its own
//! database is never touched. A `refcodes_bench_mint` no benchmark created is refused
//! (`src/server/platform/bench_database.rs`).
#[path = "common/server.rs"]
mod server;

use refcodes::domain::mint::MintSummary;
use refcodes::domain::reward::{RewardKind, RewardStatus};
use refcodes::domain::store::Rail;
use refcodes::server::db::rewards::RewardDoc;
use refcodes::server::mint::Chain;
use refcodes::server::{accounts::auth, db, mint::drift};
use refcodes_chain::alloy::primitives::U256;
use refcodes_chain::anvil::{anvil_signer, spawn_anvil, spawn_anvil_with};
use refcodes_chain::{deploy, ChainClient, Mode, RewardToken};
use server::Bench;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

const SECRET: &str = "mint-bench-cron-secret";
const WALLETS: usize = 1_000;
/// 0.5 token per reward.
const AMOUNT: u128 = 500_000_000_000_000_000;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(10_000), |a| a.parse())?;
    let batch: usize = args.next().map_or(Ok(300), |a| a.parse())?;
    let block_secs: u64 = args.next().map_or(Ok(0), |a| a.parse())?;
    let anvil = match block_secs {
        0 => spawn_anvil()?,
        secs => spawn_anvil_with(|a| a.arg("--block-time").arg(secs.to_string()))?,
    };
    let admin = ChainClient::connect(&anvil.endpoint(), anvil_signer(&anvil, 0)?).await?;
    let operator = anvil_signer(&anvil, 1)?;
    let deployment = deploy(
        &admin,
        admin.sender(),
        operator.address(),
        Mode::Mint,
        U256::ZERO,
    )
    .await?;
    let extra = [
        ("CHAIN_RPC_URL", anvil.endpoint()),
        ("REWARDS_CONTRACT_ADDRESS", deployment.proxy.to_string()),
        (
            "REFERRAL_MINTER_PRIVATE_KEY",
            operator.to_bytes().to_string(),
        ),
        ("CRON_SECRET", SECRET.to_string()),
        ("MINT_BATCH_SIZE", batch.to_string()),
        ("CHAIN_ID", anvil.chain_id().to_string()),
        ("MINT_TIMEOUT_SECS", "120".to_string()),
        ("MINT_RUN_DEADLINE_SECS", "3600".to_string()),
    ];
    let bench = Bench::start_with("mint", true, &extra, |pool| seed(pool, n)).await?;
    println!(
        "mint_bench: {n} approved rewards to {WALLETS} wallets, batches of {batch}, anvil {} ({})",
        anvil.endpoint(),
        match block_secs {
            0 => "a block per transaction".to_string(),
            secs => format!("a block every {secs} s"),
        }
    );

    let started = Instant::now();
    let summary: MintSummary = reqwest::Client::builder()
        .timeout(Duration::from_secs(3600))
        .build()?
        .get(format!("{}/api/cron/refcodes-mint", bench.base))
        .bearer_auth(SECRET)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let elapsed = started.elapsed();
    let state = bench.state.clone();
    bench.stop().await?;

    let per_reward = summary.gas_used as f64 / summary.minted.max(1) as f64;
    println!(
        "minted {} in {:.2} s ({:.0} rewards/s), {} batches ({} transactions), gas {} in total, {:.0} per reward",
        summary.minted,
        elapsed.as_secs_f64(),
        summary.minted as f64 / elapsed.as_secs_f64(),
        summary.batches,
        summary.tx_hashes.len(),
        summary.gas_used,
        per_reward
    );
    let token = RewardToken::new(deployment.token, admin.provider().clone());
    let supply = token.totalSupply().call().await?;
    let chain = Chain {
        minter: state.mint.minter().await?,
        config: state.mint.config(),
    };
    let drift = drift::report(&state.pool, &chain).await?.drift;
    let counts = db::rewards::count_by_status(&state.pool).await?;
    let exact = summary.minted == n as u64
        && supply == U256::from(AMOUNT) * U256::from(n)
        && drift.is_empty();
    println!(
        "ledger {counts:?}, token supply {supply}, drift {} ({})",
        drift.len(),
        if exact { "exactly once" } else { "MISMATCH" }
    );
    if !exact {
        std::process::exit(1);
    }
    Ok(())
}

fn wallet(i: usize) -> String {
    format!("0x{:040x}", 0x1000_0000 + i)
}

/// `n` approved rewards to the bench referrer's proven wallets (`i % WALLETS`), in one transaction.
async fn seed(pool: sqlx::PgPool, n: usize) -> Result<(), Error> {
    let mut tx = pool.begin().await?;
    let referrer = db::users::NewUser {
        id: "bench-referrer",
        email: "bench-referrer@bench.invalid",
        password_hash: "-",
        role: refcodes::domain::user::Role::Member,
        referred_by: None,
    };
    db::users::insert(&mut *tx, &referrer).await?;
    let wallets: Vec<String> = (0..WALLETS).map(wallet).collect();
    db::wallets::insert_proven(&mut *tx, "bench-referrer", &wallets, "mint_bench seed").await?;
    for i in 0..n {
        let reference = format!("BENCH-{i:06}");
        let data = RewardDoc {
            order_reference: reference,
            kind: RewardKind::Store,
            referral_code: "BENCH".into(),
            referrer_user_id: "bench-referrer".into(),
            referrer_wallet: wallet(i % WALLETS),
            attributed_via: None,
            buyer_user_id: format!("bench-buyer-{i}"),
            tier: None,
            rail: Rail::Crypto,
            fiat_amount: 2000,
            currency: "UAH".into(),
            rate_bps: 500,
            oracle: None,
            amount_wei: AMOUNT.to_string(),
            netted_wei: None,
            price_needed: false,
            status: RewardStatus::Approved,
            tx_hash: None,
            block_number: None,
            attempts: 0,
            last_error: None,
            approved_by: Some("auto".into()),
            rejected_reason: None,
            held_reason: None,
            hold_until: None,
        };
        db::rewards::insert(&mut tx, &auth::new_id(), &data).await?;
    }
    tx.commit().await?;
    Ok(())
}
