//! How each kind of setting is read: ranged numbers, booleans, secrets, URLs (redacted wherever they are shown),
//! the payment and connection settings; every error names the variable, the value and what was expected.
use super::{AppEnv, ConfigError, Payments, PaymentsMode, TEST_MERCHANT, TEST_SECRET};
use crate::domain::reward::TxLinks;
use crate::server::platform::connections::ConnectionLimits;
use crate::server::platform::rate_limit::RateConfig;
use std::str::FromStr;
use std::time::Duration;

pub(super) const BPS: &str = "basis points: a whole number from 0 to 10000 (500 = 5 %)";
pub(super) const HOLD_DAYS: &str = "days: a whole number from 0 to 365";

pub(super) fn parse_extra_ca(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<Vec<u8>>, ConfigError> {
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

pub(super) fn parse_app_env(get: &impl Fn(&str) -> Option<String>) -> Result<AppEnv, ConfigError> {
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

pub(super) fn parse_payments(
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

pub(super) fn parse_chain_id(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<u64>, ConfigError> {
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

pub(super) fn parse_connection_limits(
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

pub(super) fn parse_rates(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<RateConfig, ConfigError> {
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
pub(super) fn parse_secret(
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

pub(super) fn parse_tx_links(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<TxLinks, ConfigError> {
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

pub(super) fn ranged<T: FromStr + PartialOrd>(
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

pub(super) fn boolean(
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

pub(super) fn parse_site_url(raw: String) -> Result<String, ConfigError> {
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

pub(super) fn url_endpoint(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}:{}",
            u.host_str().unwrap_or_default(),
            u.port_or_known_default().unwrap_or_default()
        ),
        Err(_) => "(an unparsable URL)".to_string(),
    }
}

pub(super) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_string(),
    }
}
