//! Every environment variable the server reads, parsed once at start-up.
//! A bad value stops the server with the variable, the value and what was expected.
mod mint;
mod oracle;

use crate::domain::reward::TxLinks;
use crate::server::db::login_failures::Limits as LoginLimits;
use crate::server::platform::connections::ConnectionLimits;
use crate::server::platform::rate_limit::RateConfig;
use mint::parse_mint;
pub use mint::{MintChain, MintConfig};
use oracle::parse_oracle;
pub use oracle::{OraclePrices, OracleSource};
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
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

const BPS: &str = "basis points: a whole number from 0 to 10000 (500 = 5 %)";
const HOLD_DAYS: &str = "days: a whole number from 0 to 365";

fn parse_extra_ca(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Vec<u8>>, ConfigError> {
    let Some(path) = get("EXTRA_CA_CERTS").map(|p| p.trim().to_string()) else {
        return Ok(None);
    };
    match std::fs::read(&path) {
        Ok(pem) if String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") => {
            Ok(Some(pem))
        }
        _ => Err(ConfigError {
            var: "EXTRA_CA_CERTS",
            value: path,
            expected:
                "a readable PEM file of one or more certificates (-----BEGIN CERTIFICATE-----)",
        }),
    }
}

fn parse_app_env(get: &impl Fn(&str) -> Option<String>) -> Result<AppEnv, ConfigError> {
    match get("APP_ENV").as_deref().map(str::trim) {
        None | Some("production") => Ok(AppEnv::Production),
        Some("development") => Ok(AppEnv::Development),
        Some(other) => Err(ConfigError {
            var: "APP_ENV",
            value: other.into(),
            expected: "production or development (unset = production)",
        }),
    }
}

fn parse_payments(
    get: &impl Fn(&str) -> Option<String>,
    site_url: &str,
) -> Result<Payments, ConfigError> {
    let mode = match get("PAYMENTS_MODE").as_deref().map(str::trim) {
        None | Some("test") => PaymentsMode::Test,
        Some("live") => PaymentsMode::Live,
        Some(other) => {
            return Err(ConfigError {
                var: "PAYMENTS_MODE",
                value: other.into(),
                expected: "test or live",
            })
        }
    };
    let required = |var: &'static str, test_default: &str| match (get(var), mode) {
        (Some(v), _) => Ok(v.trim().to_string()),
        (None, PaymentsMode::Test) => Ok(test_default.to_string()),
        (None, PaymentsMode::Live) => Err(ConfigError {
            var,
            value: String::new(),
            expected: "a value (required when PAYMENTS_MODE=live)",
        }),
    };
    let host = site_url
        .split_once("://")
        .map_or(site_url, |(_, h)| h)
        .split(':')
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Payments {
        mode,
        merchant_account: required("WAYFORPAY_MERCHANT_ACCOUNT", TEST_MERCHANT)?,
        secret_key: required("WAYFORPAY_SECRET_KEY", TEST_SECRET)?,
        merchant_domain: get("WAYFORPAY_MERCHANT_DOMAIN").unwrap_or(host),
    })
}

fn parse_chain_id(get: &impl Fn(&str) -> Option<String>) -> Result<Option<u64>, ConfigError> {
    let Some(raw) = get("CHAIN_ID") else {
        return Ok(None);
    };
    match raw.trim().parse::<u64>() {
        Ok(id) if id > 0 => Ok(Some(id)),
        _ => Err(ConfigError {
            var: "CHAIN_ID",
            value: raw,
            expected: "a positive whole number (31337 for anvil)",
        }),
    }
}

