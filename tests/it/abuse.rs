//! What an attacker tries on the public surface. Cross-site requests are refused before they change anything: a
//! foreign page posting as the signed-in admin (bulk approval, a credit grant), as a member (re-pointing a code)
//! or signing a visitor into the attacker's account gets 403 `cross_site` and the database is as it was; the same
//! requests from the site itself pass, and the payment provider's signed notification is exempt. Floods get 429
//! `rate_limited` per client address (a forged `X-Forwarded-For` does not help), and concurrent password guesses
//! at one account are verified no more often than the sign-in throttle allows.
use crate::common;
use common::*;
use refcodes::api::admin::{AdminBulk, AdminGrantCredit};
use refcodes::api::auth::SignIn;
use refcodes::domain::admin::RewardFilter;
use serde_json::json;
use sqlx::PgPool;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ADMIN: &str = "boss@example.com";
type Headers = Vec<(&'static str, String)>;

/// What browsers send from a page on another site, a sibling subdomain, and the site itself.
fn cross_site() -> Headers {
    vec![
        ("sec-fetch-site", "cross-site".into()),
        ("origin", "https://evil.example".into()),
    ]
}

fn sibling(server: &TestServer) -> Headers {
    let host = server.url("").replace("http://", "");
    vec![
        ("sec-fetch-site", "same-site".into()),
        ("origin", format!("http://staging.{host}")),
    ]
}

fn own(server: &TestServer) -> Headers {
    vec![
        ("sec-fetch-site", "same-origin".into()),
        ("origin", server.url("")),
    ]
}

/// A server function called as a form on a page would, with the browser's headers `headers`.
async fn post_form<F>(
    http: &reqwest::Client,
    server: &TestServer,
    args: &F,
    headers: &Headers,
) -> reqwest::Response
where
    F: leptos::server_fn::ServerFn + serde::Serialize,
{
    server_fn_request(http, server, args)
        .headers(header_map(headers))
        .send()
        .await
        .unwrap()
}

async fn statuses(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT data->>'status' FROM referral_rewards ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn foreign_pages_change_nothing_as_the_admin(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (admin, _plain, plain_id) = admin_and_member(&server, ADMIN).await;
    seed_rewards(&pool, "referrer", "csrf", 3, "pending", "fiat").await;
    let bulk = AdminBulk {
        action: "approve".into(),
        reason: None,
        ids: vec![],
        filter: RewardFilter::default(),
    };
    let grant = AdminGrantCredit {
        email: "plain@example.com".into(),
        amount: "500.00".into(),
    };
    let before = (
        statuses(&pool).await,
        credit_balance(&pool, &plain_id).await,
    );
    for headers in [cross_site(), sibling(&server)] {
        for resp in [
            post_form(&admin, &server, &bulk, &headers).await,
            post_form(&admin, &server, &grant, &headers).await,
        ] {
            assert_eq!(
                json_error(resp).await,
                (403, "cross_site".into()),
                "{headers:?}"
            );
        }
        let resp = admin
            .post(server.url("/api/admin/rewards/bulk"))
            .headers(header_map(&headers))
            .json(&json!({"action": "approve"}))
            .send()
            .await
            .unwrap();
        assert_eq!(json_error(resp).await, (403, "cross_site".into()));
    }
    assert_eq!(
        (
            statuses(&pool).await,
            credit_balance(&pool, &plain_id).await
        ),
        before,
        "nothing changed"
    );

    let own = own(&server);
    assert_eq!(post_form(&admin, &server, &bulk, &own).await.status(), 200);
    assert_eq!(post_form(&admin, &server, &grant, &own).await.status(), 200);
    assert_eq!(statuses(&pool).await, ["approved"; 3]);
    assert_eq!(credit_balance(&pool, &plain_id).await, 50_000);
    server.stop().await;
}

#[sqlx::test]
async fn a_foreign_page_can_neither_re_point_a_code_nor_sign_a_visitor_in(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let (member_http, _) = referrer(&server, "owner@example.com", "OWN-CODE", WALLET_A).await;
    let resp = member_http
        .patch(server.url("/api/refcodes/OWN-CODE"))
        .headers(header_map(&cross_site()))
        .json(&json!({"wallet": WALLET_B}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (403, "cross_site".into()));
    assert_eq!(
        list_codes(&member_http, &server).await[0]["wallet"],
        WALLET_A
    );

    // Login CSRF: the attacker's credentials posted from their page would plant their session in the victim's
    // browser.
    let attacker = client();
    member(&attacker, &server, "attacker@example.com").await;
    let sign_in = SignIn {
        email: "attacker@example.com".into(),
        password: "password-123".into(),
        locale: "en".into(),
        next: None,
    };
    let victim = client();
    let resp = post_form(&victim, &server, &sign_in, &cross_site()).await;
    assert!(
        resp.headers().get("set-cookie").is_none(),
        "no session planted"
    );
    assert_eq!(json_error(resp).await, (403, "cross_site".into()));
    let resp = victim
        .post(server.url("/api/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"email": "attacker@example.com", "password": "password-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (403, "cross_site".into()));
    assert_eq!(me_status(&victim, &server).await, 401);

    let own = own(&server);
    assert!(post_form(&victim, &server, &sign_in, &own)
        .await
        .status()
        .is_success());
    assert_eq!(me_status(&victim, &server).await, 200);
    server.stop().await;
}

#[sqlx::test]
async fn the_signed_payment_notification_is_exempt(pool: PgPool) {
    let server = shop(pool.clone(), &[]).await;
    let buyer = client();
    member(&buyer, &server, "buyer@example.com").await;
    let created = order(&buyer, &server, "coffee-espresso-blend", 1).await;
    let reference = created["orderReference"].as_str().unwrap();
    let resp = client()
        .post(server.url("/api/payments/wayforpay"))
        .headers(header_map(&cross_site()))
        .header("content-type", "application/json")
        .body(notification(
            MERCHANT_KEY,
            MERCHANT,
            reference,
            "420.00",
            "Approved",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(order_status(&pool, reference).await, "paid");
    server.stop().await;
}

fn header_map(headers: &Headers) -> reqwest::header::HeaderMap {
    headers
        .iter()
        .map(|(n, v)| {
            (
                reqwest::header::HeaderName::from_bytes(n.as_bytes()).unwrap(),
                v.parse().unwrap(),
            )
        })
        .collect()
}

async fn sign_in_json(
    server: &TestServer,
    email: &str,
    forwarded_for: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(server.url("/api/auth/login"))
        .json(&json!({"email": email, "password": "not-the-password"}));
    if let Some(value) = forwarded_for {
        request = request.header("x-forwarded-for", value);
    }
    request.send().await.unwrap()
}

#[sqlx::test]
async fn a_flood_of_sign_ins_gets_429_per_client_address(pool: PgPool) {
    let server = shop(pool.clone(), &[("RATE_SIGN_IN_PER_MINUTE", "3")]).await;
    for n in 0..3 {
        let resp = sign_in_json(&server, &format!("guess{n}@example.com"), None).await;
        assert_eq!(resp.status(), 401);
    }
    let resp = sign_in_json(&server, "guess@example.com", Some("198.51.100.9")).await;
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=21).contains(&retry_after), "{retry_after}");
    assert_eq!(
        json_error(resp).await,
        (429, "rate_limited".into()),
        "a forged header does not help"
    );
    let sign_in = SignIn {
        email: "guess@example.com".into(),
        password: "x".into(),
        locale: "uk".into(),
        next: None,
    };
    let (status, body) = call_server_fn(&client(), &server, &sign_in).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("rate_limited"), "{body}");
    server.stop().await;

    // Behind one trusted proxy, the address it appended is the client.
    let server = shop(
        pool,
        &[
            ("RATE_SIGN_IN_PER_MINUTE", "1"),
            ("TRUSTED_PROXY_HOPS", "1"),
        ],
    )
    .await;
    let first = sign_in_json(&server, "a@example.com", Some("6.6.6.6, 203.0.113.1")).await;
    assert_eq!(first.status(), 401);
    let again = sign_in_json(&server, "a@example.com", Some("7.7.7.7, 203.0.113.1")).await;
    assert_eq!(
        again.status(),
        429,
        "the client's own entries are not believed"
    );
    let other = sign_in_json(&server, "a@example.com", Some("203.0.113.2")).await;
    assert_eq!(other.status(), 401, "another client has its own bucket");
    server.stop().await;
}

#[sqlx::test]
async fn visit_pings_orders_and_notifications_are_limited(pool: PgPool) {
    let limits = [
        ("RATE_TRACK_PER_MINUTE", "2"),
        ("RATE_ORDER_PER_MINUTE", "1"),
        ("RATE_WEBHOOK_PER_MINUTE", "1"),
    ];
    let server = shop(pool.clone(), &limits).await;
    let (buyer, _) = referrer(&server, "owner@example.com", "PING-ME", WALLET_A).await;
    let ping = || {
        client()
            .post(server.url("/api/refcodes/track"))
            .json(&json!({"code": "PING-ME"}))
            .send()
    };
    assert_eq!(ping().await.unwrap().status(), 204);
    assert_eq!(ping().await.unwrap().status(), 204);
    assert_eq!(json_error(ping().await.unwrap()).await.1, "rate_limited");

    let created = order(&buyer, &server, "coffee-espresso-blend", 1).await;
    let second = buyer
        .post(server.url("/api/store/orders"))
        .json(&json!({"items": [{"productId": "coffee-espresso-blend", "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(second).await, (429, "rate_limited".into()));

    let reference = created["orderReference"].as_str().unwrap();
    let junk = || {
        deliver(
            &server,
            notification("wrong-key", MERCHANT, reference, "420.00", "Approved"),
        )
    };
    assert_eq!(junk().await.status(), 400);
    assert_eq!(json_error(junk().await).await, (429, "rate_limited".into()));
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM payment_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1, "a limited delivery is not written");
    server.stop().await;
}

#[sqlx::test]
async fn concurrent_guesses_are_verified_no_more_often_than_the_throttle_allows(pool: PgPool) {
    let server = shop(pool, &[("LOGIN_MAX_FAILURES", "5")]).await;
    member(&client(), &server, "victim@example.com").await;
    let guesses = (0..300).map(|_| sign_in_json(&server, "victim@example.com", None));
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for resp in futures::future::join_all(guesses).await {
        *statuses.entry(resp.status().as_u16()).or_default() += 1;
    }
    assert_eq!(statuses.get(&401).copied(), Some(5), "{statuses:?}");
    assert_eq!(statuses.get(&429).copied(), Some(295), "{statuses:?}");
    server.stop().await;
}

async fn raw_connection(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.url("").trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (or 10 s pass): what it sent, and how long it took.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[sqlx::test]
async fn slow_clients_are_cut_off(pool: PgPool) {
    let limits = [
        ("HEADER_READ_TIMEOUT_SECS", "1"),
        ("REQUEST_TIMEOUT_SECS", "1"),
    ];
    let server = shop(pool, &limits).await;

    // Slowloris: a request head that never ends.
    let mut stream = raw_connection(&server).await;
    stream
        .write_all(b"GET /en/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut stream).await;
    assert!(took < Duration::from_secs(5), "closed after {took:?}");

    // A body that never arrives: 408 with the error, then the connection closes.
    let mut stream = raw_connection(&server).await;
    let head =
        "POST /api/payments/wayforpay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 1000\r\nConnection: close\r\n\r\n{\"merchantAccount\"";
    stream.write_all(head.as_bytes()).await.unwrap();
    let (answer, took) = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    server.stop().await;
}

#[sqlx::test]
async fn connections_beyond_the_limit_wait_for_a_free_one(pool: PgPool) {
    let server = shop(pool, &[("MAX_CONNECTIONS", "1")]).await;
    let mut held = raw_connection(&server).await;
    held.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    held.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    let waiting = client().get(server.url("/healthz")).send();
    tokio::pin!(waiting);
    let early = tokio::time::timeout(Duration::from_millis(700), &mut waiting).await;
    assert!(
        early.is_err(),
        "a second connection was served while the only slot was taken"
    );
    drop(held);
    let resp = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("served once the slot is free")
        .unwrap();
    assert_eq!(resp.status(), 200);
    server.stop().await;
}

#[sqlx::test]
async fn a_guesser_pauses_only_their_own_attempts_and_many_guessers_pause_the_account(
    pool: PgPool,
) {
    let server = shop(
        pool,
        &[
            ("TRUSTED_PROXY_HOPS", "1"),
            ("LOGIN_MAX_FAILURES", "3"),
            ("LOGIN_ACCOUNT_MAX_FAILURES", "7"),
        ],
    )
    .await;
    member(&client(), &server, "owner@example.com").await;
    let owner_signs_in = |address: &'static str| {
        client()
            .post(server.url("/api/auth/login"))
            .header("x-forwarded-for", address)
            .json(&json!({"email": "owner@example.com", "password": "password-123"}))
            .send()
    };
    for _ in 0..3 {
        let resp = sign_in_json(&server, "owner@example.com", Some("203.0.113.7")).await;
        assert_eq!(resp.status(), 401);
    }
    let paused = sign_in_json(&server, "owner@example.com", Some("203.0.113.7")).await;
    assert_eq!(json_error(paused).await.1, "too_many_attempts");
    assert_eq!(
        owner_signs_in("198.51.100.9").await.unwrap().status(),
        200,
        "the owner is not locked out"
    );

    // Spread over addresses, the guesses reach the account-wide cap: then every address pauses.
    for address in ["203.0.113.8", "203.0.113.8", "203.0.113.9", "203.0.113.9"] {
        let resp = sign_in_json(&server, "owner@example.com", Some(address)).await;
        assert_eq!(resp.status(), 401, "{address}");
    }
    let capped = owner_signs_in("198.51.100.10").await.unwrap();
    assert_eq!(json_error(capped).await.1, "too_many_attempts");
    server.stop().await;
}

#[sqlx::test]
async fn a_url_carrying_a_control_character_is_a_400_never_a_500(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    for (method, path) in [
        ("GET", "/api/admin/rewards?search=a%00b"),
        ("POST", "/api/admin/rewards/%00/approve"),
        ("POST", "/api/admin/clawbacks/x%00/waive"),
        ("POST", "/api/admin/orders/RC-%00/refund"),
        ("GET", "/en/store?ref=AB%00CD"),
    ] {
        let req = match method {
            "GET" => admin.get(server.url(path)),
            _ => admin
                .post(server.url(path))
                .json(&serde_json::json!({ "reason": "x" })),
        };
        let (status, code) = json_error(req.send().await.unwrap()).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "bad_request"),
            "{method} {path}"
        );
    }
    server.stop().await;
}
