//! The sandbox account: an embedded, simulated ECS region with a demo fleet.
//!
//! It is Berth's default source, so a newcomer sees a working console without an AWS account.
//! State lives in memory behind a lock and is saved to a JSON file (see [`store`]) after every
//! change; on first start the [`seed`] demo fleet is created and saved. Reads derive cluster
//! counters from the stored facts (see [`state`]). A sandbox holds its state file for as long
//! as it lives, so a second `berth` cannot open the same file.
//!
//! The sandbox behaves like ECS over time: a change records what is wanted and takes the
//! scheduler's first step; [`Sandbox::run_clock`] then moves tasks and deployments along at
//! each tick of its [`Pace`] (see [`scheduler`]), saving each step as a change.
//!
//! A change runs off the async workers ([`crate::blocking`]): one at a time, it applies to a
//! copy of the current state, saves the copy (an fsync) and only then makes it current, so
//! reads go on meanwhile and see either the state before the change or after it. Opening the
//! sandbox and every change first forget the tasks that stopped over an hour before, as ECS
//! does ([`SandboxState::prune_stopped_tasks`]).

mod ecr;
mod ids;
mod logs;
mod metrics;
mod mutations;
mod placement;
mod scheduler;
pub mod seed;
pub mod state;
pub mod store;
mod tasks;

pub use seed::DemoFleet;
pub use tasks::Pace;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
};

use async_trait::async_trait;
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult,
        ScalingBounds, ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
    },
    autoscaling::{MetricsWindow, ScalableTarget, ServiceMetrics},
    ecs::{Cluster, Service, Task, TaskDefinition},
    logs::{LogLocation, LogPage},
    placement::cluster_reservation,
    time::Timestamp,
};
use tokio::sync::RwLock;

use crate::{blocking::off_workers, ecs::EcsApi, error::SourceError};
use state::SandboxState;
use store::StateFile;
pub use store::StoreError;

/// The region the demo fleet simulates.
pub const SEED_REGION: &str = ids::REGION;

/// The simulated account.
#[derive(Debug)]
pub struct Sandbox {
    /// The state file, held (locked) for the life of the sandbox.
    file: Arc<StateFile>,
    region: String,
    /// The current state: read by requests, replaced by changes once saved.
    state: Arc<RwLock<SandboxState>>,
    /// Held by a change from reading the current state until its result is current, so
    /// changes apply one after another and none is lost.
    changing: Arc<Mutex<()>>,
    /// How fast tasks start and deployments roll.
    pace: Pace,
    /// The clock moving the sandbox along, stopped when the sandbox is dropped.
    clock: Option<tokio::task::AbortHandle>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(clock) = &self.clock {
            clock.abort();
        }
    }
}

impl Sandbox {
    /// Opens the sandbox saved at `path`, creating and saving the demo fleet (as of `now`)
    /// when the file does not exist yet, and forgetting (and saving) the tasks stopped over an
    /// hour before `now`. Refused while another sandbox, in this process or another `berth`,
    /// holds the file.
    pub fn open(path: &Path, now: Timestamp) -> Result<Self, StoreError> {
        Self::open_with(path, now, DemoFleet::Standard)
    }

    /// [`Sandbox::open`], creating `fleet` when the file does not exist yet (an existing file
    /// keeps the fleet it was created with).
    pub fn open_with(path: &Path, now: Timestamp, fleet: DemoFleet) -> Result<Self, StoreError> {
        let file = StateFile::open(path)?;
        let state = match file.load()? {
            Some(mut state) => {
                let forgotten = state.prune_stopped_tasks(now);
                if forgotten > 0 {
                    file.save(&state)?;
                    tracing::info!(forgotten, "forgot tasks stopped over an hour ago");
                }
                state
            }
            None => {
                let state = seed::demo_fleet_of(fleet, now);
                file.save(&state)?;
                tracing::info!(path = %path.display(), "created the sandbox demo fleet");
                state
            }
        };
        Ok(Self {
            file: Arc::new(file),
            region: state.region.clone(),
            state: Arc::new(RwLock::new(state)),
            changing: Arc::new(Mutex::new(())),
            pace: Pace::default(),
            clock: None,
        })
    }

