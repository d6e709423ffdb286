//! The `refcodes` collection: `data = {code, userId, wallet, label, active, blocked, visits}`; codes unique upper-case.
//! `active` is the owner's switch, `blocked` an admin's, which no owner's change touches.
use super::violated_constraint;
use crate::domain::admin::AdminCode;
use crate::domain::refcode::{CodeState, Funnel, Refcode, RewardTally};
use serde_json::{json, Map, Value};
use sqlx::PgExecutor;

#[derive(Debug, thiserror::Error)]
pub enum InsertRefcodeError {
    #[error("code already exists")]
    CodeTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct NewRefcode<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub user_id: &'a str,
    pub wallet: &'a str,
    pub label: Option<&'a str>,
}

/// What a change may touch; `None` leaves a field as it is (`label: Some(None)` clears the label).
#[derive(Default)]
pub struct RefcodeChange {
    pub wallet: Option<String>,
    pub label: Option<Option<String>>,
    pub active: Option<bool>,
}

pub enum Removal {
    Deleted,
    /// It attributed something (a signup, an order, a reward): kept, inactive, so history stays.
    Deactivated,
    NotFound,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    c: &NewRefcode<'_>,
) -> Result<Refcode, InsertRefcodeError> {
    let data = json!({
        "code": c.code,
        "userId": c.user_id,
        "wallet": c.wallet,
        "label": c.label,
        "active": true,
        "visits": 0,
    });
    let created_at = sqlx::query_scalar!(
        "INSERT INTO refcodes (id, data) VALUES ($1, $2) RETURNING created_at",
        c.id,
        data
    )
    .fetch_one(db)
    .await
    .map_err(|e| match violated_constraint(&e) {
        Some("refcodes_code_key") => InsertRefcodeError::CodeTaken,
        _ => InsertRefcodeError::Db(e),
    })?;
    Ok(Refcode {
        code: c.code.to_string(),
        wallet: c.wallet.to_string(),
        label: c.label.map(str::to_string),
        active: true,
        blocked: false,
        visits: 0,
        created_at,
    })
}

pub async fn count_for_user(db: impl PgExecutor<'_>, user_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM refcodes WHERE data->>'userId' = $1"#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// A member's code, if `code` is theirs (someone else's code is as good as missing).
pub async fn find_owned(
    db: impl PgExecutor<'_>,
    user_id: &str,
    code: &str,
) -> sqlx::Result<Option<Refcode>> {
    sqlx::query_as!(
        Refcode,
        r#"SELECT data->>'code' AS "code!", data->>'wallet' AS "wallet!", data->>'label' AS label,
                  COALESCE((data->>'active')::boolean, false) AS "active!",
                  COALESCE((data->>'blocked')::boolean, false) AS "blocked!",
                  COALESCE((data->>'visits')::bigint, 0) AS "visits!", created_at
           FROM refcodes WHERE upper(data->>'code') = upper($2) AND data->>'userId' = $1"#,
        user_id,
        code
    )
    .fetch_optional(db)
    .await
}

/// Changes a member's own code; `None` when the code is not theirs.
pub async fn update_owned(
    db: impl PgExecutor<'_>,
    user_id: &str,
    code: &str,
    change: &RefcodeChange,
) -> sqlx::Result<Option<Refcode>> {
    let mut patch = Map::new();
    if let Some(wallet) = &change.wallet {
        patch.insert("wallet".into(), json!(wallet));
    }
    if let Some(label) = &change.label {
        patch.insert("label".into(), json!(label));
    }
    if let Some(active) = change.active {
        patch.insert("active".into(), json!(active));
    }
    // `||` replaces only the named keys: a visit flush racing this update keeps its increment
    // (PostgreSQL re-evaluates the expression on the row's newest version).
    sqlx::query_as!(
        Refcode,
        r#"UPDATE refcodes SET data = data || $3, updated_at = now()
           WHERE upper(data->>'code') = upper($2) AND data->>'userId' = $1
           RETURNING data->>'code' AS "code!", data->>'wallet' AS "wallet!", data->>'label' AS label,
                     COALESCE((data->>'active')::boolean, false) AS "active!",
                     COALESCE((data->>'blocked')::boolean, false) AS "blocked!",
                     COALESCE((data->>'visits')::bigint, 0) AS "visits!", created_at"#,
        user_id,
        code,
        Value::Object(patch)
    )
    .fetch_optional(db)
    .await
}

/// Deletes a member's own code unless it ever attributed anything; then it is deactivated instead.
/// One transaction is expected around the two statements (the service opens it).
pub async fn remove_owned(
    tx: &mut sqlx::PgConnection,
    user_id: &str,
    code: &str,
) -> sqlx::Result<Removal> {
    let deleted = sqlx::query_scalar!(
        r#"DELETE FROM refcodes r
           WHERE upper(r.data->>'code') = upper($2) AND r.data->>'userId' = $1
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.data->'referredBy'->>'code' = r.data->>'code')
             AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.data->>'referralCode' = r.data->>'code')
             AND NOT EXISTS (SELECT 1 FROM referral_rewards w WHERE w.data->>'referralCode' = r.data->>'code')
           RETURNING r.id"#,
        user_id,
        code
    )
    .fetch_optional(&mut *tx)
    .await?;
    if deleted.is_some() {
        return Ok(Removal::Deleted);
    }
    let deactivated = sqlx::query_scalar!(
        r#"UPDATE refcodes SET data = jsonb_set(data, '{active}', 'false'), updated_at = now()
           WHERE upper(data->>'code') = upper($2) AND data->>'userId' = $1
           RETURNING id"#,
        user_id,
        code
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(if deactivated.is_some() {
        Removal::Deactivated
    } else {
        Removal::NotFound
    })
}

/// Whether a code exists, is switched on and no admin blocked it (the live-codes cache asks this on a miss).
pub async fn is_live(db: impl PgExecutor<'_>, code: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM refcodes WHERE upper(data->>'code') = upper($1)
                          AND (data->>'active')::boolean AND NOT COALESCE((data->>'blocked')::boolean, false))
           AS "live!""#,
        code
    )
    .fetch_one(db)
    .await
}

