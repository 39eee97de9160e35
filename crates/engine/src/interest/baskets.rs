//! Sets of distinct products, one per transaction (an order, or all of a
//! customer's orders), stored flat: a million customers cost two vectors.

/// Distinct products per transaction, in product order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Baskets {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Baskets {
    /// From (transaction, product) pairs; transactions are `0..count`
    /// (pairs naming another are ignored). The pairs are placed by a
    /// counting sort on the transaction and each basket is then sorted on
    /// its own: baskets are short, and one sort of every pair was most of
    /// the time it took.
    pub fn from_pairs(pairs: Vec<(u32, u32)>, count: usize) -> Baskets {
        let mut offsets = vec![0u32; count + 1];
        for &(t, _) in &pairs {
            if (t as usize) < count {
                offsets[t as usize + 1] += 1;
            }
        }
        for t in 0..count {
            offsets[t + 1] += offsets[t];
        }
        let mut items = vec![0u32; offsets[count] as usize];
        let mut next = offsets.clone();
        for (t, product) in pairs {
            if (t as usize) < count {
                let at = &mut next[t as usize];
                items[*at as usize] = product;
                *at += 1;
            }
        }
        // Sort and deduplicate each basket, moving it down over what
        // earlier duplicates freed.
        let mut write = 0usize;
        for t in 0..count {
            let (start, end) = (offsets[t] as usize, offsets[t + 1] as usize);
            offsets[t] = write as u32;
            items[start..end].sort_unstable();
            let mut last = None;
            for read in start..end {
                let product = items[read];
                if last != Some(product) {
                    items[write] = product;
                    write += 1;
                    last = Some(product);
                }
            }
        }
        offsets[count] = write as u32;
        items.truncate(write);
        Baskets { offsets, items }
    }

    /// The products of transaction `t` (empty past the end).
    pub fn get(&self, t: usize) -> &[u32] {
        match (self.offsets.get(t), self.offsets.get(t + 1)) {
            (Some(&start), Some(&end)) => &self.items[start as usize..end as usize],
            _ => &[],
        }
    }

    /// Transactions, empty ones included.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether transaction `t` holds `product`.
    pub fn contains(&self, t: usize, product: u32) -> bool {
        self.get(t).binary_search(&product).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn baskets_are_each_transaction_s_distinct_products_in_order(
            pairs in prop::collection::vec((0u32..12, 0u32..20), 0..200),
            count in 0usize..10,
        ) {
            let mut expected = vec![BTreeSet::new(); count];
            for &(t, p) in &pairs {
                if let Some(set) = expected.get_mut(t as usize) {
                    set.insert(p);
                }
            }
            let baskets = Baskets::from_pairs(pairs, count);
            prop_assert_eq!(baskets.len(), count);
            for (t, set) in expected.iter().enumerate() {
                let products: Vec<u32> = set.iter().copied().collect();
                prop_assert_eq!(baskets.get(t), products.as_slice());
            }
        }
    }

    #[test]
    fn pairs_become_sorted_distinct_sets() {
        // (7, 1) names no transaction of the four: ignored.
        let baskets = Baskets::from_pairs(vec![(2, 5), (0, 3), (2, 1), (0, 3), (7, 1), (2, 5)], 4);
        assert_eq!(baskets.len(), 4);
        assert_eq!(baskets.get(0), &[3]);
        assert!(baskets.get(1).is_empty());
        assert_eq!(baskets.get(2), &[1, 5]);
        assert!(baskets.get(3).is_empty());
        assert!(baskets.get(9).is_empty());
        assert!(baskets.contains(2, 5) && !baskets.contains(2, 3));
    }
}
