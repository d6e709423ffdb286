//! The admin page's chain card and `/metrics`: the last run, the balances read then (a low gas balance flagged),
//! and the drift the scheduled reconciliation (`RECONCILE_INTERVAL_SECS`) found — admins only.
use super::*;

#[sqlx::test]
async fn the_chain_card_shows_the_last_run_low_gas_and_the_drift_the_schedule_found(pool: PgPool) {
    let chain = Chain::start().await;
    let vars = [
        ("RECONCILE_INTERVAL_SECS", "1"),
        ("MINTER_LOW_BALANCE", "1000000"),
    ];
    let server = server(&pool, &chain, &vars).await;
    let (admin, member, _) = admin_and_member(&server, "boss@refcodes.test").await;
    let resp = member
        .get(server.url("/api/admin/chain-health"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await, (403, "forbidden".to_string()));

    let refs = approved(&pool, "HEALTH", 2, WALLET_A, ONE).await;
    assert_eq!(cron(&server).await.0, 200);
    let health: Value = get_json(&admin, &server, "/api/admin/chain-health").await;
    assert_eq!(health["lastRun"]["summary"]["minted"], 2, "{health}");
    let balances = &health["balances"];
    assert_eq!(
        (
            balances["gasLow"].as_bool(),
            balances["treasuryShort"].as_bool(),
            balances["mode"].as_str()
        ),
        (Some(true), Some(false), Some("mint")),
        "{health}"
    );
    assert_eq!(balances["minter"], signer_address(MINTER_KEY), "{health}");
    chain.assert_paid_once(&pool, &refs).await;

    // A reward minted in the ledger only: the schedule finds it without anyone asking.
    let ghost = approved(&pool, "GHOST", 1, WALLET_B, ONE).await;
    sqlx::query("UPDATE referral_rewards SET data = data || '{\"status\": \"minted\"}' WHERE data->>'orderReference' = $1")
        .bind(&ghost[0])
        .execute(&pool)
        .await
        .unwrap();
    let mut found = Value::Null;
    for _ in 0..100 {
        found = get_json(&admin, &server, "/api/admin/chain-health").await;
        if found["reconciliation"]["drift"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drift = &found["reconciliation"]["drift"];
    assert_eq!(drift.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!(drift[0]["kind"], "mintedNotPaid", "{found}");
    assert_eq!(drift[0]["orderReference"], ghost[0], "{found}");
    let metrics = metrics_text(&server).await;
    for name in [
        "refcodes_reconcile_drift{kind=\"mintedNotPaid\"}",
        "refcodes_minter_balance_wei",
        "refcodes_treasury_balance_wei",
        "refcodes_rewards_owed_wei",
    ] {
        assert!(metrics.contains(name), "{name} in /metrics");
    }
    server.stop().await;
}

fn signer_address(key: &str) -> String {
    refcodes_chain::signer_from_hex(key)
        .unwrap()
        .address()
        .to_string()
}

#[sqlx::test]
async fn a_run_that_cannot_reach_the_chain_shows_why_on_the_card_without_the_endpoint_key(
    pool: PgPool,
) {
    let chain = Chain::start().await;
    // A hosted endpoint's key sits in its path; nothing listens on port 1.
    let unreachable = [("CHAIN_RPC_URL", "http://127.0.0.1:1/v3/SECRET-ENDPOINT-KEY")];
    let server = server(&pool, &chain, &unreachable).await;
    let (admin, _, _) = admin_and_member(&server, "boss@refcodes.test").await;
    let (status, _) = cron(&server).await;
    assert_eq!(status, 502);
    let health: Value = get_json(&admin, &server, "/api/admin/chain-health").await;
    let error = health["lastRun"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("chain") && error.contains("refused"),
        "{health}"
    );
    assert!(
        !health.to_string().contains("SECRET-ENDPOINT-KEY"),
        "{health}"
    );
    server.stop().await;
}
