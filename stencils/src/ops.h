/* Generated from the op table (vm/src/ops.rs): do not edit. */
/* Regenerate: MOCHI_REGEN_OPS_H=1 cargo test -p tier2-jit --test op_table, */
/* then regenerate the stencil table (README.md). */
#ifndef MOCHI_OPS_H
#define MOCHI_OPS_H

#define OP_MOV_I64 0 /* R[a] := R[b]  (i64) | a:I b:I | stencil mov_i64 */
#define OP_MOV_F64 1 /* R[a] := R[b]  (f64) | a:F b:F | stencil mov_f64 */
#define OP_MOV_CELL 2 /* R[a] := R[b]  (cell) | a:C b:C | stencil mov_cell */
#define OP_CONST_I64 3 /* R[a] := K[b]  (i64 constant) | a:I b:K | stencil const_i64 */
#define OP_CONST_F64 4 /* R[a] := K[b]  (f64 constant) | a:F b:K | stencil const_f64 */
#define OP_CONST_CELL 5 /* R[a] := K[b]  (cell constant, e.g. an interned string) | a:C b:K | stencil const_cell */
#define OP_LOAD_GLOBAL_I64 6 /* R[a] := G[b]  (i64) | a:I b:G | stencil load_global_i64 */
#define OP_LOAD_GLOBAL_F64 7 /* R[a] := G[b]  (f64) | a:F b:G | stencil load_global_f64 */
#define OP_LOAD_GLOBAL_CELL 8 /* R[a] := G[b]  (cell) | a:C b:G | stencil load_global_cell */
#define OP_STORE_GLOBAL_I64 9 /* G[a] := R[b]  (i64) | a:G b:I | stencil store_global_i64 */
#define OP_STORE_GLOBAL_F64 10 /* G[a] := R[b]  (f64) | a:G b:F | stencil store_global_f64 */
#define OP_STORE_GLOBAL_CELL 11 /* G[a] := R[b]  (cell) | a:G b:C | stencil store_global_cell */
#define OP_INIT_CELLS 12 /* R[a .. a+b] := nil  (cell slots; first op of a function that has cell slots) | a:C b:N | stencil init_cells */
#define OP_ADD_I64 13 /* R[a] := R[b] + R[c]  (overflow: error) | a:I b:I c:I | stencil add_i64 [exit] */
#define OP_SUB_I64 14 /* R[a] := R[b] - R[c]  (overflow: error) | a:I b:I c:I | stencil sub_i64 [exit] */
#define OP_MUL_I64 15 /* R[a] := R[b] * R[c]  (overflow: error) | a:I b:I c:I | stencil mul_i64 [exit] */
#define OP_DIV_I64 16 /* R[a] := R[b] / R[c]  truncated (zero: error; MIN / -1: overflow error) | a:I b:I c:I | stencil div_i64 [exit] */
#define OP_MOD_I64 17 /* R[a] := R[b] % R[c]  sign of dividend (zero: error; MIN % -1 = 0) | a:I b:I c:I | stencil mod_i64 [exit] */
#define OP_ADD_I64_IMM 18 /* R[a] := R[b] + c  (signed immediate; overflow: error) | a:I b:I c:S | stencil add_i64_imm [exit] */
#define OP_NEG_I64 19 /* R[a] := -R[b]  (overflow: error) | a:I b:I | stencil neg_i64 [exit] */
#define OP_EQ_I64 20 /* R[a] := R[b] == R[c] | a:I b:I c:I | stencil eq_i64 */
#define OP_NE_I64 21 /* R[a] := R[b] != R[c] | a:I b:I c:I | stencil ne_i64 */
#define OP_LT_I64 22 /* R[a] := R[b] < R[c] | a:I b:I c:I | stencil lt_i64 */
#define OP_LE_I64 23 /* R[a] := R[b] <= R[c] | a:I b:I c:I | stencil le_i64 */
#define OP_NOT 24 /* R[a] := !R[b]  (bool) | a:I b:I | stencil not */
#define OP_ADD_F64 25 /* R[a] := R[b] + R[c] | a:F b:F c:F | stencil add_f64 */
#define OP_SUB_F64 26 /* R[a] := R[b] - R[c] | a:F b:F c:F | stencil sub_f64 */
#define OP_MUL_F64 27 /* R[a] := R[b] * R[c] | a:F b:F c:F | stencil mul_f64 */
#define OP_DIV_F64 28 /* R[a] := R[b] / R[c]  (zero divisor: error) | a:F b:F c:F | stencil div_f64 [exit] */
#define OP_MOD_F64 29 /* R[a] := fmod(R[b], R[c])  (zero divisor: error) | a:F b:F c:F | stencil mod_f64 [exit] */
#define OP_NEG_F64 30 /* R[a] := -R[b] | a:F b:F | stencil neg_f64 */
#define OP_EQ_F64 31 /* R[a] := R[b] == R[c]  (bool result) | a:I b:F c:F | stencil eq_f64 */
#define OP_NE_F64 32 /* R[a] := R[b] != R[c] | a:I b:F c:F | stencil ne_f64 */
#define OP_LT_F64 33 /* R[a] := R[b] < R[c] | a:I b:F c:F | stencil lt_f64 */
#define OP_LE_F64 34 /* R[a] := R[b] <= R[c] | a:I b:F c:F | stencil le_f64 */
#define OP_I64_TO_F64 35 /* R[a] := float(R[b]) | a:F b:I | stencil i64_to_f64 */
#define OP_JMP 36 /* pc := a | a:T | stencil jmp */
#define OP_JMP_TRUE 37 /* if R[a] then pc := b | a:I b:T | stencil jmp_true */
#define OP_JMP_FALSE 38 /* if not R[a] then pc := b | a:I b:T | stencil jmp_false */
#define OP_JLT_I64 39 /* if R[a] < R[b] then pc := c | a:I b:I c:T | stencil jlt_i64 */
#define OP_INC_JLT_I64 40 /* R[a] := R[a] + 1 (overflow: error); if R[a] < R[b] then pc := c  (for-loop step) | a:I b:I c:T | stencil inc_jlt_i64 [exit] */
#define OP_JLE_I64 41 /* if R[a] <= R[b] then pc := c | a:I b:I c:T | stencil jle_i64 */
#define OP_JEQ_I64 42 /* if R[a] == R[b] then pc := c | a:I b:I c:T | stencil jeq_i64 */
#define OP_JNE_I64 43 /* if R[a] != R[b] then pc := c | a:I b:I c:T | stencil jne_i64 */
#define OP_JLT_I64_IMM 44 /* if R[a] < b then pc := c  (signed immediate) | a:I b:S c:T | stencil jlt_i64_imm */
#define OP_JLE_I64_IMM 45 /* if R[a] <= b then pc := c | a:I b:S c:T | stencil jle_i64_imm */
#define OP_JGT_I64_IMM 46 /* if R[a] > b then pc := c | a:I b:S c:T | stencil jgt_i64_imm */
#define OP_JGE_I64_IMM 47 /* if R[a] >= b then pc := c | a:I b:S c:T | stencil jge_i64_imm */
#define OP_JEQ_I64_IMM 48 /* if R[a] == b then pc := c | a:I b:S c:T | stencil jeq_i64_imm */
#define OP_JNE_I64_IMM 49 /* if R[a] != b then pc := c | a:I b:S c:T | stencil jne_i64_imm */
#define OP_JLT_F64 50 /* if R[a] < R[b] then pc := c  (f64) | a:F b:F c:T | stencil jlt_f64 */
#define OP_JLE_F64 51 /* if R[a] <= R[b] then pc := c  (f64) | a:F b:F c:T | stencil jle_f64 */
#define OP_JNLT_F64 52 /* if not (R[a] < R[b]) then pc := c  (f64; true when unordered) | a:F b:F c:T | stencil jnlt_f64 */
#define OP_JNLE_F64 53 /* if not (R[a] <= R[b]) then pc := c  (f64; true when unordered) | a:F b:F c:T | stencil jnle_f64 */
#define OP_JEQ_F64 54 /* if R[a] == R[b] then pc := c  (f64) | a:F b:F c:T | stencil jeq_f64 */
#define OP_JNE_F64 55 /* if R[a] != R[b] then pc := c  (f64) | a:F b:F c:T | stencil jne_f64 */
#define OP_CALL 56 /* push a frame for function a at fp + 8*c (its arguments already stored there by moves), call it; its result lands in R[b] | a:Fn b:R c:W | stencil call [call, exit] */
#define OP_RET_I64 57 /* return R[a] (i64) to the caller's result slot; pop the frame | a:I | stencil ret_i64 [ret] */
#define OP_RET_F64 58 /* return R[a] (f64) | a:F | stencil ret_f64 [ret] */
#define OP_RET_CELL 59 /* return R[a] (cell) | a:C | stencil ret_cell [ret] */
#define OP_RET_VOID 60 /* return (no value) |  | stencil ret_void [ret] */
#define OP_PRINT_I64 61 /* print buffer += fmt(R[a])  (int) | a:I | stencil print_i64 */
#define OP_PRINT_F64 62 /* print buffer += fmt(R[a])  (float) | a:F | stencil print_f64 */
#define OP_PRINT_BOOL 63 /* print buffer += fmt(R[a])  (bool) | a:I | stencil print_bool */
#define OP_PRINT_STR 64 /* print buffer += R[a]  (string) | a:C | stencil print_str */
#define OP_PRINT_END 65 /* write the print buffer (a = argument count; trimmed when a >= 3) and a newline | a:N | stencil print_end */
#define OP_LIST_LEN 66 /* R[a] := len(R[b])  (list) | a:I b:C | stencil list_len */
#define OP_LIST_GET_I64 67 /* R[a] := R[b][R[c]]  (list<int>/list<bool>: raw i64 words; a negative index counts from the end; out of range: error) | a:I b:C c:I | stencil list_get_i64 [exit] */
#define OP_LIST_GET_F64 68 /* R[a] := R[b][R[c]]  (list<float>: raw f64 words; negative from the end; out of range: error) | a:F b:C c:I | stencil list_get_f64 [exit] */
#define OP_LIST_GET_CELL 69 /* R[a] := R[b][R[c]]  (list of Cells; negative from the end; out of range: error) | a:C b:C c:I | stencil list_get_cell [exit] */
#define OP_LIST_SET_I64 70 /* R[a][R[b]] := R[c]  (list<int>/list<bool>, in place; negative from the end; out of range: error) | a:C b:I c:I | stencil list_set_i64 [exit] */
#define OP_LIST_SET_F64 71 /* R[a][R[b]] := R[c]  (list<float>, in place; negative from the end; out of range: error) | a:C b:I c:F | stencil list_set_f64 [exit] */
#define OP_LIST_SET_CELL 72 /* R[a][R[b]] := R[c]  (list of Cells, in place; negative from the end; out of range: error) | a:C b:I c:C | stencil list_set_cell [exit] */
#define OP_GET_FIELD_I64 73 /* R[a] := R[b].fields[c]  (record field c: an int or bool) | a:I b:C c:N | stencil get_field_i64 */
#define OP_GET_FIELD_F64 74 /* R[a] := R[b].fields[c]  (a float field) | a:F b:C c:N | stencil get_field_f64 */
#define OP_GET_FIELD_CELL 75 /* R[a] := R[b].fields[c]  (a Cell field) | a:C b:C c:N | stencil get_field_cell */
#define OP_SET_FIELD_I64 76 /* R[a].fields[b] := R[c]  (an int or bool field, in place) | a:C b:N c:I | stencil set_field_i64 */
#define OP_SET_FIELD_F64 77 /* R[a].fields[b] := R[c]  (a float field, in place) | a:C b:N c:F | stencil set_field_f64 */
#define OP_SET_FIELD_CELL 78 /* R[a].fields[b] := R[c]  (a Cell field, in place) | a:C b:N c:C | stencil set_field_cell */
#define OP_STR_LEN 79 /* R[a] := len(R[b])  (string, in runes) | a:I b:C | stencil str_len */
#define OP_CONCAT_STR 80 /* R[a] := R[b] ++ R[c]  (string concatenation) | a:C b:C c:C | helper concat_str [alloc] */
#define OP_STR_FROM_I64 81 /* R[a] := str(R[b])  (int) | a:C b:I | helper str_from_i64 [alloc] */
#define OP_STR_FROM_F64 82 /* R[a] := str(R[b])  (float) | a:C b:F | helper str_from_f64 [alloc] */
#define OP_STR_FROM_BOOL 83 /* R[a] := str(R[b])  (bool) | a:C b:I | helper str_from_bool [alloc] */
#define OP_EQ_STR 84 /* R[a] := R[b] == R[c]  (strings) | a:I b:C c:C | helper eq_str */
#define OP_NE_STR 85 /* R[a] := R[b] != R[c]  (strings) | a:I b:C c:C | helper ne_str */
#define OP_LT_STR 86 /* R[a] := R[b] < R[c]  (strings, byte order) | a:I b:C c:C | helper lt_str */
#define OP_LE_STR 87 /* R[a] := R[b] <= R[c]  (strings, byte order) | a:I b:C c:C | helper le_str */