/// A code's owner, payout wallet, its owner's switch and an admin's block (order attribution and rewards).
pub struct CodeFacts {
    pub code: String,
    pub owner: String,
    pub wallet: String,
    pub active: bool,
    pub blocked: bool,
}

impl CodeFacts {
    pub fn state(&self) -> CodeState {
        CodeState::of(self.active, self.blocked)
    }
}

pub async fn facts(db: impl PgExecutor<'_>, code: &str) -> sqlx::Result<Option<CodeFacts>> {
    sqlx::query_as!(
        CodeFacts,
        r#"SELECT data->>'code' AS "code!", data->>'userId' AS "owner!", data->>'wallet' AS "wallet!",
                  COALESCE((data->>'active')::boolean, false) AS "active!",
                  COALESCE((data->>'blocked')::boolean, false) AS "blocked!"
           FROM refcodes WHERE upper(data->>'code') = upper($1)"#,
        code
    )
    .fetch_optional(db)
    .await
}

/// Adds pending visits to many codes in one statement: all of them land, or none.
pub async fn add_visits(
    db: impl PgExecutor<'_>,
    codes: &[String],
    counts: &[i64],
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        r#"UPDATE refcodes r
           SET data = jsonb_set(r.data, '{visits}', to_jsonb(COALESCE((r.data->>'visits')::bigint, 0) + v.n)),
               updated_at = now()
           FROM UNNEST($1::text[], $2::bigint[]) AS v(code, n)
           WHERE upper(r.data->>'code') = v.code"#,
        codes,
        counts
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A member's codes, oldest first, each with its funnel: visits, signups it attributed, paid orders
/// it attributed, and its rewards by status (`minting` counts as approved: approved, on its way).
pub async fn list_with_funnel(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> sqlx::Result<Vec<(Refcode, Funnel)>> {
    let rows = sqlx::query!(
        r#"SELECT r.data->>'code' AS "code!", r.data->>'wallet' AS "wallet!", r.data->>'label' AS label,
                  COALESCE((r.data->>'active')::boolean, false) AS "active!",
                  COALESCE((r.data->>'blocked')::boolean, false) AS "blocked!",
                  COALESCE((r.data->>'visits')::bigint, 0) AS "visits!", r.created_at,
                  (SELECT count(*) FROM users u
                    WHERE u.data->'referredBy'->>'code' = r.data->>'code') AS "signups!",
                  (SELECT count(*) FROM orders o
                    WHERE o.data->>'referralCode' = r.data->>'code' AND o.data->>'status' = 'paid') AS "orders!",
                  rw.pending_count AS "pending_count!", rw.pending_wei AS "pending_wei!",
                  rw.approved_count AS "approved_count!", rw.approved_wei AS "approved_wei!",
                  rw.minted_count AS "minted_count!", rw.minted_wei AS "minted_wei!",
                  cb.count AS "clawed_back_count!", cb.wei AS "clawed_back_wei!"
           FROM refcodes r
           CROSS JOIN LATERAL (
               SELECT count(*) FILTER (WHERE w.data->>'status' = 'pending') AS pending_count,
                      COALESCE(sum((w.data->>'amountWei')::numeric)
                               FILTER (WHERE w.data->>'status' = 'pending'), 0)::text AS pending_wei,
                      count(*) FILTER (WHERE w.data->>'status' IN ('approved', 'minting')) AS approved_count,
                      COALESCE(sum((w.data->>'amountWei')::numeric)
                               FILTER (WHERE w.data->>'status' IN ('approved', 'minting')), 0)::text AS approved_wei,
                      count(*) FILTER (WHERE w.data->>'status' = 'minted') AS minted_count,
                      COALESCE(sum((w.data->>'amountWei')::numeric)
                               FILTER (WHERE w.data->>'status' = 'minted'), 0)::text AS minted_wei
               FROM referral_rewards w WHERE w.data->>'referralCode' = r.data->>'code'
           ) rw
           CROSS JOIN LATERAL (
               SELECT count(*) AS count, COALESCE(sum(c.amount_wei), 0)::text AS wei
               FROM clawbacks c JOIN referral_rewards w ON w.id = c.reward_id
               WHERE w.data->>'referralCode' = r.data->>'code' AND c.waived_at IS NULL
           ) cb
           WHERE r.data->>'userId' = $1
           ORDER BY r.created_at, r.id"#,
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let funnel = Funnel {
                visits: r.visits,
                signups: r.signups,
                orders: r.orders,
                pending: RewardTally {
                    count: r.pending_count,
                    amount_wei: r.pending_wei,
                },
                approved: RewardTally {
                    count: r.approved_count,
                    amount_wei: r.approved_wei,
                },
                minted: RewardTally {
                    count: r.minted_count,
                    amount_wei: r.minted_wei,
                },
                clawed_back: RewardTally {
                    count: r.clawed_back_count,
                    amount_wei: r.clawed_back_wei,
                },
            };
            let code = Refcode {
                code: r.code,
                wallet: r.wallet,
                label: r.label,
                active: r.active,
                blocked: r.blocked,
                visits: r.visits,
                created_at: r.created_at,
            };
            (code, funnel)
        })
        .collect())
}

