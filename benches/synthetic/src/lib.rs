//! Large deterministic clusters for benchmarks: [`synthetic_snapshot`] builds a cluster of
//! any size as the API would answer it, and [`synthetic_change`] changes a few of its tasks the
//! way a live update would. The console's `?synthetic=INSTANCESxTASKS` benchmark mode uses them
//! when it is built with its `bench` feature (`cargo xtask test` does; the console `cargo xtask
//! serve` and `build` ship does not), and the view rules' tests use them as fixtures.

use berth_wire::{api::ClusterSnapshot, time::Timestamp};
use serde_json::json;

/// A small deterministic generator (SplitMix64), seeded by the caller.
#[derive(Debug, Clone)]
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const SYNTHETIC_SERVICES: [(&str, i64, i64); 8] = [
    ("api", 512, 1024),
    ("catalog", 256, 512),
    ("worker", 1024, 2048),
    ("payments", 512, 1536),
    ("gateway", 1024, 4096),
    ("cache", 256, 3072),
    ("auth", 256, 512),
    ("reports", 512, 1024),
];

/// A cluster named `cluster` with `instances` m5.2xlarge instances over three zones (every
/// 50th draining) and `tasks` tasks of eight services spread over them, read at `now`. The
/// same arguments give the same snapshot.
///
/// It is written as the API's JSON and read back the way the console reads the API, so the
/// console needs no second decoder for it.
pub fn synthetic_snapshot(
    cluster: &str,
    instances: usize,
    tasks: usize,
    seed: u64,
    now: Timestamp,
) -> ClusterSnapshot {
    let mut rng = SplitMix(seed);
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    let instance_arn = |i: usize| {
        format!("arn:aws:ecs:us-east-1:123456789012:container-instance/{cluster}/{i:032x}")
    };
    let mut task_list = Vec::with_capacity(tasks);
    let mut reserved = vec![(0i64, 0i64); instances];
    let mut counts = vec![0usize; instances];
    let mut per_service = [0usize; SYNTHETIC_SERVICES.len()];
    let (mut running, mut pending) = (0usize, 0usize);
    for index in 0..tasks {
        if instances == 0 {
            break;
        }
        let slot = rng.below(instances as u64) as usize;
        let kind = rng.below(SYNTHETIC_SERVICES.len() as u64) as usize;
        let (service, cpu, memory) = SYNTHETIC_SERVICES[kind];
        let status = if rng.below(50) == 0 {
            pending += 1;
            "PENDING"
        } else {
            running += 1;
            "RUNNING"
        };
        let started = Timestamp(now.0 - (rng.below(7 * 86_400) as i64 + 60) * 1000);
        reserved[slot].0 += cpu;
        reserved[slot].1 += memory;
        counts[slot] += 1;
        per_service[kind] += 1;
        task_list.push(json!({
            "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/{cluster}/{index:032x}"),
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{service}:3"),
            "containerInstanceArn": instance_arn(slot),
            "lastStatus": status,
            "launchType": "EC2",
            "group": format!("service:{service}"),
            "availabilityZone": zones[slot % 3],
            "containers": [{"name": "app", "cpu": cpu.to_string(), "memory": memory.to_string()}],
            "startedAt": started,
        }));
    }
    let container_instances: Vec<serde_json::Value> = (0..instances)
        .map(|i| {
            let (cpu, memory) = (8192i64.max(reserved[i].0), 31_856i64.max(reserved[i].1));
            json!({
                "containerInstanceArn": instance_arn(i),
                "ec2InstanceId": format!("i-{i:017x}"),
                "status": if i % 50 == 49 { "DRAINING" } else { "ACTIVE" },
                "agentConnected": true,
                "runningTasksCount": counts[i],
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory}
                ],
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu - reserved[i].0},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory - reserved[i].1}
                ],
                "attributes": [
                    {"name": "ecs.availability-zone", "value": zones[i % 3]},
                    {"name": "ecs.instance-type", "value": "m5.2xlarge"},
                    {"name": "stack", "value": if i % 2 == 0 { "blue" } else { "green" }}
                ]
            })
        })
        .collect();
    let services: Vec<serde_json::Value> = SYNTHETIC_SERVICES
        .iter()
        .zip(per_service)
        .map(|((name, _, _), count)| {
            json!({
                "serviceArn": format!("arn:aws:ecs:us-east-1:123456789012:service/{cluster}/{name}"),
                "serviceName": name,
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "EC2",
                "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{name}:3"),
                "schedulingStrategy": "REPLICA",
                "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}],
                "events": [{"id": format!("{name}-steady"), "createdAt": Timestamp(now.0 - 3_600_000), "message": format!("(service {name}) has reached a steady state.")}]
            })
        })
        .collect();
    let snapshot = json!({
        "cluster": {
            "clusterArn": format!("arn:aws:ecs:us-east-1:123456789012:cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": instances,
            "runningTasksCount": running,
            "pendingTasksCount": pending,
            "activeServicesCount": SYNTHETIC_SERVICES.len(),
        },
        "containerInstances": container_instances,
        "services": services,
        "tasks": task_list,
        "fetchedAt": now,
    });
    serde_json::from_str(&snapshot.to_string()).expect("a synthetic snapshot is valid")
}

/// Changes `count` tasks of `snapshot` in place, as a refresh would see them: each picked
/// task flips between RUNNING and PENDING. Returns the ARNs changed.
pub fn synthetic_change(snapshot: &mut ClusterSnapshot, count: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix(seed);
    let mut changed = Vec::with_capacity(count);
    if snapshot.tasks.is_empty() {
        return changed;
    }
    for _ in 0..count {
        let index = rng.below(snapshot.tasks.len() as u64) as usize;
        let task = &mut snapshot.tasks[index];
        task.last_status = if task.last_status == "RUNNING" {
            "PENDING".to_owned()
        } else {
            "RUNNING".to_owned()
        };
        changed.push(task.task_arn.clone());
    }
    changed
}
