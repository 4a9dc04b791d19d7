//! A minimal `llvm-cxxfilt`: demangles each argument, or each line of standard input.
//!
//! ```sh
//! cargo run -p llvm-demangle --example cxxfilt -- _ZZ4mainENKUlvE_clEv
//! llvm-nm-19 foo.o | awk '{print $NF}' | cargo run -p llvm-demangle --example cxxfilt
//! ```

use std::io::{BufRead, BufWriter, Write};

fn main() -> std::io::Result<()> {
    let out = std::io::stdout();
    let mut out = BufWriter::new(out.lock());
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        for name in &args {
            writeln!(out, "{}", llvm_demangle::demangle(name))?;
        }
        return out.flush();
    }
    for line in std::io::stdin().lock().lines() {
        writeln!(out, "{}", llvm_demangle::demangle(&line?))?;
    }
    out.flush()
}
