//! Prints a demangled tree the way LLVM's `OutputBuffer` does: every node has a left and a
//! right part (so `int (*)[3]` and function pointers come out in C++ declarator order), pack
//! expansions repeat their pattern once per pack element, and `>` inside template arguments
//! is parenthesized. Depth and output size are bounded; exceeding them fails the print.

use super::ast::*;
use super::float;

/// The deepest print recursion allowed.
const MAX_DEPTH: u32 = 384;
/// The longest output produced before giving up (substitutions can grow output exponentially).
const MAX_OUTPUT: usize = 1 << 20;

/// Output buffer plus LLVM's printing state.
pub(super) struct Printer<'p, 'a> {
    arena: &'p Arena<'a>,
    pub out: Vec<u8>,
    gt_is_gt: u32,
    pack_index: u32,
    pack_max: u32,
    /// The forward references being printed (a substitution can lead back to one).
    printing: Vec<Id>,
    depth: u32,
    pub failed: bool,
}

impl<'p, 'a> Printer<'p, 'a> {
    /// A printer for nodes of `arena`.
    pub(super) fn new(arena: &'p Arena<'a>) -> Self {
        Printer {
            arena,
            out: Vec::with_capacity(4 * arena.nodes.len() + 16),
            gt_is_gt: 1,
            pack_index: u32::MAX,
            pack_max: u32::MAX,
            printing: Vec::new(),
            depth: 0,
            failed: false,
        }
    }

    fn push(&mut self, s: &[u8]) {
        if self.out.len() + s.len() > MAX_OUTPUT {
            self.failed = true;
            return;
        }
        self.out.extend_from_slice(s);
    }

    fn open(&mut self, c: u8) {
        self.gt_is_gt = self.gt_is_gt.wrapping_add(1);
        self.push(&[c]);
    }

    fn close(&mut self, c: u8) {
        self.gt_is_gt = self.gt_is_gt.wrapping_sub(1);
        self.push(&[c]);
    }

    /// Runs `f` one level deeper, unless the depth limit or an earlier failure stops it.
    fn nest<T: Default>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        if self.failed || self.depth >= MAX_DEPTH {
            self.failed = true;
            return T::default();
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// Runs `f` with `>` printed bare (inside `<...>`).
    fn in_angles(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.gt_is_gt, 0);
        f(self);
        self.gt_is_gt = saved;
    }

    // ---- cached layout queries ----

