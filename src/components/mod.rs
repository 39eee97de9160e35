//! One component per file, each reading `AppState` from context.

pub mod behaviour;
pub mod clusters;
pub mod cohorts;
pub mod columns;
pub mod customers;
pub mod drop_zone;
pub mod header;
pub mod interest;
pub mod movement;
pub mod overview;
pub mod predictions;
pub mod privacy;
pub mod products;
pub mod progress;
pub mod quality;
pub mod rfm_charts;
pub mod saved_segments;
pub mod segment_builder;
pub mod segments;
pub mod status;
pub mod value_spread;
