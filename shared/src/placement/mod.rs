//! The task placement engine: where ECS would put tasks, and why it would not.
//!
//! [`simulate_placement`] takes a [`PlacementInput`] in AWS's own JSON (container instances as
//! `DescribeContainerInstances` prints them, tasks as `DescribeTasks` prints them, a task
//! definition as `DescribeTaskDefinition` prints it, RunTask's `count`, `group`,
//! `placementStrategy`, `placementConstraints`) and returns a [`PlacementOutput`]: the placed
//! tasks in order, RunTask-style `failures`, and for every task an [`TaskExplanation`] of what
//! each instance did (the first stage that rejected it, with numbers, or its scores and rank
//! under the strategies). [`scale_in`] answers the opposite question (docs/ECS-MODEL.md §4.7).
//! Everything is pure and deterministic: randomness comes from the input's `seed`.
//!
//! Helpers the sandbox reuses to keep simulated state consistent: [`task_cost`] (what a task
//! definition holds on a host), [`remaining_resources`] (an instance's `remainingResources`
//! from its registered resources and the costs of its tasks), [`registered_capacity`],
//! [`eni_task_limit`], [`has_trunk_eni`]. [`cql`] parses and evaluates Cluster Query Language.
//!
//! # Pipeline (docs/ECS-MODEL.md §1.1), per task, per instance, first failing stage wins
//!
//! 1. `status`: only `ACTIVE` instances; `agent`: the agent must be connected.
//! 2. `attribute`: every `requiresAttributes` entry present (with its value when given);
//!    `subnetZone`: for `awsvpc` tasks, when `availabilityZones` is given, the instance's
//!    `ecs.availability-zone` must be one of them (MODEL §1.5).
//! 3. `cpu`, `memory`, `gpu`, `ports`, `portsUdp`, `portLimit`, `eni`: the task's cost must fit
//!    what is left (inclusive: `remaining ≥ needed`).
//! 4. `memberOf` constraints (task definition's first, then the request's), then
//!    `distinctInstance`.
//! 5. Strategies rank the survivors; the best one gets the task.
//!
//! # Rules chosen where ECS is silent (Berth's choices, marked in docs/ECS-MODEL.md)
//!
//! - **What is left on an instance.** Per resource (`CPU`, `MEMORY`, `GPU`, `PORTS`,
//!   `PORTS_UDP`): when the instance's `remainingResources` lists it, that value is
//!   authoritative (it already accounts for running tasks). Otherwise it is the registered
//!   value minus the cost of the input `tasks` on the instance that hold resources (`lastStatus`
//!   not `STOPPED`/`DELETED`). A task's cost comes from its definition in `taskDefinitions`
//!   (matched by ARN or `family:revision`); without one, from the task's own `cpu`/`memory`
//!   and its containers' `networkBindings` host ports. An instance that reports no `PORTS`
//!   at all gets the agent's default reserved ports (22, 2375, 2376, 51678, 51679).
//! - **Task groups.** Tasks count for spread, `distinctInstance` and `task:group` when they
//!   hold resources and their `desiredStatus` is not `STOPPED`. The group placed is `group`,
//!   or `family:<family>` when absent. Tasks on instances missing from the input are ignored.
//!   `runningTasksCount` is the larger of the instance's `runningTasksCount +
//!   pendingTasksCount` and the number of counted input tasks on it, plus tasks placed so far.
//! - **ENIs.** An `awsvpc` task needs one free ENI slot. The limit comes from a built-in
//!   table of instance types ([`eni_task_limit`]), with trunking when [`has_trunk_eni`] says
//!   so (attribute `ecs.awsvpc-trunk-id`, or an attachment of type `trunk`/`eni`/
//!   `ElasticNetworkInterface` not `DELETED`/`FAILED`). Slots in use are the input tasks on the
//!   instance that are `awsvpc` (by definition, or by an `ElasticNetworkInterface`
//!   attachment). Types missing from the table are not limited (the explanation says so).
//! - **Ports.** Static host ports per protocol; dynamic ones (hostPort 0/absent in bridge mode)
//!   are never reserved; `host` mode binds the container port; `awsvpc` binds none. At most
//!   100 reserved ports per protocol per instance (`portLimit`, reason `RESOURCE:PORTS`).
//!   UDP conflicts report `RESOURCE:PORTS_UDP`.
//! - **GPUs.** Σ of the containers' `GPU` requirements against the free count; `ALL` takes
//!   every registered GPU (at least one). Non-GPU tasks are not steered away from GPU
//!   instances.
//! - **DAEMON reservations.** Each entry of `daemons` reserves its task's cost, before any
//!   replica is placed, on every ACTIVE, connected instance that satisfies the daemon's
//!   constraints and does not already run a task of group `service:<serviceName>` (whose cost
//!   is then already counted). If it does not fit, nothing is reserved and a warning says so.
//! - **Strategies** are applied in order, each keeping only the tied-best candidates
//!   (§2.2): binpack scores remaining cpu/memory (lower wins); spread scores the number of
//!   tasks of the group on all instances (any status) sharing the candidate's value, an
//!   instance without the attribute forming its own bucket; random scores a fresh seeded draw
//!   per task. Remaining ties go to a seeded random order of instances fixed for the whole
//!   simulation (so `seed` alone decides; a run is reproducible).
//! - **Defaults** (§2.3): with no strategy, a group `service:*` uses
//!   spread(`attribute:ecs.availability-zone`) then spread(`instanceId`) (the service
//!   scheduler's documented behaviour); any other group uses `random`. The effective list is
//!   returned as `placementStrategy`.
//! - **Many tasks** are placed one at a time; each placement updates the instance's
//!   resources, ports, ENIs, task counts and spread counts before the next. Once a task fails,
//!   nothing changed, so every later task fails the same way: their explanations say
//!   `sameAsTask`.
//! - **Failures** (§1.8): one per unplaced task; `arn` is the closest matching instance, the
//!   one rejected at the latest pipeline stage (ties: first in input order). Reasons:
//!   `RESOURCE:CPU`, `RESOURCE:MEMORY`, `RESOURCE:GPU`, `RESOURCE:PORTS`,
//!   `RESOURCE:PORTS_UDP`, `RESOURCE:ENI`, `AGENT`, `ATTRIBUTE`,
//!   `MemberOf placement constraint unsatisfied.`,
//!   `DistinctInstance placement constraint unsatisfied.`, and `NO ACTIVE INSTANCES` when no
//!   instance is ACTIVE (or there are none; then `arn` is absent).
//! - **Count.** RunTask allows 1–10; Berth is a what-if simulator and allows 1–10,000.
//! - **Explanations.** Every task gets counts of instances per rejecting stage and the number
//!   of candidates; the first `detailedExplanations` tasks (default 20) also list every
//!   instance (`instance` is its index in `containerInstances`), and so does the first failed
//!   task, which is the one that answers "why wasn't my task placed?".
//! - **Fargate** (`launchType: FARGATE`): the pipeline is skipped; tasks are spread over
//!   `availabilityZones` (the AZs of the `awsvpcConfiguration` subnets; required), each to the
//!   AZ with the fewest tasks of the group (counting input tasks by their
//!   `availabilityZone`), ties in a seeded random order. Request `placementStrategy` or
//!   `placementConstraints` are an error (the API rejects them); constraints inside the task
//!   definition are ignored with a warning. The task size must be a valid Fargate pair (§7.1).
//! - **EC2 memory.** Without task-level memory every container needs `memory` or
//!   `memoryReservation` (an input error otherwise).

