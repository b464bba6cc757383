//! Query expressions (LANGUAGE.md §5): `from x in xs [from y in ys]* [[left|right|outer] join
//! z in zs on c]* [where c] [group by k, .. into g [having c]] [sort by k] [skip n] [take n]
//! select [distinct] e`.
//!
//! A query is checked into ordinary typed statements (a [`ExprKind::Block`] whose value is
//! the result list), so it lowers to plain bytecode loops and runs in both tiers with no
//! special op beyond `sort by` ([`Builtin::SortByKeys`]):
//!
//! - `from` clauses are nested `for` loops (cross products, in clause order);
//! - a `join` whose source does not depend on the query's variables is evaluated once,
//!   before the loops. When its `on` is an equality `a == b` with one side mentioning only the
//!   joined variable and the other side not mentioning it, a hash index of the joined list by
//!   its key is built first (`map<K, int>`: key -> 1 + bucket number, buckets of row
//!   numbers), so each outer row probes one bucket: O(n + m + matches). The full `on` is
//!   still evaluated on each candidate (keys hash by their string form). Other joins scan.
//!   `left join` binds the variable to nil when no row matched (its type is `T?`); `right
//!   join` drives the loop from the joined list (rows in its order) and binds the `from`
//!   variable to nil; `outer join` is a left join followed by the joined rows no left row
//!   matched;
//! - `group by` hashes its key (`map<K, int>` -> 1 + group number, groups in order of first
//!   appearance) into a list of `group` structs `{key, items}`; an item is the row variable,
//!   or with several variables a map from their names to their values (`x.o`, `x.l.price`);
//! - `sort by` collects one key per selected value and reorders them stably at the end
//!   (`-k` sorts descending); `select distinct` keeps first occurrences; `skip`/`take` slice;
//! - `select agg(e)` with `agg` one of `sum count avg min max` and no `group by` is the
//!   aggregate of the query selecting `e` (`from n in xs where n > 1 select sum(n)`).

use super::types::conv;
use super::{Checker, Result};
use crate::hir::{
    BinOp, Builtin, Child, Conv, Expr, ExprKind, LocalId, Place, Stmt, StmtKind, StructDef, UnOp,
};
use crate::syntax::ast::{self, JoinKind};
use crate::types::{StructId, Type};
use vm::error::Error;
use vm::Pos;

fn mk(kind: ExprKind, ty: Type, pos: Pos) -> Expr {
    Expr { kind, ty, pos }
}

fn st(kind: StmtKind, pos: Pos) -> Stmt {
    Stmt { kind, pos }
}

/// `let local = init`
fn let_stmt(local: LocalId, init: Expr, pos: Pos) -> Stmt {
    st(StmtKind::Let { local, init }, pos)
}

/// One clause that binds a variable.
struct Level {
    /// `None` for a `from` clause.
    join: Option<JoinKind>,
    var: LocalId,
    /// The variable's type (`T?` when a join may leave it nil).
    var_ty: Type,
    /// The element type of the source.
    elem: Type,
    source: Expr,
    /// Whether the source mentions an earlier query variable (then it is evaluated inside
    /// the loops, and a join scans it).
    dependent: bool,
    on: Option<Expr>,
    /// For an equi-join: (key of the driving side, key of the indexed side).
    keys: Option<(Expr, Expr)>,
}

/// Names of the hidden locals a query uses.
const HIDDEN: &str = "$query";