    fn cached(
        &mut self,
        id: Id,
        pick: fn(&Entry<'a>) -> Cache,
        slow: fn(&mut Self, Id) -> bool,
    ) -> bool {
        match pick(self.arena.entry(id)) {
            Cache::Yes => true,
            Cache::No => false,
            Cache::Unknown => self.nest(|p| slow(p, id)),
        }
    }

    fn has_rhs(&mut self, id: Id) -> bool {
        self.cached(id, |e| e.rhs, Self::has_rhs_slow)
    }

    fn has_array(&mut self, id: Id) -> bool {
        self.cached(id, |e| e.array, Self::has_array_slow)
    }

    fn has_function(&mut self, id: Id) -> bool {
        self.cached(id, |e| e.function, Self::has_function_slow)
    }

    fn has_array_or_function(&mut self, id: Id) -> bool {
        self.has_array(id) || self.has_function(id)
    }

    fn has_rhs_slow(&mut self, id: Id) -> bool {
        match self.arena.get(id) {
            Node::Qual { child: c, .. }
            | Node::Pointer(c)
            | Node::Reference { pointee: c, .. }
            | Node::PtrToMember { member: c, .. } => self.has_rhs(*c),
            Node::Array { .. } | Node::Function { .. } | Node::Encoding(_) => true,
            Node::ParameterPack(items) => self.pack_query(*items, Self::has_rhs),
            Node::ForwardRef { .. } => self.forward_query(id, Self::has_rhs),
            _ => false,
        }
    }

    fn has_array_slow(&mut self, id: Id) -> bool {
        match self.arena.get(id) {
            Node::Qual { child, .. } => self.has_array(*child),
            Node::Array { .. } => true,
            Node::ParameterPack(items) => self.pack_query(*items, Self::has_array),
            Node::ForwardRef { .. } => self.forward_query(id, Self::has_array),
            _ => false,
        }
    }

    fn has_function_slow(&mut self, id: Id) -> bool {
        match self.arena.get(id) {
            Node::Qual { child, .. } => self.has_function(*child),
            Node::Function { .. } | Node::Encoding(_) => true,
            Node::ParameterPack(items) => self.pack_query(*items, Self::has_function),
            Node::ForwardRef { .. } => self.forward_query(id, Self::has_function),
            _ => false,
        }
    }

    fn init_pack(&mut self, len: usize) {
        if self.pack_max == u32::MAX {
            self.pack_max = len as u32;
            self.pack_index = 0;
        }
    }

    /// The element of a parameter pack that the current expansion step prints.
    fn pack_element(&mut self, items: List) -> Option<Id> {
        self.init_pack(items.len());
        self.arena
            .list(items)
            .get(self.pack_index as usize)
            .copied()
    }

    fn pack_query(&mut self, items: List, q: fn(&mut Self, Id) -> bool) -> bool {
        self.pack_element(items).is_some_and(|e| q(self, e))
    }

    fn forward_target(&self, id: Id) -> Option<Id> {
        match self.arena.get(id) {
            Node::ForwardRef { target, .. } => *target,
            _ => None,
        }
    }

    /// Runs `f` on a forward reference's target unless that reference is already being
    /// printed (a cycle through a substitution).
    fn guarded_visit<T: Default>(&mut self, id: Id, f: impl FnOnce(&mut Self) -> T) -> T {
        if self.printing.contains(&id) {
            return T::default();
        }
        self.printing.push(id);
        let r = f(self);
        self.printing.pop();
        r
    }

    fn forward_query(&mut self, id: Id, q: fn(&mut Self, Id) -> bool) -> bool {
        let Some(target) = self.forward_target(id) else {
            self.failed = true;
            return false;
        };
        self.guarded_visit(id, |p| q(p, target))
    }

    /// LLVM's `getSyntaxNode`: looks through packs and forward references.
    fn syntax_node(&mut self, id: Id) -> Id {
        self.nest(|p| match p.arena.get(id) {
            Node::ParameterPack(items) => match p.pack_element(*items) {
                Some(e) => p.syntax_node(e),
                None => id,
            },
            Node::ForwardRef {
                target: Some(t), ..
            } => {
                let t = *t;
                if p.printing.contains(&id) {
                    return id;
                }
                p.guarded_visit(id, |p| p.syntax_node(t))
            }
            _ => id,
        })
    }

    // ---- printing entry points ----

    /// Prints a whole node: its left part, then its right part when it may have one.
    pub(super) fn print(&mut self, id: Id) {
        if let Node::Name(name) = self.arena.get(id) {
            // The commonest node, printed as the two levels below would (a name has no right
            // part), failing at the same depth.
            if self.failed || self.depth + 1 >= MAX_DEPTH {
                self.failed = true;
                return;
            }
            return self.push(name);
        }
        self.nest(|p| {
            p.left(id);
            if p.arena.entry(id).rhs != Cache::No {
                p.right(id);
            }
        })
    }

    fn print_as_operand(&mut self, id: Id, prec: Prec, strictly_worse: bool) {
        let paren = self.arena.entry(id).prec as u32 >= prec as u32 + u32::from(strictly_worse);
        if paren {
            self.open(b'(');
        }
        self.print(id);
        if paren {
            self.close(b')');
        }
    }

    fn operand(&mut self, id: Id) {
        self.print_as_operand(id, Prec::Default, false);
    }

    fn comma_list(&mut self, items: List) {
        let mut first = true;
        for &e in self.arena.list(items) {
            let before = self.out.len();
            if !first {
                self.push(b", ");
            }
            let after = self.out.len();
            self.print_as_operand(e, Prec::Comma, false);
            if after == self.out.len() {
                self.out.truncate(before);
                continue;
            }
            first = false;
        }
    }

    fn paren_list(&mut self, items: List) {
        self.open(b'(');
        self.comma_list(items);
        self.close(b')');
    }

    fn quals(&mut self, q: u8) {
        if q & QUAL_CONST != 0 {
            self.push(b" const");
        }
        if q & QUAL_VOLATILE != 0 {
            self.push(b" volatile");
        }
        if q & QUAL_RESTRICT != 0 {
            self.push(b" restrict");
        }
    }

    fn ref_qual(&mut self, r: RefQual) {
        match r {
            RefQual::None => {}
            RefQual::LValue => self.push(b" &"),
            RefQual::RValue => self.push(b" &&"),
        }
    }

    fn signed_number(&mut self, n: &[u8]) {
        match n.split_first() {
            Some((b'n', rest)) => {
                self.push(b"-");
                self.push(rest);
            }
            _ => self.push(n),
        }
    }

    /// Prints `child` once per element of the parameter pack it contains.
    fn pack_expansion(&mut self, child: Id) {
        let saved = (self.pack_index, self.pack_max);
        (self.pack_index, self.pack_max) = (u32::MAX, u32::MAX);
        let start = self.out.len();
        self.print(child);
        if self.pack_max == u32::MAX {
            self.push(b"...");
        } else if self.pack_max == 0 {
            self.out.truncate(start);
        } else {
            for i in 1..self.pack_max {
                if self.failed {
                    break;
                }
                self.push(b", ");
                self.pack_index = i;
                self.print(child);
            }
        }
        (self.pack_index, self.pack_max) = saved;
    }

    // ---- left parts ----

    fn left(&mut self, id: Id) {
        self.nest(|p| p.left_inner(id))
    }

    fn right(&mut self, id: Id) {
        self.nest(|p| p.right_inner(id))
    }

    fn left_inner(&mut self, id: Id) {
        let arena = self.arena;
        match arena.get(id) {
            Node::Name(n) => self.push(n),
            Node::NodeArray(v) | Node::ArgumentPack(v) => self.comma_list(*v),
            Node::DotSuffix(prefix, suffix) => {
                self.print(*prefix);
                self.push(b" (");
                self.push(suffix);
                self.push(b")");
            }
            Node::VendorExtQual { ty, ext, args } => {
                self.print(*ty);
                self.push(b" ");
                self.push(ext);
                if let Some(a) = args {
                    self.print(*a);
                }
            }
            Node::Qual { child, quals } => {
                self.left(*child);
                self.quals(*quals);
            }
            Node::ConversionOperator(ty) => {
                self.push(b"operator ");
                self.print(*ty);
            }
            Node::PostfixQualified { ty, postfix } => {
                self.left(*ty);
                self.push(postfix);
            }
            Node::BitInt { size, signed } => {
                if !signed {
                    self.push(b"unsigned ");
                }
                self.push(b"_BitInt");
                self.open(b'(');
                self.operand(*size);
                self.close(b')');
            }
            Node::Elaborated { kind, child } => {
                self.push(kind);
                self.push(b" ");
                self.print(*child);
            }
            Node::Transformed { transform, base } => {
                self.push(transform);
                self.push(b"(");
                self.print(*base);
                self.push(b")");
            }
            Node::AbiTag { base, tag } => {
                self.left(*base);
                self.push(b"[abi:");
                self.push(tag);
                self.push(b"]");
            }
            Node::EnableIf(conds) => {
                self.push(b" [enable_if:");
                self.comma_list(*conds);
                self.push(b"]");
            }
            Node::ObjCProto { ty, protocol } => {
                self.print(*ty);
                self.push(b"<");
                self.push(protocol);
                self.push(b">");
            }
            Node::Pointer(pointee) => self.pointer_left(*pointee),
            Node::Reference { pointee, rvalue } => self.reference_left(id, *pointee, *rvalue),
            Node::PtrToMember { class, member } => {
                self.left(*member);
                if self.has_array_or_function(*member) {
                    self.push(b"(");
                } else {
                    self.push(b" ");
                }
                self.print(*class);
                self.push(b"::*");
            }
            Node::Array { base, .. } => self.left(*base),
            Node::Function { ret, .. } => {
                self.left(*ret);
                self.push(b" ");
            }
            Node::Encoding(e) => {
                let e = self.arena.encoding(*e);
                if let Some(ret) = e.ret {
                    self.left(ret);
                    if !self.has_rhs(ret) {
                        self.push(b" ");
                    }
                }
                self.print(e.name);
            }
            _ => self.left_names(id),
        }
    }

    fn pointer_left(&mut self, pointee: Id) {
        if let Some(protocol) = self.objc_id_protocol(pointee) {
            self.push(b"id<");
            self.push(protocol);
            self.push(b">");
            return;
        }
        self.left(pointee);
        if self.has_array(pointee) {
            self.push(b" ");
        }
        if self.has_array_or_function(pointee) {
            self.push(b"(");
        }
        self.push(b"*");
    }

    /// `objc_object<P>*` prints as `id<P>`.
    fn objc_id_protocol(&self, pointee: Id) -> Option<&'a [u8]> {
        match self.arena.get(pointee) {
            Node::ObjCProto { ty, protocol } => {
                matches!(self.arena.get(*ty), Node::Name(b"objc_object")).then_some(*protocol)
            }
            _ => None,
        }
    }

