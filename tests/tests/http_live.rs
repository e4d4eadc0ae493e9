//! Live updates: `GET /api/clusters/{name}/stream` pushes the snapshot at once, then deltas
//! that rebuild exactly the server's snapshot, and resumes a reconnection from its
//! `Last-Event-ID`.

use std::time::Duration;

use berth_shared::{
    api::ClusterSnapshot,
    delta::{SnapshotDelta, apply},
};
use berth_tests::berth::Berth;
use serde_json::{Value, json};

/// One server-sent event: its name, id and data.
#[derive(Debug)]
struct Received {
    name: String,
    id: Option<String>,
    data: Value,
}

/// An open event stream and what has been read of it.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens the stream of `path`, sending `last_event_id` as a reconnecting browser does.
    async fn open(berth: &Berth, path: &str, last_event_id: Option<&str>) -> Self {
        let mut request = reqwest::Client::new().get(format!("{}{path}", berth.url));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped), within `within`; `None` when none came.
    async fn next_within(&mut self, within: Duration) -> Option<Received> {
        let read = async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let field = |prefix: &str| {
                        block
                            .lines()
                            .find_map(|l| l.strip_prefix(prefix))
                            .map(|v| v.trim().to_owned())
                    };
                    let Some(name) = field("event:") else {
                        continue;
                    };
                    let data: String = block
                        .lines()
                        .filter_map(|l| l.strip_prefix("data:"))
                        .map(str::trim)
                        .collect();
                    return Received {
                        name,
                        id: field("id:"),
                        data: serde_json::from_str(&data).expect("event data is JSON"),
                    };
                }
                let chunk = self
                    .response
                    .chunk()
                    .await
                    .expect("the stream stays open")
                    .expect("more events");
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(within, read).await.ok()
    }

    /// The next event, which must come within 20 s.
    async fn next(&mut self) -> Received {
        self.next_within(Duration::from_secs(20))
            .await
            .expect("an event within 20 s")
    }
}

/// Reads server-sent events until one named `event` arrives; returns its data.
async fn next_event(stream: &mut EventStream, event: &str) -> Value {
    loop {
        let received = stream.next().await;
        if received.name == event {
            return received.data;
        }
    }
}

