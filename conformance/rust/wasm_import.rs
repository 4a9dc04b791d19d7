// #[link(wasm_import_module)] imports a host function; the runner's stub returns 0.
#[link(wasm_import_module = "host")]
extern "C" {
    fn host_random(seed: i32) -> i32;
}

fn main() {
    let v = unsafe { host_random(42) };
    println!("host_random -> {v}");
}
