//! Cross-site requests are refused before they change anything: a foreign page posting as the signed-in admin
//! (bulk approval, a credit grant), as a member (re-pointing a code) or signing a visitor into the attacker's
//! account gets 403 `cross_site` and the database is as it was; the same requests from the site itself pass, and
//! the payment provider's signed notification is exempt.
mod common;
use common::*;
use refcodes::api::admin::{AdminBulk, AdminGrantCredit};
use refcodes::api::auth::SignIn;
use refcodes::domain::admin::RewardFilter;
use serde_json::json;
use sqlx::PgPool;

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
    let request = http
        .post(server.url(F::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(serde_qs::to_string(args).unwrap());
    request.headers(header_map(headers)).send().await.unwrap()
}

async fn statuses(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT data->>'status' FROM referral_rewards ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn balance(pool: &PgPool, user_id: &str) -> i64 {
    refcodes::server::db::credit::balance(pool, user_id, "UAH")
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
    let before = (statuses(&pool).await, balance(&pool, &plain_id).await);
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
        (statuses(&pool).await, balance(&pool, &plain_id).await),
        before,
        "nothing changed"
    );

    let own = own(&server);
    assert_eq!(post_form(&admin, &server, &bulk, &own).await.status(), 200);
    assert_eq!(post_form(&admin, &server, &grant, &own).await.status(), 200);
    assert_eq!(statuses(&pool).await, ["approved"; 3]);
    assert_eq!(balance(&pool, &plain_id).await, 50_000);
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
    assert_eq!(
        victim
            .get(server.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let own = own(&server);
    assert!(post_form(&victim, &server, &sign_in, &own)
        .await
        .status()
        .is_success());
    assert_eq!(
        victim
            .get(server.url("/api/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
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
