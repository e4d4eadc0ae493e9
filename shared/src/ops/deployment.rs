//! Rolling deployments (controller `ECS`): the bounds, the step-by-step plan, whether each
//! step fits on the cluster, and the deployment circuit breaker.
//!
//! Bounds (docs/ECS-MODEL.md §4.2), exact integer rounding:
//! `minHealthy = ceil(desired × minimumHealthyPercent / 100)`,
//! `maxTasks = floor(desired × maximumPercent / 100)`. Defaults: REPLICA 100 / 200,
//! DAEMON 0 / 100.
//!
//! The plan is the rolling-update loop of docs/ECS-MODEL.md §4.3 (Berth's model) cut into steps. One step:
//! 1. the new tasks started by the previous step settle: the first `failingNewTasks` launches
//!    of the new revision fail before reaching RUNNING, every other one becomes healthy;
//! 2. old tasks are stopped while the healthy count stays ≥ `minHealthy`
//!    (`stop = min(old, healthy − minHealthy)`); old tasks count as healthy;
//! 3. new tasks are started up to `min(maxTasks − (old + new), desired − new)`, and only as many
//!    as the cluster has room for. Tasks stopped in step 2 have finished stopping before the
//!    launches of step 3, so STOPPING tasks never overlap launches (the conservative reading of
//!    the CONFLICT on what counts against `maxTasks`).
//!
//! Cluster room is `capacity.freeTaskSlots`: how many more tasks fit beside the ones already
//! running. Instead, `capacity.placement` can describe the cluster (instances, their tasks and
//! the new task definition, as [`crate::placement::simulate_placement`] takes them); the
//! placement engine then counts the free slots, and says what ran out (`placementLimit`).
//! Either way, a slot freed by a stopped old task is assumed to take one new task (MODEL:
//! the revisions are about the same size). Without `capacity` the cluster is unbounded
//! (Fargate). A step that wanted to start more tasks than fit reports `fitsOnCluster: false`
//! and the shortfall as `unplacedTasks`, as the service event "unable to place a task" would.
//! This reproduces the BP23 examples: 6 tasks with room for 8 go "start 2, stop 2, …" at
//! 100 % / 200 % and "stop 3, start 5, stop 3, start 1" at 50 % / 200 %.
//!
//! The deployment ends `COMPLETED` (no old tasks, `desired` healthy new tasks), `FAILED`
//! (circuit breaker tripped; `rolledBack` tells whether ECS starts a rollback), or stuck:
//! `STUCK_ON_CONFIGURATION` when the bounds allow neither a stop nor a start (e.g. 4 tasks at
//! 100 % / 100 %, ECS's event "unable to stop or start tasks during a deployment because of the
//! service deployment configuration"), `STUCK_ON_CAPACITY` when only the cluster's room
//! blocks progress.
//!
//! Circuit breaker (§4.4, current docs): threshold `clamp(ceil(0.5 × desired), 3, 200)`, or as
//! set by `thresholdConfiguration` — `COUNT` (the value), `BOUNDED_PERCENT` (value % of
//! desired, bounded by [3, 200]; the default with value 50) or `UNBOUNDED_PERCENT` (value % of
//! desired, at least 1; MODEL). Failures add up; with `resetOnHealthyTask` (default true) a
//! step in which any new task becomes healthy resets the count to 0 after that step's
//! failures were checked against the threshold (MODEL: failures and successes of one step are
//! simultaneous, failures first). With the breaker off, failed launches are simply retried.
//! Percent is taken of `desired`, and a maximumPercent below 100 is rejected for REPLICA
//! services: the service could then never run all of its desired tasks (MODEL).

use serde::{Deserialize, Serialize};

use crate::ecs::DeploymentConfiguration;
use crate::input::InputError;
use crate::ops::requests::{Scheduling, check_desired_count, deployment_percents};
use crate::placement::{MAX_COUNT, PlacementInput, simulate_placement};

/// Lowest circuit-breaker threshold (current docs; DG23 said 10).
pub const BREAKER_MIN_THRESHOLD: i64 = 3;
/// Highest circuit-breaker threshold.
pub const BREAKER_MAX_THRESHOLD: i64 = 200;
/// Steps after which a plan that still makes progress is cut off.
pub const MAX_STEPS: usize = 10_000;

