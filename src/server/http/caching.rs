//! `Cache-Control` for every response that does not set its own: the site's files under `/pkg` whose names carry
//! their content's hash (the release build's `refcodes.<md5>.wasm` …) are kept for a year and never revalidated —
//! a new build has new names; other files there are revalidated; pages and answers for a signed-in browser are
//! never stored (they carry the member's data); anonymous pages may be cached privately but are revalidated.
use crate::server::cookies;
use axum::extract::Request;
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;

/// The policy for a request path, by whether the browser sent a session.
pub fn policy(path: &str, signed_in: bool) -> &'static str {
    if let Some(file) = path.strip_prefix("/pkg/") {
        if content_hashed(file) {
            "public, max-age=31536000, immutable"
        } else {
            "public, no-cache"
        }
    } else if signed_in {
        "no-store"
    } else {
        "private, no-cache"
    }
}

/// A name like `refcodes.<hash>.wasm`: one dotted part is an MD5 in unpadded base64url (22 characters), as
/// cargo-leptos names the files it hashes.
fn content_hashed(file: &str) -> bool {
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part.bytes().any(|b| b != b'_')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether a response may be compressed: not one for a signed-in browser (`no-store`). Its member data beside
/// anything the request reflects (a query string) would let a cross-site attacker guess that data from the
/// compressed length (BREACH).
pub fn may_compress(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(CACHE_CONTROL)
        .is_none_or(|v| v.as_bytes() != b"no-store")
}

pub async fn set_cache_control(req: Request, next: Next) -> Response {
    let signed_in = cookies::has_session(req.headers());
    let value = policy(req.uri().path(), signed_in);
    let mut resp = next.run(req).await;
    resp.headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(value));
    resp
}

#[cfg(test)]
mod tests {
    use super::policy;

    const IMMUTABLE: &str = "public, max-age=31536000, immutable";

    #[test]
    fn member_data_is_never_stored_and_unhashed_site_files_are_revalidated() {
        assert_eq!(policy("/en/refcodes", true), "no-store");
        assert_eq!(policy("/api/me", true), "no-store");
        assert_eq!(policy("/en/", false), "private, no-cache");
        assert_eq!(policy("/pkg/refcodes.wasm", true), "public, no-cache");
        assert_eq!(
            policy("/pkg/__wasm_split.______________________.js", false),
            "public, no-cache"
        );
        assert_eq!(
            policy("/en/refcodes.ab12CD34ef56GH78ij90Kl.x", false),
            "private, no-cache"
        );
    }

    #[test]
    fn files_named_by_their_content_are_immutable() {
        for path in [
            "/pkg/refcodes.Xq1-Ab_9zzYYwwVVuuTTss.wasm",
            "/pkg/refcodes.Xq1-Ab_9zzYYwwVVuuTTss.js",
            "/pkg/__wasm_split.b5Qv0Xq1Ab9zzYYwwVVuuT.js",
            "/pkg/snippets/leptos-0a1b/inline0.Xq1-Ab_9zzYYwwVVuuTTss.js",
        ] {
            assert_eq!(policy(path, false), IMMUTABLE, "{path}");
        }
        assert_eq!(
            policy("/pkg/refcodes.short.wasm", false),
            "public, no-cache"
        );
    }
}
