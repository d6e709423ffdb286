//! Server-only code: configuration, repositories, services and the HTTP surface.
pub mod auth;
pub mod config;
pub mod cookies;
pub mod db;
pub mod demo;
pub mod errors;
pub mod http;
pub mod router;
pub mod startup;
pub mod state;
pub mod telemetry;
