//! Credit payments (crypto rail): the buyer's platform credit pays the order. The balance check, the debit,
//! the paid mark, stock and settlements are one transaction under the buyer's row lock, so two payments
//! racing for one balance run one after the other and never overdraw it.
use super::{on_paid, reward_paid};
use crate::domain::money::{display, parse_decimal};
use crate::domain::store::{OrderStatus, Rail};
use crate::error::AppError;
use crate::server::db;
use crate::server::ledger::Ledger;
use serde_json::json;
use sqlx::PgPool;

pub async fn pay(
    pool: &PgPool,
    ledger: &Ledger,
    buyer_id: &str,
    reference: &str,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, buyer_id).await? {
        return Err(AppError::Unauthorized);
    }
    let order = db::orders::by_reference(&mut *tx, reference.trim())
        .await?
        .filter(|o| o.doc.buyer_user_id == buyer_id)
        .ok_or(AppError::UnknownOrder)?
        .doc;
    if order.status != OrderStatus::Created {
        return Err(not_payable(order.status));
    }
    let balance = db::credit::balance(&mut *tx, buyer_id, &order.currency).await?;
    if balance < order.amount {
        return Err(AppError::InsufficientCredit {
            balance: display(balance, &order.currency),
            currency: order.currency.clone(),
        });
    }
    if !db::credit::debit_order(
        &mut *tx,
        buyer_id,
        order.amount,
        &order.currency,
        &order.order_reference,
    )
    .await?
    {
        return Err(not_payable(OrderStatus::Paid));
    }
    let patch = json!({ "rail": Rail::Crypto, "paidAt": chrono::Utc::now() });
    let paid = db::orders::change_status(
        &mut *tx,
        &order.order_reference,
        OrderStatus::Created,
        OrderStatus::Paid,
        patch,
    )
    .await?
    .ok_or_else(|| not_payable(OrderStatus::Paid))?;
    on_paid(&mut tx, &paid.doc).await?;
    tx.commit().await?;
    tracing::info!(order = paid.doc.order_reference, "order paid with credit");
    reward_paid(pool, ledger, &paid.doc, Rail::Crypto).await;
    Ok(())
}

fn not_payable(status: OrderStatus) -> AppError {
    let status = match status {
        OrderStatus::Created => "waiting for payment",
        OrderStatus::Paid => "paid already",
        OrderStatus::Failed => "failed",
        OrderStatus::Refunded => "refunded",
    };
    AppError::OrderNotPayable {
        status: status.into(),
    }
}

pub async fn balance(pool: &PgPool, user_id: &str, currency: &str) -> Result<i64, AppError> {
    Ok(db::credit::balance(pool, user_id, currency).await?)
}

/// An admin grants credit; `amount` is a decimal like `250.00`.
pub async fn grant(
    pool: &PgPool,
    admin_id: &str,
    user_id: &str,
    amount: &str,
    currency: &str,
) -> Result<i64, AppError> {
    let minor = parse_decimal(amount.trim(), currency)
        .filter(|m| *m > 0)
        .ok_or(AppError::InvalidAmount)?;
    if db::users::me(pool, user_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    db::credit::grant(pool, user_id, minor, currency, admin_id).await?;
    tracing::info!(user_id, amount = minor, "credit granted");
    Ok(db::credit::balance(pool, user_id, currency).await?)
}