    /// Starts the sandbox's clock at `pace` (on the current tokio runtime): at every tick
    /// while something is under way (a task starting, a deployment rolling, a service below
    /// its desired count), the account moves along to the current time
    /// ([`SandboxState::advance`]) and the result is saved like any change.
    #[must_use]
    pub fn run_clock(mut self, pace: Pace) -> Self {
        self.pace = pace;
        let (file, state, changing) = (
            Arc::clone(&self.file),
            Arc::clone(&self.state),
            Arc::clone(&self.changing),
        );
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(pace.tick());
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if !state.read().await.needs_time() {
                    continue;
                }
                let (file, state, changing) =
                    (Arc::clone(&file), Arc::clone(&state), Arc::clone(&changing));
                let moved = off_workers(move || {
                    let _one_at_a_time = changing.lock().unwrap_or_else(PoisonError::into_inner);
                    let mut next = state.blocking_read().clone();
                    if !next.advance(crate::now(), pace)? {
                        return Ok(());
                    }
                    file.save(&next)
                        .map_err(|e| SourceError::Internal(e.to_string()))?;
                    *state.blocking_write() = next;
                    Ok::<(), SourceError>(())
                })
                .await;
                if let Err(error) = moved.and_then(|moved| moved) {
                    tracing::error!(%error, "the sandbox clock could not move the account along");
                }
            }
        });
        self.clock = Some(task.abort_handle());
        self
    }

    /// The region this sandbox simulates.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Applies `change` to a copy of the state (first forgetting the tasks stopped over an hour
    /// ago), saves the copy, and only then makes it current, so a change that fails (or cannot
    /// be saved) leaves the sandbox as it was.
    ///
    /// The whole change runs on the blocking pool (the placement engine and the fsync would
    /// otherwise hold an async worker), one change at a time; reads are only held off while
    /// the saved copy replaces the current state. Once started, a change completes even if
    /// its caller stops waiting, so the file and the current state never disagree.
    async fn change<T>(
        &self,
        change: impl FnOnce(&mut SandboxState, Timestamp) -> Result<T, SourceError> + Send + 'static,
    ) -> Result<Mutation<T>, SourceError>
    where
        T: Send + 'static,
    {
        let file = Arc::clone(&self.file);
        let state = Arc::clone(&self.state);
        let changing = Arc::clone(&self.changing);
        let resource = off_workers(move || {
            // A change that panicked changed nothing current, so its poison is harmless.
            let _one_at_a_time = changing.lock().unwrap_or_else(PoisonError::into_inner);
            let mut next = state.blocking_read().clone();
            let now = crate::now();
            next.prune_stopped_tasks(now);
            let resource = change(&mut next, now)?;
            file.save(&next)
                .map_err(|e| SourceError::Internal(e.to_string()))?;
            *state.blocking_write() = next;
            Ok::<T, SourceError>(resource)
        })
        .await??;
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

    async fn log_events(
        &self,
        location: &LogLocation,
        token: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        let state = self.state.read().await;
        logs::log_events(&state, location, token, limit, crate::now())
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
        self.change(move |state, now| Ok(state.register_task_definition(definition, now)))
            .await
    }

    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        let id = id.to_owned();
        self.change(move |state, now| state.deregister_task_definition(&id, now))
            .await
    }

    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError> {
        let (cluster, pace) = (cluster.to_owned(), self.pace);
        self.change(move |state, now| state.create_service(&cluster, request, now, pace))
            .await
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError> {
        let (cluster, service, pace) = (cluster.to_owned(), service.to_owned(), self.pace);
        self.change(move |state, now| state.update_service(&cluster, &service, update, now, pace))
            .await
    }

    async fn register_scalable_target(
        &self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
    ) -> Result<Mutation<ScalableTarget>, SourceError> {
        let (cluster, service, pace) = (cluster.to_owned(), service.to_owned(), self.pace);
        self.change(move |state, now| {
            state.register_scalable_target(&cluster, &service, bounds, now, pace)
        })
        .await
    }

    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError> {
        let cluster = cluster.to_owned();
        self.change(move |state, now| state.run_task(&cluster, request, now))
            .await
    }

    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError> {
        let (cluster, task, pace) = (cluster.to_owned(), task.to_owned(), self.pace);
        self.change(move |state, now| state.stop_task(&cluster, &task, request, now, pace))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("berth-sandbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("state.json")
    }

    const OPENED_AT: Timestamp = Timestamp::from_secs(1_760_000_000);

    fn open(path: &Path) -> Arc<Sandbox> {
        Arc::new(Sandbox::open(path, OPENED_AT).expect("a fresh sandbox"))
    }

    /// The ARNs of the stopped tasks of every cluster.
    async fn stopped_tasks(sandbox: &Sandbox) -> Vec<String> {
        let mut stopped = Vec::new();
        for cluster in sandbox.list_clusters().await.unwrap() {
            let snapshot = sandbox
                .cluster_snapshot(&cluster.cluster_name)
                .await
                .unwrap();
            stopped.extend(
                snapshot
                    .tasks
                    .into_iter()
                    .filter(|task| task.last_status == "STOPPED")
                    .map(|task| task.task_arn),
            );
        }
        stopped
    }

    /// The ARNs of the stopped tasks in the state file.
    fn saved_stopped_tasks(path: &Path) -> Vec<String> {
        let saved = store::load(path).unwrap().expect("saved");
        saved
            .clusters
            .into_iter()
            .flat_map(|cluster| cluster.tasks)
            .filter(|task| task.last_status == "STOPPED")
            .map(|task| task.task_arn)
            .collect()
    }

    #[tokio::test]
    async fn a_second_sandbox_on_the_same_file_is_refused_until_the_first_is_gone() {
        let path = scratch("held");
        let first = open(&path);

        let error = Sandbox::open(&path, OPENED_AT).unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("in use by another berth"), "{error}");

        drop(first);
        Sandbox::open(&path, OPENED_AT).expect("opens once the first sandbox is gone");
    }

    #[tokio::test]
    async fn opening_forgets_tasks_stopped_over_an_hour_before() {
        const MINUTE_MS: i64 = 60_000;
        let path = scratch("reopened");
        let seeded = stopped_tasks(&open(&path)).await;
        assert_eq!(
            seeded.len(),
            1,
            "the seed's failed task, stopped 10 minutes before"
        );
        // (minutes after the seed the sandbox is opened again, whether the task is still there)
        let cases = [(49, true), (50, true), (51, false)];
        for (minutes, kept) in cases {
            let sandbox = Sandbox::open(&path, Timestamp(OPENED_AT.0 + minutes * MINUTE_MS))
                .expect("reopens");
            let expected = if kept { seeded.clone() } else { Vec::new() };
            assert_eq!(stopped_tasks(&sandbox).await, expected, "{minutes} minutes");
            assert_eq!(saved_stopped_tasks(&path), expected, "{minutes} minutes");
        }
    }

    #[tokio::test]
    async fn a_change_forgets_tasks_stopped_over_an_hour_before_it() {
        let path = scratch("changed");
        // Opened in 2025: the change reads the clock, which is more than an hour later.
        let sandbox = open(&path);
        assert_eq!(stopped_tasks(&sandbox).await.len(), 1);
        let family = sandbox.task_definition_families().await.unwrap()[0].clone();
        let definition = sandbox
            .describe_task_definition(&family.family)
            .await
            .unwrap();

        sandbox.register_task_definition(definition).await.unwrap();

        assert_eq!(stopped_tasks(&sandbox).await, Vec::<String>::new());
        assert_eq!(saved_stopped_tasks(&path), Vec::<String>::new());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_changes_all_apply_and_are_all_saved() {
        const CHANGES: usize = 12;
        let path = scratch("concurrent");
        let sandbox = open(&path);
        let family = sandbox.task_definition_families().await.unwrap()[0].clone();
        let definition = sandbox
            .describe_task_definition(&family.family)
            .await
            .unwrap();
        let mut changes = tokio::task::JoinSet::new();
        for _ in 0..CHANGES {
            let (sandbox, definition) = (Arc::clone(&sandbox), definition.clone());
            changes.spawn(async move { sandbox.register_task_definition(definition).await });
        }
        let mut registered: Vec<Option<i64>> = changes
            .join_all()
            .await
            .into_iter()
            .map(|change| change.unwrap().resource.revision)
            .collect();
        registered.sort_unstable();
        registered.dedup();
        assert_eq!(
            registered.len(),
            CHANGES,
            "every change got its own revision"
        );

        let current = sandbox.task_definition_families().await.unwrap();
        let revisions = |families: &[TaskDefinitionFamily]| {
            families
                .iter()
                .find(|f| f.family == family.family)
                .map_or(0, |f| f.revisions.len())
        };
        assert_eq!(revisions(&current), family.revisions.len() + CHANGES);
        let saved = store::load(&path).unwrap().expect("saved").families();
        assert_eq!(saved, current, "the file holds every change");
    }

    #[tokio::test]
    async fn a_change_that_fails_or_cannot_be_saved_changes_nothing() {
        // (case, service to scale, whether the state file becomes a directory that cannot be
        // replaced before the change)
        let cases = [
            ("failing", "nope", false),
            ("unsaveable", "scheduler", true),
        ];
        for (case, service, unsaveable) in cases {
            let path = scratch(case);
            let sandbox = open(&path);
            let before = sandbox.cluster_snapshot("demo-small").await.unwrap();
            if unsaveable {
                std::fs::remove_file(&path).unwrap();
                std::fs::create_dir_all(path.join("keep")).unwrap();
            }
            let update = ServiceUpdate {
                desired_count: Some(2),
                ..ServiceUpdate::default()
            };
            let result = sandbox.update_service("demo-small", service, update).await;
            assert!(result.is_err(), "{case}");
            let after = sandbox.cluster_snapshot("demo-small").await.unwrap();
            assert_eq!(after.services, before.services, "{case}");
            assert_eq!(after.tasks, before.tasks, "{case}");
            let temporaries = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .filter(|entry| {
                    let name = entry.as_ref().unwrap().file_name();
                    name.to_string_lossy().contains(".tmp-")
                })
                .count();
            assert_eq!(temporaries, 0, "{case}: no temporary file is left behind");
        }
    }
}
