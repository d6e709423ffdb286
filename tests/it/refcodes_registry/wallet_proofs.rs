//! Payout wallets proven by an EIP-4361 signature, through the JSON API: the whole flow, every bad proof, replay,
//! two accounts racing for one wallet, removal refused while codes pay to a wallet, and re-pointing a code.
use super::common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn wallets_of(http: &reqwest::Client, server: &TestServer) -> Value {
    get_json(http, server, "/api/me/wallets").await
}

async fn insert_order(pool: &PgPool, reference: &str, code: &str, owner: &str, wallet: &str) {
    sqlx::query(
        r#"INSERT INTO orders (id, data) VALUES ($1, jsonb_build_object('orderReference', $1::text, 'kind', 'store',
               'amount', 100, 'currency', 'UAH', 'status', 'created', 'referralCode', $2::text,
               'referrerUserId', $3::text, 'referrerWallet', $4::text))"#,
    )
    .bind(reference)
    .bind(code)
    .bind(owner)
    .bind(wallet)
    .execute(pool)
    .await
    .unwrap();
}

async fn stored_proofs(pool: &PgPool) -> (i64, i64) {
    let wallets: i64 = sqlx::query_scalar("SELECT count(*) FROM wallets")
        .fetch_one(pool)
        .await
        .unwrap();
    let used: i64 =
        sqlx::query_scalar("SELECT count(*) FROM wallet_challenges WHERE consumed_at IS NOT NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    (wallets, used)
}

#[sqlx::test]
async fn a_member_proves_a_wallet_by_signature_before_a_code_may_pay_it(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let hal = client();
    member(&hal, &server, "hal@example.com").await;
    let host = server.base.trim_start_matches("http://").to_string();

    let early = create_code(&hal, &server, json!({"code": "HAL-1", "wallet": WALLET_A})).await;
    assert_eq!(json_error(early).await, (409, "wallet_not_proven".into()));

    let message = wallet_message(&hal, &server, &WALLET_A.to_lowercase()).await;
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(
        lines[0],
        format!("{host} wants you to sign in with your Ethereum account:")
    );
    assert_eq!(lines[1], WALLET_A, "the address in checksum form");
    assert!(lines[3].contains("hal@example.com"), "{message}");
    assert!(
        message.contains(&format!("\nURI: http://{host}\n")),
        "{message}"
    );
    assert!(
        message.contains("\nChain ID: 1\n"),
        "no CHAIN_ID: mainnet, {message}"
    );
    assert!(message.contains("\nExpiration Time: "), "{message}");
    let open = wallets_of(&hal, &server).await;
    assert_eq!(open["wallets"], json!([]));
    assert_eq!(open["challenges"][0]["message"], message.as_str());

    let signature = sign(&signer("A"), &message).await;
    let proven = send_proof(&hal, &server, &message, &signature).await;
    assert_eq!(proven.status(), 201);
    let body: Value = proven.json().await.unwrap();
    assert_eq!(body["wallets"][0]["address"], WALLET_A);
    assert!(body["wallets"][0]["provenAt"].is_string(), "{body}");
    let stored: (String, String) =
        sqlx::query_as("SELECT message, signature FROM wallets WHERE address = $1")
            .bind(WALLET_A)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        stored,
        (message.clone(), signature.clone()),
        "the signed message is kept"
    );
    let me: Value = get_json(&hal, &server, "/api/me").await;
    assert_eq!(me["wallets"], json!([WALLET_A]));
    assert_eq!(
        wallets_of(&hal, &server).await["challenges"],
        json!([]),
        "used up"
    );

    let replay = send_proof(&hal, &server, &message, &signature).await;
    assert_eq!(json_error(replay).await, (409, "wallet_proof_used".into()));
    let again = wallet_message(&hal, &server, WALLET_A).await;
    let twice = send_proof(&hal, &server, &again, &sign(&signer("A"), &again).await).await;
    assert_eq!(json_error(twice).await, (409, "wallet_exists".into()));

    let created = create_code(&hal, &server, json!({"code": "HAL-1", "wallet": WALLET_A})).await;
    assert_eq!(created.status(), 201);
    server.stop().await;
}

