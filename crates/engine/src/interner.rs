//! Text values that repeat across millions of rows (order ids, customer
//! keys, product names), each stored once and numbered in order of first
//! appearance.
//!
//! All the text lives back to back in one buffer and the hash table holds
//! only numbers: a million order ids cost one growing `String` rather than a
//! million small allocations (which the ingest profile showed as a tenth of
//! its time, in `malloc` and in freeing them at the end).

use std::hash::{BuildHasher, BuildHasherDefault};

use hashbrown::HashTable;
use rustc_hash::FxHasher;

/// Interned strings, numbered from 0 in order of first appearance.
#[derive(Clone, Default)]
pub struct Interner {
    text: String,
    /// End of string `i` in `text` (it starts where `i − 1` ends).
    ends: Vec<usize>,
    table: HashTable<Slot>,
    /// Strings `0..indexed` are in the table. Strings received in bulk (a
    /// piece of a file read elsewhere, mostly only to be listed) are put in
    /// it by the first `intern`; until then `get` looks through them.
    indexed: usize,
}

/// A string's number and a digest of its hash. The digest sits in the
/// table itself so that a lookup rejects other strings (and the table
/// regrows) without reaching into the per-string vectors: with a hundred
/// thousand customers each of those reaches was a cache miss, and looking
/// customers up was the largest cost of reading rows into orders.
#[derive(Clone, Copy)]
struct Slot {
    index: u32,
    digest: u32,
}

fn digest(text: &str) -> u32 {
    fold(BuildHasherDefault::<FxHasher>::default().hash_one(text))
}

/// Both halves of a hash in one: `FxHasher` hashes in `usize`, so on wasm32
/// the high half is zero (taking it alone put every string in one bucket
/// there, and a 95 MiB file took 100 s to read instead of half a second).
fn fold(hash: u64) -> u32 {
    (hash ^ (hash >> 32)) as u32
}

/// The table's hash of a digest: spread over 64 bits, because the table
/// takes buckets from the low bits and its control tags from the high ones.
fn spread(digest: u32) -> u64 {
    u64::from(digest).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Interner {
    /// The number of `text`, adding it if new.
    pub fn intern(&mut self, text: &str) -> u32 {
        self.intern_new(text).0
    }

    /// The number of `text` and whether it was added just now.
    pub fn intern_new(&mut self, text: &str) -> (u32, bool) {
        if self.indexed < self.ends.len() {
            self.index_all();
        }
        let digest = digest(text);
        let Interner {
            text: all,
            ends,
            table,
            indexed,
        } = self;
        let found = table.find(spread(digest), |slot| {
            slot.digest == digest && string(all, ends, slot.index) == text
        });
        if let Some(slot) = found {
            return (slot.index, false);
        }
        let index = u32::try_from(ends.len()).expect("fewer than 2^32 distinct values");
        table.insert_unique(spread(digest), Slot { index, digest }, |s| spread(s.digest));
        all.push_str(text);
        ends.push(all.len());
        *indexed = ends.len();
        (index, true)
    }

    /// Puts the strings received in bulk into the table.
    fn index_all(&mut self) {
        let Interner {
            text,
            ends,
            table,
            indexed,
        } = self;
        table.reserve(ends.len() - *indexed, |s| spread(s.digest));
        for index in *indexed..ends.len() {
            let digest = digest(string(text, ends, index as u32));
            let slot = Slot {
                index: index as u32,
                digest,
            };
            table.insert_unique(spread(digest), slot, |s| spread(s.digest));
        }
        *indexed = ends.len();
    }

    /// The number of `text`, if it was interned.
    pub fn get(&self, text: &str) -> Option<u32> {
        let digest = digest(text);
        let indexed = self
            .table
            .find(spread(digest), |slot| {
                slot.digest == digest && self.name(slot.index) == text
            })
            .map(|slot| slot.index);
        indexed.or_else(|| {
            (self.indexed..self.ends.len())
                .map(|i| i as u32)
                .find(|&i| self.name(i) == text)
        })
    }

    /// The text of number `i` (empty for a number never given out).
    pub fn name(&self, i: u32) -> &str {
        if (i as usize) < self.ends.len() {
            string(&self.text, &self.ends, i)
        } else {
            ""
        }
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The strings in number order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|i| self.name(i))
    }
}

