#!/usr/bin/env bash
# The default run's wall time against its slowest case: the suite should last about as long as
# its slowest case (target: ratio at most 1.3). Not a test: it measures and prints.
#
# Usage: bench/suite.sh [RUNS]   (default 3 runs per setting; JOBS="8 default" to choose settings)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
settings=${JOBS:-"8 default"}

cargo build --release -q -p dlconform
bin=target/release/dlconform
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run first, so every measured run orders its cases by measured durations, as a user's
# second run does (reports/latest/results.json).
"$bin" run --out "$work/warm" >/dev/null 2>&1 || true

printf '%-8s %-4s %9s %9s %7s %s\n' jobs run wall_s slowest_s ratio "slowest case / statuses"
for jobs in $settings; do
  for i in $(seq 1 "$runs"); do
    out="$work/run-$jobs-$i"
    args=(run --out "$out" --durations-from "$work/warm/results.json")
    [ "$jobs" = default ] || args+=(--jobs "$jobs")
    start=$(date +%s.%N)
    code=0
    "$bin" "${args[@]}" >/dev/null 2>&1 || code=$?
    end=$(date +%s.%N)
    python3 - "$out/results.json" "$start" "$end" "$jobs" "$i" "$code" <<'PY'
import json, sys
path, start, end, jobs, i, code = sys.argv[1:]
r = json.load(open(path))
wall = float(end) - float(start)
slow = max(r["cases"], key=lambda c: c["duration_ms"])
statuses = {}
for c in r["cases"]:
    statuses[c["status"]] = statuses.get(c["status"], 0) + 1
tally = " ".join(f"{k}={v}" for k, v in sorted(statuses.items()))
s = slow["duration_ms"] / 1000
print(f"{jobs:<8} {i:<4} {wall:9.2f} {s:9.2f} {wall / s:7.2f} {slow['id']} / {tally} exit={code}")
PY
  done
done
