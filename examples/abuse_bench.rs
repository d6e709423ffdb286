//! What floods cost the real server (in process, loopback) with the production limits: each phase prints what the
//! attacker got and what it cost, and the run exits 1 when a bound does not hold.
//!
//! 1. **Landing flood**: N anonymous landing pages, half with a random valid code (each a key of the page cache),
//!    half with a random 4 KiB query parameter (rendered every time): resident memory after, against before, must
//!    stay within [`LANDING_RSS_BOUND`] (the page cache is bounded in bytes, `src/server/platform/page_cache.rs`).
//! 2. **Sign-up flood** from one address (all but the bucket's few are 429, nothing hashed) and from a new address
//!    per request (every one hashed, one Argon2id at a time per core): the peak resident memory of the second must
//!    stay within [`HASHING_RSS_BOUND`] — without the turns, 64 concurrent hashes would hold 64 × 19 MiB.
//! 3. **2 MiB payment notifications**: all 413, `payment_events` unchanged (rows and bytes).
//! 4. **300 concurrent password guesses** at one account, from one address and from 300: at most the throttle's
//!    allowance is verified; after the first the owner, from an address of their own, still signs in; after the
//!    second the account waits out its window (`LOGIN_WINDOW_MINUTES`) for everyone.
//!
//! `cargo run --release --no-default-features --features ssr --example abuse_bench -- [N] [CONNECTIONS]`
//! (defaults 20000 and 64). It drops and recreates its database `refcodes_bench_abuse`; `DATABASE_URL` only
//! chooses the server. Memory is the whole process's, the load generator's included (Linux `/proc/self`).
#[path = "common/load.rs"]
mod load;
#[path = "common/server.rs"]
mod server;

use rand::distributions::{Alphanumeric, DistString};
use refcodes::server::accounts::auth;
use std::time::Instant;

/// How much the landing flood may leave resident: the page cache's 16 MiB and the allocator's slack.
const LANDING_RSS_BOUND: u64 = 64 << 20;
/// The peak a flood of sign-ups from everywhere may add: two hashes (this machine's cores) and slack.
const HASHING_RSS_BOUND: u64 = 96 << 20;
const LOGIN_MAX_FAILURES: usize = 5;
const LOGIN_ACCOUNT_MAX_FAILURES: usize = 50;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(20_000), |a| a.parse())?;
    let connections: usize = args.next().map_or(Ok(64), |a| a.parse())?;
    // The production limits (the defaults), stated rather than assumed; one trusted proxy hop lets a request name
    // its client address, as a flood from many addresses would.
    let settings = [
        (load::ONE_PROXY_HOP.0, load::ONE_PROXY_HOP.1.to_string()),
        ("RATE_SIGN_IN_PER_MINUTE", "10".to_string()),
        ("RATE_SIGN_UP_PER_MINUTE", "5".to_string()),
        ("RATE_WEBHOOK_PER_MINUTE", "300".to_string()),
        ("LOGIN_MAX_FAILURES", LOGIN_MAX_FAILURES.to_string()),
        (
            "LOGIN_ACCOUNT_MAX_FAILURES",
            LOGIN_ACCOUNT_MAX_FAILURES.to_string(),
        ),
    ];
    let bench = server::Bench::start_with("abuse", true, &settings, |_| async { Ok(()) }).await?;
    let (_, code) = bench.member_with_code().await?;
    println!(
        "abuse_bench: {n} landing requests at {connections} connections, server {}, settings {settings:?}",
        bench.base
    );
    let mut held = Vec::new();
    held.push(landing_flood(&bench, &code, n, connections).await);
    held.push(sign_up_flood(&bench, connections).await);
    held.push(webhook_flood(&bench).await?);
    held.push(guesses(&bench).await?);
    bench.stop().await?;
    if held.iter().all(|&ok| ok) {
        println!("every bound held");
        Ok(())
    } else {
        eprintln!("a bound did not hold (above)");
        std::process::exit(1)
    }
}

async fn landing_flood(bench: &server::Bench, code: &str, n: usize, connections: usize) -> bool {
    let base = format!("{}/uk/", bench.base);
    let code = code.to_string();
    let before = memory("VmRSS");
    let report = load::fire(
        n,
        connections,
        move |h| {
            let mut rng = rand::thread_rng();
            let url = if rand::random() {
                format!(
                    "{base}?ref={}",
                    Alphanumeric.sample_string(&mut rng, 10).to_uppercase()
                )
            } else {
                format!(
                    "{base}?ref={code}&q={}",
                    Alphanumeric.sample_string(&mut rng, 4096)
                )
            };
            h.get(url).header("accept", "text/html")
        },
        |s| s == 200,
    )
    .await;
    let after = memory("VmRSS");
    report.print("landing, random queries");
    let grown = after.saturating_sub(before);
    println!(
        "  resident {} MiB → {} MiB (+{} MiB, bound {} MiB)",
        before >> 20,
        after >> 20,
        grown >> 20,
        LANDING_RSS_BOUND >> 20
    );
    report.errors == 0 && grown <= LANDING_RSS_BOUND
}

