//! The code registry through its JSON API, against a real PostgreSQL: create, list, change, delete,
//! limits, ownership, the vanity race, deactivate-instead-of-delete, and the member's wallets proven by signature.
use crate::common;
mod wallet_proofs;
use common::{
    client, create_code, json_error, list_codes, member, prove_wallet, signer, TestServer,
    WALLET_A, WALLET_B, WALLET_C,
};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn stored_codes(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM refcodes")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn create_list_change_and_delete(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let ann = client();
    member(&ann, &server, "ann@example.com").await;
    prove_wallet(&ann, &server, &signer("A")).await;
    prove_wallet(&ann, &server, &signer("B")).await;

    let resp = create_code(
        &ann,
        &server,
        json!({"code": "summer-24", "wallet": WALLET_A.to_lowercase(), "label": " Telegram "}),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["code"], "SUMMER-24", "stored upper-case");
    assert_eq!(created["wallet"], WALLET_A, "stored in checksum form");
    assert_eq!(created["label"], "Telegram");
    assert_eq!(created["active"], true);
    assert_eq!(created["visits"], 0);

    let generated: Value = create_code(&ann, &server, json!({"wallet": WALLET_B}))
        .await
        .json()
        .await
        .unwrap();
    let generated_code = generated["code"].as_str().unwrap().to_string();
    assert_eq!(generated_code.len(), 8);
    assert!(!generated_code.contains(['0', 'O', '1', 'I', 'L']));
    assert_eq!(generated["label"], Value::Null);

    let listed = list_codes(&ann, &server).await;
    let codes: Vec<&str> = listed.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["SUMMER-24", generated_code.as_str()]);
    assert_eq!(listed[0]["funnel"]["visits"], 0);
    assert_eq!(listed[0]["funnel"]["signups"], 0);
    assert_eq!(listed[0]["funnel"]["pending"]["amountWei"], "0");

    // Any case in the path finds the code; only the named fields change.
    let changed = ann
        .patch(server.url("/api/refcodes/Summer-24"))
        .json(&json!({"wallet": WALLET_B, "active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(
        (&changed["wallet"], &changed["active"], &changed["label"]),
        (&json!(WALLET_B), &json!(false), &json!("Telegram"))
    );
    let cleared: Value = ann
        .patch(server.url("/api/refcodes/SUMMER-24"))
        .json(&json!({"label": ""}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["label"], Value::Null);

    let deleted = ann
        .delete(server.url("/api/refcodes/summer-24"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(list_codes(&ann, &server).await.len(), 1);
    assert_eq!(stored_codes(&pool).await, 1, "really gone");
    let (status, code) = json_error(
        ann.delete(server.url("/api/refcodes/SUMMER-24"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (404, "unknown_code"));
    server.stop().await;
}

#[sqlx::test]
async fn every_bad_input_has_its_own_error(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let bob = client();
    member(&bob, &server, "bob@example.com").await;
    prove_wallet(&bob, &server, &signer("A")).await;
    let mut broken_checksum = WALLET_A.to_string();
    broken_checksum.replace_range(3..4, "D"); // 0x4d3D… → 0x4D3D…: same address, one letter's case flipped
    for (body, status, expected) in [
        (
            json!({"code": "ab", "wallet": WALLET_A}),
            400,
            "invalid_code",
        ),
        (
            json!({"code": "no spaces", "wallet": WALLET_A}),
            400,
            "invalid_code",
        ),
        (
            json!({"code": "x".repeat(25), "wallet": WALLET_A}),
            400,
            "invalid_code",
        ),
        (json!({"wallet": "0x1234"}), 400, "invalid_wallet"),
        (json!({"wallet": broken_checksum}), 400, "wallet_checksum"),
        (
            json!({"wallet": "0x0000000000000000000000000000000000000000"}),
            400,
            "zero_wallet",
        ),
        (
            json!({"wallet": WALLET_A, "label": "x".repeat(65)}),
            400,
            "invalid_label",
        ),
        (json!({"code": "OKAY"}), 400, "bad_request"),
        (json!({"wallet": WALLET_C}), 409, "wallet_not_proven"),
    ] {
        let (got_status, got) = json_error(create_code(&bob, &server, body.clone()).await).await;
        assert_eq!((got_status, got.as_str()), (status, expected), "{body}");
    }
    assert_eq!(stored_codes(&pool).await, 0, "nothing half-written");

    let anonymous = client();
    let (status, code) =
        json_error(create_code(&anonymous, &server, json!({"wallet": WALLET_A})).await).await;
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    let (status, _) = json_error(
        anonymous
            .get(server.url("/api/refcodes"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    server.stop().await;
}

#[sqlx::test]
async fn codes_are_unique_whatever_the_case_and_limited_per_member(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[("MAX_CODES_PER_USER", "3")]).await;
    let cat = client();
    member(&cat, &server, "cat@example.com").await;
    prove_wallet(&cat, &server, &signer("A")).await;
    let dan = client();
    member(&dan, &server, "dan@example.com").await;
    prove_wallet(&dan, &server, &signer("B")).await;

    assert_eq!(
        create_code(&cat, &server, json!({"code": "PROMO", "wallet": WALLET_A}))
            .await
            .status(),
        201
    );
    let (status, code) =
        json_error(create_code(&dan, &server, json!({"code": "promo", "wallet": WALLET_B})).await)
            .await;
    assert_eq!((status, code.as_str()), (409, "code_taken"));

    for _ in 0..2 {
        assert_eq!(
            create_code(&cat, &server, json!({"wallet": WALLET_A}))
                .await
                .status(),
            201
        );
    }
    let resp = create_code(&cat, &server, json!({"code": "FOURTH", "wallet": WALLET_A})).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "too_many_codes");
    assert!(body["message"].as_str().unwrap().contains('3'), "{body}");
    assert_eq!(stored_codes(&pool).await, 3);

    // Freeing a slot lets the member create again.
    assert_eq!(
        cat.delete(server.url("/api/refcodes/PROMO"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        create_code(&cat, &server, json!({"code": "FOURTH", "wallet": WALLET_A}))
            .await
            .status(),
        201
    );
    server.stop().await;
}

#[sqlx::test]
async fn concurrent_creates_cannot_overrun_the_limit(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[("MAX_CODES_PER_USER", "2")]).await;
    let eve = client();
    member(&eve, &server, "eve@example.com").await;
    prove_wallet(&eve, &server, &signer("A")).await;
    let attempts = (0..6).map(|i| {
        let (eve, url) = (eve.clone(), server.url("/api/refcodes"));
        tokio::spawn(async move {
            eve.post(url)
                .json(&json!({"code": format!("RACE-{i}"), "wallet": WALLET_A}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for a in attempts.collect::<Vec<_>>() {
        statuses.push(a.await.unwrap());
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 201, 409, 409, 409, 409]);
    assert_eq!(stored_codes(&pool).await, 2);
    server.stop().await;
}

#[sqlx::test]
async fn two_members_racing_for_one_vanity_code_one_wins(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let (fay, gus) = (client(), client());
    member(&fay, &server, "fay@example.com").await;
    member(&gus, &server, "gus@example.com").await;
    prove_wallet(&fay, &server, &signer("A")).await;
    prove_wallet(&gus, &server, &signer("B")).await;
    for round in 0..5 {
        let code = format!("LAUNCH-{round}");
        let race = |http: reqwest::Client, code: String, wallet: &'static str| {
            let url = server.url("/api/refcodes");
            tokio::spawn(async move {
                http.post(url)
                    .json(&json!({"code": code.to_lowercase(), "wallet": wallet}))
                    .send()
                    .await
                    .unwrap()
            })
        };
        let (a, b) = (
            race(fay.clone(), code.clone(), WALLET_A),
            race(gus.clone(), code.clone(), WALLET_B),
        );
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if a.status() == 409 { a } else { b };
        assert_eq!(json_error(loser).await.1, "code_taken");
        let stored: i64 =
            sqlx::query_scalar("SELECT count(*) FROM refcodes WHERE data->>'code' = $1")
                .bind(&code)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(stored, 1);
    }
    server.stop().await;
}

#[sqlx::test]
async fn another_members_code_is_not_found_and_stays_untouched(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let (owner, other) = (client(), client());
    member(&owner, &server, "owner@example.com").await;
    prove_wallet(&owner, &server, &signer("A")).await;
    member(&other, &server, "other@example.com").await;
    create_code(
        &owner,
        &server,
        json!({"code": "MINE", "wallet": WALLET_A, "label": "owner's"}),
    )
    .await;

    assert!(list_codes(&other, &server).await.is_empty(), "not listed");
    let patch = other
        .patch(server.url("/api/refcodes/MINE"))
        .json(&json!({"wallet": WALLET_B, "active": false, "label": "stolen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(patch).await, (404, "unknown_code".to_string()));
    let delete = other
        .delete(server.url("/api/refcodes/mine"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(delete).await, (404, "unknown_code".to_string()));
    let unknown = other
        .patch(server.url("/api/refcodes/NOPE-NOPE"))
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(unknown).await,
        (404, "unknown_code".to_string()),
        "someone else's code looks exactly like a missing one"
    );

    let mine = list_codes(&owner, &server).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (&mine[0]["wallet"], &mine[0]["active"], &mine[0]["label"]),
        (&json!(WALLET_A), &json!(true), &json!("owner's"))
    );
    server.stop().await;
}

#[sqlx::test]
async fn a_code_that_attributed_anything_is_deactivated_not_deleted(pool: PgPool) {
    let server = TestServer::start(pool.clone(), &[]).await;
    let referrer = client();
    member(&referrer, &server, "ref@example.com").await;
    prove_wallet(&referrer, &server, &signer("A")).await;
    for code in ["SIGNUP", "ORDERED", "REWARDED"] {
        create_code(
            &referrer,
            &server,
            json!({"code": code, "wallet": WALLET_A}),
        )
        .await;
    }

    // SIGNUP attributed a signup: a visitor captured it, then signed up.
    let visitor = client();
    visitor
        .get(server.url("/en/?ref=signup"))
        .send()
        .await
        .unwrap();
    member(&visitor, &server, "visitor@example.com").await;
    // ORDERED attributed an order, REWARDED a reward (those flows write these documents).
    sqlx::query(
        r#"INSERT INTO orders (id, data) VALUES ('o1', '{"orderReference": "R-1", "kind": "store",
           "amount": 1000, "currency": "UAH", "status": "created", "referralCode": "ORDERED"}')"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        r#"INSERT INTO referral_rewards (id, data) VALUES ('w1', '{"orderReference": "R-2", "kind": "store",
           "referralCode": "REWARDED", "rail": "fiat", "status": "pending", "amountWei": "5"}')"#,
    )
    .execute(&pool)
    .await
    .unwrap();

    for code in ["SIGNUP", "ORDERED", "REWARDED"] {
        let resp = referrer
            .delete(server.url(&format!("/api/refcodes/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "{code}");
    }
    let kept = list_codes(&referrer, &server).await;
    assert_eq!(kept.len(), 3, "history stays");
    assert!(kept.iter().all(|c| c["active"] == false), "{kept:?}");
    let signup = kept.iter().find(|c| c["code"] == "SIGNUP").unwrap();
    assert_eq!(signup["funnel"]["signups"], 1);
    let rewarded = kept.iter().find(|c| c["code"] == "REWARDED").unwrap();
    assert_eq!(
        rewarded["funnel"]["pending"],
        json!({"count": 1, "amountWei": "5"})
    );
    server.stop().await;
}
