//! Reading and writing the cookies the server owns.
use http::HeaderMap;

pub const SESSION_COOKIE: &str = "refcodes_session";

/// The value of cookie `name` from the request's `Cookie` headers.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure on https sites.
pub fn set(name: &str, value: &str, max_age_secs: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::COOKIE;

    #[test]
    fn reads_the_named_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, "a=1; refcodes_session=abc".parse().unwrap());
        h.append(COOKIE, "ring_ref=CODE1".parse().unwrap());
        assert_eq!(read(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(read(&h, "ring_ref").as_deref(), Some("CODE1"));
        assert_eq!(read(&h, "missing"), None);
    }

    #[test]
    fn set_cookie_has_the_safety_attributes() {
        let c = set("x", "v", 60, true);
        assert!(
            c.contains("HttpOnly")
                && c.contains("SameSite=Lax")
                && c.contains("Secure")
                && c.contains("Path=/")
        );
        assert!(!set("x", "v", 60, false).contains("Secure"));
        assert!(clear("x", false).contains("Max-Age=0"));
    }
}
