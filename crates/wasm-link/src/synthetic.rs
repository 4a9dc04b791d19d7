//! Bodies of the functions the linker writes itself, each with its size prefix, encoded with
//! minimal LEBs as wasm-ld does.

use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction};

const CALL: u8 = 0x10;
const DROP: u8 = 0x1a;
const LOCAL_GET: u8 = 0x20;
const UNREACHABLE: u8 = 0x00;
const END: u8 = 0x0b;
const BLOCK: u8 = 0x02;
const EMPTY: u8 = 0x40;
const BR: u8 = 0x0c;
const BR_TABLE: u8 = 0x0e;
const GLOBAL_GET: u8 = 0x23;
const GLOBAL_SET: u8 = 0x24;
const I32_CONST: u8 = 0x41;
const I64_CONST: u8 = 0x42;
const MISC: u8 = 0xfc;
const MEMORY_INIT: u8 = 0x08;
const DATA_DROP: u8 = 0x09;
const MEMORY_FILL: u8 = 0x0b;
const ATOMIC: u8 = 0xfe;
const MEMORY_ATOMIC_NOTIFY: u8 = 0x00;
const MEMORY_ATOMIC_WAIT32: u8 = 0x01;
const I32_ATOMIC_STORE: u8 = 0x17;
const I32_ATOMIC_RMW_CMPXCHG: u8 = 0x48;

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
        OutFunction::InitMemory => init_memory(&mut code, layout),
        OutFunction::InitTls => init_tls(&mut code, layout),
        OutFunction::ApplyGlobalTlsRelocs => apply_global_tls_relocs(&mut code, layout),
        OutFunction::ApplyTlsRelocs | OutFunction::Input(..) => {}
    }
    code.push(END);
    let mut out = Vec::with_capacity(code.len() + 5);
    uleb(&mut out, code.len() as u64);
    out.extend_from_slice(&code);
    out
}

/// `__wasm_init_memory` (lld's `createInitMemoryFunction`, without PIC). With shared memory the
/// first thread to move the flag from 0 to 1 copies the segments in and sets it to 2; the
/// others wait for 2. Then every thread drops its passive segments, except `.tdata`, which
/// `__wasm_init_tls` copies again for each thread. Addresses and the `.bss` size are
/// address-sized; segment offsets and sizes of `memory.init` are `i32`.
fn init_memory(code: &mut Vec<u8>, l: &Layout<'_>) {
    let flag = l.init_memory_flag;
    let addr = l.address;
    if let Some(flag) = flag {
        code.extend([BLOCK, EMPTY, BLOCK, EMPTY, BLOCK, EMPTY]);
        addr.push_const(code, flag);
        i32_const(code, 0);
        i32_const(code, 1);
        atomic(code, I32_ATOMIC_RMW_CMPXCHG);
        code.extend([BR_TABLE, 2, 0, 1, 2, END]);
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if !seg.init_at_start {
            continue;
        }
        addr.push_const(code, seg.va);
        if flag.is_some() && seg.is_tls() {
            addr.push_const(code, seg.va);
            code.push(GLOBAL_SET);
            uleb(code, u64::from(l.tls_base_global));
        }
        if seg.is_bss() {
            i32_const(code, 0);
            addr.push_const(code, seg.size);
            code.extend([MISC, MEMORY_FILL, 0]);
        } else {
            memory_init(code, index, seg.size);
        }
    }
    if let Some(flag) = flag {
        addr.push_const(code, flag);
        i32_const(code, 2);
        atomic(code, I32_ATOMIC_STORE);
        addr.push_const(code, flag);
        i32_const(code, -1);
        atomic(code, MEMORY_ATOMIC_NOTIFY);
        code.extend([DROP, BR, 1, END]);
        addr.push_const(code, flag);
        i32_const(code, 1);
        code.push(I64_CONST);
        sleb(code, -1);
        atomic(code, MEMORY_ATOMIC_WAIT32);
        code.extend([DROP, END]);
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if seg.init_at_start && !seg.is_bss() && !(flag.is_some() && seg.is_tls()) {
            code.extend([MISC, DATA_DROP]);
            uleb(code, index as u64);
        }
    }
}

/// `__wasm_init_tls(ptr)`: points `__tls_base` at a thread's block and copies `.tdata` into it.
fn init_tls(code: &mut Vec<u8>, l: &Layout<'_>) {
    if let Some(index) = l.segments.iter().position(|s| s.is_tls()) {
        code.extend([LOCAL_GET, 0, GLOBAL_SET]);
        uleb(code, u64::from(l.tls_base_global));
        code.extend([LOCAL_GET, 0]);
        i32_const(code, 0);
        i32_const(code, l.segments[index].size as i32 as i64);
        code.extend([MISC, MEMORY_INIT]);
        uleb(code, index as u64);
        code.push(0);
    }
    if let Some(apply) = l.apply_tls_relocs {
        call(code, apply);
    }
    if let Some(apply) = l.apply_global_tls_relocs {
        call(code, apply);
    }
}

/// `__wasm_apply_global_tls_relocs` (lld's `GlobalSection::generateRelocationCode` for TLS):
/// each internal GOT global of a thread-local symbol becomes `__tls_base` plus its offset.
fn apply_global_tls_relocs(code: &mut Vec<u8>, l: &Layout<'_>) {
    for &(global, offset) in &l.tls_got {
        code.push(GLOBAL_GET);
        uleb(code, u64::from(l.tls_base_global));
        // lld writes the offset's full 64-bit value here, wasm32 or not.
        code.push(l.address.const_opcode());
        sleb(code, offset as i64);
        code.push(l.address.add_opcode());
        code.push(GLOBAL_SET);
        uleb(code, u64::from(global));
    }
}

/// `memory.init` of output segment `index` (the destination is on the stack).
fn memory_init(code: &mut Vec<u8>, index: usize, size: u64) {
    i32_const(code, 0);
    i32_const(code, size as i64);
    code.extend([MISC, MEMORY_INIT]);
    uleb(code, index as u64);
    code.push(0);
}

/// `i32.const`, with the value wrapped to 32 bits as wasm-ld writes addresses.
fn i32_const(code: &mut Vec<u8>, v: i64) {
    code.push(I32_CONST);
    sleb(code, i64::from(v as i32));
}

/// An atomic memory instruction with wasm-ld's memarg: 4-byte alignment, offset 0.
fn atomic(code: &mut Vec<u8>, op: u8) {
    code.extend([ATOMIC, op, 2, 0]);
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
