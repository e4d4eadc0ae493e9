//! Fargate placement: no instances, no strategies, tasks balanced over the subnets'
//! Availability Zones (docs/ECS-MODEL.md §7.1, §7.2).

use super::cost::{parse_cpu, parse_memory};
use super::engine::counts_in_group;
use super::rules::draw;
use super::{PlacedTask, PlacementInput, PlacementOutput, TaskExplanation, ZoneCount};
use crate::ecs::PlacementStrategy;
use crate::input::InputError;

/// Draw stream of the zone tie-break order.
const ZONE_STREAM: u64 = u64::MAX - 1;

/// Whether `cpu` units with `memory` MiB is a Fargate task size (§7.1).
pub fn is_fargate_size(cpu: i64, memory: i64) -> bool {
    let steps =
        |low: i64, high: i64, step: i64| (low..=high).contains(&memory) && memory % step == 0;
    match cpu {
        256 => [512, 1024, 2048].contains(&memory),
        512 => steps(1024, 4096, 1024),
        1024 => steps(2048, 8192, 1024),
        2048 => steps(4096, 16384, 1024),
        4096 => steps(8192, 30720, 1024),
        8192 => steps(16384, 61440, 4096),
        16384 => steps(32768, 122880, 8192),
        _ => false,
    }
}

/// Whether tasks launched with `launch_type` or, without one, with `strategy` run on Fargate:
/// launch type `FARGATE`, or a capacity provider strategy of the Fargate providers (`FARGATE`,
/// `FARGATE_SPOT`). The one rule the sandbox, the placement graph and the words share.
pub fn uses_fargate(
    launch_type: Option<&str>,
    strategy: &[crate::ecs::CapacityProviderStrategyItem],
) -> bool {
    match launch_type {
        Some(kind) => kind == "FARGATE",
        None => strategy
            .iter()
            .any(|item| item.capacity_provider.starts_with("FARGATE")),
    }
}

/// Places Fargate tasks zone by zone.
pub(super) fn place(input: &PlacementInput, group: &str) -> Result<PlacementOutput, InputError> {
    if !input.placement_strategy.is_empty() {
        return Err(InputError::new(
            "placementStrategy",
            "placement strategies are not supported with launchType FARGATE",
        ));
    }
    if !input.placement_constraints.is_empty() {
        return Err(InputError::new(
            "placementConstraints",
            "placement constraints are not supported with launchType FARGATE",
        ));
    }
    let definition = &input.task_definition;
    let (Some(cpu), Some(memory)) = (&definition.cpu, &definition.memory) else {
        let field = if definition.cpu.is_none() {
            "cpu"
        } else {
            "memory"
        };
        return Err(InputError::new(
            format!("taskDefinition.{field}"),
            "Fargate tasks need task-level cpu and memory",
        ));
    };
    let cpu = parse_cpu(cpu).map_err(|m| InputError::new("taskDefinition.cpu", m))?;
    let memory = parse_memory(memory).map_err(|m| InputError::new("taskDefinition.memory", m))?;
    if !is_fargate_size(cpu, memory) {
        return Err(InputError::new(
            "taskDefinition.memory",
            format!("no Fargate task size has {cpu} CPU units with {memory} MiB"),
        ));
    }
    let mut zones: Vec<&str> = Vec::new();
    for zone in &input.availability_zones {
        if !zones.contains(&zone.as_str()) {
            zones.push(zone);
        }
    }
    if zones.is_empty() {
        return Err(InputError::new(
            "availabilityZones",
            "Fargate tasks need the Availability Zones of their subnets",
        ));
    }
    let mut warnings = Vec::new();
    if !definition.placement_constraints.is_empty() {
        warnings.push("Fargate ignores the task definition's placement constraints".to_owned());
    }
    let mut counts: Vec<usize> = zones
        .iter()
        .map(|zone| {
            input
                .tasks
                .iter()
                .filter(|task| {
                    counts_in_group(task)
                        && task.group.as_deref() == Some(group)
                        && task.availability_zone.as_deref() == Some(zone)
                })
                .count()
        })
        .collect();
    let order: Vec<u64> = (0..zones.len() as u64)
        .map(|i| draw(input.seed, ZONE_STREAM, i))
        .collect();
    let count = input.count as usize;
    let mut output = PlacementOutput {
        tasks: Vec::with_capacity(count),
        failures: Vec::new(),
        explanations: Vec::with_capacity(count),
        placement_strategy: vec![PlacementStrategy {
            kind: "spread".to_owned(),
            field: Some("attribute:ecs.availability-zone".to_owned()),
        }],
        warnings,
    };
    for task in 0..count {
        let chosen = (0..zones.len())
            .min_by_key(|&z| (counts[z], order[z], z))
            .unwrap_or(0);
        let zone = zones[chosen].to_owned();
        let detailed = task < input.detailed_explanations;
        output.explanations.push(TaskExplanation {
            task,
            placed_on: None,
            availability_zone: Some(zone.clone()),
            failure_reason: None,
            candidates: zones.len(),
            rejected: Vec::new(),
            instances: Vec::new(),
            zones: if detailed {
                zones
                    .iter()
                    .zip(&counts)
                    .map(|(zone, tasks)| ZoneCount {
                        availability_zone: (*zone).to_owned(),
                        tasks: *tasks,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            same_as_task: None,
        });
        output.tasks.push(PlacedTask {
            container_instance_arn: None,
            ec2_instance_id: None,
            availability_zone: Some(zone),
        });
        counts[chosen] += 1;
    }
    Ok(output)
}
