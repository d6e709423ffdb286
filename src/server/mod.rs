//! Server-only code, grouped by feature (ARCHITECTURE.md): `referral/` (capture, codes, visits, attribution),
//! `accounts/` (sign-in, roles, wallets, the audit log), `payments/` (orders, the card and credit rails),
//! `rewards/` (the ledger, sizing, the oracle, clawbacks, the admin's ledger), `mint/` (the minter and the
//! ledger↔chain reconciliation), `platform/` (configuration, start-up, the router, limits, telemetry), the
//! JSON surface in `http/` and the only SQL in `db/`.
pub mod accounts;
pub mod db;
pub mod http;
pub mod mint;
pub mod payments;
pub mod platform;
pub mod referral;
pub mod rewards;
