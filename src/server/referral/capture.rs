//! First-touch capture (the seed's `proxy.ts`): a page request carrying `?ref=CODE` of a live code (it exists, is
//! switched on and not blocked) sets the `ring_ref` cookie when the visitor has none yet. Never overwrites; a typo or
//! a dead code captures nothing, so it cannot stand in the way of a real referral. Live-ness comes from the
//! live-codes cache (`known_codes.rs`), so the landing path does not ask the database per request.
use crate::domain::refcode::{code_from_query, normalize_code, REF_COOKIE};
use crate::server::platform::cookies;
use crate::server::platform::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

/// The code this very request captured; pages read it (through the request parts) to say
/// "invited by" and to count the visit once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedRef(pub String);

pub async fn capture(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let code = capturable(req.method(), req.uri(), req.headers());
    let Some(code) = code else {
        return next.run(req).await;
    };
    if !is_live(&state, &code).await {
        return next.run(req).await;
    }
    let config = &state.config;
    req.extensions_mut().insert(CapturedRef(code.clone()));
    let mut response = next.run(req).await;
    // A redirect that carries the same `?ref=` on (`/?ref=X` → `/en/?ref=X`) leaves the capture to its target.
    if !forwards_ref(response.headers(), &code) {
        let cookie = cookies::set(
            REF_COOKIE,
            &code,
            u64::from(config.ref_cookie_days) * 86_400,
            config.secure_cookies(),
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The code to capture: a page GET (not the JSON API), a well-formed `ref`, and no `ring_ref` yet.
fn capturable(method: &Method, uri: &axum::http::Uri, headers: &HeaderMap) -> Option<String> {
    if !(method == Method::GET || method == Method::HEAD) || uri.path().starts_with("/api/") {
        return None;
    }
    let code = code_from_query(uri.query()?)?;
    cookies::read(headers, REF_COOKIE).is_none().then_some(code)
}

/// Whether `code` is live; a failed lookup counts as not (nothing is captured on a guess).
async fn is_live(state: &AppState, code: &str) -> bool {
    match state.visits.known.is_live(&state.pool, code).await {
        Ok(live) => live,
        Err(e) => {
            tracing::warn!(error = %e, code, "live-code lookup failed: nothing captured");
            false
        }
    }
}

/// [`visitor_ref`], but a cookie naming a code that is no longer live is ignored ("invited by" only for live
/// codes; what this request captured was checked already).
pub async fn live_visitor_ref(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<(String, bool)> {
    let (code, just_captured) = visitor_ref(headers, extensions)?;
    (just_captured || is_live(state, &code).await).then_some((code, just_captured))
}

fn forwards_ref(headers: &HeaderMap, code: &str) -> bool {
    headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.split_once('?'))
        .and_then(|(_, query)| code_from_query(query))
        .is_some_and(|forwarded| forwarded == code)
}

/// The visitor's referral as far as this request knows: what it just captured, else a well-formed
/// `ring_ref` cookie. `(code, just_captured)`.
pub fn visitor_ref(
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<(String, bool)> {
    if let Some(CapturedRef(code)) = extensions.get::<CapturedRef>() {
        return Some((code.clone(), true));
    }
    cookies::read(headers, REF_COOKIE)
        .and_then(|c| normalize_code(&c).ok())
        .map(|code| (code, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Uri;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn captures_well_formed_codes_on_page_gets_without_a_cookie() {
        let none = HeaderMap::new();
        assert_eq!(
            capturable(&Method::GET, &uri("/uk/store/x?utm=1&ref=summer-24"), &none).as_deref(),
            Some("SUMMER-24")
        );
        assert_eq!(
            capturable(&Method::POST, &uri("/uk/?ref=ABCD"), &none),
            None
        );
        assert_eq!(
            capturable(&Method::GET, &uri("/api/me?ref=ABCD"), &none),
            None
        );
        assert_eq!(
            capturable(&Method::GET, &uri("/uk/?ref=%3Cb%3E"), &none),
            None
        );
        let mut with_cookie = HeaderMap::new();
        with_cookie.insert(header::COOKIE, "ring_ref=FIRST".parse().unwrap());
        assert_eq!(
            capturable(&Method::GET, &uri("/uk/?ref=ABCD"), &with_cookie),
            None
        );
    }

    #[test]
    fn redirects_that_carry_the_code_on_leave_the_capture_to_their_target() {
        let mut h = HeaderMap::new();
        h.insert(header::LOCATION, "/en/?ref=ABCD".parse().unwrap());
        assert!(forwards_ref(&h, "ABCD"));
        assert!(!forwards_ref(&h, "WXYZ"));
        h.insert(header::LOCATION, "/en/signin?next=/en/".parse().unwrap());
        assert!(!forwards_ref(&h, "ABCD"));
        assert!(!forwards_ref(&HeaderMap::new(), "ABCD"));
    }
}
