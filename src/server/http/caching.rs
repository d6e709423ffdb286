//! `Cache-Control` for every response that does not set its own: the site's files under `/pkg` are revalidated
//! (their names carry no content hash yet, so a deployment must be able to replace them); pages and answers for a
//! signed-in browser are never stored (they carry the member's data); anonymous pages may be cached privately but
//! are revalidated.
use crate::server::cookies::{self, SESSION_COOKIE};
use axum::extract::Request;
use axum::http::header::{HeaderValue, CACHE_CONTROL};
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use axum::middleware::Next;
use axum::response::Response;

/// The policy for a request path, by whether the browser sent a session.
pub fn policy(path: &str, signed_in: bool) -> &'static str {
    if path.starts_with("/pkg/") {
        "public, no-cache"
    } else if signed_in {
        "no-store"
    } else {
        "private, no-cache"
    }
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
    let signed_in = cookies::read(req.headers(), SESSION_COOKIE).is_some();
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

    #[test]
    fn member_data_is_never_stored_and_site_files_are_revalidated() {
        assert_eq!(policy("/en/refcodes", true), "no-store");
        assert_eq!(policy("/api/me", true), "no-store");
        assert_eq!(policy("/en/", false), "private, no-cache");
        assert_eq!(policy("/pkg/refcodes.wasm", true), "public, no-cache");
    }
}
