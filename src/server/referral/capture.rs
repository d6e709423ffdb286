//! First-touch capture (the seed's `proxy.ts`): a page request carrying `?ref=CODE` of a live code (it exists, is
//! switched on and not blocked) sets the `ring_ref` cookie when the visitor has none yet. Never overwrites; a typo or
//! a dead code captures nothing, so it cannot stand in the way of a real referral. Live-ness comes from the
//! live-codes cache (`known_codes.rs`), so the landing path does not ask the database per request.
use crate::domain::refcode::{code_from_query, normalize_code, Invite, REF_COOKIE};
use crate::server::platform::cookies;
use crate::server::platform::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Resolves the page request's referral before the page renders: the live [`Invite`] goes into the request's
/// extensions (the page's shell and cache key read it there), and a code first seen here sets the cookie.
pub async fn capture(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !crate::routes::is_page(req.method().as_str(), req.uri().path()) {
        return next.run(req).await;
    }
    let invite = match claimed_ref(req.uri(), req.headers()) {
        Some((code, from_query)) if is_live(&state, &code).await => Some(Invite {
            code,
            just_captured: from_query,
        }),
        _ => None,
    };
    let Some(invite) = invite else {
        return next.run(req).await;
    };
    let captured = invite.just_captured.then(|| invite.code.clone());
    req.extensions_mut().insert(invite);
    let mut response = next.run(req).await;
    // A redirect that carries the same `?ref=` on (`/?ref=X` → `/en/?ref=X`) leaves the capture to its target.
    if let Some(code) = captured.filter(|code| !forwards_ref(response.headers(), code)) {
        let config = &state.config;
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

/// The code a page request refers to, before the live check: a well-formed `ring_ref` cookie's when the visitor
/// has one (first touch: it is never replaced, and a malformed one blocks nothing but captures nothing), else a
/// well-formed `?ref=`. `(code, from the query)`.
fn claimed_ref(uri: &axum::http::Uri, headers: &HeaderMap) -> Option<(String, bool)> {
    match cookies::read(headers, REF_COOKIE) {
        Some(cookie) => normalize_code(&cookie).ok().map(|code| (code, false)),
        None => code_from_query(uri.query()?).map(|code| (code, true)),
    }
}

/// Whether `code` is live; a failed lookup counts as not (nothing is captured or shown on a guess).
async fn is_live(state: &AppState, code: &str) -> bool {
    match state.visits.known.is_live(&state.pool, code).await {
        Ok(live) => live,
        Err(e) => {
            tracing::warn!(error = %e, code, "live-code lookup failed: nothing captured");
            false
        }
    }
}

fn forwards_ref(headers: &HeaderMap, code: &str) -> bool {
    headers
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.split_once('?'))
        .and_then(|(_, query)| code_from_query(query))
        .is_some_and(|forwarded| forwarded == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Uri;

    fn uri(s: &str) -> Uri {
        s.parse().unwrap()
    }

    #[test]
    fn a_page_refers_to_the_cookie_code_else_a_well_formed_query_code() {
        let none = HeaderMap::new();
        assert_eq!(
            claimed_ref(&uri("/uk/store/x?utm=1&ref=summer-24"), &none),
            Some(("SUMMER-24".into(), true))
        );
        assert_eq!(claimed_ref(&uri("/uk/?ref=%3Cb%3E"), &none), None);
        assert_eq!(claimed_ref(&uri("/uk/"), &none), None);
        let mut with_cookie = HeaderMap::new();
        with_cookie.insert(header::COOKIE, "ring_ref=first".parse().unwrap());
        assert_eq!(
            claimed_ref(&uri("/uk/?ref=ABCD"), &with_cookie),
            Some(("FIRST".into(), false))
        );
        let mut malformed = HeaderMap::new();
        malformed.insert(header::COOKIE, "ring_ref=<b>".parse().unwrap());
        assert_eq!(claimed_ref(&uri("/uk/?ref=ABCD"), &malformed), None);
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
