//! `--stats` / `--stats=json`: per-function tiering counters, totals and GC figures.

use std::io::Write;
use std::time::Duration;
use tier1_interp::RunStats;
use vm::jit_api::JitStats;
use vm::program::Program;

pub struct Totals<'a> {
    pub front_end: Duration,
    pub run_time: Duration,
    pub run: &'a RunStats,
    pub jit: JitStats,
    pub gc: &'a arenas::GcStats,
    /// Samples taken and dropped by `--profile`, if it ran.
    pub profile: Option<(usize, u64)>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn functions(prog: &Program, t: &Totals) -> Vec<serde_json::Value> {
    t.run
        .funcs
        .iter()
        .enumerate()
        .filter(|(_, f)| f.calls + f.back_edges > 0 || f.compiled || f.failed)
        .map(|(i, f)| {
            serde_json::json!({
                "name": prog.funcs[i].name,
                "calls": f.calls,
                "back_edges": f.back_edges,
                "tier": if f.compiled { "jit" } else { "interp" },
                "compile_failed": f.failed,
                "promoted_after": if f.compiled { Some(f.promoted_at) } else { None },
                "code_bytes": f.code_bytes,
                "compile_ms": f.compile_nanos as f64 / 1e6,
                "side_exits": f.side_exits,
            })
        })
        .collect()
}

/// Print the statistics to stderr, as text or (`json`) one JSON object.
pub fn print(prog: &Program, t: &Totals, json: bool) {
    let funcs = functions(prog, t);
    let (r, j, gc) = (t.run, &t.jit, t.gc);
    let mut e = std::io::stderr().lock();
    if json {
        let v = serde_json::json!({
            "front_end_ms": ms(t.front_end),
            "run_ms": ms(t.run_time),
            "functions": funcs,
            "totals": {
                "interp_calls": r.interp_calls,
                "native_entries": r.native_entries,
                "osr_entries": r.osr_entries,
                "side_exits": r.side_exits,
                "compiled_functions": j.compiled_functions,
                "failed_compiles": j.failed_compiles,
                "ops_compiled": j.ops_compiled,
                "stencils_copied": j.stencils_copied,
                "code_bytes": j.code_bytes,
                "compile_ms": j.compile_nanos as f64 / 1e6,
            },
            "gc": {
                "collections": gc.collections,
                "total_pause_ms": ms(gc.total_pause),
                "max_pause_ms": ms(gc.max_pause),
                "live_bytes": gc.live_bytes,
                "live_objects": gc.live_objects,
            },
            "profile": t.profile.map(|(n, d)| serde_json::json!({"samples": n, "dropped": d})),
        });
        let _ = writeln!(e, "{v}");
        return;
    }
    let _ = writeln!(e, "front end: {:.3} ms", ms(t.front_end));
    let _ = writeln!(e, "run time: {:.3} ms", ms(t.run_time));
    let _ = writeln!(
        e,
        "{:<24} {:>10} {:>11} {:>6} {:>9} {:>8} {:>10} {:>10}",
        "function", "calls", "back-edges", "tier", "promoted", "bytes", "compile ms", "side exits"
    );
    for f in &funcs {
        let promoted = f["promoted_after"]
            .as_u64()
            .map_or("-".to_string(), |n| n.to_string());
        let tier = if f["compile_failed"].as_bool() == Some(true) {
            "interp!"
        } else {
            f["tier"].as_str().unwrap_or("?")
        };
        let _ = writeln!(
            e,
            "{:<24} {:>10} {:>11} {:>6} {:>9} {:>8} {:>10.3} {:>10}",
            f["name"].as_str().unwrap_or("?"),
            f["calls"].to_string(),
            f["back_edges"].to_string(),
            tier,
            promoted,
            f["code_bytes"].to_string(),
            f["compile_ms"].as_f64().unwrap_or(0.0),
            f["side_exits"].to_string(),
        );
    }
    let _ = writeln!(e, "interpreter calls: {}", r.interp_calls);
    let _ = writeln!(e, "jit compiled functions: {}", j.compiled_functions);
    let _ = writeln!(e, "jit failed compiles: {}", j.failed_compiles);
    let _ = writeln!(e, "jit native entries: {}", r.native_entries);
    let _ = writeln!(e, "jit osr entries: {}", r.osr_entries);
    let _ = writeln!(e, "jit side exits: {}", r.side_exits);
    let _ = writeln!(e, "jit ops compiled: {}", j.ops_compiled);
    let _ = writeln!(e, "jit stencils copied: {}", j.stencils_copied);
    let _ = writeln!(e, "jit code bytes: {}", j.code_bytes);
    let _ = writeln!(
        e,
        "jit compile time: {:.3} ms",
        j.compile_nanos as f64 / 1e6
    );
    if j.ops_compiled > 0 {
        let _ = writeln!(
            e,
            "jit time per op: {:.1} ns",
            j.compile_nanos as f64 / j.ops_compiled as f64
        );
    }
    let _ = writeln!(
        e,
        "gc collections: {} (pause total {:.3} ms, max {:.3} ms)",
        gc.collections,
        ms(gc.total_pause),
        ms(gc.max_pause)
    );
    if let Some((n, d)) = t.profile {
        let _ = writeln!(e, "profile samples: {n} ({d} dropped)");
    }
}
