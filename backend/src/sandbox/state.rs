//! The sandbox account's state: what a simulated ECS region stores.
//!
//! Only facts are stored (instances, tasks, services, definitions, images). Everything ECS
//! derives — cluster counters and per-launch-type statistics — is computed on read from those
//! facts, so it can never drift. Stopped tasks are forgotten as ECS forgets them
//! ([`SandboxState::prune_stopped_tasks`]).

use berth_shared::{
    autoscaling::ServiceScaling,
    ecr::{ImageDetail, Repository},
    ecs::{
        CapacityProviderStrategyItem, Cluster, ClusterSetting, ContainerInstance, KeyValuePair,
        Service, Tag, Task, TaskDefinition, statistic,
    },
    time::Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::error::SourceError;

/// Everything in the sandbox account, as saved to disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxState {
    /// Format of this file; bumped on incompatible changes.
    pub format_version: u32,
    /// Simulated account id.
    pub account_id: String,
    /// Simulated region.
    pub region: String,
    /// Clusters with their contents.
    pub clusters: Vec<ClusterState>,
    /// Every task definition revision (ACTIVE and INACTIVE).
    pub task_definitions: Vec<TaskDefinition>,
    /// ECR repositories with their images.
    pub repositories: Vec<RepositoryState>,
    /// State of the id generator, so ids of later changes are unique and reproducible.
    #[serde(default)]
    pub id_seed: u64,
}

/// How long a stopped task stays in the state after its `stoppedAt`: one hour, the least ECS
/// keeps a stopped task visible (docs/ECS-MODEL.md §4.9).
pub const STOPPED_TASK_RETENTION_MS: i64 = 60 * 60 * 1000;

impl SandboxState {
    /// The current file format.
    pub const FORMAT_VERSION: u32 = 1;

    /// Forgets the tasks ECS no longer shows at `now`: those `STOPPED` more than
    /// [`STOPPED_TASK_RETENTION_MS`] before it (docs/ECS-MODEL.md §4.9). A stopped task with
    /// no `stoppedAt` is kept. Returns how many tasks were removed.
    pub fn prune_stopped_tasks(&mut self, now: Timestamp) -> usize {
        let forgotten = |task: &Task| {
            task.last_status == "STOPPED"
                && task
                    .stopped_at
                    .is_some_and(|stopped| now.0 - stopped.0 > STOPPED_TASK_RETENTION_MS)
        };
        self.clusters
            .iter_mut()
            .map(|cluster| {
                let before = cluster.tasks.len();
                cluster.tasks.retain(|task| !forgotten(task));
                before - cluster.tasks.len()
            })
            .sum()
    }

    /// The cluster named `name` (or with ARN `name`).
    pub fn cluster(&self, name: &str) -> Result<&ClusterState, SourceError> {
        self.clusters
            .iter()
            .find(|c| c.name == name || c.arn == name)
            .ok_or_else(|| SourceError::NotFound {
                kind: "cluster",
                name: name.to_owned(),
            })
    }
}

/// One cluster and what runs in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterState {
    /// Cluster name.
    pub name: String,
    /// Cluster ARN.
    pub arn: String,
    /// Settings (e.g. containerInsights).
    pub settings: Vec<ClusterSetting>,
    /// Capacity providers associated with the cluster.
    pub capacity_providers: Vec<String>,
    /// Default capacity provider strategy.
    pub default_capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Registered container instances.
    pub container_instances: Vec<ContainerInstance>,
    /// Services.
    pub services: Vec<Service>,
    /// Tasks (stopped ones are kept for a while, as ECS does).
    pub tasks: Vec<Task>,
    /// Application Auto Scaling of its services (targets, policies, scheduled actions).
    #[serde(default)]
    pub scaling: Vec<ServiceScaling>,
}