fn parse_connection_limits(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<ConnectionLimits, ConfigError> {
    let secs = |var, default| {
        ranged(
            get,
            var,
            default,
            1..=3600,
            "a whole number of seconds from 1 to 3600",
        )
        .map(Duration::from_secs)
    };
    Ok(ConnectionLimits {
        header_read: secs("HEADER_READ_TIMEOUT_SECS", 10)?,
        request: secs("REQUEST_TIMEOUT_SECS", 30)?,
        max_connections: ranged(
            get,
            "MAX_CONNECTIONS",
            1024,
            1..=100_000,
            "a whole number of connections from 1 to 100000",
        )?,
    })
}

fn parse_rates(get: &impl Fn(&str) -> Option<String>) -> Result<RateConfig, ConfigError> {
    const EXPECTED: &str = "requests per minute per client address, 1 to 100000";
    let rate = |var, default| ranged(get, var, default, 1..=100_000, EXPECTED);
    Ok(RateConfig {
        sign_in: rate("RATE_SIGN_IN_PER_MINUTE", 10)?,
        sign_up: rate("RATE_SIGN_UP_PER_MINUTE", 5)?,
        track: rate("RATE_TRACK_PER_MINUTE", 60)?,
        order: rate("RATE_ORDER_PER_MINUTE", 20)?,
        webhook: rate("RATE_WEBHOOK_PER_MINUTE", 300)?,
    })
}

/// A bearer secret (`CRON_SECRET`, `METRICS_TOKEN`): at least 16 characters, no spaces.
fn parse_secret(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<String>, ConfigError> {
    match get(var).map(|s| s.trim().to_string()) {
        Some(s) if s.chars().count() < 16 || s.contains(char::is_whitespace) => Err(ConfigError {
            var,
            value: "(hidden)".into(),
            expected: "a secret of at least 16 characters without spaces",
        }),
        other => Ok(other),
    }
}

fn parse_tx_links(get: &impl Fn(&str) -> Option<String>) -> Result<TxLinks, ConfigError> {
    let Some(template) = get("CHAIN_EXPLORER_TX_URL").map(|s| s.trim().to_string()) else {
        return Ok(TxLinks(None));
    };
    let web = template.starts_with("https://") || template.starts_with("http://");
    if !web
        || template.matches(TxLinks::PLACEHOLDER).count() != 1
        || template.contains(char::is_whitespace)
    {
        return Err(ConfigError {
            var: "CHAIN_EXPLORER_TX_URL",
            value: template,
            expected: "an http(s) URL with {tx} where the transaction hash goes, like https://etherscan.io/tx/{tx}",
        });
    }
    Ok(TxLinks(Some(template)))
}

fn ranged<T: FromStr + PartialOrd>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<T>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or(ConfigError {
                var,
                value: raw,
                expected,
            }),
    }
}

fn boolean(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::trim) {
        None => Ok(default),
        Some("true" | "1" | "yes") => Ok(true),
        Some("false" | "0" | "no") => Ok(false),
        Some(other) => Err(ConfigError {
            var,
            value: other.into(),
            expected: "true or false",
        }),
    }
}

fn parse_site_url(raw: String) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.contains(['/', ' ', '?', '#']) => Ok(trimmed.to_string()),
        _ => Err(ConfigError {
            var: "SITE_URL",
            value: raw,
            expected: "an http:// or https:// origin without a path, like https://example.org",
        }),
    }
}