    /// Reference collapsing (`T& &&` is `T&`), with cycle detection for malformed input.
    fn collapse(&mut self, rvalue: bool, pointee: Id) -> (bool, Option<Id>) {
        let (mut rvalue, mut cur) = (rvalue, pointee);
        let mut prev = Vec::new();
        loop {
            let sn = self.syntax_node(cur);
            let Node::Reference {
                pointee: p,
                rvalue: r,
            } = *self.arena.get(sn)
            else {
                return (rvalue, Some(cur));
            };
            cur = p;
            rvalue = rvalue && r;
            prev.push(cur);
            if (prev.len() > 1 && cur == prev[(prev.len() - 1) / 2]) || prev.len() > 100_000 {
                return (rvalue, None);
            }
        }
    }

    fn reference_left(&mut self, id: Id, pointee: Id, rvalue: bool) {
        self.guarded_visit(id, |p| {
            let (rvalue, Some(target)) = p.collapse(rvalue, pointee) else {
                return;
            };
            p.left(target);
            if p.has_array(target) {
                p.push(b" ");
            }
            if p.has_array_or_function(target) {
                p.push(b"(");
            }
            p.push(if rvalue { b"&&" } else { b"&" });
        })
    }

    fn reference_right(&mut self, id: Id, pointee: Id, rvalue: bool) {
        self.guarded_visit(id, |p| {
            let (_, Some(target)) = p.collapse(rvalue, pointee) else {
                return;
            };
            if p.has_array_or_function(target) {
                p.push(b")");
            }
            p.right(target);
        })
    }

