//! First-touch capture of `?ref=`: the `ring_ref` cookie, its attributes, first touch kept, malformed, unknown
//! and switched-off codes ignored, any path in any locale, and the database asked once per code.
use crate::common;
use common::TestServer;
use sqlx::PgPool;

const HTML: &str = "text/html,application/xhtml+xml";

/// A client without a cookie jar: each request carries exactly the cookies a test gives it.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(server: &TestServer, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut req = bare().get(server.url(path)).header("accept", HTML);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

/// Codes that exist (`live`: switched on), owned by nobody in particular.
async fn codes(pool: &PgPool, codes: &[&str], live: bool) {
    for code in codes {
        sqlx::query(
            r#"INSERT INTO refcodes (id, data) VALUES ($1, jsonb_build_object('code', $1::text, 'userId', 'owner',
                   'wallet', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', 'active', $2::boolean, 'visits', 0))"#,
        )
        .bind(code)
        .bind(live)
        .execute(pool)
        .await
        .unwrap();
    }
}

fn ring_ref(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ring_ref="))
        .map(str::to_string)
}

#[sqlx::test]
async fn a_well_formed_code_sets_the_cookie_with_its_attributes(pool: PgPool) {
    codes(&pool, &["SUMMER-24"], true).await;
    let server = TestServer::start(pool, &[("REF_COOKIE_DAYS", "45")]).await;
    let resp = get(&server, "/uk/?ref=summer-24", None).await;
    assert_eq!(resp.status(), 200);
    let cookie = ring_ref(&resp).expect("ring_ref set");
    let attributes: Vec<&str> = cookie.split("; ").collect();
    assert_eq!(attributes[0], "ring_ref=SUMMER-24", "normalized upper-case");
    for expected in [
        "Path=/",
        "SameSite=Lax",
        "HttpOnly",
        &format!("Max-Age={}", 45 * 86_400),
    ] {
        assert!(attributes.contains(&expected), "{expected} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "http site: {cookie}");
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-testid=\"ref-notice\""), "notice shown");
    assert!(html.contains("SUMMER-24"));
    assert!(html.contains("Вас запрошено"), "translated notice");
    server.stop().await;
}

#[sqlx::test]
async fn an_https_site_makes_the_cookie_secure(pool: PgPool) {
    codes(&pool, &["ABCD"], true).await;
    let server = TestServer::start(pool, &[("SITE_URL", "https://ring.example")]).await;
    let cookie = ring_ref(&get(&server, "/en/?ref=ABCD", None).await).unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    server.stop().await;
}

#[sqlx::test]
async fn the_first_touch_is_never_overwritten(pool: PgPool) {
    codes(&pool, &["FIRST", "SECOND"], true).await;
    let server = TestServer::start(pool, &[]).await;
    let resp = get(&server, "/en/?ref=SECOND", Some("ring_ref=FIRST")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(ring_ref(&resp), None);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("data-code=\"FIRST\""),
        "the notice names the kept code"
    );
    assert!(
        !html.contains("data-code=\"SECOND\""),
        "the later code is not the referral"
    );

    // A cookie jar, as a browser keeps it: the second link leaves the first cookie alone.
    let browser = common::client();
    let first = browser
        .get(server.url("/ru/?ref=FIRST"))
        .send()
        .await
        .unwrap();
    assert!(ring_ref(&first).is_some());
    let second = browser
        .get(server.url("/ru/?ref=SECOND"))
        .send()
        .await
        .unwrap();
    assert_eq!(ring_ref(&second), None);
    server.stop().await;
}

#[sqlx::test]
async fn malformed_codes_are_ignored_and_never_reflected(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    for path in [
        "/en/?ref=%3Cscript%3Ealert(1)%3C/script%3E",
        "/en/?ref=ab",
        "/en/?ref=",
        "/en/?ref=way-too-long-for-a-referral-code",
        "/en/?ref=caf%C3%A9-caf%C3%A9",
        "/en/?ref=AB_CD",
    ] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(ring_ref(&resp), None, "{path}");
        let html = resp.text().await.unwrap();
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(!html.contains("ref-notice"), "{path}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn every_path_and_locale_captures(pool: PgPool) {
    let deep = [
        "DEEP-1", "DEEP-2", "DEEP-3", "DEEP-4", "DEEP-5", "DEEP-6", "DEEP-7",
    ];
    codes(&pool, &deep, true).await;
    codes(&pool, &["ROOT", "APICODE"], true).await;
    let server = TestServer::start(pool, &[]).await;
    for (path, status) in [
        ("/en/?ref=DEEP-1", 200),
        ("/uk?ref=DEEP-2", 200),
        ("/ru/store?utm_source=mail&ref=deep-3&x=1", 200),
        ("/uk/membership/?ref=DEEP-4", 200),
        ("/en/signin?next=/en/refcodes&ref=DEEP-5", 200),
        ("/ru/no/such/page?ref=DEEP-6", 404),
        ("/en/refcodes?ref=DEEP-7", 302),
    ] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status(), status, "{path}");
        let cookie = ring_ref(&resp).unwrap_or_else(|| panic!("{path} captures"));
        let expected = path
            .split("ref=")
            .last()
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_uppercase();
        assert!(
            cookie.starts_with(&format!("ring_ref={expected};")),
            "{path}: {cookie}"
        );
    }
    // The root redirect carries `?ref=` on: its target captures.
    let root = get(&server, "/?ref=ROOT", None).await;
    assert!(root.status().is_redirection());
    assert_eq!(ring_ref(&root), None);
    assert_eq!(root.headers()["location"], "/en/?ref=ROOT");
    // The JSON API is not a page.
    let api = get(&server, "/api/me?ref=APICODE", None).await;
    assert_eq!(ring_ref(&api), None);
    server.stop().await;
}

