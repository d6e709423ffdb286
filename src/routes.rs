//! Every page path in one place (the seed's constants/routes.ts): router, navigation and links use these.
pub const HOME: &str = "";
pub const SIGN_IN: &str = "signin";
pub const SIGN_UP: &str = "signup";
pub const STORE: &str = "store";
pub const MEMBERSHIP: &str = "membership";
pub const REFCODES: &str = "refcodes";
pub const ORDERS: &str = "orders";
pub const TEST_PAYMENT: &str = "pay/test";
pub const ADMIN: &str = "admin";
pub const ADMIN_REFCODES: &str = "admin/refcodes";

/// Whether a request asks for a page: a `GET` or `HEAD` of neither the API (server functions included) nor the
/// site's files. The server resolves such a request's shell before it renders.
pub fn is_page(method: &str, path: &str) -> bool {
    matches!(method, "GET" | "HEAD") && !path.starts_with("/api/") && !path.starts_with("/pkg/")
}

/// The current locale's path prefix, e.g. `"uk"`.
pub fn use_locale_code() -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    use crate::i18n::*;
    let i18n = use_i18n();
    move || i18n.get_locale().as_str()
}

/// The localized URL of a route: `href("uk", REFCODES)` → `/uk/refcodes`.
pub fn href(locale: &str, route: &str) -> String {
    format!("/{locale}/{route}")
}

/// An order's page: `/en/orders/RC-…`.
pub fn order(locale: &str, reference: &str) -> String {
    format!("/{locale}/{ORDERS}/{reference}")
}

/// The test payment page of an order.
pub fn test_payment(locale: &str, reference: &str) -> String {
    format!("/{locale}/{TEST_PAYMENT}/{reference}")
}

/// The sign-in page that returns to `next` afterwards.
pub fn sign_in_then(locale: &str, next: &str) -> String {
    // Slashes may stay: the value is a path, and reads better unescaped.
    let encoded = query_value(next).replace("%2F", "/");
    format!("{}?next={encoded}", href(locale, SIGN_IN))
}

/// Percent-encodes a query value (pages build their links from what they show).
pub fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_localized() {
        assert_eq!(href("uk", REFCODES), "/uk/refcodes");
        assert_eq!(href("en", HOME), "/en/");
        assert_eq!(href("ru", ADMIN_REFCODES), "/ru/admin/refcodes");
        assert_eq!(ADMIN_REFCODES, format!("{ADMIN}/{REFCODES}"));
    }

    #[test]
    fn pages_are_gets_of_neither_the_api_nor_the_site_files() {
        assert!(is_page("GET", "/uk/store"));
        assert!(is_page("HEAD", "/"));
        assert!(!is_page("POST", "/uk/"));
        assert!(!is_page("GET", "/api/me"));
        assert!(!is_page("GET", "/pkg/refcodes.js"));
    }

    #[test]
    fn next_is_encoded() {
        assert_eq!(
            sign_in_then("en", "/en/refcodes?tab=a&b=c"),
            "/en/signin?next=/en/refcodes%3Ftab%3Da%26b%3Dc"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::query_value("a b&c=d@e.f/ж"),
            "a%20b%26c%3Dd%40e.f%2F%D0%B6"
        );
    }
}
