//! The admin page's tools over HTTP against a real PostgreSQL: every admin server function checks the role
//! itself, the codes overview and deactivating a code, granting credit by email, the audit filters, and
//! "Mint now" refusing clearly without a chain (with a chain: tests/it/minting.rs).
use crate::common;
use common::*;
use refcodes::api::admin::{
    AdminAct, AdminBulk, AdminGrantCredit, AdminMintNow, AdminSetCodeBlocked, LoadAdminCodes,
    LoadAdminRewards, LoadAudit,
};
use refcodes::domain::admin::RewardFilter;
use serde_json::{json, Value};
use sqlx::PgPool;

const ADMIN: &str = "boss@example.com";

async fn setup(pool: PgPool) -> (TestServer, reqwest::Client, reqwest::Client, String) {
    let server = shop(pool, &[]).await;
    let (admin, plain, plain_id) = admin_and_member(&server, ADMIN).await;
    (server, admin, plain, plain_id)
}

/// A code of the member signed in on `http`, paying to WALLET_A (proven first).
async fn code_for(http: &reqwest::Client, server: &TestServer, code: &str) {
    prove_wallet(http, server, &signer("A")).await;
    let created = create_code(http, server, json!({"code": code, "wallet": WALLET_A})).await;
    assert_eq!(created.status(), 201);
}

fn audit(action: Option<&str>, target: Option<&str>) -> LoadAudit {
    LoadAudit {
        action: action.map(str::to_string),
        target: target.map(str::to_string),
    }
}

