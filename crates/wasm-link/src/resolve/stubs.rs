//! Stub libraries (`#STUB` files, lld's `processStubLibraries`): each names symbols the
//! runtime provides and the symbols they need. An undefined symbol a stub library names is
//! imported (lld's `forceImport`); its dependencies must be defined and are exported, and a
//! dependency an archive member defines loads that member, which may leave new undefined
//! symbols for the stub libraries, so the pass repeats until nothing more is loaded.
//!
//! lld walks a stub library's symbols in its hash map's order; here they are walked in file
//! order. The two differ only in which archive member loads first when several stubs
//! extract members in one pass.

use super::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::ids::SymbolId;
use crate::inputs::StubLibrary;
use crate::symbols::Def;

impl<'i, 'a> Resolver<'i, 'a> {
    /// Applies every stub library until no dependency loads another member.
    pub(super) fn process_stub_libraries(&mut self) {
        let inputs = self.inputs;
        loop {
            let mut loaded = false;
            for stub in &inputs.stubs {
                for (name, deps) in &stub.symbols {
                    match self.table.find(name) {
                        Some(id) if self.is_undefined(id) => {
                            loaded |= self.import_from_stub(stub, id, deps);
                        }
                        // lld says so on every pass.
                        Some(_) if self.trace.traced(name) => {
                            let line = format!("{}: stub symbol not needed: {name}", stub.name);
                            self.trace.out.push(line);
                        }
                        _ => {}
                    }
                }
                // A symbol also matches by its import name.
                for i in 0..self.table.symbols.len() {
                    let id = SymbolId(i as u32);
                    let Some(field) = self.table.get(id).import_name() else {
                        continue;
                    };
                    if !self.is_undefined(id) {
                        continue;
                    }
                    if let Some((_, deps)) = stub.symbols.iter().find(|(s, _)| s == field) {
                        loaded |= self.import_from_stub(stub, id, deps);
                    }
                }
            }
            if !loaded {
                break;
            }
        }
    }

    /// Undefined, and not offered by a shared library.
    fn is_undefined(&self, id: SymbolId) -> bool {
        let sym = self.table.get(id);
        matches!(sym.def, Def::Undefined { .. }) && !sym.shared
    }

    /// Imports `id` and exports its dependencies (lld's `addStubSymbolDeps`); true if a
    /// dependency loaded an archive member. The first stub library to name a symbol decides.
    fn import_from_stub(&mut self, stub: &StubLibrary, id: SymbolId, deps: &[String]) -> bool {
        let sym = self.table.get_mut(id);
        if std::mem::replace(&mut sym.force_import, true) {
            return false;
        }
        let sym_name = sym.name;
        // lld's `--why-extract` line names the stub symbol's own file, not the member.
        let sym_file = match sym.def {
            Def::Undefined { file, .. } => Some(file),
            _ => None,
        };
        let shown = |name: &str, config: &crate::config::Config| {
            crate::trace::display_symbol(name, config.demangle)
        };
        if self.trace.traced(sym_name) {
            self.trace
                .out
                .push(format!("{}: importing {sym_name}", stub.name));
        }
        let mut loaded = false;
        for dep in deps {
            let needed = self.table.find(dep);
            let missing = match needed {
                None => Some(dep.clone()),
                Some(n) if self.is_undefined(n) => Some(shown(self.table.get(n).name, self.config)),
                _ => None,
            };
            if let Some(missing) = missing {
                let message = format!(
                    "{}: undefined symbol: {missing}. Required by {}",
                    stub.name,
                    shown(sym_name, self.config)
                );
                let error = Diagnostic::error(Code::UndefinedSymbol, message);
                self.errors.push(error.for_symbol(dep).in_file(&stub.name));
                continue;
            }
            let Some(n) = needed else { continue };
            let dep_name = self.table.get(n).name;
            if self.trace.traced(dep_name) {
                let shown = self.trace.display(dep_name);
                let line = format!(
                    "{}: exported {shown} due to import of {sym_name}",
                    stub.name
                );
                self.trace.out.push(line);
            }
            self.table.get_mut(n).force_export = true;
            if let Def::Lazy(m) = self.table.get(n).def {
                loaded = true;
                self.load(m);
                if let (true, Some(file)) = (self.trace.wants_why(), sym_file) {
                    let file = self.inputs.name(file).to_string();
                    self.trace.extracted(&stub.name, &file, sym_name);
                }
            }
        }
        loaded
    }
}
