#!/usr/bin/env bash
# The large demo fleet on the release `berth` (docs/BENCHMARKS.md records the figures): the
# 20,000-task snapshot's size plain and gzipped, wrk on it, the deltas the live stream sends when
# 50 tasks start, the console drawing it in headless Chromium, and memory idle and with 200
# watchers. Needs wrk and a release build:
#   cargo build --release -p berth-backend && benches/load/large.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
berth="$target/release/berth"
work="$(mktemp -d)"
port="${PORT:-18081}"
url="http://127.0.0.1:$port"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

started=$(date +%s.%N)
RUST_LOG=info "$berth" serve --addr "127.0.0.1:$port" --state "$work/state.json" \
  --demo-fleet large --max-live-streams 1000 --cache-ttl 5 --poll-interval 1 \
  --static-dir "${BERTH_DIST:-$root/dist}" 2>"$work/berth.log" &
server=$!
for _ in $(seq 600); do curl -sf "$url/api/health" >/dev/null && break; sleep 0.1; done
curl -sf "$url/api/clusters/demo-large" >/dev/null
echo "first answer of demo-large after $(echo "$(date +%s.%N) - $started" | bc) s (seeding the fleet included)"
rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}'; }
echo "snapshot of demo-large: $(curl -s "$url/api/clusters/demo-large" | wc -c) bytes, gzipped $(curl -s -H 'Accept-Encoding: gzip' "$url/api/clusters/demo-large" | wc -c) bytes"
echo "berth resident memory, idle with the large fleet: $(rss)"
printf 'wrk GET demo-large, gzip accepted: '
wrk -t2 -c50 -d10s -H 'Accept-Encoding: gzip' "$url/api/clusters/demo-large" | awk '/Requests\/sec/ {print $2 " req/s"}'
python3 "$root/benches/load/delta.py" 127.0.0.1 "$port" demo-large api-01 550 3
python3 "$root/benches/load/large_page.py" "$url" demo-large auth-03 550
python3 "$root/benches/load/watchers.py" 127.0.0.1 "$port" demo-large 200 20 &
watchers=$!
sleep 15
echo "berth resident memory with 200 watchers of demo-large: $(rss)"
wait "$watchers"
echo "pollers started for demo-large: $(grep -c 'poller started' "$work/berth.log")"
