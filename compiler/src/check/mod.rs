//! Name resolution and type checking: AST ([`crate::syntax::ast`]) -> typed tree ([`crate::hir`]).
//!
//! One pass over each function body: every expression's type is computed once, bottom-up,
//! while its hir node is built (an expected type is pushed *down* only into literals that have
//! no type of their own: `[]`, `{}`, `nil`, anonymous functions). Nothing is re-inferred.
//!
//! Structure:
//! - `mod.rs` (this file): the [`Checker`] state and the program driver: collect type
//!   declarations, function and method signatures, imports/externs (the built-in `math`
//!   module); check main (top-level statements; top-level `let`/`var` are globals), then every
//!   top-level function and method body (so they see every global);
//! - `scope.rs`: function contexts, block scopes, name resolution and closure captures;
//! - `types.rs`: type expressions -> [`Type`], assignability with explicit [`Conv`] nodes,
//!   joins (if/match/list elements), zero values, type names for messages;
//! - `stmt.rs`: statements; `expr.rs`: expressions and operators; `call.rs`: calls, methods,
//!   partial application, generics, builtins, the math module; `pattern.rs`: `match`.
//!
//! Stack depth: the tree is walked recursively, and operator chains in the AST may be as deep
//! as they are long (100 000 `+` terms). Like the parser's tree, the typed tree it produces is
//! as deep, and dropping it is recursive too: run the checker on a big stack (the `mochi`
//! binary runs the front end on a 1 GiB stack). Operator chains are the exception on the way
//! in: their left spines are walked iteratively, so a 100 000-term chain checks on an 8 MiB
//! thread; [`drop_program`] then drops the resulting deep tree without recursion.

mod call;
mod expr;
mod pattern;
mod query;
mod scope;
mod stmt;
mod teardown;
mod types;

pub use teardown::drop_program;

use std::collections::HashMap;

use crate::hir::{
    self, Builtin, FuncDef, FuncId, FuncKind, GlobalDef, GlobalId, StructDef, UnionDef,
};
use crate::syntax::ast;
use crate::types::{StructId, Type, UnionId};
use vm::error::{Error, Phase};
use vm::Pos;

use scope::FnCtx;

type Result<T> = std::result::Result<T, Error>;

/// Check a parsed program. `expect` statements get an empty `source` (use
/// [`check_with_source`] to have the source line text).
pub fn check(prog: &ast::Program) -> Result<hir::Program> {
    check_with_source(prog, "")
}

/// Check a parsed program whose source text is `src` (for `expect` failure messages).
pub fn check_with_source(prog: &ast::Program, src: &str) -> Result<hir::Program> {
    let mut c = Checker::new(src);
    c.program(&prog.stmts)?;
    Ok(hir::Program {
        structs: c.structs,
        unions: c.unions,
        globals: c.globals,
        funcs: c.funcs,
    })
}

/// What a type name stands for.
#[derive(Clone, Debug)]
enum TypeEntry {
    Struct(StructId),
    Union(UnionId),
    /// `type A = T`: resolved on first use (`None` while resolving, to catch cycles).
    Alias(ast::TypeExpr, Option<Type>),
}

/// A signature-level view of a top-level function (or method).
#[derive(Clone, Debug)]
struct Sig {
    params: Vec<Type>,
    ret: Type,
    tparams: Vec<String>,
}

pub(crate) struct Checker<'a> {
    src: &'a str,
    structs: Vec<StructDef>,
    unions: Vec<UnionDef>,
    globals: Vec<GlobalDef>,
    global_names: HashMap<String, GlobalId>,
    funcs: Vec<FuncDef>,
    /// Parameter types, return type and generic parameters of every function, by id.
    sigs: Vec<Sig>,
    type_names: HashMap<String, TypeEntry>,
    /// Union variant name -> its struct.
    variants: HashMap<String, StructId>,
    /// Top-level function name -> id.
    top_funs: HashMap<String, FuncId>,
    /// Alias of the built-in math module (`import python "math" as math`).
    math: Option<String>,
    /// Function contexts: `fns[0]` is main, the last is the function being checked.
    fns: Vec<FnCtx>,
    /// Counter for anonymous struct types.
    anon: u32,
    /// Generic parameters of the signature being resolved.
    pending_tparams: Vec<String>,
    /// The struct types of query groups (`{key, items}`; a group is also a list of its items).
    group_structs: std::collections::HashSet<StructId>,
}

impl<'a> Checker<'a> {
    fn new(src: &'a str) -> Self {
        Checker {
            src,
            structs: Vec::new(),
            unions: Vec::new(),
            globals: Vec::new(),
            global_names: HashMap::new(),
            funcs: Vec::new(),
            sigs: Vec::new(),
            type_names: HashMap::new(),
            variants: HashMap::new(),
            top_funs: HashMap::new(),
            math: None,
            fns: Vec::new(),
            anon: 0,
            pending_tparams: Vec::new(),
            group_structs: Default::default(),
        }
    }

