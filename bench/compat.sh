#!/usr/bin/env bash
# The compatibility matrix's wall time against its slowest column, and each browser column's
# wall time against its own slowest case (targets: at most 1.3 and 1.5). Not a test: it
# measures and prints.
#
# Usage: bench/compat.sh [RUNS] [-- COMPAT ARGS...]   (default 3 runs of `compat --no-install`)
#   DLCONFORM=path/to/dlconform   the binary (default: target/release/dlconform, built first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift $(( $# > 0 ? 1 : 0 ))
[ "${1:-}" = -- ] && shift
extra=("$@")

if [ -z "${DLCONFORM:-}" ]; then
  cargo build --release -q -p dlconform
  bin=${CARGO_TARGET_DIR:-target}/release/dlconform
else
  bin=$DLCONFORM
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Pending snapshots (`.yaml.new`) go to a copy, never into the tree.
cp -a snapshots "$work/snapshots"
out="$work/compat"
# Durations from an earlier matrix, if any, so the cases start longest first as in a user's run.
if [ -d reports/compat/runs ]; then
  mkdir -p "$out" && cp -a reports/compat/runs "$out/runs"
fi

printf 'binary: %s; %s run(s) of: compat --no-install %s\n' "$bin" "$runs" "${extra[*]:-}"
for i in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  code=0
  "$bin" compat --no-install --out "$out" --snapshot-dir "$work/snapshots" "${extra[@]}" \
    >"$work/stdout" 2>"$work/stderr" || code=$?
  end=$(date +%s.%N)
  python3 - "$out" "$start" "$end" "$i" "$code" <<'PY'
import datetime, json, os, sys
out, start, end, i, code = sys.argv[1:]
wall = float(end) - float(start)

def stamp(text):
    # RFC 3339 with up to nanoseconds; Python takes microseconds.
    head, _, frac = text.rstrip("Z").partition(".")
    frac = (frac + "000000")[:6]
    return datetime.datetime.fromisoformat(f"{head}.{frac}+00:00").timestamp()

rows = []
runs = os.path.join(out, "runs")
for name in sorted(os.listdir(runs)):
    path = os.path.join(runs, name, "results.json")
    if not os.path.exists(path):
        continue
    r = json.load(open(path))
    if not r["cases"]:
        continue
    col = stamp(r["run"]["finished_at"]) - stamp(r["run"]["started_at"])
    slow = max(r["cases"], key=lambda c: c["duration_ms"])
    runtime = (r["run"]["candidate"].get("runtime") or {}).get("name", "")
    rows.append((name, col, slow["duration_ms"] / 1000, slow["id"], runtime == "chromium", len(r["cases"])))
slowest = max(rows, key=lambda row: row[1])
print(f"run {i}: exit {code}, compat wall {wall:.1f} s, slowest column {slowest[0]} {slowest[1]:.1f} s, "
      f"wall/slowest column {wall / slowest[1]:.2f} (target <= 1.3)")
for name, col, slow, case, browser, n in rows:
    mark = f"  wall/slowest case {col / slow:.2f}" + (" (target <= 1.5)" if browser else "")
    print(f"  {name:<13} {n:>3} cases  column {col:6.1f} s  slowest case {slow:6.1f} s {case}{mark}")
PY
done
