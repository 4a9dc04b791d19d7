// Sorting (stable and unstable, by key), binary search, dedup and chunks.
fn main() {
    let mut v: Vec<u32> = (0..200).map(|i| (i * 7919 + 13) % 101).collect();
    let mut pairs: Vec<(u32, usize)> = v.iter().copied().zip(0..).collect();
    pairs.sort_by_key(|p| p.0 % 10);
    v.sort_unstable();
    v.dedup();
    println!("{} unique, search 50 -> {:?}, 1000 -> {:?}", v.len(), v.binary_search(&50), v.binary_search(&1000));
    println!("{:?}", &pairs[..5]);
    let sums: Vec<u32> = v.chunks(25).map(|c| c.iter().sum()).collect();
    println!("{sums:?}");
}
