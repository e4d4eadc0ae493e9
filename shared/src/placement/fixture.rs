//! The benchmark scenarios of the placement engine and of the Deploy preview, shared by the
//! native criterion benchmarks (`shared/benches/`) and the wasm32 benchmark in headless
//! Chromium (`benches/placement-wasm`), so both measure exactly the same work.
//!
//! Like the rest of the crate it is pure: the fleet depends only on the arguments.

use crate::ecs::{
    Attribute, ContainerDefinition, ContainerInstance, PlacementConstraint, PlacementStrategy,
    Resource, TaskDefinition, VersionInfo,
};

use super::{DEFAULT_DETAILED_EXPLANATIONS, PlacementInput};

/// The placement benchmark's request (issue #3, "Performance"): `count` tasks of 256 CPU /
/// 512 MiB, group `service:web`, with `spread(attribute:ecs.availability-zone)` then
/// `binpack(memory)` and the `memberOf` constraint `attribute:ecs.instance-type =~ m5.*`, onto
/// `instances` container instances of 8192 CPU / 15,700 MiB (the agent's default reserved
/// ports registered) spread round-robin over `zones` Availability Zones `us-east-1a`,
/// `us-east-1b`, … (`zones` is clamped to 1–26). Every tenth instance (index 0, 10, 20, …) is a
/// `c5.2xlarge` that the constraint excludes; the others are `m5.2xlarge`.
///
/// `seed` becomes the input's [`PlacementInput::seed`], the only source of randomness (the
/// order in which ties are broken). The same arguments always give the same input, and so the
/// same placement. With 1,000 instances, 30 tasks fit on each of the 900 `m5` instances
/// (15,700 / 512), so up to 27,000 tasks are placed.
pub fn bench_fleet(instances: usize, zones: usize, count: i64, seed: u64) -> PlacementInput {
    let zone_names: Vec<String> = (b'a'..=b'z')
        .take(zones.clamp(1, 26))
        .map(|letter| format!("us-east-1{}", char::from(letter)))
        .collect();
    let container_instances = (0..instances)
        .map(|i| ContainerInstance {
            container_instance_arn: format!(
                "arn:aws:ecs:us-east-1:123456789012:container-instance/bench/{i:04}"
            ),
            ec2_instance_id: Some(format!("i-{i:08x}")),
            capacity_provider_name: None,
            version_info: VersionInfo::default(),
            remaining_resources: Vec::new(),
            registered_resources: vec![
                Resource::integer("CPU", 8192),
                Resource::integer("MEMORY", 15_700),
                Resource::string_set(
                    "PORTS",
                    ["22", "2375", "2376", "51678", "51679"].map(str::to_owned),
                ),
            ],
            status: "ACTIVE".to_owned(),
            status_reason: None,
            agent_connected: true,
            running_tasks_count: 0,
            pending_tasks_count: 0,
            agent_update_status: None,
            attributes: vec![
                Attribute::new("ecs.availability-zone", &zone_names[i % zone_names.len()]),
                Attribute::new(
                    "ecs.instance-type",
                    if i % 10 == 0 {
                        "c5.2xlarge"
                    } else {
                        "m5.2xlarge"
                    },
                ),
            ],
            registered_at: None,
            attachments: Vec::new(),
            tags: Vec::new(),
        })
        .collect();
    PlacementInput {
        container_instances,
        tasks: Vec::new(),
        task_definitions: Vec::new(),
        task_definition: TaskDefinition {
            family: "web".to_owned(),
            container_definitions: vec![ContainerDefinition {
                name: "app".to_owned(),
                cpu: Some(256),
                memory: Some(512),
                ..ContainerDefinition::default()
            }],
            ..TaskDefinition::default()
        },
        count,
        group: Some("service:web".to_owned()),
        launch_type: Some("EC2".to_owned()),
        placement_strategy: vec![
            PlacementStrategy {
                kind: "spread".to_owned(),
                field: Some("attribute:ecs.availability-zone".to_owned()),
            },
            PlacementStrategy {
                kind: "binpack".to_owned(),
                field: Some("memory".to_owned()),
            },
        ],
        placement_constraints: vec![PlacementConstraint {
            kind: "memberOf".to_owned(),
            expression: Some("attribute:ecs.instance-type =~ m5.*".to_owned()),
        }],
        availability_zones: Vec::new(),
        daemons: Vec::new(),
        seed,
        detailed_explanations: DEFAULT_DETAILED_EXPLANATIONS,
    }
}

