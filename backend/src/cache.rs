//! A short-lived read cache in front of a source, with an explicit refresh.
//!
//! Several browsers opening the same pages within a few seconds would otherwise repeat the
//! same List/Describe calls against AWS (which throttles per account). [`CachedEcs`] keeps the
//! answers of the read calls for `ttl`; every change made through it clears the cache, so a
//! user always reads their own writes; `?refresh=true` on a read endpoint clears it too.
//! Errors are never cached.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

use async_trait::async_trait;
use berth_shared::{
    api::{
        ClusterReservation, ClusterSnapshot, CreateService, Mutation, RunTask, RunTaskResult,
        ServiceUpdate, SourceInfo, StopTask, TaskDefinitionFamily,
    },
    autoscaling::ServiceMetrics,
    ecs::{Cluster, Service, Task, TaskDefinition},
    time::Timestamp,
};

use crate::{error::SourceError, source::EcsApi};

/// Cached answers with the time they were read.
#[derive(Debug, Default)]
struct Entries {
    clusters: Option<(Instant, Vec<Cluster>)>,
    snapshots: HashMap<String, (Instant, ClusterSnapshot)>,
    families: Option<(Instant, Vec<TaskDefinitionFamily>)>,
}

/// A source whose reads are cached for a short time.
#[derive(Debug)]
pub struct CachedEcs {
    inner: Arc<dyn EcsApi>,
    ttl: Duration,
    entries: Mutex<Entries>,
}

