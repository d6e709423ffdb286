//! The card webhook (WayForPay serviceUrl). Every delivery is stored with its verdict; a forged, foreign or
//! mismatched one changes nothing. A state change and its "accepted" record commit together, so an
//! identical redelivery is a duplicate however many arrive at once; the answer is only sent after the commit.
use super::{on_paid, on_refunded};
use crate::domain::admin::RefundReason;
use crate::domain::money::parse_decimal;
use crate::domain::store::{OrderStatus, Rail};
use crate::error::AppError;
use crate::server::db::{
    self, orders::OrderRecord, payment_events::Delivery, payment_events::Verdict,
};
use crate::server::payments::wayforpay::{accept_answer, Notification};
use crate::server::platform::config::Payments;
use crate::server::rewards::ledger::{Ledger, Outcome, Priced};
use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};

/// What a status asks of the order.
enum Action {
    Pay,
    Fail,
    Refund,
    /// Intermediate statuses (InProcessing, Pending, …): stored, nothing changes.
    Note,
}

fn action(transaction_status: &str) -> Action {
    match transaction_status {
        "Approved" => Action::Pay,
        "Declined" | "Expired" => Action::Fail,
        "Refunded" | "Voided" => Action::Refund,
        _ => Action::Note,
    }
}

pub async fn handle(
    pool: &PgPool,
    payments: &Payments,
    ledger: &Ledger,
    body: &[u8],
) -> Result<Value, AppError> {
    let raw = String::from_utf8_lossy(body);
    let notice = match Notification::parse(body) {
        Ok(n) => n,
        Err(why) => {
            reject(pool, "", "", &raw, &why).await;
            return Err(AppError::BadRequest(why));
        }
    };
    let reference = notice.order_reference().to_string();
    let status = notice.transaction_status().to_string();
    let refuse = |error: AppError, why: &'static str| async {
        reject(pool, &reference, &status, &raw, why).await;
        Err(error)
    };
    if notice.field("merchantAccount") != payments.merchant_account {
        return refuse(AppError::WrongMerchant, "merchant account mismatch").await;
    }
    if !notice.signature_ok(&payments.secret_key) {
        return refuse(AppError::BadSignature, "bad signature").await;
    }
    let Some(order) = db::orders::by_reference(pool, &reference).await? else {
        return refuse(AppError::UnknownOrder, "unknown order").await;
    };
    let currency = notice.field("currency");
    if currency != order.doc.currency
        || parse_decimal(notice.field("amount"), currency) != Some(order.doc.amount)
    {
        return refuse(AppError::AmountMismatch, "amount or currency mismatch").await;
    }
    let delivery = Delivery {
        order_reference: &reference,
        transaction_status: &status,
        raw_body: &raw,
        reason: None,
    };
    let action = action(&status);
    let price = match action {
        Action::Pay => ledger.quote_for(&order.doc).await,
        _ => None,
    };
    let step = Step {
        ledger,
        delivery: &delivery,
        order: &order,
        price: price.as_ref(),
    };
    match apply(pool, step, action).await? {
        Change::Paid(outcome) => ledger.announce(&outcome),
        Change::Duplicate => {
            let dup = db::payment_events::record(pool, &delivery, Verdict::Duplicate).await;
            if let Err(e) = dup {
                tracing::warn!(error = %e, "could not store a duplicate delivery");
            }
        }
        Change::None => {}
    }
    Ok(accept_answer(
        &payments.secret_key,
        &reference,
        chrono::Utc::now().timestamp(),
    ))
}

enum Change {
    Paid(Outcome),
    Duplicate,
    None,
}

/// What an accepted delivery works on.
struct Step<'a> {
    ledger: &'a Ledger,
    delivery: &'a Delivery<'a>,
    order: &'a OrderRecord,
    /// Read before the transaction opens (only for an approval).
    price: Option<&'a Priced>,
}

/// The delivery's record, the order's change and its reward in one transaction.
async fn apply(pool: &PgPool, step: Step<'_>, action: Action) -> Result<Change, AppError> {
    let Step {
        ledger,
        delivery,
        order,
        price,
    } = step;
    let mut tx = pool.begin().await?;
    if !db::payment_events::record(&mut *tx, delivery, Verdict::Accepted).await? {
        return Ok(Change::Duplicate);
    }
    // The buyer's row before the order's, as every other payment path takes them (no deadlock between them).
    db::users::lock(&mut *tx, &order.doc.buyer_user_id).await?;
    let reference = &order.doc.order_reference;
    let now = chrono::Utc::now();
    let change = match action {
        Action::Pay => {
            let patch = json!({ "rail": Rail::Fiat, "paidAt": now });
            let mut paid = db::orders::change_status(
                &mut *tx,
                reference,
                OrderStatus::Created,
                OrderStatus::Paid,
                patch.clone(),
            )
            .await?;
            if paid.is_none() {
                // A card declined before may be paid on a later attempt with the same reference.
                paid = db::orders::change_status(
                    &mut *tx,
                    reference,
                    OrderStatus::Failed,
                    OrderStatus::Paid,
                    patch,
                )
                .await?;
            }
            match paid {
                Some(record) => Change::Paid(on_paid(&mut tx, ledger, &record.doc, price).await?),
                None => {
                    flag_double_charge(&mut tx, reference).await?;
                    Change::None
                }
            }
        }
        Action::Fail => {
            db::orders::change_status(
                &mut *tx,
                reference,
                OrderStatus::Created,
                OrderStatus::Failed,
                json!({ "failedAt": now }),
            )
            .await?;
            Change::None
        }
        Action::Refund => {
            let patch = json!({ "refundedAt": now });
            match db::orders::refund_card_paid(&mut *tx, reference, patch).await? {
                Some(record) => on_refunded(&mut tx, ledger, &record.doc).await?,
                // The card refunded was a second payment: the order stays paid by its own rail.
                None => db::orders::resolve_double_charge(&mut *tx, reference).await?,
            }
            Change::None
        }
        Action::Note => Change::None,
    };
    tx.commit().await?;
    Ok(change)
}

/// A card approval for an order another rail paid (or paid and refunded) already: the buyer paid twice, and the
/// admin refunds the card (the order is marked `toRefund: paidTwice` and listed on the admin page).
async fn flag_double_charge(tx: &mut PgConnection, reference: &str) -> Result<(), AppError> {
    let Some(current) = db::orders::by_reference(&mut *tx, reference).await? else {
        return Ok(());
    };
    let settled = matches!(
        current.doc.status,
        OrderStatus::Paid | OrderStatus::Refunded
    );
    if settled && current.doc.rail == Some(Rail::Crypto) {
        tracing::warn!(
            order = reference,
            "a card payment for an order paid by another rail: to refund"
        );
        metrics::counter!("refcodes_double_charges_total").increment(1);
        db::orders::flag_to_refund(&mut *tx, reference, RefundReason::PaidTwice).await?;
    }
    Ok(())
}

async fn reject(pool: &PgPool, reference: &str, status: &str, raw: &str, why: &str) {
    tracing::warn!(
        order = reference,
        reason = why,
        "payment notification rejected"
    );
    let delivery = Delivery {
        order_reference: reference,
        transaction_status: status,
        raw_body: raw,
        reason: Some(why),
    };
    if let Err(e) = db::payment_events::record(pool, &delivery, Verdict::Rejected).await {
        tracing::error!(error = %e, "could not store a rejected delivery");
    }
}
