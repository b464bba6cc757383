//! `mochi run --profile` and `--stats=json`: the profile of a program whose hot function is
//! promoted while it runs shows it in both tiers, the compile, and stacks rooted at main.

use pprof::protos::Message;
use std::io::Read;
use std::path::PathBuf;
use std::process::Command;

const HOT: &str = "fun f(n: int): int {
  var s = 0
  var i = 0
  while i < 200 {
    s = s + i * n
    i = i + 1
  }
  return s
}
var total = 0
var k = 0
while k < 200000 {
  total = total + f(k) % 7
  k = k + 1
}
print(total)
";

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("mochi-profile-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn mochi(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mochi"))
        .args(args)
        .output()
        .expect("run mochi")
}

/// CPU seconds used by the children this process waited for so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru
    };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

/// Decode a gzipped pprof profile into (stack of names, root first; count).
fn decode(path: &PathBuf) -> Vec<(Vec<String>, i64)> {
    let gz = std::fs::read(path).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .expect("gzip");
    let p = pprof::protos::Profile::parse_from_bytes(&raw).expect("a pprof Profile");
    let func_name = |id: u64| {
        let f = p.function.iter().find(|f| f.id == id).expect("function");
        p.string_table[f.name as usize].clone()
    };
    p.sample
        .iter()
        .map(|s| {
            let mut names: Vec<String> = s
                .location_id
                .iter()
                .map(|&l| {
                    let loc = p.location.iter().find(|x| x.id == l).expect("location");
                    func_name(loc.line[0].function_id)
                })
                .collect();
            names.reverse();
            (names, s.value[0])
        })
        .collect()
}

// One test, so that the CPU time of the children it waits for is the profiled run's alone.
#[test]
fn profile_shows_tiers_compiles_and_stats() {
    let d = dir();
    let src = d.join("hot.mochi");
    std::fs::write(&src, HOT).unwrap();
    let pb = d.join("out.pb");
    let cpu0 = children_cpu();
    let out = mochi(&[
        "run",
        "--jit=auto",
        "--jit-threshold=5000000",
        &format!("--profile={}", pb.display()),
        src.to_str().unwrap(),
    ]);
    let cpu = children_cpu() - cpu0;
    assert!(out.status.success(), "{out:?}");
    let stacks = decode(&pb);
    let total: i64 = stacks.iter().map(|(_, n)| n).sum();
    let has = |name: &str| stacks.iter().any(|(s, _)| s.iter().any(|x| x == name));
    let names: Vec<_> = stacks.iter().map(|(s, n)| (s.join(";"), n)).collect();
    assert!(has("f [interp]"), "{names:?}");
    assert!(has("f [jit]"), "{names:?}");
    assert!(has("jit compile f"), "{names:?}");
    for (s, _) in &stacks {
        // The pprof encoding adds the thread as a label, not a frame: the root is main.
        assert!(s[0].starts_with("main ["), "not rooted at main: {s:?}");
    }
    // Samples x period = the VM thread's CPU time (within the process's CPU time).
    let expected = cpu * 1000.0;
    assert!(
        (total as f64) > 0.5 * expected && (total as f64) < 1.3 * expected,
        "{total} samples for {cpu:.3} s of CPU at 1000 Hz"
    );

    // The flamegraph.
    let svg = d.join("out.svg");
    let out = mochi(&[
        "run",
        &format!("--profile={}", svg.display()),
        "--profile-hz=2000",
        src.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<?xml"),
        "{}",
        &text[..100.min(text.len())]
    );
    assert!(text.contains("<svg") && text.trim_end().ends_with("</svg>"));
    assert!(text.contains("main [interp]"));

    // A program that fails still writes its profile (and its stats).
    let bad = d.join("bad.mochi");
    std::fs::write(
        &bad,
        "var s = 0\nvar i = 0\nwhile i < 3000000 { s = s + i\n i = i + 1 }\nprint(s / (i - i))\n",
    )
    .unwrap();
    let bad_pb = d.join("bad.pb");
    let out = mochi(&[
        "run",
        "--stats=json",
        &format!("--profile={}", bad_pb.display()),
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("division by zero"), "{stderr}");
    let stacks = decode(&bad_pb);
    assert!(stacks.iter().all(|(s, _)| s[0].starts_with("main [")));

    // --stats=json parses and has the per-function figures.
    let out = mochi(&["run", "--stats=json", src.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.starts_with('{')).expect("json");
    let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
    let f = v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "f")
        .expect("f");
    assert_eq!(f["tier"], "jit");
    assert!(f["calls"].as_u64().unwrap() >= 1);
    assert!(f["code_bytes"].as_u64().unwrap() > 0);
    assert!(v["gc"]["collections"].is_u64());
    let _ = std::fs::remove_dir_all(&d);
}
