//! `POST /api/refcodes/track`: answers, exact counts under concurrency, nothing lost on a graceful stop,
//! a visitor counted once per code per hour, and no database round trip per request.
use crate::common;
use common::{client, create_code, json_error, member, prove_wallet, signer, TestServer};
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Behind one trusted proxy hop, each ping can name its visitor's address (`X-Forwarded-For`).
const ONE_HOP: [(&str, &str); 1] = [("TRUSTED_PROXY_HOPS", "1")];

/// An address no other ping of this test binary used: a new visitor.
fn new_visitor() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0x0a00_0000);
    Ipv4Addr::from(NEXT.fetch_add(1, Ordering::Relaxed)).to_string()
}

async fn visits(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar("SELECT (data->>'visits')::bigint FROM refcodes WHERE data->>'code' = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn with_code(server: &TestServer, code: &str) {
    let owner = client();
    member(
        &owner,
        server,
        &format!("{}@example.com", code.to_lowercase()),
    )
    .await;
    let wallet = signer(code);
    prove_wallet(&owner, server, &wallet).await;
    let address = wallet.address().to_checksum(None);
    let resp = create_code(&owner, server, json!({"code": code, "wallet": address})).await;
    assert_eq!(resp.status(), 201);
}

async fn track(http: &reqwest::Client, server: &TestServer, code: &str) -> reqwest::Response {
    http.post(server.url("/api/refcodes/track"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

/// `n` visits of `code` by `n` visitors, all in flight at once; returns how many were answered 204.
async fn burst(server: &TestServer, code: &str, n: usize) -> usize {
    let http = reqwest::Client::new();
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (http, url) = (http.clone(), server.url("/api/refcodes/track"));
            let body = json!({ "code": code });
            tokio::spawn(async move {
                http.post(url)
                    .header("x-forwarded-for", new_visitor())
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), Ok(204)) {
            ok += 1;
        }
    }
    ok
}

#[sqlx::test]
async fn answers_per_the_seed(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    with_code(&server, "KNOWN").await;
    let http = client();
    assert_eq!(track(&http, &server, "known").await.status(), 204);
    let (status, code) = json_error(track(&http, &server, "NOT-A-CODE").await).await;
    assert_eq!((status, code.as_str()), (404, "unknown_code"));
    let (status, code) = json_error(track(&http, &server, "<bad>").await).await;
    assert_eq!((status, code.as_str()), (400, "invalid_code"));
    let garbled = http
        .post(server.url("/api/refcodes/track"))
        .header("content-type", "application/json")
        .body("{\"code\":")
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(garbled).await.0, 400);
    let no_code = http
        .post(server.url("/api/refcodes/track"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(no_code).await.0, 400);
    server.stop().await;
}

#[sqlx::test]
async fn a_thousand_concurrent_visits_count_exactly(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &ONE_HOP).await;
    with_code(&server, "HOT-CODE").await;
    assert_eq!(burst(&server, "HOT-CODE", 7).await, 7);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while visits(&pool, "HOT-CODE").await != 7 {
        assert!(tokio::time::Instant::now() < deadline, "first flush");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    assert_eq!(burst(&server, "HOT-CODE", 1000).await, 1000);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while visits(&pool, "HOT-CODE").await < 1007 {
        assert!(tokio::time::Instant::now() < deadline, "flushed in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A few more flush periods: nothing is counted twice.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(visits(&pool, "HOT-CODE").await, 1007);
    server.stop().await;
    assert_eq!(visits(&pool, "HOT-CODE").await, 1007);
}

#[sqlx::test]
async fn a_graceful_stop_loses_nothing(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &ONE_HOP).await;
    with_code(&server, "LAST-CALL").await;
    with_code(&server, "OTHER").await;
    let (a, b) = tokio::join!(
        burst(&server, "LAST-CALL", 1000),
        burst(&server, "OTHER", 250)
    );
    assert_eq!((a, b), (1000, 250));
    server.stop().await;
    assert_eq!(visits(&pool, "LAST-CALL").await, 1000);
    assert_eq!(visits(&pool, "OTHER").await, 250);
}

#[sqlx::test]
async fn known_codes_are_tracked_without_the_database(pool: PgPool) {
    // The server gets a pool of its own, closed mid-test; the test keeps reading through `pool`.
    let server_pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let server = TestServer::start(server_pool.clone(), &[]).await;
    with_code(&server, "CACHED").await;
    let http = client();
    assert_eq!(track(&http, &server, "CACHED").await.status(), 204);
    assert_eq!(
        json_error(track(&http, &server, "MISSING").await).await.0,
        404
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(visits(&pool, "CACHED").await, 1);

    server_pool.close().await;
    for _ in 0..20 {
        assert_eq!(track(&http, &server, "cached").await.status(), 204);
    }
    assert_eq!(
        json_error(track(&http, &server, "MISSING").await).await.0,
        404,
        "a recent miss is remembered too"
    );
    assert_eq!(
        visits(&pool, "CACHED").await,
        1,
        "one visitor, counted once"
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_visitor_counts_once_per_code_per_hour(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &ONE_HOP).await;
    with_code(&server, "ONCE-CODE").await;
    with_code(&server, "ANOTHER").await;
    let (first, second) = (new_visitor(), new_visitor());
    let ping = |visitor: &str, code: &str| {
        client()
            .post(server.url("/api/refcodes/track"))
            .header("x-forwarded-for", visitor)
            .json(&json!({ "code": code }))
            .send()
    };
    for _ in 0..5 {
        assert_eq!(
            ping(&first, "ONCE-CODE").await.unwrap().status(),
            204,
            "answered alike"
        );
    }
    assert_eq!(ping(&first, "ANOTHER").await.unwrap().status(), 204);
    assert_eq!(ping(&second, "ONCE-CODE").await.unwrap().status(), 204);
    server.stop().await;
    assert_eq!(visits(&pool, "ONCE-CODE").await, 2, "two visitors");
    assert_eq!(visits(&pool, "ANOTHER").await, 1);
}
