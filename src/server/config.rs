//! Every environment variable the server reads, parsed once at start-up.
//! A bad value stops the server with the variable, the value and what was expected.
use std::fmt;
use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for {var}: {value:?} (expected {expected})")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub expected: &'static str,
}

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub db_max_connections: u32,
    pub site_url: String,
    pub brand_name: String,
    pub site_addr: SocketAddr,
    pub site_root: String,
    pub admin_emails: Vec<String>,
    pub session_days: u32,
    pub login_max_failures: u32,
    pub login_window_minutes: u32,
    pub seed_demo: bool,
    pub ref_cookie_days: u32,
    pub max_codes_per_user: u32,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("site_url", &self.site_url)
            .field("brand_name", &self.brand_name)
            .field("site_addr", &self.site_addr)
            .field("admin_emails", &self.admin_emails.len())
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
        Ok(Config {
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
            admin_emails: parse_admin_emails(get("ADMIN_EMAILS").unwrap_or_default())?,
            session_days: ranged(
                &get,
                "SESSION_DAYS",
                30,
                1..=365,
                "a whole number of days from 1 to 365",
            )?,
            login_max_failures: ranged(
                &get,
                "LOGIN_MAX_FAILURES",
                5,
                1..=100,
                "a whole number from 1 to 100",
            )?,
            login_window_minutes: ranged(
                &get,
                "LOGIN_WINDOW_MINUTES",
                15,
                1..=1440,
                "a whole number of minutes from 1 to 1440",
            )?,
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
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.site_url.starts_with("https://")
    }
}

fn ranged(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
    expected: &'static str,
) -> Result<u32, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u32>()
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

fn parse_admin_emails(raw: String) -> Result<Vec<String>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            crate::domain::auth::normalize_email(e).map_err(|_| ConfigError {
                var: "ADMIN_EMAILS",
                value: e.to_string(),
                expected: "comma-separated email addresses",
            })
        })
        .collect()
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
    fn bad_values_name_the_variable() {
        let e = config(&[DB, ("SESSION_DAYS", "forever")]).unwrap_err();
        assert_eq!((e.var, e.value.as_str()), ("SESSION_DAYS", "forever"));
        assert!(e.to_string().contains("SESSION_DAYS") && e.to_string().contains("forever"));
        assert_eq!(
            config(&[DB, ("SITE_URL", "ftp://x")]).unwrap_err().var,
            "SITE_URL"
        );
        assert_eq!(
            config(&[DB, ("ADMIN_EMAILS", "a@b.co, nope")])
                .unwrap_err()
                .value,
            "nope"
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
    fn the_readme_documents_every_variable_read() {
        let asked = std::sync::Mutex::new(Vec::new());
        let _ = Config::from_source(|k| {
            asked.lock().unwrap().push(k.to_string());
            (k == "DATABASE_URL").then(|| "postgres://x@h/db".to_string())
        });
        let readme = include_str!("../../README.md");
        for var in asked.into_inner().unwrap() {
            assert!(
                readme.contains(&format!("| `{var}` |")),
                "README lacks {var}"
            );
        }
    }

    #[test]
    fn https_site_means_secure_cookies_and_admins_are_normalized() {
        let c = config(&[
            DB,
            ("SITE_URL", "https://ring.example/"),
            ("ADMIN_EMAILS", " Boss@Ring.Example ,"),
        ])
        .unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.site_url, "https://ring.example");
        assert_eq!(c.admin_emails, vec!["boss@ring.example"]);
    }
}