impl ClusterState {
    /// The cluster as `DescribeClusters` would describe it, counters derived from the state.
    pub fn describe(&self) -> Cluster {
        let registered = self
            .container_instances
            .iter()
            .filter(|i| matches!(i.status.as_str(), "ACTIVE" | "DRAINING"))
            .count();
        let count_tasks = |status: &str, launch_type: &str| {
            self.tasks
                .iter()
                .filter(|t| {
                    t.last_status == status && t.launch_type.as_deref() == Some(launch_type)
                })
                .count()
        };
        let count_services = |launch_type: &str| {
            self.services
                .iter()
                .filter(|s| {
                    s.status == "ACTIVE"
                        && super::mutations::launch_type(
                            s.launch_type.as_deref(),
                            &s.capacity_provider_strategy,
                        ) == launch_type
                })
                .count()
        };
        let statistics = [
            (statistic::RUNNING_EC2_TASKS, count_tasks("RUNNING", "EC2")),
            (
                statistic::RUNNING_FARGATE_TASKS,
                count_tasks("RUNNING", "FARGATE"),
            ),
            (
                statistic::RUNNING_EXTERNAL_TASKS,
                count_tasks("RUNNING", "EXTERNAL"),
            ),
            (statistic::PENDING_EC2_TASKS, count_tasks("PENDING", "EC2")),
            (
                statistic::PENDING_FARGATE_TASKS,
                count_tasks("PENDING", "FARGATE"),
            ),
            (
                statistic::PENDING_EXTERNAL_TASKS,
                count_tasks("PENDING", "EXTERNAL"),
            ),
            (statistic::ACTIVE_EC2_SERVICES, count_services("EC2")),
            (
                statistic::ACTIVE_FARGATE_SERVICES,
                count_services("FARGATE"),
            ),
            (
                statistic::ACTIVE_EXTERNAL_SERVICES,
                count_services("EXTERNAL"),
            ),
        ]
        .into_iter()
        .map(|(name, value)| KeyValuePair {
            name: name.to_owned(),
            value: value.to_string(),
        })
        .collect();
        Cluster {
            cluster_arn: self.arn.clone(),
            cluster_name: self.name.clone(),
            status: "ACTIVE".to_owned(),
            registered_container_instances_count: to_i64(registered),
            running_tasks_count: to_i64(
                self.tasks
                    .iter()
                    .filter(|t| t.last_status == "RUNNING")
                    .count(),
            ),
            pending_tasks_count: to_i64(
                self.tasks
                    .iter()
                    .filter(|t| t.last_status == "PENDING")
                    .count(),
            ),
            active_services_count: to_i64(
                self.services
                    .iter()
                    .filter(|s| s.status == "ACTIVE")
                    .count(),
            ),
            statistics,
            settings: self.settings.clone(),
            capacity_providers: self.capacity_providers.clone(),
            default_capacity_provider_strategy: self.default_capacity_provider_strategy.clone(),
            tags: self.tags.clone(),
        }
    }
}

fn to_i64(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// An ECR repository with its images and lifecycle policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryState {
    /// The repository.
    pub repository: Repository,
    /// Its images.
    pub images: Vec<ImageDetail>,
    /// Lifecycle policy text (JSON), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_policy: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::seed;

    #[test]
    fn stopped_tasks_are_forgotten_an_hour_after_they_stop() {
        const MINUTE_MS: i64 = 60_000;
        let now = Timestamp::from_secs(1_760_000_000);
        // (last status, stopped how long before `now`, whether the task is kept)
        let cases = [
            ("RUNNING", None, true),
            ("STOPPED", None, true),
            ("STOPPED", Some(0), true),
            ("STOPPED", Some(59 * MINUTE_MS), true),
            ("STOPPED", Some(STOPPED_TASK_RETENTION_MS), true),
            ("STOPPED", Some(STOPPED_TASK_RETENTION_MS + 1), false),
            ("STOPPED", Some(25 * 60 * MINUTE_MS), false),
            ("DEACTIVATING", Some(25 * 60 * MINUTE_MS), true),
        ];
        let mut state = seed::demo_fleet(now);
        let template = state.clusters[0].tasks[0].clone();
        state.clusters.truncate(1);
        state.clusters[0].tasks = cases
            .iter()
            .enumerate()
            .map(|(index, (status, stopped_ago, _))| Task {
                task_arn: format!("case-{index}"),
                last_status: (*status).to_owned(),
                stopped_at: stopped_ago.map(|ago| Timestamp(now.0 - ago)),
                ..template.clone()
            })
            .collect();

        let removed = state.prune_stopped_tasks(now);

        let kept: Vec<&str> = state.clusters[0]
            .tasks
            .iter()
            .map(|task| task.task_arn.as_str())
            .collect();
        let expected: Vec<String> = cases
            .iter()
            .enumerate()
            .filter(|(_, (_, _, kept))| *kept)
            .map(|(index, _)| format!("case-{index}"))
            .collect();
        assert_eq!(kept, expected);
        assert_eq!(removed, cases.len() - expected.len());
    }
}
