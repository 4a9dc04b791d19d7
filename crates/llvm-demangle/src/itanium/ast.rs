//! The demangler's syntax tree: one arena of nodes addressed by [`Id`], shaped like LLVM's
//! `ItaniumDemangle.h` nodes so the printer can follow the same left/right printing rules.

/// Index of a node in the [`Arena`].
pub(super) type Id = u32;

/// A three-way cached property (LLVM's `Node::Cache`): `Unknown` means "ask the node", which
/// happens below unexpanded parameter packs and forward template references.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Cache {
    Yes,
    No,
    Unknown,
}

/// Operator precedence, strongest first, deciding where expressions get parentheses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Prec {
    Primary,
    Postfix,
    Unary,
    Cast,
    PtrMem,
    Multiplicative,
    Additive,
    Shift,
    Spaceship,
    Relational,
    Equality,
    And,
    Xor,
    Ior,
    AndIf,
    OrIf,
    Conditional,
    Assign,
    Comma,
    Default,
}

/// `const` / `volatile` / `restrict` bits, as in LLVM's `Qualifiers`.
pub(super) const QUAL_CONST: u8 = 1;
pub(super) const QUAL_VOLATILE: u8 = 2;
pub(super) const QUAL_RESTRICT: u8 = 4;

/// A function's reference qualifier.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum RefQual {
    None,
    LValue,
    RValue,
}

/// The abbreviations `Sa`, `Sb`, `Ss`, `Si`, `So`, `Sd`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum SpecialSub {
    Allocator,
    BasicString,
    String,
    Istream,
    Ostream,
    Iostream,
}

impl SpecialSub {
    /// The full template name (`basic_istream` for `Si`).
    pub(super) fn full_name(self) -> &'static [u8] {
        match self {
            SpecialSub::Allocator => b"allocator",
            SpecialSub::BasicString | SpecialSub::String => b"basic_string",
            SpecialSub::Istream => b"basic_istream",
            SpecialSub::Ostream => b"basic_ostream",
            SpecialSub::Iostream => b"basic_iostream",
        }
    }

    /// Whether this names an instantiation (`std::string`) rather than a template.
    pub(super) fn is_instantiation(self) -> bool {
        matches!(
            self,
            SpecialSub::String | SpecialSub::Istream | SpecialSub::Ostream | SpecialSub::Iostream
        )
    }

    /// The short spelling used when not expanded (`string` for `Ss`).
    pub(super) fn short_name(self) -> &'static [u8] {
        let full = self.full_name();
        if self.is_instantiation() {
            &full[b"basic_".len()..]
        } else {
            full
        }
    }
}

/// The kind of an invented template parameter name (`$T`, `$N`, `$TT`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ParamKind {
    Type,
    NonType,
    Template,
}

/// Which floating-point literal a hex digit string encodes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum FloatKind {
    Float,
    Double,
    LongDouble,
}

impl FloatKind {
    /// How many hex digits the mangling holds (x86-64 hosts: 80-bit `long double`).
    pub(super) fn digits(self) -> usize {
        match self {
            FloatKind::Float => 8,
            FloatKind::Double => 16,
            FloatKind::LongDouble => 20,
        }
    }
}

/// A list of nodes: a range of the arena's `lists`, as LLVM's `NodeArray` lives in its
/// demangler's bump allocator. A name's lists cost no allocation of their own.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) struct List {
    start: u32,
    len: u32,
}

impl List {
    /// Whether it has no nodes.
    pub(super) fn is_empty(self) -> bool {
        self.len == 0
    }

    /// How many nodes it has.
    pub(super) fn len(self) -> usize {
        self.len as usize
    }
}

