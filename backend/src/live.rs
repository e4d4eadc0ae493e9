//! Live updates: `GET /api/clusters/{name}/stream` as server-sent events.
//!
//! One poller per cluster, however many browsers watch it: the first subscriber starts a
//! poller, every later one shares it, and the poller stops as soon as the last subscriber
//! goes away, so nothing polls when nobody watches. A poller reads a snapshot every
//! `interval` and publishes it only when something other than `fetchedAt` changed. A failed
//! read publishes the error (clients keep their last snapshot and show it as stale) and the
//! poller keeps trying; while AWS throttles it, it waits twice as long after each throttled
//! read (up to [`MAX_BACKOFF`] intervals), and goes back to its interval after a read that is
//! not throttled ([`next_delay`]).
//!
//! Events: `snapshot` (a `ClusterSnapshot`), `error` (an `ErrorBody`).
//!
//! A server keeps at most `--max-live-streams` streams open ([`Streams`]); one more is a
//! retryable JSON 503. Only a cluster that exists gets a poller (the route reads it first). On
//! shutdown every stream ends ([`Closer`]), so a draining server is not held open by watchers.

use std::{
    collections::HashMap,
    future::Future,
    hash::{DefaultHasher, Hash, Hasher},
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use berth_shared::api::{ClusterSnapshot, ErrorBody};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::error::{ApiError, SourceError};

/// The live streams a server keeps open: at most a fixed number at once, and all ended
/// together when the server shuts down.
#[derive(Debug, Clone)]
pub struct Streams {
    slots: Arc<Semaphore>,
    max: usize,
    closing: watch::Receiver<bool>,
}

/// Ends every live stream of its [`Streams`] (on SIGTERM or Ctrl-C).
#[derive(Debug)]
pub struct Closer(watch::Sender<bool>);

impl Closer {
    /// Ends every open stream and refuses new ones.
    pub fn close(&self) {
        self.0.send_replace(true);
    }
}

impl Streams {
    /// Room for `max` streams at once, and the [`Closer`] that ends them.
    pub fn new(max: usize) -> (Self, Closer) {
        let (closer, closing) = watch::channel(false);
        let streams = Self {
            slots: Arc::new(Semaphore::new(max)),
            max,
            closing,
        };
        (streams, Closer(closer))
    }

    /// A slot for one more stream, held as long as the stream is open; a retryable 503 when
    /// every slot is taken or the server is shutting down.
    pub fn open(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if *self.closing.borrow() {
            return Err(ApiError::unavailable(
                "Berth is shutting down; reconnect to another replica or in a moment",
            ));
        }
        Arc::clone(&self.slots).try_acquire_owned().map_err(|_| {
            ApiError::unavailable(format!(
                "this Berth already serves {} live streams, its limit (--max-live-streams); \
                 try again shortly",
                self.max
            ))
        })
    }

    /// Resolves when the server starts shutting down.
    pub fn closed(&self) -> impl Future<Output = ()> + Send + use<> {
        let mut closing = self.closing.clone();
        async move {
            let _ = closing.wait_for(|closed| *closed).await;
        }
    }

    /// Streams open now (for tests and diagnostics).
    pub fn open_count(&self) -> usize {
        self.max - self.slots.available_permits()
    }
}

/// The most intervals a throttled poller waits between two reads.
pub const MAX_BACKOFF: u32 = 16;

/// How long a poller waits before its next read: its `interval`, or while AWS throttles it,
/// twice the last wait, up to [`MAX_BACKOFF`] intervals.
pub fn next_delay(last: Duration, interval: Duration, throttled: bool) -> Duration {
    if throttled {
        last.saturating_mul(2)
            .clamp(interval, interval.saturating_mul(MAX_BACKOFF))
    } else {
        interval
    }
}

/// What a poller publishes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A changed snapshot.
    Snapshot(Arc<ClusterSnapshot>),
    /// The last read failed.
    Error(ErrorBody),
}

/// Reads one cluster's snapshot.
pub type Fetch = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = Result<ClusterSnapshot, SourceError>> + Send>>
        + Send
        + Sync,
>;

