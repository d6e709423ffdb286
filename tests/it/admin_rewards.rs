//! The admin reward ledger over HTTP against a real PostgreSQL: roles, transitions, filters with keyset
//! pages and totals, bulk actions, the CSV export and the audit trail.
use crate::common;
use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const ADMIN: &str = "boss@example.com";

/// An admin and a member signed in.
async fn setup(pool: PgPool) -> (TestServer, reqwest::Client, reqwest::Client, String) {
    let server = TestServer::start(pool, &[]).await;
    let (admin, plain, plain_id) = admin_and_member(&server, ADMIN).await;
    (server, admin, plain, plain_id)
}

async fn status_of(pool: &PgPool, id: &str) -> String {
    sqlx::query_scalar("SELECT data->>'status' FROM referral_rewards WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn act(
    http: &reqwest::Client,
    server: &TestServer,
    id: &str,
    action: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let req = http.post(server.url(&format!("/api/admin/rewards/{id}/{action}")));
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap()
}

#[sqlx::test]
async fn every_admin_endpoint_checks_the_role(pool: PgPool) {
    let (server, _admin, plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "r", 1, "pending", "fiat").await;
    let anonymous = client();
    for (who, expected) in [
        (&anonymous, (401, "unauthorized")),
        (&plain, (403, "forbidden")),
    ] {
        let calls = [
            who.get(server.url("/api/admin/rewards"))
                .send()
                .await
                .unwrap(),
            who.get(server.url("/api/admin/rewards.csv"))
                .send()
                .await
                .unwrap(),
            who.get(server.url("/api/admin/audit"))
                .send()
                .await
                .unwrap(),
            who.post(server.url("/api/admin/rewards/bulk"))
                .json(&json!({"action": "approve", "ids": ["r-1"]}))
                .send()
                .await
                .unwrap(),
            act(who, &server, "r-1", "approve", None).await,
            act(who, &server, "r-1", "reject", Some(json!({"reason": "x"}))).await,
        ];
        for resp in calls {
            let (status, code) = json_error(resp).await;
            assert_eq!((status, code.as_str()), expected);
        }
    }
    assert_eq!(status_of(&pool, "r-1").await, "pending", "nothing changed");
    server.stop().await;
}

#[sqlx::test]
async fn only_legal_moves_succeed_and_each_is_audited(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "t", 4, "pending", "fiat").await;
    seed_rewards(&pool, &plain_id, "f", 1, "failed", "crypto").await;

    assert_eq!(
        act(&admin, &server, "t-1", "approve", None).await.status(),
        204
    );
    assert_eq!(status_of(&pool, "t-1").await, "approved");
    let again = act(&admin, &server, "t-1", "approve", None).await;
    assert_eq!(json_error(again).await, (409, "illegal_transition".into()));

    let no_reason = act(
        &admin,
        &server,
        "t-2",
        "reject",
        Some(json!({"reason": "  "})),
    )
    .await;
    assert_eq!(json_error(no_reason).await, (400, "reason_required".into()));
    assert_eq!(
        act(
            &admin,
            &server,
            "t-2",
            "reject",
            Some(json!({"reason": "self-dealing"}))
        )
        .await
        .status(),
        204
    );
    let rejected: Value = sqlx::query_scalar("SELECT data FROM referral_rewards WHERE id = 't-2'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (
            rejected["status"].as_str(),
            rejected["rejectedReason"].as_str()
        ),
        (Some("rejected"), Some("self-dealing"))
    );
    assert_eq!(
        json_error(act(&admin, &server, "t-2", "approve", None).await)
            .await
            .0,
        409,
        "final"
    );

    assert_eq!(
        act(&admin, &server, "t-1", "void", None).await.status(),
        204
    );
    assert_eq!(
        json_error(act(&admin, &server, "t-3", "retry", None).await).await,
        (409, "illegal_transition".into())
    );
    assert_eq!(
        act(&admin, &server, "f-1", "retry", None).await.status(),
        204
    );
    assert_eq!(status_of(&pool, "f-1").await, "approved");
    sqlx::query(
        "UPDATE referral_rewards SET data = data || '{\"status\": \"minting\"}' WHERE id = 't-4'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        json_error(act(&admin, &server, "t-4", "approve", None).await)
            .await
            .0,
        409,
        "minting is the minter's"
    );
    assert_eq!(
        json_error(act(&admin, &server, "t-4", "void", None).await)
            .await
            .0,
        409
    );
    assert_eq!(
        json_error(act(&admin, &server, "nope", "approve", None).await).await,
        (404, "not_found".into())
    );
    assert_eq!(
        json_error(act(&admin, &server, "t-3", "mint", None).await).await,
        (404, "not_found".into())
    );

    let audit: Vec<Value> = get_json(&admin, &server, "/api/admin/audit").await;
    let actions: Vec<(&str, &str)> = audit
        .iter()
        // The set-up's own entry: the operator granting the admin its role.
        .filter(|e| e["data"]["action"] != "grant_admin")
        .filter(|e| !e["data"]["targetIds"].as_array().unwrap().is_empty())
        .map(|e| {
            (
                e["data"]["action"].as_str().unwrap(),
                e["data"]["targetIds"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("retry", "f-1"),
            ("void", "t-1"),
            ("reject", "t-2"),
            ("approve", "t-1")
        ]
    );
    let reject = audit
        .iter()
        .find(|e| e["data"]["action"] == "reject" && e["data"]["targetIds"][0] == "t-2")
        .unwrap();
    assert_eq!(reject["data"]["actorEmail"], ADMIN);
    assert_eq!(reject["data"]["before"], json!({"t-2": "pending"}));
    assert_eq!(reject["data"]["after"], "rejected");
    assert_eq!(reject["data"]["detail"]["reason"], "self-dealing");
    server.stop().await;
}

#[sqlx::test]
async fn filters_pages_and_totals(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "p", 70, "pending", "fiat").await;
    seed_rewards(&pool, &plain_id, "c", 5, "approved", "crypto").await;

    let first: Value = get_json(&admin, &server, "/api/admin/rewards?status=pending").await;
    let rows = first["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50);
    assert_eq!(rows[0]["id"], "p-70", "newest first");
    assert_eq!(rows[0]["referrerEmail"], "plain@example.com");
    assert_eq!(
        first["totals"],
        json!([{"status": "pending", "currency": "UAH", "count": 70, "fiatAmount": 70 * 1000 + 70 * 71 / 2, "amountWei": (250_000_000_000_000_000u128 * 70 * 71 / 2).to_string()}])
    );
    let cursor = first["nextCursor"].as_str().unwrap();
    let second: Value = get_json(
        &admin,
        &server,
        &format!("/api/admin/rewards?status=pending&cursor={cursor}"),
    )
    .await;
    let rows2 = second["rows"].as_array().unwrap();
    assert_eq!(rows2.len(), 20);
    assert_eq!(rows2[0]["id"], "p-20");
    assert_eq!(second["nextCursor"], Value::Null);

    let crypto: Value = get_json(&admin, &server, "/api/admin/rewards?rail=crypto").await;
    assert_eq!(crypto["rows"].as_array().unwrap().len(), 5);
    let search: Value = get_json(&admin, &server, "/api/admin/rewards?search=rc-p-7").await;
    assert_eq!(search["rows"][0]["orderReference"], "RC-p-7");
    let by_referrer: Value = get_json(
        &admin,
        &server,
        "/api/admin/rewards?referrer=PLAIN@example.com&code=code-c",
    )
    .await;
    assert_eq!(by_referrer["totals"][0]["count"], 5);
    // Fiat sums never mix currencies: a reward in USD has a total of its own.
    sqlx::query(
        "UPDATE referral_rewards SET data = data || '{\"currency\": \"USD\"}' WHERE id = 'c-1'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mixed: Value = get_json(&admin, &server, "/api/admin/rewards?status=approved").await;
    let totals: Vec<(String, i64, i64)> = mixed["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["currency"].as_str().unwrap().to_string(),
                t["count"].as_i64().unwrap(),
                t["fiatAmount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            ("UAH".to_string(), 4, 4 * 1000 + 2 + 3 + 4 + 5),
            ("USD".to_string(), 1, 1001)
        ]
    );
    for bad in ["status=paid", "from=yesterday", "cursor=garbage"] {
        let resp = admin
            .get(server.url(&format!("/api/admin/rewards?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(json_error(resp).await.0, 400, "{bad}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn bulk_actions_by_selection_and_by_filter(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "b", 30, "pending", "fiat").await;
    seed_rewards(&pool, &plain_id, "x", 2, "minted", "fiat").await;

    let picked =
        json!({"action": "reject", "reason": "duplicate accounts", "ids": ["b-1", "b-2", "x-1"]});
    let acted: Value = admin
        .post(server.url("/api/admin/rewards/bulk"))
        .json(&picked)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (acted["selected"].as_u64(), acted["skipped"].as_u64()),
        (Some(3), Some(1))
    );

    let everything = json!({"action": "approve", "filter": {"status": "pending"}});
    let acted: Value = admin
        .post(server.url("/api/admin/rewards/bulk"))
        .json(&everything)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(acted["moved"].as_array().unwrap().len(), 28);
    let approved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM referral_rewards WHERE data->>'status' = 'approved'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(approved, 28);

    for bad in [
        json!({"action": "mint", "ids": []}),
        json!({"action": "approve"}),
        json!({"action": "approve", "ids": [], "filter": {}}),
    ] {
        let resp = admin
            .post(server.url("/api/admin/rewards/bulk"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(json_error(resp).await.0, 400, "{bad}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn a_bulk_action_is_capped(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "m", 10_001, "pending", "fiat").await;
    let resp = admin
        .post(server.url("/api/admin/rewards/bulk"))
        .json(&json!({"action": "approve", "filter": {"status": "pending"}}))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "too_many_selected");
    assert!(
        body["message"].as_str().unwrap().contains("10001"),
        "{body}"
    );
    let approved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM referral_rewards WHERE data->>'status' = 'approved'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(approved, 0);
    server.stop().await;
}

#[sqlx::test]
async fn the_csv_export_holds_exactly_the_filtered_rows(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "e", 2_500, "pending", "fiat").await;
    seed_rewards(&pool, &plain_id, "k", 3, "approved", "crypto").await;
    let resp = admin
        .get(server.url("/api/admin/rewards.csv?status=pending"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2_501,
        "header + every pending reward across pages"
    );
    assert!(lines[0].starts_with("id,orderReference,kind,status"));
    assert!(lines[1].starts_with("e-2500,RC-e-2500,store,pending,fiat,CODE-E,plain@example.com,"));
    assert!(lines.iter().skip(1).all(|l| l.contains(",pending,")));
    let mut ids: Vec<&str> = lines
        .iter()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2_500, "no row twice");
    server.stop().await;
}

#[sqlx::test]
async fn a_reward_without_a_price_is_not_approved_and_is_priced_where_it_waits(pool: PgPool) {
    let (server, admin, _, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "np", 3, "pending", "fiat").await;
    // Waiting for a price: one pending, one failed on the old loop, one approved before approval checked it.
    for (id, status) in [
        ("np-1", "pending"),
        ("np-2", "failed"),
        ("np-3", "approved"),
    ] {
        sqlx::query(
            r#"UPDATE referral_rewards SET data = data || jsonb_build_object('status', $2::text,
                   'priceNeeded', true, 'amountWei', '0', 'oracle', null) WHERE id = $1"#,
        )
        .bind(id)
        .bind(status)
        .execute(&pool)
        .await
        .unwrap();
    }
    let resp = act(&admin, &server, "np-1", "approve", None).await;
    assert_eq!(json_error(resp).await, (409, "price_needed".into()));
    let resp = act(&admin, &server, "np-2", "retry", None).await;
    assert_eq!(json_error(resp).await, (409, "price_needed".into()));
    let bulk: Value = admin
        .post(server.url("/api/admin/rewards/bulk"))
        .json(&json!({"ids": ["np-1", "np-2"], "action": "approve"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bulk["moved"], json!([]), "{bulk}");

    let priced = default_ledger().price_waiting(&pool).await.unwrap();
    assert_eq!(priced, 3, "priced in every status it waits in");
    for (id, status) in [
        ("np-1", "pending"),
        ("np-2", "failed"),
        ("np-3", "approved"),
    ] {
        assert_eq!(status_of(&pool, id).await, status, "{id} keeps its status");
    }
    let resp = act(&admin, &server, "np-1", "approve", None).await;
    assert_eq!(resp.status(), 204);
    server.stop().await;
}

#[sqlx::test]
async fn a_reward_that_does_not_read_is_an_error_and_counted_never_a_missing_row(pool: PgPool) {
    let (server, admin, _plain, plain_id) = setup(pool.clone()).await;
    seed_rewards(&pool, &plain_id, "u", 2, "pending", "fiat").await;
    let ledger = || async {
        admin
            .get(server.url("/api/admin/rewards"))
            .send()
            .await
            .unwrap()
    };
    assert_eq!(ledger().await.status(), 200);
    // A kind no release writes (status, rail and amount are held by constraints).
    sqlx::query(
        r#"UPDATE referral_rewards SET data = data || '{"kind": "gift"}' WHERE id = 'u-1'"#,
    )
    .execute(&pool)
    .await
    .unwrap();

    assert_eq!(json_error(ledger().await).await, (500, "internal".into()));
    let metrics = common::metrics_text(&server).await;
    let unreadable = metrics
        .lines()
        .find_map(|l| l.strip_prefix("refcodes_reward_rows_unreadable_total "))
        .and_then(|n| n.trim().parse::<f64>().ok());
    assert!(unreadable.is_some_and(|n| n >= 1.0), "{metrics}");
    server.stop().await;
}
