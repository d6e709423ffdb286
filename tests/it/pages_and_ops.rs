//! Server-rendered pages (locale, guards, status codes) and the operational endpoints.
use crate::common;
use common::{client, sign_up_admin, TestServer};
use serde_json::json;
use sqlx::PgPool;

const HTML: &str = "text/html,application/xhtml+xml";

async fn page(http: &reqwest::Client, server: &TestServer, path: &str) -> reqwest::Response {
    http.get(server.url(path))
        .header("accept", HTML)
        .send()
        .await
        .unwrap()
}

#[sqlx::test]
async fn root_redirects_by_accept_language(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    for (header, target) in [
        ("uk-UA,uk;q=0.9,en;q=0.5", "/uk/"),
        ("ru", "/ru/"),
        ("de-DE", "/en/"),
        ("", "/en/"),
    ] {
        let resp = client()
            .get(server.url("/?ref=ABCD"))
            .header("accept-language", header)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_redirection());
        assert_eq!(
            resp.headers()["location"],
            format!("{target}?ref=ABCD").as_str(),
            "{header}"
        );
    }
    server.stop().await;
}

#[sqlx::test]
async fn pages_render_in_the_path_locale_with_the_brand(pool: PgPool) {
    let server = TestServer::start(pool, &[("BRAND_NAME", "Ring Platform")]).await;
    for (path, lang, word) in [
        ("/en/", "en", "Sign in"),
        ("/uk/", "uk", "Увійти"),
        ("/ru", "ru", "Войти"),
        ("/uk/signin", "uk", "Вхід"),
    ] {
        let resp = page(&client(), &server, path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let html = resp.text().await.unwrap();
        assert!(html.contains(&format!("lang=\"{lang}\"")), "{path}");
        assert!(html.contains(word), "{path} shows {word}");
        assert!(html.contains("Ring Platform"), "{path} carries the brand");
    }
    let missing = page(&client(), &server, "/de/").await;
    assert_eq!(missing.status(), 404);
    server.stop().await;
}

#[sqlx::test]
async fn member_pages_send_visitors_to_sign_in_and_admin_pages_forbid_members(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let anonymous = page(&client(), &server, "/en/refcodes").await;
    assert_eq!(anonymous.status(), 302);
    assert_eq!(
        anonymous.headers()["location"],
        "/en/signin?next=/en/refcodes"
    );
    let anonymous_admin = page(&client(), &server, "/uk/admin/refcodes").await;
    assert_eq!(
        anonymous_admin.headers()["location"],
        "/uk/signin?next=/uk/admin/refcodes"
    );

    let member = client();
    member
        .post(server.url("/api/auth/signup"))
        .json(&json!({"email": "m@example.com", "password": "password-1"}))
        .send()
        .await
        .unwrap();
    let forbidden = page(&member, &server, "/uk/admin/refcodes").await;
    assert_eq!(forbidden.status(), 403);
    assert!(forbidden
        .text()
        .await
        .unwrap()
        .contains("Доступ заборонено"));
    assert_eq!(page(&member, &server, "/en/refcodes").await.status(), 200);

    let admin = client();
    sign_up_admin(&admin, &server, "boss@example.com").await;
    let ok = page(&admin, &server, "/ru/admin/refcodes").await;
    assert_eq!(ok.status(), 200);
    assert!(ok
        .text()
        .await
        .unwrap()
        .contains("Реферальные вознаграждения"));
    server.stop().await;
}

#[sqlx::test]
async fn health_and_metrics(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let http = client();
    let health: serde_json::Value = http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "ok");
    page(&http, &server, "/en/").await;
    for authorization in [None, Some("Bearer not-the-metrics-token")] {
        let mut request = http.get(server.url("/metrics"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let (status, code) = common::json_error(request.send().await.unwrap()).await;
        assert_eq!((status, code.as_str()), (401, "bad_metrics_token"));
    }
    let metrics = common::metrics_text(&server).await;
    assert!(
        metrics.contains("http_requests_total{method=\"GET\",route=\"/{locale}\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));

    pool.close().await;
    let down = http.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(down.status(), 503);
    server.stop().await;
}

#[sqlx::test]
async fn pages_arrive_complete_for_browsers_without_javascript(pool: PgPool) {
    let server = TestServer::start(pool, &[("BRAND_NAME", "Ring Platform")]).await;
    // Streamed (out-of-order) fragments need JS to be swapped in; this once raced and sent empty slots.
    for _ in 0..25 {
        let resp = client()
            .get(server.url("/en/"))
            .header("accept", HTML)
            .header("cookie", "other=1")
            .send()
            .await
            .unwrap();
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("class=\"brand\">Ring Platform"),
            "brand rendered in place"
        );
        assert!(
            html.contains(">Sign in<"),
            "anonymous navigation rendered in place"
        );
    }
    server.stop().await;
}

#[sqlx::test]
async fn pages_are_compressed_and_a_member_s_pages_are_never_stored(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let http = client();
    for (encoding, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let resp = http
            .get(server.url("/en/"))
            .header("accept", HTML)
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let got = resp
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(got.as_deref(), expected, "Accept-Encoding: {encoding}");
        assert_eq!(resp.headers()["cache-control"], "private, no-cache");
    }
    common::member(&http, &server, "cached@example.com").await;
    for path in ["/en/refcodes", "/en/"] {
        let resp = http
            .get(server.url(path))
            .header("accept", HTML)
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
        assert!(
            resp.headers().get("content-encoding").is_none(),
            "a member's page is not compressed: {path}"
        );
    }
    server.stop().await;
}

#[sqlx::test]
async fn every_answer_confines_the_site_in_the_browser(pool: PgPool) {
    let server = common::TestServer::start(pool.clone(), &[]).await;
    let http = common::client();
    for path in ["/en/", "/en/signin", "/api/me", "/healthz", "/no-such-page"] {
        let resp = http.get(server.url(path)).send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let policy = h["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over http: {path}"
        );
    }
    // A page names the nonce its inline scripts carry; each copy of the cached landing page has its own.
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let resp = page(&http, &server, "/en/?ref=NONCE-CHECK").await;
        let policy = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let scripts = policy
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe-inline"), "{policy}");
        let nonce = refcodes::server::http::security_headers::policy_nonce(&policy)
            .expect("a page policy with a nonce")
            .to_owned();
        let html = resp.text().await.unwrap();
        // An empty `<script></script>` (a marker the framework writes) runs nothing, so no policy applies to it.
        let scripts = html.matches("<script").count() - html.matches("<script></script>").count();
        assert!(scripts > 0, "{html}");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "every inline script carries this response's nonce: {html}"
        );
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a nonce is never served twice");
    server.stop().await;

    let server = common::TestServer::start(pool, &[("SITE_URL", "https://refcodes.example")]).await;
    let resp = http.get(server.url("/en/")).send().await.unwrap();
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    server.stop().await;
}
