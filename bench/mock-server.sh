#!/usr/bin/env bash
# Mock server against nginx (sendfile off, so both copy through user space) on loopback:
# single-stream throughput of a 200 MiB and a 1 GiB generated body (RUNS runs each, default 3),
# small-body requests per second,
# peak RSS under 4 concurrent 1 GiB bodies, and the error of a 100 ms delay at 200 connections.
# Needs nginx, wrk, curl, python3 (Debian: apt-get install -y nginx-light wrk curl python3).
# Installs nothing. Everything binds 127.0.0.1; every process it starts is stopped on exit.
# Usage: bench/mock-server.sh   (from anywhere; about 2 minutes after the release build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NGINX_PORT="${NGINX_PORT:-18089}"
DURATION="${DURATION:-5s}"
RUNS="${RUNS:-3}"

for tool in nginx wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install -y nginx-light wrk curl python3)" >&2; exit 2; }
done

TMP="$(mktemp -d /tmp/dlconform-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "== building mock-server (release)" >&2
cargo build --release -q -p mock-server --manifest-path "$ROOT/Cargo.toml"
MOCK_BIN="$ROOT/target/release/mock-server"

"$MOCK_BIN" --state-dir "$TMP/state" --ready-file "$TMP/ready.json" >/dev/null 2>"$TMP/mock.log" &
MOCK_PID=$!
PIDS+=("$MOCK_PID")
for _ in $(seq 100); do [ -s "$TMP/ready.json" ] && break; sleep 0.1; done
M="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"]["http"])' "$TMP/ready.json")"
N="http://127.0.0.1:$NGINX_PORT"
BIG="body=1g&seed=7"
MID="body=200m&seed=7"
SMALL="body=1k&seed=7"

echo "== generating the 1 GiB file through the mock server" >&2
mkdir -p "$TMP/www"
curl -sS -o "$TMP/www/big.bin" "$M/f/big.bin?$BIG"
curl -sS -o "$TMP/www/mid.bin" "$M/f/mid.bin?$MID"
curl -sS -o "$TMP/www/small.bin" "$M/f/small.bin?$SMALL"
[ "$(stat -c %s "$TMP/www/big.bin")" = 1073741824 ] || { echo "big.bin has the wrong size" >&2; exit 1; }
# The digest of a body this large is computed beside its first transfer: wait until it is cached,
# so no timed download competes with hashing.
for _ in $(seq 120); do
  curl -sS "$M/_control/journal/url" | python3 -c '
import json, sys
rs = [r for r in json.load(sys.stdin)["requests"] if "big.bin" in r["path"]]
sys.exit(0 if rs and rs[0].get("body_sha256") else 1)' && break
  sleep 0.5
done

mkdir -p "$TMP/nginx"
# Started as root, nginx would run its workers as nobody, who cannot read the private temp folder.
NGINX_USER=""
[ "$(id -u)" = 0 ] && NGINX_USER="user $(id -un) $(id -gn);"
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
$NGINX_USER
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  # Off: a generated body is made in user space, so the fair peer copies from user space too.
  sendfile off;
  output_buffers 2 512k;
  keepalive_requests 100000;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
  }
}
CONF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 50); do curl -sf -o /dev/null "$N/small.bin" && break; sleep 0.1; done
for u in "$N/small.bin" "$N/big.bin" "$M/f/small.bin?$SMALL"; do
  code=$(curl -sS -r 0-0 -o /dev/null -w '%{http_code}' "$u")
  case "$code" in 200|206) ;; *) echo "$u answers $code" >&2; exit 1 ;; esac