/// The Deploy preview's benchmark input: `instances` bench instances ([`bench_fleet`]'s)
/// running `tasks` tasks of 50 services `svc-0` … `svc-49` (256 CPU units / 512 MiB each, dealt
/// round-robin over services and instances), and a change of `svc-0`'s image to a new tag,
/// as the Deploy page previews it on every edit.
pub fn bench_preview(instances: usize, tasks: usize) -> crate::ops::PreviewInput {
    use serde_json::json;

    const SERVICES: usize = 50;
    let fleet = bench_fleet(instances.max(1), 3, 1, 7);
    let definition = |service: usize, tag: &str| -> TaskDefinition {
        serde_json::from_value(json!({
            "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/svc-{service}:3"),
            "family": format!("svc-{service}"), "revision": 3, "status": "ACTIVE",
            "networkMode": "bridge",
            "containerDefinitions": [{"name": "app", "image": format!("registry/svc-{service}:{tag}"),
                "cpu": 256, "memory": 512, "essential": true,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": format!("/ecs/svc-{service}"), "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "app"}}}]
        }))
        .expect("a valid definition")
    };
    let running: Vec<serde_json::Value> = (0..tasks)
        .map(|index| {
            let service = index % SERVICES;
            json!({
                "taskArn": format!("arn:aws:ecs:us-east-1:123456789012:task/bench/{index:08x}"),
                "taskDefinitionArn": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/svc-{service}:3"),
                "lastStatus": "RUNNING", "desiredStatus": "RUNNING",
                "group": format!("service:svc-{service}"), "launchType": "EC2",
                "cpu": "256", "memory": "512",
                "containerInstanceArn": fleet.container_instances[index % fleet.container_instances.len()].container_instance_arn,
            })
        })
        .collect();
    let services: Vec<serde_json::Value> = (0..SERVICES)
        .map(|service| {
            let count = (tasks / SERVICES + usize::from(service < tasks % SERVICES)) as i64;
            json!({
                "serviceArn": format!("arn:aws:ecs:us-east-1:123456789012:service/bench/svc-{service}"),
                "serviceName": format!("svc-{service}"), "status": "ACTIVE",
                "desiredCount": count, "runningCount": count, "pendingCount": 0,
                "launchType": "EC2", "schedulingStrategy": "REPLICA",
                "taskDefinition": format!("arn:aws:ecs:us-east-1:123456789012:task-definition/svc-{service}:3"),
                "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200,
                    "deploymentCircuitBreaker": {"enable": true, "rollback": true}}
            })
        })
        .collect();
    let snapshot = serde_json::from_value(json!({
        "cluster": {"clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/bench",
                    "clusterName": "bench", "status": "ACTIVE"},
        "containerInstances": fleet.container_instances,
        "services": services,
        "tasks": running,
        "fetchedAt": 1_780_000_000
    }))
    .expect("a valid snapshot");
    let current = definition(0, "v1");
    let mut proposed = definition(0, "v2");
    proposed.task_definition_arn = None;
    proposed.revision = None;
    crate::ops::PreviewInput {
        region: "us-east-1".into(),
        snapshot,
        service_name: "svc-0".into(),
        current_definition: current.clone(),
        latest_definition: Some(current.clone()),
        target_definition: None,
        task_definitions: vec![current],
        change: crate::api::ServiceChange {
            register: Some(proposed),
            ..crate::api::ServiceChange::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::bench_fleet;
    use crate::placement::simulate_placement;

    #[test]
    fn small_fleet_places_every_task_evenly_over_zones_and_only_on_m5() {
        let input = bench_fleet(30, 3, 90, 7);
        assert_eq!(input, bench_fleet(30, 3, 90, 7), "deterministic");
        let output = simulate_placement(&input).expect("valid input");
        assert!(output.failures.is_empty(), "{:?}", output.failures);
        assert_eq!(output.tasks.len(), 90);
        let mut per_zone = [0_usize; 3];
        for task in &output.tasks {
            let index = input
                .container_instances
                .iter()
                .position(|ci| {
                    Some(&ci.container_instance_arn) == task.container_instance_arn.as_ref()
                })
                .expect("placed on a known instance");
            assert_ne!(
                index % 10,
                0,
                "the memberOf constraint excludes c5 instances"
            );
            per_zone[index % 3] += 1;
        }
        assert_eq!(per_zone, [30, 30, 30]);
    }

    #[test]
    fn zones_are_clamped() {
        let zone = |input: &crate::placement::PlacementInput, i: usize| {
            input.container_instances[i]
                .attribute("ecs.availability-zone")
                .map(str::to_owned)
        };
        let one = bench_fleet(2, 0, 1, 0);
        assert_eq!(zone(&one, 1).as_deref(), Some("us-east-1a"));
        let many = bench_fleet(27, 99, 1, 0);
        assert_eq!(zone(&many, 25).as_deref(), Some("us-east-1z"));
        assert_eq!(zone(&many, 26).as_deref(), Some("us-east-1a"));
    }
}
