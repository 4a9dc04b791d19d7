//! `<expression>`, `<expr-primary>` and `<unresolved-name>`.

use super::{Parser, R};
use crate::itanium::ast::*;
use crate::itanium::ops::{self, Op, OpKind};

/// Literal types of `L <type> <number> E`, with the suffix or cast LLVM prints.
fn integer_literal_type(c: u8) -> Option<&'static [u8]> {
    Some(match c {
        b'w' => b"wchar_t",
        b'c' => b"char",
        b'a' => b"signed char",
        b'h' => b"unsigned char",
        b's' => b"short",
        b't' => b"unsigned short",
        b'i' => b"",
        b'j' => b"u",
        b'l' => b"l",
        b'm' => b"ul",
        b'x' => b"ll",
        b'y' => b"ull",
        b'n' => b"__int128",
        b'o' => b"unsigned __int128",
        _ => return None,
    })
}

impl<'a> Parser<'a> {
    pub(super) fn parse_expr(&mut self) -> R {
        self.guarded(Self::expr_inner)
    }

    fn exprs_until(&mut self, end: u8) -> Option<List> {
        self.list_until(end, Self::parse_expr)
    }

    fn expr_inner(&mut self) -> R {
        let global = self.eat_str(b"gs");
        if let Some(op) = ops::lookup(&self.s[self.pos..]) {
            self.pos += 2;
            return self.operator_expr(op, global);
        }
        if self.left() < 2 {
            return None;
        }
        match self.look(0) {
            b'L' => return self.parse_expr_primary(),
            b'T' => return self.parse_template_param(),
            b'f' => {
                let c1 = self.look(1);
                if c1 == b'p' || (c1 == b'L' && self.look(2).is_ascii_digit()) {
                    return self.parse_function_param();
                }
                return self.parse_fold_expr();
            }
            _ => {}
        }
        if let Some(r) = self.keyword_expr() {
            return r;
        }
        self.parse_unresolved_name(global)
    }

    /// Expressions introduced by a two-letter code that is not an operator; `None` when
    /// none matched.
    fn keyword_expr(&mut self) -> Option<R> {
        if self.eat_str(b"il") {
            return Some(self.braced_list(None));
        }
        if self.eat_str(b"mc") {
            return Some(self.parse_ptr_mem_conversion(Prec::Unary));
        }
        if self.eat_str(b"nx") {
            return Some(self.enclosing_expr(b"noexcept ", Prec::Unary));
        }
        if self.look(0) == b'r' && matches!(self.look(1), b'q' | b'Q') {
            return Some(self.parse_requires_expr());
        }
        if self.eat_str(b"so") {
            return Some(self.parse_subobject_expr());
        }
        if self.eat_str(b"sp") {
            return Some(self.parse_expr().map(|c| self.add(Node::PackExpansion(c))));
        }
        if self.eat_str(b"sZ") {
            return Some(self.sizeof_pack());
        }
        if self.eat_str(b"sP") {
            return Some(self.sizeof_captured_pack());
        }
        if self.eat_str(b"tl") {
            return Some(self.parse_type().and_then(|ty| self.braced_list(Some(ty))));
        }
        if self.eat_str(b"tr") {
            return Some(Some(self.name(b"throw")));
        }
        if self.eat_str(b"tw") {
            return Some(self.parse_expr().map(|e| self.add(Node::Throw(e))));
        }
        if self.eat(b'u') {
            return Some(self.vendor_expr());
        }
        None
    }

    fn enclosing_expr(&mut self, prefix: &'static [u8], prec: Prec) -> R {
        let infix = self.parse_expr()?;
        Some(self.add_prec(Node::Enclosing { prefix, infix }, prec))
    }

    fn braced_list(&mut self, ty: Option<Id>) -> R {
        let inits = self.list_until(b'E', Self::parse_braced_expr)?;
        Some(self.add(Node::InitList { ty, inits }))
    }

    fn sizeof_pack(&mut self) -> R {
        if self.look(0) == b'T' {
            let r = self.parse_template_param()?;
            return Some(self.add(Node::SizeofPack(r)));
        }
        let fp = self.parse_function_param()?;
        Some(self.add(Node::Enclosing {
            prefix: b"sizeof... ",
            infix: fp,
        }))
    }

    fn sizeof_captured_pack(&mut self) -> R {
        let args = self.list_until(b'E', Self::parse_template_arg)?;
        let pack = self.add(Node::NodeArray(args));
        Some(self.add(Node::Enclosing {
            prefix: b"sizeof... ",
            infix: pack,
        }))
    }

