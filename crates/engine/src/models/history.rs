//! Purchase histories in the form the repeat-buying models take: per
//! customer the number of repeat purchases x, the time of the last one t_x
//! and the customer's age T (both from the first purchase), and the mean
//! value of the repeat purchases.
//!
//! As in the published fits, purchases by one customer on one day are one
//! transaction (their amounts add up). Customers with the same (x, t_x, T)
//! have the same likelihood, so fitting works on the distinct triples with
//! their counts: a million customers are a few thousand terms.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::customers::Purchase;
use crate::date::Date;

/// The unit of t_x and T.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Week,
    Day,
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Week => 7.0,
            TimeUnit::Day => 1.0,
        }
    }
}

/// One customer's history up to the analysis date.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Repeat transactions: distinct purchase days after the first.
    pub x: u32,
    /// First to last transaction, in the unit.
    pub t_x: f64,
    /// First transaction to the analysis date, in the unit.
    pub t: f64,
    /// Mean value of the repeat transactions (0 without any).
    pub repeat_value: f64,
    /// Mean value of all transactions.
    pub mean_value: f64,
}

/// Histories of `customers` customers from their purchases up to `as_of`
/// (purchases after it are ignored); `None` for customers without any.
pub fn histories(
    purchases: &[Purchase],
    customers: usize,
    as_of: Date,
    unit: TimeUnit,
) -> Vec<Option<History>> {
    // One sort by customer and day instead of a list per customer.
    let mut rows: Vec<(u32, Date, f64)> = purchases
        .iter()
        .filter(|p| p.date <= as_of && (p.customer as usize) < customers)
        .map(|p| (p.customer, p.date, p.amount))
        .collect();
    rows.sort_unstable_by_key(|&(customer, date, _)| (customer, date));
    let mut out = vec![None; customers];
    let mut start = 0;
    while start < rows.len() {
        let customer = rows[start].0;
        let end = start + rows[start..].iter().take_while(|r| r.0 == customer).count();
        out[customer as usize] = Some(summarise(&rows[start..end], as_of, unit));
        start = end;
    }
    out
}

/// One customer's rows (sorted by day) as a history; same-day purchases are
/// one transaction.
fn summarise(rows: &[(u32, Date, f64)], as_of: Date, unit: TimeUnit) -> History {
    let first = rows[0].1;
    let mut last = first;
    let mut transactions = 0u32;
    let (mut total, mut first_day_total) = (0.0, 0.0);
    for &(_, date, amount) in rows {
        if transactions == 0 || date != last {
            transactions += 1;
            last = date;
        }
        total += amount;
        if date == first {
            first_day_total += amount;
        }
    }
    let x = transactions - 1;
    History {
        x,
        t_x: f64::from(last.days_since(first)) / unit.days(),
        t: f64::from(as_of.days_since(first)) / unit.days(),
        repeat_value: if x > 0 {
            (total - first_day_total) / f64::from(x)
        } else {
            0.0
        },
        mean_value: total / f64::from(transactions),
    }
}

/// Distinct (x, t_x, T) triples with how many customers share each.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grouped {
    pub x: Vec<f64>,
    pub t_x: Vec<f64>,
    pub t: Vec<f64>,
    pub weight: Vec<f64>,
}

impl Grouped {
    /// Groups the histories (in a stable order: first appearance).
    pub fn of<'a>(histories: impl IntoIterator<Item = &'a History>) -> Grouped {
        let histories = histories.into_iter();
        // Room for a group per two customers from the start: growing the
        // map step by step rehashes it again and again.
        let mut index: FxHashMap<(u32, u64, u64), usize> =
            FxHashMap::with_capacity_and_hasher(histories.size_hint().0 / 2, Default::default());
        let mut grouped = Grouped::default();
        for h in histories {
            let key = (h.x, h.t_x.to_bits(), h.t.to_bits());
            match index.get(&key) {
                Some(&i) => grouped.weight[i] += 1.0,
                None => {
                    index.insert(key, grouped.x.len());
                    grouped.x.push(f64::from(h.x));
                    grouped.t_x.push(h.t_x);
                    grouped.t.push(h.t);
                    grouped.weight.push(1.0);
                }
            }
        }
        grouped
    }

    /// A sample of about `customers` of its customers, grouped the same
    /// way (see `fit::systematic_sample`).
    pub fn thinned(&self, customers: f64) -> Option<Grouped> {
        let drawn = super::fit::systematic_sample(&self.weight, customers)?;
        Some(Grouped {
            x: drawn.iter().map(|&(i, _)| self.x[i]).collect(),
            t_x: drawn.iter().map(|&(i, _)| self.t_x[i]).collect(),
            t: drawn.iter().map(|&(i, _)| self.t[i]).collect(),
            weight: drawn.iter().map(|&(_, w)| w).collect(),
        })
    }

    /// Starting points for the repeat-buying models' (r, α, a, b): the
    /// usual shapes, with α on the data's time scale. Refuses data that
    /// cannot be fitted at all.
    pub(crate) fn repeat_model_starts(&self) -> Result<[[f64; 4]; 4], super::fit::FitError> {
        use super::fit::FitError;
        if self.is_empty() {
            return Err(FitError::NoData);
        }
        if self.x.iter().all(|&x| x == 0.0) {
            return Err(FitError::NoRepeatPurchases);
        }
        let mean_t = self
            .t
            .iter()
            .zip(&self.weight)
            .map(|(t, w)| t * w)
            .sum::<f64>()
            / self.customers();
        let scale = mean_t.max(1e-3);
        Ok([
            [1.0, scale, 1.0, 1.0],
            [0.5, scale / 2.0, 0.5, 2.0],
            [2.0, scale * 2.0, 2.0, 5.0],
            [0.2, scale / 10.0, 0.8, 2.5],
        ])
    }

    /// Customers represented.
    pub fn customers(&self) -> f64 {
        self.weight.iter().sum()
    }

    /// Distinct triples.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }
}

