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
//! Events: `snapshot` (a `ClusterSnapshot`), `delta` (a `SnapshotDelta`: what changed since the
//! stream's previous event), `error` (an `ErrorBody`). A poller serialises each change once —
//! the snapshot and its delta from the one before — for however many watchers, and numbers
//! it: the event id is `<poller>-<sequence>`, the poller's number unique in the process. A
//! watcher gets a delta when it has the snapshot before it, otherwise (its first event, one it
//! missed, a reconnection whose `Last-Event-ID` is not the previous one) the whole snapshot;
//! a reconnection already up to date gets nothing until the next change
//! ([`EventChoice::next`]).
//!
//! A server keeps at most `--max-live-streams` streams open ([`Streams`]); one more is a
//! retryable JSON 503. Only a cluster that exists gets a poller (the route reads it first). On
//! shutdown every stream ends ([`Closer`]), so a draining server is not held open by watchers.

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::body::Bytes;
use berth_shared::{
    api::{ClusterSnapshot, ErrorBody},
    delta::{SnapshotDelta, diff},
};
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

/// A changed snapshot as a poller publishes it: numbered, and framed once as server-sent
/// events for every watcher (the whole snapshot, and its delta from the one before), so a
/// watcher's event is a shared buffer, not a copy of a snapshot that may be megabytes.
#[derive(Debug, PartialEq)]
pub struct Published {
    /// The poller's number, unique in this process.
    pub poller: u64,
    /// The change's number within its poller, from 1.
    pub sequence: u64,
    /// The snapshot.
    pub snapshot: Arc<ClusterSnapshot>,
    /// The `snapshot` event.
    pub snapshot_event: Bytes,
    /// The `delta` event: what changed since change `sequence - 1` (none for the first).
    pub delta_event: Option<Bytes>,
}

impl Published {
    /// Frames change `sequence` of `poller`: `snapshot` and its `delta` from the one before.
    fn new(
        poller: u64,
        sequence: u64,
        snapshot: Arc<ClusterSnapshot>,
        delta: Option<&SnapshotDelta>,
    ) -> Self {
        let id = format!("{poller}-{sequence}");
        let snapshot_event = serde_json::to_string(&*snapshot)
            .map(|json| frame(Some(&id), "snapshot", &json))
            .unwrap_or_default();
        let delta_event = delta
            .and_then(|d| serde_json::to_string(d).ok())
            .map(|json| frame(Some(&id), "delta", &json));
        Self {
            poller,
            sequence,
            snapshot,
            snapshot_event,
            delta_event,
        }
    }
}

/// One server-sent event: `id` (when given), `event` and one line of `data` (JSON from
/// `serde_json::to_string` has no line breaks).
pub fn frame(id: Option<&str>, event: &str, data: &str) -> Bytes {
    let mut framed = String::with_capacity(data.len() + 64);
    if let Some(id) = id {
        framed.push_str("id: ");
        framed.push_str(id);
        framed.push('\n');
    }
    framed.push_str("event: ");
    framed.push_str(event);
    framed.push_str("\ndata: ");
    framed.push_str(data);
    framed.push_str("\n\n");
    Bytes::from(framed)
}

/// What a poller publishes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A changed snapshot.
    Snapshot(Arc<Published>),
    /// The last read failed.
    Error(ErrorBody),
}

/// Which event a watcher gets for each change, given what it already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventChoice {
    /// The change the watcher has: `(poller, sequence)`.
    has: Option<(u64, u64)>,
}

/// The event a watcher is sent for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextEvent {
    /// Nothing: it has this change already.
    Nothing,
    /// The delta from the change it has.
    Delta,
    /// The whole snapshot.
    Snapshot,
}

impl EventChoice {
    /// A watcher that has the change of `last_event_id` (a reconnection's `Last-Event-ID`), or
    /// nothing.
    pub fn after(last_event_id: Option<&str>) -> Self {
        let has = last_event_id.and_then(|id| {
            let (poller, sequence) = id.split_once('-')?;
            Some((poller.parse().ok()?, sequence.parse().ok()?))
        });
        Self { has }
    }

    /// What to send for `change`; the watcher has it afterwards.
    pub fn next(&mut self, change: &Published) -> NextEvent {
        let this = (change.poller, change.sequence);
        let send = match self.has {
            Some(has) if has == this => NextEvent::Nothing,
            Some((poller, sequence))
                if poller == change.poller
                    && sequence + 1 == change.sequence
                    && change.delta_event.is_some() =>
            {
                NextEvent::Delta
            }
            _ => NextEvent::Snapshot,
        };
        self.has = Some(this);
        send
    }
}

