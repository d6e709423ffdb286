//! The member page `/{locale}/refcodes`, rendered by the server: codes, share links, QR codes, funnels.
use crate::common;
use common::{
    call_server_fn, client, create_code, member, prove_wallet, seed_rewards, signer, TestServer,
    WALLET_A,
};
use refcodes::api::store::MyRewards;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn page(http: &reqwest::Client, server: &TestServer, path: &str) -> (u16, String) {
    let resp = http
        .get(server.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    // Text interpolations are separated by hydration markers; the reader sees the text without them.
    let html = resp.text().await.unwrap().replace("<!>", "");
    (status, html)
}

#[sqlx::test]
async fn an_empty_page_explains_referral_in_each_language(pool: PgPool) {
    let server = TestServer::start(pool, &[("REF_COOKIE_DAYS", "45")]).await;
    let http = client();
    member(&http, &server, "new@example.com").await;
    for (locale, words) in [
        (
            "en",
            [
                "You have no referral codes yet",
                "45 days",
                "New referral code",
            ],
        ),
        (
            "uk",
            [
                "У вас ще немає реферальних кодів",
                "45 днів",
                "Новий реферальний код",
            ],
        ),
        (
            "ru",
            [
                "У вас ещё нет реферальных кодов",
                "45 дней",
                "Новый реферальный код",
            ],
        ),
    ] {
        let (status, html) = page(&http, &server, &format!("/{locale}/refcodes")).await;
        assert_eq!(status, 200);
        assert!(html.contains("data-testid=\"refcodes-empty\""), "{locale}");
        for w in words {
            assert!(html.contains(w), "{locale}: {w}");
        }
    }
    server.stop().await;
}

#[sqlx::test]
async fn each_code_shows_its_link_qr_code_and_funnel(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let owner = client();
    member(&owner, &server, "owner@example.com").await;
    prove_wallet(&owner, &server, &signer("A")).await;
    create_code(
        &owner,
        &server,
        json!({"code": "SPRING", "wallet": WALLET_A, "label": "Newsletter"}),
    )
    .await;
    // One visit and one signup through the link.
    let visitor = client();
    visitor
        .get(server.url("/uk/?ref=spring"))
        .send()
        .await
        .unwrap();
    let tracked = visitor
        .post(server.url("/api/refcodes/track"))
        .json(&json!({"code": "SPRING"}))
        .send()
        .await
        .unwrap();
    assert_eq!(tracked.status(), 204);
    member(&visitor, &server, "friend@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;

    let (status, html) = page(&owner, &server, "/uk/refcodes").await;
    assert_eq!(status, 200);
    let link = format!("{}/uk/?ref=SPRING", server.base);
    assert!(
        html.contains(&format!("value=\"{link}\"")),
        "full share link"
    );
    assert!(html.contains("data-testid=\"copy-link\""));
    assert!(html.contains("Скопіювати посилання"));
    let qr = html
        .split("data-testid=\"qr\"")
        .nth(1)
        .expect("a QR figure");
    assert!(
        qr.contains("<svg") && qr.contains("<path"),
        "server-drawn SVG"
    );
    assert!(html.contains("data-testid=\"funnel-visits\" data-count=\"1\""));
    assert!(html.contains("1 перехід"), "plural in Ukrainian");
    assert!(html.contains("data-testid=\"funnel-signups\" data-count=\"1\""));
    assert!(html.contains("1 реєстрація"));
    assert!(html.contains("data-testid=\"funnel-orders\" data-count=\"0\""));
    assert!(html.contains("Newsletter"));
    assert!(html.contains(WALLET_A));

    let (_, en) = page(&owner, &server, "/en/refcodes").await;
    assert!(en.contains(&format!("{}/en/?ref=SPRING", server.base)));
    assert!(en.contains("1 visit") && en.contains("1 signup") && en.contains("0 paid orders"));
    let (_, ru) = page(&owner, &server, "/ru/refcodes").await;
    assert!(ru.contains("1 переход") && ru.contains("1 регистрация"));
    server.stop().await;
}

/// The `href` of the link marked `data-testid="{testid}"`, if the page has one.
fn link(html: &str, testid: &str) -> Option<String> {
    let at = html.find(&format!(r#"data-testid="{testid}""#))?;
    let start = html[..at].rfind(r#"href=""#)? + r#"href=""#.len();
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

#[sqlx::test]
async fn a_member_reads_every_reward_a_page_at_a_time(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let http = client();
    let me = member(&http, &server, "earner@example.com").await;
    seed_rewards(&pool, &me, "m", 120, "pending", "fiat").await;

    let (mut seen, mut cursor, mut pages) = (Vec::new(), None, 0);
    loop {
        let (status, body) = call_server_fn(&http, &server, &MyRewards { cursor }).await;
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        let rows = page["rewards"].as_array().unwrap();
        seen.extend(
            rows.iter()
                .map(|r| r["orderReference"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        cursor = page["nextCursor"].as_str().map(str::to_owned);
        if cursor.is_none() || pages > 5 {
            break;
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1..=120).rev().map(|g| format!("RC-m-{g}")).collect();
    assert_eq!(seen, expected, "newest first, each reward once");

    let (status, first) = page(&http, &server, "/en/refcodes").await;
    assert_eq!(status, 200);
    assert_eq!(first.matches(r#"data-testid="reward-row""#).count(), 50);
    assert!(
        first.contains(r#"data-order="RC-m-71""#) && !first.contains(r#"data-order="RC-m-70""#)
    );
    assert!(first.contains("Older rewards") && link(&first, "rewards-newest").is_none());
    let older = link(&first, "rewards-older").expect("a link to older rewards");
    let (status, second) = page(&http, &server, &older).await;
    assert_eq!(status, 200, "{older}");
    assert_eq!(second.matches(r#"data-testid="reward-row""#).count(), 50);
    assert!(
        second.contains(r#"data-order="RC-m-70""#) && !second.contains(r#"data-order="RC-m-71""#)
    );
    assert_eq!(
        link(&second, "rewards-newest").as_deref(),
        Some("/en/refcodes")
    );

    let (status, body) = call_server_fn(
        &http,
        &server,
        &MyRewards {
            cursor: Some("nonsense".into()),
        },
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (_, made_up) = page(&http, &server, "/uk/refcodes?older=nonsense").await;
    assert!(
        made_up.contains("Запит не зрозуміло"),
        "a translated error, not a crash"
    );
}
