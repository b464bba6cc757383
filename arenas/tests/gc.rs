//! Mark-sweep: unreachable objects are freed and their slots reused with a new generation;
//! reachable ones survive through lists, maps, records and closures; slot tables never move.

use arenas::rtti::*;
use arenas::{Cell, Heap, TypeDesc, TypeTable};

fn collect_with(h: &mut Heap, roots: &[Cell]) {
    let roots = roots.to_vec();
    h.collect(&mut |sink| {
        for &r in &roots {
            sink(r)
        }
    });
}

#[test]
fn unreachable_objects_are_freed_and_slots_reused_with_new_generation() {
    let mut h = Heap::new(TypeTable::new());
    let base_live = h.live_objects();
    let garbage = h.alloc_str("garbage");
    let keep = h.alloc_str("keep");
    let xs = h.list_from(INT, &[1, 2, 3]);
    assert_eq!(h.live_objects(), base_live + 3);
    collect_with(&mut h, &[keep]);
    assert_eq!(h.live_objects(), base_live + 1);
    assert!(!h.is_live_handle(garbage));
    assert!(!h.is_live_handle(xs));
    assert!(h.is_live_handle(keep));
    assert_eq!(h.str(keep), "keep");
    // The freed string slot is reused, with a different generation.
    let again = h.alloc_str("again");
    let (k1, g1, i1) = garbage.as_handle().unwrap();
    let (k2, g2, i2) = again.as_handle().unwrap();
    assert_eq!((k1, i1), (k2, i2));
    assert_ne!(g1, g2);
    assert_ne!(garbage, again);
    assert_eq!(h.gc_stats().collections, 1);
    // Permanent strings (constants, the ASCII cache) survive without being roots.
    let perm = h.alloc_str_permanent("const");
    collect_with(&mut h, &[]);
    assert!(h.is_live_handle(perm));
    let c = h.alloc_str("abc");
    let ch = h.str_index(c, 0).unwrap();
    collect_with(&mut h, &[]);
    assert_eq!(h.str(ch), "a");
}

#[test]
fn reachable_objects_survive_through_every_container() {
    let mut t = TypeTable::new();
    let li = t.list_of(INT);
    let node = t.intern(TypeDesc::Struct {
        name: "Node".into(),
        fields: vec![("n".into(), INT), ("name".into(), STR), ("xs".into(), li)],
    });
    let fty = t.intern(TypeDesc::Func {
        params: vec![],
        ret: INT,
    });
    let mut h = Heap::new(t);
    // closure -> list<any> -> map<string, any> -> record -> (string, list<int>), big and boxed
    let name = h.alloc_str("leaf");
    let ints = h.list_from(INT, &[5, 6]);
    let rec = h.new_record(node, &[7, name.0, ints.0]);
    let m = h.new_map(STR, ANY);
    let key = h.alloc_str("k");
    h.map_set(m, key.0, rec.0);
    let big = h.bigint_parse("123456789012345678901234567890").unwrap();
    let boxed = h.box_word(i64::MAX as u64, INT);
    let outer = h.list_from(ANY, &[m.0, big.0, boxed.0, Cell::NIL.0]);
    let la0 = h.types.list_of(ANY);
    let clo = h.new_closure(1, fty, &[12345, outer.0], &[INT, la0]);
    // an int-keyed map whose values are strings
    let im = h.new_map(INT, STR);
    let v = h.alloc_str("val");
    h.map_set(im, 3, v.0);
    h.list_push(outer, im.0);
    // garbage of every kind
    for i in 0..100 {
        let s = h.alloc_str(&format!("g{i}"));
        let l = h.list_from(STR, &[s.0]);
        let _ = h.new_record(node, &[1, s.0, l.0]);
        let _ = h.new_map(INT, INT);
        let _ = h.bigint_from_i64(i);
        let _ = h.box_word((i64::MIN + i) as u64, INT);
    }
    let before = h.live_objects();
    collect_with(&mut h, &[clo]);
    assert!(h.live_objects() < before - 500);
    for c in [name, ints, rec, m, key, big, boxed, outer, clo, im, v] {
        assert!(h.is_live_handle(c), "{c:?} was freed");
    }
    let la = h.types.list_of(ANY);
    assert_eq!(
        h.format_print(outer.0, la),
        r#"[{"k": {"__name": "Node", "n": 7, "name": "leaf", "xs": [5, 6]}}, 123456789012345678901234567890, 9223372036854775807, nil, {"3": "val"}]"#
    );
    // Drop the root: everything goes.
    collect_with(&mut h, &[]);
    for c in [name, ints, rec, m, key, big, boxed, outer, clo, im, v] {
        assert!(!h.is_live_handle(c), "{c:?} survived");
    }
}

