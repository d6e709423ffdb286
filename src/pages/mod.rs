//! One module per page; shared page pieces in `guard`, `errors`, `reward_labels` and `title`.
pub mod admin_refcodes;
pub mod auth;
pub mod errors;
pub mod guard;
pub mod invite;
pub mod landing;
pub mod lazy;
pub mod membership;
pub mod my_rewards;
pub mod order;
pub mod refcodes;
pub mod reward_labels;
pub mod store;
pub mod test_payment;
pub mod title;
pub mod wallets;
