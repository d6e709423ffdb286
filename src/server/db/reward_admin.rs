//! The admin's view of `referral_rewards`: filtered, keyset-paginated rows with buyer and referrer emails,
//! totals per status, and the ids a bulk action selects. Status changes still go through `rewards`.
use super::rewards::{self, AdminRowFacts};
use crate::domain::admin::{AdminReward, RewardFilter, StatusTotal};
use crate::domain::cursor::Cursor;
use crate::domain::reward::RewardStatus;
use sqlx::PgExecutor;

/// The filter as SQL parameters (`None` = any).
struct Params {
    status: Option<String>,
    rail: Option<String>,
    kind: Option<String>,
    code: Option<String>,
    referrer: Option<String>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    search: Option<String>,
}

fn params(f: &RewardFilter) -> Params {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Params {
        status: f.status.map(|s| s.as_str().to_string()),
        rail: f.rail.map(|r| r.as_str().to_string()),
        kind: f.kind.map(|k| k.as_str().to_string()),
        code: text(&f.code).map(|c| c.to_uppercase()),
        referrer: text(&f.referrer).map(|r| r.to_lowercase()),
        from: f.from,
        to: f.to,
        search: text(&f.search).map(|s| s.to_lowercase()),
    }
}

pub async fn page(
    db: impl PgExecutor<'_>,
    filter: &RewardFilter,
    after: Option<&Cursor>,
    limit: i64,
) -> sqlx::Result<Vec<AdminReward>> {
    let p = params(filter);
    let rows = sqlx::query!(
        r#"SELECT r.id, r.data, r.created_at, r.updated_at, b.data->>'email' AS buyer_email, u.data->>'email' AS referrer_email,
                  cb.amount_wei::text AS clawback_wei
           FROM referral_rewards r
           LEFT JOIN users b ON b.id = r.data->>'buyerUserId'
           LEFT JOIN users u ON u.id = r.data->>'referrerUserId'
           LEFT JOIN clawbacks cb ON cb.reward_id = r.id
           WHERE ($1::text IS NULL OR r.data->>'status' = $1)
             AND ($2::text IS NULL OR r.data->>'rail' = $2)
             AND ($3::text IS NULL OR r.data->>'kind' = $3)
             AND ($4::text IS NULL OR r.data->>'referralCode' = $4)
             AND ($5::text IS NULL OR lower(u.data->>'email') = $5)
             AND ($6::date IS NULL OR r.created_at >= $6::date)
             AND ($7::date IS NULL OR r.created_at < $7::date + 1)
             AND ($8::text IS NULL OR lower(r.data->>'orderReference') = $8
                  OR lower(b.data->>'email') = $8 OR lower(u.data->>'email') = $8)
             AND ($9::timestamptz IS NULL OR (r.created_at, r.id) < ($9, $10::text))
           ORDER BY r.created_at DESC, r.id DESC
           LIMIT $11"#,
        p.status,
        p.rail,
        p.kind,
        p.code,
        p.referrer,
        p.from,
        p.to,
        p.search,
        after.map(|c| c.created_at),
        after.map(|c| c.id.clone()),
        limit
    )
    .fetch_all(db)
    .await?;
    let now = chrono::Utc::now();
    rows.into_iter()
        .map(|r| {
            let doc = rewards::read(&r.id, r.data)?;
            let facts = AdminRowFacts {
                id: r.id,
                buyer_email: r.buyer_email,
                referrer_email: r.referrer_email,
                clawback_wei: r.clawback_wei,
                created_at: r.created_at,
                updated_at: r.updated_at,
            };
            Ok(doc.to_admin_view(facts, now))
        })
        .collect()
}

pub async fn totals(
    db: impl PgExecutor<'_>,
    filter: &RewardFilter,
) -> sqlx::Result<Vec<StatusTotal>> {
    let p = params(filter);
    let rows = sqlx::query!(
        r#"SELECT r.data->>'status' AS "status!", r.data->>'currency' AS "currency!", count(*) AS "count!",
                  COALESCE(sum((r.data->>'fiatAmount')::bigint), 0)::bigint AS "fiat!",
                  COALESCE(sum((r.data->>'amountWei')::numeric), 0)::text AS "wei!"
           FROM referral_rewards r
           LEFT JOIN users b ON b.id = r.data->>'buyerUserId'
           LEFT JOIN users u ON u.id = r.data->>'referrerUserId'
           WHERE ($1::text IS NULL OR r.data->>'status' = $1)
             AND ($2::text IS NULL OR r.data->>'rail' = $2)
             AND ($3::text IS NULL OR r.data->>'kind' = $3)
             AND ($4::text IS NULL OR r.data->>'referralCode' = $4)
             AND ($5::text IS NULL OR lower(u.data->>'email') = $5)
             AND ($6::date IS NULL OR r.created_at >= $6::date)
             AND ($7::date IS NULL OR r.created_at < $7::date + 1)
             AND ($8::text IS NULL OR lower(r.data->>'orderReference') = $8
                  OR lower(b.data->>'email') = $8 OR lower(u.data->>'email') = $8)
           GROUP BY 1, 2 ORDER BY 1, 2"#,
        p.status,
        p.rail,
        p.kind,
        p.code,
        p.referrer,
        p.from,
        p.to,
        p.search
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StatusTotal {
                status: rewards::read_status("(any)", &r.status)?,
                currency: r.currency,
                count: r.count,
                fiat_amount: r.fiat,
                amount_wei: r.wei,
            })
        })
        .collect()
}

/// The ids and statuses of the given rewards (what an action's audit entry records as "before").
pub async fn statuses(
    db: impl PgExecutor<'_>,
    ids: &[String],
) -> sqlx::Result<Vec<(String, RewardStatus)>> {
    let rows = sqlx::query!(
        r#"SELECT id, data->>'status' AS "status!" FROM referral_rewards WHERE id = ANY($1) ORDER BY id"#,
        ids
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let status = rewards::read_status(&r.id, &r.status)?;
            Ok((r.id, status))
        })
        .collect()
}