/// The next poller's number: unique in the process, and unlikely to repeat one of an earlier
/// process (it starts from the time the first poller started), so a console reconnecting to a
/// restarted server is not taken for up to date.
fn next_poller_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let started = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_millis()).unwrap_or(1))
    };
    let _ = NEXT.compare_exchange(0, started(), Ordering::SeqCst, Ordering::SeqCst);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// Whether `delta` changes anything but the time of the read.
fn changes_something(delta: &SnapshotDelta) -> bool {
    delta.cluster.is_some()
        || !delta.container_instances.is_empty()
        || !delta.services.is_empty()
        || !delta.tasks.is_empty()
        || !delta.scaling.is_empty()
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
        let poller = next_poller_number();
        tracing::info!(%cluster, poller, "poller started");
        let mut last: Option<Arc<ClusterSnapshot>> = None;
        let mut sequence = 0;
        // After an error every watcher shows its snapshot as stale: the next read is
        // published even unchanged, so they hear that all is well again.
        let mut after_error = false;
        let mut delay = self.interval;
        loop {
            let read = (self.fetch)(cluster.clone()).await;
            let throttled = matches!(read, Err(SourceError::Throttled { .. }));
            delay = next_delay(delay, self.interval, throttled);
            let update = match read {
                Ok(snapshot) => {
                    let delta = last.as_ref().map(|before| diff(before, &snapshot));
                    if !after_error && delta.as_ref().is_some_and(|d| !changes_something(d)) {
                        None
                    } else {
                        after_error = false;
                        sequence += 1;
                        let snapshot = Arc::new(snapshot);
                        last = Some(Arc::clone(&snapshot));
                        Some(Update::Snapshot(Arc::new(Published::new(
                            poller,
                            sequence,
                            snapshot,
                            delta.as_ref(),
                        ))))
                    }
                }
                Err(error) => {
                    after_error = true;
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
        tracing::info!(%cluster, poller, "poller stopped: nobody watches");
        let mut pollers = self.pollers.lock().unwrap_or_else(PoisonError::into_inner);
        if pollers.get(&cluster).is_some_and(watch::Sender::is_closed) {
            pollers.remove(&cluster);
        }
    }
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
            if let Some(Update::Snapshot(change)) = receiver.borrow_and_update().clone() {
                published.push((
                    change.snapshot.cluster.running_tasks_count,
                    change.sequence,
                    change.delta_event.clone(),
                ));
            }
        }
        let counts: Vec<i64> = published.iter().map(|(count, _, _)| *count).collect();
        assert_eq!(counts, [0, 1, 2]);
        let sequences: Vec<u64> = published.iter().map(|(_, sequence, _)| *sequence).collect();
        assert_eq!(sequences, [1, 2, 3]);
        assert!(published[0].2.is_none(), "the first change has no delta");
        let event = String::from_utf8(published[1].2.clone().unwrap().to_vec()).unwrap();
        let (head, data) = event.split_once("data: ").unwrap();
        assert!(
            head.starts_with("id: ") && head.ends_with("event: delta\n"),
            "{head}"
        );
        let delta: SnapshotDelta = serde_json::from_str(data.trim_end()).unwrap();
        assert_eq!(delta.cluster.unwrap().running_tasks_count, 1);
        assert!(delta.tasks.is_empty());
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

    #[test]
    fn watchers_get_a_delta_only_after_the_change_before_it() {
        let change = |poller, sequence, delta: bool| Published {
            poller,
            sequence,
            snapshot: Arc::new(snapshot(0)),
            snapshot_event: Bytes::new(),
            delta_event: delta.then(Bytes::new),
        };
        let cases: [(Option<&str>, Published, NextEvent); 7] = [
            (None, change(7, 1, false), NextEvent::Snapshot),
            (None, change(7, 4, true), NextEvent::Snapshot),
            (Some("7-3"), change(7, 4, true), NextEvent::Delta),
            (Some("7-4"), change(7, 4, true), NextEvent::Nothing),
            (Some("7-2"), change(7, 4, true), NextEvent::Snapshot),
            (Some("6-3"), change(7, 4, true), NextEvent::Snapshot),
            (Some("not an id"), change(7, 4, true), NextEvent::Snapshot),
        ];
        for (last_event_id, change, expected) in cases {
            let mut choice = EventChoice::after(last_event_id);
            assert_eq!(choice.next(&change), expected, "{last_event_id:?}");
        }
        let mut watcher = EventChoice::after(None);
        assert_eq!(watcher.next(&change(7, 1, false)), NextEvent::Snapshot);
        assert_eq!(watcher.next(&change(7, 2, true)), NextEvent::Delta);
        assert_eq!(
            watcher.next(&change(7, 4, true)),
            NextEvent::Snapshot,
            "a missed change"
        );
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