    fn vendor_expr(&mut self) -> R {
        let name = self.parse_source_name()?;
        let mut uuid = None;
        if self.arena.base_name(name, 0) == b"__uuidof" {
            if self.eat(b't') {
                uuid = Some(self.parse_type());
            } else if self.eat(b'z') {
                uuid = Some(self.parse_expr());
            }
        }
        let args = match uuid {
            Some(u) => self.arena.add_list(&[u?]),
            None => self.list_until(b'E', Self::parse_template_arg)?,
        };
        Some(self.add_prec(
            Node::Call {
                callee: name,
                args,
                paren: false,
            },
            Prec::Postfix,
        ))
    }

    fn operator_expr(&mut self, op: &'static Op, global: bool) -> R {
        let sym = op.symbol();
        let prec = op.prec;
        match op.kind {
            OpKind::Binary => {
                let lhs = self.parse_expr()?;
                let rhs = self.parse_expr()?;
                Some(self.add_prec(Node::Binary { lhs, op: sym, rhs }, prec))
            }
            OpKind::Prefix => self.prefix_expr(sym, prec),
            OpKind::Postfix => {
                if self.eat(b'_') {
                    return self.prefix_expr(sym, prec);
                }
                let child = self.parse_expr()?;
                Some(self.add_prec(Node::Postfix { child, op: sym }, prec))
            }
            OpKind::Array => {
                let base = self.parse_expr()?;
                let index = self.parse_expr()?;
                Some(self.add_prec(Node::Subscript { base, index }, prec))
            }
            OpKind::Member => {
                let lhs = self.parse_expr()?;
                let rhs = self.parse_expr()?;
                Some(self.add_prec(
                    Node::Member {
                        lhs,
                        kind: sym,
                        rhs,
                    },
                    prec,
                ))
            }
            OpKind::New => self.new_expr(op, global),
            OpKind::Del => {
                let e = self.parse_expr()?;
                let node = Node::Delete {
                    op: e,
                    global,
                    array: op.flag,
                };
                Some(self.add_prec(node, prec))
            }
            OpKind::Call => {
                let callee = self.parse_expr()?;
                let args = self.exprs_until(b'E')?;
                Some(self.add_prec(
                    Node::Call {
                        callee,
                        args,
                        paren: op.flag,
                    },
                    prec,
                ))
            }
            OpKind::CCast => self.c_cast_expr(prec),
            OpKind::Conditional => {
                let cond = self.parse_expr()?;
                let then = self.parse_expr()?;
                let other = self.parse_expr()?;
                Some(self.add_prec(Node::Conditional { cond, then, other }, prec))
            }
            OpKind::NamedCast => {
                let to = self.parse_type()?;
                let from = self.parse_expr()?;
                Some(self.add_prec(
                    Node::Cast {
                        kind: sym,
                        to,
                        from,
                    },
                    prec,
                ))
            }
            OpKind::OfIdOp => {
                let infix = if op.flag {
                    self.parse_type()?
                } else {
                    self.parse_expr()?
                };
                Some(self.add_prec(Node::Enclosing { prefix: sym, infix }, prec))
            }
            OpKind::NameOnly => None,
        }
    }

    fn prefix_expr(&mut self, prefix: &'a [u8], prec: Prec) -> R {
        let child = self.parse_expr()?;
        Some(self.add_prec(Node::Prefix { prefix, child }, prec))
    }

    fn new_expr(&mut self, op: &'static Op, global: bool) -> R {
        let exprs = self.exprs_until(b'_')?;
        let ty = self.parse_type()?;
        let have_inits = self.eat_str(b"pi");
        if !have_inits && self.look(0) != b'E' {
            return None;
        }
        let inits = self.list_until(b'E', Self::parse_expr)?;
        let node = Node::New {
            exprs,
            ty,
            inits,
            global,
            array: op.flag,
        };
        Some(self.add_prec(node, op.prec))
    }

    fn c_cast_expr(&mut self, prec: Prec) -> R {
        let saved = std::mem::replace(&mut self.try_template_args, false);
        let ty = self.parse_type();
        self.try_template_args = saved;
        let ty = ty?;
        let many = self.eat(b'_');
        let (exprs, ()) = self.list(|p, _| {
            while !p.eat(b'E') {
                let expr = p.parse_expr()?;
                p.t.items.push(expr);
                if !many {
                    break;
                }
            }
            Some(())
        })?;
        if !many && exprs.len() != 1 {
            return None;
        }
        Some(self.add_prec(Node::Conversion { ty, exprs }, prec))
    }

    fn integer_literal(&mut self, ty: &'static [u8]) -> R {
        let value = self.number(true);
        if value.is_empty() || !self.eat(b'E') {
            return None;
        }
        Some(self.add(Node::IntegerLiteral { ty, value }))
    }

    fn float_literal(&mut self, kind: FloatKind) -> R {
        let n = kind.digits();
        if self.left() <= n {
            return None;
        }
        let digits = &self.s[self.pos..self.pos + n];
        if !digits
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
        {
            return None;
        }
        self.pos += n;
        self.expect(b'E')?;
        Some(self.add(Node::Float { kind, digits }))
    }

