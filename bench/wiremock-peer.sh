#!/usr/bin/env bash
# Memory of wiremock against the mock server, serving the same large body under load.
# wiremock (bench/wiremock-peer/) holds a mocked body as a Vec<u8> and copies it into every
# response; the mock server generates the body and streams it. Prints, per server, the RSS
# before the load, the peak RSS during it (VmHWM) and the RSS after it, then the ratios.
# Needs curl and python3 (Debian: apt-get install -y curl python3). Installs nothing; binds
# 127.0.0.1 only; every process it starts is stopped on exit.
# Usage: bench/wiremock-peer.sh   (BODY_MIB=256 CLIENTS=4 ROUNDS=2 by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BODY_MIB="${BODY_MIB:-256}"
CLIENTS="${CLIENTS:-4}"
ROUNDS="${ROUNDS:-2}"

for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y curl python3)" >&2; exit 2; }
done

TMP="$(mktemp -d /tmp/dlconform-wiremock-peer.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "== building mock-server and bench/wiremock-peer (release)" >&2
cargo build --release -q -p mock-server --manifest-path "$ROOT/Cargo.toml"
cargo build --release -q --manifest-path "$ROOT/bench/wiremock-peer/Cargo.toml" \
  --target-dir "$ROOT/target/wiremock-peer"

wait_ready() { for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
mib() { echo $(( $1 / 1024 )); }

# Start one server, load it, print "name before peak after" in MiB.
measure() {
  local name="$1" pid="$2" url="$3"
  local before peak after size
  before="$(kib "$pid" VmRSS)"
  for _ in $(seq "$ROUNDS"); do
    local curls=()
    for _ in $(seq "$CLIENTS"); do
      curl -sS -o /dev/null -w '%{size_download}\n' "$url" >>"$TMP/$name.sizes" &
      curls+=("$!")
    done
    for c in "${curls[@]}"; do wait "$c"; done
  done
  sleep 1
  peak="$(kib "$pid" VmHWM)"
  after="$(kib "$pid" VmRSS)"
  while read -r size; do
    [ "$size" = $(( BODY_MIB << 20 )) ] || { echo "$name: a download got $size bytes" >&2; exit 1; }
  done <"$TMP/$name.sizes"
  echo "$name $(mib "$before") $(mib "$peak") $(mib "$after")"
}

"$ROOT/target/release/mock-server" --state-dir "$TMP/state" --ready-file "$TMP/mock.json" >/dev/null 2>"$TMP/mock.log" &
MOCK_PID=$!; PIDS+=("$MOCK_PID")
wait_ready "$TMP/mock.json"
M="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"]["http"])' "$TMP/mock.json")"
read -r _ m_before m_peak m_after < <(measure mock-server "$MOCK_PID" "$M/f/big.bin?body=${BODY_MIB}m&seed=7")
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true

"$ROOT/target/wiremock-peer/release/wiremock-peer" --body-mib "$BODY_MIB" --ready-file "$TMP/wiremock.url" 2>"$TMP/wiremock.log" &
WM_PID=$!; PIDS+=("$WM_PID")
wait_ready "$TMP/wiremock.url"
read -r _ w_before w_peak w_after < <(measure wiremock "$WM_PID" "$(cat "$TMP/wiremock.url")/big.bin")

echo "body ${BODY_MIB} MiB, ${CLIENTS} clients at once, ${ROUNDS} rounds (RSS in MiB, from /proc/<pid>/status)"
printf '%-12s %10s %10s %10s\n' server before peak after
printf '%-12s %10s %10s %10s\n' mock-server "$m_before" "$m_peak" "$m_after"
printf '%-12s %10s %10s %10s\n' wiremock "$w_before" "$w_peak" "$w_after"
awk -v wp="$w_peak" -v mp="$m_peak" -v wa="$w_after" -v ma="$m_after" 'BEGIN {
  printf "ratio wiremock / mock-server: peak %.0fx, after load %.0fx\n", wp / (mp > 0 ? mp : 1), wa / (ma > 0 ? ma : 1) }'
