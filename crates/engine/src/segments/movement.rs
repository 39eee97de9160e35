//! How customers moved between RFM groups from one date to another: the
//! same files analysed as of an earlier date and as of now, customers
//! matched by id, counted per (then, now) pair, with who moved.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::pipeline::Analysis;
use crate::rfm::RfmGroup;

/// Customer ids listed per cell at most.
const LISTED: usize = 25;

/// `None` as the earlier group: not yet a customer then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub from: Option<RfmGroup>,
    pub to: RfmGroup,
    pub customers: u64,
    /// Some of them (customer ids, sorted).
    pub examples: Vec<String>,
}

/// The migration matrix between two analysis dates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub from_date: Date,
    pub to_date: Date,
    /// Every non-empty (then, now) pair, largest first.
    pub moves: Vec<Move>,
    /// Customers in a different group now than then (new ones excluded).
    pub changed: u64,
    /// Customers in both analyses.
    pub matched: u64,
}

impl Movement {
    /// Customers counted in cell (`from`, `to`).
    pub fn count(&self, from: Option<RfmGroup>, to: RfmGroup) -> u64 {
        self.moves
            .iter()
            .find(|m| m.from == from && m.to == to)
            .map_or(0, |m| m.customers)
    }
}

/// A (then, now) pair of groups.
type Cell = (Option<RfmGroup>, RfmGroup);

/// Compares `earlier` (the files as of an earlier date) with `later`.
pub fn movement(earlier: &Analysis, later: &Analysis) -> Movement {
    let then: FxHashMap<&str, RfmGroup> = (0..earlier.customers.len())
        .map(|i| (&*earlier.customers.id[i], earlier.rfm.group[i]))
        .collect();
    let mut cells: FxHashMap<Cell, (u64, Vec<&str>)> = FxHashMap::default();
    let (mut changed, mut matched) = (0u64, 0u64);
    for i in 0..later.customers.len() {
        let id = &*later.customers.id[i];
        let from = then.get(id).copied();
        let to = later.rfm.group[i];
        if let Some(f) = from {
            matched += 1;
            changed += u64::from(f != to);
        }
        let cell = cells.entry((from, to)).or_default();
        cell.0 += 1;
        cell.1.push(id);
    }
    let mut moves: Vec<Move> = cells
        .into_iter()
        .map(|((from, to), (customers, mut ids))| {
            ids.sort_unstable();
            ids.truncate(LISTED);
            Move {
                from,
                to,
                customers,
                examples: ids.into_iter().map(str::to_string).collect(),
            }
        })
        .collect();
    moves.sort_by(|a, b| {
        b.customers
            .cmp(&a.customers)
            .then(a.from.cmp(&b.from))
            .then(a.to.cmp(&b.to))
    });
    Movement {
        from_date: earlier.customers.as_of,
        to_date: later.customers.as_of,
        moves,
        changed,
        matched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoStore;
    use crate::pipeline::{analyze_bytes, Options};

    #[test]
    fn the_demo_store_moves_between_two_dates() {
        let bytes = DemoStore::default().generate();
        let now = analyze_bytes("demo.csv", &bytes, &Options::default()).expect("now");
        let then_date = now.customers.as_of.add_days(-90);
        let then = analyze_bytes(
            "demo.csv",
            &bytes,
            &Options {
                as_of: Some(then_date),
                ..Options::default()
            },
        )
        .expect("then");
        let m = movement(&then, &now);
        assert_eq!(m.from_date, then_date);
        let total: u64 = m.moves.iter().map(|x| x.customers).sum();
        assert_eq!(
            total as usize,
            now.customers.len(),
            "every customer counted once"
        );
        assert_eq!(
            m.matched as usize,
            then.customers.len(),
            "nobody disappears"
        );
        let new: u64 = m
            .moves
            .iter()
            .filter(|x| x.from.is_none())
            .map(|x| x.customers)
            .sum();
        assert_eq!(new as usize, now.customers.len() - then.customers.len());
        assert!(m.changed > 0);
        // A customer listed in a cell really was in those groups.
        let cell = m
            .moves
            .iter()
            .find(|x| x.from.is_some_and(|f| f != x.to))
            .expect("a move");
        let id = &cell.examples[0];
        let at = |a: &Analysis| {
            (0..a.customers.len())
                .find(|&i| &*a.customers.id[i] == id.as_str())
                .expect("listed")
        };
        assert_eq!(Some(then.rfm.group[at(&then)]), cell.from);
        assert_eq!(now.rfm.group[at(&now)], cell.to);
        assert_eq!(m.count(cell.from, cell.to), cell.customers);
    }
}
