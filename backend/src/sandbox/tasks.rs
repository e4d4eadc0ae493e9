//! Task records the way ECS describes them, and how a task moves through its lifecycle.
//!
//! A new task starts `PROVISIONING` on Fargate (its network interface is being made) or
//! `PENDING` on an instance, pulls its images while `PENDING`, and is `RUNNING` once they
//! are pulled — or `STOPPED` with `CannotPullContainerError` when an image cannot be
//! (docs/ECS-MODEL.md §10.1, task lifecycle). How long each state lasts is the sandbox's
//! [`Pace`].

use std::time::Duration;

use berth_shared::{
    ecs::{Container, Task, TaskDefinition},
    time::Timestamp,
};

use super::{
    ids::{IdGenerator, arn},
    state::ClusterState,
};

/// How long the sandbox's tasks spend in each starting state, divided by a speed: 1 is the
/// sandbox's own pace (a Fargate task runs about 10 s after it was asked for, an EC2 task 5 s:
/// a few times quicker than ECS, so a deployment is watched in under a minute); tests and
/// demonstrations run faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    speed: u32,
}

impl Default for Pace {
    fn default() -> Self {
        Self { speed: 1 }
    }
}

impl Pace {
    /// The sandbox's pace `speed` times faster (0 is taken as 1).
    pub fn faster(speed: u32) -> Self {
        Self {
            speed: speed.max(1),
        }
    }

    fn scaled(self, millis: i64) -> i64 {
        (millis / i64::from(self.speed)).max(1)
    }

    /// `PROVISIONING` on Fargate: the task's network interface is being made.
    pub fn provisioning_ms(self) -> i64 {
        self.scaled(4_000)
    }

    /// `PENDING`: images are pulled and containers started.
    pub fn pending_ms(self) -> i64 {
        self.scaled(5_000)
    }

    /// How long the scheduler waits before launching again after `failures` consecutive
    /// launch failures: longer each time, up to 15 minutes (docs/ECS-MODEL.md §4.5).
    pub fn retry_delay_ms(self, failures: i64) -> i64 {
        self.scaled((5_000 * failures.clamp(0, 180)).min(15 * 60 * 1000))
    }

    /// How often the sandbox's clock moves things along.
    pub fn tick(self) -> Duration {
        Duration::from_millis(u64::try_from(self.scaled(1_000)).unwrap_or(1).max(20))
    }
}

/// A new task of `definition` in `cluster`, just asked for at `created_at` (not yet placed:
/// no instance or zone): `PROVISIONING` on Fargate, `PENDING` elsewhere.
pub fn new_task(
    cluster: &ClusterState,
    definition: &TaskDefinition,
    group: &str,
    started_by: Option<&str>,
    launch_type: &str,
    ids: &mut IdGenerator,
    created_at: Timestamp,
) -> Task {
    let id = ids.hex32();
    let fargate = launch_type == "FARGATE";
    let status = if fargate { "PROVISIONING" } else { "PENDING" };
    Task {
        task_arn: arn(&format!("task/{}/{id}", cluster.name)),
        cluster_arn: Some(cluster.arn.clone()),
        task_definition_arn: definition.task_definition_arn.clone().unwrap_or_default(),
        container_instance_arn: None,
        last_status: status.to_owned(),
        desired_status: Some("RUNNING".to_owned()),
        launch_type: Some(launch_type.to_owned()),
        capacity_provider_name: fargate.then(|| "FARGATE".to_owned()),
        cpu: definition.cpu.clone(),
        memory: definition.memory.clone(),
        group: Some(group.to_owned()),
        started_by: started_by.map(str::to_owned),
        availability_zone: None,
        containers: definition
            .container_definitions
            .iter()
            .map(|c| Container {
                container_arn: Some(arn(&format!("container/{}/{id}/{}", cluster.name, c.name))),
                name: c.name.clone(),
                image: Some(c.image.clone()),
                image_digest: None,
                last_status: Some("PENDING".to_owned()),
                exit_code: None,
                reason: None,
                health_status: Some("UNKNOWN".to_owned()),
                cpu: c.cpu.map(|v| v.to_string()),
                memory: c.memory.map(|v| v.to_string()),
                memory_reservation: c.memory_reservation.map(|v| v.to_string()),
                network_bindings: Vec::new(),
                network_interfaces: Vec::new(),
            })
            .collect(),
        attachments: Vec::new(),
        created_at: Some(created_at),
        started_at: None,
        stopping_at: None,
        stopped_at: None,
        stopped_reason: None,
        stop_code: None,
        health_status: Some("UNKNOWN".to_owned()),
        platform_version: fargate.then(|| "1.4.0".to_owned()),
        tags: Vec::new(),
    }
}

/// Whether a task holds its place: asked for and not stopped.
pub fn is_live(task: &Task) -> bool {
    matches!(
        task.last_status.as_str(),
        "PROVISIONING" | "PENDING" | "RUNNING"
    )
}

/// Whether a task is live but not yet running.
pub fn is_starting(task: &Task) -> bool {
    matches!(task.last_status.as_str(), "PROVISIONING" | "PENDING")
}

/// The task's containers are running and healthy from `at`.
pub fn start(task: &mut Task, at: Timestamp) {
    task.last_status = "RUNNING".to_owned();
    task.started_at = Some(at);
    task.health_status = Some("HEALTHY".to_owned());
    for container in &mut task.containers {
        container.last_status = Some("RUNNING".to_owned());
        container.health_status = Some("HEALTHY".to_owned());
    }
}

