//! A short-lived read cache in front of a source, with an explicit refresh.
//!
//! Several browsers opening the same pages within a few seconds would otherwise repeat the
//! same List/Describe calls against AWS (which throttles per account). [`CachedEcs`] keeps the
//! answers of the read calls for `ttl`; every change made through it clears the cache, so a
//! user always reads their own writes; `?refresh=true` on a read endpoint clears it too.
//! Errors are never cached.
//!
//! Reads of the same thing that miss at the same time make one call: the first fetches, the
//! others wait for it and read what it stored (the overview's cluster list and its
//! reservation, opened together, list the clusters once). A fetch that a change overtook is
//! returned to its caller but not stored. A read's entry in the flights map lives only while
//! some caller fetches or waits for it.
//!
//! An answer outlives its TTL until the next change: when reading it again fails because the
//! source is out of reach ([`SourceError::is_outage`]), the last answer is returned instead and
//! the request is marked stale ([`crate::stale`]).

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use axum::body::Bytes;
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

use crate::{
    ecs::EcsApi,
    error::SourceError,
    metrics::METRICS,
    stale::{self, Staleness},
};

/// The wall-clock time of a read made at `instant`.
fn read_at_wall_clock(instant: Instant) -> Timestamp {
    let age = i64::try_from(instant.elapsed().as_millis()).unwrap_or(i64::MAX);
    Timestamp(crate::now().0.saturating_sub(age))
}

/// A snapshot as answered: its JSON, the same gzipped, and an entity tag naming the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotBytes {
    /// The snapshot as JSON.
    pub json: Bytes,
    /// The JSON gzipped, for clients that accept it.
    pub gzip: Bytes,
    /// `W/"<hash of the JSON without its fetchedAt>"`.
    pub etag: String,
}

impl SnapshotBytes {
    fn new(json: Vec<u8>) -> std::io::Result<Self> {
        use std::{
            hash::{DefaultHasher, Hasher},
            io::Write,
        };
        // Weak: two reads that differ only in when they were read (`fetchedAt`, the snapshot's
        // last field) are the same entity.
        const READ_AT: &[u8] = b",\"fetchedAt\":";
        let content = json
            .windows(READ_AT.len())
            .rposition(|window| window == READ_AT)
            .map_or(&json[..], |at| &json[..at]);
        let mut hasher = DefaultHasher::new();
        hasher.write(content);
        let mut encoder =
            flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 8), Default::default());
        encoder.write_all(&json)?;
        Ok(Self {
            gzip: Bytes::from(encoder.finish()?),
            etag: format!("W/\"{:016x}\"", hasher.finish()),
            json: Bytes::from(json),
        })
    }
}

/// Cached answers with the time they were read.
#[derive(Debug, Default)]
struct Entries {
    clusters: Option<(Instant, Vec<Cluster>)>,
    snapshots: HashMap<String, (Instant, ClusterSnapshot)>,
    /// Snapshots as JSON, serialised once per read for every request that asks for them.
    snapshot_json: HashMap<String, (Instant, SnapshotBytes)>,
    families: Option<(Instant, Vec<TaskDefinitionFamily>)>,
    definitions: HashMap<String, (Instant, TaskDefinition)>,
}

/// A read being fetched: the lock its fetcher holds, and how many callers hold or wait for it.
#[derive(Debug, Default)]
struct InFlight {
    callers: usize,
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// The reads being fetched, by name (`clusters`, `families`, `snapshot:{name}`,
/// `definition:{id}`).
type Flights = Mutex<HashMap<String, InFlight>>;

/// A caller's place in a read's flight; leaving it (fetched, failed or cancelled) forgets the
/// read once no one else holds or waits for it.
struct Flight<'a> {
    flights: &'a Flights,
    name: String,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a> Flight<'a> {
    fn join(flights: &'a Flights, name: String) -> Self {
        let mut map = flights.lock().unwrap_or_else(PoisonError::into_inner);
        let in_flight = map.entry(name.clone()).or_default();
        in_flight.callers += 1;
        Self {
            flights,
            name,
            lock: Arc::clone(&in_flight.lock),
        }
    }
}

