#!/usr/bin/env bash
# Steady under load: the release reference run, 3 times at each of --jobs 1, 8 and 32, and 3
# times at the default jobs while the machine is loaded (stress-ng --cpu 2, or busy loops of
# its own when stress-ng cannot be had). Prints one row per run: exit code, cases, PASS count,
# cases not as expected, wall time, load average at the start. Exit 1 when any run was not
# clean (exit code not 0, or any case, required or recommended, not as expected).
#
# Usage: bench/load.sh [RUNS]   (default 3 runs per setting)
#   SETTINGS="1 8 32 loaded"    which settings, in order (`loaded`: default jobs under load)
#   LOAD_CPUS=2                 CPU hogs started for `loaded`
#   INSTALL=0                   do not try to install stress-ng when it is missing
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
settings=${SETTINGS:-"1 8 32 loaded"}
load_cpus=${LOAD_CPUS:-2}

cargo build --release -q -p dlconform
bin=target/release/dlconform
work=$(mktemp -d)
hogs=()
stop_load() {
  for pid in "${hogs[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  hogs=()
}
trap 'stop_load; rm -rf "$work"' EXIT

start_load() {
  if ! command -v stress-ng >/dev/null 2>&1 && [ "${INSTALL:-1}" != 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y -qq stress-ng >/dev/null 2>&1 || true
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo -n apt-get install -y -qq stress-ng >/dev/null 2>&1 || true
    fi
  fi
  if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu "$load_cpus" --quiet &
    hogs+=($!)
    load_by="stress-ng --cpu $load_cpus"
  else
    for _ in $(seq 1 "$load_cpus"); do
      sh -c 'while :; do :; done' &
      hogs+=($!)
    done
    load_by="$load_cpus busy shell loops (no stress-ng)"
  fi
  # Let the hogs take their share before the first measured run.
  sleep 2
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

echo "machine: $(nproc) CPUs; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-4s %5s %6s %5s %11s %8s %8s\n' \
  setting run exit cases PASS unexpected wall_s load_1m
clean=1
for setting in $settings; do
  args=(run)
  case "$setting" in
    loaded) start_load; echo "load: $load_by" ;;
    *) args+=(--jobs "$setting") ;;
  esac
  for i in $(seq 1 "$runs"); do
    out="$work/run-$setting-$i"
    load=$(loadavg)
    start=$(date +%s.%N)
    code=0
    "$bin" "${args[@]}" --out "$out" >"$work/stdout-$setting-$i" 2>"$work/stderr-$setting-$i" || code=$?
    end=$(date +%s.%N)
    row=$(python3 - "$out/results.json" "$start" "$end" <<'PY'
import json, sys
path, start, end = sys.argv[1:]
try:
    r = json.load(open(path))
except (OSError, ValueError):
    print("- - - -")
    sys.exit()
s = r["summary"]
unexpected = s["unexpected_required"] + s["unexpected_recommended"]
print(s["total"], s["by_status"].get("PASS", 0), len(unexpected), f"{float(end) - float(start):.1f}")
for case in unexpected:
    print("  not as expected:", case, file=sys.stderr)
PY
    )
    read -r cases pass unexpected wall <<<"$row"
    printf '%-8s %-4s %5s %6s %5s %11s %8s %8s\n' \
      "$setting" "$i" "$code" "$cases" "$pass" "$unexpected" "$wall" "$load"
    if [ "$code" != 0 ] || [ "$unexpected" != 0 ]; then
      clean=0
      grep -E '^(FAIL|TIMEOUT|CRASH|ERROR|XPASS|UNSUPPORTED)' "$work/stderr-$setting-$i" | head -20 || true
      # Kept for a look after the run: the work folder goes away on exit.
      mkdir -p reports/load-failures
      cp -r "$out" "reports/load-failures/run-$setting-$i" 2>/dev/null || true
    fi
  done
  if [ "$setting" = loaded ]; then stop_load; fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$clean" = 1 ]; then
  echo "every run clean"
else
  echo "some runs not clean (results kept in reports/load-failures/)"
  exit 1
fi
