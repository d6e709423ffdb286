//! Backup and restore against a real PostgreSQL and a real anvil: the test's database is backed up with
//! `pg_dump -Fc`, the chain moves on, the dump is restored with `pg_restore` into a fresh database and the app runs
//! on it against the same chain. Whatever the backup missed — a whole mint run, or a send whose database record
//! was lost — the next run pays nothing again and leaves every reward `minted` with the transaction that really
//! paid it, and the reconciliation report is empty.
use crate::common;
use common::chain::*;
use common::pg::*;
use common::*;
use refcodes::server::db;
use refcodes_chain::alloy::primitives::U256;
use refcodes_chain::{order_ref, PaidEvent, RewardEntry};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::path::Path;
use std::time::Duration;

/// Backs up the database `pool` is on (`pg_dump -Fc`) into `file`.
async fn backup(pool: &PgPool, file: &Path) {
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(pool)
        .await
        .unwrap();
    let file = file.to_str().unwrap();
    run("pg_dump", &["-Fc", "-f", file, "-d", &url_of(&name)]);
}

/// Restores `file` into a fresh database (`pg_restore`), migrated as the app's start-up does; the database is
/// dropped when the first value goes.
async fn restore(file: &Path) -> (ScratchDatabase, PgPool) {
    let restored = ScratchDatabase::create(&unique_name("refcodes_test_restored"));
    let file = file.to_str().unwrap();
    let args = ["--no-owner", "--exit-on-error", "-d", &restored.url, file];
    run("pg_restore", &args);
    let pool = PgPool::connect(&restored.url).await.unwrap();
    db::migrate(&pool).await.unwrap();
    (restored, pool)
}

/// What the chain shows of the payments: its head, the wallets' balances, every `ReferralPaid` event.
#[derive(Debug, PartialEq)]
struct Onchain {
    head: u64,
    balances: Vec<U256>,
    events: Vec<PaidEvent>,
}

async fn onchain(chain: &Chain) -> Onchain {
    let minter = chain.minter().await;
    Onchain {
        head: minter.block_number().await.unwrap(),
        balances: vec![chain.balance(WALLET_A).await, chain.balance(WALLET_B).await],
        events: minter.paid_events(0, None).await.unwrap(),
    }
}

/// `(status, txHash, blockNumber)` of each reward.
async fn ledger(pool: &PgPool, references: &[String]) -> Vec<(Value, Value, Value)> {
    let mut out = Vec::new();
    for r in references {
        let doc = &rewards_of(pool, r).await[0];
        out.push((
            doc["status"].clone(),
            doc["txHash"].clone(),
            doc["blockNumber"].clone(),
        ));
    }
    out
}

/// One mint run on `pool`'s database by a fresh app instance: its summary.
async fn mint_run(pool: &PgPool, chain: &Chain) -> Value {
    let server = server(pool, chain, &[]).await;
    let (status, summary) = cron(&server).await;
    server.stop().await;
    assert_eq!(status, 200, "{summary}");
    summary
}

fn counts(summary: &Value) -> [u64; 5] {
    ["minted", "skipped", "reconciled", "batches", "failed"].map(|k| summary[k].as_u64().unwrap())
}

