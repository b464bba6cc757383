#!/usr/bin/env python3
"""Side-by-side CPU time of several commands on ../shared/bench programs, interleaved.

    CMDS="target/x86_64-unknown-linux-gnu/release/mochi run --jit=off {b}/{b}.mochi; lua5.4 {b}/{b}.lua" \\
        benches/interleaved.py RUNS [BENCH...]

Each round runs every command once, in turn, so a burst of load on a shared machine hits
all of them alike; the time of a run is its user + system CPU time (from rusage), which a
loaded machine inflates far less than wall-clock time. Prints per bench the median of each
command and its ratio to the last command. `{b}` is the bench name; commands run in
../shared/bench. Default benches: all of them.
"""
import os
import resource
import statistics
import subprocess
import sys

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
bench_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench')
os.chdir(bench_dir)
benches = sys.argv[2:] or sorted(d for d in os.listdir('.') if os.path.isfile(os.path.join(d, 'expected.out')))
cmds = [c.strip() for c in os.environ['CMDS'].split(';') if c.strip()]
for b in benches:
    times = {c: [] for c in cmds}
    for _ in range(runs):
        for c in cmds:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(c.format(b=b), shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[c].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    meds = [statistics.median(times[c]) for c in cmds]
    print(f"{b:20s} " + " ".join(f"{m:.3f}" for m in meds)
          + "  | ratio to last: " + " ".join(f"{m / meds[-1]:.2f}" for m in meds[:-1]), flush=True)