impl Checker<'_> {
    pub(crate) fn query(&mut self, q: &ast::Query, pos: Pos) -> Result<Expr> {
        if let Some(e) = self.aggregate_query(q, pos)? {
            return Ok(e);
        }
        // `skip` / `take` are evaluated once, outside the rows' scope.
        let skip = match &q.skip {
            Some(e) => Some(self.int_clause(e, "skip")?),
            None => None,
        };
        let take = match &q.take {
            Some(e) => Some(self.int_clause(e, "take")?),
            None => None,
        };
        // Variables bound before the last right/outer join may be nil.
        let last_special = q
            .joins
            .iter()
            .rposition(|j| matches!(j.kind, JoinKind::Right | JoinKind::Outer));
        self.push_scope();
        let r = self.query_in_scope(q, pos, last_special, skip, take);
        self.pop_scope();
        r
    }

    fn int_clause(&mut self, e: &ast::Expr, what: &str) -> Result<Expr> {
        let v = self.expr(e, Some(&Type::Int))?;
        self.coerce(v, &Type::Int, what)
    }

    fn query_in_scope(
        &mut self,
        q: &ast::Query,
        pos: Pos,
        last_special: Option<usize>,
        skip: Option<Expr>,
        take: Option<Expr>,
    ) -> Result<Expr> {
        let mut levels: Vec<Level> = Vec::new();
        let mut vars: Vec<LocalId> = Vec::new();
        let nullable_before = |j: usize| last_special.is_some_and(|l| j < l);
        let first_nullable = last_special.is_some();
        // The `from` clauses, the first one included (whose source can mention no variable).
        let froms = std::iter::once((&q.var, &q.source, q.var_pos))
            .chain(q.froms.iter().map(|f| (&f.var, &f.source, f.pos)));
        for (name, source, var_pos) in froms {
            let src = self.expr(source, None)?;
            let (src, elem) = self.query_source(src)?;
            let dependent = !vars.is_empty() && mentions(&src, &vars);
            let var_ty = if first_nullable {
                Type::optional(elem.clone())
            } else {
                elem.clone()
            };
            let var = self.declare_local(name, var_ty.clone(), false, var_pos)?;
            levels.push(Level {
                join: None,
                var,
                var_ty,
                elem,
                source: src,
                dependent,
                on: None,
                keys: None,
            });
            vars.push(var);
        }
        for (ji, j) in q.joins.iter().enumerate() {
            let src = self.expr(&j.source, None)?;
            let (src, elem) = self.query_source(src)?;
            let dependent = mentions(&src, &vars);
            if dependent && matches!(j.kind, JoinKind::Right | JoinKind::Outer) {
                return Err(Error::unsupported(
                    j.source.pos,
                    "a right or outer join over a source that depends on the query's variables",
                ));
            }
            let src = if dependent {
                src
            } else {
                self.as_list(src, &elem)?
            };
            let var_ty =
                if matches!(j.kind, JoinKind::Left | JoinKind::Outer) || nullable_before(ji) {
                    Type::optional(elem.clone())
                } else {
                    elem.clone()
                };
            let var = self.declare_local(&j.var, var_ty.clone(), false, j.pos)?;
            let on = self.expr(&j.on, None)?;
            let on = self.bool_operand(on, "join condition")?;
            // Equi-join: `a == b`, one side over the joined variable only.
            // (A right join after other clauses scans the rows before it.)
            let late_right = j.kind == JoinKind::Right && levels.len() > 1;
            let keys = if dependent || late_right {
                None
            } else {
                // For a right join the indexed side is the first `from`.
                let (probe, drive): (Vec<LocalId>, Vec<LocalId>) = if j.kind == JoinKind::Right {
                    (vec![vars[0]], vec![var])
                } else {
                    (vec![var], vars.clone())
                };
                equi_keys(&on, &probe, &drive)
            };
            levels.push(Level {
                join: Some(j.kind),
                var,
                var_ty,
                elem,
                source: src,
                dependent,
                on: Some(on),
                keys,
            });
            vars.push(var);
        }
        if levels
            .get(1)
            .is_some_and(|l| matches!(l.join, Some(JoinKind::Right | JoinKind::Outer)))
        {
            // The first source is indexed or scanned by the join: a list.
            let s = std::mem::replace(&mut levels[0].source, mk(ExprKind::Nil, Type::Nil, pos));
            let elem = levels[0].elem.clone();
            levels[0].source = self.as_list(s, &elem)?;
        }
        let filter = match &q.filter {
            Some(c) => {
                let c = self.expr(c, None)?;
                Some(self.bool_operand(c, "where condition")?)
            }
            None => None,
        };

        let mut pre: Vec<Stmt> = Vec::new();
        let mut post: Vec<Stmt> = Vec::new();
        // Where the selected values (and sort keys) go; declared once their types are known.
        let out = self.hidden(Type::Void, pos);
        let keys_l = self.hidden(Type::Void, pos);

        let (emit_scope_stmts, group_loop): (Vec<Stmt>, Option<Stmt>);
        let sort: Option<Expr>;
        let sel: Expr;
        if let Some(g) = &q.group {
            // The group key and the item of each row.
            let key = if g.keys.len() == 1 {
                self.expr(&g.keys[0], None)?
            } else {
                let mut ks = Vec::new();
                for k in &g.keys {
                    let v = self.expr(k, None)?;
                    ks.push(self.coerce(v, &Type::Any, "group key")?);
                }
                mk(ExprKind::List(ks), Type::list(Type::Any), g.pos)
            };
            if key.ty == Type::Void {
                return Err(Error::ty(key.pos, "a group key must have a value"));
            }
            let item = if levels.len() == 1 {
                mk(
                    ExprKind::Local(levels[0].var),
                    levels[0].var_ty.clone(),
                    g.pos,
                )
            } else {
                let mut es = Vec::new();
                for l in &levels {
                    let name = self.cur().locals[l.var as usize].name.clone();
                    let v = mk(ExprKind::Local(l.var), l.var_ty.clone(), g.pos);
                    es.push((
                        mk(ExprKind::Str(name), Type::Str, g.pos),
                        self.coerce(v, &Type::Any, "group item")?,
                    ));
                }
                mk(ExprKind::Map(es), Type::map(Type::Str, Type::Any), g.pos)
            };
            let sid = self.group_struct(key.ty.clone(), item.ty.clone(), g.pos);
            let gty = Type::Struct(sid);
            let groups = self.hidden(Type::list(gty.clone()), g.pos);
            let gidx = self.hidden(Type::map(key.ty.clone(), Type::Int), g.pos);
            pre.push(self.let_zero(groups, g.pos));
            pre.push(self.let_zero(gidx, g.pos));
            // Row body: add the row's item to its group.
            let k = self.hidden(key.ty.clone(), g.pos);
            let i1 = self.hidden(Type::Int, g.pos);
            let kx = self.local(k, g.pos);
            let gidx_x = self.local(gidx, g.pos);
            let groups_x = self.local(groups, g.pos);
            let gpos = g.pos;
            let lookup = mk(
                ExprKind::Index {
                    base: Box::new(gidx_x.clone()),
                    index: Box::new(kx.clone()),
                },
                Type::Int,
                gpos,
            );
            let new_group = mk(
                ExprKind::Struct {
                    sid,
                    fields: vec![
                        kx.clone(),
                        mk(
                            ExprKind::List(vec![item.clone()]),
                            Type::list(item.ty.clone()),
                            gpos,
                        ),
                    ],
                },
                gty.clone(),
                gpos,
            );
            let the_group = mk(
                ExprKind::Index {
                    base: Box::new(groups_x.clone()),
                    index: Box::new(sub1(self.local(i1, gpos))),
                },
                gty.clone(),
                gpos,
            );
            let gl = self.hidden(gty.clone(), gpos);
            let items_of_gl = mk(
                ExprKind::Field {
                    base: Box::new(self.local(gl, gpos)),
                    field: 1,
                },
                Type::list(item.ty.clone()),
                gpos,
            );
            let row_body = vec![
                let_stmt(k, key, gpos),
                let_stmt(i1, lookup, gpos),
                st(
                    StmtKind::If {
                        cond: cmp(BinOp::Eq, self.local(i1, gpos), int(0, gpos)),
                        then: vec![
                            assign(groups, append(groups_x.clone(), new_group)),
                            st(
                                StmtKind::Assign {
                                    place: Place::Index {
                                        base: gidx_x.clone(),
                                        index: kx.clone(),
                                    },
                                    value: len(groups_x.clone()),
                                },
                                gpos,
                            ),
                        ],
                        els: vec![
                            let_stmt(gl, the_group, gpos),
                            st(
                                StmtKind::Assign {
                                    place: Place::Field {
                                        base: self.local(gl, gpos),
                                        field: 1,
                                    },
                                    value: append(items_of_gl, item),
                                },
                                gpos,
                            ),
                        ],
                    },
                    gpos,
                ),
            ];
            // The rows' variables go out of scope; `g` comes in.
            self.pop_scope();
            self.push_scope();
            let gvar = self.declare_local(&g.name, gty.clone(), false, g.pos)?;
            let having = match &g.having {
                Some(c) => {
                    let c = self.expr(c, None)?;
                    Some(self.bool_operand(c, "having condition")?)
                }
                None => None,
            };
            sort = self.sort_key(q)?;
            sel = self.select(q)?;
            let emit = self.emit(out, keys_l, &sort, &sel, having, pos);
            emit_scope_stmts = row_body;
            group_loop = Some(st(
                StmtKind::ForEach {
                    var: gvar,
                    iterable: groups_x,
                    body: emit,
                },
                gpos,
            ));
        } else {
            sort = self.sort_key(q)?;
            sel = self.select(q)?;
            emit_scope_stmts = self.emit(out, keys_l, &sort, &sel, None, pos);
            group_loop = None;
        }
        // The rows: where, then the body.
        let inner = match filter {
            Some(c) => vec![st(
                StmtKind::If {
                    cond: c,
                    then: emit_scope_stmts,
                    els: vec![],
                },
                pos,
            )],
            None => emit_scope_stmts,
        };
        // Declare the result lists now that their types are known.
        let out_ty = Type::list(sel.ty.clone());
        self.cur().locals[out as usize].ty = out_ty.clone();
        pre.insert(0, self.let_zero(out, pos));
        if let Some(k) = &sort {
            self.cur().locals[keys_l as usize].ty = Type::list(k.ty.clone());
            pre.insert(0, self.let_zero(keys_l, pos));
        }
        let loops = self.row_loops(&mut levels, inner, &mut pre)?;
        let mut stmts = pre;
        stmts.extend(loops);
        if let Some(gl) = group_loop {
            stmts.push(gl);
        }
        let out_x = self.local(out, pos);
        if let Some(k) = &sort {
            let v = mk(
                ExprKind::Builtin {
                    builtin: Builtin::SortByKeys,
                    args: vec![
                        out_x.clone(),
                        mk(ExprKind::Local(keys_l), Type::list(k.ty.clone()), pos),
                    ],
                },
                out_ty.clone(),
                pos,
            );
            post.push(assign(out, v));
        }
        if q.distinct {
            let v = mk(
                ExprKind::Builtin {
                    builtin: Builtin::Distinct,
                    args: vec![out_x.clone()],
                },
                out_ty.clone(),
                pos,
            );
            post.push(assign(out, v));
        }
        if skip.is_some() || take.is_some() {
            let lo = skip.clone().unwrap_or_else(|| int(0, pos));
            let lo = clamp0(lo);
            let hi = take.map(|t| {
                let t = clamp0(t);
                match &skip {
                    Some(_) => mk(
                        ExprKind::Binary(BinOp::Add, Box::new(lo.clone()), Box::new(t)),
                        Type::Int,
                        pos,
                    ),
                    None => t,
                }
            });
            // `skip n` with n beyond the end, `take` beyond the end: clamped by the slice.
            let v = mk(
                ExprKind::Slice {
                    base: Box::new(out_x.clone()),
                    lo: Some(Box::new(lo)),
                    hi: hi.map(Box::new),
                },
                out_ty.clone(),
                pos,
            );
            post.push(assign(out, v));
        }
        stmts.extend(post);
        Ok(mk(
            ExprKind::Block {
                stmts,
                value: Box::new(out_x),
            },
            out_ty,
            pos,
        ))
    }

    /// `select agg(e)` without `group by`: `agg(from ... select e)`.
    fn aggregate_query(&mut self, q: &ast::Query, pos: Pos) -> Result<Option<Expr>> {
        if q.group.is_some() {
            return Ok(None);
        }
        let ast::ExprKind::Call { callee, args } = &q.select.kind else {
            return Ok(None);
        };
        let ast::ExprKind::Ident(name) = &callee.kind else {
            return Ok(None);
        };
        if args.len() != 1
            || !matches!(name.as_str(), "sum" | "count" | "avg" | "min" | "max")
            || self.resolve_local(name).is_some()
            || self.top_funs.contains_key(name)
        {
            return Ok(None);
        }
        let mut inner = q.clone();
        inner.select = args[0].clone();
        let call = ast::Expr {
            kind: ast::ExprKind::Call {
                callee: callee.clone(),
                args: vec![ast::Expr {
                    kind: ast::ExprKind::Query(Box::new(inner)),
                    pos,
                }],
            },
            pos: q.select.pos,
        };
        self.expr(&call, None).map(Some)
    }

    fn sort_key(&mut self, q: &ast::Query) -> Result<Option<Expr>> {
        let Some(e) = &q.sort else { return Ok(None) };
        let k = self.expr(e, None)?;
        match k.ty {
            Type::Void | Type::Func(_) => Err(Error::ty(
                k.pos,
                format!("cannot sort by a value of type {}", self.tyname(&k.ty)),
            )),
            _ => Ok(Some(k)),
        }
    }

    fn select(&mut self, q: &ast::Query) -> Result<Expr> {
        let v = self.expr(&q.select, None)?;
        if v.ty == Type::Void {
            return Err(Error::ty(
                v.pos,
                "select needs a value (this expression has none)",
            ));
        }
        Ok(match v.ty {
            // A bare `nil` selects nils.
            Type::Nil => self.coerce(v, &Type::Any, "select")?,
            _ => v,
        })
    }

    /// Append the selected value (and its sort key) to the result.
    fn emit(
        &mut self,
        out: LocalId,
        keys: LocalId,
        sort: &Option<Expr>,
        sel: &Expr,
        cond: Option<Expr>,
        pos: Pos,
    ) -> Vec<Stmt> {
        let out_ty = Type::list(sel.ty.clone());
        let mut body = Vec::new();
        if let Some(k) = sort {
            let kt = Type::list(k.ty.clone());
            let kx = mk(ExprKind::Local(keys), kt, pos);
            body.push(assign(keys, append(kx, k.clone())));
        }
        let ox = mk(ExprKind::Local(out), out_ty, pos);
        body.push(assign(out, append(ox, sel.clone())));
        match cond {
            Some(c) => vec![st(
                StmtKind::If {
                    cond: c,
                    then: body,
                    els: vec![],
                },
                pos,
            )],
            None => body,
        }
    }

    /// The loops over the rows, innermost running `inner`; statements that must run first
    /// (evaluating independent join sources, building their indexes) go to `pre`.
    fn row_loops(
        &mut self,
        levels: &mut [Level],
        inner: Vec<Stmt>,
        pre: &mut Vec<Stmt>,
    ) -> Result<Vec<Stmt>> {
        // Hoist every independent join source (and the first source of a right/outer join)
        // into a local; build the hash index of each equi-join.
        let mut lists: Vec<Option<LocalId>> = vec![None; levels.len()];
        let mut index: Vec<Option<(LocalId, LocalId)>> = vec![None; levels.len()];
        for i in 0..levels.len() {
            // The first source too when join sources are hoisted (evaluated in clause order).
            let joins = levels.iter().any(|l| l.join.is_some());
            let hoist = (levels[i].join.is_some() && !levels[i].dependent) || (i == 0 && joins);
            if !hoist {
                continue;
            }
            let l = &levels[i];
            let pos = l.source.pos;
            let h = self.hidden(l.source.ty.clone(), pos);
            pre.push(let_stmt(h, l.source.clone(), pos));
            lists[i] = Some(h);
        }
        for i in 1..levels.len() {
            let Some((_, probe_key)) = levels[i].keys.clone() else {
                continue;
            };
            // The indexed side: the joined list, or for a right join the first source.
            let (side, _) = if levels[i].join == Some(JoinKind::Right) {
                (0, i)
            } else {
                (i, 0)
            };
            let Some(list) = lists[side] else { continue };
            let pos = probe_key.pos;
            let kt = probe_key.ty.clone();
            let idx = self.hidden(Type::map(kt.clone(), Type::Int), pos);
            let buckets = self.hidden(Type::list(Type::list(Type::Int)), pos);
            pre.push(self.let_zero(idx, pos));
            pre.push(self.let_zero(buckets, pos));
            let r = self.hidden(Type::Int, pos);
            let k = self.hidden(kt.clone(), pos);
            let i1 = self.hidden(Type::Int, pos);
            let (var, var_ty) = (levels[side].var, levels[side].var_ty.clone());
            let elem = self.element(list, r, pos);
            let elem = self.coerce(elem, &var_ty, "join row")?;
            let idx_x = self.local(idx, pos);
            let b_x = self.local(buckets, pos);
            let kx = self.local(k, pos);
            let bucket = mk(
                ExprKind::Index {
                    base: Box::new(b_x.clone()),
                    index: Box::new(sub1(self.local(i1, pos))),
                },
                Type::list(Type::Int),
                pos,
            );
            let body = vec![
                let_stmt(var, elem, pos),
                let_stmt(k, probe_key, pos),
                st(
                    StmtKind::Let {
                        local: i1,
                        init: mk(
                            ExprKind::Index {
                                base: Box::new(idx_x.clone()),
                                index: Box::new(kx.clone()),
                            },
                            Type::Int,
                            pos,
                        ),
                    },
                    pos,
                ),
                st(
                    StmtKind::If {
                        cond: cmp(BinOp::Eq, self.local(i1, pos), int(0, pos)),
                        then: vec![
                            assign(
                                buckets,
                                append(
                                    b_x.clone(),
                                    mk(
                                        ExprKind::List(vec![self.local(r, pos)]),
                                        Type::list(Type::Int),
                                        pos,
                                    ),
                                ),
                            ),
                            st(
                                StmtKind::Assign {
                                    place: Place::Index {
                                        base: idx_x.clone(),
                                        index: kx.clone(),
                                    },
                                    value: len(b_x.clone()),
                                },
                                pos,
                            ),
                        ],
                        els: vec![st(
                            StmtKind::Assign {
                                place: Place::Index {
                                    base: b_x.clone(),
                                    index: sub1(self.local(i1, pos)),
                                },
                                value: append(bucket, self.local(r, pos)),
                            },
                            pos,
                        )],
                    },
                    pos,
                ),
            ];
            pre.push(st(
                StmtKind::ForRange {
                    var: r,
                    start: int(0, pos),
                    end: len(self.local(list, pos)),
                    body,
                },
                pos,
            ));
            index[i] = Some((idx, buckets));
        }
        // Build from the innermost level out.
        self.nest(levels, levels.len(), inner, &lists, &index)
    }

    /// The loops of levels `0..upto` around `body`.
    fn nest(
        &mut self,
        levels: &[Level],
        upto: usize,
        body: Vec<Stmt>,
        lists: &[Option<LocalId>],
        index: &[Option<(LocalId, LocalId)>],
    ) -> Result<Vec<Stmt>> {
        let mut body = body;
        let mut i = upto;
        while i > 0 {
            i -= 1;
            let kind = levels[i].join;
            if matches!(kind, Some(JoinKind::Right | JoinKind::Outer)) {
                // A right/outer join takes over every level before it.
                return if i == 1 {
                    self.level_loop(levels, i, body, lists, index, None)
                } else {
                    self.late_right_outer(levels, i, body, lists, index)
                };
            }
            body = self.level_loop(levels, i, body, lists, index, None)?;
        }
        Ok(body)
    }

    /// A right or outer join after other clauses (level `i` >= 2): every row of its list is
    /// kept; the rows before it are nil where none matched.
    fn late_right_outer(
        &mut self,
        levels: &[Level],
        i: usize,
        body: Vec<Stmt>,
        lists: &[Option<LocalId>],
        index: &[Option<(LocalId, LocalId)>],
    ) -> Result<Vec<Stmt>> {
        let l = &levels[i];
        let pos = l.source.pos;
        let list = lists[i].expect("an independent right/outer join source is hoisted");
        let nils: Vec<Stmt> = levels[..i]
            .iter()
            .map(|x| {
                st(
                    StmtKind::Let {
                        local: x.var,
                        init: mk(ExprKind::Nil, x.var_ty.clone(), pos),
                    },
                    pos,
                )
            })
            .collect();
        let r = self.hidden(Type::Int, pos);
        let elem = self.element(list, r, pos);
        let elem = self.coerce(elem, &l.var_ty, "join row")?;
        let bind = let_stmt(l.var, elem, pos);
        if l.join == Some(JoinKind::Right) {
            // for each joined row: the earlier rows that match, or nils.
            let m = self.hidden(Type::Bool, pos);
            let mut then = vec![assign(m, mk(ExprKind::Bool(true), Type::Bool, pos))];
            then.extend(body.iter().cloned());
            let test = st(
                StmtKind::If {
                    cond: l.on.clone().expect("join condition"),
                    then,
                    els: vec![],
                },
                pos,
            );
            let left = self.nest(levels, i, vec![test], lists, index)?;
            let mut unmatched = nils;
            unmatched.extend(body);
            let mut per_row = vec![bind, self.let_zero(m, pos)];
            per_row.extend(left);
            per_row.push(st(
                StmtKind::If {
                    cond: not(self.local(m, pos)),
                    then: unmatched,
                    els: vec![],
                },
                pos,
            ));
            return Ok(vec![st(
                StmtKind::ForRange {
                    var: r,
                    start: int(0, pos),
                    end: len(self.local(list, pos)),
                    body: per_row,
                },
                pos,
            )]);
        }
        // Outer: a left join marking the joined rows it used, then the unused ones.
        let seen = self.hidden(Type::list(Type::Bool), pos);
        let part = self.level_loop(levels, i, body.clone(), lists, index, Some(seen))?;
        let left = self.nest(levels, i, part, lists, index)?;
        let mut stmts = self.false_flags(seen, list, pos).to_vec();
        stmts.extend(left);
        let seen_r = mk(
            ExprKind::Index {
                base: Box::new(self.local(seen, pos)),
                index: Box::new(self.local(r, pos)),
            },
            Type::Bool,
            pos,
        );
        let mut rest = nils;
        rest.push(bind);
        rest.extend(body);
        stmts.push(st(
            StmtKind::ForRange {
                var: r,
                start: int(0, pos),
                end: len(self.local(list, pos)),
                body: vec![st(
                    StmtKind::If {
                        cond: not(seen_r),
                        then: rest,
                        els: vec![],
                    },
                    pos,
                )],
            },
            pos,
        ));
        Ok(stmts)
    }

    /// `list[i]` for a hoisted list local.
    fn element(&mut self, list: LocalId, i: LocalId, pos: Pos) -> Expr {
        let lx = self.local(list, pos);
        let Type::List(et) = lx.ty.clone() else {
            unreachable!("hoisted sources are lists")
        };
        mk(
            ExprKind::Index {
                base: Box::new(lx),
                index: Box::new(self.local(i, pos)),
            },
            *et,
            pos,
        )
    }

    /// The loop of one level around `body`.
    fn level_loop(
        &mut self,
        levels: &[Level],
        i: usize,
        body: Vec<Stmt>,
        lists: &[Option<LocalId>],
        index: &[Option<(LocalId, LocalId)>],
        seen: Option<LocalId>,
    ) -> Result<Vec<Stmt>> {
        let l = &levels[i];
        let pos = l.source.pos;
        let Some(kind) = l.join else {
            // A `from`: for x in source (its hoisted value, if any).
            let src = match lists[i] {
                Some(h) => self.local(h, pos),
                None => l.source.clone(),
            };
            return Ok(vec![
                self.for_each_var(l.var, &l.var_ty, &l.elem, src, body, pos)?
            ]);
        };
        let on = l.on.clone().expect("join condition");
        // Which side is scanned/probed and which drives.
        let (probe, drive) = if kind == JoinKind::Right {
            (0, i)
        } else {
            (i, usize::MAX)
        };
        let matched = self.hidden(Type::Bool, pos);
        let right_seen = if kind == JoinKind::Outer {
            Some(seen.unwrap_or_else(|| self.hidden(Type::list(Type::Bool), pos)))
        } else {
            None
        };
        // The candidate loop: bind the probed variable to each candidate row, test `on`.
        let c = self.hidden(Type::Int, pos);
        let pl = &levels[probe];
        let mut on_body = vec![];
        if kind != JoinKind::Inner {
            on_body.push(assign(matched, mk(ExprKind::Bool(true), Type::Bool, pos)));
        }
        if let Some(rs) = right_seen {
            on_body.push(st(
                StmtKind::Assign {
                    place: Place::Index {
                        base: self.local(rs, pos),
                        index: self.local(c, pos),
                    },
                    value: mk(ExprKind::Bool(true), Type::Bool, pos),
                },
                pos,
            ));
        }
        on_body.extend(body.iter().cloned());
        let test = st(
            StmtKind::If {
                cond: on,
                then: on_body,
                els: vec![],
            },
            pos,
        );
        let candidates: Stmt = match (lists[probe], index[i]) {
            (Some(list), Some((idx, buckets))) => {
                // Probe the hash index with the driving side's key.
                let (drive_key, _) = l.keys.clone().expect("equi keys");
                let k = self.hidden(drive_key.ty.clone(), pos);
                let i1 = self.hidden(Type::Int, pos);
                let elem = self.element(list, c, pos);
                let elem = self.coerce(elem, &pl.var_ty, "join row")?;
                let bucket = mk(
                    ExprKind::Index {
                        base: Box::new(self.local(buckets, pos)),
                        index: Box::new(sub1(self.local(i1, pos))),
                    },
                    Type::list(Type::Int),
                    pos,
                );
                let lookup = mk(
                    ExprKind::Index {
                        base: Box::new(self.local(idx, pos)),
                        index: Box::new(self.local(k, pos)),
                    },
                    Type::Int,
                    pos,
                );
                let lp = st(
                    StmtKind::ForEach {
                        var: c,
                        iterable: bucket,
                        body: vec![let_stmt(pl.var, elem, pos), test],
                    },
                    pos,
                );
                block(
                    vec![
                        let_stmt(k, drive_key, pos),
                        let_stmt(i1, lookup, pos),
                        st(
                            StmtKind::If {
                                cond: cmp(BinOp::Ne, self.local(i1, pos), int(0, pos)),
                                then: vec![lp],
                                els: vec![],
                            },
                            pos,
                        ),
                    ],
                    pos,
                )
            }
            (Some(list), None) => {
                // Scan the hoisted list.
                let elem = self.element(list, c, pos);
                let elem = self.coerce(elem, &pl.var_ty, "join row")?;
                st(
                    StmtKind::ForRange {
                        var: c,
                        start: int(0, pos),
                        end: len(self.local(list, pos)),
                        body: vec![let_stmt(pl.var, elem, pos), test],
                    },
                    pos,
                )
            }
            (None, _) => {
                // A dependent source: evaluated for each outer row.
                self.for_each_var(
                    pl.var,
                    &pl.var_ty,
                    &pl.elem,
                    pl.source.clone(),
                    vec![test],
                    pos,
                )?
            }
        };
        let nil_of = |v: LocalId, t: &Type| {
            st(
                StmtKind::Let {
                    local: v,
                    init: mk(ExprKind::Nil, t.clone(), pos),
                },
                pos,
            )
        };
        let mut out = Vec::new();
        match kind {
            JoinKind::Inner => out.push(candidates),
            JoinKind::Left | JoinKind::Outer | JoinKind::Right => {
                out.push(self.let_zero(matched, pos));
                out.push(candidates);
                let mut unmatched = vec![nil_of(pl.var, &pl.var_ty)];
                unmatched.extend(body.iter().cloned());
                out.push(st(
                    StmtKind::If {
                        cond: not(self.local(matched, pos)),
                        then: unmatched,
                        els: vec![],
                    },
                    pos,
                ));
            }
        }
        if kind == JoinKind::Right {
            // Driven by the joined list, in its order.
            let dl = &levels[drive];
            let src = match lists[drive] {
                Some(h) => self.local(h, pos),
                None => dl.source.clone(),
            };
            return Ok(vec![
                self.for_each_var(dl.var, &dl.var_ty, &dl.elem, src, out, pos)?
            ]);
        }
        if kind == JoinKind::Outer && seen.is_none() {
            // Left join driven by the first source, then the joined rows nothing matched.
            let fl = &levels[0];
            let rs = right_seen.expect("outer join flags");
            let list = lists[i].expect("outer join list");
            let mut stmts = self.false_flags(rs, list, pos).to_vec();
            let src = match lists[0] {
                Some(h) => self.local(h, pos),
                None => fl.source.clone(),
            };
            stmts.push(self.for_each_var(fl.var, &fl.var_ty, &fl.elem, src, out, pos)?);
            let r2 = self.hidden(Type::Int, pos);
            let elem = self.element(list, r2, pos);
            let elem = self.coerce(elem, &l.var_ty, "join row")?;
            let mut rest = vec![nil_of(fl.var, &fl.var_ty), let_stmt(l.var, elem, pos)];
            rest.extend(body);
            let seen = mk(
                ExprKind::Index {
                    base: Box::new(self.local(rs, pos)),
                    index: Box::new(self.local(r2, pos)),
                },
                Type::Bool,
                pos,
            );
            stmts.push(st(
                StmtKind::ForRange {
                    var: r2,
                    start: int(0, pos),
                    end: len(self.local(list, pos)),
                    body: vec![st(
                        StmtKind::If {
                            cond: mk(ExprKind::Unary(UnOp::Not, Box::new(seen)), Type::Bool, pos),
                            then: rest,
                            els: vec![],
                        },
                        pos,
                    )],
                },
                pos,
            ));
            return Ok(stmts);
        }
        Ok(out)
    }

    /// `for var in source { body }`, converting each element to the variable's type.
    fn for_each_var(
        &mut self,
        var: LocalId,
        var_ty: &Type,
        elem: &Type,
        source: Expr,
        body: Vec<Stmt>,
        pos: Pos,
    ) -> Result<Stmt> {
        if var_ty == elem {
            return Ok(st(
                StmtKind::ForEach {
                    var,
                    iterable: source,
                    body,
                },
                pos,
            ));
        }
        let h = self.hidden(elem.clone(), pos);
        let v = self.local(h, pos);
        let v = self.coerce(v, var_ty, "query variable")?;
        let mut b = vec![let_stmt(var, v, pos)];
        b.extend(body);
        Ok(st(
            StmtKind::ForEach {
                var: h,
                iterable: source,
                body: b,
            },
            pos,
        ))
    }

    /// A query source: the iterable (a group is its items) and its element type.
    fn query_source(&mut self, src: Expr) -> Result<(Expr, Type)> {
        let src = self.group_items(src);
        let src = match src.ty.clone() {
            Type::Optional(t) => conv(Conv::Unbox, src, *t),
            _ => src,
        };
        if matches!(src.ty, Type::Any | Type::Param(_)) {
            return Ok((self.any_to_list(src), Type::Any));
        }
        let elem = match &src.ty {
            Type::List(t) => (**t).clone(),
            Type::Map(k, _) => (**k).clone(),
            Type::Str => Type::Str,
            t => {
                return Err(Error::ty(
                    src.pos,
                    format!("cannot query a value of type {}", self.tyname(t)),
                ))
            }
        };
        Ok((src, elem))
    }

    /// A value of static type `any` as a `list<any>` of its elements (each boxed by the
    /// list's own element type): `for i in 0..len(v) { out = append(out, v[i]) }`.
    fn any_to_list(&mut self, src: Expr) -> Expr {
        let pos = src.pos;
        let s = self.hidden(Type::Any, pos);
        let o = self.hidden(Type::list(Type::Any), pos);
        let i = self.hidden(Type::Int, pos);
        let elem = mk(
            ExprKind::Index {
                base: Box::new(self.local(s, pos)),
                index: Box::new(conv(Conv::Box, self.local(i, pos), Type::Any)),
            },
            Type::Any,
            pos,
        );
        let src = if src.ty == Type::Any {
            src
        } else {
            conv(Conv::Box, src, Type::Any)
        };
        let stmts = vec![
            let_stmt(s, src, pos),
            self.let_zero(o, pos),
            st(
                StmtKind::ForRange {
                    var: i,
                    start: int(0, pos),
                    end: len(self.local(s, pos)),
                    body: vec![assign(o, append(self.local(o, pos), elem))],
                },
                pos,
            ),
        ];
        let value = self.local(o, pos);
        mk(
            ExprKind::Block {
                stmts,
                value: Box::new(value),
            },
            Type::list(Type::Any),
            pos,
        )
    }

    /// A source evaluated once and indexed: it must be a list.
    fn as_list(&mut self, src: Expr, _elem: &Type) -> Result<Expr> {
        match &src.ty {
            Type::List(_) => Ok(src),
            t => Err(Error::ty(
                src.pos,
                format!("a joined source must be a list, found {}", self.tyname(t)),
            )),
        }
    }

    /// A group used as a list: its items.
    pub(crate) fn group_items(&self, e: Expr) -> Expr {
        if let Type::Struct(sid) = e.ty {
            if self.group_structs.contains(&sid) {
                let t = self.structs[sid as usize].fields[1].1.clone();
                let pos = e.pos;
                return mk(
                    ExprKind::Field {
                        base: Box::new(e),
                        field: 1,
                    },
                    t,
                    pos,
                );
            }
        }
        e
    }

    /// The struct type of the groups of one `group by` (`{key: K, items: list<T>}`).
    fn group_struct(&mut self, key: Type, item: Type, pos: Pos) -> StructId {
        let sid = self.structs.len() as StructId;
        self.structs.push(StructDef {
            name: "group".into(),
            fields: vec![("key".into(), key), ("items".into(), Type::list(item))],
            methods: vec![],
            union: None,
            pos,
        });
        self.group_structs.insert(sid);
        sid
    }

    fn hidden(&mut self, ty: Type, pos: Pos) -> LocalId {
        self.cur().declare(HIDDEN, ty, true, pos)
    }

    fn local(&mut self, id: LocalId, pos: Pos) -> Expr {
        let ty = self.cur().locals[id as usize].ty.clone();
        mk(ExprKind::Local(id), ty, pos)
    }

    /// `var flags = []; for _ in 0..len(list) { flags = append(flags, false) }`: one
    /// "used" flag per element of `list` (outer and right joins).
    fn false_flags(&mut self, flags: LocalId, list: LocalId, pos: Pos) -> [Stmt; 2] {
        let i = self.hidden(Type::Int, pos);
        let fill = st(
            StmtKind::ForRange {
                var: i,
                start: int(0, pos),
                end: len(self.local(list, pos)),
                body: vec![assign(
                    flags,
                    append(
                        self.local(flags, pos),
                        mk(ExprKind::Bool(false), Type::Bool, pos),
                    ),
                )],
            },
            pos,
        );
        [self.let_zero(flags, pos), fill]
    }

    fn let_zero(&mut self, id: LocalId, pos: Pos) -> Stmt {
        let ty = self.cur().locals[id as usize].ty.clone();
        st(
            StmtKind::Let {
                local: id,
                init: self.zero(&ty, pos),
            },
            pos,
        )
    }
}

