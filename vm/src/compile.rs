//! Type checker and compiler: AST -> typed bytecode.
//!
//! One pass per function checks types and emits typed ops (`AddI64`, `AddF64`, fused
//! compare-and-branch, ...). Slots are allocated per bank while compiling and turned into
//! frame word indices by `link` once every function's slot counts are known (a caller stores
//! arguments straight into its callee's parameter slots, whose word indices depend on the
//! callee's layout).
//!
//! Top-level statements form function 0 (`main`); `let`/`var` directly at top level are
//! globals, visible to every function. Function signatures are collected first, so calls may
//! precede definitions and functions may be mutually recursive.

use crate::ast::{self, BinOp, Expr, ExprKind, Pos, Stmt, StmtKind, TypeExpr, UnOp};
use crate::error::{Error, Result};
use crate::ops::{Instr, Op, Operand};
use crate::program::{Bank, Function, Globals, Program, RetKind};
use crate::types::Type;
use std::collections::HashMap;

/// A slot while compiling: bank-relative, or a parameter slot of the frame about to be pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Local(Bank, u32),
    Arg { callee: u32, param: u32 },
}

/// An operand before linking.
#[derive(Clone, Copy, Debug)]
enum Opnd {
    None,
    Slot(Slot),
    Raw(u32),
    Label(usize),
    /// The current function's frame size in words.
    FrameWords,
}

#[derive(Clone)]
struct Var {
    slot: Slot,
    ty: Type,
    mutable: bool,
}

#[derive(Clone, Copy)]
struct Global {
    index: u32,
    ty: Type,
    mutable: bool,
}

struct Sig {
    params: Vec<Type>,
    ret: Type,
    pos: Pos,
}

struct LoopLabels {
    brk: usize,
    cont: usize,
}

/// A function being compiled.
struct FnBuilder {
    name: String,
    pos: Pos,
    is_main: bool,
    ret: Type,
    code: Vec<(Op, [Opnd; 3], Pos)>,
    labels: Vec<Option<usize>>,
    /// Next free slot and high-water mark, per bank (I64, F64, Cell).
    next: [u32; 3],
    max: [u32; 3],
    scopes: Vec<HashMap<String, Var>>,
    loops: Vec<LoopLabels>,
    params: Vec<Slot>,
}

fn bank_index(b: Bank) -> usize {
    match b {
        Bank::I64 => 0,
        Bank::F64 => 1,
        Bank::Cell => 2,
    }
}

impl FnBuilder {
    fn new(name: &str, pos: Pos, ret: Type, is_main: bool) -> Self {
        FnBuilder {
            name: name.to_string(),
            pos,
            is_main,
            ret,
            code: Vec::new(),
            labels: Vec::new(),
            next: [0; 3],
            max: [0; 3],
            scopes: vec![HashMap::new()],
            loops: Vec::new(),
            params: Vec::new(),
        }
    }

    fn alloc(&mut self, ty: Type) -> Slot {
        let bank = ty.bank().expect("no slot for void");
        let i = bank_index(bank);
        let s = Slot::Local(bank, self.next[i]);
        self.next[i] += 1;
        self.max[i] = self.max[i].max(self.next[i]);
        s
    }

    fn emit(&mut self, op: Op, ops: [Opnd; 3], pos: Pos) {
        self.code.push((op, ops, pos));
    }

    fn new_label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }

    fn bind(&mut self, l: usize) {
        self.labels[l] = Some(self.code.len());
    }

    fn lookup(&self, name: &str) -> Option<&Var> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }
}

pub struct Compiler {
    sigs: Vec<Sig>,
    fun_index: HashMap<String, u32>,
    globals: HashMap<String, Global>,
    global_list: Vec<(String, Bank)>,
    consts: Vec<u64>,
    const_index: HashMap<u64, u32>,
    strings: arenas::Heap,
    string_consts: HashMap<String, u64>,
}

/// Compile a parsed program.
pub fn compile(prog: &ast::Program) -> Result<Program> {
    let mut c = Compiler {
        sigs: Vec::new(),
        fun_index: HashMap::new(),
        globals: HashMap::new(),
        global_list: Vec::new(),
        consts: Vec::new(),
        const_index: HashMap::new(),
        strings: arenas::Heap::new(arenas::TypeTable::new()),
        string_consts: HashMap::new(),
    };
    // Pass 1: signatures of top-level functions (function 0 is main).
    c.sigs.push(Sig {
        params: vec![],
        ret: Type::Void,
        pos: Pos { line: 1, col: 1 },
    });
    let mut decls = Vec::new();
    for s in &prog.stmts {
        if let StmtKind::Fun(f) = &s.kind {
            if f.name == "print" {
                return Err(Error::ty(f.pos, "cannot redefine builtin function print"));
            }
            if let Some(&prev) = c.fun_index.get(&f.name) {
                let p = c.sigs[prev as usize].pos;
                return Err(Error::ty(
                    f.pos,
                    format!(
                        "function {} is already defined at {}:{}",
                        f.name, p.line, p.col
                    ),
                ));
            }
            let mut params = Vec::new();
            for p in &f.params {
                let t = resolve_type(&p.ty)?;
                if t == Type::Void {
                    return Err(Error::ty(p.pos, "a parameter cannot have type void"));
                }
                params.push(t);
            }
            let ret = match &f.ret {
                Some(t) => resolve_type(t)?,
                None => Type::Void,
            };
            c.fun_index.insert(f.name.clone(), c.sigs.len() as u32);
            c.sigs.push(Sig {
                params,
                ret,
                pos: f.pos,
            });
            decls.push(f);
        }
    }
    // Pass 2: main (defines the globals in order), then every function.
    let mut builders = Vec::new();
    let mut main = FnBuilder::new("main", Pos { line: 1, col: 1 }, Type::Void, true);
    for s in &prog.stmts {
        if !matches!(s.kind, StmtKind::Fun(_)) {
            c.stmt(&mut main, s)?;
        }
    }
    let end = last_pos(&prog.stmts);
    main.emit(Op::RetVoid, [Opnd::None; 3], end);
    builders.push(main);
    for (i, f) in decls.iter().enumerate() {
        builders.push(c.function(f, i as u32 + 1)?);
    }
    c.link(builders)
}

fn last_pos(stmts: &[Stmt]) -> Pos {
    stmts
        .last()
        .map(|s| s.pos)
        .unwrap_or(Pos { line: 1, col: 1 })
}