#[sqlx::test]
async fn unknown_and_switched_off_codes_capture_nothing_and_leave_room_for_a_real_one(
    pool: PgPool,
) {
    codes(&pool, &["REAL-ONE"], true).await;
    codes(&pool, &["SLEEPING"], false).await;
    let server = TestServer::start(pool, &[]).await;
    for path in ["/en/?ref=TYPO-ONE", "/en/?ref=SLEEPING"] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(ring_ref(&resp), None, "{path}");
        assert!(!resp.text().await.unwrap().contains("ref-notice"), "{path}");
    }
    // A browser that followed the typo first still takes the real referral.
    let browser = common::client();
    let typo = browser
        .get(server.url("/en/?ref=TYPO-ONE"))
        .send()
        .await
        .unwrap();
    assert_eq!(ring_ref(&typo), None);
    let real = browser
        .get(server.url("/en/?ref=REAL-ONE"))
        .send()
        .await
        .unwrap();
    assert!(ring_ref(&real).unwrap().starts_with("ring_ref=REAL-ONE;"));
    // A cookie kept from before the code was switched off says nothing any more.
    let stale = get(&server, "/en/", Some("ring_ref=SLEEPING")).await;
    assert!(!stale.text().await.unwrap().contains("ref-notice"));
    server.stop().await;
}

#[sqlx::test]
async fn the_landing_path_asks_the_database_once_per_code(pool: PgPool) {
    codes(&pool, &["OFFLINE"], true).await;
    let server = TestServer::start(pool.clone(), &[]).await;
    assert!(ring_ref(&get(&server, "/uk/?ref=OFFLINE", None).await).is_some());
    pool.close().await;
    // The store needs its catalog; the landing and sign-in pages do not.
    for path in ["/uk/?ref=OFFLINE", "/en/signin?ref=OFFLINE"] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(ring_ref(&resp).is_some(), "{path}");
        assert!(resp.text().await.unwrap().contains("OFFLINE"), "{path}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn the_landing_page_comes_from_memory_without_mixing_visitors(pool: PgPool) {
    codes(&pool, &["CACHE-ME", "OTHER"], true).await;
    let server = TestServer::start(pool, &[]).await;
    // A share link carries the code as stored (upper case).
    let first = get(&server, "/uk/?ref=CACHE-ME", None).await;
    let second = get(&server, "/uk/?ref=CACHE-ME", None).await;
    for resp in [&first, &second] {
        assert_eq!(resp.status(), 200);
        assert!(
            ring_ref(resp).unwrap().starts_with("ring_ref=CACHE-ME;"),
            "each visitor gets the cookie"
        );
    }
    let nonce = |resp: &reqwest::Response| {
        let policy = resp.headers()["content-security-policy"].to_str().unwrap();
        refcodes::server::http::security_headers::policy_nonce(policy)
            .unwrap()
            .to_owned()
    };
    let (first_nonce, second_nonce) = (nonce(&first), nonce(&second));
    assert_ne!(first_nonce, second_nonce, "each copy has its own nonce");
    let (first, second) = (first.text().await.unwrap(), second.text().await.unwrap());
    assert!(
        !second.contains(&first_nonce),
        "nothing of the first copy's nonce is left"
    );
    assert_eq!(
        first.replace(&first_nonce, "N"),
        second.replace(&second_nonce, "N")
    );
    assert!(first.contains("data-code=\"CACHE-ME\""));

    // Same URL, other referral: its own page.
    let kept = get(&server, "/uk/?ref=CACHE-ME", Some("ring_ref=OTHER")).await;
    assert_eq!(ring_ref(&kept), None);
    let kept = kept.text().await.unwrap();
    assert!(kept.contains("data-code=\"OTHER\"") && !kept.contains("data-code=\"CACHE-ME\""));

    // A signed-in member never gets the anonymous page.
    let member = common::client();
    common::member(&member, &server, "cached@example.com").await;
    let html = member
        .get(server.url("/uk/?ref=cache-me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("cached@example.com") && !html.contains("ref-notice"));

    // Any other query (a typed lower-case code, a tracking parameter) is rendered, never a key of its own.
    for path in ["/uk/?ref=cache-me", "/uk/?ref=CACHE-ME&utm_source=chat"] {
        let resp = get(&server, path, None).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.text()
                .await
                .unwrap()
                .contains("data-code=\"CACHE-ME\""),
            "{path}"
        );
    }

    let metrics = common::metrics_text(&server).await;
    assert!(metrics.contains("page_cache_hits_total"), "{metrics}");
    assert!(
        metrics.contains(
            r#"http_requests_total{method="GET",route="/{locale} (cached)",status="200"}"#
        ),
        "a page from memory is a request in the metrics too: {metrics}"
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_session_cookie_that_names_no_session_is_an_anonymous_visitor(pool: PgPool) {
    codes(&pool, &["STALE-ONE"], true).await;
    let server = TestServer::start(pool, &[]).await;
    // Signed out elsewhere, or expired: the browser still sends the cookie.
    let resp = get(
        &server,
        "/en/?ref=STALE-ONE",
        Some("refcodes_session=0123abcd"),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert!(ring_ref(&resp).is_some());
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-code=\"STALE-ONE\""), "invited");
    assert!(html.contains("href=\"/en/signin\"") && !html.contains("signed-in-as"));
    server.stop().await;
}