fn int(i: i64, pos: Pos) -> Expr {
    mk(ExprKind::Int(i), Type::Int, pos)
}

fn sub1(e: Expr) -> Expr {
    let pos = e.pos;
    mk(
        ExprKind::Binary(BinOp::Sub, Box::new(e), Box::new(int(1, pos))),
        Type::Int,
        pos,
    )
}

/// `if n < 0 then 0 else n` (a negative `skip`/`take` counts as 0, not from the end).
fn clamp0(e: Expr) -> Expr {
    let pos = e.pos;
    mk(
        ExprKind::If {
            cond: Box::new(cmp(BinOp::Lt, e.clone(), int(0, pos))),
            then: Box::new(int(0, pos)),
            els: Box::new(e),
        },
        Type::Int,
        pos,
    )
}

fn cmp(op: BinOp, l: Expr, r: Expr) -> Expr {
    let pos = l.pos;
    mk(
        ExprKind::Binary(op, Box::new(l), Box::new(r)),
        Type::Bool,
        pos,
    )
}

fn len(e: Expr) -> Expr {
    let pos = e.pos;
    mk(
        ExprKind::Builtin {
            builtin: Builtin::Len,
            args: vec![e],
        },
        Type::Int,
        pos,
    )
}

/// `!e` (a bool).
fn not(e: Expr) -> Expr {
    let pos = e.pos;
    mk(ExprKind::Unary(UnOp::Not, Box::new(e)), Type::Bool, pos)
}

