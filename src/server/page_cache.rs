//! The anonymous landing page from memory. `GET /{locale}/?ref=CODE` is what every share link opens, so it
//! must hold a high rate: for a visitor without a session the page depends only on the URL and the referral
//! the request carries (see `ref_capture`), so a rendered page is kept for [`TTL`] under exactly that key
//! and served again without rendering. Signed-in visitors, other pages and anything but a plain 200 are never
//! cached. The capture middleware runs outside this one: each response still gets its own `ring_ref` cookie.
//! Each copy served gets a nonce of its own, in its Content Security Policy and on its inline scripts: a nonce
//! seen twice could be borrowed by an injected script.
use super::cookies;
use super::http::security_headers;
use super::ref_capture::visitor_ref;
use crate::domain::locale::is_supported;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(10);
/// Bounds memory when many different links are opened (each distinct URL is one entry).
pub const MAX_ENTRIES: usize = 2_000;
/// A landing page is a few tens of kilobytes; anything bigger is not cached.
const MAX_BODY: usize = 1 << 20;

struct Page {
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
}

pub struct PageCache {
    pages: Mutex<HashMap<String, Arc<Page>>>,
    /// The site is on https: which session cookie counts.
    https: bool,
}

pub async fn serve(State(cache): State<Arc<PageCache>>, req: Request, next: Next) -> Response {
    let Some(key) = cache_key(&req, cache.https) else {
        return next.run(req).await;
    };
    if let Some(page) = cache.get(&key) {
        metrics::counter!("page_cache_hits_total").increment(1);
        return respond(&page);
    }
    let response = next.run(req).await;
    let cacheable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    if !cacheable {
        return response;
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(body) => {
            let page = Arc::new(Page {
                stored: Instant::now(),
                headers: parts.headers,
                body,
            });
            cache.put(key, page.clone());
            respond(&page)
        }
        // Too big or broken mid-way: the visitor gets an error rather than half a page.
        Err(e) => {
            tracing::warn!(error = %e, "landing page body could not be read");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `None` unless this is an anonymous `GET` of a landing page (`/{locale}` after path normalization).
fn cache_key(req: &Request, https: bool) -> Option<String> {
    if req.method() != Method::GET || cookies::has_session(req.headers(), https) {
        return None;
    }
    let locale = req.uri().path().strip_prefix('/')?;
    if !is_supported(locale) {
        return None;
    }
    let referral = visitor_ref(req.headers(), req.extensions())
        .map(|(code, fresh)| format!("{code}:{fresh}"))
        .unwrap_or_default();
    Some(format!(
        "{locale}?{}#{referral}",
        req.uri().query().unwrap_or("")
    ))
}

fn respond(page: &Page) -> Response {
    let mut headers = page.headers.clone();
    let rendered = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(security_headers::policy_nonce)
        .map(str::to_owned);
    let body = match (rendered, std::str::from_utf8(&page.body)) {
        (Some(old), Ok(html)) => {
            let new = leptos::nonce::Nonce::new();
            let policy = security_headers::page_policy(&new);
            if let Ok(value) = HeaderValue::from_str(&policy) {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            // Everywhere: Leptos also writes it into the preload links' `crossorigin`.
            Body::from(html.replace(old.as_str(), &new))
        }
        _ => Body::from(page.body.clone()),
    };
    let mut response = Response::new(body);
    *response.headers_mut() = headers;
    response
}

impl PageCache {
    pub fn new(https: bool) -> PageCache {
        PageCache {
            pages: Mutex::default(),
            https,
        }
    }

    fn get(&self, key: &str) -> Option<Arc<Page>> {
        self.lock()
            .get(key)
            .filter(|p| p.stored.elapsed() < TTL)
            .cloned()
    }

    fn put(&self, key: String, page: Arc<Page>) {
        let mut pages = self.lock();
        if pages.len() >= MAX_ENTRIES {
            pages.retain(|_, p| p.stored.elapsed() < TTL);
            if pages.len() >= MAX_ENTRIES {
                pages.clear();
            }
        }
        pages.insert(key, page);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Page>>> {
        self.pages.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ref_capture::CapturedRef;

    fn get(uri: &str, cookie: Option<&str>) -> Request {
        let mut req = Request::get(uri).body(Body::empty()).unwrap();
        if let Some(c) = cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        req
    }

    #[test]
    fn only_anonymous_landing_gets_are_cached_keyed_by_url_and_referral() {
        assert_eq!(
            cache_key(&get("/uk?ref=ABCD", None), false).as_deref(),
            Some("uk?ref=ABCD#")
        );
        assert_eq!(cache_key(&get("/en", None), false).as_deref(), Some("en?#"));
        assert_eq!(
            cache_key(&get("/en?ref=WXYZ", Some("ring_ref=abcd")), false).as_deref(),
            Some("en?ref=WXYZ#ABCD:false")
        );
        let mut fresh = get("/ru?ref=abcd", None);
        fresh.extensions_mut().insert(CapturedRef("ABCD".into()));
        assert_eq!(
            cache_key(&fresh, false).as_deref(),
            Some("ru?ref=abcd#ABCD:true")
        );

        assert_eq!(
            cache_key(&get("/uk", Some("refcodes_session=t")), false),
            None
        );
        assert_eq!(cache_key(&get("/uk/store", None), false), None);
        assert_eq!(cache_key(&get("/de", None), false), None);
        assert_eq!(cache_key(&get("/", None), false), None);
        let post = Request::post("/uk").body(Body::empty()).unwrap();
        assert_eq!(cache_key(&post, false), None);
    }

    #[test]
    fn pages_expire_and_the_cache_is_bounded() {
        let cache = PageCache::new(false);
        let page = |age: Duration| {
            Arc::new(Page {
                stored: Instant::now() - age,
                headers: HeaderMap::new(),
                body: Bytes::from_static(b"<html></html>"),
            })
        };
        cache.put("fresh".into(), page(Duration::ZERO));
        cache.put("stale".into(), page(TTL + Duration::from_millis(1)));
        assert!(cache.get("fresh").is_some());
        assert!(cache.get("stale").is_none());
        for i in 0..MAX_ENTRIES {
            cache.put(format!("k{i}"), page(Duration::ZERO));
        }
        assert!(cache.lock().len() <= MAX_ENTRIES);
    }
}
