#!/usr/bin/env bash
# The placement engine benchmark as wasm32 in headless Chromium (issue #3, "Performance").
#
# Builds berth-bench-placement-wasm for wasm32-unknown-unknown, runs wasm-bindgen --target web,
# serves index.html next to the output on 127.0.0.1 (serve.py), opens it in headless Chromium
# and prints the page's timings of simulate_placement on berth_shared::placement::bench_fleet
# (10,000 tasks onto 1,000 instances across 3 AZs, spread(AZ) then binpack(memory), memberOf).
#
# With BENCH=preview it times the Deploy preview instead (berth_shared::placement::bench_preview:
# a new image for one service of INSTANCES (500) instances running TASKS (5000) tasks).
#
# Usage: benches/placement-wasm/run.sh
# Environment: PROFILE (cargo profile, default release; wasm-release is what the console
# ships), RUNS (timed runs, default 30), WARMUP (untimed runs, default 5), INSTANCES (1000),
# ZONES (3), COUNT (10000), CHROMIUM (/usr/bin/chromium), CARGO_TARGET_DIR
# (/root/.cache/berth/target).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/berth/target}"
profile="${PROFILE:-release}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ "${BENCH:-placement}" == "preview" ]]; then
  query="bench=preview&instances=${INSTANCES:-500}&tasks=${TASKS:-5000}&warmup=${WARMUP:-5}&runs=${RUNS:-30}"
else
  query="instances=${INSTANCES:-1000}&zones=${ZONES:-3}&count=${COUNT:-10000}&warmup=${WARMUP:-5}&runs=${RUNS:-30}"
fi

locked="$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"$/\1/p')"
installed="$(wasm-bindgen --version | awk '{print $2}')"
if [[ "$locked" != "$installed" ]]; then
  echo "wasm-bindgen CLI $installed does not match Cargo.lock's $locked" >&2
  exit 1
fi

echo "building (profile $profile)..." >&2
(cd "$root" && cargo build --profile "$profile" --target wasm32-unknown-unknown \
  -p berth-bench-placement-wasm)
profile_dir="$profile"
[[ "$profile" == "dev" ]] && profile_dir=debug
out="$CARGO_TARGET_DIR/bench-placement-wasm/$profile"
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile_dir/berth_bench_placement_wasm.wasm"
cp "$here/index.html" "$out/"

scratch="$(mktemp -d /tmp/berth-bench-placement-wasm.XXXXXX)"
server_pid=""
browser_pid=""
cleanup() {
  if [[ -n "$browser_pid" ]]; then
    kill -- "-$browser_pid" 2>/dev/null || true
    wait "$browser_pid" 2>/dev/null || true
  fi
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

python3 "$here/serve.py" "$out" "$scratch/port" 300 >"$scratch/result" &
server_pid=$!
for _ in $(seq 100); do
  [[ -s "$scratch/port" ]] && break
  sleep 0.1
done
url="http://127.0.0.1:$(cat "$scratch/port")/?$query"

echo "measuring in $("$chromium" --version 2>/dev/null) at $url ..." >&2
setsid "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --user-data-dir="$scratch/profile" \
  "$url" >"$scratch/chromium.log" 2>&1 &
browser_pid=$!

if ! wait "$server_pid"; then
  server_pid=""
  echo "no result from the page within 300 s; Chromium's log:" >&2
  tail -20 "$scratch/chromium.log" >&2
  exit 1
fi
server_pid=""
result="$(cat "$scratch/result")"
echo "$result"
[[ "$result" == RESULT* ]] || exit 1
python3 - "$profile" "${result#RESULT }" <<'PY'
import json, sys
profile, r = sys.argv[1], json.loads(sys.argv[2])
timings = (f"median {r['medianMs']:.1f} ms, min {r['minMs']:.1f} ms, max {r['maxMs']:.1f} ms over "
           f"{r['runs']} runs after {r['warmup']} warm-up; first run {r['firstMs']:.1f} ms; "
           f"building the input {r['setupMs']:.1f} ms")
if r.get("bench") == "preview":
    print(f"wasm32 ({profile}), Deploy preview on {r['instances']} instances / {r['tasks']} tasks: {timings}")
else:
    print(f"wasm32 ({profile}), {r['count']} tasks on {r['instances']} instances / {r['zones']} AZs: "
          f"placed {r['placed']} (digest {r['placementDigest']}); {timings}")
PY
