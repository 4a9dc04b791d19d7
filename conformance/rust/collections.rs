// std collections: HashMap (printed sorted, its order is seeded), BTreeMap, VecDeque, BinaryHeap.
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};

fn main() {
    let text = "the cat sat on the mat the end";
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in text.split(' ') {
        *counts.entry(w).or_default() += 1;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort();
    println!("{sorted:?}");
    let tree: BTreeMap<i32, char> = (0..6).map(|i| (i * i - 10, (b'a' + i as u8) as char)).collect();
    println!("{tree:?}");
    let mut dq: VecDeque<i32> = (1..=5).collect();
    dq.rotate_left(2);
    dq.push_front(0);
    println!("{dq:?}");
    let mut heap: BinaryHeap<u32> = [5, 1, 8, 3, 9, 2].into_iter().collect();
    let top: Vec<u32> = std::iter::from_fn(|| heap.pop()).take(3).collect();
    let set: HashSet<u32> = top.iter().copied().collect();
    println!("{top:?} {}", set.len());
}
