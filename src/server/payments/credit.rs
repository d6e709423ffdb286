//! Credit payments (crypto rail): the buyer's platform credit pays the order. The balance check, the debit,
//! the paid mark, stock and settlements are one transaction under the buyer's row lock, so two payments
//! racing for one balance run one after the other and never overdraw it.
use super::on_paid;
use crate::domain::money::{display, parse_decimal};
use crate::domain::store::{OrderStatus, Rail};
use crate::domain::user::Me;
use crate::error::AppError;
use crate::server::db::{self, audit_log::Entry};
use crate::server::rewards::ledger::Ledger;
use serde_json::json;
use sqlx::PgPool;

pub async fn pay(
    pool: &PgPool,
    ledger: &Ledger,
    buyer_id: &str,
    reference: &str,
) -> Result<(), AppError> {
    let reference = reference.trim();
    let price = match db::orders::by_reference(pool, reference).await? {
        Some(o) if o.doc.buyer_user_id == buyer_id => ledger.quote_for(&o.doc).await,
        _ => None,
    };
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, buyer_id).await? {
        return Err(AppError::Unauthorized);
    }
    let order = db::orders::by_reference(&mut *tx, reference)
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
    let outcome = on_paid(&mut tx, ledger, &paid.doc, price.as_ref()).await?;
    tx.commit().await?;
    tracing::info!(order = paid.doc.order_reference, "order paid with credit");
    // A reward approved by the payment is minted now, in the background.
    ledger.announce(&outcome);
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

/// Whom a grant is for: the account with this email or with this id.
#[derive(Debug, Clone, Copy)]
pub enum Grantee<'a> {
    Email(&'a str),
    UserId(&'a str),
}

/// A grant's result: the account and its new balance (minor units).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditGranted {
    pub user_id: String,
    pub balance: i64,
    pub currency: String,
}

/// An admin grants credit; `amount` is a decimal like `250.00`. The entry and its audit record land together.
pub async fn grant(
    pool: &PgPool,
    admin: &Me,
    grantee: Grantee<'_>,
    amount: &str,
    currency: &str,
) -> Result<CreditGranted, AppError> {
    let user_id = match grantee {
        Grantee::UserId(id) => id.to_string(),
        Grantee::Email(email) => {
            db::users::credentials_by_email(pool, email.trim())
                .await?
                .ok_or(AppError::UnknownUser)?
                .user_id
        }
    };
    let user_id = user_id.as_str();
    let minor = parse_decimal(amount.trim(), currency)
        .filter(|m| *m > 0)
        .ok_or(AppError::InvalidAmount)?;
    let mut tx = pool.begin().await?;
    if !db::users::lock(&mut *tx, user_id).await? {
        return Err(AppError::UnknownUser);
    }
    let before = db::credit::balance(&mut *tx, user_id, currency).await?;
    db::credit::grant(&mut *tx, user_id, minor, currency, &admin.user_id).await?;
    let entry = Entry {
        actor_user_id: &admin.user_id,
        actor_email: &admin.email,
        action: "grant_credit",
        target_ids: &[user_id.to_string()],
        before: json!({ user_id: display(before, currency) }),
        after: json!(display(before + minor, currency)),
        detail: json!({ "amount": minor, "currency": currency }),
    };
    db::audit_log::record(&mut *tx, &entry).await?;
    tx.commit().await?;
    tracing::info!(user_id, amount = minor, "credit granted");
    Ok(CreditGranted {
        user_id: user_id.to_string(),
        balance: before + minor,
        currency: currency.to_string(),
    })
}
