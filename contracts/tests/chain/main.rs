//! Integration tests of the contracts and the Rust layer against a real anvil (one per test, on 127.0.0.1,
//! port picked by the kernel, killed on drop). Needs `npm ci` in contracts/ (or ANVIL_BIN).

mod common;

mod access;
mod artifacts;
mod deploy;
mod minter;
mod pay;
mod price_feed;
mod provider;
mod reasons;
mod restart;
mod treasury;
mod upgrade;
