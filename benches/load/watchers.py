#!/usr/bin/env python3
"""Opens N live streams of one cluster on a Berth server, waits until each has received its
first snapshot, keeps them open for a while, and prints what it measured.

usage: watchers.py HOST PORT CLUSTER COUNT SECONDS [BEARER_TOKEN]
Loopback only: HOST must be a 127.0.0.0/8 address.
"""

import asyncio
import ipaddress
import sys
import time


async def watch(host, port, cluster, token, first_snapshots, snapshots, hold):
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 26)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    writer.write(
        (
            f"GET /api/clusters/{cluster}/stream HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Accept: text/event-stream\r\n{auth}\r\n"
        ).encode()
    )
    await writer.drain()
    seen_first = False
    deadline = time.monotonic() + hold
    try:
        while time.monotonic() < deadline:
            line = await asyncio.wait_for(reader.readline(), timeout=max(0.1, deadline - time.monotonic()))
            if not line:
                break
            if line.startswith(b"event: snapshot"):
                snapshots[0] += 1
                if not seen_first:
                    seen_first = True
                    first_snapshots.append(time.monotonic())
    except asyncio.TimeoutError:
        pass
    finally:
        writer.close()


async def main():
    host, port, cluster, count, seconds = sys.argv[1:6]
    token = sys.argv[6] if len(sys.argv) > 6 else None
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("loopback addresses only")
    count, seconds = int(count), float(seconds)
    first, snapshots = [], [0]
    started = time.monotonic()
    await asyncio.gather(
        *(watch(host, int(port), cluster, token, first, snapshots, seconds) for _ in range(count))
    )
    if first:
        print(f"watchers={count} first_snapshot_received={len(first)} "
              f"all_first_snapshots_within_s={max(first) - started:.2f} "
              f"snapshot_events={snapshots[0]} held_s={seconds}")
    else:
        print(f"watchers={count} first_snapshot_received=0")


asyncio.run(main())
