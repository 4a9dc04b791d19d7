//! `Object::parse` and every section reader over one input: the module framing, each standard
//! section, `linking` (and the locators the error path uses on it), every `reloc.*`, `name`,
//! `producers`, `target_features` and `dylink.0`. Nothing may panic, with debug assertions and
//! overflow checks on.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_format::Module;
use wasm_object::object::Object;

fuzz_target!(|data: &[u8]| {
    // An offset as if the module were an archive member, so offset arithmetic is exercised.
    for offset in [0, 0x4000_0000] {
        if let Ok(module) = Module::parse(data, offset) {
            wasm_link_fuzz::parse_every_section(&module);
        }
        let _ = Object::parse(data, offset);
    }
    let _ = wasm_object::input::contents(data, 0);
});
