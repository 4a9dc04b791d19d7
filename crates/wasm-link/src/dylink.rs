//! What only a PIC output (`-shared`, `-pie`) has: the `dylink.0` section that tells a
//! dynamic loader how much memory and table to reserve and which imports may stay
//! unresolved, and `__wasm_apply_data_relocs`, which stores the run-time addresses into the
//! data (lld's `DylinkSection::writeBody` and `InputChunk::generateRelocationCode`).

use crate::config::Config;
use crate::layout::Layout;
use crate::mark::Liveness;
use crate::relocate::{RelocContext, Site};
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind};
use wasm_encoder::Encode;
use wasm_format::reloc::RelocType;

/// `WASM_DYLINK_MEM_INFO`.
const MEM_INFO: u8 = 1;
/// `WASM_DYLINK_NEEDED`.
const NEEDED: u8 = 2;
/// `WASM_DYLINK_EXPORT_INFO`.
const EXPORT_INFO: u8 = 3;
/// `WASM_DYLINK_IMPORT_INFO`.
const IMPORT_INFO: u8 = 4;

/// The contents of the `dylink.0` custom section (after its name).
pub fn section(res: &Resolved<'_>, live: &Liveness, l: &Layout<'_>, config: &Config) -> Vec<u8> {
    let mut out = Vec::new();
    let mut mem = Vec::new();
    l.dylink_memory.size.encode(&mut mem);
    l.dylink_memory.p2align.encode(&mut mem);
    (l.elems.len() as u32).encode(&mut mem);
    0u32.encode(&mut mem);
    subsection(&mut out, MEM_INFO, &mem);
    if !l.needed.is_empty() {
        let mut needed = Vec::new();
        for name in &l.needed {
            name.as_str().encode(&mut needed);
        }
        subsection(&mut out, NEEDED, &counted(l.needed.len() as u32, needed));
    }
    // Exported thread-local data is relative to `__tls_base`, not `__memory_base`; a weak
    // import may stay unresolved.
    let (mut exports, mut imports) = (Vec::new(), Vec::new());
    let (mut num_exports, mut num_imports) = (0u32, 0u32);
    let mut got_imported = vec![false; res.table.symbols.len()];
    for id in &l.got_imports {
        got_imported[id.idx()] = true;
    }
    for (i, sym) in res.table.symbols.iter().enumerate() {
        let id = crate::ids::SymbolId(i as u32);
        if !sym.global || !live.symbol(id) {
            continue;
        }
        let defined_data = sym.kind == Kind::Data && matches!(sym.def, Def::Defined { .. });
        let exported = sym.is_exported(config) || got_imported[id.idx()];
        if defined_data && sym.flags.is_tls() && exported {
            sym.name.encode(&mut exports);
            sym.flags.0.encode(&mut exports);
            num_exports += 1;
        }
        if sym.is_weak() && sym.is_undefined() {
            sym.import_module().unwrap_or("env").encode(&mut imports);
            sym.import_name().unwrap_or(sym.name).encode(&mut imports);
            sym.flags.0.encode(&mut imports);
            num_imports += 1;
        }
    }
    if num_exports > 0 {
        subsection(&mut out, EXPORT_INFO, &counted(num_exports, exports));
    }
    if num_imports > 0 {
        subsection(&mut out, IMPORT_INFO, &counted(num_imports, imports));
    }
    out
}

/// `count` followed by `entries`.
fn counted(count: u32, entries: Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    count.encode(&mut out);
    out.extend(entries);
    out
}

/// A subsection: its type, its size, its contents.
fn subsection(out: &mut Vec<u8>, ty: u8, contents: &[u8]) {
    out.push(ty);
    contents.len().encode(out);
    out.extend_from_slice(contents);
}

/// The body of `__wasm_apply_data_relocs`, with its size prefix: for every relocation of
/// every placed input segment (`.tdata` excepted with shared memory), store at
/// `__memory_base + address` either a GOT global (plus the addend) or the value relative to
/// `__memory_base`, `__table_base` or `__tls_base`.
pub fn apply_data_relocs(ctx: &RelocContext<'_, '_>, config: &Config) -> Vec<u8> {
    relocation_code(ctx, config, |seg| !(config.shared_memory && seg.is_tls()))
}

/// The body of `__wasm_apply_tls_relocs` (shared memory): the same for `.tdata`, relative
/// to this thread's `__tls_base`.
pub fn apply_tls_relocs(ctx: &RelocContext<'_, '_>, config: &Config) -> Vec<u8> {
    relocation_code(ctx, config, |seg| seg.is_tls())
}

