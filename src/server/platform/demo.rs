//! The demo dataset of the *run* command: one admin and one member with known dev passwords, a small
//! catalog from two vendors, and some platform credit for the member.
use crate::domain::membership::TIER_CURRENCY;
use crate::domain::store::{Localized, Product};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::server::{accounts::auth, accounts::roles, db};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// Credit the demo member starts with, in minor units.
pub const MEMBER_CREDIT: i64 = 500_000;

const VENDORS: [(&str, &str); 2] = [
    ("vendor-kyiv-roasters", "Kyiv Roasters"),
    ("vendor-carpathian-wool", "Carpathian Wool"),
];

/// id, vendor, price (kopecks), stock, names in en / uk / ru.
const PRODUCTS: [(&str, &str, i64, i64, [&str; 3]); 4] = [
    (
        "coffee-espresso-blend",
        "vendor-kyiv-roasters",
        42_000,
        500,
        [
            "Espresso blend, 1 kg",
            "Еспресо-суміш, 1 кг",
            "Эспрессо-смесь, 1 кг",
        ],
    ),
    (
        "coffee-filter-ethiopia",
        "vendor-kyiv-roasters",
        31_500,
        300,
        [
            "Ethiopia filter roast, 250 g",
            "Ефіопія, обсмаження під фільтр, 250 г",
            "Эфиопия, обжарка под фильтр, 250 г",
        ],
    ),
    (
        "wool-socks",
        "vendor-carpathian-wool",
        38_000,
        200,
        ["Wool socks", "Вовняні шкарпетки", "Шерстяные носки"],
    ),
    (
        "wool-blanket",
        "vendor-carpathian-wool",
        249_900,
        40,
        ["Wool blanket", "Вовняний плед", "Шерстяной плед"],
    ),
];

/// The demo catalog; existing rows are left alone (stock stays what sales made it).
pub async fn seed_catalog(pool: &PgPool) -> Result<(), AppError> {
    for (id, name) in VENDORS {
        db::catalog::upsert_vendor(pool, id, name).await?;
    }
    for (id, vendor, price, stock, names) in PRODUCTS {
        let name = Localized(BTreeMap::from([
            ("en".to_string(), names[0].to_string()),
            ("uk".to_string(), names[1].to_string()),
            ("ru".to_string(), names[2].to_string()),
        ]));
        let product = Product {
            id: id.into(),
            vendor_id: vendor.into(),
            vendor_name: String::new(),
            name,
            price,
            currency: TIER_CURRENCY.into(),
            stock,
        };
        db::catalog::upsert_product(pool, &product).await?;
    }
    Ok(())
}

pub const ADMIN_EMAIL: &str = "admin@refcodes.local";
pub const ADMIN_PASSWORD: &str = "admin-demo-password";
pub const MEMBER_EMAIL: &str = "member@refcodes.local";
pub const MEMBER_PASSWORD: &str = "member-demo-password";

/// Creates the demo accounts that do not exist yet (the admin one with its role, granted as an operator
/// would); running it again changes nothing. Development only: production refuses `SEED_DEMO`.
pub async fn seed(pool: &PgPool) -> Result<(), AppError> {
    for (email, password, role) in [
        (ADMIN_EMAIL, ADMIN_PASSWORD, Role::Admin),
        (MEMBER_EMAIL, MEMBER_PASSWORD, Role::Member),
    ] {
        match auth::create_account(pool, email, password, None).await {
            Ok(_) if role == Role::Admin => grant_demo_admin(pool).await?,
            Ok(_) | Err(AppError::EmailTaken) => {}
            Err(e) => return Err(e),
        }
    }
    seed_catalog(pool).await?;
    if let Some(member) = db::users::credentials_by_email(pool, MEMBER_EMAIL).await? {
        if db::credit::balance(pool, &member.user_id, TIER_CURRENCY).await? == 0 {
            db::credit::grant(pool, &member.user_id, MEMBER_CREDIT, TIER_CURRENCY, "demo").await?;
        }
    }
    tracing::info!(
        admin = ADMIN_EMAIL,
        member = MEMBER_EMAIL,
        "demo accounts ready (their development passwords are in the README)"
    );
    Ok(())
}

async fn grant_demo_admin(pool: &PgPool) -> Result<(), AppError> {
    roles::set_role(pool, ADMIN_EMAIL, Role::Admin, "demo")
        .await
        .map(|_| ())
        .map_err(|e| {
            tracing::error!(error = %e, "granting the demo admin its role");
            AppError::Internal
        })
}