/// One node. Byte strings borrow the mangled name or are static spellings.
#[derive(Clone, Debug)]
#[allow(clippy::enum_variant_names)] // `NodeArray` is LLVM's name for a node list.
pub(super) enum Node<'a> {
    Name(&'a [u8]),
    NodeArray(List),
    DotSuffix(Id, &'a [u8]),
    VendorExtQual {
        ty: Id,
        ext: &'a [u8],
        args: Option<Id>,
    },
    Qual {
        child: Id,
        quals: u8,
    },
    ConversionOperator(Id),
    PostfixQualified {
        ty: Id,
        postfix: &'a [u8],
    },
    BitInt {
        size: Id,
        signed: bool,
    },
    Elaborated {
        kind: &'a [u8],
        child: Id,
    },
    Transformed {
        transform: &'a [u8],
        base: Id,
    },
    AbiTag {
        base: Id,
        tag: &'a [u8],
    },
    EnableIf(List),
    ObjCProto {
        ty: Id,
        protocol: &'a [u8],
    },
    Pointer(Id),
    Reference {
        pointee: Id,
        rvalue: bool,
    },
    PtrToMember {
        class: Id,
        member: Id,
    },
    Array {
        base: Id,
        dim: Option<Id>,
    },
    Function {
        ret: Id,
        params: List,
        cv: u8,
        ref_qual: RefQual,
        exception: Option<Id>,
    },
    NoexceptSpec(Id),
    DynamicExceptionSpec(List),
    ExplicitObjectParam(Id),
    /// An index into the arena's encodings.
    Encoding(u32),
    LiteralOperator(Id),
    Special {
        prefix: &'a [u8],
        child: Id,
    },
    CtorVtable {
        first: Id,
        second: Id,
    },
    Nested {
        qual: Id,
        name: Id,
    },
    MemberLikeFriend {
        qual: Id,
        name: Id,
    },
    Module {
        parent: Option<Id>,
        name: Id,
        partition: bool,
    },
    ModuleEntity {
        module: Id,
        name: Id,
    },
    Local {
        encoding: Id,
        entity: Id,
    },
    Qualified {
        qual: Id,
        name: Id,
    },
    Vector {
        base: Id,
        dim: Option<Id>,
    },
    PixelVector(Id),
    BinaryFp(Id),
    SyntheticParam {
        kind: ParamKind,
        index: u32,
    },
    ParamQualifiedArg {
        arg: Id,
    },
    TypeParamDecl(Id),
    ConstrainedTypeParamDecl {
        constraint: Id,
        name: Id,
    },
    NonTypeParamDecl {
        name: Id,
        ty: Id,
    },
    TemplateParamDecl {
        name: Id,
        params: List,
        requires: Option<Id>,
    },
    ParamPackDecl(Id),
    ParameterPack(List),
    ArgumentPack(List),
    PackExpansion(Id),
    TemplateArgs(List),
    ForwardRef {
        index: usize,
        target: Option<Id>,
    },
    WithTemplateArgs {
        name: Id,
        args: Id,
    },
    GlobalQualified(Id),
    SpecialSub {
        kind: SpecialSub,
        expanded: bool,
    },
    CtorDtor {
        base: Id,
        dtor: bool,
    },
    DtorName(Id),
    Unnamed(&'a [u8]),
    /// An index into the arena's closures.
    Closure(u32),
    StructuredBinding(List),
    Binary {
        lhs: Id,
        op: &'a [u8],
        rhs: Id,
    },
    Subscript {
        base: Id,
        index: Id,
    },
    Postfix {
        child: Id,
        op: &'a [u8],
    },
    Conditional {
        cond: Id,
        then: Id,
        other: Id,
    },
    Member {
        lhs: Id,
        kind: &'a [u8],
        rhs: Id,
    },
    Subobject {
        ty: Id,
        sub: Id,
        offset: &'a [u8],
    },
    Enclosing {
        prefix: &'a [u8],
        infix: Id,
    },
    Cast {
        kind: &'a [u8],
        to: Id,
        from: Id,
    },
    SizeofPack(Id),
    Call {
        callee: Id,
        args: List,
        paren: bool,
    },
    New {
        exprs: List,
        ty: Id,
        inits: List,
        global: bool,
        array: bool,
    },
    Delete {
        op: Id,
        global: bool,
        array: bool,
    },
    Prefix {
        prefix: &'a [u8],
        child: Id,
    },
    FunctionParam(&'a [u8]),
    Conversion {
        ty: Id,
        exprs: List,
    },
    PtrMemConversion {
        ty: Id,
        sub: Id,
    },
    InitList {
        ty: Option<Id>,
        inits: List,
    },
    Braced {
        elem: Id,
        init: Id,
        array: bool,
    },
    BracedRange {
        first: Id,
        last: Id,
        init: Id,
    },
    Fold {
        left: bool,
        op: &'a [u8],
        pack: Id,
        init: Option<Id>,
    },
    Throw(Id),
    Bool(bool),
    StringLiteral(Id),
    Lambda(Id),
    EnumLiteral {
        ty: Id,
        value: &'a [u8],
    },
    IntegerLiteral {
        ty: &'a [u8],
        value: &'a [u8],
    },
    Requires {
        params: List,
        reqs: List,
    },
    ExprRequirement {
        expr: Id,
        noexcept: bool,
        constraint: Option<Id>,
    },
    TypeRequirement(Id),
    NestedRequirement(Id),
    Float {
        kind: FloatKind,
        digits: &'a [u8],
    },
}

/// A function's `<encoding>`: return type, name, parameters and trailing qualifiers.
#[derive(Clone, Debug)]
pub(super) struct Encoding {
    pub ret: Option<Id>,
    pub name: Id,
    pub params: List,
    pub attrs: Option<Id>,
    pub requires: Option<Id>,
    pub cv: u8,
    pub ref_qual: RefQual,
}

/// A lambda's closure type (`'lambda'(int)`).
#[derive(Clone, Debug)]
pub(super) struct Closure<'a> {
    pub tparams: List,
    pub requires1: Option<Id>,
    pub params: List,
    pub requires2: Option<Id>,
    pub count: &'a [u8],
}

/// A node with its precedence and the cached layout facts the printer consults.
#[derive(Clone, Debug)]
pub(super) struct Entry<'a> {
    pub node: Node<'a>,
    pub prec: Prec,
    pub rhs: Cache,
    pub array: Cache,
    pub function: Cache,
}

/// All nodes of one demangling, with the lists and the larger records they point to.
#[derive(Default, Debug)]
pub(super) struct Arena<'a> {
    pub nodes: Vec<Entry<'a>>,
    lists: Vec<Id>,
    encodings: Vec<Encoding>,
    closures: Vec<Closure<'a>>,
}