    fn left_names(&mut self, id: Id) {
        let arena = self.arena;
        match arena.get(id) {
            Node::NoexceptSpec(e) => {
                self.push(b"noexcept");
                self.open(b'(');
                self.operand(*e);
                self.close(b')');
            }
            Node::DynamicExceptionSpec(types) => {
                self.push(b"throw");
                self.paren_list(*types);
            }
            Node::ExplicitObjectParam(base) => {
                self.push(b"this ");
                self.print(*base);
            }
            Node::LiteralOperator(name) => {
                self.push(b"operator\"\" ");
                self.print(*name);
            }
            Node::Special { prefix, child } => {
                self.push(prefix);
                self.print(*child);
            }
            Node::CtorVtable { first, second } => {
                self.push(b"construction vtable for ");
                self.print(*first);
                self.push(b"-in-");
                self.print(*second);
            }
            Node::Nested { qual, name } | Node::Qualified { qual, name } => {
                self.print(*qual);
                self.push(b"::");
                self.print(*name);
            }
            Node::Local { encoding, entity } => {
                self.print(*encoding);
                self.push(b"::");
                self.print(*entity);
            }
            Node::MemberLikeFriend { qual, name } => {
                self.print(*qual);
                self.push(b"::friend ");
                self.print(*name);
            }
            Node::Module {
                parent,
                name,
                partition,
            } => {
                if let Some(parent) = parent {
                    self.print(*parent);
                }
                if parent.is_some() || *partition {
                    self.push(if *partition { b":" } else { b"." });
                }
                self.print(*name);
            }
            Node::ModuleEntity { module, name } => {
                self.print(*name);
                self.push(b"@");
                self.print(*module);
            }
            Node::Vector { base, dim } => {
                self.print(*base);
                self.push(b" vector[");
                if let Some(d) = dim {
                    self.print(*d);
                }
                self.push(b"]");
            }
            Node::PixelVector(dim) => {
                self.push(b"pixel vector[");
                self.print(*dim);
                self.push(b"]");
            }
            Node::BinaryFp(dim) => {
                self.push(b"_Float");
                self.print(*dim);
            }
            Node::SyntheticParam { kind, index } => {
                self.push(match kind {
                    ParamKind::Type => b"$T".as_slice(),
                    ParamKind::NonType => b"$N",
                    ParamKind::Template => b"$TT",
                });
                if *index > 0 {
                    self.push((index - 1).to_string().as_bytes());
                }
            }
            Node::ParamQualifiedArg { arg } => self.print(*arg),
            _ => self.left_templates(id),
        }
    }

