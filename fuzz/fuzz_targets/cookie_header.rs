//! Any `Cookie` header a client sends: reading the session and the first-touch cookie never panics.
#![no_main]
use http::{header::COOKIE, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use refcodes::server::platform::cookies;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.append(COOKIE, value.clone());
    headers.append(COOKIE, value);
    for secure in [false, true] {
        let _ = cookies::read_session(&headers, secure);
        let _ = cookies::has_session(&headers, secure);
    }
    let _ = cookies::read(&headers, "ring_ref");
});
