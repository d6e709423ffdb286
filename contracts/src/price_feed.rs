//! Reading a Chainlink price feed (`AggregatorV3Interface`) with the checks every consumer needs: the answer must
//! be positive, the round must be fresh, and it must not be dated in the future.
//!
//! [`latest_price`] works against any contract with Chainlink's interface (a feed proxy such as ETH/USD, or an
//! aggregator); [`deploy_test_price_feed`] and [`set_test_round`] drive the local `TestPriceFeed` in tests.
//!
//! `now_secs` is the caller's clock (unix seconds): the system clock, or the latest block's timestamp when the
//! chain's own time is what matters. `answeredInRound` is not checked: Chainlink deprecated it (it equals
//! `roundId` on current aggregators); `updatedAt` is the freshness signal.

use alloy::primitives::{Address, I256, U256};
use alloy::providers::Provider;

use crate::bindings::{AggregatorV3Interface, TestPriceFeed};
use crate::error::ChainError;
use crate::provider::ChainClient;
use crate::tx::{deploy_and_confirm, send_and_confirm};

/// How far in the future `updatedAt` may lie (clock skew between the caller and the chain) before the round is
/// rejected as [`FeedError::InFuture`]. Within the tolerance the round counts as brand new (age 0).
pub const FUTURE_TOLERANCE_SECS: u64 = 60;

/// A checked price: `answer / 10^decimals` units of the quote currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PriceQuote {
    /// The raw answer, always > 0.
    pub answer: U256,
    /// Decimals of `answer` (8 for most USD feeds, 18 for ETH-quoted ones).
    pub decimals: u8,
    /// `updatedAt` of the round, unix seconds.
    pub updated_at: u64,
    /// The round id (`uint80`: on feed proxies the phase id sits in the high 16 bits).
    pub round_id: u128,
}

impl PriceQuote {
    /// The answer as a decimal string with exactly `decimals` fraction digits (`250012345678`, 8 → `2500.12345678`).
    pub fn to_decimal_string(&self) -> String {
        let digits = self.answer.to_string();
        let decimals = usize::from(self.decimals);
        if decimals == 0 {
            return digits;
        }
        let padded = format!("{digits:0>width$}", width = decimals + 1);
        let (int, frac) = padded.split_at(padded.len() - decimals);
        format!("{int}.{frac}")
    }
}

/// Why a price feed round cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// `answer <= 0` (a broken or circuit-broken feed). `answer` is its decimal text.
    #[error("the price feed answer is not positive ({answer})")]
    NonPositive { answer: String },
    /// The round is older than allowed (`age_secs > max_age_secs`), or was never updated (`updated_at == 0`).
    #[error("{}", stale_message(*updated_at, *max_age_secs, *age_secs))]
    Stale {
        updated_at: u64,
        max_age_secs: u64,
        age_secs: u64,
    },
    /// `updatedAt` lies more than [`FUTURE_TOLERANCE_SECS`] after `now_secs` (a clock is wrong, or the feed is).
    #[error(
        "the price feed's last update is {} s in the future (updatedAt {updated_at}, now {now_secs}); at most {FUTURE_TOLERANCE_SECS} s of clock skew allowed",
        updated_at.saturating_sub(*now_secs)
    )]
    InFuture { updated_at: u64, now_secs: u64 },
    /// Reading the feed failed (RPC error, not a feed, reverted …).
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl FeedError {
    /// What went wrong, safe to store and show (a chain failure never names the endpoint's URL).
    pub fn reason(&self) -> String {
        match self {
            FeedError::Chain(e) => e.reason(),
            other => other.to_string(),
        }
    }
}

fn stale_message(updated_at: u64, max_age_secs: u64, age_secs: u64) -> String {
    if updated_at == 0 {
        format!("the price feed has no completed round (updatedAt is 0); at most {max_age_secs} s old allowed")
    } else {
        format!(
            "the price feed's last update is {age_secs} s old; at most {max_age_secs} s allowed"
        )
    }
}

