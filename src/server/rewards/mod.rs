//! The reward ledger: one reward per attributed paid order, sized by the rate and the oracle's price, held,
//! approved or rejected by admins, clawed back after a refund, exported as CSV; the sweeper decides what a
//! crash left undecided. Minting them is `mint/`.
pub mod admin;
pub mod clawbacks;
pub mod earned;
pub mod export;
pub mod ledger;
pub mod oracle;
pub mod sizing;
pub mod sweep;