/// Run-time relocation code for the input segments of the output segments `wanted` picks.
fn relocation_code(
    ctx: &RelocContext<'_, '_>,
    config: &Config,
    wanted: impl Fn(&crate::layout::OutSegment) -> bool,
) -> Vec<u8> {
    let l = ctx.layout;
    let mut code = vec![0u8]; // no locals
    for seg in &l.segments {
        if !wanted(seg) {
            continue;
        }
        for &(file, index, offset) in &seg.parts {
            let obj = ctx.inputs.obj(file);
            let input = &obj.segments[index as usize];
            let base = (input.data.offset - obj.data_offset) as u64;
            let va = seg.va.wrapping_add(offset);
            let site = Site {
                file,
                tombstone: 0,
                va,
            };
            for r in obj.data_relocs_of(input) {
                let at = va.wrapping_add(u64::from(r.offset).wrapping_sub(base));
                // Without PIC only addresses read from the GOT are unknown at link time.
                if config.pic || symbol_got(ctx, site, r).is_some() {
                    store_relocated(ctx, site, r, at, seg.is_tls(), &mut code);
                }
            }
        }
    }
    code.push(0x0b);
    let mut out = Vec::new();
    code.len().encode(&mut out);
    out.extend(code);
    out
}

/// The code for one relocation at address `at` (relative to the module's base).
fn store_relocated(
    ctx: &RelocContext<'_, '_>,
    site: Site,
    r: &wasm_format::reloc::Reloc,
    at: u64,
    tls_segment: bool,
    code: &mut Vec<u8>,
) {
    let l = ctx.layout;
    let global = |g: Option<crate::ids::OutGlobal>| g.map_or(0, |g| g.0);
    let pointer_64 = l.address.is64();
    push_const(code, pointer_64, at as i64);
    if l.memory_base.is_some() {
        let module_base = if tls_segment {
            global(l.tls_base_global)
        } else {
            global(l.memory_base)
        };
        code.push(0x23); // global.get
        module_base.encode(code);
        code.push(if pointer_64 { 0x7c } else { 0x6a }); // add
    }
    let value_64 = r.ty.is_64();
    let id = ctx.res.file_syms[site.file.idx()]
        .get(r.index as usize)
        .copied();
    let got = symbol_got(ctx, site, r);
    if let Some(got) = got {
        code.push(0x23);
        got.encode(code);
        if r.addend != 0 {
            push_const(code, value_64, r.addend);
            code.push(if value_64 { 0x7c } else { 0x6a });
        }
    } else {
        let tls = id.is_some_and(|id| ctx.res.table.get(id).flags.is_tls());
        let base = match r.ty {
            RelocType::TableIndexI32 | RelocType::TableIndexI64 => global(l.table_base_global),
            _ if tls => global(l.tls_base_global),
            _ => global(l.memory_base),
        };
        code.push(0x23);
        base.encode(code);
        push_const(code, value_64, ctx.value(site, r, at) as i64);
        code.push(if value_64 { 0x7c } else { 0x6a });
    }
    // `i32.store` / `i64.store`, alignment 2^2, offset 0, as lld writes both.
    code.extend([if value_64 { 0x37 } else { 0x36 }, 2, 0]);
}

/// `i32.const` / `i64.const` with `value`'s full 64-bit signed LEB, as lld writes it.
fn push_const(code: &mut Vec<u8>, is_64: bool, value: i64) {
    code.push(if is_64 { 0x42 } else { 0x41 });
    value.encode(code);
}

/// The GOT global of the symbol relocation `r` names, if it has one.
fn symbol_got(
    ctx: &RelocContext<'_, '_>,
    site: Site,
    r: &wasm_format::reloc::Reloc,
) -> Option<u32> {
    let id = ctx.res.file_syms[site.file.idx()].get(r.index as usize)?;
    got_global(ctx, *id)
}

/// The GOT global of a data or function symbol (lld's `hasGOTIndex`): imported or internal
/// with PIC; without PIC wasm-ld 19 writes code only for imported ones (dynamic imports).
fn got_global(ctx: &RelocContext<'_, '_>, id: crate::ids::SymbolId) -> Option<u32> {
    let sym = ctx.res.table.get(id);
    if !matches!(sym.kind, Kind::Data | Kind::Function) {
        return None;
    }
    let l = ctx.layout;
    let pic = l.memory_base.is_some();
    l.sym_global
        .at(id.idx())
        .map(|g| g.0)
        .filter(|&g| pic || g < l.num_global_imports)
}
