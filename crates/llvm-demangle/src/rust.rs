//! Rust v0 names (`_R...`), demangled as LLVM 19's `rustDemangle` does: one pass that parses
//! and prints, with printing off inside impl paths and the instantiating crate. Where LLVM
//! differs from `rustc-demangle` is listed on [`crate::rust_demangle`].
//!
//! LLVM has no output limit; we stop at [`MAX_OUTPUT`] bytes or [`MAX_STEPS`] productions, which
//! no real name approaches and which backreferences can otherwise blow up exponentially.

mod punycode;

/// LLVM's `MaxRecursionLevel`: nesting of paths, types and constants.
const MAX_DEPTH: u32 = 500;
/// The longest demangling produced.
const MAX_OUTPUT: usize = 1 << 20;
/// The most paths, types and constants visited, backreferences included.
const MAX_STEPS: u32 = 1 << 22;

/// Whether a path is printed inside a type, where generic arguments take no `::`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InType {
    No,
    Yes,
}

/// The demangling of `name`, a Rust v0 symbol (`_R` then a path, an optional instantiating
/// crate and an optional `.suffix`), or `None` where LLVM 19 fails.
pub(crate) fn demangle(name: &str) -> Option<String> {
    let rest = name.strip_prefix("_R")?;
    let (input, suffix) = match rest.find('.') {
        Some(dot) => rest.split_at(dot),
        None => (rest, ""),
    };
    let mut d = Demangler::new(input.as_bytes());
    d.path(InType::No, false)?;
    if d.pos != input.len() {
        // The instantiating crate: parsed, not printed.
        d.print = false;
        d.path(InType::No, false)?;
    }
    if d.pos != input.len() {
        return None;
    }
    if !suffix.is_empty() {
        d.out.push_str(" (");
        d.out.push_str(suffix);
        d.out.push(')');
    }
    Some(d.out)
}

/// Parser and printer in one pass, as LLVM's: `print` is off inside impl paths and the
/// instantiating crate, where backreferences are not followed either.
struct Demangler<'a> {
    input: &'a [u8],
    pos: usize,
    out: String,
    print: bool,
    depth: u32,
    steps: u32,
    bound_lifetimes: u64,
}

type R<T = ()> = Option<T>;

impl<'a> Demangler<'a> {
    fn new(input: &'a [u8]) -> Self {
        Demangler {
            input,
            pos: 0,
            out: String::with_capacity(2 * input.len()),
            print: true,
            depth: 0,
            steps: 0,
            bound_lifetimes: 0,
        }
    }

    // ---- input ----

    fn look(&self) -> u8 {
        self.input.get(self.pos).copied().unwrap_or(0)
    }

    /// The next byte; `None` at the end.
    fn next(&mut self) -> R<u8> {
        let c = *self.input.get(self.pos)?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.input.get(self.pos) == Some(&c);
        self.pos += usize::from(hit);
        hit
    }

    // ---- output ----

    fn put(&mut self, s: &str) -> R {
        if self.print {
            self.out.push_str(s);
            if self.out.len() > MAX_OUTPUT {
                return None;
            }
        }
        Some(())
    }

    fn put_char(&mut self, c: char) -> R {
        self.put(c.encode_utf8(&mut [0; 4]))
    }

    fn put_number(&mut self, n: u64) -> R {
        self.put(&n.to_string())
    }

