#!/usr/bin/env python3
"""Peer figure for the placement engine benchmark: moto's RunTask on an equivalent fleet.

Starts its own `moto_server` on a free 127.0.0.1 port, builds the fleet of
`berth_shared::placement::bench_fleet` (INSTANCES container instances round-robin over ZONES
Availability Zones us-east-1a, -1b, ...; every tenth a c5.2xlarge, the others m5.2xlarge; one
EC2 instance per container instance, launched with ec2.run_instances in batches), registers the
task definition `web` (one container, 256 CPU / 512 MiB), then places TASKS tasks with
`run_task(count=10)` calls (RunTask's maximum) with the benchmark's strategies and constraint,
and prints the total and per-call times.

What moto does (5.2.5): it ignores placementStrategy and placementConstraints and places
first-fit in registration order, restarting from the first instance on every call; every
instance registers 4096 CPU / 7482 MiB whatever its type, so 14 tasks of 512 MiB fit on one
(10,000 tasks fill 715 instances). The times include boto3 request signing and the HTTP round
trip to the local server, which real ECS calls also pay.

Usage: <moto venv>/bin/python benches/moto_run_task.py [--instances 1000] [--zones 3]
       [--tasks 10000] [--json]
Needs the moto venv (moto[server] 5.2.5 + boto3), e.g. /root/.cache/berth/moto-venv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore.config
import moto

CLUSTER = "bench"
BATCH = 100  # EC2 instances per run_instances call


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    server = os.path.join(os.path.dirname(sys.executable), "moto_server")
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("moto_server did not answer within 60 s")


def fleet(instances: int, zones: int) -> list[tuple[str, str]]:
    """(AZ, instance type) per index, as bench_fleet builds them."""
    names = [f"us-east-1{chr(ord('a') + z)}" for z in range(max(1, min(zones, 26)))]
    return [
        (names[i % len(names)], "c5.2xlarge" if i % 10 == 0 else "m5.2xlarge")
        for i in range(instances)
    ]


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--zones", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    port = free_port()
    proc = start_moto(port)
    try:
        kw = dict(
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )
        ec2 = boto3.client("ec2", **kw)
        ecs = boto3.client("ecs", **kw)

        layout = fleet(args.instances, args.zones)
        started = time.perf_counter()
        # EC2 instances in batches per (AZ, type); then container instances in index order.
        by_group: dict[tuple[str, str], list[int]] = {}
        for index, key in enumerate(layout):
            by_group.setdefault(key, []).append(index)
        instance_ids: dict[int, str] = {}
        for (az, itype), indices in by_group.items():
            for start in range(0, len(indices), BATCH):
                batch = indices[start : start + BATCH]
                launched = ec2.run_instances(
                    ImageId="ami-760aaa0f",
                    MinCount=len(batch),
                    MaxCount=len(batch),
                    InstanceType=itype,
                    Placement={"AvailabilityZone": az},
                )["Instances"]
                for index, instance in zip(batch, launched):
                    instance_ids[index] = instance["InstanceId"]
        ec2_seconds = time.perf_counter() - started

        ecs.create_cluster(clusterName=CLUSTER)
        started = time.perf_counter()
        for index in range(args.instances):
            az, itype = layout[index]
            document = {
                "instanceId": instance_ids[index],
                "availabilityZone": az,
                "instanceType": itype,
                "region": "us-east-1",
                "accountId": "123456789012",
                "imageId": "ami-760aaa0f",
                "architecture": "x86_64",
            }
            ecs.register_container_instance(
                cluster=CLUSTER,
                instanceIdentityDocument=json.dumps(document),
                instanceIdentityDocumentSignature="ZHVtbXk=",
            )
        register_seconds = time.perf_counter() - started

        task_definition = ecs.register_task_definition(
            family="web",
            containerDefinitions=[
                {"name": "app", "image": "public.ecr.aws/nginx/nginx:latest", "cpu": 256, "memory": 512}
            ],
            requiresCompatibilities=["EC2"],
            networkMode="bridge",
        )["taskDefinition"]["taskDefinitionArn"]

        calls: list[float] = []
        placed = 0
        failures = 0
        per_instance: dict[str, int] = {}
        remaining = args.tasks
        total_started = time.perf_counter()
        while remaining > 0:
            count = min(10, remaining)
            started = time.perf_counter()
            response = ecs.run_task(
                cluster=CLUSTER,
                taskDefinition=task_definition,
                count=count,
                launchType="EC2",
                group="service:web",
                placementStrategy=[
                    {"type": "spread", "field": "attribute:ecs.availability-zone"},
                    {"type": "binpack", "field": "memory"},
                ],
                placementConstraints=[
                    {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ m5.*"}
                ],
            )
            calls.append(time.perf_counter() - started)
            placed += len(response["tasks"])
            failures += len(response["failures"])
            for task in response["tasks"]:
                arn = task["containerInstanceArn"]
                per_instance[arn] = per_instance.get(arn, 0) + 1
            remaining -= count
            if len(response["tasks"]) < count:
                break  # full: moto returns fewer tasks (and no failures)
        total_seconds = time.perf_counter() - total_started

        # Where the tasks went: moto's first-fit vs the requested spread(AZ) + memberOf.
        arns = ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
        zone_of: dict[str, str] = {}
        type_of: dict[str, str] = {}
        for start in range(0, len(arns), 100):
            for ci in ecs.describe_container_instances(
                cluster=CLUSTER, containerInstances=arns[start : start + 100]
            )["containerInstances"]:
                attributes = {a["name"]: a.get("value") for a in ci["attributes"]}
                zone_of[ci["containerInstanceArn"]] = attributes["ecs.availability-zone"]
                type_of[ci["containerInstanceArn"]] = attributes["ecs.instance-type"]
        per_zone: dict[str, int] = {}
        on_c5 = 0
        for arn, n in per_instance.items():
            per_zone[zone_of[arn]] = per_zone.get(zone_of[arn], 0) + n
            if type_of[arn].startswith("c5"):
                on_c5 += n

        ordered = sorted(calls)
        result = {
            "moto": moto.__version__,
            "python": platform.python_version(),
            "instances": args.instances,
            "zones": args.zones,
            "tasksRequested": args.tasks,
            "tasksPlaced": placed,
            "failures": failures,
            "runTaskCalls": len(calls),
            "runTaskTotalSeconds": round(total_seconds, 3),
            "perCallMs": {
                "median": round(statistics.median(ordered) * 1000, 2),
                "min": round(ordered[0] * 1000, 2),
                "p95": round(percentile(ordered, 95) * 1000, 2),
                "max": round(ordered[-1] * 1000, 2),
                "first10Mean": round(statistics.mean(calls[:10]) * 1000, 2),
                "last10Mean": round(statistics.mean(calls[-10:]) * 1000, 2),
            },
            "instancesUsed": len(per_instance),
            "tasksPerZone": dict(sorted(per_zone.items())),
            "tasksOnC5": on_c5,
            "setupSeconds": {
                "ec2RunInstances": round(ec2_seconds, 2),
                "registerContainerInstances": round(register_seconds, 2),
            },
        }
        if args.json:
            print(json.dumps(result))
        else:
            call = result["perCallMs"]
            print(
                f"moto {result['moto']} run_task: {placed}/{args.tasks} tasks on "
                f"{args.instances} instances / {args.zones} AZs in {len(calls)} calls: "
                f"{total_seconds:.2f} s total; per call median {call['median']} ms, "
                f"min {call['min']} ms, p95 {call['p95']} ms, max {call['max']} ms "
                f"(first 10 calls {call['first10Mean']} ms, last 10 {call['last10Mean']} ms)"
            )
            print(
                f"placement (first-fit, strategies and constraint ignored): "
                f"{len(per_instance)} instances used, per AZ {result['tasksPerZone']}, "
                f"{on_c5} tasks on c5 instances that memberOf excludes"
            )
            print(
                f"setup: ec2 run_instances {ec2_seconds:.1f} s, "
                f"register_container_instance x{args.instances} {register_seconds:.1f} s"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