/// Stops the task at `now` for `reason` (`code` is ECS's stop code).
pub fn stop(task: &mut Task, reason: &str, code: &str, now: Timestamp) {
    let started = task.last_status == "RUNNING";
    task.last_status = "STOPPED".to_owned();
    task.desired_status = Some("STOPPED".to_owned());
    task.stopping_at = Some(now);
    task.stopped_at = Some(now);
    task.stopped_reason = Some(reason.to_owned());
    task.stop_code = Some(code.to_owned());
    for container in &mut task.containers {
        container.last_status = Some("STOPPED".to_owned());
        container.exit_code = started.then_some(0);
    }
}

/// What happened to a starting task when the clock moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// `PROVISIONING` → `PENDING`.
    Provisioned,
    /// `PENDING` → `RUNNING`.
    Started,
    /// `PENDING` → `STOPPED`: an image could not be pulled.
    FailedToStart,
}

/// Moves a starting task along at `now`; `pull_error` says why an image cannot be pulled
/// (`None`: it can).
pub fn advance(
    task: &mut Task,
    now: Timestamp,
    pace: Pace,
    pull_error: impl Fn(&str) -> Option<String>,
) -> Option<Transition> {
    let created = task.created_at.unwrap_or(now);
    let provisioning = if task.launch_type.as_deref() == Some("FARGATE") {
        pace.provisioning_ms()
    } else {
        0
    };
    match task.last_status.as_str() {
        "PROVISIONING" if now.0 >= created.0 + provisioning => {
            task.last_status = "PENDING".to_owned();
            Some(Transition::Provisioned)
        }
        "PENDING" if now.0 >= created.0 + provisioning + pace.pending_ms() => {
            let failure = task
                .containers
                .iter()
                .enumerate()
                .find_map(|(index, c)| Some((index, pull_error(c.image.as_deref()?)?)));
            match failure {
                Some((index, error)) => {
                    let name = task.containers[index].name.clone();
                    stop(
                        task,
                        &format!("CannotPullContainerError: {error}"),
                        "TaskFailedToStart",
                        now,
                    );
                    task.containers[index].reason = Some(format!(
                        "CannotPullContainerError: {error} (container {name})"
                    ));
                    Some(Transition::FailedToStart)
                }
                None => {
                    start(task, now);
                    Some(Transition::Started)
                }
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed::demo_fleet;

    const NOW: Timestamp = Timestamp(1_760_000_000_000);

    fn fresh(launch_type: &str) -> Task {
        let state = demo_fleet(NOW);
        let cluster = &state.clusters[0];
        let definition = &state.task_definitions[0];
        new_task(
            cluster,
            definition,
            "family:x",
            None,
            launch_type,
            &mut IdGenerator(7),
            NOW,
        )
    }

    #[test]
    fn tasks_move_through_their_states_on_the_clock() {
        let pace = Pace::default();
        let can_pull = |_: &str| None;
        // (launch type, ms after creation, expected transition, status after)
        let cases = [
            ("EC2", 0, None, "PENDING"),
            ("EC2", pace.pending_ms() - 1, None, "PENDING"),
            (
                "EC2",
                pace.pending_ms(),
                Some(Transition::Started),
                "RUNNING",
            ),
            (
                "FARGATE",
                pace.provisioning_ms(),
                Some(Transition::Provisioned),
                "PENDING",
            ),
            (
                "FARGATE",
                pace.provisioning_ms() + pace.pending_ms() - 1,
                Some(Transition::Provisioned),
                "PENDING",
            ),
        ];
        for (launch_type, after, transition, status) in cases {
            let mut task = fresh(launch_type);
            assert_eq!(
                advance(&mut task, Timestamp(NOW.0 + after), pace, can_pull),
                transition,
                "{launch_type} after {after} ms"
            );
            assert_eq!(task.last_status, status, "{launch_type} after {after} ms");
        }
        let mut task = fresh("FARGATE");
        let running_at = Timestamp(NOW.0 + pace.provisioning_ms() + pace.pending_ms());
        advance(&mut task, running_at, pace, can_pull);
        assert_eq!(
            advance(&mut task, running_at, pace, can_pull),
            Some(Transition::Started)
        );
        assert_eq!(task.started_at, Some(running_at));
        assert_eq!(task.health_status.as_deref(), Some("HEALTHY"));
    }

    #[test]
    fn an_image_that_cannot_be_pulled_stops_the_task_before_it_runs() {
        let mut task = fresh("EC2");
        let at = Timestamp(NOW.0 + Pace::default().pending_ms());
        let transition = advance(&mut task, at, Pace::default(), |image| {
            Some(format!("failed to resolve ref {image}: not found"))
        });
        assert_eq!(transition, Some(Transition::FailedToStart));
        assert_eq!(task.last_status, "STOPPED");
        assert_eq!(task.stop_code.as_deref(), Some("TaskFailedToStart"));
        assert!(
            task.stopped_reason
                .as_deref()
                .is_some_and(|r| r.starts_with("CannotPullContainerError: failed to resolve ref")),
            "{task:?}"
        );
        assert_eq!(task.started_at, None);
        assert!(task.containers.iter().all(|c| c.exit_code.is_none()));
    }

    #[test]
    fn a_faster_pace_divides_every_duration() {
        let fast = Pace::faster(10);
        assert_eq!(fast.pending_ms(), Pace::default().pending_ms() / 10);
        assert_eq!(fast.tick(), Duration::from_millis(100));
        assert_eq!(Pace::faster(0), Pace::default());
        assert_eq!(Pace::default().retry_delay_ms(1_000), 15 * 60 * 1000);
    }
}
