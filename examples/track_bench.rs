//! Fires N visits at one hot referral code through `POST /api/refcodes/track` on the real server (in process,
//! loopback), stops it gracefully, and checks that `visits` grew by exactly N.
//!
//! `cargo run --release --no-default-features --features ssr --example track_bench -- [N] [CONCURRENCY]`
//! (defaults 100000 and 64). It runs over its own database `refcodes_bench_track`, created and migrated when
//! missing and kept across runs; `DATABASE_URL` only chooses the server (default `127.0.0.1:5432`, user
//! `postgres`) and its own database is never touched. A `refcodes_bench_track` no benchmark created is refused
//! (`src/server/platform/bench_database.rs`).
#[path = "common/load.rs"]
mod load;
#[path = "common/server.rs"]
mod server;

use refcodes::server::db;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(100_000), |a| a.parse())?;
    let concurrency: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    // Every ping comes from a visitor of its own (a visitor counts once per code per hour): the server trusts one
    // proxy hop, and each request names its own address in `X-Forwarded-For`.
    let hops = [(load::ONE_PROXY_HOP.0, load::ONE_PROXY_HOP.1.to_string())];
    let bench = server::Bench::start_with("track", false, &hops, |_| async { Ok(()) }).await?;
    let pool = bench.state.pool.clone();
    let (owner, code) = bench.member_with_code().await?;
    let visits = || async {
        db::refcodes::find_owned(&pool, &owner, &code)
            .await
            .map(|c| c.map_or(0, |c| c.visits))
    };
    let before = visits().await?;
    println!(
        "track_bench: {n} visits of {code} at {concurrency} concurrent, server {}",
        bench.base
    );

    let url = format!("{}/api/refcodes/track", bench.base);
    let body = serde_json::to_vec(&serde_json::json!({ "code": code }))?;
    let visitors = load::Visitors::default();
    let report = load::fire(
        n,
        concurrency,
        move |http| {
            http.post(&url)
                .header("content-type", "application/json")
                .header("x-forwarded-for", visitors.next())
                .body(body.clone())
        },
        |status| status == 204,
    )
    .await;
    bench.stop().await?;
    let after = visits().await?;

    report.print("POST /api/refcodes/track");
    let counted = after - before;
    let exact = counted == n as i64 && report.errors == 0;
    println!(
        "visits before {before}  after {after}  difference {counted}  ({})",
        if exact { "exact" } else { "MISMATCH" }
    );
    if !exact {
        std::process::exit(1);
    }
    Ok(())
}
