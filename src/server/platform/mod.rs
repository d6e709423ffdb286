//! What every feature stands on: configuration and the production checks, start-up, the router and its
//! middleware (page cache, connection bounds, rate limits, cookies), retention, telemetry and the demo seed.
pub mod bench_database;
pub mod config;
pub mod connections;
pub mod cookies;
pub mod demo;
pub mod errors;
pub mod page_cache;
pub mod production;
pub mod rate_limit;
pub mod retention;
pub mod router;
pub mod startup;
pub mod state;
pub mod telemetry;
