// Rust std: println! through WASI.
fn main() {
    let v: Vec<u32> = (1..=10).collect();
    println!("hello from rust: sum={} v={:?}", v.iter().sum::<u32>(), v);
}