    /// Create an empty function definition and return its id.
    fn new_func(&mut self, name: &str, pos: Pos, kind: FuncKind, sig: Sig) -> FuncId {
        let id = self.funcs.len() as FuncId;
        self.funcs.push(FuncDef {
            name: name.to_string(),
            pos,
            locals: Vec::new(),
            params: Vec::new(),
            captures: Vec::new(),
            ret: sig.ret.clone(),
            body: Vec::new(),
            kind,
        });
        self.sigs.push(sig);
        id
    }

    fn program(&mut self, stmts: &[ast::Stmt]) -> Result<()> {
        let main = self.new_func(
            "main",
            Pos { line: 1, col: 1 },
            FuncKind::Main,
            Sig {
                params: vec![],
                ret: Type::Void,
                tparams: vec![],
            },
        );
        self.collect_types(stmts)?;
        self.collect_imports(stmts)?;
        // Signatures of top-level functions and methods.
        let mut bodies: Vec<(FuncId, &ast::FunDecl, Option<StructId>)> = Vec::new();
        for s in stmts {
            match &s.kind {
                ast::StmtKind::Fun(f) => {
                    if self.top_funs.contains_key(&f.name) {
                        return Err(Error::ty(
                            f.pos,
                            format!("function '{}' is already declared", f.name),
                        ));
                    }
                    // User functions may shadow builtins, except `print`.
                    if f.name == "print" {
                        return Err(Error::ty(
                            f.pos,
                            format!("cannot redefine builtin function '{}'", f.name),
                        ));
                    }
                    let sig = self.fun_sig(f, &[])?;
                    let id = self.new_func(&f.name, f.pos, FuncKind::Top, sig);
                    self.top_funs.insert(f.name.clone(), id);
                    bodies.push((id, f, None));
                }
                ast::StmtKind::Type(td) => {
                    if let ast::TypeDeclKind::Struct { methods, .. } = &td.kind {
                        let Some(TypeEntry::Struct(sid)) = self.type_names.get(&td.name).cloned()
                        else {
                            continue;
                        };
                        for m in methods {
                            if self.structs[sid as usize]
                                .methods
                                .iter()
                                .any(|(n, _)| n == &m.name)
                            {
                                return Err(Error::ty(
                                    m.pos,
                                    format!("method '{}' is already declared", m.name),
                                ));
                            }
                            let mut sig = self.fun_sig(m, &[])?;
                            sig.params.insert(0, Type::Struct(sid));
                            let name = format!("{}.{}", td.name, m.name);
                            let id = self.new_func(&name, m.pos, FuncKind::Method(sid), sig);
                            self.structs[sid as usize]
                                .methods
                                .push((m.name.clone(), id));
                            bodies.push((id, m, Some(sid)));
                        }
                    }
                }
                _ => {}
            }
        }
        // Main: the top-level statements.
        self.fns.push(FnCtx::new(
            main,
            FuncKind::Main,
            Type::Void,
            vec![],
            String::new(),
        ));
        let mut body = Vec::new();
        for s in stmts {
            if let Some(st) = self.stmt(s)? {
                body.push(st);
            }
        }
        let ctx = self.fns.pop().expect("main context");
        self.funcs[main as usize].locals = ctx.locals;
        self.funcs[main as usize].body = body;
        // Function and method bodies (they see every global).
        for (id, f, sid) in bodies {
            self.fun_body(id, f, sid)?;
        }
        Ok(())
    }

    /// Parameter and return types of a declared function.
    fn fun_sig(&mut self, f: &ast::FunDecl, _outer: &[String]) -> Result<Sig> {
        self.pending_tparams = f.type_params.clone();
        let r = (|| {
            let mut params = Vec::new();
            for p in &f.params {
                let Some(t) = &p.ty else {
                    return Err(Error::ty(
                        p.pos,
                        format!("parameter '{}' needs a type", p.name),
                    ));
                };
                let t = self.resolve_type(t)?;
                if t == Type::Void {
                    return Err(Error::ty(p.pos, "a parameter cannot have type void"));
                }
                params.push(t);
            }
            let ret = match &f.ret {
                Some(t) => self.resolve_type(t)?,
                None => Type::Void,
            };
            Ok(Sig {
                params,
                ret,
                tparams: f.type_params.clone(),
            })
        })();
        self.pending_tparams.clear();
        r
    }

