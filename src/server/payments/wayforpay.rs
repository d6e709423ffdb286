//! WayForPay's signatures and messages (pure): the serviceUrl notification it sends, the answer it expects,
//! and the purchase form a live checkout posts. Every signature is hex HMAC-MD5 over `;`-joined raw values.
use hmac::{Hmac, Mac};
use md5::Md5;
use serde_json::value::RawValue;
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The signed fields of a notification, in signing order.
const NOTIFICATION_FIELDS: [&str; 8] = [
    "merchantAccount",
    "orderReference",
    "amount",
    "currency",
    "authCode",
    "cardPan",
    "transactionStatus",
    "reasonCode",
];

pub fn sign(key: &str, parts: &[&str]) -> String {
    let mut mac = Hmac::<Md5>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(parts.join(";").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A serviceUrl notification: every top-level field as its raw text (strings unescaped, numbers as sent,
/// so `1547.36` stays `1547.36`), which is what the signature covers.
#[derive(Debug, Clone)]
pub struct Notification {
    fields: HashMap<String, String>,
}

impl Notification {
    pub fn parse(body: &[u8]) -> Result<Notification, String> {
        let raw: HashMap<String, Box<RawValue>> =
            serde_json::from_slice(body).map_err(|e| format!("not a JSON object: {e}"))?;
        let fields = raw
            .into_iter()
            .filter_map(|(k, v)| {
                let text = v.get();
                let value = if text.starts_with('"') {
                    serde_json::from_str::<String>(text).ok()?
                } else if text == "null" {
                    return None;
                } else {
                    text.to_string()
                };
                Some((k, value))
            })
            .collect();
        Ok(Notification { fields })
    }

    /// A field's raw value; missing is empty, as the signature treats it.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    pub fn order_reference(&self) -> &str {
        self.field("orderReference")
    }

    pub fn transaction_status(&self) -> &str {
        self.field("transactionStatus")
    }

    pub fn expected_signature(&self, key: &str) -> String {
        let parts: Vec<&str> = NOTIFICATION_FIELDS.iter().map(|f| self.field(f)).collect();
        sign(key, &parts)
    }

    /// Compares `merchantSignature` in constant time.
    pub fn signature_ok(&self, key: &str) -> bool {
        let expected = self.expected_signature(key);
        let given = self.field("merchantSignature").to_ascii_lowercase();
        expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    }
}

/// What the test payment page sends in the provider's place.
pub struct TestNotice<'a> {
    pub merchant_account: &'a str,
    pub order_reference: &'a str,
    pub amount: &'a str,
    pub currency: &'a str,
    pub transaction_status: &'a str,
    pub reason_code: &'a str,
    pub time: i64,
}

/// A complete signed notification body, shaped as WayForPay sends it (the amount a JSON number, as signed).
pub fn notification_body(key: &str, n: &TestNotice<'_>) -> Result<String, String> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        merchant_account: &'a str,
        order_reference: &'a str,
        merchant_signature: String,
        amount: &'a RawValue,
        currency: &'a str,
        auth_code: &'a str,
        email: &'a str,
        phone: &'a str,
        created_date: i64,
        processing_date: i64,
        card_pan: &'a str,
        card_type: &'a str,
        issuer_bank_country: &'a str,
        issuer_bank_name: &'a str,
        transaction_status: &'a str,
        reason: &'a str,
        reason_code: &'a RawValue,
        fee: u32,
        payment_system: &'a str,
    }
    fn number(text: &str) -> Result<&RawValue, String> {
        serde_json::from_str::<&RawValue>(text)
            .ok()
            .filter(|raw| !raw.get().starts_with('"'))
            .ok_or_else(|| format!("{text:?} is not a JSON number"))
    }
    let approved = n.transaction_status == "Approved";
    let auth_code = if approved { "541963" } else { "" };
    let card_pan = "41****4242";
    let merchant_signature = sign(
        key,
        &[
            n.merchant_account,
            n.order_reference,
            n.amount,
            n.currency,
            auth_code,
            card_pan,
            n.transaction_status,
            n.reason_code,
        ],
    );
    let body = Body {
        merchant_account: n.merchant_account,
        order_reference: n.order_reference,
        merchant_signature,
        amount: number(n.amount)?,
        currency: n.currency,
        auth_code,
        email: "",
        phone: "",
        created_date: n.time,
        processing_date: n.time,
        card_pan,
        card_type: "Visa",
        issuer_bank_country: "Ukraine",
        issuer_bank_name: "Test bank",
        transaction_status: n.transaction_status,
        reason: if approved { "Ok" } else { "Test" },
        reason_code: number(n.reason_code)?,
        fee: 0,
        payment_system: "card",
    };
    serde_json::to_string(&body).map_err(|e| e.to_string())
}

