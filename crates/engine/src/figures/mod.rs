//! The numbers behind the page's charts that the summary does not already
//! hold: the R × F grid, the spread of predicted value, and monthly cohort
//! retention. Computed here, in the engine, so the page only draws them and
//! the CLI's `summary.json` carries the same figures.

mod cohorts;
mod rfm_grid;
mod value_spread;

use serde::{Deserialize, Serialize};

pub use cohorts::{Cohort, Cohorts};
pub use rfm_grid::{GridCell, RfmGrid};
pub use value_spread::{ValueBin, ValueSpread};

use crate::pipeline::Analysis;

/// Cohorts shown: the most recent first-order months.
pub const COHORT_MONTHS: usize = 18;
/// Months after the first order followed per cohort.
pub const COHORT_SPAN: usize = 12;

/// Every chart's figures (`figures` in `summary.json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub rfm_grid: RfmGrid,
    /// Predicted 12-month value per buyer, in bins; `None` without models.
    pub predicted_value: Option<ValueSpread>,
    pub cohorts: Cohorts,
}

impl Figures {
    pub fn of(analysis: &Analysis) -> Figures {
        let values: Vec<f64> = analysis
            .predictions
            .scores
            .iter()
            .filter_map(|s| s.predicted_clv_12m)
            .collect();
        Figures {
            rfm_grid: RfmGrid::of(analysis),
            predicted_value: ValueSpread::of(&values),
            cohorts: Cohorts::of(
                &analysis.sales.purchases,
                analysis.totals.as_of,
                COHORT_MONTHS,
                COHORT_SPAN,
            ),
        }
    }
}