async fn sign_up_flood(bench: &server::Bench, connections: usize) -> bool {
    let url = format!("{}/api/auth/signup", bench.base);
    let body = |h: &reqwest::Client, url: &str| {
        let email = format!("flood-{}@example.com", auth::new_id());
        h.post(url)
            .json(&serde_json::json!({ "email": email, "password": "flood-password-1" }))
    };
    // Both floods' peaks against the memory resident before the first: memory freed after a hash stays resident
    // for the next one.
    let base = memory("VmRSS");
    let (one_url, many_url) = (url.clone(), url);
    let one = measured(base, || {
        load::fire(
            2_000,
            connections,
            move |h| body(h, &one_url),
            |s| s == 201 || s == 429,
        )
    })
    .await;
    one.0.print("sign-up, one address");
    println!("  {:?}  {}", one.0.statuses, one.1);
    let visitors = load::Visitors::default();
    let many = measured(base, || {
        load::fire(
            500,
            connections,
            move |h| body(h, &many_url).header("x-forwarded-for", visitors.next()),
            |s| s == 201,
        )
    })
    .await;
    many.0.print("sign-up, an address each");
    println!("  {:?}  {}", many.0.statuses, many.1);
    println!("  peak resident bound +{} MiB", HASHING_RSS_BOUND >> 20);
    one.0.errors == 0
        && many.0.errors == 0
        && one.1.peak_growth.max(many.1.peak_growth) <= HASHING_RSS_BOUND
}

async fn webhook_flood(bench: &server::Bench) -> Result<bool, sqlx::Error> {
    let table = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT count(*), pg_total_relation_size('payment_events') FROM payment_events",
        )
        .fetch_one(&bench.state.pool)
        .await
    };
    let before = table().await?;
    let url = format!("{}/api/payments/wayforpay", bench.base);
    let body = axum::body::Bytes::from(vec![b'{'; 2 << 20]);
    // The server answers 413 as soon as the length is known and closes the connection without reading the
    // rest: a client still sending sees the connection cut (status 0 here) — refused either way.
    let report = load::fire(
        200,
        16,
        move |h| {
            h.post(&url)
                .header("content-type", "application/json")
                .body(body.clone())
        },
        |s| s == 413 || s == 0,
    )
    .await;
    let after = table().await?;
    let healthy = reqwest::get(format!("{}/healthz", bench.base))
        .await
        .is_ok_and(|r| r.status().is_success());
    report.print("payment notification, 2 MiB");
    println!(
        "  {:?} (0: cut off mid-upload)  payment_events rows {} → {}, {} → {} bytes; server healthy after: {healthy}",
        report.statuses, before.0, after.0, before.1, after.1
    );
    Ok(report.errors == 0 && before == after && healthy)
}

async fn guesses(bench: &server::Bench) -> Result<bool, Box<dyn std::error::Error>> {
    let (email, password) = ("victim@example.com", "the-right-password");
    auth::create_account(&bench.state.pool, email, password, None).await?;
    let url = format!("{}/api/auth/login", bench.base);
    let http = reqwest::Client::new();
    let guess = |from: String| {
        http.post(&url)
            .header("x-forwarded-for", from)
            .json(&serde_json::json!({ "email": email, "password": "a-wrong-guess" }))
            .send()
    };
    let owner_signs_in = || async {
        http.post(&url)
            .header("x-forwarded-for", "10.3.0.1")
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .map_or(0, |r| r.status().as_u16())
    };
    let mut held = true;
    // One address is paused on its own: the owner still signs in. Guesses from everywhere pause the account for
    // `LOGIN_WINDOW_MINUTES` once `LOGIN_ACCOUNT_MAX_FAILURES` failed: the owner too, until the window passes.
    for (name, spread, allowed, owner_expected) in [
        ("one address", false, LOGIN_MAX_FAILURES, 200),
        ("300 addresses", true, LOGIN_ACCOUNT_MAX_FAILURES, 429),
    ] {
        let started = Instant::now();
        let sent = (0..300).map(|i| {
            guess(if spread {
                format!("10.1.{}.{}", i / 256, i % 256)
            } else {
                "10.2.0.1".to_string()
            })
        });
        let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
        for answer in futures::future::join_all(sent).await {
            *statuses
                .entry(answer.map_or(0, |r| r.status().as_u16()))
                .or_default() += 1;
        }
        let verified = statuses.get(&401).copied().unwrap_or(0);
        let owner = owner_signs_in().await;
        println!(
            "300 concurrent guesses, {name}: {statuses:?} in {:.2} s — {verified} verified (allowed {allowed}); \
             then the owner, from an address of their own: {owner}",
            started.elapsed().as_secs_f64()
        );
        held &= verified <= allowed
            && statuses.keys().all(|s| [401, 429].contains(s))
            && owner == owner_expected;
    }
    Ok(held)
}

/// What a phase cost the process: CPU seconds per wall second and the peak resident memory it added.
struct Cost {
    cpu_per_wall: f64,
    peak_growth: u64,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CPU {:.2} cores busy, peak resident +{} MiB",
            self.cpu_per_wall,
            self.peak_growth >> 20
        )
    }
}

/// `base`: the resident memory the peak is compared with.
async fn measured<F, Fut>(base: u64, phase: F) -> (load::Report, Cost)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = load::Report>,
{
    // Writing 5 resets the peak (VmHWM) to the current resident size.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let cpu = cpu_seconds();
    let started = Instant::now();
    let report = phase().await;
    let cost = Cost {
        cpu_per_wall: (cpu_seconds() - cpu) / started.elapsed().as_secs_f64(),
        peak_growth: memory("VmHWM").saturating_sub(base),
    };
    (report, cost)
}

/// A line of `/proc/self/status` in bytes (0 where it cannot be read).
fn memory(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .map_or(0, |kib| kib << 10)
}

/// User and system CPU time of the process so far (`/proc/self/stat`, in the kernel's 100 ticks a second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
