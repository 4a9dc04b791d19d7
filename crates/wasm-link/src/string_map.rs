//! The iteration orders of LLVM's hash tables keyed by names, which wasm-ld walks where the
//! order decides the output: the `--export` names (a `StringSet`: each lookup may extract an
//! archive member, so the order decides the load order and with it the layout), and the
//! signature variants (a `DenseMap<CachedHashStringRef, ...>`: the order of the
//! `signature_mismatch:` stubs and their warnings).
//!
//! Both are open-addressing tables over a power-of-two number of buckets: a key goes to
//! `hash & (buckets - 1)`, probing quadratically (+1, +2, +3, ...) past taken buckets, and
//! growing to twice as many buckets (reinserting in bucket order) past three quarters full.
//! Iteration walks the buckets in order. They differ in the hash and in when they grow:
//! - `StringMap`: 16 buckets to start, the low 32 bits of XXH3-64, grows *after* an insertion
//!   that leaves more than 3/4 taken;
//! - `DenseMap`: 64 buckets to start, LLVM's `hash_value(StringRef)` ([`llvm_hash`]), grows
//!   *before* an insertion that would leave at least 3/4 taken.

pub mod llvm_hash;

/// The keys in the order a `StringSet` built by inserting them in this order iterates them;
/// repeated keys are kept once.
pub fn iteration_order<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<&'k str> {
    let hash = |k: &str| xxhash_rust::xxh3::xxh3_64(k.as_bytes()) as u32;
    let mut table = Table::new(16);
    for key in keys {
        let h = hash(key);
        if table.insert(h, key) && table.items * 4 > table.buckets.len() * 3 {
            table.grow();
        }
    }
    table.keys()
}

/// The keys in the order a `DenseMap` keyed by `CachedHashStringRef`, built by inserting
/// them in this order, iterates them; repeated keys are kept once.
pub fn dense_map_order<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<&'k str> {
    let mut table = Table::new(64);
    for key in keys {
        let h = llvm_hash::string_hash(key.as_bytes());
        if table.find_slot(h, key).is_none() {
            continue;
        }
        if (table.items + 1) * 4 >= table.buckets.len() * 3 {
            table.grow();
        }
        table.insert(h, key);
    }
    table.keys()
}

/// An open-addressing table of (hash, key) with quadratic probing.
struct Table<'k> {
    buckets: Vec<Option<(u32, &'k str)>>,
    items: usize,
}

impl<'k> Table<'k> {
    fn new(buckets: usize) -> Table<'k> {
        Table {
            buckets: vec![None; buckets],
            items: 0,
        }
    }

    /// Puts `key` in its bucket; false if it was already there.
    fn insert(&mut self, hash: u32, key: &'k str) -> bool {
        let Some(slot) = self.find_slot(hash, key) else {
            return false;
        };
        self.buckets[slot] = Some((hash, key));
        self.items += 1;
        true
    }

    /// The empty bucket where `key` goes, or `None` if it is already in the table.
    fn find_slot(&self, hash: u32, key: &str) -> Option<usize> {
        let mask = self.buckets.len() - 1;
        let mut bucket = hash as usize & mask;
        let mut probe = 1;
        loop {
            match self.buckets[bucket] {
                None => return Some(bucket),
                Some((h, k)) if h == hash && k == key => return None,
                Some(_) => {}
            }
            bucket = (bucket + probe) & mask;
            probe += 1;
        }
    }

    /// Rehashes into twice as many buckets, moving entries in bucket order.
    fn grow(&mut self) {
        let doubled = vec![None; self.buckets.len() * 2];
        let old = std::mem::replace(&mut self.buckets, doubled);
        self.items = 0;
        for (hash, key) in old.into_iter().flatten() {
            self.insert(hash, key);
        }
    }

    /// The keys in bucket order.
    fn keys(self) -> Vec<&'k str> {
        self.buckets.into_iter().flatten().map(|(_, k)| k).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{dense_map_order, iteration_order};

    #[test]
    fn every_key_once_whatever_the_table_size() {
        let keys: Vec<String> = (0..100).map(|i| format!("symbol_{i}")).collect();
        let keys = || keys.iter().map(String::as_str).chain(["symbol_7"]);
        let mut expected: Vec<&str> = keys().collect();
        expected.sort();
        expected.dedup();
        for mut order in [iteration_order(keys()), dense_map_order(keys())] {
            order.sort();
            assert_eq!(order, expected);
        }
    }
}