#[sqlx::test]
async fn a_backup_older_than_a_mint_run_pays_nothing_again_once_restored(pool: PgPool) {
    let chain = Chain::start().await;
    let dir = TempDir::new();
    let dump = dir.0.join("refcodes.dump");
    let mut refs = approved(&pool, "BACKUP-A", 3, WALLET_A, 2 * ONE).await;
    refs.extend(approved(&pool, "BACKUP-B", 2, WALLET_B, ONE).await);
    backup(&pool, &dump).await;

    let first = mint_run(&pool, &chain).await;
    assert_eq!(counts(&first), [5, 0, 0, 1, 0], "{first}");
    let tx = first["txHashes"][0].clone();
    let paid = ledger(&pool, &refs).await;
    assert!(
        paid.iter().all(|(s, t, _)| *s == "minted" && *t == tx),
        "{paid:?}"
    );
    chain.assert_paid_once(&pool, &refs).await;
    // The chain moves on before the restore: the payments lie well before the restored run's chain head.
    chain.mine(5).await;
    let before = onchain(&chain).await;
    assert_eq!(before.balances, [U256::from(6 * ONE), U256::from(2 * ONE)]);

    let (restored, restored_pool) = restore(&dump).await;
    assert_eq!(statuses(&restored_pool, &refs).await, vec!["approved"; 5]);
    let again = mint_run(&restored_pool, &chain).await;
    assert_eq!(counts(&again), [0, 5, 0, 0, 0], "{again}");
    assert_eq!(again["txHashes"], json!([]), "{again}");
    assert_eq!(onchain(&chain).await, before, "nothing was sent");
    assert_eq!(ledger(&restored_pool, &refs).await, paid);
    chain.assert_paid_once(&restored_pool, &refs).await;

    let third = mint_run(&restored_pool, &chain).await;
    assert_eq!(counts(&third), [0; 5], "{third}");
    assert_eq!(onchain(&chain).await, before);
    restored_pool.close().await;
    drop(restored);
}

#[sqlx::test]
async fn a_backup_newer_than_a_lost_send_settles_it_with_the_paying_transaction(pool: PgPool) {
    let chain = Chain::start().await;
    let dir = TempDir::new();
    let dump = dir.0.join("refcodes.dump");
    let approved_refs = approved(&pool, "LOST-APPROVED", 2, WALLET_A, ONE).await;
    let minting_refs = approved(&pool, "LOST-MINTING", 2, WALLET_B, ONE).await;
    // A run claimed the four (recording its intent), sent them in one transaction, and its later writes were
    // lost: two rewards are still `approved`, two `minting` without a hash.
    let minter = chain.minter().await;
    let head = minter.block_number().await.unwrap();
    let claimed = db::rewards::claim_for_mint(&pool, 4, "lost-batch", head as i64)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 4);
    let entries: Vec<RewardEntry> = claimed
        .iter()
        .map(|c| RewardEntry {
            to: c.wallet.as_deref().unwrap().parse().unwrap(),
            amount: U256::from(ONE),
            order_ref: order_ref(&c.order_reference),
        })
        .collect();
    let tx = minter.send(&entries).await.unwrap();
    let receipt = minter
        .wait(tx, 1, Duration::from_secs(10))
        .await
        .unwrap()
        .unwrap();
    assert!(receipt.success);
    let mut minting_ids = Vec::new();
    for r in &minting_refs {
        minting_ids.push(db::rewards::for_order(&pool, r).await.unwrap().unwrap().0);
    }
    let moved = db::rewards::move_status(
        &mut pool.acquire().await.unwrap(),
        &minting_ids,
        &RewardPatch::PaidBefore,
    )
    .await
    .unwrap();
    assert_eq!(moved.len(), 2);
    chain.mine(5).await;
    backup(&pool, &dump).await;
    let before = onchain(&chain).await;
    assert_eq!(before.balances, [U256::from(2 * ONE), U256::from(2 * ONE)]);

    let (restored, restored_pool) = restore(&dump).await;
    let mut refs = approved_refs.clone();
    refs.extend(minting_refs.clone());
    assert_eq!(
        statuses(&restored_pool, &refs).await,
        ["approved", "approved", "minting", "minting"]
    );
    let run = mint_run(&restored_pool, &chain).await;
    assert_eq!(counts(&run), [0, 2, 2, 0, 0], "{run}");
    assert_eq!(onchain(&chain).await, before, "nothing was sent");
    let settled = ledger(&restored_pool, &refs).await;
    let paid_by = (
        json!("minted"),
        json!(tx.to_string()),
        json!(receipt.block_number),
    );
    assert_eq!(settled, vec![paid_by; 4]);
    chain.assert_paid_once(&restored_pool, &refs).await;
    restored_pool.close().await;
    drop(restored);
}
