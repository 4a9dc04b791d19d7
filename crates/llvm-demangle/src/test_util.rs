//! What the demanglers' tests share: mutating real names with a fixed-seed generator.

/// Calls `f` on `rounds` names, each a seed (taken in turn) with one to four bytes replaced,
/// removed or inserted, drawn from `alphabet` by an xorshift generator started at `seed`.
pub(crate) fn mutated_names(
    seeds: &[&str],
    alphabet: &[u8],
    seed: u64,
    rounds: usize,
    mut f: impl FnMut(&str),
) {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..rounds {
        let mut bytes = seeds[i % seeds.len()].as_bytes().to_vec();
        for _ in 0..(next() % 4 + 1) {
            let pos = (next() as usize) % (bytes.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 if pos < bytes.len() => bytes[pos] = c,
                1 if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                _ => bytes.insert(pos, c),
            }
        }
        f(&String::from_utf8_lossy(&bytes));
    }
}

/// Runs `f` on a thread with a 1 MiB stack (less than a main thread's) and asserts it did not
/// panic: deep or hostile names must neither overflow the stack nor panic.
pub(crate) fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let t = std::thread::Builder::new().stack_size(1 << 20).spawn(f);
    assert!(t
        .and_then(|t| t.join().map_err(|_| std::io::ErrorKind::Other.into()))
        .is_ok());
}
