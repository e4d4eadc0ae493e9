#!/usr/bin/env python3
"""The console on a 500-instance, 5,000-task cluster read over the SDK path: starts a moto
seeded by the `moto_fleet` helper (berth-tests; the fleet of the browser test
`a_five_thousand_task_cluster_from_aws_is_drawn_and_followed`), the release `berth` in front of
it, and times the page with `large_page.follow`: the graph drawn, then 50 tasks started in
moto (five RunTask calls) reaching the page as a live delta.

usage: moto_large.py BERTH MOTO_FLEET [PORT]
  BERTH       the release berth binary
  MOTO_FLEET  the moto_fleet binary (cargo build -p berth-tests --bin moto_fleet)
BERTH_MOTO_SERVER names moto_server, BERTH_DIST the console's files. Loopback only.
"""

import os
import subprocess
import sys
import time
import urllib.request

import large_page

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


def main():
    berth, moto_fleet = sys.argv[1:3]
    port = sys.argv[3] if len(sys.argv) > 3 else "18082"
    started = time.monotonic()
    fleet = subprocess.Popen([moto_fleet, "500", "10", "500"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    server = None
    try:
        ready = fleet.stdout.readline().split()
        if ready[:1] != ["ready"]:
            sys.exit(f"moto_fleet did not start: {ready}")
        moto = ready[1]
        print(f"moto seeded with 500 instances and 5,000 tasks in "
              f"{time.monotonic() - started:.0f} s")
        url = f"http://127.0.0.1:{port}"
        dist = os.environ.get("BERTH_DIST", os.path.join(os.path.dirname(__file__), "../../dist"))
        server = subprocess.Popen(
            [berth, "serve", "--aws", "--endpoint-url", moto, "--addr", f"127.0.0.1:{port}",
             "--static-dir", dist, "--poll-interval", "1"],
            env={**os.environ, **AWS_ENV, "RUST_LOG": "warn"}, stderr=subprocess.DEVNULL)
        large_page.wait(lambda: subprocess.run(["curl", "-sf", f"{url}/api/health"],
                                               capture_output=True).returncode == 0, 60, "berth")
        started = time.monotonic()
        urllib.request.urlopen(f"{url}/api/clusters/it-large", timeout=300).read()
        print(f"berth's first snapshot of it-large from moto: {time.monotonic() - started:.1f} s")

        def change():
            fleet.stdin.write("run 50 service:svc-00\n")
            fleet.stdin.flush()
            fleet.stdout.readline()

        large_page.follow(url, "it-large", change, 50)
    finally:
        if server:
            server.terminate()
        fleet.stdin.close()
        fleet.wait(60)


if __name__ == "__main__":
    main()
