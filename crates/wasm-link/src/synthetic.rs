//! Bodies of the functions the linker writes itself, each with its size prefix, built with
//! wasm-encoder (minimal LEBs, as wasm-ld writes them).

use crate::ids::OutFunc;
use crate::inputs::Inputs;
use crate::layout::{Layout, OutFunction};
use wasm_encoder::{BlockType, Encode, Function, InstructionSink, MemArg, MemArgTarget};

/// wasm-ld's memarg for its atomic instructions: 4-byte alignment, offset 0, memory 0.
const ATOMIC_I32: MemArg = MemArg {
    offset: 0,
    align: 2,
    target: MemArgTarget::Memory(0),
    ordering: None,
};

/// The body of a synthetic function, including its size prefix.
pub fn body(f: &OutFunction, layout: &Layout<'_>, inputs: &Inputs<'_>) -> Vec<u8> {
    let mut func = Function::new([]);
    match f {
        OutFunction::CallCtors => {
            for &(index, results) in &layout.ctors {
                let mut code = func.instructions();
                code.call(index.0);
                for _ in 0..results {
                    code.drop();
                }
            }
        }
        OutFunction::Stub(_) | OutFunction::UndefinedStub(_) => {
            func.instructions().unreachable();
        }
        OutFunction::CommandExport { target, .. } => {
            command_export(&mut func, layout, inputs, *target)
        }
        OutFunction::InitMemory => init_memory(&mut func, layout),
        OutFunction::InitTls => init_tls(&mut func.instructions(), layout),
        OutFunction::ApplyGlobalTlsRelocs => apply_global_tls_relocs(&mut func, layout),
        OutFunction::ApplyGlobalRelocs => apply_global_relocs(&mut func, layout),
        OutFunction::Start => {
            let mut code = func.instructions();
            for f in [layout.apply_global_relocs, layout.init_memory]
                .into_iter()
                .flatten()
            {
                code.call(f.0);
            }
        }
        // `__wasm_apply_data_relocs` is written from the relocations (`dylink`).
        OutFunction::ApplyDataRelocs | OutFunction::ApplyTlsRelocs | OutFunction::Input(..) => {}
    }
    func.instructions().end();
    let mut out = Vec::new();
    func.encode(&mut out);
    out
}

/// `<name>.command_export`: the constructors, the function with its arguments, the
/// destructors (lld's `createCommandExportWrapper`).
fn command_export(func: &mut Function, l: &Layout<'_>, inputs: &Inputs<'_>, target: OutFunc) {
    let code = &mut func.instructions();
    if let Some(ctors) = l.call_ctors {
        code.call(ctors.0);
    }
    let params = l.function_type(inputs, target).params.len();
    for i in 0..params {
        code.local_get(i as u32);
    }
    code.call(target.0);
    if let Some(dtors) = l.call_dtors {
        code.call(dtors.0);
    }
}

