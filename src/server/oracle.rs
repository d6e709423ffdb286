//! The reward token's price in the store currency: a fixed price from config, or a Chainlink
//! `AggregatorV3Interface` feed read through the chain layer. The quote is frozen on each reward.
use super::config::{Config, OracleSource};
use chrono::{DateTime, Utc};
use refcodes_chain::alloy::primitives::{Address, U256};
use refcodes_chain::{price_feed, Transport};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub answer: U256,
    pub decimals: u8,
    pub updated_at: DateTime<Utc>,
    pub source: String,
}

impl Quote {
    /// As stored on a reward: `oracle {price, decimals, updatedAt, source}`.
    pub fn to_json(&self) -> Value {
        json!({
            "price": self.answer.to_string(),
            "decimals": self.decimals,
            "updatedAt": self.updated_at,
            "source": self.source,
        })
    }
}

pub enum PriceOracle {
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

impl PriceOracle {
    /// Reads a feed through `transport` (its TLS trust).
    pub fn from_config(config: &Config, transport: &Transport) -> Result<PriceOracle, String> {
        match &config.oracle {
            OracleSource::Fixed { answer, decimals } => Ok(PriceOracle::Fixed {
                answer: U256::from(*answer),
                decimals: *decimals,
            }),
            OracleSource::Feed {
                address,
                max_age_secs,
            } => {
                let rpc = config
                    .chain_rpc_url
                    .as_deref()
                    .ok_or("ORACLE_FEED_ADDRESS needs CHAIN_RPC_URL")?;
                Ok(PriceOracle::Feed {
                    provider: refcodes_chain::read_only_provider(transport, rpc)
                        .map_err(|e| e.to_string())?,
                    address: address
                        .parse()
                        .map_err(|e| format!("ORACLE_FEED_ADDRESS: {e}"))?,
                    max_age_secs: *max_age_secs,
                })
            }
        }
    }

    /// The current price, or why there is none ("price unavailable: …").
    pub async fn quote(&self) -> Result<Quote, String> {
        match self {
            PriceOracle::Fixed { answer, decimals } => Ok(Quote {
                answer: *answer,
                decimals: *decimals,
                updated_at: Utc::now(),
                source: "fixed".into(),
            }),
            PriceOracle::Feed {
                provider,
                address,
                max_age_secs,
            } => {
                let now = Utc::now().timestamp().max(0) as u64;
                let q = price_feed::latest_price(provider, *address, *max_age_secs, now)
                    .await
                    .map_err(|e| format!("price unavailable: {e}"))?;
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