/// Sent as all the text and each string's length; on arrival the table is
/// left to the first `intern` (see `indexed`), which hashes the strings but
/// need not compare them: they are distinct.
impl serde::Serialize for Interner {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let lengths: Vec<u32> = self.iter().map(|t| t.len() as u32).collect();
        (&self.text, lengths).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Interner {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let (text, lengths) = <(String, Vec<u32>)>::deserialize(deserializer)?;
        let mut ends = Vec::with_capacity(lengths.len());
        let mut end = 0usize;
        for length in lengths {
            end += length as usize;
            if end > text.len() || !text.is_char_boundary(end) {
                return Err(D::Error::custom("interned strings out of bounds"));
            }
            ends.push(end);
        }
        if end != text.len() {
            return Err(D::Error::custom("interned strings do not fill their text"));
        }
        Ok(Interner {
            text,
            ends,
            ..Interner::default()
        })
    }
}

/// String `i` of `text` cut at `ends` (split out of `Interner` so that a
/// lookup can borrow the text while it holds the table).
fn string<'a>(text: &'a str, ends: &[usize], i: u32) -> &'a str {
    let i = i as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Equal when the same strings have the same numbers.
impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn numbers_in_order_of_first_appearance() {
        let mut names = Interner::default();
        assert_eq!(names.intern("b"), 0);
        assert_eq!(names.intern(""), 1);
        assert_eq!(names.intern("a"), 2);
        assert_eq!(names.intern_new("b"), (0, false));
        assert_eq!(names.intern_new("c"), (3, true));
        assert_eq!(names.get("a"), Some(2));
        assert_eq!(names.get("z"), None);
        assert_eq!(names.name(1), "");
        assert_eq!(names.name(99), "");
        assert_eq!(names.iter().collect::<Vec<_>>(), ["b", "", "a", "c"]);
    }

    #[test]
    fn a_list_received_in_bulk_answers_before_and_after_it_is_indexed() {
        let mut sent = Interner::default();
        for word in ["b", "", "ä", "a"] {
            sent.intern(word);
        }
        let bytes = postcard::to_allocvec(&sent).expect("serialises");
        let mut got: Interner = postcard::from_bytes(&bytes).expect("deserialises");
        assert_eq!(got, sent);
        assert_eq!(got.get("ä"), Some(2), "looked through before indexing");
        assert_eq!(got.intern_new("a"), (3, false));
        assert_eq!(got.intern_new("c"), (4, true));
        assert_eq!(got.get("b"), Some(0));
        let damaged = postcard::to_allocvec(&("ab".to_string(), vec![1u32, 5])).expect("ok");
        assert!(postcard::from_bytes::<Interner>(&damaged).is_err());
    }

    #[test]
    fn a_hash_of_32_bits_keeps_them_all() {
        // What `FxHasher` gives on wasm32, where the page runs.
        assert_eq!(fold(0x9e37_79b9), 0x9e37_79b9);
        assert_eq!(fold(0x0000_0001_0000_0000), 1);
    }

    #[test]
    fn digests_of_similar_ids_are_spread() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("#{}", 1000 + i)).collect();
        let mut digests: Vec<u32> = ids.iter().map(|id| digest(id)).collect();
        digests.sort_unstable();
        digests.dedup();
        assert!(digests.len() > 19_900, "{} distinct", digests.len());
        let low_bits: std::collections::HashSet<u64> =
            digests.iter().map(|&d| spread(d) & 0xfff).collect();
        assert!(low_bits.len() > 4_000, "buckets used: {}", low_bits.len());
    }

    proptest! {
        /// Agrees with a plain map from string to number, through growth.
        #[test]
        fn agrees_with_a_hash_map(words in proptest::collection::vec("[a-c]{0,3}|\\PC{0,5}", 0..300)) {
            let mut names = Interner::default();
            let mut plain: HashMap<String, u32> = HashMap::new();
            for word in &words {
                let next = plain.len() as u32;
                let want = *plain.entry(word.clone()).or_insert(next);
                prop_assert_eq!(names.intern(word), want);
            }
            prop_assert_eq!(names.len(), plain.len());
            for (word, &i) in &plain {
                prop_assert_eq!(names.get(word), Some(i));
                prop_assert_eq!(names.name(i), word.as_str());
            }
        }
    }
}
