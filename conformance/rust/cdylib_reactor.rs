// A Rust cdylib: #[no_mangle] exports, no main, linked with --no-entry by rustc.
//#CrateType: cdylib
//#Reactor: add 2 3
//#Reactor: collatz_steps 27
#[no_mangle]
pub extern "C" fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[no_mangle]
pub extern "C" fn collatz_steps(mut n: u32) -> u32 {
    let mut steps = 0;
    while n != 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}
