//! Headers every response carries so that a browser confines the site: no page of it may be framed by another
//! site (clickjacking of the admin ledger), nothing is sniffed into a script, links to other sites learn only the
//! origin, and an https site is never asked for over plain http again (HSTS).
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const ALWAYS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
];
/// One year, subdomains included: every brand deployment is https end to end.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// `https`: the site is served over https (`SITE_URL`), so HSTS is sent too.
pub async fn set(State(https): State<bool>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    for (name, value) in ALWAYS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(HSTS));
    }
    resp
}