/// The pollers of one source.
pub struct LiveHub {
    fetch: Fetch,
    interval: Duration,
    pollers: Mutex<HashMap<String, watch::Sender<Option<Update>>>>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl LiveHub {
    /// A hub reading snapshots with `fetch` every `interval`.
    pub fn new(fetch: Fetch, interval: Duration) -> Arc<Self> {
        Arc::new(Self {
            fetch,
            interval,
            pollers: Mutex::new(HashMap::new()),
        })
    }

    /// Subscribes to a cluster's updates, starting its poller when it has none.
    pub fn subscribe(self: &Arc<Self>, cluster: &str) -> watch::Receiver<Option<Update>> {
        let mut pollers = self.pollers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = pollers.get(cluster).filter(|s| !s.is_closed()) {
            return sender.subscribe();
        }
        let (sender, receiver) = watch::channel(None);
        pollers.insert(cluster.to_owned(), sender.clone());
        let hub = Arc::clone(self);
        let cluster = cluster.to_owned();
        tokio::spawn(async move { hub.poll(cluster, sender).await });
        receiver
    }

    /// Number of clusters being polled (for tests and diagnostics).
    pub fn active_pollers(&self) -> usize {
        let pollers = self.pollers.lock().unwrap_or_else(PoisonError::into_inner);
        pollers.values().filter(|s| !s.is_closed()).count()
    }

    async fn poll(self: Arc<Self>, cluster: String, sender: watch::Sender<Option<Update>>) {
        tracing::info!(%cluster, "poller started");
        let mut last_fingerprint = None;
        let mut delay = self.interval;
        loop {
            let read = (self.fetch)(cluster.clone()).await;
            let throttled = matches!(read, Err(SourceError::Throttled { .. }));
            delay = next_delay(delay, self.interval, throttled);
            let update = match read {
                Ok(snapshot) => {
                    let fingerprint = fingerprint(&snapshot);
                    if last_fingerprint == Some(fingerprint) {
                        None
                    } else {
                        last_fingerprint = Some(fingerprint);
                        Some(Update::Snapshot(Arc::new(snapshot)))
                    }
                }
                Err(error) => {
                    last_fingerprint = None;
                    Some(Update::Error(ApiError::from(error).body().clone()))
                }
            };
            if let Some(update) = update {
                sender.send_replace(Some(update));
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = sender.closed() => {}
            }
            if sender.is_closed() {
                break;
            }
        }
        tracing::info!(%cluster, "poller stopped: nobody watches");
        let mut pollers = self.pollers.lock().unwrap_or_else(PoisonError::into_inner);
        if pollers.get(&cluster).is_some_and(watch::Sender::is_closed) {
            pollers.remove(&cluster);
        }
    }
}

/// A hash of the snapshot without its `fetchedAt`, to publish only real changes.
fn fingerprint(snapshot: &ClusterSnapshot) -> u64 {
    let mut hasher = DefaultHasher::new();
    let mut without_time = snapshot.clone();
    without_time.fetched_at = berth_shared::time::Timestamp(0);
    serde_json::to_string(&without_time)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use berth_shared::{ecs::Cluster, time::Timestamp};

    use super::*;

    fn snapshot(version: usize) -> ClusterSnapshot {
        ClusterSnapshot {
            cluster: Cluster {
                cluster_arn: "arn".into(),
                cluster_name: "c".into(),
                status: "ACTIVE".into(),
                registered_container_instances_count: 0,
                running_tasks_count: i64::try_from(version).unwrap(),
                pending_tasks_count: 0,
                active_services_count: 0,
                statistics: Vec::new(),
                settings: Vec::new(),
                capacity_providers: Vec::new(),
                default_capacity_provider_strategy: Vec::new(),
                tags: Vec::new(),
            },
            container_instances: Vec::new(),
            services: Vec::new(),
            tasks: Vec::new(),
            scaling: Vec::new(),
            fetched_at: Timestamp(i64::try_from(version).unwrap()),
        }
    }

    /// A fetch counting its calls; the snapshot changes every `change_every` calls.
    fn counting(calls: Arc<AtomicUsize>, change_every: usize) -> Fetch {
        Arc::new(move |_cluster| {
            let call = calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok(snapshot(call / change_every)) })
        })
    }

    #[tokio::test(start_paused = true)]
    async fn one_poller_serves_every_subscriber_and_stops_when_they_leave() {
        let calls = Arc::new(AtomicUsize::new(0));
        let hub = LiveHub::new(counting(Arc::clone(&calls), 1000), Duration::from_secs(5));
        let mut first = hub.subscribe("c");
        let second = hub.subscribe("c");
        first.changed().await.unwrap();
        assert_eq!(hub.active_pollers(), 1);
        tokio::time::sleep(Duration::from_secs(12)).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "one read per interval for both subscribers"
        );
        drop(first);
        drop(second);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after_leaving = calls.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            after_leaving,
            "no polling without watchers"
        );
        assert_eq!(hub.active_pollers(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn only_changes_are_published() {
        let calls = Arc::new(AtomicUsize::new(0));
        let hub = LiveHub::new(counting(Arc::clone(&calls), 3), Duration::from_secs(1));
        let mut receiver = hub.subscribe("c");
        let mut published = Vec::new();
        while published.len() < 3 {
            receiver.changed().await.unwrap();
            if let Some(Update::Snapshot(snapshot)) = receiver.borrow_and_update().clone() {
                published.push(snapshot.cluster.running_tasks_count);
            }
        }
        assert_eq!(published, [0, 1, 2]);
        assert!(calls.load(Ordering::SeqCst) >= 7, "three reads per change");
    }

    #[tokio::test(start_paused = true)]
    async fn errors_are_published_and_polling_goes_on() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let fetch: Fetch = Arc::new(move |_| {
            let call = counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if call == 0 {
                    Err(SourceError::Unavailable("AWS is down".into()))
                } else {
                    Ok(snapshot(1))
                }
            })
        });
        let hub = LiveHub::new(fetch, Duration::from_secs(1));
        let mut receiver = hub.subscribe("c");
        receiver.changed().await.unwrap();
        let first = receiver.borrow_and_update().clone();
        assert!(
            matches!(first, Some(Update::Error(ref body)) if body.retryable),
            "{first:?}"
        );
        receiver.changed().await.unwrap();
        assert!(matches!(*receiver.borrow(), Some(Update::Snapshot(_))));
    }

    #[tokio::test]
    async fn streams_are_capped_and_all_end_on_close() {
        let (streams, closer) = Streams::new(2);
        let first = streams.open().unwrap();
        let _second = streams.open().unwrap();
        let refused = streams.open().unwrap_err();
        assert_eq!(refused.status().as_u16(), 503);
        assert!(refused.body().retryable, "{:?}", refused.body());
        assert!(refused.body().message.contains("--max-live-streams"));
        drop(first);
        assert_eq!(streams.open_count(), 1);
        let _third = streams.open().unwrap();

        let closed = tokio::spawn(streams.closed());
        closer.close();
        tokio::time::timeout(Duration::from_secs(1), closed)
            .await
            .expect("every stream hears the close")
            .unwrap();
        assert!(
            streams
                .open()
                .unwrap_err()
                .body()
                .message
                .contains("shutting down")
        );
    }

    #[test]
    fn throttled_polls_back_off_and_recover() {
        let interval = Duration::from_secs(5);
        let cases = [
            (interval, true, Duration::from_secs(10)),
            (Duration::from_secs(10), true, Duration::from_secs(20)),
            (Duration::from_secs(80), true, Duration::from_secs(80)),
            (Duration::from_secs(60), true, Duration::from_secs(80)),
            (Duration::from_secs(80), false, interval),
            (interval, false, interval),
        ];
        for (last, throttled, next) in cases {
            assert_eq!(
                next_delay(last, interval, throttled),
                next,
                "{last:?} {throttled}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_poller_reads_less_often_until_aws_recovers() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        // Throttled for the first five reads, then fine.
        let fetch: Fetch = Arc::new(move |_cluster| {
            let call = counted.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if call < 5 {
                    Err(SourceError::Throttled {
                        action: "ecs:DescribeTasks".to_owned(),
                        message: "Rate exceeded".to_owned(),
                    })
                } else {
                    Ok(snapshot(0))
                }
            })
        });
        let hub = LiveHub::new(fetch, Duration::from_secs(5));
        let _watching = hub.subscribe("c");
        // Throttled reads at 0, 10, 30, 70 and 150 s (waits of 10, 20, 40, 80, 80 s), then
        // answered reads at 230 s and every 5 s after it.
        tokio::time::sleep(Duration::from_secs(151)).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "backed off while throttled"
        );
        tokio::time::sleep(Duration::from_secs(100)).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            10,
            "back to one read per interval once AWS answers"
        );
    }
}
