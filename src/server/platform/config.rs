//! Every environment variable the server reads, parsed once at start-up.
//! A bad value stops the server with the variable, the value and what was expected.
mod mint;
mod oracle;
mod parse;

use crate::domain::reward::TxLinks;
use crate::server::db::login_failures::Limits as LoginLimits;
use crate::server::platform::connections::ConnectionLimits;
use crate::server::platform::rate_limit::RateConfig;
use mint::parse_mint;
pub use mint::{MintChain, MintConfig};
use oracle::parse_oracle;
pub use oracle::{OraclePrices, OracleSource};
use parse::{
    boolean, parse_app_env, parse_chain_id, parse_connection_limits, parse_extra_ca,
    parse_payments, parse_rates, parse_secret, parse_site_url, parse_tx_links, ranged, redact_url,
    BPS, HOLD_DAYS,
};
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for {var}: {value:?} (expected {expected})")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub expected: &'static str,
}

#[derive(Clone)]
pub struct Config {
    /// `APP_ENV`: only `development` allows the development defaults (see `production.rs`).
    pub app_env: AppEnv,
    pub database_url: String,
    pub db_max_connections: u32,
    pub site_url: String,
    pub brand_name: String,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub session_days: u32,
    /// `LOGIN_MAX_FAILURES` (per email and client address), `LOGIN_ACCOUNT_MAX_FAILURES`, `LOGIN_WINDOW_MINUTES`.
    pub login_limits: LoginLimits,
    /// `HEADER_READ_TIMEOUT_SECS`, `REQUEST_TIMEOUT_SECS`, `MAX_CONNECTIONS` (`connections.rs`).
    pub connections: ConnectionLimits,
    /// `RATE_*_PER_MINUTE`: token buckets per client address (`rate_limit.rs`).
    pub rate: RateConfig,
    /// `TRUSTED_PROXY_HOPS`: reverse proxies in front that append to `X-Forwarded-For` (0: none, the peer is the
    /// client).
    pub trusted_proxy_hops: u8,
    /// `REJECTED_EVENT_RETENTION_DAYS`: how long rejected payment notifications are kept (README, Configuration).
    pub rejected_event_retention_days: u32,
    pub seed_demo: bool,
    pub ref_cookie_days: u32,
    pub max_codes_per_user: u32,
    pub payments: Payments,
    pub rates: RewardRates,
    /// The reward token's price source per currency.
    pub oracle: OraclePrices,
    pub chain_rpc_url: Option<String>,
    /// `CHAIN_ID`: the chain rewards are paid on (the minter checks its RPC serves it; wallet proofs name it).
    pub chain_id: Option<u64>,
    /// `EXTRA_CA_CERTS`: a PEM bundle of certificate authorities the chain RPC and price feed may be signed by,
    /// besides the system's (a private endpoint's own authority).
    pub extra_ca_pem: Option<Vec<u8>>,
    /// `CHAIN_CALL_TIMEOUT_SECS`: the bound on every call to the chain RPC and the price feeds (an endpoint that
    /// accepts and never answers costs this much, not a hung run).
    pub chain_call_timeout: Duration,
    /// `Authorization: Bearer` secret of `GET /api/cron/refcodes-mint`; unset = the endpoint refuses. Never shown.
    pub cron_secret: Option<String>,
    /// `METRICS_TOKEN`: the bearer token `/metrics` asks for; unset, `/metrics` is closed.
    pub metrics_token: Option<String>,
    pub mint: MintConfig,
    /// `CHAIN_EXPLORER_TX_URL`: where pages link a reward's transaction.
    pub tx_links: TxLinks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// The README's run command: demo data, test payments, a local chain, development secrets.
    Development,
    /// Every other start.
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentsMode {
    /// Card payments go to a built-in test page that signs the provider's notification itself.
    Test,
    /// Card payments go to WayForPay's purchase form.
    Live,
}

/// WayForPay merchant settings. The key signs and verifies; it is never logged or shown.
#[derive(Clone)]
pub struct Payments {
    pub mode: PaymentsMode,
    pub merchant_account: String,
    pub merchant_domain: String,
    pub secret_key: String,
}

impl Payments {
    /// The built-in test merchant's account or key, whose key is in the source.
    pub fn uses_test_merchant(&self) -> bool {
        self.merchant_account == TEST_MERCHANT || self.secret_key == TEST_SECRET
    }
}

impl fmt::Debug for Payments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payments")
            .field("mode", &self.mode)
            .field("merchant_account", &self.merchant_account)
            .finish_non_exhaustive()
    }
}

/// Reward size in basis points of the paid amount (500 = 5 %), and how long a card reward waits before it may
/// be minted (the card's refund window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardRates {
    pub store_bps: u32,
    pub membership_bps: u32,
    pub hold_days: u32,
}