    fn left_templates(&mut self, id: Id) {
        let arena = self.arena;
        match arena.get(id) {
            Node::TypeParamDecl(_) => self.push(b"typename "),
            Node::ConstrainedTypeParamDecl { constraint, .. } => {
                self.print(*constraint);
                self.push(b" ");
            }
            Node::NonTypeParamDecl { ty, .. } => {
                self.left(*ty);
                if !self.has_rhs(*ty) {
                    self.push(b" ");
                }
            }
            Node::TemplateParamDecl { params, .. } => self.in_angles(|p| {
                p.push(b"template<");
                p.comma_list(*params);
                p.push(b"> typename ");
            }),
            Node::ParamPackDecl(param) => {
                self.left(*param);
                self.push(b"...");
            }
            Node::ParameterPack(items) => {
                if let Some(e) = self.pack_element(*items) {
                    self.left(e);
                }
            }
            Node::PackExpansion(child) => self.pack_expansion(*child),
            Node::TemplateArgs(args) => self.in_angles(|p| {
                p.push(b"<");
                p.comma_list(*args);
                p.push(b">");
            }),
            Node::ForwardRef { target, .. } => match target {
                Some(t) => {
                    let t = *t;
                    self.guarded_visit(id, |p| p.left(t))
                }
                None => self.failed = true,
            },
            Node::WithTemplateArgs { name, args } => {
                self.print(*name);
                self.print(*args);
            }
            Node::GlobalQualified(child) => {
                self.push(b"::");
                self.print(*child);
            }
            Node::SpecialSub { kind, expanded } => self.special_sub(*kind, *expanded),
            Node::CtorDtor { base, dtor } => {
                if *dtor {
                    self.push(b"~");
                }
                let name = arena.base_name(*base, 0);
                self.push(name);
            }
            Node::DtorName(base) => {
                self.push(b"~");
                self.left(*base);
            }
            Node::Unnamed(count) => {
                self.push(b"'unnamed");
                self.push(count);
                self.push(b"'");
            }
            Node::Closure(c) => {
                let c = arena.closure(*c);
                self.push(b"'lambda");
                self.push(c.count);
                self.push(b"'");
                self.closure_declarator(c);
            }
            Node::StructuredBinding(items) => {
                self.open(b'[');
                self.comma_list(*items);
                self.close(b']');
            }
            _ => self.left_exprs(id),
        }
    }