/// `__wasm_init_memory` (lld's `createInitMemoryFunction`, without PIC). With shared memory the
/// first thread to move the flag from 0 to 1 copies the segments in and sets it to 2; the
/// others wait for 2. Then every thread drops its passive segments, except `.tdata`, which
/// `__wasm_init_tls` copies again for each thread. Addresses and the `.bss` size are
/// address-sized; segment offsets and sizes of `memory.init` are `i32`.
fn init_memory(func: &mut Function, l: &Layout<'_>) {
    let flag = l.init_memory_flag;
    let addr = l.address;
    // PIC: addresses are `__memory_base` plus an offset; the flag's is computed once.
    let pic_base = l.memory_base.filter(|_| flag.is_some());
    if pic_base.is_some() {
        let local = if addr.is64() {
            wasm_encoder::ValType::I64
        } else {
            wasm_encoder::ValType::I32
        };
        *func = Function::new([(2, local)]);
    }
    let code = &mut func.instructions();
    let flag_address = |code: &mut InstructionSink<'_>, flag: u64| match pic_base {
        Some(_) => {
            code.local_get(0);
        }
        None => addr.emit_const(code, flag),
    };
    if let (Some(base), Some(flag)) = (pic_base, flag) {
        code.global_get(base.0);
        addr.emit_const(code, flag);
        addr.emit_add(code);
        code.local_set(0);
    }
    if let Some(flag) = flag {
        for _ in 0..3 {
            code.block(BlockType::Empty);
        }
        flag_address(code, flag);
        code.i32_const(0)
            .i32_const(1)
            .i32_atomic_rmw_cmpxchg(ATOMIC_I32)
            .br_table([0, 1], 2)
            .end();
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if !seg.init_at_start {
            continue;
        }
        addr.emit_const(code, seg.va);
        if let Some(base) = l.memory_base {
            code.global_get(base.0);
            addr.emit_add(code);
        }
        if flag.is_some() && seg.is_tls() {
            match pic_base {
                Some(_) => {
                    code.local_tee(1).global_set(tls_base(l)).local_get(1);
                }
                None => {
                    addr.emit_const(code, seg.va);
                    code.global_set(tls_base(l));
                }
            }
        }
        if seg.is_bss() {
            code.i32_const(0);
            addr.emit_const(code, seg.size);
            code.memory_fill(0);
        } else {
            memory_init(code, index, seg.size);
        }
    }
    if let Some(flag) = flag {
        flag_address(code, flag);
        code.i32_const(2).i32_atomic_store(ATOMIC_I32);
        flag_address(code, flag);
        code.i32_const(-1)
            .memory_atomic_notify(ATOMIC_I32)
            .drop()
            .br(1)
            .end();
        flag_address(code, flag);
        code.i32_const(1)
            .i64_const(-1)
            .memory_atomic_wait32(ATOMIC_I32)
            .drop()
            .end();
    }
    for (index, seg) in l.segments.iter().enumerate() {
        if seg.init_at_start && !seg.is_bss() && !(flag.is_some() && seg.is_tls()) {
            code.data_drop(index as u32);
        }
    }
}

/// `__wasm_init_tls(ptr)`: points `__tls_base` at a thread's block and copies `.tdata` into it.
fn init_tls(code: &mut InstructionSink<'_>, l: &Layout<'_>) {
    if let Some(index) = l.segments.iter().position(|s| s.is_tls()) {
        code.local_get(0)
            .global_set(tls_base(l))
            .local_get(0)
            .i32_const(0)
            .i32_const(l.segments[index].size as i32)
            .memory_init(0, index as u32);
    }
    if let Some(apply) = l.apply_tls_relocs {
        code.call(apply.0);
    }
    if let Some(apply) = l.apply_global_tls_relocs {
        code.call(apply.0);
    }
}

/// `__wasm_apply_global_tls_relocs` (lld's `GlobalSection::generateRelocationCode` for TLS):
/// each internal GOT global of a thread-local symbol becomes `__tls_base` plus its offset.
fn apply_global_tls_relocs(func: &mut Function, l: &Layout<'_>) {
    for &(global, offset) in &l.tls_got {
        func.instructions().global_get(tls_base(l));
        // lld writes the offset's full 64-bit value here, wasm32 or not.
        l.address.emit_const_unwrapped(func, offset);
        l.address.emit_add(&mut func.instructions());
        func.instructions().global_set(global.0);
    }
}

/// `__wasm_apply_global_relocs` (PIC): each internal GOT global becomes `__memory_base` or
/// `__table_base` plus its offset.
fn apply_global_relocs(func: &mut Function, l: &Layout<'_>) {
    for &(global, base, offset) in &l.pic_got {
        let base = match base {
            crate::layout::pic::Base::Memory => l.memory_base,
            crate::layout::pic::Base::Table => l.table_base_global,
        };
        func.instructions().global_get(base.map_or(0, |g| g.0));
        l.address.emit_const_unwrapped(func, offset);
        l.address.emit_add(&mut func.instructions());
        func.instructions().global_set(global.0);
    }
}

/// `__tls_base`'s index: the functions that set or read it exist only when it does.
fn tls_base(l: &Layout<'_>) -> u32 {
    l.tls_base_global.map_or(0, |g| g.0)
}

/// `memory.init` of output segment `index` (the destination is on the stack).
fn memory_init(code: &mut InstructionSink<'_>, index: usize, size: u64) {
    code.i32_const(0)
        .i32_const(size as i32)
        .memory_init(0, index as u32);
}
