//! Reward sizing (pure): a share of the paid amount in fiat minor units, then tokens at the oracle's price.
use crate::domain::money::exponent;
use refcodes_chain::alloy::primitives::U256;

/// Decimals of the reward token (18, as every ERC-20 reward token here).
pub const TOKEN_DECIMALS: u32 = 18;

/// `amount × bps / 10 000`, rounded down (the referrer never gets more than the rate).
pub fn reward_fiat(amount: i64, bps: u32) -> i64 {
    (i128::from(amount) * i128::from(bps) / 10_000) as i64
}

/// Token base units for `fiat_minor` of `currency` at a price of `answer / 10^price_decimals` currency units
/// per token, rounded down: `fiat_minor × 10^18 × 10^price_decimals / (10^exponent × answer)`.
/// `None` for a zero price or an absurd size that would overflow 256 bits.
pub fn token_amount(
    fiat_minor: i64,
    currency: &str,
    answer: U256,
    price_decimals: u8,
) -> Option<U256> {
    if fiat_minor < 0 || answer.is_zero() {
        return None;
    }
    let ten = U256::from(10u8);
    let numerator = U256::from(fiat_minor as u64)
        .checked_mul(ten.pow(U256::from(TOKEN_DECIMALS)))?
        .checked_mul(ten.checked_pow(U256::from(price_decimals))?)?;
    let denominator = ten
        .pow(U256::from(exponent(currency)))
        .checked_mul(answer)?;
    Some(numerator / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed with Python integers: fiat * 10**18 * 10**dec // (10**exp * answer).
    #[test]
    fn kopecks_to_tokens_at_a_feed_price() {
        // 50.00 UAH at 41.50 UAH per token (a Chainlink-style answer with 8 decimals).
        let wei = token_amount(5000, "UAH", U256::from(4_150_000_000u64), 8).unwrap();
        assert_eq!(wei.to_string(), "1204819277108433734");
        // 123.45 UAH at 41.25 with 18 decimals.
        let answer = U256::from(41_250_000_000_000_000_000u128);
        assert_eq!(
            token_amount(12_345, "UAH", answer, 18).unwrap().to_string(),
            "2992727272727272727"
        );
        // 0.01 UAH at 40.00 (the fixed default).
        assert_eq!(
            token_amount(1, "UAH", U256::from(4000u32), 2)
                .unwrap()
                .to_string(),
            "250000000000000"
        );
    }

    #[test]
    fn rates_round_down_and_bad_prices_are_refused() {
        assert_eq!(reward_fiat(100_000, 500), 5000);
        assert_eq!(reward_fiat(99, 500), 4);
        assert_eq!(reward_fiat(i64::MAX, 10_000), i64::MAX);
        assert_eq!(token_amount(5000, "UAH", U256::ZERO, 8), None);
        assert_eq!(token_amount(-1, "UAH", U256::from(1u8), 8), None);
        assert_eq!(token_amount(i64::MAX, "UAH", U256::from(1u8), 255), None);
    }
}
