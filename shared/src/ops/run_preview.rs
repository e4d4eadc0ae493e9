//! The preview of running standalone tasks: what a [`RunTask`] request would do before it is
//! sent, computed alike by the server (`POST /api/clusters/{cluster}/tasks/preview`) and by the
//! console's Run task page (in wasm, on every edit):
//!
//! - the revision that would run, and the problems of the request ([`super::requests`]), of
//!   the revision, its launch type and network ([`super::new_tasks`]); any error blocks the run;
//! - whether the tasks fit on the cluster's instances now, with the per-instance reasons of the
//!   first that does not, and what a capacity provider's managed scaling would add, or that
//!   RunTask would answer with failures; on Fargate, nothing to fill;
//! - what the tasks cost an hour and a month ([`super::new_tasks`]);
//! - the `RunTask` call, as a request body and as an `aws ecs run-task` command line.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cost::CostOutput;
use super::new_tasks::{NewTasks, command_line, launch_problems, startable, unplaced_warning};
use super::preview::{PlannedCall, RUN_TASKS, SurgePlacement, error, revision_name, shell_quote};
use super::requests::check_run_task;
use super::validate::{Problem, Severity};
use crate::api::{ClusterSnapshot, RunTask};
use crate::ecs::TaskDefinition;

/// Everything a run preview is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunTaskPreviewInput {
    /// The source's region (for the command line).
    pub region: String,
    /// The cluster as it is now.
    pub snapshot: ClusterSnapshot,
    /// The revision the request names, as the source describes it (none when there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<TaskDefinition>,
    /// The revisions the cluster's tasks run (their reservations count).
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinition>,
    /// The request.
    pub request: RunTask,
}

/// What running the tasks would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunTaskPreview {
    /// The cluster.
    pub cluster: String,
    /// `family:revision` that would run (what the request names when there is none).
    pub revision: String,
    /// How many tasks.
    pub count: i64,
    /// Problems of the request; errors block the run.
    pub problems: Vec<Problem>,
    /// Whether an error blocks the run.
    pub blocked: bool,
    /// Whether the tasks fit on the instances now (not on Fargate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<SurgePlacement>,
    /// What the tasks add to the bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostOutput>,
    /// The call the run makes.
    pub calls: Vec<PlannedCall>,
}

/// What running `input.request` on `input.snapshot` would do.
pub fn preview_run_task(input: &RunTaskPreviewInput) -> RunTaskPreview {
    let request = &input.request;
    let snapshot = &input.snapshot;
    let mut problems: Vec<Problem> = Vec::new();
    if let Err(problem) = check_run_task(request) {
        problems.push(error(&problem.field, problem.message));
    }
    let definition = startable(
        input.definition.as_ref(),
        &request.task_definition,
        &mut problems,
    );
    let group = definition.map(|definition| {
        request
            .group
            .clone()
            .unwrap_or_else(|| format!("family:{}", definition.family))
    });
    let name = definition.map(|d| format!("{} (run)", revision_name(d)));
    let new_tasks =
        definition
            .zip(group.as_deref().zip(name.as_deref()))
            .map(|(definition, (group, name))| NewTasks {
                snapshot,
                task_definitions: &input.task_definitions,
                definition,
                count: request.count,
                group,
                launch_type: request.launch_type.as_deref(),
                capacity_provider_strategy: &request.capacity_provider_strategy,
                placement_strategy: &request.placement_strategy,
                placement_constraints: &request.placement_constraints,
                what: RUN_TASKS,
                name,
            });
    if let Some(new_tasks) = &new_tasks {
        problems.extend(launch_problems(
            new_tasks.definition,
            new_tasks.fargate(),
            request.network_configuration.as_ref(),
        ));
    }
    let blocked_so_far = problems.iter().any(|p| p.severity == Severity::Error);
    let placement = new_tasks
        .filter(|_| !blocked_so_far)
        .and_then(|new_tasks| new_tasks.placement());
    problems.extend(unplaced_warning(placement.as_ref(), "count"));
    let cost = new_tasks.and_then(|new_tasks| new_tasks.cost(placement.as_ref()));
    let blocked = problems.iter().any(|p| p.severity == Severity::Error);
    RunTaskPreview {
        cluster: snapshot.cluster.cluster_name.clone(),
        revision: definition.map_or_else(|| request.task_definition.clone(), revision_name),
        count: request.count,
        problems,
        blocked,
        placement,
        cost,
        calls: vec![run_call(
            &input.region,
            &snapshot.cluster.cluster_name,
            request,
        )],
    }
}