/// Grouped histories with their times replaced by positions in a table of
/// the distinct times, so that a likelihood evaluation takes the logarithm
/// of each distinct α + t once, not once per group: with whole-day data a
/// million customers have a few hundred thousand groups but only a few
/// hundred distinct times.
pub(crate) struct Indexed {
    pub x: Vec<f64>,
    pub t_x_at: Vec<u32>,
    pub t_at: Vec<u32>,
    pub weight: Vec<f64>,
    /// The distinct values of t_x and T together.
    pub times: Vec<f64>,
    pub customers: f64,
    pub max_x: usize,
}

impl Indexed {
    pub fn of(data: &Grouped) -> Indexed {
        // The distinct times by hashing (a few hundred among a million),
        // then sorted; each time's position found in the small table.
        let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
        for &t in data.t_x.iter().chain(&data.t) {
            seen.entry(t.to_bits()).or_insert(0);
        }
        let mut times: Vec<f64> = seen.keys().map(|&bits| f64::from_bits(bits)).collect();
        times.sort_by(f64::total_cmp);
        for (position, t) in times.iter().enumerate() {
            seen.insert(t.to_bits(), position as u32);
        }
        let at = |v: &f64| seen.get(&v.to_bits()).copied().unwrap_or(0);
        Indexed {
            x: data.x.clone(),
            t_x_at: data.t_x.iter().map(at).collect(),
            t_at: data.t.iter().map(at).collect(),
            weight: data.weight.clone(),
            customers: data.customers(),
            max_x: data.x.iter().fold(0.0f64, |m, &x| m.max(x)) as usize,
            times,
        }
    }

    /// ln(α + t) and 1/(α + t) for every distinct time.
    pub fn logs(&self, alpha: f64) -> (Vec<f64>, Vec<f64>) {
        self.times
            .iter()
            .map(|&t| ((alpha + t).ln(), 1.0 / (alpha + t)))
            .unzip()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse_timestamp(text).expect("date")
    }

    #[test]
    fn same_day_purchases_are_one_transaction() {
        let purchases = [
            Purchase::new(0, day("2025-01-01"), 10.0),
            Purchase::new(0, day("2025-01-01"), 5.0),
            Purchase::new(0, day("2025-01-15"), 20.0),
            Purchase::new(0, day("2025-01-29"), 40.0),
            Purchase::new(0, day("2025-03-01"), 99.0), // after the analysis date
            Purchase::new(2, day("2025-01-20"), 7.0),
        ];
        let h = histories(&purchases, 3, day("2025-02-12"), TimeUnit::Week);
        let first = h[0].expect("a buyer");
        assert_eq!(first.x, 2);
        assert_eq!((first.t_x, first.t), (4.0, 6.0));
        assert_eq!(first.repeat_value, 30.0);
        assert_eq!(first.mean_value, 25.0);
        assert_eq!(h[1], None);
        let once = h[2].expect("a buyer");
        assert_eq!((once.x, once.t_x, once.repeat_value), (0, 0.0, 0.0));
        assert_eq!(once.t, 23.0 / 7.0);
    }

    #[test]
    fn equal_histories_are_grouped() {
        let one = History {
            x: 1,
            t_x: 2.0,
            t: 5.0,
            repeat_value: 3.0,
            mean_value: 3.0,
        };
        let other = History {
            x: 0,
            t_x: 0.0,
            ..one
        };
        let grouped = Grouped::of(&[one, other, one]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped.weight, [2.0, 1.0]);
        assert_eq!(grouped.customers(), 3.0);
    }
}