mod cost;
pub mod cql;
mod engine;
mod fargate;
mod fixture;
mod pattern;
mod rules;
mod scale_in;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use cost::{
    Capacity, DEFAULT_RESERVED_PORTS, MAX_RESERVED_PORTS, NetworkMode, TaskCost,
    cluster_reservation, eni_task_limit, has_trunk_eni, parse_cpu, parse_memory,
    registered_capacity, registered_gpu_ids, remaining_resources, resource_amount, resource_ports,
    task_cost,
};
pub use engine::simulate_placement;
pub use fargate::{is_fargate_size, uses_fargate};
pub use fixture::{bench_fleet, bench_preview};
pub use pattern::{Pattern, PatternError};
pub use rules::{
    MAX_CONSTRAINTS, MAX_FIELD_LENGTH, MAX_STRATEGIES, check_constraints, check_strategies,
};
pub use scale_in::{ScaleInInput, ScaleInOutput, StoppedTask, scale_in};

use crate::ecs::{ContainerInstance, PlacementConstraint, PlacementStrategy, Task, TaskDefinition};

/// Largest `count` Berth simulates (RunTask itself allows 10).
pub const MAX_COUNT: i64 = 10_000;

/// Default number of tasks whose explanation lists every instance.
pub const DEFAULT_DETAILED_EXPLANATIONS: usize = 20;

/// What to place, where: RunTask's request plus the cluster's state, in AWS's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementInput {
    /// The cluster's instances, as `DescribeContainerInstances` returns them.
    #[serde(default)]
    pub container_instances: Vec<ContainerInstance>,
    /// Tasks already in the cluster, as `DescribeTasks` returns them (`taskArn`, `group`,
    /// `containerInstanceArn`, `taskDefinitionArn`, `lastStatus`, …).
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Definitions of the existing tasks, so their cost can be counted on instances whose
    /// `remainingResources` are absent.
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinition>,
    /// The definition of the tasks to place.
    pub task_definition: TaskDefinition,
    /// How many tasks to place (1–[`MAX_COUNT`]).
    #[serde(default = "one")]
    pub count: i64,
    /// Task group (`service:NAME`, `family:NAME` or custom); default `family:<family>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `EC2` (default), `EXTERNAL` or `FARGATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    /// Strategies in order (at most 5).
    #[serde(default)]
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Constraints of the request (at most 10 with the task definition's).
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    /// Availability Zones of the `awsvpcConfiguration` subnets: where Fargate tasks go, and a
    /// filter for `awsvpc` tasks on EC2. Empty means no filter (EC2).
    #[serde(default)]
    pub availability_zones: Vec<String>,
    /// DAEMON services whose reservations come first.
    #[serde(default)]
    pub daemons: Vec<DaemonReservation>,
    /// Seed of every random choice.
    #[serde(default)]
    pub seed: u64,
    /// How many leading tasks get a per-instance explanation.
    #[serde(default = "default_detailed")]
    pub detailed_explanations: usize,
}

