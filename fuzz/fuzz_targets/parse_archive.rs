//! The archive framing (GNU, BSD and thin: long-name tables, symbol indexes of both kinds)
//! and then every member as the linker reads it: framing, then an object or a linked module
//! with every section reader. Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_object::archive::Archive;
use wasm_object::input::Contents;
use wasm_object::object::Object;

fuzz_target!(|data: &[u8]| {
    let _ = wasm_object::input::contents(data, 0);
    let Ok(archive) = Archive::parse(data) else {
        return;
    };
    // The linker indexes the members by these without a check.
    for symbol in &archive.symbols().unwrap_or_default() {
        assert!(
            symbol.member < archive.members.len(),
            "{symbol:?} names no member"
        );
    }
    for member in &archive.members {
        assert_eq!(
            archive
                .member_at(member.header_offset)
                .map(|k| archive.members[k].header_offset),
            Some(member.header_offset)
        );
        let (bytes, offset) = (member.data.bytes, member.data.offset);
        match wasm_object::input::contents(bytes, offset) {
            Ok(Contents::Object(m) | Contents::LinkedModule(m)) => {
                wasm_link_fuzz::parse_every_section(&m);
                let _ = Object::parse(bytes, offset);
            }
            Ok(Contents::Archive(_)) | Err(_) => {}
        }
    }
});
