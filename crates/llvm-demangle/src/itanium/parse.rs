//! The Itanium C++ ABI mangling grammar, parsed the way LLVM 19's demangler parses it
//! (same productions, same extensions, same substitution and template-parameter tables),
//! into an [`Arena`]. Every production returns `None` on malformed input; nesting is bounded.

use super::ast::*;
use super::ops::{self, Op, OpKind};

mod expr;
mod types;

/// The deepest production nesting accepted; deeper input is treated as malformed.
const MAX_DEPTH: u32 = 192;

type R = Option<Id>;

/// Facts about a `<name>` that matter when it names a function.
#[derive(Default)]
struct NameState {
    ctor_dtor_conversion: bool,
    ends_with_template_args: bool,
    cv: u8,
    ref_qual: Option<RefQual>,
    forward_refs_begin: usize,
    explicit_object: bool,
}

/// Which list a template-parameter level refers to.
#[derive(Clone, Copy)]
enum Level {
    Outer,
    List(usize),
    Absent,
}

/// The parser's lookup tables and scratch lists, kept between demanglings on a thread so that
/// their allocations are reused.
#[derive(Default)]
pub(super) struct Tables {
    subs: Vec<Id>,
    outer: Vec<Id>,
    levels: Vec<Level>,
    /// The template parameter lists of lambdas and template template parameters; only the
    /// first [`Parser::lists_len`] are in scope, the rest keep their allocations for the next.
    lists: Vec<Vec<Id>>,
    forward_refs: Vec<Id>,
    /// The items of the lists being parsed, innermost last ([`Parser::list`]).
    items: Vec<Id>,
    /// Emptied template parameter tables for [`Parser::fresh_template_params`].
    spare_levels: Vec<(Vec<Level>, Vec<Id>)>,
}

impl Tables {
    /// Empty tables.
    pub(super) const fn new() -> Self {
        Tables {
            subs: Vec::new(),
            outer: Vec::new(),
            levels: Vec::new(),
            lists: Vec::new(),
            forward_refs: Vec::new(),
            items: Vec::new(),
            spare_levels: Vec::new(),
        }
    }

    /// Empties the tables a parse leaves filled, keeping their allocations (a list of `lists`
    /// is emptied when it is reused, `spare_levels` when they are put back, `items` by
    /// [`Parser::list`]).
    fn clear(&mut self) {
        self.subs.clear();
        self.outer.clear();
        self.levels.clear();
        self.forward_refs.clear();
    }
}

/// Parser state: input cursor, node arena and the ABI's lookup tables.
pub(super) struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    pub arena: Arena<'a>,
    /// The ABI's lookup tables and the lists being built.
    t: Tables,
    /// How many of `t.lists` are in scope.
    lists_len: usize,
    try_template_args: bool,
    permit_forward_refs: bool,
    incomplete_tracking: bool,
    lambda_level: usize,
    synthetic: [u32; 3],
    depth: u32,
}

impl<'a> Parser<'a> {
    /// A parser over `s`, with the allocations of `arena` and `t` (both empty).
    pub(super) fn new(s: &'a [u8], arena: Arena<'a>, t: Tables) -> Self {
        Parser {
            s,
            pos: 0,
            arena,
            t,
            lists_len: 0,
            try_template_args: true,
            permit_forward_refs: false,
            incomplete_tracking: false,
            lambda_level: usize::MAX,
            synthetic: [0; 3],
            depth: 0,
        }
    }

    /// The arena and the tables, the tables emptied for another name.
    pub(super) fn into_parts(mut self) -> (Arena<'a>, Tables) {
        self.t.clear();
        (self.arena, self.t)
    }

    /// Runs `f`, which pushes a list's nodes onto `items` (the mark passed is where they
    /// start), and keeps them as one list of the arena. The nodes are taken off `items`
    /// whether `f` succeeds or fails.
    fn list<T>(&mut self, f: impl FnOnce(&mut Self, usize) -> Option<T>) -> Option<(List, T)> {
        let mark = self.t.items.len();
        let r = f(self, mark);
        let r = r.map(|t| (self.arena.add_list(&self.t.items[mark..]), t));
        self.t.items.truncate(mark);
        r
    }

    /// One or more nodes `item` parses, up to `end`, which is eaten, as a list.
    fn list_up_to(&mut self, end: u8, item: fn(&mut Self) -> R) -> Option<List> {
        let (list, ()) = self.list(|p, _| loop {
            let node = item(p)?;
            p.t.items.push(node);
            if p.eat(end) {
                return Some(());
            }
        })?;
        Some(list)
    }

