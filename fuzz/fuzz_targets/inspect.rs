//! `wasm-inspect`'s two renderings of one input (an object, a linked module or an archive and
//! its members): the text, and the JSON document of `--json`, which must be well-formed JSON.
//! Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_link_cli::inspect::{self, JsonOut};

fuzz_target!(|data: &[u8]| {
    let path = wasm_link_fuzz::scratch_file("inspect.in", data);
    let results = inspect::inspect_path(&path);
    for report in results.iter().flatten() {
        let _ = inspect::text::render(report);
    }
    let json = serde_json::to_string(&JsonOut::new(results)).expect("the report serialises");
    serde_json::from_str::<serde_json::Value>(&json).expect("the JSON parses back");
});
