//! Every integration test, in one binary (one link of the whole app instead of one per file): each module
//! tests one area against a real PostgreSQL (`#[sqlx::test]`, a database per test) and, where money moves, a
//! real anvil; `common` starts the real server and holds the shared helpers.
mod abuse;
mod admin_rewards;
mod admin_tools;
mod auth_api;
mod backup_restore;
mod bench_database;
mod chain_tls;
mod common;
mod credit_and_membership;
mod database_tls;
mod minting;
mod pages_and_ops;
mod payments_webhook;
mod refcodes_capture;
mod refcodes_page;
mod refcodes_registry;
mod refcodes_signup;
mod refcodes_tracking;
mod reward_oracle;
mod startup_config;
mod store_orders;
