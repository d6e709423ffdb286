//! `?ref=` query strings and typed codes: never a panic; a code that is accepted is accepted again unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use refcodes::domain::refcode::{code_from_query, normalize_code};

fuzz_target!(|text: &str| {
    if let Some(code) = code_from_query(text) {
        assert_eq!(normalize_code(&code).as_deref(), Ok(code.as_str()));
    }
    if let Ok(code) = normalize_code(text) {
        assert_eq!(normalize_code(&code).as_deref(), Ok(code.as_str()));
    }
});
