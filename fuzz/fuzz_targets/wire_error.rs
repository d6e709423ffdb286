//! Any error record a server function answer may carry: decoding never panics, and what decodes encodes back to
//! the same error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use refcodes::error::AppError;

fuzz_target!(|data: &[u8]| {
    if let Ok(error) = serde_json::from_slice::<AppError>(data) {
        let again = serde_json::to_string(&error).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&again).unwrap(), error);
    }
});
