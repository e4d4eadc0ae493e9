#!/usr/bin/env bash
# Load figures of the release `berth` on loopback (docs/BENCHMARKS.md records them):
# wrk on the cached cluster snapshot, the cluster list and health, without and with sign-in,
# then 500 live watchers of one cluster. Needs wrk (Debian) and a release build:
#   cargo build --release -p berth-backend && benches/load/run.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
berth="$target/release/berth"
work="$(mktemp -d)"
port="${PORT:-18080}"
url="http://127.0.0.1:$port"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

start() {
  RUST_LOG=info "$berth" serve --addr "127.0.0.1:$port" --state "$work/state.json" \
    --static-dir "${BERTH_DIST:-$root/dist}" "$@" 2>"$work/berth.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "$url/api/health" >/dev/null && return; sleep 0.1; done
  echo "berth did not start"; cat "$work/berth.log"; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
load() { # name, then wrk's arguments
  local name="$1"; shift
  printf '%-44s ' "$name"
  wrk -t2 -c50 -d10s "$@" | awk '/Requests\/sec/ {rps=$2} /Latency/ {lat=$2} /Non-2xx/ {bad=$4}
    END {printf "%10s req/s  avg latency %s  non-2xx %s\n", rps, lat, bad ? bad : 0}'
}

start
curl -sf "$url/api/clusters/demo-ec2" >/dev/null
echo "snapshot of demo-ec2: $(curl -s "$url/api/clusters/demo-ec2" | wc -c) bytes"
load "GET /api/health" "$url/api/health"
load "GET /api/clusters" "$url/api/clusters"
load "GET /api/clusters/demo-ec2 (cached snapshot)" "$url/api/clusters/demo-ec2"
echo "snapshot of demo-ec2 gzipped: $(curl -s -H 'Accept-Encoding: gzip' "$url/api/clusters/demo-ec2" | wc -c) bytes"
load "GET /api/clusters/demo-ec2 (cached, gzip accepted)" -H "Accept-Encoding: gzip" "$url/api/clusters/demo-ec2"
stop

"$berth" token create --role viewer --name load --auth-file "$work/auth.json" >"$work/token"
token="$(cat "$work/token")"
start --auth-file "$work/auth.json"
load "GET /api/clusters/demo-ec2, bearer token" -H "Authorization: Bearer $token" "$url/api/clusters/demo-ec2"
stop

start --max-live-streams 1000
python3 "$root/benches/load/watchers.py" 127.0.0.1 "$port" demo-ec2 500 15 &
watchers=$!
sleep 10
echo "berth resident memory with 500 watchers: $(ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}')"
wait "$watchers"
echo "pollers started: $(grep -c 'poller started' "$work/berth.log")"
stop
