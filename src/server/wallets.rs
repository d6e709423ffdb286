//! The member's own wallets (`users.data.wallets`): order attribution compares them with the referrer's.
use super::db::{self, users::WalletAdded};
use crate::domain::refcode::normalize_wallet;
use crate::error::AppError;
use sqlx::PgPool;

/// More than anyone holds for real; bounds the document.
pub const MAX_WALLETS: u32 = 20;

/// Adds a wallet (checksum form); returns the member's wallets afterwards.
pub async fn add(pool: &PgPool, user_id: &str, address: &str) -> Result<Vec<String>, AppError> {
    let wallet = normalize_wallet(address)?;
    let mut conn = pool.acquire().await?;
    match db::users::add_wallet(&mut conn, user_id, &wallet, MAX_WALLETS).await? {
        WalletAdded::Added(wallets) => {
            tracing::info!(user_id, "wallet added");
            Ok(wallets)
        }
        WalletAdded::AlreadyThere => Err(AppError::WalletExists),
        WalletAdded::Full => Err(AppError::TooManyWallets { max: MAX_WALLETS }),
    }
}

/// Removes a wallet however it is spelled (any case); 404 when it is not in the profile.
pub async fn remove(pool: &PgPool, user_id: &str, address: &str) -> Result<(), AppError> {
    let address = address.trim();
    let well_formed = address.len() == 42
        && address.starts_with("0x")
        && address[2..].bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(AppError::InvalidWallet);
    }
    if db::users::remove_wallet(pool, user_id, address).await? {
        tracing::info!(user_id, "wallet removed");
        Ok(())
    } else {
        Err(AppError::UnknownWallet)
    }
}