    fn special_sub(&mut self, kind: SpecialSub, expanded: bool) {
        self.push(b"std::");
        if !expanded {
            self.push(kind.short_name());
            return;
        }
        self.push(kind.full_name());
        if kind.is_instantiation() {
            self.push(b"<char, std::char_traits<char>");
            if kind == SpecialSub::String {
                self.push(b", std::allocator<char>");
            }
            self.push(b">");
        }
    }

    fn closure_declarator(&mut self, c: &Closure<'a>) {
        if !c.tparams.is_empty() {
            self.in_angles(|p| {
                p.push(b"<");
                p.comma_list(c.tparams);
                p.push(b">");
            });
        }
        if let Some(r) = c.requires1 {
            self.push(b" requires ");
            self.print(r);
            self.push(b" ");
        }
        self.paren_list(c.params);
        if let Some(r) = c.requires2 {
            self.push(b" requires ");
            self.print(r);
        }
    }

    // ---- right parts ----

    fn right_inner(&mut self, id: Id) {
        let arena = self.arena;
        match arena.get(id) {
            Node::Qual { child, .. } => self.right(*child),
            Node::Pointer(pointee) if self.objc_id_protocol(*pointee).is_none() => {
                if self.has_array_or_function(*pointee) {
                    self.push(b")");
                }
                self.right(*pointee);
            }
            Node::Reference { pointee, rvalue } => self.reference_right(id, *pointee, *rvalue),
            Node::PtrToMember { member, .. } => {
                if self.has_array_or_function(*member) {
                    self.push(b")");
                }
                self.right(*member);
            }
            Node::Array { base, dim } => {
                if self.out.last() != Some(&b']') {
                    self.push(b" ");
                }
                self.push(b"[");
                if let Some(d) = dim {
                    self.print(*d);
                }
                self.push(b"]");
                self.right(*base);
            }
            Node::Function {
                ret,
                params,
                cv,
                ref_qual,
                exception,
            } => {
                self.paren_list(*params);
                self.right(*ret);
                self.quals(*cv);
                self.ref_qual(*ref_qual);
                if let Some(e) = exception {
                    self.push(b" ");
                    self.print(*e);
                }
            }
            Node::Encoding(e) => self.encoding_right(arena.encoding(*e)),
            Node::TypeParamDecl(name) | Node::ConstrainedTypeParamDecl { name, .. } => {
                self.print(*name)
            }
            Node::NonTypeParamDecl { name, ty } => {
                self.print(*name);
                self.right(*ty);
            }
            Node::TemplateParamDecl { name, requires, .. } => {
                self.print(*name);
                if let Some(r) = requires {
                    self.push(b" requires ");
                    self.print(*r);
                }
            }
            Node::ParamPackDecl(param) => self.right(*param),
            Node::ParameterPack(items) => {
                if let Some(e) = self.pack_element(*items) {
                    self.right(e);
                }
            }
            Node::ForwardRef { target, .. } => match target {
                Some(t) => {
                    let t = *t;
                    self.guarded_visit(id, |p| p.right(t))
                }
                None => self.failed = true,
            },
            _ => {}
        }
    }

    fn encoding_right(&mut self, e: &Encoding) {
        self.paren_list(e.params);
        if let Some(ret) = e.ret {
            self.right(ret);
        }
        self.quals(e.cv);
        self.ref_qual(e.ref_qual);
        if let Some(a) = e.attrs {
            self.print(a);
        }
        if let Some(r) = e.requires {
            self.push(b" requires ");
            self.print(r);
        }
    }

    // ---- expressions ----