    pub(super) fn parse_expr_primary(&mut self) -> R {
        self.expect(b'L')?;
        let c = self.look(0);
        if let Some(ty) = integer_literal_type(c) {
            self.pos += 1;
            return self.integer_literal(ty);
        }
        match c {
            b'b' => {
                if self.eat_str(b"b0E") {
                    return Some(self.add(Node::Bool(false)));
                }
                if self.eat_str(b"b1E") {
                    return Some(self.add(Node::Bool(true)));
                }
                None
            }
            b'f' | b'd' | b'e' => {
                self.pos += 1;
                let kind = match c {
                    b'f' => FloatKind::Float,
                    b'd' => FloatKind::Double,
                    _ => FloatKind::LongDouble,
                };
                self.float_literal(kind)
            }
            b'_' => {
                if !self.eat_str(b"_Z") {
                    return None;
                }
                let r = self.parse_encoding()?;
                self.expect(b'E')?;
                Some(r)
            }
            b'A' => {
                let t = self.parse_type()?;
                self.expect(b'E')?;
                Some(self.add(Node::StringLiteral(t)))
            }
            b'D' => {
                if self.eat_str(b"Dn") && {
                    self.eat(b'0');
                    self.eat(b'E')
                } {
                    return Some(self.name(b"nullptr"));
                }
                None
            }
            b'T' => None,
            b'U' => {
                if self.look(1) != b'l' {
                    return None;
                }
                let t = self.parse_unnamed_type_name(None)?;
                self.expect(b'E')?;
                Some(self.add(Node::Lambda(t)))
            }
            _ => {
                let ty = self.parse_type()?;
                let value = self.number(true);
                if value.is_empty() {
                    return None;
                }
                self.expect(b'E')?;
                Some(self.add(Node::EnumLiteral { ty, value }))
            }
        }
    }

    fn parse_function_param(&mut self) -> R {
        if self.eat_str(b"fpT") {
            return Some(self.name(b"this"));
        }
        if self.eat_str(b"fp") {
            self.cv_qualifiers();
            let num = self.number(false);
            self.expect(b'_')?;
            return Some(self.add(Node::FunctionParam(num)));
        }
        if self.eat_str(b"fL") {
            if self.number(false).is_empty() {
                return None;
            }
            self.expect(b'p')?;
            self.cv_qualifiers();
            let num = self.number(false);
            self.expect(b'_')?;
            return Some(self.add(Node::FunctionParam(num)));
        }
        None
    }

    fn parse_braced_expr(&mut self) -> R {
        self.guarded(Self::braced_expr_inner)
    }

