//! The store the referral program attributes: catalog, order lines and pricing (server-side, never trusted
//! from the client), and what an order looks like to its buyer.
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_QUANTITY: u32 = 99;
pub const MAX_LINES: usize = 20;

/// A text in each supported locale (`en` is the fallback).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized(pub BTreeMap<String, String>);

impl Localized {
    pub fn get(&self, locale: &str) -> &str {
        self.0
            .get(locale)
            .or_else(|| self.0.get("en"))
            .map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub vendor_id: String,
    pub vendor_name: String,
    pub name: Localized,
    pub price: i64,
    pub currency: String,
    pub stock: i64,
}

/// A line as the client sends it: a product and a quantity, nothing else (a price is never taken from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LineInput {
    pub product_id: String,
    pub quantity: u32,
}

/// One priced line, as stored in the order document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub product_id: String,
    pub vendor_id: String,
    pub name: Localized,
    pub unit_price: i64,
    pub quantity: u32,
    pub line_total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    pub lines: Vec<OrderLine>,
    pub amount: i64,
    pub currency: String,
}

/// Prices `lines` from the catalog: repeated products are merged, quantities and stock checked, one currency.
pub fn price_order(lines: &[LineInput], catalog: &[Product]) -> Result<PricedOrder, AppError> {
    if lines.is_empty() {
        return Err(AppError::EmptyOrder);
    }
    let mut merged: Vec<(&Product, u32)> = Vec::new();
    for line in lines {
        let product = catalog
            .iter()
            .find(|p| p.id == line.product_id)
            .ok_or_else(|| AppError::UnknownProduct {
                product_id: line.product_id.clone(),
            })?;
        match merged.iter_mut().find(|(p, _)| p.id == product.id) {
            Some((_, q)) => *q = q.saturating_add(line.quantity),
            None => merged.push((product, line.quantity)),
        }
    }
    if merged.len() > MAX_LINES {
        return Err(AppError::TooManyLines {
            max: MAX_LINES as u32,
        });
    }
    let currency = merged[0].0.currency.clone();
    let mut priced = Vec::with_capacity(merged.len());
    for (product, quantity) in merged {
        if quantity == 0 || quantity > MAX_QUANTITY {
            return Err(AppError::InvalidQuantity { max: MAX_QUANTITY });
        }
        if product.currency != currency {
            return Err(AppError::MixedCurrencies);
        }
        if i64::from(quantity) > product.stock {
            return Err(AppError::OutOfStock {
                product_id: product.id.clone(),
                available: product.stock.max(0) as u32,
            });
        }
        priced.push(OrderLine {
            product_id: product.id.clone(),
            vendor_id: product.vendor_id.clone(),
            name: product.name.clone(),
            unit_price: product.price,
            quantity,
            line_total: product.price * i64::from(quantity),
        });
    }
    let amount = priced.iter().map(|l| l.line_total).sum();
    Ok(PricedOrder {
        lines: priced,
        amount,
        currency,
    })
}

/// Each vendor's share of an order: the sum of its lines.
pub fn vendor_shares(lines: &[OrderLine]) -> Vec<(String, i64)> {
    let mut shares: Vec<(String, i64)> = Vec::new();
    for line in lines {
        match shares.iter_mut().find(|(v, _)| *v == line.vendor_id) {
            Some((_, sum)) => *sum += line.line_total,
            None => shares.push((line.vendor_id.clone(), line.line_total)),
        }
    }
    shares
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderKind {
    Store,
    Membership,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Created,
    Paid,
    Failed,
    Refunded,
}

/// How an order was paid: card (fiat, rewards need approval) or platform credit (crypto, auto-approved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rail {
    Fiat,
    Crypto,
}

impl Rail {
    pub fn as_str(self) -> &'static str {
        match self {
            Rail::Fiat => "fiat",
            Rail::Crypto => "crypto",
        }
    }
}

/// Why a referral did not count (stored on an order as `attributionRejected`; see `domain::attribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    UnknownCode,
    InactiveCode,
    BlockedCode,
    SelfReferral,
    NotFirstPurchase,
    WalletOverlap,
    /// A membership upgrade: the code the member signed up through belongs to someone else now.
    OwnerChanged,
}

/// How a referral reached an order: the first-touch link cookie, or the code the buyer signed up through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributedVia {
    Link,
    Signup,
}

/// The referral an order carries: `referralCode`, `referrerUserId`, `referrerWallet`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Referral {
    pub referral_code: String,
    pub referrer_user_id: String,
    pub referrer_wallet: String,
}

/// The answer to creating an order (`POST /api/store/orders`, `POST /api/membership/orders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOrder {
    pub order_reference: String,
    pub amount: i64,
    pub currency: String,
    pub referral: Option<Referral>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution_rejected: Option<Rejection>,
}

/// Where "Pay by card" goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardCheckout {
    /// The built-in test payment page (`PAYMENTS_MODE=test`).
    Test,
    /// A form posted to the payment provider.
    Live {
        action: String,
        fields: Vec<(String, String)>,
    },
}

/// An order as its buyer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    pub order_reference: String,
    pub kind: OrderKind,
    pub status: OrderStatus,
    pub rail: Option<Rail>,
    pub lines: Vec<OrderLine>,
    pub tier: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub referral_code: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// An order page: the order, how to pay it by card, and the buyer's credit in its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPage {
    pub order: OrderView,
    pub card: CardCheckout,
    pub credit_balance: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, vendor: &str, price: i64, stock: i64) -> Product {
        Product {
            id: id.into(),
            vendor_id: vendor.into(),
            vendor_name: vendor.into(),
            name: Localized(BTreeMap::from([("en".into(), id.into())])),
            price,
            currency: "UAH".into(),
            stock,
        }
    }

    fn line(id: &str, quantity: u32) -> LineInput {
        LineInput {
            product_id: id.into(),
            quantity,
        }
    }

    #[test]
    fn prices_come_from_the_catalog_and_repeats_merge() {
        let catalog = [product("a", "v1", 1250, 10), product("b", "v2", 300, 5)];
        let priced = price_order(&[line("a", 2), line("b", 1), line("a", 1)], &catalog).unwrap();
        assert_eq!(priced.amount, 3 * 1250 + 300);
        assert_eq!(priced.lines.len(), 2);
        assert_eq!(priced.lines[0].quantity, 3);
        assert_eq!(
            vendor_shares(&priced.lines),
            vec![("v1".into(), 3750), ("v2".into(), 300)]
        );
    }

    #[test]
    fn bad_orders_are_clear_errors() {
        let catalog = [product("a", "v1", 1250, 2)];
        assert_eq!(price_order(&[], &catalog), Err(AppError::EmptyOrder));
        assert!(matches!(
            price_order(&[line("zzz", 1)], &catalog),
            Err(AppError::UnknownProduct { .. })
        ));
        assert_eq!(
            price_order(&[line("a", 3)], &catalog),
            Err(AppError::OutOfStock {
                product_id: "a".into(),
                available: 2
            })
        );
        assert_eq!(
            price_order(&[line("a", 0)], &catalog),
            Err(AppError::InvalidQuantity { max: MAX_QUANTITY })
        );
        let mut usd = product("u", "v1", 100, 5);
        usd.currency = "USD".into();
        assert_eq!(
            price_order(&[line("a", 1), line("u", 1)], &[catalog[0].clone(), usd]),
            Err(AppError::MixedCurrencies)
        );
    }
}
