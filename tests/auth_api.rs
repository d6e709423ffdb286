//! Sign-up, sign-in, sign-out and /api/me against a real PostgreSQL.
mod common;
use common::{client, json_error, TestServer};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn sign_up(
    http: &reqwest::Client,
    server: &TestServer,
    email: &str,
    password: &str,
) -> reqwest::Response {
    http.post(server.url("/api/auth/signup"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn fetch_me(http: &reqwest::Client, server: &TestServer) -> Value {
    let resp = http.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[sqlx::test]
async fn sign_up_then_me_then_sign_out(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let http = client();
    let resp = sign_up(&http, &server, "  Ann@Example.com ", "correct horse").await;
    assert_eq!(resp.status(), 201);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    let user_id = resp.json::<Value>().await.unwrap()["userId"]
        .as_str()
        .unwrap()
        .to_string();

    let me = fetch_me(&http, &server).await;
    assert_eq!(me["userId"], user_id.as_str());
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["role"], "member");
    assert_eq!(me["wallets"], json!([]));

    assert_eq!(
        http.post(server.url("/api/auth/logout"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let (status, code) = json_error(http.get(server.url("/api/me")).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let (status, _) = json_error(
        http.post(server.url("/api/auth/logout"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    server.stop().await;
}

#[sqlx::test]
async fn duplicate_email_is_a_conflict_whatever_the_case(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    assert_eq!(
        sign_up(&client(), &server, "bob@example.com", "password-1")
            .await
            .status(),
        201
    );
    let (status, code) =
        json_error(sign_up(&client(), &server, "BOB@example.com", "password-2").await).await;
    assert_eq!((status, code.as_str()), (409, "email_taken"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "no half-written second user");
    server.stop().await;
}

#[sqlx::test]
async fn bad_input_gets_clear_errors(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let http = client();
    for (body, expected) in [
        (
            json!({"email": "not-an-email", "password": "long enough"}),
            "invalid_email",
        ),
        (
            json!({"email": "c@example.com", "password": "short"}),
            "short_password",
        ),
        (json!({"email": "c@example.com"}), "bad_request"),
    ] {
        let resp = http
            .post(server.url("/api/auth/signup"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, code) = json_error(resp).await;
        assert_eq!((status, code.as_str()), (400, expected), "{body}");
    }
    let resp = http
        .post(server.url("/api/auth/signup"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.0, 400);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    server.stop().await;
}

#[sqlx::test]
async fn wrong_password_and_unknown_email_look_the_same(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let http = client();
    sign_up(&http, &server, "dan@example.com", "right password").await;
    for body in [
        json!({"email": "dan@example.com", "password": "wrong password"}),
        json!({"email": "nobody@example.com", "password": "whatever1"}),
    ] {
        let resp = client()
            .post(server.url("/api/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.headers().get("set-cookie").is_none());
        let (status, code) = json_error(resp).await;
        assert_eq!((status, code.as_str()), (401, "wrong_credentials"));
    }
    let ok = client()
        .post(server.url("/api/auth/login"))
        .json(&json!({"email": "DAN@example.com", "password": "right password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    server.stop().await;
}

#[sqlx::test]
async fn too_many_failures_pause_sign_in(pool: PgPool) {
    let server = TestServer::start(
        pool,
        &[("LOGIN_MAX_FAILURES", "3"), ("LOGIN_WINDOW_MINUTES", "10")],
    )
    .await;
    sign_up(&client(), &server, "eve@example.com", "right password").await;
    let attempt = |password: &'static str| {
        let url = server.url("/api/auth/login");
        async move {
            client()
                .post(url)
                .json(&json!({"email": "eve@example.com", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong").await.status(), 401);
    }
    let blocked = attempt("right password").await;
    assert_eq!(
        blocked.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            % 60,
        0
    );
    let (status, code) = json_error(blocked).await;
    assert_eq!((status, code.as_str()), (429, "too_many_attempts"));
    server.stop().await;
}

#[sqlx::test]
async fn session_survives_a_server_restart(pool: PgPool) {
    let http = client();
    let first = TestServer::start(pool.clone(), &[]).await;
    assert_eq!(
        sign_up(&http, &first, "fay@example.com", "password-1")
            .await
            .status(),
        201
    );
    assert_eq!(
        http.get(first.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    first.stop().await;

    // A new server over the same database; the client's jar still holds the cookie (cookies ignore ports).
    let second = TestServer::start(pool, &[]).await;
    let me = http.get(second.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(
        me.json::<Value>().await.unwrap()["email"],
        "fay@example.com"
    );
    second.stop().await;
}

#[sqlx::test]
async fn admins_come_from_admin_emails(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let early = client();
    sign_up(&early, &server, "gus@example.com", "password-1").await;
    let me = fetch_me(&early, &server).await;
    assert_eq!(me["role"], "member");
    server.stop().await;

    // Configured later: promoted at start-up. Signing up with a configured email: admin at once.
    let server = TestServer::start(
        pool,
        &[("ADMIN_EMAILS", "gus@example.com, Hal@Example.com")],
    )
    .await;
    let me = fetch_me(&early, &server).await;
    assert_eq!(me["role"], "admin");
    let hal = client();
    sign_up(&hal, &server, "hal@example.com", "password-1").await;
    let me = fetch_me(&hal, &server).await;
    assert_eq!(me["role"], "admin");
    server.stop().await;
}