#[sqlx::test]
async fn every_admin_server_function_checks_the_role(pool: PgPool) {
    let (server, _admin, plain, plain_id) = setup(pool.clone()).await;
    code_for(&plain, &server, "PLAIN-CODE").await;
    let anonymous = client();
    for (who, expected) in [(&anonymous, 401), (&plain, 403)] {
        let statuses = [
            call_server_fn(
                who,
                &server,
                &LoadAdminRewards {
                    filter: RewardFilter::default(),
                    cursor: None,
                },
            )
            .await
            .0,
            call_server_fn(
                who,
                &server,
                &AdminAct {
                    id: "x".into(),
                    action: "approve".into(),
                    reason: None,
                },
            )
            .await
            .0,
            call_server_fn(
                who,
                &server,
                &AdminBulk {
                    action: "approve".into(),
                    reason: None,
                    ids: vec!["x".into()],
                    filter: RewardFilter::default(),
                },
            )
            .await
            .0,
            call_server_fn(who, &server, &audit(None, None)).await.0,
            call_server_fn(who, &server, &AdminMintNow {}).await.0,
            call_server_fn(
                who,
                &server,
                &AdminGrantCredit {
                    email: "plain@example.com".into(),
                    amount: "100.00".into(),
                },
            )
            .await
            .0,
            call_server_fn(
                who,
                &server,
                &LoadAdminCodes {
                    search: None,
                    cursor: None,
                },
            )
            .await
            .0,
            call_server_fn(
                who,
                &server,
                &AdminSetCodeBlocked {
                    code: "PLAIN-CODE".into(),
                    blocked: true,
                },
            )
            .await
            .0,
        ];
        assert_eq!(statuses, [expected; 8]);
        for resp in [
            who.post(server.url("/api/admin/mint"))
                .send()
                .await
                .unwrap(),
            who.get(server.url("/api/admin/refcodes"))
                .send()
                .await
                .unwrap(),
            who.post(server.url("/api/admin/refcodes/PLAIN-CODE/block"))
                .send()
                .await
                .unwrap(),
        ] {
            assert_eq!(json_error(resp).await.0, expected);
        }
    }
    let codes = list_codes(&plain, &server).await;
    assert_eq!(codes[0]["active"], true, "nothing changed");
    let balance: i64 = sqlx::query_scalar(
        "SELECT COALESCE(sum((data->>'amount')::bigint), 0)::bigint FROM credit_ledger WHERE data->>'userId' = $1",
    )
    .bind(&plain_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(balance, 0, "no credit granted");
    server.stop().await;
}

#[sqlx::test]
async fn the_unfiltered_ledger_and_a_filter_wide_bulk_call_reach_the_server(pool: PgPool) {
    let (server, admin, _plain, _) = setup(pool).await;
    // serde_qs leaves out an empty filter and an empty selection: both must still arrive as "none".
    let (status, body) = call_server_fn(
        &admin,
        &server,
        &LoadAdminRewards {
            filter: RewardFilter::default(),
            cursor: None,
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let bulk = AdminBulk {
        action: "approve".into(),
        reason: None,
        ids: vec![],
        filter: RewardFilter::default(),
    };
    let (status, body) = call_server_fn(&admin, &server, &bulk).await;
    assert_eq!((status, body.as_str()), (200, r#"{"moved":0,"skipped":0}"#));
    server.stop().await;
}

#[sqlx::test]
async fn mint_now_without_a_chain_says_minting_is_not_configured(pool: PgPool) {
    let (server, admin, _plain, _) = setup(pool).await;
    let resp = admin
        .post(server.url("/api/admin/mint"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(resp).await,
        (503, "minting_not_configured".into())
    );
    let (status, body) = call_server_fn(&admin, &server, &AdminMintNow {}).await;
    assert_eq!(status, 503, "{body}");
    server.stop().await;
}

#[sqlx::test]
async fn the_codes_overview_shows_each_code_and_an_admin_blocks_one(pool: PgPool) {
    let (server, admin, plain, _) = setup(pool.clone()).await;
    code_for(&plain, &server, "OVERVIEW-1").await;
    // A visit through the link and a signup it attributed.
    let visitor = client();
    visitor
        .get(server.url("/en?ref=OVERVIEW-1"))
        .send()
        .await
        .unwrap();
    member(&visitor, &server, "invited@example.com").await;
    // Enough other codes for a second page (inserted directly: one member may hold only a few).
    sqlx::query(
        r#"INSERT INTO refcodes (id, data)
           SELECT 'bulk-' || g, jsonb_build_object('code', 'ZZ-' || lpad(g::text, 3, '0'), 'userId', 'nobody',
                  'wallet', $1, 'label', null, 'active', true, 'visits', 0)
           FROM generate_series(1, 60) g"#,
    )
    .bind(WALLET_B)
    .execute(&pool)
    .await
    .unwrap();

    let page: Value = get_json(&admin, &server, "/api/admin/refcodes?search=overview").await;
    let codes = page["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 1, "{page}");
    let row = &codes[0];
    assert_eq!(
        (
            row["code"].as_str(),
            row["ownerEmail"].as_str(),
            row["wallet"].as_str(),
            row["active"].as_bool()
        ),
        (
            Some("OVERVIEW-1"),
            Some("plain@example.com"),
            Some(WALLET_A),
            Some(true)
        )
    );
    assert_eq!(row["signups"], 1, "{row}");
    let by_email: Value = get_json(
        &admin,
        &server,
        "/api/admin/refcodes?search=PLAIN%40example",
    )
    .await;
    assert_eq!(by_email["codes"][0]["code"], "OVERVIEW-1");

    let first: Value = get_json(&admin, &server, "/api/admin/refcodes").await;
    assert_eq!(first["codes"].as_array().unwrap().len(), 50);
    let cursor = first["nextCursor"].as_str().unwrap();
    let second: Value = get_json(
        &admin,
        &server,
        &format!("/api/admin/refcodes?cursor={cursor}"),
    )
    .await;
    assert_eq!(second["codes"].as_array().unwrap().len(), 11);
    assert!(second["nextCursor"].is_null());

    let (status, body) = call_server_fn(
        &admin,
        &server,
        &AdminSetCodeBlocked {
            code: "overview-1".into(),
            blocked: true,
        },
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mine = &list_codes(&plain, &server).await[0];
    assert_eq!(
        (mine["active"].as_bool(), mine["blocked"].as_bool()),
        (Some(true), Some(true))
    );
    // The owner cannot switch it back on; a blocked code attributes nothing new.
    let resp = plain
        .patch(server.url("/api/refcodes/OVERVIEW-1"))
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = plain
        .patch(server.url("/api/refcodes/OVERVIEW-1"))
        .json(&serde_json::json!({"active": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (409, "code_blocked".into()));
    assert_eq!(list_codes(&plain, &server).await[0]["blocked"], true);
    let late = client();
    late.get(server.url("/en?ref=OVERVIEW-1"))
        .send()
        .await
        .unwrap();
    member(&late, &server, "late@example.com").await;
    let referred: Option<Value> = sqlx::query_scalar(
        "SELECT data->'referredBy' FROM users WHERE data->>'email' = 'late@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(referred.as_ref().is_none_or(Value::is_null), "{referred:?}");

    let resp = admin
        .post(server.url("/api/admin/refcodes/NO-SUCH-CODE/block"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (404, "unknown_code".into()));
    let (status, body) = call_server_fn(
        &admin,
        &server,
        &audit(Some("block_code"), Some("OVERVIEW-1")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let entries: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(entries.len(), 1, "{body}");
    assert_eq!(
        (entries[0]["actor"].as_str(), entries[0]["after"].as_str()),
        (Some(ADMIN), Some("blocked"))
    );
    server.stop().await;
}

#[sqlx::test]
async fn an_admin_grants_credit_by_email_and_it_is_audited(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    let grant = |email: &str, amount: &str| AdminGrantCredit {
        email: email.into(),
        amount: amount.into(),
    };
    let (status, body) =
        call_server_fn(&admin, &server, &grant(" Plain@Example.com ", "250.00")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("250.00"), "{body}");
    let (status, body) = call_server_fn(&admin, &server, &grant("plain@example.com", "0.50")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("250.50"), "{body}");
    assert_eq!(
        call_server_fn(&admin, &server, &grant("nobody@example.com", "10.00"))
            .await
            .0,
        404
    );
    for bad in ["0", "-1", "abc", "1.999"] {
        assert_eq!(
            call_server_fn(&admin, &server, &grant("plain@example.com", bad))
                .await
                .0,
            400,
            "{bad}"
        );
    }
    let resp = admin
        .post(server.url("/api/admin/credit-grants"))
        .json(&json!({"userId": "no-such-user", "amount": "1.00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (404, "unknown_user".into()));

    let (_, body) = call_server_fn(
        &admin,
        &server,
        &audit(Some("grant_credit"), Some(&plain_id)),
    )
    .await;
    let entries: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(entries.len(), 2, "{body}");
    assert_eq!(entries[0]["after"], "250.50 UAH", "{body}");
    let (_, body) = call_server_fn(&admin, &server, &audit(Some("approve"), None)).await;
    assert_eq!(body, "[]");
    server.stop().await;
}

#[sqlx::test]
async fn an_admin_block_holds_the_rewards_of_orders_made_before_it(pool: PgPool) {
    const ESPRESSO: &str = "coffee-espresso-blend";
    let (server, admin, plain, _) = setup(pool.clone()).await;
    code_for(&plain, &server, "BLOCK-ME").await;
    let (buyer, buyer_id) = referred_buyer(&server, "BLOCK-ME", "buyer@example.com").await;
    refcodes::server::db::credit::grant(&pool, &buyer_id, 100_000, "UAH", "test")
        .await
        .unwrap();
    let reference = ordered(&buyer, &server, ESPRESSO, 1).await;
    let blocked = admin
        .post(server.url("/api/admin/refcodes/BLOCK-ME/block"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 204);

    // Paid with credit (the crypto rail approves at once), yet held for an admin.
    let paid = buyer
        .post(server.url("/api/store/payments/credit"))
        .json(&json!({"orderReference": reference}))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 200);
    let rewards = rewards_of(&pool, &reference).await;
    assert_eq!(
        (
            rewards[0]["status"].as_str(),
            rewards[0]["heldReason"].as_str()
        ),
        (Some("pending"), Some("codeBlocked"))
    );
    // A later visitor's sign-up through it is not attributed.
    let (_, late_id) = referred_buyer(&server, "BLOCK-ME", "late@example.com").await;
    let referred: Option<Value> =
        sqlx::query_scalar("SELECT data->'referredBy' FROM users WHERE id = $1")
            .bind(&late_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(referred.as_ref().is_none_or(Value::is_null), "{referred:?}");
    server.stop().await;
}
