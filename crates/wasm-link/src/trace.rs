//! What wasm-ld tells about resolution while it happens: `--trace` (every object as it is
//! loaded), `--trace-symbol` (each reference to and definition of the named symbols) and
//! `--why-extract` (which reference extracted which archive member). The resolver calls a
//! [`Tracer`] at the points where lld prints; the lines go to stdout in that order, as lld's
//! `message()` does. Nothing here decides anything about the link.

use crate::config::Config;
use crate::symbols::{Def, SymbolTable, Synthetic};
use std::collections::HashSet;

/// How wasm-ld names the linker itself as a file (`toString` of a null `InputFile`).
pub const INTERNAL: &str = "<internal>";

/// Collects the trace lines and `--why-extract` records of one link.
#[derive(Debug, Default)]
pub struct Tracer {
    /// `--trace`.
    files: bool,
    /// `--trace-symbol` names.
    symbols: HashSet<String>,
    /// `--why-extract` was given: (reference, extracted member, symbol) in lld's order.
    why: Option<Vec<[String; 3]>>,
    /// `--demangle`: records show symbols demangled.
    demangle: bool,
    /// Lines for stdout, in order.
    pub out: Vec<String>,
}

impl Tracer {
    /// A tracer for the options of `config`.
    pub fn new(config: &Config) -> Self {
        Tracer {
            files: config.trace,
            symbols: config.trace_symbols.iter().cloned().collect(),
            why: config.why_extract.as_ref().map(|_| Vec::new()),
            demangle: config.demangle,
            out: Vec::new(),
        }
    }

    /// `--trace`: an object (or archive member) is being loaded.
    pub fn file(&mut self, name: &str) {
        if self.files {
            self.out.push(name.to_string());
        }
    }

    /// Whether `--trace-symbol` names `symbol`. Inlined into the resolver, which asks for
    /// every symbol: nearly every link traces none, and then no lookup is made.
    #[inline(always)]
    pub fn traced(&self, symbol: &str) -> bool {
        !self.symbols.is_empty() && self.symbols.contains(symbol)
    }

    /// `FILE: reference to SYMBOL` (lld's `printTraceSymbolUndefined`), for every undefined
    /// symbol a loaded object (or the linker) adds.
    #[inline(always)]
    pub fn reference(&mut self, file: &str, symbol: &str) {
        if self.traced(symbol) {
            self.out.push(format!("{file}: reference to {symbol}"));
        }
    }

    /// `FILE: definition of SYMBOL`: a definition took the symbol's place (lld prints this from
    /// `replaceSymbol`, so a definition that loses to an existing one prints nothing).
    #[inline(always)]
    pub fn definition(&mut self, file: &str, symbol: &str) {
        if self.traced(symbol) {
            self.defined_as(symbol, file, symbol);
        }
    }

    /// Like [`Tracer::definition`], for a traced symbol the linker redefines under another
    /// name (`undefined_weak:NAME`).
    pub fn defined_as(&mut self, symbol: &str, file: &str, shown: &str) {
        if self.traced(symbol) {
            self.out.push(format!("{file}: definition of {shown}"));
        }
    }

    /// `MEMBER: lazy definition of SYMBOL`: an archive member's definition became lazy.
    #[inline(always)]
    pub fn lazy_definition(&mut self, member: &str, symbol: &str) {
        if self.traced(symbol) {
            self.out
                .push(format!("{member}: lazy definition of {symbol}"));
        }
    }

    /// A symbol as lld's `toString(Symbol)` shows it under this link's `--demangle`.
    pub fn display(&self, name: &str) -> String {
        display_symbol(name, self.demangle)
    }

    /// Whether `--why-extract` records are wanted.
    pub fn wants_why(&self) -> bool {
        self.why.is_some()
    }

    /// A `--why-extract` record, added once the extraction (and every extraction it caused)
    /// has finished, as lld does.
    pub fn extracted(&mut self, reference: &str, member: &str, symbol: &str) {
        if let Some(records) = &mut self.why {
            let shown = display_symbol(symbol, self.demangle);
            records.push([reference.to_string(), member.to_string(), shown]);
        }
    }

