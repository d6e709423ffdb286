//! The anonymous landing page from memory. `GET /{locale}/?ref=CODE` is what every share link opens, so it
//! must hold a high rate: for a visitor without a session the page depends only on the URL and the referral
//! the request carries (see `referral/capture.rs`), so a rendered page is kept for [`TTL`] under exactly that key
//! and served again without rendering; concurrent misses of one key render once. The cache (moka) is bounded in
//! bytes ([`MAX_BYTES`]) and evicts what is least used, never everything at once. Signed-in visitors, other pages,
//! other query strings and anything but a plain 200 are never cached. The capture middleware runs outside this one: each response still gets its own `ring_ref` cookie.
//! Each copy served gets a nonce of its own, in its Content Security Policy and on its inline scripts: a nonce
//! seen twice could be borrowed by an injected script.
use crate::domain::locale::is_supported;
use crate::domain::refcode::{normalize_code, Invite};
use crate::server::http::security_headers;
use crate::server::platform::cookies;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use moka::future::Cache;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(10);
/// Bounds the memory of the cache, pages, headers and keys together, however many different links are opened.
pub const MAX_BYTES: u64 = 16 << 20;
/// A landing page is a few tens of kilobytes; anything bigger is not cached (and eviction, which runs in batches,
/// overshoots [`MAX_BYTES`] by little).
const MAX_BODY: usize = 256 << 10;

struct Page {
    headers: HeaderMap,
    body: Bytes,
}

impl Page {
    /// What the page holds in memory, roughly: its body and headers.
    fn weight(&self) -> u32 {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        u32::try_from(self.body.len() + headers).unwrap_or(u32::MAX)
    }
}

pub struct PageCache {
    pages: Cache<String, Arc<Page>>,
    /// The site is on https: which session cookie counts.
    https: bool,
}

