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
    /// Hash of string `i`: compared before the bytes, and reused when the
    /// table grows.
    hashes: Vec<u64>,
    table: HashTable<u32>,
    /// Strings `0..indexed` are in the table. Strings received in bulk (a
    /// piece of a file read elsewhere, mostly only to be listed) are put in
    /// it by the first `intern`; until then `get` looks through them.
    indexed: usize,
}

fn hash(text: &str) -> u64 {
    BuildHasherDefault::<FxHasher>::default().hash_one(text)
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
        let hash = hash(text);
        let Interner {
            text: all,
            ends,
            hashes,
            table,
            indexed,
        } = self;
        let get = |i: u32| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] };
            &all[start..ends[i]]
        };
        if let Some(&i) = table.find(hash, |&i| hashes[i as usize] == hash && get(i) == text) {
            return (i, false);
        }
        let i = u32::try_from(ends.len()).expect("fewer than 2^32 distinct values");
        table.insert_unique(hash, i, |&j| hashes[j as usize]);
        all.push_str(text);
        ends.push(all.len());
        hashes.push(hash);
        *indexed = ends.len();
        (i, true)
    }

    /// Puts the strings received in bulk into the table.
    fn index_all(&mut self) {
        let Interner {
            ends,
            hashes,
            table,
            indexed,
            ..
        } = self;
        table.reserve(ends.len() - *indexed, |&j| hashes[j as usize]);
        for i in *indexed..ends.len() {
            table.insert_unique(hashes[i], i as u32, |&j| hashes[j as usize]);
        }
        *indexed = ends.len();
    }

    /// The number of `text`, if it was interned.
    pub fn get(&self, text: &str) -> Option<u32> {
        let hash = hash(text);
        let indexed = self
            .table
            .find(hash, |&i| {
                self.hashes[i as usize] == hash && self.name(i) == text
            })
            .copied();
        indexed.or_else(|| {
            (self.indexed..self.ends.len())
                .map(|i| i as u32)
                .find(|&i| self.hashes[i as usize] == hash && self.name(i) == text)
        })
    }

    /// The text of number `i` (empty for a number never given out).
    pub fn name(&self, i: u32) -> &str {
        let i = i as usize;
        match self.ends.get(i) {
            Some(&end) => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                &self.text[start..end]
            }
            None => "",
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

/// Sent as all the text and each string's length; on arrival the strings
/// are hashed (not compared: they are distinct) and the table is left to
/// the first `intern` (see `indexed`).
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
        let mut interner = Interner {
            text,
            ends,
            ..Interner::default()
        };
        interner.hashes = interner.iter().map(hash).collect();
        Ok(interner)
    }
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
