//! The sandbox account: an embedded, simulated ECS region with a demo fleet.
//!
//! It is Berth's default source, so a newcomer sees a working console without an AWS account.
//! State lives in memory behind a lock and is saved to a JSON file (see [`store`]) after every
//! change; on first start the [`seed`] demo fleet is created and saved. Reads derive cluster
//! counters from the stored facts (see [`state`]).

mod ecr;
mod ids;
mod metrics;
mod mutations;
mod placement;
pub mod seed;
pub mod state;
pub mod store;
mod tasks;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult,
        ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
    },
    autoscaling::{MetricsWindow, ServiceMetrics},
    ecs::{Cluster, Service, Task, TaskDefinition},
    placement::cluster_reservation,
    time::Timestamp,
};
use tokio::sync::RwLock;

use crate::{error::SourceError, source::EcsApi};
use state::SandboxState;
pub use store::StoreError;

/// The region the demo fleet simulates.
pub const SEED_REGION: &str = ids::REGION;

/// The simulated account.
#[derive(Debug)]
pub struct Sandbox {
    path: PathBuf,
    region: String,
    state: RwLock<SandboxState>,
}

impl Sandbox {
    /// Opens the sandbox saved at `path`, creating and saving the demo fleet (as of `now`)
    /// when the file does not exist yet.
    pub fn open(path: &Path, now: Timestamp) -> Result<Self, StoreError> {
        let state = match store::load(path)? {
            Some(state) => state,
            None => {
                let state = seed::demo_fleet(now);
                store::save(path, &state)?;
                tracing::info!(path = %path.display(), "created the sandbox demo fleet");
                state
            }
        };
        Ok(Self {
            path: path.to_owned(),
            region: state.region.clone(),
            state: RwLock::new(state),
        })
    }

    /// The region this sandbox simulates.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Applies `change` to a copy of the state, saves the copy, and only then makes it current,
    /// so a change that fails (or cannot be saved) leaves the sandbox as it was.
    async fn change<T>(
        &self,
        change: impl FnOnce(&mut SandboxState, Timestamp) -> Result<T, SourceError>,
    ) -> Result<Mutation<T>, SourceError> {
        let mut state = self.state.write().await;
        let mut next = state.clone();
        let resource = change(&mut next, crate::now())?;
        store::save(&self.path, &next).map_err(|e| SourceError::Internal(e.to_string()))?;
        *state = next;
        Ok(Mutation {
            resource,
            request_id: None,
        })
    }

    /// The default state file: `$XDG_DATA_HOME/berth/sandbox.json`, else
    /// `~/.local/share/berth/sandbox.json`, else `./berth-sandbox.json`.
    pub fn default_path() -> PathBuf {
        let data_home = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|home| PathBuf::from(home).join(".local").join("share"))
            });
        match data_home {
            Some(dir) => dir.join("berth").join("sandbox.json"),
            None => PathBuf::from("berth-sandbox.json"),
        }
    }
}

#[async_trait]
impl EcsApi for Sandbox {
    fn info(&self) -> SourceInfo {
        SourceInfo::Sandbox {
            region: self.region.clone(),
            state_path: self.path.display().to_string(),
        }
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
        let state = self.state.read().await;
        let mut clusters: Vec<Cluster> = state
            .clusters
            .iter()
            .map(state::ClusterState::describe)
            .collect();
        clusters.sort_by(|a, b| a.cluster_name.cmp(&b.cluster_name));
        Ok(clusters)
    }

    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
        let state = self.state.read().await;
        let cluster = state.cluster(name)?;
        Ok(ClusterSnapshot {
            cluster: cluster.describe(),
            container_instances: cluster.container_instances.clone(),
            services: cluster.services.clone(),
            tasks: cluster.tasks.clone(),
            scaling: cluster.scaling.clone(),
            fetched_at: crate::now(),
        })
    }

    async fn cluster_reservations(
        &self,
        cluster_names: &[String],
        _now: Timestamp,
    ) -> Result<Vec<ClusterReservation>, SourceError> {
        let state = self.state.read().await;
        cluster_names
            .iter()
            .map(|name| {
                let cluster = state.cluster(name)?;
                let (cpu, memory) = cluster_reservation(&cluster.container_instances);
                Ok(ClusterReservation {
                    cluster_name: cluster.name.clone(),
                    cpu_reservation: cpu,
                    memory_reservation: memory,
                })
            })
            .collect()
    }

    async fn service_metrics(
        &self,
        cluster: &str,
        service: &str,
        minutes: i64,
        now: Timestamp,
    ) -> Result<ServiceMetrics, SourceError> {
        let state = self.state.read().await;
        let cluster = state.cluster(cluster)?;
        let service = mutations::service_named(cluster, service)?;
        let scaling = cluster
            .scaling
            .iter()
            .find(|s| s.service_name == service.service_name);
        Ok(metrics::service_metrics(
            &cluster.name,
            service,
            scaling,
            MetricsWindow::ending_at(now, minutes),
        ))
    }

    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
        Ok(self.state.read().await.families())
    }

    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        self.state.read().await.resolve_definition(id).cloned()
    }

    async fn register_task_definition(
        &self,
        definition: TaskDefinition,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.change(|state, now| Ok(state.register_task_definition(definition, now)))
            .await
    }

    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.change(|state, now| state.deregister_task_definition(id, now))
            .await
    }

    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError> {
        self.change(|state, now| state.create_service(cluster, request, now))
            .await
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError> {
        self.change(|state, now| state.update_service(cluster, service, update, now))
            .await
    }

    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError> {
        self.change(|state, now| state.run_task(cluster, request, now))
            .await
    }

    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError> {
        self.change(|state, now| state.stop_task(cluster, task, request, now))
            .await
    }
}
