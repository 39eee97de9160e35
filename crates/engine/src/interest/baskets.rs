//! Sets of distinct products, one per transaction (an order, or all of a
//! customer's orders), stored flat: a million customers cost two vectors.

/// Distinct products per transaction, in product order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Baskets {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Baskets {
    /// From (transaction, product) pairs; transactions are `0..count`.
    pub fn from_pairs(mut pairs: Vec<(u32, u32)>, count: usize) -> Baskets {
        pairs.sort_unstable();
        pairs.dedup();
        let mut offsets = Vec::with_capacity(count + 1);
        let mut items = Vec::with_capacity(pairs.len());
        let mut next = pairs.iter().peekable();
        offsets.push(0);
        for t in 0..count as u32 {
            while let Some(&(_, product)) = next.next_if(|(owner, _)| *owner == t) {
                items.push(product);
            }
            offsets.push(items.len() as u32);
        }
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

    #[test]
    fn pairs_become_sorted_distinct_sets() {
        let baskets = Baskets::from_pairs(vec![(2, 5), (0, 3), (2, 1), (0, 3), (2, 5)], 4);
        assert_eq!(baskets.len(), 4);
        assert_eq!(baskets.get(0), &[3]);
        assert!(baskets.get(1).is_empty());
        assert_eq!(baskets.get(2), &[1, 5]);
        assert!(baskets.get(3).is_empty());
        assert!(baskets.get(9).is_empty());
        assert!(baskets.contains(2, 5) && !baskets.contains(2, 3));
    }
}
