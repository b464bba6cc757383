//! Compact S-expression rendering of the AST for the syntax tests.
#![allow(dead_code)]

use compiler::syntax::ast::*;

pub fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeExprKind::Name(n) => n.clone(),
        TypeExprKind::Generic { name, args } => {
            let a: Vec<String> = args.iter().map(ty).collect();
            format!("{name}<{}>", a.join(","))
        }
        TypeExprKind::Fun { params, ret } => {
            let a: Vec<String> = params.iter().map(ty).collect();
            match ret {
                Some(r) => format!("fun({}):{}", a.join(","), ty(r)),
                None => format!("fun({})", a.join(",")),
            }
        }
        TypeExprKind::Optional(t) => format!("{}?", ty(t)),
        TypeExprKind::Struct(fields) => {
            let f: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name, ty(&f.ty)))
                .collect();
            format!("{{{}}}", f.join(","))
        }
    }
}

fn opt(e: &Option<Box<Expr>>) -> String {
    e.as_ref().map(|e| expr(e)).unwrap_or_else(|| "_".into())
}

fn list(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(" ")
}

pub fn pat(p: &Pattern) -> String {
    match &p.kind {
        PatternKind::Wildcard => "_".into(),
        PatternKind::Int(v) => v.to_string(),
        PatternKind::Float(v) => format!("{v:?}"),
        PatternKind::Str(s) => format!("{s:?}"),
        PatternKind::Bool(b) => b.to_string(),
        PatternKind::Nil => "nil".into(),
        PatternKind::Name(n) => n.clone(),
        PatternKind::Variant { name, args } => {
            format!(
                "({name} {})",
                args.iter().map(pat).collect::<Vec<_>>().join(" ")
            )
        }
        PatternKind::Struct { name, fields } => format!(
            "({name} {{{}}})",
            fields
                .iter()
                .map(|f| format!("{}:{}", f.name, pat(&f.pattern)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Nil => "nil".into(),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Unary { op, expr: x } => {
            let o = match op {
                UnOp::Neg => "-",
                UnOp::Not => "!",
            };
            format!("({o} {})", expr(x))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.as_str(), expr(lhs), expr(rhs))
        }
        ExprKind::Call { callee, args } if args.is_empty() => format!("(call {})", expr(callee)),
        ExprKind::Call { callee, args } => format!("(call {} {})", expr(callee), list(args)),
        ExprKind::Index {
            target,
            index,
            optional,
        } => {
            format!(
                "({} {} {})",
                if *optional { "?idx" } else { "idx" },
                expr(target),
                expr(index)
            )
        }
        ExprKind::Slice {
            target,
            start,
            end,
            step,
        } => match step {
            None => format!("(slice {} {} {})", expr(target), opt(start), opt(end)),
            Some(_) => format!(
                "(slice {} {} {} {})",
                expr(target),
                opt(start),
                opt(end),
                opt(step)
            ),
        },
        ExprKind::Field {
            target,
            name,
            optional,
        } => {
            format!(
                "({} {} {name})",
                if *optional { "?." } else { "." },
                expr(target)
            )
        }
        ExprKind::Cast { expr: x, ty: t } => format!("(as {} {})", expr(x), ty(t)),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Map(entries) => {
            let es: Vec<String> = entries
                .iter()
                .map(|en| match &en.key {
                    MapKey::Name(n) => format!("#{n}:{}", expr(&en.value)),
                    MapKey::Expr(k) => format!("{}:{}", expr(k), expr(&en.value)),
                })
                .collect();
            format!("{{{}}}", es.join(" "))
        }
        ExprKind::Struct { name, fields } => {
            let fs: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name, expr(&f.value)))
                .collect();
            format!("({name} {{{}}})", fs.join(" "))
        }
        ExprKind::If { cond, then, els } => {
            format!("(if {} {} {})", expr(cond), expr(then), opt(els))
        }
        ExprKind::Match { scrutinee, arms } => {
            let a: Vec<String> = arms
                .iter()
                .map(|a| format!("({} => {})", pat(&a.pattern), expr(&a.body)))
                .collect();
            format!("(match {} {})", expr(scrutinee), a.join(" "))
        }
        ExprKind::Fun(f) => {
            let ps: Vec<String> = f
                .params
                .iter()
                .map(|p| match &p.ty {
                    Some(t) => format!("{}:{}", p.name, ty(t)),
                    None => p.name.clone(),
                })
                .collect();
            let ret = f
                .ret
                .as_ref()
                .map(|t| format!(":{}", ty(t)))
                .unwrap_or_default();
            let body = match &f.body {
                FunBody::Expr(e) => expr(e),
                FunBody::Block(b) => block(b),
            };
            format!("(fun ({}){ret} {body})", ps.join(" "))
        }
        ExprKind::Query(q) => {
            let mut s = format!("(from {} {}", q.var, expr(&q.source));
            for f in &q.froms {
                s += &format!(" (from {} {})", f.var, expr(&f.source));
            }
            for j in &q.joins {
                s += &format!(
                    " ({:?}join {} {} on {})",
                    j.kind,
                    j.var,
                    expr(&j.source),
                    expr(&j.on)
                );
            }
            if let Some(w) = &q.filter {
                s += &format!(" (where {})", expr(w));
            }
            if let Some(g) = &q.group {
                s += &format!(" (group {} into {}", list(&g.keys), g.name);
                if let Some(h) = &g.having {
                    s += &format!(" having {}", expr(h));
                }
                s += ")";
            }
            if let Some(x) = &q.sort {
                s += &format!(" (sort {})", expr(x));
            }
            if let Some(x) = &q.skip {
                s += &format!(" (skip {})", expr(x));
            }
            if let Some(x) = &q.take {
                s += &format!(" (take {})", expr(x));
            }
            let d = if q.distinct { "distinct " } else { "" };
            s += &format!(" (select {d}{}))", expr(&q.select));
            s
        }
        ExprKind::Load { path, ty: t, with } => format!("(load {path:?} {} {})", ty(t), opt(with)),
        ExprKind::Save {
            expr: x,
            path,
            with,
        } => format!("(save {} {path:?} {})", expr(x), opt(with)),
    }
}

