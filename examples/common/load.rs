//! A small closed-loop load generator for the benchmarks: `concurrency` workers share `n` requests.
// Each benchmark includes this file and uses a part of it.
#![allow(dead_code)]
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Report {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// How many answers had each status (a request that got no answer counts as 0).
    pub statuses: BTreeMap<u16, usize>,
    latencies: Vec<Duration>,
}

impl Report {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency below which a fraction `p` of the requests finished.
    pub fn percentile(&self, p: f64) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        self.latencies
            .get(((self.latencies.len() as f64 * p) as usize).min(last))
            .copied()
            .unwrap_or_default()
    }

    pub fn print(&self, name: &str) {
        println!(
            "{name:<28} {:>8} req  {:>6} errors  {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
            self.requests,
            self.errors,
            self.rate(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
        );
    }
}

/// Sends `n` requests built by `request`, `concurrency` at a time; `ok` says which statuses are successes.
pub async fn fire<F>(n: usize, concurrency: usize, request: F, ok: fn(u16) -> bool) -> Report
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder + Clone + Send + 'static,
{
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (http, next, request) = (http.clone(), next.clone(), request.clone());
            tokio::spawn(async move {
                let (mut latencies, mut statuses) = (Vec::new(), BTreeMap::new());
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let t = Instant::now();
                    let answered = request(&http).send().await;
                    latencies.push(t.elapsed());
                    let status = answered.map_or(0, |r| r.status().as_u16());
                    *statuses.entry(status).or_insert(0usize) += 1;
                }
                (latencies, statuses)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(n);
    let mut statuses = BTreeMap::new();
    for w in workers {
        let (l, s) = w.await.expect("load worker");
        latencies.extend(l);
        for (status, count) in s {
            *statuses.entry(status).or_insert(0) += count;
        }
    }
    let errors = statuses
        .iter()
        .filter(|(status, _)| !ok(**status))
        .map(|(_, count)| count)
        .sum();
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Report {
        requests: latencies.len(),
        errors,
        elapsed,
        statuses,
        latencies,
    }
}

/// The server trusts one proxy hop, so each request can name its client in `X-Forwarded-For`.
pub const ONE_PROXY_HOP: (&str, &str) = ("TRUSTED_PROXY_HOPS", "1");

/// Client addresses for requests that must each come from a visitor of their own (a visitor counts once per code
/// per hour; per-address rate limits apply to one person, not to a load generator).
#[derive(Clone, Default)]
pub struct Visitors(Arc<AtomicU32>);

impl Visitors {
    /// The next unused address, for `X-Forwarded-For`.
    pub fn next(&self) -> String {
        Ipv4Addr::from(0x0a00_0000 + self.0.fetch_add(1, Ordering::Relaxed)).to_string()
    }
}
