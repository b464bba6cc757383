//! Formatting tables of LANGUAGE.md §7: print (top-level and nested), str(), json.

use arenas::format::{float_json, float_nested, float_top, go_quote};
use arenas::rtti::*;
use arenas::{Cell, Heap, TypeDesc, TypeTable};

fn heap() -> Heap {
    Heap::new(TypeTable::new())
}

#[test]
fn top_level_floats() {
    for (x, want) in [
        (3.0, "3"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (1e-5, "1e-05"),
        (123456.789, "123456.789"),
        (100000.0, "100000"),
        (1000000.0, "1e+06"),
        (1234567.5, "1.2345675e+06"),
        (1e14 + 0.02, "1.0000000000000002e+14"),
        (1e21, "1e+21"),
        (1e-4, "0.0001"),
        (-0.5, "-0.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (999999.0, "999999"),
        (-1000000.0, "-1e+06"),
        (5e-324, "5e-324"),
    ] {
        assert_eq!(float_top(x), want, "{x:e}");
    }
}

#[test]
fn nested_and_json_floats() {
    assert_eq!(float_nested(1.0), "1.0");
    assert_eq!(float_nested(2.5), "2.5");
    assert_eq!(float_nested(1e21), "1000000000000000000000.0");
    assert_eq!(float_nested(1000000.0), "1000000.0");
    assert_eq!(float_json(2.0), "2");
    assert_eq!(float_json(2.5), "2.5");
    assert_eq!(float_json(1e21), "1e+21");
    assert_eq!(float_json(1e20), "100000000000000000000");
    assert_eq!(float_json(1e-7), "1e-7");
    assert_eq!(float_json(0.000001), "0.000001");
    assert_eq!(float_json(1.5e-10), "1.5e-10");
}

#[test]
fn go_quoting() {
    assert_eq!(go_quote("a\n"), r#""a\n""#);
    assert_eq!(go_quote("q\"b\\"), r#""q\"b\\""#);
    assert_eq!(go_quote("\x01\x7f"), r#""\x01\x7f""#);
    assert_eq!(go_quote("héllo 🙂"), "\"héllo 🙂\"");
    assert_eq!(go_quote("\u{a0}\u{200b}"), r#""\u00a0\u200b""#);
    assert_eq!(go_quote("\t\r\x07\x08\x0c\x0b"), r#""\t\r\a\b\f\v""#);
}

#[test]
fn print_scalars() {
    let mut h = heap();
    let s = h.alloc_str("hi \"x\"");
    assert_eq!(h.format_print(s.0, STR), "hi \"x\"");
    assert_eq!(h.format_print((-5i64) as u64, INT), "-5");
    assert_eq!(h.format_print(1, BOOL), "true");
    assert_eq!(h.format_print(0, BOOL), "false");
    assert_eq!(h.format_print(Cell::NIL.0, ANY), "nil");
    assert_eq!(h.format_print(3.0f64.to_bits(), FLOAT), "3");
    let b = h.bigint_parse("123456789012345678901234567890").unwrap();
    assert_eq!(
        h.format_print(b.0, BIGINT),
        "123456789012345678901234567890"
    );
    assert_eq!(h.format_str(Cell::NIL.0, ANY), "<nil>");
    assert_eq!(h.format_str(3.0f64.to_bits(), FLOAT), "3");
    assert_eq!(h.format_str(0.1f64.to_bits(), FLOAT), "0.1");
    // An int in an any: small and boxed.
    let c = h.box_word(7, INT);
    assert_eq!(h.format_print(c.0, ANY), "7");
    let big = h.box_word(i64::MAX as u64, INT);
    assert_eq!(h.format_print(big.0, ANY), i64::MAX.to_string());
}

#[test]
fn print_lists_and_maps() {
    let mut h = heap();
    let lf = h.types.list_of(FLOAT);
    let li = h.types.list_of(INT);
    let xs = h.list_from(FLOAT, &[1.0f64.to_bits(), 2.5f64.to_bits()]);
    assert_eq!(h.format_print(xs.0, lf), "[1.0, 2.5]");
    assert_eq!(h.format_str(xs.0, lf), "[1 2.5]");
    let ys = h.list_from(INT, &[1, 2, 3]);
    assert_eq!(h.format_print(ys.0, li), "[1, 2, 3]");
    assert_eq!(h.format_str(ys.0, li), "[1 2 3]");
    let a = h.alloc_str("a");
    let b = h.alloc_str("b\n");
    let ss = h.list_from(STR, &[a.0, b.0]);
    assert_eq!(h.format_print(ss.0, LIST_STR), r#"["a", "b\n"]"#);
    assert_eq!(h.format_str(ss.0, LIST_STR), "[a b\n]");
    let bl = h.list_from(BOOL, &[1, 0]);
    let lb = h.types.list_of(BOOL);
    assert_eq!(h.format_print(bl.0, lb), "[true, false]");
    // list<any> with nil, nested list, float 1e21
    let any_l = h.new_list(ANY, 0);
    h.list_push(any_l, Cell::NIL.0);
    h.list_push(any_l, ys.0);
    h.list_push(any_l, Cell::from_f64(1e21).0);
    let la = h.types.list_of(ANY);
    assert_eq!(
        h.format_print(any_l.0, la),
        "[nil, [1, 2, 3], 1000000000000000000000.0]"
    );
    assert_eq!(h.format_str(any_l.0, la), "[<nil> [1 2 3] 1e+21]");

    // map<string,int> sorted by key bytes
    let msi = h.types.map_of(STR, INT);
    let m = h.new_map(STR, INT);
    for (k, v) in [("b", 2), ("a", 1), ("B", 3)] {
        let kc = h.alloc_str(k);
        h.map_set(m, kc.0, v);
    }
    assert_eq!(h.format_print(m.0, msi), r#"{"B": 3, "a": 1, "b": 2}"#);
    assert_eq!(h.format_str(m.0, msi), "map[B:3 a:1 b:2]");
    assert_eq!(
        h.json(m.0, msi),
        "{\n  \"B\": 3,\n  \"a\": 1,\n  \"b\": 2\n}"
    );
    assert_eq!(h.json_compact(m.0, msi), r#"{"B":3,"a":1,"b":2}"#);

    // int-keyed map: keys quoted, string order
    let mis = h.types.map_of(INT, STR);
    let m2 = h.new_map(INT, STR);
    for k in [2i64, 10, 1] {
        let v = h.alloc_str(&format!("v{k}"));
        h.map_set(m2, k as u64, v.0);
    }
    assert_eq!(
        h.format_print(m2.0, mis),
        r#"{"1": "v1", "10": "v10", "2": "v2"}"#
    );
    assert_eq!(h.map_keys_sorted(m2), vec![1, 10, 2]);
    assert_eq!(h.format_str(m2.0, mis), "map[1:v1 10:v10 2:v2]");
}

#[test]
fn print_structs_unions_closures() {
    let mut t = TypeTable::new();
    let li = t.list_of(INT);
    let person = t.intern(TypeDesc::Struct {
        name: "Person".into(),
        fields: vec![
            ("name".into(), STR),
            ("age".into(), INT),
            ("tags".into(), li),
        ],
    });
    let circle = t.intern(TypeDesc::Struct {
        name: "Circle".into(),
        fields: vec![("r".into(), FLOAT)],
    });
    let shape = t.intern(TypeDesc::Union {
        name: "Shape".into(),
        variants: vec![circle],
    });
    let fty = t.intern(TypeDesc::Func {
        params: vec![INT],
        ret: INT,
    });
    let mut h = Heap::new(t);
    let name = h.alloc_str("Ann");
    let tags = h.list_from(INT, &[1]);
    let p = h.new_record(person, &[name.0, 30, tags.0]);
    assert_eq!(
        h.format_print(p.0, person),
        r#"{"__name": "Person", "age": 30, "name": "Ann", "tags": [1]}"#
    );
    assert_eq!(
        h.format_str(p.0, person),
        "map[__name:Person age:30 name:Ann tags:[1]]"
    );
    assert_eq!(
        h.json(p.0, person),
        "{\n  \"__name\": \"Person\",\n  \"age\": 30,\n  \"name\": \"Ann\",\n  \"tags\": [\n    1\n  ]\n}"
    );
    let c = h.new_record(circle, &[2.0f64.to_bits()]);
    assert_eq!(
        h.format_print(c.0, shape),
        r#"{"__name": "Circle", "r": 2.0}"#
    );
    let f = h.new_closure(3, fty, &[5], &[INT]);
    assert_eq!(h.format_print(f.0, fty), "<fun>");
    assert_eq!(h.closure_func(f), 3);
    assert_eq!(h.record_fields(f), &[5]);
}

#[test]
fn cyclic_printing() {
    let mut h = heap();
    let la = h.types.list_of(ANY);
    let xs = h.new_list(ANY, 0);
    h.list_push(xs, Cell::from_small_int(1).unwrap().0);
    h.list_push(xs, xs.0);
    assert_eq!(h.format_print(xs.0, la), "[1, [...]]");
    assert_eq!(h.format_str(xs.0, la), "[1 [...]]");
    let msa = h.types.map_of(STR, ANY);
    let m = h.new_map(STR, ANY);
    let k = h.alloc_str("self");
    h.map_set(m, k.0, m.0);
    assert_eq!(h.format_print(m.0, msa), r#"{"self": {...}}"#);
    // Shared but acyclic structure prints twice.
    let ys = h.new_list(ANY, 0);
    let inner = h.list_from(INT, &[7]);
    h.list_push(ys, inner.0);
    h.list_push(ys, inner.0);
    assert_eq!(h.format_print(ys.0, la), "[[7], [7]]");
}

#[test]
fn json_lists_and_nesting() {
    let mut h = heap();
    let la = h.types.list_of(ANY);
    let empty = h.new_list(INT, 0);
    let li = h.types.list_of(INT);
    assert_eq!(h.json(empty.0, li), "[]");
    let m = h.new_map(STR, INT);
    let city = h.alloc_str("num");
    h.map_set(m, city.0, 4);
    let xs = h.list_from(ANY, &[m.0, Cell::NIL.0, Cell::from_f64(2.0).0]);
    assert_eq!(
        h.json(xs.0, la),
        "[\n  {\n    \"num\": 4\n  },\n  null,\n  2\n]"
    );
    let s = h.alloc_str("<a&b>");
    assert_eq!(h.json(s.0, STR), r#""\u003ca\u0026b\u003e""#);
}
