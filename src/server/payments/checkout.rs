//! The order page and paying by card. Live: the WayForPay purchase form, signed. Test: the built-in test payment
//! page, which signs the provider's notification with the merchant key and posts it to this app's own webhook.
use crate::domain::money::to_decimal;
use crate::domain::store::{CardCheckout, OrderKind, OrderPage, OrderStatus};
use crate::error::AppError;
use crate::server::db;
use crate::server::db::orders::OrderRecord;
use crate::server::payments::orders;
use crate::server::payments::wayforpay::{
    notification_body, purchase_signature, FormProduct, Purchase, TestNotice,
};
use crate::server::platform::config::{Config, PaymentsMode};
use crate::server::platform::errors::internal;
use sqlx::PgPool;

pub const WAYFORPAY_PAY_URL: &str = "https://secure.wayforpay.com/pay";

fn card_checkout(config: &Config, order: &OrderRecord, locale: &str) -> CardCheckout {
    if config.payments.mode == PaymentsMode::Test {
        return CardCheckout::Test;
    }
    let d = &order.doc;
    let p = &config.payments;
    let products: Vec<FormProduct> = match d.kind {
        OrderKind::Store => d
            .items
            .iter()
            .map(|l| FormProduct {
                name: l.name.get(locale).to_string(),
                count: l.quantity,
                price: to_decimal(l.unit_price, &d.currency),
            })
            .collect(),
        OrderKind::Membership => vec![FormProduct {
            name: format!("Membership: {}", d.tier.as_deref().unwrap_or_default()),
            count: 1,
            price: to_decimal(d.amount, &d.currency),
        }],
    };
    let amount = to_decimal(d.amount, &d.currency);
    let order_date = order.created_at.timestamp();
    let purchase = Purchase {
        merchant_account: &p.merchant_account,
        merchant_domain: &p.merchant_domain,
        order_reference: &d.order_reference,
        order_date,
        amount: &amount,
        currency: &d.currency,
        products: &products,
    };
    let signature = purchase_signature(&p.secret_key, &purchase);
    let mut fields = vec![
        ("merchantAccount".to_string(), p.merchant_account.clone()),
        ("merchantAuthType".into(), "SimpleSignature".into()),
        ("merchantDomainName".into(), p.merchant_domain.clone()),
        ("merchantSignature".into(), signature),
        ("orderReference".into(), d.order_reference.clone()),
        ("orderDate".into(), order_date.to_string()),
        ("amount".into(), amount.clone()),
        ("currency".into(), d.currency.clone()),
        ("language".into(), provider_language(locale).into()),
        (
            "serviceUrl".into(),
            format!("{}/api/payments/wayforpay", config.site_url),
        ),
        (
            "returnUrl".into(),
            format!("{}/{locale}/orders/{}", config.site_url, d.order_reference),
        ),
    ];
    for x in &products {
        fields.push(("productName[]".into(), x.name.clone()));
        fields.push(("productPrice[]".into(), x.price.clone()));
        fields.push(("productCount[]".into(), x.count.to_string()));
    }
    CardCheckout::Live {
        action: WAYFORPAY_PAY_URL.into(),
        fields,
    }
}

fn provider_language(locale: &str) -> &'static str {
    match locale {
        "uk" => "UA",
        "ru" => "RU",
        _ => "EN",
    }
}

/// The buyer's order page: the order, its card checkout (in `locale`) and the buyer's credit in its currency.
pub async fn order_page(
    pool: &PgPool,
    config: &Config,
    buyer_id: &str,
    reference: &str,
    locale: &str,
) -> Result<OrderPage, AppError> {
    let record = orders::buyer_order(pool, buyer_id, reference).await?;
    let credit_balance = db::credit::balance(pool, buyer_id, &record.doc.currency).await?;
    Ok(OrderPage {
        card: card_checkout(config, &record, locale),
        order: record.view(),
        credit_balance,
    })
}

/// What the tester clicked on the test payment page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestOutcome {
    Approve,
    Decline,
    Refund,
}

impl TestOutcome {
    /// The test page's button names: `approve`, `decline`, `refund`.
    fn parse(name: &str) -> Result<TestOutcome, AppError> {
        match name {
            "approve" => Ok(TestOutcome::Approve),
            "decline" => Ok(TestOutcome::Decline),
            "refund" => Ok(TestOutcome::Refund),
            _ => Err(AppError::BadRequest("unknown test outcome".into())),
        }
    }
}

/// The test payment page's buttons: the buyer's own order gets the notification `outcome` (a button name) would
/// bring; answers the order's reference.
pub async fn test_payment(
    pool: &PgPool,
    config: &Config,
    http: &refcodes_chain::reqwest::Client,
    buyer_id: &str,
    reference: &str,
    outcome: &str,
) -> Result<String, AppError> {
    let outcome = TestOutcome::parse(outcome)?;
    let record = orders::buyer_order(pool, buyer_id, reference).await?;
    send_test_notification(config, http, &record, outcome).await?;
    Ok(record.doc.order_reference)
}

/// Sends the signed notification the provider would send for `outcome` to this app's own webhook.
async fn send_test_notification(
    config: &Config,
    http: &refcodes_chain::reqwest::Client,
    order: &OrderRecord,
    outcome: TestOutcome,
) -> Result<(), AppError> {
    if config.payments.mode != PaymentsMode::Test {
        return Err(AppError::NotFound);
    }
    let d = &order.doc;
    if outcome != TestOutcome::Refund && d.status == OrderStatus::Paid {
        return Err(AppError::OrderNotPayable {
            status: "paid already".into(),
        });
    }
    let (status, reason) = match outcome {
        TestOutcome::Approve => ("Approved", "1100"),
        TestOutcome::Decline => ("Declined", "1101"),
        TestOutcome::Refund => ("Refunded", "1100"),
    };
    let amount = to_decimal(d.amount, &d.currency);
    let body = notification_body(
        &config.payments.secret_key,
        &TestNotice {
            merchant_account: &config.payments.merchant_account,
            order_reference: &d.order_reference,
            amount: &amount,
            currency: &d.currency,
            transaction_status: status,
            reason_code: reason,
            time: chrono::Utc::now().timestamp(),
        },
    )
    .map_err(|e| internal("test notification", e))?;
    let mut addr = config.site_addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let resp = http
        .post(format!("http://{addr}/api/payments/wayforpay"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| internal("test notification delivery", e))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        return Err(internal(
            "test notification",
            format!("webhook answered {status}: {text}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::TestOutcome;

    #[test]
    fn the_test_page_buttons_name_their_outcome_and_nothing_else_passes() {
        assert_eq!(
            TestOutcome::parse("approve").ok(),
            Some(TestOutcome::Approve)
        );
        assert_eq!(
            TestOutcome::parse("decline").ok(),
            Some(TestOutcome::Decline)
        );
        assert_eq!(TestOutcome::parse("refund").ok(), Some(TestOutcome::Refund));
        for wrong in ["", "Approve", "approve ", "chargeback"] {
            let err = TestOutcome::parse(wrong).unwrap_err();
            assert_eq!(err.code(), "bad_request", "{wrong:?}");
        }
    }
}
