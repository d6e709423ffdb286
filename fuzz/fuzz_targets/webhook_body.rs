//! Any payment notification body: parsing and the signature check never panic, and a wrong key never verifies a
//! body signed with another.
#![no_main]
use libfuzzer_sys::fuzz_target;
use refcodes::server::payments::wayforpay::Notification;

fuzz_target!(|body: &[u8]| {
    let Ok(notice) = Notification::parse(body) else {
        return;
    };
    let _ = (notice.order_reference(), notice.transaction_status());
    assert!(!(notice.signature_ok("fuzz-key") && notice.signature_ok("other-key")));
});
