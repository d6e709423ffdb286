//! Pure types and rules, compiled for both the server and the browser. No I/O here.
pub mod admin;
pub mod attribution;
pub mod auth;
pub mod chain_watch;
pub mod cursor;
pub mod locale;
pub mod membership;
pub mod mint;
pub mod money;
pub mod refcode;
pub mod reward;
pub mod site;
pub mod store;
pub mod user;
pub mod wallet;
