//! Token buckets per client address on what anyone can call and what costs us something: sign-in and sign-up (an
//! Argon2id hash each), the visit ping (inflated counts), order creation (stock held) and the payment notification
//! (a database write even when rejected). A caller over its bucket gets 429 `rate_limited` with `Retry-After`,
//! before any work is done. Buckets live in memory per instance (`governor`); idle ones are dropped every minute.
//!
//! The client address is the TCP peer, or — behind `TRUSTED_PROXY_HOPS` reverse proxies that append to
//! `X-Forwarded-For` — the address the outermost of them saw ([`client_ip`]); entries a client wrote itself are
//! never believed.
use crate::error::AppError;
use axum::extract::ConnectInfo;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

/// What is limited, each with its own bucket per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignUp,
    Track,
    Order,
    Webhook,
}

/// Requests per minute per client address, by action (`RATE_*_PER_MINUTE`, README, Configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    pub sign_in: u32,
    pub sign_up: u32,
    pub track: u32,
    pub order: u32,
    pub webhook: u32,
}

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>;

pub struct RateLimits {
    sign_in: Keyed,
    sign_up: Keyed,
    track: Keyed,
    order: Keyed,
    webhook: Keyed,
}

impl RateLimits {
    pub fn new(config: &RateConfig) -> RateLimits {
        let keyed = |per_minute: u32| {
            let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(n))
        };
        RateLimits {
            sign_in: keyed(config.sign_in),
            sign_up: keyed(config.sign_up),
            track: keyed(config.track),
            order: keyed(config.order),
            webhook: keyed(config.webhook),
        }
    }

    /// Takes one token of `client`'s bucket for `action`, or says when to come back.
    pub fn check(&self, action: Action, client: IpAddr) -> Result<(), AppError> {
        let limiter = match action {
            Action::SignIn => &self.sign_in,
            Action::SignUp => &self.sign_up,
            Action::Track => &self.track,
            Action::Order => &self.order,
            Action::Webhook => &self.webhook,
        };
        limiter.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            metrics::counter!("refcodes_rate_limited_total", "action" => format!("{action:?}"))
                .increment(1);
            AppError::RateLimited {
                retry_secs: u32::try_from(wait.as_secs())
                    .unwrap_or(u32::MAX)
                    .saturating_add(1),
            }
        })
    }

    /// Forgets buckets that are full again, so memory follows the clients of the last minute.
    pub fn forget_idle(&self) {
        for limiter in [
            &self.sign_in,
            &self.sign_up,
            &self.track,
            &self.order,
            &self.webhook,
        ] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// The client address of a request: its TCP peer (`ConnectInfo`, set by the server) and `X-Forwarded-For` as
/// `hops` trusted proxies wrote it; a request without a peer (an in-process call) counts as the unspecified address.
pub fn request_client(parts: &http::request::Parts, hops: u8) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_ip(peer, forwarded, hops)
}

/// Drops idle buckets every minute until `stop` turns true.
pub async fn forget_idle_every_minute(
    limits: std::sync::Arc<RateLimits>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => limits.forget_idle(),
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// The client's address: `peer` itself, or with `hops` trusted proxies in front, the entry of `forwarded_for`
/// (`X-Forwarded-For`) that the outermost proxy appended. Anything unparsable, or fewer entries than proxies,
/// falls back to `peer` (one bucket for whoever sends such requests).
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, hops: u8) -> IpAddr {
    if hops == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    entries
        .len()
        .checked_sub(usize::from(hops))
        .and_then(|i| entries[i].parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_address_comes_from_the_trusted_proxy_not_from_the_client() {
        let proxy = ip("10.0.0.2");
        let xff = Some("6.6.6.6, 203.0.113.7");
        assert_eq!(client_ip(proxy, xff, 0), proxy, "no proxy trusted");
        assert_eq!(
            client_ip(proxy, xff, 1),
            ip("203.0.113.7"),
            "what our proxy saw"
        );
        assert_eq!(client_ip(proxy, xff, 2), ip("6.6.6.6"));
        assert_eq!(
            client_ip(proxy, xff, 3),
            proxy,
            "fewer entries than proxies"
        );
        assert_eq!(client_ip(proxy, Some("junk"), 1), proxy);
        assert_eq!(client_ip(proxy, None, 1), proxy);
        assert_eq!(client_ip(proxy, Some("2001:db8::1"), 1), ip("2001:db8::1"));
    }

    #[test]
    fn a_client_over_its_bucket_waits_and_others_do_not() {
        let limits = RateLimits::new(&RateConfig {
            sign_in: 3,
            sign_up: 1,
            track: 1,
            order: 1,
            webhook: 1,
        });
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        for _ in 0..3 {
            assert_eq!(limits.check(Action::SignIn, a), Ok(()));
        }
        match limits.check(Action::SignIn, a) {
            Err(AppError::RateLimited { retry_secs }) => assert!((1..=21).contains(&retry_secs)),
            other => panic!("expected rate_limited, got {other:?}"),
        }
        assert_eq!(limits.check(Action::SignIn, b), Ok(()), "another client");
        assert_eq!(limits.check(Action::SignUp, a), Ok(()), "another action");
    }
}