    /// Check the body of a top-level function or method.
    fn fun_body(&mut self, id: FuncId, f: &ast::FunDecl, sid: Option<StructId>) -> Result<()> {
        let sig = self.sigs[id as usize].clone();
        let kind = self.funcs[id as usize].kind;
        let mut ctx = FnCtx::new(
            id,
            kind,
            sig.ret.clone(),
            sig.tparams.clone(),
            f.name.clone(),
        );
        let mut params = Vec::new();
        let mut ptys = sig.params.iter();
        if let Some(sid) = sid {
            let t = ptys.next().cloned().unwrap_or(Type::Struct(sid));
            let l = ctx.declare("self", t, false, f.pos);
            ctx.self_ = Some((sid, l));
            params.push(l);
        }
        for (p, t) in f.params.iter().zip(ptys) {
            if ctx.scopes.last().is_some_and(|s| s.contains_key(&p.name)) {
                return Err(Error::ty(
                    p.pos,
                    format!("duplicate parameter '{}'", p.name),
                ));
            }
            params.push(ctx.declare(&p.name, t.clone(), true, p.pos));
        }
        self.fns.push(ctx);
        let body = self.block_in_scope(&f.body);
        let ctx = self.fns.pop().expect("function context");
        let body = body?;
        let fd = &mut self.funcs[id as usize];
        fd.locals = ctx.locals;
        fd.params = params;
        fd.body = body;
        Ok(())
    }

