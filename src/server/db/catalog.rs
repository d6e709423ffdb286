//! The `vendors` and `products` collections: `products.data = {vendorId, name {en,uk,ru}, price, currency, stock}`.
use crate::domain::store::{Localized, Product};
use serde_json::json;
use sqlx::PgExecutor;

pub async fn upsert_vendor(db: impl PgExecutor<'_>, id: &str, name: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO vendors (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        id,
        json!({ "name": name })
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// Adds a product unless one with this id exists (the demo catalog is seeded on every start).
pub async fn upsert_product(db: impl PgExecutor<'_>, p: &Product) -> sqlx::Result<()> {
    let data = json!({
        "vendorId": p.vendor_id,
        "name": p.name,
        "price": p.price,
        "currency": p.currency,
        "stock": p.stock,
    });
    sqlx::query!(
        "INSERT INTO products (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        p.id,
        data
    )
    .execute(db)
    .await
    .map(|_| ())
}

/// The catalog (or the products named in `only`), oldest first.
pub async fn products(
    db: impl PgExecutor<'_>,
    only: Option<&[String]>,
) -> sqlx::Result<Vec<Product>> {
    let rows = sqlx::query!(
        r#"SELECT p.id, p.data->>'vendorId' AS "vendor_id!", COALESCE(v.data->>'name', '') AS "vendor_name!",
                  p.data->'name' AS "name!", (p.data->>'price')::bigint AS "price!",
                  p.data->>'currency' AS "currency!", (p.data->>'stock')::bigint AS "stock!"
           FROM products p LEFT JOIN vendors v ON v.id = p.data->>'vendorId'
           WHERE $1::text[] IS NULL OR p.id = ANY($1)
           ORDER BY p.created_at, p.id"#,
        only
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Product {
            id: r.id,
            vendor_id: r.vendor_id,
            vendor_name: r.vendor_name,
            name: serde_json::from_value::<Localized>(r.name).unwrap_or_default(),
            price: r.price,
            currency: r.currency,
            stock: r.stock,
        })
        .collect())
}

/// Takes `quantities` out of stock (never below zero); returns the products that had less than ordered
/// (sold while the buyer was paying), so the order can be flagged.
pub async fn deduct_stock(
    db: impl PgExecutor<'_>,
    ids: &[String],
    quantities: &[i64],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"WITH wanted AS (SELECT * FROM UNNEST($1::text[], $2::bigint[]) AS w(id, q)),
                old AS (SELECT p.id, (p.data->>'stock')::bigint AS stock, w.q
                        FROM products p JOIN wanted w ON w.id = p.id FOR UPDATE OF p),
                done AS (UPDATE products p
                         SET data = jsonb_set(p.data, '{stock}', to_jsonb(GREATEST(old.stock - old.q, 0))),
                             updated_at = now()
                         FROM old WHERE p.id = old.id
                         RETURNING p.id)
           SELECT old.id AS "id!" FROM old JOIN done ON done.id = old.id WHERE old.stock < old.q"#,
        ids,
        quantities
    )
    .fetch_all(db)
    .await
}

/// Puts `quantities` back (a refund).
pub async fn restock(
    db: impl PgExecutor<'_>,
    ids: &[String],
    quantities: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"UPDATE products p
           SET data = jsonb_set(p.data, '{stock}', to_jsonb((p.data->>'stock')::bigint + w.q)), updated_at = now()
           FROM UNNEST($1::text[], $2::bigint[]) AS w(id, q)
           WHERE p.id = w.id"#,
        ids,
        quantities
    )
    .execute(db)
    .await
    .map(|_| ())
}