fn append(list: Expr, v: Expr) -> Expr {
    let (pos, ty) = (list.pos, list.ty.clone());
    mk(
        ExprKind::Builtin {
            builtin: Builtin::Append,
            args: vec![list, v],
        },
        ty,
        pos,
    )
}

fn assign(id: LocalId, value: Expr) -> Stmt {
    let pos = value.pos;
    st(
        StmtKind::Assign {
            place: Place::Local(id),
            value,
        },
        pos,
    )
}

/// Statements as one statement (an `if true`).
fn block(stmts: Vec<Stmt>, pos: Pos) -> Stmt {
    st(
        StmtKind::If {
            cond: mk(ExprKind::Bool(true), Type::Bool, pos),
            then: stmts,
            els: vec![],
        },
        pos,
    )
}

/// For `a == b`: (the side over `drive` only, the side over `probe` only).
fn equi_keys(on: &Expr, probe: &[LocalId], drive: &[LocalId]) -> Option<(Expr, Expr)> {
    let ExprKind::Binary(BinOp::Eq, l, r) = &on.kind else {
        return None;
    };
    let over = |e: &Expr, yes: &[LocalId], no: &[LocalId]| mentions(e, yes) && !mentions(e, no);
    if over(r, probe, drive) && !mentions(l, probe) {
        Some(((**l).clone(), (**r).clone()))
    } else if over(l, probe, drive) && !mentions(r, probe) {
        Some(((**r).clone(), (**l).clone()))
    } else {
        None
    }
}

/// Whether `e` reads one of `ids` (conservatively true for blocks and matches).
fn mentions(e: &Expr, ids: &[LocalId]) -> bool {
    let mut stack: Vec<&Expr> = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Local(l) if ids.contains(l) => return true,
            ExprKind::Match { .. } | ExprKind::Block { .. } => return true,
            _ => e.for_each_child(|c| {
                if let Child::Expr(x) = c {
                    stack.push(x)
                }
            }),
        }
    }
    false
}