impl CachedEcs {
    /// Caches `inner`'s reads for `ttl` (zero disables caching).
    pub fn new(inner: Arc<dyn EcsApi>, ttl: Duration) -> Self {
        Self {
            inner,
            ttl,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// Forgets every cached answer.
    pub fn invalidate(&self) {
        *self.lock() = Entries::default();
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached value when it is younger than the TTL.
    fn fresh<T: Clone>(&self, entry: Option<&(Instant, T)>) -> Option<T> {
        entry
            .filter(|(read_at, _)| read_at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    fn after_change<T>(&self, result: Result<T, SourceError>) -> Result<T, SourceError> {
        self.invalidate();
        result
    }
}

#[async_trait]
impl EcsApi for CachedEcs {
    fn info(&self) -> SourceInfo {
        self.inner.info()
    }

    async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
        let cached = self.fresh(self.lock().clusters.as_ref());
        if let Some(clusters) = cached {
            return Ok(clusters);
        }
        let clusters = self.inner.list_clusters().await?;
        self.lock().clusters = Some((Instant::now(), clusters.clone()));
        Ok(clusters)
    }

    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
        let cached = self.fresh(self.lock().snapshots.get(name));
        if let Some(snapshot) = cached {
            return Ok(snapshot);
        }
        let snapshot = self.inner.cluster_snapshot(name).await?;
        self.lock()
            .snapshots
            .insert(name.to_owned(), (Instant::now(), snapshot.clone()));
        Ok(snapshot)
    }

    /// Not cached: CloudWatch has a new point every minute.
    async fn cluster_reservations(
        &self,
        cluster_names: &[String],
        now: Timestamp,
    ) -> Result<Vec<ClusterReservation>, SourceError> {
        self.inner.cluster_reservations(cluster_names, now).await
    }

    /// Not cached: each call asks for a window ending at its own `now`.
    async fn service_metrics(
        &self,
        cluster: &str,
        service: &str,
        minutes: i64,
        now: Timestamp,
    ) -> Result<ServiceMetrics, SourceError> {
        self.inner
            .service_metrics(cluster, service, minutes, now)
            .await
    }

    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
        let cached = self.fresh(self.lock().families.as_ref());
        if let Some(families) = cached {
            return Ok(families);
        }
        let families = self.inner.task_definition_families().await?;
        self.lock().families = Some((Instant::now(), families.clone()));
        Ok(families)
    }

    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        self.inner.describe_task_definition(id).await
    }

    async fn register_task_definition(
        &self,
        definition: TaskDefinition,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.after_change(self.inner.register_task_definition(definition).await)
    }

    async fn deregister_task_definition(
        &self,
        id: &str,
    ) -> Result<Mutation<TaskDefinition>, SourceError> {
        self.after_change(self.inner.deregister_task_definition(id).await)
    }

    async fn create_service(
        &self,
        cluster: &str,
        request: CreateService,
    ) -> Result<Mutation<Service>, SourceError> {
        self.after_change(self.inner.create_service(cluster, request).await)
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        update: ServiceUpdate,
    ) -> Result<Mutation<Service>, SourceError> {
        self.after_change(self.inner.update_service(cluster, service, update).await)
    }

    async fn run_task(
        &self,
        cluster: &str,
        request: RunTask,
    ) -> Result<Mutation<RunTaskResult>, SourceError> {
        self.after_change(self.inner.run_task(cluster, request).await)
    }

    async fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        request: StopTask,
    ) -> Result<Mutation<Task>, SourceError> {
        self.after_change(self.inner.stop_task(cluster, task, request).await)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::sandbox::Sandbox;

    /// The sandbox, counting the reads that reach it.
    #[derive(Debug)]
    struct Counting {
        inner: Sandbox,
        reads: AtomicUsize,
    }

    #[async_trait]
    impl EcsApi for Counting {
        fn info(&self) -> SourceInfo {
            self.inner.info()
        }
        async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.list_clusters().await
        }
        async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.cluster_snapshot(name).await
        }
        async fn cluster_reservations(
            &self,
            cluster_names: &[String],
            now: Timestamp,
        ) -> Result<Vec<ClusterReservation>, SourceError> {
            self.inner.cluster_reservations(cluster_names, now).await
        }
        async fn service_metrics(
            &self,
            cluster: &str,
            service: &str,
            minutes: i64,
            now: Timestamp,
        ) -> Result<ServiceMetrics, SourceError> {
            self.inner
                .service_metrics(cluster, service, minutes, now)
                .await
        }
        async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
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
        async fn create_service(
            &self,
            cluster: &str,
            request: CreateService,
        ) -> Result<Mutation<Service>, SourceError> {
            self.inner.create_service(cluster, request).await
        }
        async fn update_service(
            &self,
            cluster: &str,
            service: &str,
            update: ServiceUpdate,
        ) -> Result<Mutation<Service>, SourceError> {
            self.inner.update_service(cluster, service, update).await
        }
        async fn run_task(
            &self,
            cluster: &str,
            request: RunTask,
        ) -> Result<Mutation<RunTaskResult>, SourceError> {
            self.inner.run_task(cluster, request).await
        }
        async fn stop_task(
            &self,
            cluster: &str,
            task: &str,
            request: StopTask,
        ) -> Result<Mutation<Task>, SourceError> {
            self.inner.stop_task(cluster, task, request).await
        }
    }

    fn cached(name: &str, ttl: Duration) -> (Arc<Counting>, CachedEcs) {
        let dir = std::env::temp_dir().join(format!("berth-cache-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let counting = Arc::new(Counting {
            inner: Sandbox::open(&dir.join("state.json"), Timestamp::from_secs(1_760_000_000))
                .expect("a fresh sandbox"),
            reads: AtomicUsize::new(0),
        });
        let cache = CachedEcs::new(Arc::clone(&counting) as Arc<dyn EcsApi>, ttl);
        (counting, cache)
    }

    #[tokio::test]
    async fn repeated_reads_within_the_ttl_reach_the_source_once() {
        let (counting, cache) = cached("ttl", Duration::from_secs(60));
        for _ in 0..3 {
            cache.list_clusters().await.unwrap();
            cache.cluster_snapshot("demo-ec2").await.unwrap();
        }
        assert_eq!(counting.reads.load(Ordering::SeqCst), 2);
        cache.invalidate();
        cache.list_clusters().await.unwrap();
        assert_eq!(
            counting.reads.load(Ordering::SeqCst),
            3,
            "an explicit refresh reads again"
        );
    }

    #[tokio::test]
    async fn a_change_is_visible_at_once() {
        let (_, cache) = cached("writes", Duration::from_secs(60));
        let before = cache.cluster_snapshot("demo-small").await.unwrap();
        let update = ServiceUpdate {
            desired_count: Some(2),
            ..ServiceUpdate::default()
        };
        cache
            .update_service("demo-small", "scheduler", update)
            .await
            .unwrap();
        let after = cache.cluster_snapshot("demo-small").await.unwrap();
        assert_eq!(
            after.cluster.running_tasks_count,
            before.cluster.running_tasks_count + 1
        );
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_zero_ttl_disables_the_cache() {
        let (counting, cache) = cached("errors", Duration::ZERO);
        assert!(cache.cluster_snapshot("missing").await.is_err());
        assert!(cache.cluster_snapshot("missing").await.is_err());
        cache.list_clusters().await.unwrap();
        cache.list_clusters().await.unwrap();
        assert_eq!(counting.reads.load(Ordering::SeqCst), 4);
    }
}