    fn left_exprs(&mut self, id: Id) {
        let arena = self.arena;
        let prec = arena.entry(id).prec;
        match arena.get(id) {
            Node::Binary { lhs, op, rhs } => self.binary(*lhs, op, *rhs, prec),
            Node::Subscript { base, index } => {
                self.print_as_operand(*base, prec, false);
                self.open(b'[');
                self.operand(*index);
                self.close(b']');
            }
            Node::Postfix { child, op } => {
                self.print_as_operand(*child, prec, true);
                self.push(op);
            }
            Node::Conditional { cond, then, other } => {
                self.print_as_operand(*cond, prec, false);
                self.push(b" ? ");
                self.operand(*then);
                self.push(b" : ");
                self.print_as_operand(*other, Prec::Assign, true);
            }
            Node::Member { lhs, kind, rhs } => {
                self.print_as_operand(*lhs, prec, true);
                self.push(kind);
                self.print_as_operand(*rhs, prec, false);
            }
            Node::Subobject { ty, sub, offset } => {
                self.print(*sub);
                self.push(b".<");
                self.print(*ty);
                self.push(b" at offset ");
                if offset.is_empty() {
                    self.push(b"0");
                } else {
                    self.signed_number(offset);
                }
                self.push(b">");
            }
            Node::Enclosing { prefix, infix } => {
                self.push(prefix);
                self.open(b'(');
                self.print(*infix);
                self.close(b')');
            }
            Node::Cast { kind, to, from } => {
                self.push(kind);
                self.in_angles(|p| {
                    p.push(b"<");
                    p.left(*to);
                    p.push(b">");
                });
                self.open(b'(');
                self.operand(*from);
                self.close(b')');
            }
            Node::SizeofPack(pack) => {
                self.push(b"sizeof...");
                self.open(b'(');
                self.pack_expansion(*pack);
                self.close(b')');
            }
            Node::Call {
                callee,
                args,
                paren,
            } => {
                if *paren {
                    self.open(b'(');
                }
                self.print(*callee);
                if *paren {
                    self.close(b')');
                }
                self.paren_list(*args);
            }
            _ => self.left_exprs2(id, prec),
        }
    }

    fn binary(&mut self, lhs: Id, op: &[u8], rhs: Id, prec: Prec) {
        let paren_all = self.gt_is_gt == 0 && (op == b">" || op == b">>");
        if paren_all {
            self.open(b'(');
        }
        let is_assign = prec == Prec::Assign;
        let lhs_prec = if is_assign { Prec::OrIf } else { prec };
        self.print_as_operand(lhs, lhs_prec, !is_assign);
        if op != b"," {
            self.push(b" ");
        }
        self.push(op);
        self.push(b" ");
        self.print_as_operand(rhs, prec, is_assign);
        if paren_all {
            self.close(b')');
        }
    }

    fn left_exprs2(&mut self, id: Id, prec: Prec) {
        let arena = self.arena;
        match arena.get(id) {
            Node::New {
                exprs,
                ty,
                inits,
                global,
                array,
            } => {
                if *global {
                    self.push(b"::");
                }
                self.push(b"new");
                if *array {
                    self.push(b"[]");
                }
                if !exprs.is_empty() {
                    self.paren_list(*exprs);
                }
                self.push(b" ");
                self.print(*ty);
                if !inits.is_empty() {
                    self.paren_list(*inits);
                }
            }
            Node::Delete { op, global, array } => {
                if *global {
                    self.push(b"::");
                }
                self.push(b"delete");
                if *array {
                    self.push(b"[]");
                }
                self.push(b" ");
                self.print(*op);
            }
            Node::Prefix { prefix, child } => {
                self.push(prefix);
                self.print_as_operand(*child, prec, false);
            }
            Node::FunctionParam(n) => {
                self.push(b"fp");
                self.push(n);
            }
            Node::Conversion { ty, exprs } => {
                self.open(b'(');
                self.print(*ty);
                self.close(b')');
                self.paren_list(*exprs);
            }
            Node::PtrMemConversion { ty, sub } => {
                self.open(b'(');
                self.print(*ty);
                self.close(b')');
                self.open(b'(');
                self.print(*sub);
                self.close(b')');
            }
            Node::InitList { ty, inits } => self.init_list(*ty, *inits),
            Node::Braced { elem, init, array } => {
                if *array {
                    self.push(b"[");
                    self.print(*elem);
                    self.push(b"]");
                } else {
                    self.push(b".");
                    self.print(*elem);
                }
                self.braced_init(*init);
            }
            Node::BracedRange { first, last, init } => {
                self.push(b"[");
                self.print(*first);
                self.push(b" ... ");
                self.print(*last);
                self.push(b"]");
                self.braced_init(*init);
            }
            Node::Fold {
                left,
                op,
                pack,
                init,
            } => self.fold(*left, op, *pack, *init),
            _ => self.left_literals(id),
        }
    }

