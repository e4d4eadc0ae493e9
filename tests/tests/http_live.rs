//! Live updates: `GET /api/clusters/{name}/stream` pushes a snapshot at once and again when
//! the cluster changes.

use std::time::Duration;

use berth_tests::berth::Berth;
use serde_json::{Value, json};

/// Reads server-sent events until one named `event` arrives; returns its data.
async fn next_event(response: &mut reqwest::Response, buffer: &mut String, event: &str) -> Value {
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let name = block
                    .lines()
                    .find_map(|l| l.strip_prefix("event:"))
                    .map(str::trim);
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data:"))
                    .map(str::trim)
                    .collect();
                if name == Some(event) {
                    return serde_json::from_str(&data).expect("event data is JSON");
                }
            }
            let chunk = response
                .chunk()
                .await
                .expect("the stream stays open")
                .expect("more events");
            buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("an event within 20 s")
}

#[tokio::test]
async fn the_stream_pushes_the_snapshot_and_its_changes() {
    let berth = Berth::start("live", &["--poll-interval", "1"], &[]);
    let mut stream = reqwest::get(format!("{}/api/clusters/demo-small/stream", berth.url))
        .await
        .unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut buffer = String::new();
    let first = next_event(&mut stream, &mut buffer, "snapshot").await;
    assert_eq!(first["cluster"]["clusterName"], "demo-small");
    let before = first["cluster"]["runningTasksCount"].as_i64().unwrap();

    let changed = reqwest::Client::new()
        .put(format!(
            "{}/api/clusters/demo-small/services/scheduler",
            berth.url
        ))
        .json(&json!({"desiredCount": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status().as_u16(), 200);
    let second = next_event(&mut stream, &mut buffer, "snapshot").await;
    assert_eq!(
        second["cluster"]["runningTasksCount"].as_i64().unwrap(),
        before + 1
    );
}

#[tokio::test]
async fn a_stream_reads_the_source_it_names() {
    let berth = Berth::start(
        "live-source",
        &["--poll-interval", "1", "--regions", "eu-west-1"],
        &[],
    );
    let url = |query: &str| format!("{}/api/clusters/demo-small/stream?{query}", berth.url);
    let mut stream = reqwest::get(url("source=sandbox")).await.unwrap();
    let mut buffer = String::new();
    let first = next_event(&mut stream, &mut buffer, "snapshot").await;
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
    let mut stream = reqwest::get(format!("{}/api/clusters/demo-small/stream", berth.url))
        .await
        .unwrap();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "snapshot").await;

    let status = berth.terminate(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "berth exits cleanly within 10 s of SIGTERM with a live stream open: {status:?}"
    );
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
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