/// Checks one `latestRoundData()` result. Pure.
///
/// In order: `answer > 0`, else [`FeedError::NonPositive`]; `updated_at <= now + FUTURE_TOLERANCE_SECS`, else
/// [`FeedError::InFuture`]; `updated_at != 0` and `now - updated_at <= max_age_secs` (the boundary is fresh), else
/// [`FeedError::Stale`].
pub fn check_round(
    round_id: u128,
    answer: I256,
    updated_at: U256,
    decimals: u8,
    max_age_secs: u64,
    now_secs: u64,
) -> Result<PriceQuote, FeedError> {
    if answer <= I256::ZERO {
        return Err(FeedError::NonPositive {
            answer: answer.to_string(),
        });
    }
    // A timestamp beyond u64 is "very far in the future".
    let updated_at = u64::try_from(updated_at).unwrap_or(u64::MAX);
    if updated_at > now_secs.saturating_add(FUTURE_TOLERANCE_SECS) {
        return Err(FeedError::InFuture {
            updated_at,
            now_secs,
        });
    }
    let age_secs = now_secs.saturating_sub(updated_at);
    if updated_at == 0 || age_secs > max_age_secs {
        return Err(FeedError::Stale {
            updated_at,
            max_age_secs,
            age_secs,
        });
    }
    Ok(PriceQuote {
        answer: answer.into_raw(),
        decimals,
        updated_at,
        round_id,
    })
}

/// Reads `decimals()` and `latestRoundData()` of the feed at `feed` and checks the round with [`check_round`].
pub async fn latest_price<P: Provider + Clone>(
    provider: &P,
    feed: Address,
    max_age_secs: u64,
    now_secs: u64,
) -> Result<PriceQuote, FeedError> {
    let aggregator = AggregatorV3Interface::new(feed, provider.clone());
    let decimals_call = aggregator.decimals();
    let round_call = aggregator.latestRoundData();
    let (decimals, round) = tokio::join!(decimals_call.call(), round_call.call());
    let decimals = decimals.map_err(|e| {
        ChainError::contract(format!("reading decimals() of the price feed {feed}"), e)
    })?;
    let round = round.map_err(|e| {
        ChainError::contract(
            format!("reading latestRoundData() of the price feed {feed}"),
            e,
        )
    })?;
    check_round(
        round.roundId.to::<u128>(),
        round.answer,
        round.updatedAt,
        decimals,
        max_age_secs,
        now_secs,
    )
}

/// Deploys a `TestPriceFeed` (tests and local chains only) whose round 1 is `answer`, updated at the block's time.
pub async fn deploy_test_price_feed(
    client: &ChainClient,
    decimals: u8,
    answer: I256,
) -> Result<Address, ChainError> {
    deploy_and_confirm(
        &TestPriceFeed::deploy_builder(client.provider().clone(), decimals, answer),
        "deploying TestPriceFeed",
    )
    .await
}

