//! The segmenter engine: from a merchant's export files to scored, grouped
//! customers. Pure Rust with no browser or I/O dependencies, so the same code
//! runs in the page's Web Worker (wasm32) and in the `segmenter` CLI.
//!
//! Data flows through the modules in this order:
//! [`ingest`] (files → orders → purchases, with a data-quality ledger) →
//! [`customers`] (per-customer aggregates) → [`rfm`] (scores and groups) →
//! [`summary`], [`figures`] and [`customer_rows`] (what people see); [`behaviour`] turns
//! analytics events into per-customer shopping behaviour; [`sales`] keeps
//! the product lines of the counted purchases and [`interest`] what to offer
//! whom and when; → [`export`] (files
//! they take away). [`pipeline`] runs the stages; [`protocol`] is what the
//! page and the worker say to each other; [`demo`] simulates a store.

pub mod behaviour;
pub mod cluster;
pub mod customer_rows;
pub mod customers;
pub mod date;
pub mod demo;
pub mod export;
pub mod figures;
pub mod funnel;
pub mod ingest;
pub mod interest;
pub mod interner;
pub mod models;
pub mod pipeline;
pub mod protocol;
pub mod rfm;
pub mod sales;
pub mod segments;
pub mod summary;
pub mod timing;
pub mod wording;

pub use date::Date;
pub use pipeline::{analyze_bytes, analyze_readers, Analysis, Options};