    /// Writes the `--why-extract` table (lld's `writeWhyExtract`): a header, then one
    /// tab-separated line per record; `-` means stdout, in order with the trace lines.
    pub fn write_why_extract(&mut self, config: &Config) -> Result<(), String> {
        let (Some(path), Some(records)) = (&config.why_extract, self.why.take()) else {
            return Ok(());
        };
        let lines = std::iter::once("reference\textracted\tsymbol".to_string())
            .chain(records.iter().map(|r| r.join("\t")));
        if path.as_os_str() == "-" {
            self.out.extend(lines);
            return Ok(());
        }
        let text: String = lines.map(|l| l + "\n").collect();
        std::fs::write(path, text).map_err(|e| {
            format!(
                "cannot open --why-extract= file {}: {}",
                path.display(),
                io_message(&e)
            )
        })
    }

    /// After GC: lld creates the indirect function table only now, and only when it is live or
    /// exported (`resolveIndirectFunctionTable`), so its definition is traced last.
    pub fn table_defined(
        &mut self,
        table: &SymbolTable<'_>,
        live: &crate::mark::Liveness,
        config: &Config,
    ) {
        let name = "__indirect_function_table";
        if config.import_table || !self.traced(name) {
            return;
        }
        let live = table.find(name).is_some_and(|id| {
            let s = table.get(id);
            live.symbol(id) && s.def == Def::Synthetic(Synthetic::IndirectTable)
        });
        if live || config.export_table {
            self.definition(INTERNAL, name);
        }
    }
}

/// `toString(Symbol)`: demangled unless `--no-demangle`, and `__main_argc_argv` is `main`.
pub fn display_symbol(name: &str, demangle: bool) -> String {
    if name == "__main_argc_argv" {
        "main".to_string()
    } else if demangle {
        llvm_demangle::demangle(name)
    } else {
        name.to_string()
    }
}

/// An I/O error as LLVM words it, without Rust's `(os error N)`.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            trace: true,
            trace_symbols: vec!["foo".into()],
            why_extract: Some("-".into()),
            ..Config::default()
        }
    }

    #[test]
    fn lines_follow_lld_wording() {
        let mut t = Tracer::new(&config());
        t.file("a.o");
        t.reference("a.o", "foo");
        t.reference("a.o", "bar");
        t.lazy_definition("lib.a(b.o)", "foo");
        t.definition("lib.a(b.o)", "foo");
        t.defined_as("foo", INTERNAL, "undefined_weak:foo");
        assert_eq!(
            t.out,
            [
                "a.o",
                "a.o: reference to foo",
                "lib.a(b.o): lazy definition of foo",
                "lib.a(b.o): definition of foo",
                "<internal>: definition of undefined_weak:foo",
            ]
        );
    }

    #[test]
    fn why_extract_to_stdout_has_a_header() {
        let c = config();
        let mut t = Tracer::new(&c);
        t.extracted("a.o", "lib.a(b.o)", "foo");
        t.write_why_extract(&c).unwrap();
        assert_eq!(
            t.out,
            ["reference\textracted\tsymbol", "a.o\tlib.a(b.o)\tfoo"]
        );
    }

    #[test]
    fn nothing_is_recorded_without_the_options() {
        let mut t = Tracer::new(&Config::default());
        t.file("a.o");
        t.reference("a.o", "foo");
        t.extracted("a.o", "lib.a(b.o)", "foo");
        assert!(!t.wants_why());
        t.write_why_extract(&Config::default()).unwrap();
        assert!(t.out.is_empty());
    }

    #[test]
    fn main_with_arguments_is_shown_as_main() {
        assert_eq!(display_symbol("__main_argc_argv", true), "main");
        assert_eq!(display_symbol("_ZN2ns1fEi", true), "ns::f(int)");
        assert_eq!(display_symbol("_ZN2ns1fEi", false), "_ZN2ns1fEi");
    }
}
