//! Predictive models of repeat buying and spend, fitted on the merchant's
//! own purchase history: BG/NBD for how often and how long customers keep
//! buying, Gamma-Gamma for how much they spend, and from the two the
//! per-customer scores (probability alive, expected purchases, CLV, next
//! order, spend tier).

pub mod backtest;
pub mod bgnbd;
#[cfg(test)]
mod cdnow_tests;
pub mod fit;
pub mod gamma_gamma;
pub mod history;
pub mod mbgnbd;
mod optimize;
pub mod propensity;
pub mod rank;
#[cfg(test)]
mod recovery_tests;
pub mod repeat;
pub mod scores;
pub mod special;
