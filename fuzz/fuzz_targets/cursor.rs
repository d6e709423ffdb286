//! Any `?older=` cursor: decoding never panics, and a decoded cursor encodes to one that decodes the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use refcodes::domain::cursor::Cursor;

fuzz_target!(|text: &str| {
    if let Some(cursor) = Cursor::decode(text) {
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }
    let _ = Cursor::from_param(Some(text));
});