async fn set_desired(berth: &Berth, count: i64) {
    let (status, body) = berth
        .send(
            reqwest::Method::PUT,
            "/api/clusters/demo-small/services/scheduler",
            json!({"desiredCount": count}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

const STREAM: &str = "/api/clusters/demo-small/stream";

#[tokio::test]
async fn the_stream_sends_the_snapshot_then_deltas_that_rebuild_it() {
    let berth = Berth::start("live", &["--poll-interval", "1"], &[]);
    let mut stream = EventStream::open(&berth, STREAM, None).await;
    assert!(
        stream.response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let first = stream.next().await;
    assert_eq!(first.name, "snapshot");
    assert_eq!(first.data["cluster"]["clusterName"], "demo-small");
    let before = first.data["cluster"]["runningTasksCount"].as_i64().unwrap();
    let mut mine: ClusterSnapshot = serde_json::from_value(first.data).unwrap();
    let mut last_id = first.id.expect("events have ids");

    set_desired(&berth, 2).await;
    while mine.cluster.running_tasks_count != before + 1 {
        let event = stream.next().await;
        assert_eq!(
            event.name, "delta",
            "a watcher that has every change gets deltas"
        );
        let delta: SnapshotDelta = serde_json::from_value(event.data).unwrap();
        apply(&mut mine, &delta);
        last_id = event.id.expect("events have ids");
    }

    // A fresh watcher starts with the poller's latest snapshot: once this stream has read up
    // to the same change, the deltas have rebuilt exactly that snapshot.
    let mut fresh = EventStream::open(&berth, STREAM, None).await;
    let latest = fresh.next().await;
    assert_eq!(latest.name, "snapshot");
    let latest_id = latest.id.unwrap();
    while last_id != latest_id {
        let event = stream.next().await;
        let delta: SnapshotDelta = serde_json::from_value(event.data).unwrap();
        apply(&mut mine, &delta);
        last_id = event.id.unwrap();
    }
    let latest: ClusterSnapshot = serde_json::from_value(latest.data).unwrap();
    assert_eq!(mine, latest);
}

#[tokio::test]
async fn a_reconnection_resumes_from_its_last_event() {
    let berth = Berth::start("live-resume", &["--poll-interval", "1"], &[]);
    let mut watching = EventStream::open(&berth, STREAM, None).await;
    let first = watching.next().await;
    let id = first.id.unwrap();

    // Up to date: nothing until the next change, which comes as a delta.
    let mut resumed = EventStream::open(&berth, STREAM, Some(&id)).await;
    assert!(
        resumed.next_within(Duration::from_secs(3)).await.is_none(),
        "a watcher that has the latest change is sent nothing"
    );
    set_desired(&berth, 2).await;
    let next = resumed.next().await;
    assert_eq!(next.name, "delta", "{next:?}");

    // An id this server never sent: the whole snapshot.
    let mut stranger = EventStream::open(&berth, STREAM, Some("1-1")).await;
    assert_eq!(stranger.next().await.name, "snapshot");
}

#[tokio::test]
async fn a_stream_reads_the_source_it_names() {
    let berth = Berth::start(
        "live-source",
        &["--poll-interval", "1", "--regions", "eu-west-1"],
        &[],
    );
    let url = |query: &str| format!("{}/api/clusters/demo-small/stream?{query}", berth.url);
    let mut stream = EventStream::open(&berth, &format!("{STREAM}?source=sandbox"), None).await;
    let first = next_event(&mut stream, "snapshot").await;
    assert_eq!(first["cluster"]["clusterName"], "demo-small");

    // A source not offered, or not a source: a JSON error before any event.
    for query in ["source=aws:eu-west-2", "source=x"] {
        let refused = reqwest::get(url(query)).await.unwrap();
        assert_eq!(refused.status().as_u16(), 400, "{query}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["field"], "source", "{body}");
    }
}

#[tokio::test]
async fn sigterm_ends_open_streams_and_stops_the_server() {
    let mut berth = Berth::start("live-sigterm", &["--poll-interval", "1"], &[]);
    let mut stream = EventStream::open(&berth, STREAM, None).await;
    next_event(&mut stream, "snapshot").await;

    let status = berth.terminate(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "berth exits cleanly within 10 s of SIGTERM with a live stream open: {status:?}"
    );
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.response.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended with the server");
}

/// A cluster that does not exist gets no poller: the stream is refused before any event.
#[tokio::test]
async fn a_stream_of_a_cluster_that_does_not_exist_is_a_json_404() {
    let berth = Berth::start("live-missing", &[], &[]);
    let (status, body) = berth.get("/api/clusters/nope/stream").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
}

/// Reads a gzipped event stream into `decoder` until it holds `events` whole events (keep-alive
/// comments not counted).
async fn read_gzipped_events(
    response: &mut reqwest::Response,
    decoder: &mut flate2::write::GzDecoder<Vec<u8>>,
    events: usize,
) {
    while String::from_utf8_lossy(decoder.get_ref())
        .matches("event: ")
        .count()
        < events
    {
        let chunk = response
            .chunk()
            .await
            .unwrap()
            .expect("the stream stays open");
        std::io::Write::write_all(decoder, &chunk).unwrap();
        std::io::Write::flush(decoder).unwrap();
    }
}

#[tokio::test]
async fn a_stream_is_gzipped_event_by_event_for_clients_that_accept_it() {
    let berth = Berth::start("live-gzip", &["--poll-interval", "1"], &[]);
    let mut response = reqwest::Client::new()
        .get(format!("{}{STREAM}", berth.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    // The stream stays open; what has arrived so far decodes to whole events.
    let mut decoder = flate2::write::GzDecoder::new(Vec::new());
    let read = async {
        read_gzipped_events(&mut response, &mut decoder, 1).await;
        set_desired(&berth, 2).await;
        read_gzipped_events(&mut response, &mut decoder, 2).await;
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("two events within 20 s");
    let text = String::from_utf8_lossy(decoder.get_ref()).into_owned();
    let first = text.split("\n\n").next().unwrap_or_default();
    assert!(first.contains("\nevent: snapshot\n"), "{first}");
    assert!(text.contains("event: delta\n"), "{text}");
}
