//! Accounts: sign-up and sign-in with sessions, roles an operator grants, the wallets a member proves, and the
//! audit log admins read.
pub mod audit;
pub mod auth;
pub mod page_user;
pub mod roles;
pub mod wallets;
