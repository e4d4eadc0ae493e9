//! Where the sandbox puts new tasks, and the bookkeeping of what they reserve.
//!
//! [`place_tasks`] chooses an instance (EC2) or an Availability Zone (Fargate) for each new
//! task; [`reserve`] subtracts a placed task's CPU, memory and static host ports from its
//! instance's `remainingResources` and counts it in `runningTasksCount`, as ECS does.

use berth_shared::ecs::{
    ContainerInstance, PlacementConstraint, PlacementStrategy, Task, TaskDefinition,
};

use super::state::ClusterState;

/// What is being placed.
#[derive(Debug)]
pub struct TaskRequest<'a> {
    /// The task definition revision.
    pub definition: &'a TaskDefinition,
    /// Task group (`service:NAME`, `family:NAME`).
    pub group: &'a str,
    /// Placement strategies in order.
    pub strategy: Vec<PlacementStrategy>,
    /// Placement constraints.
    pub constraints: Vec<PlacementConstraint>,
    /// Fargate launch type.
    pub fargate: bool,
    /// One task per instance (DAEMON).
    pub daemon: bool,
}

/// Where one task went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The instance (EC2), or none (Fargate).
    pub container_instance_arn: Option<String>,
    /// The Availability Zone.
    pub availability_zone: String,
}

/// CPU units, MiB and static host ports a task reserves on its instance: task-level sizes when
/// set, else container sums with `memoryReservation` preferred over `memory`.
fn cost(definition: &TaskDefinition) -> (i64, i64, Vec<String>) {
    let task_level =
        |value: &Option<String>| value.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let containers = &definition.container_definitions;
    let cpu = task_level(&definition.cpu)
        .unwrap_or_else(|| containers.iter().filter_map(|c| c.cpu).sum());
    let memory = task_level(&definition.memory).unwrap_or_else(|| {
        containers
            .iter()
            .map(|c| {
                c.memory_reservation
                    .filter(|m| *m > 0)
                    .or(c.memory)
                    .unwrap_or(0)
            })
            .sum()
    });
    let ports = if definition.network_mode.as_deref() == Some("awsvpc") {
        Vec::new()
    } else {
        containers
            .iter()
            .flat_map(|c| &c.port_mappings)
            .filter_map(|p| p.host_port.filter(|port| *port > 0))
            .map(|port| port.to_string())
            .collect()
    };
    (cpu, memory, ports)
}

fn remaining(instance: &ContainerInstance, name: &str) -> i64 {
    instance
        .remaining_resources
        .iter()
        .find(|r| r.name == name)
        .and_then(|r| r.number())
        .unwrap_or(0)
}

fn fits(instance: &ContainerInstance, (cpu, memory, ports): &(i64, i64, Vec<String>)) -> bool {
    let used_ports: Vec<&String> = instance
        .remaining_resources
        .iter()
        .filter(|r| r.name == "PORTS")
        .flat_map(|r| &r.string_set_value)
        .collect();
    instance.status == "ACTIVE"
        && instance.agent_connected
        && remaining(instance, "CPU") >= *cpu
        && remaining(instance, "MEMORY") >= *memory
        && ports.iter().all(|p| !used_ports.contains(&p))
}

/// Chooses where `count` new tasks go.
pub fn place_tasks(
    cluster: &ClusterState,
    request: &TaskRequest<'_>,
    count: usize,
) -> Vec<Placement> {
    if request.fargate {
        const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];
        return (0..count)
            .map(|index| Placement {
                container_instance_arn: None,
                availability_zone: ZONES[index % ZONES.len()].to_owned(),
            })
            .collect();
    }
    let need = cost(request.definition);
    let mut scratch = cluster.clone();
    let mut placements = Vec::new();
    for _ in 0..count {
        let group_on = |instance: &ContainerInstance, tasks: &[Task]| {
            tasks
                .iter()
                .filter(|t| {
                    t.group.as_deref() == Some(request.group)
                        && t.container_instance_arn.as_deref()
                            == Some(&instance.container_instance_arn)
                })
                .count()
        };
        let group_in_zone = |zone: Option<&str>, tasks: &[Task]| {
            tasks
                .iter()
                .filter(|t| {
                    t.group.as_deref() == Some(request.group)
                        && t.availability_zone.as_deref() == zone
                })
                .count()
        };
        let distinct = request
            .constraints
            .iter()
            .any(|c| c.kind == "distinctInstance")
            || request.daemon;
        let chosen = scratch
            .container_instances
            .iter()
            .filter(|i| fits(i, &need))
            .filter(|i| !distinct || group_on(i, &scratch.tasks) == 0)
            .min_by_key(|i| {
                (
                    group_in_zone(i.availability_zone(), &scratch.tasks),
                    group_on(i, &scratch.tasks),
                    remaining(i, "MEMORY"),
                )
            })
            .map(|i| {
                (
                    i.container_instance_arn.clone(),
                    i.availability_zone().unwrap_or_default().to_owned(),
                )
            });
        let Some((arn, zone)) = chosen else { break };
        let mut marker = Task {
            task_arn: format!("pending-{}", placements.len()),
            cluster_arn: None,
            task_definition_arn: String::new(),
            container_instance_arn: Some(arn.clone()),
            last_status: "RUNNING".to_owned(),
            desired_status: None,
            launch_type: None,
            capacity_provider_name: None,
            cpu: None,
            memory: None,
            group: Some(request.group.to_owned()),
            started_by: None,
            availability_zone: Some(zone.clone()),
            containers: Vec::new(),
            attachments: Vec::new(),
            created_at: None,
            started_at: None,
            stopping_at: None,
            stopped_at: None,
            stopped_reason: None,
            stop_code: None,
            health_status: None,
            platform_version: None,
            tags: Vec::new(),
        };
        reserve(&mut scratch, &marker, request.definition);
        marker.container_instance_arn = Some(arn.clone());
        scratch.tasks.push(marker);
        placements.push(Placement {
            container_instance_arn: Some(arn),
            availability_zone: zone,
        });
    }
    placements
}

/// Records that `task` (already placed) holds its definition's resources on its instance.
pub fn reserve(cluster: &mut ClusterState, task: &Task, definition: &TaskDefinition) {
    let Some(arn) = task.container_instance_arn.as_deref() else {
        return;
    };
    let Some(instance) = cluster
        .container_instances
        .iter_mut()
        .find(|i| i.container_instance_arn == arn)
    else {
        return;
    };
    let (cpu, memory, ports) = cost(definition);
    for resource in &mut instance.remaining_resources {
        match resource.name.as_str() {
            "CPU" => resource.integer_value = Some(resource.number().unwrap_or(0) - cpu),
            "MEMORY" => resource.integer_value = Some(resource.number().unwrap_or(0) - memory),
            "PORTS" => resource.string_set_value.extend(ports.iter().cloned()),
            _ => {}
        }
    }
    instance.running_tasks_count += 1;
}
