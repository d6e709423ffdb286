//! The landing path beside the server's cheapest route, in one run on the real server (in process, loopback):
//! `GET /` (the locale redirect: no page, no database), `GET /{locale}/?ref=CODE` (the landing page an anonymous
//! visitor gets: capture + render, no database), and `POST /api/refcodes/track` (the visit count).
//!
//! `cargo run --release --no-default-features --features ssr --example landing_bench -- [N] [CONNECTIONS]`
//! (defaults 20000 and 64). It runs over its own database `refcodes_bench_landing`, created when missing and kept
//! across runs; `DATABASE_URL` only chooses the server, as for `track_bench`.
#[path = "common/load.rs"]
mod load;
#[path = "common/server.rs"]
mod server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let connections: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    // The visit pings come each from a visitor of its own (see `load::Visitors`).
    let hops = [(load::ONE_PROXY_HOP.0, load::ONE_PROXY_HOP.1.to_string())];
    let bench = server::Bench::start_with("landing", false, &hops, |_| async { Ok(()) }).await?;
    let (_, code) = bench.member_with_code().await?;
    println!(
        "landing_bench: {n} requests per route at {connections} connections, server {}",
        bench.base
    );

    // Warm-up: first renders, connection pools.
    let root = format!("{}/", bench.base);
    load::fire(
        500,
        connections,
        move |h| h.get(&root),
        |s| (300..400).contains(&s),
    )
    .await;

    let root = format!("{}/", bench.base);
    let cheapest = load::fire(
        n,
        connections,
        move |h| h.get(&root),
        |s| (300..400).contains(&s),
    )
    .await;
    let landing_url = format!("{}/uk/?ref={code}", bench.base);
    let landing = load::fire(
        n,
        connections,
        move |h| h.get(&landing_url).header("accept", "text/html"),
        |s| s == 200,
    )
    .await;
    let track_url = format!("{}/api/refcodes/track", bench.base);
    let body = serde_json::to_vec(&serde_json::json!({ "code": code }))?;
    let visitors = load::Visitors::default();
    let track = load::fire(
        n,
        connections,
        move |h| {
            h.post(&track_url)
                .header("content-type", "application/json")
                .header("x-forwarded-for", visitors.next())
                .body(body.clone())
        },
        |s| s == 204,
    )
    .await;
    bench.stop().await?;

    cheapest.print("GET / (cheapest route)");
    landing.print("GET /uk/?ref=CODE (landing)");
    track.print("POST /api/refcodes/track");
    println!(
        "landing / cheapest = {:.2}   track / cheapest = {:.2}",
        landing.rate() / cheapest.rate(),
        track.rate() / cheapest.rate()
    );
    Ok(())
}
