#!/usr/bin/env bash
# Cross-language comparison: builds mochi in release and times it side by side with the peers
# (C, LuaJIT, Lua, Python, node, ...) on ../shared/bench with that folder's runner
# (hyperfine when installed). Usage:
#   benches/cross-language.sh                       # every bench mochi can run, modes off+auto
#   BENCHES="fib_rec sum_loop" MOCHI_MODES="off always auto" RUNS=5 benches/cross-language.sh
# Results: a TSV (OUT, default target/cross-language.tsv) and a table on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared="$root/../shared/bench"
[ -x "$shared/run.sh" ] || { echo "no $shared/run.sh" >&2; exit 1; }
cargo build --release --manifest-path "$root/Cargo.toml" -q
mochi="$root/target/x86_64-unknown-linux-gnu/release/mochi"
if [ -z "${BENCHES:-}" ]; then
  # Only the programs this build can run (others fail with `not supported yet`).
  BENCHES=""
  for d in "$shared"/*/; do
    b=$(basename "$d")
    [ -f "$d/$b.mochi" ] || continue
    if "$mochi" run --ir "$d/$b.mochi" >/dev/null 2>&1; then BENCHES="$BENCHES $b"; fi
  done
fi
echo "benches:$BENCHES" >&2
export BENCHES
export MOCHI_CMD="$mochi run"
export MOCHI_MODES="${MOCHI_MODES:-off auto}"
export OUT="${OUT:-$root/target/cross-language.tsv}"
export RUNS="${RUNS:-5}"
"$shared/run.sh"
