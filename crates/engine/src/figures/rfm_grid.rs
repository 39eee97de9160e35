//! Customers and revenue in each cell of the recency × frequency grid, as
//! Shopify's RFM report lays them out (R = 5 … 1 down, F = 1 … 5 across).

use serde::{Deserialize, Serialize};

use crate::pipeline::Analysis;
use crate::summary::cents;

/// One (R, F) cell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    pub r: u8,
    pub f: u8,
    pub customers: u64,
    pub revenue: f64,
    /// Of all buyers' revenue (0–1).
    pub revenue_share: f64,
}

/// The 25 cells, R = 5 first, then F = 1 … 5 within a row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RfmGrid {
    pub cells: Vec<GridCell>,
}

impl RfmGrid {
    pub fn of(analysis: &Analysis) -> RfmGrid {
        let rfm = &analysis.rfm;
        let mut cells: Vec<GridCell> = (1..=5u8)
            .rev()
            .flat_map(|r| {
                (1..=5u8).map(move |f| GridCell {
                    r,
                    f,
                    ..GridCell::default()
                })
            })
            .collect();
        let mut total = 0.0;
        for i in 0..analysis.customers.len() {
            let (Some(r), Some(f)) = (rfm.score_of(&rfm.r, i), rfm.score_of(&rfm.f, i)) else {
                continue;
            };
            let cell = &mut cells[usize::from(5 - r) * 5 + usize::from(f - 1)];
            cell.customers += 1;
            cell.revenue += analysis.customers.revenue[i];
            total += analysis.customers.revenue[i];
        }
        for cell in &mut cells {
            cell.revenue_share = if total > 0.0 {
                cell.revenue / total
            } else {
                0.0
            };
            cell.revenue = cents(cell.revenue);
        }
        RfmGrid { cells }
    }

    /// The cell for scores `r`, `f` (1–5).
    pub fn cell(&self, r: u8, f: u8) -> Option<&GridCell> {
        self.cells.iter().find(|c| c.r == r && c.f == f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::small_shop;

    #[test]
    fn cells_hold_every_buyer_and_all_revenue_once() {
        let analysis = small_shop();
        let grid = RfmGrid::of(&analysis);
        assert_eq!(grid.cells.len(), 25);
        assert_eq!((grid.cells[0].r, grid.cells[0].f), (5, 1));
        assert_eq!((grid.cells[24].r, grid.cells[24].f), (1, 5));
        let customers: u64 = grid.cells.iter().map(|c| c.customers).sum();
        assert_eq!(customers, analysis.customers.buyers() as u64);
        let revenue: f64 = grid.cells.iter().map(|c| c.revenue).sum();
        let expected: f64 = analysis.customers.revenue.iter().sum();
        assert!(
            (revenue - expected).abs() < 0.01 * 25.0,
            "{revenue} vs {expected}"
        );
        let share: f64 = grid.cells.iter().map(|c| c.revenue_share).sum();
        assert!((share - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_cell_counts_the_customers_with_its_scores() {
        let analysis = small_shop();
        let grid = RfmGrid::of(&analysis);
        let rfm = &analysis.rfm;
        for cell in &grid.cells {
            let expected = (0..analysis.customers.len())
                .filter(|&i| {
                    rfm.score_of(&rfm.r, i) == Some(cell.r)
                        && rfm.score_of(&rfm.f, i) == Some(cell.f)
                })
                .count() as u64;
            assert_eq!(cell.customers, expected, "R {} F {}", cell.r, cell.f);
        }
    }
}
