#!/usr/bin/env python3
"""Watches one cluster's live stream on a Berth server, changes a service's desired count by
N tasks, and prints the size of the first snapshot and of each delta that follows, with each
delta's share of the snapshot.

usage: delta.py HOST PORT CLUSTER SERVICE NEW_DESIRED_COUNT [EVENTS]
Loopback only: HOST must be a 127.0.0.0/8 address.
"""

import ipaddress
import json
import sys
import threading
import time
import urllib.request


def main():
    host, port, cluster, service, desired = sys.argv[1:6]
    wanted = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("loopback addresses only")
    base = f"http://{host}:{port}"
    events = []

    def read():
        with urllib.request.urlopen(f"{base}/api/clusters/{cluster}/stream", timeout=300) as r:
            name, size = None, 0
            for raw in r:
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    size += len(line[5:].strip())
                elif line == "" and name:
                    events.append((name, size))
                    name, size = None, 0
                    if len(events) >= wanted:
                        return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not events:
        time.sleep(0.1)
    request = urllib.request.Request(
        f"{base}/api/clusters/{cluster}/services/{service}",
        data=json.dumps({"desiredCount": int(desired)}).encode(),
        method="PUT",
        headers={"content-type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=300)
    reader.join(120)
    snapshot = events[0][1]
    print(f"first event: {events[0][0]}, {snapshot:,} bytes")
    for name, size in events[1:]:
        print(f"then {name}: {size:,} bytes ({100 * size / snapshot:.2f} % of the snapshot)")


if __name__ == "__main__":
    main()
