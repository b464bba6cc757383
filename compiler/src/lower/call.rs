//! Calls (direct and through closures), closure creation, and builtins.
//!
//! Arguments go to the callee's parameter words in the next frame (`Slot::Arg(i)`). Those
//! words are not GC roots and a nested call would overwrite them, so every argument up to the
//! last one that may allocate or call is evaluated into the current frame first and moved
//! after; the rest are evaluated straight into place.

use super::expr::may_alloc;
use super::func::{set_field_op, FnBuilder, Opnd, Slot};
use super::{bank_of, Lowerer, Result};
use crate::hir::{Builtin, Expr, ExprKind};
use crate::types::Type;
use vm::error::Error;
use vm::ops::Op;
use vm::program::Bank;
use vm::runtime::helpers as h;
use vm::Pos;

impl Lowerer<'_> {
    /// A call or builtin; its result (if any) goes to `dst`.
    pub(crate) fn call_like(
        &mut self,
        b: &mut FnBuilder,
        e: &Expr,
        dst: Option<Slot>,
    ) -> Result<()> {
        let pos = e.pos;
        match &e.kind {
            ExprKind::Call { func, args } if self.inlinable[*func as usize] => {
                self.inline_call(b, *func, args, dst, &e.ty, pos)
            }
            ExprKind::Call { func, args } => {
                self.stage_args(b, args)?;
                let d = self.dest(dst, &e.ty);
                b.op3(Op::Call, Opnd::Raw(*func), d, Opnd::FrameWords, pos);
                Ok(())
            }
            ExprKind::CallValue { callee, args } => {
                // The closure lives in this frame (a root) while the arguments are evaluated.
                let c = self.expr(b, callee)?;
                self.stage_args(b, args)?;
                let d = self.dest(dst, &e.ty);
                b.op3(Op::CallClosure, c, d, Opnd::FrameWords, pos);
                Ok(())
            }
            ExprKind::Builtin { builtin, args } => self.builtin(b, *builtin, args, &e.ty, dst, pos),
            _ => unreachable!("call_like of a non-call"),
        }
    }

    fn dest(&self, dst: Option<Slot>, ty: &Type) -> Opnd {
        match dst {
            Some(d) if *ty != Type::Void => Opnd::Slot(d),
            _ => Opnd::Raw(0),
        }
    }

    /// Store `args` into the next frame's parameter words.
    fn stage_args(&mut self, b: &mut FnBuilder, args: &[Expr]) -> Result<()> {
        let last_alloc = args.iter().rposition(may_alloc);
        let mut early = Vec::new();
        if let Some(k) = last_alloc {
            for a in &args[..=k] {
                // Locals stay in place (no copy): only their value is needed at the call.
                early.push(self.expr(b, a)?);
            }
        }
        let first_direct = last_alloc.map_or(0, |k| k + 1);
        for (i, a) in args.iter().enumerate().skip(first_direct) {
            self.expr_to(b, a, Slot::Arg(i as u32))?;
        }
        for (i, (s, a)) in early.into_iter().zip(args).enumerate() {
            b.mov(bank_of(&a.ty), Slot::Arg(i as u32), s, a.pos);
        }
        Ok(())
    }

    /// A closure of `func` capturing `captures` (by value, now).
    pub(crate) fn closure_to(
        &mut self,
        b: &mut FnBuilder,
        func: u32,
        captures: &[Expr],
        dst: Slot,
        pos: Pos,
    ) -> Result<()> {
        let mut vals = Vec::with_capacity(captures.len());
        for c in captures {
            vals.push((self.expr(b, c)?, bank_of(&c.ty)));
        }
        let t = b.alloc(Bank::Cell);
        b.op2(Op::NewClosure, t, Opnd::Raw(func), pos);
        for (k, (v, bank)) in vals.into_iter().enumerate() {
            b.op3(set_field_op(bank), t, Opnd::Raw(k as u32), v, pos);
        }
        b.mov(Bank::Cell, dst, t, pos);
        Ok(())
    }

    /// Result slot for a builtin that has one (a temporary when the value is dropped).
    fn out(&self, b: &mut FnBuilder, dst: Option<Slot>, ty: &Type) -> Slot {
        match dst {
            Some(d) => d,
            None => b.alloc(bank_of(ty)),
        }
    }

    fn builtin(
        &mut self,
        b: &mut FnBuilder,
        bi: Builtin,
        args: &[Expr],
        ty: &Type,
        dst: Option<Slot>,
        pos: Pos,
    ) -> Result<()> {
        use Builtin as B;
        let unsupported = |what: &str| Err(Error::unsupported(pos, what.to_string()));
        let arg_ty = |i: usize| args.get(i).map(|a| a.ty.clone()).unwrap_or(Type::Void);
        match bi {
            B::Print => {
                // Every argument first (one may print or call), then the line.
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    if a.ty == Type::Void {
                        return Err(Error::ty(a.pos, "cannot print a void value"));
                    }
                    vals.push(self.expr(b, a)?);
                }
                for (a, s) in args.iter().zip(vals) {
                    match &a.ty {
                        Type::Int => b.op1(Op::PrintI64, s, pos),
                        Type::Float => b.op1(Op::PrintF64, s, pos),
                        Type::Bool => b.op1(Op::PrintBool, s, pos),
                        Type::Str => b.op1(Op::PrintStr, s, pos),
                        t => {
                            let t = self.tid(t);
                            b.op2(Op::PrintCell, s, Opnd::Raw(t), pos)
                        }
                    }
                }
                b.op1(Op::PrintEnd, Opnd::Raw(args.len() as u32), pos);
                Ok(())
            }
            B::Load => {
                // path and options in consecutive cell slots (the op reads R[b], R[b+1])
                let (p, o) = b.alloc_pair(Bank::Cell);
                self.expr_to(b, &args[0], p)?;
                self.expr_to(b, &args[1], o)?;
                let t = self.tid(ty);
                let d = self.out(b, dst, ty);
                b.op3(Op::LoadData, d, p, Opnd::Raw(t), pos);
                Ok(())
            }
            B::Save => {
                let v = b.alloc(Bank::Cell);
                let vt = &args[0].ty;
                if bank_of(vt) != Bank::Cell {
                    // a scalar: box it so the op sees a cell of runtime type `any`
                    let s = self.expr(b, &args[0])?;
                    let t = self.tid(vt);
                    b.op3(Op::Box, v, s, Opnd::Raw(t), pos);
                } else {
                    self.expr_to(b, &args[0], v)?;
                }
                let vtid = if bank_of(vt) != Bank::Cell {
                    arenas::rtti::ANY
                } else {
                    self.tid(vt)
                };
                let (p, o) = b.alloc_pair(Bank::Cell);
                self.expr_to(b, &args[1], p)?;
                self.expr_to(b, &args[2], o)?;
                b.op3(Op::SaveData, v, p, Opnd::Raw(vtid), pos);
                Ok(())
            }
            B::Json => {
                let s = self.expr(b, &args[0])?;
                let t = self.tid(&args[0].ty);
                b.op2(Op::Json, s, Opnd::Raw(t), pos);
                Ok(())
            }
            B::Push => {
                let l = self.expr(b, &args[0])?;
                let v = self.expr(b, &args[1])?;
                b.op2(Op::ListPush, l, v, pos);
                if let Some(d) = dst {
                    b.mov(Bank::Cell, d, l, pos);
                }
                Ok(())
            }
            B::Now => {
                let d = self.out(b, dst, ty);
                b.op1(Op::Now, d, pos);
                Ok(())
            }
            B::Input => {
                let d = self.out(b, dst, ty);
                b.op1(Op::Input, d, pos);
                Ok(())
            }
            _ => {
                let d = self.out(b, dst, ty);
                let t0 = arg_ty(0);
                match bi {
                    B::Len | B::Count => {
                        let o = match t0 {
                            Type::List(_) => Op::ListLen,
                            Type::Str => Op::StrLen,
                            Type::Map(..) => Op::MapLen,
                            Type::Any | Type::Param(_) => Op::LenAny,
                            _ => return unsupported(&format!("len of {t0}")),
                        };
                        self.un(b, o, d, &args[0], pos)
                    }
                    B::Exists => {
                        let o = match t0 {
                            Type::List(_) => Op::ListLen,
                            Type::Str => Op::StrLen,
                            Type::Map(..) => Op::MapLen,
                            Type::Any | Type::Param(_) => Op::LenAny,
                            _ => return unsupported(&format!("exists of {t0}")),
                        };
                        self.un(b, o, d, &args[0], pos)?;
                        // d := len != 0
                        let z = b.alloc(Bank::I64);
                        let k = self.konst(0);
                        b.op2(Op::ConstI64, z, Opnd::Raw(k), pos);
                        b.op3(Op::NeI64, d, d, z, pos);
                        Ok(())
                    }
                    B::Append => self.bin(b, Op::ListAppend, d, &args[0], &args[1], pos),
                    B::Sum => match t0 {
                        Type::List(e) if *e == Type::Int => {
                            self.un(b, Op::ListSumI64, d, &args[0], pos)
                        }
                        Type::List(e) if *e == Type::Float => {
                            self.un(b, Op::ListSumF64, d, &args[0], pos)
                        }
                        Type::List(_) | Type::Any => self.un(b, Op::ListSumAny, d, &args[0], pos),
                        _ => unsupported(&format!("sum of {t0}")),
                    },
                    B::Avg => match t0 {
                        Type::List(e) if matches!(*e, Type::Int | Type::Float | Type::Any) => {
                            self.un(b, Op::ListAvg, d, &args[0], pos)
                        }
                        _ => unsupported(&format!("avg of {t0}")),
                    },
                    B::Min | B::Max => match t0 {
                        Type::List(_) => {
                            let o = if bi == B::Min {
                                Op::ListMin
                            } else {
                                Op::ListMax
                            };
                            self.un(b, o, d, &args[0], pos)
                        }
                        _ => unsupported(&format!("min/max of {t0}")),
                    },
                    B::First => match t0 {
                        Type::List(_) => self.un(b, Op::ListFirst, d, &args[0], pos),
                        _ => unsupported(&format!("first of {t0}")),
                    },
                    B::Keys | B::Values => match t0 {
                        Type::Map(..) => {
                            let o = if bi == B::Keys {
                                Op::MapKeys
                            } else {
                                Op::MapValues
                            };
                            self.un(b, o, d, &args[0], pos)
                        }
                        _ => unsupported(&format!("keys/values of {t0}")),
                    },
                    B::Reverse => match t0 {
                        Type::List(_) => self.un(b, Op::ListReverse, d, &args[0], pos),
                        Type::Str => self.un(b, Op::StrReverse, d, &args[0], pos),
                        _ => unsupported(&format!("reverse of {t0}")),
                    },
                    B::Distinct => self.un(b, Op::ListDistinct, d, &args[0], pos),
                    B::SortByKeys => self.bin(b, Op::ListSortByKeys, d, &args[0], &args[1], pos),
                    B::Concat => {
                        let mut acc = self.expr(b, &args[0])?;
                        for a in &args[1..] {
                            let s = self.expr(b, a)?;
                            let t = b.alloc(Bank::Cell);
                            b.op3(Op::ListConcat, t, acc, s, pos);
                            acc = t;
                        }
                        b.mov(Bank::Cell, d, acc, pos);
                        Ok(())
                    }
                    B::Substring => {
                        let s = self.expr(b, &args[0])?;
                        let (i, j) = b.alloc_pair(Bank::I64);
                        self.expr_to(b, &args[1], i)?;
                        self.expr_to(b, &args[2], j)?;
                        b.op3(Op::Substring, d, s, i, pos);
                        Ok(())
                    }
                    B::Upper => self.un(b, Op::StrUpper, d, &args[0], pos),
                    B::Lower => self.un(b, Op::StrLower, d, &args[0], pos),
                    B::Trim => self.un(b, Op::StrTrim, d, &args[0], pos),
                    B::PadStart => {
                        let (s, p) = b.alloc_pair(Bank::Cell);
                        self.expr_to(b, &args[0], s)?;
                        let w = self.expr(b, &args[1])?;
                        self.expr_to(b, &args[2], p)?;
                        b.op3(Op::StrPadStart, d, s, w, pos);
                        Ok(())
                    }
                    B::Split => self.bin(b, Op::StrSplit, d, &args[0], &args[1], pos),
                    B::Join => self.bin(b, Op::StrJoin, d, &args[0], &args[1], pos),
                    B::IndexOf => match t0 {
                        Type::Str => self.bin(b, Op::StrIndexOf, d, &args[0], &args[1], pos),
                        _ => unsupported(&format!("indexOf on {t0}")),
                    },
                    B::Repeat => self.bin(b, Op::StrRepeat, d, &args[0], &args[1], pos),
                    B::Contains => match t0 {
                        Type::Str => self.bin(b, Op::StrContains, d, &args[0], &args[1], pos),
                        Type::List(_) => self.bin(b, Op::ListContains, d, &args[0], &args[1], pos),
                        _ => unsupported(&format!("contains on {t0}")),
                    },
                    B::StartsWith => self.bin(b, Op::StrStartsWith, d, &args[0], &args[1], pos),
                    B::EndsWith => self.bin(b, Op::StrEndsWith, d, &args[0], &args[1], pos),
                    B::ParseIntStr => {
                        let s = self.expr(b, &args[0])?;
                        let base = match args.get(1) {
                            Some(a) => self.expr(b, a)?,
                            None => {
                                let t = b.alloc(Bank::I64);
                                let k = self.konst(10);
                                b.op2(Op::ConstI64, t, Opnd::Raw(k), pos);
                                t
                            }
                        };
                        b.op3(Op::ParseInt, d, s, base, pos);
                        Ok(())
                    }
                    B::Pow => match ty {
                        Type::Int => self.bin(b, Op::PowI64, d, &args[0], &args[1], pos),
                        Type::Float => self.math2(b, h::MATH_POW, d, &args[0], &args[1], pos),
                        _ => unsupported(&format!("pow on {ty}")),
                    },
                    B::Abs => match ty {
                        Type::Int => self.un(b, Op::AbsI64, d, &args[0], pos),
                        Type::Float => self.un(b, Op::AbsF64, d, &args[0], pos),
                        _ => unsupported(&format!("abs of {ty}")),
                    },
                    B::Floor | B::MathFloor => self.math1(b, h::MATH_FLOOR, d, &args[0], pos),
                    B::Ceil | B::MathCeil => self.math1(b, h::MATH_CEIL, d, &args[0], pos),
                    B::Sqrt | B::MathSqrt => self.un(b, Op::SqrtF64, d, &args[0], pos),
                    B::MathPow => self.math2(b, h::MATH_POW, d, &args[0], &args[1], pos),
                    B::MathAtan2 => self.math2(b, h::MATH_ATAN2, d, &args[0], &args[1], pos),
                    B::MathSin => self.math1(b, h::MATH_SIN, d, &args[0], pos),
                    B::MathCos => self.math1(b, h::MATH_COS, d, &args[0], pos),
                    B::MathTan => self.math1(b, h::MATH_TAN, d, &args[0], pos),
                    B::MathAtan => self.math1(b, h::MATH_ATAN, d, &args[0], pos),
                    B::MathExp => self.math1(b, h::MATH_EXP, d, &args[0], pos),
                    B::MathLog => self.math1(b, h::MATH_LOG, d, &args[0], pos),
                    B::MathLog2 => self.math1(b, h::MATH_LOG2, d, &args[0], pos),
                    B::MathLog10 => self.math1(b, h::MATH_LOG10, d, &args[0], pos),
                    B::MathFabs => self.un(b, Op::AbsF64, d, &args[0], pos),
                    B::Round => {
                        let x = self.expr(b, &args[0])?;
                        let digits = match args.get(1) {
                            Some(a) => self.expr(b, a)?,
                            None => {
                                let t = b.alloc(Bank::I64);
                                let k = self.konst(0);
                                b.op2(Op::ConstI64, t, Opnd::Raw(k), pos);
                                t
                            }
                        };
                        b.op3(Op::RoundF64, d, x, digits, pos);
                        Ok(())
                    }
                    B::Print | B::Json | B::Push | B::Now | B::Input | B::Load | B::Save => {
                        unreachable!()
                    }
                }
            }
        }
    }

    fn un(&mut self, b: &mut FnBuilder, o: Op, d: Slot, a: &Expr, pos: Pos) -> Result<()> {
        let s = self.expr(b, a)?;
        b.op2(o, d, s, pos);
        Ok(())
    }

    fn bin(
        &mut self,
        b: &mut FnBuilder,
        o: Op,
        d: Slot,
        x: &Expr,
        y: &Expr,
        pos: Pos,
    ) -> Result<()> {
        let xs = self.expr(b, x)?;
        let ys = self.expr(b, y)?;
        b.op3(o, d, xs, ys, pos);
        Ok(())
    }

    fn math1(&mut self, b: &mut FnBuilder, f: u32, d: Slot, x: &Expr, pos: Pos) -> Result<()> {
        let xs = self.expr(b, x)?;
        b.op3(Op::MathF64, d, xs, Opnd::Raw(f), pos);
        Ok(())
    }

    fn math2(
        &mut self,
        b: &mut FnBuilder,
        f: u32,
        d: Slot,
        x: &Expr,
        y: &Expr,
        pos: Pos,
    ) -> Result<()> {
        let (xs, ys) = b.alloc_pair(Bank::F64);
        self.expr_to(b, x, xs)?;
        self.expr_to(b, y, ys)?;
        b.op3(Op::MathF64, d, xs, Opnd::Raw(f), pos);
        Ok(())
    }
}