    /// Runs `f` one nesting level deeper, failing past LLVM's limit or our step budget.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        if self.depth >= MAX_DEPTH || self.steps >= MAX_STEPS {
            return None;
        }
        self.depth += 1;
        self.steps += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// `<backref> = "B" <base-62-number>` (the `B` eaten): runs `f` at the earlier position,
    /// only when printing (LLVM skips the target otherwise).
    fn backref<T: Default>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        let target = self.base62()?;
        if target >= self.pos as u64 {
            return None;
        }
        if !self.print {
            return Some(T::default());
        }
        let saved = std::mem::replace(&mut self.pos, target as usize);
        let r = f(self);
        self.pos = saved;
        r
    }

    // ---- paths ----

    /// `<path>`; with `leave_open`, generic arguments at its end are left without their `>`
    /// and the result says so.
    fn path(&mut self, in_type: InType, leave_open: bool) -> R<bool> {
        self.nested(|d| d.path_inner(in_type, leave_open))
    }

    fn path_inner(&mut self, in_type: InType, leave_open: bool) -> R<bool> {
        match self.next()? {
            b'C' => {
                self.optional_base62(b's')?;
                let ident = self.identifier()?;
                self.put_identifier(ident)?;
            }
            b'M' => {
                self.impl_path(in_type)?;
                self.put("<")?;
                self.ty()?;
                self.put(">")?;
            }
            b'X' => {
                self.impl_path(in_type)?;
                self.qualified_trait()?;
            }
            b'Y' => self.qualified_trait()?,
            b'N' => self.nested_path(in_type)?,
            b'I' => {
                self.path(in_type, false)?;
                if in_type == InType::No {
                    self.put("::")?;
                }
                self.put("<")?;
                self.list(b", ", Self::generic_arg)?;
                if leave_open {
                    return Some(true);
                }
                self.put(">")?;
            }
            b'B' => return self.backref(|d| d.path(in_type, leave_open)),
            _ => return None,
        }
        Some(false)
    }

    /// `<type> <path>` of `X` and `Y`, printed `<T as Trait>`.
    fn qualified_trait(&mut self) -> R {
        self.put("<")?;
        self.ty()?;
        self.put(" as ")?;
        self.path(InType::Yes, false)?;
        self.put(">")
    }

    /// `N <ns> <path> [<disambiguator>] <identifier>`: `::{closure#N}`, `::{shim:NAME#N}` and
    /// other uppercase namespaces in braces, lowercase ones as `::NAME` (nothing if unnamed).
    fn nested_path(&mut self, in_type: InType) -> R {
        let ns = self.next()?;
        if !ns.is_ascii_alphabetic() {
            return None;
        }
        self.path(in_type, false)?;
        let disambiguator = self.optional_base62(b's')?;
        let ident = self.identifier()?;
        if ns.is_ascii_lowercase() {
            if !ident.name.is_empty() {
                self.put("::")?;
                self.put_identifier(ident)?;
            }
            return Some(());
        }
        self.put("::{")?;
        match ns {
            b'C' => self.put("closure")?,
            b'S' => self.put("shim")?,
            _ => self.put_char(char::from(ns))?,
        }
        if !ident.name.is_empty() {
            self.put(":")?;
            self.put_identifier(ident)?;
        }
        self.put("#")?;
        self.put_number(disambiguator)?;
        self.put("}")
    }

    /// `<impl-path> = [<disambiguator>] <path>`, never printed.
    fn impl_path(&mut self, in_type: InType) -> R {
        let print = std::mem::replace(&mut self.print, false);
        let r = self
            .optional_base62(b's')
            .and_then(|_| self.path(in_type, false));
        self.print = print;
        r.map(drop)
    }

    /// Items up to `E`, separated by `sep`; returns how many.
    fn list(&mut self, sep: &[u8], mut item: impl FnMut(&mut Self) -> R) -> R<usize> {
        let mut n = 0;
        while !self.eat(b'E') {
            if n > 0 {
                // Separators are ASCII.
                self.put(std::str::from_utf8(sep).ok()?)?;
            }
            item(self)?;
            n += 1;
        }
        Some(n)
    }

    /// `<generic-arg> = L <lifetime> | K <const> | <type>`.
    fn generic_arg(&mut self) -> R {
        if self.eat(b'L') {
            let lt = self.base62()?;
            self.put_lifetime(lt)
        } else if self.eat(b'K') {
            self.constant()
        } else {
            self.ty()
        }
    }

    // ---- types ----

    fn ty(&mut self) -> R {
        self.nested(Self::ty_inner)
    }

    fn ty_inner(&mut self) -> R {
        let start = self.pos;
        let c = self.next()?;
        if let Some(name) = basic_type(c) {
            return self.put(name);
        }
        match c {
            b'A' => {
                self.put("[")?;
                self.ty()?;
                self.put("; ")?;
                self.constant()?;
                self.put("]")
            }
            b'S' => {
                self.put("[")?;
                self.ty()?;
                self.put("]")
            }
            b'T' => {
                self.put("(")?;
                if self.list(b", ", Self::ty)? == 1 {
                    self.put(",")?;
                }
                self.put(")")
            }
            b'R' | b'Q' => self.reference(c == b'Q'),
            b'P' => {
                self.put("*const ")?;
                self.ty()
            }
            b'O' => {
                self.put("*mut ")?;
                self.ty()
            }
            b'F' => self.fn_sig(),
            b'D' => self.dyn_type(),
            b'B' => self.backref(Self::ty),
            _ => {
                self.pos = start;
                self.path(InType::Yes, false).map(drop)
            }
        }
    }

    /// `R [L <lifetime>] <type>` and `Q ...`: `&'a T`, `&mut T` (an erased lifetime unprinted).
    fn reference(&mut self, mutable: bool) -> R {
        self.put("&")?;
        if self.eat(b'L') {
            let lt = self.base62()?;
            if lt != 0 {
                self.put_lifetime(lt)?;
                self.put(" ")?;
            }
        }
        if mutable {
            self.put("mut ")?;
        }
        self.ty()
    }

    /// `F [<binder>] [U] [K <abi>] {<type>} E <type>`, printed `unsafe extern "C" fn(A) -> B`.
    fn fn_sig(&mut self) -> R {
        let bound = self.bound_lifetimes;
        let r = self.fn_sig_inner();
        self.bound_lifetimes = bound;
        r
    }

    fn fn_sig_inner(&mut self) -> R {
        self.binder()?;
        if self.eat(b'U') {
            self.put("unsafe ")?;
        }
        if self.eat(b'K') {
            self.put("extern \"")?;
            if self.eat(b'C') {
                self.put("C")?;
            } else {
                let abi = self.identifier()?;
                if abi.punycode {
                    return None;
                }
                // The mangling writes `-` as `_`.
                let abi = abi.name.replace('_', "-");
                self.put(&abi)?;
            }
            self.put("\" ")?;
        }
        self.put("fn(")?;
        self.list(b", ", Self::ty)?;
        self.put(")")?;
        if self.eat(b'u') {
            return Some(());
        }
        self.put(" -> ")?;
        self.ty()
    }

    /// `D <dyn-bounds> L <lifetime>`: `dyn for<'a> A<X = T> + B + 'b`.
    fn dyn_type(&mut self) -> R {
        let bound = self.bound_lifetimes;
        let r = self.dyn_bounds();
        self.bound_lifetimes = bound;
        r?;
        if !self.eat(b'L') {
            return None;
        }
        let lt = self.base62()?;
        if lt != 0 {
            self.put(" + ")?;
            self.put_lifetime(lt)?;
        }
        Some(())
    }

    fn dyn_bounds(&mut self) -> R {
        self.put("dyn ")?;
        self.binder()?;
        self.list(b" + ", Self::dyn_trait).map(drop)
    }

    /// `<path> {p <undisambiguated-identifier> <type>}`: associated-type bindings join the
    /// trait's generic arguments, `Fn<(A,), Output = B>`.
    fn dyn_trait(&mut self) -> R {
        let mut open = self.path(InType::Yes, true)?;
        while self.eat(b'p') {
            self.put(if open { ", " } else { "<" })?;
            open = true;
            let name = self.identifier()?.name;
            self.put(name)?;
            self.put(" = ")?;
            self.ty()?;
        }
        if open {
            self.put(">")?;
        }
        Some(())
    }

    /// `[G <base-62-number>]`: binds lifetimes, printed `for<'a, 'b> `.
    fn binder(&mut self) -> R {
        let count = self.optional_base62(b'G')?;
        if count == 0 {
            return Some(());
        }
        // Each bound lifetime needs at least one byte to be referenced; LLVM rejects binders
        // the rest of the input cannot use, which also bounds the output.
        let len = self.input.len() as u64;
        if count >= len.wrapping_sub(self.bound_lifetimes) {
            return None;
        }
        self.put("for<")?;
        for i in 0..count {
            self.bound_lifetimes += 1;
            if i > 0 {
                self.put(", ")?;
            }
            self.put_lifetime(1)?;
        }
        self.put("> ")
    }

    /// A lifetime by De Bruijn index: `'_` (erased), else `'a`..`'z`, then `'z1`, `'z2`, ...
    fn put_lifetime(&mut self, index: u64) -> R {
        if index == 0 {
            return self.put("'_");
        }
        if index > self.bound_lifetimes {
            return None;
        }
        let depth = self.bound_lifetimes - index;
        self.put("'")?;
        match u8::try_from(depth) {
            Ok(d) if d < 26 => self.put_char(char::from(b'a' + d)),
            _ => {
                self.put("z")?;
                self.put_number(depth - 25)
            }
        }
    }

    // ---- constants ----

    /// `<const> = <basic-type> <const-data> | p | <backref>`, only of integer, `bool` and
    /// `char` types.
    fn constant(&mut self) -> R {
        self.nested(Self::constant_inner)
    }

    fn constant_inner(&mut self) -> R {
        match self.next()? {
            b'a' | b's' | b'l' | b'x' | b'n' | b'i' | b'h' | b't' | b'm' | b'y' | b'o' | b'j' => {
                self.const_int()
            }
            b'b' => match self.hex_number()?.1 {
                b"0" => self.put("false"),
                b"1" => self.put("true"),
                _ => None,
            },
            b'c' => self.const_char(),
            b'p' => self.put("_"),
            b'B' => self.backref(Self::constant),
            _ => None,
        }
    }

    /// `[n] <hex-number>`: decimal if it has at most 16 hex digits, else `0x` and the digits.
    fn const_int(&mut self) -> R {
        if self.eat(b'n') {
            self.put("-")?;
        }
        let (value, digits) = self.hex_number()?;
        if digits.len() <= 16 {
            self.put_number(value)
        } else {
            self.put("0x")?;
            self.put(std::str::from_utf8(digits).ok()?)
        }
    }

    /// A `char` constant: printable ASCII as itself (`\t \r \n \\ \'` escaped), anything
    /// else as `\u{HEX}`.
    fn const_char(&mut self) -> R {
        let (code, digits) = self.hex_number()?;
        if digits.len() > 6 {
            return None;
        }
        let text = match code {
            0x09 => "\\t".to_string(),
            0x0d => "\\r".to_string(),
            0x0a => "\\n".to_string(),
            0x5c => "\\\\".to_string(),
            0x27 => "\\'".to_string(),
            0x20..=0x7e => char::from(code as u8).to_string(),
            _ => format!("\\u{{{}}}", std::str::from_utf8(digits).ok()?),
        };
        self.put("'")?;
        self.put(&text)?;
        self.put("'")
    }

    // ---- numbers and identifiers ----

    /// `<hex-number> = 0_ | <1-9a-f> {<0-9a-f>} _`: its value (wrapping past 16 digits) and
    /// digits.
    fn hex_number(&mut self) -> R<(u64, &'a [u8])> {
        let start = self.pos;
        if !matches!(self.look(), b'0'..=b'9' | b'a'..=b'f') {
            return None;
        }
        if self.eat(b'0') {
            return self.eat(b'_').then_some((0, &self.input[start..start + 1]));
        }
        let mut value: u64 = 0;
        loop {
            let c = self.next()?;
            let digit = match c {
                b'_' => break,
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                _ => return None,
            };
            value = value.wrapping_mul(16).wrapping_add(u64::from(digit));
        }
        Some((value, &self.input[start..self.pos - 1]))
    }

    /// `<base-62-number> = {<0-9a-zA-Z>} _`, where `_` is 0 and `N_` is N + 1.
    fn base62(&mut self) -> R<u64> {
        if self.eat(b'_') {
            return Some(0);
        }
        let mut value: u64 = 0;
        loop {
            let digit = match self.next()? {
                b'_' => break,
                c @ b'0'..=b'9' => c - b'0',
                c @ b'a'..=b'z' => c - b'a' + 10,
                c @ b'A'..=b'Z' => c - b'A' + 36,
                _ => return None,
            };
            value = value.checked_mul(62)?.checked_add(u64::from(digit))?;
        }
        value.checked_add(1)
    }

    /// `[<tag> <base-62-number>]`: 0 when absent, else the number plus one.
    fn optional_base62(&mut self, tag: u8) -> R<u64> {
        if !self.eat(tag) {
            return Some(0);
        }
        self.base62()?.checked_add(1)
    }

    /// `<decimal-number> = 0 | <1-9> {<0-9>}`.
    fn decimal(&mut self) -> R<u64> {
        if !self.look().is_ascii_digit() {
            return None;
        }
        if self.eat(b'0') {
            return Some(0);
        }
        let mut value: u64 = 0;
        while self.look().is_ascii_digit() {
            let digit = u64::from(self.look() - b'0');
            self.pos += 1;
            value = value.checked_mul(10)?.checked_add(digit)?;
        }
        Some(value)
    }

    /// `<undisambiguated-identifier> = [u] <decimal-number> [_] <bytes>`, the bytes being
    /// `[0-9A-Za-z_]`.
    fn identifier(&mut self) -> R<Identifier<'a>> {
        let punycode = self.eat(b'u');
        let len = self.decimal()?;
        self.eat(b'_');
        let end = usize::try_from(len).ok()?.checked_add(self.pos)?;
        let bytes = self.input.get(self.pos..end)?;
        self.pos = end;
        if !bytes
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_')
        {
            return None;
        }
        // Checked ASCII above.
        let name = std::str::from_utf8(bytes).ok()?;
        Some(Identifier { name, punycode })
    }

    fn put_identifier(&mut self, ident: Identifier<'_>) -> R {
        if !self.print {
            return Some(());
        }
        if ident.punycode {
            let decoded = punycode::decode(ident.name.as_bytes())?;
            self.put(&decoded)
        } else {
            self.put(ident.name)
        }
    }
}

/// An identifier as mangled: ASCII, punycode-encoded if `punycode`.
#[derive(Clone, Copy)]
struct Identifier<'a> {
    name: &'a str,
    punycode: bool,
}

/// `<basic-type>`: its name, or `None` for other tags.
fn basic_type(c: u8) -> Option<&'static str> {
    Some(match c {
        b'a' => "i8",
        b'b' => "bool",
        b'c' => "char",
        b'd' => "f64",
        b'e' => "str",
        b'f' => "f32",
        b'h' => "u8",
        b'i' => "isize",
        b'j' => "usize",
        b'l' => "i32",
        b'm' => "u32",
        b'n' => "i128",
        b'o' => "u128",
        b'p' => "_",
        b's' => "i16",
        b't' => "u16",
        b'u' => "()",
        b'v' => "...",
        b'x' => "i64",
        b'y' => "u64",
        b'z' => "!",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