pub fn block(b: &[Stmt]) -> String {
    format!("{{{}}}", b.iter().map(stmt).collect::<Vec<_>>().join("; "))
}

fn place(p: &Place) -> String {
    let mut s = p.name.clone();
    for step in &p.steps {
        match step {
            PlaceStep::Index(e, _) => s += &format!("[{}]", expr(e)),
            PlaceStep::Field(f, _) => s += &format!(".{f}"),
        }
    }
    s
}

fn fun_decl(f: &FunDecl) -> String {
    let ps: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.ty {
            Some(t) => format!("{}:{}", p.name, ty(t)),
            None => p.name.clone(),
        })
        .collect();
    let tp = if f.type_params.is_empty() {
        String::new()
    } else {
        format!("<{}>", f.type_params.join(","))
    };
    let ret = f
        .ret
        .as_ref()
        .map(|t| format!(":{}", ty(t)))
        .unwrap_or_default();
    let ex = if f.exported { "export " } else { "" };
    format!(
        "{ex}fun {}{tp}({}){ret} {}",
        f.name,
        ps.join(" "),
        block(&f.body)
    )
}

pub fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let {
            name,
            mutable,
            ty: t,
            init,
        } => {
            let kw = if *mutable { "var" } else { "let" };
            let t = t
                .as_ref()
                .map(|t| format!(":{}", ty(t)))
                .unwrap_or_default();
            let i = init
                .as_ref()
                .map(|e| format!(" = {}", expr(e)))
                .unwrap_or_default();
            format!("{kw} {name}{t}{i}")
        }
        StmtKind::Assign { target, value } => format!("{} = {}", place(target), expr(value)),
        StmtKind::Expr(e) => expr(e),
        StmtKind::If { cond, then, els } => match els {
            Some(e) => format!("if {} {} else {}", expr(cond), block(then), block(e)),
            None => format!("if {} {}", expr(cond), block(then)),
        },
        StmtKind::While { cond, body } => format!("while {} {}", expr(cond), block(body)),
        StmtKind::ForRange {
            var,
            start,
            end,
            body,
        } => {
            format!(
                "for {var} in {}..{} {}",
                expr(start),
                expr(end),
                block(body)
            )
        }
        StmtKind::ForIn { var, iter, body } => {
            format!("for {var} in {} {}", expr(iter), block(body))
        }
        StmtKind::Break => "break".into(),
        StmtKind::Continue => "continue".into(),
        StmtKind::Return(None) => "return".into(),
        StmtKind::Return(Some(e)) => format!("return {}", expr(e)),
        StmtKind::Fun(f) => fun_decl(f),
        StmtKind::Type(t) => match &t.kind {
            TypeDeclKind::Struct { fields, methods } => {
                let mut parts: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}:{}", f.name, ty(&f.ty)))
                    .collect();
                parts.extend(methods.iter().map(fun_decl));
                format!("type {} struct {{{}}}", t.name, parts.join(", "))
            }
            TypeDeclKind::Union(vs) => {
                let v: Vec<String> = vs
                    .iter()
                    .map(|v| {
                        let f: Vec<String> = v
                            .fields
                            .iter()
                            .map(|f| format!("{}:{}", f.name, ty(&f.ty)))
                            .collect();
                        format!("{}({})", v.name, f.join(","))
                    })
                    .collect();
                format!("type {} union {}", t.name, v.join(" | "))
            }
            TypeDeclKind::Alias(a) => format!("type {} = {}", t.name, ty(a)),
        },
        StmtKind::Test { name, body } => format!("test {name:?} {}", block(body)),
        StmtKind::Expect(e) => format!("expect {}", expr(e)),
        StmtKind::Bench { name, body } => format!("bench {name:?} {}", block(body)),
        StmtKind::Update {
            target,
            set,
            filter,
        } => {
            let fs: Vec<String> = set
                .iter()
                .map(|f| format!("{}:{}", f.name, expr(&f.value)))
                .collect();
            let w = filter
                .as_ref()
                .map(|e| format!(" where {}", expr(e)))
                .unwrap_or_default();
            format!("update {target} set {{{}}}{w}", fs.join(" "))
        }
        StmtKind::Import {
            lang,
            path,
            alias,
            auto,
        } => format!("import {lang:?} {path:?} {alias:?} {auto}"),
        StmtKind::Extern(d) => match d {
            ExternDecl::Fun { path, params, ret } => format!(
                "extern fun {}({}){}",
                path.join("."),
                params
                    .iter()
                    .map(|p| p.name.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
                ret.as_ref()
                    .map(|t| format!(":{}", ty(t)))
                    .unwrap_or_default()
            ),
            ExternDecl::Var {
                path,
                mutable,
                ty: t,
            } => format!(
                "extern {} {}:{}",
                if *mutable { "var" } else { "let" },
                path.join("."),
                ty(t)
            ),
            ExternDecl::Type(n) => format!("extern type {n}"),
            ExternDecl::Object(n) => format!("extern object {n}"),
        },
        StmtKind::Package(n) => format!("package {n}"),
    }
}

/// Parse and render each top-level statement on its own line.
pub fn render(src: &str) -> String {
    let p = compiler::syntax::parse(src).unwrap_or_else(|e| panic!("parse error {e} in:\n{src}"));
    p.stmts.iter().map(stmt).collect::<Vec<_>>().join("\n")
}

/// Parse a single expression statement and render it.
pub fn e(src: &str) -> String {
    render(src)
}

/// The parse error as `LINE:COL: message`.
pub fn err(src: &str) -> String {
    match compiler::syntax::parse(src) {
        Ok(p) => panic!(
            "expected an error, parsed: {}",
            p.stmts.iter().map(stmt).collect::<Vec<_>>().join("\n")
        ),
        Err(e) => format!("{}:{}: {}", e.pos.line, e.pos.col, e.message),
    }
}
