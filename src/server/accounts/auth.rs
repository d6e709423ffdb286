//! Accounts and sessions: sign-up, sign-in with a brake on guessing, sign-out, who is signed in.
use crate::domain::auth::{check_password, normalize_email};
use crate::domain::user::{Me, ReferredBy, Role};
use crate::error::AppError;
use crate::server::db::{self, users::InsertUserError};
use crate::server::platform::config::Config;
use crate::server::platform::errors::internal;
use crate::server::referral::attribution;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::net::IpAddr;
use std::sync::{LazyLock, OnceLock};
use tokio::sync::{Semaphore, SemaphorePermit};

/// A new session: the raw token goes into the cookie, only its hash into the database.
pub struct Session {
    pub user_id: String,
    pub token: String,
}

/// What a sign-up request carries besides the form: the first-touch `ring_ref` cookie and the session
/// token of whoever is already signed in on that device.
#[derive(Default, Clone, Copy)]
pub struct SignUpContext<'a> {
    pub ring_ref: Option<&'a str>,
    pub session_token: Option<&'a str>,
}

pub async fn sign_up(
    pool: &PgPool,
    config: &Config,
    email: &str,
    password: &str,
    context: SignUpContext<'_>,
) -> Result<Session, AppError> {
    let email = normalize_email(email)?;
    check_password(password)?;
    let signed_in = match context.session_token {
        Some(token) => db::sessions::user_id(pool, &token_hash(token)).await?,
        None => None,
    };
    let referred_by = attribution::for_signup(pool, context.ring_ref, signed_in.as_deref()).await?;
    let user_id = create_account(pool, &email, password, referred_by.as_ref()).await?;
    start_session(pool, config, user_id).await
}

/// A new account, always a member: roles come only from an operator (`roles.rs`).
pub async fn create_account(
    pool: &PgPool,
    email: &str,
    password: &str,
    referred_by: Option<&ReferredBy>,
) -> Result<String, AppError> {
    let email = normalize_email(email)?;
    check_password(password)?;
    let password_hash = hash_password(password.to_owned()).await?;
    let user_id = new_id();
    let user = db::users::NewUser {
        id: &user_id,
        email: &email,
        password_hash: &password_hash,
        role: Role::Member,
        referred_by,
    };
    db::users::insert(pool, &user).await.map_err(|e| match e {
        InsertUserError::EmailTaken => AppError::EmailTaken,
        InsertUserError::Db(e) => e.into(),
    })?;
    tracing::info!(
        user_id,
        referred_by = referred_by.map(|r| r.code.as_str()),
        "account created"
    );
    Ok(user_id)
}

/// Signs `client` in. The attempt is counted before the password is checked, under a lock per email: concurrent
/// guesses cannot all pass the check before any of them is recorded. Counting per client address means a guesser
/// pauses their own attempts, not the owner's; the account-wide cap stops guessing spread over many addresses.
pub async fn sign_in(
    pool: &PgPool,
    config: &Config,
    client: IpAddr,
    email: &str,
    password: &str,
) -> Result<Session, AppError> {
    let email = normalize_email(email).map_err(|_| AppError::WrongCredentials)?;
    let client = client.to_string();
    let limits = config.login_limits;
    let window = limits.window_minutes;
    if let Err(recent) = db::login_failures::reserve(pool, &email, &client, limits).await? {
        let reopens = recent.oldest.unwrap_or_else(Utc::now) + Duration::minutes(window.into());
        let retry_minutes = (reopens - Utc::now()).num_minutes().max(0) as u32 + 1;
        return Err(AppError::TooManyAttempts { retry_minutes });
    }
    let credentials = db::users::credentials_by_email(pool, &email).await?;
    // Unknown emails are verified against a dummy hash so timing does not reveal which emails exist.
    let stored = credentials
        .as_ref()
        .map_or_else(|| dummy_hash().to_owned(), |c| c.password_hash.clone());
    let matches = verify_password(password.to_owned(), stored).await?;
    match credentials {
        Some(c) if matches => {
            db::login_failures::clear(pool, &email, &client).await?;
            start_session(pool, config, c.user_id).await
        }
        _ => Err(AppError::WrongCredentials),
    }
}

pub async fn sign_out(pool: &PgPool, token: &str) -> Result<(), AppError> {
    Ok(db::sessions::delete(pool, &token_hash(token)).await?)
}

/// The signed-in user for a session token, if the session is live.
pub async fn current_user(pool: &PgPool, token: Option<&str>) -> Result<Option<Me>, AppError> {
    let Some(token) = token else { return Ok(None) };
    let Some(user_id) = db::sessions::user_id(pool, &token_hash(token)).await? else {
        return Ok(None);
    };
    Ok(db::users::me(pool, &user_id).await?)
}

pub async fn require_user(pool: &PgPool, token: Option<&str>) -> Result<Me, AppError> {
    current_user(pool, token)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// The signed-in member if an admin, else 403.
pub fn admin(me: Me) -> Result<Me, AppError> {
    if me.is_admin() {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

async fn start_session(
    pool: &PgPool,
    config: &Config,
    user_id: String,
) -> Result<Session, AppError> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = Utc::now() + Duration::days(config.session_days.into());
    db::sessions::insert(pool, &token_hash(&token), &user_id, expires_at).await?;
    Ok(Session { user_id, token })
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A turn to run Argon2id (19 MiB and tens of milliseconds each): at most one per core at a time, so a flood of
/// sign-ins waits here instead of exhausting memory and the blocking pool.
async fn hashing_turn() -> Result<SemaphorePermit<'static>, AppError> {
    static TURNS: LazyLock<Semaphore> = LazyLock::new(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    TURNS
        .acquire()
        .await
        .map_err(|e| internal("hashing turn", e))
}

/// argon2id is deliberately slow: it runs on the blocking pool, never on the async workers.
async fn hash_password(password: String) -> Result<String, AppError> {
    let _turn = hashing_turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("hashing task", e))?
    .map_err(|e| internal("hashing", e))
}

async fn verify_password(password: String, stored: String) -> Result<bool, AppError> {
    let _turn = hashing_turn().await?;
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored).map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .map_err(|e| internal("verify task", e))?
    .map_err(|e| internal("stored hash", e))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"not-a-real-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = hash_password("correct horse".into()).await.unwrap();
        let b = hash_password("correct horse".into()).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), a.clone())
            .await
            .unwrap());
        assert!(!verify_password("wrong horse".into(), a).await.unwrap());
    }
}