/* The stencil of every op that tier 2 compiles. */
STENCIL(mov_i64);
STENCIL(mov_f64);
STENCIL(mov_cell);
STENCIL(const_i64);
STENCIL(const_f64);
STENCIL(const_cell);
STENCIL(load_global_i64);
STENCIL(load_global_f64);
STENCIL(load_global_cell);
STENCIL(store_global_i64);
STENCIL(store_global_f64);
STENCIL(store_global_cell);
STENCIL(init_cells);
STENCIL(add_i64);
STENCIL(sub_i64);
STENCIL(mul_i64);
STENCIL(div_i64);
STENCIL(mod_i64);
STENCIL(add_i64_imm);
STENCIL(neg_i64);
STENCIL(eq_i64);
STENCIL(ne_i64);
STENCIL(lt_i64);
STENCIL(le_i64);
STENCIL(not);
STENCIL(add_f64);
STENCIL(sub_f64);
STENCIL(mul_f64);
STENCIL(div_f64);
STENCIL(mod_f64);
STENCIL(neg_f64);
STENCIL(eq_f64);
STENCIL(ne_f64);
STENCIL(lt_f64);
STENCIL(le_f64);
STENCIL(i64_to_f64);
STENCIL(jmp);
STENCIL(jmp_true);
STENCIL(jmp_false);
STENCIL(jlt_i64);
STENCIL(inc_jlt_i64);
STENCIL(jle_i64);
STENCIL(jeq_i64);
STENCIL(jne_i64);
STENCIL(jlt_i64_imm);
STENCIL(jle_i64_imm);
STENCIL(jgt_i64_imm);
STENCIL(jge_i64_imm);
STENCIL(jeq_i64_imm);
STENCIL(jne_i64_imm);
STENCIL(jlt_f64);
STENCIL(jle_f64);
STENCIL(jnlt_f64);
STENCIL(jnle_f64);
STENCIL(jeq_f64);
STENCIL(jne_f64);
STENCIL(call);
STENCIL(ret_i64);
STENCIL(ret_f64);
STENCIL(ret_cell);
STENCIL(ret_void);
STENCIL(print_i64);
STENCIL(print_f64);
STENCIL(print_bool);
STENCIL(print_str);
STENCIL(print_end);
STENCIL(list_len);
STENCIL(list_get_i64);
STENCIL(list_get_f64);
STENCIL(list_get_cell);
STENCIL(list_set_i64);
STENCIL(list_set_f64);
STENCIL(list_set_cell);
STENCIL(get_field_i64);
STENCIL(get_field_f64);
STENCIL(get_field_cell);
STENCIL(set_field_i64);
STENCIL(set_field_f64);
STENCIL(set_field_cell);
STENCIL(str_len);

#endif