    /// The nodes `item` parses until `end`, which is eaten, as a list.
    fn list_until(&mut self, end: u8, item: fn(&mut Self) -> R) -> Option<List> {
        let (list, ()) = self.list(|p, _| {
            while !p.eat(end) {
                let node = item(p)?;
                p.t.items.push(node);
            }
            Some(())
        })?;
        Some(list)
    }

    // ---- cursor helpers ----

    fn look(&self, k: usize) -> u8 {
        self.s.get(self.pos + k).copied().unwrap_or(0)
    }

    fn left(&self) -> usize {
        self.s.len() - self.pos
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.look(0) == c && self.left() > 0;
        self.pos += usize::from(hit);
        hit
    }

    fn eat_str(&mut self, p: &[u8]) -> bool {
        let hit = self.s[self.pos..].starts_with(p);
        if hit {
            self.pos += p.len();
        }
        hit
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    #[inline(always)]
    fn add(&mut self, node: Node<'a>) -> Id {
        self.arena.add(node, Prec::Primary)
    }

    #[inline(always)]
    fn add_prec(&mut self, node: Node<'a>, prec: Prec) -> Id {
        self.arena.add(node, prec)
    }

    fn name(&mut self, s: &'a [u8]) -> Id {
        self.add(Node::Name(s))
    }

    fn guarded(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// `<number> ::= [n] <digits>`; empty when there are no digits.
    fn number(&mut self, allow_negative: bool) -> &'a [u8] {
        let start = self.pos;
        if allow_negative {
            self.eat(b'n');
        }
        if !self.look(0).is_ascii_digit() {
            return &self.s[start..start];
        }
        while self.look(0).is_ascii_digit() {
            self.pos += 1;
        }
        &self.s[start..self.pos]
    }

    fn positive_int(&mut self) -> Option<usize> {
        if !self.look(0).is_ascii_digit() {
            return None;
        }
        let mut n: usize = 0;
        while self.look(0).is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(usize::from(self.look(0) - b'0'));
            self.pos += 1;
        }
        Some(n)
    }

