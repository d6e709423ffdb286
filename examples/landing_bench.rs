//! The landing path beside the server's cheapest route and a bare axum server, in one run on the real server (in
//! process, loopback): a bare axum router serving the landing page's bytes as fixed HTML (no middleware, no render:
//! the ceiling), `GET /` (the locale redirect: no page, no database), `GET /{locale}/?ref=CODE` (the landing page an
//! anonymous visitor gets, from the page cache), the same page rendered every time (an extra query parameter is not
//! part of the cache key), and `POST /api/refcodes/track` (the visit count).
//!
//! `cargo run --release --no-default-features --features ssr --example landing_bench -- [N] [CONNECTIONS]`
//! (defaults 20000 and 64). It runs over its own database `refcodes_bench_landing`, created when missing and kept
//! across runs; `DATABASE_URL` only chooses the server, as for `track_bench`.
#[path = "common/load.rs"]
mod load;
#[path = "common/server.rs"]
mod server;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
    let landing_url = format!("{}/uk/?ref={code}", bench.base);
    let page = reqwest::get(&landing_url).await?.bytes().await?;
    let bare = bare_axum(page).await?;

    // Warm-up: first renders, connection pools.
    let root = format!("{}/", bench.base);
    load::fire(
        500,
        connections,
        move |h| h.get(&root),
        |s| (300..400).contains(&s),
    )
    .await;

    let fixed = load::fire(n, connections, move |h| h.get(&bare), |s| s == 200).await;
    let root = format!("{}/", bench.base);
    let cheapest = load::fire(
        n,
        connections,
        move |h| h.get(&root),
        |s| (300..400).contains(&s),
    )
    .await;
    let cached_url = landing_url.clone();
    let landing = load::fire(
        n,
        connections,
        move |h| h.get(&cached_url).header("accept", "text/html"),
        |s| s == 200,
    )
    .await;
    let seen = Arc::new(AtomicUsize::new(0));
    let uncached = load::fire(
        n,
        connections,
        move |h| {
            let visit = seen.fetch_add(1, Ordering::Relaxed);
            h.get(format!("{landing_url}&utm_content={visit}"))
                .header("accept", "text/html")
        },
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

    fixed.print("bare axum, fixed HTML");
    cheapest.print("GET / (cheapest route)");
    landing.print("GET /uk/?ref=CODE (cached)");
    uncached.print("… rendered every time");
    track.print("POST /api/refcodes/track");
    println!(
        "landing / cheapest = {:.2}   track / cheapest = {:.2}   rendered / bare axum = {:.3}",
        landing.rate() / cheapest.rate(),
        track.rate() / cheapest.rate(),
        uncached.rate() / fixed.rate()
    );
    // A request that failed is a defect to find (a panic in the render shows up here first), not a figure.
    let failed: usize = [&fixed, &cheapest, &landing, &uncached, &track]
        .iter()
        .map(|report| report.errors)
        .sum();
    if failed > 0 {
        eprintln!("landing_bench: {failed} requests failed");
        std::process::exit(1);
    }
    Ok(())
}

/// A bare axum router on a loopback port answering every request with `page` as fixed HTML: its URL.
async fn bare_axum(page: axum::body::Bytes) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let app = axum::Router::new().fallback(move || {
        let page = page.clone();
        async move { ([("content-type", "text/html; charset=utf-8")], page) }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}
