// Mutex, atomics, OnceLock and thread_local! in a single-threaded WASI program.
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

static COUNTER: AtomicU64 = AtomicU64::new(0);
static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static CONFIG: OnceLock<String> = OnceLock::new();

thread_local! {
    static LOCAL: Cell<u32> = const { Cell::new(1) };
}

fn main() {
    for i in 0..10 {
        COUNTER.fetch_add(i, Ordering::SeqCst);
        NAMES.lock().unwrap().push(format!("n{i}"));
        LOCAL.with(|l| l.set(l.get() * 2));
    }
    let cfg = CONFIG.get_or_init(|| "initialised once".to_string());
    println!("{} {} {} {}", COUNTER.load(Ordering::SeqCst), NAMES.lock().unwrap().join(","), cfg, LOCAL.with(Cell::get));
}
