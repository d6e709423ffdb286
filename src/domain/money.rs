//! Money in integer minor units with an ISO currency; parsing and showing amounts without floats.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Minor units (kopecks, cents).
    pub amount: i64,
    pub currency: String,
}

/// Digits after the decimal point for `currency` (ISO 4217; the currencies without minor units are listed).
pub fn exponent(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" => 0,
        _ => 2,
    }
}

/// `154736, "UAH"` → `"1547.36"`: the provider's decimal form (no grouping, always every minor digit).
pub fn to_decimal(amount: i64, currency: &str) -> String {
    let exp = exponent(currency);
    if exp == 0 {
        return amount.to_string();
    }
    let unit = 10i64.pow(exp);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / unit as u64,
        abs % unit as u64,
        width = exp as usize
    )
}

/// `"1547.36"` or `"1547.4"` or `"1547"` → minor units; `None` for anything else (more digits than the
/// currency has, signs, exponents, blanks).
pub fn parse_decimal(raw: &str, currency: &str) -> Option<i64> {
    let exp = exponent(currency) as usize;
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > exp {
        return None;
    }
    let frac = format!("{frac:0<exp$}");
    format!("{whole}{frac}").parse().ok()
}

/// For people: `"1 547.36 UAH"` (thin groups of three).
pub fn display(amount: i64, currency: &str) -> String {
    let plain = to_decimal(amount, currency);
    let (sign, rest) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |r| ("-", r));
    let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!("{sign}{grouped}{frac} {currency}")
}

impl Money {
    pub fn display(&self) -> String {
        display(self.amount, &self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_without_floats() {
        assert_eq!(to_decimal(154_736, "UAH"), "1547.36");
        assert_eq!(to_decimal(5, "UAH"), "0.05");
        assert_eq!(to_decimal(-150, "USD"), "-1.50");
        assert_eq!(to_decimal(1200, "JPY"), "1200");
        assert_eq!(parse_decimal("1547.36", "UAH"), Some(154_736));
        assert_eq!(parse_decimal("1547.4", "UAH"), Some(154_740));
        assert_eq!(parse_decimal("1547", "UAH"), Some(154_700));
        assert_eq!(parse_decimal("1200", "JPY"), Some(1200));
    }

    #[test]
    fn odd_decimals_are_refused() {
        for bad in ["", ".5", "1.234", "-1.00", "1e3", "1,00", " 1.00", "1.0.0"] {
            assert_eq!(parse_decimal(bad, "UAH"), None, "{bad:?}");
        }
        assert_eq!(parse_decimal("12.5", "JPY"), None);
    }

    #[test]
    fn display_groups_thousands() {
        assert_eq!(
            display(123_456_789, "UAH"),
            "1\u{202f}234\u{202f}567.89 UAH"
        );
        assert_eq!(display(99, "UAH"), "0.99 UAH");
        assert_eq!(display(100_000, "JPY"), "100\u{202f}000 JPY");
    }
}
