use super::violated_constraint;
use crate::domain::user::{Me, ReferredBy, Role};
use serde_json::json;
use sqlx::PgExecutor;

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("email already registered")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub referred_by: Option<&'a ReferredBy>,
}

pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
}

pub async fn insert(db: impl PgExecutor<'_>, user: &NewUser<'_>) -> Result<(), InsertUserError> {
    let data = json!({
        "email": user.email,
        "passwordHash": user.password_hash,
        "role": user.role.as_str(),
        "referredBy": user.referred_by,
        "membership": null,
    });
    sqlx::query!(
        "INSERT INTO users (id, data) VALUES ($1, $2)",
        user.id,
        data
    )
    .execute(db)
    .await
    .map(|_| ())
    .map_err(|e| match violated_constraint(&e) {
        Some("users_email_key") => InsertUserError::EmailTaken,
        _ => InsertUserError::Db(e),
    })
}

pub async fn credentials_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> sqlx::Result<Option<Credentials>> {
    let row = sqlx::query!(
        r#"SELECT id, data->>'passwordHash' AS "password_hash!" FROM users WHERE lower(data->>'email') = lower($1)"#,
        email
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Credentials {
        user_id: r.id,
        password_hash: r.password_hash,
    }))
}

pub async fn me(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<Option<Me>> {
    let row = sqlx::query!(
        r#"SELECT id,
                  data->>'email' AS "email!",
                  data->>'role' AS "role!",
                  ARRAY(SELECT address FROM wallets w WHERE w.user_id = users.id
                        ORDER BY w.created_at, w.address) AS "wallets!",
                  data->'referredBy' AS referred_by,
                  data->>'membership' AS membership
           FROM users WHERE id = $1"#,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Me {
        user_id: r.id,
        email: r.email,
        role: Role::parse(&r.role).unwrap_or(Role::Member),
        wallets: r.wallets,
        referred_by: r.referred_by.and_then(|v| serde_json::from_value(v).ok()),
        membership: r.membership,
    }))
}

/// Gives the account of `email` (normalized) the role `role`: its id and the role it had, `None` when no account
/// has that email.
pub async fn set_role(
    db: impl PgExecutor<'_>,
    email: &str,
    role: Role,
) -> sqlx::Result<Option<(String, String)>> {
    let row = sqlx::query!(
        r#"UPDATE users u SET data = jsonb_set(u.data, '{role}', to_jsonb($2::text)), updated_at = now()
           FROM (SELECT id, COALESCE(data->>'role', 'member') AS previous FROM users
                 WHERE lower(data->>'email') = $1 FOR UPDATE) old
           WHERE u.id = old.id
           RETURNING u.id, old.previous AS "previous!""#,
        email,
        role.as_str()
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.id, r.previous)))
}

/// Holds the user's row until the transaction ends: one member's code creations run one at a time,
/// so the per-member limit cannot be overrun by concurrent requests.
pub async fn lock(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<bool> {
    let row = sqlx::query_scalar!("SELECT id FROM users WHERE id = $1 FOR UPDATE", user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}

pub async fn user_tier(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query_scalar!(
        "SELECT data->>'membership' FROM users WHERE id = $1",
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.flatten())
}

/// The user's referrer and its code, when they signed up through one.
pub async fn referred_by(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> sqlx::Result<Option<ReferredBy>> {
    let row = sqlx::query_scalar!(
        "SELECT data->'referredBy' FROM users WHERE id = $1",
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.flatten().and_then(|v| serde_json::from_value(v).ok()))
}