    fn braced_init(&mut self, init: Id) {
        if !matches!(
            self.arena.get(init),
            Node::Braced { .. } | Node::BracedRange { .. }
        ) {
            self.push(b" = ");
        }
        self.print(init);
    }

    fn init_list(&mut self, ty: Option<Id>, inits: List) {
        if let Some(ty) = ty {
            self.print(ty);
        }
        self.push(b"{");
        self.comma_list(inits);
        self.push(b"}");
    }

    fn fold(&mut self, left: bool, op: &[u8], pack: Id, init: Option<Id>) {
        let print_pack = |p: &mut Self| {
            p.open(b'(');
            p.pack_expansion(pack);
            p.close(b')');
        };
        self.open(b'(');
        if !left || init.is_some() {
            match (left, init) {
                (true, Some(i)) => self.print_as_operand(i, Prec::Cast, true),
                _ => print_pack(self),
            }
            self.push(b" ");
            self.push(op);
            self.push(b" ");
        }
        self.push(b"...");
        if left || init.is_some() {
            self.push(b" ");
            self.push(op);
            self.push(b" ");
            match (left, init) {
                (false, Some(i)) => self.print_as_operand(i, Prec::Cast, true),
                _ => print_pack(self),
            }
        }
        self.close(b')');
    }

    fn left_literals(&mut self, id: Id) {
        let arena = self.arena;
        match arena.get(id) {
            Node::Throw(op) => {
                self.push(b"throw ");
                self.print(*op);
            }
            Node::Bool(v) => self.push(if *v { b"true" } else { b"false" }),
            Node::StringLiteral(ty) => {
                self.push(b"\"<");
                self.print(*ty);
                self.push(b">\"");
            }
            Node::Lambda(ty) => {
                self.push(b"[]");
                if let Node::Closure(c) = arena.get(*ty) {
                    self.closure_declarator(arena.closure(*c));
                }
                self.push(b"{...}");
            }
            Node::EnumLiteral { ty, value } => {
                self.open(b'(');
                self.print(*ty);
                self.close(b')');
                self.signed_number(value);
            }
            Node::IntegerLiteral { ty, value } => {
                if ty.len() > 3 {
                    self.open(b'(');
                    self.push(ty);
                    self.close(b')');
                }
                self.signed_number(value);
                if ty.len() <= 3 {
                    self.push(ty);
                }
            }
            Node::Requires { params, reqs } => {
                self.push(b"requires");
                if !params.is_empty() {
                    self.push(b" ");
                    self.paren_list(*params);
                }
                self.push(b" ");
                self.open(b'{');
                for &r in arena.list(*reqs) {
                    self.print(r);
                }
                self.push(b" ");
                self.close(b'}');
            }
            Node::ExprRequirement {
                expr,
                noexcept,
                constraint,
            } => {
                self.push(b" ");
                let braces = *noexcept || constraint.is_some();
                if braces {
                    self.open(b'{');
                }
                self.print(*expr);
                if braces {
                    self.close(b'}');
                }
                if *noexcept {
                    self.push(b" noexcept");
                }
                if let Some(c) = constraint {
                    self.push(b" -> ");
                    self.print(*c);
                }
                self.push(b";");
            }
            Node::TypeRequirement(ty) => {
                self.push(b" typename ");
                self.print(*ty);
                self.push(b";");
            }
            Node::NestedRequirement(c) => {
                self.push(b" requires ");
                self.print(*c);
                self.push(b";");
            }
            Node::Float { kind, digits } => {
                let s = float::format(*kind, digits);
                self.push(s.as_bytes());
            }
            _ => {}
        }
    }
}
