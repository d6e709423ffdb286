//! The reward token's price in each configured currency: a fixed price from config, or a Chainlink
//! `AggregatorV3Interface` feed read through the chain layer. The quote is frozen on each reward; a currency
//! without a price gives no quote, and its rewards wait ("price needed").
use crate::server::db::rewards::OracleDoc;
use crate::server::platform::config::{Config, OracleSource};
use chrono::{DateTime, Utc};
use refcodes_chain::alloy::primitives::{Address, U256};
use refcodes_chain::{price_feed, Transport};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub answer: U256,
    pub decimals: u8,
    pub updated_at: DateTime<Utc>,
    pub source: String,
}

/// As frozen on a reward.
impl From<&Quote> for OracleDoc {
    fn from(q: &Quote) -> Self {
        OracleDoc {
            price: q.answer.to_string(),
            decimals: q.decimals,
            updated_at: Some(q.updated_at),
            source: q.source.clone(),
        }
    }
}

/// The price of one currency.
enum Source {
    Fixed {
        answer: U256,
        decimals: u8,
    },
    Feed {
        provider: refcodes_chain::alloy::providers::DynProvider,
        address: Address,
        max_age_secs: u64,
    },
}

/// The token's price in each configured currency (`config/oracle.rs`).
pub struct PriceOracle {
    sources: BTreeMap<String, Source>,
}

impl PriceOracle {
    /// Reads feeds through `transport` (its TLS trust).
    pub fn from_config(config: &Config, transport: &Transport) -> Result<PriceOracle, String> {
        let sources = config
            .oracle
            .iter()
            .map(|(currency, source)| {
                Ok((currency.clone(), Source::new(config, transport, source)?))
            })
            .collect::<Result<_, String>>()?;
        Ok(PriceOracle { sources })
    }

    /// The currencies with a price.
    pub fn currencies(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// The current price in `currency`, or why there is none ("price unavailable: …").
    pub async fn quote(&self, currency: &str) -> Result<Quote, String> {
        match self.sources.get(currency) {
            Some(source) => source.quote().await,
            None => Err(unpriced(currency)),
        }
    }
}

/// Why a reward in `currency` has no price: none is configured for it.
pub fn unpriced(currency: &str) -> String {
    format!(
        "price unavailable: no price is configured for {currency} (ORACLE_PRICES or ORACLE_FEEDS)"
    )
}

impl Source {
    fn new(
        config: &Config,
        transport: &Transport,
        source: &OracleSource,
    ) -> Result<Source, String> {
        Ok(match source {
            OracleSource::Fixed { answer, decimals } => Source::Fixed {
                answer: U256::from(*answer),
                decimals: *decimals,
            },
            OracleSource::Feed {
                address,
                max_age_secs,
            } => {
                let rpc = config
                    .chain_rpc_url
                    .as_deref()
                    .ok_or("a price feed needs CHAIN_RPC_URL")?;
                Source::Feed {
                    provider: refcodes_chain::read_only_provider(transport, rpc)
                        .map_err(|e| e.to_string())?,
                    address: address
                        .parse()
                        .map_err(|e| format!("price feed address {address}: {e}"))?,
                    max_age_secs: *max_age_secs,
                }
            }
        })
    }

    async fn quote(&self) -> Result<Quote, String> {
        match self {
            Source::Fixed { answer, decimals } => Ok(Quote {
                answer: *answer,
                decimals: *decimals,
                updated_at: Utc::now(),
                source: "fixed".into(),
            }),
            Source::Feed {
                provider,
                address,
                max_age_secs,
            } => {
                let now = Utc::now().timestamp().max(0) as u64;
                let q = price_feed::latest_price(provider, *address, *max_age_secs, now)
                    .await
                    .map_err(|e| format!("price unavailable: {}", e.reason()))?;
                Ok(Quote {
                    answer: q.answer,
                    decimals: q.decimals,
                    updated_at: DateTime::from_timestamp(q.updated_at as i64, 0)
                        .unwrap_or_default(),
                    source: format!("chainlink:{address}"),
                })
            }
        }
    }
}
