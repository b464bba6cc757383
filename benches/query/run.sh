#!/usr/bin/env bash
# Times the query benchmarks in Mochi (--jit=auto and --jit=off), Python 3 and Lua 5.4 with
# hyperfine (one run, side by side) and prints the median of each.
#   MOCHI=/path/to/mochi RUNS=5 ./run.sh
set -eu
cd "$(dirname "$0")"
MOCHI=${MOCHI:-../../target/x86_64-unknown-linux-gnu/release/mochi}
RUNS=${RUNS:-5}
LUA=$(command -v lua5.4 || command -v lua)
for b in join_100k group_by_1m; do
  echo "== $b"
  for cmd in "$MOCHI run $b.mochi" "$MOCHI run --jit=off $b.mochi" "python3 $b.py" "$LUA $b.lua"; do
    echo "  $cmd -> $($cmd)"
  done
  json=$(mktemp)
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$json" \
    -n mochi "$MOCHI run $b.mochi" -n mochi-off "$MOCHI run --jit=off $b.mochi" \
    -n python3 "python3 $b.py" -n lua5.4 "$LUA $b.lua" >/dev/null
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("  %-10s median %.3f s" % (r["command"], r["median"]))' "$json"
  rm -f "$json"
done
