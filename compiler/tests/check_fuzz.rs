//! Line-level mutations of the corpus (delete, duplicate, swap lines; deterministic seed):
//! whenever a mutant parses, the checker returns (Ok or an error with a position) and never
//! panics.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/vm-valid"
        ),
        "../programs",
    ] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut ps: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        ps.sort();
        for p in ps {
            if p.extension().is_some_and(|e| e == "mochi") {
                out.push(std::fs::read_to_string(p).unwrap());
            }
        }
    }
    out
}

#[test]
fn mutants_never_panic_the_checker() {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let corpus = corpus();
            let mut rng = Rng(0x1234_5678_9ABC_DEF1);
            let (mut ok, mut err) = (0, 0);
            for k in 0..3000 {
                let base = &corpus[rng.below(corpus.len())];
                let mut lines: Vec<&str> = base.lines().collect();
                for _ in 0..1 + rng.below(3) {
                    let n = lines.len();
                    if n == 0 {
                        break;
                    }
                    let i = rng.below(n);
                    match rng.below(3) {
                        0 => {
                            lines.remove(i);
                        }
                        1 => lines.insert(rng.below(n), lines[i]),
                        _ => lines.swap(i, rng.below(n)),
                    }
                }
                let src = lines.join("\n");
                let Ok(prog) = compiler::syntax::parse(&src) else {
                    continue;
                };
                let r =
                    std::panic::catch_unwind(|| compiler::check::check_with_source(&prog, &src));
                match r {
                    Ok(Ok(_)) => ok += 1,
                    Ok(Err(e)) => {
                        assert!(
                            e.pos.line >= 1,
                            "no position for {e:?} in mutant #{k}:\n{src}"
                        );
                        err += 1;
                    }
                    Err(_) => panic!("checker panicked on mutant #{k}:\n{src}"),
                }
            }
            assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
        })
        .unwrap()
        .join()
        .unwrap();
}