/// Serves a cached copy, or renders once for every concurrent request of the same key (single flight) and keeps the
/// page when it may be kept; a response that may not (not a plain 200 HTML page) goes to the request that rendered
/// it, and the others render their own.
pub async fn serve(State(cache): State<Arc<PageCache>>, req: Request, next: Next) -> Response {
    let Some(key) = cache_key(&req, cache.https) else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let mut request = Some((req, next));
    let mut uncached = None;
    let rendered = cache
        .pages
        .try_get_with(key, async {
            let (req, next) = request.take().ok_or(())?;
            render(req, next).await.map_err(|response| {
                uncached = Some(response);
            })
        })
        .await;
    match (rendered, uncached, request) {
        (Ok(page), _, rendering) => {
            if rendering.is_some() {
                count_hit(started);
            }
            respond(&page)
        }
        (Err(_), Some(response), _) => response,
        (Err(_), None, Some((req, next))) => next.run(req).await,
        (Err(_), None, None) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Renders the page; `Ok` when it may be kept.
async fn render(req: Request, next: Next) -> Result<Arc<Page>, Response> {
    let response = next.run(req).await;
    let cacheable = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    if !cacheable {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, MAX_BODY).await {
        Ok(body) => Ok(Arc::new(Page {
            headers: parts.headers,
            body,
        })),
        // Too big or broken mid-way: the visitor gets an error rather than half a page.
        Err(e) => {
            tracing::warn!(error = %e, "landing page body could not be read");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// A page served from memory is a request like any other in `/metrics`.
fn count_hit(started: Instant) {
    metrics::counter!("page_cache_hits_total").increment(1);
    let labels = [
        ("method", "GET".to_owned()),
        ("route", "/{locale} (cached)".to_owned()),
        ("status", "200".to_owned()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
}

/// `None` unless this is an anonymous `GET` of a landing page (`/{locale}` after path normalization) whose query is
/// nothing or exactly `ref=CODE` with the code as stored (upper case): the page depends on nothing else, and any
/// other query is rendered every time rather than made a key (keys stay short; the byte bound holds either way).
fn cache_key(req: &Request, https: bool) -> Option<String> {
    if req.method() != Method::GET || cookies::has_session(req.headers(), https) {
        return None;
    }
    let locale = req.uri().path().strip_prefix('/')?;
    if !is_supported(locale) {
        return None;
    }
    let linked = match req.uri().query().unwrap_or("") {
        "" => String::new(),
        query => {
            let raw = query.strip_prefix("ref=")?;
            normalize_code(raw).ok().filter(|code| code == raw)?
        }
    };
    let referral = req
        .extensions()
        .get::<Invite>()
        .map(|invite| format!("{}:{}", invite.code, invite.just_captured))
        .unwrap_or_default();
    Some(format!("{locale}?{linked}#{referral}"))
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
            pages: Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|key: &String, page: &Arc<Page>| {
                    page.weight()
                        .saturating_add(u32::try_from(key.len()).unwrap_or(u32::MAX))
                })
                .time_to_live(TTL)
                .build(),
            https,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    fn get_req(uri: &str, cookie: Option<&str>) -> Request {
        let mut req = Request::get(uri).body(Body::empty()).unwrap();
        if let Some(c) = cookie {
            req.headers_mut().insert(header::COOKIE, c.parse().unwrap());
        }
        req
    }

    #[test]
    fn only_anonymous_landing_gets_with_a_plain_link_are_cached() {
        let key = |uri: &str, cookie: Option<&str>| cache_key(&get_req(uri, cookie), false);
        assert_eq!(key("/uk?ref=ABCD", None).as_deref(), Some("uk?ABCD#"));
        assert_eq!(key("/en", None).as_deref(), Some("en?#"));
        let with_invite = |uri: &str, code: &str, just_captured: bool| {
            let mut req = get_req(uri, None);
            req.extensions_mut().insert(Invite {
                code: code.into(),
                just_captured,
            });
            cache_key(&req, false)
        };
        assert_eq!(
            with_invite("/en?ref=WXYZ", "ABCD", false).as_deref(),
            Some("en?WXYZ#ABCD:false")
        );
        assert_eq!(
            with_invite("/ru?ref=ABCD", "ABCD", true).as_deref(),
            Some("ru?ABCD#ABCD:true")
        );

        for uncached in [
            "/uk?ref=abcd",
            "/uk?ref=ABCD&utm_source=x",
            "/uk?x=1",
            "/uk?ref=",
            "/uk?ref=NO%20SPACE",
            "/uk/store",
            "/de",
            "/",
        ] {
            assert_eq!(key(uncached, None), None, "{uncached}");
        }
        assert_eq!(key("/uk", Some("refcodes_session=t")), None);
        let post = Request::post("/uk").body(Body::empty()).unwrap();
        assert_eq!(cache_key(&post, false), None);
    }

    /// A landing route that counts its renders and takes a while, behind the cache.
    fn app(renders: Arc<AtomicUsize>, body: &'static str) -> Router {
        let page = move || {
            let renders = renders.clone();
            async move {
                renders.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
            }
        };
        Router::new()
            .route("/{locale}", get(page))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(PageCache::new(false)),
                serve,
            ))
    }

    #[tokio::test]
    async fn concurrent_misses_render_once_and_other_queries_always_render() {
        let renders = Arc::new(AtomicUsize::new(0));
        let app = app(renders.clone(), "<html>landing</html>");
        let calls = (0..16).map(|_| app.clone().oneshot(get_req("/en?ref=ABCD", None)));
        for response in futures::future::join_all(calls).await {
            let response = response.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let body = to_bytes(response.into_body(), MAX_BODY).await.unwrap();
            assert_eq!(&body[..], b"<html>landing</html>");
        }
        assert_eq!(
            renders.load(Ordering::SeqCst),
            1,
            "one render for 16 requests"
        );
        for i in 0..3 {
            let uri = format!("/en?ref=ABCD&utm={i}");
            let response = app.clone().oneshot(get_req(&uri, None)).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
        }
        assert_eq!(
            renders.load(Ordering::SeqCst),
            4,
            "never cached, never keyed"
        );
    }

    #[tokio::test]
    async fn the_cache_is_bounded_in_bytes() {
        let cache = PageCache::new(false);
        let body = Bytes::from(vec![b'x'; 256 * 1024]);
        for i in 0..200 {
            let page = Arc::new(Page {
                headers: HeaderMap::new(),
                body: body.clone(),
            });
            cache.pages.insert(format!("en?CODE{i}#"), page).await;
        }
        cache.pages.run_pending_tasks().await;
        assert!(
            cache.pages.weighted_size() <= MAX_BYTES,
            "{}",
            cache.pages.weighted_size()
        );
        assert!(cache.pages.entry_count() > 0, "the cache still holds pages");
    }
}
