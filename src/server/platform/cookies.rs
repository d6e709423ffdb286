//! Reading and writing the cookies the server owns.
use http::HeaderMap;

/// The session cookie's name on an http site (development).
const SESSION_COOKIE: &str = "refcodes_session";
/// Its name on an https site: the `__Host-` prefix makes the browser refuse it unless it was set by this very host,
/// `Secure`, for every path, so a sibling subdomain cannot plant a session of its choosing.
const HOST_SESSION_COOKIE: &str = "__Host-refcodes_session";

fn session_name(secure: bool) -> &'static str {
    if secure {
        HOST_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The session token the browser sent under the name this site uses (`secure`: an https site).
pub fn read_session(headers: &HeaderMap, secure: bool) -> Option<String> {
    read(headers, session_name(secure))
}

/// Whether the browser sent a session cookie under the name this site uses: the answer is then a member's.
pub fn has_session(headers: &HeaderMap, secure: bool) -> bool {
    read_session(headers, secure).is_some()
}

/// `Set-Cookie` for the session token (`None`: sign out).
pub fn set_session(token: Option<&str>, max_age_secs: u64, secure: bool) -> String {
    match token {
        Some(token) => set(session_name(secure), token, max_age_secs, secure),
        None => clear(session_name(secure), secure),
    }
}

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
        assert_eq!(read_session(&h, false).as_deref(), Some("abc"));
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

    #[test]
    fn an_https_site_uses_only_the_host_prefixed_session_cookie() {
        let set = set_session(Some("t"), 60, true);
        assert!(
            set.starts_with("__Host-refcodes_session=t;") && set.contains("Secure"),
            "{set}"
        );
        assert!(set_session(None, 60, true).starts_with("__Host-refcodes_session=;"));
        let mut tossed = HeaderMap::new();
        tossed.append(COOKIE, "refcodes_session=planted".parse().unwrap());
        assert_eq!(
            read_session(&tossed, true),
            None,
            "a cookie without the prefix is ignored on https"
        );
        assert!(!has_session(&tossed, true) && has_session(&tossed, false));
        tossed.append(COOKIE, "__Host-refcodes_session=ours".parse().unwrap());
        assert_eq!(read_session(&tossed, true).as_deref(), Some("ours"));
    }
}