/// Starts the next round of a `TestPriceFeed` with `answer` and `updatedAt = updated_at` (any value: stale, 0,
/// future).
pub async fn set_test_round(
    client: &ChainClient,
    feed: Address,
    answer: I256,
    updated_at: u64,
) -> Result<(), ChainError> {
    let contract = TestPriceFeed::new(feed, client.provider().clone());
    send_and_confirm(
        &contract.setRound(answer, U256::from(updated_at)),
        "setting a TestPriceFeed round",
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolCall;

    const NOW: u64 = 1_800_000_000;
    const HOUR: u64 = 3600;

    fn price(v: i64) -> I256 {
        I256::try_from(v).unwrap()
    }

    fn check(answer: i64, updated_at: u64) -> Result<PriceQuote, FeedError> {
        check_round(7, price(answer), U256::from(updated_at), 8, HOUR, NOW)
    }

    #[test]
    fn fresh_round_is_accepted() {
        let q = check(250_012_345_678, NOW - 10).unwrap();
        assert_eq!(
            q,
            PriceQuote {
                answer: U256::from(250_012_345_678u64),
                decimals: 8,
                updated_at: NOW - 10,
                round_id: 7,
            }
        );
        assert_eq!(q.to_decimal_string(), "2500.12345678");
        assert!(check(1, NOW).is_ok());
    }

    #[test]
    fn staleness_boundary() {
        // Exactly max_age old is still fresh; one second more is stale.
        assert!(check(100, NOW - HOUR).is_ok());
        let err = check(100, NOW - HOUR - 1).unwrap_err();
        assert!(
            matches!(
                err,
                FeedError::Stale {
                    updated_at,
                    max_age_secs: HOUR,
                    age_secs,
                } if updated_at == NOW - HOUR - 1 && age_secs == HOUR + 1
            ),
            "{err:?}"
        );
        let err = check(100, NOW - 2 * HOUR).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the price feed's last update is 7200 s old; at most 3600 s allowed"
        );
    }

    #[test]
    fn never_updated_round_is_stale() {
        let err = check(100, 0).unwrap_err();
        assert!(
            matches!(err, FeedError::Stale { updated_at: 0, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("no completed round"), "{err}");
        // Even with a huge max age.
        let err = check_round(1, price(100), U256::ZERO, 8, u64::MAX, NOW).unwrap_err();
        assert!(matches!(err, FeedError::Stale { .. }), "{err:?}");
    }

    #[test]
    fn zero_and_negative_answers_are_rejected() {
        let err = check(0, NOW).unwrap_err();
        assert!(matches!(&err, FeedError::NonPositive { answer } if answer == "0"));
        assert_eq!(err.to_string(), "the price feed answer is not positive (0)");
        let err = check(-5, NOW).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the price feed answer is not positive (-5)"
        );
        let err = check_round(1, I256::MIN, U256::from(NOW), 8, HOUR, NOW).unwrap_err();
        assert!(matches!(err, FeedError::NonPositive { .. }), "{err:?}");
    }

    #[test]
    fn future_dated_rounds_beyond_the_tolerance_are_rejected() {
        // Within the tolerance: accepted (clock skew).
        let q = check(100, NOW + FUTURE_TOLERANCE_SECS).unwrap();
        assert_eq!(q.updated_at, NOW + FUTURE_TOLERANCE_SECS);
        let err = check(100, NOW + FUTURE_TOLERANCE_SECS + 1).unwrap_err();
        assert!(
            matches!(err, FeedError::InFuture { updated_at, now_secs: NOW } if updated_at == NOW + 61),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "the price feed's last update is 61 s in the future (updatedAt 1800000061, now 1800000000); \
             at most 60 s of clock skew allowed"
        );
        // Beyond u64.
        let err = check_round(1, price(1), U256::MAX, 8, HOUR, NOW).unwrap_err();
        assert!(
            matches!(
                err,
                FeedError::InFuture {
                    updated_at: u64::MAX,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn decimal_string() {
        let q = |answer: u64, decimals| PriceQuote {
            answer: U256::from(answer),
            decimals,
            updated_at: 0,
            round_id: 0,
        };
        assert_eq!(q(5, 8).to_decimal_string(), "0.00000005");
        assert_eq!(q(123, 0).to_decimal_string(), "123");
        assert_eq!(q(100_000_000, 8).to_decimal_string(), "1.00000000");
    }

    /// The interface binding must use Chainlink's selectors, or it would not read a real feed.
    #[test]
    fn chainlink_selectors() {
        use AggregatorV3Interface as A;
        assert_eq!(A::latestRoundDataCall::SELECTOR, [0xfe, 0xaf, 0x96, 0x8c]);
        assert_eq!(A::decimalsCall::SELECTOR, [0x31, 0x3c, 0xe5, 0x67]);
        assert_eq!(A::getRoundDataCall::SELECTOR, [0x9a, 0x6f, 0xc8, 0xf5]);
        assert_eq!(A::versionCall::SELECTOR, [0x54, 0xfd, 0x4d, 0x50]);
        assert_eq!(A::descriptionCall::SELECTOR, [0x72, 0x84, 0xe4, 0x16]);
        // The test feed has the very same functions.
        assert_eq!(
            TestPriceFeed::latestRoundDataCall::SELECTOR,
            A::latestRoundDataCall::SELECTOR
        );
    }
}