impl Drop for Flight<'_> {
    fn drop(&mut self) {
        let mut map = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(in_flight) = map.get_mut(&self.name) {
            in_flight.callers -= 1;
            if in_flight.callers == 0 {
                map.remove(&self.name);
            }
        }
    }
}

/// A source whose reads are cached for a short time.
#[derive(Debug)]
pub struct CachedEcs {
    inner: Arc<dyn EcsApi>,
    ttl: Duration,
    entries: Mutex<Entries>,
    /// One lock per cached read held while it is fetched, so that simultaneous misses make
    /// one call.
    flights: Flights,
    /// Bumped by every invalidation; a fetch started before one is not stored.
    generation: AtomicU64,
}

impl CachedEcs {
    /// Caches `inner`'s reads for `ttl` (zero disables caching).
    pub fn new(inner: Arc<dyn EcsApi>, ttl: Duration) -> Self {
        Self {
            inner,
            ttl,
            entries: Mutex::new(Entries::default()),
            flights: Mutex::new(HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }

    /// Forgets every cached answer.
    pub fn invalidate(&self) {
        let mut entries = self.lock();
        self.generation.fetch_add(1, Ordering::SeqCst);
        *entries = Entries::default();
    }

    /// The cached answer read by `read` when fresh; otherwise one `fetch` for all callers
    /// missing at once, stored with `store` unless a change came in the meantime.
    async fn read_through<T: Clone>(
        &self,
        flight: String,
        read: impl Fn(&Entries) -> Option<&(Instant, T)>,
        fetch: impl Future<Output = Result<T, SourceError>>,
        store: impl FnOnce(&mut Entries, (Instant, T)),
    ) -> Result<T, SourceError> {
        if let Some(value) = self.fresh(read(&self.lock())) {
            METRICS.cache_lookup(true);
            return Ok(value);
        }
        let flight = Flight::join(&self.flights, flight);
        let _flying = flight.lock.lock().await;
        if let Some(value) = self.fresh(read(&self.lock())) {
            // Another caller's read, made while this one waited for it.
            METRICS.cache_lookup(true);
            return Ok(value);
        }
        METRICS.cache_lookup(false);
        let generation = self.generation.load(Ordering::SeqCst);
        let value = match fetch.await {
            Ok(value) => value,
            Err(error) if error.is_outage() => {
                let Some((read_at, last)) = read(&self.lock()).cloned() else {
                    return Err(error);
                };
                stale::note(Staleness {
                    read_at: read_at_wall_clock(read_at),
                    reason: error.to_string(),
                });
                return Ok(last);
            }
            Err(error) => return Err(error),
        };
        let mut entries = self.lock();
        // A value built from a stale read (an outage answered by the last read) is not
        // stored, so every request that uses it is marked stale too.
        if self.generation.load(Ordering::SeqCst) == generation && !stale::noted() {
            store(&mut entries, (Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// The snapshot of `name` as JSON, serialised (and gzipped) once per read and shared by
    /// every request within the TTL (a snapshot of a large cluster is megabytes; serialising
    /// it per request would cost more than everything else a request does).
    pub async fn cluster_snapshot_json(&self, name: &str) -> Result<SnapshotBytes, SourceError> {
        self.read_through(
            format!("snapshot-json:{name}"),
            |entries| entries.snapshot_json.get(name),
            async {
                let snapshot = self.cluster_snapshot(name).await?;
                serde_json::to_vec(&snapshot)
                    .map_err(|error| SourceError::Internal(error.to_string()))
                    .and_then(|json| {
                        SnapshotBytes::new(json)
                            .map_err(|error| SourceError::Internal(error.to_string()))
                    })
            },
            |entries, read| {
                entries.snapshot_json.insert(name.to_owned(), read);
            },
        )
        .await
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
        self.read_through(
            "clusters".to_owned(),
            |entries| entries.clusters.as_ref(),
            self.inner.list_clusters(),
            |entries, read| entries.clusters = Some(read),
        )
        .await
    }

    async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
        self.read_through(
            format!("snapshot:{name}"),
            |entries| entries.snapshots.get(name),
            self.inner.cluster_snapshot(name),
            |entries, read| {
                entries.snapshots.insert(name.to_owned(), read);
            },
        )
        .await
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

    /// Not cached: a followed stream grows by the second.
    async fn log_events(
        &self,
        location: &LogLocation,
        token: Option<&str>,
        limit: usize,
    ) -> Result<LogPage, SourceError> {
        self.inner.log_events(location, token, limit).await
    }

    async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
        self.read_through(
            "families".to_owned(),
            |entries| entries.families.as_ref(),
            self.inner.task_definition_families(),
            |entries, read| entries.families = Some(read),
        )
        .await
    }

    /// Cached like the other reads: a repository page reads up to 300 definitions to tell
    /// where its images run, and several people opening it should not repeat them.
    async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
        self.read_through(
            format!("definition:{id}"),
            |entries| entries.definitions.get(id),
            self.inner.describe_task_definition(id),
            |entries, read| {
                entries.definitions.insert(id.to_owned(), read);
            },
        )
        .await
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

    async fn register_scalable_target(
        &self,
        cluster: &str,
        service: &str,
        bounds: ScalingBounds,
    ) -> Result<Mutation<ScalableTarget>, SourceError> {
        self.after_change(
            self.inner
                .register_scalable_target(cluster, service, bounds)
                .await,
        )
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
        /// When set, cluster lists fail with this error (the source is out of reach).
        failing: Mutex<Option<SourceError>>,
    }

    #[async_trait]
    impl EcsApi for Counting {
        fn info(&self) -> SourceInfo {
            self.inner.info()
        }
        async fn list_clusters(&self) -> Result<Vec<Cluster>, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            // As a remote source would, give the other readers a turn before answering.
            tokio::task::yield_now().await;
            if let Some(error) = self.failing.lock().unwrap().clone() {
                return Err(error);
            }
            self.inner.list_clusters().await
        }
        async fn cluster_snapshot(&self, name: &str) -> Result<ClusterSnapshot, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
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
        async fn log_events(
            &self,
            location: &LogLocation,
            token: Option<&str>,
            limit: usize,
        ) -> Result<LogPage, SourceError> {
            self.inner.log_events(location, token, limit).await
        }
        async fn task_definition_families(&self) -> Result<Vec<TaskDefinitionFamily>, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.inner.task_definition_families().await
        }
        async fn describe_task_definition(&self, id: &str) -> Result<TaskDefinition, SourceError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
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
            self.inner
                .register_scalable_target(cluster, service, bounds)
                .await
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
            failing: Mutex::new(None),
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
            cache.describe_task_definition("api:7").await.unwrap();
        }
        assert_eq!(counting.reads.load(Ordering::SeqCst), 3);
        cache.invalidate();
        cache.list_clusters().await.unwrap();
        assert_eq!(
            counting.reads.load(Ordering::SeqCst),
            4,
            "an explicit refresh reads again"
        );
    }

    #[tokio::test]
    async fn an_outage_answers_the_last_read_marked_stale_and_other_errors_stay_errors() {
        let (counting, cache) = cached("stale", Duration::ZERO);
        let read = |cache| crate::stale::tests_support::noted(CachedEcs::list_clusters(cache));
        let (fresh, noted) = read(&cache).await;
        assert!(fresh.is_ok() && noted.is_none());
        *counting.failing.lock().unwrap() = Some(SourceError::Unavailable("AWS is down".into()));
        let (stale, noted) = read(&cache).await;
        assert_eq!(stale.unwrap(), fresh.unwrap(), "the last answer stands in");
        let noted = noted.expect("the answer is marked stale");
        assert_eq!(noted.reason, "AWS is down");
        assert!(noted.read_at.0 <= crate::now().0);
        *counting.failing.lock().unwrap() = Some(SourceError::AccessDenied {
            action: "ecs:ListClusters".into(),
            message: "no".into(),
        });
        assert!(read(&cache).await.0.is_err(), "a refusal is not an outage");
        *counting.failing.lock().unwrap() = None;
        assert_eq!(
            read(&cache).await.1,
            None,
            "fresh again once the source answers"
        );
        cache.invalidate();
        *counting.failing.lock().unwrap() = Some(SourceError::Unavailable("down".into()));
        assert!(
            read(&cache).await.0.is_err(),
            "nothing read since the last change"
        );
    }

    #[tokio::test]
    async fn a_snapshot_is_serialised_once_per_read_and_not_kept_when_stale() {
        let (counting, cache) = cached("json", Duration::from_secs(60));
        let first = cache.cluster_snapshot_json("demo-small").await.unwrap();
        let again = cache.cluster_snapshot_json("demo-small").await.unwrap();
        assert_eq!(
            first.json.as_ptr(),
            again.json.as_ptr(),
            "the same bytes, not a new serialisation"
        );
        assert_eq!(first.etag, again.etag);
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&first.gzip[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, first.json, "the gzipped bytes are the JSON");
        let decoded: ClusterSnapshot = serde_json::from_slice(&first.json).unwrap();
        assert_eq!(decoded.cluster.cluster_name, "demo-small");
        assert_eq!(counting.reads.load(Ordering::SeqCst), 1);
        cache.invalidate();
        let changed = cache.cluster_snapshot_json("demo-small").await.unwrap();
        assert_ne!(
            changed.json.as_ptr(),
            first.json.as_ptr(),
            "a change makes a new one"
        );
    }

    #[tokio::test]
    async fn simultaneous_misses_reach_the_source_once() {
        let (counting, cache) = cached("flights", Duration::from_secs(60));
        let (a, b, c) = tokio::join!(
            cache.list_clusters(),
            cache.list_clusters(),
            cache.cluster_snapshot("demo-ec2"),
        );
        assert_eq!(a.unwrap(), b.unwrap());
        c.unwrap();
        assert_eq!(counting.reads.load(Ordering::SeqCst), 2);
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
            after.cluster.pending_tasks_count,
            before.cluster.pending_tasks_count + 1,
            "the new task is starting"
        );
    }

    #[tokio::test]
    async fn a_read_is_forgotten_by_the_flights_once_fetched_or_failed() {
        let (_, cache) = cached("forgotten", Duration::from_secs(60));
        let flights = || cache.flights.lock().unwrap().len();
        let (clusters, snapshot, missing, missing_again) = tokio::join!(
            cache.list_clusters(),
            cache.cluster_snapshot("demo-ec2"),
            cache.cluster_snapshot("missing"),
            cache.cluster_snapshot("missing"),
        );
        clusters.unwrap();
        snapshot.unwrap();
        assert!(missing.is_err() && missing_again.is_err());
        assert_eq!(
            flights(),
            0,
            "after fetches that succeeded and failed together"
        );

        for name in ["demo-small", "also-missing"] {
            let _ = cache.cluster_snapshot(name).await;
            assert_eq!(flights(), 0, "after reading {name} alone");
        }

        let mut cancelled = Box::pin(cache.list_clusters());
        cache.invalidate();
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(
            cancelled.as_mut().poll(&mut context).is_pending(),
            "the fetch is under way"
        );
        assert_eq!(flights(), 1, "a fetch under way is in flight");
        drop(cancelled);
        assert_eq!(flights(), 0, "after a fetch whose caller went away");
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