    fn braced_expr_inner(&mut self) -> R {
        if self.look(0) == b'd' {
            match self.look(1) {
                b'i' => {
                    self.pos += 2;
                    let elem = self.parse_source_name()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.add(Node::Braced {
                        elem,
                        init,
                        array: false,
                    }));
                }
                b'x' => {
                    self.pos += 2;
                    let elem = self.parse_expr()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.add(Node::Braced {
                        elem,
                        init,
                        array: true,
                    }));
                }
                b'X' => {
                    self.pos += 2;
                    let first = self.parse_expr()?;
                    let last = self.parse_expr()?;
                    let init = self.parse_braced_expr()?;
                    return Some(self.add(Node::BracedRange { first, last, init }));
                }
                _ => {}
            }
        }
        self.parse_expr()
    }

    fn parse_fold_expr(&mut self) -> R {
        self.expect(b'f')?;
        let (left, has_init) = match self.look(0) {
            b'L' => (true, true),
            b'R' => (false, true),
            b'l' => (true, false),
            b'r' => (false, false),
            _ => return None,
        };
        self.pos += 1;
        let op = ops::lookup(&self.s[self.pos..])?;
        self.pos += 2;
        let member_star = op.kind == OpKind::Member && op.name.ends_with('*');
        if op.kind != OpKind::Binary && !member_star {
            return None;
        }
        let mut pack = self.parse_expr()?;
        let mut init = None;
        if has_init {
            init = Some(self.parse_expr()?);
        }
        if let (true, Some(i)) = (left, init) {
            init = Some(pack);
            pack = i;
        }
        Some(self.add(Node::Fold {
            left,
            op: op.symbol(),
            pack,
            init,
        }))
    }

    fn parse_ptr_mem_conversion(&mut self, prec: Prec) -> R {
        let ty = self.parse_type()?;
        let sub = self.parse_expr()?;
        self.number(true);
        self.expect(b'E')?;
        Some(self.add_prec(Node::PtrMemConversion { ty, sub }, prec))
    }

    fn parse_subobject_expr(&mut self) -> R {
        let ty = self.parse_type()?;
        let sub = self.parse_expr()?;
        let offset = self.number(true);
        while self.eat(b'_') {
            self.number(false);
        }
        self.eat(b'p');
        self.expect(b'E')?;
        Some(self.add(Node::Subobject { ty, sub, offset }))
    }

    pub(super) fn parse_constraint_expr(&mut self) -> R {
        let saved = std::mem::replace(&mut self.incomplete_tracking, true);
        let r = self.parse_expr();
        self.incomplete_tracking = saved;
        r
    }

    fn parse_requires_expr(&mut self) -> R {
        let params = if self.eat_str(b"rQ") {
            self.list_until(b'_', Self::parse_type)?
        } else if self.eat_str(b"rq") {
            List::default()
        } else {
            return None;
        };
        let reqs = self.list_up_to(b'E', Self::requirement)?;
        Some(self.add(Node::Requires { params, reqs }))
    }

    fn requirement(&mut self) -> R {
        if self.eat(b'X') {
            let expr = self.parse_expr()?;
            let noexcept = self.eat(b'N');
            let mut constraint = None;
            if self.eat(b'R') {
                constraint = Some(self.parse_name(None)?);
            }
            return Some(self.add(Node::ExprRequirement {
                expr,
                noexcept,
                constraint,
            }));
        }
        if self.eat(b'T') {
            let t = self.parse_type()?;
            return Some(self.add(Node::TypeRequirement(t)));
        }
        if self.eat(b'Q') {
            let e = self.parse_expr()?;
            return Some(self.add(Node::NestedRequirement(e)));
        }
        None
    }

    // ---- unresolved names ----

    fn parse_simple_id(&mut self) -> R {
        let sn = self.parse_source_name()?;
        if self.look(0) == b'I' {
            let args = self.parse_template_args(false)?;
            return Some(self.add(Node::WithTemplateArgs { name: sn, args }));
        }
        Some(sn)
    }

    fn parse_destructor_name(&mut self) -> R {
        let r = if self.look(0).is_ascii_digit() {
            self.parse_simple_id()?
        } else {
            self.parse_unresolved_type()?
        };
        Some(self.add(Node::DtorName(r)))
    }

    fn parse_unresolved_type(&mut self) -> R {
        if self.look(0) == b'T' {
            let tp = self.parse_template_param()?;
            self.t.subs.push(tp);
            return Some(tp);
        }
        if self.look(0) == b'D' {
            let dt = self.parse_decltype()?;
            self.t.subs.push(dt);
            return Some(dt);
        }
        self.parse_substitution()
    }

    fn parse_base_unresolved_name(&mut self) -> R {
        if self.look(0).is_ascii_digit() {
            return self.parse_simple_id();
        }
        if self.eat_str(b"dn") {
            return self.parse_destructor_name();
        }
        self.eat_str(b"on");
        let oper = self.parse_operator_name(None)?;
        if self.look(0) == b'I' {
            let args = self.parse_template_args(false)?;
            return Some(self.add(Node::WithTemplateArgs { name: oper, args }));
        }
        Some(oper)
    }

    fn unresolved_type_with_args(&mut self) -> R {
        let mut so_far = self.parse_unresolved_type()?;
        if self.look(0) == b'I' {
            let args = self.parse_template_args(false)?;
            so_far = self.add(Node::WithTemplateArgs { name: so_far, args });
        }
        Some(so_far)
    }

    fn parse_unresolved_name(&mut self, global: bool) -> R {
        if self.eat_str(b"srN") {
            let mut so_far = self.unresolved_type_with_args()?;
            while !self.eat(b'E') {
                let qual = self.parse_simple_id()?;
                so_far = self.add(Node::Qualified {
                    qual: so_far,
                    name: qual,
                });
            }
            let base = self.parse_base_unresolved_name()?;
            return Some(self.add(Node::Qualified {
                qual: so_far,
                name: base,
            }));
        }
        if !self.eat_str(b"sr") {
            let base = self.parse_base_unresolved_name()?;
            return Some(if global {
                self.add(Node::GlobalQualified(base))
            } else {
                base
            });
        }
        let so_far = if self.look(0).is_ascii_digit() {
            let mut so_far: Option<Id> = None;
            loop {
                let qual = self.parse_simple_id()?;
                so_far = Some(match so_far {
                    Some(q) => self.add(Node::Qualified {
                        qual: q,
                        name: qual,
                    }),
                    None if global => self.add(Node::GlobalQualified(qual)),
                    None => qual,
                });
                if self.eat(b'E') {
                    break;
                }
            }
            so_far?
        } else {
            self.unresolved_type_with_args()?
        };
        let base = self.parse_base_unresolved_name()?;
        Some(self.add(Node::Qualified {
            qual: so_far,
            name: base,
        }))
    }
}