#[test]
fn cycles_are_collected() {
    let mut h = Heap::new(TypeTable::new());
    let base = h.live_objects();
    let a = h.new_list(ANY, 0);
    let b = h.new_list(ANY, 0);
    h.list_push(a, b.0);
    h.list_push(b, a.0);
    collect_with(&mut h, &[a]);
    assert!(h.is_live_handle(b));
    collect_with(&mut h, &[]);
    assert_eq!(h.live_objects(), base);
}

#[test]
fn shared_append_buffers_survive_while_any_sharer_lives() {
    let mut h = Heap::new(TypeTable::new());
    let mut xs = h.new_list(INT, 0);
    let mut olds = Vec::new();
    for i in 0..1000 {
        xs = h.list_append(xs, i);
        olds.push(xs);
    }
    let first = olds[10];
    collect_with(&mut h, &[first]);
    assert_eq!(h.list_words(first), &(0..11).collect::<Vec<u64>>()[..]);
    let ys = h.list_append(first, 77);
    assert_eq!(h.list_get(ys, -1), Ok(77));
    let mut s = h.alloc_str("x");
    let a = h.alloc_str("a");
    let mut keep = s;
    for i in 0..1000 {
        s = h.str_concat(s, a);
        if i == 500 {
            keep = s;
        }
    }
    collect_with(&mut h, &[keep]);
    assert_eq!(h.str_runes(keep), 502);
    assert!(h.str(keep).starts_with("xaaa"));
}

#[test]
fn stress_collections_in_a_loop() {
    let mut h = Heap::new(TypeTable::new());
    h.set_stress(true);
    let la = h.types.list_of(ANY);
    let mut root = h.new_list(ANY, 0);
    let mut s = h.alloc_str("");
    let a = h.alloc_str("a");
    for i in 0..2000i64 {
        let n = h.box_word(i as u64, INT);
        root = h.list_append(root, n.0);
        s = h.str_concat(s, a);
        let _garbage = h.alloc_str("garbage");
        if h.should_collect() {
            collect_with(&mut h, &[root, s, a]);
        }
    }
    assert_eq!(h.gc_stats().collections, 2000);
    assert_eq!(h.list_len(root), 2000);
    assert_eq!(h.str_runes(s), 2000);
    assert_eq!(h.format_str(h.list_get(root, -1).unwrap(), ANY), "1999");
    assert!(h.format_print(root.0, la).starts_with("[0, 1, 2,"));
    // Slots are being reused: the high-water mark stays small.
    let st = h.gc_stats();
    assert!(st.live_objects < 200, "{st:?}");
    assert!(st.max_pause >= std::time::Duration::ZERO);
    h.set_stress(false);
    assert!(!h.should_collect());
}

#[test]
fn threshold_grows_with_live_size() {
    let mut h = Heap::new(TypeTable::new());
    assert!(!h.should_collect());
    let mut keep = Vec::new();
    while !h.should_collect() {
        keep.push(h.new_list(INT, 1000));
    }
    collect_with(&mut h, &keep);
    // (everything allocated stays live: about the minimum threshold)
    assert!(h.gc_stats().live_bytes >= arenas::gc::MIN_THRESHOLD * 7 / 8);
    assert!(h.gc_stats().threshold >= 2 * h.gc_stats().live_bytes);
    assert!(!h.should_collect());
}

#[test]
fn slot_table_bases_never_move() {
    let mut h = Heap::new(TypeTable::new());
    let (lb, rb, sb) = (
        h.list_slots_base(),
        h.record_slots_base(),
        h.str_slots_base(),
    );
    let p = h.types.intern(TypeDesc::Struct {
        name: "P".into(),
        fields: vec![("x".into(), INT)],
    });
    let mut last = Cell::NIL;
    for i in 0..1_000_000u64 {
        last = h.new_list(INT, 0);
        let _ = h.new_record(p, &[i]);
        let _ = h.alloc_str("s");
    }
    assert_eq!(h.list_slots_base(), lb);
    assert_eq!(h.record_slots_base(), rb);
    assert_eq!(h.str_slots_base(), sb);
    // A slot read through the base agrees with the API (what native code does).
    let (_, _, idx) = last.as_handle().unwrap();
    let slot = unsafe { &*lb.add(idx as usize) };
    assert_eq!(slot.len, 0);
    assert_eq!(slot.elem, INT);
    assert_eq!(std::mem::offset_of!(arenas::ListSlot, elem), 24);
    assert_eq!(arenas::LIST_SLOT_SIZE, 32);
    assert_eq!(arenas::RECORD_SLOT_SIZE, 24);
    assert_eq!(arenas::STR_SLOT_SIZE, 40);
}
