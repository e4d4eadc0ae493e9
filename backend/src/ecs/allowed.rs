//! `--clusters`: a server that shows and changes only the named clusters of each account.
//!
//! [`AllowedClusters`] stands in front of a source: the cluster list holds the named clusters
//! only, and any read or change of another cluster is answered as if it did not exist (a 404
//! naming it), so a server shared with one team does not even tell that the others' clusters
//! exist. Task definitions belong to the account, not to a cluster, and stay visible.

use std::sync::Arc;

use async_trait::async_trait;
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult,
        ScalingBounds, ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
    },
    autoscaling::{ScalableTarget, ServiceMetrics},
    ecs::{Cluster, Service, Task, TaskDefinition},
    logs::{LogLocation, LogPage},
    time::Timestamp,
};

use super::EcsApi;
use crate::error::SourceError;

/// A source limited to some clusters.
#[derive(Debug)]
pub struct AllowedClusters {
    inner: Arc<dyn EcsApi>,
    names: Vec<String>,
}

impl AllowedClusters {
    /// `inner` limited to the clusters `names`; `inner` itself when `names` is empty.
    pub fn wrap(inner: Arc<dyn EcsApi>, names: &[String]) -> Arc<dyn EcsApi> {
        if names.is_empty() {
            return inner;
        }
        Arc::new(Self {
            inner,
            names: names.to_vec(),
        })
    }

    /// Whether `cluster` (a name or an ARN) is one of the allowed clusters.
    fn allows(&self, cluster: &str) -> bool {
        let name = cluster
            .rsplit_once(":cluster/")
            .map_or(cluster, |(_, name)| name);
        self.names.iter().any(|allowed| allowed == name)
    }

    /// A not-found error for a cluster that is not allowed, as the source answers for one that
    /// does not exist.
    fn check(&self, cluster: &str) -> Result<(), SourceError> {
        if self.allows(cluster) {
            Ok(())
        } else {
            Err(SourceError::NotFound {
                kind: "cluster",
                name: cluster.to_owned(),
            })
        }
    }
}

#[async_trait]
impl EcsApi for AllowedClusters {
    fn info(&self) -> SourceInfo {
        self.inner.info()
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
        let mut clusters = self.inner.list_clusters().await?;
        clusters.retain(|cluster| self.allows(&cluster.cluster_name));
        Ok(clusters)
    }

    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
        self.check(name)?;
        self.inner.cluster_snapshot(name).await
    }

    async fn cluster_reservations(
        &self,
        cluster_names: &[String],
        now: Timestamp,
    ) -> Result<Vec<ClusterReservation>, SourceError> {
        let allowed: Vec<String> = cluster_names
            .iter()
            .filter(|name| self.allows(name))
            .cloned()
            .collect();
        self.inner.cluster_reservations(&allowed, now).await
    }

    async fn service_metrics(
        &self,
        cluster: &str,
        service: &str,
        minutes: i64,
        now: Timestamp,
    ) -> Result<ServiceMetrics, SourceError> {
        self.check(cluster)?;
        self.inner
            .service_metrics(cluster, service, minutes, now)
            .await
    }

    /// Log groups are not clusters': the caller found the task in an allowed cluster.
    async fn log_events(
        &self,
        location: &LogLocation,
        token: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        self.inner.log_events(location, token, limit).await
    }

    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
        self.inner.task_definition_families().await
    }

    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        self.inner.describe_task_definition(id).await
    }

    async fn register_task_definition(
        &self,
        definition: TaskDefinition,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.inner.register_task_definition(definition).await
    }

    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.inner.deregister_task_definition(id).await
    }

    async fn register_scalable_target(
        &self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
    ) -> Result<Mutation<ScalableTarget>, SourceError> {
        self.check(cluster)?;
        self.inner
            .register_scalable_target(cluster, service, bounds)
            .await
    }

    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError> {
        self.check(cluster)?;
        self.inner.create_service(cluster, request).await
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError> {
        self.check(cluster)?;
        self.inner.update_service(cluster, service, update).await
    }

    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError> {
        self.check(cluster)?;
        self.inner.run_task(cluster, request).await
    }

    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError> {
        self.check(cluster)?;
        self.inner.stop_task(cluster, task, request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Sandbox;

    fn limited(name: &str) -> Arc<dyn EcsApi> {
        let dir = std::env::temp_dir().join(format!("berth-allowed-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sandbox = Sandbox::open(&dir.join("state.json"), Timestamp::from_secs(1_760_000_000))
            .expect("a fresh sandbox");
        AllowedClusters::wrap(Arc::new(sandbox), &["demo-small".to_owned()])
    }

    #[tokio::test]
    async fn other_clusters_are_neither_listed_nor_read_nor_changed() {
        let ecs = limited("limits");
        let names: Vec<String> = ecs
            .list_clusters()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.cluster_name)
            .collect();
        assert_eq!(names, ["demo-small"]);
        assert!(ecs.cluster_snapshot("demo-small").await.is_ok());
        let arn = "arn:aws:ecs:us-east-1:123456789012:cluster/demo-small";
        assert!(
            ecs.cluster_snapshot(arn).await.is_ok(),
            "an ARN names it too"
        );
        let hidden = ecs.cluster_snapshot("demo-ec2").await.unwrap_err();
        assert_eq!(
            hidden,
            SourceError::NotFound {
                kind: "cluster",
                name: "demo-ec2".to_owned()
            },
            "as if it did not exist"
        );
        let run = RunTask {
            task_definition: "api".to_owned(),
            ..serde_json::from_value(serde_json::json!({"taskDefinition": "api"})).unwrap()
        };
        assert!(matches!(
            ecs.run_task("demo-ec2", run).await,
            Err(SourceError::NotFound { .. })
        ));
        assert!(!ecs.task_definition_families().await.unwrap().is_empty());
        let reservations = ecs
            .cluster_reservations(
                &["demo-ec2".to_owned(), "demo-small".to_owned()],
                Timestamp::from_secs(1_760_000_000),
            )
            .await
            .unwrap();
        assert!(reservations.iter().all(|r| r.cluster_name == "demo-small"));
    }
}
