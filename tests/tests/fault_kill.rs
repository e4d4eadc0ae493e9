//! `kill -9` of the server while it writes the sandbox, again and again: every change it
//! acknowledged is there when it starts again, and the state file is always readable (a
//! server that could not read it would refuse to start).

use berth_tests::{berth::Berth, scratch_dir};
use serde_json::json;
use tokio::sync::mpsc;

/// Rounds of start, changes, `kill -9` mid-change.
const ROUNDS: usize = 6;
/// Changes sent at once in each round.
const IN_FLIGHT: usize = 8;
/// Acknowledgements awaited before the kill (the rest are cut off mid-write).
const ACKNOWLEDGED_BEFORE_KILL: usize = 3;

#[tokio::test]
async fn acknowledged_changes_survive_kill_9_during_writes() {
    let state = scratch_dir("fault-kill").join("state.json");
    let state_arg = state.to_str().unwrap().to_owned();
    let mut acknowledged = Vec::new();
    for round in 0..ROUNDS {
        let berth = Berth::start("fault-kill-run", &["--state", &state_arg], &[]);
        let (sender, mut receiver) = mpsc::unbounded_channel();
        for change in 0..IN_FLIGHT {
            let family = format!("fault-{round}-{change}");
            let url = format!("{}/api/task-definitions", berth.url);
            let sender = sender.clone();
            tokio::spawn(async move {
                let body = json!({
                    "family": family,
                    "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 64}]
                });
                let answer = reqwest::Client::new().post(url).json(&body).send().await;
                if answer.is_ok_and(|a| a.status().is_success()) {
                    let _ = sender.send(family);
                }
            });
        }
        drop(sender);
        for _ in 0..ACKNOWLEDGED_BEFORE_KILL {
            acknowledged.push(receiver.recv().await.expect("an acknowledged change"));
        }
        drop(berth); // SIGKILL, with the other changes in flight
        while let Ok(family) = receiver.try_recv() {
            acknowledged.push(family);
        }
    }
    let berth = Berth::start("fault-kill-check", &["--state", &state_arg], &[]);
    let (status, families) = berth.get("/api/task-definitions").await;
    assert_eq!(status, 200, "{families}");
    let present: Vec<&str> = families["families"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["family"].as_str())
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|family| !present.contains(&family.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged changes lost after kill -9: {lost:?}"
    );
    assert!(acknowledged.len() >= ROUNDS * ACKNOWLEDGED_BEFORE_KILL);
}
