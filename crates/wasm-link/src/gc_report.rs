//! `--print-gc-sections`: what GC removed, as wasm-ld prints it to stdout at the end of its
//! `markLive` (so before anything the writer creates: `__wasm_init_memory`, `undefined_stub`,
//! the indirect function table, `__start_`/`__stop_` symbols).
//!
//! Per loaded object in load order: its dead functions, data segments, globals, tags and
//! tables, each kind in index order, as `removing unused section FILE:(NAME)`, NAME being the
//! element's first defining symbol, raw (a segment's own name). Then the linker's own, as
//! `<internal>:(NAME)`: dead synthetic functions in creation order (`__wasm_call_ctors`,
//! `__wasm_init_tls`, signature-mismatch stubs, weak-undefined stubs, each stub named by its
//! symbol), then dead synthetic globals (`__tls_base`, `__tls_size`, `__tls_align`). Nothing
//! without GC.

use crate::ids::SymbolId;
use crate::inputs::Inputs;
use crate::mark::Liveness;
use crate::resolve::Resolved;
use crate::symbols::{Def, Kind, Synthetic};
use wasm_object::ids::{DefinedFunc, DefinedGlobal, DefinedTable, DefinedTag, Definition};
use wasm_object::object::Object;

/// The lines `--print-gc-sections` prints, in wasm-ld's order.
pub fn report(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &Liveness) -> Vec<String> {
    let globals = live_globals(inputs, res, live);
    let mut out = Vec::new();
    for &f in &res.loaded {
        let obj = inputs.obj(f);
        let file = inputs.name(f);
        let mut removed = |name: &str| out.push(format!("removing unused section {file}:({name})"));
        let fi = f.idx();
        let dead = |flags: &[bool]| -> Vec<u32> {
            (0..flags.len())
                .filter(|&i| !flags[i])
                .map(|i| i as u32)
                .collect()
        };
        for i in dead(&live.functions[fi]) {
            removed(element_name(obj, Definition::Function(DefinedFunc(i))));
        }
        for i in dead(&live.segments[fi]) {
            removed(obj.segments[i as usize].name);
        }
        for i in dead(&globals[fi]) {
            removed(element_name(obj, Definition::Global(DefinedGlobal(i))));
        }
        for i in dead(&live.tags[fi]) {
            removed(element_name(obj, Definition::Tag(DefinedTag(i))));
        }
        for i in dead(&live.tables[fi]) {
            removed(element_name(obj, Definition::Table(DefinedTable(i))));
        }
    }
    out.extend(
        dead_synthetic(res, live)
            .map(|name| format!("removing unused section <internal>:({name})")),
    );
    out
}

/// The element's name in LLVM's object reader: its first defining symbol (`SymbolName`), or
/// empty.
fn element_name<'a>(obj: &Object<'a>, element: Definition) -> &'a str {
    (0..obj.symbols.len() as u32)
        .find(|&i| {
            !obj.symbols[i as usize].flags.is_undefined() && obj.definition(i) == Some(element)
        })
        .and_then(|i| obj.symbols[i as usize].name)
        .unwrap_or("")
}

/// Per file, per defined global: whether a live symbol defines it (globals have no atom of
/// their own in [`Liveness`]).
fn live_globals(inputs: &Inputs<'_>, res: &Resolved<'_>, live: &Liveness) -> Vec<Vec<bool>> {
    let mut globals: Vec<Vec<bool>> = (inputs.files.iter())
        .map(|f| vec![false; f.obj.globals.len()])
        .collect();
    for (i, sym) in res.table.symbols.iter().enumerate() {
        if sym.kind != Kind::Global || !live.symbol(SymbolId(i as u32)) {
            continue;
        }
        let Def::Defined { file, index } = sym.def else {
            continue;
        };
        if let Some(Definition::Global(g)) = inputs.obj(file).definition(index) {
            globals[file.idx()][g.idx()] = true;
        }
    }
    globals
}

/// The names of the dead synthetic functions, then globals, in lld's creation order.
fn dead_synthetic<'r>(res: &'r Resolved<'_>, live: &'r Liveness) -> impl Iterator<Item = &'r str> {
    let symbols = &res.table.symbols;
    let synthetic = move |kind: Synthetic| {
        (0..symbols.len())
            .filter(move |&i| {
                symbols[i].def == Def::Synthetic(kind) && !live.symbol(SymbolId(i as u32))
            })
            .map(move |i| &symbols[i])
    };
    let globals = [Synthetic::TlsBase, Synthetic::TlsSize, Synthetic::TlsAlign]
        .into_iter()
        .flat_map(move |k| synthetic(k).filter(|s| s.kind == Kind::Global));
    synthetic(Synthetic::CallCtors)
        .chain(synthetic(Synthetic::InitTls))
        .chain(synthetic(Synthetic::SignatureStub))
        .chain(synthetic(Synthetic::WeakStub))
        .chain(globals)
        .map(|s| s.name)
}
