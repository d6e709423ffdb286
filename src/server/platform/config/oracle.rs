//! The reward token's price, per ISO currency: the store's own currency (UAH) from `ORACLE_FIXED_PRICE` or
//! `ORACLE_FEED_ADDRESS` as before, and any other currency from `ORACLE_PRICES` (fixed) or `ORACLE_FEEDS`
//! (Chainlink feeds). An order in a currency with no price here earns a reward that waits, "price needed".
use super::parse::ranged;
use super::ConfigError;
use crate::domain::membership::TIER_CURRENCY;
use std::collections::BTreeMap;

/// Where the reward token's price in one currency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OracleSource {
    /// A fixed price: `answer / 10^decimals` currency units per token.
    Fixed { answer: u128, decimals: u8 },
    /// A Chainlink `AggregatorV3Interface` feed on `CHAIN_RPC_URL`.
    Feed { address: String, max_age_secs: u64 },
}

/// The price source of each currency that has one, by ISO 4217 code.
pub type OraclePrices = BTreeMap<String, OracleSource>;

pub(super) fn parse_oracle(
    get: &impl Fn(&str) -> Option<String>,
    has_rpc: bool,
) -> Result<OraclePrices, ConfigError> {
    let max_age_secs = u64::from(ranged::<u32>(
        get,
        "ORACLE_MAX_AGE_SECS",
        3600,
        1..=604_800,
        "a whole number of seconds from 1 to 604800",
    )?);
    let store = match get("ORACLE_FEED_ADDRESS") {
        Some(address) => feed("ORACLE_FEED_ADDRESS", &address, has_rpc, max_age_secs)?,
        None => {
            let raw = get("ORACLE_FIXED_PRICE").unwrap_or_else(|| "40.00".into());
            parse_price(raw.trim()).ok_or(ConfigError {
                var: "ORACLE_FIXED_PRICE",
                value: raw,
                expected: "a positive decimal price of one reward token in the store currency, like 41.25",
            })?
        }
    };
    let mut prices = OraclePrices::from([(TIER_CURRENCY.to_string(), store)]);
    for (currency, price) in entries(get, "ORACLE_PRICES")? {
        let source = parse_price(&price).ok_or_else(|| ConfigError {
            var: "ORACLE_PRICES",
            value: format!("{currency}={price}"),
            expected: "a positive decimal price of one reward token per currency, like USD=1.05",
        })?;
        add(&mut prices, "ORACLE_PRICES", currency, source)?;
    }
    for (currency, address) in entries(get, "ORACLE_FEEDS")? {
        let source = feed("ORACLE_FEEDS", &address, has_rpc, max_age_secs)?;
        add(&mut prices, "ORACLE_FEEDS", currency, source)?;
    }
    Ok(prices)
}

/// `"USD=1.05, EUR=0.97"` → `[("USD", "1.05"), ("EUR", "0.97")]`; each code three capital letters.
fn entries(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Vec<(String, String)>, ConfigError> {
    let raw = get(var).unwrap_or_default();
    raw.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (code, value) = entry.split_once('=').unwrap_or((entry, ""));
            let code = code.trim();
            let is_code = code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
            match (is_code, value.trim()) {
                (true, value) if !value.is_empty() => Ok((code.to_string(), value.to_string())),
                _ => Err(ConfigError {
                    var,
                    value: entry.to_string(),
                    expected: "comma-separated CODE=value entries with ISO 4217 codes, like USD=1.05,EUR=0.97",
                }),
            }
        })
        .collect()
}

fn add(
    prices: &mut OraclePrices,
    var: &'static str,
    currency: String,
    source: OracleSource,
) -> Result<(), ConfigError> {
    if prices.contains_key(&currency) {
        return Err(ConfigError {
            var,
            value: currency,
            expected: "each currency priced once (UAH by ORACLE_FIXED_PRICE or ORACLE_FEED_ADDRESS, others by ORACLE_PRICES or ORACLE_FEEDS)",
        });
    }
    prices.insert(currency, source);
    Ok(())
}

fn feed(
    var: &'static str,
    address: &str,
    has_rpc: bool,
    max_age_secs: u64,
) -> Result<OracleSource, ConfigError> {
    let address = address.trim().to_string();
    let hex = address.strip_prefix("0x").unwrap_or_default();
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ConfigError {
            var,
            value: address,
            expected: "a contract address: 0x followed by 40 hexadecimal characters",
        });
    }
    if !has_rpc {
        return Err(ConfigError {
            var,
            value: address,
            expected: "CHAIN_RPC_URL to be set as well (the feed is read from that chain)",
        });
    }
    Ok(OracleSource::Feed {
        address,
        max_age_secs,
    })
}

/// `"41.25"` → answer 4125 with 2 decimals.
pub(super) fn parse_price(raw: &str) -> Option<OracleSource> {
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 18 {
        return None;
    }
    let answer: u128 = format!("{whole}{frac}").parse().ok()?;
    (answer > 0).then_some(OracleSource::Fixed {
        answer,
        decimals: frac.len() as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    fn parse(vars: &[(&str, &str)], has_rpc: bool) -> Result<OraclePrices, ConfigError> {
        let get = |k: &str| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        parse_oracle(&get, has_rpc)
    }

    fn fixed(answer: u128, decimals: u8) -> OracleSource {
        OracleSource::Fixed { answer, decimals }
    }

    #[test]
    fn the_store_currency_is_priced_by_default_and_others_by_their_lists() {
        let prices = parse(&[], false).unwrap();
        assert_eq!(prices, OraclePrices::from([("UAH".into(), fixed(4000, 2))]));
        let prices = parse(
            &[
                ("ORACLE_PRICES", " USD=1.05 , JPY=150"),
                ("ORACLE_FEEDS", &format!("EUR={FEED}")),
            ],
            true,
        )
        .unwrap();
        assert_eq!(prices["USD"], fixed(105, 2));
        assert_eq!(prices["JPY"], fixed(150, 0));
        assert_eq!(
            prices["EUR"],
            OracleSource::Feed {
                address: FEED.into(),
                max_age_secs: 3600
            }
        );
        assert_eq!(prices.len(), 4);
    }

    #[test]
    fn malformed_or_repeated_entries_name_their_variable() {
        let feeds = format!("USD={FEED}");
        for (vars, has_rpc, var) in [
            (vec![("ORACLE_PRICES", "usd=1.00")], false, "ORACLE_PRICES"),
            (vec![("ORACLE_PRICES", "USD")], false, "ORACLE_PRICES"),
            (vec![("ORACLE_PRICES", "USD=0")], false, "ORACLE_PRICES"),
            (
                vec![("ORACLE_PRICES", "USD=1,USD=2")],
                false,
                "ORACLE_PRICES",
            ),
            (vec![("ORACLE_PRICES", "UAH=41.00")], false, "ORACLE_PRICES"),
            (vec![("ORACLE_FEEDS", "USD=0x12")], true, "ORACLE_FEEDS"),
            (
                vec![("ORACLE_FEEDS", feeds.as_str())],
                false,
                "ORACLE_FEEDS",
            ),
            (
                vec![
                    ("ORACLE_PRICES", "USD=1.00"),
                    ("ORACLE_FEEDS", feeds.as_str()),
                ],
                true,
                "ORACLE_FEEDS",
            ),
        ] {
            assert_eq!(parse(&vars, has_rpc).unwrap_err().var, var, "{vars:?}");
        }
    }
}
