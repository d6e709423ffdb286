use alloy::primitives::{I256, U256};
use alloy::providers::Provider;
use refcodes_chain::price_feed::{deploy_test_price_feed, latest_price, set_test_round};
use refcodes_chain::{read_only_provider, FeedError, Mode, TestPriceFeed, Transport};

use crate::common::Env;

const HOUR: u64 = 3600;

fn int(v: i64) -> I256 {
    I256::try_from(v).unwrap()
}

async fn latest_timestamp(env: &Env) -> u64 {
    env.admin
        .provider()
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .unwrap()
        .expect("latest block")
        .header
        .timestamp
}

#[tokio::test]
async fn fresh_round_is_read_through_the_chainlink_interface() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let feed = deploy_test_price_feed(&env.admin, 8, int(251_234_000_000))
        .await
        .unwrap();
    let deployed_at = latest_timestamp(&env).await;

    // A provider without a wallet, as the app uses for reads.
    let reader = read_only_provider(&Transport::new(None).unwrap(), env.admin.rpc_url()).unwrap();
    let q = latest_price(&reader, feed, HOUR, deployed_at + 5)
        .await
        .unwrap();
    assert_eq!(q.answer, U256::from(251_234_000_000_u64));
    assert_eq!(q.decimals, 8);
    assert_eq!(q.updated_at, deployed_at);
    assert_eq!(q.round_id, 1);
    assert_eq!(q.to_decimal_string(), "2512.34000000");

    // The test contract's extra views behave like a Chainlink aggregator.
    let c = TestPriceFeed::new(feed, reader.clone());
    assert_eq!(c.description().call().await.unwrap(), "TEST / USD");
    assert_eq!(c.version().call().await.unwrap(), U256::from(4));

    // A new round moves the round id on.
    set_test_round(&env.admin, feed, int(260_000_000_000), deployed_at + 10)
        .await
        .unwrap();
    let q = latest_price(env.admin.provider(), feed, HOUR, deployed_at + 20)
        .await
        .unwrap();
    assert_eq!(q.round_id, 2);
    assert_eq!(q.answer, U256::from(260_000_000_000_u64));
    assert_eq!(q.updated_at, deployed_at + 10);
}

#[tokio::test]
async fn stale_round_is_rejected() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let feed = deploy_test_price_feed(&env.admin, 8, int(100_000_000))
        .await
        .unwrap();
    let now = latest_timestamp(&env).await;
    set_test_round(&env.admin, feed, int(100_000_000), now - 2 * HOUR)
        .await
        .unwrap();

    let err = latest_price(env.admin.provider(), feed, HOUR, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FeedError::Stale { updated_at, max_age_secs: HOUR, age_secs: 7200 } if updated_at == now - 2 * HOUR),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the price feed's last update is 7200 s old; at most 3600 s allowed"
    );
    // With a longer allowance the same round is fine.
    assert!(latest_price(env.admin.provider(), feed, 3 * HOUR, now)
        .await
        .is_ok());

    // Dated in the future beyond the tolerance.
    set_test_round(&env.admin, feed, int(100_000_000), now + HOUR)
        .await
        .unwrap();
    let err = latest_price(env.admin.provider(), feed, HOUR, now)
        .await
        .unwrap_err();
    assert!(matches!(err, FeedError::InFuture { .. }), "{err:?}");
}

#[tokio::test]
async fn negative_and_zero_answers_are_rejected() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let feed = deploy_test_price_feed(&env.admin, 8, int(-5))
        .await
        .unwrap();
    let now = latest_timestamp(&env).await;
    let err = latest_price(env.admin.provider(), feed, HOUR, now)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FeedError::NonPositive { answer } if answer == "-5"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the price feed answer is not positive (-5)"
    );

    set_test_round(&env.admin, feed, I256::ZERO, now)
        .await
        .unwrap();
    let err = latest_price(env.admin.provider(), feed, HOUR, now)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the price feed answer is not positive (0)");
}

#[tokio::test]
async fn an_address_that_is_not_a_feed_is_a_chain_error() {
    let env = Env::new(Mode::Mint, U256::ZERO).await;
    let now = latest_timestamp(&env).await;
    // An account without code, and a contract without latestRoundData.
    for not_a_feed in [env.stranger.sender(), env.deployment.proxy] {
        let err = latest_price(env.admin.provider(), not_a_feed, HOUR, now)
            .await
            .unwrap_err();
        assert!(matches!(err, FeedError::Chain(_)), "{err:?}");
        assert!(
            err.to_string().contains(&not_a_feed.to_string()),
            "the error names the feed: {err}"
        );
    }
}
