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
#define OP_SEL_I64_K 25 /* R[a] := K[c] if R[b] != 0, else R[a]  (a select: a chain of `if c { return k }` lowered without branches) | a:I b:I c:K | stencil sel_i64_k */
#define OP_SEL_LT_I64_K 26 /* R[a] := K[c+1] if R[b] < K[c], else R[a]  (a select on a comparison with a constant) | a:I b:I c:K | stencil sel_lt_i64_k */
#define OP_SEL_LE_I64_K 27 /* R[a] := K[c+1] if R[b] <= K[c], else R[a] | a:I b:I c:K | stencil sel_le_i64_k */
#define OP_SEL_GT_I64_K 28 /* R[a] := K[c+1] if R[b] > K[c], else R[a] | a:I b:I c:K | stencil sel_gt_i64_k */
#define OP_SEL_GE_I64_K 29 /* R[a] := K[c+1] if R[b] >= K[c], else R[a] | a:I b:I c:K | stencil sel_ge_i64_k */
#define OP_SEL_LT_F64_K 30 /* R[a] := K[c+1] if R[b] < K[c] (floats; false for NaN), else R[a] | a:I b:F c:K | stencil sel_lt_f64_k */
#define OP_SEL_LE_F64_K 31 /* R[a] := K[c+1] if R[b] <= K[c] (floats), else R[a] | a:I b:F c:K | stencil sel_le_f64_k */
#define OP_SEL_GT_F64_K 32 /* R[a] := K[c+1] if R[b] > K[c] (floats), else R[a] | a:I b:F c:K | stencil sel_gt_f64_k */
#define OP_SEL_GE_F64_K 33 /* R[a] := K[c+1] if R[b] >= K[c] (floats), else R[a] | a:I b:F c:K | stencil sel_ge_f64_k */
#define OP_ADD_F64 34 /* R[a] := R[b] + R[c] | a:F b:F c:F | stencil add_f64 */
#define OP_SUB_F64 35 /* R[a] := R[b] - R[c] | a:F b:F c:F | stencil sub_f64 */
#define OP_MUL_F64 36 /* R[a] := R[b] * R[c] | a:F b:F c:F | stencil mul_f64 */
#define OP_DIV_F64 37 /* R[a] := R[b] / R[c]  (zero divisor: error) | a:F b:F c:F | stencil div_f64 [exit] */
#define OP_MOD_F64 38 /* R[a] := fmod(R[b], R[c])  (zero divisor: error) | a:F b:F c:F | stencil mod_f64 [exit] */
#define OP_NEG_F64 39 /* R[a] := -R[b] | a:F b:F | stencil neg_f64 */
#define OP_SQRT_F64 40 /* R[a] := sqrt(R[b])  (NaN below zero, as IEEE 754 says) | a:F b:F | stencil sqrt_f64 */
#define OP_ABS_F64 41 /* R[a] := |R[b]|  (clears the sign bit, of NaN too) | a:F b:F | stencil abs_f64 */
#define OP_EQ_F64 42 /* R[a] := R[b] == R[c]  (bool result) | a:I b:F c:F | stencil eq_f64 */
#define OP_NE_F64 43 /* R[a] := R[b] != R[c] | a:I b:F c:F | stencil ne_f64 */
#define OP_LT_F64 44 /* R[a] := R[b] < R[c] | a:I b:F c:F | stencil lt_f64 */
#define OP_LE_F64 45 /* R[a] := R[b] <= R[c] | a:I b:F c:F | stencil le_f64 */
#define OP_I64_TO_F64 46 /* R[a] := float(R[b]) | a:F b:I | stencil i64_to_f64 */
#define OP_JMP 47 /* pc := a | a:T | stencil jmp */
#define OP_JMP_TRUE 48 /* if R[a] then pc := b | a:I b:T | stencil jmp_true */
#define OP_JMP_FALSE 49 /* if not R[a] then pc := b | a:I b:T | stencil jmp_false */
#define OP_JLT_I64 50 /* if R[a] < R[b] then pc := c | a:I b:I c:T | stencil jlt_i64 */
#define OP_INC_JLT_I64 51 /* R[a] := R[a] + 1 (overflow: error); if R[a] < R[b] then pc := c  (for-loop step) | a:I b:I c:T | stencil inc_jlt_i64 [exit] */
#define OP_JLE_I64 52 /* if R[a] <= R[b] then pc := c | a:I b:I c:T | stencil jle_i64 */
#define OP_JEQ_I64 53 /* if R[a] == R[b] then pc := c | a:I b:I c:T | stencil jeq_i64 */
#define OP_JNE_I64 54 /* if R[a] != R[b] then pc := c | a:I b:I c:T | stencil jne_i64 */
#define OP_JLT_I64_IMM 55 /* if R[a] < b then pc := c  (signed immediate) | a:I b:S c:T | stencil jlt_i64_imm */
#define OP_JLE_I64_IMM 56 /* if R[a] <= b then pc := c | a:I b:S c:T | stencil jle_i64_imm */
#define OP_JGT_I64_IMM 57 /* if R[a] > b then pc := c | a:I b:S c:T | stencil jgt_i64_imm */
#define OP_JGE_I64_IMM 58 /* if R[a] >= b then pc := c | a:I b:S c:T | stencil jge_i64_imm */
#define OP_JEQ_I64_IMM 59 /* if R[a] == b then pc := c | a:I b:S c:T | stencil jeq_i64_imm */
#define OP_JNE_I64_IMM 60 /* if R[a] != b then pc := c | a:I b:S c:T | stencil jne_i64_imm */
#define OP_JLT_F64 61 /* if R[a] < R[b] then pc := c  (f64) | a:F b:F c:T | stencil jlt_f64 */
#define OP_JLE_F64 62 /* if R[a] <= R[b] then pc := c  (f64) | a:F b:F c:T | stencil jle_f64 */
#define OP_JNLT_F64 63 /* if not (R[a] < R[b]) then pc := c  (f64; true when unordered) | a:F b:F c:T | stencil jnlt_f64 */
#define OP_JNLE_F64 64 /* if not (R[a] <= R[b]) then pc := c  (f64; true when unordered) | a:F b:F c:T | stencil jnle_f64 */
#define OP_JEQ_F64 65 /* if R[a] == R[b] then pc := c  (f64) | a:F b:F c:T | stencil jeq_f64 */
#define OP_JNE_F64 66 /* if R[a] != R[b] then pc := c  (f64) | a:F b:F c:T | stencil jne_f64 */
#define OP_CALL 67 /* push a frame for function a at fp + 8*c (its arguments already stored there by moves), call it; its result lands in R[b] | a:Fn b:R c:W | stencil call [call, exit] */
#define OP_RET_I64 68 /* return R[a] (i64) to the caller's result slot; pop the frame | a:I | stencil ret_i64 [ret] */
#define OP_RET_F64 69 /* return R[a] (f64) | a:F | stencil ret_f64 [ret] */
#define OP_RET_CELL 70 /* return R[a] (cell) | a:C | stencil ret_cell [ret] */
#define OP_RET_VOID 71 /* return (no value) |  | stencil ret_void [ret] */
#define OP_PRINT_I64 72 /* print buffer += fmt(R[a])  (int) | a:I | stencil print_i64 */
#define OP_PRINT_F64 73 /* print buffer += fmt(R[a])  (float) | a:F | stencil print_f64 */
#define OP_PRINT_BOOL 74 /* print buffer += fmt(R[a])  (bool) | a:I | stencil print_bool */
#define OP_PRINT_STR 75 /* print buffer += R[a]  (string) | a:C | stencil print_str */
#define OP_PRINT_END 76 /* write the print buffer (a = argument count; trimmed when a >= 3) and a newline | a:N | helper print_end */
#define OP_CONCAT_STR 77 /* R[a] := R[b] ++ R[c]  (string concatenation) | a:C b:C c:C | stencil concat_str, slow path helper [alloc] */
#define OP_APPEND_STR 78 /* R[a] := R[a] ++ R[b], R[a]'s string extended in place when it is its own  (an owned local's `s = s + t`) | a:C b:C | stencil append_str, slow path helper [alloc] */
#define OP_STR_FROM_I64 79 /* R[a] := str(R[b])  (int) | a:C b:I | helper str_from_i64 [alloc] */
#define OP_STR_FROM_F64 80 /* R[a] := str(R[b])  (float) | a:C b:F | helper str_from_f64 [alloc] */
#define OP_STR_FROM_BOOL 81 /* R[a] := str(R[b])  (bool) | a:C b:I | helper str_from_bool [alloc] */
#define OP_EQ_STR 82 /* R[a] := R[b] == R[c]  (strings) | a:I b:C c:C | helper eq_str */
#define OP_NE_STR 83 /* R[a] := R[b] != R[c]  (strings) | a:I b:C c:C | helper ne_str */
#define OP_LT_STR 84 /* R[a] := R[b] < R[c]  (strings, byte order) | a:I b:C c:C | helper lt_str */
#define OP_LE_STR 85 /* R[a] := R[b] <= R[c]  (strings, byte order) | a:I b:C c:C | helper le_str */
#define OP_STR_LEN 86 /* R[a] := len(R[b])  (string: runes) | a:I b:C | stencil str_len [exit] */
#define OP_STR_INDEX 87 /* R[a] := R[b][R[c]]  (1-rune string; negative counts from the end; out of range: error) | a:C b:C c:I | helper str_index [alloc, exit] */
#define OP_STR_SLICE 88 /* R[a] := R[b][R[c] : R[c+1]]  (string slice, bounds clamped) | a:C b:C c:I | helper str_slice [alloc] */
#define OP_SUBSTRING 89 /* R[a] := substring(R[b], R[c], R[c+1])  (end index, clamped) | a:C b:C c:I | helper substring [alloc] */
#define OP_TO_STR 90 /* R[a] := str(R[b])  (R[b] a word of runtime type c; `str` formatting) | a:C b:R c:N | helper to_str [alloc] */
#define OP_STR_CONTAINS 91 /* R[a] := R[c] in R[b]  (substring test) | a:I b:C c:C | helper str_contains */
#define OP_STR_STARTS_WITH 92 /* R[a] := R[b] starts with R[c] | a:I b:C c:C | helper str_starts_with */
#define OP_STR_ENDS_WITH 93 /* R[a] := R[b] ends with R[c] | a:I b:C c:C | helper str_ends_with */
#define OP_STR_UPPER 94 /* R[a] := upper(R[b]) | a:C b:C | helper str_upper [alloc] */
#define OP_STR_LOWER 95 /* R[a] := lower(R[b]) | a:C b:C | helper str_lower [alloc] */
#define OP_STR_TRIM 96 /* R[a] := trim(R[b]) | a:C b:C | helper str_trim [alloc] */
#define OP_STR_REVERSE 97 /* R[a] := reverse(R[b])  (runes) | a:C b:C | helper str_reverse [alloc] */
#define OP_STR_SPLIT 98 /* R[a] := split(R[b], R[c])  (list<string>) | a:C b:C c:C | helper str_split [alloc] */
#define OP_STR_JOIN 99 /* R[a] := join(R[b], R[c])  (R[b] a list of strings) | a:C b:C c:C | helper str_join [alloc] */
#define OP_STR_INDEX_OF 100 /* R[a] := indexOf(R[b], R[c])  (runes; -1 if absent) | a:I b:C c:C | helper str_index_of */
#define OP_STR_REPEAT 101 /* R[a] := repeat(R[b], R[c]) | a:C b:C c:I | helper str_repeat [alloc] */
#define OP_STR_PAD_START 102 /* R[a] := padStart(R[b], R[c], R[b+1])  (pad string in the next cell word) | a:C b:C c:I | helper str_pad_start [alloc] */
#define OP_PARSE_INT 103 /* R[a] := parseIntStr(R[b], base R[c])  (error on bad digits) | a:I b:C c:I | helper parse_int [exit] */
#define OP_STR_TO_INT 104 /* R[a] := R[b] as int  (error `cannot cast "x" to int`) | a:I b:C | helper str_to_int [exit] */
#define OP_STR_TO_FLOAT 105 /* R[a] := R[b] as float  (error `cannot cast "x" to float`) | a:F b:C | helper str_to_float [exit] */
#define OP_NEW_LIST 106 /* R[a] := new empty list of element type b with capacity c | a:C b:N c:N | stencil new_list, slow path helper [alloc] */
#define OP_NEW_LIST_SMALL 107 /* R[a] := new empty list of element type b with capacity c, 1 <= c <= arenas::SMALL_CAPS  (a list literal's; a kept buffer serves it) | a:C b:N c:N | stencil new_list_small, slow path helper [alloc] */
#define OP_LIST_PUSH 108 /* R[a].push(R[b])  (in place; the word's meaning is the list's element type) | a:C b:R | stencil list_push, slow path helper [alloc] */
#define OP_LIST_LEN 109 /* R[a] := len(R[b])  (list) | a:I b:C | stencil list_len [exit] */
#define OP_LIST_GET_I64 110 /* R[a] := R[b][R[c]]  (list<int|bool>; negative counts from the end; out of range: error) | a:I b:C c:I | stencil list_get_i64 [exit] */
#define OP_LIST_GET_F64 111 /* R[a] := R[b][R[c]]  (list<float>) | a:F b:C c:I | stencil list_get_f64 [exit] */
#define OP_LIST_GET_CELL 112 /* R[a] := R[b][R[c]]  (list of cells) | a:C b:C c:I | stencil list_get_cell [exit] */
#define OP_LIST_SET_I64 113 /* R[a][R[b]] := R[c]  (list<int|bool>; negative counts from the end; out of range: error) | a:C b:I c:I | stencil list_set_i64 [exit] */
#define OP_LIST_SET_F64 114 /* R[a][R[b]] := R[c]  (list<float>) | a:C b:I c:F | stencil list_set_f64 [exit] */
#define OP_LIST_SET_CELL 115 /* R[a][R[b]] := R[c]  (list of cells) | a:C b:I c:C | stencil list_set_cell [exit] */
#define OP_LIST_APPEND 116 /* R[a] := append(R[b], R[c])  (a new list) | a:C b:C c:R | helper list_append [alloc] */
#define OP_LIST_CONCAT 117 /* R[a] := R[b] + R[c]  (list concatenation: a new list) | a:C b:C c:C | helper list_concat [alloc] */
#define OP_LIST_SLICE 118 /* R[a] := R[b][R[c] : R[c+1]]  (list slice, bounds clamped) | a:C b:C c:I | helper list_slice [alloc] */
#define OP_LIST_CONTAINS 119 /* R[a] := R[c] in R[b]  (deep equality) | a:I b:C c:R | helper list_contains */
#define OP_LIST_REVERSE 120 /* R[a] := reverse(R[b])  (a new list) | a:C b:C | helper list_reverse [alloc] */
#define OP_LIST_DISTINCT 121 /* R[a] := distinct(R[b])  (first occurrences, in order) | a:C b:C | helper list_distinct [alloc] */
#define OP_LIST_SUM_I64 122 /* R[a] := sum(R[b])  (list<int>; overflow: error) | a:I b:C | helper list_sum_i64 [exit] */
#define OP_LIST_SUM_F64 123 /* R[a] := sum(R[b])  (list<float>) | a:F b:C | helper list_sum_f64 */
#define OP_LIST_AVG 124 /* R[a] := avg(R[b])  (0 for an empty list) | a:F b:C | helper list_avg */
#define OP_LIST_MIN 125 /* R[a] := min(R[b])  (a word of the element type; empty: the zero word) | a:R b:C | helper list_min */
#define OP_LIST_MAX 126 /* R[a] := max(R[b]) | a:R b:C | helper list_max */
#define OP_LIST_FIRST 127 /* R[a] := first(R[b])  (empty: the zero word / nil) | a:R b:C | helper list_first */
#define OP_NEW_MAP 128 /* R[a] := new empty map with key type b and value type c | a:C b:N c:N | helper new_map [alloc] */
#define OP_MAP_GET 129 /* R[a] := R[b][R[c]]  (missing key: the value type's zero word, nil for cells) | a:R b:C c:R | stencil map_get, slow path helper */
#define OP_MAP_SET 130 /* R[a][R[b]] := R[c] | a:C b:R c:R | stencil map_set, slow path helper [alloc] */
#define OP_MAP_HAS 131 /* R[a] := R[c] in R[b]  (has key) | a:I b:C c:R | helper map_has */
#define OP_MAP_LEN 132 /* R[a] := len(R[b])  (map) | a:I b:C | helper map_len */
#define OP_LEN_ANY 133 /* R[a] := len(R[b])  (a string, list or map held in a cell of type any) | a:I b:C | helper len_any [exit] */
#define OP_MAP_KEYS 134 /* R[a] := keys(R[b])  (a new list, sorted keys) | a:C b:C | helper map_keys [alloc] */
#define OP_MAP_VALUES 135 /* R[a] := values(R[b])  (a new list, ordered by sorted key) | a:C b:C | helper map_values [alloc] */
#define OP_NEW_RECORD 136 /* R[a] := new record of struct type b, every field zero (nil for cells) | a:C b:N | helper new_record [alloc] */
#define OP_GET_FIELD_I64 137 /* R[a] := R[b].field[c]  (i64 field) | a:I b:C c:N | stencil get_field_i64 [exit] */
#define OP_GET_FIELD_F64 138 /* R[a] := R[b].field[c]  (f64 field) | a:F b:C c:N | stencil get_field_f64 [exit] */
#define OP_GET_FIELD_CELL 139 /* R[a] := R[b].field[c]  (cell field; also a closure's capture c) | a:C b:C c:N | stencil get_field_cell [exit] */
#define OP_SET_FIELD_I64 140 /* R[a].field[b] := R[c]  (i64 field) | a:C b:N c:I | stencil set_field_i64 [exit] */
#define OP_SET_FIELD_F64 141 /* R[a].field[b] := R[c]  (f64 field) | a:C b:N c:F | stencil set_field_f64 [exit] */
#define OP_SET_FIELD_CELL 142 /* R[a].field[b] := R[c]  (cell field; also a closure's capture b) | a:C b:N c:C | stencil set_field_cell [exit] */
#define OP_JMP_NOT_TYPE 143 /* if R[a] is not a record of type b then pc := c  (match on a union variant) | a:C b:N c:T | stencil jmp_not_type */
#define OP_MAP_TO_STRUCT 144 /* R[a] := R[b] as struct type c  (from a map with string keys; error when a field is missing) | a:C b:C c:N | helper map_to_struct [alloc, exit] */
#define OP_NEW_CLOSURE 145 /* R[a] := a closure of function b with zeroed captures (filled by SetField*) | a:C b:Fn | helper new_closure [alloc] */
#define OP_CALL_CLOSURE 146 /* call the closure R[a] with the arguments stored at the next frame (fp + 8*c); if its function has captures, R[a] is also stored as its hidden last parameter; the result lands in R[b] | a:C b:R c:W | stencil call_closure [call, exit] */
#define OP_JMP_NIL 147 /* if R[a] is nil then pc := b | a:C b:T | stencil jmp_nil */
#define OP_JMP_NOT_NIL 148 /* if R[a] is not nil then pc := b | a:C b:T | stencil jmp_not_nil */
#define OP_BOX 149 /* R[a] := R[b] as a self-describing Cell  (R[b] a word of runtime type c) | a:C b:R c:N | helper box_word [alloc] */
#define OP_UNBOX 150 /* R[a] := R[b] as a word of runtime type c  (error `cannot cast` when it is not one) | a:R b:C c:N | helper unbox_word [exit] */
#define OP_EQ_CELL 151 /* R[a] := R[b] == R[c]  (deep equality of two cells; numbers across kinds) | a:I b:C c:C | helper eq_cell */
#define OP_CMP_CELL 152 /* R[a] := compare(R[b], R[b+1]) rel c  (c: 0 <, 1 <=, 2 >, 3 >=; two cells) | a:I b:C c:N | helper cmp_cell */
#define OP_F64_TO_I64 153 /* R[a] := trunc(R[b])  (NaN or out of range: overflow error) | a:I b:F | stencil f64_to_i64 [exit] */
#define OP_POW_I64 154 /* R[a] := R[b] ** R[c]  (ints; negative exponent or overflow: error) | a:I b:I c:I | helper pow_i64 [exit] */
#define OP_MATH_F64 155 /* R[a] := math function c of R[b]  (c: see `vm::runtime::helpers::MATH_FNS`; two-argument functions read R[b+1]) | a:F b:F c:N | helper math_f64 */
#define OP_ABS_I64 156 /* R[a] := |R[b]|  (overflow: error) | a:I b:I | stencil abs_i64 [exit] */
#define OP_ROUND_F64 157 /* R[a] := round(R[b], R[c] digits)  (half away from zero) | a:F b:F c:I | helper round_f64 */
#define OP_BIG_BINARY 158 /* R[a] := bigint R[b] op c R[b+1]  (c: 0 + 1 - 2 * 3 / 4 % 5 ==, 6 <, 7 <=; comparisons give bool cells) | a:C b:C c:N | helper big_binary [alloc, exit] */
#define OP_INT_TO_BIG 159 /* R[a] := bigint(R[b]) | a:C b:I | helper int_to_big [alloc] */
#define OP_BIG_TO_INT 160 /* R[a] := int(R[b])  (bigint; out of range: overflow error) | a:I b:C | helper big_to_int [exit] */
#define OP_BIG_TO_FLOAT 161 /* R[a] := float(R[b])  (bigint) | a:F b:C | helper big_to_float */
#define OP_BIG_CONST 162 /* R[a] := the bigint constant K[b] (decimal digits, a string constant) | a:C b:K | helper big_const [alloc] */
#define OP_PRINT_CELL 163 /* print buffer += fmt(R[a])  (a word of runtime type b) | a:R b:N | helper print_cell */
#define OP_JSON 164 /* write json(R[a]) (a word of runtime type b) and a newline | a:R b:N | helper json */
#define OP_NOW 165 /* R[a] := now()  (ns; a seeded LCG when MOCHI_NOW_SEED is set) | a:I | helper now */
#define OP_INPUT 166 /* R[a] := one line of stdin (without the newline; "" at end of input) | a:C | helper input [alloc] */
#define OP_FAIL 167 /* raise the runtime error whose message is the string constant K[a] | a:K | helper fail_op [exit] */
#define OP_BENCH_END 168 /* write the bench report of the block named K[b] that started at R[a], R[a+1] (`BenchStart`) | a:I b:K | helper bench_end */
#define OP_LIST_SORT_BY_KEYS 169 /* R[a] := R[b] reordered stably by the keys R[c]  (a new list; one key per element; `sort by`) | a:C b:C c:C | helper list_sort_by_keys [alloc, exit] */
#define OP_TRUTHY 170 /* R[a] := truthiness of R[b]  (nil, false, 0, 0.0, "", empty list/map: false; `if x` on any/optional) | a:I b:C | helper truthy */
#define OP_LIST_SUM_ANY 171 /* R[a] := sum(R[b])  (a list of any numbers: an int while all are ints, else a float; boxed) | a:C b:C | helper list_sum_any [alloc, exit] */
#define OP_ANY_ARITH 172 /* R[a] := R[b] op c R[b+1]  (two any values; c: 0 + 1 - 2 * 3 / 4 %; ints stay ints, a float makes a float, nil gives nil) | a:C b:C c:N | helper any_arith [alloc, exit] */
#define OP_INDEX_ANY 173 /* R[a] := R[b][R[c]]  (R[b] any: map value or nil, list element, string rune, struct field by name; boxed) | a:C b:C c:C | helper index_any [alloc, exit] */
#define OP_LIST_UNION 174 /* R[a] := R[b] union R[c]  (distinct elements of b then c, first occurrences; a new list) | a:C b:C c:C | helper list_union [alloc] */
#define OP_LIST_EXCEPT 175 /* R[a] := R[b] except R[c]  (elements of b not in c, duplicates kept; a new list) | a:C b:C c:C | helper list_except [alloc] */
#define OP_LIST_INTERSECT 176 /* R[a] := R[b] intersect R[c]  (distinct elements of c that are in b, in c's order) | a:C b:C c:C | helper list_intersect [alloc] */
#define OP_LOAD_DATA 177 /* R[a] := load(path R[b], options R[b+1]) as a list<T>, c = that list's type  (error `cannot load PATH: REASON`) | a:C b:C c:N | helper load_data [alloc, exit] */
#define OP_SAVE_DATA 178 /* save R[a] (a value of runtime type c) to path R[b] with options R[b+1]  (error `cannot save PATH: REASON`) | a:C b:C c:N | helper save_data [exit] */
#define OP_BENCH_START 179 /* R[a] := monotonic clock (ns), R[a+1] := bytes allocated so far  (start of a bench block) | a:I | helper bench_start */
#define OP_MUL_I64_IMM 180 /* R[a] := R[b] * c  (signed immediate; overflow: error) | a:I b:I c:S | stencil mul_i64_imm [exit] */
#define OP_MOD_I64_IMM 181 /* R[a] := R[b] % c  (signed immediate, never 0; sign of dividend; MIN % -1 = 0) | a:I b:I c:S | stencil mod_i64_imm */
#define OP_DIV_I64_POW2 182 /* R[a] := R[b] / 2^c  truncated (1 <= c <= 62: shifts, no divide) | a:I b:I c:N | stencil div_i64_pow2 */
#define OP_MOD_I64_POW2 183 /* R[a] := R[b] % 2^c  sign of dividend (1 <= c <= 62: a mask, no divide) | a:I b:I c:N | stencil mod_i64_pow2 */
#define OP_UNBOX_LIST 184 /* R[a] := R[b] as list type c  (`Unbox` to a list: a list handle is copied; anything else is the `cannot cast` error) | a:C b:C c:N | stencil unbox_list, slow path helper */
#define OP_LIST_VIEW 185 /* R[a] := address of list R[b]'s elements, R[a+1] := its length, R[a+2] := R[b]  (a view; nil: 0, 0, nil) | a:R b:C | stencil list_view */
#define OP_LIST_GET_I64_V 186 /* R[a] := R[b+2][R[c]]  (list<int|bool>, through the view R[b]: its buffer and length) | a:I b:R c:I | stencil list_get_i64_v [exit] */
#define OP_LIST_GET_F64_V 187 /* R[a] := R[b+2][R[c]]  (list<float>, through the view R[b]) | a:F b:R c:I | stencil list_get_f64_v [exit] */
#define OP_LIST_GET_CELL_V 188 /* R[a] := R[b+2][R[c]]  (list of cells, through the view R[b]) | a:C b:R c:I | stencil list_get_cell_v [exit] */
#define OP_LIST_SET_I64_V 189 /* R[a+2][R[b]] := R[c]  (list<int|bool>, through the view R[a]) | a:R b:I c:I | stencil list_set_i64_v [exit] */
#define OP_LIST_SET_F64_V 190 /* R[a+2][R[b]] := R[c]  (list<float>, through the view R[a]) | a:R b:I c:F | stencil list_set_f64_v [exit] */
#define OP_LIST_SET_CELL_V 191 /* R[a+2][R[b]] := R[c]  (list of cells, through the view R[a]) | a:R b:I c:C | stencil list_set_cell_v [exit] */
#define OP_LIST_APPEND_OPEN 192 /* R[a] := len(R[b]), the rest of R[b]'s buffer reserved for pushes through the append view R[a]  (arenas::NO_VIEW when it cannot be) | a:I b:C | helper list_append_open */
#define OP_LIST_PUSH_VI64 193 /* R[a] := R[a] + 1 after R[b].elems[R[a]] := R[c], then pc += 1 (skips the ListPushVGrow after it), when R[a] < cap(R[b]); else nothing  (list<int|bool>, append view R[a]) | a:I b:C c:I | stencil list_push_v_i64 */
#define OP_LIST_PUSH_VF64 194 /* R[a] := R[a] + 1 after R[b].elems[R[a]] := R[c], then pc += 1 (skips the ListPushVGrow after it), when R[a] < cap(R[b]); else nothing  (list<float>, append view R[a]) | a:I b:C c:F | stencil list_push_v_f64 */
#define OP_LIST_PUSH_VGROW 195 /* R[a] := length after R[b].push(R[c]) through the append view R[a], growing the buffer  (the slow case of the ListPushV op before it) | a:I b:C c:R | helper list_push_v_grow [alloc] */
#define OP_LIST_APPEND_CLOSE 196 /* R[b] := its first R[a] elements  (closes the append view R[a]; nothing when it is arenas::NO_VIEW) | a:I b:C | helper list_append_close */
#define OP_APPEND_STR_OPEN 197 /* R[a] := the append view word of R[b] (where its next byte goes, with the room its buffer has left after it in the top 16 bits: arenas' view_word), the rest of its buffer reserved for appends through it  (an owned string's own slot; STR_NO_VIEW, 0, when it cannot be) | a:I b:C | helper append_str_open */
#define OP_APPEND_STR_V 198 /* R[a] := R[a] + n - (n << 48), n = len(R[c]), after R[c]'s bytes are written where R[a] points, then pc += 1 (skips the AppendStrVGrow after it), when n fits in R[a]'s room; else nothing  (append view R[a] on R[b]; tier 2 inline: 1 to 16 bytes) | a:I b:C c:C | stencil append_str_v */
#define OP_APPEND_STR_VGROW 199 /* R[a] := the view word after R[b] := R[b] + R[c] through the append view R[a]  (the slow case of AppendStrV: close, append as AppendStr, reopen) | a:I b:C c:C | helper append_str_v_grow [alloc] */
#define OP_APPEND_STR_CLOSE 200 /* R[a] := len(R[b]) in bytes after R[b] takes the bytes up to where the append view R[a] on it points  (closes the view; R[b] unchanged when R[a] is STR_NO_VIEW) | a:I b:C | helper append_str_close */
#define OP_APPEND_STR_VLIT 201 /* R[a] := R[a] + n - (n << 48), n = K[c] >> 56, after the literal packed in K[c] (1 to 7 bytes from its low byte, the length in its top byte: arenas' pack_literal) is written where R[a] points, then pc += 1 (skips the AppendStrVLitGrow after it), when n fits in R[a]'s room; else nothing  (append view R[a] on R[b]) | a:I b:C c:K | stencil append_str_v_lit */
#define OP_APPEND_STR_VLIT_GROW 202 /* R[a] := the view word after R[b] := R[b] + the literal packed in K[c] through the append view R[a]  (the slow case of AppendStrVLit) | a:I b:C c:K | helper append_str_v_lit_grow [alloc] */

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
STENCIL(sel_i64_k);
STENCIL(sel_lt_i64_k);
STENCIL(sel_le_i64_k);
STENCIL(sel_gt_i64_k);
STENCIL(sel_ge_i64_k);
STENCIL(sel_lt_f64_k);
STENCIL(sel_le_f64_k);
STENCIL(sel_gt_f64_k);
STENCIL(sel_ge_f64_k);
STENCIL(add_f64);
STENCIL(sub_f64);
STENCIL(mul_f64);
STENCIL(div_f64);
STENCIL(mod_f64);
STENCIL(neg_f64);
STENCIL(sqrt_f64);
STENCIL(abs_f64);
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
STENCIL(concat_str);
STENCIL(append_str);
STENCIL(str_len);
STENCIL(new_list);
STENCIL(new_list_small);
STENCIL(list_push);
STENCIL(list_len);
STENCIL(list_get_i64);
STENCIL(list_get_f64);
STENCIL(list_get_cell);
STENCIL(list_set_i64);
STENCIL(list_set_f64);
STENCIL(list_set_cell);
STENCIL(map_get);
STENCIL(map_set);
STENCIL(get_field_i64);
STENCIL(get_field_f64);
STENCIL(get_field_cell);
STENCIL(set_field_i64);
STENCIL(set_field_f64);
STENCIL(set_field_cell);
STENCIL(jmp_not_type);
STENCIL(call_closure);
STENCIL(jmp_nil);
STENCIL(jmp_not_nil);
STENCIL(f64_to_i64);
STENCIL(abs_i64);
STENCIL(mul_i64_imm);
STENCIL(mod_i64_imm);
STENCIL(div_i64_pow2);
STENCIL(mod_i64_pow2);
STENCIL(unbox_list);
STENCIL(list_view);
STENCIL(list_get_i64_v);
STENCIL(list_get_f64_v);
STENCIL(list_get_cell_v);
STENCIL(list_set_i64_v);
STENCIL(list_set_f64_v);
STENCIL(list_set_cell_v);
STENCIL(list_push_v_i64);
STENCIL(list_push_v_f64);
STENCIL(append_str_v);
STENCIL(append_str_v_lit);

#endif