    fn bare_source_name(&mut self) -> Option<&'a [u8]> {
        let n = self.positive_int()?;
        if self.left() < n {
            return None;
        }
        let r = &self.s[self.pos..self.pos + n];
        self.pos += n;
        Some(r).filter(|r| !r.is_empty())
    }

    fn cv_qualifiers(&mut self) -> u8 {
        let mut q = 0;
        if self.eat(b'r') {
            q |= QUAL_RESTRICT;
        }
        if self.eat(b'V') {
            q |= QUAL_VOLATILE;
        }
        if self.eat(b'K') {
            q |= QUAL_CONST;
        }
        q
    }

    fn discriminator(&mut self) {
        let rest = &self.s[self.pos..];
        match rest.first() {
            Some(b'_') => match rest.get(1) {
                Some(c) if c.is_ascii_digit() => self.pos += 2,
                Some(b'_') => {
                    let digits = rest[2..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if rest.get(2 + digits) == Some(&b'_') {
                        self.pos += 3 + digits;
                    }
                }
                _ => {}
            },
            Some(c) if c.is_ascii_digit() && rest.iter().all(u8::is_ascii_digit) => {
                self.pos = self.s.len();
            }
            _ => {}
        }
    }

    // ---- template parameter tables ----

    fn level_list(&self, level: usize) -> Option<&Vec<Id>> {
        match self.t.levels.get(level)? {
            Level::Outer => Some(&self.t.outer),
            Level::List(i) => self.t.lists[..self.lists_len].get(*i),
            Level::Absent => None,
        }
    }

    /// Runs `f` with the template parameters of the enclosing context hidden.
    fn fresh_template_params(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let (levels, outer) = self.t.spare_levels.pop().unwrap_or_default();
        let levels = std::mem::replace(&mut self.t.levels, levels);
        let outer = std::mem::replace(&mut self.t.outer, outer);
        let r = f(self);
        let mut inner_levels = std::mem::replace(&mut self.t.levels, levels);
        let mut inner_outer = std::mem::replace(&mut self.t.outer, outer);
        inner_levels.clear();
        inner_outer.clear();
        self.t.spare_levels.push((inner_levels, inner_outer));
        r
    }

    /// Runs `f` with a new, innermost template parameter list (a lambda's or a template
    /// template parameter's), passing its index.
    fn scoped_param_list<T>(&mut self, f: impl FnOnce(&mut Self, usize) -> Option<T>) -> Option<T> {
        let old = self.t.levels.len();
        let idx = self.lists_len;
        match self.t.lists.get_mut(idx) {
            Some(list) => list.clear(),
            None => self.t.lists.push(Vec::new()),
        }
        self.lists_len += 1;
        self.t.levels.push(Level::List(idx));
        let r = f(self, idx);
        self.t.levels.truncate(old);
        self.lists_len = idx;
        r
    }

    // ---- top level ----

    /// `<mangled-name>`: `_Z <encoding> [.suffix]`, the block-invocation extension (`___Z` or
    /// `____Z`), or a type.
    pub(super) fn parse(&mut self) -> R {
        let r = self.parse_top()?;
        (self.left() == 0 && self.t.forward_refs.is_empty()).then_some(r)
    }

    fn parse_top(&mut self) -> R {
        // LLVM 19 takes `_Z` only (later versions also `__Z`); `llvm::demangle` still gets to
        // `__Z...` by dropping one underscore.
        if self.eat_str(b"_Z") {
            let mut enc = self.parse_encoding()?;
            if self.look(0) == b'.' {
                enc = self.add(Node::DotSuffix(enc, &self.s[self.pos..]));
                self.pos = self.s.len();
            }
            return Some(enc);
        }
        if self.eat_str(b"___Z") || self.eat_str(b"____Z") {
            let enc = self.parse_encoding()?;
            if !self.eat_str(b"_block_invoke") {
                return None;
            }
            let required = self.eat(b'_');
            if self.number(false).is_empty() && required {
                return None;
            }
            if self.look(0) == b'.' {
                self.pos = self.s.len();
            }
            let prefix = b"invocation function for block in ";
            return Some(self.add(Node::Special { prefix, child: enc }));
        }
        self.parse_type()
    }

    // ---- encodings and names ----

    fn parse_encoding(&mut self) -> R {
        self.guarded(|p| p.fresh_template_params(Self::encoding_inner))
    }

    fn is_end_of_encoding(&self) -> bool {
        self.left() == 0 || matches!(self.look(0), b'E' | b'.' | b'_')
    }

    fn encoding_inner(&mut self) -> R {
        if matches!(self.look(0), b'G' | b'T') {
            return self.parse_special_name();
        }
        let mut st = NameState {
            forward_refs_begin: self.t.forward_refs.len(),
            ..Default::default()
        };
        let name = self.parse_name(Some(&mut st))?;
        self.resolve_forward_refs(&st)?;
        if self.is_end_of_encoding() {
            return Some(name);
        }
        let mut attrs = None;
        if self.eat_str(b"Ua9enable_ifI") {
            let args = self.list_until(b'E', Self::parse_template_arg)?;
            attrs = Some(self.add(Node::EnableIf(args)));
        }
        let mut ret = None;
        if !st.ctor_dtor_conversion && st.ends_with_template_args {
            ret = Some(self.parse_type()?);
        }
        let (params, ()) = self.list(|p, mark| {
            if p.eat(b'v') {
                return Some(());
            }
            loop {
                let mut ty = p.parse_type()?;
                if st.explicit_object && p.t.items.len() == mark {
                    ty = p.add(Node::ExplicitObjectParam(ty));
                }
                p.t.items.push(ty);
                if p.is_end_of_encoding() || p.look(0) == b'Q' {
                    return Some(());
                }
            }
        })?;
        let mut requires = None;
        if self.eat(b'Q') {
            requires = Some(self.parse_constraint_expr()?);
        }
        let enc = Encoding {
            ret,
            name,
            params,
            attrs,
            requires,
            cv: st.cv,
            ref_qual: st.ref_qual.unwrap_or(RefQual::None),
        };
        Some(self.arena.add_encoding(enc))
    }

    fn resolve_forward_refs(&mut self, st: &NameState) -> Option<()> {
        let begin = st.forward_refs_begin.min(self.t.forward_refs.len());
        for i in begin..self.t.forward_refs.len() {
            let fref = self.t.forward_refs[i];
            let Node::ForwardRef { index, .. } = *self.arena.get(fref) else {
                return None;
            };
            let target = match self.t.levels.first() {
                Some(Level::Outer) => self.t.outer.get(index).copied(),
                Some(Level::List(l)) => self.t.lists[..self.lists_len]
                    .get(*l)
                    .and_then(|v| v.get(index))
                    .copied(),
                _ => None,
            }?;
            if let Node::ForwardRef { target: t, .. } = &mut self.arena.nodes[fref as usize].node {
                *t = Some(target);
            }
        }
        self.t.forward_refs.truncate(begin);
        Some(())
    }

    fn parse_name(&mut self, st: Option<&mut NameState>) -> R {
        self.guarded(|p| p.name_inner(st))
    }

    fn name_inner(&mut self, mut st: Option<&mut NameState>) -> R {
        match self.look(0) {
            b'N' => return self.parse_nested_name(st),
            b'Z' => return self.parse_local_name(st),
            _ => {}
        }
        let mut is_subst = false;
        let result = self.parse_unscoped_name(st.as_deref_mut(), Some(&mut is_subst))?;
        if self.look(0) == b'I' {
            if !is_subst {
                self.t.subs.push(result);
            }
            let args = self.parse_template_args(st.is_some())?;
            if let Some(st) = st {
                st.ends_with_template_args = true;
            }
            return Some(self.add(Node::WithTemplateArgs { name: result, args }));
        }
        (!is_subst).then_some(result)
    }

    fn parse_local_name(&mut self, st: Option<&mut NameState>) -> R {
        self.expect(b'Z')?;
        let encoding = self.parse_encoding()?;
        self.expect(b'E')?;
        if self.eat(b's') {
            self.discriminator();
            let entity = self.name(b"string literal");
            return Some(self.add(Node::Local { encoding, entity }));
        }
        self.fresh_template_params(|p| {
            if p.eat(b'd') {
                p.number(true);
                p.expect(b'_')?;
                let entity = p.parse_name(st)?;
                return Some(p.add(Node::Local { encoding, entity }));
            }
            let entity = p.parse_name(st)?;
            p.discriminator();
            Some(p.add(Node::Local { encoding, entity }))
        })
    }

    fn parse_unscoped_name(
        &mut self,
        st: Option<&mut NameState>,
        is_subst: Option<&mut bool>,
    ) -> R {
        let std = if self.eat_str(b"St") {
            Some(self.name(b"std"))
        } else {
            None
        };
        let mut res = None;
        let mut module = None;
        if self.look(0) == b'S' {
            let s = self.parse_substitution()?;
            if matches!(self.arena.get(s), Node::Module { .. }) {
                module = Some(s);
            } else if let (Some(flag), None) = (is_subst, std) {
                res = Some(s);
                *flag = true;
            } else {
                return None;
            }
        }
        if res.is_none() || std.is_some() {
            res = Some(self.parse_unqualified_name(st, std, module)?);
        }
        res
    }

    fn parse_unqualified_name(
        &mut self,
        mut st: Option<&mut NameState>,
        scope: Option<Id>,
        mut module: Option<Id>,
    ) -> R {
        self.parse_module_name(&mut module)?;
        let friend = scope.is_some() && self.eat(b'F');
        self.eat(b'L');
        let mut scope = scope;
        let c = self.look(0);
        let mut result = if (b'1'..=b'9').contains(&c) {
            self.parse_source_name()?
        } else if c == b'U' {
            self.parse_unnamed_type_name(st.as_deref_mut())?
        } else if self.eat_str(b"DC") {
            let bindings = self.list_up_to(b'E', Self::parse_source_name)?;
            self.add(Node::StructuredBinding(bindings))
        } else if c == b'C' || c == b'D' {
            if module.is_some() {
                return None;
            }
            let s = scope.as_mut()?;
            self.parse_ctor_dtor_name(s, st.as_deref_mut())?
        } else {
            self.parse_operator_name(st)?
        };
        if let Some(module) = module {
            result = self.add(Node::ModuleEntity {
                module,
                name: result,
            });
        }
        result = self.parse_abi_tags(result)?;
        Some(match scope {
            Some(qual) if friend => self.add(Node::MemberLikeFriend { qual, name: result }),
            Some(qual) => self.add(Node::Nested { qual, name: result }),
            None => result,
        })
    }

    fn parse_module_name(&mut self, module: &mut Option<Id>) -> Option<()> {
        while self.eat(b'W') {
            let partition = self.eat(b'P');
            let name = self.parse_source_name()?;
            let m = self.add(Node::Module {
                parent: *module,
                name,
                partition,
            });
            *module = Some(m);
            self.t.subs.push(m);
        }
        Some(())
    }

    fn parse_source_name(&mut self) -> R {
        let n = self.positive_int()?;
        if self.left() < n || n == 0 {
            return None;
        }
        let name = &self.s[self.pos..self.pos + n];
        self.pos += n;
        if name.starts_with(b"_GLOBAL__N") {
            return Some(self.name(b"(anonymous namespace)"));
        }
        Some(self.name(name))
    }

    fn parse_abi_tags(&mut self, mut n: Id) -> R {
        while self.eat(b'B') {
            let tag = self.bare_source_name()?;
            n = self.add(Node::AbiTag { base: n, tag });
        }
        Some(n)
    }

    fn parse_unnamed_type_name(&mut self, st: Option<&mut NameState>) -> R {
        if st.is_some() {
            self.t.levels.clear();
        }
        if self.eat_str(b"Ut") {
            let count = self.number(false);
            self.expect(b'_')?;
            return Some(self.add(Node::Unnamed(count)));
        }
        if self.eat_str(b"Ul") {
            let saved = std::mem::replace(&mut self.lambda_level, self.t.levels.len());
            let r = self.scoped_param_list(|p, list| p.parse_closure(list));
            self.lambda_level = saved;
            return r;
        }
        if self.eat_str(b"Ub") {
            self.number(false);
            self.expect(b'_')?;
            return Some(self.name(b"'block-literal'"));
        }
        None
    }

    fn is_template_param_decl(&self) -> bool {
        self.look(0) == b'T' && b"yptnk".contains(&self.look(1))
    }

    fn parse_closure(&mut self, list: usize) -> R {
        let (tparams, ()) = self.list(|p, _| {
            while p.is_template_param_decl() {
                let decl = p.parse_template_param_decl(Some(list))?;
                p.t.items.push(decl);
            }
            Some(())
        })?;
        if tparams.is_empty() {
            self.t.levels.pop();
        }
        let requires1 = if self.eat(b'Q') {
            Some(self.parse_constraint_expr()?)
        } else {
            None
        };
        let (params, ()) = self.list(|p, _| {
            if p.eat(b'v') {
                return Some(());
            }
            loop {
                let ty = p.parse_type()?;
                p.t.items.push(ty);
                if matches!(p.look(0), b'E' | b'Q') {
                    return Some(());
                }
            }
        })?;
        let requires2 = if self.eat(b'Q') {
            Some(self.parse_constraint_expr()?)
        } else {
            None
        };
        self.expect(b'E')?;
        let count = self.number(false);
        self.expect(b'_')?;
        let closure = Closure {
            tparams,
            requires1,
            params,
            requires2,
            count,
        };
        Some(self.arena.add_closure(closure))
    }

    fn parse_operator_name(&mut self, st: Option<&mut NameState>) -> R {
        if let Some(op) = ops::lookup(&self.s[self.pos..]) {
            self.pos += 2;
            return self.named_operator(op, st);
        }
        if self.eat_str(b"li") {
            let sn = self.parse_source_name()?;
            return Some(self.add(Node::LiteralOperator(sn)));
        }
        if self.eat(b'v') && self.look(0).is_ascii_digit() {
            self.pos += 1;
            let sn = self.parse_source_name()?;
            return Some(self.add(Node::ConversionOperator(sn)));
        }
        None
    }

    fn named_operator(&mut self, op: &'static Op, st: Option<&mut NameState>) -> R {
        if op.kind == OpKind::CCast {
            let saved = (self.try_template_args, self.permit_forward_refs);
            self.try_template_args = false;
            self.permit_forward_refs = self.permit_forward_refs || st.is_some();
            let ty = self.parse_type();
            (self.try_template_args, self.permit_forward_refs) = saved;
            let ty = ty?;
            if let Some(st) = st {
                st.ctor_dtor_conversion = true;
            }
            return Some(self.add(Node::ConversionOperator(ty)));
        }
        if op.kind >= OpKind::NamedCast || (op.kind == OpKind::Member && !op.flag) {
            return None;
        }
        Some(self.name(op.name.as_bytes()))
    }

    fn parse_ctor_dtor_name(&mut self, so_far: &mut Id, st: Option<&mut NameState>) -> R {
        if let Node::SpecialSub {
            kind,
            expanded: false,
        } = *self.arena.get(*so_far)
        {
            *so_far = self.add(Node::SpecialSub {
                kind,
                expanded: true,
            });
        }
        if self.eat(b'C') {
            let inherited = self.eat(b'I');
            if !(b'1'..=b'5').contains(&self.look(0)) {
                return None;
            }
            self.pos += 1;
            let mut st = st;
            if let Some(st) = st.as_deref_mut() {
                st.ctor_dtor_conversion = true;
            }
            if inherited {
                self.parse_name(st)?;
            }
            return Some(self.add(Node::CtorDtor {
                base: *so_far,
                dtor: false,
            }));
        }
        if self.look(0) == b'D' && b"01245".contains(&self.look(1)) && self.look(1) != 0 {
            self.pos += 2;
            if let Some(st) = st {
                st.ctor_dtor_conversion = true;
            }
            return Some(self.add(Node::CtorDtor {
                base: *so_far,
                dtor: true,
            }));
        }
        None
    }

    fn parse_nested_name(&mut self, mut st: Option<&mut NameState>) -> R {
        self.expect(b'N')?;
        if !self.eat(b'H') {
            let cv = self.cv_qualifiers();
            let rq = if self.eat(b'O') {
                RefQual::RValue
            } else if self.eat(b'R') {
                RefQual::LValue
            } else {
                RefQual::None
            };
            if let Some(st) = st.as_deref_mut() {
                st.cv = cv;
                st.ref_qual = Some(rq);
            }
        } else if let Some(st) = st.as_deref_mut() {
            st.explicit_object = true;
        }
        let mut so_far: Option<Id> = None;
        while !self.eat(b'E') {
            if let Some(st) = st.as_deref_mut() {
                st.ends_with_template_args = false;
            }
            match self.nested_component(st.as_deref_mut(), so_far)? {
                Step::Continue(s) => {
                    so_far = Some(s);
                    continue;
                }
                Step::Next(s) => so_far = Some(s),
            }
            if let Some(s) = so_far {
                self.t.subs.push(s);
            }
            self.eat(b'M');
        }
        let r = so_far?;
        self.t.subs.pop()?;
        Some(r)
    }

    fn nested_component(&mut self, st: Option<&mut NameState>, so_far: Option<Id>) -> Option<Step> {
        let c = self.look(0);
        if c == b'T' {
            if so_far.is_some() {
                return None;
            }
            return self.parse_template_param().map(Step::Next);
        }
        if c == b'I' {
            let prefix = so_far?;
            let args = self.parse_template_args(st.is_some())?;
            if matches!(self.arena.get(prefix), Node::WithTemplateArgs { .. }) {
                return None;
            }
            if let Some(st) = st {
                st.ends_with_template_args = true;
            }
            return Some(Step::Next(
                self.add(Node::WithTemplateArgs { name: prefix, args }),
            ));
        }
        if c == b'D' && matches!(self.look(1), b't' | b'T') {
            if so_far.is_some() {
                return None;
            }
            return self.parse_decltype().map(Step::Next);
        }
        let mut module = None;
        if c == b'S' {
            let s = if self.look(1) == b't' {
                self.pos += 2;
                self.name(b"std")
            } else {
                self.parse_substitution()?
            };
            if matches!(self.arena.get(s), Node::Module { .. }) {
                module = Some(s);
            } else if so_far.is_some() {
                return None;
            } else {
                return Some(Step::Continue(s));
            }
        }
        self.parse_unqualified_name(st, so_far, module)
            .map(Step::Next)
    }

    // ---- special names ----

    fn parse_special_name(&mut self) -> R {
        let (c0, c1) = (self.look(0), self.look(1));
        if c0 == b'G' {
            return self.parse_g_special(c1);
        }
        let typed: &'static [u8] = match c1 {
            b'V' => b"vtable for ",
            b'T' => b"VTT for ",
            b'I' => b"typeinfo for ",
            b'S' => b"typeinfo name for ",
            _ => b"",
        };
        if !typed.is_empty() {
            self.pos += 2;
            let child = self.parse_type()?;
            return Some(self.add(Node::Special {
                prefix: typed,
                child,
            }));
        }
        match c1 {
            b'A' => {
                self.pos += 2;
                let child = self.parse_template_arg()?;
                Some(self.add(Node::Special {
                    prefix: b"template parameter object for ",
                    child,
                }))
            }
            b'c' => {
                self.pos += 2;
                self.call_offset()?;
                self.call_offset()?;
                let child = self.parse_encoding()?;
                Some(self.add(Node::Special {
                    prefix: b"covariant return thunk to ",
                    child,
                }))
            }
            b'C' => {
                self.pos += 2;
                let first = self.parse_type()?;
                if self.number(true).is_empty() || !self.eat(b'_') {
                    return None;
                }
                let second = self.parse_type()?;
                Some(self.add(Node::CtorVtable {
                    first: second,
                    second: first,
                }))
            }
            b'W' | b'H' => {
                self.pos += 2;
                let child = self.parse_name(None)?;
                let prefix: &'static [u8] = if c1 == b'W' {
                    b"thread-local wrapper routine for "
                } else {
                    b"thread-local initialization routine for "
                };
                Some(self.add(Node::Special { prefix, child }))
            }
            _ => {
                self.pos += 1;
                let virt = self.look(0) == b'v';
                self.call_offset()?;
                let child = self.parse_encoding()?;
                let prefix: &'static [u8] = if virt {
                    b"virtual thunk to "
                } else {
                    b"non-virtual thunk to "
                };
                Some(self.add(Node::Special { prefix, child }))
            }
        }
    }

    fn parse_g_special(&mut self, c1: u8) -> R {
        match c1 {
            b'V' => {
                self.pos += 2;
                let child = self.parse_name(None)?;
                Some(self.add(Node::Special {
                    prefix: b"guard variable for ",
                    child,
                }))
            }
            b'R' => {
                self.pos += 2;
                let child = self.parse_name(None)?;
                let parsed_seq = self.seq_id().is_some();
                if !self.eat(b'_') && parsed_seq {
                    return None;
                }
                Some(self.add(Node::Special {
                    prefix: b"reference temporary for ",
                    child,
                }))
            }
            b'I' => {
                self.pos += 2;
                let mut module = None;
                self.parse_module_name(&mut module)?;
                let child = module?;
                Some(self.add(Node::Special {
                    prefix: b"initializer for module ",
                    child,
                }))
            }
            _ => None,
        }
    }

    fn call_offset(&mut self) -> Option<()> {
        if self.eat(b'h') {
            return (!self.number(true).is_empty() && self.eat(b'_')).then_some(());
        }
        if self.eat(b'v') {
            let ok = !self.number(true).is_empty()
                && self.eat(b'_')
                && !self.number(true).is_empty()
                && self.eat(b'_');
            return ok.then_some(());
        }
        None
    }

    // ---- substitutions and template parameters ----

    fn seq_id(&mut self) -> Option<usize> {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(usize::from(c - b'0')),
            b'A'..=b'Z' => Some(usize::from(c - b'A') + 10),
            _ => None,
        };
        digit(self.look(0))?;
        let mut id: usize = 0;
        while let Some(d) = digit(self.look(0)) {
            id = id.wrapping_mul(36).wrapping_add(d);
            self.pos += 1;
        }
        Some(id)
    }

    fn parse_substitution(&mut self) -> R {
        self.expect(b'S')?;
        let c = self.look(0);
        if c.is_ascii_lowercase() {
            let kind = match c {
                b'a' => SpecialSub::Allocator,
                b'b' => SpecialSub::BasicString,
                b'd' => SpecialSub::Iostream,
                b'i' => SpecialSub::Istream,
                b'o' => SpecialSub::Ostream,
                b's' => SpecialSub::String,
                _ => return None,
            };
            self.pos += 1;
            let sub = self.add(Node::SpecialSub {
                kind,
                expanded: false,
            });
            let tagged = self.parse_abi_tags(sub)?;
            if tagged != sub {
                self.t.subs.push(tagged);
                return Some(tagged);
            }
            return Some(sub);
        }
        if self.eat(b'_') {
            return self.t.subs.first().copied();
        }
        let index = self.seq_id()?.wrapping_add(1);
        self.expect(b'_')?;
        self.t.subs.get(index).copied()
    }

    fn parse_template_param(&mut self) -> R {
        let begin = self.pos;
        self.expect(b'T')?;
        let mut level = 0;
        if self.eat(b'L') {
            level = self.positive_int()?.wrapping_add(1);
            self.expect(b'_')?;
        }
        let mut index = 0;
        if !self.eat(b'_') {
            index = self.positive_int()?.wrapping_add(1);
            self.expect(b'_')?;
        }
        if self.incomplete_tracking {
            let text = &self.s[begin..self.pos - 1];
            return Some(self.name(text));
        }
        if self.permit_forward_refs && level == 0 {
            let id = self.add(Node::ForwardRef {
                index,
                target: None,
            });
            self.t.forward_refs.push(id);
            return Some(id);
        }
        if let Some(&arg) = self.level_list(level).and_then(|l| l.get(index)) {
            return Some(arg);
        }
        if self.lambda_level == level && level <= self.t.levels.len() {
            if level == self.t.levels.len() {
                self.t.levels.push(Level::Absent);
            }
            return Some(self.name(b"auto"));
        }
        None
    }

    fn invent_param_name(&mut self, kind: ParamKind, list: Option<usize>) -> Id {
        let slot = kind as usize;
        let index = self.synthetic[slot];
        self.synthetic[slot] = index.wrapping_add(1);
        let n = self.add(Node::SyntheticParam { kind, index });
        if let Some(l) = list.and_then(|l| self.t.lists[..self.lists_len].get_mut(l)) {
            l.push(n);
        }
        n
    }

    fn parse_template_param_decl(&mut self, list: Option<usize>) -> R {
        self.guarded(|p| p.template_param_decl_inner(list))
    }

    fn template_param_decl_inner(&mut self, list: Option<usize>) -> R {
        if self.eat_str(b"Ty") {
            let name = self.invent_param_name(ParamKind::Type, list);
            return Some(self.add(Node::TypeParamDecl(name)));
        }
        if self.eat_str(b"Tk") {
            // LLVM 19 resolves template parameters in the concept's arguments like anywhere
            // else (LLVM 20 prints them as written), so `TL0__`, or `T_` before the first
            // argument, fails the whole name.
            let constraint = self.parse_name(None)?;
            let name = self.invent_param_name(ParamKind::Type, list);
            return Some(self.add(Node::ConstrainedTypeParamDecl { constraint, name }));
        }
        if self.eat_str(b"Tn") {
            let name = self.invent_param_name(ParamKind::NonType, list);
            let ty = self.parse_type()?;
            return Some(self.add(Node::NonTypeParamDecl { name, ty }));
        }
        if self.eat_str(b"Tt") {
            let name = self.invent_param_name(ParamKind::Template, list);
            let (params, requires) = self.scoped_param_list(|p, inner| {
                p.list(|p, _| {
                    while !p.eat(b'E') {
                        let decl = p.parse_template_param_decl(Some(inner))?;
                        p.t.items.push(decl);
                        if p.eat(b'Q') {
                            let requires = p.parse_constraint_expr()?;
                            p.expect(b'E')?;
                            return Some(Some(requires));
                        }
                    }
                    Some(None)
                })
            })?;
            return Some(self.add(Node::TemplateParamDecl {
                name,
                params,
                requires,
            }));
        }
        if self.eat_str(b"Tp") {
            let decl = self.parse_template_param_decl(list)?;
            return Some(self.add(Node::ParamPackDecl(decl)));
        }
        None
    }

    fn parse_template_arg(&mut self) -> R {
        self.guarded(Self::template_arg_inner)
    }

    fn template_arg_inner(&mut self) -> R {
        match self.look(0) {
            b'X' => {
                self.pos += 1;
                let arg = self.parse_expr()?;
                self.expect(b'E')?;
                Some(arg)
            }
            b'J' => {
                self.pos += 1;
                let args = self.list_until(b'E', Self::parse_template_arg)?;
                Some(self.add(Node::ArgumentPack(args)))
            }
            b'L' if self.look(1) == b'Z' => {
                self.pos += 2;
                let arg = self.parse_encoding()?;
                self.expect(b'E')?;
                Some(arg)
            }
            b'L' => self.parse_expr_primary(),
            b'T' if self.is_template_param_decl() => {
                self.parse_template_param_decl(None)?;
                let arg = self.parse_template_arg()?;
                Some(self.add(Node::ParamQualifiedArg { arg }))
            }
            _ => self.parse_type(),
        }
    }

    fn parse_template_args(&mut self, tag: bool) -> R {
        self.expect(b'I')?;
        if tag {
            self.t.levels.clear();
            self.t.levels.push(Level::Outer);
            self.t.outer.clear();
        }
        let (args, ()) = self.list(|p, _| {
            while !p.eat(b'E') {
                let arg = p.parse_template_arg()?;
                p.t.items.push(arg);
                if tag {
                    let entry = match *p.arena.get(arg) {
                        Node::ParamQualifiedArg { arg } => arg,
                        Node::ArgumentPack(items) => p.add(Node::ParameterPack(items)),
                        _ => arg,
                    };
                    p.t.outer.push(entry);
                }
                if p.eat(b'Q') {
                    p.parse_constraint_expr()?;
                    p.expect(b'E')?;
                    break;
                }
            }
            Some(())
        })?;
        Some(self.add(Node::TemplateArgs(args)))
    }
}

/// What one step of a `<nested-name>` produced.
enum Step {
    /// A substitution that starts the prefix and is not re-added to the table.
    Continue(Id),
    /// A new prefix component, added to the substitution table.
    Next(Id),
}
