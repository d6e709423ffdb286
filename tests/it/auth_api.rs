//! Sign-up, sign-in, sign-out and /api/me against a real PostgreSQL.
use crate::common;
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

/// `refcodes admin ARGS` against the test's own database: (exit code, stdout, stderr).
fn admin_command(pool: &PgPool, args: &[&str]) -> (Option<i32>, String, String) {
    let database = pool.connect_options().get_database().unwrap().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_refcodes"))
        .arg("admin")
        .args(args)
        .env_clear()
        .env("DATABASE_URL", common::pg::url_of(&database))
        .output()
        .expect("run the server binary");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

async fn audit_actions(pool: &PgPool, user_id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT data->>'action', data->>'actorEmail' FROM audit_log
         WHERE data->'targetIds' ? $1 ORDER BY created_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn signing_up_never_grants_a_role_only_the_operator_command_does(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    // The demo admin's address, once listed in ADMIN_EMAILS: signing up with it makes a member.
    let gus = client();
    let resp = sign_up(&gus, &server, "admin@refcodes.local", "password-1").await;
    let gus_id = resp.json::<Value>().await.unwrap()["userId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(fetch_me(&gus, &server).await["role"], "member");

    let (code, stdout, stderr) = admin_command(&pool, &["grant", " Admin@Refcodes.local "]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("admin@refcodes.local: member → admin (1 session(s) ended)"),
        "{stdout}"
    );
    // The grant ended the member session; signed in again, the account is an admin.
    let resp = gus.get(server.url("/api/me")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let login = json!({"email": "admin@refcodes.local", "password": "password-1"});
    let resp = gus
        .post(server.url("/api/auth/login"))
        .json(&login)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(fetch_me(&gus, &server).await["role"], "admin");

    let (code, stdout, stderr) = admin_command(&pool, &["revoke", "admin@refcodes.local"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("admin → member (1 session(s) ended)"),
        "{stdout}"
    );
    let resp = gus
        .get(server.url("/api/admin/rewards"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        401,
        "the admin session ended with the revoke"
    );
    assert_eq!(
        audit_actions(&pool, &gus_id).await,
        [
            ("grant_admin".to_string(), "operator".to_string()),
            ("revoke_admin".to_string(), "operator".to_string())
        ]
    );

    let (code, _, stderr) = admin_command(&pool, &["grant", "nobody@example.com"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no account has the email nobody@example.com"),
        "{stderr}"
    );
    let (code, _, stderr) = admin_command(&pool, &["promote", "admin@refcodes.local"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("admin grant EMAIL"), "{stderr}");
    server.stop().await;
}
