//! The iteration order of LLVM's `StringMap` (and `StringSet`), which wasm-ld uses for the
//! `--export` names: it looks them up in that order, and each one may extract an archive
//! member, so the order decides the load order and with it the output layout.
//!
//! The table starts with 16 buckets; a key goes to `hash & (buckets - 1)`, probing
//! quadratically (+1, +2, +3, ...) past taken buckets; the table doubles (reinserting in bucket
//! order) once more than three quarters are taken. The hash is the low 32 bits of XXH3-64.
//! Iteration walks the buckets in order.

/// The keys in the order a `StringSet` built by inserting them in this order iterates them;
/// repeated keys are kept once.
pub fn iteration_order<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<&'k str> {
    let mut table: Vec<Option<(u32, &'k str)>> = vec![None; 16];
    let mut items = 0usize;
    for key in keys {
        let hash = xxhash_rust::xxh3::xxh3_64(key.as_bytes()) as u32;
        let Some(slot) = find_slot(&table, key, hash) else {
            continue; // already there
        };
        table[slot] = Some((hash, key));
        items += 1;
        if items * 4 > table.len() * 3 {
            table = grown(&table);
        }
    }
    table.into_iter().flatten().map(|(_, k)| k).collect()
}

/// The empty bucket where `key` goes, or `None` if it is already in the table.
fn find_slot(table: &[Option<(u32, &str)>], key: &str, hash: u32) -> Option<usize> {
    let mask = table.len() - 1;
    let mut bucket = hash as usize & mask;
    let mut probe = 1;
    loop {
        match table[bucket] {
            None => return Some(bucket),
            Some((h, k)) if h == hash && k == key => return None,
            Some(_) => {}
        }
        bucket = (bucket + probe) & mask;
        probe += 1;
    }
}

/// The table rehashed into twice as many buckets, entries moved in bucket order.
fn grown<'k>(table: &[Option<(u32, &'k str)>]) -> Vec<Option<(u32, &'k str)>> {
    let mut out: Vec<Option<(u32, &'k str)>> = vec![None; table.len() * 2];
    let mask = out.len() - 1;
    for &(hash, key) in table.iter().flatten() {
        let mut bucket = hash as usize & mask;
        let mut probe = 1;
        while out[bucket].is_some() {
            bucket = (bucket + probe) & mask;
            probe += 1;
        }
        out[bucket] = Some((hash, key));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::iteration_order;

    #[test]
    fn every_key_once_whatever_the_table_size() {
        let keys: Vec<String> = (0..100).map(|i| format!("symbol_{i}")).collect();
        let mut order = iteration_order(keys.iter().map(String::as_str).chain(["symbol_7"]));
        assert_eq!(order.len(), 100);
        order.sort();
        let mut expected: Vec<&str> = keys.iter().map(String::as_str).collect();
        expected.sort();
        assert_eq!(order, expected);
    }
}