/// Every code for the admin, in code order after `after`, optionally those whose code, owner email or wallet
/// contains `search`; each with its funnel.
pub async fn admin_page(
    db: impl PgExecutor<'_>,
    search: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<AdminCode>> {
    sqlx::query_as!(
        AdminCode,
        r#"SELECT r.data->>'code' AS "code!", u.data->>'email' AS owner_email, r.data->>'wallet' AS "wallet!",
                  r.data->>'label' AS label, COALESCE((r.data->>'active')::boolean, false) AS "active!",
                  COALESCE((r.data->>'blocked')::boolean, false) AS "blocked!",
                  COALESCE((r.data->>'visits')::bigint, 0) AS "visits!",
                  (SELECT count(*) FROM users b
                    WHERE b.data->'referredBy'->>'code' = r.data->>'code') AS "signups!",
                  (SELECT count(*) FROM orders o
                    WHERE o.data->>'referralCode' = r.data->>'code' AND o.data->>'status' = 'paid') AS "orders!",
                  (SELECT count(*) FROM referral_rewards w
                    WHERE w.data->>'referralCode' = r.data->>'code') AS "rewards!",
                  r.created_at
           FROM refcodes r LEFT JOIN users u ON u.id = r.data->>'userId'
           WHERE ($1::text IS NULL OR strpos(upper(r.data->>'code'), upper($1)) > 0
                  OR strpos(lower(u.data->>'email'), lower($1)) > 0
                  OR strpos(lower(r.data->>'wallet'), lower($1)) > 0)
             AND ($2::text IS NULL OR r.data->>'code' > $2)
           ORDER BY r.data->>'code' LIMIT $3"#,
        search,
        after,
        limit
    )
    .fetch_all(db)
    .await
}

/// Blocks any member's code or lifts the block; the previous block, `None` when there is no such code.
pub async fn set_blocked(
    tx: &mut sqlx::PgConnection,
    code: &str,
    blocked: bool,
) -> sqlx::Result<Option<bool>> {
    let before = sqlx::query_scalar!(
        r#"SELECT COALESCE((data->>'blocked')::boolean, false) AS "blocked!" FROM refcodes
           WHERE upper(data->>'code') = upper($1) FOR UPDATE"#,
        code
    )
    .fetch_optional(&mut *tx)
    .await?;
    if before.is_some() {
        sqlx::query!(
            r#"UPDATE refcodes SET data = jsonb_set(data, '{blocked}', to_jsonb($2::boolean)), updated_at = now()
               WHERE upper(data->>'code') = upper($1)"#,
            code,
            blocked
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(before)
}
