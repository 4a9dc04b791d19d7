//! Bitcode in resolution (lld's `BitcodeFile::parse`, `handleLibcall`, `BitcodeCompiler::add`
//! and `compileBitcodeFiles`). A bitcode module's symbols resolve like an object's, except
//! that they do not make a symbol "used in a regular object", and an undefined one has no kind
//! of its own (libLTO does not say). At the point where lld runs LTO, resolution either stops
//! and gives the [`Plan`] for code generation, or (the second time) turns every definition a
//! bitcode module won into an undefined symbol and loads the compiled object in its place.

use super::Resolver;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Errors};
use crate::ids::{FileId, SymbolId};
use crate::lto::Plan;
use crate::symbols::{Def, Kind, Symbol};
use wasm_format::linking::{SymbolFlags, SymbolInfo};

impl<'a> Resolver<'_, 'a> {
    /// Whether `f` is a bitcode module libLTO read.
    pub(super) fn is_lto_input(&self, f: FileId) -> bool {
        self.inputs.files[f.idx()].lto.is_some()
    }

    /// Whether `id`'s kind is a guess that the first definition or native reference replaces:
    /// it is undefined with only bitcode references so far, or a bitcode alias defines it.
    pub(super) fn kind_unknown(&self, id: SymbolId) -> bool {
        let (Def::Undefined { file, index } | Def::Defined { file, index }) =
            self.table.get(id).def
        else {
            return false;
        };
        let input = self.inputs.files.get(file.idx()).and_then(|i| i.lto);
        input.is_some_and(|b| b.module.kind_unknown(index))
    }

    /// Checks a bitcode module as lld does when it is loaded; false if it must not be.
    pub(super) fn accept_bitcode(&mut self, f: FileId) -> bool {
        let Some(input) = self.inputs.files[f.idx()].lto else {
            return true;
        };
        let name = self.inputs.name(f);
        let message = if self.lto_done {
            format!("{name}: attempt to add bitcode file after LTO.")
        } else if !input.module.is_wasm() {
            format!("{name}: machine type must be wasm32 or wasm64")
        } else {
            return true;
        };
        let error = Diagnostic::error(Code::Input, message).in_file(name);
        self.errors.push(error);
        false
    }

    /// A bitcode definition in a COMDAT claims the group named after it (see
    /// [`crate::lto::symbols`]); one whose group an earlier file holds becomes undefined.
    pub(super) fn claim_bitcode_comdats(&mut self, f: FileId) {
        let obj = self.inputs.obj(f);
        for c in &obj.comdats {
            let winner = *self.comdats.entry(c.name).or_insert(f);
            if winner != f {
                let symbols = obj.comdat_members_of(c).iter().map(|m| m.index);
                self.discarded[f.idx()].symbols.extend(symbols);
            }
        }
    }

    /// Adds symbol `i` of bitcode module `f`. Unlike an object's, it leaves the symbol's
    /// "used in a regular object" as it was (lld's `SymbolTable::insert`).
    pub(super) fn add_bitcode_symbol(&mut self, f: FileId, i: u32, s: &SymbolInfo<'a>) -> SymbolId {
        let name = self.inputs.obj(f).symbol_name(s);
        let used = self
            .table
            .find(name)
            .map(|id| self.table.get(id).used_in_regular);
        let excluded = self.discarded[f.idx()].symbols.contains(&i);
        let id = if s.is_defined() && !excluded {
            let def = Def::Defined { file: f, index: i };
            let existing = self.table.find(name).map(|id| self.table.get(id).kind);
            let kind = match existing {
                Some(kind) if self.bitcode_kind_unknown(f, i) => kind,
                _ => Kind::of(&s.kind),
            };
            self.add_defined(f, name, kind, def, s.flags)
        } else {
            let flags = SymbolFlags(s.flags.0 | SymbolFlags::UNDEFINED);
            self.add_bitcode_undefined(f, i, name, flags)
        };
        self.table.get_mut(id).used_in_regular = used.unwrap_or(false);
        id
    }

    /// Whether symbol `i` of bitcode module `f` has no kind of its own.
    fn bitcode_kind_unknown(&self, f: FileId, i: u32) -> bool {
        let input = self.inputs.files[f.idx()].lto;
        input.is_some_and(|b| b.module.kind_unknown(i))
    }

    /// An undefined bitcode symbol: it loads a lazy member like any strong reference, and
    /// checks nothing against what it meets, as it has no kind.
    fn add_bitcode_undefined(
        &mut self,
        f: FileId,
        i: u32,
        name: &'a str,
        flags: SymbolFlags,
    ) -> SymbolId {
        self.trace.reference(self.inputs.name(f), name);
        let Some(id) = self.table.find(name) else {
            let def = Def::Undefined { file: f, index: i };
            return self
                .table
                .insert(Symbol::new(name, Kind::Function, def, flags));
        };
        let sym = self.table.get_mut(id);
        match sym.def {
            _ if sym.shared => {}
            Def::Lazy(_) if flags.is_weak() => {
                sym.flags = SymbolFlags(sym.flags.0 | SymbolFlags::BINDING_WEAK);
            }
            Def::Lazy(m) => {
                self.load(m);
                self.record_extraction(self.inputs.name(f), m, name);
            }
            Def::Undefined { .. } if sym.is_weak() && !flags.is_weak() => {
                sym.flags = SymbolFlags(sym.flags.0 & !SymbolFlags::BINDING_WEAK);
            }
            _ => {}
        }
        id
    }

    /// Loads the lazy bitcode definitions of the library functions LTO code generation may
    /// call, once some bitcode is loaded (lld's `handleLibcall`).
    pub(super) fn extract_libcall_members(&mut self) {
        if !self.loaded.iter().any(|&f| self.is_lto_input(f)) {
            return;
        }
        for &name in self.inputs.lto.libcalls {
            let Some(id) = self.table.find(name) else {
                continue;
            };
            if let Def::Lazy(m) = self.table.get(id).def {
                if self.is_lto_input(m) {
                    self.load(m);
                    self.record_extraction("<libcall>", m, name);
                }
            }
        }
    }

    /// lld's LTO step on the second resolution: every definition a bitcode module won becomes
    /// undefined (strong, as lld's `undefine` makes it), then the compiled objects are loaded,
    /// their COMDATs kept whole (the bitcode claimed them). From now on loading bitcode is an
    /// error.
    pub(super) fn add_lto_objects(&mut self) {
        self.lto_done = true;
        if self.inputs.lto.objects.is_empty() {
            return;
        }
        let inputs = self.inputs;
        for sym in &mut self.table.symbols {
            if let Def::Defined { file, index } = sym.def {
                if inputs.files[file.idx()].lto.is_some() {
                    sym.def = Def::Undefined { file, index };
                    sym.flags = SymbolFlags(0);
                }
            }
        }
        for &object in &inputs.lto.objects {
            self.load(object);
        }
    }

    /// What code generation needs, decided as lld's `BitcodeCompiler::add` decides each
    /// symbol's resolution: the loaded modules, the symbols to keep external (visible to
    /// native code: referenced from an object or the command line, or exported), and the
    /// `--save-temps` resolution file.
    pub(super) fn plan(&mut self, config: &Config) -> Result<Plan, Errors> {
        self.check_wrapped_bitcode(config);
        if !self.errors.is_empty() {
            return Err(std::mem::take(&mut self.errors));
        }
        let modules: Vec<FileId> = self
            .loaded
            .iter()
            .copied()
            .filter(|&f| self.is_lto_input(f))
            .collect();
        let mut plan = Plan {
            modules,
            ..Plan::default()
        };
        let mut preserved = rustc_hash::FxHashSet::default();
        for &f in &plan.modules {
            let file = self.inputs.name(f);
            plan.resolution.push_str(&format!("{file}\n"));
            let obj = self.inputs.obj(f);
            for (i, s) in obj.symbols.iter().enumerate() {
                let id = self.file_syms[f.idx()][i];
                let sym = self.table.get(id);
                let prevailing = sym.def
                    == Def::Defined {
                        file: f,
                        index: i as u32,
                    };
                let visible = config.relocatable
                    || sym.used_in_regular
                    || (prevailing && exported(sym, config));
                let name = obj.symbol_name(s);
                if visible && s.is_defined() && preserved.insert(name) {
                    plan.preserve.push(name.to_string());
                }
                let flags = match (prevailing, visible) {
                    (true, true) => "px",
                    (true, false) => "p",
                    (false, true) => "x",
                    (false, false) => "",
                };
                plan.resolution
                    .push_str(&format!("-r={file},{name},{flags}\n"));
            }
        }
        Ok(plan)
    }

    /// lld keeps LTO from inlining wrapped symbols (`LinkerRedefined`); libLTO's C API cannot,
    /// so a wrapped symbol that bitcode defines is an error rather than a wrong program.
    fn check_wrapped_bitcode(&mut self, config: &Config) {
        for w in &config.wrap {
            for name in [&w.symbol, &w.real, &w.wrap] {
                let Some(id) = self.table.find(name) else {
                    continue;
                };
                let Def::Defined { file, .. } = self.table.get(id).def else {
                    continue;
                };
                if self.is_lto_input(file) {
                    let message = format!(
                        "--wrap={}: {name} is defined in LLVM bitcode ({}), and libLTO's C API \
                         cannot keep LTO from inlining it; compile that file without -flto",
                        w.symbol,
                        self.inputs.name(file)
                    );
                    self.errors
                        .push(Diagnostic::error(Code::Unsupported, message).for_symbol(name));
                }
            }
        }
    }
}

/// lld's `Symbol::isExported` before GC: `--export-all`, `--export-dynamic` for a visible
/// symbol, or an explicit export.
fn exported(sym: &Symbol<'_>, config: &Config) -> bool {
    config.export_all
        || (config.export_dynamic && !sym.is_hidden())
        || sym.force_export
        || sym.flags.0 & SymbolFlags::EXPORTED != 0
}