/// The `RunTask` call for `request`.
fn run_call(region: &str, cluster: &str, request: &RunTask) -> PlannedCall {
    let mut input = serde_json::to_value(request).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut input {
        fields.shift_insert(0, "cluster".to_owned(), Value::String(cluster.to_owned()));
    }
    let line = command_line(
        format!(
            "aws ecs run-task --region {region} --cluster {} --task-definition {} --count {}",
            shell_quote(cluster),
            shell_quote(&request.task_definition),
            request.count
        ),
        &input,
        &[
            ("--launch-type", "launchType"),
            ("--group", "group"),
            ("--capacity-provider-strategy", "capacityProviderStrategy"),
            ("--placement-strategy", "placementStrategy"),
            ("--placement-constraints", "placementConstraints"),
            ("--network-configuration", "networkConfiguration"),
            ("--started-by", "startedBy"),
            ("--client-token", "clientToken"),
        ],
    );
    PlannedCall {
        operation: "RunTask".to_owned(),
        command_line: line,
        input,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::placement::bench_preview;

    /// `count` tasks of svc-0's revision on the benchmark cluster of `instances` instances,
    /// with a memory of `memory` MiB a task.
    fn input(instances: usize, memory: i64, count: i64) -> RunTaskPreviewInput {
        let bench = bench_preview(instances, instances * 10);
        let mut definition = bench.current_definition.clone();
        definition.container_definitions[0].memory = Some(memory);
        RunTaskPreviewInput {
            region: "us-east-1".into(),
            snapshot: bench.snapshot,
            definition: Some(definition),
            task_definitions: bench.task_definitions,
            request: serde_json::from_value(json!({
                "taskDefinition": "svc-0:3", "count": count, "launchType": "EC2"
            }))
            .unwrap(),
        }
    }

    #[test]
    fn tasks_that_fit_are_placed_and_run_in_one_call() {
        let preview = preview_run_task(&input(4, 512, 3));
        assert!(!preview.blocked, "{:?}", preview.problems);
        assert_eq!(preview.revision, "svc-0:3");
        let placement = preview.placement.unwrap();
        assert_eq!((placement.tasks, placement.placed), (3, 3), "{placement:?}");
        assert_eq!(preview.calls.len(), 1);
        let call = &preview.calls[0];
        assert_eq!(call.input["cluster"], "bench");
        assert_eq!(call.input["count"], 3);
        assert!(
            call.command_line
                .starts_with("aws ecs run-task --region us-east-1 --cluster 'bench' --task-definition 'svc-0:3' --count 3 --launch-type EC2"),
            "{}",
            call.command_line
        );
        let cost = preview.cost.unwrap();
        assert_eq!(
            cost.difference.unwrap().monthly,
            0.0,
            "no instance is added"
        );
    }

    #[test]
    fn tasks_that_do_not_fit_say_why_without_blocking() {
        let preview = preview_run_task(&input(2, 15_000, 4));
        assert!(!preview.blocked);
        let placement = preview.placement.unwrap();
        assert!(placement.placed < 4, "{placement:?}");
        assert!(placement.first_unplaced.is_some());
        assert!(
            preview.problems.iter().any(|p| p.path == "count"
                && p.severity == Severity::Warning
                && p.message.contains("do not fit")),
            "{:?}",
            preview.problems
        );
    }

    #[test]
    fn bad_requests_and_unknown_revisions_block_by_field() {
        let mut too_many = input(2, 512, 11);
        too_many.definition = None;
        let preview = preview_run_task(&too_many);
        assert!(preview.blocked);
        let fields: Vec<&str> = preview.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(fields, ["count", "taskDefinition"]);
        assert!(preview.placement.is_none());
    }
}
