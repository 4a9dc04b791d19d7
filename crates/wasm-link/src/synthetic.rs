//! Bodies of the functions the linker writes itself, each with its size prefix, encoded with
//! minimal LEBs as wasm-ld does.

use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction};

const CALL: u8 = 0x10;
const DROP: u8 = 0x1a;
const LOCAL_GET: u8 = 0x20;
const UNREACHABLE: u8 = 0x00;
const END: u8 = 0x0b;

/// The body of a synthetic function, including its size prefix.
pub fn body(f: &OutFunction, layout: &Layout<'_>, inputs: &Inputs<'_>) -> Vec<u8> {
    let mut code = vec![0u8]; // no locals
    match f {
        OutFunction::CallCtors => {
            for &(index, results) in &layout.ctors {
                call(&mut code, index);
                code.extend(std::iter::repeat_n(DROP, results));
            }
        }
        OutFunction::Stub(_) => code.push(UNREACHABLE),
        OutFunction::CommandExport { target, .. } => {
            if let Some(ctors) = layout.call_ctors {
                call(&mut code, ctors);
            }
            let params = layout.function_type(inputs, *target).params.len();
            for i in 0..params {
                code.push(LOCAL_GET);
                uleb(&mut code, i as u64);
            }
            call(&mut code, *target);
            if let Some(dtors) = layout.call_dtors {
                call(&mut code, dtors);
            }
        }
        OutFunction::Input(..) => {}
    }
    code.push(END);
    let mut out = Vec::with_capacity(code.len() + 5);
    uleb(&mut out, code.len() as u64);
    out.extend_from_slice(&code);
    out
}

fn call(code: &mut Vec<u8>, index: u32) {
    code.push(CALL);
    uleb(code, u64::from(index));
}

/// Appends a minimal unsigned LEB128.
pub fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Appends a minimal signed LEB128.
pub fn sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
