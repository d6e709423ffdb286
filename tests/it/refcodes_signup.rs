//! Signup attribution: the first-touch `ring_ref` names an active code of someone else → `referredBy`.
use crate::common;
use common::{
    client, create_code, list_codes, member, prove_wallet, signer, TestServer, WALLET_A, WALLET_B,
};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn referred_by(http: &reqwest::Client, server: &TestServer) -> Value {
    let me: Value = http
        .get(server.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    me["referredBy"].clone()
}

/// A visitor who opened `path` (capturing its `?ref=`), then signed up through the JSON API.
async fn visitor_signing_up(server: &TestServer, path: &str, email: &str) -> reqwest::Client {
    let http = client();
    let page = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(page.status(), 200, "{path}");
    member(&http, server, email).await;
    http
}

#[sqlx::test]
async fn an_active_code_of_someone_else_is_recorded(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let referrer = client();
    let referrer_id = member(&referrer, &server, "referrer@example.com").await;
    prove_wallet(&referrer, &server, &signer("A")).await;
    create_code(
        &referrer,
        &server,
        json!({"code": "FRIENDS", "wallet": WALLET_A}),
    )
    .await;

    let visitor = visitor_signing_up(
        &server,
        "/uk/store?utm_source=x&ref=friends",
        "v@example.com",
    )
    .await;
    assert_eq!(
        referred_by(&visitor, &server).await,
        json!({"code": "FRIENDS", "userId": referrer_id})
    );
    let codes = list_codes(&referrer, &server).await;
    assert_eq!(codes[0]["funnel"]["signups"], 1);
    server.stop().await;
}

#[sqlx::test]
async fn the_page_form_attributes_too(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let referrer = client();
    let referrer_id = member(&referrer, &server, "r2@example.com").await;
    prove_wallet(&referrer, &server, &signer("A")).await;
    create_code(
        &referrer,
        &server,
        json!({"code": "FORM-PATH", "wallet": WALLET_A}),
    )
    .await;

    let visitor = client();
    visitor
        .get(server.url("/ru/?ref=FORM-PATH"))
        .send()
        .await
        .unwrap();
    // The sign-up form posts to its server function (as a browser without JavaScript does).
    let html = visitor
        .get(server.url("/ru/signup"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-up form has an action")
        .to_string();
    let resp = visitor
        .post(server.url(&action))
        .form(&[
            ("email", "form@example.com"),
            ("password", "password-123"),
            ("locale", "ru"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        resp.status().is_redirection() || resp.status().is_success(),
        "{}",
        resp.status()
    );
    assert_eq!(
        referred_by(&visitor, &server).await,
        json!({"code": "FORM-PATH", "userId": referrer_id})
    );
    server.stop().await;
}

#[sqlx::test]
async fn inactive_unknown_and_own_codes_attribute_nothing(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let referrer = client();
    member(&referrer, &server, "owner@example.com").await;
    prove_wallet(&referrer, &server, &signer("A")).await;
    create_code(
        &referrer,
        &server,
        json!({"code": "PAUSED", "wallet": WALLET_A}),
    )
    .await;
    create_code(
        &referrer,
        &server,
        json!({"code": "OWN-CODE", "wallet": WALLET_A}),
    )
    .await;
    referrer
        .patch(server.url("/api/refcodes/PAUSED"))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();

    let inactive = visitor_signing_up(&server, "/en/?ref=PAUSED", "a@example.com").await;
    assert_eq!(referred_by(&inactive, &server).await, Value::Null);
    let unknown = visitor_signing_up(&server, "/en/?ref=NO-SUCH-CODE", "b@example.com").await;
    assert_eq!(referred_by(&unknown, &server).await, Value::Null);

    // The owner opens their own link and, still signed in, creates another account on that device.
    let own = referrer
        .get(server.url("/uk/?ref=OWN-CODE"))
        .send()
        .await
        .unwrap();
    assert!(own.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("ring_ref=OWN-CODE"));
    member(&referrer, &server, "owner-again@example.com").await;
    assert_eq!(referred_by(&referrer, &server).await, Value::Null);

    let attributed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE data->'referredBy' <> 'null'::jsonb")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(attributed, 0);
    server.stop().await;
}

#[sqlx::test]
async fn the_first_code_seen_is_the_one_that_counts(pool: PgPool) {
    let server = TestServer::start(pool, &[]).await;
    let (first, second) = (client(), client());
    let first_id = member(&first, &server, "first@example.com").await;
    member(&second, &server, "second@example.com").await;
    prove_wallet(&first, &server, &signer("A")).await;
    prove_wallet(&second, &server, &signer("B")).await;
    create_code(
        &first,
        &server,
        json!({"code": "FIRST", "wallet": WALLET_A}),
    )
    .await;
    create_code(
        &second,
        &server,
        json!({"code": "SECOND", "wallet": WALLET_B}),
    )
    .await;

    let visitor = client();
    for path in [
        "/en/?ref=FIRST",
        "/uk/?ref=SECOND",
        "/ru/membership?ref=SECOND",
    ] {
        visitor.get(server.url(path)).send().await.unwrap();
    }
    member(&visitor, &server, "late@example.com").await;
    assert_eq!(
        referred_by(&visitor, &server).await,
        json!({"code": "FIRST", "userId": first_id})
    );
    server.stop().await;
}
