//! Monthly cohort retention: customers grouped by the calendar month of
//! their first counted order, and for each later month the share of them
//! who ordered again in it. Months after the analysis date are not
//! observed and are left out, not counted as zero; the analysis date's own
//! month is counted up to that day (`partial_month`).

use serde::{Deserialize, Serialize};

use crate::customers::Purchase;
use crate::date::Date;

/// One first-order month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub customers: u64,
    /// Customers who ordered in month 0, 1, 2 … after the first (month 0 is
    /// everyone); as long as the months observed, at most the span + 1.
    pub active: Vec<u64>,
    /// `active` as shares of `customers`.
    pub retained: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cohorts {
    /// Oldest first.
    pub cohorts: Vec<Cohort>,
    /// Per month after the first: active over customers of every cohort
    /// shown that has reached that month.
    pub average: Vec<f64>,
    /// `YYYY-MM` of the analysis date, counted only up to that day.
    pub partial_month: Option<String>,
}

impl Cohorts {
    /// The last `months` cohorts up to `as_of`, each followed for `span`
    /// months after its first.
    pub fn of(purchases: &[Purchase], as_of: Option<Date>, months: usize, span: usize) -> Cohorts {
        let Some(as_of) = as_of.or_else(|| purchases.iter().map(|p| p.date).max()) else {
            return Cohorts::default();
        };
        let last = month_index(as_of);
        let customers = purchases
            .iter()
            .map(|p| p.customer as usize + 1)
            .max()
            .unwrap_or(0);
        let mut first = vec![i32::MAX; customers];
        for p in purchases.iter().filter(|p| p.date <= as_of) {
            let slot = &mut first[p.customer as usize];
            *slot = (*slot).min(month_index(p.date));
        }
        let oldest = last - months as i32 + 1;
        // (customer, months after first) once per pair, for shown cohorts.
        let mut seen: Vec<(u32, u16)> = purchases
            .iter()
            .filter(|p| p.date <= as_of && first[p.customer as usize] >= oldest)
            .filter_map(|p| {
                let offset = month_index(p.date) - first[p.customer as usize];
                (offset as usize <= span).then_some((p.customer, offset as u16))
            })
            .collect();
        seen.sort_unstable();
        seen.dedup();

        let cohort_count = (last - oldest + 1) as usize;
        let mut size = vec![0u64; cohort_count];
        let mut active = vec![vec![0u64; span + 1]; cohort_count];
        for &(customer, offset) in &seen {
            let c = (first[customer as usize] - oldest) as usize;
            if offset == 0 {
                size[c] += 1;
            }
            active[c][usize::from(offset)] += 1;
        }
        let cohorts: Vec<Cohort> = (0..cohort_count)
            .filter(|&c| size[c] > 0)
            .map(|c| {
                let observed = ((last - oldest - c as i32) as usize).min(span) + 1;
                let active = active[c][..observed].to_vec();
                Cohort {
                    month: month_name(oldest + c as i32),
                    customers: size[c],
                    retained: active.iter().map(|&a| a as f64 / size[c] as f64).collect(),
                    active,
                }
            })
            .collect();
        let longest = cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
        let average = (0..longest)
            .map(|m| {
                let (active, size) = cohorts
                    .iter()
                    .filter(|c| c.active.len() > m)
                    .fold((0, 0), |(a, s), c| (a + c.active[m], s + c.customers));
                active as f64 / size as f64
            })
            .collect();
        let month_ends = as_of.add_days(1).ymd().2 == 1;
        Cohorts {
            cohorts,
            average,
            partial_month: (!month_ends).then(|| month_name(last)),
        }
    }
}

fn month_index(date: Date) -> i32 {
    let (year, month, _) = date.ymd();
    year * 12 + month as i32 - 1
}

fn month_name(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).expect("test data")
    }

    #[test]
    fn retention_counts_each_customer_once_per_month() {
        let purchases = [
            // Customer 0: Jan, again twice in Feb, then Apr.
            Purchase::new(0, day(2025, 1, 5), 10.0),
            Purchase::new(0, day(2025, 2, 1), 10.0),
            Purchase::new(0, day(2025, 2, 20), 10.0),
            Purchase::new(0, day(2025, 4, 2), 10.0),
            // Customer 1: Jan only.
            Purchase::new(1, day(2025, 1, 30), 10.0),
            // Customer 2: Feb, then Mar.
            Purchase::new(2, day(2025, 2, 10), 10.0),
            Purchase::new(2, day(2025, 3, 10), 10.0),
        ];
        let cohorts = Cohorts::of(&purchases, Some(day(2025, 4, 15)), 18, 12);
        assert_eq!(cohorts.cohorts.len(), 2);
        let jan = &cohorts.cohorts[0];
        assert_eq!(jan.month, "2025-01");
        assert_eq!(jan.customers, 2);
        // Jan, Feb, Mar, Apr: observed up to April (the analysis month).
        assert_eq!(jan.active, vec![2, 1, 0, 1]);
        assert_eq!(jan.retained, vec![1.0, 0.5, 0.0, 0.5]);
        let feb = &cohorts.cohorts[1];
        assert_eq!((feb.month.as_str(), feb.customers), ("2025-02", 1));
        assert_eq!(feb.active, vec![1, 1, 0]);
        // Month 1: (1 + 1) of (2 + 1); month 3 only January has reached.
        assert_eq!(cohorts.average.len(), 4);
        assert!((cohorts.average[1] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(cohorts.average[3], 0.5);
        assert_eq!(cohorts.partial_month.as_deref(), Some("2025-04"));
    }

    #[test]
    fn old_cohorts_and_late_months_are_left_out() {
        let purchases = [
            Purchase::new(0, day(2023, 1, 5), 10.0),
            Purchase::new(0, day(2025, 3, 5), 10.0),
            Purchase::new(1, day(2025, 3, 1), 10.0),
            Purchase::new(1, day(2025, 3, 31), 10.0),
        ];
        let cohorts = Cohorts::of(&purchases, Some(day(2025, 3, 31)), 6, 12);
        // Customer 0's cohort (2023-01) is older than six months: not shown.
        assert_eq!(cohorts.cohorts.len(), 1);
        assert_eq!(cohorts.cohorts[0].month, "2025-03");
        assert_eq!(cohorts.cohorts[0].active, vec![1]);
        // March 31 closes the month.
        assert_eq!(cohorts.partial_month, None);
    }

    #[test]
    fn no_purchases_no_cohorts() {
        assert_eq!(Cohorts::of(&[], None, 18, 12), Cohorts::default());
    }
}