fn url_endpoint(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}:{}",
            u.host_str().unwrap_or_default(),
            u.port_or_known_default().unwrap_or_default()
        ),
        Err(_) => "(an unparsable URL)".to_string(),
    }
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_source(|k| map.get(k).cloned())
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://postgres@127.0.0.1/x");

    #[test]
    fn defaults_apply() {
        let c = config(&[DB]).unwrap();
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert_eq!(c.session_days, 30);
        assert!(!c.secure_cookies());
        assert_eq!((c.ref_cookie_days, c.max_codes_per_user), (30, 20));
    }

    #[test]
    fn referral_settings_are_bounded() {
        let c = config(&[DB, ("REF_COOKIE_DAYS", "90"), ("MAX_CODES_PER_USER", "3")]).unwrap();
        assert_eq!((c.ref_cookie_days, c.max_codes_per_user), (90, 3));
        for (var, value) in [
            ("REF_COOKIE_DAYS", "0"),
            ("REF_COOKIE_DAYS", "401"),
            ("REF_COOKIE_DAYS", "a month"),
            ("MAX_CODES_PER_USER", "0"),
            ("MAX_CODES_PER_USER", "-1"),
            ("MAX_CODES_PER_USER", "1001"),
        ] {
            let e = config(&[DB, (var, value)]).unwrap_err();
            assert_eq!((e.var, e.value.as_str()), (var, value));
        }
    }

    #[test]
    fn payments_and_rewards_have_safe_defaults_and_live_needs_credentials() {
        let c = config(&[DB]).unwrap();
        assert_eq!(c.payments.mode, PaymentsMode::Test);
        assert_eq!(c.payments.merchant_domain, "127.0.0.1");
        assert_eq!((c.rates.store_bps, c.rates.membership_bps), (500, 1000));
        assert_eq!(c.rates.hold_days, 14);
        assert_eq!(
            c.oracle["UAH"],
            OracleSource::Fixed {
                answer: 4000,
                decimals: 2
            }
        );
        assert!(!format!("{:?}", c.payments).contains(TEST_SECRET));
        let e = config(&[DB, ("PAYMENTS_MODE", "live")]).unwrap_err();
        assert_eq!(e.var, "WAYFORPAY_MERCHANT_ACCOUNT");
        let live = config(&[
            DB,
            ("PAYMENTS_MODE", "live"),
            ("WAYFORPAY_MERCHANT_ACCOUNT", "shop"),
            ("WAYFORPAY_SECRET_KEY", "k"),
        ])
        .unwrap();
        assert_eq!(live.payments.mode, PaymentsMode::Live);
        for (var, value) in [
            ("PAYMENTS_MODE", "sandbox"),
            ("REFERRAL_REWARD_BPS", "10001"),
            ("MEMBERSHIP_REWARD_BPS", "5%"),
            ("ORACLE_FIXED_PRICE", "0"),
            ("ORACLE_FIXED_PRICE", "-1"),
            ("ORACLE_FIXED_PRICE", "1,5"),
            ("ORACLE_FEED_ADDRESS", "0x1234"),
            (
                "ORACLE_FEED_ADDRESS",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            ),
            ("CHAIN_RPC_URL", "ws://x"),
        ] {
            assert_eq!(
                config(&[DB, (var, value)]).unwrap_err().var,
                var,
                "{var}={value}"
            );
        }
        let feed = config(&[
            DB,
            ("CHAIN_RPC_URL", "http://127.0.0.1:8545"),
            (
                "ORACLE_FEED_ADDRESS",
                "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            ),
        ])
        .unwrap();
        assert!(matches!(
            feed.oracle["UAH"],
            OracleSource::Feed {
                max_age_secs: 3600,
                ..
            }
        ));
        assert_eq!(
            oracle::parse_price("41.125"),
            Some(OracleSource::Fixed {
                answer: 41125,
                decimals: 3
            })
        );
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = config(&[DB, ("SESSION_DAYS", "forever")]).unwrap_err();
        assert_eq!((e.var, e.value.as_str()), ("SESSION_DAYS", "forever"));
        assert!(e.to_string().contains("SESSION_DAYS") && e.to_string().contains("forever"));
        assert_eq!(
            config(&[DB, ("SITE_URL", "ftp://x")]).unwrap_err().var,
            "SITE_URL"
        );
        let e = config(&[DB, ("ADMIN_EMAILS", "boss@ring.example")]).unwrap_err();
        assert_eq!(e.var, "ADMIN_EMAILS");
        assert!(e.to_string().contains("refcodes admin grant"), "{e}");
        assert_eq!(
            config(&[DB, ("APP_ENV", "staging")]).unwrap_err().var,
            "APP_ENV"
        );
        assert_eq!(
            config(&[DB, ("LEPTOS_SITE_ADDR", "localhost")])
                .unwrap_err()
                .var,
            "LEPTOS_SITE_ADDR"
        );
        assert_eq!(config(&[]).unwrap_err().var, "DATABASE_URL");
    }

    #[test]
    fn database_password_is_never_shown() {
        let e = config(&[("DATABASE_URL", "mysql://u:secret@h/db")]).unwrap_err();
        assert!(!e.to_string().contains("secret"));
        let c = config(&[("DATABASE_URL", "postgres://u:secret@h/db")]).unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn the_readme_and_the_env_example_document_every_variable_read() {
        let asked = std::sync::Mutex::new(Vec::new());
        let _ = Config::from_source(|k| {
            asked.lock().unwrap().push(k.to_string());
            (k == "DATABASE_URL").then(|| "postgres://x@h/db".to_string())
        });
        let readme = include_str!("../../../README.md");
        let env_example = include_str!("../../../deploy/env.example");
        for var in asked.into_inner().unwrap() {
            assert!(
                readme.contains(&format!("| `{var}` |")),
                "README lacks {var}"
            );
            let listed = env_example
                .lines()
                .any(|l| l.trim_start_matches("# ").starts_with(&format!("{var}=")));
            assert!(
                listed || var == "ADMIN_EMAILS",
                "deploy/env.example lacks {var}"
            );
        }
    }

    // anvil's development account 1 (a public test fixture, not a secret).
    const KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const CONTRACT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const RPC: (&str, &str) = ("CHAIN_RPC_URL", "http://127.0.0.1:8545");

    #[test]
    fn minting_is_optional_and_has_safe_defaults() {
        let c = config(&[DB, RPC]).unwrap();
        assert!(c.mint.chain.is_none() && c.cron_secret.is_none());
        assert_eq!(
            (
                c.mint.batch_size,
                c.mint.confirmations,
                c.mint.interval_secs
            ),
            (100, 1, 0)
        );
        assert_eq!(c.mint.low_balance_wei, 50_000_000_000_000_000);
        let c = config(&[
            DB,
            RPC,
            ("REFERRAL_MINTER_PRIVATE_KEY", KEY),
            ("REWARDS_CONTRACT_ADDRESS", CONTRACT),
            ("CHAIN_ID", "31337"),
            ("CRON_SECRET", "a-long-enough-cron-secret"),
            ("MINT_INTERVAL_SECS", "30"),
        ])
        .unwrap();
        let chain = c.mint.chain.as_ref().unwrap();
        assert_eq!(chain.chain_id, Some(31337));
        assert_eq!(
            chain.signer.address().to_string(),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        );
        assert_eq!(c.mint.interval_secs, 30);
        let shown = format!("{c:?} {:?} {:?}", c.mint, chain);
        assert!(!shown.to_lowercase().contains(&KEY[2..]), "{shown}");
        assert!(!shown.contains("a-long-enough-cron-secret"));
    }

    #[test]
    fn a_partial_chain_set_names_what_is_missing() {
        let key = ("REFERRAL_MINTER_PRIVATE_KEY", KEY);
        let contract = ("REWARDS_CONTRACT_ADDRESS", CONTRACT);
        for (vars, missing) in [
            (vec![DB, RPC, key], "REWARDS_CONTRACT_ADDRESS"),
            (vec![DB, RPC, contract], "REFERRAL_MINTER_PRIVATE_KEY"),
            (vec![DB, key, contract], "CHAIN_RPC_URL"),
        ] {
            assert_eq!(config(&vars).unwrap_err().var, missing);
        }
        for (var, value) in [
            ("REWARDS_CONTRACT_ADDRESS", "0x1234"),
            (
                "REWARDS_CONTRACT_ADDRESS",
                "0x0000000000000000000000000000000000000000",
            ),
            ("CHAIN_ID", "0"),
            ("MINT_BATCH_SIZE", "301"),
            ("MINT_CONFIRMATIONS", "0"),
            ("MINT_TIMEOUT_SECS", "0"),
            ("MINT_INTERVAL_SECS", "-1"),
            ("MINTER_LOW_BALANCE", "1,5"),
            ("REWARDS_START_BLOCK", "latest"),
        ] {
            let vars = [DB, RPC, key, contract, (var, value)];
            assert_eq!(config(&vars).unwrap_err().var, var, "{var}={value}");
        }
    }

    #[test]
    fn secrets_are_never_echoed() {
        let bad_key = format!("{}ff", &KEY[2..]);
        let e = config(&[
            DB,
            RPC,
            ("REFERRAL_MINTER_PRIVATE_KEY", &bad_key),
            ("REWARDS_CONTRACT_ADDRESS", CONTRACT),
        ])
        .unwrap_err();
        assert_eq!(e.var, "REFERRAL_MINTER_PRIVATE_KEY");
        assert!(!e.to_string().contains(&KEY[2..20]), "{e}");
        let e = config(&[DB, ("CHAIN_EXPLORER_TX_URL", "https://etherscan.io/tx/")]).unwrap_err();
        assert_eq!(e.var, "CHAIN_EXPLORER_TX_URL");
        let c = config(&[
            DB,
            ("CHAIN_EXPLORER_TX_URL", "https://etherscan.io/tx/{tx}"),
        ])
        .unwrap();
        assert_eq!(
            c.tx_links.link("0xab").as_deref(),
            Some("https://etherscan.io/tx/0xab")
        );
        let e = config(&[DB, ("CRON_SECRET", "short-secret")]).unwrap_err();
        assert_eq!(e.var, "CRON_SECRET");
        assert!(!e.to_string().contains("short-secret"));
    }

    #[test]
    fn the_database_endpoint_carries_no_credentials() {
        let c = config(&[(
            "DATABASE_URL",
            "postgres://app:s3cret@db.internal:6432/refcodes?sslmode=verify-full&sslrootcert=/ca.pem",
        )])
        .unwrap();
        assert_eq!(c.database_endpoint(), "db.internal:6432/refcodes");
        let c = config(&[("DATABASE_URL", "postgres://app@db.internal/refcodes")]).unwrap();
        assert_eq!(c.database_endpoint(), "db.internal:5432/refcodes");
    }

    #[test]
    fn https_site_means_secure_cookies() {
        let c = config(&[DB, ("SITE_URL", "https://ring.example/")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.site_url, "https://ring.example");
    }

    #[test]
    fn app_env_is_production_unless_it_says_development() {
        assert_eq!(config(&[DB]).unwrap().app_env, AppEnv::Production);
        let dev = config(&[DB, ("APP_ENV", "development")]).unwrap();
        assert_eq!(dev.app_env, AppEnv::Development);
    }
}
