//! The one boundary between Berth and an ECS account, laid out like [`crate::ecr`].
//!
//! Architecture invariant: the rest of the backend reads and changes ECS only through
//! [`EcsApi`], which speaks Berth's shared types (AWS shapes from `berth_shared::ecs`), never
//! SDK output types. Two implementations exist: [`sdk::SdkEcs`] (the AWS SDK, for real
//! accounts and AWS-compatible endpoints) and [`crate::sandbox::Sandbox`] (the embedded
//! simulated account). What both must answer alike is written here once: how revisions group
//! into families ([`group_families`]).
//!
//! - [`sdk`]: the AWS implementation.
//! - [`allowed`]: a source limited to some clusters (`--clusters`).

pub mod allowed;
pub mod sdk;

use async_trait::async_trait;
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult,
        ScalingBounds, ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
        TaskDefinitionRevision,
    },
    autoscaling::{ScalableTarget, ServiceMetrics},
    ecs::{Cluster, Service, Task, TaskDefinition},
    logs::{LogLocation, LogPage},
    time::Timestamp,
};

use crate::error::SourceError;

/// Read and write access to one ECS region.
#[async_trait]
pub trait EcsApi: Send + Sync + std::fmt::Debug {
    /// Which account this is, for the top bar and `/api/health`.
    fn info(&self) -> SourceInfo;

    /// Every cluster with its counts and statistics, sorted by name.
    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError>;

    /// One cluster by name or ARN with its instances, services and tasks;
    /// [`SourceError::NotFound`] when it does not exist.
    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError>;

    /// The CPU and memory reservation of the clusters named, in their order, as of `now`.
    async fn cluster_reservations(
        &self,
        cluster_names: &[String],
        now: Timestamp,
    ) -> Result<Vec<ClusterReservation>, SourceError>;

    /// A service's CPU and memory utilization over the last `minutes` (at most
    /// [`berth_shared::autoscaling::MAX_METRICS_MINUTES`]), ending at `now`.
    async fn service_metrics(
        &self,
        cluster: &str,
        service: &str,
        minutes: i64,
        now: Timestamp,
    ) -> Result<ServiceMetrics, SourceError>;

    /// Lines of one CloudWatch Logs stream, oldest first: the latest `limit` without `token`,
    /// else up to `limit` written after the lines `token` ended (a [`LogPage::next_token`]).
    /// [`SourceError::NotFound`] (a "log stream") when the group or stream does not exist.
    async fn log_events(
        &self,
        location: &LogLocation,
        token: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, SourceError>;

    /// Task-definition families with their revisions (ACTIVE and INACTIVE), newest first.
    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError>;

    /// One revision: an ARN, `family:revision`, or a family (its latest ACTIVE revision).
    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError>;

    /// Registers a new revision (the caller has validated it).
    async fn register_task_definition(
        &self,
        definition: TaskDefinition,
    ) -> Result<Mutation<TaskDefinition>, SourceError>;

    /// Deregisters one revision (`family:revision` or ARN).
    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError>;

    /// Creates a service in `cluster`.
    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError>;

    /// Updates a service (desired count, task definition, forced deployment, configuration).
    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError>;

    /// Sets the bounds of a service's auto scaling on its existing scalable target
    /// (Application Auto Scaling's RegisterScalableTarget); [`SourceError::NotFound`] (a
    /// "scalable target") when the service has none.
    async fn register_scalable_target(
        &self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
    ) -> Result<Mutation<ScalableTarget>, SourceError>;

    /// Starts standalone tasks.
    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError>;

    /// Stops a task (ARN or id).
    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError>;
}

/// Groups revisions into their families as ListTaskDefinitions lists them: families by name,
/// each family's revisions newest first, so every source answers in the same order.
pub fn group_families(
    revisions: impl IntoIterator<Item = (String, TaskDefinitionRevision)>,
) -> Vec<TaskDefinitionFamily> {
    let mut families: std::collections::BTreeMap<String, Vec<TaskDefinitionRevision>> =
        std::collections::BTreeMap::new();
    for (family, revision) in revisions {
        families.entry(family).or_default().push(revision);
    }
    families
        .into_iter()
        .map(|(family, mut revisions)| {
            revisions.sort_by_key(|r| std::cmp::Reverse(r.revision));
            TaskDefinitionFamily { family, revisions }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_sort_by_name_with_the_newest_revision_first() {
        let revision = |family: &str, number: i64, status: &str| {
            (
                family.to_owned(),
                TaskDefinitionRevision {
                    task_definition_arn: format!(
                        "arn:aws:ecs:r:1:task-definition/{family}:{number}"
                    ),
                    revision: number,
                    status: status.to_owned(),
                },
            )
        };
        let families = group_families([
            revision("web", 1, "INACTIVE"),
            revision("api", 2, "ACTIVE"),
            revision("web", 3, "ACTIVE"),
            revision("api", 1, "ACTIVE"),
        ]);
        let shape: Vec<(&str, Vec<i64>)> = families
            .iter()
            .map(|f| {
                (
                    f.family.as_str(),
                    f.revisions.iter().map(|r| r.revision).collect(),
                )
            })
            .collect();
        assert_eq!(shape, [("api", vec![2, 1]), ("web", vec![3, 1])]);
    }
}
