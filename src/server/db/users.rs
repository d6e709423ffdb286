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
        "wallets": [],
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
                  COALESCE(data->'wallets', '[]'::jsonb) AS "wallets!",
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
        wallets: serde_json::from_value(r.wallets).unwrap_or_default(),
        referred_by: r.referred_by.and_then(|v| serde_json::from_value(v).ok()),
        membership: r.membership,
    }))
}

/// Promotes the configured admins that already have accounts; returns how many changed.
pub async fn promote_admins(db: impl PgExecutor<'_>, emails: &[String]) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"UPDATE users SET data = jsonb_set(data, '{role}', '"admin"'), updated_at = now()
           WHERE lower(data->>'email') = ANY($1) AND data->>'role' <> 'admin'"#,
        emails
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