fn resolve_type(t: &TypeExpr) -> Result<Type> {
    match t {
        TypeExpr::Name(n, p) => match n.as_str() {
            "int" => Ok(Type::Int),
            "float" => Ok(Type::Float),
            "bool" => Ok(Type::Bool),
            "string" => Ok(Type::Str),
            "void" => Ok(Type::Void),
            "bigint" | "bigrat" | "any" => Err(Error::unsupported(*p, format!("type {n}"))),
            _ => Err(Error::unsupported(*p, format!("user-defined type {n}"))),
        },
        TypeExpr::Generic(n, _, p) => Err(Error::unsupported(*p, format!("type {n}<...>"))),
        TypeExpr::Fun(_, _, p) => Err(Error::unsupported(*p, "function types")),
        TypeExpr::Optional(_, p) => Err(Error::unsupported(*p, "optional types")),
        TypeExpr::Struct(_, p) => Err(Error::unsupported(*p, "inline struct types")),
    }
}

/// Whether evaluating `e` may call a function (which pushes a frame where pending
/// arguments are stored).
fn has_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(..) => true,
        ExprKind::Binary(_, a, b) => has_call(a) || has_call(b),
        ExprKind::Unary(_, a) => has_call(a),
        _ => false,
    }
}

/// An int literal, possibly negated, as a constant.
fn int_const(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => Some(*v),
        ExprKind::Unary(UnOp::Neg, a) => int_const(a).and_then(|v| v.checked_neg()),
        _ => None,
    }
}

fn imm32(e: &Expr) -> Option<i32> {
    int_const(e).and_then(|v| i32::try_from(v).ok())
}

impl Compiler {
    fn function(&mut self, f: &ast::FunDecl, index: u32) -> Result<FnBuilder> {
        let sig = &self.sigs[index as usize];
        let ret = sig.ret;
        let ptypes = sig.params.clone();
        let mut b = FnBuilder::new(&f.name, f.pos, ret, false);
        // Parameters take the first slots of their banks, in declaration order.
        for (p, ty) in f.params.iter().zip(&ptypes) {
            if b.scopes[0].contains_key(&p.name) {
                return Err(Error::ty(p.pos, format!("duplicate parameter {}", p.name)));
            }
            let slot = b.alloc(*ty);
            b.params.push(slot);
            b.scopes[0].insert(
                p.name.clone(),
                Var {
                    slot,
                    ty: *ty,
                    mutable: false,
                },
            );
        }
        b.scopes.push(HashMap::new());
        for s in &f.body {
            self.stmt(&mut b, s)?;
        }
        // Falling off the end: void functions return; others return the zero value.
        let end = last_pos(&f.body);
        match ret {
            Type::Void => b.emit(Op::RetVoid, [Opnd::None; 3], end),
            t => {
                let s = b.alloc(t);
                self.zero_into(&mut b, t, s, end);
                b.emit(ret_op(t), [Opnd::Slot(s), Opnd::None, Opnd::None], end);
            }
        }
        Ok(b)
    }

    // ---------------- statements ----------------

    fn block(&mut self, b: &mut FnBuilder, stmts: &[Stmt]) -> Result<()> {
        let mark = b.next;
        b.scopes.push(HashMap::new());
        for s in stmts {
            self.stmt(b, s)?;
        }
        b.scopes.pop();
        b.next = mark;
        Ok(())
    }

