//! The demo dataset of the *run* command: one admin and one member with known dev passwords.
use super::{auth, config::Config};
use crate::error::AppError;
use sqlx::PgPool;

pub const ADMIN_EMAIL: &str = "admin@refcodes.local";
pub const ADMIN_PASSWORD: &str = "admin-demo-password";
pub const MEMBER_EMAIL: &str = "member@refcodes.local";
pub const MEMBER_PASSWORD: &str = "member-demo-password";

/// Creates the demo accounts that do not exist yet; running it again changes nothing.
pub async fn seed(pool: &PgPool, config: &Config) -> Result<(), AppError> {
    for (email, password) in [
        (ADMIN_EMAIL, ADMIN_PASSWORD),
        (MEMBER_EMAIL, MEMBER_PASSWORD),
    ] {
        match auth::create_account(pool, config, email, password, None).await {
            Ok(_) | Err(AppError::EmailTaken) => {}
            Err(e) => return Err(e),
        }
    }
    tracing::info!(
        admin = ADMIN_EMAIL,
        admin_password = ADMIN_PASSWORD,
        member = MEMBER_EMAIL,
        member_password = MEMBER_PASSWORD,
        "demo accounts ready (development passwords)"
    );
    Ok(())
}
