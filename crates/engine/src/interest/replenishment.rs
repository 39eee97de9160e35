//! Replenishment: products people buy again on a cycle (coffee, contact
//! lenses, pet food). Per product, the typical gap between one customer's
//! purchases of it is the median over every repeat. A product gets that
//! interval when enough customers repeat it *and* the gaps keep close to
//! it: products bought again at random have gaps spread like an
//! exponential's (interquartile range ≈ 1.6 × the median), a real cycle
//! far less. Each buyer is then due on the day of their last purchase plus
//! the interval; "due" means from half an interval overdue (later, they
//! have likely moved on) to 14 days ahead.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// Customers who must have bought a product more than once.
const MIN_REPEAT_CUSTOMERS: u32 = 5;
/// Repeat gaps a product needs for its median to mean something.
const MIN_GAPS: usize = 8;
/// The widest spread of gaps (interquartile range over the median) still
/// called a cycle; random repeat buying gives about 1.6.
const MAX_SPREAD: f64 = 1.0;
/// Days ahead counted as due.
pub const DUE_WITHIN_DAYS: i32 = 14;

/// A product's cycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cycle {
    pub product: u32,
    /// Median days between one customer's purchases of it.
    pub interval_days: f64,
    /// Customers who bought it more than once (the evidence).
    pub repeat_customers: u32,
    /// Customers due now or within [`DUE_WITHIN_DAYS`].
    pub due_customers: u32,
}

/// One customer's due product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub customer: u32,
    pub product: u32,
    pub date: Date,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replenishment {
    /// Products with a cycle, by product number.
    pub cycles: Vec<Cycle>,
    /// Due products, by customer then due date.
    pub due: Vec<Due>,
}

impl Replenishment {
    /// From every (customer, product, day) bought up to `as_of`.
    pub fn find(mut bought: Vec<(u32, u32, Date)>, as_of: Date) -> Replenishment {
        bought.retain(|&(_, _, day)| day <= as_of);
        bought.sort_unstable();
        bought.dedup();
        // Per product: every repeat gap, and the customers who repeated.
        let products = bought.iter().map(|b| b.1 as usize + 1).max().unwrap_or(0);
        let mut gaps: Vec<Vec<i32>> = vec![Vec::new(); products];
        let mut repeaters = vec![0u32; products];
        // (customer, product, last day) per pair.
        let mut last: Vec<(u32, u32, Date)> = Vec::new();
        for run in bought.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (customer, product, _) = run[0];
            for pair in run.windows(2) {
                gaps[product as usize].push(pair[1].2.days_since(pair[0].2));
            }
            if run.len() > 1 {
                repeaters[product as usize] += 1;
            }
            last.push((customer, product, run[run.len() - 1].2));
        }
        let mut cycles: Vec<Option<Cycle>> = (0..products as u32)
            .map(|p| {
                let gaps = &mut gaps[p as usize];
                if repeaters[p as usize] < MIN_REPEAT_CUSTOMERS || gaps.len() < MIN_GAPS {
                    return None;
                }
                gaps.sort_unstable();
                let interval = median(gaps);
                let spread = (quantile(gaps, 0.75) - quantile(gaps, 0.25)) / interval.max(1.0);
                (spread <= MAX_SPREAD).then(|| Cycle {
                    product: p,
                    interval_days: interval,
                    repeat_customers: repeaters[p as usize],
                    due_customers: 0,
                })
            })
            .collect();
        let mut due = Vec::new();
        for (customer, product, day) in last {
            let Some(cycle) = cycles[product as usize].as_mut() else {
                continue;
            };
            let date = day.add_days(cycle.interval_days.round() as i32);
            let overdue = date.days_since(as_of);
            let grace = -(cycle.interval_days / 2.0).round() as i32;
            if (grace..=DUE_WITHIN_DAYS).contains(&overdue) {
                cycle.due_customers += 1;
                due.push(Due {
                    customer,
                    product,
                    date,
                });
            }
        }
        due.sort_by_key(|d| (d.customer, d.date, d.product));
        Replenishment {
            cycles: cycles.into_iter().flatten().collect(),
            due,
        }
    }

    /// The products customer `customer` is due for, soonest first.
    pub fn due_for(&self, customer: u32) -> &[Due] {
        let start = self.due.partition_point(|d| d.customer < customer);
        let end = self.due.partition_point(|d| d.customer <= customer);
        &self.due[start..end]
    }
}

