//! The referral funnel before money: the `?ref=` capture on any page, members' codes and their QR codes,
//! counted visits, attribution of sign-ups and orders, and an admin's block on a code.
pub mod admin_codes;
pub mod attribution;
pub mod capture;
pub mod codes;
pub mod known_codes;
pub mod qr;
pub mod visits;