/// A rolling deployment to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInput {
    /// The service's desired count.
    pub desired_count: i64,
    /// `minimumHealthyPercent`, `maximumPercent` and `deploymentCircuitBreaker`, as in
    /// `CreateService`.
    #[serde(default)]
    pub deployment_configuration: DeploymentConfiguration,
    /// `REPLICA` (default) or `DAEMON`; only changes the percent defaults.
    #[serde(default = "replica")]
    pub scheduling_strategy: String,
    /// Healthy tasks of the old revision when the deployment starts (default: desired count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_old_tasks: Option<i64>,
    /// Room on the cluster; omitted means unbounded (Fargate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<ClusterRoom>,
    /// The circuit breaker's threshold (newer API); omitted means the default rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_configuration: Option<ThresholdConfiguration>,
    /// Whether a healthy new task resets the failure count (default true).
    #[serde(default = "yes")]
    pub reset_on_healthy_task: bool,
    /// How many of the new revision's first launches fail before reaching RUNNING.
    #[serde(default)]
    pub failing_new_tasks: i64,
}

fn replica() -> String {
    "REPLICA".to_owned()
}

fn yes() -> bool {
    true
}

/// Free room on the cluster: a number of task slots, or the cluster itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterRoom {
    /// How many more tasks fit beside the running ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_task_slots: Option<i64>,
    /// The cluster's instances and tasks and the new task definition, as the placement
    /// engine takes them; the engine counts the free slots (its `count` is ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Box<PlacementInput>>,
}

impl ClusterRoom {
    /// Room for `slots` more tasks.
    pub fn slots(slots: i64) -> Self {
        Self {
            free_task_slots: Some(slots),
            placement: None,
        }
    }
}

/// `DeploymentCircuitBreaker.thresholdConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdConfiguration {
    /// `COUNT`, `BOUNDED_PERCENT` or `UNBOUNDED_PERCENT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The count, or the percent of the desired count (default 50 for percents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
}

/// How the simulated deployment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentOutcome {
    /// All old tasks replaced by healthy new ones.
    Completed,
    /// The circuit breaker tripped.
    Failed,
    /// min/max percent allow neither a stop nor a start.
    StuckOnConfiguration,
    /// Only the cluster's room blocks progress.
    StuckOnCapacity,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStep {
    /// 1-based step number.
    pub step: usize,
    /// New tasks (started in the previous step) that became healthy.
    pub became_healthy: i64,
    /// New tasks (started in the previous step) that failed before RUNNING.
    pub failed_new: i64,
    /// Old tasks stopped.
    pub stopped_old: i64,
    /// New tasks started.
    pub started_new: i64,
    /// Starts the bounds allowed but the cluster had no room for.
    pub unplaced_tasks: i64,
    /// Whether every start the bounds allowed fitted on the cluster.
    pub fits_on_cluster: bool,
    /// Healthy tasks after the stops (the step's lowest point).
    pub healthy_tasks: i64,
    /// Old + new tasks after the starts (the step's highest point).
    pub total_tasks: i64,
    /// Old tasks left.
    pub old_tasks: i64,
    /// New tasks, healthy or starting.
    pub new_tasks: i64,
    /// Circuit-breaker failure count after the step.
    pub failure_count: i64,
    /// What happened, in words.
    pub description: String,
}

/// The plan and its bounds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentOutput {
    /// Desired count.
    pub desired_count: i64,
    /// Effective minimumHealthyPercent.
    pub minimum_healthy_percent: i64,
    /// Effective maximumPercent.
    pub maximum_percent: i64,
    /// `ceil(desired × min% / 100)`.
    pub min_healthy_tasks: i64,
    /// `floor(desired × max% / 100)`.
    pub max_tasks: i64,
    /// The breaker's failure threshold when it is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker_threshold: Option<i64>,
    /// Free task slots at the start (given, or counted by the placement engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_task_slots: Option<i64>,
    /// Why the placement engine could not place more, e.g. `RESOURCE:MEMORY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement_limit: Option<String>,
    /// Steps in order.
    pub steps: Vec<DeploymentStep>,
    /// How it ended.
    pub outcome: DeploymentOutcome,
    /// Whether ECS starts a rollback (breaker with `rollback: true` tripped).
    pub rolled_back: bool,
    /// The ending, in words (ECS's service event where there is one).
    pub message: String,
}