#[sqlx::test]
async fn every_bad_proof_is_refused_and_nothing_is_stored(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let (ivy, jon) = (client(), client());
    member(&ivy, &server, "ivy@example.com").await;
    member(&jon, &server, "jon@example.com").await;
    let a = signer("A");
    let message = wallet_message(&ivy, &server, WALLET_A).await;
    let host = server.base.trim_start_matches("http://").to_string();
    let nonce = message
        .lines()
        .find_map(|l| l.strip_prefix("Nonce: "))
        .unwrap()
        .to_string();

    let mut cases: Vec<(String, String, u16, &str)> = vec![
        (
            "hello".into(),
            sign(&a, "hello").await,
            400,
            "wallet_proof_malformed",
        ),
        (
            message.clone(),
            "0x1234".into(),
            400,
            "wallet_proof_malformed",
        ),
        (
            message.clone(),
            sign(&signer("B"), &message).await,
            400,
            "wallet_proof_wrong_signer",
        ),
    ];
    for (changed, code) in [
        (
            message.replacen(&host, "evil.example", 1),
            "wallet_proof_wrong_domain",
        ),
        (
            message.replace("Chain ID: 1\n", "Chain ID: 8453\n"),
            "wallet_proof_wrong_chain",
        ),
        (
            message.replace(&nonce, "AAAAAAAAAAAAAAAAA"),
            "wallet_proof_unknown",
        ),
        (
            message.replace("ivy@example.com", "someone@example.com"),
            "wallet_proof_malformed",
        ),
    ] {
        let signature = sign(&a, &changed).await;
        cases.push((changed, signature, 400, code));
    }
    for (text, signature, status, code) in &cases {
        let resp = send_proof(&ivy, &server, text, signature).await;
        assert_eq!(
            json_error(resp).await,
            (*status, code.to_string()),
            "{text}"
        );
    }
    // Another account cannot use ivy's message, even signed by the right key.
    let theirs = send_proof(&jon, &server, &message, &sign(&a, &message).await).await;
    assert_eq!(
        json_error(theirs).await,
        (400, "wallet_proof_unknown".into())
    );
    // Expired: the issued message's ten minutes are over.
    sqlx::query("UPDATE wallet_challenges SET expires_at = now() - interval '1 second'")
        .execute(&pool)
        .await
        .unwrap();
    let late = send_proof(&ivy, &server, &message, &sign(&a, &message).await).await;
    assert_eq!(json_error(late).await, (400, "wallet_proof_expired".into()));
    for body in [
        json!({"message": message}),
        json!({"message": 1, "signature": "0x"}),
        json!([]),
    ] {
        let resp = ivy
            .post(server.url("/api/me/wallets"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body}");
    }
    let anonymous = send_proof(&client(), &server, &message, &sign(&a, &message).await).await;
    assert_eq!(json_error(anonymous).await, (401, "unauthorized".into()));
    for (address, code) in [
        ("0xnope", "invalid_wallet"),
        ("0x0000000000000000000000000000000000000000", "zero_wallet"),
    ] {
        let resp = ivy
            .post(server.url("/api/me/wallets/challenge"))
            .json(&json!({ "address": address }))
            .send()
            .await
            .unwrap();
        assert_eq!(json_error(resp).await, (400, code.to_string()));
    }
    assert_eq!(
        stored_proofs(&pool).await,
        (0, 0),
        "no wallet stored, no nonce used"
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_member_holds_a_bounded_number_of_open_messages(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let kim = client();
    member(&kim, &server, "kim@example.com").await;
    let first = wallet_message(&kim, &server, WALLET_A).await;
    for _ in 0..7 {
        wallet_message(&kim, &server, WALLET_A).await;
    }
    let open = wallets_of(&kim, &server).await["challenges"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(open, 5);
    let dropped = send_proof(&kim, &server, &first, &sign(&signer("A"), &first).await).await;
    assert_eq!(
        json_error(dropped).await,
        (400, "wallet_proof_unknown".into())
    );
    server.stop().await;
}

#[sqlx::test]
async fn two_accounts_racing_for_one_wallet_prove_it_once(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let a = signer("A");
    for round in 0..3 {
        sqlx::query("DELETE FROM wallets")
            .execute(&pool)
            .await
            .unwrap();
        let (lia, max) = (client(), client());
        member(&lia, &server, &format!("lia{round}@example.com")).await;
        member(&max, &server, &format!("max{round}@example.com")).await;
        let (m1, m2) = (
            wallet_message(&lia, &server, WALLET_A).await,
            wallet_message(&max, &server, WALLET_A).await,
        );
        let (s1, s2) = (sign(&a, &m1).await, sign(&a, &m2).await);
        let (r1, r2) = tokio::join!(
            send_proof(&lia, &server, &m1, &s1),
            send_proof(&max, &server, &m2, &s2)
        );
        let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if r1.status() == 409 { r1 } else { r2 };
        assert_eq!(json_error(loser).await.1, "wallet_taken");
        let proven: i64 =
            sqlx::query_scalar("SELECT count(*) FROM wallets WHERE proven_at IS NOT NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(proven, 1, "round {round}");
    }
    server.stop().await;
}

#[sqlx::test]
async fn a_paying_wallet_stays_and_a_repointed_code_takes_its_unpaid_rewards_along(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let nia = client();
    let nia_id = member(&nia, &server, "nia@example.com").await;
    prove_wallet(&nia, &server, &signer("A")).await;
    prove_wallet(&nia, &server, &signer("B")).await;
    for code in ["NIA-1", "NIA-2"] {
        let resp = create_code(&nia, &server, json!({"code": code, "wallet": WALLET_A})).await;
        assert_eq!(resp.status(), 201);
    }
    let in_use = nia
        .delete(server.url(&format!("/api/me/wallets/{}", WALLET_A.to_lowercase())))
        .send()
        .await
        .unwrap();
    let body: Value = in_use.json().await.unwrap();
    assert_eq!(body["error"], "wallet_in_use");
    assert!(
        body["message"].as_str().unwrap().contains("NIA-1, NIA-2"),
        "{body}"
    );

    for (id, status, claimed) in [
        ("p1", "pending", false),
        ("a1", "approved", false),
        ("a2", "approved", true),
        ("m1", "minted", true),
    ] {
        let mut data = json!({"orderReference": format!("R-{id}"), "kind": "store", "referralCode": "NIA-1",
            "referrerUserId": nia_id, "referrerWallet": WALLET_A, "rail": "fiat", "status": status,
            "amountWei": "5"});
        if claimed {
            data["mintBatch"] = json!("batch-1");
        }
        sqlx::query("INSERT INTO referral_rewards (id, data) VALUES ($1, $2)")
            .bind(id)
            .bind(&data)
            .execute(&pool)
            .await
            .unwrap();
    }
    // An order placed through the code and not paid yet: its reward, once written, follows the code too.
    insert_order(&pool, "O-1", "NIA-1", &nia_id, WALLET_A).await;
    let unproven = nia
        .patch(server.url("/api/refcodes/NIA-1"))
        .json(&json!({"wallet": WALLET_C}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(unproven).await,
        (409, "wallet_not_proven".into())
    );
    let moved = nia
        .patch(server.url("/api/refcodes/nia-1"))
        .json(&json!({"wallet": WALLET_B.to_lowercase()}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["wallet"], WALLET_B);
    let repointed: Vec<String> = serde_json::from_value(moved["repointedRewards"].clone()).unwrap();
    assert_eq!(repointed, ["O-1", "R-a1", "R-p1"]);
    let order_wallet: String = sqlx::query_scalar(
        "SELECT data->>'referrerWallet' FROM orders WHERE data->>'orderReference' = 'O-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(order_wallet, WALLET_B);
    let from: String =
        sqlx::query_scalar("SELECT data->>'repointedFrom' FROM referral_rewards WHERE id = 'p1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(from, WALLET_A, "the wallet it had is kept");
    let wallets: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data->>'referrerWallet' FROM referral_rewards ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected = [
        ("a1", WALLET_B),
        ("a2", WALLET_A),
        ("m1", WALLET_A),
        ("p1", WALLET_B),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(i, w)| (i.to_string(), w.to_string()))
        .collect();
    assert_eq!(
        wallets, expected,
        "claimed or paid rewards keep their wallet"
    );

    let still = nia
        .delete(server.url(&format!("/api/me/wallets/{WALLET_A}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(still).await,
        (409, "wallet_in_use".into()),
        "NIA-2 pays to it"
    );
    let moved = nia
        .patch(server.url("/api/refcodes/NIA-2"))
        .json(&json!({"wallet": WALLET_B}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    // A reward written for the old wallet after the move (a payment racing the edit) keeps the wallet in use…
    sqlx::query(
        r#"INSERT INTO referral_rewards (id, data) VALUES ('late', jsonb_build_object('orderReference', 'R-late',
               'kind', 'store', 'referralCode', 'NIA-1', 'referrerUserId', $1::text, 'referrerWallet', $2::text,
               'rail', 'fiat', 'status', 'pending', 'amountWei', '5'))"#,
    )
    .bind(&nia_id)
    .bind(WALLET_A)
    .execute(&pool)
    .await
    .unwrap();
    let late = nia
        .delete(server.url(&format!("/api/me/wallets/{WALLET_A}")))
        .send()
        .await
        .unwrap();
    let body: Value = late.json().await.unwrap();
    assert_eq!(body["error"], "wallet_in_use", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("NIA-1"),
        "{body}"
    );
    // …until saving the code (wallet unchanged) moves it along.
    let saved: Value = nia
        .patch(server.url("/api/refcodes/NIA-1"))
        .json(&json!({"wallet": WALLET_B, "label": "spring"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(saved["repointedRewards"], json!(["R-late"]));
    let removed = nia
        .delete(server.url(&format!("/api/me/wallets/{WALLET_A}")))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    let gone = nia
        .delete(server.url(&format!("/api/me/wallets/{WALLET_A}")))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(gone).await, (404, "unknown_wallet".into()));
    let me: Value = get_json(&nia, &server, "/api/me").await;
    assert_eq!(me["wallets"], json!([WALLET_B]));
    server.stop().await;
}

#[sqlx::test]
async fn a_code_from_before_proofs_keeps_its_label_edits_but_moves_only_to_a_proven_wallet(
    pool: PgPool,
) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let ola = client();
    let ola_id = member(&ola, &server, "ola@example.com").await;
    code_from_before_proofs(&pool, &ola_id, "OLD-1", WALLET_C).await;
    let relabelled = ola
        .patch(server.url("/api/refcodes/OLD-1"))
        .json(&json!({"wallet": WALLET_C.to_lowercase(), "label": "newsletter"}))
        .send()
        .await
        .unwrap();
    assert_eq!(relabelled.status(), 200);
    let moved = ola
        .patch(server.url("/api/refcodes/OLD-1"))
        .json(&json!({"wallet": WALLET_D}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(moved).await, (409, "wallet_not_proven".into()));
    server.stop().await;
}

/// Wallets declared before proofs existed, and the wallets old codes pay to, become unproven rows of their owners.
#[sqlx::test(migrations = false)]
async fn the_migration_keeps_declared_and_code_wallets_unproven(pool: PgPool) {
    let mut before = sqlx::migrate!("./migrations");
    let last = before
        .migrations
        .iter()
        .position(|m| m.description.contains("proven wallets"))
        .unwrap();
    before.migrations = std::borrow::Cow::Owned(before.migrations[..last].to_vec());
    before.run(&pool).await.unwrap();
    let declared = json!({"email": "old@example.com", "role": "member",
        "wallets": [WALLET_A, WALLET_A.to_lowercase(), WALLET_B]});
    sqlx::query("INSERT INTO users (id, data) VALUES ('old', $1)")
        .bind(&declared)
        .execute(&pool)
        .await
        .unwrap();
    for (id, wallet) in [
        ("CODE-1", WALLET_B.to_lowercase()),
        ("CODE-2", WALLET_C.to_string()),
    ] {
        code_from_before_proofs(&pool, "old", id, &wallet).await;
    }
    sqlx::migrate!("./migrations").run(&pool).await.unwrap();
    let rows: Vec<(String, Option<chrono::DateTime<chrono::Utc>>)> = sqlx::query_as(
        "SELECT address, proven_at FROM wallets WHERE user_id = 'old' ORDER BY lower(address)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut expected = vec![
        (WALLET_A.to_string(), None),
        (WALLET_B.to_string(), None),
        (WALLET_C.to_string(), None),
    ];
    expected.sort_by_key(|(a, _)| a.to_lowercase());
    assert_eq!(
        rows, expected,
        "one row per wallet, declared spelling first"
    );
    let left: Option<Value> =
        sqlx::query_scalar("SELECT data->'wallets' FROM users WHERE id = 'old'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, None, "the document no longer holds them");
}

/// A page without JavaScript posts the form itself: a refused proof is the redirect back to the page with the error
/// in the URL (for the page to show), never a bare JSON error page.
#[sqlx::test]
async fn a_refused_proof_posted_as_a_plain_form_redirects_back_with_the_error(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let pia = client();
    member(&pia, &server, "pia@example.com").await;
    let message = wallet_message(&pia, &server, WALLET_A).await;
    let page = server.url("/uk/refcodes");
    let args = refcodes::api::refcodes::ProveWallet {
        message: message.clone(),
        signature: sign(&signer("B"), &message).await,
    };
    let resp = pia
        .post(
            server.url(<refcodes::api::refcodes::ProveWallet as leptos::server_fn::ServerFn>::PATH),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html,application/xhtml+xml")
        .header("origin", server.base.as_str())
        .header("referer", page.as_str())
        .body(serde_qs::to_string(&args).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with(&page) && location.contains("__err="),
        "{location}"
    );
    let shown = get_text(
        &pia,
        &server,
        location.trim_start_matches(server.base.as_str()),
    )
    .await;
    assert!(
        shown.contains("wallet_proof_wrong_signer"),
        "the page shows the error"
    );
    assert_eq!(stored_proofs(&pool).await, (0, 0));
    server.stop().await;
}