    /// First pass over type declarations: names, then fields and variants.
    fn collect_types(&mut self, stmts: &[ast::Stmt]) -> Result<()> {
        let decls: Vec<&ast::TypeDecl> = stmts
            .iter()
            .filter_map(|s| match &s.kind {
                ast::StmtKind::Type(td) => Some(td),
                _ => None,
            })
            .collect();
        let declared: std::collections::HashSet<&str> =
            decls.iter().map(|d| d.name.as_str()).collect();
        for td in &decls {
            if self.type_names.contains_key(&td.name) || is_builtin_type(&td.name) {
                return Err(Error::ty(
                    td.name_pos,
                    format!("type '{}' is already declared", td.name),
                ));
            }
            match &td.kind {
                ast::TypeDeclKind::Struct { .. } => {
                    let sid = self.structs.len() as StructId;
                    self.structs.push(StructDef {
                        name: td.name.clone(),
                        fields: vec![],
                        methods: vec![],
                        union: None,
                        pos: td.name_pos,
                    });
                    self.type_names
                        .insert(td.name.clone(), TypeEntry::Struct(sid));
                }
                ast::TypeDeclKind::Union(vs) => {
                    self.add_union(td, vs.iter().map(|v| (v.name.as_str(), v.pos)))?;
                }
                ast::TypeDeclKind::Alias(te) => {
                    // `type Name = Foo` where Foo is not a type: a single nullary variant.
                    if let ast::TypeExprKind::Name(n) = &te.kind {
                        if !declared.contains(n.as_str()) && !is_builtin_type(n) {
                            self.add_union(td, std::iter::once((n.as_str(), te.pos)))?;
                            continue;
                        }
                    }
                    self.type_names
                        .insert(td.name.clone(), TypeEntry::Alias(te.clone(), None));
                }
            }
        }
        // Fields.
        for td in &decls {
            match &td.kind {
                ast::TypeDeclKind::Struct { fields, .. } => {
                    let Some(TypeEntry::Struct(sid)) = self.type_names.get(&td.name).cloned()
                    else {
                        continue;
                    };
                    let fs = self.field_list(fields)?;
                    self.structs[sid as usize].fields = fs;
                }
                ast::TypeDeclKind::Union(vs) => {
                    for v in vs {
                        let Some(&sid) = self.variants.get(&v.name) else {
                            continue;
                        };
                        let fs = self.field_list(&v.fields)?;
                        self.structs[sid as usize].fields = fs;
                    }
                }
                ast::TypeDeclKind::Alias(te) => {
                    // Resolve now so that errors point at the declaration.
                    if matches!(self.type_names.get(&td.name), Some(TypeEntry::Alias(..))) {
                        self.resolve_type(&ast::TypeExpr::new(
                            ast::TypeExprKind::Name(td.name.clone()),
                            te.pos,
                        ))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn add_union<'n>(
        &mut self,
        td: &ast::TypeDecl,
        variants: impl Iterator<Item = (&'n str, Pos)>,
    ) -> Result<()> {
        let uid = self.unions.len() as UnionId;
        self.unions.push(UnionDef {
            name: td.name.clone(),
            variants: vec![],
            pos: td.name_pos,
        });
        self.type_names
            .insert(td.name.clone(), TypeEntry::Union(uid));
        for (name, pos) in variants {
            if self.variants.contains_key(name) {
                return Err(Error::ty(
                    pos,
                    format!("variant '{name}' is already declared"),
                ));
            }
            let sid = self.structs.len() as StructId;
            self.structs.push(StructDef {
                name: name.to_string(),
                fields: vec![],
                methods: vec![],
                union: Some(uid),
                pos,
            });
            self.unions[uid as usize].variants.push(sid);
            self.variants.insert(name.to_string(), sid);
        }
        Ok(())
    }

    fn field_list(&mut self, fields: &[ast::FieldDecl]) -> Result<Vec<(String, Type)>> {
        let mut out: Vec<(String, Type)> = Vec::new();
        for f in fields {
            if out.iter().any(|(n, _)| n == &f.name) {
                return Err(Error::ty(f.pos, format!("duplicate field '{}'", f.name)));
            }
            let t = self.resolve_type(&f.ty)?;
            if t == Type::Void {
                return Err(Error::ty(f.ty.pos, "a field cannot have type void"));
            }
            out.push((f.name.clone(), t));
        }
        Ok(out)
    }

    /// Imports and externs: only the built-in `math` module is available.
    fn collect_imports(&mut self, stmts: &[ast::Stmt]) -> Result<()> {
        for s in stmts {
            match &s.kind {
                ast::StmtKind::Import {
                    lang, path, alias, ..
                } => {
                    let alias = alias
                        .clone()
                        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
                    match lang.as_deref() {
                        Some("python") if path == "math" => self.math = Some(alias),
                        Some(_) => return Err(foreign(s.pos)),
                        None => {
                            return Err(Error {
                                phase: Phase::Unsupported,
                                pos: s.pos,
                                message: "module imports are not supported by this runtime".into(),
                            })
                        }
                    }
                }
                ast::StmtKind::Extern(e) => {
                    let path = match e {
                        ast::ExternDecl::Fun { path, .. } | ast::ExternDecl::Var { path, .. } => {
                            path
                        }
                        _ => return Err(foreign(s.pos)),
                    };
                    let ok = path.len() == 2
                        && self.math.as_deref() == Some(path[0].as_str())
                        && match e {
                            ast::ExternDecl::Fun { .. } => math_fun(&path[1]).is_some(),
                            _ => math_const(&path[1]).is_some(),
                        };
                    if !ok {
                        return Err(foreign(s.pos));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The trimmed text of source line `line` (1-based).
    fn source_line(&self, line: u32) -> String {
        self.src
            .lines()
            .nth((line as usize).saturating_sub(1))
            .unwrap_or("")
            .trim()
            .to_string()
    }
}

fn foreign(pos: Pos) -> Error {
    Error {
        phase: Phase::Unsupported,
        pos,
        message: "foreign function imports are not supported by this runtime".into(),
    }
}

fn is_builtin_type(n: &str) -> bool {
    matches!(
        n,
        "int" | "float" | "bool" | "string" | "any" | "void" | "bigint" | "bigrat" | "list" | "map"
    )
}

/// Names of the built-in functions (LANGUAGE.md §6).
fn builtin_name(n: &str) -> bool {
    matches!(
        n,
        "print"
            | "len"
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
            | "upper"
            | "lower"
            | "trim"
            | "padStart"
            | "pow"
            | "now"
            | "input"
            | "json"
            | "int"
            | "float"
            | "abs"
            | "floor"
            | "ceil"
            | "round"
            | "sqrt"
            | "reverse"
            | "distinct"
            | "first"
            | "concat"
            | "split"
            | "join"
            | "indexOf"
            | "repeat"
            | "contains"
            | "parseIntStr"
            | "push"
    )
}

/// A function of the built-in math module.
fn math_fun(n: &str) -> Option<(Builtin, usize)> {
    Some(match n {
        "sqrt" => (Builtin::MathSqrt, 1),
        "pow" => (Builtin::MathPow, 2),
        "sin" => (Builtin::MathSin, 1),
        "cos" => (Builtin::MathCos, 1),
        "tan" => (Builtin::MathTan, 1),
        "atan" => (Builtin::MathAtan, 1),
        "atan2" => (Builtin::MathAtan2, 2),
        "exp" => (Builtin::MathExp, 1),
        "log" => (Builtin::MathLog, 1),
        "log2" => (Builtin::MathLog2, 1),
        "log10" => (Builtin::MathLog10, 1),
        "floor" => (Builtin::MathFloor, 1),
        "ceil" => (Builtin::MathCeil, 1),
        "fabs" => (Builtin::MathFabs, 1),
        _ => return None,
    })
}

/// A constant of the built-in math module.
fn math_const(n: &str) -> Option<f64> {
    Some(match n {
        "pi" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "tau" => std::f64::consts::TAU,
        "inf" => f64::INFINITY,
        _ => return None,
    })
}
