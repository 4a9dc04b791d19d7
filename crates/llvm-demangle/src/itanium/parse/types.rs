//! `<type>` and its sub-productions.

use super::{Parser, R};
use crate::itanium::ast::*;

/// Builtin types spelled by one letter.
fn builtin(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'v' => b"void",
        b'w' => b"wchar_t",
        b'b' => b"bool",
        b'c' => b"char",
        b'a' => b"signed char",
        b'h' => b"unsigned char",
        b's' => b"short",
        b't' => b"unsigned short",
        b'i' => b"int",
        b'j' => b"unsigned int",
        b'l' => b"long",
        b'm' => b"unsigned long",
        b'x' => b"long long",
        b'y' => b"unsigned long long",
        b'n' => b"__int128",
        b'o' => b"unsigned __int128",
        b'f' => b"float",
        b'd' => b"double",
        b'e' => b"long double",
        b'g' => b"__float128",
        b'z' => b"...",
        _ => return None,
    })
}

/// Builtin types spelled `D` plus one letter.
fn builtin_d(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'd' => b"decimal64",
        b'e' => b"decimal128",
        b'f' => b"decimal32",
        b'h' => b"half",
        b'i' => b"char32_t",
        b's' => b"char16_t",
        b'u' => b"char8_t",
        b'a' => b"auto",
        b'c' => b"decltype(auto)",
        b'n' => b"std::nullptr_t",
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    pub(super) fn parse_type(&mut self) -> R {
        self.guarded(Self::type_inner)
    }

    fn type_inner(&mut self) -> R {
        let c = self.look(0);
        if let Some(name) = builtin(c) {
            self.pos += 1;
            return Some(self.name(name));
        }
        let result = match c {
            b'r' | b'V' | b'K' => {
                let mut k = 0;
                for q in [b'r', b'V', b'K'] {
                    if self.look(k) == q {
                        k += 1;
                    }
                }
                let after = self.look(k);
                if after == b'F'
                    || (after == b'D'
                        && b"oOwx".contains(&self.look(k + 1))
                        && self.look(k + 1) != 0)
                {
                    self.parse_function_type()?
                } else {
                    self.parse_qualified_type()?
                }
            }
            b'U' => self.parse_qualified_type()?,
            b'u' => {
                self.pos += 1;
                let name = self.bare_source_name()?;
                if self.eat(b'I') {
                    let base = self.parse_type()?;
                    self.expect(b'E')?;
                    self.add(Node::Transformed {
                        transform: name,
                        base,
                    })
                } else {
                    self.name(name)
                }
            }
            b'D' => return self.type_d(),
            b'F' => self.parse_function_type()?,
            b'A' => self.parse_array_type()?,
            b'M' => {
                self.pos += 1;
                let class = self.parse_type()?;
                let member = self.parse_type()?;
                self.add(Node::PtrToMember { class, member })
            }
            b'T' => {
                if matches!(self.look(1), b's' | b'u' | b'e') {
                    self.parse_class_enum_type()?
                } else {
                    self.type_template_param()?
                }
            }
            b'P' | b'R' | b'O' | b'C' | b'G' => {
                self.pos += 1;
                let inner = self.parse_type()?;
                match c {
                    b'P' => self.add(Node::Pointer(inner)),
                    b'R' => self.add(Node::Reference {
                        pointee: inner,
                        rvalue: false,
                    }),
                    b'O' => self.add(Node::Reference {
                        pointee: inner,
                        rvalue: true,
                    }),
                    b'C' => self.add(Node::PostfixQualified {
                        ty: inner,
                        postfix: b" complex",
                    }),
                    _ => self.add(Node::PostfixQualified {
                        ty: inner,
                        postfix: b" imaginary",
                    }),
                }
            }
            b'S' if self.look(1) != b't' => {
                let mut is_subst = false;
                let r = self.parse_unscoped_name(None, Some(&mut is_subst))?;
                if self.look(0) == b'I' && (!is_subst || self.try_template_args) {
                    if !is_subst {
                        self.t.subs.push(r);
                    }
                    let args = self.parse_template_args(false)?;
                    self.add(Node::WithTemplateArgs { name: r, args })
                } else if is_subst {
                    return Some(r);
                } else {
                    r
                }
            }
            _ => self.parse_class_enum_type()?,
        };
        self.t.subs.push(result);
        Some(result)
    }

    fn type_template_param(&mut self) -> R {
        let mut r = self.parse_template_param()?;
        if self.try_template_args && self.look(0) == b'I' {
            self.t.subs.push(r);
            let args = self.parse_template_args(false)?;
            r = self.add(Node::WithTemplateArgs { name: r, args });
        }
        Some(r)
    }

    /// Types starting with `D`; only the non-builtin ones enter the substitution table.
    fn type_d(&mut self) -> R {
        let c1 = self.look(1);
        if let Some(name) = builtin_d(c1) {
            self.pos += 2;
            return Some(self.name(name));
        }
        let result = match c1 {
            b'F' => {
                self.pos += 2;
                let n = self.number(false);
                let dim = self.name(n);
                self.expect(b'_')?;
                return Some(self.add(Node::BinaryFp(dim)));
            }
            // N1169 fixed-point types (`DA`, `DR`, `DS`) came after LLVM 19: they fail.
            b'B' | b'U' => {
                self.pos += 2;
                let size = if self.look(0).is_ascii_digit() {
                    let n = self.number(false);
                    self.name(n)
                } else {
                    self.parse_expr()?
                };
                self.expect(b'_')?;
                return Some(self.add(Node::BitInt {
                    size,
                    signed: c1 == b'B',
                }));
            }
            b'k' | b'K' => {
                let postfix: &'static [u8] = if c1 == b'k' {
                    b" auto"
                } else {
                    b" decltype(auto)"
                };
                self.pos += 2;
                let ty = self.parse_name(None)?;
                return Some(self.add(Node::PostfixQualified { ty, postfix }));
            }
            b't' | b'T' => self.parse_decltype()?,
            b'v' => self.parse_vector_type()?,
            b'p' => {
                self.pos += 2;
                let child = self.parse_type()?;
                self.add(Node::PackExpansion(child))
            }
            b'o' | b'O' | b'w' | b'x' => self.parse_function_type()?,
            _ => return None,
        };
        self.t.subs.push(result);
        Some(result)
    }

    fn parse_function_type(&mut self) -> R {
        let cv = self.cv_qualifiers();
        let mut exception = None;
        if self.eat_str(b"Do") {
            exception = Some(self.name(b"noexcept"));
        } else if self.eat_str(b"DO") {
            let e = self.parse_expr()?;
            self.expect(b'E')?;
            exception = Some(self.add(Node::NoexceptSpec(e)));
        } else if self.eat_str(b"Dw") {
            let types = self.list_until(b'E', Self::parse_type)?;
            exception = Some(self.add(Node::DynamicExceptionSpec(types)));
        }
        self.eat_str(b"Dx");
        self.expect(b'F')?;
        self.eat(b'Y');
        let ret = self.parse_type()?;
        let mut ref_qual = RefQual::None;
        let (params, ()) = self.list(|p, _| loop {
            if p.eat(b'E') {
                return Some(());
            }
            if p.eat(b'v') {
                continue;
            }
            if p.eat_str(b"RE") {
                ref_qual = RefQual::LValue;
                return Some(());
            }
            if p.eat_str(b"OE") {
                ref_qual = RefQual::RValue;
                return Some(());
            }
            let ty = p.parse_type()?;
            p.t.items.push(ty);
        })?;
        Some(self.add(Node::Function {
            ret,
            params,
            cv,
            ref_qual,
            exception,
        }))
    }

    fn parse_vector_type(&mut self) -> R {
        if !self.eat_str(b"Dv") {
            return None;
        }
        if (b'1'..=b'9').contains(&self.look(0)) {
            let n = self.number(false);
            let dim = self.name(n);
            self.expect(b'_')?;
            if self.eat(b'p') {
                return Some(self.add(Node::PixelVector(dim)));
            }
            let base = self.parse_type()?;
            return Some(self.add(Node::Vector {
                base,
                dim: Some(dim),
            }));
        }
        let mut dim = None;
        if !self.eat(b'_') {
            dim = Some(self.parse_expr()?);
            self.expect(b'_')?;
        }
        let base = self.parse_type()?;
        Some(self.add(Node::Vector { base, dim }))
    }

    pub(super) fn parse_decltype(&mut self) -> R {
        self.expect(b'D')?;
        if !self.eat(b't') && !self.eat(b'T') {
            return None;
        }
        let e = self.parse_expr()?;
        self.expect(b'E')?;
        Some(self.add(Node::Enclosing {
            prefix: b"decltype",
            infix: e,
        }))
    }

    fn parse_array_type(&mut self) -> R {
        self.expect(b'A')?;
        let mut dim = None;
        if self.look(0).is_ascii_digit() {
            let n = self.number(false);
            dim = Some(self.name(n));
            self.expect(b'_')?;
        } else if !self.eat(b'_') {
            dim = Some(self.parse_expr()?);
            self.expect(b'_')?;
        }
        let base = self.parse_type()?;
        Some(self.add(Node::Array { base, dim }))
    }

    fn parse_class_enum_type(&mut self) -> R {
        let kind: &'static [u8] = if self.eat_str(b"Ts") {
            b"struct"
        } else if self.eat_str(b"Tu") {
            b"union"
        } else if self.eat_str(b"Te") {
            b"enum"
        } else {
            b""
        };
        let name = self.parse_name(None)?;
        if kind.is_empty() {
            return Some(name);
        }
        Some(self.add(Node::Elaborated { kind, child: name }))
    }

    fn parse_qualified_type(&mut self) -> R {
        self.guarded(Self::qualified_type_inner)
    }

    fn qualified_type_inner(&mut self) -> R {
        if self.eat(b'U') {
            let qual = self.bare_source_name()?;
            if let Some(proto_src) = qual.strip_prefix(b"objcproto") {
                let protocol = bare_source_name_in(proto_src)?;
                let ty = self.parse_qualified_type()?;
                return Some(self.add(Node::ObjCProto { ty, protocol }));
            }
            let mut args = None;
            if self.look(0) == b'I' {
                args = Some(self.parse_template_args(false)?);
            }
            let ty = self.parse_qualified_type()?;
            return Some(self.add(Node::VendorExtQual {
                ty,
                ext: qual,
                args,
            }));
        }
        let quals = self.cv_qualifiers();
        let ty = self.parse_type()?;
        if quals == 0 {
            return Some(ty);
        }
        Some(self.add(Node::Qual { child: ty, quals }))
    }
}

/// A `<source-name>` read from a slice of its own (the protocol inside `objcproto`).
fn bare_source_name_in(s: &[u8]) -> Option<&[u8]> {
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut n: usize = 0;
    for &c in &s[..digits] {
        n = n.wrapping_mul(10).wrapping_add(usize::from(c - b'0'));
    }
    let rest = &s[digits..];
    (rest.len() >= n && n > 0).then(|| &rest[..n])
}