/// The answer WayForPay expects once the notification is stored: `orderReference;accept;time` signed.
pub fn accept_answer(key: &str, order_reference: &str, time: i64) -> serde_json::Value {
    let time_text = time.to_string();
    serde_json::json!({
        "orderReference": order_reference,
        "status": "accept",
        "time": time,
        "signature": sign(key, &[order_reference, "accept", &time_text]),
    })
}

/// One product line of a purchase form.
pub struct FormProduct {
    pub name: String,
    pub count: u32,
    pub price: String,
}

pub struct Purchase<'a> {
    pub merchant_account: &'a str,
    pub merchant_domain: &'a str,
    pub order_reference: &'a str,
    pub order_date: i64,
    pub amount: &'a str,
    pub currency: &'a str,
    pub products: &'a [FormProduct],
}

/// `merchantSignature` of a purchase form: account; domain; reference; date; amount; currency;
/// every product name; every count; every price.
pub fn purchase_signature(key: &str, p: &Purchase<'_>) -> String {
    let date = p.order_date.to_string();
    let mut parts = vec![
        p.merchant_account,
        p.merchant_domain,
        p.order_reference,
        &date,
        p.amount,
        p.currency,
    ];
    let counts: Vec<String> = p.products.iter().map(|x| x.count.to_string()).collect();
    parts.extend(p.products.iter().map(|x| x.name.as_str()));
    parts.extend(counts.iter().map(String::as_str));
    parts.extend(p.products.iter().map(|x| x.price.as_str()));
    sign(key, &parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed independently with Python: hmac.new(KEY, s.encode(), hashlib.md5).hexdigest().
    const KEY: &str = "flk3409refn54t54t*FNJRET";

    #[test]
    fn notification_signature_matches_python_hmac() {
        let body = br#"{"merchantAccount":"test_merch_n1","orderReference":"RC-1001","amount":1547.36,
            "currency":"UAH","authCode":"541963","cardPan":"4102****8217","transactionStatus":"Approved",
            "reasonCode":1100,"merchantSignature":"6BE53474401DD9DEECA773EE8829CBA2","email":null}"#;
        let n = Notification::parse(body).unwrap();
        assert_eq!(
            n.expected_signature(KEY),
            "6be53474401dd9deeca773ee8829cba2"
        );
        assert!(n.signature_ok(KEY));
        assert!(!n.signature_ok("another key"));
        assert_eq!(n.field("amount"), "1547.36");
        assert_eq!(n.field("email"), "");
    }

    #[test]
    fn missing_fields_sign_as_empty() {
        let body = br#"{"merchantAccount":"test_merch_n1","orderReference":"RC-1002","amount":100,
            "currency":"UAH","transactionStatus":"Declined","reasonCode":"1101"}"#;
        let n = Notification::parse(body).unwrap();
        assert_eq!(
            n.expected_signature(KEY),
            "af1feea09626c61409af2139e1cdc926"
        );
        assert!(!n.signature_ok(KEY), "no merchantSignature at all");
    }

    #[test]
    fn the_answer_signs_reference_accept_time() {
        let a = accept_answer(KEY, "RC-1001", 1_700_000_000);
        assert_eq!(a["signature"], "dcc1c5205b6b6e762f2cdce7fd09c6c1");
        assert_eq!(a["status"], "accept");
        assert_eq!(a["time"], 1_700_000_000);
    }

    #[test]
    fn purchase_form_signature_matches_python_hmac() {
        let products = [
            FormProduct {
                name: "Процесор Intel Core i5-4670 3.4GHz".into(),
                count: 1,
                price: "1000".into(),
            },
            FormProduct {
                name: "Память Kingston DDR3-1600 4096MB PC3-12800".into(),
                count: 1,
                price: "547.36".into(),
            },
        ];
        let p = Purchase {
            merchant_account: "test_merch_n1",
            merchant_domain: "www.market.ua",
            order_reference: "DH783023",
            order_date: 1_415_379_863,
            amount: "1547.36",
            currency: "UAH",
            products: &products,
        };
        assert_eq!(
            purchase_signature(KEY, &p),
            "29bd60853d6fba7a35a2a12d8a2eca5f"
        );
    }

    #[test]
    fn test_notices_verify_like_real_ones() {
        let body = notification_body(
            KEY,
            &TestNotice {
                merchant_account: "m",
                order_reference: "RC-9",
                amount: "12.50",
                currency: "UAH",
                transaction_status: "Approved",
                reason_code: "1100",
                time: 1,
            },
        )
        .unwrap();
        let n = Notification::parse(body.as_bytes()).unwrap();
        assert!(n.signature_ok(KEY));
        assert_eq!(n.field("amount"), "12.50");
        assert_eq!(n.transaction_status(), "Approved");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Notification::parse(b"[1,2]").is_err());
        assert!(Notification::parse(b"not json").is_err());
    }
}
