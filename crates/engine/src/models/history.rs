//! Purchase histories in the form the repeat-buying models take: per
//! customer the number of repeat purchases x, the time of the last one t_x
//! and the customer's age T (both from the first purchase), and the mean
//! value of the repeat purchases.
//!
//! As in the published fits, purchases by one customer on one day are one
//! transaction (their amounts add up). Customers with the same (x, t_x, T)
//! have the same likelihood, so fitting works on the distinct triples with
//! their counts (with whole-day dates, a million customers over two years
//! are about 600,000 triples; over a few months, a few thousand).

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
    /// Groups the histories, in ascending order of (x, t_x, T) whatever
    /// the order of the customers.
    pub fn of<'a>(histories: impl IntoIterator<Item = &'a History>) -> Grouped {
        let mut histories = histories.into_iter();
        let mut times = Distinct::default();
        let mut keys: Vec<u64> = Vec::with_capacity(histories.size_hint().0);
        let mut max_x = 0;
        while let Some(h) = histories.next() {
            let (t_x, t) = (times.position(h.t_x), times.position(h.t));
            if h.x >= 1 << X_BITS || times.len() > 1 << TIME_BITS {
                // Beyond any store's histories; grouped the slow way.
                let mut triples: Vec<(u32, f64, f64)> = keys
                    .iter()
                    .map(|&key| {
                        let (x, t_x, t) = unpack(key, TIME_BITS);
                        (x, times.values[t_x], times.values[t])
                    })
                    .collect();
                triples.extend(
                    std::iter::once(h)
                        .chain(histories)
                        .map(|h| (h.x, h.t_x, h.t)),
                );
                return Self::by_sorting(triples);
            }
            max_x = max_x.max(h.x);
            keys.push(pack(h.x, t_x, t, TIME_BITS));
        }
        // Keys of as few bits as the data needs, with the times renumbered
        // in ascending order, sorted by radix: a million customers' keys
        // sort in a few passes over memory, where a hash table of their
        // groups would miss the cache on almost every lookup.
        let (values, rank) = times.ascending();
        let time_bits = bits_for(values.len());
        for key in &mut keys {
            let (x, t_x, t) = unpack(*key, TIME_BITS);
            *key = pack(x, rank[t_x], rank[t], time_bits);
        }
        radix_sort(&mut keys, bits_for(max_x as usize + 1) + 2 * time_bits);
        let mut grouped = Grouped::default();
        let mut start = 0;
        while start < keys.len() {
            let key = keys[start];
            let end = start + keys[start..].iter().take_while(|&&k| k == key).count();
            let (x, t_x, t) = unpack(key, time_bits);
            grouped.x.push(f64::from(x));
            grouped.t_x.push(values[t_x]);
            grouped.t.push(values[t]);
            grouped.weight.push((end - start) as f64);
            start = end;
        }
        grouped
    }

    /// Grouping by a comparison sort of the triples themselves.
    fn by_sorting(mut triples: Vec<(u32, f64, f64)>) -> Grouped {
        triples.sort_unstable_by(|p, q| {
            (p.0.cmp(&q.0))
                .then(p.1.total_cmp(&q.1))
                .then(p.2.total_cmp(&q.2))
        });
        let mut grouped = Grouped::default();
        for (i, &(x, t_x, t)) in triples.iter().enumerate() {
            let same = i > 0 && {
                let last = triples[i - 1];
                last.0 == x && last.1.to_bits() == t_x.to_bits() && last.2.to_bits() == t.to_bits()
            };
            if same {
                *grouped.weight.last_mut().expect("a group") += 1.0;
            } else {
                grouped.x.push(f64::from(x));
                grouped.t_x.push(t_x);
                grouped.t.push(t);
                grouped.weight.push(1.0);
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

/// Bits of a grouping key for x and for each time's position.
const X_BITS: u32 = 24;
const TIME_BITS: u32 = 20;

fn pack(x: u32, t_x: u32, t: u32, time_bits: u32) -> u64 {
    u64::from(x) << (2 * time_bits) | u64::from(t_x) << time_bits | u64::from(t)
}

fn unpack(key: u64, time_bits: u32) -> (u32, usize, usize) {
    let mask = (1u64 << time_bits) - 1;
    (
        (key >> (2 * time_bits)) as u32,
        ((key >> time_bits) & mask) as usize,
        (key & mask) as usize,
    )
}

/// Bits to write the numbers below `n`.
fn bits_for(n: usize) -> u32 {
    usize::BITS - n.saturating_sub(1).leading_zeros()
}

/// Sorts keys whose set bits are all below `bits`: least significant
/// digit first, 11 bits a pass.
fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    if keys.len() < 1 << 12 {
        keys.sort_unstable();
        return;
    }
    let mut scratch = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let mut counts = vec![0usize; 1 << DIGIT];
        let digit = |key: u64| ((key >> shift) & ((1 << DIGIT) - 1)) as usize;
        for &key in keys.iter() {
            counts[digit(key)] += 1;
        }
        let mut next = 0;
        for count in counts.iter_mut() {
            let here = *count;
            *count = next;
            next += here;
        }
        for &key in keys.iter() {
            let slot = &mut counts[digit(key)];
            scratch[*slot] = key;
            *slot += 1;
        }
        std::mem::swap(keys, &mut scratch);
        shift += DIGIT;
    }
}

/// Grouped histories with their times replaced by positions in a table of
/// the distinct times, so that a likelihood evaluation takes the logarithm
/// of each distinct α + t once, not once per group: with whole-day data a
/// million customers have a few hundred thousand groups but only a few
/// hundred distinct times.
pub(crate) struct Indexed<'a> {
    pub x: &'a [f64],
    pub t_x_at: Vec<u32>,
    pub t_at: Vec<u32>,
    pub weight: &'a [f64],
    /// The distinct values of t_x and T together, ascending.
    pub times: Vec<f64>,
    pub customers: f64,
    pub max_x: usize,
}