/// `ceil(desired × percent / 100)`: the fewest healthy tasks a deployment keeps.
pub fn min_healthy_tasks(desired: i64, minimum_healthy_percent: i64) -> i64 {
    desired
        .saturating_mul(minimum_healthy_percent)
        .saturating_add(99)
        .div_euclid(100)
}

/// `floor(desired × percent / 100)`: the most tasks a deployment runs at once.
pub fn max_tasks(desired: i64, maximum_percent: i64) -> i64 {
    desired.saturating_mul(maximum_percent).div_euclid(100)
}

/// The circuit breaker's failure threshold for `desired` tasks.
pub fn breaker_threshold(desired: i64, configuration: Option<&ThresholdConfiguration>) -> i64 {
    let percent_of_desired = |percent: i64| {
        desired
            .saturating_mul(percent)
            .saturating_add(99)
            .div_euclid(100)
    };
    match configuration {
        Some(ThresholdConfiguration { kind, value }) if kind == "COUNT" => value.unwrap_or(1),
        Some(ThresholdConfiguration { kind, value }) if kind == "UNBOUNDED_PERCENT" => {
            percent_of_desired(value.unwrap_or(50)).max(1)
        }
        other => {
            let percent = other.and_then(|c| c.value).unwrap_or(50);
            percent_of_desired(percent).clamp(BREAKER_MIN_THRESHOLD, BREAKER_MAX_THRESHOLD)
        }
    }
}

