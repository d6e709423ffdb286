//! The member page's server functions, thin over `server/referral/codes.rs` and `server/accounts/wallets/`.
#[cfg(feature = "ssr")]
use super::ssr;
use crate::domain::refcode::{EditedCode, Refcode};
pub use crate::domain::refcode::{RefcodesBoard, Removal};
use crate::domain::wallet::{Wallet, WalletChallenge};
use crate::error::AppError;
use leptos::prelude::*;

#[server]
pub async fn load_refcodes(locale: String) -> Result<RefcodesBoard, AppError> {
    use crate::server::referral::codes;
    ssr::member(|s, me| async move {
        codes::board(&s.pool, &s.config, &me.user_id, ssr::locale(&locale)).await
    })
    .await
}

#[server]
pub async fn create_refcode(
    code: Option<String>,
    wallet: String,
    label: Option<String>,
) -> Result<Refcode, AppError> {
    use crate::server::referral::codes::{self, NewCode};
    ssr::member(|s, me| async move {
        let input = NewCode {
            code: code.as_deref(),
            wallet: &wallet,
            label: label.as_deref(),
        };
        codes::create(&s.pool, &s.config, &s.visits.known, &me.user_id, input).await
    })
    .await
}

#[server]
pub async fn edit_refcode(
    code: String,
    wallet: String,
    label: Option<String>,
) -> Result<EditedCode, AppError> {
    use crate::server::referral::codes::{self, CodeChange};
    ssr::member(|s, me| async move {
        let change = CodeChange {
            wallet: Some(&wallet),
            label: Some(label.as_deref().unwrap_or_default()),
            active: None,
        };
        codes::update(&s.pool, &s.visits.known, &me.user_id, &code, change).await
    })
    .await
}

#[server]
pub async fn set_refcode_active(code: String, active: bool) -> Result<Refcode, AppError> {
    use crate::server::referral::codes::{self, CodeChange};
    ssr::member(|s, me| async move {
        let change = CodeChange {
            active: Some(active),
            ..Default::default()
        };
        let updated = codes::update(&s.pool, &s.visits.known, &me.user_id, &code, change).await?;
        Ok(updated.refcode)
    })
    .await
}

#[server]
pub async fn delete_refcode(code: String) -> Result<Removal, AppError> {
    use crate::server::referral::codes;
    ssr::member(
        |s, me| async move { codes::remove(&s.pool, &s.visits.known, &me.user_id, &code).await },
    )
    .await
}

/// Issues the message that proves `address` (the page shows it until it is signed or expires).
#[server]
pub async fn issue_wallet_challenge(address: String) -> Result<WalletChallenge, AppError> {
    use crate::server::accounts::wallets;
    ssr::member(|s, me| async move { wallets::challenge(&s.pool, &s.config, &me, &address).await })
        .await
}

#[server]
pub async fn prove_wallet(message: String, signature: String) -> Result<Vec<Wallet>, AppError> {
    use crate::server::accounts::wallets;
    ssr::member(|s, me| async move {
        wallets::prove(&s.pool, &s.config, &me, &message, &signature).await
    })
    .await
}

#[server]
pub async fn remove_wallet(address: String) -> Result<(), AppError> {
    use crate::server::accounts::wallets;
    ssr::member(|s, me| async move { wallets::remove(&s.pool, &me.user_id, &address).await }).await
}