done

ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f"{a/b:.2f}" if b else "n/a")' "$1" "$2"; }
mib() { python3 -c 'import sys; print(f"{float(sys.argv[1])/1048576:.0f}")' "$1"; }
# Process ids of nginx: the master and its workers.
nginx_pids() { echo "$NGINX_PID"; pgrep -P "$NGINX_PID" || true; }
# Reset the peak RSS (VmHWM) of the given processes, then read the sum of their peaks in KiB.
reset_hwm() { for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done; }
sum_hwm() { local t=0 v; for p in "$@"; do v=$(awk '/VmHWM/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0); t=$((t + ${v:-0})); done; echo "$t"; }

echo
echo "figure                                   mock-server        nginx   ratio"

# (a) single-connection throughput, 200 MiB and 1 GiB, each run measuring both servers in turn.
min_ratio=""
for size in 200m 1g; do
  case "$size" in 200m) mq="$MID"; nf=mid.bin; label="200 MiB" ;; 1g) mq="$BIG"; nf=big.bin; label="1 GiB" ;; esac
  for run in $(seq 1 "$RUNS"); do
    a_mock=$(curl -sS -o /dev/null -w '%{speed_download}' "$M/f/$nf?$mq")
    a_nginx=$(curl -sS -o /dev/null -w '%{speed_download}' "$N/$nf")
    r=$(ratio "$a_mock" "$a_nginx")
    min_ratio=$(python3 -c 'import sys; v=[float(x) for x in sys.argv[1:] if x]; print(f"{min(v):.2f}")' "$r" $min_ratio)
    printf '%-40s %8s MiB/s %6s MiB/s  %s\n' "(a) $label, one connection, run $run" "$(mib "$a_mock")" "$(mib "$a_nginx")" "$r"
  done
done

# (b) requests per second, 1 KiB bodies.
rps() { wrk -t2 -c32 -d"$DURATION" "$1" | awk '/Requests\/sec/{print $2}'; }
b_mock=$(rps "$M/f/small.bin?$SMALL")
b_nginx=$(rps "$N/small.bin")
printf '%-40s %8.0f req/s %6.0f req/s  %s\n' "(b) 1 KiB bodies, wrk -t2 -c32 -d$DURATION" "$b_mock" "$b_nginx" "$(ratio "$b_mock" "$b_nginx")"

# (c) peak RSS while serving 4 concurrent 1 GiB bodies.
peak_under_load() {
  local url="$1"; shift
  reset_hwm "$@"
  local c=()
  for i in 1 2 3 4; do curl -sS -o /dev/null "$url" & c+=($!); done
  wait "${c[@]}"
  sum_hwm "$@"
}
c_mock=$(peak_under_load "$M/f/big.bin?$BIG" "$MOCK_PID")
c_nginx=$(peak_under_load "$N/big.bin" $(nginx_pids))
printf '%-40s %8s MiB   %6s MiB    %s\n' "(c) peak RSS, 4 x 1 GiB at once" "$((c_mock / 1024))" "$((c_nginx / 1024))" "$(ratio "$c_mock" "$c_nginx")"

# (d) error of a 100 ms delay at 200 connections (measured latency minus 100 ms).
ms() { python3 -c '
import sys
v = sys.argv[1]
for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
    if v.endswith(unit) and (unit != "s" or not v.endswith(("us", "ms"))):
        print(f"{float(v[:-len(unit)]) * f:.2f}"); break
' "$1"; }
d_out=$(wrk -t2 -c200 -d"$DURATION" --latency "$M/f/d.bin?delay_ms=100&$SMALL")
p50=$(echo "$d_out" | awk '$1=="50%"{print $2}')
p99=$(echo "$d_out" | awk '$1=="99%"{print $2}')
d_rps=$(echo "$d_out" | awk '/Requests\/sec/{print $2}')
e50=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) - 100:+.2f}")' "$(ms "$p50")")
e99=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) - 100:+.2f}")' "$(ms "$p99")")
printf '%-40s p50 %s ms, p99 %s ms (latency p50 %s, p99 %s; %s req/s)\n' "(d) delay_ms=100 error, 200 connections" "$e50" "$e99" "$p50" "$p99" "$d_rps"

echo
echo "lowest (a) ratio: $min_ratio"
echo "targets: (a) ratio >= 0.90 in every run; (c) mock-server under 64 MiB"
