//! Bulk-approves N pending rewards the way the admin page does: the real server in process over a fresh
//! database, N pending rewards, one admin signed in, then one `POST /api/admin/rewards/bulk` with the filter
//! `status=pending` (the page's "approve all matching"). Prints the time of the ledger page, the totals and
//! the bulk approval, and checks that every reward moved once with one audit entry (exit 1 otherwise).
//!
//! `cargo run --release --no-default-features --features ssr --example admin_bench -- [N]` (default 10000,
//! at most the bulk cap). It runs over its own database `refcodes_bench_admin`, dropped and created again at every
//! run; `DATABASE_URL` only chooses the server (default `127.0.0.1:5432`, user `postgres`) and its own database is
//! never touched. A `refcodes_bench_admin` no benchmark created is refused (`src/server/platform/bench_database.rs`).
#[path = "common/server.rs"]
mod server;

use refcodes::domain::user::Role;
use refcodes::server::accounts::roles;
use serde_json::{json, Value};
use server::Bench;
use std::time::{Duration, Instant};

type Error = Box<dyn std::error::Error>;

const ADMIN: &str = "bench-admin@example.com";
const PASSWORD: &str = "bench-admin-password";

#[tokio::main]
async fn main() -> Result<(), Error> {
    let n: i64 = std::env::args().nth(1).map_or(Ok(10_000), |a| a.parse())?;
    let bench = Bench::start_with("admin", true, &[], |pool| seed(pool, n)).await?;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(600))
        .build()?;
    let url = |path: &str| format!("{}{path}", bench.base);
    http.post(url("/api/auth/signup"))
        .json(&json!({ "email": ADMIN, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?;
    roles::set_role(&bench.state.pool, ADMIN, Role::Admin, roles::OPERATOR).await?;
    http.post(url("/api/auth/login"))
        .json(&json!({ "email": ADMIN, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?;
    println!("admin_bench: {n} pending rewards");

    let started = Instant::now();
    let page: Value = http
        .get(url("/api/admin/rewards?status=pending"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let listed = started.elapsed();
    let matching = page["totals"][0]["count"].as_i64().unwrap_or_default();

    let started = Instant::now();
    let acted: Value = http
        .post(url("/api/admin/rewards/bulk"))
        .json(&json!({ "action": "approve", "filter": { "status": "pending" } }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let approved_in = started.elapsed();
    let moved = acted["moved"].as_array().map_or(0, Vec::len) as i64;
    let pool = bench.state.pool.clone();
    bench.stop().await?;

    let (approved, audited) = check(&pool).await?;
    println!(
        "first ledger page with totals in {:.0} ms ({matching} matching); bulk approve of {moved} in {:.2} s \
         ({:.0} rewards/s)",
        listed.as_secs_f64() * 1000.0,
        approved_in.as_secs_f64(),
        moved as f64 / approved_in.as_secs_f64()
    );
    let exact = moved == n && approved == n && audited == n;
    println!(
        "approved in the ledger {approved}, in the audit entry {audited} ({})",
        if exact { "exactly once" } else { "MISMATCH" }
    );
    if !exact {
        std::process::exit(1);
    }
    Ok(())
}

/// `n` pending card rewards across 100 codes, one second apart.
async fn seed(pool: sqlx::PgPool, n: i64) -> Result<(), Error> {
    sqlx::query(
        r#"INSERT INTO referral_rewards (id, data, created_at)
           SELECT 'bench-' || g, jsonb_build_object(
                    'orderReference', 'RC-BENCH-' || g, 'kind', 'store', 'referralCode', 'BENCH-' || (g % 100),
                    'referrerUserId', 'bench-referrer', 'referrerWallet', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
                    'buyerUserId', 'bench-buyer-' || g, 'rail', 'fiat', 'fiatAmount', 2000, 'currency', 'UAH',
                    'rateBps', 500, 'amountWei', '500000000000000000', 'priceNeeded', false, 'status', 'pending',
                    'oracle', jsonb_build_object('price', '4000', 'decimals', 2, 'source', 'fixed')),
                  now() - interval '1 day' + g * interval '1 second'
           FROM generate_series(1, $1) g"#,
    )
    .bind(n)
    .execute(&pool)
    .await?;
    Ok(())
}

/// Rewards now approved, and how many rewards the (one) approve audit entry names.
async fn check(pool: &sqlx::PgPool) -> Result<(i64, i64), Error> {
    let approved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM referral_rewards WHERE data->>'status' = 'approved'",
    )
    .fetch_one(pool)
    .await?;
    let audited: i64 = sqlx::query_scalar(
        "SELECT COALESCE(sum(jsonb_array_length(data->'targetIds')), 0)::bigint FROM audit_log WHERE data->>'action' = 'approve'",
    )
    .fetch_one(pool)
    .await?;
    Ok((approved, audited))
}