impl<'a> Arena<'a> {
    /// An empty arena.
    pub(super) const fn new() -> Self {
        Arena {
            nodes: Vec::new(),
            lists: Vec::new(),
            encodings: Vec::new(),
            closures: Vec::new(),
        }
    }

    /// `old`'s allocations as an empty arena for other input.
    pub(super) fn reuse<'b>(old: Arena<'b>) -> Self {
        let Arena {
            mut nodes,
            mut lists,
            mut encodings,
            mut closures,
        } = old;
        nodes.clear();
        lists.clear();
        encodings.clear();
        closures.clear();
        // An empty vector collected in place keeps its allocation.
        Arena {
            nodes: nodes.into_iter().map(|_| unreachable!()).collect(),
            lists,
            encodings,
            closures: closures.into_iter().map(|_| unreachable!()).collect(),
        }
    }

    /// The nodes of `list`.
    pub(super) fn list(&self, list: List) -> &[Id] {
        &self.lists[list.start as usize..][..list.len as usize]
    }

    /// Keeps `items` as a list.
    pub(super) fn add_list(&mut self, items: &[Id]) -> List {
        let list = List {
            start: self.lists.len() as u32,
            len: items.len() as u32,
        };
        self.lists.extend_from_slice(items);
        list
    }

    /// The encoding behind a [`Node::Encoding`].
    pub(super) fn encoding(&self, index: u32) -> &Encoding {
        &self.encodings[index as usize]
    }

    /// Adds an encoding node.
    pub(super) fn add_encoding(&mut self, encoding: Encoding) -> Id {
        self.encodings.push(encoding);
        self.add(
            Node::Encoding(self.encodings.len() as u32 - 1),
            Prec::Primary,
        )
    }

    /// The closure behind a [`Node::Closure`].
    pub(super) fn closure(&self, index: u32) -> &Closure<'a> {
        &self.closures[index as usize]
    }

    /// Adds a closure type node.
    pub(super) fn add_closure(&mut self, closure: Closure<'a>) -> Id {
        self.closures.push(closure);
        self.add(Node::Closure(self.closures.len() as u32 - 1), Prec::Primary)
    }

    /// The node behind `id`.
    pub(super) fn get(&self, id: Id) -> &Node<'a> {
        &self.nodes[id as usize].node
    }

    /// The entry (node plus caches) behind `id`.
    pub(super) fn entry(&self, id: Id) -> &Entry<'a> {
        &self.nodes[id as usize]
    }

    /// Adds a node with the caches LLVM gives that kind, returning its id.
    #[inline(always)]
    pub(super) fn add(&mut self, node: Node<'a>, prec: Prec) -> Id {
        let (rhs, array, function) = self.caches(&node);
        self.nodes.push(Entry {
            node,
            prec,
            rhs,
            array,
            function,
        });
        (self.nodes.len() - 1) as Id
    }

    #[inline(always)]
    fn caches(&self, node: &Node<'a>) -> (Cache, Cache, Cache) {
        use Cache::*;
        let e = |id: Id| &self.nodes[id as usize];
        match node {
            Node::Qual { child: c, .. } | Node::AbiTag { base: c, .. } => {
                (e(*c).rhs, e(*c).array, e(*c).function)
            }
            Node::Pointer(p) | Node::Reference { pointee: p, .. } => (e(*p).rhs, No, No),
            Node::PtrToMember { member, .. } => (e(*member).rhs, No, No),
            Node::Array { .. } => (Yes, Yes, No),
            Node::Function { .. } | Node::Encoding(_) => (Yes, No, Yes),
            Node::TypeParamDecl(_)
            | Node::ConstrainedTypeParamDecl { .. }
            | Node::NonTypeParamDecl { .. }
            | Node::TemplateParamDecl { .. }
            | Node::ParamPackDecl(_) => (Yes, No, No),
            Node::ForwardRef { .. } => (Unknown, Unknown, Unknown),
            Node::ParameterPack(items) => {
                let items = self.list(*items);
                let all_no = |f: fn(&Entry<'a>) -> Cache| {
                    if items.iter().all(|&i| f(e(i)) == No) {
                        No
                    } else {
                        Unknown
                    }
                };
                (
                    all_no(|x| x.rhs),
                    all_no(|x| x.array),
                    all_no(|x| x.function),
                )
            }
            _ => (No, No, No),
        }
    }

    /// LLVM's `getBaseName`: the unqualified name a constructor or destructor repeats.
    pub(super) fn base_name(&self, id: Id, depth: u32) -> &'a [u8] {
        if depth > 256 {
            return b"";
        }
        match self.get(id) {
            Node::Name(n) => n,
            Node::AbiTag { base: n, .. }
            | Node::Nested { name: n, .. }
            | Node::MemberLikeFriend { name: n, .. }
            | Node::ModuleEntity { name: n, .. }
            | Node::Qualified { name: n, .. }
            | Node::WithTemplateArgs { name: n, .. }
            | Node::GlobalQualified(n) => self.base_name(*n, depth + 1),
            Node::SpecialSub {
                kind,
                expanded: true,
            } => kind.full_name(),
            Node::SpecialSub {
                kind,
                expanded: false,
            } => kind.short_name(),
            _ => b"",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Arena, Node, Prec};

    #[test]
    fn a_reused_arena_keeps_its_allocation() {
        let mut arena = Arena::new();
        arena.add(Node::Name(b"x"), Prec::Primary);
        let capacity = arena.nodes.capacity();
        let reused: Arena<'static> = Arena::reuse(arena);
        assert!(reused.nodes.is_empty());
        assert_eq!(reused.nodes.capacity(), capacity);
    }

    #[test]
    fn lists_share_one_buffer_and_keep_their_items() {
        let mut arena = Arena::new();
        let first = arena.add_list(&[1, 2, 3]);
        let empty = arena.add_list(&[]);
        let second = arena.add_list(&[7]);
        assert_eq!(arena.list(first), [1, 2, 3]);
        assert!(empty.is_empty() && arena.list(empty).is_empty());
        assert_eq!(arena.list(second), [7]);
        assert_eq!(arena.lists.len(), 4);
    }
}
