//! Admin roles come only from an operator (`refcodes admin grant|revoke EMAIL`, see `src/main.rs`), never from
//! signing up. A change acts on an existing account and, in one transaction, sets the role, ends every session of
//! the account (an admin session outliving a revoke would keep the power) and writes the audit entry.
use crate::domain::auth::normalize_email;
use crate::domain::user::Role;
use crate::server::db;
use serde_json::json;
use sqlx::PgPool;

/// Who the audit log names for a change made with the server binary's `admin` command.
pub const OPERATOR: &str = "operator";

#[derive(Debug, thiserror::Error)]
pub enum RoleError {
    #[error("{0:?} is not an email address")]
    BadEmail(String),
    #[error(
        "no account has the email {0}: the person signs up first, then an operator grants the role"
    )]
    UnknownAccount(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What a grant or revoke did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub user_id: String,
    pub email: String,
    pub before: Role,
    pub after: Role,
    pub sessions_ended: u64,
}

/// Gives the account of `email` the role `role`, as `actor` (the audit log's actor).
pub async fn set_role(
    pool: &PgPool,
    email: &str,
    role: Role,
    actor: &str,
) -> Result<RoleChange, RoleError> {
    let email = normalize_email(email).map_err(|_| RoleError::BadEmail(email.to_string()))?;
    let mut tx = pool.begin().await?;
    let (user_id, before) = db::users::set_role(&mut *tx, &email, role)
        .await?
        .ok_or_else(|| RoleError::UnknownAccount(email.clone()))?;
    let before = Role::parse(&before).unwrap_or(Role::Member);
    let sessions_ended = db::sessions::delete_for_user(&mut *tx, &user_id).await?;
    let action = match role {
        Role::Admin => "grant_admin",
        Role::Member => "revoke_admin",
    };
    let targets = [user_id.clone()];
    db::audit_log::record(
        &mut *tx,
        &db::audit_log::Entry {
            actor_user_id: actor,
            actor_email: actor,
            action,
            target_ids: &targets,
            before: json!({ &user_id: before.as_str() }),
            after: json!({ &user_id: role.as_str() }),
            detail: json!({ "email": email, "sessionsEnded": sessions_ended }),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id, action, sessions_ended, "role changed by {actor}");
    Ok(RoleChange {
        user_id,
        email,
        before,
        after: role,
        sessions_ended,
    })
}