fn one() -> i64 {
    1
}

fn default_detailed() -> usize {
    DEFAULT_DETAILED_EXPLANATIONS
}

/// A DAEMON service whose task is reserved on every qualifying instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonReservation {
    /// Service name; its tasks form group `service:<serviceName>`.
    pub service_name: String,
    /// The daemon's task definition.
    pub task_definition: TaskDefinition,
    /// The service's `memberOf` constraints.
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
}

/// The answer: placed tasks, failures and explanations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementOutput {
    /// Placed tasks, in placement order.
    pub tasks: Vec<PlacedTask>,
    /// One failure per task that could not be placed.
    pub failures: Vec<PlacementFailure>,
    /// One explanation per task (placed or not), in order.
    pub explanations: Vec<TaskExplanation>,
    /// The strategies actually applied (the defaults when the input had none).
    pub placement_strategy: Vec<PlacementStrategy>,
    /// Things the user should know (ignored settings, daemons that did not fit).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Where a task went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacedTask {
    /// The instance (absent on Fargate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_instance_arn: Option<String>,
    /// Its EC2 instance id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_instance_id: Option<String>,
    /// Its Availability Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

/// A RunTask-style failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacementFailure {
    /// The closest matching container instance (absent when the cluster has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// ECS's reason, e.g. `RESOURCE:MEMORY`.
    pub reason: String,
    /// A sentence with the numbers.
    pub detail: String,
}

/// A pipeline stage that can reject an instance, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    /// The instance is not ACTIVE.
    Status,
    /// Its agent is disconnected.
    Agent,
    /// It lacks a required attribute.
    Attribute,
    /// It is outside the subnets' Availability Zones (awsvpc).
    SubnetZone,
    /// Not enough CPU.
    Cpu,
    /// Not enough memory.
    Memory,
    /// Not enough GPUs.
    Gpu,
    /// A static TCP host port is taken.
    Ports,
    /// A static UDP host port is taken.
    PortsUdp,
    /// Too many reserved ports.
    PortLimit,
    /// No free ENI slot.
    Eni,
    /// A memberOf expression is false.
    MemberOf,
    /// It already runs a task of the group.
    DistinctInstance,
}

/// Why an instance could not take a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    /// The stage.
    pub stage: Stage,
    /// The ECS failure reason it maps to.
    pub reason: String,
    /// A sentence with the numbers.
    pub detail: String,
    /// What the task needs (cpu units, MiB, GPUs, ENI slots, the port), when numeric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needed: Option<i64>,
    /// What the instance has left, when numeric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// Index of the constraint (task definition's first, then the request's) for `memberOf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<usize>,
}

/// How a surviving instance ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateRank {
    /// Its score under each strategy, in order (lower is better).
    pub scores: Vec<i64>,
    /// How many strategies it stayed tied-best through.
    pub survived_strategies: usize,
    /// 1 for the chosen instance, then by scores and the tie-break order.
    pub rank: usize,
    /// Whether it got the task.
    pub chosen: bool,
}

/// What happened to one instance for one task: rejected, or ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceVerdict {
    /// Index in the input's `containerInstances`.
    pub instance: usize,
    /// Why it was rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<Rejection>,
    /// How it ranked, when it was a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<CandidateRank>,
}

/// How many instances a stage rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageCount {
    /// The stage.
    pub stage: Stage,
    /// Instances it rejected (first failing stage only).
    pub instances: usize,
}

/// Tasks of the group per Availability Zone (Fargate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneCount {
    /// The zone.
    pub availability_zone: String,
    /// Tasks of the group in it before this task.
    pub tasks: usize,
}

/// Why one task went where it went, or nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskExplanation {
    /// Index of the task (0-based, in placement order).
    pub task: usize,
    /// Index of the chosen instance in `containerInstances`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_on: Option<usize>,
    /// Chosen Availability Zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// The failure reason when not placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// Instances (or Fargate zones) that passed every filter.
    pub candidates: usize,
    /// Rejections per stage (stages that rejected nothing are omitted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<StageCount>,
    /// Every instance's verdict, for detailed explanations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<InstanceVerdict>,
    /// Fargate: tasks of the group per zone before this task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<ZoneCount>,
    /// For a failure identical to an earlier one: that task's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as_task: Option<usize>,
}