/// The median of sorted `values` (the mean of the middle two for an even
/// count).
fn median(values: &[i32]) -> f64 {
    let n = values.len();
    if n % 2 == 1 {
        f64::from(values[n / 2])
    } else {
        (f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0
    }
}

/// The `q`-quantile of sorted `values`, interpolated.
fn quantile(values: &[i32], q: f64) -> f64 {
    let at = (values.len() - 1) as f64 * q;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    let weight = at - low as f64;
    f64::from(values[low]) * (1.0 - weight) + f64::from(values[high]) * weight
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn day(n: i32) -> Date {
        Date::from_days(20_000 + n)
    }

    #[test]
    fn a_known_cycle_is_recovered_within_a_day() {
        // 200 customers rebuy "coffee" every 30 days ± 3 (uniform), from a
        // random start; "mug" is bought once each.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut bought = Vec::new();
        for c in 0..200u32 {
            let mut d = rng.random_range(0..60);
            bought.push((c, 1, day(d)));
            while d < 700 {
                bought.push((c, 0, day(d)));
                d += 30 + rng.random_range(-3..=3);
            }
        }
        let found = Replenishment::find(bought, day(720));
        assert_eq!(found.cycles.len(), 1, "{:?}", found.cycles);
        let coffee = &found.cycles[0];
        assert_eq!(coffee.product, 0);
        assert!(
            (coffee.interval_days - 30.0).abs() <= 1.0,
            "{}",
            coffee.interval_days
        );
        assert_eq!(coffee.repeat_customers, 200);
        // Everyone due is due within the window, and listed per customer.
        assert!(coffee.due_customers > 0);
        for d in &found.due {
            let ahead = d.date.days_since(day(720));
            assert!((-15..=DUE_WITHIN_DAYS).contains(&ahead), "{d:?}");
            assert_eq!(found.due_for(d.customer).len(), 1);
        }
    }

    #[test]
    fn buying_again_at_random_is_no_cycle() {
        // Gaps drawn from an exponential with mean 60 days: repeat buying
        // with no rhythm, as most products in a store.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut bought = Vec::new();
        for c in 0..300u32 {
            let mut d = 0.0f64;
            while d < 700.0 {
                bought.push((c, 0, day(d as i32)));
                let u: f64 = rng.random::<f64>().max(1e-12);
                d += -60.0 * u.ln() + 1.0;
            }
        }
        assert!(Replenishment::find(bought, day(720)).cycles.is_empty());
    }

    #[test]
    fn too_few_repeats_give_no_cycle() {
        let bought = (0..4u32)
            .flat_map(|c| [(c, 0, day(0)), (c, 0, day(10)), (c, 0, day(20))])
            .collect();
        assert!(Replenishment::find(bought, day(30)).cycles.is_empty());
    }

    #[test]
    fn due_means_from_half_an_interval_late_to_two_weeks_ahead() {
        // Product 0 every 20 days for 10 customers (a cycle of 20); customer
        // c's last purchase is on day 100 - 5c.
        let mut bought = Vec::new();
        for c in 0..10u32 {
            let last = 100 - 5 * c as i32;
            bought.extend([
                (c, 0, day(last - 40)),
                (c, 0, day(last - 20)),
                (c, 0, day(last)),
            ]);
        }
        let found = Replenishment::find(bought, day(100));
        // Due on day 120 - 5c: within [90, 114] for c = 2 … 6.
        let due: Vec<u32> = found.due.iter().map(|d| d.customer).collect();
        assert_eq!(due, vec![2, 3, 4, 5, 6]);
        assert_eq!(found.cycles[0].due_customers, 5);
    }
}