/// Plans a rolling deployment step by step.
pub fn simulate_deployment(input: &DeploymentInput) -> Result<DeploymentOutput, InputError> {
    let (minimum_percent, maximum_percent) = check(input)?;
    let desired = input.desired_count;
    let min_healthy = min_healthy_tasks(desired, minimum_percent);
    let max_total = max_tasks(desired, maximum_percent);
    let breaker = input
        .deployment_configuration
        .deployment_circuit_breaker
        .as_ref()
        .filter(|breaker| breaker.enable);
    let threshold =
        breaker.map(|_| breaker_threshold(desired, input.threshold_configuration.as_ref()));

    let mut old = input.running_old_tasks.unwrap_or(desired);
    let (free_task_slots, placement_limit) = match &input.capacity {
        Some(room) => {
            let (slots, limit) = free_slots(room, max_total)?;
            (Some(slots), limit)
        }
        None => (None, None),
    };
    let cluster_limit = free_task_slots.map(|slots| old.saturating_add(slots));
    let mut healthy_new = 0;
    let mut pending_new = 0;
    let mut launches_so_far = 0;
    let mut failure_count = 0;
    let mut steps = Vec::new();

    let (outcome, message) = loop {
        if old == 0 && pending_new == 0 && healthy_new == desired {
            break (
                DeploymentOutcome::Completed,
                format!(
                    "The deployment completed: {desired} healthy tasks of the new revision, none of the old."
                ),
            );
        }
        if steps.len() >= MAX_STEPS {
            break (
                DeploymentOutcome::StuckOnConfiguration,
                format!("The deployment did not finish within {MAX_STEPS} steps."),
            );
        }
        // 1. Last step's launches settle.
        let launched_before = launches_so_far - pending_new;
        let failing_left = (input.failing_new_tasks - launched_before).max(0);
        let failed = pending_new.min(failing_left);
        let became_healthy = pending_new - failed;
        healthy_new += became_healthy;
        failure_count += failed;
        let tripped = threshold.is_some_and(|threshold| failure_count >= threshold);
        if became_healthy > 0 && input.reset_on_healthy_task && !tripped {
            failure_count = 0;
        }
        if tripped {
            let rollback = breaker.is_some_and(|breaker| breaker.rollback);
            steps.push(DeploymentStep {
                step: steps.len() + 1,
                became_healthy,
                failed_new: failed,
                stopped_old: 0,
                started_new: 0,
                unplaced_tasks: 0,
                fits_on_cluster: true,
                healthy_tasks: old + healthy_new,
                total_tasks: old + healthy_new,
                old_tasks: old,
                new_tasks: healthy_new,
                failure_count,
                description: format!("{failed} new tasks failed to start; the circuit breaker tripped at {failure_count} failures."),
            });
            let message = if rollback {
                "The deployment failed: the circuit breaker tripped and ECS rolls back to the last completed deployment."
            } else {
                "The deployment failed: the circuit breaker tripped and no more tasks of the new revision are launched."
            };
            break (DeploymentOutcome::Failed, message.to_owned());
        }

        // 2. Stop old tasks down to the healthy floor.
        let healthy = old + healthy_new;
        let stopped = old.min(healthy - min_healthy).max(0);
        old -= stopped;
        let healthy_after_stops = old + healthy_new;

        // 3. Start new tasks within maxTasks and the cluster's room.
        let running = old + healthy_new;
        let wanted = (max_total - running).min(desired - healthy_new).max(0);
        let room = cluster_limit.map_or(wanted, |limit| (limit - running).max(0));
        let started = wanted.min(room);
        let unplaced = wanted - started;
        pending_new = started;
        launches_so_far += started;

        if became_healthy == 0 && failed == 0 && stopped == 0 && started == 0 {
            let outcome = if unplaced > 0 {
                DeploymentOutcome::StuckOnCapacity
            } else {
                DeploymentOutcome::StuckOnConfiguration
            };
            let message = match outcome {
                DeploymentOutcome::StuckOnCapacity => format!(
                    "The deployment is stuck: the bounds allow {unplaced} more tasks but the cluster has no room for them (\"unable to place a task because no container instance met all of its requirements\")."
                ),
                _ => format!(
                    "The deployment is stuck: with {min_healthy} tasks that must stay healthy and at most {max_total} tasks at once, ECS is \"unable to stop or start tasks during a deployment because of the service deployment configuration\"."
                ),
            };
            break (outcome, message);
        }
        steps.push(DeploymentStep {
            step: steps.len() + 1,
            became_healthy,
            failed_new: failed,
            stopped_old: stopped,
            started_new: started,
            unplaced_tasks: unplaced,
            fits_on_cluster: unplaced == 0,
            healthy_tasks: healthy_after_stops,
            total_tasks: old + healthy_new + pending_new,
            old_tasks: old,
            new_tasks: healthy_new + pending_new,
            failure_count,
            description: describe_step(became_healthy, failed, stopped, started, unplaced),
        });
    };
    Ok(DeploymentOutput {
        desired_count: desired,
        minimum_healthy_percent: minimum_percent,
        maximum_percent,
        min_healthy_tasks: min_healthy,
        max_tasks: max_total,
        circuit_breaker_threshold: threshold,
        free_task_slots,
        placement_limit,
        rolled_back: outcome == DeploymentOutcome::Failed
            && breaker.is_some_and(|breaker| breaker.rollback),
        steps,
        outcome,
        message,
    })
}

/// Free task slots, and why the placement engine stopped (when it was used).
fn free_slots(room: &ClusterRoom, max_total: i64) -> Result<(i64, Option<String>), InputError> {
    match (room.free_task_slots, &room.placement) {
        (Some(slots), None) if slots >= 0 => Ok((slots, None)),
        (Some(slots), None) => Err(InputError::new(
            "capacity.freeTaskSlots",
            format!("Must not be negative; it is {slots}."),
        )),
        (None, Some(placement)) => {
            let mut request = placement.as_ref().clone();
            request.count = max_total.clamp(1, MAX_COUNT);
            let output = simulate_placement(&request).map_err(|error| {
                let field = match error.field.as_str() {
                    "." => "capacity.placement".to_owned(),
                    inner => format!("capacity.placement.{inner}"),
                };
                InputError::new(field, error.message)
            })?;
            let limit = output
                .failures
                .first()
                .map(|failure| failure.reason.clone());
            Ok((output.tasks.len() as i64, limit))
        }
        _ => Err(InputError::new(
            "capacity",
            "Give either freeTaskSlots or placement (the cluster for the placement engine).",
        )),
    }
}