impl<'a> Indexed<'a> {
    pub fn of(data: &'a Grouped) -> Indexed<'a> {
        let mut distinct = Distinct::default();
        let t_x_at: Vec<u32> = data.t_x.iter().map(|&t| distinct.position(t)).collect();
        let t_at: Vec<u32> = data.t.iter().map(|&t| distinct.position(t)).collect();
        // Ascending, so that the table reads in order.
        let (times, rank) = distinct.ascending();
        Indexed {
            x: &data.x,
            t_x_at: t_x_at.into_iter().map(|i| rank[i as usize]).collect(),
            t_at: t_at.into_iter().map(|i| rank[i as usize]).collect(),
            weight: &data.weight,
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

/// The distinct values among many that take few (times in days or weeks),
/// numbered in order of first appearance. An open-addressing table of the
/// values' bits, small enough to stay in the fastest cache: each lookup is
/// a multiply and a compare or two.
#[derive(Default)]
struct Distinct {
    /// Value bits per slot; `u32::MAX` in `slot_positions` marks it free.
    slot_bits: Vec<u64>,
    slot_positions: Vec<u32>,
    values: Vec<f64>,
}

impl Distinct {
    fn len(&self) -> usize {
        self.values.len()
    }

    /// The values in ascending order, and each position's rank among them.
    fn ascending(&self) -> (Vec<f64>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_by(|&i, &j| self.values[i as usize].total_cmp(&self.values[j as usize]));
        let mut rank = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rank[old as usize] = new as u32;
        }
        (
            order.iter().map(|&i| self.values[i as usize]).collect(),
            rank,
        )
    }

    /// The number of `value`, adding it if new.
    #[inline]
    fn position(&mut self, value: f64) -> u32 {
        if 2 * (self.values.len() + 1) > self.slot_bits.len() {
            self.grow();
        }
        let bits = value.to_bits();
        let mask = self.slot_bits.len() - 1;
        let mut slot = Self::home(bits, mask);
        loop {
            let position = self.slot_positions[slot];
            if position == u32::MAX {
                let position = self.values.len() as u32;
                self.slot_bits[slot] = bits;
                self.slot_positions[slot] = position;
                self.values.push(value);
                return position;
            }
            if self.slot_bits[slot] == bits {
                return position;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn home(bits: u64, mask: usize) -> usize {
        // Fibonacci hashing: the top bits of the product mix all of the
        // value's bits (whole numbers differ only in their top bits).
        (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - mask.count_ones())) as usize
    }

    fn grow(&mut self) {
        let slots = (self.slot_bits.len() * 2).max(1024);
        self.slot_bits = vec![0; slots];
        self.slot_positions = vec![u32::MAX; slots];
        for (position, value) in self.values.iter().enumerate() {
            let bits = value.to_bits();
            let mut slot = Self::home(bits, slots - 1);
            while self.slot_positions[slot] != u32::MAX {
                slot = (slot + 1) & (slots - 1);
            }
            self.slot_bits[slot] = bits;
            self.slot_positions[slot] = position as u32;
        }
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
        // Ascending (x, t_x, T): the one-time buyer first.
        assert_eq!(grouped.x, [0.0, 1.0]);
        assert_eq!(grouped.weight, [1.0, 2.0]);
        assert_eq!(grouped.customers(), 3.0);
    }

    /// The triples and counts by a plain ordered map.
    fn reference(histories: &[History]) -> Vec<(u32, u64, u64, f64)> {
        let mut counts = std::collections::BTreeMap::new();
        for h in histories {
            *counts
                .entry((h.x, h.t_x.to_bits(), h.t.to_bits()))
                .or_insert(0.0) += 1.0;
        }
        let mut out: Vec<_> = counts
            .into_iter()
            .map(|((x, a, b), w)| (x, a, b, w))
            .collect();
        out.sort_by(|p, q| {
            (p.0.cmp(&q.0))
                .then(f64::from_bits(p.1).total_cmp(&f64::from_bits(q.1)))
                .then(f64::from_bits(p.2).total_cmp(&f64::from_bits(q.2)))
        });
        out
    }

    fn listed(g: &Grouped) -> Vec<(u32, u64, u64, f64)> {
        (0..g.len())
            .map(|i| {
                (
                    g.x[i] as u32,
                    g.t_x[i].to_bits(),
                    g.t[i].to_bits(),
                    g.weight[i],
                )
            })
            .collect()
    }

    fn history(x: u32, t_x_days: u32, t_days: u32) -> History {
        History {
            x,
            t_x: f64::from(t_x_days) / 7.0,
            t: f64::from(t_days) / 7.0,
            repeat_value: 0.0,
            mean_value: 0.0,
        }
    }

    proptest::proptest! {
        /// Small and large inputs (the radix sort starts at 4,096), many
        /// distinct times, and an x too large to pack (sorted the slow
        /// way): always the reference's groups, whatever the order.
        #[test]
        fn grouping_counts_every_distinct_triple_in_ascending_order(
            seeds in proptest::collection::vec((0u32..40, 0u32..900, 0u32..900), 1..9000),
            huge_x_at in proptest::option::of(0usize..9000),
            rotate in 0usize..9000,
        ) {
            let mut histories: Vec<History> = seeds
                .iter()
                .map(|&(x, a, b)| history(x, a.min(b), a.max(b)))
                .collect();
            if let Some(at) = huge_x_at {
                let at = at % histories.len();
                histories[at].x = 1 << 25;
            }
            let grouped = Grouped::of(&histories);
            proptest::prop_assert_eq!(listed(&grouped), reference(&histories));
            let turn = rotate % histories.len();
            histories.rotate_left(turn);
            proptest::prop_assert_eq!(listed(&Grouped::of(&histories)), listed(&grouped));
        }
    }
}