    fn stmt(&mut self, b: &mut FnBuilder, s: &Stmt) -> Result<()> {
        let mark = b.next;
        match &s.kind {
            StmtKind::Let {
                name,
                mutable,
                ty,
                init,
            } => {
                let declared = ty.as_ref().map(resolve_type).transpose()?;
                let ty = match (declared, init) {
                    (Some(t), Some(e)) => {
                        let it = self.infer(b, e)?;
                        check_assignable(t, it, e.pos)?;
                        t
                    }
                    (Some(t), None) => t,
                    (None, Some(e)) => self.infer(b, e)?,
                    (None, None) => {
                        return Err(Error::ty(
                            s.pos,
                            format!("{name} needs a type or an initial value"),
                        ))
                    }
                };
                if ty == Type::Void {
                    return Err(Error::ty(s.pos, "cannot bind a value of type void"));
                }
                let at_top = b.is_main && b.scopes.len() == 1;
                if at_top {
                    if self.globals.contains_key(name) {
                        return Err(Error::ty(s.pos, format!("{name} is already declared")));
                    }
                    let tmp = b.alloc(ty);
                    match init {
                        Some(e) => self.expr_to(b, e, tmp, ty)?,
                        None => self.zero_into(b, ty, tmp, s.pos),
                    }
                    let index = self.global_list.len() as u32;
                    self.global_list.push((name.clone(), ty.bank().unwrap()));
                    self.globals.insert(
                        name.clone(),
                        Global {
                            index,
                            ty,
                            mutable: *mutable,
                        },
                    );
                    b.emit(
                        store_global_op(ty),
                        [Opnd::Raw(index), Opnd::Slot(tmp), Opnd::None],
                        s.pos,
                    );
                    b.next = mark;
                } else {
                    if b.scopes.last().unwrap().contains_key(name) {
                        return Err(Error::ty(
                            s.pos,
                            format!("{name} is already declared in this scope"),
                        ));
                    }
                    // The new variable is not visible in its own initialiser.
                    let slot = b.alloc(ty);
                    match init {
                        Some(e) => self.expr_to(b, e, slot, ty)?,
                        None => self.zero_into(b, ty, slot, s.pos),
                    }
                    // Release the initialiser's temporaries; the variable keeps its slot (the
                    // first free one of its bank at `mark`).
                    b.next = mark;
                    b.next[bank_index(ty.bank().expect("not void"))] += 1;
                    b.scopes.last_mut().unwrap().insert(
                        name.clone(),
                        Var {
                            slot,
                            ty,
                            mutable: *mutable,
                        },
                    );
                }
                return Ok(());
            }
            StmtKind::Assign { name, value } => {
                if let Some(v) = b.lookup(name).cloned() {
                    if !v.mutable {
                        return Err(Error::ty(
                            s.pos,
                            format!("cannot assign to {name}: it is not declared with var"),
                        ));
                    }
                    let it = self.infer(b, value)?;
                    check_assignable(v.ty, it, value.pos)?;
                    self.expr_to(b, value, v.slot, v.ty)?;
                } else if let Some(g) = self.globals.get(name).copied() {
                    if !g.mutable {
                        return Err(Error::ty(
                            s.pos,
                            format!("cannot assign to {name}: it is not declared with var"),
                        ));
                    }
                    let it = self.infer(b, value)?;
                    check_assignable(g.ty, it, value.pos)?;
                    let tmp = b.alloc(g.ty);
                    self.expr_to(b, value, tmp, g.ty)?;
                    b.emit(
                        store_global_op(g.ty),
                        [Opnd::Raw(g.index), Opnd::Slot(tmp), Opnd::None],
                        s.pos,
                    );
                } else {
                    return Err(Error::ty(
                        s.pos,
                        format!("assignment to undeclared variable: {name}"),
                    ));
                }
            }
            StmtKind::If { cond, then, els } => {
                self.expect_bool(b, cond)?;
                let l_else = b.new_label();
                self.cond_jump(b, cond, false, l_else)?;
                b.next = mark;
                self.block(b, then)?;
                match els {
                    Some(e) => {
                        let l_end = b.new_label();
                        b.emit(Op::Jmp, [Opnd::Label(l_end), Opnd::None, Opnd::None], s.pos);
                        b.bind(l_else);
                        self.block(b, e)?;
                        b.bind(l_end);
                    }
                    None => b.bind(l_else),
                }
            }
            StmtKind::While { cond, body } => {
                // Inverted loop: jump to the test at the bottom; the test's branch back to
                // the body is the loop's back-edge.
                self.expect_bool(b, cond)?;
                let (l_body, l_test, l_end) = (b.new_label(), b.new_label(), b.new_label());
                b.emit(
                    Op::Jmp,
                    [Opnd::Label(l_test), Opnd::None, Opnd::None],
                    s.pos,
                );
                b.bind(l_body);
                b.loops.push(LoopLabels {
                    brk: l_end,
                    cont: l_test,
                });
                self.block(b, body)?;
                b.loops.pop();
                b.bind(l_test);
                self.cond_jump(b, cond, true, l_body)?;
                b.bind(l_end);
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                body,
            } => {
                for e in [start, end] {
                    let t = self.infer(b, e)?;
                    if t != Type::Int {
                        return Err(Error::ty(
                            e.pos,
                            format!("range bounds must be int, found {t}"),
                        ));
                    }
                }
                // i := start; hi := end (evaluated once)
                // if hi <= i goto end; body: ...; step: i += 1; if i < hi goto body; end:
                let i = b.alloc(Type::Int);
                self.expr_to(b, start, i, Type::Int)?;
                // An immutable local bound needs no copy: it cannot change during the loop.
                let hi = match &end.kind {
                    ExprKind::Ident(n) => b.lookup(n).filter(|v| !v.mutable).map(|v| v.slot),
                    _ => None,
                };
                let hi = match hi {
                    Some(slot) => slot,
                    None => {
                        let hi = b.alloc(Type::Int);
                        self.expr_to(b, end, hi, Type::Int)?;
                        hi
                    }
                };
                let (l_body, l_step, l_end) = (b.new_label(), b.new_label(), b.new_label());
                b.emit(
                    Op::JLeI64,
                    [Opnd::Slot(hi), Opnd::Slot(i), Opnd::Label(l_end)],
                    s.pos,
                );
                b.bind(l_body);
                b.loops.push(LoopLabels {
                    brk: l_end,
                    cont: l_step,
                });
                b.scopes.push(HashMap::new());
                b.scopes.last_mut().unwrap().insert(
                    var.clone(),
                    Var {
                        slot: i,
                        ty: Type::Int,
                        mutable: true,
                    },
                );
                self.block(b, body)?;
                b.scopes.pop();
                b.loops.pop();
                b.bind(l_step);
                b.emit(
                    Op::IncJLtI64,
                    [Opnd::Slot(i), Opnd::Slot(hi), Opnd::Label(l_body)],
                    s.pos,
                );
                b.bind(l_end);
            }
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                let Some(l) = b.loops.last() else {
                    let what = if is_break { "break" } else { "continue" };
                    return Err(Error::ty(s.pos, format!("{what} outside of a loop")));
                };
                let target = if is_break { l.brk } else { l.cont };
                b.emit(
                    Op::Jmp,
                    [Opnd::Label(target), Opnd::None, Opnd::None],
                    s.pos,
                );
            }
            StmtKind::Return(value) => {
                if b.is_main {
                    return Err(Error::ty(s.pos, "return outside of a function"));
                }
                match (value, b.ret) {
                    (None, Type::Void) => b.emit(Op::RetVoid, [Opnd::None; 3], s.pos),
                    (None, t) => {
                        return Err(Error::ty(
                            s.pos,
                            format!("{} must return a value of type {t}", b.name),
                        ))
                    }
                    (Some(e), Type::Void) => {
                        return Err(Error::ty(
                            e.pos,
                            format!("{} has no return type but returns a value", b.name),
                        ))
                    }
                    (Some(e), t) => {
                        let it = self.infer(b, e)?;
                        check_assignable(t, it, e.pos)?;
                        let slot = self.expr_slot(b, e, t)?;
                        b.emit(ret_op(t), [Opnd::Slot(slot), Opnd::None, Opnd::None], s.pos);
                    }
                }
            }
            StmtKind::Expr(e) => {
                let t = self.infer(b, e)?;
                if t == Type::Void {
                    self.void_call(b, e)?;
                } else {
                    self.expr_slot(b, e, t)?;
                }
            }
            StmtKind::Fun(f) => {
                return Err(Error::unsupported(f.pos, "nested functions"));
            }
        }
        b.next = mark;
        Ok(())
    }

    fn expect_bool(&self, b: &FnBuilder, e: &Expr) -> Result<()> {
        let t = self.infer(b, e)?;
        if t != Type::Bool {
            return Err(Error::ty(
                e.pos,
                format!("condition must be bool, found {t}"),
            ));
        }
        Ok(())
    }

    fn zero_into(&mut self, b: &mut FnBuilder, t: Type, dst: Slot, pos: Pos) {
        match t {
            Type::Int | Type::Bool => {
                let k = self.konst(0);
                b.emit(
                    Op::ConstI64,
                    [Opnd::Slot(dst), Opnd::Raw(k), Opnd::None],
                    pos,
                );
            }
            Type::Float => {
                let k = self.konst(0f64.to_bits());
                b.emit(
                    Op::ConstF64,
                    [Opnd::Slot(dst), Opnd::Raw(k), Opnd::None],
                    pos,
                );
            }
            Type::Str => {
                let k = self.string_const("");
                b.emit(
                    Op::ConstCell,
                    [Opnd::Slot(dst), Opnd::Raw(k), Opnd::None],
                    pos,
                );
            }
            Type::Void => {}
        }
    }

    fn konst(&mut self, bits: u64) -> u32 {
        if let Some(&k) = self.const_index.get(&bits) {
            return k;
        }
        let k = self.consts.len() as u32;
        self.consts.push(bits);
        self.const_index.insert(bits, k);
        k
    }

    fn string_const(&mut self, s: &str) -> u32 {
        let cell = match self.string_consts.get(s) {
            Some(&c) => c,
            None => {
                let c = self.strings.alloc_str_permanent(s).0;
                self.string_consts.insert(s.to_string(), c);
                c
            }
        };
        self.konst(cell)
    }

    // ---------------- types ----------------

    /// The static type of `e` (checking it), without emitting code.
    fn infer(&self, b: &FnBuilder, e: &Expr) -> Result<Type> {
        Ok(match &e.kind {
            ExprKind::Int(_) => Type::Int,
            ExprKind::Float(_) => Type::Float,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Str(_) => Type::Str,
            ExprKind::Ident(n) => {
                if let Some(v) = b.lookup(n) {
                    v.ty
                } else if let Some(g) = self.globals.get(n) {
                    g.ty
                } else if self.fun_index.contains_key(n) || n == "print" {
                    return Err(Error::unsupported(e.pos, "functions as values"));
                } else {
                    return Err(Error::ty(e.pos, format!("undefined variable: {n}")));
                }
            }
            ExprKind::Unary(op, a) => {
                let t = self.infer(b, a)?;
                match (op, t) {
                    (UnOp::Neg, Type::Int | Type::Float) => t,
                    (UnOp::Not, Type::Bool) => Type::Bool,
                    (UnOp::Neg, _) => {
                        return Err(Error::ty(
                            e.pos,
                            format!("cannot negate a value of type {t}"),
                        ))
                    }
                    (UnOp::Not, _) => {
                        return Err(Error::ty(
                            e.pos,
                            format!("operator ! needs a bool, found {t}"),
                        ))
                    }
                }
            }
            ExprKind::Binary(op, l, r) => {
                let (lt, rt) = (self.infer(b, l)?, self.infer(b, r)?);
                binary_type(*op, lt, rt, e.pos)?
            }
            ExprKind::Call(callee, args) => {
                let ExprKind::Ident(name) = &callee.kind else {
                    return Err(Error::unsupported(
                        callee.pos,
                        "calling a computed function",
                    ));
                };
                if b.lookup(name).is_some() || self.globals.contains_key(name) {
                    return Err(Error::unsupported(callee.pos, "calling a function value"));
                }
                if name == "print" {
                    for a in args {
                        if self.infer(b, a)? == Type::Void {
                            return Err(Error::ty(a.pos, "cannot print a void value"));
                        }
                    }
                    return Ok(Type::Void);
                }
                let Some(&fi) = self.fun_index.get(name) else {
                    if is_builtin(name) {
                        return Err(Error::unsupported(callee.pos, format!("builtin {name}()")));
                    }
                    return Err(Error::ty(callee.pos, format!("undefined function: {name}")));
                };
                let sig = &self.sigs[fi as usize];
                if args.len() != sig.params.len() {
                    if args.len() < sig.params.len() {
                        return Err(Error::unsupported(
                            e.pos,
                            format!(
                                "partial application ({name} takes {} arguments, {} given)",
                                sig.params.len(),
                                args.len()
                            ),
                        ));
                    }
                    return Err(Error::ty(
                        e.pos,
                        format!(
                            "{name} takes {} arguments, {} given",
                            sig.params.len(),
                            args.len()
                        ),
                    ));
                }
                for (a, pt) in args.iter().zip(&sig.params) {
                    let at = self.infer(b, a)?;
                    check_assignable(*pt, at, a.pos)?;
                }
                sig.ret
            }
        })
    }

    // ---------------- expressions ----------------

    /// The slot holding `e` converted to `want`: an existing variable slot when `e` is a
    /// local of that type, otherwise a fresh temporary.
    fn expr_slot(&mut self, b: &mut FnBuilder, e: &Expr, want: Type) -> Result<Slot> {
        if let ExprKind::Ident(n) = &e.kind {
            if let Some(v) = b.lookup(n) {
                if v.ty == want {
                    return Ok(v.slot);
                }
            }
        }
        let t = b.alloc(want);
        self.expr_to(b, e, t, want)?;
        Ok(t)
    }

    /// Evaluate `e` (already type-checked) into `dst`, converting int to float if `want` is
    /// float and `e` is int. `dst` is written only by the last instruction, or by a sequence
    /// that does not read it afterwards, so `x = x + 1` can target `x` directly.
    fn expr_to(&mut self, b: &mut FnBuilder, e: &Expr, dst: Slot, want: Type) -> Result<()> {
        let t = self.infer(b, e)?;
        if want == Type::Float && t == Type::Int {
            let tmp = self.expr_slot(b, e, Type::Int)?;
            b.emit(
                Op::I64ToF64,
                [Opnd::Slot(dst), Opnd::Slot(tmp), Opnd::None],
                e.pos,
            );
            return Ok(());
        }
        debug_assert_eq!(t, want, "expr_to with a mismatched type");
        let d = Opnd::Slot(dst);
        match &e.kind {
            ExprKind::Int(v) => {
                let k = self.konst(*v as u64);
                b.emit(Op::ConstI64, [d, Opnd::Raw(k), Opnd::None], e.pos);
            }
            ExprKind::Float(v) => {
                let k = self.konst(v.to_bits());
                b.emit(Op::ConstF64, [d, Opnd::Raw(k), Opnd::None], e.pos);
            }
            ExprKind::Bool(v) => {
                let k = self.konst(*v as u64);
                b.emit(Op::ConstI64, [d, Opnd::Raw(k), Opnd::None], e.pos);
            }
            ExprKind::Str(s) => {
                let k = self.string_const(s);
                b.emit(Op::ConstCell, [d, Opnd::Raw(k), Opnd::None], e.pos);
            }
            ExprKind::Ident(n) => {
                if let Some(v) = b.lookup(n).cloned() {
                    if v.slot != dst {
                        b.emit(mov_op(t), [d, Opnd::Slot(v.slot), Opnd::None], e.pos);
                    }
                } else {
                    let g = self.globals[n];
                    b.emit(
                        load_global_op(t),
                        [d, Opnd::Raw(g.index), Opnd::None],
                        e.pos,
                    );
                }
            }
            ExprKind::Unary(UnOp::Neg, a) => {
                if let Some(v) = int_const(e) {
                    let k = self.konst(v as u64);
                    b.emit(Op::ConstI64, [d, Opnd::Raw(k), Opnd::None], e.pos);
                } else if let ExprKind::Float(f) = a.kind {
                    let k = self.konst((-f).to_bits());
                    b.emit(Op::ConstF64, [d, Opnd::Raw(k), Opnd::None], e.pos);
                } else {
                    let s = self.expr_slot(b, a, t)?;
                    let op = if t == Type::Int {
                        Op::NegI64
                    } else {
                        Op::NegF64
                    };
                    b.emit(op, [d, Opnd::Slot(s), Opnd::None], e.pos);
                }
            }
            ExprKind::Unary(UnOp::Not, a) => {
                let s = self.expr_slot(b, a, Type::Bool)?;
                b.emit(Op::Not, [d, Opnd::Slot(s), Opnd::None], e.pos);
            }
            ExprKind::Binary(BinOp::And | BinOp::Or, ..) => {
                // Short-circuit: materialise through branches into a temporary, so `dst`
                // (which the operands may read) is written once at the end.
                let tmp = b.alloc(Type::Bool);
                let (l_false, l_end) = (b.new_label(), b.new_label());
                self.cond_jump(b, e, false, l_false)?;
                let k1 = self.konst(1);
                b.emit(
                    Op::ConstI64,
                    [Opnd::Slot(tmp), Opnd::Raw(k1), Opnd::None],
                    e.pos,
                );
                b.emit(Op::Jmp, [Opnd::Label(l_end), Opnd::None, Opnd::None], e.pos);
                b.bind(l_false);
                let k0 = self.konst(0);
                b.emit(
                    Op::ConstI64,
                    [Opnd::Slot(tmp), Opnd::Raw(k0), Opnd::None],
                    e.pos,
                );
                b.bind(l_end);
                b.emit(Op::MovI64, [d, Opnd::Slot(tmp), Opnd::None], e.pos);
            }
            ExprKind::Binary(op, l, r) => self.binary_to(b, *op, l, r, dst, e.pos)?,
            ExprKind::Call(callee, args) => {
                let ExprKind::Ident(name) = &callee.kind else {
                    unreachable!("checked by infer")
                };
                self.call(b, name, args, Some(dst), e.pos)?;
            }
        }
        Ok(())
    }

    fn binary_to(
        &mut self,
        b: &mut FnBuilder,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        dst: Slot,
        pos: Pos,
    ) -> Result<()> {
        let (lt, rt) = (self.infer(b, l)?, self.infer(b, r)?);
        let d = Opnd::Slot(dst);
        // String concatenation: the non-string side is converted with str().
        if op == BinOp::Add && (lt == Type::Str || rt == Type::Str) {
            let ls = self.str_operand(b, l, lt)?;
            let rs = self.str_operand(b, r, rt)?;
            b.emit(Op::ConcatStr, [d, Opnd::Slot(ls), Opnd::Slot(rs)], pos);
            return Ok(());
        }
        let num = if lt == Type::Float || rt == Type::Float {
            Type::Float
        } else {
            lt
        };
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                if num == Type::Int {
                    // x + k and x - k with a small constant k use the immediate form.
                    if matches!(op, BinOp::Add | BinOp::Sub) {
                        let imm = match op {
                            BinOp::Add => imm32(r)
                                .map(|k| (l, k as i64))
                                .or_else(|| imm32(l).map(|k| (r, k as i64))),
                            _ => imm32(r).map(|k| (l, -(k as i64))),
                        };
                        if let Some((x, k)) = imm.filter(|(_, k)| i32::try_from(*k).is_ok()) {
                            let xs = self.expr_slot(b, x, Type::Int)?;
                            b.emit(
                                Op::AddI64Imm,
                                [d, Opnd::Slot(xs), Opnd::Raw(k as i32 as u32)],
                                pos,
                            );
                            return Ok(());
                        }
                    }
                }
                let ls = self.expr_slot(b, l, num)?;
                let rs = self.expr_slot(b, r, num)?;
                let opcode = match (op, num) {
                    (BinOp::Add, Type::Int) => Op::AddI64,
                    (BinOp::Sub, Type::Int) => Op::SubI64,
                    (BinOp::Mul, Type::Int) => Op::MulI64,
                    (BinOp::Div, Type::Int) => Op::DivI64,
                    (BinOp::Mod, Type::Int) => Op::ModI64,
                    (BinOp::Add, _) => Op::AddF64,
                    (BinOp::Sub, _) => Op::SubF64,
                    (BinOp::Mul, _) => Op::MulF64,
                    (BinOp::Div, _) => Op::DivF64,
                    (_, _) => Op::ModF64,
                };
                b.emit(opcode, [d, Opnd::Slot(ls), Opnd::Slot(rs)], pos);
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let ty = if lt == Type::Str { Type::Str } else { num };
                let ls = self.expr_slot(b, l, ty)?;
                let rs = self.expr_slot(b, r, ty)?;
                // a > b is b < a; a >= b is b <= a.
                let (base, swap) = match op {
                    BinOp::Eq => (0, false),
                    BinOp::Ne => (1, false),
                    BinOp::Lt => (2, false),
                    BinOp::Le => (3, false),
                    BinOp::Gt => (2, true),
                    _ => (3, true),
                };
                let table = match ty {
                    Type::Float => [Op::EqF64, Op::NeF64, Op::LtF64, Op::LeF64],
                    Type::Str => [Op::EqStr, Op::NeStr, Op::LtStr, Op::LeStr],
                    _ => [Op::EqI64, Op::NeI64, Op::LtI64, Op::LeI64],
                };
                let (x, y) = if swap { (rs, ls) } else { (ls, rs) };
                b.emit(table[base], [d, Opnd::Slot(x), Opnd::Slot(y)], pos);
            }
            BinOp::And | BinOp::Or => unreachable!("handled by expr_to"),
        }
        Ok(())
    }

    /// A string slot for one side of a concatenation.
    fn str_operand(&mut self, b: &mut FnBuilder, e: &Expr, t: Type) -> Result<Slot> {
        if t == Type::Str {
            return self.expr_slot(b, e, Type::Str);
        }
        let v = self.expr_slot(b, e, t)?;
        let s = b.alloc(Type::Str);
        let op = match t {
            Type::Int => Op::StrFromI64,
            Type::Float => Op::StrFromF64,
            _ => Op::StrFromBool,
        };
        b.emit(op, [Opnd::Slot(s), Opnd::Slot(v), Opnd::None], e.pos);
        Ok(s)
    }

    /// Jump to `target` when `e` (a bool) evaluates to `when`; fall through otherwise.
    fn cond_jump(&mut self, b: &mut FnBuilder, e: &Expr, when: bool, target: usize) -> Result<()> {
        match &e.kind {
            ExprKind::Bool(v) => {
                if *v == when {
                    b.emit(
                        Op::Jmp,
                        [Opnd::Label(target), Opnd::None, Opnd::None],
                        e.pos,
                    );
                }
                Ok(())
            }
            ExprKind::Unary(UnOp::Not, a) => self.cond_jump(b, a, !when, target),
            ExprKind::Binary(BinOp::And, l, r) => {
                if when {
                    let skip = b.new_label();
                    self.cond_jump(b, l, false, skip)?;
                    self.cond_jump(b, r, true, target)?;
                    b.bind(skip);
                } else {
                    self.cond_jump(b, l, false, target)?;
                    self.cond_jump(b, r, false, target)?;
                }
                Ok(())
            }
            ExprKind::Binary(BinOp::Or, l, r) => {
                if when {
                    self.cond_jump(b, l, true, target)?;
                    self.cond_jump(b, r, true, target)?;
                } else {
                    let skip = b.new_label();
                    self.cond_jump(b, l, true, skip)?;
                    self.cond_jump(b, r, false, target)?;
                    b.bind(skip);
                }
                Ok(())
            }
            ExprKind::Binary(
                op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge),
                l,
                r,
            ) => {
                let (lt, rt) = (self.infer(b, l)?, self.infer(b, r)?);
                if lt.is_numeric() && rt.is_numeric() {
                    self.numeric_branch(b, *op, l, r, lt, rt, when, target, e.pos)
                } else if lt == Type::Bool
                    && rt == Type::Bool
                    && matches!(op, BinOp::Eq | BinOp::Ne)
                {
                    self.numeric_branch(b, *op, l, r, Type::Bool, Type::Bool, when, target, e.pos)
                } else {
                    self.generic_branch(b, e, when, target)
                }
            }
            _ => self.generic_branch(b, e, when, target),
        }
    }

    fn generic_branch(
        &mut self,
        b: &mut FnBuilder,
        e: &Expr,
        when: bool,
        target: usize,
    ) -> Result<()> {
        let s = self.expr_slot(b, e, Type::Bool)?;
        let op = if when { Op::JmpTrue } else { Op::JmpFalse };
        b.emit(op, [Opnd::Slot(s), Opnd::Label(target), Opnd::None], e.pos);
        Ok(())
    }

    /// A fused compare-and-branch for int or float operands.
    #[allow(clippy::too_many_arguments)]
    fn numeric_branch(
        &mut self,
        b: &mut FnBuilder,
        op: BinOp,
        l: &Expr,
        r: &Expr,
        lt: Type,
        rt: Type,
        when: bool,
        target: usize,
        pos: Pos,
    ) -> Result<()> {
        let t = Opnd::Label(target);
        if lt == Type::Float || rt == Type::Float {
            let ls = self.expr_slot(b, l, Type::Float)?;
            let rs = self.expr_slot(b, r, Type::Float)?;
            // (op, swap operands) for "jump if cond" and "jump if not cond" (NaN-correct).
            let (opc, swap) = match (op, when) {
                (BinOp::Lt, true) => (Op::JLtF64, false),
                (BinOp::Lt, false) => (Op::JNLtF64, false),
                (BinOp::Le, true) => (Op::JLeF64, false),
                (BinOp::Le, false) => (Op::JNLeF64, false),
                (BinOp::Gt, true) => (Op::JLtF64, true),
                (BinOp::Gt, false) => (Op::JNLtF64, true),
                (BinOp::Ge, true) => (Op::JLeF64, true),
                (BinOp::Ge, false) => (Op::JNLeF64, true),
                (BinOp::Eq, true) | (BinOp::Ne, false) => (Op::JEqF64, false),
                _ => (Op::JNeF64, false),
            };
            let (x, y) = if swap { (rs, ls) } else { (ls, rs) };
            b.emit(opc, [Opnd::Slot(x), Opnd::Slot(y), t], pos);
            return Ok(());
        }
        // Integers: normalise to "jump if a REL b" with REL in {<, <=, >, >=, ==, !=}.
        let rel = if when { op } else { negate(op) };
        let it = lt; // Int, or Bool for bool == bool
        if let Some(k) = imm32(r) {
            let ls = self.expr_slot(b, l, it)?;
            b.emit(
                imm_branch(rel),
                [Opnd::Slot(ls), Opnd::Raw(k as u32), t],
                pos,
            );
            return Ok(());
        }
        if let Some(k) = imm32(l) {
            // k REL x  ==  x REL' k
            let rs = self.expr_slot(b, r, it)?;
            b.emit(
                imm_branch(mirror(rel)),
                [Opnd::Slot(rs), Opnd::Raw(k as u32), t],
                pos,
            );
            return Ok(());
        }
        let ls = self.expr_slot(b, l, it)?;
        let rs = self.expr_slot(b, r, it)?;
        let (opc, x, y) = match rel {
            BinOp::Lt => (Op::JLtI64, ls, rs),
            BinOp::Le => (Op::JLeI64, ls, rs),
            BinOp::Gt => (Op::JLtI64, rs, ls),
            BinOp::Ge => (Op::JLeI64, rs, ls),
            BinOp::Eq => (Op::JEqI64, ls, rs),
            _ => (Op::JNeI64, ls, rs),
        };
        b.emit(opc, [Opnd::Slot(x), Opnd::Slot(y), t], pos);
        Ok(())
    }

    /// A call statement whose result (if any) is discarded.
    fn void_call(&mut self, b: &mut FnBuilder, e: &Expr) -> Result<()> {
        let ExprKind::Call(callee, args) = &e.kind else {
            unreachable!("only calls have type void")
        };
        let ExprKind::Ident(name) = &callee.kind else {
            unreachable!("checked by infer")
        };
        self.call(b, name, args, None, e.pos)
    }

    fn call(
        &mut self,
        b: &mut FnBuilder,
        name: &str,
        args: &[Expr],
        dst: Option<Slot>,
        pos: Pos,
    ) -> Result<()> {
        if name == "print" {
            for a in args {
                let t = self.infer(b, a)?;
                let s = self.expr_slot(b, a, t)?;
                let op = match t {
                    Type::Int => Op::PrintI64,
                    Type::Float => Op::PrintF64,
                    Type::Bool => Op::PrintBool,
                    _ => Op::PrintStr,
                };
                b.emit(op, [Opnd::Slot(s), Opnd::None, Opnd::None], a.pos);
            }
            b.emit(
                Op::PrintEnd,
                [Opnd::Raw(args.len() as u32), Opnd::None, Opnd::None],
                pos,
            );
            return Ok(());
        }
        let fi = self.fun_index[name];
        let params = self.sigs[fi as usize].params.clone();
        let ret = self.sigs[fi as usize].ret;
        // Arguments go straight into the callee's parameter slots in the next frame, except
        // those evaluated before a later argument that makes a call (that call's frame would
        // overwrite them): those are computed into temporaries first and moved afterwards.
        let last_call = args.iter().rposition(has_call);
        let mut pending = Vec::new();
        for (j, (a, pt)) in args.iter().zip(&params).enumerate() {
            let arg = Slot::Arg {
                callee: fi,
                param: j as u32,
            };
            if last_call.is_some_and(|lc| j < lc) {
                let s = self.expr_slot(b, a, *pt)?;
                pending.push((arg, s, *pt));
            } else {
                self.expr_to(b, a, arg, *pt)?;
            }
        }
        for (arg, s, t) in pending {
            b.emit(mov_op(t), [Opnd::Slot(arg), Opnd::Slot(s), Opnd::None], pos);
        }
        let dest = match (dst, ret) {
            (Some(d), _) => Opnd::Slot(d),
            (None, Type::Void) => Opnd::Raw(0),
            (None, t) => Opnd::Slot(b.alloc(t)),
        };
        b.emit(Op::Call, [Opnd::Raw(fi), dest, Opnd::FrameWords], pos);
        Ok(())
    }

    // ---------------- linking ----------------

    fn link(self, builders: Vec<FnBuilder>) -> Result<Program> {
        // Parameters took the first slots of their banks; in the frame they come first, one
        // word each in declaration order, and the banks' other slots follow.
        let param_banks: Vec<Vec<Bank>> = builders
            .iter()
            .map(|b| {
                b.params
                    .iter()
                    .map(|s| match s {
                        Slot::Local(bank, _) => *bank,
                        Slot::Arg { .. } => unreachable!(),
                    })
                    .collect()
            })
            .collect();
        let params_in = |fi: usize, bank: Bank| -> u32 {
            param_banks[fi].iter().filter(|b| **b == bank).count() as u32
        };
        let mut funcs: Vec<Function> = builders
            .iter()
            .enumerate()
            .map(|(fi, b)| Function {
                name: b.name.clone(),
                pos: b.pos,
                params: param_banks[fi].clone(),
                closure_param: false,
                captures: Vec::new(),
                fn_type: 0,
                ret: match b.ret {
                    Type::Void => RetKind::Void,
                    t => RetKind::Value(t.bank().unwrap()),
                },
                n_i64: b.max[0] - params_in(fi, Bank::I64),
                n_f64: b.max[1] - params_in(fi, Bank::F64),
                n_cell: b.max[2] - params_in(fi, Bank::Cell),
                code: Vec::new(),
                positions: Vec::new(),
            })
            .collect();
        let word = |fi: usize, f: &Function, s: Slot| -> u32 {
            match s {
                Slot::Local(bank, i) => {
                    let np = params_in(fi, bank);
                    if i < np {
                        // The i-th parameter of this bank.
                        let k = b_param_index(&builders[fi].params, bank, i);
                        crate::abi::HEADER_WORDS + k
                    } else {
                        let first = match bank {
                            Bank::I64 => f.first_i64_word(),
                            Bank::F64 => f.first_f64_word(),
                            Bank::Cell => f.first_cell_word(),
                        };
                        first + i - np
                    }
                }
                Slot::Arg { .. } => unreachable!(),
            }
        };
        let mut out: Vec<(Vec<Instr>, Vec<Pos>)> = Vec::new();
        for (fi, b) in builders.iter().enumerate() {
            let frame = funcs[fi].frame_words();
            let mut code = Vec::with_capacity(b.code.len() + 1);
            let mut positions = Vec::with_capacity(b.code.len() + 1);
            // Cell slots start as nil (the GC's roots are never stale).
            let (first, n) = (funcs[fi].first_cell_word(), funcs[fi].n_cell);
            if n > 0 {
                code.push(Instr::new(Op::InitCells, first, n, 0));
                positions.push(b.pos);
            }
            let shift = code.len();
            for (op, opnds, pos) in &b.code {
                let mut v = [0u32; 3];
                for (i, o) in opnds.iter().enumerate() {
                    v[i] = match *o {
                        Opnd::None => 0,
                        Opnd::Raw(x) => x,
                        Opnd::FrameWords => frame,
                        Opnd::Label(l) => {
                            (b.labels[l].expect("label bound before linking") + shift) as u32
                        }
                        Opnd::Slot(Slot::Arg { callee, param }) => {
                            frame + funcs[callee as usize].param_word(param)
                        }
                        Opnd::Slot(s) => word(fi, &funcs[fi], s),
                    };
                }
                debug_assert!(op.operands().len() <= 3);
                code.push(Instr::new(*op, v[0], v[1], v[2]));
                positions.push(*pos);
            }
            out.push((code, positions));
        }
        for (f, (code, positions)) in funcs.iter_mut().zip(out) {
            f.code = code;
            f.positions = positions;
        }
        let prog = Program {
            funcs,
            consts: self.consts,
            globals: Globals {
                names: self.global_list,
            },
            heap: Some(self.strings),
        };
        verify(&prog).map_err(|m| Error::ty(Pos::default(), format!("internal error: {m}")))?;
        Ok(prog)
    }
}