fn describe_step(
    became_healthy: i64,
    failed: i64,
    stopped: i64,
    started: i64,
    unplaced: i64,
) -> String {
    let mut parts = Vec::new();
    if became_healthy > 0 {
        parts.push(format!("{became_healthy} new healthy"));
    }
    if failed > 0 {
        parts.push(format!("{failed} new failed to start"));
    }
    if stopped > 0 {
        parts.push(format!("stop {stopped} old"));
    }
    if started > 0 {
        parts.push(format!("start {started} new"));
    }
    if unplaced > 0 {
        parts.push(format!("{unplaced} could not be placed"));
    }
    let mut text = parts.join(", ");
    if let Some(first) = text.get(..1) {
        text.replace_range(..1, &first.to_ascii_uppercase());
    }
    text.push('.');
    text
}

/// Checks the input; returns the effective (minimumHealthyPercent, maximumPercent).
fn check(input: &DeploymentInput) -> Result<(i64, i64), InputError> {
    let scheduling = Scheduling::parse(Some(&input.scheduling_strategy), "schedulingStrategy")?;
    check_desired_count(input.desired_count, "desiredCount")?;
    if input.failing_new_tasks < 0 {
        return Err(InputError::new(
            "failingNewTasks",
            format!("Must not be negative; it is {}.", input.failing_new_tasks),
        ));
    }
    if let Some(old) = input.running_old_tasks {
        check_desired_count(old, "runningOldTasks")?;
    }
    let (minimum, maximum) = deployment_percents(
        &input.deployment_configuration,
        Some(scheduling),
        "deploymentConfiguration",
    )?;
    if let Some(threshold) = &input.threshold_configuration {
        if !["COUNT", "BOUNDED_PERCENT", "UNBOUNDED_PERCENT"].contains(&threshold.kind.as_str()) {
            return Err(InputError::new(
                "thresholdConfiguration.type",
                format!(
                    "{:?} is not a threshold type; use \"COUNT\", \"BOUNDED_PERCENT\" or \"UNBOUNDED_PERCENT\".",
                    threshold.kind
                ),
            ));
        }
        if threshold.value.is_some_and(|value| value < 1) {
            return Err(InputError::new(
                "thresholdConfiguration.value",
                "Must be at least 1.",
            ));
        }
    }
    Ok((minimum, maximum))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ecs::DeploymentCircuitBreaker;

    fn input(desired: i64, minimum: i64, maximum: i64) -> DeploymentInput {
        DeploymentInput {
            desired_count: desired,
            deployment_configuration: DeploymentConfiguration {
                deployment_circuit_breaker: None,
                maximum_percent: Some(maximum),
                minimum_healthy_percent: Some(minimum),
            },
            scheduling_strategy: replica(),
            running_old_tasks: None,
            capacity: None,
            threshold_configuration: None,
            reset_on_healthy_task: true,
            failing_new_tasks: 0,
        }
    }

    fn with_room(mut input: DeploymentInput, free: i64) -> DeploymentInput {
        input.capacity = Some(ClusterRoom::slots(free));
        input
    }

    /// (stopped old, started new) per step.
    fn moves(output: &DeploymentOutput) -> Vec<(i64, i64)> {
        output
            .steps
            .iter()
            .map(|s| (s.stopped_old, s.started_new))
            .collect()
    }

    #[test]
    fn rounds_the_bounds_like_the_spec_table() {
        // (desired, min%, max%, minHealthy, maxTasks)
        let cases = [
            (4, 50, 200, 2, 8),
            (2, 75, 200, 2, 4),
            (3, 0, 125, 0, 3),
            (10, 100, 150, 10, 15),
            (4, 100, 100, 4, 4),
            (6, 50, 200, 3, 12),
            (0, 100, 200, 0, 0),
            (3, 34, 133, 2, 3),
        ];
        for (desired, minimum, maximum, healthy, most) in cases {
            assert_eq!(
                min_healthy_tasks(desired, minimum),
                healthy,
                "{desired} × {minimum}%"
            );
            assert_eq!(max_tasks(desired, maximum), most, "{desired} × {maximum}%");
        }
    }

    #[test]
    fn plans_the_spec_examples() {
        // (input, expected (stop, start) per step, outcome)
        let cases = [
            (
                input(10, 100, 150),
                vec![(0, 5), (5, 5), (5, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                input(4, 50, 200),
                vec![(2, 4), (2, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                input(2, 75, 200),
                vec![(0, 2), (2, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                input(3, 0, 125),
                vec![(3, 3), (0, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                with_room(input(6, 100, 200), 2),
                vec![(0, 2), (2, 2), (2, 2), (2, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                with_room(input(6, 50, 200), 2),
                vec![(3, 5), (3, 1), (0, 0)],
                DeploymentOutcome::Completed,
            ),
            (
                input(4, 100, 100),
                vec![],
                DeploymentOutcome::StuckOnConfiguration,
            ),
            (
                with_room(input(6, 100, 200), 0),
                vec![],
                DeploymentOutcome::StuckOnCapacity,
            ),
        ];
        for (case, expected, outcome) in cases {
            let output = simulate_deployment(&case).unwrap();
            assert_eq!(moves(&output), expected, "{case:?}");
            assert_eq!(output.outcome, outcome, "{case:?}");
        }
    }

    #[test]
    fn reports_steps_that_do_not_fit() {
        let output = simulate_deployment(&with_room(input(6, 100, 200), 2)).unwrap();
        let first = &output.steps[0];
        assert_eq!(
            (
                first.started_new,
                first.unplaced_tasks,
                first.fits_on_cluster
            ),
            (2, 4, false)
        );
        assert!(output.message.contains("completed"));
        let stuck = simulate_deployment(&input(4, 100, 100)).unwrap();
        assert!(
            stuck
                .message
                .contains("unable to stop or start tasks during a deployment"),
            "{}",
            stuck.message
        );
    }

    #[test]
    fn the_placement_engine_counts_free_slots() {
        let instance = |id: &str, cpu: i64, memory: i64| {
            serde_json::json!({
                "containerInstanceArn": format!("arn:aws:ecs:us-east-1:123456789012:container-instance/demo/{id}"),
                "status": "ACTIVE",
                "agentConnected": true,
                "registeredResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": 4096},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": 8192}],
                "remainingResources": [
                    {"name": "CPU", "type": "INTEGER", "integerValue": cpu},
                    {"name": "MEMORY", "type": "INTEGER", "integerValue": memory}]
            })
        };
        let case = serde_json::json!({
            "desiredCount": 6,
            "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200},
            "capacity": {"placement": {
                "containerInstances": [instance("a", 2048, 2048), instance("b", 1024, 4096)],
                "taskDefinition": {"family": "web", "cpu": "1024", "memory": "1024",
                    "containerDefinitions": [{"name": "app", "image": "web:2"}]}
            }}
        });
        let case: DeploymentInput = crate::input::from_value(case).unwrap();
        let output = simulate_deployment(&case).unwrap();
        // a fits 2 (cpu and memory), b fits 1 (cpu): room for 3 of the 6 new tasks at once.
        assert_eq!(output.free_task_slots, Some(3));
        assert_eq!(output.placement_limit.as_deref(), Some("RESOURCE:CPU"));
        assert_eq!(moves(&output), vec![(0, 3), (3, 3), (3, 0)]);

        let mut broken = case;
        let room = broken.capacity.as_mut().unwrap();
        room.free_task_slots = Some(2);
        assert_eq!(simulate_deployment(&broken).unwrap_err().field, "capacity");
        broken
            .capacity
            .as_mut()
            .unwrap()
            .placement
            .as_mut()
            .unwrap()
            .launch_type = Some("LAMBDA".to_owned());
        broken.capacity.as_mut().unwrap().free_task_slots = None;
        assert_eq!(
            simulate_deployment(&broken).unwrap_err().field,
            "capacity.placement.launchType"
        );
    }

    #[test]
    fn breaker_thresholds_match_the_spec() {
        for (desired, threshold) in [(1, 3), (25, 13), (400, 200), (800, 200), (6, 3), (7, 4)] {
            assert_eq!(breaker_threshold(desired, None), threshold, "{desired}");
        }
        let count = ThresholdConfiguration {
            kind: "COUNT".into(),
            value: Some(7),
        };
        assert_eq!(breaker_threshold(100, Some(&count)), 7);
        let unbounded = ThresholdConfiguration {
            kind: "UNBOUNDED_PERCENT".into(),
            value: Some(10),
        };
        assert_eq!(breaker_threshold(1000, Some(&unbounded)), 100);
        assert_eq!(breaker_threshold(1, Some(&unbounded)), 1);
        let bounded = ThresholdConfiguration {
            kind: "BOUNDED_PERCENT".into(),
            value: Some(10),
        };
        assert_eq!(breaker_threshold(10, Some(&bounded)), 3);
    }

    #[test]
    fn the_breaker_trips_and_rolls_back() {
        let mut case = input(10, 100, 200);
        case.deployment_configuration.deployment_circuit_breaker = Some(DeploymentCircuitBreaker {
            enable: true,
            rollback: true,
        });
        case.failing_new_tasks = 100;
        let output = simulate_deployment(&case).unwrap();
        assert_eq!(output.circuit_breaker_threshold, Some(5));
        assert_eq!(output.outcome, DeploymentOutcome::Failed);
        assert!(output.rolled_back);
        assert_eq!(output.steps.last().unwrap().failure_count, 10);
        assert_eq!(
            output.steps.last().unwrap().old_tasks,
            10,
            "old tasks keep serving"
        );

        // Four failures stay below the threshold of 5; the next launches succeed.
        case.failing_new_tasks = 4;
        let output = simulate_deployment(&case).unwrap();
        assert_eq!(output.outcome, DeploymentOutcome::Completed);

        // Without the breaker a failing revision is retried until it starts.
        case.deployment_configuration.deployment_circuit_breaker = None;
        case.failing_new_tasks = 25;
        let output = simulate_deployment(&case).unwrap();
        assert_eq!(output.outcome, DeploymentOutcome::Completed);
        assert_eq!(output.steps.iter().map(|s| s.failed_new).sum::<i64>(), 25);
    }

    #[test]
    fn rejects_bad_bounds_with_their_path() {
        let cases = [
            (
                input(4, 120, 200),
                "deploymentConfiguration.minimumHealthyPercent",
            ),
            (input(4, 50, 80), "deploymentConfiguration.maximumPercent"),
            (input(-1, 50, 200), "desiredCount"),
        ];
        for (case, field) in cases {
            assert_eq!(simulate_deployment(&case).unwrap_err().field, field);
        }
        let daemon: DeploymentInput =
            serde_json::from_str(r#"{"desiredCount": 3, "schedulingStrategy": "DAEMON"}"#).unwrap();
        let output = simulate_deployment(&daemon).unwrap();
        assert_eq!(
            (output.minimum_healthy_percent, output.maximum_percent),
            (0, 100)
        );
        assert_eq!(moves(&output), vec![(3, 3), (0, 0)]);
    }

    proptest! {
        #![proptest_config(crate::ops::fixed_seed_config())]

        #[test]
        fn never_leaves_the_bounds(
            desired in 0i64..40,
            minimum in 0i64..=100,
            extra in 0i64..=100,
            free in prop::option::of(0i64..20),
            failing in 0i64..12,
            breaker in any::<bool>(),
        ) {
            let mut case = input(desired, minimum, 100 + extra);
            case.capacity = free.map(ClusterRoom::slots);
            case.failing_new_tasks = failing;
            if breaker {
                case.deployment_configuration.deployment_circuit_breaker = Some(DeploymentCircuitBreaker { enable: true, rollback: false });
            }
            let output = simulate_deployment(&case).unwrap();
            for step in &output.steps {
                prop_assert!(step.healthy_tasks >= output.min_healthy_tasks.min(desired), "{:?}", step);
                prop_assert!(step.total_tasks <= output.max_tasks.max(desired), "{:?}", step);
                if let Some(free) = free {
                    prop_assert!(step.total_tasks <= desired + free, "{:?}", step);
                }
            }
            if output.outcome == DeploymentOutcome::Completed {
                let last = output.steps.last();
                prop_assert!(last.is_none_or(|s| s.old_tasks == 0 && s.new_tasks == desired));
            }
            prop_assert!(output.steps.len() < MAX_STEPS);
        }
    }
}
