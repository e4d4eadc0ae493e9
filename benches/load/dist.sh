#!/usr/bin/env bash
# Figures of the binary Berth ships (docs/BENCHMARKS.md records them): its size, the time
# from `berth serve` to its first answer, its memory idle and with 200 live watchers, and the
# cached snapshot's throughput of the release build beside the debug build's, in one run.
# Needs wrk (Debian), `cargo xtask dist` (and `--static`) and a debug build:
#   cargo xtask dist && cargo xtask dist --static && cargo build -p berth-backend
#   benches/load/dist.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
release="$target/release/berth"
static="$target/x86_64-unknown-linux-musl/release/berth"
debug="$target/debug/berth"
work="$(mktemp -d)"
port="${PORT:-18090}"
url="http://127.0.0.1:$port"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

for binary in "$release" "$static"; do
  printf 'size of %s: %s bytes\n' "$binary" "$(stat -c %s "$binary")"
done

# Starts $1 from an empty directory (the console is the one inside it) and prints how long
# it took to answer /api/health, the sandbox's first opening included.
start() {
  rm -f "$work/state.json" "$work/state.json.lock"
  local began
  began=$(date +%s%N)
  (cd "$work" && exec "$1" serve --addr "127.0.0.1:$port" --state "$work/state.json" 2>"$work/berth.log") &
  server=$!
  for _ in $(seq 400); do
    if curl -sf "$url/api/health" >/dev/null; then
      echo "  first answer after $(( ($(date +%s%N) - began) / 1000000 )) ms"
      return
    fi
    sleep 0.005
  done
  echo "berth did not start"; cat "$work/berth.log"; exit 1
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }
rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}'; }
load() {
  wrk -t2 -c50 -d10s -H "Accept-Encoding: gzip" "$url/api/clusters/demo-ec2" \
    | awk '/Requests\/sec/ {printf "  cached snapshot, gzip: %s req/s\n", $2}'
}

for binary in "$release" "$static" "$debug"; do
  echo "$binary"
  start "$binary"
  sleep 1
  echo "  idle: $(rss)"
  load
  stop
done

echo "$release with 200 watchers of demo-ec2"
start "$release"
python3 "$root/benches/load/watchers.py" 127.0.0.1 "$port" demo-ec2 200 15 &
watchers=$!
sleep 10
echo "  resident memory with 200 watchers: $(rss)"
wait "$watchers"
stop
