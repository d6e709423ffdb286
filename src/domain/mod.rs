//! Pure types and rules, compiled for both the server and the browser. No I/O here.
pub mod auth;
pub mod locale;
pub mod refcode;
pub mod user;