/// Position among all parameters of the `i`-th parameter of bank `bank`.
fn b_param_index(params: &[Slot], bank: Bank, i: u32) -> u32 {
    params
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, Slot::Local(b, _) if *b == bank))
        .nth(i as usize)
        .map(|(k, _)| k as u32)
        .expect("parameter slot")
}

/// Check the invariants the interpreter relies on to skip bounds checks: every slot operand
/// lies in its frame (or, for argument stores, in the next frame), every jump target is an
/// instruction, constants and globals exist, and every function ends with a return.
pub fn verify(p: &Program) -> std::result::Result<(), String> {
    let max_frame = p.max_frame_words();
    for f in &p.funcs {
        let frame = f.frame_words();
        match f.code.last().map(|i| i.op) {
            Some(Op::RetI64 | Op::RetF64 | Op::RetCell | Op::RetVoid) => {}
            _ => return Err(format!("{} does not end with a return", f.name)),
        }
        for (pc, ins) in f.code.iter().enumerate() {
            for (k, v) in ins.op.operands().iter().zip(ins.operand_values()) {
                let ok = match k {
                    // A call to a void function has no result slot (dest 0, never written).
                    Operand::R
                        if ins.op == Op::Call && p.funcs[ins.a as usize].ret == RetKind::Void =>
                    {
                        v == 0
                    }
                    // A call of a void closure has no result slot either (dest 0).
                    Operand::R if ins.op == Op::CallClosure && v == 0 => true,
                    Operand::I | Operand::F | Operand::C | Operand::R => {
                        v >= crate::abi::HEADER_WORDS && v < frame + max_frame
                    }
                    Operand::G => v < p.globals.words(),
                    Operand::K => (v as usize) < p.consts.len(),
                    Operand::T => (v as usize) < f.code.len(),
                    Operand::W => v == frame,
                    Operand::Fn => (v as usize) < p.funcs.len(),
                    Operand::S | Operand::N => true,
                };
                if !ok {
                    return Err(format!(
                        "{} pc {pc}: bad operand {v} for {:?} in {}",
                        f.name,
                        k,
                        ins.op.name()
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_assignable(want: Type, got: Type, pos: Pos) -> Result<()> {
    if want == got || (want == Type::Float && got == Type::Int) {
        Ok(())
    } else {
        Err(Error::ty(
            pos,
            format!("type mismatch: expected {want}, found {got}"),
        ))
    }
}

fn binary_type(op: BinOp, l: Type, r: Type, pos: Pos) -> Result<Type> {
    use BinOp::*;
    let bad = || {
        let sym = match op {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "&&",
            Or => "||",
        };
        Err(Error::ty(
            pos,
            format!("operator {sym} cannot be applied to {l} and {r}"),
        ))
    };
    if l == Type::Void || r == Type::Void {
        return bad();
    }
    Ok(match op {
        Add if l == Type::Str || r == Type::Str => Type::Str,
        Add | Sub | Mul | Div | Mod => {
            if !(l.is_numeric() && r.is_numeric()) {
                return bad();
            }
            if l == Type::Float || r == Type::Float {
                Type::Float
            } else {
                Type::Int
            }
        }
        Eq | Ne => {
            if l == r || (l.is_numeric() && r.is_numeric()) {
                Type::Bool
            } else {
                return bad();
            }
        }
        Lt | Le | Gt | Ge => {
            if (l.is_numeric() && r.is_numeric()) || (l == Type::Str && r == Type::Str) {
                Type::Bool
            } else {
                return bad();
            }
        }
        And | Or => {
            if l == Type::Bool && r == Type::Bool {
                Type::Bool
            } else {
                return bad();
            }
        }
    })
}

fn negate(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Ge,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        BinOp::Ge => BinOp::Lt,
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        other => other,
    }
}

/// `k REL x` is `x mirror(REL) k`.
fn mirror(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn imm_branch(rel: BinOp) -> Op {
    match rel {
        BinOp::Lt => Op::JLtI64Imm,
        BinOp::Le => Op::JLeI64Imm,
        BinOp::Gt => Op::JGtI64Imm,
        BinOp::Ge => Op::JGeI64Imm,
        BinOp::Eq => Op::JEqI64Imm,
        _ => Op::JNeI64Imm,
    }
}

fn mov_op(t: Type) -> Op {
    match t.bank() {
        Some(Bank::I64) => Op::MovI64,
        Some(Bank::F64) => Op::MovF64,
        _ => Op::MovCell,
    }
}

fn ret_op(t: Type) -> Op {
    match t.bank() {
        Some(Bank::I64) => Op::RetI64,
        Some(Bank::F64) => Op::RetF64,
        _ => Op::RetCell,
    }
}

fn load_global_op(t: Type) -> Op {
    match t.bank() {
        Some(Bank::I64) => Op::LoadGlobalI64,
        Some(Bank::F64) => Op::LoadGlobalF64,
        _ => Op::LoadGlobalCell,
    }
}

fn store_global_op(t: Type) -> Op {
    match t.bank() {
        Some(Bank::I64) => Op::StoreGlobalI64,
        Some(Bank::F64) => Op::StoreGlobalF64,
        _ => Op::StoreGlobalCell,
    }
}

/// Builtins of the language that this slice does not implement yet.
fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "len"
            | "str"
            | "append"
            | "count"
            | "sum"
            | "avg"
            | "min"
            | "max"
            | "exists"
            | "values"
            | "keys"
            | "substring"
            | "substr"
            | "slice"
            | "upper"
            | "lower"
            | "padStart"
            | "pow"
            | "now"
            | "input"
            | "json"
            | "int"
            | "float"
            | "abs"
            | "floor"
            | "round"
            | "sqrt"
            | "reverse"
            | "distinct"
            | "first"
            | "concat"
            | "num"
            | "denom"
            | "sha256"
            | "split"
            | "join"
            | "indexOf"
            | "repeat"
            | "trim"
            | "contains"
            | "parseIntStr"
            | "push"
            | "reduce"
            | "range"
            | "to_json"
            | "eval"
    )
}
