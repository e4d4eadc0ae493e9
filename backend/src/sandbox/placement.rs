//! Where the sandbox puts new tasks, and the bookkeeping of what running tasks hold.
//!
//! Placement is the shared engine's ([`berth_shared::placement::simulate_placement`]), the
//! same code the console runs for previews, so the sandbox places tasks exactly as Berth
//! explains them. [`refresh_instances`] derives each instance's `remainingResources` and
//! `runningTasksCount` from the tasks on it, as ECS reports them.

use std::collections::HashMap;

use berth_shared::{
    ecs::{PlacementConstraint, PlacementStrategy, TaskDefinition},
    input::InputError,
    placement::{
        PlacementInput, PlacementOutput, remaining_resources, simulate_placement, task_cost,
    },
};

use super::state::ClusterState;

/// Availability Zones of the sandbox's subnets, where Fargate tasks go.
pub const SUBNET_ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

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
}

/// Where one task went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The instance (EC2), or none (Fargate).
    pub container_instance_arn: Option<String>,
    /// The Availability Zone.
    pub availability_zone: String,
}

/// Places `count` tasks of `request` on the cluster as it is now (tasks are not added).
pub fn place_tasks(
    cluster: &ClusterState,
    definitions: &[TaskDefinition],
    request: &TaskRequest<'_>,
    count: usize,
    seed: u64,
) -> Result<PlacementOutput, InputError> {
    let input = PlacementInput {
        container_instances: cluster.container_instances.clone(),
        tasks: cluster.tasks.clone(),
        task_definitions: definitions.to_vec(),
        task_definition: request.definition.clone(),
        count: i64::try_from(count).unwrap_or(i64::MAX),
        group: Some(request.group.to_owned()),
        launch_type: Some(if request.fargate { "FARGATE" } else { "EC2" }.to_owned()),
        placement_strategy: request.strategy.clone(),
        placement_constraints: request.constraints.clone(),
        availability_zones: if request.fargate {
            SUBNET_ZONES.iter().map(|z| (*z).to_owned()).collect()
        } else {
            Vec::new()
        },
        daemons: Vec::new(),
        seed,
        detailed_explanations: 0,
    };
    simulate_placement(&input)
}

/// The placements of an engine answer.
pub fn placements(output: &PlacementOutput) -> Vec<Placement> {
    output
        .tasks
        .iter()
        .map(|task| Placement {
            container_instance_arn: task.container_instance_arn.clone(),
            availability_zone: task.availability_zone.clone().unwrap_or_default(),
        })
        .collect()
}

/// Places one DAEMON task on every ACTIVE instance that can take it (in instance order).
pub fn place_daemon(
    cluster: &ClusterState,
    definitions: &[TaskDefinition],
    request: &TaskRequest<'_>,
    seed: u64,
) -> Result<Vec<Placement>, InputError> {
    let mut placed = Vec::new();
    for instance in &cluster.container_instances {
        let single = ClusterState {
            container_instances: vec![instance.clone()],
            ..cluster.clone()
        };
        placed.extend(placements(&place_tasks(
            &single,
            definitions,
            request,
            1,
            seed,
        )?));
    }
    Ok(placed)
}

/// Recomputes every instance's `remainingResources` and `runningTasksCount` from the tasks
/// that hold resources on it (RUNNING or PENDING).
pub fn refresh_instances(cluster: &mut ClusterState, definitions: &[TaskDefinition]) {
    // One pass over the tasks and the revisions, not one per instance: a large cluster has
    // thousands of each.
    let by_arn: HashMap<&str, &TaskDefinition> = definitions
        .iter()
        .filter_map(|d| d.task_definition_arn.as_deref().map(|arn| (arn, d)))
        .collect();
    let mut holding: HashMap<&str, Vec<&berth_shared::ecs::Task>> = HashMap::new();
    for task in cluster
        .tasks
        .iter()
        .filter(|t| matches!(t.last_status.as_str(), "RUNNING" | "PENDING"))
    {
        if let Some(instance) = task.container_instance_arn.as_deref() {
            holding.entry(instance).or_default().push(task);
        }
    }
    for instance in &mut cluster.container_instances {
        let tasks = holding
            .get(instance.container_instance_arn.as_str())
            .map_or(&[][..], Vec::as_slice);
        let costs: Vec<_> = tasks
            .iter()
            .filter_map(|task| {
                by_arn
                    .get(task.task_definition_arn.as_str())
                    .and_then(|definition| task_cost(definition).ok())
            })
            .collect();
        instance.remaining_resources = remaining_resources(instance, &costs);
        instance.running_tasks_count = count(tasks, "RUNNING");
        instance.pending_tasks_count = count(tasks, "PENDING");
    }
}

fn count(tasks: &[&berth_shared::ecs::Task], status: &str) -> i64 {
    i64::try_from(tasks.iter().filter(|t| t.last_status == status).count()).unwrap_or(i64::MAX)
}