/// The development merchant of `PAYMENTS_MODE=test`: only the built-in test page signs with it.
const TEST_MERCHANT: &str = "refcodes_test_merchant";
const TEST_SECRET: &str = "refcodes-test-payments-key";

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("site_url", &self.site_url)
            .field("brand_name", &self.brand_name)
            .field("site_addr", &self.site_addr)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_source(|var| std::env::var(var).ok())
    }

    /// `source` answers a variable's raw value; tests pass a map instead of the process environment.
    pub fn from_source(source: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |var: &str| source(var).filter(|v| !v.trim().is_empty());
        let database_url = get("DATABASE_URL").ok_or(ConfigError {
            var: "DATABASE_URL",
            value: String::new(),
            expected: "a postgres:// URL",
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                var: "DATABASE_URL",
                value: redact_url(&database_url),
                expected: "a postgres:// URL",
            });
        }
        let site_url =
            parse_site_url(get("SITE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()))?;
        let site_addr_raw = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr = site_addr_raw.parse().map_err(|_| ConfigError {
            var: "LEPTOS_SITE_ADDR",
            value: site_addr_raw.clone(),
            expected: "an IP address and port, like 127.0.0.1:3000",
        })?;
        if let Some(listed) = get("ADMIN_EMAILS") {
            return Err(ConfigError {
                var: "ADMIN_EMAILS",
                value: listed,
                expected: "nothing: it is no longer read; an operator grants the role to an existing account \
                           with `refcodes admin grant EMAIL`",
            });
        }
        let payments = parse_payments(&get, &site_url)?;
        let chain_rpc_url = get("CHAIN_RPC_URL").map(|u| u.trim().to_string());
        if let Some(url) = &chain_rpc_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError {
                    var: "CHAIN_RPC_URL",
                    value: url.clone(),
                    expected: "an http:// or https:// JSON-RPC URL",
                });
            }
        }
        let oracle = parse_oracle(&get, chain_rpc_url.is_some())?;
        let mint = parse_mint(&get, chain_rpc_url.as_deref())?;
        let cron_secret = parse_secret(&get, "CRON_SECRET")?;
        let metrics_token = parse_secret(&get, "METRICS_TOKEN")?;
        let tx_links = parse_tx_links(&get)?;
        let rates = RewardRates {
            store_bps: ranged(&get, "REFERRAL_REWARD_BPS", 500, 0..=10_000, BPS)?,
            membership_bps: ranged(&get, "MEMBERSHIP_REWARD_BPS", 1000, 0..=10_000, BPS)?,
            hold_days: ranged(&get, "REWARD_HOLD_DAYS", 14, 0..=365, HOLD_DAYS)?,
        };
        Ok(Config {
            app_env: parse_app_env(&get)?,
            database_url,
            db_max_connections: ranged(
                &get,
                "DB_MAX_CONNECTIONS",
                10,
                1..=200,
                "a whole number from 1 to 200",
            )?,
            site_url,
            brand_name: get("BRAND_NAME")
                .map_or_else(|| "Refcodes".into(), |b| b.trim().to_string()),
            site_addr,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            session_days: ranged(
                &get,
                "SESSION_DAYS",
                30,
                1..=365,
                "a whole number of days from 1 to 365",
            )?,
            connections: parse_connection_limits(&get)?,
            rate: parse_rates(&get)?,
            trusted_proxy_hops: ranged(
                &get,
                "TRUSTED_PROXY_HOPS",
                0,
                0..=10,
                "the number of reverse proxies in front of the app, 0 to 10",
            )?,
            rejected_event_retention_days: ranged(
                &get,
                "REJECTED_EVENT_RETENTION_DAYS",
                30,
                1..=3650,
                "a whole number of days from 1 to 3650",
            )?,
            login_limits: LoginLimits {
                per_client: ranged(
                    &get,
                    "LOGIN_MAX_FAILURES",
                    5,
                    1..=100,
                    "a whole number from 1 to 100",
                )?,
                per_account: ranged(
                    &get,
                    "LOGIN_ACCOUNT_MAX_FAILURES",
                    50,
                    1..=10_000,
                    "a whole number from 1 to 10000",
                )?,
                window_minutes: ranged(
                    &get,
                    "LOGIN_WINDOW_MINUTES",
                    15,
                    1..=1440,
                    "a whole number of minutes from 1 to 1440",
                )?,
            },
            seed_demo: boolean(&get, "SEED_DEMO", false)?,
            // Browsers cap a cookie's lifetime at 400 days.
            ref_cookie_days: ranged(
                &get,
                "REF_COOKIE_DAYS",
                30,
                1..=400,
                "a whole number of days from 1 to 400",
            )?,
            max_codes_per_user: ranged(
                &get,
                "MAX_CODES_PER_USER",
                20,
                1..=1000,
                "a whole number from 1 to 1000",
            )?,
            payments,
            rates,
            oracle,
            chain_rpc_url,
            chain_id: parse_chain_id(&get)?,
            extra_ca_pem: parse_extra_ca(&get)?,
            chain_call_timeout: Duration::from_secs(ranged(
                &get,
                "CHAIN_CALL_TIMEOUT_SECS",
                30,
                1..=300,
                "a whole number of seconds from 1 to 300",
            )?),
            cron_secret,
            metrics_token,
            tx_links,
            mint,
        })
    }

    /// `host:port/database` of `DATABASE_URL`, without credentials or parameters: safe in messages and logs.
    pub fn database_endpoint(&self) -> String {
        match url::Url::parse(&self.database_url) {
            Ok(u) => format!(
                "{}:{}{}",
                u.host_str().unwrap_or("(socket)"),
                u.port().unwrap_or(5432),
                u.path()
            ),
            Err(_) => redact_url(&self.database_url),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.site_url.starts_with("https://")
    }

    /// The chain named in wallet proofs: `CHAIN_ID` (read whether or not this instance mints, so every instance
    /// issues and accepts the same messages), or Ethereum mainnet (1) when it is not set.
    pub fn payout_chain_id(&self) -> u64 {
        self.chain_id.unwrap_or(1)
    }
}

#[cfg(test)]
mod tests;
